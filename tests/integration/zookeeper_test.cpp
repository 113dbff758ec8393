// The ZooKeeper-backed coordinator against a real ZooKeeper server: the coordinator_actor contract
// the brokers rely on (versions and compare-and-set, ephemeral nodes and sessions, watches that
// keep firing, the chroot), and a request that meets a restarting server.
#include <gtest/gtest.h>

#include <caf/all.hpp>
#include <chrono>
#include <thread>

#include "actors/coord/zk_coordinator.hpp"
#include "harness.hpp"
#include "tests/unit/actors/actor_test_config.hpp"

namespace brook::actors {
namespace {

using net::coord_event;
using net::coord_response;
using net::coord_watch_event;
using net::errc;
using namespace std::chrono_literals;

class ZooKeeperCoordinator : public ::testing::Test {
 protected:
  ZooKeeperCoordinator() : sys_(testutil::actor_test_config()), self_(sys_) {}

  void SetUp() override {
    ASSERT_TRUE(zk_.start()) << zk_.log(0);
    coord_ = spawn_zookeeper_coordinator(sys_, zk_.hosts(), "/test/brook", 6s, 10s);
  }

  ~ZooKeeperCoordinator() override {
    for (auto& c : {coord_, root_})
      if (c) caf::anon_send_exit(c, caf::exit_reason::user_shutdown);
  }

  template <class... Ts>
  coord_response call_on(const coordinator_actor& c, Ts&&... xs) {
    coord_response out;
    out.error = errc::unknown;
    self_->request(c, 20s, std::forward<Ts>(xs)...)
        .receive([&](coord_response& r) { out = std::move(r); },
                 [&](caf::error& e) { out.message = caf::to_string(e); });
    return out;
  }
  template <class... Ts>
  coord_response call(Ts&&... xs) {
    return call_on(coord_, std::forward<Ts>(xs)...);
  }

  // The next watch event for self_, or a default one (path "") after `limit`.
  coord_watch_event next_event(std::chrono::milliseconds limit = 5s) {
    coord_watch_event out;
    self_->receive([&](coord_watch_event& e) { out = std::move(e); },
                   caf::after(limit) >> [] {});
    return out;
  }

  itest::temp_dir dir_;
  itest::zookeeper_ensemble zk_{dir_.path(), 1};
  caf::actor_system sys_;
  caf::scoped_actor self_;
  coordinator_actor coord_, root_;
};

TEST_F(ZooKeeperCoordinator, NodesHaveVersionsAndCompareAndSet) {
  auto created = call(net::coord_create_request{"/a/b/c", "v0", false, 0, true});
  ASSERT_EQ(created.error, errc::none) << created.message;
  EXPECT_EQ(created.version, 0);
  EXPECT_EQ(call(net::coord_create_request{"/a/b/c", "again", false, 0, false}).error, errc::node_exists);
  EXPECT_EQ(call(net::coord_create_request{"/x/y", "", false, 0, false}).error, errc::no_node);
  auto got = call(net::coord_get_request{"/a/b/c"});
  EXPECT_EQ(got.value, "v0");
  EXPECT_EQ(got.version, 0);
  EXPECT_EQ(got.session, 0u);
  auto set = call(net::coord_set_request{"/a/b/c", "v1", 0});
  ASSERT_EQ(set.error, errc::none) << set.message;
  EXPECT_EQ(set.version, 1);
  EXPECT_EQ(call(net::coord_set_request{"/a/b/c", "stale", 0}).error, errc::bad_version);
  EXPECT_EQ(call(net::coord_get_request{"/a/b/c"}).value, "v1");
  EXPECT_EQ(call(net::coord_set_request{"/a/b/c", "blind", -1}).version, 2);
  ASSERT_EQ(call(net::coord_create_request{"/a/b/a", "", false, 0, false}).error, errc::none);
  EXPECT_EQ(call(net::coord_children_request{"/a/b"}).children, (std::vector<std::string>{"a", "c"}));
  EXPECT_EQ(call(net::coord_delete_request{"/a/b", -1}).error, errc::not_empty);
  EXPECT_EQ(call(net::coord_delete_request{"/a/b/c", 0}).error, errc::bad_version);
  EXPECT_EQ(call(net::coord_delete_request{"/a/b/c", 2}).error, errc::none);
  EXPECT_EQ(call(net::coord_get_request{"/a/b/c"}).error, errc::no_node);
  EXPECT_EQ(call(net::coord_delete_request{"/", -1}).error, errc::invalid_request);
  // An empty value reads back empty, and a large one whole.
  std::string big(300 * 1024, 'z');
  ASSERT_EQ(call(net::coord_create_request{"/big", big, false, 0, false}).error, errc::none);
  EXPECT_EQ(call(net::coord_get_request{"/big"}).value, big);
  EXPECT_EQ(call(net::coord_get_request{"/a/b/a"}).value, "");
}

TEST_F(ZooKeeperCoordinator, EphemeralNodesGoWithTheirSession) {
  auto s = call(net::coord_session_open_request{2000});
  ASSERT_EQ(s.error, errc::none) << s.message;
  ASSERT_NE(s.session, 0u);
  ASSERT_EQ(call(net::coord_create_request{"/brokers/ids/1", "me", true, s.session, true}).error, errc::none);
  EXPECT_EQ(call(net::coord_get_request{"/brokers/ids/1"}).session, s.session);
  EXPECT_EQ(call(net::coord_session_request{s.session, false}).error, errc::none);  // alive
  EXPECT_EQ(call(net::coord_create_request{"/brokers/ids/1/x", "", false, 0, false}).error,
            errc::no_children_for_ephemerals);
  ASSERT_EQ(call(net::coord_session_request{s.session, true}).error, errc::none);  // closed
  EXPECT_EQ(call(net::coord_get_request{"/brokers/ids/1"}).error, errc::no_node);
  EXPECT_EQ(call(net::coord_session_request{s.session, false}).error, errc::session_expired);
  EXPECT_EQ(call(net::coord_create_request{"/e", "", true, 12345, false}).error, errc::session_expired);
  EXPECT_EQ(call(net::coord_create_request{"/e", "", true, 0, false}).error, errc::invalid_request);
  EXPECT_EQ(call(net::coord_session_open_request{0}).error, errc::invalid_session_timeout);
}

TEST_F(ZooKeeperCoordinator, WatchesKeepFiringAndNameThePathUnderTheChroot) {
  auto me = caf::actor_cast<caf::actor>(self_);
  ASSERT_EQ(call(watch_atom::value, std::string("/w"), me).error, errc::none);
  ASSERT_EQ(call(net::coord_create_request{"/w", "", false, 0, false}).error, errc::none);
  auto e = next_event();
  EXPECT_EQ(e.path, "/w");
  EXPECT_EQ(e.type, int8_t(coord_event::created));
  for (int i = 0; i < 3; ++i) {  // the watch is armed again after every event
    ASSERT_EQ(call(net::coord_set_request{"/w", std::to_string(i), -1}).error, errc::none);
    e = next_event();
    EXPECT_EQ(e.path, "/w");
    EXPECT_EQ(e.type, int8_t(coord_event::changed));
  }
  ASSERT_EQ(call(net::coord_create_request{"/w/child", "", false, 0, false}).error, errc::none);
  e = next_event();
  EXPECT_EQ(e.path, "/w");
  EXPECT_EQ(e.type, int8_t(coord_event::children_changed));
  ASSERT_EQ(call(net::coord_delete_request{"/w/child", -1}).error, errc::none);
  EXPECT_EQ(next_event().type, int8_t(coord_event::children_changed));
  // After an unwatch no more events come.
  self_->send(coord_, unwatch_atom::value, std::string("/w"), me);
  ASSERT_EQ(call(net::coord_set_request{"/w", "quiet", -1}).error, errc::none);
  EXPECT_EQ(next_event(1s).path, "");
  // In ZooKeeper itself the nodes are under the chroot.
  root_ = spawn_zookeeper_coordinator(sys_, zk_.hosts(), "", 6s, 10s);
  EXPECT_EQ(call_on(root_, net::coord_get_request{"/test/brook/w"}).value, "quiet");
}

// A request made while the only server restarts waits for the client to reconnect and succeeds;
// the session (and its ephemeral node) survives.
TEST_F(ZooKeeperCoordinator, ARequestDuringAServerRestartIsAnsweredAfterIt) {
  auto s = call(net::coord_session_open_request{6000});
  ASSERT_EQ(s.error, errc::none) << s.message;
  ASSERT_EQ(call(net::coord_create_request{"/alive", "", true, s.session, false}).error, errc::none);
  zk_.kill9(0);
  std::thread restart([&] { EXPECT_TRUE(zk_.start_member(0)) << zk_.log(0); });
  auto r = call(net::coord_set_request{"/alive", "after", -1});
  restart.join();
  EXPECT_EQ(r.error, errc::none) << r.message;
  EXPECT_EQ(call(net::coord_get_request{"/alive"}).session, s.session);
  EXPECT_EQ(call(net::coord_session_request{s.session, false}).error, errc::none);
}

// Nothing answers at the address: the actor says so and ends, as a lost coordinator does.
TEST(ZooKeeperCoordinatorDown, NoServerEndsTheActorWithTheReason) {
  caf::actor_system sys{testutil::actor_test_config()};
  caf::scoped_actor self{sys};
  auto c = spawn_zookeeper_coordinator(sys, "127.0.0.1:1", "", 2s, 500ms);
  self->monitor(c);
  bool down = false;
  self->receive([&](caf::down_msg& dm) { down = dm.reason != caf::none; }, caf::after(10s) >> [] {});
  EXPECT_TRUE(down);
}

}  // namespace
}  // namespace brook::actors
