#include "actors/streams/streams_config.hpp"

#include <algorithm>
#include <climits>

namespace brook::streams {

using runtime::errc;
using runtime::status;

runtime::result<streams_config> streams_config::from_properties(const runtime::properties& props) {
  using runtime::int_setting;
  streams_config c;
  std::string guarantee = "at_least_once", handler = "fail";
  std::map<std::string, runtime::setting_setter> keys = {
      {"application.id", runtime::string_setting(c.application_id)},
      {"bootstrap.servers", runtime::string_setting(c.bootstrap_servers)},
      {"client.id", runtime::string_setting(c.client_id)},
      {"admin.listeners", runtime::string_setting(c.admin_listeners)},
      {"commit.interval.ms", int_setting(c.commit_interval_ms, 1, INT32_MAX)},
      {"processing.guarantee", runtime::choice_setting(guarantee, {"at_least_once"})},
      {"default.deserialization.exception.handler", runtime::string_setting(handler)},
      {"dead.letter.topic", runtime::string_setting(c.dead_letter_topic)},
      {"state.dir", runtime::string_setting(c.state_dir)},
      {"replication.factor", int_setting(c.replication_factor, -1, INT16_MAX)},
      {"status.interval.ms", int_setting(c.status_interval_ms, 100, INT32_MAX)},
      {"urgency.enabled", runtime::bool_setting(c.urgency_enabled)},
  };
  runtime::properties own;
  for (const auto& [k, v] : props) {
    if (k.rfind("consumer.", 0) == 0)
      c.consumer_overrides[k.substr(9)] = v;
    else if (k.rfind("producer.", 0) == 0)
      c.producer_overrides[k.substr(9)] = v;
    else if (k.rfind("topic.", 0) == 0)
      c.topic_overrides[k.substr(6)] = v;
    else
      own[k] = v;
  }
  if (auto s = runtime::apply_settings(own, keys, "streams"); !s) return s;
  if (c.application_id.empty()) return status{errc::invalid_config, "application.id is required"};
  if (handler == "fail" || handler.find("LogAndFail") != std::string::npos)
    c.on_bad_record = bad_record_policy::fail;
  else if (handler == "skip" || handler.find("LogAndContinue") != std::string::npos)
    c.on_bad_record = bad_record_policy::skip;
  else if (handler == "dead-letter")
    c.on_bad_record = bad_record_policy::dead_letter;
  else
    return status{errc::invalid_config, "invalid value '" + handler +
                                            "' for default.deserialization.exception.handler: "
                                            "fail, skip or dead-letter"};
  runtime::topic_config check;
  if (auto s = check.apply(c.topic_overrides); !s)
    return status{s.code(), "topic.*: " + s.message()};
  if (c.client_id.empty()) c.client_id = c.application_id;
  if (c.dead_letter_topic.empty()) c.dead_letter_topic = c.application_id + "-dead-letters";
  return c;
}

runtime::properties streams_config::changelog_configs() const {
  runtime::properties p{{"cleanup.policy", "compact"},
                        {"segment.bytes", std::to_string(64 << 20)},
                        {"min.compaction.lag.ms",
                         std::to_string(std::max<int64_t>(600000, 10 * commit_interval_ms))}};
  for (const auto& [k, v] : topic_overrides) p[k] = v;
  return p;
}

int64_t streams_config::changelog_compaction_lag_ms() const {
  return std::stoll(changelog_configs().at("min.compaction.lag.ms"));
}

}  // namespace brook::streams
