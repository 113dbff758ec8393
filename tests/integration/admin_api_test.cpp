// Kafka's config, record-deletion and log-directory admin APIs against a real brookd, through raw
// Kafka requests at every served version: AlterConfigs (33), IncrementalAlterConfigs (44),
// DescribeConfigs (32) after them, DeleteRecords (21), DescribeLogDirs (35). Changes must reach
// the partitions (a lowered max.message.bytes refuses a record at once), survive a restart, and
// bad input is answered per resource / partition with Kafka's error codes.
#include "group_test_fixture.hpp"

using namespace group_tests;

namespace {

constexpr int16_t kOffsetOutOfRange = 1, kUnknownTopic = 3, kInvalidConfig = 40,
                  kPolicyViolation = 44;

class KafkaAdmin : public Groups {
 protected:
  void SetUp() override { ASSERT_TRUE(broker.start()) << broker.log(); }

  // DescribeConfigs v1 of one resource: key -> (value, source).
  std::map<std::string, std::pair<std::string, int8_t>> describe(kafka_conn& c, int8_t type,
                                                                 const std::string& name) {
    k::describe_configs_request req;
    req.resources.push_back({type, name, std::nullopt});
    auto r = c.call<k::describe_configs_response>(k::api_key::describe_configs, 1, req);
    std::map<std::string, std::pair<std::string, int8_t>> out;
    if (r.results.size() != 1 || r.results[0].error_code != kNone) {
      ADD_FAILURE() << "describe of " << name << " failed";
      return out;
    }
    for (const auto& e : r.results[0].configs) out[e.name] = {e.value.value_or(""), e.source};
    return out;
  }

  k::alter_configs_response alter(kafka_conn& c, int16_t v, int8_t type, const std::string& name,
                                  std::vector<std::pair<std::string, std::optional<std::string>>> kv,
                                  bool validate_only = false) {
    k::alter_configs_request req;
    req.validate_only = validate_only;
    req.resources.push_back({type, name, {}});
    for (auto& [key, value] : kv) req.resources[0].configs.push_back({key, 0, value});
    return c.call<k::alter_configs_response>(k::api_key::alter_configs, v, req);
  }

  // IncrementalAlterConfigs of one resource: (key, op, value) with Kafka's op numbers.
  k::alter_configs_response incremental(
      kafka_conn& c, int16_t v, int8_t type, const std::string& name,
      std::vector<std::tuple<std::string, int8_t, std::optional<std::string>>> changes) {
    k::incremental_alter_configs_request req;
    req.resources.push_back({type, name, {}});
    for (auto& [key, op, value] : changes) req.resources[0].configs.push_back({key, op, value});
    return c.call<k::alter_configs_response>(k::api_key::incremental_alter_configs, v, req);
  }

  static int16_t error_of(const k::alter_configs_response& r) {
    if (r.results.size() != 1) {
      ADD_FAILURE() << "expected one result, got " << r.results.size();
      return -1;
    }
    return r.results[0].error_code;
  }

  // `brook produce` of one record of `size` bytes: its exit code and stderr.
  itest::run_result produce_one(const std::string& topic, size_t size) {
    return itest::run({itest::bin("brook"), "--bootstrap-server", broker.bootstrap(), "produce",
                       topic, "--acks", "all"},
                      std::string(size, 'x') + "\n", 30s);
  }

  // ListOffsets earliest of (topic, p); -1000 - the error code when it fails.
  int64_t earliest(kafka_conn& c, const std::string& topic, int32_t p) {
    k::list_offsets_request req;
    req.topics.push_back({topic, {{p, -2}}});
    auto r = c.call<k::list_offsets_response>(k::api_key::list_offsets, 1, req);
    if (r.topics.empty() || r.topics[0].partitions.empty()) return -2000;
    const auto& got = r.topics[0].partitions[0];
    return got.error_code == kNone ? got.offset : -1000 - got.error_code;
  }

  // The node still answers (after bad input and restarts): ApiVersions and Metadata.
  void expect_answering() {
    ASSERT_TRUE(broker.running()) << broker.log();
    kafka_conn c(broker.kafka_port());
    ASSERT_TRUE(c.connected());
    EXPECT_EQ(c.call<k::api_versions_response>(k::api_key::api_versions, 0, k::api_versions_request{})
                  .error_code,
              kNone);
    auto md = c.call<k::metadata_response>(k::api_key::metadata, 1, k::metadata_request{});
    EXPECT_FALSE(md.brokers.empty());
  }
};

TEST_F(KafkaAdmin, AlterConfigsReplacesAndIncrementalAlterConfigsChangesTopicConfigs) {
  create_topic("cfg", 1);
  kafka_conn c(broker.kafka_port());
  const int8_t topic = k::resource_topic;
  for (int16_t v : {0, 1, 2}) {
    SCOPED_TRACE("AlterConfigs v" + std::to_string(v));
    ASSERT_EQ(error_of(alter(c, v, topic, "cfg", {{"retention.ms", "7200000"}, {"compression.type", "lz4"}})),
              kNone);
    auto d = describe(c, topic, "cfg");
    EXPECT_EQ(d["retention.ms"], std::make_pair(std::string("7200000"), int8_t(1)));
    EXPECT_EQ(d["compression.type"], std::make_pair(std::string("lz4"), int8_t(1)));
    // AlterConfigs replaces the whole set: what is not named goes back to its default.
    ASSERT_EQ(error_of(alter(c, v, topic, "cfg", {{"segment.bytes", "1048576"}})), kNone);
    d = describe(c, topic, "cfg");
    EXPECT_EQ(d["retention.ms"], std::make_pair(std::string("604800000"), int8_t(5)));
    EXPECT_EQ(d["segment.bytes"], std::make_pair(std::string("1048576"), int8_t(1)));
    // validate_only changes nothing; bad values and keys are refused with the key named.
    ASSERT_EQ(error_of(alter(c, v, topic, "cfg", {{"segment.bytes", "2097152"}}, true)), kNone);
    EXPECT_EQ(describe(c, topic, "cfg")["segment.bytes"].first, "1048576");
    auto bad = alter(c, v, topic, "cfg", {{"retention.ms", "soon"}});
    EXPECT_EQ(error_of(bad), kInvalidConfig);
    EXPECT_NE(bad.results[0].error_message.value_or("").find("retention.ms"), std::string::npos);
    EXPECT_EQ(error_of(alter(c, v, topic, "cfg", {{"no.such.key", "1"}})), kInvalidConfig);
    EXPECT_EQ(error_of(alter(c, v, topic, "cfg", {{"retention.ms", std::nullopt}})), kInvalidRequest);
    EXPECT_EQ(error_of(alter(c, v, topic, "missing", {{"retention.ms", "1"}})), kUnknownTopic);
  }
  for (int16_t v : {0, 1}) {
    SCOPED_TRACE("IncrementalAlterConfigs v" + std::to_string(v));
    ASSERT_EQ(error_of(alter(c, 0, topic, "cfg", {})), kNone);  // a clean slate
    ASSERT_EQ(error_of(incremental(c, v, topic, "cfg",
                                   {{"retention.ms", 0, "1000"}, {"flush.messages", 0, "10"}})),
              kNone);
    ASSERT_EQ(error_of(incremental(c, v, topic, "cfg", {{"flush.messages", 1, std::nullopt}})), kNone);
    auto d = describe(c, topic, "cfg");
    EXPECT_EQ(d["retention.ms"], std::make_pair(std::string("1000"), int8_t(1)));  // kept
    EXPECT_EQ(d["flush.messages"].second, 5);                                      // deleted
    // APPEND and SUBTRACT work on list keys, starting from the value in force.
    ASSERT_EQ(error_of(incremental(c, v, topic, "cfg", {{"cleanup.policy", 2, "compact"}})), kNone);
    EXPECT_EQ(describe(c, topic, "cfg")["cleanup.policy"].first, "compact,delete");
    ASSERT_EQ(error_of(incremental(c, v, topic, "cfg", {{"cleanup.policy", 3, "delete"}})), kNone);
    EXPECT_EQ(describe(c, topic, "cfg")["cleanup.policy"].first, "compact");
    EXPECT_EQ(error_of(incremental(c, v, topic, "cfg", {{"retention.ms", 2, "5"}})), kInvalidConfig);
    EXPECT_EQ(error_of(incremental(c, v, topic, "cfg", {{"retention.ms", 0, std::nullopt}})),
              kInvalidRequest);
    EXPECT_EQ(error_of(incremental(c, v, topic, "cfg", {{"retention.ms", 9, "5"}})), kInvalidRequest);
    EXPECT_EQ(error_of(incremental(c, v, topic, "cfg", {{"retention.ms", 0, "1"}, {"retention.ms", 0, "2"}})),
              kInvalidRequest);
  }
  // Errors are per resource: the good one is applied next to the bad one.
  k::incremental_alter_configs_request two;
  two.resources.push_back({topic, "missing", {{"retention.ms", 0, std::string("1")}}});
  two.resources.push_back({topic, "cfg", {{"cleanup.policy", 0, std::string("delete")}}});
  auto r = c.call<k::alter_configs_response>(k::api_key::incremental_alter_configs, 1, two);
  ASSERT_EQ(r.results.size(), 2u);
  EXPECT_EQ(r.results[0].error_code, kUnknownTopic);
  EXPECT_EQ(r.results[1].error_code, kNone);
  EXPECT_EQ(describe(c, topic, "cfg")["cleanup.policy"].first, "delete");

  // The partition applies a change at once: a smaller max.message.bytes refuses a record.
  ASSERT_EQ(produce_one("cfg", 500).exit_code, 0);
  ASSERT_EQ(error_of(incremental(c, 1, topic, "cfg", {{"max.message.bytes", 0, "200"}})), kNone);
  auto refused = produce_one("cfg", 500);
  EXPECT_NE(refused.exit_code, 0);
  EXPECT_NE(refused.err.find("max.message.bytes"), std::string::npos) << refused.err;

  // The overrides live in the topic's definition: a restart keeps them.
  ASSERT_EQ(broker.terminate(), 0);
  ASSERT_TRUE(broker.start()) << broker.log();
  kafka_conn after(broker.kafka_port());
  auto d = describe(after, topic, "cfg");
  EXPECT_EQ(d["max.message.bytes"], std::make_pair(std::string("200"), int8_t(1)));
  EXPECT_EQ(d["retention.ms"], std::make_pair(std::string("1000"), int8_t(1)));
  EXPECT_NE(produce_one("cfg", 500).exit_code, 0);
  expect_answering();
}

TEST_F(KafkaAdmin, BrokerConfigsChangeTheTopicDefaultsOfOneOrEveryBroker) {
  create_topic("defaults", 1);
  kafka_conn c(broker.kafka_port());
  const int8_t brk = k::resource_broker;
  ASSERT_EQ(error_of(incremental(c, 1, brk, "0", {{"log.retention.ms", 0, "5000"}})), kNone);
  ASSERT_EQ(error_of(incremental(c, 0, brk, "", {{"message.max.bytes", 0, "300"}})), kNone);
  auto d = describe(c, brk, "0");
  EXPECT_EQ(d["log.retention.ms"], std::make_pair(std::string("5000"), int8_t(2)));
  EXPECT_EQ(d["message.max.bytes"], std::make_pair(std::string("300"), int8_t(3)));
  EXPECT_EQ(d["log.segment.bytes"].second, 5);
  // Topics without their own value follow the new defaults, existing and new ones alike.
  auto t = describe(c, k::resource_topic, "defaults");
  EXPECT_EQ(t["retention.ms"], std::make_pair(std::string("5000"), int8_t(5)));
  EXPECT_EQ(t["max.message.bytes"].first, "300");
  EXPECT_NE(produce_one("defaults", 500).exit_code, 0);
  create_topic("later", 1);
  EXPECT_EQ(describe(c, k::resource_topic, "later")["max.message.bytes"].first, "300");

  // Only the topic defaults change at run time; names must be broker ids.
  auto fixed = incremental(c, 1, brk, "0", {{"num.partitions", 0, "3"}});
  EXPECT_EQ(error_of(fixed), kInvalidRequest);
  EXPECT_NE(fixed.results[0].error_message.value_or("").find("num.partitions"), std::string::npos);
  EXPECT_EQ(error_of(incremental(c, 1, brk, "zero", {{"log.retention.ms", 0, "1"}})), kInvalidRequest);
  EXPECT_EQ(error_of(incremental(c, 1, brk, "0", {{"log.retention.ms", 0, "soon"}})), kInvalidConfig);

  // Restarted, the broker reads its dynamic configs back; AlterConfigs with none clears them.
  ASSERT_EQ(broker.terminate(), 0);
  ASSERT_TRUE(broker.start()) << broker.log();
  kafka_conn after(broker.kafka_port());
  EXPECT_EQ(describe(after, brk, "0")["log.retention.ms"].first, "5000");
  ASSERT_EQ(error_of(alter(after, 1, brk, "", {})), kNone);
  ASSERT_EQ(error_of(alter(after, 1, brk, "0", {})), kNone);
  d = describe(after, brk, "0");
  EXPECT_EQ(d["log.retention.ms"], std::make_pair(std::string("604800000"), int8_t(5)));
  EXPECT_EQ(describe(after, k::resource_topic, "defaults")["max.message.bytes"].first, "1048588");
  EXPECT_EQ(produce_one("defaults", 500).exit_code, 0);
  expect_answering();
}

TEST_F(KafkaAdmin, DeleteRecordsMovesTheLogStartAndDescribeLogDirsShowsTheReplicas) {
  create_topic("dr", 2);
  fill("dr", 2, 10);
  kafka_conn c(broker.kafka_port());
  for (int16_t v : {0, 1, 2}) {
    SCOPED_TRACE("DeleteRecords v" + std::to_string(v));
    k::delete_records_request req;
    req.timeout_ms = 5000;
    req.topics.push_back({"dr", {{0, int64_t(2 + v)}, {1, v == 2 ? -1 : int64_t(3)}, {7, 1}}});
    req.topics.push_back({"missing", {{0, 1}}});
    auto r = c.call<k::delete_records_response>(k::api_key::delete_records, v, req);
    ASSERT_EQ(r.topics.size(), 2u);
    ASSERT_EQ(r.topics[0].partitions.size(), 3u);
    EXPECT_EQ(r.topics[0].partitions[0].error_code, kNone);
    EXPECT_EQ(r.topics[0].partitions[0].low_watermark, 2 + v);
    EXPECT_EQ(r.topics[0].partitions[1].error_code, kNone);
    EXPECT_EQ(r.topics[0].partitions[1].low_watermark, v == 2 ? 10 : 3);  // -1: the high watermark
    EXPECT_EQ(r.topics[0].partitions[2].error_code, kUnknownTopic);
    EXPECT_EQ(r.topics[1].partitions[0].error_code, kUnknownTopic);
  }
  EXPECT_EQ(earliest(c, "dr", 0), 4);
  EXPECT_EQ(earliest(c, "dr", 1), 10);
  k::delete_records_request past;
  past.topics.push_back({"dr", {{0, 11}, {0, 1}}});
  auto r = c.call<k::delete_records_response>(k::api_key::delete_records, 1, past);
  EXPECT_EQ(r.topics[0].partitions[0].error_code, kOffsetOutOfRange);
  EXPECT_EQ(r.topics[0].partitions[1].error_code, kNone);  // below the start: nothing to do
  EXPECT_EQ(r.topics[0].partitions[1].low_watermark, 4);
  // A compacted topic's records go by compaction only.
  ASSERT_EQ(brook({"topic", "create", "dr-compact", "--config", "cleanup.policy=compact"}).exit_code, 0);
  k::delete_records_request compact;
  compact.topics.push_back({"dr-compact", {{0, 0}}});
  EXPECT_EQ(c.call<k::delete_records_response>(k::api_key::delete_records, 1, compact)
                .topics[0].partitions[0].error_code,
            kPolicyViolation);
  // Consumers start at the new log start.
  auto consumed = brook({"consume", "dr", "--partition", "0", "--from-beginning", "--count", "6",
                         "--timeout-ms", "10000"});
  EXPECT_EQ(consumed.out, "p0-4\np0-5\np0-6\np0-7\np0-8\np0-9\n");

  for (int16_t v : {0, 1, 2, 3, 4}) {
    SCOPED_TRACE("DescribeLogDirs v" + std::to_string(v));
    auto d = c.call<k::describe_log_dirs_response>(k::api_key::describe_log_dirs, v,
                                                   k::describe_log_dirs_request{});
    EXPECT_EQ(d.error_code, kNone);
    ASSERT_EQ(d.results.size(), 1u);
    EXPECT_EQ(d.results[0].error_code, kNone);
    EXPECT_EQ(d.results[0].log_dir, dir.path() + "/node/logs");
    std::map<std::string, std::vector<int32_t>> seen;
    for (const auto& t : d.results[0].topics)
      for (const auto& p : t.partitions) {
        seen[t.name].push_back(p.index);
        if (t.name == "dr" && p.index == 0) EXPECT_GT(p.size, 0);
        EXPECT_EQ(p.offset_lag, 0);
      }
    EXPECT_EQ(seen["dr"], (std::vector<int32_t>{0, 1}));
    EXPECT_EQ(seen["dr-compact"], (std::vector<int32_t>{0}));
    if (v >= 4) {
      EXPECT_GT(d.results[0].total_bytes, 0);
      EXPECT_GT(d.results[0].usable_bytes, 0);
    } else {
      EXPECT_EQ(d.results[0].total_bytes, -1);
    }
  }
  k::describe_log_dirs_request only;
  only.topics = std::vector<k::describe_log_dirs_request::topic>{{"dr", {1}}};
  auto d = c.call<k::describe_log_dirs_response>(k::api_key::describe_log_dirs, 2, only);
  ASSERT_EQ(d.results.size(), 1u);
  ASSERT_EQ(d.results[0].topics.size(), 1u);
  EXPECT_EQ(d.results[0].topics[0].name, "dr");
  ASSERT_EQ(d.results[0].topics[0].partitions.size(), 1u);
  EXPECT_EQ(d.results[0].topics[0].partitions[0].index, 1);

  // The log start is durable: a restart (even kill -9) keeps it.
  broker.kill9();
  ASSERT_TRUE(broker.start()) << broker.log();
  kafka_conn after(broker.kafka_port());
  EXPECT_TRUE(itest::eventually([&] { return earliest(after, "dr", 0) == 4; }, 30s))
      << earliest(after, "dr", 0) << broker.log();
  EXPECT_EQ(earliest(after, "dr", 1), 10);
  expect_answering();
}

}  // namespace
