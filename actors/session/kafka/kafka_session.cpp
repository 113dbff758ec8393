// The Kafka session: the connection's I/O-thread handler (decode, bad input answered as Kafka
// does) and the session actor that hands each request to its API family (kafka_admin.cpp,
// kafka_produce.cpp, kafka_fetch.cpp, kafka_groups.cpp) and writes responses in request order.
#include "actors/session/sessions.hpp"

#include <caf/all.hpp>

#include "actors/session/kafka/kafka_session_internal.hpp"
#include "actors/session/login.hpp"
#include "runtime/clock.hpp"
#include "runtime/log.hpp"
#include "runtime/security/access.hpp"

namespace brook::actors {

namespace kafka_detail {

using runtime::bytes;

namespace {

kafka_session_actor::behavior_type session_impl(self_ptr self,
                                                std::shared_ptr<net::connection> conn,
                                                std::shared_ptr<node_context> node) {
  auto peer = conn->peer();
  self->state.client_host = peer.substr(0, peer.rfind(':'));
  self->state.peer_host = "/" + self->state.client_host;  // Kafka shows client hosts as /ip
  self->state.out = std::make_unique<response_order>(std::move(conn));
  self->state.node = std::move(node);
  return {
      [self](kafka_call& call) {
        auto& st = self->state;
        if (!call.principal.empty()) st.principal = call.principal;
        if (!call.req) return st.out->complete(call.seq, std::move(call.immediate));
        auto& h = call.req->header;
        std::visit(
            [&](auto& body) {
              using T = std::decay_t<decltype(body)>;
              if constexpr (std::is_same_v<T, k::api_versions_request>)
                st.out->complete(call.seq, k::encode_api_versions(h, 0));
              else
                serve(self, call.seq, h, body);
            },
            call.req->body);
      },
      [self](session_end& end) { end_session(self, *self->state.out, end); },
  };
}

// Runs on the connection's I/O thread. On a SASL listener it runs the login itself, before any
// request reaches the session: ApiVersions, SaslHandshake and SaslAuthenticate (or, after a v0
// handshake, bare token frames) are all a client may send until it is authenticated.
class kafka_handler : public net::frame_handler {
 public:
  kafka_handler(kafka_session_actor session, std::shared_ptr<net::connection> conn,
                std::shared_ptr<node_context> node)
      : session_(std::move(session)), conn_(std::move(conn)), node_(std::move(node)) {
    login_ = begin_login(node_->config.security.kafka_protocol, *node_, *conn_);
  }
  ~kafka_handler() override { caf::anon_send_exit(session_, caf::exit_reason::user_shutdown); }

  void on_frame(const uint8_t* payload, size_t n) override {
    if (closing_) return;
    if (bare_tokens_ && !login_->authenticated()) return on_bare_token(payload, n);
    auto d = k::decode_request(payload, n);
    using kind = k::decode_result::kind;
    if (d.outcome == kind::ok) {
      if (login_ && !login_->authenticated()) return before_login(std::move(*d.req));
      return forward(kafka_call{next_seq_++, std::make_shared<k::request>(std::move(*d.req)), {}});
    }
    BROOK_LOG_WARN("[kafka] bad request from " << conn_->peer() << ": " << d.message);
    if (d.outcome == kind::unsupported_version &&
        k::api_key(d.header.api_key) == k::api_key::api_versions) {
      // A newer client: tell it what we speak (v0 layout, UNSUPPORTED_VERSION); it retries lower.
      // Through the session so it stays in order behind earlier responses.
      forward(kafka_call{next_seq_++, nullptr, k::encode_api_versions(d.header, 35)});
      return;
    }
    // Kafka closes the connection on requests it cannot parse or does not serve.
    conn_->close(d.message);
  }

  void on_close() override { caf::anon_send_exit(session_, caf::exit_reason::user_shutdown); }

 private:
  // The first call tells the session who the client is, unless a login will.
  void forward(kafka_call call) {
    if (!principal_sent_ && !login_)
      call.principal = runtime::security::principal_of("", conn_->tls_subject());
    principal_sent_ = principal_sent_ || !call.principal.empty();
    caf::anon_send(session_, std::move(call));
  }

  void before_login(k::request req) {
    const auto& h = req.header;
    if (auto* hs = std::get_if<k::sasl_handshake_request>(&req.body)) {
      k::sasl_handshake_response resp;
      auto st = login_->select(hs->mechanism);
      resp.error_code = code(st.code());
      resp.mechanisms = login_->enabled();
      bare_tokens_ = st && h.api_version == 0;  // v0: the tokens follow as bare frames
      if (!st) return end(k::encode_response(h, resp), 0, st.message());
      return forward(kafka_call{next_seq_++, nullptr, k::encode_response(h, resp)});
    }
    if (auto* auth = std::get_if<k::sasl_authenticate_request>(&req.body)) {
      k::sasl_authenticate_response resp;
      auto token = login_->selected() && !bare_tokens_
                       ? login_->step(auth->auth_bytes.data(), auth->auth_bytes.size())
                       : runtime::result<bytes>(runtime::status{
                             errc::illegal_sasl_state, "SaslAuthenticate before SaslHandshake"});
      if (!token) {
        resp.error_code = code(token.error().code());
        resp.error_message = token.error().message();
        return failed(k::encode_response(h, resp), token.error().message());
      }
      resp.auth_bytes = std::move(*token);
      return answer(k::encode_response(h, resp));
    }
    if (std::holds_alternative<k::api_versions_request>(req.body))
      return forward(kafka_call{next_seq_++, std::make_shared<k::request>(std::move(req)), {}});
    const auto* api = k::find_api(h.api_key);
    end({}, 0, std::string(api ? api->name : "a") + " request before authentication");
  }

  // After a v0 handshake: each frame is a bare SASL token, answered by a bare frame.
  void on_bare_token(const uint8_t* token, size_t n) {
    auto answer_token = login_->step(token, n);
    if (!answer_token) return failed({}, answer_token.error().message());
    bytes frame(4 + answer_token->size());
    runtime::store_be32(frame.data(), uint32_t(answer_token->size()));
    std::copy(answer_token->begin(), answer_token->end(), frame.begin() + 4);
    answer(std::move(frame));
  }

  // A step of the login went through; once it is complete the client is its user from now on.
  void answer(bytes frame) {
    kafka_call call{next_seq_++, nullptr, std::move(frame)};
    if (login_->authenticated()) {
      conn_->set_max_frame_bytes(node_->config.socket_request_max_bytes);
      conn_->clear_deadline();
      call.principal = runtime::security::principal_of(login_->user(), "");
      BROOK_LOG_INFO("[kafka] " << conn_->peer() << " authenticated as "
                                << runtime::security::loggable(call.principal) << " ("
                                << login_->mechanism() << ")");
    }
    forward(std::move(call));
  }

  // A failed login: logged, answered late (the delay grows with the host's recent failures),
  // then the connection closes.
  void failed(bytes response, const std::string& why) {
    auto host = conn_->peer().substr(0, conn_->peer().rfind(':'));
    auto delay = node_->access->login_failed(host, runtime::steady_ms());
    BROOK_LOG_WARN("[kafka] failed login from " << conn_->peer() << " as '"
                                                << runtime::security::loggable(login_->user())
                                                << "' (" << login_->mechanism() << "): " << why);
    end(std::move(response), delay, "");
  }

  void end(bytes response, int64_t delay_ms, const std::string& reason) {
    closing_ = true;
    caf::anon_send(session_, session_end{next_seq_++, std::move(response), delay_ms, reason});
  }

  kafka_session_actor session_;
  std::shared_ptr<net::connection> conn_;
  std::shared_ptr<node_context> node_;
  std::optional<runtime::security::authenticator> login_;  // on a SASL listener
  bool bare_tokens_ = false;                               // a v0 handshake chose the mechanism
  bool principal_sent_ = false;
  bool closing_ = false;
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
        return std::make_unique<kafka_detail::kafka_handler>(session, conn, node);
      };
}

}  // namespace brook::actors
