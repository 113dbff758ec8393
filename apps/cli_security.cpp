// brook user create|delete|list and brook acl add|remove|list: SCRAM users and ACLs, kept in
// the coordinator through any broker. Flags follow kafka-configs.sh and kafka-acls.sh.
#include <cstdio>
#include <iostream>

#include "apps/cli_clients.hpp"
#include "apps/cli_commands.hpp"
#include "net/native_client.hpp"
#include "net/security_messages.hpp"
#include "runtime/security/sasl.hpp"

namespace brook::cli {

namespace {

using runtime::errc;
namespace sec = runtime::security;

// Sends one request to any broker; the broker's error, if any, becomes the status.
template <class Response, class Request>
runtime::result<Response> call_any(const options& o, net::native_type t, const Request& req) {
  auto conn = any_broker(o.bootstrap);
  if (!conn) return conn.error();
  auto r = (*conn)->call<Response>(t, req);
  if (!r) return r.error();
  if (r->error != errc::none) return runtime::status{r->error, r->message};
  return r;
}

// The mechanisms a command names; both SCRAM mechanisms when it names none.
runtime::result<std::vector<std::string>> mechanisms_of(const options& o) {
  if (o.mechanisms.empty()) return std::vector<std::string>{"SCRAM-SHA-256", "SCRAM-SHA-512"};
  for (const auto& m : o.mechanisms)
    if (!sec::parse_scram_mechanism(m))
      return runtime::status{errc::invalid_request,
                             "unknown mechanism '" + m + "' (SCRAM-SHA-256 or SCRAM-SHA-512)"};
  return o.mechanisms;
}

// The ACL resource the flags name: exactly one of --topic, --group, --transactional-id,
// --cluster. `required`: a filter (remove, list) may name none.
runtime::result<net::acl_entry> resource_of(const options& o, bool required) {
  net::acl_entry e;
  int named = 0;
  auto pick = [&](sec::resource_type t, const std::string& name) {
    ++named;
    e.resource_type = int8_t(t);
    e.name = name;
  };
  if (!o.topic.empty()) pick(sec::resource_type::topic, o.topic);
  if (!o.group.empty()) pick(sec::resource_type::group, o.group);
  if (!o.transactional_id.empty()) pick(sec::resource_type::transactional_id, o.transactional_id);
  if (o.cluster) pick(sec::resource_type::cluster, sec::cluster_resource_name);
  if (named > 1)
    return runtime::status{errc::invalid_request,
                           "name one resource: --topic, --group, --transactional-id or --cluster"};
  if (named == 0) {
    if (required)
      return runtime::status{errc::invalid_request,
                             "name a resource: --topic, --group, --transactional-id or --cluster"};
    e.resource_type = int8_t(sec::resource_type::any);
  }
  auto pattern = sec::parse_pattern_type(o.pattern_type);
  if (!pattern)
    return runtime::status{errc::invalid_request, "unknown --resource-pattern-type '" +
                                                      o.pattern_type + "' (literal, prefixed" +
                                                      (required ? ")" : ", any, match)")};
  e.pattern_type = int8_t(*pattern);
  return e;
}

// One ACL per principal and operation the flags name (Kafka's --allow-principal,
// --deny-principal, --operation; --producer and --consumer stand for their usual operations).
runtime::result<std::vector<net::acl_entry>> acls_of(const options& o) {
  auto base = resource_of(o, true);
  if (!base) return base.error();
  std::vector<std::string> ops = o.operations;
  if (o.producer) ops.insert(ops.end(), {"WRITE", "DESCRIBE", "CREATE"});
  if (o.consumer) ops.insert(ops.end(), {"READ", "DESCRIBE"});
  if (ops.empty()) return runtime::status{errc::invalid_request, "name an --operation"};
  if (o.allow_principals.empty() && o.deny_principals.empty())
    return runtime::status{errc::invalid_request, "name an --allow-principal or --deny-principal"};
  std::vector<net::acl_entry> out;
  for (const auto& op_name : ops) {
    auto op = sec::parse_operation(op_name);
    if (!op) return runtime::status{errc::invalid_request, "unknown --operation '" + op_name + "'"};
    // --producer/--consumer on a group or the cluster: only the operations that apply there.
    bool on_group = base->resource_type == int8_t(sec::resource_type::group);
    if (o.consumer && on_group && *op != sec::acl_operation::read) continue;
    for (auto [principals, perm] : {std::pair{&o.allow_principals, sec::acl_permission::allow},
                                    std::pair{&o.deny_principals, sec::acl_permission::deny}})
      for (const auto& p : *principals) {
        net::acl_entry e = *base;
        e.principal = p;
        e.host = o.acl_host.empty() ? "*" : o.acl_host;
        e.operation = int8_t(*op);
        e.permission = int8_t(perm);
        auto valid = sec::validate(net::to_binding(e));
        if (!valid) return valid;
        out.push_back(e);
      }
  }
  return out;
}

// The filter remove and list use: what the flags name, anything where they name nothing.
runtime::result<net::acl_entry> filter_of(const options& o) {
  auto f = resource_of(o, false);
  if (!f) return f;
  if (o.pattern_type == "literal" && f->resource_type == int8_t(sec::resource_type::any))
    f->pattern_type = int8_t(sec::pattern_type::any);
  f->principal = o.principal;
  f->host = o.acl_host;
  f->operation = int8_t(sec::acl_operation::any);
  f->permission = int8_t(sec::acl_permission::any);
  if (!o.operations.empty()) {
    auto op = sec::parse_operation(o.operations.front());
    if (!op)
      return runtime::status{errc::invalid_request,
                             "unknown --operation '" + o.operations.front() + "'"};
    f->operation = int8_t(*op);
  }
  return f;
}

void print_acl(const net::acl_entry& e) {
  std::printf("%s\n", sec::describe(net::to_binding(e)).c_str());
}

}  // namespace

runtime::status use_client_security(const std::string& path) {
  auto props = runtime::load_properties(path);
  if (!props) return props.error();
  net::client_security s;
  for (const auto& [k, v] : *props) {
    auto known = s.apply(k, v);
    if (!known) return known.error();
    if (!*known)
      return {errc::invalid_config, path + ": unknown client key '" + k +
                                        "' (security.protocol, ssl.ca.location, sasl.mechanism, "
                                        "sasl.username, sasl.password)"};
  }
  net::client_security::set_defaults(std::move(s));
  return {};
}

int user_create(const options& o) {
  std::string password = o.password;
  if (password.empty() && !std::getline(std::cin, password))
    return fail("give --password or the password on stdin");
  if (password.empty()) return fail("the password is empty");
  auto mechs = mechanisms_of(o);
  if (!mechs) return fail(mechs.error());
  for (const auto& m : *mechs) {
    // Salted and hashed here: the password itself never reaches a broker.
    auto cred = sec::make_scram_credential(*sec::parse_scram_mechanism(m), password, o.iterations);
    if (!cred) return fail(cred.error());
    auto r = call_any<net::status_response>(
        o, net::native_type::alter_user, net::alter_user_request{o.user, m, sec::to_text(*cred)});
    if (!r) return fail(r.error());
  }
  std::string list;
  for (const auto& m : *mechs) list += (list.empty() ? "" : ", ") + m;
  std::printf("User %s can log in with %s.\n", o.user.c_str(), list.c_str());
  return 0;
}

int user_delete(const options& o) {
  std::vector<std::string> mechs =
      o.mechanisms.empty() ? std::vector<std::string>{""} : o.mechanisms;
  for (const auto& m : mechs) {
    auto r = call_any<net::status_response>(o, net::native_type::alter_user,
                                            net::alter_user_request{o.user, m, ""});
    if (!r) return fail(r.error());
  }
  std::printf("Removed %s of user %s.\n",
              o.mechanisms.empty() ? "every credential" : "the credentials named", o.user.c_str());
  return 0;
}

int user_list(const options& o) {
  auto r = call_any<net::describe_users_response>(o, net::native_type::describe_users,
                                                  net::describe_users_request{});
  if (!r) return fail(r.error());
  for (const auto& u : r->users) {
    std::printf("%s", u.name.c_str());
    for (size_t i = 0; i < u.mechanisms.size(); ++i)
      std::printf("%s%s (iterations=%d)", i == 0 ? "\t" : ", ", u.mechanisms[i].c_str(),
                  i < u.iterations.size() ? u.iterations[i] : 0);
    std::printf("\n");
  }
  return 0;
}

int acl_add(const options& o) {
  auto acls = acls_of(o);
  if (!acls) return fail(acls.error());
  auto r = call_any<net::acls_response>(o, net::native_type::create_acls,
                                        net::create_acls_request{*acls});
  if (!r) return fail(r.error());
  std::printf("Added ACLs:\n");
  for (const auto& e : *acls) print_acl(e);
  return 0;
}

int acl_remove(const options& o) {
  auto f = filter_of(o);
  if (!f) return fail(f.error());
  auto r = call_any<net::acls_response>(o, net::native_type::delete_acls,
                                        net::delete_acls_request{{*f}});
  if (!r) return fail(r.error());
  size_t n = 0;
  for (const auto& per_filter : r->matched)
    for (const auto& e : per_filter) {
      if (n++ == 0) std::printf("Removed ACLs:\n");
      print_acl(e);
    }
  if (n == 0) std::printf("No ACL matched.\n");
  return 0;
}

int acl_list(const options& o) {
  auto f = filter_of(o);
  if (!f) return fail(f.error());
  auto r = call_any<net::acls_response>(o, net::native_type::describe_acls,
                                        net::describe_acls_request{*f});
  if (!r) return fail(r.error());
  for (const auto& per_filter : r->matched)
    for (const auto& e : per_filter) print_acl(e);
  return 0;
}

}  // namespace brook::cli
