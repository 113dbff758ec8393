// The coordinator over the native protocol: a real frame_server with coord_session_factory in
// front of a real coordinator, driven through spawn_remote_coordinator and through raw sockets.
#include <arpa/inet.h>
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <atomic>
#include <caf/all.hpp>
#include <chrono>
#include <optional>
#include <thread>

#include "actor_test_config.hpp"
#include "actors/coord/coord_proxy.hpp"
#include "actors/directory/actor_registry.hpp"
#include "actors/coord/coord_server.hpp"
#include "actors/coord/coordinator_actor.hpp"
#include "net/frame_server.hpp"
#include "net/native_codec.hpp"
#include "tests/temp_dir.hpp"

namespace brook::actors {
namespace {

using net::coord_response;
using net::coord_watch_event;
using net::errc;
using net::native_type;
using namespace std::chrono_literals;

// A blocking TCP client with a receive timeout, for byte-level checks.
class raw_client {
 public:
  explicit raw_client(uint16_t port) {
    fd_ = ::socket(AF_INET, SOCK_STREAM, 0);
    sockaddr_in a{};
    a.sin_family = AF_INET;
    a.sin_port = htons(port);
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    ok_ = ::connect(fd_, reinterpret_cast<sockaddr*>(&a), sizeof a) == 0;
    timeval tv{5, 0};
    ::setsockopt(fd_, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
  }
  ~raw_client() { ::close(fd_); }
  bool ok() const { return ok_; }

  void send_payload(const runtime::bytes& payload) {
    runtime::bytes frame(4 + payload.size());
    runtime::store_be32(frame.data(), uint32_t(payload.size()));
    std::copy(payload.begin(), payload.end(), frame.begin() + 4);
    send_frame(frame);
  }
  void send_frame(const runtime::bytes& frame) { ::send(fd_, frame.data(), frame.size(), 0); }

  // The next frame, decoded; nullopt on timeout, close or garbage.
  std::optional<net::native_frame> read() {
    uint8_t header[4];
    if (!read_exact(header, 4)) return std::nullopt;
    runtime::bytes payload(runtime::load_be32(header));
    if (!read_exact(payload.data(), payload.size())) return std::nullopt;
    auto f = net::decode_frame(payload.data(), payload.size());
    if (!f) return std::nullopt;
    return std::move(*f);
  }

 private:
  bool read_exact(uint8_t* p, size_t n) {
    while (n > 0) {
      auto got = ::recv(fd_, p, n, 0);
      if (got <= 0) return false;
      p += got;
      n -= size_t(got);
    }
    return true;
  }
  int fd_ = -1;
  bool ok_ = false;
};

runtime::bytes msgpack_bytes(const msgpack::sbuffer& b) {
  return runtime::bytes(reinterpret_cast<const uint8_t*>(b.data()),
                        reinterpret_cast<const uint8_t*>(b.data()) + b.size());
}

// Accepts connections and never answers: keeps proxy requests pending.
class silent_handler : public net::frame_handler {
 public:
  explicit silent_handler(std::atomic<int>& frames) : frames_(frames) {}
  void on_frame(const uint8_t*, size_t) override { ++frames_; }
  void on_close() override {}

 private:
  std::atomic<int>& frames_;
};

class coord_remote_test : public ::testing::Test {
 protected:
  coord_remote_test() : sys_(testutil::actor_test_config()), self_(sys_) {
    coord_ = spawn_coordinator(sys_, dir_.path());
    server_ = std::make_unique<net::frame_server>(pool_, runtime::endpoint{"127.0.0.1", 0},
                                                  net::server_options{"coord"},
                                                  coord_session_factory(sys_, coord_, std::make_shared<actor_registry>()));
    auto port = server_->start();
    EXPECT_TRUE(port) << port.error().message();
    ep_ = {"127.0.0.1", port ? *port : uint16_t(0)};
  }

  ~coord_remote_test() override {
    for (auto& p : proxies_) stop(caf::actor_cast<caf::actor>(p), caf::exit_reason::kill);
    if (server_) server_->stop();
    stop(caf::actor_cast<caf::actor>(coord_), caf::exit_reason::user_shutdown);
  }

  coordinator_actor proxy(std::optional<runtime::endpoint> ep = std::nullopt) {
    auto p = spawn_remote_coordinator(sys_, ep ? *ep : ep_, 5s);
    proxies_.push_back(p);
    return p;
  }

  template <class... Ts>
  coord_response call(const coordinator_actor& c, Ts&&... xs) {
    coord_response out;
    out.error = errc::unknown;
    self_->request(c, 5s, std::forward<Ts>(xs)...)
        .receive([&](coord_response& r) { out = std::move(r); },
                 [&](caf::error& e) { out.message = caf::to_string(e); });
    return out;
  }

  // Sends `reason` to `a` and returns how it ended (nullopt: still running after 5 s).
  std::optional<caf::error> stop(const caf::actor& a, caf::exit_reason reason) {
    self_->monitor(a);
    self_->send_exit(a, reason);
    return wait_down(a);
  }
  std::optional<caf::error> wait_down(const caf::actor& a) {
    std::optional<caf::error> out;
    bool timed_out = false;
    self_->receive_while([&] { return !out && !timed_out; })(
        [&](caf::down_msg& dm) {
          if (dm.source == a.address()) out = dm.reason;
        },
        caf::after(5s) >> [&] { timed_out = true; });
    return out;
  }

  // The next watch event for `sub`; nullopt when none comes within `wait`.
  static std::optional<coord_watch_event> next_event(caf::scoped_actor& sub,
                                                     caf::timespan wait = 5s) {
    std::optional<coord_watch_event> out;
    sub->receive([&](coord_watch_event& e) { out = std::move(e); }, caf::after(wait) >> [] {});
    return out;
  }

  testutil::temp_dir dir_;
  caf::actor_system sys_;
  caf::scoped_actor self_;
  net::io_pool pool_{1};
  coordinator_actor coord_;
  std::unique_ptr<net::frame_server> server_;
  runtime::endpoint ep_;
  std::vector<coordinator_actor> proxies_;
};

TEST_F(coord_remote_test, create_get_set_with_cas_conflict_over_the_wire) {
  auto p = proxy();
  auto c = call(p, net::coord_create_request{"/brokers/ids/1", "h:1", false, 0, true});
  ASSERT_EQ(c.error, errc::none) << c.message;
  EXPECT_EQ(c.version, 0);
  EXPECT_GT(c.seq, 0);
  EXPECT_EQ(call(p, net::coord_create_request{"/brokers/ids/1", "x"}).error, errc::node_exists);

  auto g = call(p, net::coord_get_request{"/brokers/ids/1"});
  ASSERT_EQ(g.error, errc::none);
  EXPECT_EQ(g.value, "h:1");
  EXPECT_EQ(g.version, 0);

  auto s = call(p, net::coord_set_request{"/brokers/ids/1", "h:2", 0});
  ASSERT_EQ(s.error, errc::none);
  EXPECT_EQ(s.version, 1);
  auto conflict = call(p, net::coord_set_request{"/brokers/ids/1", "h:3", 0});
  EXPECT_EQ(conflict.error, errc::bad_version);
  EXPECT_FALSE(conflict.message.empty());
  EXPECT_EQ(call(p, net::coord_get_request{"/brokers/ids/1"}).value, "h:2");

  EXPECT_EQ(call(p, net::coord_children_request{"/brokers/ids"}).children,
            std::vector<std::string>{"1"});
  EXPECT_EQ(call(p, net::coord_delete_request{"/brokers/ids/1", 0}).error, errc::bad_version);
  EXPECT_EQ(call(p, net::coord_delete_request{"/brokers/ids/1", 1}).error, errc::none);
  EXPECT_EQ(call(p, net::coord_get_request{"/brokers/ids/1"}).error, errc::no_node);
  // The local coordinator sees what the remote client did.
  EXPECT_EQ(call(coord_, net::coord_children_request{"/brokers/ids"}).children.size(), 0u);
}

TEST_F(coord_remote_test, watch_through_proxy_delivers_one_event_per_change) {
  auto p = proxy();
  caf::scoped_actor a(sys_);
  caf::scoped_actor b(sys_);
  auto sub_a = caf::actor_cast<caf::actor>(a);
  ASSERT_EQ(call(p, watch_atom::value, std::string("/w"), sub_a).error, errc::none);
  // Watching twice and a second subscriber on the same path still give one event each.
  ASSERT_EQ(call(p, watch_atom::value, std::string("/w"), sub_a).error, errc::none);
  ASSERT_EQ(call(p, watch_atom::value, std::string("/w"), caf::actor_cast<caf::actor>(b)).error,
            errc::none);

  ASSERT_EQ(call(p, net::coord_create_request{"/w", "1"}).error, errc::none);
  ASSERT_EQ(call(p, net::coord_set_request{"/w", "2"}).error, errc::none);
  ASSERT_EQ(call(coord_, net::coord_delete_request{"/w"}).error, errc::none);  // a local change
  for (auto* sub : {&a, &b}) {
    std::vector<int8_t> types;
    while (auto e = next_event(*sub, types.size() < 3 ? 5s : 300ms)) {
      EXPECT_EQ(e->path, "/w");
      EXPECT_GT(e->seq, 0);
      types.push_back(e->type);
    }
    EXPECT_EQ(types, (std::vector<int8_t>{int8_t(net::coord_event::created),
                                          int8_t(net::coord_event::changed),
                                          int8_t(net::coord_event::deleted)}));
  }

  caf::anon_send(p, unwatch_atom::value, std::string("/w"), sub_a);
  ASSERT_EQ(call(p, net::coord_create_request{"/w", "3"}).error, errc::none);
  auto e = next_event(b);
  ASSERT_TRUE(e);
  EXPECT_EQ(e->type, int8_t(net::coord_event::created));
  EXPECT_FALSE(next_event(a, 300ms)) << "an unwatched subscriber still got an event";
}

TEST_F(coord_remote_test, killed_proxy_ends_its_sessions_and_their_ephemeral_nodes_at_once) {
  auto owner = proxy();
  auto open = call(owner, net::coord_session_open_request{60000});
  ASSERT_EQ(open.error, errc::none);
  ASSERT_NE(open.session, 0u);
  ASSERT_EQ(
      call(owner, net::coord_create_request{"/brokers/ids/7", "h", true, open.session, true}).error,
      errc::none);

  auto other = proxy();
  caf::scoped_actor sub(sys_);
  ASSERT_EQ(call(other, watch_atom::value, std::string("/brokers/ids/7"),
                 caf::actor_cast<caf::actor>(sub))
                .error,
            errc::none);
  EXPECT_EQ(call(other, net::coord_get_request{"/brokers/ids/7"}).session, open.session);

  auto how = stop(caf::actor_cast<caf::actor>(owner), caf::exit_reason::kill);
  ASSERT_TRUE(how);
  // The session timeout is a minute: an event within seconds means the closed connection
  // closed the session.
  auto e = next_event(sub, 10s);
  ASSERT_TRUE(e) << "ephemeral node outlived its connection";
  EXPECT_EQ(e->type, int8_t(net::coord_event::deleted));
  EXPECT_EQ(call(other, net::coord_get_request{"/brokers/ids/7"}).error, errc::no_node);
  EXPECT_EQ(call(other, net::coord_session_request{open.session}).error, errc::session_expired);
}

TEST_F(coord_remote_test, malformed_frames_get_error_frames_and_the_connection_keeps_serving) {
  raw_client c(ep_.port);
  ASSERT_TRUE(c.ok());
  c.send_payload({0xc1});  // never-used msgpack byte
  msgpack::sbuffer unknown;
  msgpack::packer<msgpack::sbuffer>(unknown).pack(std::make_tuple(uint16_t(999), uint32_t(7), 0));
  c.send_payload(msgpack_bytes(unknown));
  msgpack::sbuffer wrong_body;
  msgpack::packer<msgpack::sbuffer>(wrong_body)
      .pack(std::make_tuple(uint16_t(native_type::coord_get), uint32_t(8), 5));
  c.send_payload(msgpack_bytes(wrong_body));
  c.send_frame(
      net::encode_request(native_type::coord_create, 9, net::coord_create_request{"/raw", "v"}));

  for (uint32_t corr : {0u, 7u, 8u}) {
    auto f = c.read();
    ASSERT_TRUE(f);
    EXPECT_EQ(f->type, uint16_t(native_type::error) | net::response_flag);
    EXPECT_EQ(f->correlation_id, corr);
    auto st = net::body_as<net::status_response>(*f);
    ASSERT_TRUE(st);
    EXPECT_EQ(st->error, errc::invalid_request);
  }
  auto ok = c.read();
  ASSERT_TRUE(ok);
  EXPECT_EQ(ok->type, uint16_t(native_type::coord_create) | net::response_flag);
  EXPECT_EQ(ok->correlation_id, 9u);
  EXPECT_EQ(net::body_as<coord_response>(*ok)->error, errc::none);
}

TEST_F(coord_remote_test, watch_events_are_pushed_as_coord_event_frames) {
  raw_client c(ep_.port);
  ASSERT_TRUE(c.ok());
  c.send_frame(net::encode_request(native_type::coord_watch, 1, net::coord_watch_request{"/e"}));
  auto w = c.read();
  ASSERT_TRUE(w);
  EXPECT_EQ(w->type, uint16_t(native_type::coord_watch) | net::response_flag);
  EXPECT_EQ(net::body_as<coord_response>(*w)->error, errc::none);

  c.send_frame(
      net::encode_request(native_type::coord_create, 2, net::coord_create_request{"/e", ""}));
  std::optional<coord_watch_event> event;
  bool answered = false;
  for (int i = 0; i < 2; ++i) {
    auto f = c.read();
    ASSERT_TRUE(f);
    if (f->type == uint16_t(native_type::coord_event)) {
      EXPECT_EQ(f->correlation_id, 0u);
      event = *net::body_as<coord_watch_event>(*f);
    } else {
      EXPECT_EQ(f->type, uint16_t(native_type::coord_create) | net::response_flag);
      EXPECT_EQ(f->correlation_id, 2u);
      answered = true;
    }
  }
  EXPECT_TRUE(answered);
  ASSERT_TRUE(event);
  EXPECT_EQ(event->path, "/e");
  EXPECT_EQ(event->type, int8_t(net::coord_event::created));

  c.send_frame(net::encode_request(native_type::coord_unwatch, 3, net::coord_watch_request{"/e"}));
  auto u = c.read();
  ASSERT_TRUE(u);
  EXPECT_EQ(u->type, uint16_t(native_type::coord_unwatch) | net::response_flag);
}

TEST_F(coord_remote_test, proxy_quits_with_an_error_when_the_server_stops) {
  auto p = proxy();
  ASSERT_EQ(call(p, net::coord_get_request{"/"}).error, errc::none);
  self_->monitor(p);
  server_->stop();
  auto how = wait_down(caf::actor_cast<caf::actor>(p));
  ASSERT_TRUE(how);
  EXPECT_EQ(*how, caf::sec::runtime_error) << caf::to_string(*how);
  EXPECT_NE(call(p, net::coord_get_request{"/"}).error, errc::none);
}

TEST_F(coord_remote_test, pending_requests_get_an_error_when_the_proxy_ends) {
  std::atomic<int> frames{0};
  net::frame_server silent(pool_, runtime::endpoint{"127.0.0.1", 0}, net::server_options{"silent"},
                           [&frames](std::shared_ptr<net::connection>) {
                             return std::make_unique<silent_handler>(frames);
                           });
  auto port = silent.start();
  ASSERT_TRUE(port);
  auto lost = proxy(runtime::endpoint{"127.0.0.1", *port});
  auto killed = proxy(runtime::endpoint{"127.0.0.1", *port});
  auto to_lost = self_->request(lost, 10s, net::coord_get_request{"/"});
  auto to_killed = self_->request(killed, 10s, net::coord_get_request{"/"});
  for (int i = 0; i < 500 && frames < 2; ++i) std::this_thread::sleep_for(10ms);
  ASSERT_EQ(frames, 2) << "the requests never reached the server";
  auto answer = [](auto& pending) {
    coord_response r;
    pending.receive([&](coord_response& x) { r = std::move(x); },
                    [&](caf::error& e) { r.message = caf::to_string(e); });
    return r;
  };

  // Killed (no exit handler runs): its requester still gets an answer, not a timeout.
  stop(caf::actor_cast<caf::actor>(killed), caf::exit_reason::kill);
  auto r = answer(to_killed);
  EXPECT_EQ(r.error, errc::network_error) << r.message;

  self_->monitor(lost);
  silent.stop();
  r = answer(to_lost);
  EXPECT_EQ(r.error, errc::network_error) << r.message;
  auto how = wait_down(caf::actor_cast<caf::actor>(lost));
  ASSERT_TRUE(how);
  EXPECT_EQ(*how, caf::sec::runtime_error);
}

TEST_F(coord_remote_test, stopped_coordinator_ends_the_connections_so_proxies_notice) {
  auto p = proxy();
  ASSERT_EQ(call(p, net::coord_get_request{"/"}).error, errc::none);
  self_->monitor(p);
  stop(caf::actor_cast<caf::actor>(coord_), caf::exit_reason::user_shutdown);
  auto how = wait_down(caf::actor_cast<caf::actor>(p));
  ASSERT_TRUE(how) << "proxy kept running with its watches gone";
  EXPECT_EQ(*how, caf::sec::runtime_error);
}

TEST_F(coord_remote_test, proxy_that_cannot_connect_quits_with_an_error) {
  // A port nobody listens on: bound, read back, closed.
  int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in a{};
  a.sin_family = AF_INET;
  a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  ASSERT_EQ(::bind(fd, reinterpret_cast<sockaddr*>(&a), sizeof a), 0);
  socklen_t len = sizeof a;
  ::getsockname(fd, reinterpret_cast<sockaddr*>(&a), &len);
  ::close(fd);
  uint16_t free_port = ntohs(a.sin_port);
  auto p = spawn_remote_coordinator(sys_, runtime::endpoint{"127.0.0.1", free_port}, 300ms);
  proxies_.push_back(p);
  self_->monitor(p);
  // Sent while it is still trying: answered with an error, not left waiting.
  bool failed = false;
  self_->request(p, 5s, net::coord_get_request{"/"})
      .receive([&](coord_response& r) { failed = r.error != errc::none; },
               [&](caf::error& e) { failed = e != caf::sec::request_timeout; });
  EXPECT_TRUE(failed);
  auto how = wait_down(caf::actor_cast<caf::actor>(p));
  ASSERT_TRUE(how);
  EXPECT_EQ(*how, caf::sec::runtime_error);
}

}  // namespace
}  // namespace brook::actors
