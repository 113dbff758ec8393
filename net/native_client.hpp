#pragma once
// Client side of the native protocol: one TCP connection with pipelined requests matched to
// responses by correlation id. Owns its own I/O thread; thread-safe.
#include <chrono>
#include <functional>
#include <memory>

#include "net/client_security.hpp"
#include "net/native_codec.hpp"
#include "runtime/config.hpp"

namespace brook::net {

class native_client {
 public:
  /// Called once per request, on the client's I/O thread, with the response frame or the
  /// network error that ended the connection.
  using response_fn = std::function<void(runtime::result<native_frame>)>;

  /// Connects within `timeout`, then (per `security`) does the TLS handshake and the SASL login.
  /// Errors: network_error naming the address; sasl_authentication_failed and the like from
  /// the broker.
  static runtime::result<std::shared_ptr<native_client>> connect(
      const runtime::endpoint& ep, std::chrono::milliseconds timeout,
      const client_security& security = client_security::defaults());
  ~native_client();

  /// Receives what answers no pending request, on the I/O thread: frames the server pushes
  /// (types without response_flag) and responses whose correlation id is not pending; then, once,
  /// the status that ended the connection (close() included). Calls apply in order with send():
  /// set it before sending the requests that make the server push. Replaces any earlier handler.
  using push_fn = std::function<void(runtime::result<native_frame>)>;
  void set_push_handler(push_fn on_push);

  uint32_t next_correlation_id();
  /// Queues an encoded request frame. With a null `on_response` no response is expected
  /// (produce with acks=0). After the connection failed, `on_response` gets the error at once.
  void send(runtime::bytes frame, uint32_t correlation_id, response_fn on_response);
  /// Blocking request/response; an error frame from the broker becomes its status.
  runtime::result<native_frame> call_raw(runtime::bytes frame, uint32_t correlation_id,
                                         std::chrono::milliseconds timeout);
  template <class Response, class Request>
  runtime::result<Response> call(native_type type, const Request& req,
                                 std::chrono::milliseconds timeout = std::chrono::seconds(30)) {
    auto id = next_correlation_id();
    auto f = call_raw(encode_request(type, id, req), id, timeout);
    if (!f) return f.error();
    return body_as<Response>(*f);
  }
  bool is_open() const;
  void close();
  const runtime::endpoint& remote() const;

 private:
  struct impl;
  explicit native_client(std::shared_ptr<impl> p);
  std::shared_ptr<impl> impl_;
};

}  // namespace brook::net
