#include "apps/chaos/workload.hpp"

#include <algorithm>
#include <map>

#include "actors/client/consumer.hpp"
#include "actors/client/producer.hpp"
#include "runtime/clock.hpp"

namespace brook::chaos {

using std::chrono::milliseconds;

namespace {

constexpr int64_t tick_ms = 10;  // producers send a slice of their rate this often

// "<producer>:<seq>" -> (producer, seq); false for anything else.
bool parse_value(const std::optional<std::string>& v, int32_t& producer, int64_t& seq) {
  if (!v) return false;
  auto colon = v->find(':');
  if (colon == std::string::npos || colon == 0 || colon + 1 == v->size()) return false;
  try {
    size_t used = 0;
    producer = std::stoi(v->substr(0, colon), &used);
    if (used != colon) return false;
    seq = std::stoll(v->substr(colon + 1), &used);
    return used == v->size() - colon - 1;
  } catch (const std::exception&) {
    return false;
  }
}

std::vector<int64_t> per_second(const std::vector<int64_t>& ms) {
  std::vector<int64_t> out;
  for (auto t : ms) {
    auto s = size_t(std::max<int64_t>(t, 0) / 1000);
    if (out.size() <= s) out.resize(s + 1, 0);
    ++out[s];
  }
  return out;
}

}  // namespace

workload::workload(workload_options o) : o_(std::move(o)) {}

workload::~workload() {
  stop_producing(milliseconds(0));
  stop_consuming();
}

int64_t workload::now_ms() const {
  return runtime::steady_ms() - start_steady_ms_;
}

runtime::status workload::start() {
  start_steady_ms_ = runtime::steady_ms();
  for (int32_t p = 0; p < o_.producers; ++p) producers_.emplace_back([this, p] { produce(p); });
  for (int32_t c = 0; c < o_.consumers; ++c) consumers_.emplace_back([this, c] { consume(c); });
  return {};
}

void workload::produce(int32_t id) {
  client::producer_config cfg;
  cfg.bootstrap_servers = o_.bootstrap;
  cfg.acks = o_.acks;
  cfg.enable_idempotence = o_.acks == -1;
  cfg.linger_ms = 5;
  cfg.retry_backoff_ms = 50;
  cfg.request_timeout_ms = 5000;
  cfg.delivery_timeout_ms = 120000;
  cfg.max_block_ms = 1000;
  auto prod = client::producer::create(cfg);
  if (!prod) {
    std::lock_guard<std::mutex> g(mu_);
    if (first_error_.empty())
      first_error_ = "producer " + std::to_string(id) + ": " + prod.error().to_string();
    return;
  }
  const double per_tick = double(o_.rate) / std::max(o_.producers, 1) * tick_ms / 1000;
  double owed = 0;
  int64_t seq = 0;
  auto next = runtime::steady_ms();
  while (!stop_producers_) {
    owed += per_tick;
    for (; owed >= 1; owed -= 1) {
      int32_t partition = int32_t(seq % o_.partitions);
      int64_t s = seq++;
      int64_t sent = now_ms();
      client::producer_record rec{o_.topic,
                                  partition,
                                  "p" + std::to_string(id),
                                  std::to_string(id) + ":" + std::to_string(s),
                                  {},
                                  -1};
      auto st =
          (*prod)->send(std::move(rec), [this, id, s, sent](const client::delivery_report& r) {
            int64_t at = now_ms();
            std::lock_guard<std::mutex> g(mu_);
            if (r.error.is_ok()) {
              acks_.push_back({{r.partition, r.offset, id, s}, sent, at});
              ++acked_;
            } else {
              failures_ms_.push_back(at);
              if (first_error_.empty()) first_error_ = r.error.to_string();
              ++failed_;
            }
          });
      if (!st) {  // the buffer stayed full for max.block.ms: counted as a failed send
        std::lock_guard<std::mutex> g(mu_);
        failures_ms_.push_back(now_ms());
        if (first_error_.empty()) first_error_ = st.to_string();
        ++failed_;
      }
    }
    next += tick_ms;
    auto wait = next - runtime::steady_ms();
    if (wait > 0) std::this_thread::sleep_for(milliseconds(wait));
  }
  (*prod)->flush(flush_limit_);
}

void workload::consume(int32_t id) {
  client::consumer_config cfg;
  cfg.bootstrap_servers = o_.bootstrap;
  cfg.group_id = o_.group;
  cfg.auto_offset_reset = "earliest";
  cfg.enable_auto_commit = true;
  cfg.auto_commit_interval_ms = 1000;
  cfg.session_timeout_ms = 6000;
  cfg.heartbeat_interval_ms = 500;
  // The rebalance timeout: a rejoin waits this long at most for members a fault left behind
  // (the default five minutes would outlast the run).
  cfg.max_poll_interval_ms = 10000;
  cfg.request_timeout_ms = 5000;
  cfg.client_id = "chaos-consumer-" + std::to_string(id);
  auto c = client::consumer::create(cfg);
  if (c) {
    if (auto st = (*c)->subscribe({o_.topic}); !st) c = st;
  }
  if (!c) {
    std::lock_guard<std::mutex> g(mu_);
    if (first_error_.empty())
      first_error_ = "consumer " + std::to_string(id) + ": " + c.error().to_string();
    return;
  }
  while (!stop_consumers_) {
    auto recs = (*c)->poll(milliseconds(200));
    if (!recs) continue;  // a coordinator or leader moving: poll again
    int64_t session = (*c)->assignments();
    std::lock_guard<std::mutex> g(mu_);
    for (const auto& r : *recs) {
      seen_record s{id, session, r.partition, r.rec.offset, 0, 0};
      if (!parse_value(r.rec.value, s.producer, s.seq)) continue;
      seen_.push_back(s);
      ++seen_count_;
    }
  }
}

void workload::stop_producing(milliseconds flush_limit) {
  flush_limit_ = flush_limit;
  stop_producers_ = true;
  for (auto& t : producers_)
    if (t.joinable()) t.join();
  producers_.clear();
}

void workload::stop_consuming() {
  stop_consumers_ = true;
  for (auto& t : consumers_)
    if (t.joinable()) t.join();
  consumers_.clear();
}

std::string workload::first_error() const {
  std::lock_guard<std::mutex> g(mu_);
  return first_error_;
}

std::vector<timed_ack> workload::acks() const {
  std::lock_guard<std::mutex> g(mu_);
  return acks_;
}

std::vector<seen_record> workload::seen() const {
  std::lock_guard<std::mutex> g(mu_);
  return seen_;
}

std::vector<int64_t> workload::acked_per_second() const {
  std::vector<int64_t> at;
  {
    std::lock_guard<std::mutex> g(mu_);
    for (const auto& a : acks_) at.push_back(a.acked_ms);
  }
  return per_second(at);
}

std::vector<int64_t> workload::failed_per_second() const {
  std::lock_guard<std::mutex> g(mu_);
  return per_second(failures_ms_);
}

runtime::result<std::vector<stored_record>> read_topic(const std::string& bootstrap,
                                                       const std::string& topic, int32_t partitions,
                                                       milliseconds limit) {
  client::consumer_config cfg;
  cfg.bootstrap_servers = bootstrap;
  cfg.max_poll_records = 10000;
  cfg.request_timeout_ms = 10000;
  auto c = client::consumer::create(cfg);
  if (!c) return c.error();
  std::vector<client::topic_partition> tps;
  for (int32_t p = 0; p < partitions; ++p) tps.push_back({topic, p});
  if (auto st = (*c)->assign(tps); !st) return st;
  if (auto st = (*c)->seek_to_end(tps); !st) return st;
  std::map<int32_t, int64_t> end;
  for (const auto& tp : tps) {
    auto e = (*c)->position(tp);
    if (!e) return e.error();
    end[tp.partition] = *e;
  }
  if (auto st = (*c)->seek_to_beginning(tps); !st) return st;
  std::vector<stored_record> out;
  auto deadline = runtime::steady_ms() + limit.count();
  auto done = [&] {
    for (const auto& tp : tps) {
      auto pos = (*c)->position(tp);
      if (!pos || *pos < end[tp.partition]) return false;
    }
    return true;
  };
  while (!done()) {
    if (runtime::steady_ms() > deadline)
      return runtime::status{runtime::errc::request_timed_out,
                             "reading " + topic + " back did not reach its end offsets in time"};
    auto recs = (*c)->poll(milliseconds(200));
    if (!recs) continue;
    for (const auto& r : *recs) {
      stored_record s{r.partition, r.rec.offset, 0, 0};
      if (parse_value(r.rec.value, s.producer, s.seq)) out.push_back(s);
    }
  }
  return out;
}

}  // namespace brook::chaos
