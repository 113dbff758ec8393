#include "actors/streams/run/status.hpp"

#include <nlohmann/json.hpp>

namespace brook::streams::run {

using nlohmann::json;

std::string encode_status(const instance_status& s) {
  json tasks = json::array();
  for (const auto& m : s.tasks)
    tasks.push_back({{"id", m.id.to_string()},
                     {"urgency", name_of(m.urgency)},
                     {"deadline_ms", m.deadline.count()},
                     {"partitions", m.partitions},
                     {"processed", m.processed},
                     {"queued", m.queued},
                     {"restarts", m.restarts},
                     {"late", m.late},
                     {"latency_p50_us", m.latency_p50_us},
                     {"latency_p99_us", m.latency_p99_us},
                     {"latency_p999_us", m.latency_p999_us},
                     {"latency_max_us", m.latency_max_us},
                     {"lateness_max_ms", m.lateness_max_ms}});
  return json{
      {"instance", s.instance}, {"time_ms", s.time_ms}, {"state", s.state}, {"tasks", tasks}}
      .dump();
}

std::optional<instance_status> decode_status(std::string_view text) {
  auto j = json::parse(text, nullptr, false);
  if (j.is_discarded() || !j.is_object() || !j.contains("tasks")) return std::nullopt;
  try {
    instance_status s;
    s.instance = j.at("instance").get<std::string>();
    s.time_ms = j.at("time_ms").get<int64_t>();
    s.state = j.at("state").get<std::string>();
    for (const auto& t : j.at("tasks")) {
      task_metrics m;
      auto id = t.at("id").get<std::string>();
      auto us = id.find('_');
      if (us == std::string::npos) return std::nullopt;
      m.id = {std::stoi(id.substr(0, us)), std::stoi(id.substr(us + 1))};
      auto u = t.at("urgency").get<std::string>();
      m.urgency = u == "urgent"     ? urgency_class::urgent
                  : u == "flexible" ? urgency_class::flexible
                                    : urgency_class::not_so_urgent;
      m.deadline = std::chrono::milliseconds(t.at("deadline_ms").get<int64_t>());
      m.partitions = t.at("partitions").get<std::vector<std::string>>();
      m.processed = t.at("processed").get<int64_t>();
      m.queued = t.at("queued").get<int64_t>();
      m.restarts = t.at("restarts").get<int64_t>();
      m.late = t.at("late").get<int64_t>();
      m.latency_p50_us = t.at("latency_p50_us").get<int64_t>();
      m.latency_p99_us = t.at("latency_p99_us").get<int64_t>();
      m.latency_p999_us = t.at("latency_p999_us").get<int64_t>();
      m.latency_max_us = t.at("latency_max_us").get<int64_t>();
      m.lateness_max_ms = t.at("lateness_max_ms").get<int64_t>();
      s.tasks.push_back(std::move(m));
    }
    return s;
  } catch (const std::exception&) {
    return std::nullopt;
  }
}

}  // namespace brook::streams::run
