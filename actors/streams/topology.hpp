#pragma once
// A topology built with the Processor API (Kafka Streams' Topology): sources read topics,
// processors transform, sinks write topics, state stores are connected to processors. The DSL
// (dsl.hpp) builds the same thing.
//
//   topology t;
//   t.add_source<std::string, double>("readings", {"sensor-readings"})
//    .add_processor<alerter>("alerter", {"readings"})
//    .add_sink<std::string, std::string>("alerts", "alerts", {"alerter"})
//    .set_urgency("alerter", urgent{});
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "actors/streams/detail/task.hpp"
#include "actors/streams/detail/topology_impl.hpp"
#include "actors/streams/processor.hpp"
#include "actors/streams/serdes.hpp"
#include "actors/streams/state_store.hpp"

namespace brook::streams {

/// Bad bytes in an input record, with where it came from (the deserialization handler's input).
class deserialization_error : public serde_error {
 public:
  deserialization_error(const std::string& what, detail::raw_record r)
      : serde_error(what), rec(std::move(r)) {}
  detail::raw_record rec;
};

namespace detail {

template <class K, class V>
class source_node : public node_instance {
 public:
  source_node(serde<K> ks, serde<V> vs) : ks_(std::move(ks)), vs_(std::move(vs)) {}
  void* input() override { return nullptr; }
  void push_raw(const raw_record& r) override {
    record<K, V> rec;
    try {
      rec.key = ks_.deserialize(r.key ? std::optional<std::string_view>(*r.key) : std::nullopt);
      rec.value =
          vs_.deserialize(r.value ? std::optional<std::string_view>(*r.value) : std::nullopt);
    } catch (const serde_error& e) {
      throw deserialization_error(e.what(), r);
    }
    rec.timestamp = r.timestamp;
    rec.headers = r.headers;
    forward_to_children(*this, rec);
  }

 private:
  serde<K> ks_;
  serde<V> vs_;
};

/// Writes each record to `topic` (resolved against the application id).
std::string resolve_topic(const node_instance& n, const std::string& topic);

template <class K, class V>
class sink_node : public node_instance, public typed_input<K, V> {
 public:
  sink_node(std::string topic, serde<K> ks, serde<V> vs)
      : topic_(std::move(topic)), ks_(std::move(ks)), vs_(std::move(vs)) {}
  void init(task_context& task) override {
    node_instance::init(task);
    resolved_ = resolve_topic(*this, topic_);
  }
  void* input() override { return static_cast<typed_input<K, V>*>(this); }
  void push(const record<K, V>& r) override {
    out_record o;
    o.topic = resolved_;
    o.key = ks_.serialize(r.key);
    o.value = vs_.serialize(r.value);
    o.timestamp = r.timestamp;
    o.headers = r.headers;
    task().send(std::move(o));
  }

 private:
  std::string topic_, resolved_;
  serde<K> ks_;
  serde<V> vs_;
};

}  // namespace detail

class topology {
 public:
  topology() : impl_(std::make_shared<detail::topology_impl>()) {}

  template <class K, class V>
  topology& add_source(const std::string& name, std::vector<std::string> topics,
                       serde<K> ks = default_serde<K>::get(),
                       serde<V> vs = default_serde<V>::get()) {
    detail::node_def d;
    d.name = name;
    d.kind = detail::node_kind::source;
    d.topics = std::move(topics);
    d.out = typeid(record<K, V>);
    d.out_name = detail::type_name<K, V>();
    d.make = [ks, vs] { return std::make_unique<detail::source_node<K, V>>(ks, vs); };
    impl_->add_node(std::move(d));
    return *this;
  }

  /// A processor made by `supplier` for every task; P derives from processor<KIn,VIn,KOut,VOut>.
  template <class P>
  topology& add_processor(const std::string& name, std::function<std::unique_ptr<P>()> supplier,
                          std::vector<std::string> parents) {
    using KIn = typename P::key_in;
    using VIn = typename P::value_in;
    using KOut = typename P::key_out;
    using VOut = typename P::value_out;
    detail::node_def d;
    d.name = name;
    d.parents = std::move(parents);
    d.in = typeid(record<KIn, VIn>);
    d.in_name = detail::type_name<KIn, VIn>();
    d.out = typeid(record<KOut, VOut>);
    d.out_name = detail::type_name<KOut, VOut>();
    d.make = [supplier] {
      std::unique_ptr<processor<KIn, VIn, KOut, VOut>> p = supplier();
      return std::make_unique<detail::processor_node<KIn, VIn, KOut, VOut>>(std::move(p));
    };
    impl_->add_node(std::move(d));
    return *this;
  }
  /// The same with P default-constructed for every task.
  template <class P>
  topology& add_processor(const std::string& name, std::vector<std::string> parents) {
    return add_processor<P>(
        name, std::function<std::unique_ptr<P>()>([] { return std::make_unique<P>(); }),
        std::move(parents));
  }

  template <class K, class V>
  topology& add_sink(const std::string& name, const std::string& topic,
                     std::vector<std::string> parents, serde<K> ks = default_serde<K>::get(),
                     serde<V> vs = default_serde<V>::get()) {
    detail::node_def d;
    d.name = name;
    d.kind = detail::node_kind::sink;
    d.parents = std::move(parents);
    d.topics = {topic};
    d.in = typeid(record<K, V>);
    d.in_name = detail::type_name<K, V>();
    d.make = [topic, ks, vs] { return std::make_unique<detail::sink_node<K, V>>(topic, ks, vs); };
    impl_->add_node(std::move(d));
    return *this;
  }

  template <class Store>
  topology& add_state_store(store_builder<Store> b, std::vector<std::string> processors = {}) {
    impl_->add_store(std::move(b.def), processors);
    return *this;
  }
  topology& connect_processor_and_state_stores(const std::string& processor,
                                               const std::vector<std::string>& stores) {
    for (const auto& s : stores) impl_->connect_store(s, processor);
    return *this;
  }
  /// The urgency of `node`'s sub-topology (the most urgent of those set on its nodes).
  topology& set_urgency(const std::string& node, urgency u) {
    impl_->set_urgency(node, u);
    return *this;
  }
  std::string describe() const { return impl_->describe(); }

  detail::topology_impl& impl() { return *impl_; }
  const detail::topology_impl& impl() const { return *impl_; }

 private:
  std::shared_ptr<detail::topology_impl> impl_;
};

}  // namespace brook::streams
