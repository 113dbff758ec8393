#pragma once
// How a client reaches a secured native listener. Light: producer and consumer configs carry it.
#include <map>
#include <string>

#include "runtime/config.hpp"

namespace brook::net {

/// How a client reaches a secured native listener, with librdkafka's key names: security.protocol,
/// ssl.ca.location, sasl.mechanism, sasl.username, sasl.password.
struct client_security {
  runtime::security_protocol protocol = runtime::security_protocol::plaintext;
  std::string ca_location;  // PEM CAs the broker's certificate must chain to ("": the system's)
  std::string mechanism = "SCRAM-SHA-512";  // PLAIN, SCRAM-SHA-256 or SCRAM-SHA-512
  std::string username;
  std::string password;
  /// Applies one of the keys above; false when `key` is none of them; invalid_config for a bad
  /// value.
  runtime::result<bool> apply(const std::string& key, const std::string& value);
  /// What connect() uses when given nothing: plaintext unless the process set it (the brook
  /// CLI's --command-config). Thread-safe.
  /// Adds the keys above to a client's config keys (producer, consumer), writing into `s`.
  static void add_settings(client_security& s,
                           std::map<std::string, runtime::setting_setter>& keys);
  static client_security defaults();
  static void set_defaults(client_security s);
};

}  // namespace brook::net
