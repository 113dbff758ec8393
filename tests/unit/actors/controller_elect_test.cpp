// The controller's pure decisions: leader election from the live brokers, and the replica
// assignment of new topics.
#include "actors/controller/controller_actor.hpp"

#include <gtest/gtest.h>

#include <map>
#include <ostream>
#include <set>
#include <vector>

namespace brook::net {
// gtest prints states in failure messages.
void PrintTo(const partition_state& s, std::ostream* os) {
  *os << "{leader " << s.leader << ", epoch " << s.leader_epoch << ", isr [";
  for (size_t i = 0; i < s.isr.size(); ++i) *os << (i ? "," : "") << s.isr[i];
  *os << "]}";
}
}  // namespace brook::net

namespace brook::actors {
namespace {

using net::partition_state;
using broker_ids = std::vector<int32_t>;

partition_state state(int32_t leader, int32_t epoch, broker_ids isr) {
  partition_state s;
  s.leader = leader;
  s.leader_epoch = epoch;
  s.isr = std::move(isr);
  return s;
}

void expect_state(const partition_state& got, const partition_state& want) {
  EXPECT_EQ(got.leader, want.leader);
  EXPECT_EQ(got.leader_epoch, want.leader_epoch);
  EXPECT_EQ(got.isr, want.isr);
}

const broker_ids replicas{1, 2, 3};

// --- elect ---

TEST(controller_elect, live_leader_keeps_leading_and_dead_followers_leave_isr) {
  auto next = elect(state(1, 4, {3, 1, 2}), replicas, {1, 3}, false);
  expect_state(next, state(1, 4, {3, 1}));  // same leader and epoch, ISR order kept
}

TEST(controller_elect, nothing_dead_leaves_state_unchanged) {
  auto cur = state(2, 7, {2, 3, 1});
  expect_state(elect(cur, replicas, {1, 2, 3}, false), cur);
  expect_state(elect(cur, replicas, {1, 2, 3}, true), cur);
}

TEST(controller_elect, dead_leader_is_replaced_by_first_live_isr_replica_in_replica_order) {
  // 3 comes first in the ISR, but 2 comes first in the replica list.
  auto next = elect(state(1, 4, {3, 2, 1}), replicas, {2, 3}, false);
  expect_state(next, state(2, 5, {3, 2}));
}

TEST(controller_elect, dead_leader_is_not_replaced_by_live_out_of_sync_replica) {
  // 2 is alive but out of sync; 3 is the only live ISR member.
  auto next = elect(state(1, 4, {1, 3}), replicas, {2, 3}, false);
  expect_state(next, state(3, 5, {3}));
  // Unclean election changes nothing while an in-sync replica is alive.
  expect_state(elect(state(1, 4, {1, 3}), replicas, {2, 3}, true), state(3, 5, {3}));
}

TEST(controller_elect, dead_leader_without_live_isr_goes_offline_keeping_isr) {
  auto next = elect(state(1, 4, {1, 2}), replicas, {3}, false);
  expect_state(next, state(-1, 5, {1, 2}));  // kept for the first member to return
  expect_state(elect(state(1, 4, {1, 2}), replicas, {}, false), state(-1, 5, {1, 2}));
}

TEST(controller_elect, unclean_election_picks_live_out_of_sync_replica) {
  auto next = elect(state(1, 4, {1, 2}), replicas, {3}, true);
  expect_state(next, state(3, 5, {3}));
}

TEST(controller_elect, unclean_election_with_nobody_alive_goes_offline) {
  expect_state(elect(state(1, 4, {1, 2}), replicas, {}, true), state(-1, 5, {1, 2}));
}

TEST(controller_elect, offline_partition_recovers_when_isr_member_returns) {
  auto next = elect(state(-1, 5, {1, 2}), replicas, {2, 3}, false);
  expect_state(next, state(2, 6, {2}));
}

TEST(controller_elect, offline_partition_with_nobody_in_sync_stays_unchanged) {
  auto cur = state(-1, 5, {1, 2});
  expect_state(elect(cur, replicas, {3}, false), cur);  // no epoch churn
  expect_state(elect(cur, replicas, {}, false), cur);
  expect_state(elect(cur, replicas, {}, true), cur);
}

TEST(controller_elect, offline_partition_takes_out_of_sync_replica_when_unclean) {
  expect_state(elect(state(-1, 5, {1, 2}), replicas, {3}, true), state(3, 6, {3}));
}

// --- assign_replicas ---

TEST(controller_assign_replicas, every_partition_gets_rf_distinct_live_brokers) {
  for (size_t n = 1; n <= 5; ++n) {
    broker_ids brokers;
    for (size_t i = 0; i < n; ++i) brokers.push_back(int32_t(10 + 3 * i));  // sorted, with gaps
    const std::set<int32_t> known(brokers.begin(), brokers.end());
    for (int16_t rf = 1; rf <= int16_t(n); ++rf) {
      for (size_t start : {size_t(0), size_t(1), size_t(2), size_t(7), size_t(1234567)}) {
        auto plan = assign_replicas(12, rf, brokers, start);
        ASSERT_EQ(plan.size(), 12u);
        for (size_t p = 0; p < plan.size(); ++p) {
          SCOPED_TRACE("n=" + std::to_string(n) + " rf=" + std::to_string(rf) +
                       " start=" + std::to_string(start) + " p=" + std::to_string(p));
          ASSERT_EQ(plan[p].size(), size_t(rf));
          std::set<int32_t> distinct(plan[p].begin(), plan[p].end());
          EXPECT_EQ(distinct.size(), size_t(rf));
          for (int32_t b : plan[p]) EXPECT_TRUE(known.count(b)) << b;
          EXPECT_EQ(plan[p][0], brokers[(start + p) % n]);  // the preferred leader
        }
      }
    }
  }
}

TEST(controller_assign_replicas, full_replication_makes_each_broker_preferred_leader_once) {
  for (size_t n = 1; n <= 5; ++n) {
    broker_ids brokers;
    for (size_t i = 0; i < n; ++i) brokers.push_back(int32_t(i + 1));
    for (size_t start : {size_t(0), size_t(3), size_t(11)}) {
      auto plan = assign_replicas(int32_t(n), int16_t(n), brokers, start);
      std::map<int32_t, int> firsts;
      for (const auto& r : plan) {
        ASSERT_EQ(r.size(), n);
        ++firsts[r[0]];
      }
      ASSERT_EQ(firsts.size(), n) << "n=" << n << " start=" << start;
      for (auto [b, count] : firsts) EXPECT_EQ(count, 1) << "broker " << b;
    }
  }
}

TEST(controller_assign_replicas, single_broker_single_replica) {
  auto plan = assign_replicas(3, 1, {5}, 42);
  EXPECT_EQ(plan, (std::vector<broker_ids>{{5}, {5}, {5}}));
}

TEST(controller_assign_replicas, followers_spread_evenly) {
  const broker_ids brokers{1, 2, 3};
  for (size_t start : {size_t(0), size_t(1), size_t(2), size_t(5)}) {
    auto plan = assign_replicas(6, 2, brokers, start);
    std::map<int32_t, int> replicas_on, leaders_on;
    for (const auto& r : plan) {
      ++leaders_on[r[0]];
      for (int32_t b : r) ++replicas_on[b];
    }
    for (int32_t b : brokers) {
      EXPECT_EQ(replicas_on[b], 4) << "broker " << b << " start " << start;
      EXPECT_EQ(leaders_on[b], 2) << "broker " << b << " start " << start;
    }
  }
}

}  // namespace
}  // namespace brook::actors
