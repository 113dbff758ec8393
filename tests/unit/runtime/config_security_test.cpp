#include <gtest/gtest.h>

#include "runtime/config.hpp"

using namespace brook::runtime;

namespace {

const std::string keystore = "/etc/brook/server.pem";

// The config error for `props`, or a failure when they are accepted.
status refused(const properties& props) {
  auto c = broker_config::from_properties(props);
  if (c) {
    ADD_FAILURE() << "accepted";
    return {};
  }
  return c.error();
}

bool mentions(const status& st, const std::string& text) {
  return st.message().find(text) != std::string::npos;
}

}  // namespace

// Without security keys every listener is PLAINTEXT and no authorizer runs.
TEST(ConfigSecurity, Defaults) {
  auto c = broker_config::from_properties({});
  ASSERT_TRUE(c) << c.error().to_string();
  const auto& s = c->security;
  EXPECT_EQ(s.kafka_protocol, security_protocol::plaintext);
  EXPECT_EQ(s.native_protocol, security_protocol::plaintext);
  EXPECT_EQ(s.client_auth, "none");
  EXPECT_EQ(s.sasl_mechanisms,
            (std::vector<std::string>{"PLAIN", "SCRAM-SHA-256", "SCRAM-SHA-512"}));
  EXPECT_TRUE(s.super_users.empty());
  EXPECT_FALSE(s.authorizer);
  EXPECT_FALSE(s.allow_everyone_if_no_acl_found);
  EXPECT_EQ(s.failed_authentication_delay_ms, 100);
  EXPECT_TRUE(s.keystore_location.empty());
}

// The scheme of `listeners` is the Kafka listener's security protocol.
TEST(ConfigSecurity, ListenersSchemeSetsKafkaProtocol) {
  auto c = broker_config::from_properties(
      {{"listeners", "SASL_SSL://127.0.0.1:9094"}, {"ssl.keystore.location", keystore}});
  ASSERT_TRUE(c) << c.error().to_string();
  EXPECT_EQ(c->kafka_listener.host, "127.0.0.1");
  EXPECT_EQ(c->kafka_listener.port, 9094);
  EXPECT_EQ(c->security.kafka_protocol, security_protocol::sasl_ssl);
  EXPECT_EQ(c->security.native_protocol, security_protocol::plaintext);
  EXPECT_EQ(c->security.keystore_location, keystore);

  const std::pair<std::string, security_protocol> schemes[] = {
      {"SSL", security_protocol::ssl},
      {"SASL_PLAINTEXT", security_protocol::sasl_plaintext},
      {"PLAINTEXT", security_protocol::plaintext},
      {"sasl_plaintext", security_protocol::sasl_plaintext},
      {"ssl", security_protocol::ssl},
      {"Sasl_Ssl", security_protocol::sasl_ssl},
  };
  for (const auto& [scheme, protocol] : schemes) {
    auto r = broker_config::from_properties(
        {{"listeners", scheme + "://0.0.0.0:19092"}, {"ssl.keystore.location", keystore}});
    ASSERT_TRUE(r) << scheme << ": " << r.error().to_string();
    EXPECT_EQ(r->security.kafka_protocol, protocol) << scheme;
    EXPECT_EQ(r->kafka_listener.host, "0.0.0.0") << scheme;
    EXPECT_EQ(r->kafka_listener.port, 19092) << scheme;
  }
}

// A listener without a scheme is PLAINTEXT; of a list only the first entry counts.
TEST(ConfigSecurity, ListenerWithoutSchemeAndLists) {
  auto c = broker_config::from_properties({{"listeners", "127.0.0.1:9092"}});
  ASSERT_TRUE(c) << c.error().to_string();
  EXPECT_EQ(c->security.kafka_protocol, security_protocol::plaintext);

  c = broker_config::from_properties(
      {{"listeners", "SASL_PLAINTEXT://127.0.0.1:9094,SSL://127.0.0.1:9095"}});
  ASSERT_TRUE(c) << c.error().to_string();
  EXPECT_EQ(c->security.kafka_protocol, security_protocol::sasl_plaintext);
  EXPECT_EQ(c->kafka_listener.port, 9094);
}

// An unknown scheme is refused, naming the key.
TEST(ConfigSecurity, UnknownSchemeRefused) {
  for (const char* key : {"listeners", "native.listeners"}) {
    auto st = refused({{key, "FOO://127.0.0.1:9092"}});
    EXPECT_EQ(st.code(), errc::invalid_config) << key;
    EXPECT_TRUE(mentions(st, key)) << st.message();
    EXPECT_TRUE(mentions(st, "FOO")) << st.message();
  }
}

// The scheme of `native.listeners` is the native listener's protocol.
TEST(ConfigSecurity, NativeListenersSchemeSetsNativeProtocol) {
  auto c = broker_config::from_properties(
      {{"native.listeners", "SSL://127.0.0.1:9443"}, {"ssl.keystore.location", keystore}});
  ASSERT_TRUE(c) << c.error().to_string();
  EXPECT_EQ(c->security.native_protocol, security_protocol::ssl);
  EXPECT_EQ(c->native_listener.port, 9443);
  EXPECT_EQ(c->security.kafka_protocol, security_protocol::plaintext);

  c = broker_config::from_properties({{"native.listeners", "SASL_PLAINTEXT://127.0.0.1:9443"},
                                      {"inter.broker.sasl.username", "broker"},
                                      {"inter.broker.sasl.password", "secret"}});
  ASSERT_TRUE(c) << c.error().to_string();
  EXPECT_EQ(c->security.native_protocol, security_protocol::sasl_plaintext);
  EXPECT_EQ(c->security.inter_broker_username, "broker");
  EXPECT_EQ(c->security.inter_broker_mechanism, "SCRAM-SHA-512");
}

// Brokers replicate through the native listener: a SASL one needs their login.
TEST(ConfigSecurity, SaslNativeListenerNeedsInterBrokerLogin) {
  auto c =
      broker_config::from_properties({{"native.listeners", "SASL_PLAINTEXT://127.0.0.1:9443"}});
  ASSERT_FALSE(c);
  EXPECT_NE(c.error().message().find("inter.broker.sasl.username"), std::string::npos);
  c = broker_config::from_properties({{"sasl.mechanism.inter.broker.protocol", "GSSAPI"}});
  EXPECT_FALSE(c);
}

// A TLS listener needs ssl.keystore.location; SASL_PLAINTEXT does not.
TEST(ConfigSecurity, TlsNeedsKeystore) {
  const std::pair<std::string, std::string> tls[] = {
      {"listeners", "SSL://127.0.0.1:9093"},
      {"listeners", "SASL_SSL://127.0.0.1:9094"},
      {"native.listeners", "SSL://127.0.0.1:9443"},
      {"native.listeners", "SASL_SSL://127.0.0.1:9443"},
  };
  for (const auto& [k, v] : tls) {
    auto st = refused({{k, v}});
    EXPECT_EQ(st.code(), errc::invalid_config) << k << "=" << v;
    EXPECT_TRUE(mentions(st, "ssl.keystore.location")) << st.message();
  }
  EXPECT_TRUE(broker_config::from_properties({{"listeners", "SASL_PLAINTEXT://127.0.0.1:9094"}}));
}

// The TLS file settings are stored as given.
TEST(ConfigSecurity, TlsFilesStored) {
  auto c = broker_config::from_properties({{"listeners", "SSL://127.0.0.1:9093"},
                                           {"ssl.keystore.location", keystore},
                                           {"ssl.keystore.type", "PEM"},
                                           {"ssl.key.password", "hunter2"},
                                           {"ssl.truststore.location", "/etc/brook/ca.pem"},
                                           {"ssl.truststore.type", "PEM"}});
  ASSERT_TRUE(c) << c.error().to_string();
  EXPECT_EQ(c->security.keystore_location, keystore);
  EXPECT_EQ(c->security.key_password, "hunter2");
  EXPECT_EQ(c->security.truststore_location, "/etc/brook/ca.pem");
}

// Brook reads PEM only: other store types are refused, naming the key.
TEST(ConfigSecurity, StoreTypesOtherThanPemRefused) {
  for (const char* key : {"ssl.keystore.type", "ssl.truststore.type"}) {
    for (const char* type : {"JKS", "PKCS12"}) {
      auto st = refused({{key, type}});
      EXPECT_EQ(st.code(), errc::invalid_config) << key << "=" << type;
      EXPECT_TRUE(mentions(st, key)) << st.message();
    }
  }
}

// ssl.client.auth is none, requested or required.
TEST(ConfigSecurity, ClientAuthChoices) {
  for (const char* v : {"none", "requested", "required"}) {
    auto c = broker_config::from_properties({{"ssl.client.auth", v}});
    ASSERT_TRUE(c) << v << ": " << c.error().to_string();
    EXPECT_EQ(c->security.client_auth, v);
  }
  for (const char* v : {"want", "true", ""}) {
    auto st = refused({{"ssl.client.auth", v}});
    EXPECT_EQ(st.code(), errc::invalid_config) << v;
    EXPECT_TRUE(mentions(st, "ssl.client.auth")) << st.message();
  }
}

// sasl.enabled.mechanisms is a comma-separated subset of PLAIN and SCRAM-SHA-256/512.
TEST(ConfigSecurity, SaslMechanisms) {
  auto c = broker_config::from_properties({{"sasl.enabled.mechanisms", "SCRAM-SHA-512, PLAIN"}});
  ASSERT_TRUE(c) << c.error().to_string();
  EXPECT_EQ(c->security.sasl_mechanisms, (std::vector<std::string>{"SCRAM-SHA-512", "PLAIN"}));

  for (const char* v : {"GSSAPI", "PLAIN,OAUTHBEARER", "plain"}) {
    auto st = refused({{"sasl.enabled.mechanisms", v}});
    EXPECT_EQ(st.code(), errc::invalid_config) << v;
    EXPECT_TRUE(mentions(st, "sasl.enabled.mechanisms")) << st.message();
  }
  EXPECT_TRUE(mentions(refused({{"sasl.enabled.mechanisms", "GSSAPI"}}), "GSSAPI"));
}

// A SASL listener needs at least one mechanism.
TEST(ConfigSecurity, SaslListenerNeedsAMechanism) {
  auto st =
      refused({{"listeners", "SASL_PLAINTEXT://127.0.0.1:9094"}, {"sasl.enabled.mechanisms", ""}});
  EXPECT_EQ(st.code(), errc::invalid_config);
  EXPECT_TRUE(mentions(st, "sasl.enabled.mechanisms")) << st.message();
  // Without a SASL listener an empty list is fine.
  EXPECT_TRUE(broker_config::from_properties({{"sasl.enabled.mechanisms", ""}}));
}

// super.users is a ';'-separated list of User:name principals.
TEST(ConfigSecurity, SuperUsers) {
  auto c = broker_config::from_properties({{"super.users", "User:a;User:b"}});
  ASSERT_TRUE(c) << c.error().to_string();
  EXPECT_EQ(c->security.super_users, (std::vector<std::string>{"User:a", "User:b"}));

  c = broker_config::from_properties({{"super.users", " User:admin ; User:ops,team ;"}});
  ASSERT_TRUE(c) << c.error().to_string();
  EXPECT_EQ(c->security.super_users, (std::vector<std::string>{"User:admin", "User:ops,team"}));

  for (const char* v : {"alice", "User:a;bob", "User:", "Group:admins"}) {
    auto st = refused({{"super.users", v}});
    EXPECT_EQ(st.code(), errc::invalid_config) << v;
    EXPECT_TRUE(mentions(st, "super.users")) << st.message();
  }
}

// Any authorizer.class.name turns the authorizer on; an empty one leaves it off.
TEST(ConfigSecurity, AuthorizerClassName) {
  auto c = broker_config::from_properties({{"authorizer.class.name", "x"}});
  ASSERT_TRUE(c) << c.error().to_string();
  EXPECT_TRUE(c->security.authorizer);
  c = broker_config::from_properties(
      {{"authorizer.class.name", "org.apache.kafka.metadata.authorizer.StandardAuthorizer"}});
  ASSERT_TRUE(c) << c.error().to_string();
  EXPECT_TRUE(c->security.authorizer);
  c = broker_config::from_properties({{"authorizer.class.name", ""}});
  ASSERT_TRUE(c) << c.error().to_string();
  EXPECT_FALSE(c->security.authorizer);
}

// allow.everyone.if.no.acl.found is true or false.
TEST(ConfigSecurity, AllowEveryoneIfNoAclFound) {
  auto c = broker_config::from_properties({{"allow.everyone.if.no.acl.found", "true"}});
  ASSERT_TRUE(c) << c.error().to_string();
  EXPECT_TRUE(c->security.allow_everyone_if_no_acl_found);
  c = broker_config::from_properties({{"allow.everyone.if.no.acl.found", "false"}});
  ASSERT_TRUE(c) << c.error().to_string();
  EXPECT_FALSE(c->security.allow_everyone_if_no_acl_found);
  auto st = refused({{"allow.everyone.if.no.acl.found", "yes"}});
  EXPECT_EQ(st.code(), errc::invalid_config);
  EXPECT_TRUE(mentions(st, "allow.everyone.if.no.acl.found")) << st.message();
}

// connection.failed.authentication.delay.ms lies in [0, 60000].
TEST(ConfigSecurity, FailedAuthenticationDelayRange) {
  for (int64_t v : {0, 250, 60000}) {
    auto c = broker_config::from_properties(
        {{"connection.failed.authentication.delay.ms", std::to_string(v)}});
    ASSERT_TRUE(c) << v << ": " << c.error().to_string();
    EXPECT_EQ(c->security.failed_authentication_delay_ms, v);
  }
  for (const char* v : {"-1", "60001", "abc", ""}) {
    auto st = refused({{"connection.failed.authentication.delay.ms", v}});
    EXPECT_EQ(st.code(), errc::invalid_config) << v;
    EXPECT_TRUE(mentions(st, "connection.failed.authentication.delay.ms")) << st.message();
  }
}

// Every protocol's name parses back to it, in any case; other names are refused.
TEST(ConfigSecurity, ProtocolNamesRoundTrip) {
  for (auto p : {security_protocol::plaintext, security_protocol::ssl,
                 security_protocol::sasl_plaintext, security_protocol::sasl_ssl}) {
    auto back = parse_security_protocol(to_string(p));
    ASSERT_TRUE(back) << to_string(p);
    EXPECT_EQ(*back, p);
  }
  EXPECT_STREQ(to_string(security_protocol::plaintext), "PLAINTEXT");
  EXPECT_STREQ(to_string(security_protocol::ssl), "SSL");
  EXPECT_STREQ(to_string(security_protocol::sasl_plaintext), "SASL_PLAINTEXT");
  EXPECT_STREQ(to_string(security_protocol::sasl_ssl), "SASL_SSL");
  auto lower = parse_security_protocol("sasl_ssl");
  ASSERT_TRUE(lower);
  EXPECT_EQ(*lower, security_protocol::sasl_ssl);
  for (const char* bad : {"TLS", "", "SASL", "PLAINTEXT "}) {
    auto r = parse_security_protocol(bad);
    ASSERT_FALSE(r) << bad;
    EXPECT_EQ(r.error().code(), errc::invalid_config) << bad;
  }
}

// SSL and SASL_SSL use TLS; SASL_PLAINTEXT and SASL_SSL use SASL.
TEST(ConfigSecurity, UsesTlsAndSasl) {
  EXPECT_FALSE(uses_tls(security_protocol::plaintext));
  EXPECT_FALSE(uses_sasl(security_protocol::plaintext));
  EXPECT_TRUE(uses_tls(security_protocol::ssl));
  EXPECT_FALSE(uses_sasl(security_protocol::ssl));
  EXPECT_FALSE(uses_tls(security_protocol::sasl_plaintext));
  EXPECT_TRUE(uses_sasl(security_protocol::sasl_plaintext));
  EXPECT_TRUE(uses_tls(security_protocol::sasl_ssl));
  EXPECT_TRUE(uses_sasl(security_protocol::sasl_ssl));
}
