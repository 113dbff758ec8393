// Kafka's security APIs past the login: SASL requests out of turn (the connection's handler runs
// the login itself, kafka_session.cpp), the authorization check every API makes, and ACL
// administration (DescribeAcls from the node's ACLs, CreateAcls and DeleteAcls through the broker
// actor, which writes them to the coordinator). Versions: net/kafka/codec.cpp, supported_apis().
#include <caf/all.hpp>

#include "actors/session/kafka/kafka_session_internal.hpp"
#include "net/security_messages.hpp"
#include "runtime/log.hpp"
#include "runtime/security/access.hpp"

namespace brook::actors::kafka_detail {

namespace {

errc authorization_error(sec::resource_type type) {
  switch (type) {
    case sec::resource_type::topic:
      return errc::topic_authorization_failed;
    case sec::resource_type::group:
      return errc::group_authorization_failed;
    case sec::resource_type::transactional_id:
      return errc::transactional_id_authorization_failed;
    default:
      return errc::cluster_authorization_failed;
  }
}

net::acl_entry filter_entry(const k::acl_binding_filter& f) {
  return {f.resource_type,          f.resource_name.value_or(""), f.pattern_type,
          f.principal.value_or(""), f.host.value_or(""),          f.operation,
          f.permission_type};
}

// ACL administration needs an authorizer (Kafka: SECURITY_DISABLED) and `op` on the cluster.
std::optional<errc> acl_admin_refused(self_ptr self, sec::acl_operation op) {
  if (!self->state.node->access->enforcing()) return errc::security_disabled;
  return denied_on_cluster(self, op);
}

}  // namespace

std::optional<errc> denied(self_ptr self, sec::acl_operation op, sec::resource_type type,
                           const std::string& name) {
  auto& st = self->state;
  if (st.node->access->authorize(st.principal, st.client_host, op, type, name)) return std::nullopt;
  BROOK_LOG_INFO("[kafka] " << sec::loggable(st.principal) << " from " << st.client_host
                            << " denied " << sec::to_string(op) << " on " << sec::to_string(type)
                            << ":" << name);
  return authorization_error(type);
}

std::optional<errc> denied_on_cluster(self_ptr self, sec::acl_operation op) {
  return denied(self, op, sec::resource_type::cluster, sec::cluster_resource_name);
}

// The handler answers SASL requests until the login is done; after it (or on a listener without
// SASL) they are out of turn, as Kafka answers them.
void serve(self_ptr self, uint64_t seq, const header& h, k::sasl_handshake_request&) {
  k::sasl_handshake_response r;
  r.error_code = code(errc::illegal_sasl_state);
  reply(self, seq, h, r);
}

void serve(self_ptr self, uint64_t seq, const header& h, k::sasl_authenticate_request&) {
  k::sasl_authenticate_response r;
  r.error_code = code(errc::illegal_sasl_state);
  r.error_message =
      "SaslAuthenticate request received after successful authentication or on a "
      "listener without SASL";
  reply(self, seq, h, r);
}

void serve(self_ptr self, uint64_t seq, const header& h, k::describe_acls_request& req) {
  k::describe_acls_response r;
  if (auto e = acl_admin_refused(self, sec::acl_operation::describe)) {
    r.error_code = code(*e);
    r.error_message = std::string(runtime::to_string(*e));
    return reply(self, seq, h, r);
  }
  if (h.api_version == 0) req.filter.pattern_type = int8_t(sec::pattern_type::literal);
  auto found = net::matching_acls(*self->state.node->access->acls(), filter_entry(req.filter));
  for (const auto& e : found) {
    auto same = [&](const k::describe_acls_response::resource& x) {
      return x.resource_type == e.resource_type && x.resource_name == e.name &&
             x.pattern_type == e.pattern_type;
    };
    auto it = std::find_if(r.resources.begin(), r.resources.end(), same);
    if (it == r.resources.end())
      it = r.resources.insert(r.resources.end(), {e.resource_type, e.name, e.pattern_type, {}});
    it->acls.push_back({e.principal, e.host, e.operation, e.permission});
  }
  reply(self, seq, h, r);
}

// Each creation is checked on its own (a bad one gets its error, the rest are stored).
void serve(self_ptr self, uint64_t seq, const header& h, k::create_acls_request& req) {
  auto resp = std::make_shared<k::create_acls_response>();
  resp->results.resize(req.creations.size());
  auto refused = acl_admin_refused(self, sec::acl_operation::alter);
  net::create_acls_request native;
  std::vector<size_t> sent;  // index in the request of each of native.acls
  for (size_t i = 0; i < req.creations.size(); ++i) {
    const auto& c = req.creations[i];
    net::acl_entry e{c.resource_type, c.resource_name, c.pattern_type,   c.principal,
                     c.host,          c.operation,     c.permission_type};
    if (h.api_version == 0) e.pattern_type = int8_t(sec::pattern_type::literal);
    auto valid = sec::validate(net::to_binding(e));
    if (refused || !valid) {
      resp->results[i].error_code = code(refused ? *refused : valid.code());
      resp->results[i].error_message =
          refused ? std::string(runtime::to_string(*refused)) : valid.message();
      continue;
    }
    native.acls.push_back(e);
    sent.push_back(i);
  }
  if (native.acls.empty()) return reply(self, seq, h, *resp);
  ask_broker<net::acls_response>(self, std::move(native),
                                 [self, seq, h, resp, sent](const net::acls_response& r) {
                                   for (auto i : sent) {
                                     resp->results[i].error_code = code(r.error);
                                     if (r.error != errc::none)
                                       resp->results[i].error_message = r.message;
                                   }
                                   reply(self, seq, h, *resp);
                                 });
}

void serve(self_ptr self, uint64_t seq, const header& h, k::delete_acls_request& req) {
  auto resp = std::make_shared<k::delete_acls_response>();
  resp->filter_results.resize(req.filters.size());
  if (auto e = acl_admin_refused(self, sec::acl_operation::alter)) {
    for (auto& f : resp->filter_results) {
      f.error_code = code(*e);
      f.error_message = std::string(runtime::to_string(*e));
    }
    return reply(self, seq, h, *resp);
  }
  net::delete_acls_request native;
  for (auto& f : req.filters) {
    if (h.api_version == 0) f.pattern_type = int8_t(sec::pattern_type::literal);
    native.filters.push_back(filter_entry(f));
  }
  ask_broker<net::acls_response>(
      self, std::move(native), [self, seq, h, resp](const net::acls_response& r) {
        for (size_t i = 0; i < resp->filter_results.size(); ++i) {
          auto& out = resp->filter_results[i];
          out.error_code = code(r.error);
          if (r.error != errc::none) out.error_message = r.message;
          if (i >= r.matched.size()) continue;
          for (const auto& e : r.matched[i])
            out.matching_acls.push_back({0, std::nullopt, e.resource_type, e.name, e.pattern_type,
                                         e.principal, e.host, e.operation, e.permission});
        }
        reply(self, seq, h, *resp);
      });
}

}  // namespace brook::actors::kafka_detail
