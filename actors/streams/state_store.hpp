#pragma once
// State stores as a processor sees them (typed views over an ordered byte store per task), and
// the builders a topology adds them with. Every change is also written to the store's changelog
// topic `<application.id>-<store>-changelog` (kept whole: retention.ms=-1), from which the store is
// rebuilt after a crash or when its task moves to another instance.
//
//   topo.add_state_store(stores::key_value<std::string, int64_t>("counts"), {"counter"});
//   ...
//   auto& counts = ctx.state_store<kv_store<std::string, int64_t>>("counts");
//   counts.put(r.key, counts.get(r.key).value_or(0) + 1);
#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "actors/streams/detail/store.hpp"
#include "actors/streams/serdes.hpp"

namespace brook::streams {

/// A time window [start, end) (end exclusive), as Kafka Streams' Window.
struct window {
  int64_t start = 0;
  int64_t end = 0;
  bool operator==(const window& o) const { return start == o.start && end == o.end; }
  bool operator<(const window& o) const {
    return start < o.start || (start == o.start && end < o.end);
  }
};

/// A key with the window it was aggregated in (the key of a windowed table).
template <class K>
struct windowed {
  K key{};
  streams::window window;
  bool operator==(const windowed& o) const { return key == o.key && window == o.window; }
  bool operator<(const windowed& o) const {
    return key < o.key || (key == o.key && window < o.window);
  }
};

namespace detail {
/// Order-preserving encodings of store keys: [u32 length][key][times as big-endian u64 with the
/// sign bit flipped], so byte order is (key, time) order.
std::string encode_time(int64_t t);
int64_t decode_time(const char* p);
std::string key_prefix(const std::string& key);
/// The smallest byte string after every key that starts with `prefix`.
std::string prefix_end(const std::string& prefix);
/// Splits a key_prefix()-encoded store key into the user key and what follows it.
std::pair<std::string, std::string> split_prefixed(const std::string& stored);
/// Window and session stores drop what fell out of their retention, at most every quarter of it.
void expire(store_instance& s, int64_t& last_sweep, int64_t retention_ms,
            const std::function<int64_t(const std::string& suffix)>& time_of);
}  // namespace detail

/// A key-value store.
template <class K, class V>
class kv_store {
 public:
  kv_store(detail::store_instance& s, serde<K> ks, serde<V> vs)
      : s_(s), ks_(std::move(ks)), vs_(std::move(vs)) {}
  std::optional<V> get(const K& key) const {
    auto b = s_.get(ks_.serialize(key));
    if (!b) return std::nullopt;
    return vs_.deserialize(std::string_view(*b));
  }
  void put(const K& key, const V& value) { s_.put(ks_.serialize(key), vs_.serialize(value)); }
  void remove(const K& key) { s_.remove(ks_.serialize(key)); }
  /// Every entry in key (byte) order.
  std::vector<std::pair<K, V>> all() const {
    std::vector<std::pair<K, V>> out;
    s_.range("", "", [&](const std::string& k, const std::string& v) {
      out.emplace_back(ks_.deserialize(std::string_view(k)), vs_.deserialize(std::string_view(v)));
      return true;
    });
    return out;
  }
  size_t approximate_count() const { return s_.approximate_count(); }
  const std::string& name() const { return s_.def().name; }

 private:
  detail::store_instance& s_;
  serde<K> ks_;
  serde<V> vs_;
};

/// Values per (key, window start) for fixed-size windows, kept for the store's retention.
template <class K, class V>
class window_store {
 public:
  window_store(detail::store_instance& s, serde<K> ks, serde<V> vs)
      : s_(s), ks_(std::move(ks)), vs_(std::move(vs)) {}
  void put(const K& key, int64_t window_start, const V& value) {
    s_.put(detail::key_prefix(ks_.serialize(key)) + detail::encode_time(window_start),
           vs_.serialize(value));
    detail::expire(s_, last_sweep_, s_.def().retention_ms,
                   [](const std::string& suffix) { return detail::decode_time(suffix.data()); });
  }
  std::optional<V> fetch(const K& key, int64_t window_start) const {
    auto b = s_.get(detail::key_prefix(ks_.serialize(key)) + detail::encode_time(window_start));
    if (!b) return std::nullopt;
    return vs_.deserialize(std::string_view(*b));
  }
  void remove(const K& key, int64_t window_start) {
    s_.remove(detail::key_prefix(ks_.serialize(key)) + detail::encode_time(window_start));
  }
  /// (window start, value) of `key` for starts in [from, to], in time order.
  std::vector<std::pair<int64_t, V>> fetch(const K& key, int64_t from, int64_t to) const {
    std::vector<std::pair<int64_t, V>> out;
    auto prefix = detail::key_prefix(ks_.serialize(key));
    s_.range(prefix + detail::encode_time(from), prefix + detail::encode_time(to + 1),
             [&](const std::string& k, const std::string& v) {
               out.emplace_back(detail::decode_time(k.data() + prefix.size()),
                                vs_.deserialize(std::string_view(v)));
               return true;
             });
    return out;
  }
  int64_t window_size_ms() const { return s_.def().window_size_ms; }
  int64_t retention_ms() const { return s_.def().retention_ms; }

 private:
  detail::store_instance& s_;
  serde<K> ks_;
  serde<V> vs_;
  int64_t last_sweep_ = INT64_MIN;
};

/// Sessions per key: (window, aggregate), kept for the store's retention past their end.
template <class K, class V>
class session_store {
 public:
  session_store(detail::store_instance& s, serde<K> ks, serde<V> vs)
      : s_(s), ks_(std::move(ks)), vs_(std::move(vs)) {}
  void put(const K& key, const window& w, const V& value) {
    s_.put(stored(key, w), vs_.serialize(value));
    detail::expire(s_, last_sweep_, s_.def().retention_ms,
                   [](const std::string& suffix) { return detail::decode_time(suffix.data()); });
  }
  void remove(const K& key, const window& w) { s_.remove(stored(key, w)); }
  /// Sessions of `key` that end at or after `earliest_end` and start at or before
  /// `latest_start`, in order of their end.
  std::vector<std::pair<window, V>> find_sessions(const K& key, int64_t earliest_end,
                                                  int64_t latest_start) const {
    std::vector<std::pair<window, V>> out;
    auto prefix = detail::key_prefix(ks_.serialize(key));
    s_.range(prefix + detail::encode_time(earliest_end), detail::prefix_end(prefix),
             [&](const std::string& k, const std::string& v) {
               window w{detail::decode_time(k.data() + prefix.size() + 8),
                        detail::decode_time(k.data() + prefix.size())};
               if (w.start <= latest_start)
                 out.emplace_back(w, vs_.deserialize(std::string_view(v)));
               return true;
             });
    return out;
  }

 private:
  // Ordered by end, then start: the sessions that can still merge come last.
  std::string stored(const K& key, const window& w) const {
    return detail::key_prefix(ks_.serialize(key)) + detail::encode_time(w.end) +
           detail::encode_time(w.start);
  }
  detail::store_instance& s_;
  serde<K> ks_;
  serde<V> vs_;
  int64_t last_sweep_ = INT64_MIN;
};

/// A store to add to a topology.
template <class Store>
struct store_builder {
  detail::store_def def;
  /// Kept in RocksDB under state.dir instead of memory (still rebuilt from the changelog).
  store_builder& persistent() {
    def.persistent = true;
    return *this;
  }
  /// No changelog: the store starts empty after a crash or a move.
  store_builder& with_logging_disabled() {
    def.logged = false;
    return *this;
  }
};

namespace stores {

template <class K, class V, class Store>
store_builder<Store> make(std::string name, detail::store_kind kind, serde<K> ks, serde<V> vs) {
  store_builder<Store> b;
  b.def.name = std::move(name);
  b.def.kind = kind;
  b.def.view_type = typeid(Store);
  b.def.view_name = std::string(kind == detail::store_kind::key_value ? "kv_store"
                                : kind == detail::store_kind::window  ? "window_store"
                                                                      : "session_store");
  b.def.make_view = [ks, vs](detail::store_instance& s) {
    return std::make_shared<Store>(s, ks, vs);
  };
  return b;
}

template <class K, class V>
store_builder<kv_store<K, V>> key_value(std::string name, serde<K> ks = default_serde<K>::get(),
                                        serde<V> vs = default_serde<V>::get()) {
  return make<K, V, kv_store<K, V>>(std::move(name), detail::store_kind::key_value, ks, vs);
}

template <class K, class V>
store_builder<window_store<K, V>> window(std::string name, std::chrono::milliseconds size,
                                         std::chrono::milliseconds retention,
                                         serde<K> ks = default_serde<K>::get(),
                                         serde<V> vs = default_serde<V>::get()) {
  auto b = make<K, V, window_store<K, V>>(std::move(name), detail::store_kind::window, ks, vs);
  b.def.window_size_ms = size.count();
  b.def.retention_ms = retention.count();
  return b;
}

template <class K, class V>
store_builder<session_store<K, V>> session(std::string name, std::chrono::milliseconds retention,
                                           serde<K> ks = default_serde<K>::get(),
                                           serde<V> vs = default_serde<V>::get()) {
  auto b = make<K, V, session_store<K, V>>(std::move(name), detail::store_kind::session, ks, vs);
  b.def.retention_ms = retention.count();
  return b;
}

}  // namespace stores
}  // namespace brook::streams
