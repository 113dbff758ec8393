#pragma once
// Kafka-style .properties configuration for brookd and for topics.
// Unknown keys and bad values are errors that name the key.
#include <cstdint>
#include <functional>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "runtime/compression.hpp"
#include "runtime/status.hpp"
#include "runtime/storage/log_config.hpp"

namespace brook::runtime {

using properties = std::map<std::string, std::string>;

/// Parses .properties text: `key=value` or `key: value`, `#`/`!` comments, blank lines.
result<properties> parse_properties(const std::string& text, const std::string& origin);
result<properties> load_properties(const std::string& path);
/// Parses an integer setting within [lo, hi]; the error names the key and the value.
result<int64_t> parse_int_setting(const std::string& key, const std::string& value, int64_t lo,
                                  int64_t hi);

/// A config-key handler: parses `value` for `key` and stores it, or says why not.
using setting_setter = std::function<status(const std::string& key, const std::string& value)>;

/// Handler storing an integer in [lo, hi] into `field` (which must outlive it).
template <class T>
setting_setter int_setting(T& field, int64_t lo, int64_t hi) {
  return [&field, lo, hi](const std::string& k, const std::string& v) -> status {
    auto x = parse_int_setting(k, v, lo, hi);
    if (!x) return x.error();
    field = T(*x);
    return {};
  };
}

/// Handlers storing a string as it is, "true"/"false", or one of `allowed` (with its error).
setting_setter string_setting(std::string& field);
setting_setter bool_setting(bool& field);
setting_setter choice_setting(std::string& field, std::vector<std::string> allowed);

/// Runs the handler of every key of `props`; a key without one is an error naming it (`what`:
/// "producer", "consumer" ...). Stops at the first error.
status apply_settings(const properties& props, const std::map<std::string, setting_setter>& keys,
                      const std::string& what);

/// Parses `key=value` as given to --override / --config.
result<std::pair<std::string, std::string>> parse_assignment(const std::string& kv);

/// host:port; `PLAINTEXT://host:port` is accepted where Kafka writes a listener.
struct endpoint {
  std::string host;
  uint16_t port = 0;
  std::string to_string() const;
};
result<endpoint> parse_endpoint(const std::string& text);

/// Urgency class of a topic (DESIGN.md): urgent skips linger on its own lane.
enum class urgency : uint8_t { urgent, normal, flexible };
result<urgency> parse_urgency(const std::string& text);
const char* to_string(urgency u);

/// Per-topic settings (Kafka topic-level key names; defaults come from the broker).
struct topic_config {
  storage::log_config log;
  int32_t max_message_bytes = 1048588;
  urgency urgency_class = urgency::normal;
  /// acks=all writes are refused with NOT_ENOUGH_REPLICAS while the ISR is smaller
  /// [min.insync.replicas].
  int32_t min_insync_replicas = 1;
  /// Elect a leader outside the ISR when no in-sync replica is alive (may lose acknowledged
  /// records) [unclean.leader.election.enable].
  bool unclean_leader_election = false;
  /// The codec the broker stores batches in, recompressing those a producer sent otherwise;
  /// empty keeps the producer's codec [compression.type: producer, uncompressed, gzip, ...].
  std::optional<compression> compression_type;
  /// The Kafka topic keys Brook accepts, checks, keeps and describes but does not act on yet
  /// (message.timestamp.type, preallocate, ...; docs/operations.md): key -> value set.
  std::map<std::string, std::string> stored;
  /// Applies topic-level overrides (segment.bytes, retention.ms, urgency, ...).
  status apply(const properties& overrides);
  /// Every effective topic-level setting, by its topic-level key (as describe shows them).
  properties to_properties() const;
};

/// The topic-level key a broker-level default sets (log.retention.ms -> retention.ms), or ""
/// when `broker_key` is none: these broker keys may change while brokers run (AlterConfigs).
std::string topic_key_of_broker_key(const std::string& broker_key);
/// The reverse: "" when Kafka has no broker-level default for `topic_key`.
std::string broker_key_of_topic_key(const std::string& topic_key);

/// `base` with broker-level default keys (log.retention.ms=..., as dynamic broker configs hold
/// them) applied. Errors: invalid_config for a key that is no topic default or a bad value.
result<topic_config> with_broker_defaults(topic_config base, const properties& broker_keyed);

/// How a listener's clients prove who they are: Kafka's security.protocol values.
enum class security_protocol : uint8_t { plaintext, ssl, sasl_plaintext, sasl_ssl };
/// "PLAINTEXT", "SSL", "SASL_PLAINTEXT", "SASL_SSL" (any case).
result<security_protocol> parse_security_protocol(const std::string& name);
const char* to_string(security_protocol p);
inline bool uses_tls(security_protocol p) {
  return p == security_protocol::ssl || p == security_protocol::sasl_ssl;
}
inline bool uses_sasl(security_protocol p) {
  return p == security_protocol::sasl_plaintext || p == security_protocol::sasl_ssl;
}

/// TLS, SASL and authorization settings (Kafka's key names; docs/operations.md "Security").
struct security_config {
  /// Each listener's protocol, from the scheme of its `listeners` / `native.listeners` entry.
  security_protocol kafka_protocol = security_protocol::plaintext;
  security_protocol native_protocol = security_protocol::plaintext;
  std::string keystore_location;     // PEM: certificate chain and private key
  std::string key_password;          // ssl.key.password
  std::string truststore_location;   // PEM CAs for client certificates
  std::string client_auth = "none";  // ssl.client.auth: none, requested, required
  /// sasl.enabled.mechanisms: PLAIN, SCRAM-SHA-256, SCRAM-SHA-512.
  std::vector<std::string> sasl_mechanisms{"PLAIN", "SCRAM-SHA-256", "SCRAM-SHA-512"};
  /// super.users: principals ("User:admin") every ACL check lets through.
  std::vector<std::string> super_users;
  /// authorizer.class.name set: every request is checked against the ACLs.
  bool authorizer = false;
  bool allow_everyone_if_no_acl_found = false;
  /// How this broker logs in to the others' native listeners when those use SASL
  /// [sasl.mechanism.inter.broker.protocol, inter.broker.sasl.username / .password]; the
  /// user must be in super.users when the authorizer is on. ssl.truststore.location (or the
  /// system's CAs) checks their certificates.
  std::string inter_broker_mechanism = "SCRAM-SHA-512";
  std::string inter_broker_username;
  std::string inter_broker_password;
  /// connection.failed.authentication.delay.ms: a failed login is answered this much later, times
  /// the failures of its host in the last minute (at most 50 times).
  int64_t failed_authentication_delay_ms = 100;
};

/// Everything brookd reads from its properties file.
struct broker_config {
  int32_t broker_id = 0;
  std::vector<std::string> log_dirs{"/tmp/brook-logs"};
  endpoint native_listener{"127.0.0.1", 9093};
  endpoint kafka_listener{"127.0.0.1", 9092};
  std::string advertised_listeners;  // reserved for the Kafka protocol
  int32_t num_partitions = 1;
  int16_t default_replication_factor = 1;
  bool auto_create_topics = true;
  topic_config topic_defaults;  // log.* keys become the topic defaults
  int64_t retention_check_interval_ms = 300000;
  int64_t hw_checkpoint_interval_ms = 5000;  // replica.high.watermark.checkpoint.interval.ms
  /// How often a compacted partition checks whether a compaction pass is due (Kafka's
  /// log.cleaner.backoff.ms).
  int64_t cleaner_backoff_ms = 15000;
  uint64_t socket_request_max_bytes = 104857600;
  int32_t io_threads = 1;
  // Consumer groups (Kafka's names and defaults).
  int64_t group_initial_rebalance_delay_ms = 3000;
  int32_t group_min_session_timeout_ms = 6000;
  int32_t group_max_session_timeout_ms = 1800000;
  int32_t offsets_topic_num_partitions = 50;
  // Replicas of __consumer_offsets; fewer when fewer brokers are registered when it is created.
  int32_t offsets_topic_replication_factor = 3;
  // Cluster (docs/operations.md). process.roles: "broker", "coordinator" or both; empty (the
  // default) is a single node hosting its own in-process coordinator.
  bool role_broker = true;
  bool role_coordinator = false;  // listens on coordinator_listener
  endpoint coordinator_listener{"127.0.0.1", 2181};
  std::string coordinator_connect;  // host:port of a remote coordinator; empty: in-process
  // A ZooKeeper ensemble as the coordinator (coordinator.connect=zk://..., zookeeper.connect):
  // "h1:2181,h2:2181" and the chroot under which Brook keeps its nodes ("" or "/brook").
  std::string zookeeper_hosts;
  std::string zookeeper_chroot;
  int64_t coordinator_session_timeout_ms = 6000;
  int64_t replica_lag_time_max_ms = 30000;
  int32_t replica_fetch_max_bytes = 1048576;
  security_config security;

  /// Whether the metadata lives elsewhere (a Brook coordinator or ZooKeeper) rather than in an
  /// in-process coordinator.
  bool remote_coordinator() const {
    return !coordinator_connect.empty() || !zookeeper_hosts.empty();
  }

  /// Builds the config from properties; the first unknown key or bad value is the error.
  static result<broker_config> from_properties(const properties& props);
};

}  // namespace brook::runtime
