// libFuzzer target: one connection's SASL login (runtime::security::authenticator) fed arbitrary
// client tokens, as the Kafka listener's handler feeds it SaslAuthenticate bytes or bare frames.
// Input: [mechanism byte][token]([0xff 0xfe separator][token])*: the mechanism byte picks PLAIN,
// SCRAM-SHA-256, SCRAM-SHA-512 or an unknown name; each token is one step. Beyond ASan and UBSan
// it checks that
//  - a login succeeds only as PLAIN with the one user's password (a SCRAM proof cannot be guessed);
//  - after a failure or a success every further step is refused (no second chance on a
//    connection), and a failure is always sasl_authentication_failed or illegal_sasl_state;
//  - an unknown mechanism is refused at select() and no token is accepted after it.
// Built and run by run_fuzz.sh; seeds are written by LLVMFuzzerInitialize's caller (run_fuzz.sh
// passes tests/fuzz/sasl_seeds).
#include <cstdio>
#include <cstdlib>
#include <string_view>
#include <vector>

#include "runtime/security/access.hpp"

namespace sec = brook::runtime::security;
using brook::runtime::errc;

namespace {

constexpr std::string_view password = "pencil";

[[noreturn]] void fail(const char* what) {
  std::fprintf(stderr, "sasl_exchange_fuzz: %s\n", what);
  std::abort();
}

std::shared_ptr<sec::access_registry> registry() {
  static auto r = [] {
    auto reg = std::make_shared<sec::access_registry>(sec::authorizer_settings{}, false, 0);
    // One iteration keeps PLAIN's key derivation cheap; the exchange is the same.
    brook::runtime::bytes salt(16, 7);
    sec::user_credentials users;
    for (auto m : {sec::scram_mechanism::sha256, sec::scram_mechanism::sha512})
      users["user"].push_back(sec::make_scram_credential(m, password, salt, 1));
    reg->set_users(users);
    return reg;
  }();
  return r;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size == 0) return 0;
  static const char* names[] = {"PLAIN", "SCRAM-SHA-256", "SCRAM-SHA-512", "GSSAPI"};
  std::string mechanism = names[data[0] % 4];
  sec::authenticator login({"PLAIN", "SCRAM-SHA-256", "SCRAM-SHA-512"}, registry());
  auto chosen = login.select(mechanism);
  if (mechanism == "GSSAPI") {
    if (chosen || chosen.code() != errc::unsupported_sasl_mechanism)
      fail("unknown mechanism chosen");
  } else if (!chosen) {
    fail("an enabled mechanism was refused");
  }

  // Split the rest into tokens at each 0xff 0xfe.
  std::vector<std::string_view> tokens;
  std::string_view rest(reinterpret_cast<const char*>(data + 1), size - 1);
  for (size_t at; (at = rest.find("\xff\xfe")) != std::string_view::npos;
       rest.remove_prefix(at + 2))
    tokens.push_back(rest.substr(0, at));
  tokens.push_back(rest);

  bool ended = false;  // failed or authenticated: nothing more may be accepted
  for (auto t : tokens) {
    auto answer = login.step(reinterpret_cast<const uint8_t*>(t.data()), t.size());
    if (ended && answer) fail("a step was accepted after the login ended");
    if (!answer) {
      auto c = answer.error().code();
      if (c != errc::sasl_authentication_failed && c != errc::illegal_sasl_state)
        fail("a failed step with an unexpected error code");
      ended = true;
      continue;
    }
    if (!chosen) fail("a token was accepted without a mechanism");
    if (login.authenticated()) {
      if (mechanism != "PLAIN") fail("a SCRAM login succeeded without the password");
      if (t.find(password) == std::string_view::npos) fail("PLAIN succeeded without the password");
      if (login.user() != "user") fail("authenticated as a user that does not exist");
      ended = true;
    }
  }
  return 0;
}
