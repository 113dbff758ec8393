// The Kafka session: the connection's I/O-thread handler (decode, bad input answered as Kafka
// does) and the session actor that hands each request to its API family (kafka_admin.cpp,
// kafka_produce.cpp, kafka_fetch.cpp, kafka_groups.cpp) and writes responses in request order.
#include "actors/session/sessions.hpp"

#include <caf/all.hpp>

#include "actors/session/kafka/kafka_session_internal.hpp"
#include "runtime/log.hpp"

namespace brook::actors {

namespace kafka_detail {

namespace {

kafka_session_actor::behavior_type session_impl(self_ptr self,
                                                std::shared_ptr<net::connection> conn,
                                                std::shared_ptr<node_context> node) {
  auto peer = conn->peer();
  self->state.peer_host = "/" + peer.substr(0, peer.rfind(':'));  // Kafka shows client hosts as /ip
  self->state.out = std::make_unique<response_order>(std::move(conn));
  self->state.node = std::move(node);
  return {
      [self](kafka_call& call) {
        if (!call.req) return self->state.out->complete(call.seq, std::move(call.immediate));
        auto& h = call.req->header;
        std::visit(
            [&](auto& body) {
              using T = std::decay_t<decltype(body)>;
              if constexpr (std::is_same_v<T, k::api_versions_request>)
                self->state.out->complete(call.seq, k::encode_api_versions(h, 0));
              else
                serve(self, call.seq, h, body);
            },
            call.req->body);
      },
  };
}

// Runs on the connection's I/O thread.
class kafka_handler : public net::frame_handler {
 public:
  kafka_handler(kafka_session_actor session, std::shared_ptr<net::connection> conn)
      : session_(std::move(session)), conn_(std::move(conn)) {}
  ~kafka_handler() override { caf::anon_send_exit(session_, caf::exit_reason::user_shutdown); }

  void on_frame(const uint8_t* payload, size_t n) override {
    auto d = k::decode_request(payload, n);
    using kind = k::decode_result::kind;
    if (d.outcome == kind::ok) {
      caf::anon_send(session_,
                     kafka_call{next_seq_++, std::make_shared<k::request>(std::move(*d.req)), {}});
      return;
    }
    BROOK_LOG_WARN("[kafka] bad request from " << conn_->peer() << ": " << d.message);
    if (d.outcome == kind::unsupported_version &&
        k::api_key(d.header.api_key) == k::api_key::api_versions) {
      // A newer client: tell it what we speak (v0 layout, UNSUPPORTED_VERSION); it retries lower.
      // Through the session so it stays in order behind earlier responses.
      caf::anon_send(session_,
                     kafka_call{next_seq_++, nullptr, k::encode_api_versions(d.header, 35)});
      return;
    }
    // Kafka closes the connection on requests it cannot parse or does not serve.
    conn_->close(d.message);
  }

  void on_close() override { caf::anon_send_exit(session_, caf::exit_reason::user_shutdown); }

 private:
  kafka_session_actor session_;
  std::shared_ptr<net::connection> conn_;
  uint64_t next_seq_ = 0;
};

}  // namespace
}  // namespace kafka_detail

net::handler_factory kafka_session_factory(caf::actor_system& sys,
                                           std::shared_ptr<node_context> node) {
  return
      [&sys, node](std::shared_ptr<net::connection> conn) -> std::unique_ptr<net::frame_handler> {
        auto session = sys.spawn(kafka_detail::session_impl, conn, node);
        register_connection_actor(*node->actors(), "session", "session/kafka",
                                  caf::actor_cast<caf::actor>(session), conn);
        return std::make_unique<kafka_detail::kafka_handler>(session, conn);
      };
}

}  // namespace brook::actors
