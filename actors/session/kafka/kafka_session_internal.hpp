#pragma once
// Internal to the Kafka session: its actor's state and one handler per API, by family
// (kafka_admin.cpp, kafka_produce.cpp, kafka_fetch.cpp, kafka_groups.cpp). Each handler turns its
// request into native requests to the node's actors and writes the Kafka response with reply().
// The versions each API is served at are in one table: supported_apis() in net/kafka/codec.cpp.
#include <caf/all.hpp>

#include "actors/directory/node_context.hpp"
#include "actors/session/response_order.hpp"
#include "actors/session/session_messages.hpp"
#include "net/kafka/codec.hpp"
#include "runtime/countdown.hpp"
#include "runtime/security/acl.hpp"

namespace brook::actors::kafka_detail {

namespace k = net::kafka;
using header = k::request_header;
using runtime::errc;
using std::chrono::milliseconds;

using kafka_session_actor =
    caf::typed_actor<caf::reacts_to<kafka_call>, caf::reacts_to<session_end>>;

struct session_state {
  std::unique_ptr<response_order> out;
  std::shared_ptr<node_context> node;
  std::string peer_host;    // "/127.0.0.1", as Kafka shows client hosts
  std::string client_host;  // "127.0.0.1", as ACLs name hosts
  std::string principal = "User:ANONYMOUS";
  static inline const char* name = "kafka_session";
};
using self_ptr = kafka_session_actor::stateful_pointer<session_state>;

inline int16_t code(errc e) {
  return runtime::to_kafka_code(e);
}

namespace sec = runtime::security;
/// Why the session's principal may not do `op` on the resource: TOPIC_, GROUP_, CLUSTER_ or
/// TRANSACTIONAL_ID_AUTHORIZATION_FAILED (logged); nullopt when it may (always, without an
/// authorizer). kafka_security.cpp.
std::optional<errc> denied(self_ptr self, sec::acl_operation op, sec::resource_type type,
                           const std::string& name);
/// denied() on the cluster resource.
std::optional<errc> denied_on_cluster(self_ptr self, sec::acl_operation op);

/// Writes `r` in its turn; a fetch's record_files go out with sendfile (read on TLS).
template <class Response>
void reply(self_ptr self, uint64_t seq, const k::request_header& h, Response& r) {
  self->state.out->complete(seq, k::encode_response_frame(h, r));
}

/// When the principal may not do `op` on the resource: answers with a Response whose only field
/// set is its error_code (the request's whole answer) and returns true.
template <class Response>
bool refused(self_ptr self, uint64_t seq, const header& h, sec::acl_operation op,
             sec::resource_type type, const std::string& name) {
  auto e = denied(self, op, type, name);
  if (!e) return false;
  Response r;
  r.error_code = code(*e);
  reply(self, seq, h, r);
  return true;
}

/// Asks the broker actor; `on_done` gets its Response (status_response, acls_response: anything
/// with `error` and `message`), or one carrying leader_not_available while the broker restarts
/// and request_timed_out when it does not answer.
template <class Response = net::status_response, class Request, class F>
void ask_broker(self_ptr self, Request req, F on_done) {
  auto failed = [on_done](errc e, std::string why) mutable {
    Response r{};
    r.error = e;
    r.message = std::move(why);
    on_done(r);
  };
  auto b = self->state.node->broker();
  if (!b) return failed(errc::leader_not_available, "broker is restarting");
  self->request(b, std::chrono::seconds(30), std::move(req))
      .then(
          [on_done](Response& r) mutable { on_done(r); },
          [failed](caf::error& e) mutable { failed(errc::request_timed_out, caf::to_string(e)); });
}

/// Answers a request partition by partition: `start(topic, partition, done)` begins one
/// partition's work and calls `done(fill)` once, where `fill(entry)` writes that partition's
/// response entry; after the last one, `finish(response)`. Entries keep the request's order.
template <class Response, class Request, class Start, class Finish>
void answer_per_partition(Request& req, Start start, Finish finish) {
  auto resp = std::make_shared<Response>();
  size_t n = 0;
  for (const auto& t : req.topics) n += t.partitions.size();
  auto all_done = runtime::countdown(n, [resp, finish] { finish(*resp); });
  for (auto& t : req.topics) {
    resp->topics.emplace_back().name = t.name;
    for (auto& p : t.partitions) {
      auto& entries = resp->topics.back().partitions;
      entries.emplace_back().index = p.index;
      start(t, p,
            [resp, ti = resp->topics.size() - 1, pi = entries.size() - 1, all_done](auto fill) {
              fill(resp->topics[ti].partitions[pi]);
              all_done();
            });
    }
  }
}

// One `serve` overload per Kafka request body, by family. kafka_session.cpp hands each decoded
// request to the overload of its body type.
// kafka_admin.cpp
void serve(self_ptr self, uint64_t seq, const header& h, k::metadata_request& req);
void serve(self_ptr self, uint64_t seq, const header& h, k::create_topics_request& req);
void serve(self_ptr self, uint64_t seq, const header& h, k::delete_topics_request& req);
void serve(self_ptr self, uint64_t seq, const header& h, k::describe_configs_request& req);
void serve(self_ptr self, uint64_t seq, const header& h, k::create_partitions_request& req);
void serve(self_ptr self, uint64_t seq, const header& h, k::describe_cluster_request& req);
void serve(self_ptr self, uint64_t seq, const header& h, k::alter_configs_request& req);
void serve(self_ptr self, uint64_t seq, const header& h, k::incremental_alter_configs_request& req);
void serve(self_ptr self, uint64_t seq, const header& h, k::describe_log_dirs_request& req);
// kafka_produce.cpp, kafka_fetch.cpp
void serve(self_ptr self, uint64_t seq, const header& h, k::produce_request& req);
void serve(self_ptr self, uint64_t seq, const header& h, k::fetch_request& req);
void serve(self_ptr self, uint64_t seq, const header& h, k::list_offsets_request& req);
void serve(self_ptr self, uint64_t seq, const header& h, k::delete_records_request& req);
// kafka_groups.cpp
void serve(self_ptr self, uint64_t seq, const header& h, k::find_coordinator_request& req);
void serve(self_ptr self, uint64_t seq, const header& h, k::join_group_request& req);
void serve(self_ptr self, uint64_t seq, const header& h, k::sync_group_request& req);
void serve(self_ptr self, uint64_t seq, const header& h, k::heartbeat_request& req);
void serve(self_ptr self, uint64_t seq, const header& h, k::leave_group_request& req);
void serve(self_ptr self, uint64_t seq, const header& h, k::offset_commit_request& req);
void serve(self_ptr self, uint64_t seq, const header& h, k::offset_fetch_request& req);
void serve(self_ptr self, uint64_t seq, const header& h, k::describe_groups_request& req);
void serve(self_ptr self, uint64_t seq, const header& h, k::list_groups_request& req);
void serve(self_ptr self, uint64_t seq, const header& h, k::delete_groups_request& req);
void serve(self_ptr self, uint64_t seq, const header& h, k::offset_delete_request& req);
// kafka_groups.cpp: transactions, at the group coordinator
void serve(self_ptr self, uint64_t seq, const header& h, k::init_producer_id_request& req);
void serve(self_ptr self, uint64_t seq, const header& h, k::add_partitions_to_txn_request& req);
void serve(self_ptr self, uint64_t seq, const header& h, k::add_offsets_to_txn_request& req);
void serve(self_ptr self, uint64_t seq, const header& h, k::end_txn_request& req);
void serve(self_ptr self, uint64_t seq, const header& h, k::txn_offset_commit_request& req);
void serve(self_ptr self, uint64_t seq, const header& h, k::describe_transactions_request& req);
void serve(self_ptr self, uint64_t seq, const header& h, k::list_transactions_request& req);
// kafka_fetch.cpp: markers, at the partition leaders
void serve(self_ptr self, uint64_t seq, const header& h, k::write_txn_markers_request& req);
// kafka_security.cpp: SASL requests out of turn (the handler runs the login) and the ACL APIs
void serve(self_ptr self, uint64_t seq, const header& h, k::sasl_handshake_request& req);
void serve(self_ptr self, uint64_t seq, const header& h, k::sasl_authenticate_request& req);
void serve(self_ptr self, uint64_t seq, const header& h, k::describe_acls_request& req);
void serve(self_ptr self, uint64_t seq, const header& h, k::create_acls_request& req);
void serve(self_ptr self, uint64_t seq, const header& h, k::delete_acls_request& req);

}  // namespace brook::actors::kafka_detail
