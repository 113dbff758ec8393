// brook topic create|list|describe|alter|delete and admin kill-partition.
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

int topic_alter(const options& o) {
  net::create_partitions_request req{o.topic, o.partitions, {}, false};
  return admin_call(o, net::native_type::create_partitions, req,
                    "Topic " + o.topic + " now has " + std::to_string(o.partitions) + " partitions.");
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
