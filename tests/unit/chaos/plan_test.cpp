// Chaos plans: a seed gives one plan, every kind shows up, outages never overlap; schedules parse
// and bad lines are named.
#include "apps/chaos/plan.hpp"

#include <gtest/gtest.h>

#include <set>

namespace brook::chaos {
namespace {

plan_options thirty() {
  plan_options o;
  o.seed = 42;
  o.faults = 30;
  o.duration_ms = 60000;
  return o;
}

TEST(ChaosPlan, TheSameSeedGivesTheSamePlanAndAnotherSeedAnother) {
  auto a = random_plan(thirty()), b = random_plan(thirty());
  ASSERT_EQ(a.size(), 30u);
  for (size_t i = 0; i < a.size(); ++i) EXPECT_EQ(describe(a[i]), describe(b[i]));
  auto o = thirty();
  o.seed = 43;
  auto c = random_plan(o);
  bool differs = false;
  for (size_t i = 0; i < a.size(); ++i) differs = differs || describe(a[i]) != describe(c[i]);
  EXPECT_TRUE(differs);
}

TEST(ChaosPlan, EveryKindAppearsAndOutagesNeverOverlap) {
  auto plan = random_plan(thirty());
  std::set<fault_kind> kinds;
  int64_t outage_end = -1;
  int64_t prev = -1;
  for (const auto& f : plan) {
    kinds.insert(f.kind);
    EXPECT_GE(f.at_ms, prev);
    prev = f.at_ms;
    EXPECT_GE(f.at_ms, 0);
    EXPECT_LT(f.partition, 6);
    EXPECT_GE(f.broker, 1);
    EXPECT_LE(f.broker, 3);
    if (is_outage(f.kind)) {
      EXPECT_GT(f.at_ms, outage_end) << describe(f);
      outage_end = f.at_ms + f.duration_ms;
    }
  }
  EXPECT_EQ(kinds.size(), all_fault_kinds().size());
}

TEST(ChaosPlan, OnlyTheKindsAsked) {
  auto o = thirty();
  o.kinds = {fault_kind::kill_leader, fault_kind::kill9_broker};
  for (const auto& f : random_plan(o))
    EXPECT_TRUE(f.kind == fault_kind::kill_leader || f.kind == fault_kind::kill9_broker);
}

TEST(ChaosPlan, KindNamesRoundTrip) {
  for (auto k : all_fault_kinds()) EXPECT_EQ(fault_from_name(name_of(k)), k);
  EXPECT_FALSE(fault_from_name("kill-everything"));
}

TEST(ChaosPlan, SchedulesParseAndBadLinesAreNamed) {
  auto s = parse_schedule("# a comment\n\n5 kill-leader 2\n1.5 kill9-broker 3 2500\n", 3, 6);
  ASSERT_TRUE(s) << s.error().to_string();
  ASSERT_EQ(s->size(), 2u);
  EXPECT_EQ((*s)[0].kind, fault_kind::kill9_broker);  // sorted by time
  EXPECT_EQ((*s)[0].at_ms, 1500);
  EXPECT_EQ((*s)[0].broker, 3);
  EXPECT_EQ((*s)[0].duration_ms, 2500);
  EXPECT_EQ((*s)[1].partition, 2);
  auto bad = parse_schedule("5 kill-leader 2\n7 unplug-everything\n", 3, 6);
  ASSERT_FALSE(bad);
  EXPECT_NE(bad.error().message().find("line 2"), std::string::npos) << bad.error().message();
  EXPECT_FALSE(parse_schedule("1 kill9-broker 4\n", 3, 6));
  EXPECT_FALSE(parse_schedule("1 kill-leader 6\n", 3, 6));
}

}  // namespace
}  // namespace brook::chaos
