#include "net/security_messages.hpp"

namespace brook::net {

namespace sec = runtime::security;

sec::acl_binding to_binding(const acl_entry& e) {
  return {sec::resource_type(e.resource_type),
          e.name,
          sec::pattern_type(e.pattern_type),
          e.principal,
          e.host,
          sec::acl_operation(e.operation),
          sec::acl_permission(e.permission)};
}

acl_entry to_entry(const sec::acl_binding& b) {
  return {int8_t(b.resource),  b.name, int8_t(b.pattern), b.principal, b.host, int8_t(b.operation),
          int8_t(b.permission)};
}

sec::acl_filter to_filter(const acl_entry& e) {
  auto given = [](const std::string& s) {
    return s.empty() ? std::nullopt : std::optional<std::string>(s);
  };
  return {sec::resource_type(e.resource_type),
          given(e.name),
          sec::pattern_type(e.pattern_type),
          given(e.principal),
          given(e.host),
          sec::acl_operation(e.operation),
          sec::acl_permission(e.permission)};
}

std::vector<acl_entry> matching_acls(const std::vector<sec::acl_binding>& acls,
                                     const acl_entry& filter) {
  auto f = to_filter(filter);
  std::vector<acl_entry> out;
  for (const auto& b : acls)
    if (f.matches(b)) out.push_back(to_entry(b));
  return out;
}

}  // namespace brook::net
