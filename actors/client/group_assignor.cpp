#include "actors/client/group_assignor.hpp"

#include <algorithm>
#include <set>

#include "net/kafka/wire.hpp"

namespace brook::client {

namespace k = net::kafka;

runtime::bytes encode_subscription(const std::vector<std::string>& topics) {
  runtime::bytes out;
  k::writer w(out, 0, false);
  w.i16(0);
  auto t = topics;
  w.array(t, [&](std::string& s) { w.str(s); });
  w.nbytes(std::nullopt);  // user data
  return out;
}

std::optional<std::vector<std::string>> decode_subscription(const runtime::bytes& b) {
  k::reader r(b.data(), b.size(), 0, false);
  int16_t version = 0;
  r.i16(version);
  std::vector<std::string> topics;
  r.array(topics, [&](std::string& s) { r.str(s); });
  if (!r.ok() || version < 0) return std::nullopt;
  return topics;  // later versions only append fields
}

runtime::bytes encode_assignment(const topic_partitions& parts) {
  runtime::bytes out;
  k::writer w(out, 0, false);
  w.i16(0);
  std::vector<std::pair<std::string, std::vector<int32_t>>> v(parts.begin(), parts.end());
  w.array(v, [&](std::pair<std::string, std::vector<int32_t>>& tp) {
    w.str(tp.first);
    w.array(tp.second, [&](int32_t& p) { w.i32(p); });
  });
  w.nbytes(std::nullopt);
  return out;
}

std::optional<topic_partitions> decode_assignment(const runtime::bytes& b) {
  if (b.empty()) return topic_partitions{};  // a member the leader gave nothing
  k::reader r(b.data(), b.size(), 0, false);
  int16_t version = 0;
  r.i16(version);
  std::vector<std::pair<std::string, std::vector<int32_t>>> v;
  r.array(v, [&](std::pair<std::string, std::vector<int32_t>>& tp) {
    r.str(tp.first);
    r.array(tp.second, [&](int32_t& p) { r.i32(p); });
  });
  if (!r.ok() || version < 0) return std::nullopt;
  topic_partitions out;
  for (auto& [t, ps] : v) out[t].insert(out[t].end(), ps.begin(), ps.end());
  return out;
}

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
