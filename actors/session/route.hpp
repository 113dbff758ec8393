#pragma once
// The one route from a connection session (native or Kafka) to a partition actor: found in the
// node's partition directory, sent with the topic's urgency (urgent topics with CAF's high message
// priority, ahead of bulk work in the partition's mailbox), and always answered: a partition that
// is unknown, restarting or too slow becomes a retriable error response. Included by session .cpp
// files (it needs caf/all.hpp).
#include <caf/all.hpp>
#include <chrono>
#include <string>

#include "actors/directory/partition_directory.hpp"

namespace brook::actors {

/// How long a session waits for a partition's answer: past the request's own timeout or wait, so
/// the partition's answer (REQUEST_TIMED_OUT included) arrives first.
inline std::chrono::milliseconds answer_timeout(const net::produce_request& r) {
  return std::chrono::milliseconds(std::max(r.timeout_ms, 1) + 5000);
}
inline std::chrono::milliseconds answer_timeout(const net::fetch_request& r) {
  return std::chrono::milliseconds(std::max(r.max_wait_ms, 0) + 30000);
}
inline std::chrono::milliseconds answer_timeout(const net::list_offsets_request&) {
  return std::chrono::seconds(30);
}
inline std::chrono::milliseconds answer_timeout(const net::write_txn_marker_request& r) {
  return std::chrono::milliseconds(std::max(r.timeout_ms, 1) + 5000);
}
inline std::chrono::milliseconds answer_timeout(const net::delete_records_request& r) {
  return std::chrono::milliseconds(std::max(r.timeout_ms, 1) + 5000);
}

/// Sends `req` to the partition actor for (req.topic, req.partition); `on_done(Response&)` gets its
/// answer or the retriable error answer.
template <class Response, class Self, class Request, class F>
void ask_partition(Self* self, const partition_directory& dir, Request req, F on_done) {
  auto target = dir.find(req.topic, req.partition);
  if (!target || !*target) {
    Response r;
    r.error = target ? net::errc::not_leader_or_follower : net::errc::unknown_topic_or_partition;
    r.message =
        target ? "partition is restarting"
               : "unknown topic or partition " + req.topic + "-" + std::to_string(req.partition);
    return on_done(r);
  }
  auto timeout = answer_timeout(req);
  auto pending = dir.urgent(req.topic) ? self->template request<caf::message_priority::high>(
                                             *target, timeout, std::move(req))
                                       : self->request(*target, timeout, std::move(req));
  pending.then([on_done](Response& r) mutable { on_done(r); },
               [on_done](caf::error& e) mutable {
                 Response r;
                 bool slow = e == caf::sec::request_timeout;
                 r.error = slow ? net::errc::request_timed_out : net::errc::not_leader_or_follower;
                 r.message =
                     slow ? "request timed out" : "partition is restarting: " + caf::to_string(e);
                 on_done(r);
               });
}

/// acks=0: the batch goes to its partition with no answer expected (the client learns nothing
/// either way, as in Kafka); dropped when the partition is unknown or restarting.
inline void send_unacknowledged(const partition_directory& dir, net::produce_request req) {
  if (auto target = dir.find(req.topic, req.partition); target && *target) {
    if (dir.urgent(req.topic))
      caf::anon_send<caf::message_priority::high>(*target, std::move(req));
    else
      caf::anon_send(*target, std::move(req));
  }
}

}  // namespace brook::actors
