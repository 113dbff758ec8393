#include "runtime/security/acl.hpp"

#include <algorithm>
#include <cctype>
#include <tuple>

namespace brook::runtime::security {

namespace {

template <class E>
struct named {
  E value;
  const char* name;
};

constexpr named<resource_type> resource_names[] = {
    {resource_type::unknown, "UNKNOWN"}, {resource_type::any, "ANY"},
    {resource_type::topic, "TOPIC"},     {resource_type::group, "GROUP"},
    {resource_type::cluster, "CLUSTER"}, {resource_type::transactional_id, "TRANSACTIONAL_ID"},
};
constexpr named<pattern_type> pattern_names[] = {
    {pattern_type::unknown, "UNKNOWN"},   {pattern_type::any, "ANY"},
    {pattern_type::match, "MATCH"},       {pattern_type::literal, "LITERAL"},
    {pattern_type::prefixed, "PREFIXED"},
};
constexpr named<acl_operation> operation_names[] = {
    {acl_operation::unknown, "UNKNOWN"},
    {acl_operation::any, "ANY"},
    {acl_operation::all, "ALL"},
    {acl_operation::read, "READ"},
    {acl_operation::write, "WRITE"},
    {acl_operation::create, "CREATE"},
    {acl_operation::remove, "DELETE"},
    {acl_operation::alter, "ALTER"},
    {acl_operation::describe, "DESCRIBE"},
    {acl_operation::cluster_action, "CLUSTER_ACTION"},
    {acl_operation::describe_configs, "DESCRIBE_CONFIGS"},
    {acl_operation::alter_configs, "ALTER_CONFIGS"},
    {acl_operation::idempotent_write, "IDEMPOTENT_WRITE"},
};
constexpr named<acl_permission> permission_names[] = {
    {acl_permission::unknown, "UNKNOWN"},
    {acl_permission::any, "ANY"},
    {acl_permission::deny, "DENY"},
    {acl_permission::allow, "ALLOW"},
};

template <class E, size_t N>
const char* name_of(const named<E> (&table)[N], E v) {
  for (const auto& n : table)
    if (n.value == v) return n.name;
  return "UNKNOWN";
}

template <class E, size_t N>
std::optional<E> value_of(const named<E> (&table)[N], const std::string& s) {
  std::string up;
  for (char c : s) up += char(c == '-' ? '_' : std::toupper(static_cast<unsigned char>(c)));
  for (const auto& n : table)
    if (up == n.name) return n.value;
  return std::nullopt;
}

// Whether an ACL's resource pattern covers the resource named `name`.
bool covers(const acl_binding& b, resource_type type, const std::string& name) {
  if (b.resource != type) return false;
  if (b.pattern == pattern_type::prefixed) return name.compare(0, b.name.size(), b.name) == 0;
  return b.name == "*" || b.name == name;
}

// The operations whose ALLOW grants `op` (Kafka's implied operations).
bool grants(acl_operation granted, acl_operation op) {
  if (granted == acl_operation::all || granted == op) return true;
  if (op == acl_operation::describe)
    return granted == acl_operation::read || granted == acl_operation::write ||
           granted == acl_operation::remove || granted == acl_operation::alter;
  if (op == acl_operation::describe_configs) return granted == acl_operation::alter_configs;
  return false;
}

}  // namespace

bool acl_binding::operator==(const acl_binding& o) const {
  return std::tie(resource, name, pattern, principal, host, operation, permission) ==
         std::tie(o.resource, o.name, o.pattern, o.principal, o.host, o.operation, o.permission);
}

bool acl_filter::matches(const acl_binding& b) const {
  if (resource != resource_type::any && resource != b.resource) return false;
  if (operation != acl_operation::any && operation != b.operation) return false;
  if (permission != acl_permission::any && permission != b.permission) return false;
  if (principal && *principal != b.principal) return false;
  if (host && *host != b.host) return false;
  switch (pattern) {
    case pattern_type::any:
      return !name || *name == b.name;
    case pattern_type::match:
      // Every ACL that applies to the named resource: literal equal or "*", or a prefix of it.
      return !name || (b.pattern == pattern_type::literal && (b.name == *name || b.name == "*")) ||
             (b.pattern == pattern_type::prefixed && name->compare(0, b.name.size(), b.name) == 0);
    default:
      return pattern == b.pattern && (!name || *name == b.name);
  }
}

status validate(const acl_binding& b) {
  auto bad = [&](const std::string& why) { return status{errc::invalid_request, why}; };
  if (b.resource == resource_type::unknown || b.resource == resource_type::any)
    return bad("an ACL needs a concrete resource type (TOPIC, GROUP, CLUSTER, TRANSACTIONAL_ID)");
  if (b.pattern != pattern_type::literal && b.pattern != pattern_type::prefixed)
    return bad("an ACL's pattern type is LITERAL or PREFIXED");
  if (b.operation == acl_operation::unknown || b.operation == acl_operation::any)
    return bad("an ACL needs a concrete operation");
  if (b.permission != acl_permission::allow && b.permission != acl_permission::deny)
    return bad("an ACL's permission is ALLOW or DENY");
  if (b.name.empty()) return bad("an ACL needs a resource name");
  if (b.resource == resource_type::cluster && b.name != cluster_resource_name)
    return bad(std::string("the cluster resource is named ") + cluster_resource_name);
  auto colon = b.principal.find(':');
  if (colon == std::string::npos || colon == 0 || colon + 1 == b.principal.size())
    return bad("principal '" + b.principal + "' is not Type:name (User:alice)");
  if (b.host.empty()) return bad("an ACL needs a host ('*' for any)");
  return {};
}

const char* to_string(resource_type t) {
  return name_of(resource_names, t);
}
const char* to_string(pattern_type t) {
  return name_of(pattern_names, t);
}
const char* to_string(acl_operation o) {
  return name_of(operation_names, o);
}
const char* to_string(acl_permission p) {
  return name_of(permission_names, p);
}
std::optional<resource_type> parse_resource_type(const std::string& s) {
  return value_of(resource_names, s);
}
std::optional<pattern_type> parse_pattern_type(const std::string& s) {
  return value_of(pattern_names, s);
}
std::optional<acl_operation> parse_operation(const std::string& s) {
  return value_of(operation_names, s);
}
std::optional<acl_permission> parse_permission(const std::string& s) {
  return value_of(permission_names, s);
}

std::string describe(const acl_binding& b) {
  return b.principal + " has " + to_string(b.permission) +
         " permission for operations: " + to_string(b.operation) + " from hosts: " + b.host +
         " on " + to_string(b.resource) + ":" + to_string(b.pattern) + ":" + b.name;
}

bool authorized(const std::vector<acl_binding>& acls, const authorizer_settings& settings,
                const std::string& principal, const std::string& host, acl_operation op,
                resource_type type, const std::string& name) {
  const auto& su = settings.super_users;
  if (std::find(su.begin(), su.end(), principal) != su.end()) return true;
  bool any_for_resource = false, allowed = false;
  for (const auto& b : acls) {
    if (!covers(b, type, name)) continue;
    any_for_resource = true;
    if (b.principal != principal && b.principal != "User:*") continue;
    if (b.host != "*" && b.host != host) continue;
    if (b.permission == acl_permission::deny &&
        (b.operation == op || b.operation == acl_operation::all))
      return false;  // DENY wins over any ALLOW
    if (b.permission == acl_permission::allow && grants(b.operation, op)) allowed = true;
  }
  return allowed || (!any_for_resource && settings.allow_everyone_if_no_acl_found);
}

bool authorized_on_any(const std::vector<acl_binding>& acls, const authorizer_settings& settings,
                       const std::string& principal, const std::string& host, acl_operation op,
                       resource_type type) {
  const auto& su = settings.super_users;
  if (std::find(su.begin(), su.end(), principal) != su.end()) return true;
  auto applies = [&](const acl_binding& b) {
    return b.resource == type && (b.principal == principal || b.principal == "User:*") &&
           (b.host == "*" || b.host == host);
  };
  auto denies = [&](const acl_binding& d) {
    return applies(d) && d.permission == acl_permission::deny &&
           (d.operation == op || d.operation == acl_operation::all);
  };
  // Kafka's rule: an ALLOW counts unless a DENY covers all it allows: "*", its own literal
  // name, or a prefix of its name.
  auto covered = [&](const acl_binding& allow) {
    return std::any_of(acls.begin(), acls.end(), [&](const acl_binding& d) {
      if (!denies(d)) return false;
      if (d.pattern == pattern_type::literal)
        return d.name == "*" || (allow.pattern == pattern_type::literal && d.name == allow.name);
      return allow.name.compare(0, d.name.size(), d.name) == 0;
    });
  };
  // No ACL on any resource of the type: allow.everyone.if.no.acl.found decides.
  bool any_of_type = std::any_of(acls.begin(), acls.end(),
                                 [&](const acl_binding& b) { return b.resource == type; });
  if (!any_of_type) return settings.allow_everyone_if_no_acl_found;
  return std::any_of(acls.begin(), acls.end(), [&](const acl_binding& b) {
    return applies(b) && b.permission == acl_permission::allow && grants(b.operation, op) &&
           !covered(b);
  });
}

}  // namespace brook::runtime::security
