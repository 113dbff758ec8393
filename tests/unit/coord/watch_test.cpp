// Watches of the coordinator store: one event per (watch, change), in order, until unwatched.
#include <gtest/gtest.h>

#include "tests/unit/coord/coord_test_util.hpp"

namespace brook::runtime::coord::test {
namespace {

using ev = watch_event;
using events = std::vector<watch_event>;

class watch_test : public store_fixture {};

TEST_F(watch_test, set_fires_one_changed_event_per_watching_subscriber) {
  ASSERT_TRUE(s_->create("/k", "v"));
  ASSERT_TRUE(s_->watch("/k", 1).is_ok());
  ASSERT_TRUE(s_->watch("/k", 2).is_ok());
  ASSERT_TRUE(s_->watch("/k", 2).is_ok());  // again: still one watch
  ASSERT_TRUE(s_->watch("/other", 3).is_ok());
  EXPECT_TRUE(s_->drain_events().empty());
  auto v = s_->set("/k", "w");
  ASSERT_TRUE(v.has_value());
  int64_t seq = s_->seq();
  EXPECT_EQ(s_->drain_events(),
            (events{ev{1, "/k", event_type::changed, seq}, ev{2, "/k", event_type::changed, seq}}));
  EXPECT_TRUE(s_->drain_events().empty());  // handed out once
  ASSERT_TRUE(s_->set("/k", "w"));          // same value: still a change
  EXPECT_EQ(s_->drain_events().size(), 2u);
}

TEST_F(watch_test, create_fires_created_and_one_children_changed_on_the_parent) {
  ASSERT_TRUE(s_->create("/brokers", ""));
  ASSERT_TRUE(s_->watch("/brokers", 7).is_ok());
  ASSERT_TRUE(s_->watch("/brokers/1", 8).is_ok());  // not there yet
  ASSERT_TRUE(s_->create("/brokers/1", "b1"));
  int64_t seq = s_->seq();
  EXPECT_EQ(s_->drain_events(), (events{ev{8, "/brokers/1", event_type::created, seq},
                                        ev{7, "/brokers", event_type::children_changed, seq}}));
  // A grandchild changes /brokers/1's children, not /brokers's.
  ASSERT_TRUE(s_->create("/brokers/1/x", ""));
  EXPECT_EQ(s_->drain_events(),
            (events{ev{8, "/brokers/1", event_type::children_changed, s_->seq()}}));
}

TEST_F(watch_test, make_parents_fires_for_each_created_node) {
  ASSERT_TRUE(s_->watch("/", 1).is_ok());
  ASSERT_TRUE(s_->watch("/a", 2).is_ok());
  ASSERT_TRUE(s_->create("/a/b", "", 0, true));
  EXPECT_EQ(s_->drain_events(), (events{ev{2, "/a", event_type::created, 1},
                                        ev{1, "/", event_type::children_changed, 1},
                                        ev{2, "/a", event_type::children_changed, 2}}));
}

TEST_F(watch_test, delete_fires_deleted_and_children_changed) {
  ASSERT_TRUE(s_->create("/t/p", "", 0, true));
  ASSERT_TRUE(s_->watch("/t/p", 1).is_ok());
  ASSERT_TRUE(s_->watch("/t", 1).is_ok());
  ASSERT_TRUE(s_->remove("/t/p").is_ok());
  int64_t seq = s_->seq();
  EXPECT_EQ(s_->drain_events(), (events{ev{1, "/t/p", event_type::deleted, seq},
                                        ev{1, "/t", event_type::children_changed, seq}}));
  // The watch persists: re-creation is seen.
  ASSERT_TRUE(s_->create("/t/p", ""));
  EXPECT_EQ(s_->drain_events().size(), 2u);
}

TEST_F(watch_test, session_end_fires_once_per_parent_and_change) {
  ASSERT_TRUE(s_->create("/brokers/ids", "", 0, true));
  uint64_t a = *s_->open_session(1000, 0);
  ASSERT_TRUE(s_->create("/brokers/ids/1", "", a));
  ASSERT_TRUE(s_->create("/brokers/ids/2", "", a));
  ASSERT_TRUE(s_->watch("/brokers/ids", 5).is_ok());
  ASSERT_TRUE(s_->watch("/brokers/ids/2", 6).is_ok());
  ASSERT_EQ(*s_->expire(5000), std::vector<uint64_t>{a});
  int64_t seq = s_->seq();
  EXPECT_EQ(s_->drain_events(), (events{ev{6, "/brokers/ids/2", event_type::deleted, seq},
                                        ev{5, "/brokers/ids", event_type::children_changed, seq}}));
}

TEST_F(watch_test, failed_mutations_fire_nothing) {
  ASSERT_TRUE(s_->create("/k", "v"));
  ASSERT_TRUE(s_->watch("/k", 1).is_ok());
  ASSERT_TRUE(s_->watch("/", 1).is_ok());
  EXPECT_FALSE(s_->set("/k", "x", 5).has_value());
  EXPECT_FALSE(s_->create("/k", "x").has_value());
  EXPECT_FALSE(s_->remove("/k", 3).is_ok());
  EXPECT_TRUE(s_->drain_events().empty());
}

TEST_F(watch_test, unwatch_stops_events) {
  ASSERT_TRUE(s_->create("/k", "v"));
  ASSERT_TRUE(s_->create("/j", "v"));
  ASSERT_TRUE(s_->watch("/k", 1).is_ok());
  ASSERT_TRUE(s_->watch("/k", 2).is_ok());
  ASSERT_TRUE(s_->watch("/j", 2).is_ok());
  s_->unwatch("/k", 1);
  ASSERT_TRUE(s_->set("/k", "w"));
  EXPECT_EQ(s_->drain_events(), (events{ev{2, "/k", event_type::changed, s_->seq()}}));
  s_->unwatch_all(2);
  ASSERT_TRUE(s_->set("/k", "x"));
  ASSERT_TRUE(s_->set("/j", "x"));
  EXPECT_TRUE(s_->drain_events().empty());
  s_->unwatch("/never", 9);  // harmless
  EXPECT_EQ(s_->watch("bad", 1).code(), errc::invalid_request);
}

TEST_F(watch_test, watches_are_not_persisted) {
  ASSERT_TRUE(s_->create("/k", "v"));
  ASSERT_TRUE(s_->watch("/k", 1).is_ok());
  s_.reset();
  s_ = open_store(dir_);
  ASSERT_NE(s_, nullptr);
  EXPECT_TRUE(s_->drain_events().empty());  // replay fires nothing
  ASSERT_TRUE(s_->set("/k", "w"));
  EXPECT_TRUE(s_->drain_events().empty());
  ASSERT_TRUE(s_->watch("/k", 1).is_ok());
  ASSERT_TRUE(s_->set("/k", "x"));
  EXPECT_EQ(s_->drain_events().size(), 1u);
}

}  // namespace
}  // namespace brook::runtime::coord::test
