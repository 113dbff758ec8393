#pragma once
// Shared by the Kafka session's source files (kafka_session.cpp: data and admin APIs,
// kafka_group_session.cpp: consumer-group APIs). Not for use elsewhere.
#include <caf/all.hpp>

#include "actors/node_context.hpp"
#include "actors/response_order.hpp"
#include "net/kafka/codec.hpp"

namespace brook::actors::kafka_detail {

namespace k = net::kafka;
using runtime::errc;
using std::chrono::milliseconds;

using kafka_session_actor = caf::typed_actor<caf::reacts_to<kafka_call>>;

struct session_state {
  std::unique_ptr<response_order> out;
  std::shared_ptr<node_context> node;
  std::string peer_host;
  static inline const char* name = "kafka_session";
};
using self_ptr = kafka_session_actor::stateful_pointer<session_state>;

inline int16_t code(errc e) { return runtime::to_kafka_code(e); }

template <class Response>
void reply(self_ptr self, uint64_t seq, const k::request_header& h, Response& r) {
  self->state.out->complete(seq, k::encode_response(h, r));
}

/// The group APIs (FindCoordinator, JoinGroup, SyncGroup, Heartbeat, LeaveGroup, OffsetCommit,
/// OffsetFetch, DescribeGroups, ListGroups); one overload each, in kafka_group_session.cpp.
void on_group_request(self_ptr self, uint64_t seq, const k::request_header& h, k::find_coordinator_request& req);
void on_group_request(self_ptr self, uint64_t seq, const k::request_header& h, k::join_group_request& req);
void on_group_request(self_ptr self, uint64_t seq, const k::request_header& h, k::sync_group_request& req);
void on_group_request(self_ptr self, uint64_t seq, const k::request_header& h, k::heartbeat_request& req);
void on_group_request(self_ptr self, uint64_t seq, const k::request_header& h, k::leave_group_request& req);
void on_group_request(self_ptr self, uint64_t seq, const k::request_header& h, k::offset_commit_request& req);
void on_group_request(self_ptr self, uint64_t seq, const k::request_header& h, k::offset_fetch_request& req);
void on_group_request(self_ptr self, uint64_t seq, const k::request_header& h, k::describe_groups_request& req);
void on_group_request(self_ptr self, uint64_t seq, const k::request_header& h, k::list_groups_request& req);

}  // namespace brook::actors::kafka_detail
