// Kafka Fetch, ListOffsets and DeleteRecords, served by the partition actors. Versions:
// net/kafka/codec.cpp, supported_apis().
#include <caf/all.hpp>

#include "actors/session/kafka/kafka_session_internal.hpp"
#include "actors/session/route.hpp"

namespace brook::actors::kafka_detail {

namespace {

// Kafka semantics: answer at once when fetch.min.bytes are available, else wait up to max_wait_ms.
// Round one reads every partition without waiting; if that is not enough, round two parks a fetch
// in each partition actor and answers with the first partition that gets data (or when all time
// out). Each partition returns at least one whole batch, so progress never stalls on max_bytes.
struct fetch_state {
  k::request_header h;
  uint64_t seq = 0;
  k::fetch_request req;
  k::fetch_response resp;
  size_t pending = 0;
  bool answered = false;
  std::vector<bool> denied;  // per topic: the principal may not READ it
};

// Takes the records over (they are the bulk of the answer and are encoded once, from here).
void fill_partition(k::fetch_response::partition& out, net::fetch_response& r) {
  out.error_code = code(r.error);
  out.high_watermark = r.high_watermark;
  out.last_stable_offset = r.last_stable_offset >= 0 ? r.last_stable_offset : r.high_watermark;
  out.log_start_offset = r.log_start_offset;
  out.aborted_transactions.emplace();
  for (const auto& a : r.aborted) out.aborted_transactions->push_back({a.producer_id, a.first_offset});
  out.records = std::move(r.records);
  out.record_files = std::move(r.record_files);
}

size_t records_size(const k::fetch_response::partition& p) {
  return (p.records ? p.records->size() : 0) + runtime::total_size(p.record_files);
}

// Kafka's response limit: partitions are filled in request order until max_bytes is reached; the
// first partition with data is always kept whole (so a large batch cannot stall a consumer), later
// ones that would pass the limit go back empty and are fetched again next time.
void trim_to_max_bytes(k::fetch_response& resp, int32_t max_bytes) {
  size_t total = 0;
  for (auto& t : resp.topics)
    for (auto& p : t.partitions) {
      size_t n = records_size(p);
      if (n == 0) continue;
      if (total > 0 && total + n > size_t(std::max(max_bytes, 1))) {
        p.records->clear();
        p.record_files.clear();
      } else {
        total += n;
      }
    }
}

void answer_fetch(self_ptr self, fetch_state& st) {
  st.answered = true;
  trim_to_max_bytes(st.resp, st.req.max_bytes);
  reply(self, st.seq, st.h, st.resp);
}

void fetch_round(self_ptr self, std::shared_ptr<fetch_state> st, bool wait) {
  st->pending = 0;
  size_t budget = size_t(std::max(st->req.max_bytes, 1));
  for (size_t ti = 0; ti < st->req.topics.size(); ++ti) {
    const auto& t = st->req.topics[ti];
    if (st->denied[ti]) continue;  // answered TOPIC_AUTHORIZATION_FAILED
    for (size_t pi = 0; pi < t.partitions.size(); ++pi) {
      const auto& p = t.partitions[pi];
      net::fetch_request native{
          t.name,         p.index,
          p.fetch_offset, std::max<int32_t>(1, std::min<int32_t>(p.max_bytes, int32_t(budget))),
          wait ? 1 : 0,   wait ? st->req.max_wait_ms : 0};
      native.isolation_level = st->req.isolation_level;
      native.send_files = true;
      ++st->pending;
      ask_partition<net::fetch_response>(
          self, *self->state.node->directory(), std::move(native),
          [self, st, ti, pi, wait](net::fetch_response& r) {
            if (st->answered) return;
            bool got_data = r.records_size() > 0 || r.error != errc::none;
            fill_partition(st->resp.topics[ti].partitions[pi], r);
            --st->pending;
            if (wait && !got_data && st->pending > 0) return;
            if (!wait && st->pending > 0) return;
            if (!wait) {
              size_t total = 0;
              bool any_error = false;
              for (auto& tt : st->resp.topics)
                for (auto& pp : tt.partitions) {
                  total += records_size(pp);
                  any_error |= pp.error_code != 0;
                }
              // fetch.min.bytes 0: answer at once, as Kafka.
              if (st->req.min_bytes > 0 && total < size_t(st->req.min_bytes) && !any_error &&
                  st->req.max_wait_ms > 0)
                return fetch_round(self, st, true);
            }
            answer_fetch(self, *st);
          });
    }
  }
  if (st->pending == 0 && !st->answered) answer_fetch(self, *st);
}

}  // namespace

void serve(self_ptr self, uint64_t seq, const header& h, k::fetch_request& req) {
  auto st = std::make_shared<fetch_state>();
  st->h = h;
  st->seq = seq;
  st->req = std::move(req);
  for (const auto& t : st->req.topics) {
    k::fetch_response::topic rt{t.name, {}};
    auto refused = denied(self, sec::acl_operation::read, sec::resource_type::topic, t.name);
    st->denied.push_back(refused.has_value());
    for (const auto& p : t.partitions) {
      k::fetch_response::partition rp;
      rp.index = p.index;
      rp.error_code = refused ? code(*refused) : 0;
      rp.records.emplace();
      rt.partitions.push_back(std::move(rp));
    }
    st->resp.topics.push_back(std::move(rt));
  }
  fetch_round(self, st, false);
}

void serve(self_ptr self, uint64_t seq, const header& h, k::list_offsets_request& req) {
  answer_per_partition<k::list_offsets_response>(
      req,
      [self, isolation = req.isolation_level](auto& t, auto& p, auto done) {
        if (auto e = denied(self, sec::acl_operation::describe, sec::resource_type::topic, t.name))
          return done([e](k::list_offsets_response::partition& out) { out.error_code = code(*e); });
        ask_partition<net::list_offsets_response>(
            self, *self->state.node->directory(),
            net::list_offsets_request{t.name, p.index, p.timestamp, isolation},
            [done](const net::list_offsets_response& r) {
              done([&r](k::list_offsets_response::partition& out) {
                out.error_code = code(r.error);
                out.offset = r.offset;
                out.timestamp = r.timestamp;
              });
            });
      },
      [self, seq, h](k::list_offsets_response& r) { reply(self, seq, h, r); });
}

// DeleteRecords: each partition's leader moves its log start offset.
void serve(self_ptr self, uint64_t seq, const header& h, k::delete_records_request& req) {
  answer_per_partition<k::delete_records_response>(
      req,
      [self, timeout = req.timeout_ms](auto& t, auto& p, auto done) {
        if (auto e = denied(self, sec::acl_operation::remove, sec::resource_type::topic, t.name))
          return done(
              [e](k::delete_records_response::partition& out) { out.error_code = code(*e); });
        ask_partition<net::delete_records_response>(
            self, *self->state.node->directory(),
            net::delete_records_request{t.name, p.index, p.offset, timeout},
            [done](const net::delete_records_response& r) {
              done([&r](k::delete_records_response::partition& out) {
                out.error_code = code(r.error);
                out.low_watermark = r.low_watermark;
              });
            });
      },
      [self, seq, h](k::delete_records_response& r) { reply(self, seq, h, r); });
}

// WriteTxnMarkers: each partition's leader appends the marker (a __consumer_offsets partition's
// through the group coordinator, which decides the transaction's offsets there with it).
void serve(self_ptr self, uint64_t seq, const header& h, k::write_txn_markers_request& req) {
  if (auto e = denied_on_cluster(self, sec::acl_operation::cluster_action)) {
    k::write_txn_markers_response r;
    for (const auto& m : req.markers) {
      r.markers.push_back({m.producer_id, {}});
      for (const auto& t : m.topics) {
        r.markers.back().topics.push_back({t.name, {}});
        for (auto p : t.partitions)
          r.markers.back().topics.back().partitions.push_back({p, code(*e)});
      }
    }
    return reply(self, seq, h, r);
  }
  auto resp = std::make_shared<k::write_txn_markers_response>();
  size_t n = 0;
  for (const auto& m : req.markers)
    for (const auto& t : m.topics) n += t.partitions.size();
  auto done = runtime::countdown(n, [self, seq, h, resp] { reply(self, seq, h, *resp); });
  for (const auto& m : req.markers) {
    resp->markers.push_back({m.producer_id, {}});
    for (const auto& t : m.topics) {
      resp->markers.back().topics.push_back({t.name, {}});
      for (auto p : t.partitions) {
        auto& entries = resp->markers.back().topics.back().partitions;
        entries.push_back({p, 0});
        auto fill = [resp, mi = resp->markers.size() - 1,
                     ti = resp->markers.back().topics.size() - 1, pi = entries.size() - 1,
                     done](const net::produce_response& r) {
          resp->markers[mi].topics[ti].partitions[pi].error_code = code(r.error);
          done();
        };
        net::write_txn_marker_request native{t.name,      p, m.producer_id, m.producer_epoch,
                                             m.committed, m.coordinator_epoch};
        auto c = self->state.node->group_coordinator();
        if (t.name != "__consumer_offsets" || !c) {
          ask_partition<net::produce_response>(self, *self->state.node->directory(),
                                               std::move(native), fill);
          continue;
        }
        self->request(c, std::chrono::seconds(40), std::move(native))
            .then([fill](net::produce_response& r) { fill(r); },
                  [fill](caf::error&) {
                    net::produce_response r;
                    r.error = errc::not_leader_or_follower;
                    fill(r);
                  });
      }
    }
  }
}

}  // namespace brook::actors::kafka_detail
