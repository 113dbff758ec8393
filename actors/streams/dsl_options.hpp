#pragma once
// The options of the Streams DSL's operations, as in Kafka Streams: consumed, produced, grouped
// and materialized (serdes, names, store kinds), the windows of aggregations and joins, and the
// serde of windowed keys.
#include <algorithm>
#include <chrono>
#include <optional>
#include <string>
#include <vector>

#include "actors/streams/serdes.hpp"
#include "actors/streams/state_store.hpp"
#include "actors/streams/urgency.hpp"

namespace brook::streams {

// ---- options --------------------------------------------------------------------------------

template <class K, class V>
struct consumed {
  std::optional<serde<K>> key_serde;
  std::optional<serde<V>> value_serde;
  std::optional<urgency> urg;
  static consumed with(serde<K> k, serde<V> v) {
    return {std::move(k), std::move(v), std::nullopt};
  }
  consumed& with_urgency(urgency u) {
    urg = u;
    return *this;
  }
};

template <class K, class V>
struct produced {
  std::optional<serde<K>> key_serde;
  std::optional<serde<V>> value_serde;
  static produced with(serde<K> k, serde<V> v) { return {std::move(k), std::move(v)}; }
};

template <class K, class V>
struct grouped {
  std::optional<serde<K>> key_serde;
  std::optional<serde<V>> value_serde;
  std::string name;  // names the repartition topic: <application.id>-<name>-repartition
  static grouped with(serde<K> k, serde<V> v) { return {std::move(k), std::move(v), {}}; }
  static grouped as(std::string n) { return {std::nullopt, std::nullopt, std::move(n)}; }
};

template <class K, class V>
struct materialized {
  std::string name;  // the store's name (and its changelog's); generated when empty
  std::optional<serde<K>> key_serde;
  std::optional<serde<V>> value_serde;
  bool persistent = false;
  bool logged = true;
  std::optional<std::chrono::milliseconds> retention;  // window and session stores
  static materialized as(std::string n) {
    return {std::move(n), std::nullopt, std::nullopt, false, true, {}};
  }
  materialized& with_retention(std::chrono::milliseconds r) {
    retention = r;
    return *this;
  }
  materialized& with_key_serde(serde<K> s) {
    key_serde = std::move(s);
    return *this;
  }
  materialized& with_value_serde(serde<V> s) {
    value_serde = std::move(s);
    return *this;
  }
  /// In RocksDB (state.dir) rather than in memory.
  materialized& with_persistent_store() {
    persistent = true;
    return *this;
  }
  materialized& with_logging_disabled() {
    logged = false;
    return *this;
  }
};

/// Fixed-size windows on event time: tumbling, or hopping with advance_by(). A record later than
/// its window's end plus the grace period (against the task's stream time) is dropped.
struct time_windows {
  std::chrono::milliseconds size{0}, advance{0}, grace{0};
  static time_windows of_size_with_no_grace(std::chrono::milliseconds size) {
    return {size, size, {}};
  }
  static time_windows of_size_and_grace(std::chrono::milliseconds size,
                                        std::chrono::milliseconds grace) {
    return {size, size, grace};
  }
  time_windows advance_by(std::chrono::milliseconds a) const { return {size, a, grace}; }
  /// Starts of the windows that contain `ts`, earliest first.
  std::vector<int64_t> starts_for(int64_t ts) const {
    std::vector<int64_t> out;
    int64_t sz = size.count(), adv = advance.count();
    int64_t last = ts - ((ts % adv) + adv) % adv;  // the latest start <= ts aligned to advance
    for (int64_t s = last; s > ts - sz; s -= adv) out.push_back(s);
    std::reverse(out.begin(), out.end());
    return out;
  }
};

/// Sessions: records of a key closer than the inactivity gap form one session window.
struct session_windows {
  std::chrono::milliseconds gap{0}, grace{0};
  static session_windows of_inactivity_gap_with_no_grace(std::chrono::milliseconds gap) {
    return {gap, {}};
  }
  static session_windows of_inactivity_gap_and_grace(std::chrono::milliseconds gap,
                                                     std::chrono::milliseconds grace) {
    return {gap, grace};
  }
};

/// Stream-stream joins: records of the two sides join when their event times are at most
/// `before` (the other side earlier) or `after` (later) apart.
struct join_windows {
  std::chrono::milliseconds before{0}, after{0}, grace{0};
  static join_windows of_time_difference_with_no_grace(std::chrono::milliseconds d) {
    return {d, d, {}};
  }
  static join_windows of_time_difference_and_grace(std::chrono::milliseconds d,
                                                   std::chrono::milliseconds g) {
    return {d, d, g};
  }
  join_windows with_before(std::chrono::milliseconds b) const { return {b, after, grace}; }
  join_windows with_after(std::chrono::milliseconds a) const { return {before, a, grace}; }
};

namespace serdes {
/// A windowed key: the key's bytes, then the window's start and end (8 bytes each, big-endian).
template <class K>
serde<windowed<K>> windowed_serde(serde<K> ks) {
  return {
      "windowed<" + ks.name + ">",
      [ks](const windowed<K>& w) {
        auto i64 = int64();
        return ks.serialize(w.key) + i64.serialize(w.window.start) + i64.serialize(w.window.end);
      },
      [ks](std::optional<std::string_view> b) -> windowed<K> {
        if (!b || b->size() < 16) throw serde_error("windowed key needs at least 16 bytes");
        auto i64 = int64();
        auto n = b->size();
        return {ks.deserialize(b->substr(0, n - 16)),
                window{i64.deserialize(b->substr(n - 16, 8)), i64.deserialize(b->substr(n - 8))}};
      }};
}
}  // namespace serdes

template <class K>
struct default_serde<windowed<K>, std::enable_if_t<default_serde<K>::available>> {
  static constexpr bool available = true;
  static serde<windowed<K>> get() { return serdes::windowed_serde(default_serde<K>::get()); }
};

}  // namespace brook::streams
