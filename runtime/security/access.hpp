#pragma once
// A node's users and ACLs as the coordinator holds them, the SASL login one connection runs
// against them, and the pacing of failed logins. Thread-safe where noted: I/O threads log
// clients in while session actors authorize requests and the broker actor replaces the data.
#include <chrono>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "runtime/security/acl.hpp"
#include "runtime/security/sasl.hpp"

namespace brook::runtime::security {

/// Every SCRAM credential of every user, by user name.
using user_credentials = std::map<std::string, std::vector<scram_credential>>;

/// The users and ACLs a node enforces. The broker actor replaces them whole when the
/// coordinator's copy changes; readers take snapshots. Thread-safe.
class access_registry {
 public:
  /// `enforce`: authorizer.class.name is set, so authorize() consults the ACLs; otherwise it
  /// allows everything (Kafka without an authorizer).
  access_registry(authorizer_settings settings, bool enforce, int64_t failed_login_delay_ms);

  void set_users(user_credentials users);
  /// Until the first call only super users pass authorize() (fail closed while loading).
  void set_acls(std::vector<acl_binding> acls);
  /// `user`'s credential for `m`; nullopt when it has none.
  std::optional<scram_credential> credential(const std::string& user, scram_mechanism m) const;
  /// Any of `user`'s credentials (PLAIN checks a password against it).
  std::optional<scram_credential> any_credential(const std::string& user) const;
  std::shared_ptr<const user_credentials> users() const;
  std::shared_ptr<const std::vector<acl_binding>> acls() const;

  bool enforcing() const { return enforce_; }
  bool authorize(const std::string& principal, const std::string& host, acl_operation op,
                 resource_type type, const std::string& name) const;

  /// authorized_on_any() against the ACLs (true without an authorizer; like authorize(), only
  /// super users before the ACLs are read).
  bool authorize_any(const std::string& principal, const std::string& host, acl_operation op,
                     resource_type type) const;
  /// An idempotent producer's InitProducerId, Kafka 3's rule: IDEMPOTENT_WRITE on the cluster or
  /// WRITE on some topic.
  bool authorize_idempotent_producer(const std::string& principal, const std::string& host) const;

  /// Records a failed login from `host` and returns how long to wait before answering it: the
  /// configured delay times the host's failures in the last minute (at most 50 times).
  int64_t login_failed(const std::string& host, int64_t now_ms);

 private:
  // Without an authorizer: true; before the ACLs are read: super users only; else d(acls).
  template <class Decide>
  bool decide(const std::string& principal, Decide d) const;

  struct failures {
    int64_t window_start_ms = 0;
    int32_t count = 0;
  };
  const authorizer_settings settings_;
  const bool enforce_;
  const int64_t failed_login_delay_ms_;
  mutable std::mutex mu_;  // users_, acls_
  std::shared_ptr<const user_credentials> users_;
  std::shared_ptr<const std::vector<acl_binding>> acls_;  // null until first set
  std::mutex failures_mu_;
  std::map<std::string, failures> failures_;
};

/// One connection's SASL login: the client picks a mechanism (SaslHandshake), then trades
/// tokens (bare frames or SaslAuthenticate) until it is authenticated or has failed. Not
/// thread-safe; one per connection.
class authenticator {
 public:
  authenticator(std::vector<std::string> enabled, std::shared_ptr<access_registry> registry);

  /// Chooses the mechanism. unsupported_sasl_mechanism (naming the enabled ones) when it is not
  /// enabled, illegal_sasl_state when one is already chosen.
  status select(const std::string& mechanism);
  /// The client's next token -> the server's answer (PLAIN: empty). sasl_authentication_failed
  /// for a wrong user or password or a malformed token; illegal_sasl_state out of turn.
  result<bytes> step(const uint8_t* token, size_t n);

  bool selected() const { return !mechanism_.empty(); }
  bool authenticated() const { return authenticated_; }
  const std::string& mechanism() const { return mechanism_; }
  const std::vector<std::string>& enabled() const { return enabled_; }
  /// The authenticated user (or the one trying, for logs).
  const std::string& user() const { return user_; }

 private:
  std::vector<std::string> enabled_;
  std::shared_ptr<access_registry> registry_;
  std::string mechanism_;
  std::unique_ptr<scram_server> scram_;
  std::string user_;
  bool authenticated_ = false;
  bool failed_ = false;
};

/// A connection's principal: "User:" and its SASL user, else its verified TLS certificate's
/// subject, else ANONYMOUS.
std::string principal_of(const std::string& sasl_user, const std::string& tls_subject);

/// The longest frame a SASL listener reads before the login is done (Kafka's
/// sasl.server.max.receive.size): an unauthenticated client cannot make the broker hold more.
inline constexpr size_t max_login_frame_bytes = 524288;
/// How long a SASL listener waits for a new connection's login before it closes it.
inline constexpr std::chrono::seconds login_timeout{30};

/// `name` as a log line may show it: control characters (a client could forge lines with a
/// newline in a user name) become '?', and it is cut at 256 bytes.
std::string loggable(const std::string& name);

}  // namespace brook::runtime::security
