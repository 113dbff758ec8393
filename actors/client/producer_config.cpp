#include <climits>
#include <cstdlib>
#include <functional>
#include <map>

#include "actors/client/producer.hpp"

namespace brook::client {

using runtime::errc;
using runtime::status;

namespace {
status bad(const std::string& k, const std::string& v, const std::string& why) {
  return {errc::invalid_config, "invalid value '" + v + "' for " + k + ": " + why};
}

}  // namespace

runtime::result<producer_config> producer_config::from_properties(
    const runtime::properties& props) {
  producer_config c;
  std::map<std::string, runtime::setting_setter> keys = {
      {"bootstrap.servers", runtime::string_setting(c.bootstrap_servers)},
      {"acks",
       [&c](const std::string& k, const std::string& v) -> status {
         if (v == "all" || v == "-1")
           c.acks = -1;
         else if (v == "0")
           c.acks = 0;
         else if (v == "1")
           c.acks = 1;
         else
           return bad(k, v, "must be 0, 1, all or -1");
         return {};
       }},
      {"retries", runtime::int_setting(c.retries, 0, INT32_MAX)},
      {"retry.backoff.ms", runtime::int_setting(c.retry_backoff_ms, 0, INT32_MAX)},
      {"batch.size", runtime::int_setting(c.batch_size, 0, INT32_MAX)},
      {"linger.ms", runtime::int_setting(c.linger_ms, 0, INT32_MAX)},
      {"flexible.linger.ms", runtime::int_setting(c.flexible_linger_ms, 0, INT32_MAX)},
      {"buffer.memory", runtime::int_setting(c.buffer_memory, 1024, INT64_MAX)},
      {"max.block.ms", runtime::int_setting(c.max_block_ms, 0, INT64_MAX)},
      {"max.in.flight.requests.per.connection", runtime::int_setting(c.max_in_flight, 1, 1000)},
      {"delivery.timeout.ms", runtime::int_setting(c.delivery_timeout_ms, 1, INT32_MAX)},
      {"request.timeout.ms", runtime::int_setting(c.request_timeout_ms, 1, INT32_MAX)},
      {"compression.type",
       [&c](const std::string& k, const std::string& v) -> status {
         auto codec = runtime::parse_compression(v);
         if (!codec) return bad(k, v, "must be none, gzip, snappy, lz4 or zstd");
         c.compression_type = *codec;
         return {};
       }},
  };
  keys["enable.idempotence"] = [&c](const std::string& k, const std::string& v) -> status {
    if (v != "true" && v != "false") return bad(k, v, "must be true or false");
    c.enable_idempotence = v == "true";
    return {};
  };
  net::client_security::add_settings(c.security, keys);
  if (auto s = runtime::apply_settings(props, keys, "producer"); !s) return s;
  if (c.enable_idempotence && c.acks != -1) {
    if (props.count("enable.idempotence"))
      return status{errc::invalid_config, "enable.idempotence=true requires acks=all"};
    c.enable_idempotence = false;
  }
  if (c.enable_idempotence && c.max_in_flight > 5)
    return status{errc::invalid_config,
                  "enable.idempotence=true requires max.in.flight.requests.per.connection <= 5"};
  if (c.delivery_timeout_ms < c.linger_ms + c.request_timeout_ms)
    return status{errc::invalid_config,
                  "delivery.timeout.ms must be >= linger.ms + request.timeout.ms"};
  return c;
}

}  // namespace brook::client
