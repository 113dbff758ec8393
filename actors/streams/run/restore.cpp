#include "actors/streams/run/restore.hpp"

#include <algorithm>
#include <climits>
#include <sstream>
#include <vector>

#include "actors/client/consumer.hpp"
#include "actors/streams/run/task_runner.hpp"
#include "actors/streams/streams_config.hpp"
#include "runtime/clock.hpp"
#include "runtime/log.hpp"

namespace brook::streams::run {

std::string encode_checkpoints(const std::map<std::string, int64_t>& checkpoints) {
  std::string out;
  for (const auto& [name, off] : checkpoints) out += name + " " + std::to_string(off) + "\n";
  return out;
}

std::map<std::string, int64_t> decode_checkpoints(const std::string& metadata) {
  std::map<std::string, int64_t> out;
  std::istringstream in(metadata);
  std::string name;
  int64_t off = 0;
  while (in >> name >> off) out[name] = off;
  return out;
}

namespace {

// Reads one changelog partition into the store: the entries before `upto`. The later ones (the
// tail) are changes for input records after the last commit, which will be processed again:
// with `reassert_tail` their keys are written again with the restored values, so the changelog
// ends with them. But a tail change older than the changelog's min.compaction.lag.ms (`lag_ms`;
// the application was down that long) may have let compaction remove the value it replaced;
// then the tail is applied as it is (Kafka Streams' at-least-once: those inputs may count twice).
runtime::status replay(client::consumer& c, const client::topic_partition& tp,
                       detail::store_instance& s, int64_t upto, bool reassert_tail, int64_t lag_ms,
                       task_runner& runner, int64_t timeout_ms) {
  if (auto st = c.assign({tp}); !st) return st;
  if (auto st = c.seek_to_end({tp}); !st) return st;
  auto end = c.position(tp);
  if (!end) return end.error();
  if (auto st = c.seek_to_beginning({tp}); !st) return st;
  s.inner().clear();
  std::vector<std::pair<std::string, std::optional<std::string>>> tail;
  int64_t oldest_tail = INT64_MAX;
  auto last_progress = runtime::steady_ms();
  for (;;) {
    auto pos = c.position(tp);
    if (!pos) return pos.error();
    if (*pos >= *end) break;
    auto recs = c.poll(std::chrono::milliseconds(200));
    if (!recs) return recs.error();
    if (!recs->empty()) last_progress = runtime::steady_ms();
    if (runtime::steady_ms() - last_progress > timeout_ms)
      return {
          runtime::errc::request_timed_out,
          "restoring from " + tp.topic + "-" + std::to_string(tp.partition) + " made no progress"};
    for (auto& r : *recs) {
      if (!r.rec.key || r.rec.offset >= *end) continue;
      if (r.rec.offset < upto) {
        s.restore(*r.rec.key, r.rec.value);
      } else if (reassert_tail) {
        tail.emplace_back(std::move(*r.rec.key), std::move(r.rec.value));
        oldest_tail = std::min(oldest_tail, r.rec.timestamp);
      }
    }
  }
  if (tail.empty()) return {};
  if (oldest_tail > runtime::wall_ms() - lag_ms) {
    for (auto& [key, value] : tail) runner.reassert_later(&s, std::move(key));
    return {};
  }
  BROOK_LOG_WARN("restoring from " << tp.topic << "-" << tp.partition << ": " << tail.size()
                                   << " change(s) after the last commit are older than "
                                      "min.compaction.lag.ms ("
                                   << lag_ms
                                   << " ms), so compaction may have removed what they "
                                      "replaced; applying them (their inputs may count twice)");
  for (auto& [key, value] : tail) s.restore(key, value);
  return {};
}

}  // namespace

runtime::result<std::map<std::string, int64_t>> restore_stores(
    task_runner& runner, const streams_config& cfg,
    const std::map<std::string, int64_t>& checkpoints,
    const std::map<std::string, int64_t>& committed) {
  std::map<std::string, int64_t> restored;
  auto& task = runner.task();
  std::unique_ptr<client::consumer> consumer;
  for (auto* s : task.stores()) {
    const auto& topic = s->changelog_topic();
    if (topic.empty()) continue;
    if (!consumer) {
      auto cc = client::consumer_config::from_properties(cfg.consumer_overrides);
      if (!cc) return cc.error();
      cc->bootstrap_servers = cfg.bootstrap_servers;
      cc->group_id.clear();
      cc->enable_auto_commit = false;
      cc->max_poll_records = 10000;
      cc->client_id = cfg.application_id + "-restore";
      auto c = client::consumer::create(std::move(*cc));
      if (!c) return c.error();
      consumer = std::move(*c);
    }
    bool from_source = !s->def().source_topic.empty();
    int64_t upto = 0;
    if (from_source) {
      auto it = committed.find(topic);
      upto = it == committed.end() ? 0 : std::max<int64_t>(it->second, 0);
    } else if (auto it = checkpoints.find(s->def().name); it != checkpoints.end()) {
      upto = it->second;
    }
    auto t0 = runtime::steady_ms();
    client::topic_partition tp{topic, task.id().partition};
    if (auto st = replay(*consumer, tp, *s, upto, !from_source, cfg.changelog_compaction_lag_ms(),
                         runner, 30000);
        !st)
      return st;
    restored[s->def().name] = upto;
    BROOK_LOG_INFO("[Streams " << cfg.application_id << "] task " << task.id().to_string()
                               << ": store " << s->def().name << " restored from " << topic << "-"
                               << tp.partition << " up to offset " << upto << " ("
                               << s->approximate_count() << " entries, "
                               << runtime::steady_ms() - t0 << " ms)");
  }
  return restored;
}

}  // namespace brook::streams::run
