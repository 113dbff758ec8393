#include "actors/session/metadata_access.hpp"

#include <algorithm>

#include "runtime/security/access.hpp"

namespace brook::actors {

namespace sec = runtime::security;

metadata_access::metadata_access(std::shared_ptr<const sec::access_registry> registry,
                                 std::string principal, std::string host,
                                 net::metadata_request& req)
    : registry_(std::move(registry)),
      principal_(std::move(principal)),
      host_(std::move(host)),
      all_topics_(req.all_topics) {
  std::vector<std::string> asked;
  for (auto& t : req.topics) (may_describe(t) ? asked : refused_).push_back(t);
  bool each = true;
  for (const auto& t : asked)
    each = each && registry_->authorize(principal_, host_, sec::acl_operation::create,
                                        sec::resource_type::topic, t);
  req.allow_auto_create =
      req.allow_auto_create &&
      (each || registry_->authorize(principal_, host_, sec::acl_operation::create,
                                    sec::resource_type::cluster, sec::cluster_resource_name));
  req.topics = std::move(asked);
}

void metadata_access::filter(net::metadata_response& m) const {
  if (all_topics_)
    m.topics.erase(std::remove_if(m.topics.begin(), m.topics.end(),
                                  [&](const net::topic_info& t) { return !may_describe(t.name); }),
                   m.topics.end());
  for (const auto& t : refused_)
    m.topics.push_back({t, net::errc::topic_authorization_failed, {}, {}, {}});
}

bool metadata_access::may_describe(const std::string& topic) const {
  return registry_->authorize(principal_, host_, sec::acl_operation::describe,
                              sec::resource_type::topic, topic);
}

}  // namespace brook::actors
