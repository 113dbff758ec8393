#include "net/client_security.hpp"

#include <mutex>

namespace brook::net {

using runtime::errc;
using runtime::status;

namespace {

std::mutex defaults_mu;
client_security process_defaults;

}  // namespace

void client_security::add_settings(client_security& s,
                                   std::map<std::string, runtime::setting_setter>& keys) {
  for (const char* k : {"security.protocol", "ssl.ca.location", "sasl.mechanism", "sasl.mechanisms",
                        "sasl.username", "sasl.password"})
    keys[k] = [&s](const std::string& key, const std::string& value) -> status {
      auto known = s.apply(key, value);
      return known ? status{} : known.error();
    };
}

client_security client_security::defaults() {
  std::lock_guard<std::mutex> g(defaults_mu);
  return process_defaults;
}

void client_security::set_defaults(client_security s) {
  std::lock_guard<std::mutex> g(defaults_mu);
  process_defaults = std::move(s);
}

runtime::result<bool> client_security::apply(const std::string& key, const std::string& value) {
  if (key == "security.protocol") {
    auto p = runtime::parse_security_protocol(value);
    if (!p) return p.error();
    protocol = *p;
  } else if (key == "ssl.ca.location") {
    ca_location = value;
  } else if (key == "sasl.mechanism" || key == "sasl.mechanisms") {
    if (value != "PLAIN" && value != "SCRAM-SHA-256" && value != "SCRAM-SHA-512")
      return status{errc::invalid_config, "invalid value '" + value + "' for " + key +
                                              ": PLAIN, SCRAM-SHA-256 or SCRAM-SHA-512"};
    mechanism = value;
  } else if (key == "sasl.username") {
    username = value;
  } else if (key == "sasl.password") {
    password = value;
  } else {
    return false;
  }
  return true;
}

}  // namespace brook::net
