// Kafka's metadata and admin APIs, served by the broker actor: Metadata, CreateTopics,
// CreatePartitions, DeleteTopics, InitProducerId, DescribeConfigs, DescribeCluster. Versions:
// net/kafka/codec.cpp, supported_apis().
#include <caf/all.hpp>

#include "actors/session/kafka/kafka_session_internal.hpp"
#include "runtime/countdown.hpp"

namespace brook::actors::kafka_detail {

void serve(self_ptr self, uint64_t seq, const header& h, k::metadata_request& req) {
  auto& node = *self->state.node;
  net::metadata_request native;
  native.all_topics = !req.topics || (h.api_version == 0 && req.topics->empty());
  if (req.topics && !native.all_topics) native.topics = *req.topics;
  native.allow_auto_create = h.api_version < 4 || req.allow_auto_topic_creation;
  auto answer = [self, seq, h](const net::metadata_response& m) {
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

template <class Request, class F>
void ask_broker(self_ptr self, Request req, F on_done) {
  auto b = self->state.node->broker();
  if (!b) return on_done(net::status_response{errc::leader_not_available, "broker is restarting"});
  self->request(b, std::chrono::seconds(30), std::move(req))
      .then([on_done](net::status_response& r) mutable { on_done(r); },
            [on_done](caf::error& e) mutable {
              on_done(net::status_response{errc::request_timed_out, caf::to_string(e)});
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
    ask_broker(self, net::delete_topic_request{name},
               [resp, i = resp->responses.size() - 1, done](const net::status_response& r) {
                 resp->responses[i].error_code = code(r.error);
                 done();
               });
  }
}

void serve(self_ptr self, uint64_t seq, const header& h, k::init_producer_id_request& req) {
  auto answer = [self, seq, h](errc e, int64_t id, int16_t epoch) {
    k::init_producer_id_response r;
    r.error_code = code(e);
    r.producer_id = id;
    r.producer_epoch = epoch;
    reply(self, seq, h, r);
  };
  if (req.transactional_id) return answer(errc::invalid_request, -1, -1);  // no transactions yet
  auto b = self->state.node->broker();
  if (!b) return answer(errc::leader_not_available, -1, -1);
  self->request(b, std::chrono::seconds(30),
                net::init_producer_id_request{req.transaction_timeout_ms})
      .then(
          [answer](net::init_producer_id_response& r) {
            answer(r.error, r.producer_id, r.producer_epoch);
          },
          [answer](caf::error&) { answer(errc::request_timed_out, -1, -1); });
}

void serve(self_ptr self, uint64_t seq, const header& h, k::describe_configs_request& req) {
  auto& node = *self->state.node;
  auto wanted = [](const k::describe_configs_request::resource& r, const std::string& key) {
    if (!r.keys) return true;
    for (const auto& k2 : *r.keys)
      if (k2 == key) return true;
    return false;
  };
  // Kafka's config sources: 1 DYNAMIC_TOPIC_CONFIG (set for the topic), 4 STATIC_BROKER_CONFIG,
  // 5 DEFAULT_CONFIG.
  auto entries = [&](const k::describe_configs_request::resource& r,
                     const runtime::properties& props, const std::vector<std::string>& set_keys,
                     int8_t set_source) {
    std::vector<k::describe_configs_response::entry> out;
    for (const auto& [key, value] : props) {
      if (!wanted(r, key)) continue;
      bool set = std::find(set_keys.begin(), set_keys.end(), key) != set_keys.end();
      out.push_back({key, value, false, !set, int8_t(set ? set_source : 5), false, {}});
    }
    return out;
  };
  std::vector<std::string> topics;
  for (const auto& r : req.resources)
    if (r.type == k::resource_topic) topics.push_back(r.name);
  auto answer = [self, seq, h, req, entries](const net::metadata_response& m) mutable {
    auto& node = *self->state.node;
    k::describe_configs_response resp;
    for (const auto& r : req.resources) {
      k::describe_configs_response::result res;
      res.type = r.type;
      res.name = r.name;
      if (r.type == k::resource_topic) {
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
          res.configs = entries(r, runtime::properties(it->configs.begin(), it->configs.end()),
                                it->overrides, 1);
        }
      } else if (r.type == k::resource_broker) {
        const auto& c = node.config;
        runtime::properties props = {
            {"broker.id", std::to_string(c.broker_id)},
            {"num.partitions", std::to_string(c.num_partitions)},
            {"auto.create.topics.enable", c.auto_create_topics ? "true" : "false"},
            {"default.replication.factor", std::to_string(c.default_replication_factor)},
            {"log.segment.bytes", std::to_string(c.topic_defaults.log.segment_bytes)},
            {"log.retention.ms", std::to_string(c.topic_defaults.log.retention_ms)},
            {"message.max.bytes", std::to_string(c.topic_defaults.max_message_bytes)}};
        std::vector<std::string> all;
        for (const auto& [k2, v] : props) all.push_back(k2);
        res.configs = entries(r, props, all, 4);
      } else {
        res.error_code = code(errc::invalid_request);
        res.error_message = "unsupported resource type " + std::to_string(r.type);
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

}  // namespace brook::actors::kafka_detail
