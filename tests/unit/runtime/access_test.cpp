#include "runtime/security/access.hpp"

#include <gtest/gtest.h>

#include <map>
#include <memory>
#include <string>
#include <vector>

#include "tests/unit/runtime/scram_fields.hpp"

namespace {

namespace sec = brook::runtime::security;
using brook::runtime::bytes;
using brook::runtime::errc;
using sec::acl_operation;
using sec::resource_type;
using sec::scram_mechanism;
using namespace std::string_literals;

// --- fixtures ------------------------------------------------------------------------------

const bytes fixed_salt(16, 0x5a);

sec::scram_credential credential(scram_mechanism m, const std::string& password) {
  return sec::make_scram_credential(m, password, fixed_salt, sec::scram_min_iterations);
}

std::shared_ptr<sec::access_registry> registry(bool enforce = true, int64_t delay_ms = 100,
                                               sec::authorizer_settings settings = {}) {
  return std::make_shared<sec::access_registry>(std::move(settings), enforce, delay_ms);
}

sec::acl_binding allow(const std::string& principal, acl_operation op, const std::string& topic) {
  sec::acl_binding b;
  b.resource = resource_type::topic;
  b.name = topic;
  b.principal = principal;
  b.operation = op;
  b.permission = sec::acl_permission::allow;
  return b;
}

brook::runtime::result<bytes> step(sec::authenticator& a, const std::string& token) {
  return a.step(reinterpret_cast<const uint8_t*>(token.data()), token.size());
}

void expect_error(const brook::runtime::result<bytes>& r, errc code) {
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().code(), code) << r.error().to_string();
}

const int64_t t0 = 1'000'000'000;  // a steady clock well past its first minute

// --- access_registry -----------------------------------------------------------------------

// A new registry holds no users and no ACLs.
TEST(AccessRegistry, StartsEmpty) {
  auto reg = registry();
  ASSERT_TRUE(reg->users());
  ASSERT_TRUE(reg->acls());
  EXPECT_TRUE(reg->users()->empty());
  EXPECT_TRUE(reg->acls()->empty());
  EXPECT_EQ(reg->credential("alice", scram_mechanism::sha256), std::nullopt);
  EXPECT_EQ(reg->any_credential("alice"), std::nullopt);
  EXPECT_TRUE(reg->enforcing());
}

// credential() finds the user's credential of the mechanism; any_credential() any of them.
TEST(AccessRegistry, CredentialLookup) {
  auto reg = registry();
  const auto a256 = credential(scram_mechanism::sha256, "a-pass");
  const auto a512 = credential(scram_mechanism::sha512, "a-pass");
  const auto b512 = credential(scram_mechanism::sha512, "b-pass");
  reg->set_users({{"alice", {a256, a512}}, {"bob", {b512}}, {"carol", {}}});

  auto c = reg->credential("alice", scram_mechanism::sha256);
  ASSERT_TRUE(c);
  EXPECT_EQ(c->mechanism, scram_mechanism::sha256);
  EXPECT_EQ(c->stored_key, a256.stored_key);
  c = reg->credential("alice", scram_mechanism::sha512);
  ASSERT_TRUE(c);
  EXPECT_EQ(c->stored_key, a512.stored_key);
  EXPECT_EQ(reg->credential("bob", scram_mechanism::sha256), std::nullopt);
  EXPECT_EQ(reg->credential("dave", scram_mechanism::sha512), std::nullopt);

  auto any = reg->any_credential("bob");
  ASSERT_TRUE(any);
  EXPECT_EQ(any->stored_key, b512.stored_key);
  EXPECT_TRUE(reg->any_credential("alice"));
  EXPECT_EQ(reg->any_credential("carol"), std::nullopt);  // a user without credentials
  EXPECT_EQ(reg->any_credential("dave"), std::nullopt);
}

// set_users / set_acls replace the whole data; snapshots taken before stay as they were.
TEST(AccessRegistry, SetReplacesWholeAndSnapshotsStay) {
  auto reg = registry();
  reg->set_users({{"alice", {credential(scram_mechanism::sha256, "p")}}});
  reg->set_acls({allow("User:alice", acl_operation::read, "orders")});
  auto users_before = reg->users();
  auto acls_before = reg->acls();

  reg->set_users({{"bob", {credential(scram_mechanism::sha256, "p")}}});
  reg->set_acls({});
  EXPECT_EQ(reg->any_credential("alice"), std::nullopt);
  EXPECT_TRUE(reg->any_credential("bob"));
  EXPECT_TRUE(reg->acls()->empty());

  EXPECT_EQ(users_before->count("alice"), 1u);
  EXPECT_EQ(users_before->count("bob"), 0u);
  ASSERT_EQ(acls_before->size(), 1u);
  EXPECT_EQ(acls_before->front().name, "orders");
}

// With an authorizer, authorize() applies the ACLs and the super users.
TEST(AccessRegistry, AuthorizeEnforcesAcls) {
  sec::authorizer_settings s;
  s.super_users = {"User:admin"};
  auto reg = registry(true, 100, s);
  reg->set_acls({allow("User:alice", acl_operation::write, "orders")});
  EXPECT_TRUE(
      reg->authorize("User:alice", "h", acl_operation::write, resource_type::topic, "orders"));
  EXPECT_TRUE(
      reg->authorize("User:alice", "h", acl_operation::describe, resource_type::topic, "orders"));
  EXPECT_FALSE(
      reg->authorize("User:alice", "h", acl_operation::read, resource_type::topic, "orders"));
  EXPECT_FALSE(
      reg->authorize("User:bob", "h", acl_operation::write, resource_type::topic, "orders"));
  EXPECT_TRUE(
      reg->authorize("User:admin", "h", acl_operation::alter, resource_type::topic, "orders"));
  // New ACLs take effect at once.
  reg->set_acls({});
  EXPECT_FALSE(
      reg->authorize("User:alice", "h", acl_operation::write, resource_type::topic, "orders"));
}

// allow.everyone.if.no.acl.found reaches the decision.
TEST(AccessRegistry, AuthorizeUsesAllowEveryoneSetting) {
  sec::authorizer_settings s;
  s.allow_everyone_if_no_acl_found = true;
  auto reg = registry(true, 100, s);
  reg->set_acls({});
  EXPECT_TRUE(reg->authorize("User:bob", "h", acl_operation::write, resource_type::topic, "t"));
  reg->set_acls({allow("User:alice", acl_operation::write, "t")});
  EXPECT_FALSE(reg->authorize("User:bob", "h", acl_operation::write, resource_type::topic, "t"));
}

// Until the ACLs are read once, only super users pass: an authorizer never starts open.
TEST(AccessRegistry, OnlySuperUsersPassBeforeTheAclsAreLoaded) {
  sec::authorizer_settings s;
  s.allow_everyone_if_no_acl_found = true;
  s.super_users = {"User:admin"};
  auto reg = registry(true, 100, s);
  EXPECT_FALSE(reg->authorize("User:bob", "h", acl_operation::read, resource_type::topic, "t"));
  EXPECT_TRUE(reg->authorize("User:admin", "h", acl_operation::read, resource_type::topic, "t"));
  reg->set_acls({});
  EXPECT_TRUE(reg->authorize("User:bob", "h", acl_operation::read, resource_type::topic, "t"));
}

// Without an authorizer every request is allowed, whatever the ACLs say.
TEST(AccessRegistry, NoEnforcementAllowsEverything) {
  auto reg = registry(false);
  EXPECT_FALSE(reg->enforcing());
  sec::acl_binding d = allow("User:*", acl_operation::all, "orders");
  d.permission = sec::acl_permission::deny;
  reg->set_acls({d});
  EXPECT_TRUE(
      reg->authorize("User:alice", "h", acl_operation::write, resource_type::topic, "orders"));
  EXPECT_TRUE(reg->authorize("", "h", acl_operation::alter, resource_type::cluster,
                             sec::cluster_resource_name));
  EXPECT_TRUE(reg->authorize_any("User:alice", "h", acl_operation::write, resource_type::topic));
}

// authorize_any() applies authorized_on_any() to the current ACLs.
TEST(AccessRegistry, AuthorizeAny) {
  auto reg = registry();
  EXPECT_FALSE(reg->authorize_any("User:alice", "h", acl_operation::write, resource_type::topic));
  reg->set_acls({allow("User:alice", acl_operation::write, "orders")});
  EXPECT_TRUE(reg->authorize_any("User:alice", "h", acl_operation::write, resource_type::topic));
  EXPECT_FALSE(reg->authorize_any("User:bob", "h", acl_operation::write, resource_type::topic));
  EXPECT_FALSE(reg->authorize_any("User:alice", "h", acl_operation::write, resource_type::group));
}

// Each failure within the minute adds the configured delay once more.
TEST(AccessRegistry, LoginFailedDelayGrows) {
  auto reg = registry(true, 100);
  EXPECT_EQ(reg->login_failed("10.0.0.1", t0), 100);
  EXPECT_EQ(reg->login_failed("10.0.0.1", t0 + 10), 200);
  EXPECT_EQ(reg->login_failed("10.0.0.1", t0 + 59'999), 300);
}

// The factor stops at 50.
TEST(AccessRegistry, LoginFailedCappedAtFifty) {
  auto reg = registry(true, 7);
  int64_t last = 0;
  for (int i = 1; i <= 50; ++i) {
    last = reg->login_failed("h", t0 + i);
    EXPECT_EQ(last, 7 * i) << i;
  }
  for (int i = 0; i < 20; ++i) EXPECT_EQ(reg->login_failed("h", t0 + 100 + i), 7 * 50);
}

// More than 60 s after a window began, the count starts again.
TEST(AccessRegistry, LoginFailedNewWindowAfterSixtySeconds) {
  auto reg = registry(true, 100);
  EXPECT_EQ(reg->login_failed("h", t0), 100);
  EXPECT_EQ(reg->login_failed("h", t0 + 30'000), 200);
  EXPECT_EQ(reg->login_failed("h", t0 + 60'001), 100);
  EXPECT_EQ(reg->login_failed("h", t0 + 60'002), 200);
  // The cap is forgotten with the window too.
  for (int i = 0; i < 60; ++i) reg->login_failed("h", t0 + 70'000);
  EXPECT_EQ(reg->login_failed("h", t0 + 70'000), 5000);
  EXPECT_EQ(reg->login_failed("h", t0 + 200'000), 100);
}

// Hosts are counted apart.
TEST(AccessRegistry, LoginFailedHostsIndependent) {
  auto reg = registry(true, 100);
  EXPECT_EQ(reg->login_failed("10.0.0.1", t0), 100);
  EXPECT_EQ(reg->login_failed("10.0.0.1", t0 + 1), 200);
  EXPECT_EQ(reg->login_failed("10.0.0.1", t0 + 2), 300);
  EXPECT_EQ(reg->login_failed("10.0.0.2", t0 + 3), 100);
  EXPECT_EQ(reg->login_failed("10.0.0.1", t0 + 4), 400);
  EXPECT_EQ(reg->login_failed("10.0.0.2", t0 + 5), 200);
}

// A zero delay stays zero.
TEST(AccessRegistry, LoginFailedZeroDelay) {
  auto reg = registry(true, 0);
  for (int i = 0; i < 5; ++i) EXPECT_EQ(reg->login_failed("h", t0 + i), 0);
}

// With very many hosts tracked, a new host still gets the base delay and a busy host keeps its
// count once the stale ones are dropped.
TEST(AccessRegistry, LoginFailedManyHosts) {
  auto reg = registry(true, 10);
  for (int i = 0; i < 10'000; ++i) reg->login_failed("stale-" + std::to_string(i), t0);
  EXPECT_EQ(reg->login_failed("busy", t0 + 61'000), 10);
  EXPECT_EQ(reg->login_failed("busy", t0 + 61'001), 20);
  EXPECT_EQ(reg->login_failed("new", t0 + 61'002), 10);
  EXPECT_EQ(reg->login_failed("busy", t0 + 61'003), 30);
}

// --- authenticator: select -----------------------------------------------------------------

class Authenticator : public ::testing::Test {
 protected:
  void SetUp() override {
    alice256 = credential(scram_mechanism::sha256, "alice-secret");
    alice512 = credential(scram_mechanism::sha512, "alice-secret");
    reg->set_users({{"alice", {alice256, alice512}},
                    {"bob", {credential(scram_mechanism::sha512, "bob-secret")}}});
  }
  sec::authenticator make(std::vector<std::string> enabled = {"PLAIN", "SCRAM-SHA-256",
                                                              "SCRAM-SHA-512"}) {
    return sec::authenticator(std::move(enabled), reg);
  }

  std::shared_ptr<sec::access_registry> reg = registry();
  sec::scram_credential alice256, alice512;
};

// An unknown or disabled mechanism is refused, naming the enabled ones; a later select works.
TEST_F(Authenticator, SelectUnknownMechanism) {
  auto a = make({"PLAIN", "SCRAM-SHA-256"});
  for (const char* m : {"GSSAPI", "SCRAM-SHA-512", "plain", ""}) {
    auto st = a.select(m);
    ASSERT_FALSE(st) << m;
    EXPECT_EQ(st.code(), errc::unsupported_sasl_mechanism) << m;
    EXPECT_NE(st.message().find("PLAIN, SCRAM-SHA-256"), std::string::npos) << st.message();
    EXPECT_FALSE(a.selected());
  }
  EXPECT_NE(a.select("GSSAPI").message().find("GSSAPI"), std::string::npos);
  EXPECT_EQ(a.enabled(), (std::vector<std::string>{"PLAIN", "SCRAM-SHA-256"}));
  EXPECT_TRUE(a.select("PLAIN"));
  EXPECT_TRUE(a.selected());
  EXPECT_EQ(a.mechanism(), "PLAIN");
}

// A second select is out of turn and keeps the first mechanism.
TEST_F(Authenticator, SecondSelectIsIllegal) {
  auto a = make();
  ASSERT_TRUE(a.select("SCRAM-SHA-256"));
  for (const char* m : {"PLAIN", "SCRAM-SHA-256"}) {
    auto st = a.select(m);
    ASSERT_FALSE(st);
    EXPECT_EQ(st.code(), errc::illegal_sasl_state);
  }
  EXPECT_EQ(a.mechanism(), "SCRAM-SHA-256");
}

// A token before a mechanism is chosen is out of turn.
TEST_F(Authenticator, StepBeforeSelectIsIllegal) {
  auto a = make();
  expect_error(step(a, "\0alice\0alice-secret"s), errc::illegal_sasl_state);
  EXPECT_FALSE(a.authenticated());
}

// --- authenticator: PLAIN ------------------------------------------------------------------

// The right password logs the user in with an empty answer; nothing may follow.
TEST_F(Authenticator, PlainRightPassword) {
  for (const std::string& token : {"\0alice\0alice-secret"s, "alice\0alice\0alice-secret"s}) {
    auto a = make();
    ASSERT_TRUE(a.select("PLAIN"));
    EXPECT_FALSE(a.authenticated());
    auto r = step(a, token);
    ASSERT_TRUE(r) << r.error().to_string();
    EXPECT_TRUE(r->empty());
    EXPECT_TRUE(a.authenticated());
    EXPECT_EQ(a.user(), "alice");
    expect_error(step(a, token), errc::illegal_sasl_state);
    EXPECT_TRUE(a.authenticated());
  }
}

// PLAIN checks against whatever credential the user has (bob has only SCRAM-SHA-512).
TEST_F(Authenticator, PlainUsesAnyCredential) {
  auto a = make({"PLAIN"});
  ASSERT_TRUE(a.select("PLAIN"));
  ASSERT_TRUE(step(a, "\0bob\0bob-secret"s));
  EXPECT_TRUE(a.authenticated());
  EXPECT_EQ(a.user(), "bob");
}

// A wrong password and an unknown user fail alike; nothing may follow.
TEST_F(Authenticator, PlainWrongPasswordOrUnknownUser) {
  std::string messages[2];
  int i = 0;
  for (const std::string& token : {"\0alice\0wrong"s, "\0mallory\0alice-secret"s}) {
    auto a = make();
    ASSERT_TRUE(a.select("PLAIN"));
    auto r = step(a, token);
    expect_error(r, errc::sasl_authentication_failed);
    if (!r) messages[i++] = r.error().message();
    EXPECT_FALSE(a.authenticated());
    expect_error(step(a, "\0alice\0alice-secret"s), errc::illegal_sasl_state);
    EXPECT_FALSE(a.authenticated());
  }
  EXPECT_EQ(messages[0], messages[1]);
}

// A malformed PLAIN token fails the login.
TEST_F(Authenticator, PlainMalformedToken) {
  auto a = make();
  ASSERT_TRUE(a.select("PLAIN"));
  expect_error(step(a, "alice-secret"s), errc::sasl_authentication_failed);
  expect_error(step(a, "\0alice\0alice-secret"s), errc::illegal_sasl_state);
}

// Tokens over 64 KiB are refused and end the login; exactly 64 KiB is still read.
TEST_F(Authenticator, TokenSizeLimit) {
  const std::string prefix = "\0carol\0"s;
  const std::string long_password(65536 - prefix.size(), 'p');
  reg->set_users({{"carol", {credential(scram_mechanism::sha256, long_password)}}});

  auto ok = make();
  ASSERT_TRUE(ok.select("PLAIN"));
  ASSERT_EQ((prefix + long_password).size(), 65536u);
  auto r = step(ok, prefix + long_password);
  ASSERT_TRUE(r) << r.error().to_string();
  EXPECT_TRUE(ok.authenticated());

  for (const char* m : {"PLAIN", "SCRAM-SHA-256"}) {
    auto big = make();
    ASSERT_TRUE(big.select(m));
    const std::string token =
        m == "PLAIN"s ? prefix + long_password + "p" : "n,,n=carol,r=" + std::string(65536, 'x');
    ASSERT_GT(token.size(), 65536u);
    expect_error(step(big, token), errc::sasl_authentication_failed);
    EXPECT_FALSE(big.authenticated());
    expect_error(step(big, "\0carol\0x"s), errc::illegal_sasl_state);
  }
}

// --- authenticator: SCRAM ------------------------------------------------------------------

// A full SCRAM-SHA-256 exchange with Brook's client (sasl_test.cpp checks both sides against
// RFC 7677 and an OpenSSL-only client): server-first, then a server-final the client verifies.
TEST_F(Authenticator, ScramSha256FullExchange) {
  auto a = make();
  ASSERT_TRUE(a.select("SCRAM-SHA-256"));
  sec::scram_client client(scram_mechanism::sha256, "alice", "alice-secret");
  const std::string client_first = client.first_message();
  auto first = step(a, client_first);
  ASSERT_TRUE(first) << first.error().to_string();
  const std::string server_first(first->begin(), first->end());
  const auto f = scram_fields(server_first);
  EXPECT_EQ(f.at("r").rfind(scram_fields(client_first.substr(3)).at("r"), 0), 0u);
  EXPECT_EQ(f.at("s"), sec::base64_encode(fixed_salt));
  EXPECT_EQ(f.at("i"), std::to_string(sec::scram_min_iterations));
  EXPECT_FALSE(a.authenticated());
  EXPECT_EQ(a.user(), "alice");

  auto fin = client.final_message(server_first);
  ASSERT_TRUE(fin);
  auto last = step(a, *fin);
  ASSERT_TRUE(last) << last.error().to_string();
  EXPECT_TRUE(client.verify(std::string(last->begin(), last->end())));
  EXPECT_TRUE(a.authenticated());
  EXPECT_EQ(a.user(), "alice");
  expect_error(step(a, client_first), errc::illegal_sasl_state);
}

// SCRAM-SHA-512 works the same way.
TEST_F(Authenticator, ScramSha512FullExchange) {
  auto a = make();
  ASSERT_TRUE(a.select("SCRAM-SHA-512"));
  sec::scram_client client(scram_mechanism::sha512, "bob", "bob-secret");
  auto first = step(a, client.first_message());
  ASSERT_TRUE(first) << first.error().to_string();
  auto fin = client.final_message(std::string(first->begin(), first->end()));
  ASSERT_TRUE(fin);
  auto last = step(a, *fin);
  ASSERT_TRUE(last) << last.error().to_string();
  EXPECT_TRUE(a.authenticated());
  EXPECT_EQ(a.user(), "bob");
}

// A wrong password fails at the final step and ends the login.
TEST_F(Authenticator, ScramWrongPassword) {
  auto a = make();
  ASSERT_TRUE(a.select("SCRAM-SHA-256"));
  sec::scram_client client(scram_mechanism::sha256, "alice", "wrong");
  const std::string client_first = client.first_message();
  auto first = step(a, client_first);
  ASSERT_TRUE(first);
  auto fin = client.final_message(std::string(first->begin(), first->end()));
  ASSERT_TRUE(fin);
  expect_error(step(a, *fin), errc::sasl_authentication_failed);
  EXPECT_FALSE(a.authenticated());
  expect_error(step(a, client_first), errc::illegal_sasl_state);
}

// SCRAM uses the credential of the chosen mechanism only: bob has no SCRAM-SHA-256 one.
TEST_F(Authenticator, ScramNeedsCredentialOfTheMechanism) {
  auto a = make();
  ASSERT_TRUE(a.select("SCRAM-SHA-256"));
  sec::scram_client client(scram_mechanism::sha256, "bob", "bob-secret");
  auto first = step(a, client.first_message());
  ASSERT_TRUE(first);  // unknown users look normal until the end
  auto fin = client.final_message(std::string(first->begin(), first->end()));
  ASSERT_TRUE(fin);
  expect_error(step(a, *fin), errc::sasl_authentication_failed);
  EXPECT_FALSE(a.authenticated());
}

// A malformed client-first fails the login.
TEST_F(Authenticator, ScramMalformedFirstMessage) {
  auto a = make();
  ASSERT_TRUE(a.select("SCRAM-SHA-512"));
  expect_error(step(a, "garbage"), errc::sasl_authentication_failed);
  expect_error(step(a, "n,,n=alice,r=abc"), errc::illegal_sasl_state);
}

}  // namespace

// Names a client chose reach log lines without line breaks or other control characters.
TEST(AccessLoggable, ControlCharactersAreReplacedAndLongNamesCut) {
  EXPECT_EQ(sec::loggable("alice"), "alice");
  EXPECT_EQ(sec::loggable("eve\n[ERROR] forged\r\x7f"), "eve?[ERROR] forged??");
  EXPECT_EQ(sec::loggable(std::string(1000, 'x')).size(), 256u);
}
