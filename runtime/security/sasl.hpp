#pragma once
// Server side of SASL PLAIN (RFC 4616) and SCRAM-SHA-256/512 (RFC 5802, RFC 7677) as Apache
// Kafka implements them, plus the SCRAM credential Kafka stores per user and mechanism.
// Pure computation on strings: the caller carries the bytes (SaslAuthenticate) and the state.
#include <cstddef>
#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <utility>

#include "runtime/bytes.hpp"
#include "runtime/status.hpp"

namespace brook::runtime::security {

enum class scram_mechanism : uint8_t { sha256, sha512 };

/// "SCRAM-SHA-256" / "SCRAM-SHA-512" -> mechanism; nullopt for any other name.
std::optional<scram_mechanism> parse_scram_mechanism(std::string_view name);
/// "SCRAM-SHA-256" / "SCRAM-SHA-512".
const char* to_string(scram_mechanism m);

/// Kafka's bounds on a SCRAM credential's iteration count.
inline constexpr int32_t scram_min_iterations = 4096;
inline constexpr int32_t scram_max_iterations = 16384;

/// What the server keeps per user and mechanism (never the password).
struct scram_credential {
  scram_mechanism mechanism = scram_mechanism::sha512;
  bytes salt;
  bytes stored_key;  // H(ClientKey)
  bytes server_key;  // HMAC(SaltedPassword, "Server Key")
  int32_t iterations = scram_min_iterations;
};

/// Salts `password` with 32 random bytes and derives the keys. invalid_config when
/// `iterations` is outside [scram_min_iterations, scram_max_iterations].
result<scram_credential> make_scram_credential(scram_mechanism m, std::string_view password,
                                               int32_t iterations = scram_min_iterations);
/// Same with a given salt (tests, RFC vectors). REQUIRES: iterations > 0.
scram_credential make_scram_credential(scram_mechanism m, std::string_view password,
                                       const bytes& salt, int32_t iterations);

/// Kafka's stored form: "salt=<b64>,stored_key=<b64>,server_key=<b64>,iterations=<n>".
std::string to_text(const scram_credential& c);
/// Inverse of to_text for mechanism `m`: all four keys exactly once, in any order, key sizes
/// matching the mechanism's hash, iterations in Kafka's bounds; invalid_config otherwise.
result<scram_credential> parse_scram_credential(scram_mechanism m, std::string_view text);

/// PLAIN against a SCRAM credential: recomputes StoredKey from the password and compares it in
/// constant time. False for a malformed credential.
bool password_matches(const scram_credential& c, std::string_view password);

/// Standard base64 (RFC 4648 section 4) with padding.
std::string base64_encode(const uint8_t* p, size_t n);
inline std::string base64_encode(const bytes& b) {
  return base64_encode(b.data(), b.size());
}
/// Strict inverse of base64_encode: padded, no whitespace, zero pad bits; invalid_request
/// otherwise.
result<bytes> base64_decode(std::string_view text);

/// A PLAIN (RFC 4616) login.
struct plain_login {
  std::string user;
  std::string password;
};
/// Parses "[authzid] NUL authcid NUL passwd". Kafka's rules: user and password non-empty, an
/// authzid (if any) equal to the user. sasl_authentication_failed otherwise.
result<plain_login> parse_plain(std::string_view message);

/// The server side of one SCRAM exchange: two client messages, two answers.
///
/// Failures are errc::sasl_authentication_failed with a message fit for both the log and the
/// client; no message says whether the user exists. An unknown user gets a normal-looking
/// server-first (salt and iterations derived from the name with a per-process key, so they are
/// stable across attempts) and fails at the final step, like a wrong password.
/// Not thread-safe; one instance per connection attempt.
class scram_server {
 public:
  /// The stored credential of `user` for this mechanism, nullopt when there is none.
  using lookup_fn = std::function<std::optional<scram_credential>(const std::string& user)>;

  scram_server(scram_mechanism m, lookup_fn lookup);

  /// Feeds the client's next message; returns the server's answer: server-first for the
  /// client-first, then server-final "v=..." for the client-final. illegal_sasl_state after
  /// success or failure.
  result<std::string> step(std::string_view client_message);

  /// True once the client-final message proved knowledge of the password.
  bool authenticated() const { return state_ == state::authenticated; }
  /// The SCRAM user name (=2C and =3D decoded); empty before the first message.
  const std::string& user() const { return user_; }

  /// Tests only (RFC vectors): use `nonce` instead of a random server nonce. Call before the
  /// first step.
  void set_nonce_for_test(std::string nonce) { test_nonce_ = std::move(nonce); }

 private:
  enum class state : uint8_t { client_first, client_final, authenticated, failed };

  result<std::string> on_client_first(std::string_view msg);
  result<std::string> on_client_final(std::string_view msg);
  status fail(std::string message);
  status fail_credentials();

  scram_mechanism mechanism_;
  lookup_fn lookup_;
  state state_ = state::client_first;
  std::string user_;
  std::string gs2_header_;         // "n,," etc., as the client sent it
  std::string client_first_bare_;  // client-first without the gs2 header
  std::string server_first_;
  std::string nonce_;            // client nonce + server nonce
  scram_credential credential_;  // the user's, or a fake one for an unknown user
  bool unknown_user_ = false;
  std::string test_nonce_;
};

/// The client side of one SCRAM exchange (the brook CLI and C++ clients on a SASL listener):
/// first_message() -> server-first -> final_message() -> server-final -> verify().
class scram_client {
 public:
  scram_client(scram_mechanism m, std::string user, std::string password);
  /// client-first: "n,,n=<user>,r=<nonce>".
  std::string first_message();
  /// client-final with the proof. sasl_authentication_failed when server-first is malformed.
  result<std::string> final_message(std::string_view server_first);
  /// Checks the server's signature (the server knew the credential, not only the user).
  status verify(std::string_view server_final) const;

 private:
  scram_mechanism mechanism_;
  std::string user_;
  std::string password_;
  std::string nonce_;
  std::string first_bare_;
  std::string expected_server_signature_;
};

}  // namespace brook::runtime::security
