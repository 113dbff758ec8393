#pragma once
// Runs a topology in-process without a broker, for unit tests of stream handlers (Kafka Streams'
// TopologyTestDriver): pipe records into input topics, read what the topology wrote, look into
// its stores, move the wall clock. Every sub-topology runs one task (partition 0); records written
// to a topic that the topology reads (repartition topics) are processed at once, in order.
//
//   topology_test_driver driver(builder.build(), {{"application.id", "wordcount"}});
//   auto in = driver.create_input_topic<std::string, std::string>("text");
//   auto out = driver.create_output_topic<std::string, int64_t>("counts");
//   in.pipe_input("", "a b a");
//   EXPECT_EQ(out.read_key_values_to_map()["a"], 2);
#include <chrono>
#include <deque>
#include <map>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "actors/streams/streams_config.hpp"
#include "actors/streams/topology.hpp"

namespace brook::streams {

class topology_test_driver;

namespace detail {
/// A topic of a test driver with the serdes its records are read or written with.
template <class K, class V>
struct driver_topic {
  driver_topic(topology_test_driver& d, std::string topic, serde<K> ks, serde<V> vs)
      : d_(&d), topic_(std::move(topic)), ks_(std::move(ks)), vs_(std::move(vs)) {}
  topology_test_driver* d_;
  std::string topic_;
  serde<K> ks_;
  serde<V> vs_;
};
}  // namespace detail

template <class K, class V>
class test_input_topic : detail::driver_topic<K, V> {
 public:
  /// Pipes one record; without a timestamp it gets the driver's wall clock.
  void pipe_input(const K& key, const V& value, std::optional<int64_t> timestamp = std::nullopt);
  void pipe_input(const V& value) { pipe_input(K{}, value); }
  void pipe_record(const record<K, V>& r) { pipe_input(r.key, r.value, r.timestamp); }
  /// Bytes as they are (to test the deserialization handler).
  void pipe_raw(std::optional<std::string> key, std::optional<std::string> value,
                int64_t timestamp);

 private:
  friend class topology_test_driver;
  using detail::driver_topic<K, V>::driver_topic;
};

template <class K, class V>
class test_output_topic : detail::driver_topic<K, V> {
 public:
  record<K, V> read_record();
  std::pair<K, V> read_key_value() {
    auto r = read_record();
    return {std::move(r.key), std::move(r.value)};
  }
  V read_value() { return read_record().value; }
  std::vector<std::pair<K, V>> read_key_values_to_list() {
    std::vector<std::pair<K, V>> out;
    while (!is_empty()) out.push_back(read_key_value());
    return out;
  }
  /// The latest value per key (a table's view of the topic).
  std::map<K, V> read_key_values_to_map() {
    std::map<K, V> out;
    while (!is_empty()) {
      auto [k, v] = read_key_value();
      out[k] = std::move(v);
    }
    return out;
  }
  bool is_empty() const;
  size_t queue_size() const;

 private:
  friend class topology_test_driver;
  using detail::driver_topic<K, V>::driver_topic;
};

class topology_test_driver {
 public:
  /// `config`: streams properties (application.id defaults to "test-driver"; bootstrap.servers is
  /// not used). Throws topology_error for a topology that cannot run, std::invalid_argument for a
  /// bad config.
  explicit topology_test_driver(const topology& t, runtime::properties config = {},
                                int64_t initial_wall_clock_ms = 0);
  ~topology_test_driver();

  template <class K, class V>
  test_input_topic<K, V> create_input_topic(const std::string& topic,
                                            serde<K> ks = default_serde<K>::get(),
                                            serde<V> vs = default_serde<V>::get()) {
    return test_input_topic<K, V>(*this, topic, std::move(ks), std::move(vs));
  }
  template <class K, class V>
  test_output_topic<K, V> create_output_topic(const std::string& topic,
                                              serde<K> ks = default_serde<K>::get(),
                                              serde<V> vs = default_serde<V>::get()) {
    return test_output_topic<K, V>(*this, topic, std::move(ks), std::move(vs));
  }
  /// Moves the wall clock and runs the wall-clock punctuators that are due.
  void advance_wall_clock(std::chrono::milliseconds d);
  int64_t wall_clock_ms() const { return now_; }
  /// A store of the task that has it, as its typed view.
  template <class Store>
  Store& state_store(const std::string& name) {
    return *static_cast<Store*>(find_store(name, typeid(Store)));
  }
  /// Everything written to `topic` so far that was not read through an output topic (changelogs,
  /// the dead-letter topic and repartition topics included; internal names as on a broker).
  const std::deque<detail::raw_record>& records(const std::string& topic);
  const streams_config& config() const;

  // Used by test_input_topic / test_output_topic.
  void pipe(detail::raw_record r);
  std::optional<detail::raw_record> take(const std::string& topic);
  size_t count(const std::string& topic) const;

 private:
  void* find_store(const std::string& name, std::type_index view);
  struct impl;
  std::unique_ptr<impl> impl_;
  int64_t now_;
};

template <class K, class V>
void test_input_topic<K, V>::pipe_input(const K& key, const V& value,
                                        std::optional<int64_t> timestamp) {
  pipe_raw(this->ks_.serialize(key), this->vs_.serialize(value),
           timestamp ? *timestamp : this->d_->wall_clock_ms());
}

template <class K, class V>
void test_input_topic<K, V>::pipe_raw(std::optional<std::string> key,
                                      std::optional<std::string> value, int64_t timestamp) {
  detail::raw_record r;
  r.topic = this->topic_;
  r.key = std::move(key);
  r.value = std::move(value);
  r.timestamp = timestamp;
  this->d_->pipe(std::move(r));
}

template <class K, class V>
record<K, V> test_output_topic<K, V>::read_record() {
  auto r = this->d_->take(this->topic_);
  if (!r) throw std::out_of_range("output topic '" + this->topic_ + "' is empty");
  record<K, V> out;
  out.key = this->ks_.deserialize(r->key ? std::optional<std::string_view>(*r->key) : std::nullopt);
  out.value =
      this->vs_.deserialize(r->value ? std::optional<std::string_view>(*r->value) : std::nullopt);
  out.timestamp = r->timestamp;
  out.headers = r->headers;
  return out;
}

template <class K, class V>
bool test_output_topic<K, V>::is_empty() const {
  return this->d_->count(this->topic_) == 0;
}

template <class K, class V>
size_t test_output_topic<K, V>::queue_size() const {
  return this->d_->count(this->topic_);
}

}  // namespace brook::streams
