// The metadata coordinator actor through its messages: CAS, session expiry, watches, restart.
#include "actor_test_config.hpp"
#include "actors/coord/coordinator_actor.hpp"

#include <gtest/gtest.h>

#include <caf/all.hpp>
#include <chrono>
#include <fstream>
#include <thread>

#include "tests/temp_dir.hpp"

namespace brook::actors {
namespace {

using net::coord_response;
using net::errc;
using namespace std::chrono_literals;

class coordinator_actor_test : public ::testing::Test {
 protected:
  coordinator_actor_test() : sys_(testutil::actor_test_config()), self_(sys_) {
    coord_ = spawn_coordinator(sys_, dir_.path());
  }
  ~coordinator_actor_test() override { stop(); }

  template <class... Ts>
  coord_response call(Ts&&... xs) {
    coord_response out;
    out.error = errc::unknown;
    self_->request(coord_, 5s, std::forward<Ts>(xs)...)
        .receive([&](coord_response& r) { out = std::move(r); },
                 [&](caf::error& e) { out.message = caf::to_string(e); });
    return out;
  }

  // Stops the coordinator and waits until it is gone (its store closed).
  void stop() {
    if (!coord_) return;
    self_->monitor(coord_);
    self_->send_exit(coord_, caf::exit_reason::user_shutdown);
    self_->receive([](caf::down_msg&) {},
                   caf::after(5s) >> [] { ADD_FAILURE() << "coordinator did not stop"; });
    coord_ = nullptr;
  }

  testutil::temp_dir dir_;
  caf::actor_system sys_;
  caf::scoped_actor self_;
  coordinator_actor coord_;
};

TEST(coord_messages, msgpack_round_trip) {
  coord_response r{errc::bad_version, "m", 7, "v", {"a", "b"}, 42, 99};
  msgpack::sbuffer buf;
  msgpack::pack(buf, r);
  auto back = msgpack::unpack(buf.data(), buf.size()).get().as<coord_response>();
  EXPECT_EQ(back.error, errc::bad_version);
  EXPECT_EQ(back.message, "m");
  EXPECT_EQ(back.version, 7);
  EXPECT_EQ(back.value, "v");
  EXPECT_EQ(back.children, (std::vector<std::string>{"a", "b"}));
  EXPECT_EQ(back.session, 42u);
  EXPECT_EQ(back.seq, 99);

  net::coord_create_request c{"/a/b", "x", true, 5, true};
  buf.clear();
  msgpack::pack(buf, c);
  auto c2 = msgpack::unpack(buf.data(), buf.size()).get().as<net::coord_create_request>();
  EXPECT_EQ(c2.path, "/a/b");
  EXPECT_EQ(c2.value, "x");
  EXPECT_TRUE(c2.ephemeral);
  EXPECT_EQ(c2.session, 5u);
  EXPECT_TRUE(c2.make_parents);
}

TEST_F(coordinator_actor_test, create_get_set_with_cas_conflict) {
  auto c = call(net::coord_create_request{"/config/topics/t", "v0", false, 0, true});
  ASSERT_EQ(c.error, errc::none) << c.message;
  EXPECT_EQ(c.version, 0);
  EXPECT_EQ(call(net::coord_create_request{"/config/topics/t", "again", false, 0, false}).error,
            errc::node_exists);

  auto g = call(net::coord_get_request{"/config/topics/t"});
  ASSERT_EQ(g.error, errc::none);
  EXPECT_EQ(g.value, "v0");
  EXPECT_EQ(g.version, 0);

  auto s = call(net::coord_set_request{"/config/topics/t", "v1", 0});
  ASSERT_EQ(s.error, errc::none) << s.message;
  EXPECT_EQ(s.version, 1);
  // A second writer that read version 0 loses.
  auto conflict = call(net::coord_set_request{"/config/topics/t", "stale", 0});
  EXPECT_EQ(conflict.error, errc::bad_version);
  g = call(net::coord_get_request{"/config/topics/t"});
  EXPECT_EQ(g.value, "v1");
  EXPECT_EQ(g.version, 1);

  auto ch = call(net::coord_children_request{"/config/topics"});
  EXPECT_EQ(ch.children, std::vector<std::string>{"t"});
  EXPECT_EQ(call(net::coord_delete_request{"/config/topics/t", 0}).error, errc::bad_version);
  EXPECT_EQ(call(net::coord_delete_request{"/config/topics/t", 1}).error, errc::none);
  EXPECT_EQ(call(net::coord_get_request{"/config/topics/t"}).error, errc::no_node);
}

TEST_F(coordinator_actor_test, ephemeral_key_goes_with_a_silent_session_only) {
  auto silent = call(net::coord_session_open_request{300});
  auto alive = call(net::coord_session_open_request{300});
  ASSERT_EQ(silent.error, errc::none);
  ASSERT_EQ(alive.error, errc::none);
  ASSERT_NE(silent.session, alive.session);
  ASSERT_EQ(
      call(net::coord_create_request{"/brokers/ids/1", "a", true, silent.session, true}).error,
      errc::none);
  ASSERT_EQ(call(net::coord_create_request{"/brokers/ids/2", "b", true, alive.session, true}).error,
            errc::none);
  EXPECT_EQ(call(net::coord_get_request{"/brokers/ids/1"}).session, silent.session);

  auto deadline = std::chrono::steady_clock::now() + 3s;
  bool gone = false;
  while (!gone && std::chrono::steady_clock::now() < deadline) {
    ASSERT_EQ(call(net::coord_session_request{alive.session, false}).error, errc::none);
    gone = call(net::coord_get_request{"/brokers/ids/1"}).error == errc::no_node;
    if (!gone) std::this_thread::sleep_for(50ms);
  }
  EXPECT_TRUE(gone) << "the silent session's ephemeral key outlived its timeout";
  EXPECT_EQ(call(net::coord_get_request{"/brokers/ids/2"}).value, "b");
  EXPECT_EQ(call(net::coord_session_request{silent.session, false}).error, errc::session_expired);

  // Closing the live session removes its key at once.
  EXPECT_EQ(call(net::coord_session_request{alive.session, true}).error, errc::none);
  EXPECT_EQ(call(net::coord_get_request{"/brokers/ids/2"}).error, errc::no_node);
  EXPECT_EQ(call(net::coord_create_request{"/e", "x", true, 0, false}).error,
            errc::invalid_request);
}

TEST_F(coordinator_actor_test, subscriber_gets_one_event_per_change) {
  caf::scoped_actor sub{sys_};
  auto w = call(watch_atom::value, std::string("/controller"), caf::actor_cast<caf::actor>(sub));
  ASSERT_EQ(w.error, errc::none) << w.message;

  auto c = call(net::coord_create_request{"/controller", "1", false, 0, false});
  auto s = call(net::coord_set_request{"/controller", "2", -1});
  auto child = call(net::coord_create_request{"/controller/x", "", false, 0, false});
  ASSERT_EQ(call(net::coord_delete_request{"/controller/x", -1}).error, errc::none);
  auto d = call(net::coord_delete_request{"/controller", -1});
  ASSERT_EQ(d.error, errc::none);

  std::vector<net::coord_watch_event> got;
  bool quiet = false;
  while (!quiet)
    sub->receive([&](net::coord_watch_event& e) { got.push_back(std::move(e)); },
                 caf::after(got.size() < 5 ? 2s : 200ms) >> [&] { quiet = true; });
  using net::coord_event;
  std::vector<std::pair<int8_t, int64_t>> want = {
      {int8_t(coord_event::created), c.seq},
      {int8_t(coord_event::changed), s.seq},
      {int8_t(coord_event::children_changed), child.seq},
      {int8_t(coord_event::children_changed), child.seq + 1},
      {int8_t(coord_event::deleted), d.seq}};
  ASSERT_EQ(got.size(), want.size());
  for (size_t i = 0; i < got.size(); ++i) {
    EXPECT_EQ(got[i].path, "/controller");
    EXPECT_EQ(got[i].type, want[i].first) << i;
    EXPECT_EQ(got[i].seq, want[i].second) << i;
  }

  // After unwatch nothing more arrives.
  caf::anon_send(coord_, unwatch_atom::value, std::string("/controller"),
                 caf::actor_cast<caf::actor>(sub));
  ASSERT_EQ(call(net::coord_create_request{"/controller", "3", false, 0, false}).error, errc::none);
  bool more = false;
  sub->receive([&](net::coord_watch_event&) { more = true; }, caf::after(200ms) >> [] {});
  EXPECT_FALSE(more);
}

TEST_F(coordinator_actor_test, dead_subscriber_loses_its_watches) {
  auto sub = sys_.spawn([]() -> caf::behavior { return {[](net::coord_watch_event&) {}}; });
  ASSERT_EQ(call(watch_atom::value, std::string("/a"), sub).error, errc::none);
  self_->monitor(sub);
  self_->send_exit(sub, caf::exit_reason::kill);
  self_->receive([](caf::down_msg&) {});
  sub = nullptr;
  // The coordinator keeps serving (its down handler dropped the subscriber).
  EXPECT_EQ(call(net::coord_create_request{"/a", "x", false, 0, false}).error, errc::none);
  EXPECT_EQ(call(net::coord_get_request{"/a"}).value, "x");
}

TEST_F(coordinator_actor_test, restart_recovers_keys) {
  ASSERT_EQ(call(net::coord_create_request{"/brokers/topics/t/partitions/0/state", "leader=1",
                                           false, 0, true})
                .error,
            errc::none);
  ASSERT_EQ(
      call(net::coord_set_request{"/brokers/topics/t/partitions/0/state", "leader=2", 0}).error,
      errc::none);
  auto sess = call(net::coord_session_open_request{10000});
  ASSERT_EQ(call(net::coord_create_request{"/brokers/ids/3", "e", true, sess.session, true}).error,
            errc::none);
  stop();

  coord_ = spawn_coordinator(sys_, dir_.path());
  auto g = call(net::coord_get_request{"/brokers/topics/t/partitions/0/state"});
  ASSERT_EQ(g.error, errc::none) << g.message;
  EXPECT_EQ(g.value, "leader=2");
  EXPECT_EQ(g.version, 1);
  // The session came back with its ephemeral key and may keep heartbeating.
  EXPECT_EQ(call(net::coord_get_request{"/brokers/ids/3"}).session, sess.session);
  EXPECT_EQ(call(net::coord_session_request{sess.session, false}).error, errc::none);
}

TEST_F(coordinator_actor_test, unopenable_dir_stops_the_actor_with_an_error) {
  // A regular file where a directory should be: nothing can be created below it.
  { std::ofstream(dir_.file("file")) << "x"; }
  auto bad = spawn_coordinator(sys_, dir_.file("file") + "/sub");
  self_->monitor(bad);
  caf::error reason;
  self_->receive([&](caf::down_msg& dm) { reason = dm.reason; },
                 caf::after(5s) >> [] { ADD_FAILURE() << "coordinator kept running"; });
  EXPECT_TRUE(reason);
  EXPECT_NE(reason, caf::exit_reason::normal);
}

}  // namespace
}  // namespace brook::actors
