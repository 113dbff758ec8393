#include "runtime/config.hpp"

#include <algorithm>
#include <cerrno>
#include <climits>
#include <cstdlib>
#include <fstream>
#include <functional>
#include <optional>
#include <sstream>

namespace brook::runtime {

namespace {

std::string trim(const std::string& s) {
  auto b = s.find_first_not_of(" \t\r\n");
  if (b == std::string::npos) return {};
  auto e = s.find_last_not_of(" \t\r\n");
  return s.substr(b, e - b + 1);
}

status bad(const std::string& key, const std::string& value, const std::string& why) {
  return {errc::invalid_config, "invalid value '" + value + "' for " + key + ": " + why};
}

result<bool> to_bool(const std::string& key, const std::string& v) {
  if (v == "true") return true;
  if (v == "false") return false;
  return bad(key, v, "must be true or false");
}

using setter = setting_setter;

// Kafka's cleanup.policy list: {delete, compact} flags; "delete", "compact" or both, comma
// separated in either order.
std::optional<std::pair<bool, bool>> parse_cleanup_policy(const std::string& v) {
  bool del = false, compact = false;
  std::stringstream in(v);
  std::string item;
  while (std::getline(in, item, ',')) {
    item = trim(item);
    if (item == "delete") {
      del = true;
    } else if (item == "compact") {
      compact = true;
    } else {
      return std::nullopt;
    }
  }
  if (!del && !compact) return std::nullopt;
  return std::make_pair(del, compact);
}

// Topic-level keys, shared by broker `log.*` defaults and topic --config overrides.
// Kafka spells them differently at the two levels; `names` is {topic key, broker key}.
struct topic_key {
  const char* topic_name;
  const char* broker_name;
  std::function<setter(topic_config&)> make;
};

// A listener-style key: the first host:port of a comma-separated list, handed to `store`.
setter first_endpoint(std::function<void(const endpoint&)> store) {
  return [store](const std::string& k, const std::string& v) -> status {
    auto ep = parse_endpoint(v.substr(0, v.find(',')));
    if (!ep) return bad(k, v, ep.error().message());
    store(*ep);
    return {};
  };
}

// A listener key: the first SCHEME://host:port of a comma-separated list; the scheme is the
// listener's security protocol (none: PLAINTEXT).
setter listener_setting(endpoint& ep, security_protocol& protocol) {
  return [&ep, &protocol](const std::string& k, const std::string& v) -> status {
    std::string first = trim(v.substr(0, v.find(',')));
    auto scheme = first.find("://");
    auto p = parse_security_protocol(scheme == std::string::npos ? "PLAINTEXT"
                                                                 : first.substr(0, scheme));
    if (!p) return bad(k, v, p.error().message());
    auto e = parse_endpoint(first);
    if (!e) return bad(k, v, e.error().message());
    ep = *e;
    protocol = *p;
    return {};
  };
}

// A comma-separated list (sasl.enabled.mechanisms) or a semicolon-separated one (super.users,
// whose principals may hold commas).
setter list_setting(std::vector<std::string>& out, char sep) {
  return [&out, sep](const std::string&, const std::string& v) -> status {
    out.clear();
    std::stringstream ss(v);
    for (std::string item; std::getline(ss, item, sep);)
      if (!trim(item).empty()) out.push_back(trim(item));
    return {};
  };
}

// The settings of a secure listener that must go together.
status check_security(const security_config& s) {
  if ((uses_tls(s.kafka_protocol) || uses_tls(s.native_protocol)) && s.keystore_location.empty())
    return {errc::invalid_config,
            "an SSL or SASL_SSL listener needs ssl.keystore.location (a PEM file holding the "
            "certificate chain and the private key)"};
  for (const auto& m : s.sasl_mechanisms)
    if (m != "PLAIN" && m != "SCRAM-SHA-256" && m != "SCRAM-SHA-512")
      return bad("sasl.enabled.mechanisms", m,
                 "Brook offers PLAIN, SCRAM-SHA-256 and SCRAM-SHA-512");
  if ((uses_sasl(s.kafka_protocol) || uses_sasl(s.native_protocol)) && s.sasl_mechanisms.empty())
    return {errc::invalid_config, "a SASL listener needs at least one sasl.enabled.mechanisms"};
  if (uses_sasl(s.native_protocol) &&
      (s.inter_broker_username.empty() || s.inter_broker_password.empty()))
    return {errc::invalid_config,
            "a SASL native listener needs inter.broker.sasl.username and "
            "inter.broker.sasl.password: brokers replicate through it"};
  for (const auto& u : s.super_users)
    if (u.rfind("User:", 0) != 0 || u.size() == 5)
      return bad("super.users", u, "principals look like User:name, separated by ';'");
  return {};
}

// A ZooKeeper connect string as Kafka's zookeeper.connect takes it ("h1:2181,h2:2181/chroot"),
// with or without a "zk://" in front.
status zookeeper_connect(broker_config& c, const std::string& k, const std::string& v) {
  std::string t = trim(v);
  if (t.rfind("zk://", 0) == 0) t = t.substr(5);
  auto slash = t.find('/');
  std::string hosts = t.substr(0, slash);
  std::string chroot = slash == std::string::npos ? "" : t.substr(slash);
  if (hosts.empty()) return bad(k, v, "expected host:port[,host:port...][/chroot]");
  std::stringstream ss(hosts);
  for (std::string h; std::getline(ss, h, ',');) {
    auto ep = parse_endpoint(h);
    if (!ep || trim(h).find(':') == 0 || ep->port == 0)
      return bad(k, v, "'" + h + "' is not host:port");
  }
  if (chroot == "/") chroot.clear();
  if (!chroot.empty() && (chroot.back() == '/' || chroot.find("//") != std::string::npos))
    return bad(k, v, "the chroot must look like /name or /a/b");
  c.zookeeper_hosts = hosts;
  c.zookeeper_chroot = chroot;
  return {};
}

// Checks of the stored-only keys' values, as Kafka validates them.
using value_check = std::function<status(const std::string&, const std::string&)>;

// A Kafka topic key Brook keeps and describes without acting on it (topic_config::stored).
struct stored_topic_key {
  const char* name;
  const char* broker_name;  // its broker-level default, or nullptr when Kafka has none
  const char* default_value;
  value_check check;
};

value_check in_range(int64_t lo, int64_t hi) {
  return [lo, hi](const std::string& k, const std::string& v) -> status {
    auto x = parse_int_setting(k, v, lo, hi);
    return x ? status{} : x.error();
  };
}

value_check boolean() {
  return [](const std::string& k, const std::string& v) -> status {
    auto b = to_bool(k, v);
    return b ? status{} : b.error();
  };
}

value_check one_of(std::vector<std::string> allowed) {
  return [allowed](const std::string& k, const std::string& v) -> status {
    for (const auto& a : allowed)
      if (v == a) return {};
    std::string list;
    for (const auto& a : allowed) list += (list.empty() ? "" : ", ") + a;
    return bad(k, v, "must be one of " + list);
  };
}

// "", "*" or "partition:broker,...", as Kafka's throttled replica lists.
value_check throttled_replicas() {
  return [](const std::string& k, const std::string& v) -> status {
    if (trim(v).empty() || trim(v) == "*") return {};
    std::stringstream ss(v);
    for (std::string item; std::getline(ss, item, ',');) {
      item = trim(item);
      auto colon = item.find(':');
      auto digits = [](const std::string& s) {
        return !s.empty() && std::all_of(s.begin(), s.end(), [](char c) { return c >= '0' && c <= '9'; });
      };
      if (colon == std::string::npos || !digits(item.substr(0, colon)) || !digits(item.substr(colon + 1)))
        return bad(k, v, "must be *, empty, or a list of partition:broker");
    }
    return {};
  };
}

const std::vector<stored_topic_key>& stored_topic_keys() {
  constexpr int64_t max = INT64_MAX;
  static const std::vector<stored_topic_key> keys = {
      {"compression.gzip.level", "compression.gzip.level", "-1",
       [](const std::string& k, const std::string& v) -> status {
         if (v == "-1") return {};
         return in_range(1, 9)(k, v).is_ok() ? status{} : bad(k, v, "must be -1 or 1 to 9");
       }},
      {"compression.lz4.level", "compression.lz4.level", "9", in_range(1, 17)},
      {"compression.zstd.level", "compression.zstd.level", "3", in_range(-131072, 22)},
      {"file.delete.delay.ms", "log.segment.delete.delay.ms", "60000", in_range(0, max)},
      {"follower.replication.throttled.replicas", nullptr, "", throttled_replicas()},
      {"leader.replication.throttled.replicas", nullptr, "", throttled_replicas()},
      {"local.retention.bytes", "log.local.retention.bytes", "-2", in_range(-2, max)},
      {"local.retention.ms", "log.local.retention.ms", "-2", in_range(-2, max)},
      {"max.compaction.lag.ms", "log.cleaner.max.compaction.lag.ms", "9223372036854775807",
       in_range(1, max)},
      {"message.downconversion.enable", "log.message.downconversion.enable", "true", boolean()},
      {"message.format.version", "log.message.format.version", "3.0-IV1",
       [](const std::string& k, const std::string& v) -> status {
         return trim(v).empty() ? bad(k, v, "must be a version such as 3.0-IV1") : status{};
       }},
      {"message.timestamp.after.max.ms", "log.message.timestamp.after.max.ms",
       "9223372036854775807", in_range(0, max)},
      {"message.timestamp.before.max.ms", "log.message.timestamp.before.max.ms",
       "9223372036854775807", in_range(0, max)},
      {"message.timestamp.difference.max.ms", "log.message.timestamp.difference.max.ms",
       "9223372036854775807", in_range(0, max)},
      {"message.timestamp.type", "log.message.timestamp.type", "CreateTime",
       one_of({"CreateTime", "LogAppendTime"})},
      {"preallocate", "log.preallocate", "false", boolean()},
      // Kafka refuses remote storage on a broker without tiered storage; Brook has none.
      {"remote.storage.enable", nullptr, "false",
       [](const std::string& k, const std::string& v) -> status {
         auto b = to_bool(k, v);
         if (!b) return b.error();
         return *b ? bad(k, v, "tiered storage is not enabled on this broker") : status{};
       }},
      {"remote.log.copy.disable", nullptr, "false", boolean()},
      {"remote.log.delete.on.disable", nullptr, "false", boolean()},
      {"segment.index.bytes", "log.index.size.max.bytes", "10485760", in_range(4, INT32_MAX)},
      {"segment.jitter.ms", "log.roll.jitter.ms", "0", in_range(0, max)},
  };
  return keys;
}

const std::vector<topic_key>& topic_keys() {
  static const std::vector<topic_key> keys = {
      {"segment.bytes", "log.segment.bytes",
       [](topic_config& c) { return int_setting(c.log.segment_bytes, 14, INT32_MAX); }},
      {"segment.ms", "log.roll.ms",
       [](topic_config& c) { return int_setting(c.log.segment_ms, 1, INT64_MAX); }},
      {"retention.ms", "log.retention.ms",
       [](topic_config& c) { return int_setting(c.log.retention_ms, -1, INT64_MAX); }},
      {"retention.bytes", "log.retention.bytes",
       [](topic_config& c) { return int_setting(c.log.retention_bytes, -1, INT64_MAX); }},
      {"flush.messages", "log.flush.interval.messages",
       [](topic_config& c) { return int_setting(c.log.flush_messages, 1, INT64_MAX); }},
      {"flush.ms", "log.flush.interval.ms",
       [](topic_config& c) { return int_setting(c.log.flush_ms, 0, INT64_MAX); }},
      {"index.interval.bytes", "log.index.interval.bytes",
       [](topic_config& c) { return int_setting(c.log.index_interval_bytes, 0, INT32_MAX); }},
      {"max.message.bytes", "message.max.bytes",
       [](topic_config& c) { return int_setting(c.max_message_bytes, 0, INT32_MAX); }},
      {"urgency", "default.urgency",
       [](topic_config& c) -> setter {
         return [&c](const std::string& k, const std::string& v) -> status {
           auto u = parse_urgency(v);
           if (!u) return bad(k, v, "must be urgent, normal or flexible");
           c.urgency_class = *u;
           return {};
         };
       }},
      {"compression.type", "compression.type",
       [](topic_config& c) -> setter {
         return [&c](const std::string& k, const std::string& v) -> status {
           // Kafka's topic values, in lower case; "none" is a producer's word, not a topic's.
           auto codec = parse_compression(v);
           if (v == "producer") {
             c.compression_type.reset();
           } else if (v == "uncompressed") {
             c.compression_type = compression::none;
           } else if (codec && *codec != compression::none && v == to_string(*codec)) {
             c.compression_type = *codec;
           } else {
             return bad(k, v, "must be one of uncompressed, zstd, lz4, snappy, gzip, producer");
           }
           return {};
         };
       }},
      {"min.insync.replicas", "min.insync.replicas",
       [](topic_config& c) { return int_setting(c.min_insync_replicas, 1, INT16_MAX); }},
      {"unclean.leader.election.enable", "unclean.leader.election.enable",
       [](topic_config& c) -> setter {
         return [&c](const std::string& k, const std::string& v) -> status {
           auto b = to_bool(k, v);
           if (!b) return b.error();
           c.unclean_leader_election = *b;
           return {};
         };
       }},
      {"cleanup.policy", "log.cleanup.policy",
       [](topic_config& c) -> setter {
         return [&c](const std::string& k, const std::string& v) -> status {
           auto policy = parse_cleanup_policy(v);
           if (!policy) return bad(k, v, "must be delete, compact or compact,delete");
           c.log.cleanup_delete = policy->first;
           c.log.cleanup_compact = policy->second;
           return {};
         };
       }},
      {"delete.retention.ms", "log.cleaner.delete.retention.ms",
       [](topic_config& c) { return int_setting(c.log.delete_retention_ms, 0, INT64_MAX); }},
      {"min.compaction.lag.ms", "log.cleaner.min.compaction.lag.ms",
       [](topic_config& c) { return int_setting(c.log.min_compaction_lag_ms, 0, INT64_MAX); }},
      {"min.cleanable.dirty.ratio", "log.cleaner.min.cleanable.ratio",
       [](topic_config& c) -> setter {
         return [&c](const std::string& k, const std::string& v) -> status {
           char* end = nullptr;
           errno = 0;
           double d = std::strtod(v.c_str(), &end);
           if (v.empty() || *end != '\0' || errno != 0 || !(d >= 0 && d <= 1))
             return bad(k, v, "must be a number from 0 to 1");
           c.log.min_cleanable_dirty_ratio = d;
           return {};
         };
       }},
  };
  static const std::vector<topic_key> all = [] {
    auto v = keys;
    for (const auto& s : stored_topic_keys()) {
      auto check = s.check;
      v.push_back({s.name, s.broker_name, [check](topic_config& c) -> setter {
                     return [&c, check](const std::string& k, const std::string& value) -> status {
                       if (auto st = check(k, value); !st) return st;
                       c.stored[k] = value;
                       return {};
                     };
                   }});
    }
    return v;
  }();
  return all;
}

}  // namespace

setting_setter string_setting(std::string& field) {
  return [&field](const std::string&, const std::string& v) -> status {
    field = v;
    return {};
  };
}

setting_setter bool_setting(bool& field) {
  return [&field](const std::string& k, const std::string& v) -> status {
    if (v != "true" && v != "false")
      return {errc::invalid_config, "invalid value '" + v + "' for " + k + ": true or false"};
    field = v == "true";
    return {};
  };
}

setting_setter choice_setting(std::string& field, std::vector<std::string> allowed) {
  return [&field, allowed](const std::string& k, const std::string& v) -> status {
    if (std::find(allowed.begin(), allowed.end(), v) == allowed.end()) {
      std::string list;
      for (size_t i = 0; i < allowed.size(); ++i)
        list += (i == 0 ? "" : i + 1 == allowed.size() ? " or " : ", ") + allowed[i];
      return {errc::invalid_config, "invalid value '" + v + "' for " + k + ": " + list};
    }
    field = v;
    return {};
  };
}

status apply_settings(const properties& props, const std::map<std::string, setting_setter>& keys,
                      const std::string& what) {
  for (const auto& [k, v] : props) {
    auto it = keys.find(k);
    if (it == keys.end())
      return {errc::invalid_config, "unknown " + what + " config key '" + k + "'"};
    if (auto st = it->second(k, v); !st) return st;
  }
  return {};
}

result<int64_t> parse_int_setting(const std::string& key, const std::string& v, int64_t lo,
                                  int64_t hi) {
  errno = 0;
  char* end = nullptr;
  long long x = std::strtoll(v.c_str(), &end, 10);
  if (v.empty() || *end != '\0' || errno == ERANGE) return bad(key, v, "not an integer");
  if (x < lo || x > hi)
    return bad(key, v, "must be between " + std::to_string(lo) + " and " + std::to_string(hi));
  return int64_t(x);
}

result<properties> parse_properties(const std::string& text, const std::string& origin) {
  properties out;
  std::istringstream in(text);
  std::string line;
  int lineno = 0;
  while (std::getline(in, line)) {
    ++lineno;
    auto t = trim(line);
    if (t.empty() || t[0] == '#' || t[0] == '!') continue;
    auto pos = t.find_first_of("=:");
    if (pos == std::string::npos)
      return status{errc::invalid_config, origin + ":" + std::to_string(lineno) +
                                              ": expected key=value, got '" + t + "'"};
    out[trim(t.substr(0, pos))] = trim(t.substr(pos + 1));
  }
  return out;
}

result<properties> load_properties(const std::string& path) {
  std::ifstream f(path);
  if (!f) return status{errc::invalid_config, "cannot read config file " + path};
  std::stringstream ss;
  ss << f.rdbuf();
  return parse_properties(ss.str(), path);
}

result<std::pair<std::string, std::string>> parse_assignment(const std::string& kv) {
  auto pos = kv.find('=');
  if (pos == std::string::npos || pos == 0)
    return status{errc::invalid_config, "expected key=value, got '" + kv + "'"};
  return std::make_pair(trim(kv.substr(0, pos)), trim(kv.substr(pos + 1)));
}

std::string endpoint::to_string() const {
  return host + ":" + std::to_string(port);
}

result<endpoint> parse_endpoint(const std::string& text) {
  std::string t = trim(text);
  auto scheme = t.find("://");
  if (scheme != std::string::npos) t = t.substr(scheme + 3);
  auto colon = t.rfind(':');
  if (colon == std::string::npos)
    return status{errc::invalid_config, "expected host:port, got '" + text + "'"};
  endpoint ep;
  ep.host = t.substr(0, colon);
  if (ep.host.empty()) ep.host = "0.0.0.0";
  auto port = parse_int_setting("port", t.substr(colon + 1), 0, 65535);
  if (!port) return status{errc::invalid_config, "bad port in '" + text + "'"};
  ep.port = uint16_t(*port);
  return ep;
}

result<security_protocol> parse_security_protocol(const std::string& name) {
  std::string n;
  for (char ch : name) n += char(std::toupper(static_cast<unsigned char>(ch)));
  if (n == "PLAINTEXT") return security_protocol::plaintext;
  if (n == "SSL") return security_protocol::ssl;
  if (n == "SASL_PLAINTEXT") return security_protocol::sasl_plaintext;
  if (n == "SASL_SSL") return security_protocol::sasl_ssl;
  return status{errc::invalid_config, "unknown security protocol '" + name +
                                          "' (PLAINTEXT, SSL, SASL_PLAINTEXT or SASL_SSL)"};
}

const char* to_string(security_protocol p) {
  switch (p) {
    case security_protocol::plaintext:
      return "PLAINTEXT";
    case security_protocol::ssl:
      return "SSL";
    case security_protocol::sasl_plaintext:
      return "SASL_PLAINTEXT";
    case security_protocol::sasl_ssl:
      return "SASL_SSL";
  }
  return "?";
}

result<urgency> parse_urgency(const std::string& text) {
  if (text == "urgent") return urgency::urgent;
  if (text == "normal" || text == "not-so-urgent") return urgency::normal;
  if (text == "flexible") return urgency::flexible;
  return status{errc::invalid_config, "unknown urgency '" + text + "'"};
}

const char* to_string(urgency u) {
  switch (u) {
    case urgency::urgent:
      return "urgent";
    case urgency::normal:
      return "normal";
    case urgency::flexible:
      return "flexible";
  }
  return "normal";
}

std::string topic_key_of_broker_key(const std::string& broker_key) {
  for (const auto& key : topic_keys())
    if (key.broker_name && broker_key == key.broker_name) return key.topic_name;
  return {};
}

std::string broker_key_of_topic_key(const std::string& topic_key) {
  for (const auto& key : topic_keys())
    if (key.broker_name && topic_key == key.topic_name) return key.broker_name;
  return {};
}

result<topic_config> with_broker_defaults(topic_config base, const properties& broker_keyed) {
  properties topic_keyed;
  for (const auto& [k, v] : broker_keyed) {
    auto key = topic_key_of_broker_key(k);
    if (key.empty()) return status{errc::invalid_config, "'" + k + "' is not a topic default"};
    topic_keyed[key] = v;
  }
  if (auto s = base.apply(topic_keyed); !s) return s;
  return base;
}

status topic_config::apply(const properties& overrides) {
  for (const auto& [k, v] : overrides) {
    bool known = false;
    for (const auto& key : topic_keys()) {
      if (k != key.topic_name) continue;
      known = true;
      if (auto st = key.make(*this)(k, v); !st) return st;
    }
    if (!known) return {errc::invalid_config, "unknown topic config key '" + k + "'"};
  }
  auto max_lag = stored.find("max.compaction.lag.ms");
  if (max_lag != stored.end() && log.min_compaction_lag_ms > std::stoll(max_lag->second))
    return {errc::invalid_config, "conflict topic config setting min.compaction.lag.ms (" +
                                      std::to_string(log.min_compaction_lag_ms) +
                                      ") > max.compaction.lag.ms (" + max_lag->second + ")"};
  return {};
}

properties topic_config::to_properties() const {
  properties p;
  p["segment.bytes"] = std::to_string(log.segment_bytes);
  p["segment.ms"] = std::to_string(log.segment_ms);
  p["retention.ms"] = std::to_string(log.retention_ms);
  p["retention.bytes"] = std::to_string(log.retention_bytes);
  p["flush.messages"] = std::to_string(log.flush_messages);
  p["flush.ms"] = std::to_string(log.flush_ms);
  p["index.interval.bytes"] = std::to_string(log.index_interval_bytes);
  p["max.message.bytes"] = std::to_string(max_message_bytes);
  p["urgency"] = to_string(urgency_class);
  p["min.insync.replicas"] = std::to_string(min_insync_replicas);
  p["unclean.leader.election.enable"] = unclean_leader_election ? "true" : "false";
  p["compression.type"] = !compression_type                       ? "producer"
                          : *compression_type == compression::none ? "uncompressed"
                                                                   : std::string(to_string(*compression_type));
  p["cleanup.policy"] = log.cleanup_compact && log.cleanup_delete ? "compact,delete"
                        : log.cleanup_compact                     ? "compact"
                                                                  : "delete";
  p["delete.retention.ms"] = std::to_string(log.delete_retention_ms);
  p["min.compaction.lag.ms"] = std::to_string(log.min_compaction_lag_ms);
  std::ostringstream ratio;
  ratio << log.min_cleanable_dirty_ratio;
  p["min.cleanable.dirty.ratio"] = ratio.str();
  for (const auto& key : stored_topic_keys()) {
    auto it = stored.find(key.name);
    p[key.name] = it == stored.end() ? key.default_value : it->second;
  }
  return p;
}

result<broker_config> broker_config::from_properties(const properties& props) {
  broker_config c;
  std::string pem_only;  // ssl.keystore.type / ssl.truststore.type: Brook reads PEM only
  std::map<std::string, setter> keys = {
      {"broker.id", int_setting(c.broker_id, 0, INT32_MAX)},
      {"node.id", int_setting(c.broker_id, 0, INT32_MAX)},
      {"num.partitions", int_setting(c.num_partitions, 1, 100000)},
      {"default.replication.factor", int_setting(c.default_replication_factor, 1, INT16_MAX)},
      {"log.retention.check.interval.ms", int_setting(c.retention_check_interval_ms, 1, INT64_MAX)},
      {"replica.high.watermark.checkpoint.interval.ms",
       int_setting(c.hw_checkpoint_interval_ms, 10, INT32_MAX)},
      {"log.cleaner.backoff.ms", int_setting(c.cleaner_backoff_ms, 1, INT64_MAX)},
      {"socket.request.max.bytes", int_setting(c.socket_request_max_bytes, 1024, INT32_MAX)},
      {"num.io.threads", int_setting(c.io_threads, 1, 64)},
      {"group.initial.rebalance.delay.ms",
       int_setting(c.group_initial_rebalance_delay_ms, 0, INT32_MAX)},
      {"group.min.session.timeout.ms", int_setting(c.group_min_session_timeout_ms, 1, INT32_MAX)},
      {"group.max.session.timeout.ms", int_setting(c.group_max_session_timeout_ms, 1, INT32_MAX)},
      {"offsets.topic.num.partitions", int_setting(c.offsets_topic_num_partitions, 1, 1000)},
      {"offsets.topic.replication.factor",
       int_setting(c.offsets_topic_replication_factor, 1, INT16_MAX)},
      {"auto.create.topics.enable",
       [&c](const std::string& k, const std::string& v) -> status {
         auto b = to_bool(k, v);
         if (!b) return b.error();
         c.auto_create_topics = *b;
         return {};
       }},
      {"log.dirs",
       [&c](const std::string& k, const std::string& v) -> status {
         c.log_dirs.clear();
         std::stringstream ss(v);
         for (std::string d; std::getline(ss, d, ',');)
           if (!trim(d).empty()) c.log_dirs.push_back(trim(d));
         if (c.log_dirs.empty()) return bad(k, v, "needs at least one directory");
         return {};
       }},
      {"listeners", listener_setting(c.kafka_listener, c.security.kafka_protocol)},
      {"native.listeners", listener_setting(c.native_listener, c.security.native_protocol)},
      {"ssl.keystore.location", string_setting(c.security.keystore_location)},
      {"ssl.keystore.type", choice_setting(pem_only, {"PEM"})},
      {"ssl.key.password", string_setting(c.security.key_password)},
      {"ssl.truststore.location", string_setting(c.security.truststore_location)},
      {"ssl.truststore.type", choice_setting(pem_only, {"PEM"})},
      {"ssl.client.auth",
       choice_setting(c.security.client_auth, {"none", "requested", "required"})},
      {"sasl.enabled.mechanisms", list_setting(c.security.sasl_mechanisms, ',')},
      {"super.users", list_setting(c.security.super_users, ';')},
      {"authorizer.class.name",
       [&c](const std::string& k, const std::string& v) -> status {
         c.security.authorizer = !trim(v).empty();
         return {};
       }},
      {"allow.everyone.if.no.acl.found", bool_setting(c.security.allow_everyone_if_no_acl_found)},
      {"sasl.mechanism.inter.broker.protocol",
       choice_setting(c.security.inter_broker_mechanism,
                      {"PLAIN", "SCRAM-SHA-256", "SCRAM-SHA-512"})},
      {"inter.broker.sasl.username", string_setting(c.security.inter_broker_username)},
      {"inter.broker.sasl.password", string_setting(c.security.inter_broker_password)},
      {"connection.failed.authentication.delay.ms",
       int_setting(c.security.failed_authentication_delay_ms, 0, 60000)},
      {"coordinator.session.timeout.ms",
       int_setting(c.coordinator_session_timeout_ms, 100, INT32_MAX)},
      {"zookeeper.session.timeout.ms",
       int_setting(c.coordinator_session_timeout_ms, 100, INT32_MAX)},
      {"replica.lag.time.max.ms", int_setting(c.replica_lag_time_max_ms, 10, INT32_MAX)},
      {"replica.fetch.max.bytes", int_setting(c.replica_fetch_max_bytes, 1024, INT32_MAX)},
      {"process.roles",
       [&c](const std::string& k, const std::string& v) -> status {
         c.role_broker = c.role_coordinator = false;
         std::stringstream ss(v);
         for (std::string r; std::getline(ss, r, ',');) {
           r = trim(r);
           if (r == "broker")
             c.role_broker = true;
           else if (r == "coordinator" || r == "controller")
             c.role_coordinator = true;
           else if (!r.empty())
             return bad(k, v, "roles are broker and coordinator");
         }
         if (!c.role_broker && !c.role_coordinator)
           return bad(k, v, "needs broker, coordinator or both");
         return {};
       }},
      {"coordinator.listeners",
       first_endpoint([&c](const endpoint& ep) { c.coordinator_listener = ep; })},
      {"coordinator.connect",
       [&c](const std::string& k, const std::string& v) -> status {
         if (trim(v).rfind("zk://", 0) == 0) return zookeeper_connect(c, k, v);
         auto ep = parse_endpoint(v.substr(0, v.find(',')));
         if (!ep) return bad(k, v, ep.error().message());
         c.coordinator_connect = ep->to_string();
         return {};
       }},
      {"zookeeper.connect",
       [&c](const std::string& k, const std::string& v) { return zookeeper_connect(c, k, v); }},
      {"advertised.listeners",
       [&c](const std::string&, const std::string& v) -> status {
         c.advertised_listeners = v;
         return {};
       }},
  };
  keys["log.dir"] = keys["log.dirs"];
  for (const auto& key : topic_keys())
    if (key.broker_name) keys[key.broker_name] = key.make(c.topic_defaults);
  // Kafka's coarser retention/roll units; the finer unit wins when several are set.
  int64_t retention_hours = -2, retention_minutes = -2, roll_hours = -2;
  keys["log.retention.hours"] = int_setting(retention_hours, -1, INT32_MAX);
  keys["log.retention.minutes"] = int_setting(retention_minutes, -1, INT32_MAX);
  keys["log.roll.hours"] = int_setting(roll_hours, 1, INT32_MAX);

  for (const auto& [k, v] : props) {
    auto it = keys.find(k);
    if (it == keys.end()) return status{errc::invalid_config, "unknown config key '" + k + "'"};
    if (auto st = it->second(k, v); !st) return st;
  }
  auto scaled = [](int64_t x, int64_t unit) { return x < 0 ? -1 : x * unit; };
  if (!props.count("log.retention.ms")) {
    if (retention_minutes != -2)
      c.topic_defaults.log.retention_ms = scaled(retention_minutes, 60000);
    else if (retention_hours != -2)
      c.topic_defaults.log.retention_ms = scaled(retention_hours, 3600000);
  }
  if (!props.count("log.roll.ms") && roll_hours != -2)
    c.topic_defaults.log.segment_ms = roll_hours * 3600000;
  if (auto st = check_security(c.security); !st) return st;
  if (!c.coordinator_connect.empty() && !c.zookeeper_hosts.empty())
    return status{errc::invalid_config,
                  "coordinator.connect names a Brook coordinator and zookeeper.connect a "
                  "ZooKeeper ensemble: set only one"};
  return c;
}

}  // namespace brook::runtime
