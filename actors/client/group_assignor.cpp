#include "actors/client/group_assignor.hpp"

#include <algorithm>
#include <set>

namespace brook::client {

std::map<std::string, topic_partitions> assign_range(const subscriptions& members,
                                                     const std::map<std::string, int32_t>& counts) {
  std::map<std::string, topic_partitions> out;
  for (const auto& [id, topics] : members) out[id];
  for (const auto& [topic, n] : counts) {
    std::vector<std::string> subs;  // std::map iteration: sorted by member id
    for (const auto& [id, topics] : members)
      if (std::find(topics.begin(), topics.end(), topic) != topics.end()) subs.push_back(id);
    if (subs.empty()) continue;
    int32_t per = n / int32_t(subs.size()), extra = n % int32_t(subs.size()), next = 0;
    for (size_t i = 0; i < subs.size(); ++i) {
      int32_t count = per + (int32_t(i) < extra ? 1 : 0);
      for (int32_t p = 0; p < count; ++p) out[subs[i]][topic].push_back(next++);
    }
  }
  return out;
}

std::map<std::string, topic_partitions> assign_roundrobin(
    const subscriptions& members, const std::map<std::string, int32_t>& counts) {
  std::map<std::string, topic_partitions> out;
  std::vector<std::string> ids;
  for (const auto& [id, topics] : members) {
    out[id];
    ids.push_back(id);
  }
  if (ids.empty()) return out;
  size_t turn = 0;
  for (const auto& [topic, n] : counts) {
    for (int32_t p = 0; p < n; ++p) {
      for (size_t tries = 0; tries < ids.size(); ++tries) {
        const auto& id = ids[turn++ % ids.size()];
        const auto& topics = members.at(id);
        if (std::find(topics.begin(), topics.end(), topic) != topics.end()) {
          out[id][topic].push_back(p);
          break;
        }
      }
    }
  }
  return out;
}

}  // namespace brook::client
