#include "actors/partition_actor.hpp"

#include <caf/all.hpp>
#include <algorithm>
#include <chrono>
#include <filesystem>

#include "runtime/log.hpp"
#include "runtime/producer_state.hpp"
#include "runtime/record_batch.hpp"
#include "runtime/storage/file.hpp"
#include "runtime/storage/partition_log.hpp"

namespace brook::actors {

namespace {

using net::errc;
using clock_type = std::chrono::steady_clock;

int64_t wall_ms() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

struct parked_fetch {
  net::fetch_request req;
  caf::typed_response_promise<net::fetch_response> promise;
  clock_type::time_point deadline;
};

struct partition_state {
  partition_spec spec;
  std::unique_ptr<runtime::storage::partition_log> log;
  runtime::producer_state_table producers;
  std::vector<parked_fetch> parked;
  int64_t last_retention_ms = 0;
  std::string name;  // "topic-partition" for logs

  // Whatever ends the actor (shutdown, crash, chaos kill), what it wrote reaches the disk.
  ~partition_state() {
    if (log && log->failure().is_ok()) log->flush();
  }
};

using self_ptr = partition_actor::stateful_pointer<partition_state>;

net::fetch_response read_fetch(partition_state& st, const net::fetch_request& req) {
  net::fetch_response resp;
  resp.high_watermark = st.log->end_offset().value();
  resp.log_start_offset = st.log->start_offset().value();
  auto data = st.log->read(runtime::offset{req.offset}, size_t(std::max(req.max_bytes, 1)));
  if (!data) {
    resp.error = data.error().code();
    resp.message = data.error().message();
  } else {
    resp.records = std::move(*data);
  }
  return resp;
}

// Answers parked fetches that now have min_bytes of data, or whose wait expired.
void serve_parked(partition_state& st) {
  auto now = clock_type::now();
  auto it = st.parked.begin();
  while (it != st.parked.end()) {
    auto resp = read_fetch(st, it->req);
    bool enough = resp.error != errc::none || resp.records.size() >= size_t(std::max(it->req.min_bytes, 1));
    if (enough || now >= it->deadline) {
      it->promise.deliver(std::move(resp));
      it = st.parked.erase(it);
    } else {
      ++it;
    }
  }
}

// A log that refuses writes (failed fsync, failed undo of a torn write) is only trustworthy again
// after recovery rereads the disk: crash, and let the broker restart the partition from disk.
void fail_if_log_unusable(self_ptr self) {
  const auto& failure = self->state.log->failure();
  if (failure.is_ok()) return;
  BROOK_LOG_ERROR("[Partition " << self->state.name << "] log refuses writes (" << failure.to_string()
                                << "); restarting the partition to recover it from disk");
  self->quit(caf::make_error(caf::sec::runtime_error, failure.to_string()));
}

// How far back the idempotence state is rebuilt on open: retries older than this are past any
// producer's delivery.timeout.ms (Kafka's default is 2 minutes).
constexpr int64_t producer_state_window_ms = 15 * 60 * 1000;

// Rebuilds the idempotent-producer table from the batch headers of the log's recent tail.
runtime::status rebuild_producer_state(partition_state& st, int64_t now_ms) {
  auto& log = *st.log;
  auto from = log.offset_for_timestamp(now_ms - producer_state_window_ms);
  while (from < log.end_offset()) {
    auto chunk = log.read(from, 4 << 20);
    if (!chunk) return chunk.error();
    auto batches = runtime::split_batches(chunk->data(), chunk->size(), true);
    if (!batches) return batches.error();
    if (batches->empty()) break;
    for (const auto& b : *batches) st.producers.record(b.header);
    from = runtime::offset{batches->back().header.last_offset() + 1};
  }
  return {};
}

void housekeeping(self_ptr self) {
  auto& st = self->state;
  serve_parked(st);
  int64_t now = wall_ms();
  if (st.log->flush_due(now)) {
    if (auto s = st.log->flush(); !s) {
      BROOK_LOG_ERROR("[Partition " << st.name << "] periodic flush failed: " << s.to_string());
      fail_if_log_unusable(self);
    }
  }
  if (now - st.last_retention_ms >= st.spec.retention_check_interval_ms) {
    st.last_retention_ms = now;
    if (auto n = st.log->enforce_retention(now); n > 0)
      BROOK_LOG_INFO("[Partition " << st.name << "] retention deleted " << n
                                   << " segment(s); log start offset now " << st.log->start_offset());
  }
}

partition_actor::behavior_type partition_impl(self_ptr self, partition_spec spec) {
  auto& st = self->state;
  st.spec = std::move(spec);
  st.name = st.spec.topic + "-" + std::to_string(st.spec.partition);
  auto opened = runtime::storage::partition_log::open(runtime::storage::env::posix(), st.spec.dir,
                                                      st.spec.config.log);
  if (!opened) {
    BROOK_LOG_ERROR("[Partition " << st.name << "] cannot open log in " << st.spec.dir << ": "
                                  << opened.error().to_string());
    self->quit(caf::make_error(caf::sec::runtime_error, opened.error().to_string()));
    return partition_actor::behavior_type::make_empty_behavior();
  }
  st.log = std::move(*opened);
  st.last_retention_ms = wall_ms();
  if (auto s = rebuild_producer_state(st, st.last_retention_ms); !s) {
    BROOK_LOG_ERROR("[Partition " << st.name << "] cannot rebuild producer state: " << s.to_string());
    self->quit(caf::make_error(caf::sec::runtime_error, s.to_string()));
    return partition_actor::behavior_type::make_empty_behavior();
  }
  BROOK_LOG_DEBUG("[Partition " << st.name << "] loaded log: start " << st.log->start_offset()
                                << ", end " << st.log->end_offset());
  // Housekeeping: often enough for flush.ms and retention checks, never busier than every 10 ms.
  auto& cfg = st.spec.config.log;
  int64_t period = std::min<int64_t>(st.spec.retention_check_interval_ms, cfg.flush_ms);
  period = std::max<int64_t>(period, 10);
  self->delayed_send(self, std::chrono::milliseconds(period), tick_atom::value, true);

  return {
      [self](net::produce_request& req) -> net::produce_response {
        auto& st = self->state;
        net::produce_response resp;
        resp.log_start_offset = st.log->start_offset().value();
        if (req.batch.size() > size_t(st.spec.config.max_message_bytes)) {
          resp.error = errc::message_too_large;
          resp.message = "batch of " + std::to_string(req.batch.size()) +
                         " bytes exceeds max.message.bytes " +
                         std::to_string(st.spec.config.max_message_bytes);
          return resp;
        }
        if (auto v = runtime::validate_batch(req.batch.data(), req.batch.size()); !v) {
          BROOK_LOG_WARN("[Partition " << st.name << "] rejected batch: " << v.to_string());
          resp.error = v.code();
          resp.message = v.message();
          return resp;
        }
        auto header = runtime::parse_batch_header(req.batch.data(), req.batch.size());
        auto judged = st.producers.check(*header);
        switch (judged.v) {
          case runtime::producer_state_table::verdict::duplicate:
            // A retry of a batch already stored: its original offsets, no second copy.
            resp.base_offset = judged.base_offset;
            return resp;
          case runtime::producer_state_table::verdict::out_of_order:
            resp.error = errc::out_of_order_sequence;
            resp.message = "sequence " + std::to_string(header->base_sequence) + " of producer " +
                           std::to_string(header->producer_id) + " does not follow the last batch";
            return resp;
          case runtime::producer_state_table::verdict::fenced:
            resp.error = errc::invalid_producer_epoch;
            resp.message = "producer epoch " + std::to_string(header->producer_epoch) + " is fenced";
            return resp;
          case runtime::producer_state_table::verdict::append:
            break;
        }
        auto r = st.log->append(req.batch.data(), req.batch.size(), 0, wall_ms());
        if (!r) {
          BROOK_LOG_ERROR("[Partition " << st.name << "] append failed: " << r.error().to_string());
          resp.error = r.error().code();
          resp.message = r.error().message();
          fail_if_log_unusable(self);
          return resp;
        }
        if (r->flush_due) {
          if (auto fs = st.log->flush(); !fs) {
            // The batch is written but not durable: do not acknowledge it.
            BROOK_LOG_ERROR("[Partition " << st.name << "] flush failed: " << fs.to_string());
            resp.error = fs.code();
            resp.message = fs.message();
            fail_if_log_unusable(self);
            return resp;
          }
        }
        resp.base_offset = r->base_offset.value();
        header->base_offset = resp.base_offset;
        st.producers.record(*header);
        if (!st.parked.empty()) serve_parked(st);
        return resp;
      },
      [self](net::fetch_request& req) -> caf::typed_response_promise<net::fetch_response> {
        auto& st = self->state;
        auto promise = self->make_response_promise<net::fetch_response>();
        auto resp = read_fetch(st, req);
        // fetch.min.bytes 0 means "answer at once", as in Kafka.
        bool enough = resp.error != errc::none || req.min_bytes <= 0 || resp.records.size() >= size_t(req.min_bytes);
        if (enough || req.max_wait_ms <= 0) {
          promise.deliver(std::move(resp));
        } else {
          auto wait = std::chrono::milliseconds(req.max_wait_ms);
          st.parked.push_back({std::move(req), promise, clock_type::now() + wait});
          self->delayed_send(self, wait, tick_atom::value, false);
        }
        return promise;
      },
      [self](net::list_offsets_request& req) -> net::list_offsets_response {
        auto& log = *self->state.log;
        net::list_offsets_response resp;
        if (req.timestamp == net::earliest_timestamp) {
          resp.offset = log.start_offset().value();
        } else if (req.timestamp == net::latest_timestamp) {
          resp.offset = log.end_offset().value();
        } else {
          // The index finds the first batch whose max timestamp reaches the time; the answer is
          // the first record in it at or after the time (as Kafka), with that record's timestamp.
          resp.offset = resp.timestamp = -1;  // past every record: Kafka answers -1 / -1
          auto from = log.offset_for_timestamp(req.timestamp);
          while (from < log.end_offset()) {
            auto data = log.read(from, 1);
            auto recs = data ? runtime::decode_records(data->data(), data->size())
                             : runtime::result<std::vector<runtime::record>>(data.error());
            if (!recs) {
              resp.error = recs.error().code();
              resp.message = recs.error().message();
              break;
            }
            if (recs->empty()) break;
            auto hit = std::find_if(recs->begin(), recs->end(),
                                    [&](const runtime::record& r) { return r.timestamp >= req.timestamp; });
            if (hit != recs->end()) {
              resp.offset = hit->offset;
              resp.timestamp = hit->timestamp;
              break;
            }
            from = runtime::offset{recs->back().offset + 1};
          }
        }
        return resp;
      },
      [self, period](tick_atom, bool periodic) {
        if (!periodic) return serve_parked(self->state);
        housekeeping(self);
        self->delayed_send(self, std::chrono::milliseconds(period), tick_atom::value, true);
      },
      [self](drop_atom) -> bool {
        auto& st = self->state;
        for (auto& p : st.parked) {
          net::fetch_response resp;
          resp.error = errc::unknown_topic_or_partition;
          resp.message = "topic deleted";
          p.promise.deliver(std::move(resp));
        }
        st.parked.clear();
        auto dir = st.log->dir();
        st.log.reset();
        std::error_code ec;
        std::filesystem::remove_all(dir, ec);
        self->quit();
        return !ec;
      },
  };
}

}  // namespace

partition_actor spawn_partition(caf::actor_system& sys, partition_spec spec) {
  return sys.spawn(partition_impl, std::move(spec));
}

}  // namespace brook::actors
