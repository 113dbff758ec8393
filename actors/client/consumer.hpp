#pragma once
// The Brook consumer: assign partitions, poll, seek. Fetches are pipelined, one outstanding per
// assigned partition, parked by the broker up to fetch.max.wait.ms until fetch.min.bytes exist.
// Settings carry Kafka's names: max.poll.records, fetch.min.bytes, fetch.max.wait.ms,
// max.partition.fetch.bytes, auto.offset.reset, request.timeout.ms, and for groups group.id,
// enable.auto.commit, auto.commit.interval.ms, session.timeout.ms, heartbeat.interval.ms,
// max.poll.interval.ms (the rebalance timeout), partition.assignment.strategy, client.id.
// subscribe() joins a group (Kafka's protocol, range or roundrobin assignor): poll() rejoins when
// the group rebalances, a background thread heartbeats, positions start at committed offsets.
// Thread-compatible: one thread uses a consumer at a time (as Kafka's KafkaConsumer).
#include <chrono>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "actors/client/consumer_config.hpp"
#include "runtime/record_batch.hpp"

namespace brook::client {

struct consumer_record {
  std::string topic;
  int32_t partition = 0;
  runtime::record rec;  // offset, timestamp, key, value, headers
};

class consumer {
 public:
  static runtime::result<std::unique_ptr<consumer>> create(consumer_config cfg);
  ~consumer();

  /// Replaces the assignment. Positions start per auto.offset.reset unless seek()ed.
  runtime::status assign(const std::vector<topic_partition>& tps);
  runtime::status seek(const topic_partition& tp, int64_t offset);
  runtime::status seek_to_beginning(const std::vector<topic_partition>& tps);
  runtime::status seek_to_end(const std::vector<topic_partition>& tps);
  /// Next fetch position of tp, or an error if not assigned.
  runtime::result<int64_t> position(const topic_partition& tp);
  /// Up to max.poll.records records; waits up to `timeout` for the first. An error only for
  /// non-retriable problems (e.g. offset out of range with auto.offset.reset=none).
  runtime::result<std::vector<consumer_record>> poll(std::chrono::milliseconds timeout);
  /// Number of partitions of `topic` (for "all partitions" consumers).
  runtime::result<int32_t> partition_count(const std::string& topic);

  /// Joins group.id for these topics; the group decides the assignment (at the next poll()).
  runtime::status subscribe(const std::vector<std::string>& topics);
  /// The partitions currently assigned (by assign() or by the group).
  std::vector<topic_partition> assignment();
  /// How many assignments the group has given this consumer so far (0 outside a group). Each one
  /// starts again from the committed offsets, so a record may be delivered again after it.
  int64_t assignments() const;
  /// Commits the current positions of the assignment (or `offsets`) for group.id.
  runtime::status commit_sync();
  runtime::status commit_sync(const std::map<topic_partition, int64_t>& offsets);
  /// The same with a metadata string per partition, kept with the offset by the group.
  runtime::status commit_sync(const std::map<topic_partition, offset_and_metadata>& offsets);
  /// The committed offset of tp for group.id; -1 when nothing is committed.
  runtime::result<int64_t> committed(const topic_partition& tp);
  /// Committed offsets and their metadata; offset -1 for partitions without a commit.
  runtime::result<std::map<topic_partition, offset_and_metadata>> committed(
      const std::vector<topic_partition>& tps);
  /// Leaves the group (committing first with enable.auto.commit). The destructor calls it.
  void close();

  struct impl;

 private:
  explicit consumer(std::unique_ptr<impl> p);
  std::unique_ptr<impl> impl_;
};

}  // namespace brook::client
