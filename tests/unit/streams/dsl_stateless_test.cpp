// The DSL's stateless operators through the test driver.
#include <gtest/gtest.h>

#include "dsl_test_util.hpp"

namespace {

using namespace dsl_test;

TEST(DslStateless, FilterMapValuesAndToKeepKeysAndTimestamps) {
  stream_builder b;
  b.stream<str, str>("in")
      .filter([](const str&, const str& v) { return v != "drop"; })
      .map_values([](const str& v) { return int64_t(v.size()); })
      .to("out");
  topology_test_driver d(b.build());
  auto in = d.create_input_topic<str, str>("in");
  auto out = d.create_output_topic<str, int64_t>("out");
  in.pipe_input("a", "hello", 100);
  in.pipe_input("b", "drop", 200);
  in.pipe_input("c", "hi", 300);
  auto r = out.read_record();
  EXPECT_EQ(r.key, "a");
  EXPECT_EQ(r.value, 5);
  EXPECT_EQ(r.timestamp, 100);
  EXPECT_EQ(out.read_key_value(), (std::pair<str, int64_t>{"c", 2}));
  EXPECT_TRUE(out.is_empty());
}

TEST(DslStateless, FilterNotMapSelectKeyAndMapValuesWithKey) {
  stream_builder b;
  auto s = b.stream<str, str>("in").filter_not([](const str& k, const str&) { return k == "x"; });
  s.map([](const str& k, const str& v) { return std::make_pair(v, k); }).to("swapped");
  s.select_key([](const str&, const str& v) { return v + "!"; }).to("rekeyed");
  s.map_values([](const str& k, const str& v) { return k + "=" + v; }).to("joined");
  topology_test_driver d(b.build());
  auto in = d.create_input_topic<str, str>("in");
  in.pipe_input("x", "skipped");
  in.pipe_input("k", "v");
  auto swapped = d.create_output_topic<str, str>("swapped");
  auto rekeyed = d.create_output_topic<str, str>("rekeyed");
  auto joined = d.create_output_topic<str, str>("joined");
  EXPECT_EQ(swapped.read_key_values_to_list(), (std::vector<std::pair<str, str>>{{"v", "k"}}));
  EXPECT_EQ(rekeyed.read_key_value(), (std::pair<str, str>{"v!", "v"}));
  EXPECT_EQ(joined.read_value(), "k=v");
}

TEST(DslStateless, FlatMapAndFlatMapValuesEmitZeroOrMoreRecords) {
  stream_builder b;
  auto s = b.stream<str, str>("in");
  s.flat_map_values(words).to("words");
  s.flat_map([](const str& k, const str& v) {
     std::vector<std::pair<str, int64_t>> out;
     for (auto& w : words(v)) out.emplace_back(w, int64_t(k.size()));
     return out;
   }).to("pairs");
  topology_test_driver d(b.build());
  auto in = d.create_input_topic<str, str>("in");
  in.pipe_input("key", "a b c");
  in.pipe_input("k2", "");
  auto out = d.create_output_topic<str, str>("words");
  EXPECT_EQ(out.read_key_values_to_list(),
            (std::vector<std::pair<str, str>>{{"key", "a"}, {"key", "b"}, {"key", "c"}}));
  auto pairs = d.create_output_topic<str, int64_t>("pairs").read_key_values_to_list();
  ASSERT_EQ(pairs.size(), 3u);
  EXPECT_EQ(pairs[1], (std::pair<str, int64_t>{"b", 3}));
}

TEST(DslStateless, BranchSendsEachRecordToTheFirstMatchingPredicateOnly) {
  stream_builder b;
  auto branches =
      b.stream<str, int64_t>("in").branch({[](const str&, const int64_t& v) { return v < 0; },
                                           [](const str&, const int64_t& v) { return v < 10; }});
  ASSERT_EQ(branches.size(), 2u);
  branches[0].to("negative");
  branches[1].to("small");
  topology_test_driver d(b.build());
  auto in = d.create_input_topic<str, int64_t>("in");
  for (int64_t v : {-5, 3, 50, -1, 9}) in.pipe_input("k", v);
  auto neg = d.create_output_topic<str, int64_t>("negative").read_key_values_to_list();
  auto small = d.create_output_topic<str, int64_t>("small").read_key_values_to_list();
  ASSERT_EQ(neg.size(), 2u);
  EXPECT_EQ(neg[0].second, -5);
  EXPECT_EQ(neg[1].second, -1);
  ASSERT_EQ(small.size(), 2u);
  EXPECT_EQ(small[0].second, 3);
  EXPECT_EQ(small[1].second, 9);
}

TEST(DslStateless, PeekSeesEveryRecordAndMergeJoinsStreams) {
  stream_builder b;
  auto seen = std::make_shared<std::vector<str>>();
  auto a = b.stream<str, str>("a").peek([seen](const str& k, const str&) { seen->push_back(k); });
  auto c = b.stream<str, str>("c");
  a.merge(c).to("both");
  topology_test_driver d(b.build());
  d.create_input_topic<str, str>("a").pipe_input("1", "x");
  d.create_input_topic<str, str>("c").pipe_input("2", "y");
  d.create_input_topic<str, str>("a").pipe_input("3", "z");
  EXPECT_EQ(*seen, (std::vector<str>{"1", "3"}));
  auto both = d.create_output_topic<str, str>("both");
  EXPECT_EQ(both.queue_size(), 3u);
}

TEST(DslStateless, ForeachConsumesWithoutOutput) {
  stream_builder b;
  auto total = std::make_shared<int64_t>(0);
  b.stream<str, int64_t>("in").foreach ([total](const str&, const int64_t& v) { *total += v; });
  topology_test_driver d(b.build());
  auto in = d.create_input_topic<str, int64_t>("in");
  in.pipe_input("a", 2);
  in.pipe_input("b", 40);
  EXPECT_EQ(*total, 42);
}

TEST(DslStateless, ATypeWithoutADefaultSerdeNeedsOneNamed) {
  struct point {
    int x = 0;
  };
  stream_builder b;
  auto s = b.stream<str, str>("in").map_values([](const str&) { return point{}; });
  EXPECT_THROW(s.to("out"), std::logic_error);
}

}  // namespace
