#include "actors/session/sessions.hpp"

#include <caf/all.hpp>
#include <map>
#include <optional>

#include "actors/directory/node_context.hpp"
#include "actors/session/login.hpp"
#include "actors/session/metadata_access.hpp"
#include "actors/session/response_order.hpp"
#include "actors/session/route.hpp"
#include "net/native_codec.hpp"
#include "net/security_messages.hpp"
#include "runtime/clock.hpp"
#include "runtime/log.hpp"
#include "runtime/security/access.hpp"

namespace brook::actors {

namespace {

using net::errc;
using net::native_type;

// connection I/O thread -> session actor: (sequence number, correlation id, request)
using session_actor =
    caf::typed_actor<caf::reacts_to<uint64_t, uint32_t, net::produce_request>,
                     caf::reacts_to<uint64_t, uint32_t, net::fetch_request>,
                     caf::reacts_to<uint64_t, uint32_t, net::list_offsets_request>,
                     caf::reacts_to<uint64_t, uint32_t, net::metadata_request>,
                     caf::reacts_to<uint64_t, uint32_t, net::create_topic_request>,
                     caf::reacts_to<uint64_t, uint32_t, net::delete_topic_request>,
                     caf::reacts_to<uint64_t, uint32_t, net::create_partitions_request>,
                     caf::reacts_to<uint64_t, uint32_t, net::alter_configs_request>,
                     caf::reacts_to<uint64_t, uint32_t, net::delete_records_request>,
                     caf::reacts_to<uint64_t, uint32_t, net::describe_log_dirs_request>,
                     caf::reacts_to<uint64_t, uint32_t, net::write_txn_marker_request>,
                     caf::reacts_to<uint64_t, uint32_t, net::kill_actor_request>,
                     caf::reacts_to<uint64_t, uint32_t, net::list_actors_request>,
                     caf::reacts_to<uint64_t, uint32_t, net::init_producer_id_request>,
                     caf::reacts_to<uint64_t, uint32_t, net::find_coordinator_request>,
                     caf::reacts_to<uint64_t, uint32_t, net::delete_groups_request>,
                     caf::reacts_to<uint64_t, uint32_t, net::offset_delete_request>,
                     caf::reacts_to<uint64_t, uint32_t, net::join_group_request>,
                     caf::reacts_to<uint64_t, uint32_t, net::sync_group_request>,
                     caf::reacts_to<uint64_t, uint32_t, net::heartbeat_request>,
                     caf::reacts_to<uint64_t, uint32_t, net::leave_group_request>,
                     caf::reacts_to<uint64_t, uint32_t, net::offset_commit_request>,
                     caf::reacts_to<uint64_t, uint32_t, net::offset_fetch_request>,
                     caf::reacts_to<uint64_t, uint32_t, net::list_groups_request>,
                     caf::reacts_to<uint64_t, uint32_t, net::describe_groups_request>,
                     caf::reacts_to<uint64_t, uint32_t, net::alter_user_request>,
                     caf::reacts_to<uint64_t, uint32_t, net::describe_users_request>,
                     caf::reacts_to<uint64_t, uint32_t, net::create_acls_request>,
                     caf::reacts_to<uint64_t, uint32_t, net::delete_acls_request>,
                     caf::reacts_to<uint64_t, uint32_t, net::describe_acls_request>,
                     // an error response decided on the I/O thread (unknown type, malformed body)
                     caf::reacts_to<uint64_t, uint32_t, net::status_response>,
                     // the connection ends (a failed login)
                     caf::reacts_to<session_end>,
                     // who the client is, when its requests are checked
                     caf::reacts_to<session_identity>>;

struct session_state {
  std::unique_ptr<response_order> out;
  std::shared_ptr<node_context> node;
  std::optional<session_identity> checked;  // set: metadata shows what the client may DESCRIBE
  static inline const char* name = "native_session";
};

using self_ptr = session_actor::stateful_pointer<session_state>;

void complete(self_ptr self, uint64_t seq, std::optional<net::outgoing_frame> frame) {
  self->state.out->complete(seq, std::move(frame));
}

template <class Response>
void reply(self_ptr self, uint64_t seq, uint32_t corr, native_type t, const Response& r) {
  complete(self, seq, net::encode_response(t, corr, r));
}

// A fetch's records go from the log's files to the socket (sendfile), as on the Kafka listener.
void reply(self_ptr self, uint64_t seq, uint32_t corr, native_type, const net::fetch_response& r) {
  complete(self, seq, net::encode_fetch_response(corr, r));
}

// Sends `req` to the partition actor serving it and answers with its response.
template <class Response, class Request>
void to_partition(self_ptr self, uint64_t seq, uint32_t corr, native_type t, Request& req) {
  ask_partition<Response>(self, *self->state.node->directory(), std::move(req),
                          [self, seq, corr, t](Response& r) { reply(self, seq, corr, t, r); });
}

// Sends `req` to the group coordinator and answers with its response.
template <class Request, class Response>
void to_coordinator(self_ptr self, uint64_t seq, uint32_t corr, native_type t, Request& req) {
  auto c = self->state.node->group_coordinator();
  if (!c) {
    net::status_response r{errc::coordinator_not_available, "group coordinator is restarting"};
    return complete(self, seq, net::encode_response(native_type::error, corr, r));
  }
  self->request(c, std::chrono::seconds(330), std::move(req))
      .then([self, seq, corr, t](Response& r) { reply(self, seq, corr, t, r); },
            [self, seq, corr](caf::error& e) {
              net::status_response r{errc::coordinator_not_available,
                                     "group coordinator: " + caf::to_string(e)};
              complete(self, seq, net::encode_response(native_type::error, corr, r));
            });
}

template <class Request, class Response>
void to_broker(self_ptr self, uint64_t seq, uint32_t corr, native_type t, Request& req) {
  auto b = self->state.node->broker();
  if (!b) {
    Response r{};
    if constexpr (!std::is_same_v<Response, net::metadata_response> &&
                  !std::is_same_v<Response, net::describe_log_dirs_response>) {
      r.error = errc::leader_not_available;
      r.message = "broker is restarting";
    }
    return reply(self, seq, corr, t, r);
  }
  self->request(b, std::chrono::seconds(30), std::move(req))
      .then([self, seq, corr, t](Response& r) { reply(self, seq, corr, t, r); },
            [self, seq, corr, t](caf::error& e) {
              net::status_response r{errc::leader_not_available,
                                     "broker unavailable: " + caf::to_string(e)};
              complete(self, seq, net::encode_response(native_type::error, corr, r));
            });
}

// Metadata of a checked client: only what it may see (metadata_access.hpp).
void serve_checked_metadata(self_ptr self, uint64_t seq, uint32_t corr,
                            net::metadata_request& req) {
  const auto& who = *self->state.checked;
  metadata_access access(self->state.node->access, who.principal, who.host, req);
  auto answer = [self, seq, corr, access](net::metadata_response m) {
    access.filter(m);
    reply(self, seq, corr, native_type::metadata, m);
  };
  auto b = self->state.node->broker();
  if (!b) return answer({});
  self->request(b, std::chrono::seconds(30), std::move(req))
      .then([answer](net::metadata_response& m) { answer(m); },
            [answer](caf::error&) { answer({}); });
}

session_actor::behavior_type session_impl(self_ptr self, std::shared_ptr<net::connection> conn,
                                          std::shared_ptr<node_context> node) {
  self->state.out = std::make_unique<response_order>(std::move(conn));
  self->state.node = std::move(node);
  return {
      [self](uint64_t seq, uint32_t corr, net::produce_request& req) {
        if (req.acks == 0) {
          send_unacknowledged(*self->state.node->directory(), std::move(req));
          return complete(self, seq, std::nullopt);  // acks=0: no response frame at all
        }
        to_partition<net::produce_response>(self, seq, corr, native_type::produce, req);
      },
      [self](uint64_t seq, uint32_t corr, net::fetch_request& req) {
        // Reading to the log end is for the group coordinator inside the broker, never a client.
        if (req.replica_id == net::log_end_reader) req.replica_id = -1;
        req.send_files = true;  // answered with the log's file ranges (reply, above)
        to_partition<net::fetch_response>(self, seq, corr, native_type::fetch, req);
      },
      [self](uint64_t seq, uint32_t corr, net::list_offsets_request& req) {
        to_partition<net::list_offsets_response>(self, seq, corr, native_type::list_offsets, req);
      },
      [self](uint64_t seq, uint32_t corr, net::metadata_request& req) {
        if (!self->state.checked)
          return to_broker<net::metadata_request, net::metadata_response>(
              self, seq, corr, native_type::metadata, req);
        serve_checked_metadata(self, seq, corr, req);
      },
      [self](uint64_t seq, uint32_t corr, net::create_topic_request& req) {
        to_broker<net::create_topic_request, net::status_response>(self, seq, corr,
                                                                   native_type::create_topic, req);
      },
      [self](uint64_t seq, uint32_t corr, net::delete_topic_request& req) {
        to_broker<net::delete_topic_request, net::status_response>(self, seq, corr,
                                                                   native_type::delete_topic, req);
      },
      [self](uint64_t seq, uint32_t corr, net::create_partitions_request& req) {
        to_broker<net::create_partitions_request, net::status_response>(
            self, seq, corr, native_type::create_partitions, req);
      },
      [self](uint64_t seq, uint32_t corr, net::alter_configs_request& req) {
        to_broker<net::alter_configs_request, net::status_response>(
            self, seq, corr, native_type::alter_configs, req);
      },
      [self](uint64_t seq, uint32_t corr, net::delete_records_request& req) {
        to_partition<net::delete_records_response>(self, seq, corr, native_type::delete_records,
                                                   req);
      },
      [self](uint64_t seq, uint32_t corr, net::write_txn_marker_request& req) {
        // A marker for __consumer_offsets also decides the transaction's offsets there: it goes
        // through the group coordinator; any other partition's to the partition.
        if (req.topic == "__consumer_offsets")
          return to_coordinator<net::write_txn_marker_request, net::produce_response>(
              self, seq, corr, native_type::write_txn_marker, req);
        to_partition<net::produce_response>(self, seq, corr, native_type::write_txn_marker, req);
      },
      [self](uint64_t seq, uint32_t corr, net::describe_log_dirs_request& req) {
        to_broker<net::describe_log_dirs_request, net::describe_log_dirs_response>(
            self, seq, corr, native_type::describe_log_dirs, req);
      },
      [self](uint64_t seq, uint32_t corr, net::kill_actor_request& req) {
        if (req.path.empty())
          return to_broker<net::kill_actor_request, net::status_response>(
              self, seq, corr, native_type::kill_actor, req);
        // By path, from the registry: works while the broker actor itself is restarting.
        auto& node = *self->state.node;
        BROOK_LOG_WARN("[KafkaServer id=" << node.config.broker_id << "] admin kill of "
                                          << req.path);
        auto s = node.actors()->kill(req.path);
        reply(self, seq, corr, native_type::kill_actor,
              net::status_response{s.code(), s.message()});
      },
      [self](uint64_t seq, uint32_t corr, net::list_actors_request&) {
        auto& node = *self->state.node;
        reply(self, seq, corr, native_type::list_actors,
              describe(*node.actors(), "broker " + std::to_string(node.config.broker_id)));
      },
      [self](uint64_t seq, uint32_t corr, net::init_producer_id_request& req) {
        to_broker<net::init_producer_id_request, net::init_producer_id_response>(
            self, seq, corr, native_type::init_producer_id, req);
      },
      [self](uint64_t seq, uint32_t corr, net::join_group_request& req) {
        // The coordinator shows members' hosts as Kafka does ("/ip"): the connection knows it.
        const auto& peer = self->state.out->connection().peer();
        req.client_host = "/" + peer.substr(0, peer.rfind(':'));
        to_coordinator<net::join_group_request, net::join_group_response>(
            self, seq, corr, native_type::join_group, req);
      },
      [self](uint64_t seq, uint32_t corr, net::sync_group_request& req) {
        to_coordinator<net::sync_group_request, net::sync_group_response>(
            self, seq, corr, native_type::sync_group, req);
      },
      [self](uint64_t seq, uint32_t corr, net::heartbeat_request& req) {
        to_coordinator<net::heartbeat_request, net::status_response>(self, seq, corr,
                                                                     native_type::heartbeat, req);
      },
      [self](uint64_t seq, uint32_t corr, net::leave_group_request& req) {
        to_coordinator<net::leave_group_request, net::leave_group_response>(
            self, seq, corr, native_type::leave_group, req);
      },
      [self](uint64_t seq, uint32_t corr, net::offset_commit_request& req) {
        to_coordinator<net::offset_commit_request, net::offset_commit_response>(
            self, seq, corr, native_type::offset_commit, req);
      },
      [self](uint64_t seq, uint32_t corr, net::offset_fetch_request& req) {
        to_coordinator<net::offset_fetch_request, net::offset_fetch_response>(
            self, seq, corr, native_type::offset_fetch, req);
      },
      [self](uint64_t seq, uint32_t corr, net::find_coordinator_request& req) {
        to_coordinator<net::find_coordinator_request, net::find_coordinator_response>(
            self, seq, corr, native_type::find_coordinator, req);
      },
      [self](uint64_t seq, uint32_t corr, net::delete_groups_request& req) {
        to_coordinator<net::delete_groups_request, net::delete_groups_response>(
            self, seq, corr, native_type::delete_groups, req);
      },
      [self](uint64_t seq, uint32_t corr, net::offset_delete_request& req) {
        to_coordinator<net::offset_delete_request, net::offset_delete_response>(
            self, seq, corr, native_type::offset_delete, req);
      },
      [self](uint64_t seq, uint32_t corr, net::list_groups_request& req) {
        to_coordinator<net::list_groups_request, net::list_groups_response>(
            self, seq, corr, native_type::list_groups, req);
      },
      [self](uint64_t seq, uint32_t corr, net::describe_groups_request& req) {
        to_coordinator<net::describe_groups_request, net::describe_groups_response>(
            self, seq, corr, native_type::describe_groups, req);
      },
      [self](uint64_t seq, uint32_t corr, net::alter_user_request& req) {
        to_broker<net::alter_user_request, net::status_response>(self, seq, corr,
                                                                 native_type::alter_user, req);
      },
      [self](uint64_t seq, uint32_t corr, net::describe_users_request&) {
        net::describe_users_response r;
        for (const auto& [name, creds] : *self->state.node->access->users()) {
          auto& u = r.users.emplace_back();
          u.name = name;
          for (const auto& c : creds) {
            u.mechanisms.push_back(runtime::security::to_string(c.mechanism));
            u.iterations.push_back(c.iterations);
          }
        }
        reply(self, seq, corr, native_type::describe_users, r);
      },
      [self](uint64_t seq, uint32_t corr, net::create_acls_request& req) {
        to_broker<net::create_acls_request, net::acls_response>(self, seq, corr,
                                                                native_type::create_acls, req);
      },
      [self](uint64_t seq, uint32_t corr, net::delete_acls_request& req) {
        to_broker<net::delete_acls_request, net::acls_response>(self, seq, corr,
                                                                native_type::delete_acls, req);
      },
      [self](uint64_t seq, uint32_t corr, net::describe_acls_request& req) {
        net::acls_response r;
        r.matched.push_back(net::matching_acls(*self->state.node->access->acls(), req.filter));
        reply(self, seq, corr, native_type::describe_acls, r);
      },
      [self](uint64_t seq, uint32_t corr, net::status_response& err) {
        reply(self, seq, corr, native_type::error, err);
      },
      [self](session_end& end) { end_session(self, *self->state.out, end); },
      [self](session_identity& who) { self->state.checked = std::move(who); },
  };
}

namespace sec = runtime::security;

// What a native request needs of the ACLs: `op` on a resource (`or_cluster`: or on the
// cluster), or what an idempotent producer needs. Requests not named here need nothing
// (metadata is filtered instead).
struct needed {
  sec::acl_operation op;
  sec::resource_type type;
  std::string name;
  bool idempotent_producer = false;
  bool or_cluster = false;
};
using needs = std::vector<needed>;

needed on_topic(sec::acl_operation op, const std::string& t) {
  return {op, sec::resource_type::topic, t};
}
needed on_group(sec::acl_operation op, const std::string& g) {
  return {op, sec::resource_type::group, g};
}
needed on_cluster(sec::acl_operation op) {
  return {op, sec::resource_type::cluster, sec::cluster_resource_name};
}

template <class Request>
needs needs_of(const Request&) {
  return {};
}
needs needs_of(const net::produce_request& r) {
  return {on_topic(sec::acl_operation::write, r.topic)};
}
needs needs_of(const net::fetch_request& r) {
  // A follower's fetch is replication: the cluster's action, as Kafka's inter-broker requests.
  if (r.replica_id >= 0) return {on_cluster(sec::acl_operation::cluster_action)};
  return {on_topic(sec::acl_operation::read, r.topic)};
}
needs needs_of(const net::list_offsets_request& r) {
  return {on_topic(sec::acl_operation::describe, r.topic)};
}
needs needs_of(const net::create_topic_request& r) {
  auto n = on_topic(sec::acl_operation::create, r.name);
  n.or_cluster = true;
  return {n};
}
needs needs_of(const net::delete_topic_request& r) {
  return {on_topic(sec::acl_operation::remove, r.name)};
}
needs needs_of(const net::create_partitions_request& r) {
  return {on_topic(sec::acl_operation::alter, r.name)};
}
needs needs_of(const net::alter_configs_request& r) {
  if (r.resource_type == net::config_resource_topic)
    return {on_topic(sec::acl_operation::alter_configs, r.resource_name)};
  return {on_cluster(sec::acl_operation::alter_configs)};
}
needs needs_of(const net::delete_records_request& r) {
  return {on_topic(sec::acl_operation::remove, r.topic)};
}
needs needs_of(const net::describe_log_dirs_request&) {
  return {on_cluster(sec::acl_operation::describe)};
}
needs needs_of(const net::write_txn_marker_request&) {
  return {on_cluster(sec::acl_operation::cluster_action)};
}
needs needs_of(const net::kill_actor_request&) {
  return {on_cluster(sec::acl_operation::alter)};
}
needs needs_of(const net::list_actors_request&) {
  return {on_cluster(sec::acl_operation::describe)};
}
needs needs_of(const net::init_producer_id_request&) {
  needed n = on_topic(sec::acl_operation::write, "");
  n.idempotent_producer = true;
  return {n};
}
needs needs_of(const net::find_coordinator_request& r) {
  return {on_group(sec::acl_operation::describe, r.group_id)};
}
needs needs_of(const net::delete_groups_request& r) {
  needs n;
  for (const auto& g : r.group_ids) n.push_back(on_group(sec::acl_operation::remove, g));
  return n;
}
// Kafka: the group, and READ on each topic whose offsets change.
template <class Rows>
needs group_and_topics(needed group, const Rows& rows) {
  needs n{std::move(group)};
  for (const auto& o : rows) n.push_back(on_topic(sec::acl_operation::read, o.topic));
  return n;
}
needs needs_of(const net::offset_delete_request& r) {
  return group_and_topics(on_group(sec::acl_operation::remove, r.group_id), r.partitions);
}
needs needs_of(const net::join_group_request& r) {
  return {on_group(sec::acl_operation::read, r.group_id)};
}
needs needs_of(const net::sync_group_request& r) {
  return {on_group(sec::acl_operation::read, r.group_id)};
}
needs needs_of(const net::heartbeat_request& r) {
  return {on_group(sec::acl_operation::read, r.group_id)};
}
needs needs_of(const net::leave_group_request& r) {
  return {on_group(sec::acl_operation::read, r.group_id)};
}
needs needs_of(const net::offset_commit_request& r) {
  return group_and_topics(on_group(sec::acl_operation::read, r.group_id), r.offsets);
}
needs needs_of(const net::offset_fetch_request& r) {
  return {on_group(sec::acl_operation::describe, r.group_id)};
}
needs needs_of(const net::list_groups_request&) {
  return {on_cluster(sec::acl_operation::describe)};
}
needs needs_of(const net::describe_groups_request& r) {
  needs n;
  for (const auto& g : r.group_ids) n.push_back(on_group(sec::acl_operation::describe, g));
  return n;
}
needs needs_of(const net::alter_user_request&) {
  return {on_cluster(sec::acl_operation::alter)};
}
needs needs_of(const net::create_acls_request&) {
  return {on_cluster(sec::acl_operation::alter)};
}
needs needs_of(const net::delete_acls_request&) {
  return {on_cluster(sec::acl_operation::alter)};
}
needs needs_of(const net::describe_users_request&) {
  return {on_cluster(sec::acl_operation::describe)};
}
needs needs_of(const net::describe_acls_request&) {
  return {on_cluster(sec::acl_operation::describe)};
}

errc authorization_error(sec::resource_type t) {
  return t == sec::resource_type::topic   ? errc::topic_authorization_failed
         : t == sec::resource_type::group ? errc::group_authorization_failed
                                          : errc::cluster_authorization_failed;
}

// Runs on the connection's I/O thread. On a SASL listener it runs the login first (only
// sasl_handshake and sasl_authenticate until it succeeds). With the authorizer on, each request
// on an SSL or SASL listener is checked against the ACLs here, before it reaches the session, as
// its login, its TLS certificate's subject or User:ANONYMOUS. A plaintext native listener is the
// cluster's internal one and is not checked (docs/operations.md).
class session_handler : public net::frame_handler {
 public:
  session_handler(session_actor session, std::shared_ptr<net::connection> conn,
                  std::shared_ptr<node_context> node)
      : session_(std::move(session)), conn_(std::move(conn)), node_(std::move(node)) {
    login_ = begin_login(node_->config.security.native_protocol, *node_, *conn_);
  }

  // Every body is converted (forward) before this returns, so the frame may point into payload.
  void on_frame(const uint8_t* payload, size_t n) override {
    if (closing_) return;
    auto f = net::decode_frame_in_place(payload, n);
    if (!f) {
      BROOK_LOG_WARN("[native] malformed frame from " << conn_->peer() << ": "
                                                      << f.error().message());
      net::status_response err{errc::invalid_request, f.error().message()};
      conn_->send(net::encode_response(native_type::error, 0, err));
      conn_->close("malformed frame");
      return;
    }
    if (login_ && !login_->authenticated()) return before_login(*f);
    if (!identity_known_) {
      // After the TLS handshake and the login: who the client is from now on.
      identity_known_ = true;
      principal_ = sec::principal_of(login_ ? login_->user() : "", conn_->tls_subject());
      checked_ = node_->access->enforcing() &&
                 node_->config.security.native_protocol != runtime::security_protocol::plaintext;
      if (checked_) caf::anon_send(session_, session_identity{principal_, host()});
    }
    uint64_t seq = next_seq_++;
    uint32_t corr = f->correlation_id;
    if (f->is_response()) return error(seq, corr, "a response type was sent as a request");
    switch (f->kind()) {
      case native_type::produce:
        return forward<net::produce_request>(seq, *f);
      case native_type::fetch:
        return forward<net::fetch_request>(seq, *f);
      case native_type::metadata:
        return forward<net::metadata_request>(seq, *f);
      case native_type::list_offsets:
        return forward<net::list_offsets_request>(seq, *f);
      case native_type::create_topic:
        return forward<net::create_topic_request>(seq, *f);
      case native_type::delete_topic:
        return forward<net::delete_topic_request>(seq, *f);
      case native_type::create_partitions:
        return forward<net::create_partitions_request>(seq, *f);
      case native_type::alter_configs:
        return forward<net::alter_configs_request>(seq, *f);
      case native_type::delete_records:
        return forward<net::delete_records_request>(seq, *f);
      case native_type::describe_log_dirs:
        return forward<net::describe_log_dirs_request>(seq, *f);
      case native_type::write_txn_marker:
        return forward<net::write_txn_marker_request>(seq, *f);
      case native_type::kill_actor:
        return forward<net::kill_actor_request>(seq, *f);
      case native_type::list_actors:
        return forward<net::list_actors_request>(seq, *f);
      case native_type::init_producer_id:
        return forward<net::init_producer_id_request>(seq, *f);
      case native_type::find_coordinator:
        return forward<net::find_coordinator_request>(seq, *f);
      case native_type::delete_groups:
        return forward<net::delete_groups_request>(seq, *f);
      case native_type::offset_delete:
        return forward<net::offset_delete_request>(seq, *f);
      case native_type::join_group:
        return forward<net::join_group_request>(seq, *f);
      case native_type::sync_group:
        return forward<net::sync_group_request>(seq, *f);
      case native_type::heartbeat:
        return forward<net::heartbeat_request>(seq, *f);
      case native_type::leave_group:
        return forward<net::leave_group_request>(seq, *f);
      case native_type::offset_commit:
        return forward<net::offset_commit_request>(seq, *f);
      case native_type::offset_fetch:
        return forward<net::offset_fetch_request>(seq, *f);
      case native_type::list_groups:
        return forward<net::list_groups_request>(seq, *f);
      case native_type::describe_groups:
        return forward<net::describe_groups_request>(seq, *f);
      case native_type::alter_user:
        return forward<net::alter_user_request>(seq, *f);
      case native_type::describe_users:
        return forward<net::describe_users_request>(seq, *f);
      case native_type::create_acls:
        return forward<net::create_acls_request>(seq, *f);
      case native_type::delete_acls:
        return forward<net::delete_acls_request>(seq, *f);
      case native_type::describe_acls:
        return forward<net::describe_acls_request>(seq, *f);
      case native_type::sasl_handshake:
      case native_type::sasl_authenticate:
        return error(seq, corr, "no SASL login on this listener, or already logged in",
                     errc::illegal_sasl_state);
      default:
        return error(seq, corr, "unknown message type " + std::to_string(f->type));
    }
  }

  void on_close() override { caf::anon_send_exit(session_, caf::exit_reason::user_shutdown); }
  ~session_handler() override { caf::anon_send_exit(session_, caf::exit_reason::user_shutdown); }

 private:
  template <class Request>
  void forward(uint64_t seq, const net::native_frame& f) {
    auto req = net::body_as<Request>(f);
    if (!req) return error(seq, f.correlation_id, req.error().message());
    if (checked_)
      for (const auto& n : needs_of(*req))
        if (!allowed(n)) {
          BROOK_LOG_INFO("[native] " << sec::loggable(principal_) << " from " << host()
                                     << " denied " << sec::to_string(n.op) << " on "
                                     << sec::to_string(n.type) << ":" << n.name);
          auto e = authorization_error(n.type);
          return error(seq, f.correlation_id, std::string(runtime::to_string(e)), e);
        }
    caf::anon_send(session_, seq, f.correlation_id, std::move(*req));
  }

  bool allowed(const needed& n) const {
    auto& reg = *node_->access;
    if (n.idempotent_producer) return reg.authorize_idempotent_producer(principal_, host());
    return reg.authorize(principal_, host(), n.op, n.type, n.name) ||
           (n.or_cluster && reg.authorize(principal_, host(), n.op, sec::resource_type::cluster,
                                          sec::cluster_resource_name));
  }

  std::string host() const { return conn_->peer().substr(0, conn_->peer().rfind(':')); }

  // The login's requests are answered straight away: nothing else is in flight before it ends.
  void before_login(const net::native_frame& f) {
    uint32_t corr = f.correlation_id;
    if (f.kind() == native_type::sasl_handshake) {
      auto req = net::body_as<net::sasl_handshake_request>(f);
      auto st = req ? login_->select(req->mechanism) : req.error();
      net::sasl_handshake_response r{st.code(), st.message(), login_->enabled()};
      auto frame = net::encode_response(native_type::sasl_handshake, corr, r);
      if (!st) return end(std::move(frame), 0, st.message());
      return conn_->send(std::move(frame));
    }
    if (f.kind() == native_type::sasl_authenticate) {
      auto req = net::body_as<net::sasl_authenticate_request>(f);
      auto token = !req ? runtime::result<runtime::bytes>(req.error())
                        : login_->step(req->token.data(), req->token.size());
      if (!token) {
        auto delay = node_->access->login_failed(host(), runtime::steady_ms());
        BROOK_LOG_WARN("[native] failed login from "
                       << conn_->peer() << " as '" << sec::loggable(login_->user()) << "' ("
                       << login_->mechanism() << "): " << token.error().message());
        net::status_response err{token.error().code(), token.error().message()};
        return end(net::encode_response(native_type::error, corr, err), delay, "");
      }
      if (login_->authenticated()) {
        conn_->set_max_frame_bytes(node_->config.socket_request_max_bytes);
        conn_->clear_deadline();
        BROOK_LOG_INFO("[native] " << conn_->peer()
                                   << " authenticated as User:" << sec::loggable(login_->user())
                                   << " (" << login_->mechanism() << ")");
      }
      net::sasl_authenticate_response r{errc::none, "", std::move(*token)};
      return conn_->send(net::encode_response(native_type::sasl_authenticate, corr, r));
    }
    net::status_response err{errc::illegal_sasl_state, "log in first (sasl_handshake)"};
    end(net::encode_response(native_type::error, corr, err), 0,
        "request type " + std::to_string(f.type) + " before authentication");
  }

  void end(runtime::bytes frame, int64_t delay_ms, const std::string& reason) {
    closing_ = true;
    caf::anon_send(session_, session_end{next_seq_++, std::move(frame), delay_ms, reason});
  }

  void error(uint64_t seq, uint32_t corr, const std::string& why,
             errc code = errc::invalid_request) {
    if (code == errc::invalid_request)
      BROOK_LOG_WARN("[native] bad request from " << conn_->peer() << ": " << why);
    caf::anon_send(session_, seq, corr, net::status_response{code, why});
  }

  session_actor session_;
  std::shared_ptr<net::connection> conn_;
  std::shared_ptr<node_context> node_;
  std::optional<runtime::security::authenticator> login_;  // on a SASL listener
  bool identity_known_ = false;
  bool checked_ = false;  // requests are authorized (a secured listener, the authorizer on)
  std::string principal_;
  bool closing_ = false;
  uint64_t next_seq_ = 0;
};

}  // namespace

net::handler_factory native_session_factory(caf::actor_system& sys,
                                            std::shared_ptr<node_context> node) {
  return
      [&sys, node](std::shared_ptr<net::connection> conn) -> std::unique_ptr<net::frame_handler> {
        auto session = sys.spawn(session_impl, conn, node);
        register_connection_actor(*node->actors(), "session", "session/native",
                                  caf::actor_cast<caf::actor>(session), conn);
        return std::make_unique<session_handler>(session, conn, node);
      };
}

}  // namespace brook::actors
