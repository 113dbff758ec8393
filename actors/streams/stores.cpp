// The in-memory byte store, store key encodings, retention sweeps and the changelogging store
// instance.
#include <map>

#include "actors/streams/detail/task.hpp"
#include "actors/streams/state_store.hpp"

namespace brook::streams::detail {

namespace {

class memory_store : public bytes_store {
 public:
  std::optional<std::string> get(const std::string& key) const override {
    auto it = map_.find(key);
    if (it == map_.end()) return std::nullopt;
    return it->second;
  }
  void put(const std::string& key, const std::string& value) override { map_[key] = value; }
  void remove(const std::string& key) override { map_.erase(key); }
  void range(const std::string& from, const std::string& to, const visitor& fn) const override {
    for (auto it = map_.lower_bound(from); it != map_.end() && (to.empty() || it->first < to); ++it)
      if (!fn(it->first, it->second)) return;
  }
  size_t approximate_count() const override { return map_.size(); }
  void clear() override { map_.clear(); }

 private:
  std::map<std::string, std::string> map_;
};

}  // namespace

std::unique_ptr<bytes_store> make_memory_store() {
  return std::make_unique<memory_store>();
}

std::string encode_time(int64_t t) {
  uint64_t u = uint64_t(t) ^ (uint64_t(1) << 63);
  std::string out(8, '\0');
  for (int i = 0; i < 8; ++i) out[size_t(i)] = char(u >> (8 * (7 - i)));
  return out;
}

int64_t decode_time(const char* p) {
  uint64_t u = 0;
  for (int i = 0; i < 8; ++i) u = (u << 8) | uint8_t(p[i]);
  return int64_t(u ^ (uint64_t(1) << 63));
}

std::string key_prefix(const std::string& key) {
  std::string out(4, '\0');
  for (int i = 0; i < 4; ++i) out[size_t(i)] = char(uint32_t(key.size()) >> (8 * (3 - i)));
  return out + key;
}

std::string prefix_end(const std::string& prefix) {
  // Every key of the prefix is the prefix plus 16 bytes of times: 17 0xff bytes sort after all.
  return prefix + std::string(17, '\xff');
}

std::pair<std::string, std::string> split_prefixed(const std::string& stored) {
  uint32_t n = 0;
  for (int i = 0; i < 4 && i < int(stored.size()); ++i) n = (n << 8) | uint8_t(stored[size_t(i)]);
  if (stored.size() < 4 + size_t(n)) return {stored, ""};
  return {stored.substr(4, n), stored.substr(4 + n)};
}

void expire(store_instance& s, int64_t& last_sweep, int64_t retention_ms,
            const std::function<int64_t(const std::string& suffix)>& time_of) {
  int64_t now = s.task().stream_time();
  if (retention_ms <= 0 || now < 0) return;
  if (last_sweep != INT64_MIN && now - last_sweep < std::max<int64_t>(1, retention_ms / 4)) return;
  last_sweep = now;
  std::vector<std::string> old;
  s.range("", "", [&](const std::string& k, const std::string&) {
    auto suffix = split_prefixed(k).second;
    if (suffix.size() >= 8 && time_of(suffix) < now - retention_ms) old.push_back(k);
    return true;
  });
  for (const auto& k : old) s.remove(k);
}

store_instance::store_instance(const store_def& def, task_context& task,
                               std::unique_ptr<bytes_store> inner, std::string changelog_topic)
    : def_(def), task_(task), inner_(std::move(inner)), changelog_(std::move(changelog_topic)) {
  view_ = def_.make_view(*this);
}

void store_instance::put(const std::string& key, const std::string& value) {
  inner_->put(key, value);
  log(key, value);
}

void store_instance::remove(const std::string& key) {
  inner_->remove(key);
  log(key, std::nullopt);
}

void store_instance::restore(const std::string& key, const std::optional<std::string>& value) {
  if (value)
    inner_->put(key, *value);
  else
    inner_->remove(key);
}

void store_instance::log(const std::string& key, const std::optional<std::string>& value) {
  // A table read from a topic is restored from that topic: nothing to write.
  if (changelog_.empty() || !def_.source_topic.empty()) return;
  out_record r;
  r.topic = changelog_;
  r.partition = task_.id().partition;
  r.key = key;
  r.value = value;
  // Wall-clock time, not stream time: the broker's min.compaction.lag.ms counts from it, and the
  // restore tells from it whether compaction may have used a change (run/restore.cpp).
  r.timestamp = task_.wall_clock_ms();
  ++in_flight_;
  task_.send(std::move(r), channel);
}

void store_instance::acknowledged(int64_t offset) {
  --in_flight_;
  checkpoint_ = std::max(checkpoint_, offset + 1);
}

}  // namespace brook::streams::detail
