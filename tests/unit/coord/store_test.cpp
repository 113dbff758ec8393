// Nodes of the coordinator store: create/get/children, compare-and-set, remove.
#include <gtest/gtest.h>

#include "tests/unit/coord/coord_test_util.hpp"

namespace brook::runtime::coord::test {
namespace {

class store_test : public store_fixture {};

TEST_F(store_test, create_then_get_returns_value_and_stat) {
  auto v = s_->create("/controller", "broker-1");
  ASSERT_TRUE(v.has_value()) << v.error().to_string();
  EXPECT_EQ(*v, 0);
  auto d = s_->get("/controller");
  ASSERT_TRUE(d.has_value());
  EXPECT_EQ(d->value, "broker-1");
  EXPECT_EQ(d->version, 0);
  EXPECT_EQ(d->ephemeral_session, 0u);
  EXPECT_EQ(d->created_seq, 1);
  EXPECT_EQ(d->modified_seq, 1);
  EXPECT_EQ(s_->seq(), 1);
  EXPECT_TRUE(s_->exists("/controller"));
  EXPECT_FALSE(s_->exists("/other"));
  EXPECT_EQ(s_->get("/other").error().code(), errc::no_node);
}

TEST_F(store_test, values_may_hold_any_bytes) {
  std::string v("a\0b\xff", 4);
  ASSERT_TRUE(s_->create("/bin", v));
  EXPECT_EQ(value_of(*s_, "/bin"), v);
}

TEST_F(store_test, create_errors) {
  ASSERT_TRUE(s_->create("/a", "x"));
  EXPECT_EQ(s_->create("/a", "y").error().code(), errc::node_exists);
  EXPECT_EQ(s_->create("/", "y").error().code(), errc::node_exists);
  EXPECT_EQ(s_->create("/missing/child", "y").error().code(), errc::no_node);
  EXPECT_EQ(s_->create("a", "y").error().code(), errc::invalid_request);
  EXPECT_EQ(s_->create("/a/", "y").error().code(), errc::invalid_request);
  EXPECT_EQ(s_->create("/a//b", "y").error().code(), errc::invalid_request);
  EXPECT_EQ(s_->create("/big", std::string(format::max_value_bytes + 1, 'v')).error().code(),
            errc::message_too_large);
  EXPECT_EQ(value_of(*s_, "/a"), "x");
  EXPECT_EQ(s_->seq(), 1);  // failed creates change nothing
}

TEST_F(store_test, make_parents_creates_missing_ancestors_each_with_its_own_seq) {
  ASSERT_TRUE(s_->create("/brokers", ""));
  ASSERT_TRUE(s_->create("/brokers/topics/t/partitions/0/state", "{}", 0, true));
  EXPECT_EQ(value_of(*s_, "/brokers/topics/t/partitions/0/state"), "{}");
  EXPECT_EQ(value_of(*s_, "/brokers/topics/t"), "");
  EXPECT_EQ(s_->get("/brokers/topics")->created_seq, 2);
  EXPECT_EQ(s_->get("/brokers/topics/t/partitions/0/state")->created_seq, 6);
  EXPECT_EQ(s_->seq(), 6);
  EXPECT_EQ(*s_->children("/brokers/topics/t/partitions"), std::vector<std::string>{"0"});
}

TEST_F(store_test, children_are_sorted_names) {
  for (const char* p : {"/b", "/a", "/c", "/a/z", "/a/y", "/a/x/deep"}) {
    ASSERT_TRUE(s_->create(p, "", 0, true)) << p;
  }
  EXPECT_EQ(*s_->children("/"), (std::vector<std::string>{"a", "b", "c"}));
  EXPECT_EQ(*s_->children("/a"), (std::vector<std::string>{"x", "y", "z"}));
  EXPECT_TRUE(s_->children("/b")->empty());
  EXPECT_EQ(s_->children("/nope").error().code(), errc::no_node);
  EXPECT_EQ(s_->children("/a/").error().code(), errc::invalid_request);
  ASSERT_TRUE(s_->remove("/a/y").is_ok());
  EXPECT_EQ(*s_->children("/a"), (std::vector<std::string>{"x", "z"}));
}

TEST_F(store_test, set_bumps_version_and_modified_seq) {
  ASSERT_TRUE(s_->create("/k", "v0"));
  auto v = s_->set("/k", "v1");
  ASSERT_TRUE(v.has_value());
  EXPECT_EQ(*v, 1);
  EXPECT_EQ(*s_->set("/k", "v1"), 2);  // every set is a change, same value or not
  auto d = s_->get("/k");
  EXPECT_EQ(d->value, "v1");
  EXPECT_EQ(d->version, 2);
  EXPECT_EQ(d->created_seq, 1);
  EXPECT_EQ(d->modified_seq, 3);
  EXPECT_EQ(s_->set("/none", "x").error().code(), errc::no_node);
}

TEST_F(store_test, cas_conflict_second_writer_gets_bad_version) {
  ASSERT_TRUE(s_->create("/controller_epoch", "0"));
  // Two writers read version 0.
  int64_t seen_by_a = s_->get("/controller_epoch")->version;
  int64_t seen_by_b = s_->get("/controller_epoch")->version;
  ASSERT_EQ(seen_by_a, 0);
  ASSERT_EQ(seen_by_b, 0);
  auto a = s_->set("/controller_epoch", "1-by-a", seen_by_a);
  ASSERT_TRUE(a.has_value()) << a.error().to_string();
  EXPECT_EQ(*a, 1);
  auto b = s_->set("/controller_epoch", "1-by-b", seen_by_b);
  ASSERT_FALSE(b.has_value());
  EXPECT_EQ(b.error().code(), errc::bad_version);
  EXPECT_EQ(value_of(*s_, "/controller_epoch"), "1-by-a");
  EXPECT_EQ(s_->get("/controller_epoch")->version, 1);
  EXPECT_EQ(s_->seq(), 2);
  // B re-reads and retries.
  EXPECT_EQ(*s_->set("/controller_epoch", "2-by-b", s_->get("/controller_epoch")->version), 2);
}

TEST_F(store_test, remove_with_stale_version_fails) {
  ASSERT_TRUE(s_->create("/k", "v0"));
  ASSERT_TRUE(s_->set("/k", "v1"));
  status stale = s_->remove("/k", 0);
  EXPECT_EQ(stale.code(), errc::bad_version);
  EXPECT_TRUE(s_->exists("/k"));
  EXPECT_TRUE(s_->remove("/k", 1).is_ok());
  EXPECT_FALSE(s_->exists("/k"));
  EXPECT_EQ(s_->remove("/k").code(), errc::no_node);
}

TEST_F(store_test, remove_refuses_nodes_with_children_and_the_root) {
  ASSERT_TRUE(s_->create("/a/b", "", 0, true));
  EXPECT_EQ(s_->remove("/a").code(), errc::not_empty);
  EXPECT_EQ(s_->remove("/").code(), errc::invalid_request);
  EXPECT_TRUE(s_->remove("/a/b").is_ok());
  EXPECT_TRUE(s_->remove("/a").is_ok());
  EXPECT_TRUE(s_->children("/")->empty());
}

TEST_F(store_test, recreated_node_starts_over_at_version_zero) {
  ASSERT_TRUE(s_->create("/k", "a"));
  ASSERT_TRUE(s_->set("/k", "b"));
  ASSERT_TRUE(s_->remove("/k").is_ok());
  ASSERT_TRUE(s_->create("/k", "c"));
  auto d = s_->get("/k");
  EXPECT_EQ(d->version, 0);
  EXPECT_EQ(d->created_seq, 4);
  EXPECT_EQ(s_->set("/k", "d", 1).error().code(), errc::bad_version);
}

}  // namespace
}  // namespace brook::runtime::coord::test
