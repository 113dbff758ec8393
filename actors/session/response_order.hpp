#pragma once
// Writes a connection's responses in request order, whatever order they finish in (Kafka
// requires it; kafka-python pipelines ApiVersions and Metadata). Owned by one session actor.
#include <chrono>
#include <map>
#include <memory>
#include <optional>

#include "actors/session/session_messages.hpp"
#include "net/frame_server.hpp"

namespace brook::actors {

class response_order {
 public:
  explicit response_order(std::shared_ptr<net::connection> conn) : conn_(std::move(conn)) {}

  /// Records the response to request `seq` (nullopt: the request gets none, as produce with
  /// acks=0) and writes every response that is now next in line.
  void complete(uint64_t seq, std::optional<net::outgoing_frame> frame) {
    done_.emplace(seq, std::move(frame));
    for (auto it = done_.begin(); it != done_.end() && it->first == next_;) {
      if (it->second) conn_->send(std::move(*it->second));
      it = done_.erase(it);
      ++next_;
    }
  }
  net::connection& connection() { return *conn_; }

 private:
  std::shared_ptr<net::connection> conn_;
  uint64_t next_ = 0;
  std::map<uint64_t, std::optional<net::outgoing_frame>> done_;
};

/// A session actor's handling of session_end: waits `delay_ms` (the message comes back to the
/// actor), then writes the frame in its turn and closes the connection.
template <class Self>
void end_session(Self* self, response_order& out, session_end& end) {
  if (end.delay_ms > 0) {
    auto delay = std::chrono::milliseconds(end.delay_ms);
    end.delay_ms = 0;
    self->delayed_send(self, delay, std::move(end));
    return;
  }
  if (end.frame.empty())
    out.complete(end.seq, std::nullopt);
  else
    out.complete(end.seq, std::move(end.frame));
  out.connection().close(end.reason);
}

}  // namespace brook::actors
