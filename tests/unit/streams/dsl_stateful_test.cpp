// Grouping, aggregations, tables, windows and joins of the DSL through the test driver.
#include <gtest/gtest.h>

#include "dsl_test_util.hpp"

namespace {

using namespace dsl_test;
using namespace std::chrono_literals;

TEST(DslStateful, WordCountRepartitionsByWordAndCountsInAStoreWithAChangelog) {
  stream_builder b;
  b.stream<str, str>("text")
      .flat_map_values(words)
      .group_by([](const str&, const str& w) { return w; }, grouped<str, str>::as("by-word"))
      .count(materialized<str, int64_t>::as("counts"))
      .to_stream()
      .to("word-counts");
  topology_test_driver d(b.build(), {{"application.id", "wc"}});
  auto in = d.create_input_topic<str, str>("text");
  auto out = d.create_output_topic<str, int64_t>("word-counts");
  in.pipe_input("", "the cat the hat");
  in.pipe_input("", "the end");
  auto counts = out.read_key_values_to_map();
  EXPECT_EQ(counts["the"], 3);
  EXPECT_EQ(counts["cat"], 1);
  EXPECT_EQ(counts["end"], 1);
  auto& store = d.state_store<kv_store<str, int64_t>>("counts");
  EXPECT_EQ(store.get("the"), 3);
  // Every update went to the changelog, keyed by the word.
  const auto& log = d.records("wc-counts-changelog");
  ASSERT_EQ(log.size(), 6u);
  EXPECT_EQ(*log.back().key, "end");
  // group_by with a new key is a sub-topology boundary (two tasks).
  EXPECT_NE(b.build().describe().find("Sub-topology: 1"), std::string::npos);
}

TEST(DslStateful, GroupByKeyWithoutAKeyChangeDoesNotRepartition) {
  stream_builder b;
  b.stream<str, int64_t>("in")
      .group_by_key()
      .reduce([](int64_t a, int64_t v) { return a + v; })
      .to_stream()
      .to("sums");
  auto t = b.build();
  EXPECT_EQ(t.describe().find("Sub-topology: 1"), std::string::npos);
  topology_test_driver d(t);
  auto in = d.create_input_topic<str, int64_t>("in");
  auto out = d.create_output_topic<str, int64_t>("sums");
  in.pipe_input("a", 1);
  in.pipe_input("a", 2);
  in.pipe_input("b", 5);
  EXPECT_EQ(out.read_key_values_to_list(),
            (std::vector<std::pair<str, int64_t>>{{"a", 1}, {"a", 3}, {"b", 5}}));
}

TEST(DslStateful, AggregateFoldsFromTheInitializer) {
  stream_builder b;
  b.stream<str, str>("in")
      .group_by_key()
      .aggregate([] { return str("["); }, [](const str&, const str& v, str agg) { return agg + v; })
      .to_stream()
      .to("out");
  topology_test_driver d(b.build());
  auto in = d.create_input_topic<str, str>("in");
  auto out = d.create_output_topic<str, str>("out");
  in.pipe_input("k", "a");
  in.pipe_input("k", "b");
  EXPECT_EQ(out.read_key_values_to_map()["k"], "[ab");
}

TEST(DslStateful, TableKeepsTheLatestValueAndANullDeletes) {
  stream_builder b;
  auto t = b.table<str, str>("users", {}, materialized<str, str>::as("users-store"));
  t.to_stream().to("user-updates");
  topology_test_driver d(b.build());
  auto in = d.create_input_topic<str, str>("users");
  in.pipe_input("u1", "ann");
  in.pipe_input("u1", "anna");
  in.pipe_input("u2", "bob");
  in.pipe_raw(str("u2"), std::nullopt, 10);
  auto& store = d.state_store<kv_store<str, str>>("users-store");
  EXPECT_EQ(store.get("u1"), "anna");
  EXPECT_EQ(store.get("u2"), std::nullopt);
  auto updates = d.create_output_topic<str, str>("user-updates");
  EXPECT_EQ(updates.queue_size(), 3u);
  // A source table is restored from its own topic: no changelog is written.
  EXPECT_TRUE(d.records("test-driver-users-store-changelog").empty());
}

TEST(DslStateful, StreamTableJoinsOnlyKeysInTheTableAndLeftJoinKeepsTheRest) {
  stream_builder b;
  auto users = b.table<str, str>("users");
  auto clicks = b.stream<str, int64_t>("clicks");
  clicks
      .join(users, [](const int64_t& n, const str& name) { return name + ":" + std::to_string(n); })
      .to("joined");
  clicks
      .left_join(users,
                 [](const int64_t& n, const std::optional<str>& name) {
                   return name.value_or("?") + ":" + std::to_string(n);
                 })
      .to("left");
  topology_test_driver d(b.build());
  auto u = d.create_input_topic<str, str>("users");
  auto c = d.create_input_topic<str, int64_t>("clicks");
  c.pipe_input("u1", 1);  // before the user exists
  u.pipe_input("u1", "ann");
  c.pipe_input("u1", 2);
  c.pipe_input("u9", 3);
  auto joined = d.create_output_topic<str, str>("joined");
  auto left = d.create_output_topic<str, str>("left");
  EXPECT_EQ(joined.read_key_values_to_list(), (std::vector<std::pair<str, str>>{{"u1", "ann:2"}}));
  EXPECT_EQ(left.read_key_values_to_list(),
            (std::vector<std::pair<str, str>>{{"u1", "?:1"}, {"u1", "ann:2"}, {"u9", "?:3"}}));
}

TEST(DslStateful, TumblingWindowsCountPerWindowAndDropRecordsLaterThanTheGrace) {
  stream_builder b;
  b.stream<str, str>("in")
      .group_by_key()
      .windowed_by(time_windows::of_size_and_grace(10s, 5s))
      .count(materialized<str, int64_t>::as("w"))
      .to_stream()
      .map([](const windowed<str>& k, const int64_t& n) {
        return std::make_pair(k.key + "@" + std::to_string(k.window.start), n);
      })
      .to("out");
  topology_test_driver d(b.build());
  auto in = d.create_input_topic<str, str>("in");
  auto out = d.create_output_topic<str, int64_t>("out");
  in.pipe_input("a", "x", 1000);
  in.pipe_input("a", "x", 9000);
  in.pipe_input("a", "x", 12000);  // window [10000, 20000)
  in.pipe_input("a", "x", 14000);  // stream time 14000: [0,10000) closes at 10000 + 5000
  in.pipe_input("a", "x", 8000);   // late but within grace: counted in [0, 10000)
  in.pipe_input("a", "x", 16000);  // stream time 16000 > 15000
  in.pipe_input("a", "x", 7000);   // beyond the grace: dropped
  auto counts = out.read_key_values_to_map();
  EXPECT_EQ(counts["a@0"], 3);
  EXPECT_EQ(counts["a@10000"], 3);
  auto& store = d.state_store<window_store<str, int64_t>>("w");
  EXPECT_EQ(store.fetch("a", 10000), 3);
}

TEST(DslStateful, HoppingWindowsCountARecordInEveryWindowThatContainsIt) {
  stream_builder b;
  b.stream<str, str>("in")
      .group_by_key()
      .windowed_by(time_windows::of_size_with_no_grace(10s).advance_by(5s))
      .count()
      .to_stream()
      .map([](const windowed<str>& k, const int64_t& n) {
        return std::make_pair(std::to_string(k.window.start), n);
      })
      .to("out");
  topology_test_driver d(b.build());
  auto in = d.create_input_topic<str, str>("in");
  auto out = d.create_output_topic<str, int64_t>("out");
  in.pipe_input("a", "x", 7000);   // windows [0,10000) and [5000,15000)
  in.pipe_input("a", "x", 11000);  // [5000,15000) and [10000,20000)
  auto counts = out.read_key_values_to_map();
  EXPECT_EQ(counts.size(), 3u);
  EXPECT_EQ(counts["0"], 1);
  EXPECT_EQ(counts["5000"], 2);
  EXPECT_EQ(counts["10000"], 1);
}

TEST(DslStateful, SessionWindowsMergeWhenARecordBridgesTwoSessions) {
  stream_builder b;
  b.stream<str, str>("in")
      .group_by_key()
      .windowed_by(session_windows::of_inactivity_gap_and_grace(5s, 0s))
      .count(materialized<str, int64_t>::as("sessions"))
      .to_stream()
      .map([](const windowed<str>& k, const int64_t& n) {
        return std::make_pair(std::to_string(k.window.start) + "-" + std::to_string(k.window.end),
                              n);
      })
      .to("out");
  topology_test_driver d(b.build());
  auto in = d.create_input_topic<str, str>("in");
  auto out = d.create_output_topic<str, int64_t>("out");
  in.pipe_input("u", "click", 1000);
  in.pipe_input("u", "click", 10000);  // a second session (more than 5 s later)
  in.pipe_input("u", "click", 5500);   // within 5 s of both: they merge into one
  auto list = out.read_key_values_to_list();
  ASSERT_EQ(list.size(), 3u);
  EXPECT_EQ(list[0], (std::pair<str, int64_t>{"1000-1000", 1}));
  EXPECT_EQ(list[1], (std::pair<str, int64_t>{"10000-10000", 1}));
  EXPECT_EQ(list[2], (std::pair<str, int64_t>{"1000-10000", 3}));
  auto sessions =
      d.state_store<session_store<str, int64_t>>("sessions").find_sessions("u", 0, 100000);
  ASSERT_EQ(sessions.size(), 1u);
  EXPECT_EQ(sessions[0].first, (window{1000, 10000}));
}

TEST(DslStateful, SessionRecordsBeyondTheGraceAreDropped) {
  stream_builder b;
  b.stream<str, str>("in")
      .group_by_key()
      .windowed_by(session_windows::of_inactivity_gap_and_grace(1s, 1s))
      .count()
      .to_stream()
      .map([](const windowed<str>& k, const int64_t& n) { return std::make_pair(k.key, n); })
      .to("out");
  topology_test_driver d(b.build());
  auto in = d.create_input_topic<str, str>("in");
  auto out = d.create_output_topic<str, int64_t>("out");
  in.pipe_input("u", "x", 10000);
  in.pipe_input("v", "x", 2000);  // stream time is 10000: a session ending at 2000 closed at 3000
  EXPECT_EQ(out.queue_size(), 1u);
}

TEST(DslStateful, StreamStreamJoinPairsRecordsWithinTheJoinWindow) {
  stream_builder b;
  auto orders = b.stream<str, str>("orders");
  auto payments = b.stream<str, int64_t>("payments");
  orders
      .join(
          payments,
          [](const str& item, const int64_t& paid) { return item + "/" + std::to_string(paid); },
          join_windows::of_time_difference_with_no_grace(5s))
      .to("paid-orders");
  topology_test_driver d(b.build());
  auto o = d.create_input_topic<str, str>("orders");
  auto p = d.create_input_topic<str, int64_t>("payments");
  auto out = d.create_output_topic<str, str>("paid-orders");
  o.pipe_input("o1", "book", 1000);
  p.pipe_input("o1", 20, 4000);      // within 5 s: joins
  p.pipe_input("o1", 21, 5500);      // joins the same order again
  p.pipe_input("o2", 30, 4000);      // no order o2 yet
  o.pipe_input("o2", "pen", 12000);  // 8 s after its payment: no join
  p.pipe_input("o1", 22, 5900);      // too late (5900 + 5 s < stream time 12000): dropped
  auto list = out.read_key_values_to_list();
  ASSERT_EQ(list.size(), 2u);
  EXPECT_EQ(list[0], (std::pair<str, str>{"o1", "book/20"}));
  EXPECT_EQ(list[1], (std::pair<str, str>{"o1", "book/21"}));
}

TEST(DslStateful, BadBytesGoToTheDeadLetterTopicWithWhereTheyCameFrom) {
  stream_builder b;
  b.stream<str, int64_t>("in").to("out");
  topology_test_driver d(b.build(), {{"application.id", "app"},
                                     {"default.deserialization.exception.handler", "dead-letter"}});
  auto in = d.create_input_topic<str, int64_t>("in");
  in.pipe_input("a", 1);
  in.pipe_raw(str("b"), str("not eight bytes"), 5);
  in.pipe_input("c", 3);
  auto out = d.create_output_topic<str, int64_t>("out");
  EXPECT_EQ(out.queue_size(), 2u);
  const auto& dlq = d.records("app-dead-letters");
  ASSERT_EQ(dlq.size(), 1u);
  EXPECT_EQ(*dlq[0].value, "not eight bytes");
  std::map<str, str> h;
  for (const auto& x : dlq[0].headers) h[x.key] = x.value.value_or("");
  EXPECT_EQ(h["__brook.error.topic"], "in");
  EXPECT_EQ(h["__brook.error.partition"], "0");
  EXPECT_EQ(h["__brook.error.offset"], "1");
  EXPECT_NE(h["__brook.error.message"].find("8 bytes"), str::npos);
}

TEST(DslStateful, BadBytesFailTheTaskByDefaultAndAreSkippedWhenAskedTo) {
  stream_builder b;
  b.stream<str, int64_t>("in").to("out");
  topology_test_driver fail(b.build());
  auto fail_in = fail.create_input_topic<str, int64_t>("in");
  EXPECT_THROW(fail_in.pipe_raw(str("k"), str("x"), 0), serde_error);
  topology_test_driver skip(b.build(), {{"default.deserialization.exception.handler", "skip"}});
  auto in = skip.create_input_topic<str, int64_t>("in");
  in.pipe_raw(str("k"), str("x"), 0);
  in.pipe_input("k", 7);
  auto out = skip.create_output_topic<str, int64_t>("out");
  EXPECT_EQ(out.read_value(), 7);
}

}  // namespace
