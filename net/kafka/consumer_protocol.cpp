#include "net/kafka/consumer_protocol.hpp"

#include "net/kafka/wire.hpp"

namespace brook::net::kafka {

runtime::bytes encode_subscription(const std::vector<std::string>& topics) {
  runtime::bytes out;
  writer w(out, 0, false);
  w.i16(0);
  auto t = topics;
  w.array(t, [&](std::string& s) { w.str(s); });
  w.nbytes(std::nullopt);  // user data
  return out;
}

std::optional<std::vector<std::string>> decode_subscription(const runtime::bytes& b) {
  reader r(b.data(), b.size(), 0, false);
  int16_t version = 0;
  r.i16(version);
  std::vector<std::string> topics;
  r.array(topics, [&](std::string& s) { r.str(s); });
  if (!r.ok() || version < 0) return std::nullopt;
  return topics;  // later versions only append fields
}

runtime::bytes encode_assignment(const topic_partitions& parts) {
  runtime::bytes out;
  writer w(out, 0, false);
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
  reader r(b.data(), b.size(), 0, false);
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

}  // namespace brook::net::kafka
