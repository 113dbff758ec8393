#include "apps/chaos/plan.hpp"

#include <algorithm>
#include <cstdio>
#include <sstream>

namespace brook::chaos {

namespace {

struct kind_name {
  fault_kind kind;
  std::string_view name;
};

constexpr kind_name kind_names[] = {
    {fault_kind::kill_leader, "kill-leader"},
    {fault_kind::kill_follower, "kill-follower"},
    {fault_kind::kill_fetcher, "kill-fetcher"},
    {fault_kind::kill_session, "kill-session"},
    {fault_kind::kill_controller, "kill-controller"},
    {fault_kind::kill_group_coordinator, "kill-group-coordinator"},
    {fault_kind::kill_broker_actor, "kill-broker-actor"},
    {fault_kind::kill_coordinator_session, "kill-coordinator-session"},
    {fault_kind::kill9_broker, "kill9-broker"},
    {fault_kind::kill9_coordinator, "kill9-coordinator"},
    {fault_kind::pause_broker, "pause-broker"},
    {fault_kind::partition_broker, "partition-broker"},
};

// splitmix64: the same numbers for the same seed on every platform (std's distributions are not).
struct rng {
  uint64_t state;
  uint64_t next() {
    uint64_t z = (state += 0x9e3779b97f4a7c15ULL);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
    return z ^ (z >> 31);
  }
  int64_t below(int64_t n) { return n <= 0 ? 0 : int64_t(next() % uint64_t(n)); }
};

bool targets_partition(fault_kind k) {
  return k == fault_kind::kill_leader || k == fault_kind::kill_follower ||
         k == fault_kind::kill_fetcher;
}

bool has_duration(fault_kind k) {
  return is_outage(k);
}

constexpr int64_t outage_gap_ms = 2000;  // between one outage's end and the next one's start

}  // namespace

std::string_view name_of(fault_kind k) {
  for (const auto& kn : kind_names)
    if (kn.kind == k) return kn.name;
  return "?";
}

std::optional<fault_kind> fault_from_name(std::string_view name) {
  for (const auto& kn : kind_names)
    if (kn.name == name) return kn.kind;
  return std::nullopt;
}

const std::vector<fault_kind>& all_fault_kinds() {
  static const std::vector<fault_kind> all = [] {
    std::vector<fault_kind> v;
    for (const auto& kn : kind_names) v.push_back(kn.kind);
    return v;
  }();
  return all;
}

bool is_outage(fault_kind k) {
  return k == fault_kind::kill9_broker || k == fault_kind::kill9_coordinator ||
         k == fault_kind::pause_broker || k == fault_kind::partition_broker;
}

std::string describe(const fault& f) {
  char at[32];
  std::snprintf(at, sizeof at, "%.1fs ", double(f.at_ms) / 1000);
  std::string s = at + std::string(name_of(f.kind));
  if (targets_partition(f.kind)) {
    s += " partition " + std::to_string(f.partition);
  } else if (f.kind != fault_kind::kill_controller && f.kind != fault_kind::kill9_coordinator &&
             f.kind != fault_kind::kill_coordinator_session) {
    s += " broker " + std::to_string(f.broker);
  }
  if (has_duration(f.kind)) s += " for " + std::to_string(f.duration_ms) + " ms";
  return s;
}

std::vector<fault> random_plan(const plan_options& o) {
  std::vector<fault> out;
  if (o.faults <= 0 || o.kinds.empty()) return out;
  rng r{o.seed};
  const int64_t begin = o.duration_ms / 10, end = o.duration_ms * 85 / 100;
  const int64_t slot = std::max<int64_t>(1, (end - begin) / o.faults);
  std::vector<fault_kind> order;
  int64_t outage_until = -outage_gap_ms;
  for (int32_t i = 0; i < o.faults; ++i) {
    if (order.empty()) {  // a fresh shuffle of the kinds for each round
      order = o.kinds;
      for (size_t j = order.size(); j > 1; --j)
        std::swap(order[j - 1], order[size_t(r.below(int64_t(j)))]);
    }
    fault f;
    f.kind = order.back();
    order.pop_back();
    f.at_ms = begin + i * slot + r.below(slot / 2 + 1);
    f.partition = int32_t(r.below(o.partitions));
    f.broker = int32_t(1 + r.below(o.brokers));
    if (is_outage(f.kind)) {
      f.duration_ms = 300 + r.below(1200);
      f.at_ms = std::max(f.at_ms, outage_until + outage_gap_ms);
      outage_until = f.at_ms + f.duration_ms;
    }
    out.push_back(f);
  }
  std::stable_sort(out.begin(), out.end(),
                   [](const fault& a, const fault& b) { return a.at_ms < b.at_ms; });
  return out;
}

runtime::result<std::vector<fault>> parse_schedule(const std::string& text, int32_t brokers,
                                                   int32_t partitions) {
  std::vector<fault> out;
  std::istringstream in(text);
  int lineno = 0;
  for (std::string line; std::getline(in, line);) {
    ++lineno;
    if (auto hash = line.find('#'); hash != std::string::npos) line.erase(hash);
    std::istringstream ls(line);
    double at_s = 0;
    std::string kind;
    if (!(ls >> at_s)) {
      if (line.find_first_not_of(" \t\r") == std::string::npos) continue;
    }
    auto bad = [&](const std::string& why) {
      return runtime::status{
          runtime::errc::invalid_config,
          "schedule line " + std::to_string(lineno) + " ('" + line + "'): " + why};
    };
    if (!(ls >> kind))
      return bad("expected '<at seconds> <kind> [partition|broker] [duration ms]'");
    auto k = fault_from_name(kind);
    if (!k) return bad("unknown fault kind '" + kind + "'");
    fault f;
    f.kind = *k;
    f.at_ms = int64_t(at_s * 1000);
    if (at_s < 0) return bad("a negative time");
    int64_t target = targets_partition(f.kind) ? 0 : 1;
    ls >> target;
    if (targets_partition(f.kind)) {
      if (target < 0 || target >= partitions)
        return bad("partition " + std::to_string(target) + " is not in 0.." +
                   std::to_string(partitions - 1));
      f.partition = int32_t(target);
    } else {
      if (target < 1 || target > brokers)
        return bad("broker " + std::to_string(target) + " is not in 1.." + std::to_string(brokers));
      f.broker = int32_t(target);
    }
    f.duration_ms = 1000;
    ls >> f.duration_ms;
    if (f.duration_ms < 0) return bad("a negative duration");
    std::string extra;
    if (ls >> extra) return bad("unexpected '" + extra + "'");
    out.push_back(f);
  }
  std::stable_sort(out.begin(), out.end(),
                   [](const fault& a, const fault& b) { return a.at_ms < b.at_ms; });
  return out;
}

}  // namespace brook::chaos
