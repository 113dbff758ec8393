// Sessions of the coordinator store: heartbeats, expiry, and the ephemeral nodes they own.
#include <gtest/gtest.h>

#include "tests/unit/coord/coord_test_util.hpp"

namespace brook::runtime::coord::test {
namespace {

class session_test : public store_fixture {
 protected:
  void SetUp() override {
    store_fixture::SetUp();
    if (HasFatalFailure()) return;
    ASSERT_TRUE(s_->create("/brokers/ids", "", 0, true));
  }
  uint64_t open(int64_t timeout_ms, int64_t now_ms) {
    auto id = s_->open_session(timeout_ms, now_ms);
    EXPECT_TRUE(id.has_value()) << id.error().to_string();
    return id ? *id : 0;
  }
};

TEST_F(session_test, ids_are_unique_and_non_zero) {
  uint64_t a = open(1000, 0);
  uint64_t b = open(1000, 0);
  EXPECT_NE(a, 0u);
  EXPECT_NE(a, b);
  ASSERT_TRUE(s_->close_session(a).is_ok());
  uint64_t c = open(1000, 0);
  EXPECT_NE(c, a);  // not reused after close
  EXPECT_EQ(s_->open_session(0, 0).error().code(), errc::invalid_session_timeout);
}

TEST_F(session_test, expiry_deletes_only_that_sessions_ephemerals) {
  uint64_t a = open(1000, 0);
  uint64_t b = open(5000, 0);
  ASSERT_TRUE(s_->create("/brokers/ids/1", "a", a));
  ASSERT_TRUE(s_->create("/brokers/ids/2", "b", b));
  ASSERT_TRUE(s_->create("/brokers/ids/3", "persistent"));
  EXPECT_EQ(s_->get("/brokers/ids/1")->ephemeral_session, a);

  EXPECT_TRUE(s_->expire(1000)->empty());  // exactly at the timeout: still alive
  auto ended = s_->expire(1001);
  ASSERT_TRUE(ended.has_value());
  EXPECT_EQ(*ended, std::vector<uint64_t>{a});
  EXPECT_FALSE(s_->exists("/brokers/ids/1"));
  EXPECT_TRUE(s_->exists("/brokers/ids/2"));
  EXPECT_TRUE(s_->exists("/brokers/ids/3"));
  EXPECT_FALSE(s_->has_session(a));
  EXPECT_TRUE(s_->has_session(b));
  EXPECT_EQ(*s_->children("/brokers/ids"), (std::vector<std::string>{"2", "3"}));
  EXPECT_TRUE(s_->expire(1001)->empty());  // ended once
}

TEST_F(session_test, heartbeats_keep_a_session_alive_past_its_timeout) {
  uint64_t a = open(1000, 0);
  ASSERT_TRUE(s_->create("/brokers/ids/1", "a", a));
  for (int64_t t = 800; t <= 4000; t += 800) {
    ASSERT_TRUE(s_->heartbeat(a, t).is_ok()) << t;
    EXPECT_TRUE(s_->expire(t + 900)->empty()) << t;
  }
  EXPECT_TRUE(s_->exists("/brokers/ids/1"));
  EXPECT_EQ(*s_->expire(5001), std::vector<uint64_t>{a});  // last heartbeat at 4000
  EXPECT_FALSE(s_->exists("/brokers/ids/1"));
}

TEST_F(session_test, late_heartbeat_does_not_revive_a_session) {
  uint64_t a = open(1000, 0);
  EXPECT_EQ(s_->heartbeat(a, 1001).code(), errc::session_expired);
  EXPECT_EQ(*s_->expire(1001), std::vector<uint64_t>{a});
  EXPECT_EQ(s_->heartbeat(a, 1002).code(), errc::session_expired);
  EXPECT_EQ(s_->heartbeat(999, 0).code(), errc::session_expired);
}

TEST_F(session_test, close_session_deletes_its_ephemerals) {
  uint64_t a = open(1000, 0);
  uint64_t b = open(1000, 0);
  ASSERT_TRUE(s_->create("/brokers/ids/1", "a", a));
  ASSERT_TRUE(s_->create("/controller", "a", a));
  ASSERT_TRUE(s_->create("/brokers/ids/2", "b", b));
  ASSERT_TRUE(s_->close_session(a).is_ok());
  EXPECT_FALSE(s_->exists("/brokers/ids/1"));
  EXPECT_FALSE(s_->exists("/controller"));
  EXPECT_TRUE(s_->exists("/brokers/ids/2"));
  EXPECT_EQ(s_->close_session(a).code(), errc::session_expired);
  EXPECT_EQ(s_->heartbeat(a, 1).code(), errc::session_expired);
}

TEST_F(session_test, ephemeral_creation_on_expired_or_unknown_session_fails) {
  uint64_t a = open(1000, 0);
  ASSERT_EQ(*s_->expire(2000), std::vector<uint64_t>{a});
  auto r = s_->create("/brokers/ids/1", "a", a);
  ASSERT_FALSE(r.has_value());
  EXPECT_EQ(r.error().code(), errc::session_expired);
  EXPECT_EQ(s_->create("/brokers/ids/1", "x", 12345).error().code(), errc::session_expired);
  EXPECT_FALSE(s_->exists("/brokers/ids/1"));
}

TEST_F(session_test, ephemeral_nodes_cannot_have_children) {
  uint64_t a = open(1000, 0);
  ASSERT_TRUE(s_->create("/brokers/ids/1", "a", a));
  EXPECT_EQ(s_->create("/brokers/ids/1/x", "").error().code(), errc::no_children_for_ephemerals);
  EXPECT_EQ(s_->create("/brokers/ids/1/x/y", "", 0, true).error().code(),
            errc::no_children_for_ephemerals);
  EXPECT_FALSE(s_->exists("/brokers/ids/1/x"));
  // make_parents creates persistent ancestors for an ephemeral leaf.
  ASSERT_TRUE(s_->create("/a/b/leaf", "", a, true));
  EXPECT_EQ(s_->get("/a/b")->ephemeral_session, 0u);
  EXPECT_EQ(s_->get("/a/b/leaf")->ephemeral_session, a);
  ASSERT_TRUE(s_->close_session(a).is_ok());
  EXPECT_TRUE(s_->exists("/a/b"));
  EXPECT_FALSE(s_->exists("/a/b/leaf"));
}

TEST_F(session_test, removed_ephemeral_is_not_deleted_again_at_close) {
  uint64_t a = open(1000, 0);
  ASSERT_TRUE(s_->create("/brokers/ids/1", "a", a));
  ASSERT_TRUE(s_->remove("/brokers/ids/1").is_ok());
  ASSERT_TRUE(s_->create("/brokers/ids/1", "persistent now"));
  ASSERT_TRUE(s_->close_session(a).is_ok());
  EXPECT_EQ(value_of(*s_, "/brokers/ids/1"), "persistent now");
}

}  // namespace
}  // namespace brook::runtime::coord::test
