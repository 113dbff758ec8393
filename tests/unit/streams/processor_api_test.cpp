// The Processor API: forwarding, punctuation, stores, and the errors of a topology that cannot
// work.
#include <gtest/gtest.h>

#include <filesystem>

#include "actors/streams/serdes_json.hpp"
#include "actors/streams/serdes_msgpack.hpp"
#include "actors/streams/test_driver.hpp"
#include "tests/temp_dir.hpp"

namespace {

using namespace brook::streams;
using str = std::string;
using namespace std::chrono_literals;

// Alerts when a reading passes its threshold; reports how many readings it saw every second of
// wall-clock time, and the highest reading per sensor every 10 s of event time.
class alerter : public processor<str, double, str, str> {
 public:
  void init(context_type& ctx) override {
    ctx.schedule(1s, punctuation_type::wall_clock, [this, &ctx](int64_t now) {
      ctx.forward(record<str, str>{"report", std::to_string(seen_), now, {}}, "reports");
    });
    ctx.schedule(10s, punctuation_type::stream_time, [&ctx](int64_t t) {
      for (auto& [k, v] : ctx.state_store<kv_store<str, double>>("highest").all())
        ctx.forward(
            record<str, str>{
                k, "max " + std::to_string(int(v)) + " at " + std::to_string(t), t, {}},
            "reports");
    });
  }
  void process(const record<str, double>& r, context_type& ctx) override {
    ++seen_;
    auto& highest = ctx.state_store<kv_store<str, double>>("highest");
    if (r.value > highest.get(r.key).value_or(-1e300)) highest.put(r.key, r.value);
    if (r.value > 90.0)
      ctx.forward(
          record<str, str>{
              r.key, "HIGH " + ctx.metadata().topic + "@" + std::to_string(ctx.metadata().offset),
              r.timestamp, r.headers},
          "alerts");
  }

 private:
  int64_t seen_ = 0;
};

topology alerting() {
  topology t;
  t.add_source<str, double>("readings", {"sensor-readings"}, serdes::string(),
                            serdes::json<double>())
      .add_processor<alerter>("alerter", {"readings"})
      .add_state_store(
          stores::key_value<str, double>("highest", serdes::string(), serdes::json<double>()),
          {"alerter"})
      .add_sink<str, str>("alerts", "alerts", {"alerter"})
      .add_sink<str, str>("reports", "reports", {"alerter"})
      .set_urgency("alerter", urgent{});
  return t;
}

TEST(ProcessorApi, ForwardsToNamedChildrenAndReachesItsStore) {
  topology_test_driver d(alerting());
  auto in = d.create_input_topic<str, double>("sensor-readings", serdes::string(),
                                              serdes::json<double>());
  auto alerts = d.create_output_topic<str, str>("alerts");
  in.pipe_input("s1", 50.0, 1000);
  in.pipe_input("s1", 95.5, 2000);
  EXPECT_EQ(alerts.read_key_value(), (std::pair<str, str>{"s1", "HIGH sensor-readings@1"}));
  EXPECT_TRUE(alerts.is_empty());
  auto& highest = d.state_store<kv_store<str, double>>("highest");
  EXPECT_EQ(highest.get("s1"), 95.5);
}

TEST(ProcessorApi, WallClockAndStreamTimePunctuationsRunWhenTheirTimeComes) {
  topology_test_driver d(alerting());
  auto in = d.create_input_topic<str, double>("sensor-readings", serdes::string(),
                                              serdes::json<double>());
  auto reports = d.create_output_topic<str, str>("reports");
  in.pipe_input("s1", 10.0, 0);  // stream-time punctuator armed at 0: next at 10000
  in.pipe_input("s2", 20.0, 5000);
  EXPECT_TRUE(reports.is_empty());
  in.pipe_input("s1", 30.0, 10000);
  auto list = reports.read_key_values_to_list();
  ASSERT_EQ(list.size(), 2u);
  EXPECT_EQ(list[0], (std::pair<str, str>{"s1", "max 30 at 10000"}));
  d.advance_wall_clock(500ms);  // the wall-clock punctuator was armed at 0: due at 1000
  EXPECT_TRUE(reports.is_empty());
  d.advance_wall_clock(600ms);
  EXPECT_EQ(reports.read_key_value(), (std::pair<str, str>{"report", "3"}));
}

TEST(ProcessorApi, TheUrgencyOfANodeIsItsSubTopologys) {
  auto t = alerting();
  const auto& subs = t.impl().subtopologies();
  ASSERT_EQ(subs.size(), 1u);
  ASSERT_TRUE(subs[0].urg.has_value());
  EXPECT_EQ(class_of(*subs[0].urg), urgency_class::urgent);
  EXPECT_NE(t.describe().find("Sub-topology: 0 (urgent)"), str::npos);
}

class unconnected : public processor<str, str> {
 public:
  void process(const record<str, str>& r, context_type& ctx) override {
    ctx.state_store<kv_store<str, str>>("other").put(r.key, r.value);
  }
};

TEST(ProcessorApi, ATopologyThatCannotWorkIsRefusedWithAClearError) {
  topology t;
  t.add_source<str, str>("src", {"in"});
  EXPECT_THROW((t.add_source<str, str>("src2", {"in"})), topology_error);  // topic read twice
  EXPECT_THROW((t.add_sink<str, str>("sink", "out", {"nope"})), topology_error);
  try {
    t.add_sink<str, int64_t>("sink", "out", {"src"});
    FAIL() << "a type mismatch was accepted";
  } catch (const topology_error& e) {
    EXPECT_NE(std::string(e.what()).find("record<std::string, long>"), str::npos) << e.what();
  }
  t.add_processor<unconnected>("p", {"src"});
  t.add_state_store(stores::key_value<str, str>("other"));
  topology_test_driver d(t);
  auto in = d.create_input_topic<str, str>("in");
  EXPECT_THROW(in.pipe_input("k", "v"), topology_error);
}

struct reading {
  std::string sensor;
  double value = 0;
  MSGPACK_DEFINE(sensor, value);
};

TEST(Serdes, BuiltInSerdesRoundTripAndRefuseBadBytes) {
  auto i64 = serdes::int64();
  EXPECT_EQ(i64.serialize(258), str("\0\0\0\0\0\0\x01\x02", 8));  // Kafka's LongSerializer
  EXPECT_EQ(i64.deserialize(i64.serialize(-7)), -7);
  EXPECT_THROW(i64.deserialize(std::string_view("abc")), serde_error);
  EXPECT_EQ(serdes::int32().deserialize(serdes::int32().serialize(123456)), 123456);
  auto bytes = serdes::bytes();
  EXPECT_EQ(bytes.deserialize(bytes.serialize({1, 2, 255})), (serdes::bytes_type{1, 2, 255}));
  auto mp = serdes::msgpack<reading>();
  auto r = mp.deserialize(mp.serialize(reading{"s1", 2.5}));
  EXPECT_EQ(r.sensor, "s1");
  EXPECT_EQ(r.value, 2.5);
  EXPECT_THROW(mp.deserialize(std::string_view("\xc1")), serde_error);
  auto js = serdes::json<>();
  EXPECT_EQ(js.deserialize(std::string_view(R"({"a":[1,2]})"))["a"][1], 2);
  EXPECT_THROW(js.deserialize(std::string_view("{nope")), serde_error);
  EXPECT_EQ(serdes::string().deserialize(std::nullopt), "");
}

TEST(Stores, PersistentStoresKeepOrderAndRangeLikeMemoryOnes) {
  brook::testutil::temp_dir dir;
  for (bool persistent : {false, true}) {
    auto s = persistent ? brook::streams::detail::make_rocksdb_store(dir.path() + "/db")
                        : brook::streams::detail::make_memory_store();
    s->put("b", "2");
    s->put("a", "1");
    s->put("c", "3");
    s->remove("c");
    EXPECT_EQ(s->get("a"), "1");
    EXPECT_EQ(s->get("c"), std::nullopt);
    std::vector<str> keys;
    s->range("a", "", [&](const str& k, const str&) {
      keys.push_back(k);
      return true;
    });
    EXPECT_EQ(keys, (std::vector<str>{"a", "b"})) << (persistent ? "rocksdb" : "memory");
    s->clear();
    EXPECT_EQ(s->get("a"), std::nullopt);
  }
}

TEST(Stores, APersistentStoreInATopologyLivesUnderStateDir) {
  brook::testutil::temp_dir dir;
  topology t;
  t.add_source<str, str>("src", {"in"})
      .add_processor<unconnected>("p", {"src"})
      .add_state_store(stores::key_value<str, str>("other").persistent(), {"p"});
  {
    topology_test_driver d(t, {{"application.id", "app"}, {"state.dir", dir.path()}});
    d.create_input_topic<str, str>("in").pipe_input("k", "v");
    auto& store = d.state_store<kv_store<str, str>>("other");
    EXPECT_EQ(store.get("k"), "v");
    EXPECT_TRUE(std::filesystem::exists(dir.path() + "/app/0_0/other"));
    EXPECT_EQ(d.records("app-other-changelog").size(), 1u);
  }
}

}  // namespace
