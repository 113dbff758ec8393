// brook topic create|list|describe|alter|delete|delete-records, broker alter-config|log-dirs and
// admin kill-partition.
#include <cstdio>

#include "actors/client/client_metadata.hpp"
#include "apps/cli_clients.hpp"
#include "apps/cli_commands.hpp"

namespace brook::cli {

namespace {

using runtime::errc;

// Sends an admin request answered by a status_response; prints its error, if any.
template <class Request>
int admin_call(const options& o, net::native_type t, const Request& req,
               const std::string& ok_line) {
  auto conn = any_broker(o.bootstrap);
  if (!conn) return fail(conn.error());
  auto r = (*conn)->call<net::status_response>(t, req);
  if (!r) return fail(r.error());
  if (r->error != errc::none) return fail(runtime::status{r->error, r->message});
  if (!ok_line.empty()) std::printf("%s\n", ok_line.c_str());
  return 0;
}

}  // namespace

int topic_create(const options& o) {
  net::create_topic_request req{o.topic, o.partitions, o.replication_factor, {}};
  for (const auto& c : o.configs) {
    auto kv = runtime::parse_assignment(c);
    if (!kv) return fail(kv.error());
    req.configs[kv->first] = kv->second;
  }
  return admin_call(o, net::native_type::create_topic, req, "Created topic " + o.topic + ".");
}

// --add-config k=v and --delete-config k as IncrementalAlterConfigs changes.
runtime::result<std::vector<net::config_change>> config_changes(const options& o) {
  std::vector<net::config_change> changes;
  for (const auto& c : o.configs) {
    auto kv = runtime::parse_assignment(c);
    if (!kv) return kv.error();
    changes.push_back({kv->first, int8_t(net::config_op::set), kv->second});
  }
  for (const auto& k : o.delete_configs)
    changes.push_back({k, int8_t(net::config_op::remove), std::nullopt});
  return changes;
}

int topic_alter(const options& o) {
  if (o.partitions < 0 && o.configs.empty() && o.delete_configs.empty())
    return fail("nothing to alter: give --partitions, --add-config or --delete-config");
  if (o.partitions >= 0) {
    net::create_partitions_request req{o.topic, o.partitions, {}, false};
    int rc = admin_call(o, net::native_type::create_partitions, req,
                        "Topic " + o.topic + " now has " + std::to_string(o.partitions) +
                            " partitions.");
    if (rc != 0) return rc;
  }
  if (o.configs.empty() && o.delete_configs.empty()) return 0;
  auto changes = config_changes(o);
  if (!changes) return fail(changes.error());
  net::alter_configs_request req{net::config_resource_topic, o.topic, std::move(*changes), false,
                                 false};
  return admin_call(o, net::native_type::alter_configs, req,
                    "Altered the configs of topic " + o.topic + ".");
}

int broker_alter_config(const options& o) {
  if (o.configs.empty() && o.delete_configs.empty())
    return fail("nothing to alter: give --add-config or --delete-config");
  auto changes = config_changes(o);
  if (!changes) return fail(changes.error());
  net::alter_configs_request req{net::config_resource_broker, o.broker, std::move(*changes), false,
                                 false};
  return admin_call(o, net::native_type::alter_configs, req,
                    o.broker.empty() ? "Altered the default configs of every broker."
                                     : "Altered the configs of broker " + o.broker + ".");
}

int topic_delete_records(const options& o) {
  auto servers = client::parse_bootstrap(o.bootstrap);
  if (!servers) return fail(servers.error());
  client::client_metadata meta(*servers, std::chrono::seconds(10));
  auto conn = meta.leader_connection(o.topic, o.partition, client::client_metadata::bulk);
  if (!conn) return fail(conn.error());
  auto r = (*conn)->call<net::delete_records_response>(
      net::native_type::delete_records, net::delete_records_request{o.topic, o.partition, o.offset});
  if (!r) return fail(r.error());
  if (r->error != errc::none) return fail(runtime::status{r->error, r->message});
  std::printf("Partition %s-%d now starts at offset %lld.\n", o.topic.c_str(), o.partition,
              static_cast<long long>(r->low_watermark));
  return 0;
}

int broker_log_dirs(const options& o) {
  auto conn = any_broker(o.bootstrap);
  if (!conn) return fail(conn.error());
  auto r = (*conn)->call<net::describe_log_dirs_response>(net::native_type::describe_log_dirs,
                                                          net::describe_log_dirs_request{});
  if (!r) return fail(r.error());
  for (const auto& d : r->dirs) {
    std::printf("LogDir: %s\tTotalBytes: %lld\tUsableBytes: %lld\n", d.path.c_str(),
                static_cast<long long>(d.total_bytes), static_cast<long long>(d.usable_bytes));
    for (const auto& p : d.partitions)
      std::printf("\t%s-%d\tSize: %lld\tOffsetLag: %lld\n", p.topic.c_str(), p.partition,
                  static_cast<long long>(p.size), static_cast<long long>(p.offset_lag));
  }
  return 0;
}

int topic_delete(const options& o) {
  return admin_call(o, net::native_type::delete_topic, net::delete_topic_request{o.topic},
                    "Deleted topic " + o.topic + ".");
}

int kill_partition(const options& o) {
  net::kill_actor_request req{"partition", o.topic, o.partition};
  return admin_call(o, net::native_type::kill_actor, req,
                    "Killed partition actor " + o.topic + "-" + std::to_string(o.partition) + ".");
}

int topic_list(const options& o) {
  auto md = cluster_metadata(o.bootstrap, {});
  if (!md) return fail(md.error());
  for (const auto& t : md->topics) std::printf("%s\n", t.name.c_str());
  return 0;
}

int topic_describe(const options& o) {
  auto md = cluster_metadata(o.bootstrap, {o.topic});
  if (!md) return fail(md.error());
  for (const auto& t : md->topics) {
    if (t.error != errc::none)
      return fail("topic '" + t.name + "': " + std::string(runtime::to_string(t.error)));
    std::printf("Topic: %s\tPartitionCount: %zu\n", t.name.c_str(), t.partitions.size());
    std::string cfg;
    for (const auto& [k, v] : t.configs) cfg += (cfg.empty() ? "" : ",") + k + "=" + v;
    std::printf("Configs: %s\n", cfg.c_str());
    for (const auto& p : t.partitions) {
      auto join = [](const std::vector<int32_t>& v) {
        std::string s;
        for (auto x : v) s += (s.empty() ? "" : ",") + std::to_string(x);
        return s;
      };
      std::printf("\tTopic: %s\tPartition: %d\tLeader: %d\tEpoch: %d\tReplicas: %s\tIsr: %s\n",
                  t.name.c_str(), p.partition, p.leader, p.leader_epoch, join(p.replicas).c_str(),
                  join(p.isr).c_str());
    }
  }
  return 0;
}

}  // namespace brook::cli
