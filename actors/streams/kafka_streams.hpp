#pragma once
// Running a topology against Brook, as Kafka Streams' KafkaStreams: the application joins the
// consumer group `application.id` on its source topics; every assigned partition (of every
// sub-topology) becomes a task actor running the topology's nodes with its own state stores.
//
//   brook::streams::kafka_streams app(builder.build(), {{"application.id", "wordcount"},
//                                                       {"bootstrap.servers", "127.0.0.1:9093"}});
//   app.start();
//   ...
//   app.close();
//
// Each urgency class present in the topology gets a stream thread (a consumer in the group, on
// that class's topics) and a producer of its own: urgent tasks run on detached actors (a thread
// each), fetches wake on append and outputs go out with linger 0; not-so-urgent tasks run on the
// shared scheduler, micro-batched, earliest deadline first; flexible tasks run on a scheduler of
// their own whose threads have the lowest OS priority, deferred while urgent records are in
// flight unless their deadline nears. Offsets are committed only for records whose outputs and
// changelog writes the broker acknowledged (at-least-once), together with the changelog offsets
// the stores had then; a restarted task rebuilds its stores from the changelogs up to those.
#include <chrono>
#include <memory>
#include <string>
#include <vector>

#include "actors/streams/record.hpp"
#include "actors/streams/urgency.hpp"
#include "runtime/config.hpp"

namespace brook::streams {

class topology;

/// What `brook streams describe` and kafka_streams::tasks() show of one task.
struct task_metrics {
  task_id id;
  urgency_class urgency = urgency_class::not_so_urgent;
  std::chrono::milliseconds deadline{0};
  std::vector<std::string> partitions;  // "topic-partition" read by the task
  int64_t processed = 0;                // input records done (outputs acknowledged)
  int64_t queued = 0;                   // records fetched and not processed yet
  int64_t restarts = 0;                 // times the task actor was restarted after a crash
  int64_t late = 0;                     // records whose outputs came after their deadline
  // Produce (the input record's timestamp) -> every output of the record acknowledged, in µs.
  int64_t latency_p50_us = 0, latency_p99_us = 0, latency_p999_us = 0, latency_max_us = 0;
  int64_t lateness_max_ms = 0;  // how far past its deadline the latest record came (0: on time)
};

class kafka_streams {
 public:
  enum class state { created, running, closed, failed };

  /// Throws std::invalid_argument for bad settings (naming the key) and topology_error for a
  /// topology that cannot run.
  kafka_streams(const topology& t, const runtime::properties& config);
  ~kafka_streams();  // close()
  kafka_streams(const kafka_streams&) = delete;
  kafka_streams& operator=(const kafka_streams&) = delete;

  /// Creates the internal topics (repartition topics, changelogs) and starts the stream threads.
  /// An error when the brokers cannot be reached or a topic cannot be created.
  runtime::status start();
  /// Stops fetching, lets the tasks finish what they have, commits, and leaves the group.
  void close(std::chrono::milliseconds timeout = std::chrono::seconds(30));
  state current_state() const;
  /// The tasks this instance runs now, with their numbers.
  std::vector<task_metrics> tasks() const;
  /// Crashes the task actor `id` (chaos): its supervisor restarts it from the last commit.
  /// False when this instance does not run that task.
  bool kill_task(const task_id& id);
  /// The bound admin.listeners address (host:port), or "" without one.
  std::string admin_address() const;

  struct impl;

 private:
  std::unique_ptr<impl> impl_;
};

}  // namespace brook::streams
