#include "runtime/restart_backoff.hpp"

#include <gtest/gtest.h>

using brook::runtime::restart_backoff;
using brook::runtime::restart_policy;
using ms = std::chrono::milliseconds;

namespace {

const auto t0 = restart_backoff::clock_type::time_point{} + std::chrono::hours(1);

TEST(RestartBackoff, PartitionPolicyRestartsAtOnceThenDoublesAndGivesUpOnTheSixthCrash) {
  restart_backoff b(restart_policy{5, std::chrono::seconds(60), true});
  EXPECT_EQ(b.on_crash(t0), ms(0));
  EXPECT_EQ(b.on_crash(t0 + ms(1)), ms(100));
  EXPECT_EQ(b.on_crash(t0 + ms(2)), ms(200));
  EXPECT_EQ(b.on_crash(t0 + ms(3)), ms(400));
  EXPECT_EQ(b.on_crash(t0 + ms(4)), ms(800));
  EXPECT_EQ(b.on_crash(t0 + ms(5)), std::nullopt);
  EXPECT_EQ(b.crashes(), 6u);
}

TEST(RestartBackoff, CrashesOutsideTheWindowAreForgotten) {
  restart_backoff b(restart_policy{4, std::chrono::seconds(60)});
  for (int i = 0; i < 4; ++i) ASSERT_TRUE(b.on_crash(t0 + ms(i)));
  // A minute later the old crashes no longer count: back to the first delay.
  EXPECT_EQ(b.on_crash(t0 + std::chrono::seconds(61)), ms(100));
  EXPECT_EQ(b.crashes(), 1u);
}

TEST(RestartBackoff, UnlimitedPolicyNeverGivesUpAndCapsTheDelay) {
  restart_backoff b;
  std::optional<ms> last;
  for (int i = 0; i < 100; ++i) last = b.on_crash(t0 + ms(i));
  EXPECT_EQ(last, ms(5000));
}

}  // namespace
