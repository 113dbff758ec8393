#pragma once
// The Streams DSL, as in Kafka Streams: kstream, kgrouped_stream, ktable and windowed streams,
// built on the Processor API (every operation is a processor node of the topology).
//
//   stream_builder b;
//   b.stream<std::string, std::string>("text")
//       .flat_map_values([](const std::string& line) { return split_words(line); })
//       .group_by([](const std::string&, const std::string& word) { return word; })
//       .count()
//       .to_stream()
//       .to("word-counts");
//   auto topo = b.build();
//
// Keys and values keep their serdes along the way where the type stays; where a type changes,
// the next step that needs bytes (to(), a repartition, a store) takes the type's default serde
// unless one is named (produced, grouped, materialized).
#include <algorithm>
#include <chrono>
#include <functional>
#include <optional>
#include <string>
#include <type_traits>
#include <utility>
#include <vector>

#include "actors/streams/dsl_options.hpp"
#include "actors/streams/topology.hpp"

namespace brook::streams {

template <class K, class V>
class kstream;
template <class K, class V>
class ktable;
template <class K, class V>
class kgrouped_stream;
template <class K, class V>
class time_windowed_kstream;
template <class K, class V>
class session_windowed_kstream;

namespace detail {

/// A processor whose work is one function (the DSL's stateless and stateful operations).
template <class KIn, class VIn, class KOut, class VOut>
class fn_processor : public processor<KIn, VIn, KOut, VOut> {
 public:
  using fn = std::function<void(const record<KIn, VIn>&, processor_context<KOut, VOut>&)>;
  explicit fn_processor(fn f) : f_(std::move(f)) {}
  void process(const record<KIn, VIn>& r, processor_context<KOut, VOut>& ctx) override {
    f_(r, ctx);
  }

 private:
  fn f_;
};

template <class T>
struct pair_types;
template <class A, class B>
struct pair_types<std::pair<A, B>> {
  using first = A;
  using second = B;
};
template <class T>
struct vector_element;
template <class T, class A>
struct vector_element<std::vector<T, A>> {
  using type = T;
};

/// Several values as one (the records a stream-stream join keeps per key and time).
template <class T>
serde<std::vector<T>> vector_serde(serde<T> s) {
  return {"vector<" + s.name + ">",
          [s](const std::vector<T>& v) {
            auto i32 = serdes::int32();
            std::string out = i32.serialize(int32_t(v.size()));
            for (const auto& x : v) {
              auto b = s.serialize(x);
              out += i32.serialize(int32_t(b.size())) + b;
            }
            return out;
          },
          [s](std::optional<std::string_view> b) {
            std::vector<T> out;
            if (!b) return out;
            auto i32 = serdes::int32();
            auto take = [&](size_t n) {
              if (b->size() < n) throw serde_error("truncated vector");
              auto x = b->substr(0, n);
              b = b->substr(n);
              return x;
            };
            int32_t count = i32.deserialize(take(4));
            for (int32_t i = 0; i < count; ++i)
              out.push_back(s.deserialize(take(size_t(i32.deserialize(take(4))))));
            return out;
          }};
}

/// A value that may be null on the topic (a table's delete).
template <class T>
serde<std::optional<T>> optional_serde(serde<T> s) {
  return {"optional<" + s.name + ">",
          [s](const std::optional<T>& v) { return v ? s.serialize(*v) : std::string(); },
          [s](std::optional<std::string_view> b) -> std::optional<T> {
            if (!b) return std::nullopt;
            return s.deserialize(b);
          }};
}

template <class A, class B>
struct type_pair {
  using first = A;
  using second = B;
};

}  // namespace detail

/// The builder of a DSL topology.
class stream_builder {
 public:
  template <class K, class V>
  kstream<K, V> stream(const std::string& topic, consumed<K, V> c = {});
  template <class K, class V>
  kstream<K, V> stream(std::vector<std::string> topics, consumed<K, V> c = {});
  /// A table of the latest value per key of `topic` (a null value deletes the key), kept in a
  /// store that is rebuilt from the topic itself.
  template <class K, class V>
  ktable<K, V> table(const std::string& topic, consumed<K, V> c = {}, materialized<K, V> m = {});
  /// The topology built so far (the builder can go on afterwards).
  topology build() const { return topo_; }
  topology& topo() { return topo_; }

  /// Adds a DSL step: a processor made of `f` after `parent`, named PREFIX-000000000N.
  template <class KIn, class VIn, class KOut, class VOut>
  std::string add(const std::string& prefix, const std::string& parent,
                  typename detail::fn_processor<KIn, VIn, KOut, VOut>::fn f,
                  std::vector<std::string> stores = {}) {
    using P = detail::fn_processor<KIn, VIn, KOut, VOut>;
    auto name = topo_.impl().next_name(prefix);
    topo_.add_processor<P>(
        name, std::function<std::unique_ptr<P>()>([f] { return std::make_unique<P>(f); }),
        {parent});
    topo_.connect_processor_and_state_stores(name, stores);
    return name;
  }

 private:
  topology topo_;
};

template <class K, class V>
class kstream {
 public:
  kstream(stream_builder& b, std::string node, std::optional<serde<K>> ks,
          std::optional<serde<V>> vs, bool key_changed)
      : b_(&b),
        node_(std::move(node)),
        ks_(std::move(ks)),
        vs_(std::move(vs)),
        key_changed_(key_changed) {}

  /// The processor node that produces this stream (to connect stores, set urgency, ...).
  const std::string& node() const { return node_; }

  /// Runs this stream's sub-topology with urgency `u` (urgent{}, not_so_urgent{deadline},
  /// flexible{deadline}); its most urgent setting wins.
  kstream with_urgency(urgency u) const {
    b_->topo().set_urgency(node_, u);
    return *this;
  }

  template <class F>
  kstream filter(F pred) const {
    auto n = b_->add<K, V, K, V>("KSTREAM-FILTER", node_,
                                 [pred](const record<K, V>& r, processor_context<K, V>& c) {
                                   if (pred(r.key, r.value)) c.forward(r);
                                 });
    return derived<K, V>(n, ks_, vs_, key_changed_);
  }
  template <class F>
  kstream filter_not(F pred) const {
    return filter([pred](const K& k, const V& v) { return !pred(k, v); });
  }

  /// A new value per record: f(value) or f(key, value).
  template <class F>
  auto map_values(F f) const {
    using VR = std::decay_t<decltype(call_value_fn(f, std::declval<K>(), std::declval<V>()))>;
    auto n = b_->add<K, V, K, VR>("KSTREAM-MAPVALUES", node_,
                                  [f](const record<K, V>& r, processor_context<K, VR>& c) {
                                    c.forward(r.with_value(call_value_fn(f, r.key, r.value)));
                                  });
    return derived<K, VR>(n, ks_, std::nullopt, key_changed_);
  }

  /// A new key and value per record: f(key, value) returns std::pair<K2, V2>. The stream is
  /// repartitioned before the next grouping or join.
  template <class F>
  auto map(F f) const {
    using R = std::decay_t<std::invoke_result_t<F, const K&, const V&>>;
    using K2 = typename detail::pair_types<R>::first;
    using V2 = typename detail::pair_types<R>::second;
    auto n = b_->add<K, V, K2, V2>("KSTREAM-MAP", node_,
                                   [f](const record<K, V>& r, processor_context<K2, V2>& c) {
                                     auto kv = f(r.key, r.value);
                                     c.forward(r.with(std::move(kv.first), std::move(kv.second)));
                                   });
    return derived<K2, V2>(n, std::nullopt, std::nullopt, true);
  }

  template <class F>
  auto select_key(F f) const {
    using K2 = std::decay_t<std::invoke_result_t<F, const K&, const V&>>;
    auto n = b_->add<K, V, K2, V>("KSTREAM-KEY-SELECT", node_,
                                  [f](const record<K, V>& r, processor_context<K2, V>& c) {
                                    c.forward(r.with(f(r.key, r.value), r.value));
                                  });
    return derived<K2, V>(n, std::nullopt, vs_, true);
  }

  /// Zero or more records per record: f(key, value) returns std::vector<std::pair<K2, V2>>.
  template <class F>
  auto flat_map(F f) const {
    using R = std::decay_t<std::invoke_result_t<F, const K&, const V&>>;
    using P = typename detail::vector_element<R>::type;
    using K2 = typename detail::pair_types<P>::first;
    using V2 = typename detail::pair_types<P>::second;
    auto n = b_->add<K, V, K2, V2>("KSTREAM-FLATMAP", node_,
                                   [f](const record<K, V>& r, processor_context<K2, V2>& c) {
                                     for (auto& kv : f(r.key, r.value))
                                       c.forward(r.with(std::move(kv.first), std::move(kv.second)));
                                   });
    return derived<K2, V2>(n, std::nullopt, std::nullopt, true);
  }

  /// Zero or more values per record: f(value) or f(key, value) returns std::vector<V2>.
  template <class F>
  auto flat_map_values(F f) const {
    using R = std::decay_t<decltype(call_value_fn(f, std::declval<K>(), std::declval<V>()))>;
    using V2 = typename detail::vector_element<R>::type;
    auto n = b_->add<K, V, K, V2>("KSTREAM-FLATMAPVALUES", node_,
                                  [f](const record<K, V>& r, processor_context<K, V2>& c) {
                                    for (auto& v : call_value_fn(f, r.key, r.value))
                                      c.forward(r.with_value(std::move(v)));
                                  });
    return derived<K, V2>(n, ks_, std::nullopt, key_changed_);
  }

  template <class F>
  kstream peek(F f) const {
    auto n = b_->add<K, V, K, V>("KSTREAM-PEEK", node_,
                                 [f](const record<K, V>& r, processor_context<K, V>& c) {
                                   f(r.key, r.value);
                                   c.forward(r);
                                 });
    return derived<K, V>(n, ks_, vs_, key_changed_);
  }

  template <class F>
  void foreach (F f) const {
    b_->add<K, V, K, V>(
        "KSTREAM-FOREACH", node_,
        [f](const record<K, V>& r, processor_context<K, V>&) { f(r.key, r.value); });
  }

  /// One stream per predicate: a record goes to the first whose predicate it meets (or none).
  std::vector<kstream> branch(std::vector<std::function<bool(const K&, const V&)>> preds) const {
    auto children = std::make_shared<std::vector<std::string>>();  // named once they exist
    auto split =
        b_->add<K, V, K, V>("KSTREAM-BRANCH", node_,
                            [preds, children](const record<K, V>& r, processor_context<K, V>& c) {
                              for (size_t i = 0; i < preds.size(); ++i)
                                if (preds[i](r.key, r.value)) return c.forward(r, (*children)[i]);
                            });
    std::vector<kstream> out;
    for (size_t i = 0; i < preds.size(); ++i) {
      auto child = b_->add<K, V, K, V>(
          "KSTREAM-BRANCHCHILD", split,
          [](const record<K, V>& r, processor_context<K, V>& c) { c.forward(r); });
      children->push_back(child);
      out.push_back(derived<K, V>(child, ks_, vs_, key_changed_));
    }
    return out;
  }

  /// The records of both streams as one.
  kstream merge(const kstream& other) const {
    using P = detail::fn_processor<K, V, K, V>;
    auto name = b_->topo().impl().next_name("KSTREAM-MERGE");
    b_->topo().template add_processor<P>(
        name, std::function<std::unique_ptr<P>()>([] {
          return std::make_unique<P>(
              [](const record<K, V>& r, processor_context<K, V>& c) { c.forward(r); });
        }),
        {node_, other.node_});
    return derived<K, V>(name, ks_, vs_, key_changed_ || other.key_changed_);
  }

  /// Writes every record to `topic`.
  void to(const std::string& topic, produced<K, V> p = {}) const {
    auto ks = serde_or_default(p.key_serde ? p.key_serde : ks_, "the key of to(" + topic + ")");
    auto vs =
        serde_or_default(p.value_serde ? p.value_serde : vs_, "the value of to(" + topic + ")");
    b_->topo().template add_sink<K, V>(b_->topo().impl().next_name("KSTREAM-SINK"), topic, {node_},
                                       ks, vs);
  }

  /// Attaches a Processor API processor P (made per task) connected to `stores`.
  template <class P>
  kstream<typename P::key_out, typename P::value_out> process(
      std::vector<std::string> stores = {}) const {
    auto name = b_->topo().impl().next_name("KSTREAM-PROCESSOR");
    b_->topo().template add_processor<P>(name, {node_});
    b_->topo().connect_processor_and_state_stores(name, stores);
    return kstream<typename P::key_out, typename P::value_out>(*b_, name, std::nullopt,
                                                               std::nullopt, true);
  }

  kgrouped_stream<K, V> group_by_key(grouped<K, V> g = {}) const;
  /// Groups by a new key, f(key, value); always repartitions.
  template <class F>
  auto group_by(
      F f, grouped<std::decay_t<std::invoke_result_t<F, const K&, const V&>>, V> g = {}) const {
    auto keyed = select_key(f);
    return keyed.group_by_key(g);
  }

  /// Stream-table join: each record with the table's current value for its key; inner (records
  /// whose key is not in the table are dropped). joiner(value, table_value).
  template <class VT, class F>
  auto join(const ktable<K, VT>& table, F joiner) const;
  /// The same, keeping records whose key is not in the table: joiner(value, std::optional<VT>).
  template <class VT, class F>
  auto left_join(const ktable<K, VT>& table, F joiner) const;
  /// Stream-stream join inside `w`: every pair of records with the same key whose event times
  /// are within the window, joiner(value, other_value), at the later of the two times.
  template <class VO, class F>
  auto join(const kstream<K, VO>& other, F joiner, join_windows w) const;

  // Internal: the serdes known so far and whether the key changed since the last repartition.
  const std::optional<serde<K>>& key_serde() const { return ks_; }
  const std::optional<serde<V>>& value_serde() const { return vs_; }
  bool key_changed() const { return key_changed_; }
  stream_builder& builder() const { return *b_; }
  /// This stream, repartitioned through `<application.id>-<name>-repartition` if its key changed.
  kstream repartitioned_if_needed(const std::string& name, std::optional<serde<K>> ks,
                                  std::optional<serde<V>> vs) const;

 private:
  template <class F>
  static decltype(auto) call_value_fn(F& f, const K& k, const V& v) {
    if constexpr (std::is_invocable_v<F&, const K&, const V&>)
      return f(k, v);
    else
      return f(v);
  }
  template <class K2, class V2>
  kstream<K2, V2> derived(const std::string& n, std::optional<serde<K2>> ks,
                          std::optional<serde<V2>> vs, bool key_changed) const {
    return kstream<K2, V2>(*b_, n, std::move(ks), std::move(vs), key_changed);
  }

  stream_builder* b_;
  std::string node_;
  std::optional<serde<K>> ks_;
  std::optional<serde<V>> vs_;
  bool key_changed_ = false;
};

template <class K, class V>
class ktable {
 public:
  ktable(stream_builder& b, std::string node, std::string store, std::optional<serde<K>> ks,
         std::optional<serde<V>> vs)
      : b_(&b),
        node_(std::move(node)),
        store_(std::move(store)),
        ks_(std::move(ks)),
        vs_(std::move(vs)) {}
  /// The table's updates as a stream.
  kstream<K, V> to_stream() const {
    auto n = b_->add<K, V, K, V>(
        "KTABLE-TOSTREAM", node_,
        [](const record<K, V>& r, processor_context<K, V>& c) { c.forward(r); });
    return kstream<K, V>(*b_, n, ks_, vs_, false);
  }
  /// The store that holds the table (kv_store<K,V>, or window/session store for windowed ones).
  const std::string& store_name() const { return store_; }
  const std::string& node() const { return node_; }
  ktable with_urgency(urgency u) const {
    b_->topo().set_urgency(node_, u);
    return *this;
  }

 private:
  stream_builder* b_;
  std::string node_, store_;
  std::optional<serde<K>> ks_;
  std::optional<serde<V>> vs_;
};

namespace detail {

/// count / reduce / aggregate, the same for a grouped and a time-windowed stream: each turns
/// them into one `Derived::aggregate_impl(prefix, init, step, materialized)`, whose table is
/// keyed by KT (the key, or the windowed key).
template <class Derived, class K, class V, class KT>
class aggregations {
 public:
  ktable<KT, int64_t> count(materialized<K, int64_t> m = {}) const {
    return aggregate([] { return int64_t(0); }, [](const K&, const V&, int64_t n) { return n + 1; },
                     std::move(m));
  }
  /// reducer(aggregate, value): the first value of a key is its first aggregate.
  template <class F>
  ktable<KT, V> reduce(F reducer, materialized<K, V> m = {}) const {
    if (!m.value_serde) m.value_serde = self().stream().value_serde();
    return self().template aggregate_impl<V>(
        "KSTREAM-REDUCE", [] { return std::optional<V>(); },
        [reducer](const K&, const V& v, std::optional<V> a) { return a ? reducer(*a, v) : v; },
        std::move(m));
  }
  /// init() is a key's first aggregate; agg(key, value, aggregate) the next.
  template <class Init, class Agg>
  auto aggregate(Init init, Agg agg,
                 materialized<K, std::decay_t<std::invoke_result_t<Init>>> m = {}) const {
    using VA = std::decay_t<std::invoke_result_t<Init>>;
    return self().template aggregate_impl<VA>(
        "KSTREAM-AGGREGATE", [init] { return std::optional<VA>(init()); },
        [agg](const K& k, const V& v, std::optional<VA> a) { return agg(k, v, std::move(*a)); },
        std::move(m));
  }

 private:
  const Derived& self() const { return static_cast<const Derived&>(*this); }
};

/// The name and serdes of the store an aggregation of `s` keeps, from `m` or defaults.
template <class K, class V, class VA>
struct aggregate_store {
  aggregate_store(const kstream<K, V>& s, const std::string& prefix, const materialized<K, VA>& m)
      : store(m.name.empty() ? s.builder().topo().impl().next_name(prefix + "-STATE-STORE")
                             : m.name),
        ks(serde_or_default(m.key_serde ? m.key_serde : s.key_serde(),
                            "the key of store " + store)),
        vs(serde_or_default(m.value_serde, "the value of store " + store)),
        persistent(m.persistent),
        logged(m.logged) {}
  /// Adds the store `sb` builds (named and with the serdes above) to the topology.
  template <class Builder>
  void add(stream_builder& b, Builder sb) const {
    sb.def.persistent = persistent;
    sb.def.logged = logged;
    b.topo().add_state_store(std::move(sb));
  }
  std::string store;
  serde<K> ks;
  serde<VA> vs;
  bool persistent, logged;
};

}  // namespace detail

template <class K, class V>
class kgrouped_stream : public detail::aggregations<kgrouped_stream<K, V>, K, V, K> {
 public:
  explicit kgrouped_stream(kstream<K, V> s) : s_(std::move(s)) {}

  time_windowed_kstream<K, V> windowed_by(time_windows w) const {
    if (w.size.count() <= 0 || w.advance.count() <= 0 || w.advance > w.size || w.grace.count() < 0)
      throw topology_error("time windows need size > 0 and 0 < advance <= size, grace >= 0");
    return {s_, w};
  }
  session_windowed_kstream<K, V> windowed_by(session_windows w) const {
    if (w.gap.count() <= 0 || w.grace.count() < 0)
      throw topology_error("session windows need an inactivity gap > 0 and grace >= 0");
    return {s_, w};
  }

 private:
  friend class detail::aggregations<kgrouped_stream<K, V>, K, V, K>;
  const kstream<K, V>& stream() const { return s_; }

  template <class VA, class Init, class Step>
  ktable<K, VA> aggregate_impl(const std::string& prefix, Init init, Step step,
                               materialized<K, VA> m) const {
    auto& b = s_.builder();
    detail::aggregate_store<K, V, VA> st(s_, prefix, m);
    st.add(b, stores::key_value<K, VA>(st.store, st.ks, st.vs));
    auto n = b.template add<K, V, K, VA>(
        prefix, s_.node(),
        [store = st.store, init, step](const record<K, V>& r, processor_context<K, VA>& c) {
          auto& st = c.template state_store<kv_store<K, VA>>(store);
          auto cur = st.get(r.key);
          VA next = step(r.key, r.value, cur ? std::optional<VA>(std::move(*cur)) : init());
          st.put(r.key, next);
          c.forward(r.with_value(std::move(next)));
        },
        {st.store});
    return ktable<K, VA>(b, n, st.store, st.ks, st.vs);
  }

  kstream<K, V> s_;
};

template <class K, class V>
class time_windowed_kstream
    : public detail::aggregations<time_windowed_kstream<K, V>, K, V, windowed<K>> {
 public:
  time_windowed_kstream(kstream<K, V> s, time_windows w) : s_(std::move(s)), w_(w) {}

 private:
  friend class detail::aggregations<time_windowed_kstream<K, V>, K, V, windowed<K>>;
  const kstream<K, V>& stream() const { return s_; }

  template <class VA, class Init, class Step>
  ktable<windowed<K>, VA> aggregate_impl(const std::string& prefix, Init init, Step step,
                                         materialized<K, VA> m) const {
    auto& b = s_.builder();
    detail::aggregate_store<K, V, VA> st(s_, prefix, m);
    // Windows are kept until they close; a longer retention keeps them for queries.
    st.add(b, stores::window<K, VA>(st.store, w_.size,
                                    m.retention ? *m.retention : w_.size + w_.grace, st.ks, st.vs));
    auto w = w_;
    auto n = b.template add<K, V, windowed<K>, VA>(
        prefix, s_.node(),
        [store = st.store, init, step, w](const record<K, V>& r,
                                          processor_context<windowed<K>, VA>& c) {
          auto& st = c.template state_store<window_store<K, VA>>(store);
          int64_t close = c.stream_time() - w.grace.count();
          for (int64_t start : w.starts_for(r.timestamp)) {
            int64_t end = start + w.size.count();
            if (end <= close) continue;  // the window closed: a late record, dropped
            auto cur = st.fetch(r.key, start);
            VA next = step(r.key, r.value, cur ? std::optional<VA>(std::move(*cur)) : init());
            st.put(r.key, start, next);
            c.forward(record<windowed<K>, VA>{windowed<K>{r.key, window{start, end}}, next,
                                              r.timestamp, r.headers});
          }
        },
        {st.store});
    return ktable<windowed<K>, VA>(b, n, st.store, std::nullopt, st.vs);
  }

  kstream<K, V> s_;
  time_windows w_;
};

template <class K, class V>
class session_windowed_kstream {
 public:
  session_windowed_kstream(kstream<K, V> s, session_windows w) : s_(std::move(s)), w_(w) {}

  ktable<windowed<K>, int64_t> count(materialized<K, int64_t> m = {}) const {
    return aggregate([] { return int64_t(0); }, [](const K&, const V&, int64_t n) { return n + 1; },
                     [](const K&, int64_t a, int64_t b) { return a + b; }, std::move(m));
  }
  /// init() starts a session, agg(key, value, aggregate) adds a record, merger(key, a, b) joins
  /// two sessions that a record bridges.
  template <class Init, class Agg, class Merge>
  auto aggregate(Init init, Agg agg, Merge merger,
                 materialized<K, std::decay_t<std::invoke_result_t<Init>>> m = {}) const {
    using VA = std::decay_t<std::invoke_result_t<Init>>;
    auto& b = s_.builder();
    detail::aggregate_store<K, V, VA> st(s_, "KSTREAM-SESSION-AGGREGATE", m);
    // Closed sessions stay for a day (Kafka's default): a late record may still bridge one with a
    // session that is open.
    auto retention = m.retention ? *m.retention
                                 : std::max<std::chrono::milliseconds>(std::chrono::hours(24),
                                                                       w_.gap + w_.grace);
    st.add(b, stores::session<K, VA>(st.store, retention, st.ks, st.vs));
    auto w = w_;
    auto n = b.template add<K, V, windowed<K>, VA>(
        "KSTREAM-SESSION-AGGREGATE", s_.node(),
        [store = st.store, init, agg, merger, w](const record<K, V>& r,
                                                 processor_context<windowed<K>, VA>& c) {
          auto& st = c.template state_store<session_store<K, VA>>(store);
          int64_t ts = r.timestamp, gap = w.gap.count();
          int64_t close = c.stream_time() - w.grace.count();
          window merged{ts, ts};
          VA acc = init();
          auto overlapping = st.find_sessions(r.key, ts - gap, ts + gap);
          for (auto& [sw, v] : overlapping) {
            acc = merger(r.key, std::move(acc), v);
            merged = window{std::min(merged.start, sw.start), std::max(merged.end, sw.end)};
          }
          if (merged.end < close) return;  // the session closed: a late record, dropped
          for (auto& [sw, v] : overlapping) st.remove(r.key, sw);
          acc = agg(r.key, r.value, std::move(acc));
          st.put(r.key, merged, acc);
          c.forward(
              record<windowed<K>, VA>{windowed<K>{r.key, merged}, acc, r.timestamp, r.headers});
        },
        {st.store});
    return ktable<windowed<K>, VA>(b, n, st.store, std::nullopt, st.vs);
  }

 private:
  kstream<K, V> s_;
  session_windows w_;
};

// ---- definitions that need the classes above --------------------------------------------------

template <class K, class V>
kstream<K, V> stream_builder::stream(const std::string& topic, consumed<K, V> c) {
  return stream(std::vector<std::string>{topic}, std::move(c));
}

template <class K, class V>
kstream<K, V> stream_builder::stream(std::vector<std::string> topics, consumed<K, V> c) {
  auto name = topo_.impl().next_name("KSTREAM-SOURCE");
  auto what = "the source of " + topics.front();
  topo_.add_source<K, V>(name, std::move(topics),
                         serde_or_default(c.key_serde, "the key of " + what),
                         serde_or_default(c.value_serde, "the value of " + what));
  if (c.urg) topo_.set_urgency(name, *c.urg);
  return kstream<K, V>(*this, name, c.key_serde, c.value_serde, false);
}

template <class K, class V>
ktable<K, V> stream_builder::table(const std::string& topic, consumed<K, V> c,
                                   materialized<K, V> m) {
  auto store = m.name.empty() ? topo_.impl().next_name("KTABLE-SOURCE-STATE-STORE") : m.name;
  auto ks = serde_or_default(m.key_serde ? m.key_serde : c.key_serde, "the key of store " + store);
  auto vs = serde_or_default(m.value_serde ? m.value_serde : c.value_serde,
                             "the value of store " + store);
  // The source sees nulls (deletes) as nullopt.
  auto src = topo_.impl().next_name("KSTREAM-SOURCE");
  topo_.add_source<K, std::optional<V>>(src, {topic}, ks, detail::optional_serde(vs));
  if (c.urg) topo_.set_urgency(src, *c.urg);
  auto sb = stores::key_value<K, V>(store, ks, vs);
  sb.def.persistent = m.persistent;
  sb.def.source_topic = topic;  // restored from the topic itself
  topo_.add_state_store(std::move(sb));
  auto n = add<K, std::optional<V>, K, V>(
      "KTABLE-SOURCE", src,
      [store](const record<K, std::optional<V>>& r, processor_context<K, V>& ctx) {
        auto& st = ctx.template state_store<kv_store<K, V>>(store);
        if (!r.value) return st.remove(r.key);
        st.put(r.key, *r.value);
        ctx.forward(r.with_value(*r.value));
      },
      {store});
  return ktable<K, V>(*this, n, store, ks, vs);
}

template <class K, class V>
kstream<K, V> kstream<K, V>::repartitioned_if_needed(const std::string& name,
                                                     std::optional<serde<K>> ks,
                                                     std::optional<serde<V>> vs) const {
  if (!key_changed_) return *this;
  auto& topo = b_->topo();
  auto topic =
      (name.empty() ? topo.impl().next_name("KSTREAM-REPARTITION") : name) + "-repartition";
  auto k = serde_or_default(ks ? ks : ks_, "the key of " + topic);
  auto v = serde_or_default(vs ? vs : vs_, "the value of " + topic);
  topo.impl().add_internal_topic(topic);
  topo.template add_sink<K, V>(topo.impl().next_name("KSTREAM-SINK"), topic, {node_}, k, v);
  auto src = topo.impl().next_name("KSTREAM-SOURCE");
  topo.template add_source<K, V>(src, {topic}, k, v);
  return kstream(*b_, src, k, v, false);
}

template <class K, class V>
kgrouped_stream<K, V> kstream<K, V>::group_by_key(grouped<K, V> g) const {
  auto s = repartitioned_if_needed(g.name, g.key_serde, g.value_serde);
  return kgrouped_stream<K, V>(kstream(*s.b_, s.node_, g.key_serde ? g.key_serde : s.ks_,
                                       g.value_serde ? g.value_serde : s.vs_, false));
}

template <class K, class V>
template <class VT, class F>
auto kstream<K, V>::join(const ktable<K, VT>& table, F joiner) const {
  using VR = std::decay_t<std::invoke_result_t<F, const V&, const VT&>>;
  auto s = repartitioned_if_needed("", std::nullopt, std::nullopt);
  auto store = table.store_name();
  auto n = b_->template add<K, V, K, VR>(
      "KSTREAM-JOIN", s.node_,
      [store, joiner](const record<K, V>& r, processor_context<K, VR>& c) {
        if (auto t = c.template state_store<kv_store<K, VT>>(store).get(r.key))
          c.forward(r.with_value(joiner(r.value, *t)));
      },
      {store});
  return kstream<K, VR>(*b_, n, s.ks_, std::nullopt, false);
}

template <class K, class V>
template <class VT, class F>
auto kstream<K, V>::left_join(const ktable<K, VT>& table, F joiner) const {
  using VR = std::decay_t<std::invoke_result_t<F, const V&, const std::optional<VT>&>>;
  auto s = repartitioned_if_needed("", std::nullopt, std::nullopt);
  auto store = table.store_name();
  auto n = b_->template add<K, V, K, VR>(
      "KSTREAM-LEFTJOIN", s.node_,
      [store, joiner](const record<K, V>& r, processor_context<K, VR>& c) {
        c.forward(r.with_value(
            joiner(r.value, c.template state_store<kv_store<K, VT>>(store).get(r.key))));
      },
      {store});
  return kstream<K, VR>(*b_, n, s.ks_, std::nullopt, false);
}

template <class K, class V>
template <class VO, class F>
auto kstream<K, V>::join(const kstream<K, VO>& other, F joiner, join_windows w) const {
  using VR = std::decay_t<std::invoke_result_t<F, const V&, const VO&>>;
  auto left = repartitioned_if_needed("", std::nullopt, std::nullopt);
  auto right = other.repartitioned_if_needed("", std::nullopt, std::nullopt);
  auto& topo = b_->topo();
  // Each side keeps its records for the join window in a window store (key, time, sequence);
  // a record is matched against the other side's store.
  auto retention = w.before + w.after + w.grace;
  auto ls = topo.impl().next_name("KSTREAM-JOINTHIS-STORE"),
       rs = topo.impl().next_name("KSTREAM-JOINOTHER-STORE");
  auto lk = serde_or_default(left.key_serde(), "the key of store " + ls);
  auto lv = serde_or_default(left.value_serde(), "the value of store " + ls);
  auto rv = serde_or_default(right.value_serde(), "the value of store " + rs);
  topo.add_state_store(stores::window<K, std::vector<V>>(ls, std::chrono::milliseconds(1),
                                                         retention, lk, detail::vector_serde(lv)));
  topo.add_state_store(stores::window<K, std::vector<VO>>(rs, std::chrono::milliseconds(1),
                                                          retention, lk, detail::vector_serde(rv)));
  using P = detail::fn_processor<K, VR, K, VR>;
  auto merge = topo.impl().next_name("KSTREAM-MERGE");
  auto side = [&](auto tag, const std::string& parent, const std::string& mine,
                  const std::string& theirs, int64_t before, int64_t after, bool this_side) {
    using Mine = typename decltype(tag)::first;
    using Theirs = typename decltype(tag)::second;
    int64_t grace = w.grace.count();
    return b_->template add<K, Mine, K, VR>(
        this_side ? "KSTREAM-JOINTHIS" : "KSTREAM-JOINOTHER", parent,
        [=](const record<K, Mine>& r, processor_context<K, VR>& c) {
          auto& my = c.template state_store<window_store<K, std::vector<Mine>>>(mine);
          auto& their = c.template state_store<window_store<K, std::vector<Theirs>>>(theirs);
          // Kafka's rule: a record whose window has closed joins nothing and is not kept.
          if (r.timestamp + after + grace < c.stream_time()) return;
          auto kept = my.fetch(r.key, r.timestamp).value_or(std::vector<Mine>{});
          kept.push_back(r.value);
          my.put(r.key, r.timestamp, kept);
          for (auto& [t, vals] : their.fetch(r.key, r.timestamp - before, r.timestamp + after))
            for (auto& v : vals) {
              int64_t ts = std::max(t, r.timestamp);
              if constexpr (std::is_same_v<Mine, V> && std::is_same_v<Theirs, VO>)
                if (this_side) {
                  c.forward(record<K, VR>{r.key, joiner(r.value, v), ts, r.headers});
                  continue;
                }
              if constexpr (std::is_same_v<Theirs, V> && std::is_same_v<Mine, VO>)
                c.forward(record<K, VR>{r.key, joiner(v, r.value), ts, r.headers});
            }
        },
        {mine, theirs});
  };
  auto l = side(detail::type_pair<V, VO>{}, left.node(), ls, rs, w.before.count(), w.after.count(),
                true);
  auto r = side(detail::type_pair<VO, V>{}, right.node(), rs, ls, w.after.count(), w.before.count(),
                false);
  topo.template add_processor<P>(
      merge, std::function<std::unique_ptr<P>()>([] {
        return std::make_unique<P>(
            [](const record<K, VR>& x, processor_context<K, VR>& c) { c.forward(x); });
      }),
      {l, r});
  return kstream<K, VR>(*b_, merge, left.key_serde(), std::nullopt, false);
}

}  // namespace brook::streams
