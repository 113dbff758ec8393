#pragma once
// Native protocol messages of user and ACL administration (docs/protocol.md), and the layout the
// coordinator keeps them in:
//   /config/users   packed map user -> (mechanism -> SCRAM credential text, Kafka's form)
//   /config/acls    packed vector of acl_entry
// Both are rewritten whole by compare-and-set; every broker watches them.
#include "net/native_messages.hpp"
#include "runtime/security/acl.hpp"

namespace brook::net {

namespace security_paths {
inline const std::string users = "/config/users";
inline const std::string acls = "/config/acls";
}  // namespace security_paths

/// user -> mechanism ("SCRAM-SHA-512") -> runtime::security::to_text(credential).
using stored_users = std::map<std::string, std::map<std::string, std::string>>;

/// One ACL, or (in a filter) a pattern of ACLs. Fields are runtime::security::acl_binding's with
/// Kafka's enum values; in a filter an empty name, principal or host matches any, and the ANY
/// values (1) of the enums match any.
struct acl_entry {
  int8_t resource_type = 2;
  std::string name;
  int8_t pattern_type = 3;
  std::string principal;
  std::string host = "*";
  int8_t operation = 2;
  int8_t permission = 3;
  MSGPACK_DEFINE(resource_type, name, pattern_type, principal, host, operation, permission)
};

runtime::security::acl_binding to_binding(const acl_entry& e);
acl_entry to_entry(const runtime::security::acl_binding& b);
/// A filter entry: empty name, principal or host match any.
runtime::security::acl_filter to_filter(const acl_entry& e);
/// The ACLs of `acls` that `filter` matches.
std::vector<acl_entry> matching_acls(const std::vector<runtime::security::acl_binding>& acls,
                                     const acl_entry& filter);

/// client -> broker, first on a SASL native listener: the mechanism the client logs in with.
/// -> sasl_handshake_response (an error also closes the connection)
struct sasl_handshake_request {
  std::string mechanism;
  MSGPACK_DEFINE(mechanism)
};
struct sasl_handshake_response {
  errc error = errc::none;
  std::string message;
  std::vector<std::string> mechanisms;  // what the listener enables
  MSGPACK_DEFINE(error, message, mechanisms)
};
/// client -> broker: the next SASL token. -> sasl_authenticate_response with the server's token
/// (a failed login answers an error frame, later, and closes the connection)
struct sasl_authenticate_request {
  runtime::bytes token;
  MSGPACK_DEFINE(token)
};
struct sasl_authenticate_response {
  errc error = errc::none;
  std::string message;
  runtime::bytes token;
  MSGPACK_DEFINE(error, message, token)
};

/// client -> broker: sets `user`'s credential for `mechanism` (the client salts and hashes; the
/// password never travels). An empty credential removes that mechanism's, an empty mechanism
/// every credential of the user. -> status_response
struct alter_user_request {
  std::string user;
  std::string mechanism;
  std::string credential;
  MSGPACK_DEFINE(user, mechanism, credential)
};

/// client -> broker: every user and the mechanisms each can log in with.
struct describe_users_request {
  int32_t unused = 0;
  MSGPACK_DEFINE(unused)
};
struct user_info {
  std::string name;
  std::vector<std::string> mechanisms;
  std::vector<int32_t> iterations;  // per mechanism
  MSGPACK_DEFINE(name, mechanisms, iterations)
};
struct describe_users_response {
  errc error = errc::none;
  std::string message;
  std::vector<user_info> users;
  MSGPACK_DEFINE(error, message, users)
};

/// client -> broker: ACLs to add (all checked first; the first bad one is the error and
/// nothing is stored). -> acls_response
struct create_acls_request {
  std::vector<acl_entry> acls;
  MSGPACK_DEFINE(acls)
};
/// client -> broker: deletes every ACL any filter matches. -> acls_response
struct delete_acls_request {
  std::vector<acl_entry> filters;
  MSGPACK_DEFINE(filters)
};
/// client -> broker: the ACLs the filter matches. -> acls_response
struct describe_acls_request {
  acl_entry filter;
  MSGPACK_DEFINE(filter)
};
/// `matched`: per filter, the ACLs it deleted (describe: one filter; create: empty).
struct acls_response {
  errc error = errc::none;
  std::string message;
  std::vector<std::vector<acl_entry>> matched;
  MSGPACK_DEFINE(error, message, matched)
};

}  // namespace brook::net
