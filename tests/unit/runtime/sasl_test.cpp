#include "runtime/security/sasl.hpp"

#include <gtest/gtest.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>

#include <map>
#include <string>

#include "tests/unit/runtime/scram_fields.hpp"

namespace brook::runtime::security {
namespace {

using namespace std::string_literals;

// --- a SCRAM client written against OpenSSL directly, independent of the server code -------

const EVP_MD* md(scram_mechanism m) {
  return m == scram_mechanism::sha256 ? EVP_sha256() : EVP_sha512();
}

bytes mac(scram_mechanism m, const bytes& key, const std::string& data) {
  bytes out(EVP_MAX_MD_SIZE);
  unsigned int n = 0;
  HMAC(md(m), key.data(), int(key.size()), reinterpret_cast<const unsigned char*>(data.data()),
       data.size(), out.data(), &n);
  out.resize(n);
  return out;
}

bytes unbase64(const std::string& s) {
  auto r = base64_decode(s);
  EXPECT_TRUE(r) << s;
  return r ? *r : bytes{};
}

// The client-final message (with proof) for a client-first-bare, server-first, password.
std::string client_final(scram_mechanism m, const std::string& password,
                         const std::string& client_first_bare, const std::string& server_first,
                         const std::string& gs2_header = "n,,",
                         const std::string& nonce_prefix = "") {
  const auto f = scram_fields(server_first);
  const bytes salt = unbase64(f.at("s"));
  const int iterations = std::stoi(f.at("i"));
  bytes salted(EVP_MD_get_size(md(m)));
  PKCS5_PBKDF2_HMAC(password.data(), int(password.size()), salt.data(), int(salt.size()),
                    iterations, md(m), int(salted.size()), salted.data());
  const bytes client_key = mac(m, salted, "Client Key");
  bytes stored_key(EVP_MAX_MD_SIZE);
  unsigned int n = 0;
  EVP_Digest(client_key.data(), client_key.size(), stored_key.data(), &n, md(m), nullptr);
  stored_key.resize(n);
  const std::string without_proof =
      "c=" + base64_encode(reinterpret_cast<const uint8_t*>(gs2_header.data()), gs2_header.size()) +
      ",r=" + nonce_prefix + f.at("r");
  const std::string auth_message = client_first_bare + "," + server_first + "," + without_proof;
  const bytes signature = mac(m, stored_key, auth_message);
  bytes proof(client_key.size());
  for (size_t i = 0; i < proof.size(); ++i) proof[i] = client_key[i] ^ signature[i];
  return without_proof + ",p=" + base64_encode(proof);
}

std::string expected_server_final(scram_mechanism m, const scram_credential& c,
                                  const std::string& client_first_bare,
                                  const std::string& server_first, const std::string& final_msg) {
  const std::string without_proof = final_msg.substr(0, final_msg.rfind(",p="));
  const std::string auth_message = client_first_bare + "," + server_first + "," + without_proof;
  return "v=" + base64_encode(mac(m, c.server_key, auth_message));
}

struct user_db {
  std::map<std::string, scram_credential> users;
  scram_server::lookup_fn lookup() {
    return [this](const std::string& u) -> std::optional<scram_credential> {
      auto it = users.find(u);
      if (it == users.end()) return std::nullopt;
      return it->second;
    };
  }
};

class ScramServer : public ::testing::Test {
 protected:
  void SetUp() override {
    auto c = make_scram_credential(scram_mechanism::sha512, "secret");
    ASSERT_TRUE(c);
    db.users["alice"] = *c;
  }
  scram_server server() { return scram_server(scram_mechanism::sha512, db.lookup()); }

  user_db db;
};

void expect_auth_failure(const result<std::string>& r) {
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().code(), errc::sasl_authentication_failed);
}

// --- SCRAM -----------------------------------------------------------------------------------

// RFC 7677 section 3.
TEST(ScramRfc7677, Sha256ExampleVector) {
  const bytes salt = unbase64("W22ZaJ0SNY7soEsUEjb6gQ==");
  const scram_credential cred =
      make_scram_credential(scram_mechanism::sha256, "pencil", salt, 4096);
  scram_server s(scram_mechanism::sha256,
                 [&](const std::string& u) -> std::optional<scram_credential> {
                   if (u == "user") return cred;
                   return std::nullopt;
                 });
  s.set_nonce_for_test("%hvYDpWUa2RaTCAfuxFIlj)hNlF$k0");
  auto first = s.step("n,,n=user,r=rOprNGfwEbeRWgbNEkqO");
  ASSERT_TRUE(first) << first.error().to_string();
  EXPECT_EQ(*first,
            "r=rOprNGfwEbeRWgbNEkqO%hvYDpWUa2RaTCAfuxFIlj)hNlF$k0,s=W22ZaJ0SNY7soEsUEjb6gQ==,"
            "i=4096");
  EXPECT_FALSE(s.authenticated());
  auto final_answer = s.step(
      "c=biws,r=rOprNGfwEbeRWgbNEkqO%hvYDpWUa2RaTCAfuxFIlj)hNlF$k0,"
      "p=dHzbZapWIk4jUhN+Ute9ytag9zjfMHgsqmmiz7AndVQ=");
  ASSERT_TRUE(final_answer) << final_answer.error().to_string();
  EXPECT_EQ(*final_answer, "v=6rriTRBi23WpRR/wtup+mMhUZUn/dB5nLTJRsjl95G4=");
  EXPECT_TRUE(s.authenticated());
  EXPECT_EQ(s.user(), "user");
  // The test client computes the same proof.
  EXPECT_EQ(
      client_final(scram_mechanism::sha256, "pencil", "n=user,r=rOprNGfwEbeRWgbNEkqO", *first),
      "c=biws,r=rOprNGfwEbeRWgbNEkqO%hvYDpWUa2RaTCAfuxFIlj)hNlF$k0,"
      "p=dHzbZapWIk4jUhN+Ute9ytag9zjfMHgsqmmiz7AndVQ=");
}

TEST_F(ScramServer, Sha512RoundTrip) {
  auto s = server();
  const std::string bare = "n=alice,r=fyko+d2lbbFgONRv9qkxdawL";
  auto first = s.step("n,," + bare);
  ASSERT_TRUE(first) << first.error().to_string();
  const auto f = scram_fields(*first);
  EXPECT_EQ(f.at("r").rfind("fyko+d2lbbFgONRv9qkxdawL", 0), 0u);
  EXPECT_GT(f.at("r").size(), std::string("fyko+d2lbbFgONRv9qkxdawL").size());
  EXPECT_EQ(f.at("s"), base64_encode(db.users["alice"].salt));
  EXPECT_EQ(f.at("i"), "4096");
  const std::string fin = client_final(scram_mechanism::sha512, "secret", bare, *first);
  auto answer = s.step(fin);
  ASSERT_TRUE(answer) << answer.error().to_string();
  EXPECT_EQ(*answer,
            expected_server_final(scram_mechanism::sha512, db.users["alice"], bare, *first, fin));
  EXPECT_TRUE(s.authenticated());
  EXPECT_EQ(s.user(), "alice");
}

TEST_F(ScramServer, AuthzidEqualToUserAndYFlagAccepted) {
  for (const std::string& gs2 : {"n,a=alice,"s, "y,,"s}) {
    auto s = server();
    const std::string bare = "n=alice,r=abc";
    auto first = s.step(gs2 + bare);
    ASSERT_TRUE(first) << gs2 << ": " << first.error().to_string();
    auto answer = s.step(client_final(scram_mechanism::sha512, "secret", bare, *first, gs2));
    ASSERT_TRUE(answer) << gs2 << ": " << answer.error().to_string();
    EXPECT_TRUE(s.authenticated());
  }
}

TEST_F(ScramServer, AuthzidDifferentFromUserRefused) {
  auto s = server();
  expect_auth_failure(s.step("n,a=bob,n=alice,r=abc"));
}

TEST_F(ScramServer, ChannelBindingRequestRefused) {
  auto s = server();
  expect_auth_failure(s.step("p=tls-unique,,n=alice,r=abc"));
}

TEST_F(ScramServer, WrongPasswordFails) {
  auto s = server();
  const std::string bare = "n=alice,r=abc";
  auto first = s.step("n,," + bare);
  ASSERT_TRUE(first);
  auto answer = s.step(client_final(scram_mechanism::sha512, "wrong", bare, *first));
  expect_auth_failure(answer);
  EXPECT_EQ(answer.error().message(),
            "Authentication failed during authentication due to invalid credentials with SASL "
            "mechanism SCRAM-SHA-512");
  EXPECT_FALSE(s.authenticated());
}

TEST_F(ScramServer, UnknownUserLooksNormalThenFails) {
  std::string salt_seen;
  std::string message_seen;
  for (int attempt = 0; attempt < 2; ++attempt) {
    auto s = server();
    const std::string bare = "n=mallory,r=xyz";
    auto first = s.step("n,," + bare);
    ASSERT_TRUE(first) << first.error().to_string();
    const auto f = scram_fields(*first);
    ASSERT_TRUE(f.count("r") && f.count("s") && f.count("i")) << *first;
    EXPECT_EQ(f.at("i"), "4096");
    EXPECT_EQ(unbase64(f.at("s")).size(), 32u);
    if (attempt == 0) {
      salt_seen = f.at("s");
    } else {
      EXPECT_EQ(f.at("s"), salt_seen);  // stable: no probing by comparing two attempts
    }
    auto answer = s.step(client_final(scram_mechanism::sha512, "anything", bare, *first));
    expect_auth_failure(answer);
    message_seen = answer.error().message();
  }
  EXPECT_EQ(message_seen.find("mallory"), std::string::npos);
  EXPECT_EQ(message_seen,
            "Authentication failed during authentication due to invalid credentials with SASL "
            "mechanism SCRAM-SHA-512");
  // Another unknown user gets another salt.
  auto s = server();
  auto first = s.step("n,,n=trudy,r=xyz");
  ASSERT_TRUE(first);
  EXPECT_NE(scram_fields(*first).at("s"), salt_seen);
}

TEST_F(ScramServer, NonceMismatchFails) {
  auto s = server();
  const std::string bare = "n=alice,r=abc";
  auto first = s.step("n,," + bare);
  ASSERT_TRUE(first);
  std::string forged = *first;
  forged.replace(forged.find("r=abc") + 2, 3, "abd");  // a different client nonce prefix
  expect_auth_failure(s.step(client_final(scram_mechanism::sha512, "secret", bare, forged)));
}

// librdkafka 2.0 sends its client nonce, then the whole nonce again; Kafka accepts a nonce that
// ends with the one server-first sent, and so does Brook.
TEST_F(ScramServer, ClientFinalNonceEndingWithTheServerNonceAccepted) {
  auto s = server();
  const std::string bare = "n=alice,r=abc";
  auto first = s.step("n,," + bare);
  ASSERT_TRUE(first);
  auto answer = s.step(client_final(scram_mechanism::sha512, "secret", bare, *first, "n,,", "abc"));
  ASSERT_TRUE(answer) << answer.error().to_string();
  EXPECT_TRUE(s.authenticated());
}

TEST_F(ScramServer, ChannelBindingMismatchFails) {
  auto s = server();
  const std::string bare = "n=alice,r=abc";
  auto first = s.step("n,," + bare);
  ASSERT_TRUE(first);
  // The client claims "y,," in client-final after sending "n,," in client-first.
  expect_auth_failure(s.step(client_final(scram_mechanism::sha512, "secret", bare, *first, "y,,")));
}

TEST_F(ScramServer, TokenAuthRefusedOtherExtensionsIgnored) {
  {
    auto s = server();
    expect_auth_failure(s.step("n,,n=alice,r=abc,tokenauth=true"));
  }
  auto s = server();
  const std::string bare = "n=alice,r=abc,tokenauth=false,future_ext=1";
  auto first = s.step("n,," + bare);
  ASSERT_TRUE(first) << first.error().to_string();
  auto answer = s.step(client_final(scram_mechanism::sha512, "secret", bare, *first));
  ASSERT_TRUE(answer) << answer.error().to_string();
  EXPECT_TRUE(s.authenticated());
}

TEST_F(ScramServer, StepAfterCompletionOrFailureIsIllegal) {
  auto s = server();
  const std::string bare = "n=alice,r=abc";
  auto first = s.step("n,," + bare);
  ASSERT_TRUE(first);
  ASSERT_TRUE(s.step(client_final(scram_mechanism::sha512, "secret", bare, *first)));
  auto again = s.step("n,," + bare);
  ASSERT_FALSE(again);
  EXPECT_EQ(again.error().code(), errc::illegal_sasl_state);

  auto failed = server();
  expect_auth_failure(failed.step("garbage"));
  auto after = failed.step("n,," + bare);
  ASSERT_FALSE(after);
  EXPECT_EQ(after.error().code(), errc::illegal_sasl_state);
}

TEST_F(ScramServer, UsernameEscapesDecode) {
  auto c = make_scram_credential(scram_mechanism::sha512, "pw");
  ASSERT_TRUE(c);
  db.users["a,b=c"] = *c;
  auto s = server();
  const std::string bare = "n=a=2Cb=3Dc,r=abc";
  auto first = s.step("n,," + bare);
  ASSERT_TRUE(first) << first.error().to_string();
  EXPECT_EQ(s.user(), "a,b=c");
  auto answer = s.step(client_final(scram_mechanism::sha512, "pw", bare, *first));
  ASSERT_TRUE(answer) << answer.error().to_string();
  EXPECT_TRUE(s.authenticated());
}

TEST_F(ScramServer, BadEscapeRefused) {
  for (const char* msg : {"n,,n=a=2Db,r=abc", "n,,n=a=,r=abc", "n,,n=ab=2,r=abc"}) {
    auto s = server();
    expect_auth_failure(s.step(msg));
  }
}

TEST_F(ScramServer, MalformedMessagesRefused) {
  for (const char* msg : {"", "n,,", "n,,n=alice", "n,,r=abc,n=alice", "n,,n=,r=abc",
                          "n,,n=alice,r=", "x,,n=alice,r=abc", "n,,m=ext,n=alice,r=abc",
                          "n,,n=alice,r=abc,", "n,b=x,n=alice,r=abc"}) {
    auto s = server();
    expect_auth_failure(s.step(msg));
  }
  auto s = server();
  expect_auth_failure(s.step("n,,n=alice,r=" + std::string(70000, 'x')));

  // Client-final without proof, with a short proof.
  for (const std::string& fin : {"c=biws,r=abc"s, "c=biws,r=abc,p=AAAA"s}) {
    auto s2 = server();
    auto first = s2.step("n,,n=alice,r=abc");
    ASSERT_TRUE(first);
    const std::string nonce = scram_fields(*first).at("r");
    std::string msg = fin;
    msg.replace(msg.find("r=abc") + 2, 3, nonce);
    expect_auth_failure(s2.step(msg));
  }
}

// --- credentials -------------------------------------------------------------------------

TEST(ScramCredential, MechanismNames) {
  EXPECT_EQ(parse_scram_mechanism("SCRAM-SHA-256"), scram_mechanism::sha256);
  EXPECT_EQ(parse_scram_mechanism("SCRAM-SHA-512"), scram_mechanism::sha512);
  EXPECT_EQ(parse_scram_mechanism("scram-sha-256"), std::nullopt);
  EXPECT_EQ(parse_scram_mechanism("PLAIN"), std::nullopt);
  EXPECT_STREQ(to_string(scram_mechanism::sha256), "SCRAM-SHA-256");
  EXPECT_STREQ(to_string(scram_mechanism::sha512), "SCRAM-SHA-512");
}

TEST(ScramCredential, TextRoundTrip) {
  for (auto m : {scram_mechanism::sha256, scram_mechanism::sha512}) {
    auto c = make_scram_credential(m, "pass", 8192);
    ASSERT_TRUE(c) << c.error().to_string();
    EXPECT_EQ(c->salt.size(), 32u);
    const std::string text = to_text(*c);
    EXPECT_EQ(text.rfind("salt=", 0), 0u);
    EXPECT_NE(text.find(",iterations=8192"), std::string::npos);
    auto back = parse_scram_credential(m, text);
    ASSERT_TRUE(back) << back.error().to_string();
    EXPECT_EQ(back->mechanism, m);
    EXPECT_EQ(back->salt, c->salt);
    EXPECT_EQ(back->stored_key, c->stored_key);
    EXPECT_EQ(back->server_key, c->server_key);
    EXPECT_EQ(back->iterations, 8192);
  }
}

TEST(ScramCredential, MalformedTextRefused) {
  auto c = make_scram_credential(scram_mechanism::sha256, "pass");
  ASSERT_TRUE(c);
  const std::string salt = base64_encode(c->salt);
  const std::string sk = base64_encode(c->stored_key);
  const std::string vk = base64_encode(c->server_key);
  const std::string bad[] = {
      "",
      "salt=" + salt + ",stored_key=" + sk + ",server_key=" + vk,
      "salt=" + salt + ",stored_key=" + sk + ",server_key=" + vk + ",iterations=x",
      "salt=" + salt + ",stored_key=" + sk + ",server_key=" + vk + ",iterations=100",
      "salt=" + salt + ",stored_key=" + sk + ",server_key=" + vk + ",iterations=4096,extra=1",
      "salt=" + salt + ",stored_key=" + sk + ",stored_key=" + sk + ",iterations=4096",
      "salt=!!!!,stored_key=" + sk + ",server_key=" + vk + ",iterations=4096",
      "salt=,stored_key=" + sk + ",server_key=" + vk + ",iterations=4096",
      "salt=" + salt + ",stored_key=" + salt + "AAAA,server_key=" + vk + ",iterations=4096",
      "salt " + salt + ",stored_key=" + sk + ",server_key=" + vk + ",iterations=4096",
  };
  for (const auto& text : bad) {
    auto r = parse_scram_credential(scram_mechanism::sha256, text);
    ASSERT_FALSE(r) << text;
    EXPECT_EQ(r.error().code(), errc::invalid_config) << text;
  }
  // A SHA-256 credential is not a SHA-512 one (key sizes).
  EXPECT_FALSE(parse_scram_credential(scram_mechanism::sha512, to_text(*c)));
  // Reordered keys are fine.
  EXPECT_TRUE(parse_scram_credential(
      scram_mechanism::sha256,
      "iterations=4096,server_key=" + vk + ",stored_key=" + sk + ",salt=" + salt));
}

TEST(ScramCredential, PasswordMatches) {
  for (auto m : {scram_mechanism::sha256, scram_mechanism::sha512}) {
    auto c = make_scram_credential(m, "correct horse");
    ASSERT_TRUE(c);
    EXPECT_TRUE(password_matches(*c, "correct horse"));
    EXPECT_FALSE(password_matches(*c, "correct horsE"));
    EXPECT_FALSE(password_matches(*c, ""));
  }
  scram_credential broken;
  EXPECT_FALSE(password_matches(broken, ""));
}

TEST(ScramCredential, IterationBounds) {
  for (int32_t i : {100, 4095, 16385, 20000}) {
    auto c = make_scram_credential(scram_mechanism::sha256, "p", i);
    ASSERT_FALSE(c) << i;
    EXPECT_EQ(c.error().code(), errc::invalid_config);
  }
  EXPECT_TRUE(make_scram_credential(scram_mechanism::sha256, "p", 4096));
  EXPECT_TRUE(make_scram_credential(scram_mechanism::sha256, "p", 16384));
}

TEST(ScramCredential, RandomSalt) {
  auto a = make_scram_credential(scram_mechanism::sha256, "p");
  auto b = make_scram_credential(scram_mechanism::sha256, "p");
  ASSERT_TRUE(a && b);
  EXPECT_NE(a->salt, b->salt);
  EXPECT_NE(a->stored_key, b->stored_key);
}

// --- PLAIN -------------------------------------------------------------------------------

TEST(SaslPlain, ParsesWithAndWithoutAuthzid) {
  auto a = parse_plain("\0alice\0secret"s);
  ASSERT_TRUE(a) << a.error().to_string();
  EXPECT_EQ(a->user, "alice");
  EXPECT_EQ(a->password, "secret");
  auto b = parse_plain("alice\0alice\0secret"s);
  ASSERT_TRUE(b) << b.error().to_string();
  EXPECT_EQ(b->user, "alice");
  EXPECT_EQ(b->password, "secret");
}

TEST(SaslPlain, RefusesBadMessages) {
  for (const std::string& msg : {"bob\0alice\0secret"s, "alicesecret"s, "alice\0secret"s,
                                 "\0\0secret"s, "\0alice\0"s, "\0alice\0sec\0ret"s, ""s}) {
    auto r = parse_plain(msg);
    ASSERT_FALSE(r) << msg;
    EXPECT_EQ(r.error().code(), errc::sasl_authentication_failed);
  }
}

// --- base64 ------------------------------------------------------------------------------

TEST(Base64, Rfc4648Vectors) {
  const std::pair<std::string, std::string> vectors[] = {
      {"", ""},
      {"f", "Zg=="},
      {"fo", "Zm8="},
      {"foo", "Zm9v"},
      {"foob", "Zm9vYg=="},
      {"fooba", "Zm9vYmE="},
      {"foobar", "Zm9vYmFy"},
  };
  for (const auto& [plain, encoded] : vectors) {
    EXPECT_EQ(base64_encode(reinterpret_cast<const uint8_t*>(plain.data()), plain.size()), encoded);
    auto d = base64_decode(encoded);
    ASSERT_TRUE(d) << encoded;
    EXPECT_EQ(std::string(d->begin(), d->end()), plain);
  }
}

TEST(Base64, AllByteValuesRoundTrip) {
  bytes all(256);
  for (int i = 0; i < 256; ++i) all[i] = uint8_t(i);
  for (size_t n = 0; n <= all.size(); n += 37) {
    bytes part(all.begin(), all.begin() + n);
    auto d = base64_decode(base64_encode(part));
    ASSERT_TRUE(d);
    EXPECT_EQ(*d, part);
  }
}

TEST(Base64, BadInputRefused) {
  for (const char* bad : {"Z", "Zg", "Zg=", "Zm9", "Zg==Zg==", "Z===", "====", "Zm9v!", "Zm 9v",
                          "Zm9v\n", "Zh==", "Zm9=", "=Zm9", "Zm-_"}) {
    auto r = base64_decode(bad);
    EXPECT_FALSE(r) << bad;
  }
}

// Brook's own client (the native protocol's login) against the server, both mechanisms; a wrong
// password fails on the server and a server without the credential fails the client's check.
TEST(ScramClient, LogsInAgainstTheServerAndChecksItsSignature) {
  for (auto m : {scram_mechanism::sha256, scram_mechanism::sha512}) {
    auto cred = make_scram_credential(m, "pencil", bytes(16, 3), 4096);
    auto lookup = [&](const std::string& u) -> std::optional<scram_credential> {
      if (u == "user") return cred;
      return std::nullopt;
    };
    scram_server server(m, lookup);
    scram_client client(m, "user", "pencil");
    auto server_first = server.step(client.first_message());
    ASSERT_TRUE(server_first);
    auto client_final = client.final_message(*server_first);
    ASSERT_TRUE(client_final);
    auto server_final = server.step(*client_final);
    ASSERT_TRUE(server_final) << server_final.error().to_string();
    EXPECT_TRUE(server.authenticated());
    EXPECT_TRUE(client.verify(*server_final));
    EXPECT_FALSE(client.verify("v=" + base64_encode(bytes(32, 1))));

    scram_server server2(m, lookup);
    scram_client wrong(m, "user", "not-pencil");
    auto first2 = server2.step(wrong.first_message());
    ASSERT_TRUE(first2);
    auto final2 = wrong.final_message(*first2);
    ASSERT_TRUE(final2);
    EXPECT_FALSE(server2.step(*final2));
    // A server-first that does not extend the client's nonce is refused.
    scram_client c3(m, "user", "pencil");
    c3.first_message();
    EXPECT_FALSE(c3.final_message("r=other,s=AAAA,i=4096"));
  }
}

}  // namespace
}  // namespace brook::runtime::security
