#pragma once
// TCP listener for length-prefixed frames ([u32 BE length][payload]), the framing both the native
// protocol and the Kafka protocol use. Asio stays inside frame_server.cpp; callers see only this.
#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>

#include "net/outgoing_frame.hpp"
#include "runtime/bytes.hpp"
#include "runtime/config.hpp"
#include "runtime/status.hpp"

namespace brook::net {

/// One accepted connection. send() and close() are thread-safe; writes leave in call order.
class connection {
 public:
  virtual ~connection() = default;
  /// Queues a whole frame (length prefix included) for writing. Its file parts go out with
  /// sendfile(2) on a plaintext connection; a TLS one reads them into memory first. A file part
  /// that cannot be read whole (the file was truncated under it) closes the connection.
  virtual void send(outgoing_frame frame) = 0;
  /// Writes what is already queued (an error frame explaining the close), then logs `reason`
  /// with the peer and closes the socket; frames sent after close() are dropped.
  virtual void close(const std::string& reason) = 0;
  virtual const std::string& peer() const = 0;
  /// The subject of the client's verified TLS certificate ("CN=alice,OU=ops"); "" without one.
  virtual const std::string& tls_subject() const = 0;
  /// The longest frame accepted from now on (a SASL listener allows small ones until the login
  /// is done). Only from the connection's handler, or before it reads.
  virtual void set_max_frame_bytes(size_t n) = 0;
  /// Closes the connection (logging `reason`) unless clear_deadline() comes first: a SASL
  /// client's time to log in. Only from the connection's handler, or before it reads.
  virtual void set_deadline(std::chrono::milliseconds after, const std::string& reason) = 0;
  virtual void clear_deadline() = 0;
};

/// Receives one connection's frames. Called on that connection's I/O thread, one frame at a time.
class frame_handler {
 public:
  virtual ~frame_handler() = default;
  virtual void on_frame(const uint8_t* payload, size_t n) = 0;
  /// Called once when the connection ends, for whatever reason.
  virtual void on_close() = 0;
};

using handler_factory =
    std::function<std::unique_ptr<frame_handler>(std::shared_ptr<connection>)>;

/// I/O threads running one io_context.
class io_pool {
 public:
  explicit io_pool(int threads);
  ~io_pool();
  void* context();  // the boost::asio::io_context, opaque here
  void stop();

 private:
  struct impl;
  std::unique_ptr<impl> impl_;
};

class tls_context;

struct server_options {
  std::string name = "native";     // for logs
  size_t max_frame_bytes = 104857600;
  std::shared_ptr<tls_context> tls;  // set: every connection is TLS (handshake first)
};

class frame_server {
 public:
  frame_server(io_pool& pool, runtime::endpoint ep, server_options opts, handler_factory factory);
  ~frame_server();
  /// Binds and starts accepting; returns the bound port (useful with port 0).
  runtime::result<uint16_t> start();
  /// Stops accepting and closes every open connection.
  void stop();

 private:
  struct impl;
  std::shared_ptr<impl> impl_;
};

}  // namespace brook::net
