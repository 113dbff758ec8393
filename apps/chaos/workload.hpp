#pragma once
// The load of a chaos run: idempotent producers writing numbered records ("<producer>:<seq>",
// key "p<producer>") round-robin over a topic's partitions at a bounded rate, and consumers in
// one group reading them. Everything acknowledged and everything seen is kept for the checker.
#include <atomic>
#include <cstdint>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "apps/chaos/checker.hpp"
#include "runtime/status.hpp"

namespace brook::chaos {

struct workload_options {
  std::string bootstrap;  // native protocol host:port,...
  std::string topic;
  int32_t partitions = 6;
  int32_t producers = 2;
  int32_t consumers = 2;
  int64_t rate = 2000;  // records per second, all producers together
  int16_t acks = -1;    // -1 (all, with idempotence), 1 or 0
  std::string group;
};

/// An acknowledged record with when it was sent and acknowledged (ms since the workload began).
struct timed_ack {
  acked_record rec;
  int64_t sent_ms = 0;
  int64_t acked_ms = 0;
};

class workload {
 public:
  explicit workload(workload_options o);
  ~workload();  // stops whatever still runs
  workload(const workload&) = delete;
  workload& operator=(const workload&) = delete;

  /// Starts the producer and consumer threads; their clients are created first (errors here).
  runtime::status start();
  /// Stops sending, then waits up to `flush_limit` for what is in flight.
  void stop_producing(std::chrono::milliseconds flush_limit);
  /// Stops the consumers (they leave the group).
  void stop_consuming();

  /// Milliseconds since start().
  int64_t now_ms() const;
  int64_t acked() const { return acked_.load(); }
  int64_t failed() const { return failed_.load(); }
  int64_t seen_count() const { return seen_count_.load(); }
  std::string first_error() const;

  /// After stop_producing / stop_consuming.
  std::vector<timed_ack> acks() const;
  std::vector<seen_record> seen() const;
  /// Per second of the run: acknowledged (by ack time) and failed sends.
  std::vector<int64_t> acked_per_second() const;
  std::vector<int64_t> failed_per_second() const;

 private:
  void produce(int32_t producer);
  void consume(int32_t consumer);

  workload_options o_;
  int64_t start_steady_ms_ = 0;
  std::atomic<bool> stop_producers_{false}, stop_consumers_{false};
  std::atomic<int64_t> acked_{0}, failed_{0}, seen_count_{0};
  std::chrono::milliseconds flush_limit_{60000};
  mutable std::mutex mu_;
  std::vector<timed_ack> acks_;
  std::vector<int64_t> failures_ms_;
  std::vector<seen_record> seen_;
  std::string first_error_;
  std::vector<std::thread> producers_, consumers_;
};

/// Every record of the topic's partitions from their start to their end, as the cluster serves
/// them now (the checker's "stored"). Records that do not parse as "<producer>:<seq>" are skipped.
runtime::result<std::vector<stored_record>> read_topic(const std::string& bootstrap,
                                                       const std::string& topic, int32_t partitions,
                                                       std::chrono::milliseconds limit);

}  // namespace brook::chaos
