#include <gtest/gtest.h>

#include "runtime/config.hpp"

using namespace brook::runtime;

TEST(Config, DefaultsWithEmptyProperties) {
  auto c = broker_config::from_properties({});
  ASSERT_TRUE(c);
  EXPECT_EQ(c->broker_id, 0);
  EXPECT_EQ(c->native_listener.port, 9093);
  EXPECT_EQ(c->kafka_listener.port, 9092);
  EXPECT_EQ(c->num_partitions, 1);
  EXPECT_TRUE(c->auto_create_topics);
}

TEST(Config, ParsesKafkaKeys) {
  auto p = parse_properties(
      "# comment\n! also comment\nbroker.id=7\nlog.dirs = /a, /b\nnum.partitions: 4\n"
      "listeners=PLAINTEXT://0.0.0.0:19092\nnative.listeners=127.0.0.1:0\n"
      "auto.create.topics.enable=false\nlog.segment.bytes=1048576\nlog.retention.ms=1000\n"
      "log.retention.bytes=5000\nlog.flush.interval.ms=10\nlog.flush.interval.messages=1\n"
      "message.max.bytes=2048\n",
      "test");
  ASSERT_TRUE(p);
  auto c = broker_config::from_properties(*p);
  ASSERT_TRUE(c) << c.error().to_string();
  EXPECT_EQ(c->broker_id, 7);
  EXPECT_EQ(c->log_dirs, (std::vector<std::string>{"/a", "/b"}));
  EXPECT_EQ(c->num_partitions, 4);
  EXPECT_EQ(c->kafka_listener.host, "0.0.0.0");
  EXPECT_EQ(c->kafka_listener.port, 19092);
  EXPECT_EQ(c->native_listener.port, 0);
  EXPECT_FALSE(c->auto_create_topics);
  EXPECT_EQ(c->topic_defaults.log.segment_bytes, 1048576u);
  EXPECT_EQ(c->topic_defaults.log.retention_ms, 1000);
  EXPECT_EQ(c->topic_defaults.log.retention_bytes, 5000);
  EXPECT_EQ(c->topic_defaults.log.flush_ms, 10);
  EXPECT_EQ(c->topic_defaults.log.flush_messages, 1);
  EXPECT_EQ(c->topic_defaults.max_message_bytes, 2048);
}

TEST(Config, UnknownKeyIsNamed) {
  auto c = broker_config::from_properties({{"log.dirz", "/x"}});
  ASSERT_FALSE(c);
  EXPECT_EQ(c.error().code(), errc::invalid_config);
  EXPECT_NE(c.error().message().find("log.dirz"), std::string::npos);
}

TEST(Config, BadValuesNameTheKey) {
  for (auto [k, v] : std::vector<std::pair<std::string, std::string>>{
           {"broker.id", "abc"},
           {"broker.id", "-1"},
           {"num.partitions", "0"},
           {"auto.create.topics.enable", "yes"},
           {"log.segment.bytes", "10"},
           {"native.listeners", "nohostport"},
           {"log.flush.interval.messages", "0"},
           {"message.max.bytes", "1e9"}}) {
    auto c = broker_config::from_properties({{k, v}});
    ASSERT_FALSE(c) << k << "=" << v;
    EXPECT_NE(c.error().message().find(k), std::string::npos) << c.error().message();
  }
}

TEST(Config, RetentionUnitsFinerWins) {
  auto c = broker_config::from_properties({{"log.retention.hours", "2"}});
  ASSERT_TRUE(c);
  EXPECT_EQ(c->topic_defaults.log.retention_ms, 2 * 3600000);
  c = broker_config::from_properties({{"log.retention.hours", "2"}, {"log.retention.minutes", "3"}});
  EXPECT_EQ(c->topic_defaults.log.retention_ms, 3 * 60000);
  c = broker_config::from_properties(
      {{"log.retention.hours", "2"}, {"log.retention.minutes", "3"}, {"log.retention.ms", "42"}});
  EXPECT_EQ(c->topic_defaults.log.retention_ms, 42);
  c = broker_config::from_properties({{"log.retention.hours", "-1"}});
  EXPECT_EQ(c->topic_defaults.log.retention_ms, -1);
}

TEST(Config, MalformedPropertiesLine) {
  auto p = parse_properties("ok=1\njustakey\n", "f.properties");
  ASSERT_FALSE(p);
  EXPECT_NE(p.error().message().find("f.properties:2"), std::string::npos);
}

TEST(Config, TopicOverrides) {
  topic_config t;
  ASSERT_TRUE(t.apply({{"retention.ms", "5"}, {"urgency", "urgent"}, {"segment.bytes", "100000"}}));
  EXPECT_EQ(t.log.retention_ms, 5);
  EXPECT_EQ(t.urgency_class, urgency::urgent);
  EXPECT_EQ(t.log.segment_bytes, 100000u);
  auto bad = t.apply({{"retention.msx", "5"}});
  ASSERT_FALSE(bad);
  EXPECT_NE(bad.message().find("retention.msx"), std::string::npos);
  EXPECT_FALSE(t.apply({{"urgency", "whenever"}}));
  EXPECT_FALSE(t.apply({{"cleanup.policy", "shred"}}));
  EXPECT_FALSE(t.apply({{"cleanup.policy", ""}}));
  EXPECT_FALSE(t.apply({{"min.cleanable.dirty.ratio", "1.5"}}));
  EXPECT_FALSE(t.apply({{"min.cleanable.dirty.ratio", "half"}}));
}

// Every topic key Kafka 3.x defines is accepted and described (with its default when not set);
// those Brook does not act on are kept as given. Bad values and unknown keys still fail.
TEST(Config, EveryKafkaTopicKeyIsAcceptedAndDescribed) {
  const std::map<std::string, std::string> kafka_keys = {
      {"cleanup.policy", "compact,delete"}, {"compression.type", "zstd"},
      {"delete.retention.ms", "1000"}, {"file.delete.delay.ms", "1"}, {"flush.messages", "10"},
      {"flush.ms", "1000"}, {"follower.replication.throttled.replicas", "0:1,1:2"},
      {"index.interval.bytes", "4096"}, {"leader.replication.throttled.replicas", "*"},
      {"local.retention.bytes", "-2"}, {"local.retention.ms", "-2"},
      {"max.compaction.lag.ms", "600000"}, {"max.message.bytes", "2000000"},
      {"message.downconversion.enable", "false"}, {"message.format.version", "3.0-IV1"},
      {"message.timestamp.after.max.ms", "3600000"}, {"message.timestamp.before.max.ms", "3600000"},
      {"message.timestamp.difference.max.ms", "3600000"}, {"message.timestamp.type", "LogAppendTime"},
      {"min.cleanable.dirty.ratio", "0.1"}, {"min.compaction.lag.ms", "100"},
      {"min.insync.replicas", "2"}, {"preallocate", "true"}, {"remote.storage.enable", "false"},
      {"retention.bytes", "100000000"}, {"retention.ms", "86400000"}, {"segment.bytes", "1048576"},
      {"segment.index.bytes", "1048576"}, {"segment.jitter.ms", "10"}, {"segment.ms", "3600000"},
      {"unclean.leader.election.enable", "true"}, {"compression.gzip.level", "6"},
      {"compression.lz4.level", "4"}, {"compression.zstd.level", "-5"},
      {"remote.log.copy.disable", "false"}, {"remote.log.delete.on.disable", "false"}};
  topic_config t;
  auto defaults = t.to_properties();
  for (const auto& [k, v] : kafka_keys) EXPECT_TRUE(defaults.count(k)) << k << " not described";
  EXPECT_EQ(defaults["compression.type"], "producer");
  EXPECT_EQ(defaults["message.timestamp.type"], "CreateTime");
  properties all(kafka_keys.begin(), kafka_keys.end());
  auto st = t.apply(all);
  ASSERT_TRUE(st) << st.to_string();
  auto p = t.to_properties();
  for (const auto& [k, v] : kafka_keys) EXPECT_EQ(p[k], v) << k;
  EXPECT_EQ(t.compression_type, compression::zstd);
  EXPECT_EQ(t.stored.at("preallocate"), "true");

  for (const auto& [k, v] : std::map<std::string, std::string>{
           {"compression.type", "brotli"}, {"message.timestamp.type", "Now"},
           {"compression.gzip.level", "0"}, {"compression.lz4.level", "18"},
           {"segment.index.bytes", "3"}, {"preallocate", "maybe"},
           {"leader.replication.throttled.replicas", "all"}, {"local.retention.ms", "-3"},
           {"remote.storage.enable", "true"}}) {
    topic_config c;
    auto bad = c.apply({{k, v}});
    EXPECT_FALSE(bad) << k << "=" << v;
    EXPECT_EQ(bad.code(), errc::invalid_config) << k;
    EXPECT_NE(bad.message().find(k), std::string::npos) << bad.message();
  }
  // compression.type takes Kafka's topic values only: a producer's "none" is not one of them.
  for (const auto& [v, want] : std::map<std::string, std::optional<compression>>{
           {"producer", std::nullopt}, {"uncompressed", compression::none},
           {"gzip", compression::gzip}, {"snappy", compression::snappy}, {"lz4", compression::lz4}}) {
    topic_config c;
    c.compression_type = compression::zstd;
    ASSERT_TRUE(c.apply({{"compression.type", v}})) << v;
    EXPECT_EQ(c.compression_type, want) << v;
    EXPECT_EQ(c.to_properties()["compression.type"], v);
  }
  for (std::string v : {"none", "GZIP", ""}) {
    topic_config c;
    EXPECT_FALSE(c.apply({{"compression.type", v}})) << v;
  }
  topic_config lag;
  auto conflict = lag.apply({{"min.compaction.lag.ms", "10"}, {"max.compaction.lag.ms", "5"}});
  EXPECT_EQ(conflict.code(), errc::invalid_config);
  EXPECT_NE(conflict.message().find("conflict topic config setting"), std::string::npos);
}

TEST(Config, CleanupPolicy) {
  topic_config t;
  EXPECT_EQ(t.to_properties()["cleanup.policy"], "delete");
  ASSERT_TRUE(t.apply({{"cleanup.policy", "compact"}, {"delete.retention.ms", "100"},
                       {"min.cleanable.dirty.ratio", "0.25"}}));
  EXPECT_TRUE(t.log.cleanup_compact);
  EXPECT_FALSE(t.log.cleanup_delete);
  EXPECT_EQ(t.log.delete_retention_ms, 100);
  EXPECT_DOUBLE_EQ(t.log.min_cleanable_dirty_ratio, 0.25);
  auto p = t.to_properties();
  EXPECT_EQ(p["cleanup.policy"], "compact");
  EXPECT_EQ(p["delete.retention.ms"], "100");
  EXPECT_EQ(p["min.cleanable.dirty.ratio"], "0.25");
  ASSERT_TRUE(t.apply({{"cleanup.policy", "delete, compact"}}));
  EXPECT_TRUE(t.log.cleanup_compact && t.log.cleanup_delete);
  EXPECT_EQ(t.to_properties()["cleanup.policy"], "compact,delete");
}

TEST(Config, Endpoints) {
  auto e = parse_endpoint("PLAINTEXT://localhost:9092");
  ASSERT_TRUE(e);
  EXPECT_EQ(e->host, "localhost");
  EXPECT_EQ(e->port, 9092);
  EXPECT_FALSE(parse_endpoint("host:99999"));
  EXPECT_FALSE(parse_endpoint("host"));
}

// Dynamic broker configs name topic defaults by their broker keys.
TEST(Config, BrokerKeysOfTopicDefaults) {
  EXPECT_EQ(topic_key_of_broker_key("log.retention.ms"), "retention.ms");
  EXPECT_EQ(topic_key_of_broker_key("message.max.bytes"), "max.message.bytes");
  EXPECT_EQ(topic_key_of_broker_key("compression.type"), "compression.type");
  EXPECT_EQ(topic_key_of_broker_key("broker.id"), "");
  EXPECT_EQ(broker_key_of_topic_key("segment.bytes"), "log.segment.bytes");
  EXPECT_EQ(broker_key_of_topic_key("remote.storage.enable"), "");
  topic_config base;
  auto d = with_broker_defaults(base, {{"log.retention.ms", "1000"}, {"log.cleanup.policy", "compact"}});
  ASSERT_TRUE(d) << d.error().to_string();
  EXPECT_EQ(d->log.retention_ms, 1000);
  EXPECT_TRUE(d->log.cleanup_compact);
  EXPECT_FALSE(with_broker_defaults(base, {{"num.partitions", "3"}}));
  EXPECT_FALSE(with_broker_defaults(base, {{"log.retention.ms", "soon"}}));
}
