#include "actors/client/consumer_config.hpp"

#include <climits>
#include <sstream>

namespace brook::client {

using runtime::errc;
using runtime::status;

runtime::result<consumer_config> consumer_config::from_properties(
    const runtime::properties& props) {
  using runtime::int_setting;
  consumer_config c;
  std::map<std::string, runtime::setting_setter> keys = {
      {"bootstrap.servers", runtime::string_setting(c.bootstrap_servers)},
      {"max.poll.records", int_setting(c.max_poll_records, 1, INT32_MAX)},
      {"fetch.min.bytes", int_setting(c.fetch_min_bytes, 0, INT32_MAX)},
      {"fetch.max.wait.ms", int_setting(c.fetch_max_wait_ms, 0, INT32_MAX)},
      {"max.partition.fetch.bytes", int_setting(c.max_partition_fetch_bytes, 1, INT32_MAX)},
      {"queued.min.messages", int_setting(c.queued_min_messages, 1, INT32_MAX)},
      {"request.timeout.ms", int_setting(c.request_timeout_ms, 1, INT32_MAX)},
      {"group.id", runtime::string_setting(c.group_id)},
      {"client.id", runtime::string_setting(c.client_id)},
      {"enable.auto.commit", runtime::bool_setting(c.enable_auto_commit)},
      {"auto.commit.interval.ms", int_setting(c.auto_commit_interval_ms, 0, INT32_MAX)},
      {"session.timeout.ms", int_setting(c.session_timeout_ms, 1, INT32_MAX)},
      {"heartbeat.interval.ms", int_setting(c.heartbeat_interval_ms, 1, INT32_MAX)},
      {"max.poll.interval.ms", int_setting(c.max_poll_interval_ms, 1, INT32_MAX)},
      {"auto.offset.reset",
       runtime::choice_setting(c.auto_offset_reset, {"earliest", "latest", "none"})},
      {"partition.assignment.strategy",
       [&c](const std::string& k, const std::string& v) -> status {
         c.assignment_strategies.clear();
         std::stringstream ss(v);
         for (std::string name; std::getline(ss, name, ',');) {
           if (name != "range" && name != "roundrobin")
             return {errc::invalid_config,
                     "invalid value '" + name + "' for " + k + ": range or roundrobin"};
           c.assignment_strategies.push_back(name);
         }
         return {};
       }},
  };
  net::client_security::add_settings(c.security, keys);
  if (auto s = runtime::apply_settings(props, keys, "consumer"); !s) return s;
  return c;
}

}  // namespace brook::client
