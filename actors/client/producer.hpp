#pragma once
// The Brook producer: a plain C++ facade over a supervised producer actor. send() appends to a
// per-partition batch (the accumulator) on the caller's thread; the producer actor drains ready
// batches (full, lingered, urgent or flushed), sends them over the native protocol, retries
// retriable failures with backoff, and reports one delivery result per record.
// Settings carry Kafka's names and meanings: acks, retries, retry.backoff.ms, batch.size,
// linger.ms, buffer.memory, max.block.ms, max.in.flight.requests.per.connection,
// delivery.timeout.ms, request.timeout.ms, compression.type, enable.idempotence.
#include <chrono>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "net/client_security.hpp"
#include "runtime/compression.hpp"
#include "runtime/config.hpp"
#include "runtime/record_batch.hpp"

namespace brook::client {

struct producer_config {
  std::string bootstrap_servers = "127.0.0.1:9093";
  /// security.protocol, ssl.ca.location, sasl.mechanism, sasl.username, sasl.password
  net::client_security security = net::client_security::defaults();
  int16_t acks = -1;  // 0, 1, or -1 (all)
  int32_t retries = 2147483647;
  int64_t retry_backoff_ms = 100;
  // librdkafka's default (Kafka's Java client uses 16384): one producer on one partition needs
  // large batches to pass 1M records/s with at most 5 requests in flight (docs/performance.md).
  size_t batch_size = 1000000;
  int64_t linger_ms = 5;
  int64_t flexible_linger_ms = 1000;  // linger for topics with urgency=flexible
  size_t buffer_memory = 33554432;
  int64_t max_block_ms = 60000;
  int32_t max_in_flight = 5;
  int64_t delivery_timeout_ms = 120000;
  int64_t request_timeout_ms = 30000;
  runtime::compression compression_type = runtime::compression::none;
  /// Idempotent producer (Kafka's default since 3.0): a producer id and per-partition sequences
  /// let the broker drop retried duplicates. Needs acks=all; with the default setting it is
  /// switched off quietly for acks 0/1, as Kafka does when not set explicitly.
  bool enable_idempotence = true;

  /// From Kafka producer property names; unknown keys and bad values are errors naming the key.
  static runtime::result<producer_config> from_properties(const runtime::properties& props);
};

struct producer_record {
  std::string topic;
  std::optional<int32_t> partition;  // chosen by the partitioner when absent
  std::optional<std::string> key;
  std::optional<std::string> value;
  std::vector<runtime::record_header> headers;
  int64_t timestamp = -1;  // -1: now
};

/// Outcome for one record: its offset, or the error that made it fail for good.
struct delivery_report {
  std::string topic;
  int32_t partition = -1;
  int64_t offset = -1;  // -1 with acks=0 (the broker does not answer)
  runtime::status error;
};
/// Runs on the producer actor's thread; keep it short.
using delivery_callback = std::function<void(const delivery_report&)>;

class producer {
 public:
  static runtime::result<std::unique_ptr<producer>> create(producer_config cfg);
  ~producer();  // flushes (up to delivery.timeout.ms), then stops

  /// Queues one record. Blocks up to max.block.ms for metadata or for buffer.memory to free up;
  /// then fails. Errors: unknown topic, record larger than batch limits, buffer exhausted, closed.
  runtime::status send(producer_record rec, delivery_callback cb = {});
  /// Sends everything queued now and waits until every record has its delivery result.
  runtime::status flush(std::chrono::milliseconds timeout = std::chrono::milliseconds(120000));
  /// Kafka's default partitioner: murmur2(key) like the Java client; sticky when there is no key.
  int32_t partition_for(const producer_record& rec, int32_t num_partitions);
  const producer_config& config() const;

  struct impl;

 private:
  explicit producer(std::unique_ptr<impl> p);
  std::unique_ptr<impl> impl_;
};

}  // namespace brook::client
