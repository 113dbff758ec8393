// Kafka's metadata and admin APIs, served by the broker actor: Metadata, CreateTopics,
// CreatePartitions, DeleteTopics, DescribeConfigs, AlterConfigs,
// IncrementalAlterConfigs, DescribeLogDirs, DescribeCluster. Versions: net/kafka/codec.cpp,
// supported_apis().
#include <algorithm>
#include <cctype>
#include <caf/all.hpp>

#include "actors/session/kafka/kafka_session_internal.hpp"
#include "actors/session/metadata_access.hpp"
#include "runtime/countdown.hpp"
#include "runtime/security/access.hpp"

namespace brook::actors::kafka_detail {

void serve(self_ptr self, uint64_t seq, const header& h, k::metadata_request& req) {
  auto& node = *self->state.node;
  net::metadata_request native;
  native.all_topics = !req.topics || (h.api_version == 0 && req.topics->empty());
  if (req.topics && !native.all_topics) native.topics = *req.topics;
  native.allow_auto_create = h.api_version < 4 || req.allow_auto_topic_creation;
  std::optional<metadata_access> access;
  if (node.access->enforcing())
    access.emplace(node.access, self->state.principal, self->state.client_host, native);
  auto answer = [self, seq, h, access](net::metadata_response m) {
    if (access) access->filter(m);
    auto& node = *self->state.node;
    k::metadata_response r;
    for (const auto& b : m.brokers)
      r.brokers.push_back({b.id, b.kafka_host, int32_t(b.kafka_port), std::nullopt});
    if (r.brokers.empty())  // the broker is not up yet: still name this node
      r.brokers.push_back({node.config.broker_id, node.kafka_advertised.host,
                           int32_t(node.kafka_advertised.port), std::nullopt});
    r.cluster_id = "brook";
    r.controller_id = m.controller_id;
    for (const auto& t : m.topics) {
      k::metadata_response::topic kt;
      kt.error_code = code(t.error);
      kt.name = t.name;
      kt.is_internal = t.name == "__consumer_offsets";
      for (const auto& p : t.partitions)
        kt.partitions.push_back({code(p.error), p.partition, p.leader, p.replicas, p.isr, {}});
      r.topics.push_back(std::move(kt));
    }
    reply(self, seq, h, r);
  };
  auto b = node.broker();
  if (!b) return answer({});
  self->request(b, std::chrono::seconds(30), std::move(native))
      .then([answer](net::metadata_response& m) { answer(m); },
            [answer](caf::error&) { answer({}); });
}

// The live brokers at their Kafka addresses and the controller, as Metadata names them.
void serve(self_ptr self, uint64_t seq, const header& h, k::describe_cluster_request& req) {
  k::describe_cluster_response r;
  r.endpoint_type = req.endpoint_type;
  r.cluster_id = "brook";
  if (req.endpoint_type != 1) {  // Kafka: v0 has only INVALID_REQUEST for this
    errc e = h.api_version == 0        ? errc::invalid_request
             : req.endpoint_type == 2 ? errc::mismatched_endpoint_type
                                      : errc::unsupported_endpoint_type;
    r.error_code = code(e);
    r.error_message = "a broker answers for endpoint type 1 (brokers) only";
    return reply(self, seq, h, r);
  }
  auto b = self->state.node->broker();
  if (!b) {
    r.error_code = code(errc::leader_not_available);
    return reply(self, seq, h, r);
  }
  self->request(b, std::chrono::seconds(30), net::metadata_request{{}, false, false})
      .then(
          [self, seq, h, r](net::metadata_response& m) mutable {
            r.controller_id = m.controller_id;
            for (const auto& br : m.brokers)
              r.brokers.push_back({br.id, br.kafka_host, int32_t(br.kafka_port), std::nullopt});
            reply(self, seq, h, r);
          },
          [self, seq, h, r](caf::error&) mutable {
            r.error_code = code(errc::request_timed_out);
            reply(self, seq, h, r);
          });
}

void serve(self_ptr self, uint64_t seq, const header& h, k::create_topics_request& req) {
  auto resp = std::make_shared<k::create_topics_response>();
  auto done =
      runtime::countdown(req.topics.size(), [self, seq, h, resp] { reply(self, seq, h, *resp); });
  for (auto& t : req.topics) {
    resp->topics.push_back({t.name, 0, std::nullopt});
    net::create_topic_request native{
        t.name, t.num_partitions, t.replication_factor, {}, req.validate_only};
    if (!t.assignments.empty()) native.partitions = int32_t(t.assignments.size());
    std::string nulls;
    for (const auto& c : t.configs) {
      if (c.value)
        native.configs[c.name] = *c.value;
      else
        nulls += (nulls.empty() ? "" : ",") + c.name;
    }
    auto& st = self->state;
    if (!st.node->access->authorize(st.principal, st.client_host, sec::acl_operation::create,
                                    sec::resource_type::cluster, sec::cluster_resource_name) &&
        denied(self, sec::acl_operation::create, sec::resource_type::topic, t.name)) {
      resp->topics.back().error_code = code(errc::topic_authorization_failed);
      done();
      continue;
    }
    if (!nulls.empty()) {  // as Kafka: refused, not ignored
      resp->topics.back().error_code = code(errc::invalid_config);
      resp->topics.back().error_message = "Null value not supported for topic configs: " + nulls;
      done();
      continue;
    }
    ask_broker(self, std::move(native),
               [resp, i = resp->topics.size() - 1, done](const net::status_response& r) {
                 resp->topics[i].error_code = code(r.error);
                 if (r.error != errc::none) resp->topics[i].error_message = r.message;
                 done();
               });
  }
}

void serve(self_ptr self, uint64_t seq, const header& h, k::create_partitions_request& req) {
  auto resp = std::make_shared<k::create_partitions_response>();
  auto done =
      runtime::countdown(req.topics.size(), [self, seq, h, resp] { reply(self, seq, h, *resp); });
  for (auto& t : req.topics) {
    resp->results.push_back({t.name, 0, std::nullopt});
    if (auto e = denied(self, sec::acl_operation::alter, sec::resource_type::topic, t.name)) {
      resp->results.back().error_code = code(*e);
      done();
      continue;
    }
    net::create_partitions_request native{t.name, t.count, {}, req.validate_only};
    if (t.assignments) native.assignments = std::move(*t.assignments);
    ask_broker(self, std::move(native),
               [resp, i = resp->results.size() - 1, done](const net::status_response& r) {
                 resp->results[i].error_code = code(r.error);
                 if (r.error != errc::none) resp->results[i].error_message = r.message;
                 done();
               });
  }
}

void serve(self_ptr self, uint64_t seq, const header& h, k::delete_topics_request& req) {
  auto resp = std::make_shared<k::delete_topics_response>();
  auto done = runtime::countdown(req.topic_names.size(),
                                 [self, seq, h, resp] { reply(self, seq, h, *resp); });
  for (auto& name : req.topic_names) {
    resp->responses.push_back({name, 0});
    if (auto e = denied(self, sec::acl_operation::remove, sec::resource_type::topic, name)) {
      resp->responses.back().error_code = code(*e);
      done();
      continue;
    }
    ask_broker(self, net::delete_topic_request{name},
               [resp, i = resp->responses.size() - 1, done](const net::status_response& r) {
                 resp->responses[i].error_code = code(r.error);
                 done();
               });
  }
}

namespace {

// Kafka's config sources.
constexpr int8_t source_topic = 1, source_dynamic_broker = 2, source_dynamic_default = 3,
                 source_static_broker = 4, source_default = 5;

// A broker resource's name: its id, or "" for the default of every broker.
bool broker_resource_name(const std::string& name) {
  return name.empty() || (name.size() <= 9 && std::all_of(name.begin(), name.end(), ::isdigit));
}

// The broker's configs as DescribeConfigs shows them: a few static settings and every topic
// default by its broker-level key, with where each value comes from.
std::vector<std::pair<std::string, std::pair<std::string, int8_t>>> broker_configs(
    const node_context& node) {
  const auto& c = node.config;
  std::vector<std::pair<std::string, std::pair<std::string, int8_t>>> out = {
      {"broker.id", {std::to_string(c.broker_id), source_static_broker}},
      {"num.partitions", {std::to_string(c.num_partitions), source_static_broker}},
      {"auto.create.topics.enable", {c.auto_create_topics ? "true" : "false", source_static_broker}},
      {"default.replication.factor",
       {std::to_string(c.default_replication_factor), source_static_broker}}};
  auto dyn = node.broker_dynamic_configs();
  auto merged = dyn.cluster_default;
  for (const auto& [k2, v] : dyn.own) merged[k2] = v;
  auto effective = runtime::with_broker_defaults(c.topic_defaults, merged);
  const auto& defaults = effective ? *effective : c.topic_defaults;
  auto builtin = runtime::topic_config{}.to_properties();
  for (const auto& [key, value] : defaults.to_properties()) {
    auto bk = runtime::broker_key_of_topic_key(key);
    if (bk.empty()) continue;
    int8_t source = dyn.own.count(bk)               ? source_dynamic_broker
                    : dyn.cluster_default.count(bk) ? source_dynamic_default
                    : builtin[key] != value         ? source_static_broker
                                                    : source_default;
    out.push_back({bk, {value, source}});
  }
  return out;
}

// A topic's configs need `op` on the topic, a broker's on the cluster.
std::optional<errc> config_access_refused(self_ptr self, int8_t type, const std::string& name,
                                          sec::acl_operation op) {
  if (type == k::resource_topic) return denied(self, op, sec::resource_type::topic, name);
  if (type == k::resource_broker) return denied_on_cluster(self, op);
  return std::nullopt;
}

}  // namespace

void serve(self_ptr self, uint64_t seq, const header& h, k::describe_configs_request& req) {
  auto& node = *self->state.node;
  auto entry = [](const k::describe_configs_request::resource& r, const std::string& key,
                  const std::string& value, int8_t source,
                  std::vector<k::describe_configs_response::entry>& out) {
    if (r.keys && std::find(r.keys->begin(), r.keys->end(), key) == r.keys->end()) return;
    out.push_back({key, value, false, source == source_default, source, false, {}});
  };
  std::vector<std::string> topics;
  for (const auto& r : req.resources)
    if (r.type == k::resource_topic) topics.push_back(r.name);
  auto answer = [self, seq, h, req, entry](const net::metadata_response& m) mutable {
    auto& node = *self->state.node;
    k::describe_configs_response resp;
    for (const auto& r : req.resources) {
      k::describe_configs_response::result res;
      res.type = r.type;
      res.name = r.name;
      auto refused =
          config_access_refused(self, r.type, r.name, sec::acl_operation::describe_configs);
      if (refused) {
        res.error_code = code(*refused);
      } else if (r.type == k::resource_topic) {
        auto it = std::find_if(m.topics.begin(), m.topics.end(),
                               [&](const net::topic_info& t) { return t.name == r.name; });
        if (it == m.topics.end() || it->error != errc::none) {
          // The metadata's error: UNKNOWN_TOPIC_OR_PARTITION, or INVALID_TOPIC_EXCEPTION for
          // an illegal name.
          auto e = it == m.topics.end() ? errc::unknown_topic_or_partition : it->error;
          res.error_code = code(e);
          res.error_message = e == errc::invalid_topic ? "illegal topic name '" + r.name + "'"
                                                       : "topic '" + r.name + "' does not exist";
        } else {
          for (const auto& [key, value] : it->configs) {
            bool set = std::find(it->overrides.begin(), it->overrides.end(), key) !=
                       it->overrides.end();
            entry(r, key, value, set ? source_topic : source_default, res.configs);
          }
        }
      } else if (r.type == k::resource_broker && broker_resource_name(r.name)) {
        for (const auto& [key, vs] : broker_configs(node))
          entry(r, key, vs.first, vs.second, res.configs);
      } else {
        res.error_code = code(errc::invalid_request);
        res.error_message = r.type == k::resource_broker
                                ? "broker id must be an integer, not '" + r.name + "'"
                                : "unsupported resource type " + std::to_string(r.type);
      }
      resp.results.push_back(std::move(res));
    }
    reply(self, seq, h, resp);
  };
  auto b = node.broker();
  if (topics.empty() || !b) return answer({});
  self->request(b, std::chrono::seconds(30), net::metadata_request{topics, false, false})
      .then([answer](net::metadata_response& m) mutable { answer(m); },
            [answer](caf::error&) mutable { answer({}); });
}

// AlterConfigs (every dynamic config of a resource replaced) and IncrementalAlterConfigs (one
// operation per key): validated and written by the broker actor, resource by resource.
template <bool Incremental>
void serve_alter_configs(self_ptr self, uint64_t seq, const header& h,
                         k::basic_alter_configs_request<Incremental>& req) {
  auto resp = std::make_shared<k::alter_configs_response>();
  auto done = runtime::countdown(req.resources.size(),
                                 [self, seq, h, resp] { reply(self, seq, h, *resp); });
  for (auto& r : req.resources) {
    resp->results.push_back({0, std::nullopt, r.type, r.name});
    auto& res = resp->results.back();
    if (auto e = config_access_refused(self, r.type, r.name, sec::acl_operation::alter_configs)) {
      res.error_code = code(*e);
      done();
      continue;
    }
    if (r.type != k::resource_topic && r.type != k::resource_broker) {
      res.error_code = code(errc::invalid_request);
      res.error_message = "unsupported resource type " + std::to_string(r.type);
      done();
      continue;
    }
    net::alter_configs_request native{r.type, r.name, {}, !Incremental, req.validate_only};
    for (auto& c : r.configs)
      native.changes.push_back(
          {c.name, Incremental ? c.op : int8_t(net::config_op::set), std::move(c.value)});
    ask_broker(self, std::move(native),
               [resp, i = resp->results.size() - 1, done](const net::status_response& s) {
                 resp->results[i].error_code = code(s.error);
                 if (s.error != errc::none) resp->results[i].error_message = s.message;
                 done();
               });
  }
}

void serve(self_ptr self, uint64_t seq, const header& h, k::alter_configs_request& req) {
  serve_alter_configs(self, seq, h, req);
}

void serve(self_ptr self, uint64_t seq, const header& h,
           k::incremental_alter_configs_request& req) {
  serve_alter_configs(self, seq, h, req);
}

// DescribeLogDirs: the replicas this broker stores, from its partition actors.
void serve(self_ptr self, uint64_t seq, const header& h, k::describe_log_dirs_request& req) {
  // The error is v3+'s; older versions get no log dirs, as Kafka.
  if (refused<k::describe_log_dirs_response>(self, seq, h, sec::acl_operation::describe,
                                             sec::resource_type::cluster,
                                             sec::cluster_resource_name))
    return;
  net::describe_log_dirs_request native;
  if (req.topics) {
    native.all_topics = false;
    for (const auto& t : *req.topics) native.topics.push_back(t.name);
  }
  auto answer = [self, seq, h, wanted = req.topics](const net::describe_log_dirs_response& m) {
    k::describe_log_dirs_response resp;
    for (const auto& d : m.dirs) {
      k::describe_log_dirs_response::result res;
      res.error_code = code(d.error);
      res.log_dir = d.path;
      res.total_bytes = d.total_bytes;
      res.usable_bytes = d.usable_bytes;
      for (const auto& p : d.partitions) {
        if (wanted) {  // only the partitions asked for
          auto t = std::find_if(wanted->begin(), wanted->end(),
                                [&](const auto& w) { return w.name == p.topic; });
          if (t == wanted->end() ||
              std::find(t->partitions.begin(), t->partitions.end(), p.partition) ==
                  t->partitions.end())
            continue;
        }
        if (res.topics.empty() || res.topics.back().name != p.topic)
          res.topics.push_back({p.topic, {}});
        res.topics.back().partitions.push_back({p.partition, p.size, p.offset_lag, false});
      }
      resp.results.push_back(std::move(res));
    }
    reply(self, seq, h, resp);
  };
  auto b = self->state.node->broker();
  if (!b) return answer({});
  self->request(b, std::chrono::seconds(30), std::move(native))
      .then([answer](net::describe_log_dirs_response& m) { answer(m); },
            [answer](caf::error&) { answer({}); });
}

}  // namespace brook::actors::kafka_detail
