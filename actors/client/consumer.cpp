#include "actors/client/consumer.hpp"

#include <algorithm>
#include <climits>
#include <condition_variable>
#include <deque>
#include <functional>
#include <map>
#include <mutex>
#include <optional>
#include <thread>

#include "actors/client/client_metadata.hpp"
#include "actors/client/group_member.hpp"

namespace brook::client {

using runtime::errc;
using runtime::status;
using std::chrono::milliseconds;

namespace {
// The records buffered for one partition: each fetch's records as they were decoded, handed out
// in order without being moved again.
class record_queue {
 public:
  bool empty() const { return size_ == 0; }
  size_t size() const { return size_; }
  void push(std::vector<runtime::record> fetched) {
    size_ += fetched.size();
    if (!fetched.empty()) chunks_.push_back(std::move(fetched));
  }
  runtime::record& front() { return chunks_.front()[head_]; }
  void pop_front() {
    --size_;
    if (++head_ == chunks_.front().size()) {
      chunks_.pop_front();
      head_ = 0;
    }
  }
  void clear() {
    chunks_.clear();
    head_ = size_ = 0;
  }

 private:
  std::deque<std::vector<runtime::record>> chunks_;
  size_t head_ = 0;  // the next record of chunks_.front()
  size_t size_ = 0;
};

struct partition_state {
  int64_t position = -1;        // next offset poll() returns; -1: resolve by auto.offset.reset
  int64_t fetch_position = -1;  // next offset to fetch
  bool fetching = false;
  uint64_t epoch = 0;  // bumped by seek(): responses of older fetches are dropped
  record_queue buffered;
};
}  // namespace

struct consumer::impl {
  consumer_config cfg;
  std::unique_ptr<client_metadata> meta;
  std::unique_ptr<group_member> group;  // set by subscribe()
  std::chrono::steady_clock::time_point last_auto_commit;
  mutable std::mutex mu;
  std::condition_variable cv;
  std::map<topic_partition, partition_state> parts;
  int64_t assignments = 0;  // given by the group
  status fatal;

  // Resolves a position from the broker: earliest (-2) or latest (-1). Retriable errors (a
  // partition restarting, a leader moving) are retried until request.timeout.ms.
  runtime::result<int64_t> list_offset(const topic_partition& tp, int64_t which) {
    auto deadline = std::chrono::steady_clock::now() + milliseconds(cfg.request_timeout_ms);
    for (;;) {
      status err;
      auto conn = meta->leader_connection(tp.topic, tp.partition, client_metadata::bulk);
      if (conn) {
        auto r = (*conn)->call<net::list_offsets_response>(
            net::native_type::list_offsets,
            net::list_offsets_request{tp.topic, tp.partition, which},
            milliseconds(cfg.request_timeout_ms));
        if (r && r->error == errc::none) return r->offset;
        err = r ? status{r->error, r->message} : r.error();
      } else {
        err = conn.error();
      }
      if (!runtime::is_retriable(err.code()) || std::chrono::steady_clock::now() >= deadline)
        return err;
      if (err.code() != errc::request_timed_out) meta->invalidate(tp.topic);
      std::this_thread::sleep_for(milliseconds(50));
    }
  }

  // A fetch's answer, on the connection's I/O thread. The records are decoded outside the lock
  // (poll() goes on handing out what is buffered); while fewer than queued.min.messages are
  // buffered the next fetch goes out at once on the same connection.
  void on_fetch(const topic_partition& tp, uint64_t epoch,
                const std::weak_ptr<net::native_client>& via,
                runtime::result<net::native_frame> f) {
    int64_t from;
    {
      std::lock_guard<std::mutex> g(mu);
      auto it = parts.find(tp);
      if (it == parts.end() || it->second.epoch != epoch) return;
      from = it->second.fetch_position;
    }
    status problem;
    std::vector<runtime::record> got;
    int64_t next = from;
    std::optional<net::fetch_response_view> resp;
    if (f)
      if (auto r = net::body_as<net::fetch_response_view>(*f)) resp = std::move(*r);
    if (resp && resp->error == errc::none) {
      auto* data = reinterpret_cast<const uint8_t*>(resp->records.ptr);
      auto batches = runtime::split_batches(data, resp->records.size, true);
      if (!batches) problem = batches.error();
      size_t count = 0;
      for (size_t i = 0; batches && i < batches->size(); ++i)
        count += size_t((*batches)[i].header.last_offset_delta) + 1;
      got.reserve(count);
      for (size_t i = 0; batches && i < batches->size(); ++i) {
        const auto& b = (*batches)[i];
        if (b.header.last_offset() < next) continue;
        next = b.header.last_offset() + 1;
        if (b.header.is_control()) continue;
        if (auto s = runtime::decode_records(b.data, b.size, got); !s) {
          problem =
              status{s.code(), tp.topic + "-" + std::to_string(tp.partition) + ": " + s.message()};
          break;
        }
      }
      // Only the first batch can begin below the fetch position.
      auto first = std::find_if(got.begin(), got.end(),
                                [from](const runtime::record& r) { return r.offset >= from; });
      got.erase(got.begin(), first);
    }
    std::lock_guard<std::mutex> g(mu);
    auto it = parts.find(tp);
    if (it == parts.end() || it->second.epoch != epoch) return;  // a seek meanwhile
    auto& ps = it->second;
    ps.fetching = false;
    cv.notify_all();
    if (!resp) return;  // connection trouble: the next poll fetches again
    if (resp->error == errc::offset_out_of_range) {
      if (cfg.auto_offset_reset == "none") {
        fatal = status{errc::offset_out_of_range, "offset " + std::to_string(ps.fetch_position) +
                                                      " out of range for " + tp.topic + "-" +
                                                      std::to_string(tp.partition)};
      } else {
        ps.position = ps.fetch_position = -1;
      }
      return;
    }
    if (resp->error != errc::none) {
      if (resp->error == errc::not_leader_or_follower ||
          resp->error == errc::unknown_topic_or_partition)
        meta->invalidate(tp.topic);
      return;
    }
    if (!problem.is_ok()) {
      fatal = problem;
      return;
    }
    ps.buffered.push(std::move(got));
    ps.fetch_position = next;
    if (ps.buffered.size() < size_t(cfg.queued_min_messages) && next > from)
      if (auto conn = via.lock()) send_fetch(tp, ps, conn);
  }

  // REQUIRES: mu held. One fetch for `tp` from its fetch position.
  void send_fetch(const topic_partition& tp, partition_state& ps,
                  const std::shared_ptr<net::native_client>& conn) {
    ps.fetching = true;
    net::fetch_request req{tp.topic,
                           tp.partition,
                           ps.fetch_position,
                           cfg.max_partition_fetch_bytes,
                           cfg.fetch_min_bytes,
                           cfg.fetch_max_wait_ms};
    auto corr = conn->next_correlation_id();
    std::weak_ptr<net::native_client> via = conn;
    conn->send(net::encode_request(net::native_type::fetch, corr, req), corr,
               [this, tp, epoch = ps.epoch, via](runtime::result<net::native_frame> f) {
                 on_fetch(tp, epoch, via, std::move(f));
               });
  }

  // Positions to commit: where the application has read up to, per assigned partition.
  std::map<topic_partition, int64_t> positions() {
    std::lock_guard<std::mutex> g(mu);
    std::map<topic_partition, int64_t> out;
    for (const auto& [tp, ps] : parts)
      if (ps.position >= 0) out[tp] = ps.position;
    return out;
  }

  // Replaces the assignment with the group's; positions start at the committed offsets.
  void install(const std::map<topic_partition, int64_t>& assignment) {
    std::lock_guard<std::mutex> g(mu);
    ++assignments;
    std::map<topic_partition, partition_state> next;
    for (const auto& [tp, committed] : assignment) {
      auto& ps = next[tp];
      ps.epoch = (parts.count(tp) ? parts[tp].epoch : 0) + 1;
      ps.position = ps.fetch_position = committed;
    }
    parts = std::move(next);
  }

  void maybe_auto_commit(bool force) {
    if (!group || !cfg.enable_auto_commit || !group->joined()) return;
    auto now = std::chrono::steady_clock::now();
    if (!force && now - last_auto_commit < milliseconds(cfg.auto_commit_interval_ms)) return;
    last_auto_commit = now;
    group->commit(positions());  // a failure is retried at the next interval, as Kafka
  }

  // REQUIRES: mu held. Starts a fetch for every partition with a position and nothing buffered.
  void start_fetches(std::unique_lock<std::mutex>& lk) {
    for (auto& [tp, ps] : parts) {
      if (ps.fetching || ps.fetch_position < 0 || !ps.buffered.empty()) continue;
      lk.unlock();
      auto conn = meta->leader_connection(tp.topic, tp.partition, client_metadata::bulk);
      lk.lock();
      if (!conn || ps.fetching) continue;
      send_fetch(tp, ps, *conn);
    }
  }
};

runtime::result<std::unique_ptr<consumer>> consumer::create(consumer_config cfg) {
  auto servers = parse_bootstrap(cfg.bootstrap_servers);
  if (!servers) return servers.error();
  auto p = std::make_unique<impl>();
  p->cfg = std::move(cfg);
  p->meta = std::make_unique<client_metadata>(*servers, milliseconds(p->cfg.request_timeout_ms),
                                              p->cfg.security);
  if (auto c = p->meta->any_connection(); !c) return c.error();
  return std::unique_ptr<consumer>(new consumer(std::move(p)));
}

consumer::consumer(std::unique_ptr<impl> p) : impl_(std::move(p)) {}

consumer::~consumer() {
  close();
  // Connections close before impl goes away, so no fetch callback runs against a dead consumer.
  impl_->meta.reset();
}

void consumer::close() {
  auto& p = *impl_;
  if (!p.group) return;
  p.maybe_auto_commit(true);
  p.group->leave();
  p.group.reset();
}

runtime::status consumer::subscribe(const std::vector<std::string>& topics) {
  auto& p = *impl_;
  if (p.cfg.group_id.empty()) return {errc::invalid_config, "subscribe() needs group.id"};
  if (topics.empty()) return {errc::invalid_request, "subscribe() needs at least one topic"};
  for (const auto& t : topics)
    if (auto m = p.meta->topic(t, true, milliseconds(p.cfg.request_timeout_ms)); !m)
      return m.error();
  if (!p.group) p.group = std::make_unique<group_member>(p.cfg, *p.meta);
  p.group->subscribe(topics);
  return {};
}

int64_t consumer::assignments() const {
  std::lock_guard<std::mutex> g(impl_->mu);
  return impl_->assignments;
}

std::vector<topic_partition> consumer::assignment() {
  std::lock_guard<std::mutex> g(impl_->mu);
  std::vector<topic_partition> out;
  for (const auto& [tp, ps] : impl_->parts) out.push_back(tp);
  return out;
}

runtime::status consumer::commit_sync() {
  return commit_sync(impl_->positions());
}

// The group member for commits and look-ups: the consumer's own, or for an assign()ed consumer
// one outside any group (generation -1, Kafka's rule), made for the call.
template <class F>
static auto with_group_member(consumer::impl& p, const char* what, F fn) -> decltype(fn(*p.group)) {
  if (p.cfg.group_id.empty())
    return status{errc::invalid_config, std::string(what) + " needs group.id"};
  if (p.group) return fn(*p.group);
  group_member outsider(p.cfg, *p.meta);
  return fn(outsider);
}

runtime::status consumer::commit_sync(const std::map<topic_partition, int64_t>& offsets) {
  return with_group_member(*impl_, "commit", [&](group_member& g) { return g.commit(offsets); });
}

runtime::status consumer::commit_sync(
    const std::map<topic_partition, offset_and_metadata>& offsets) {
  return with_group_member(*impl_, "commit", [&](group_member& g) { return g.commit(offsets); });
}

runtime::result<std::map<topic_partition, offset_and_metadata>> consumer::committed(
    const std::vector<topic_partition>& tps) {
  return with_group_member(*impl_, "committed()",
                           [&](group_member& g) { return g.committed(tps); });
}

runtime::result<int64_t> consumer::committed(const topic_partition& tp) {
  auto r = committed(std::vector<topic_partition>{tp});
  if (!r) return r.error();
  return (*r)[tp].offset;
}

runtime::result<int32_t> consumer::partition_count(const std::string& topic) {
  auto m = impl_->meta->topic(topic, false);
  if (!m) return m.error();
  return m->partitions;
}

runtime::status consumer::assign(const std::vector<topic_partition>& tps) {
  for (const auto& tp : tps) {
    auto m = impl_->meta->topic(tp.topic, false);
    if (!m) return m.error();
    if (tp.partition < 0 || tp.partition >= m->partitions)
      return {errc::unknown_topic_or_partition,
              tp.topic + "-" + std::to_string(tp.partition) + " does not exist"};
  }
  std::lock_guard<std::mutex> g(impl_->mu);
  std::map<topic_partition, partition_state> next;
  for (const auto& tp : tps) {
    auto it = impl_->parts.find(tp);
    next[tp] = it != impl_->parts.end() ? std::move(it->second) : partition_state{};
    next[tp].epoch++;
    next[tp].fetching = false;
  }
  impl_->parts = std::move(next);
  return {};
}

runtime::status consumer::seek(const topic_partition& tp, int64_t offset) {
  std::lock_guard<std::mutex> g(impl_->mu);
  auto it = impl_->parts.find(tp);
  if (it == impl_->parts.end())
    return {errc::invalid_request,
            tp.topic + "-" + std::to_string(tp.partition) + " is not assigned"};
  auto& ps = it->second;
  ps.position = ps.fetch_position = offset;
  ps.buffered.clear();
  ps.fetching = false;
  ps.epoch++;
  return {};
}

runtime::status consumer::seek_to_beginning(const std::vector<topic_partition>& tps) {
  for (const auto& tp : tps) {
    auto off = impl_->list_offset(tp, net::earliest_timestamp);
    if (!off) return off.error();
    if (auto s = seek(tp, *off); !s) return s;
  }
  return {};
}

runtime::status consumer::seek_to_end(const std::vector<topic_partition>& tps) {
  for (const auto& tp : tps) {
    auto off = impl_->list_offset(tp, net::latest_timestamp);
    if (!off) return off.error();
    if (auto s = seek(tp, *off); !s) return s;
  }
  return {};
}

runtime::result<int64_t> consumer::position(const topic_partition& tp) {
  std::lock_guard<std::mutex> g(impl_->mu);
  auto it = impl_->parts.find(tp);
  if (it == impl_->parts.end()) return status{errc::invalid_request, "not assigned"};
  return it->second.position;
}

runtime::result<std::vector<consumer_record>> consumer::poll(milliseconds timeout) {
  auto& p = *impl_;
  auto deadline = std::chrono::steady_clock::now() + timeout;
  if (p.group) {
    auto fresh = p.group->maybe_rejoin([&] { p.maybe_auto_commit(true); });
    if (!fresh) return fresh.error();
    if (*fresh) p.install(**fresh);
    p.maybe_auto_commit(false);
  }
  // Resolve missing positions per auto.offset.reset.
  std::vector<topic_partition> unresolved;
  {
    std::lock_guard<std::mutex> g(p.mu);
    for (auto& [tp, ps] : p.parts)
      if (ps.position < 0) unresolved.push_back(tp);
  }
  for (const auto& tp : unresolved) {
    if (p.cfg.auto_offset_reset == "none")
      return status{errc::offset_out_of_range, "no position for " + tp.topic + "-" +
                                                   std::to_string(tp.partition) +
                                                   " and auto.offset.reset=none"};
    auto off = p.list_offset(tp, p.cfg.auto_offset_reset == "earliest" ? net::earliest_timestamp
                                                                       : net::latest_timestamp);
    if (!off) continue;  // retried on the next poll
    std::lock_guard<std::mutex> g(p.mu);
    if (auto it = p.parts.find(tp); it != p.parts.end() && it->second.position < 0)
      it->second.position = it->second.fetch_position = *off;
  }
  std::unique_lock<std::mutex> lk(p.mu);
  std::vector<consumer_record> out;
  size_t buffered = 0;
  for (const auto& [tp, ps] : p.parts) buffered += ps.buffered.size();
  out.reserve(std::min(buffered, size_t(p.cfg.max_poll_records)));
  for (;;) {
    if (!p.fatal.is_ok()) {
      auto f = p.fatal;
      p.fatal = status{};
      return f;
    }
    for (auto& [tp, ps] : p.parts) {
      while (!ps.buffered.empty() && out.size() < size_t(p.cfg.max_poll_records)) {
        ps.position = ps.buffered.front().offset + 1;
        out.push_back({tp.topic, tp.partition, std::move(ps.buffered.front())});
        ps.buffered.pop_front();
      }
      // Past what compaction removed and control batches: the position moves over offsets
      // that hold no record, so a commit or a "position >= end" check sees them as read.
      if (ps.buffered.empty() && ps.fetch_position > ps.position) ps.position = ps.fetch_position;
    }
    p.start_fetches(lk);  // prefetch while the caller works on what it got
    if (!out.empty() || std::chrono::steady_clock::now() >= deadline) return out;
    p.cv.wait_until(lk, std::min(deadline, std::chrono::steady_clock::now() + milliseconds(100)));
  }
}

}  // namespace brook::client
