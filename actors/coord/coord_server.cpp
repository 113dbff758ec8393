#include "actors/coord/coord_server.hpp"

#include <caf/all.hpp>
#include <map>
#include <set>

#include "actors/directory/actor_registry.hpp"
#include "net/native_codec.hpp"
#include "runtime/log.hpp"

namespace brook::actors {

namespace {

using net::coord_response;
using net::errc;
using net::native_type;

constexpr std::chrono::seconds coord_timeout{30};

// connection I/O thread -> session actor: (sequence number, correlation id, request)
using coord_session_actor = caf::typed_actor<
    caf::reacts_to<uint64_t, uint32_t, net::coord_create_request>,
    caf::reacts_to<uint64_t, uint32_t, net::coord_get_request>,
    caf::reacts_to<uint64_t, uint32_t, net::coord_set_request>,
    caf::reacts_to<uint64_t, uint32_t, net::coord_delete_request>,
    caf::reacts_to<uint64_t, uint32_t, net::coord_children_request>,
    caf::reacts_to<uint64_t, uint32_t, net::coord_session_open_request>,
    caf::reacts_to<uint64_t, uint32_t, net::coord_session_request>,
    caf::reacts_to<uint64_t, uint32_t, watch_atom, net::coord_watch_request>,
    caf::reacts_to<uint64_t, uint32_t, unwatch_atom, net::coord_watch_request>,
    // chaos testing: the process's killable actors, and a kill by path
    caf::reacts_to<uint64_t, uint32_t, net::list_actors_request>,
    caf::reacts_to<uint64_t, uint32_t, net::kill_actor_request>,
    // an error response decided on the I/O thread (undecodable frame, unknown type, bad body)
    caf::reacts_to<uint64_t, uint32_t, net::status_response>,
    // coordinator -> session: one change of a path this connection watches; pushed to the client
    caf::reacts_to<net::coord_watch_event>>;

struct coord_session_state {
  // Weak: the connection owns its handler, which owns this actor's handle. When the I/O context
  // goes away without closing the connection, the connection still dies, and its handler tells
  // us. Frames for a connection that is gone are dropped, as connection::send drops them.
  std::weak_ptr<net::connection> conn;
  std::string peer;
  uint64_t next_seq = 0;                    // the next response to write
  std::map<uint64_t, runtime::bytes> done;  // responses finished ahead of their turn
  coordinator_actor coord;
  std::shared_ptr<actor_registry> actors;
  std::set<uint64_t> sessions;  // coordinator sessions opened here; closed with the connection
  int opening = 0;              // session_open requests in flight (their sessions are ours too)
  bool closing = false;         // the connection ended: quit once no session_open is in flight
  static inline const char* name = "coord_session";
};

using self_ptr = coord_session_actor::stateful_pointer<coord_session_state>;

void write(self_ptr self, runtime::bytes frame) {
  if (auto c = self->state.conn.lock()) c->send(std::move(frame));
}

// Writes the response to request `seq` and every one now next in line: responses leave in
// request order (as actors/response_order.hpp does, over a weak connection).
void complete(self_ptr self, uint64_t seq, runtime::bytes frame) {
  auto& st = self->state;
  st.done.emplace(seq, std::move(frame));
  for (auto it = st.done.begin(); it != st.done.end() && it->first == st.next_seq; ++st.next_seq) {
    write(self, std::move(it->second));
    it = st.done.erase(it);
  }
}

void reply(self_ptr self, uint64_t seq, uint32_t corr, native_type t, const coord_response& r) {
  complete(self, seq, net::encode_response(t, corr, r));
}

coord_response unavailable(const caf::error& e) {
  coord_response r;
  r.error =
      e == caf::sec::request_timeout ? errc::request_timed_out : errc::coordinator_not_available;
  r.message = "coordinator: " + caf::to_string(e);
  return r;
}

// After the connection ended: closes its sessions (deleting their ephemeral nodes now rather
// than at their timeout) and quits, which also ends its watches (the coordinator monitors us).
void maybe_quit(self_ptr self) {
  auto& st = self->state;
  if (!st.closing || st.opening > 0) return;
  for (auto id : st.sessions) caf::anon_send(st.coord, net::coord_session_request{id, true});
  if (!st.sessions.empty())
    BROOK_LOG_INFO("[coord] connection from " << st.peer << " ended: closed " << st.sessions.size()
                                              << " session(s)");
  st.sessions.clear();
  self->quit();
}

// Sends `msg...` to the coordinator and writes its answer as the response to request `seq`;
// `seen` looks at the answer (or the failure mapped to one) first.
template <class Seen, class... Ts>
void forward(self_ptr self, uint64_t seq, uint32_t corr, native_type t, Seen seen, Ts&&... msg) {
  self->request(self->state.coord, coord_timeout, std::forward<Ts>(msg)...)
      .then(
          [self, seq, corr, t, seen](coord_response& r) {
            seen(r);
            reply(self, seq, corr, t, r);
          },
          [self, seq, corr, t, seen](caf::error& e) {
            auto r = unavailable(e);
            seen(r);
            reply(self, seq, corr, t, r);
          });
}

template <class Request>
void forward(self_ptr self, uint64_t seq, uint32_t corr, native_type t, Request& req) {
  forward(
      self, seq, corr, t, [](const coord_response&) {}, std::move(req));
}

coord_session_actor::behavior_type coord_session_impl(self_ptr self,
                                                      std::shared_ptr<net::connection> conn,
                                                      coordinator_actor coord,
                                                      std::shared_ptr<actor_registry> actors) {
  auto& st = self->state;
  st.actors = std::move(actors);
  st.peer = conn->peer();
  st.conn = conn;
  st.coord = std::move(coord);
  // A restarted coordinator has forgotten this connection's watches: end the connection so the
  // client notices and subscribes again.
  self->monitor(st.coord);
  self->set_down_handler([self](caf::down_msg&) {
    if (auto c = self->state.conn.lock()) c->close("coordinator stopped");
  });
  self->set_exit_handler([self](caf::exit_msg&) {
    self->state.closing = true;
    maybe_quit(self);
  });
  return {
      [self](uint64_t seq, uint32_t corr, net::coord_create_request& req) {
        forward(self, seq, corr, native_type::coord_create, req);
      },
      [self](uint64_t seq, uint32_t corr, net::coord_get_request& req) {
        forward(self, seq, corr, native_type::coord_get, req);
      },
      [self](uint64_t seq, uint32_t corr, net::coord_set_request& req) {
        forward(self, seq, corr, native_type::coord_set, req);
      },
      [self](uint64_t seq, uint32_t corr, net::coord_delete_request& req) {
        forward(self, seq, corr, native_type::coord_delete, req);
      },
      [self](uint64_t seq, uint32_t corr, net::coord_children_request& req) {
        forward(self, seq, corr, native_type::coord_children, req);
      },
      [self](uint64_t seq, uint32_t corr, net::coord_session_open_request& req) {
        ++self->state.opening;
        auto seen = [self](const coord_response& r) {
          --self->state.opening;
          if (r.error == errc::none && r.session != 0) self->state.sessions.insert(r.session);
          maybe_quit(self);
        };
        forward(self, seq, corr, native_type::coord_session_open, seen, std::move(req));
      },
      [self](uint64_t seq, uint32_t corr, net::coord_session_request& req) {
        auto id = req.session;
        bool close = req.close;
        auto seen = [self, id, close](const coord_response& r) {
          if (close || r.error == errc::session_expired) self->state.sessions.erase(id);
        };
        forward(self, seq, corr, native_type::coord_session, seen, std::move(req));
      },
      [self](uint64_t seq, uint32_t corr, watch_atom, net::coord_watch_request& req) {
        forward(
            self, seq, corr, native_type::coord_watch, [](const coord_response&) {},
            watch_atom::value, std::move(req.path), caf::actor_cast<caf::actor>(self));
      },
      [self](uint64_t seq, uint32_t corr, unwatch_atom, net::coord_watch_request& req) {
        // The coordinator does not answer an unwatch; it handles it before any later request
        // of ours. Events already under way may still follow this response.
        self->send(self->state.coord, unwatch_atom::value, std::move(req.path),
                   caf::actor_cast<caf::actor>(self));
        reply(self, seq, corr, native_type::coord_unwatch, coord_response{});
      },
      [self](uint64_t seq, uint32_t corr, net::list_actors_request&) {
        complete(self, seq,
                 net::encode_response(native_type::list_actors, corr,
                                      describe(*self->state.actors, "coordinator")));
      },
      [self](uint64_t seq, uint32_t corr, net::kill_actor_request& req) {
        net::status_response r{errc::invalid_request,
                               "a coordinator kills actors by path (brook admin actors)"};
        if (!req.path.empty()) {
          BROOK_LOG_WARN("[Coordinator] admin kill of " << req.path);
          auto s = self->state.actors->kill(req.path);
          r = {s.code(), s.message()};
        }
        complete(self, seq, net::encode_response(native_type::kill_actor, corr, r));
      },
      [self](uint64_t seq, uint32_t corr, net::status_response& err) {
        complete(self, seq, net::encode_response(native_type::error, corr, err));
      },
      [self](net::coord_watch_event& e) {
        // Pushed at once, not in the response order: connection::send queues whole frames, so
        // an event never splits a response.
        write(self, net::encode_request(native_type::coord_event, 0, e));
      },
  };
}

// Runs on the connection's I/O thread.
class coord_handler : public net::frame_handler {
 public:
  coord_handler(coord_session_actor session, std::string peer)
      : session_(std::move(session)), peer_(std::move(peer)) {}

  void on_frame(const uint8_t* payload, size_t n) override {
    uint64_t seq = next_seq_++;
    auto f = net::decode_frame(payload, n);
    // The length prefix still delimits frames, so a bad one costs only its own answer.
    if (!f) return error(seq, 0, f.error().message());
    uint32_t corr = f->correlation_id;
    if (f->is_response()) return error(seq, corr, "a response type was sent as a request");
    switch (f->kind()) {
      case native_type::coord_create:
        return forward<net::coord_create_request>(seq, *f);
      case native_type::coord_get:
        return forward<net::coord_get_request>(seq, *f);
      case native_type::coord_set:
        return forward<net::coord_set_request>(seq, *f);
      case native_type::coord_delete:
        return forward<net::coord_delete_request>(seq, *f);
      case native_type::coord_children:
        return forward<net::coord_children_request>(seq, *f);
      case native_type::coord_session_open:
        return forward<net::coord_session_open_request>(seq, *f);
      case native_type::coord_session:
        return forward<net::coord_session_request>(seq, *f);
      case native_type::coord_watch:
        return forward<net::coord_watch_request>(seq, *f, watch_atom::value);
      case native_type::coord_unwatch:
        return forward<net::coord_watch_request>(seq, *f, unwatch_atom::value);
      case native_type::list_actors:
        return forward<net::list_actors_request>(seq, *f);
      case native_type::kill_actor:
        return forward<net::kill_actor_request>(seq, *f);
      default:
        return error(seq, corr, "unknown message type " + std::to_string(f->type));
    }
  }

  void on_close() override { caf::anon_send_exit(session_, caf::exit_reason::user_shutdown); }
  ~coord_handler() override { caf::anon_send_exit(session_, caf::exit_reason::user_shutdown); }

 private:
  template <class Request, class... Tag>
  void forward(uint64_t seq, const net::native_frame& f, Tag... tag) {
    auto req = net::body_as<Request>(f);
    if (!req) return error(seq, f.correlation_id, req.error().message());
    caf::anon_send(session_, seq, f.correlation_id, tag..., std::move(*req));
  }

  void error(uint64_t seq, uint32_t corr, const std::string& why) {
    BROOK_LOG_WARN("[coord] bad request from " << peer_ << ": " << why);
    caf::anon_send(session_, seq, corr, net::status_response{errc::invalid_request, why});
  }

  coord_session_actor session_;
  std::string peer_;
  uint64_t next_seq_ = 0;
};

}  // namespace

net::handler_factory coord_session_factory(caf::actor_system& sys, coordinator_actor coord,
                                           std::shared_ptr<actor_registry> actors) {
  return [&sys, coord,
          actors](std::shared_ptr<net::connection> conn) -> std::unique_ptr<net::frame_handler> {
    auto session = sys.spawn(coord_session_impl, conn, coord, actors);
    register_connection_actor(*actors, "coordinator-session", "coordinator-session",
                              caf::actor_cast<caf::actor>(session), conn);
    return std::make_unique<coord_handler>(session, conn->peer());
  };
}

}  // namespace brook::actors
