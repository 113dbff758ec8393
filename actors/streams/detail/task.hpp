#pragma once
// One task: the node instances and stores of one sub-topology for one partition, driven by raw
// input records. It knows nothing of actors or brokers: the runtime's task actor and the test
// driver both run it, giving it a record_collector for what it writes.
#include <chrono>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "actors/streams/detail/graph.hpp"
#include "actors/streams/detail/store.hpp"

namespace brook::streams::detail {

class topology_impl;
struct subtopology;

/// A record a task writes: to a sink's topic, a repartition topic or a changelog.
struct out_record {
  std::string topic;
  std::optional<int32_t> partition;  // none: by the key (Kafka's murmur2 partitioner)
  std::optional<std::string> key, value;
  int64_t timestamp = 0;
  std::vector<header> headers;
};

/// Where a task's writes go. The outcome of each send comes back later, on the task's own
/// thread, as task_context::acknowledged(channel, offset, error).
class record_collector {
 public:
  virtual ~record_collector() = default;
  virtual void send(out_record r, uint32_t channel) = 0;
};

/// What the runtime or the test driver gives a task.
struct task_env {
  std::string application_id;
  std::string state_dir;  // persistent stores: <state_dir>/<application.id>/<task>/<store>
  record_collector* collector = nullptr;
  std::function<int64_t()> wall_clock_ms;
};

class task_context {
 public:
  /// Channel 0: outputs of sinks; channel 1 + i: the changelog of the task's i-th store.
  static constexpr uint32_t output_channel = 0;

  task_context(task_id id, const topology_impl& topo, const subtopology& sub, task_env env);
  ~task_context();
  task_context(const task_context&) = delete;
  task_context& operator=(const task_context&) = delete;

  const task_id& id() const { return id_; }
  const std::string& application_id() const { return env_.application_id; }
  const subtopology& sub() const { return sub_; }

  /// Processes one input record of one of the sub-topology's source topics. Throws serde_error
  /// (bad bytes: the caller applies the deserialization handler) and whatever a processor throws.
  void process(const raw_record& r);
  /// Marks an input record as done without processing it (a deserialization handler skipped it).
  void skip(const raw_record& r) { processed_[r.topic] = r.offset + 1; }
  /// Runs the wall-clock punctuators that are due at `now_ms`.
  void punctuate_wall_clock(int64_t now_ms);
  /// Closes every node (processors' close()) and flushes the stores.
  void close();

  /// The largest event time this task has processed.
  int64_t stream_time() const { return stream_time_; }
  const record_metadata& current() const { return current_; }
  /// The broker's name of a topic the topology names (internal topics get the app's prefix).
  std::string resolve(const std::string& topic) const;
  int64_t wall_clock_ms() const { return env_.wall_clock_ms(); }

  /// The store called `name` (connected to `node`); throws topology_error.
  store_instance& store(const std::string& name, const node_instance& node, std::type_index view);
  std::vector<store_instance*> stores();
  store_instance* find_store(const std::string& name);

  /// A punctuator of `node`, every `interval` of stream time or wall-clock time.
  std::shared_ptr<bool> schedule(std::chrono::milliseconds interval, bool stream_time,
                                 std::function<void(int64_t)> fn);
  /// Sends a record; it is counted until acknowledged.
  void send(out_record r, uint32_t channel = output_channel);
  /// A send's outcome (runtime: on the task actor; test driver: at once). An error is thrown as
  /// std::runtime_error, so the task fails and is restarted from its last commit.
  void acknowledged(uint32_t channel, int64_t offset, const std::string& error);
  /// Outputs and changelog writes sent and not yet acknowledged.
  int64_t unacknowledged() const;

  /// A processor called commit(): the runtime commits soon.
  bool commit_requested() const { return commit_requested_; }
  void request_commit(bool on) { commit_requested_ = on; }
  /// Input offsets processed so far (next offset to read), per source topic of the sub-topology.
  const std::map<std::string, int64_t>& processed_offsets() const { return processed_; }

 private:
  struct punctuator {
    std::chrono::milliseconds interval;
    bool stream_time;
    int64_t next = -1;
    std::function<void(int64_t)> fn;
    std::shared_ptr<bool> cancelled;
  };
  void run_punctuators(bool stream_time, int64_t now);

  task_id id_;
  const topology_impl& topo_;
  const subtopology& sub_;
  task_env env_;
  std::map<std::string, std::unique_ptr<node_instance>> nodes_;
  std::map<std::string, node_instance*> source_by_topic_;
  std::map<std::string, std::unique_ptr<store_instance>> stores_;
  std::vector<punctuator> punctuators_;
  std::map<std::string, int64_t> processed_;
  record_metadata current_;
  int64_t stream_time_ = -1;
  int64_t outputs_in_flight_ = 0;
  bool commit_requested_ = false;
  bool punctuating_ = false;
};

}  // namespace brook::streams::detail
