#pragma once
// Client-side cluster view shared by the producer and consumer: bootstrap, cached topic metadata,
// and one native connection per (broker, lane). Thread-safe.
#include <chrono>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

#include "net/native_client.hpp"
#include "runtime/config.hpp"

namespace brook::client {

/// Parses "host:port[,host:port...]"; error names the bad entry.
runtime::result<std::vector<runtime::endpoint>> parse_bootstrap(const std::string& servers);

struct topic_meta {
  int32_t partitions = 0;
  runtime::urgency urgency_class = runtime::urgency::normal;
  std::vector<int32_t> leaders;  // per partition; -1 when unavailable
};

/// What a producer needs of a topic for each record it sends.
struct topic_shape {
  int32_t partitions = 0;
  runtime::urgency urgency_class = runtime::urgency::normal;
};

class client_metadata {
 public:
  /// lane: 0 bulk traffic, 1 urgent records (their own connection so they never wait behind bulk).
  enum lane : int { bulk = 0, urgent = 1 };

  /// `security`: how to reach the brokers (TLS, SASL login); the process default unless given.
  client_metadata(std::vector<runtime::endpoint> bootstrap, std::chrono::milliseconds timeout,
                  net::client_security security = net::client_security::defaults());

  /// Metadata for `topic`: the cached entry, refreshed first if unknown or marked stale (and
  /// auto-created when allowed). If a refresh fails, the last known entry is returned, as Kafka
  /// clients keep using stale metadata; with none known, retriable failures are retried until
  /// `max_wait` has passed.
  runtime::result<topic_meta> topic(
      const std::string& topic, bool allow_auto_create = true,
      std::chrono::milliseconds max_wait = std::chrono::milliseconds(0));
  /// The same as topic() for a producer's every record: from a fresh cached entry it copies
  /// nothing (no leader list).
  runtime::result<topic_shape> shape(const std::string& topic, bool allow_auto_create,
                                     std::chrono::milliseconds max_wait);
  /// The cached entry, stale or not, without asking a broker (never blocks on the network).
  std::optional<topic_meta> cached(const std::string& topic);
  /// Marks the entry stale so the next lookup asks a broker again.
  void invalidate(const std::string& topic);
  /// Connection to the leader of (topic, partition) on `l`, reconnecting if needed.
  runtime::result<std::shared_ptr<net::native_client>> leader_connection(const std::string& topic,
                                                                         int32_t partition, lane l);
  /// Any live connection to the cluster (for admin and metadata requests).
  runtime::result<std::shared_ptr<net::native_client>> any_connection();
  /// Connection to the broker coordinating consumer group `group` (asked of any broker with
  /// find_coordinator, then kept until forget_coordinator). While the coordinator is being
  /// created or moves, the look-up is retried until `max_wait` has passed.
  runtime::result<std::shared_ptr<net::native_client>> coordinator_connection(
      const std::string& group, std::chrono::milliseconds max_wait);
  /// Forgets the group's coordinator: after NOT_COORDINATOR, COORDINATOR_NOT_AVAILABLE or a lost
  /// connection the next coordinator_connection looks it up again.
  void forget_coordinator(const std::string& group);
  /// Whether `e`, from a group request, means the group's coordinator must be looked up again.
  static bool coordinator_moved(runtime::errc e);

 private:
  runtime::result<std::shared_ptr<net::native_client>> connection_to(int32_t broker, lane l);
  runtime::result<net::metadata_response> fetch(const std::vector<std::string>& topics,
                                                bool auto_create);
  // REQUIRES: mu_ held. The cached entry for `topic` if it is not marked stale, else null.
  const topic_meta* fresh(const std::string& topic) const;

  std::vector<runtime::endpoint> bootstrap_;
  std::chrono::milliseconds timeout_;
  net::client_security security_;
  std::mutex mu_;
  std::map<std::string, topic_meta> topics_;
  std::map<std::string, bool> stale_;
  std::map<int32_t, runtime::endpoint> brokers_;
  std::map<std::pair<int32_t, int>, std::shared_ptr<net::native_client>> conns_;
  std::shared_ptr<net::native_client> bootstrap_conn_;
  std::map<std::string, std::shared_ptr<net::native_client>> coordinators_;  // by group
};

}  // namespace brook::client
