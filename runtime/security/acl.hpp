#pragma once
// Access control lists and the authorizer's decision, with Kafka's model: an ACL allows or denies
// one principal, from one host, one operation on resources named literally or by prefix; DENY
// wins; READ, WRITE, DELETE and ALTER imply DESCRIBE, ALTER_CONFIGS implies DESCRIBE_CONFIGS;
// super users pass every check. Pure values; enum numbers are Kafka's wire values.
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "runtime/status.hpp"

namespace brook::runtime::security {

enum class resource_type : int8_t {
  unknown = 0,
  any = 1,  // filters only
  topic = 2,
  group = 3,
  cluster = 4,
  transactional_id = 5,
};
enum class pattern_type : int8_t {
  unknown = 0,
  any = 1,    // filters only
  match = 2,  // filters only: every ACL that would apply to the named resource
  literal = 3,
  prefixed = 4,
};
enum class acl_operation : int8_t {
  unknown = 0,
  any = 1,  // filters only
  all = 2,
  read = 3,
  write = 4,
  create = 5,
  remove = 6,  // Kafka's DELETE
  alter = 7,
  describe = 8,
  cluster_action = 9,
  describe_configs = 10,
  alter_configs = 11,
  idempotent_write = 12,
};
enum class acl_permission : int8_t { unknown = 0, any = 1, deny = 2, allow = 3 };

/// One ACL. A literal name "*" matches every resource of its type; a principal "User:*" every
/// principal; a host "*" every host.
struct acl_binding {
  resource_type resource = resource_type::topic;
  std::string name;
  pattern_type pattern = pattern_type::literal;
  std::string principal;  // "User:alice"
  std::string host = "*";
  acl_operation operation = acl_operation::all;
  acl_permission permission = acl_permission::allow;
  bool operator==(const acl_binding& o) const;
};

/// What DescribeAcls / DeleteAcls select; an empty optional matches anything.
struct acl_filter {
  resource_type resource = resource_type::any;
  std::optional<std::string> name;
  pattern_type pattern = pattern_type::any;
  std::optional<std::string> principal;
  std::optional<std::string> host;
  acl_operation operation = acl_operation::any;
  acl_permission permission = acl_permission::any;
  bool matches(const acl_binding& b) const;
};

/// A binding CreateAcls may store: concrete types (no ANY/MATCH/UNKNOWN), a "Type:name"
/// principal, a non-empty name, "kafka-cluster" for the cluster. invalid_request otherwise.
status validate(const acl_binding& b);

/// Kafka's names: "TOPIC", "LITERAL", "WRITE", "ALLOW" ... (parse is case-insensitive and also
/// takes "DELETE" for remove).
const char* to_string(resource_type t);
const char* to_string(pattern_type t);
const char* to_string(acl_operation o);
const char* to_string(acl_permission p);
std::optional<resource_type> parse_resource_type(const std::string& s);
std::optional<pattern_type> parse_pattern_type(const std::string& s);
std::optional<acl_operation> parse_operation(const std::string& s);
std::optional<acl_permission> parse_permission(const std::string& s);
/// "User:alice has ALLOW permission for operations: WRITE from hosts: * on TOPIC:LITERAL:orders"
std::string describe(const acl_binding& b);

/// The cluster resource's only name.
inline const char* cluster_resource_name = "kafka-cluster";

/// The settings a decision depends on besides the ACLs.
struct authorizer_settings {
  std::vector<std::string> super_users;  // "User:admin"
  bool allow_everyone_if_no_acl_found = false;
};

/// Whether `principal` connected from `host` may do `op` on the resource (`type`, `name`).
bool authorized(const std::vector<acl_binding>& acls, const authorizer_settings& settings,
                const std::string& principal, const std::string& host, acl_operation op,
                resource_type type, const std::string& name);

/// Whether some ALLOW ACL grants `principal` (from `host`) `op` on resources of `type` that no
/// DENY of it covers ("*", the same literal name, or a prefix of the name): Kafka's check
/// behind "WRITE on any topic lets an idempotent producer in".
bool authorized_on_any(const std::vector<acl_binding>& acls, const authorizer_settings& settings,
                       const std::string& principal, const std::string& host, acl_operation op,
                       resource_type type);

}  // namespace brook::runtime::security
