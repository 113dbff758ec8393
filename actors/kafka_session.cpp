#include "actors/kafka_session.hpp"

#include <caf/all.hpp>

#include "actors/kafka_session_internal.hpp"
#include "runtime/log.hpp"

namespace brook::actors {

namespace kafka_detail {

// Collects one answer per partition, then finishes the response once all have arrived.
template <class Response>
struct gather {
  Response resp;
  size_t pending = 0;
  std::function<void(Response&)> finish;
  void one_done() {
    if (--pending == 0) finish(resp);
  }
};

// Sends `req` to the partition actor for (topic, partition); `on_done` gets its answer or a
// retriable error answer when the partition is unknown, restarting or does not answer in time.
template <class Request, class Response, class F>
void ask_partition(self_ptr self, const std::string& topic, int32_t partition, Request req,
                   milliseconds timeout, F on_done) {
  auto target = self->state.node->directory()->find(topic, partition);
  if (!target || !*target) {
    Response r;
    r.error = target ? errc::not_leader_or_follower : errc::unknown_topic_or_partition;
    return on_done(r);
  }
  bool urgent = self->state.node->directory()->urgent(topic);
  auto pending = urgent ? self->template request<caf::message_priority::high>(*target, timeout, std::move(req))
                        : self->request(*target, timeout, std::move(req));
  pending.then([on_done](Response& r) mutable { on_done(r); },
            [on_done](caf::error& e) mutable {
              Response r;
              r.error = e == caf::sec::request_timeout ? errc::request_timed_out : errc::not_leader_or_follower;
              on_done(r);
            });
}

// ---- Metadata v0-6 ---------------------------------------------------------------------------
void on_metadata(self_ptr self, uint64_t seq, const k::request_header& h, k::metadata_request& req) {
  auto& node = *self->state.node;
  net::metadata_request native;
  native.all_topics = !req.topics || (h.api_version == 0 && req.topics->empty());
  if (req.topics && !native.all_topics) native.topics = *req.topics;
  native.allow_auto_create = h.api_version < 4 || req.allow_auto_topic_creation;
  auto answer = [self, seq, h](const net::metadata_response& m) {
    auto& node = *self->state.node;
    k::metadata_response r;
    for (const auto& b : m.brokers) r.brokers.push_back({b.id, b.kafka_host, int32_t(b.kafka_port), std::nullopt});
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

// ---- Produce v3-7 ----------------------------------------------------------------------------
void on_produce(self_ptr self, uint64_t seq, const k::request_header& h, k::produce_request& req) {
  bool no_response = req.acks == 0;
  auto g = std::make_shared<gather<k::produce_response>>();
  g->finish = [self, seq, h, no_response](k::produce_response& r) {
    if (no_response) return self->state.out->complete(seq, std::nullopt);
    reply(self, seq, h, r);
  };
  g->pending = 1;  // held until every partition is sent
  for (auto& t : req.topics) {
    g->resp.topics.push_back({t.name, {}});
    auto ti = g->resp.topics.size() - 1;
    for (auto& p : t.partitions) {
      g->resp.topics[ti].partitions.push_back({p.index, 0, -1, -1, -1});
      auto pi = g->resp.topics[ti].partitions.size() - 1;
      auto fill = [g, ti, pi](const net::produce_response& r) {
        auto& out = g->resp.topics[ti].partitions[pi];
        out.error_code = code(r.error);
        out.base_offset = r.base_offset;
        out.log_start_offset = r.log_start_offset;
        g->one_done();
      };
      ++g->pending;
      if (req.transactional_id) {
        fill({errc::invalid_request, "transactions are not supported", -1, -1});
        continue;
      }
      if (!p.records) {
        fill({errc::corrupt_message, "null records", -1, -1});
        continue;
      }
      net::produce_request native{t.name, p.index, req.acks, req.timeout_ms, std::move(*p.records)};
      if (no_response) {
        if (auto a = self->state.node->directory()->find(t.name, p.index); a && *a)
          caf::anon_send(*a, std::move(native));
        fill({});
        continue;
      }
      ask_partition<net::produce_request, net::produce_response>(
          self, t.name, p.index, std::move(native), milliseconds(std::max(req.timeout_ms, 1) + 5000), fill);
    }
  }
  g->one_done();
}

// ---- Fetch v4-11 -----------------------------------------------------------------------------
// Kafka semantics: answer at once when fetch.min.bytes are available, else wait up to max_wait_ms.
// Round one reads every partition without waiting; if that is not enough, round two parks a fetch
// in each partition actor and answers with the first partition that gets data (or when all time
// out). Each partition returns at least one whole batch, so progress never stalls on max_bytes.
struct fetch_state {
  k::request_header h;
  uint64_t seq = 0;
  k::fetch_request req;
  k::fetch_response resp;
  size_t pending = 0;
  bool answered = false;
};

void fill_partition(k::fetch_response::partition& out, const net::fetch_response& r) {
  out.error_code = code(r.error);
  out.high_watermark = r.high_watermark;
  out.last_stable_offset = r.high_watermark;  // no transactions: LSO == HW
  out.log_start_offset = r.log_start_offset;
  out.aborted_transactions.emplace();
  out.records = r.records;
}

// Kafka's response limit: partitions are filled in request order until max_bytes is reached; the
// first partition with data is always kept whole (so a large batch cannot stall a consumer), later
// ones that would pass the limit go back empty and are fetched again next time.
void trim_to_max_bytes(k::fetch_response& resp, int32_t max_bytes) {
  size_t total = 0;
  for (auto& t : resp.topics)
    for (auto& p : t.partitions) {
      size_t n = p.records ? p.records->size() : 0;
      if (n == 0) continue;
      if (total > 0 && total + n > size_t(std::max(max_bytes, 1)))
        p.records->clear();
      else
        total += n;
    }
}

void answer_fetch(self_ptr self, fetch_state& st) {
  st.answered = true;
  trim_to_max_bytes(st.resp, st.req.max_bytes);
  reply(self, st.seq, st.h, st.resp);
}

void fetch_round(self_ptr self, std::shared_ptr<fetch_state> st, bool wait) {
  st->pending = 0;
  size_t budget = size_t(std::max(st->req.max_bytes, 1));
  for (size_t ti = 0; ti < st->req.topics.size(); ++ti) {
    const auto& t = st->req.topics[ti];
    for (size_t pi = 0; pi < t.partitions.size(); ++pi) {
      const auto& p = t.partitions[pi];
      net::fetch_request native{t.name, p.index, p.fetch_offset,
                                std::max<int32_t>(1, std::min<int32_t>(p.max_bytes, int32_t(budget))),
                                wait ? 1 : 0, wait ? st->req.max_wait_ms : 0};
      ++st->pending;
      ask_partition<net::fetch_request, net::fetch_response>(
          self, t.name, p.index, std::move(native), milliseconds(st->req.max_wait_ms + 30000),
          [self, st, ti, pi, wait](const net::fetch_response& r) {
            if (st->answered) return;
            fill_partition(st->resp.topics[ti].partitions[pi], r);
            --st->pending;
            bool got_data = !r.records.empty() || r.error != errc::none;
            if (wait && !got_data && st->pending > 0) return;
            if (!wait && st->pending > 0) return;
            if (!wait) {
              size_t total = 0;
              bool any_error = false;
              for (auto& tt : st->resp.topics)
                for (auto& pp : tt.partitions) {
                  total += pp.records ? pp.records->size() : 0;
                  any_error |= pp.error_code != 0;
                }
              // fetch.min.bytes 0: answer at once, as Kafka.
              if (st->req.min_bytes > 0 && total < size_t(st->req.min_bytes) && !any_error && st->req.max_wait_ms > 0)
                return fetch_round(self, st, true);
            }
            answer_fetch(self, *st);
          });
    }
  }
  if (st->pending == 0 && !st->answered) answer_fetch(self, *st);
}

void on_fetch(self_ptr self, uint64_t seq, const k::request_header& h, k::fetch_request& req) {
  auto st = std::make_shared<fetch_state>();
  st->h = h;
  st->seq = seq;
  st->req = std::move(req);
  for (const auto& t : st->req.topics) {
    k::fetch_response::topic rt{t.name, {}};
    for (const auto& p : t.partitions) {
      k::fetch_response::partition rp;
      rp.index = p.index;
      rp.records.emplace();
      rt.partitions.push_back(std::move(rp));
    }
    st->resp.topics.push_back(std::move(rt));
  }
  fetch_round(self, st, false);
}

// ---- ListOffsets v1-3 ------------------------------------------------------------------------
void on_list_offsets(self_ptr self, uint64_t seq, const k::request_header& h, k::list_offsets_request& req) {
  auto g = std::make_shared<gather<k::list_offsets_response>>();
  g->finish = [self, seq, h](k::list_offsets_response& r) { reply(self, seq, h, r); };
  g->pending = 1;
  for (auto& t : req.topics) {
    g->resp.topics.push_back({t.name, {}});
    auto ti = g->resp.topics.size() - 1;
    for (auto& p : t.partitions) {
      g->resp.topics[ti].partitions.push_back({p.index, 0, -1, -1});
      auto pi = g->resp.topics[ti].partitions.size() - 1;
      ++g->pending;
      ask_partition<net::list_offsets_request, net::list_offsets_response>(
          self, t.name, p.index, net::list_offsets_request{t.name, p.index, p.timestamp}, milliseconds(30000),
          [g, ti, pi](const net::list_offsets_response& r) {
            auto& out = g->resp.topics[ti].partitions[pi];
            out.error_code = code(r.error);
            out.offset = r.offset;
            out.timestamp = r.timestamp;
            g->one_done();
          });
    }
  }
  g->one_done();
}

// ---- Admin: CreateTopics v0-4, DeleteTopics v0-3, InitProducerId v0-1 ---------------------------
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

void on_create_topics(self_ptr self, uint64_t seq, const k::request_header& h, k::create_topics_request& req) {
  auto g = std::make_shared<gather<k::create_topics_response>>();
  g->finish = [self, seq, h](k::create_topics_response& r) { reply(self, seq, h, r); };
  g->pending = 1;
  for (auto& t : req.topics) {
    g->resp.topics.push_back({t.name, 0, std::nullopt});
    auto i = g->resp.topics.size() - 1;
    net::create_topic_request native{t.name, t.num_partitions, t.replication_factor, {}, req.validate_only};
    if (!t.assignments.empty()) native.partitions = int32_t(t.assignments.size());
    for (const auto& c : t.configs)
      if (c.value) native.configs[c.name] = *c.value;
    ++g->pending;
    ask_broker(self, std::move(native), [g, i](const net::status_response& r) {
      g->resp.topics[i].error_code = code(r.error);
      if (r.error != errc::none) g->resp.topics[i].error_message = r.message;
      g->one_done();
    });
  }
  g->one_done();
}

void on_delete_topics(self_ptr self, uint64_t seq, const k::request_header& h, k::delete_topics_request& req) {
  auto g = std::make_shared<gather<k::delete_topics_response>>();
  g->finish = [self, seq, h](k::delete_topics_response& r) { reply(self, seq, h, r); };
  g->pending = 1;
  for (auto& name : req.topic_names) {
    g->resp.responses.push_back({name, 0});
    auto i = g->resp.responses.size() - 1;
    ++g->pending;
    ask_broker(self, net::delete_topic_request{name}, [g, i](const net::status_response& r) {
      g->resp.responses[i].error_code = code(r.error);
      g->one_done();
    });
  }
  g->one_done();
}

void on_init_producer_id(self_ptr self, uint64_t seq, const k::request_header& h, k::init_producer_id_request& req) {
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
  self->request(b, std::chrono::seconds(30), net::init_producer_id_request{req.transaction_timeout_ms})
      .then([answer](net::init_producer_id_response& r) { answer(r.error, r.producer_id, r.producer_epoch); },
            [answer](caf::error&) { answer(errc::request_timed_out, -1, -1); });
}

// ---- DescribeConfigs v0-2 --------------------------------------------------------------------
void on_describe_configs(self_ptr self, uint64_t seq, const k::request_header& h, k::describe_configs_request& req) {
  auto& node = *self->state.node;
  auto wanted = [](const k::describe_configs_request::resource& r, const std::string& key) {
    if (!r.keys) return true;
    for (const auto& k2 : *r.keys)
      if (k2 == key) return true;
    return false;
  };
  // Kafka's config sources: 1 DYNAMIC_TOPIC_CONFIG (set for the topic), 4 STATIC_BROKER_CONFIG,
  // 5 DEFAULT_CONFIG.
  auto entries = [&](const k::describe_configs_request::resource& r, const runtime::properties& props,
                     const std::vector<std::string>& set_keys, int8_t set_source) {
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
        auto it = std::find_if(m.topics.begin(), m.topics.end(), [&](const net::topic_info& t) { return t.name == r.name; });
        if (it == m.topics.end() || it->error != errc::none) {
          res.error_code = code(errc::unknown_topic_or_partition);
          res.error_message = "topic '" + r.name + "' does not exist";
        } else {
          res.configs = entries(r, runtime::properties(it->configs.begin(), it->configs.end()), it->overrides, 1);
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

kafka_session_actor::behavior_type session_impl(self_ptr self, std::shared_ptr<net::connection> conn,
                                                std::shared_ptr<node_context> node) {
  auto peer = conn->peer();
  self->state.peer_host = "/" + peer.substr(0, peer.rfind(':'));  // Kafka shows client hosts as /ip
  self->state.out = std::make_unique<response_order>(std::move(conn));
  self->state.node = std::move(node);
  return {
      [self](kafka_call& call) {
        if (!call.req) return self->state.out->complete(call.seq, std::move(call.immediate));
        auto& h = call.req->header;
        std::visit(
            [&](auto& body) {
              using T = std::decay_t<decltype(body)>;
              if constexpr (std::is_same_v<T, k::api_versions_request>)
                self->state.out->complete(call.seq, k::encode_api_versions(h, 0));
              else if constexpr (std::is_same_v<T, k::metadata_request>)
                on_metadata(self, call.seq, h, body);
              else if constexpr (std::is_same_v<T, k::produce_request>)
                on_produce(self, call.seq, h, body);
              else if constexpr (std::is_same_v<T, k::fetch_request>)
                on_fetch(self, call.seq, h, body);
              else if constexpr (std::is_same_v<T, k::list_offsets_request>)
                on_list_offsets(self, call.seq, h, body);
              else if constexpr (std::is_same_v<T, k::create_topics_request>)
                on_create_topics(self, call.seq, h, body);
              else if constexpr (std::is_same_v<T, k::delete_topics_request>)
                on_delete_topics(self, call.seq, h, body);
              else if constexpr (std::is_same_v<T, k::init_producer_id_request>)
                on_init_producer_id(self, call.seq, h, body);
              else if constexpr (std::is_same_v<T, k::describe_configs_request>)
                on_describe_configs(self, call.seq, h, body);
              else
                on_group_request(self, call.seq, h, body);
            },
            call.req->body);
      },
  };
}

// Runs on the connection's I/O thread.
class kafka_handler : public net::frame_handler {
 public:
  kafka_handler(kafka_session_actor session, std::shared_ptr<net::connection> conn)
      : session_(std::move(session)), conn_(std::move(conn)) {}
  ~kafka_handler() override { caf::anon_send_exit(session_, caf::exit_reason::user_shutdown); }

  void on_frame(const uint8_t* payload, size_t n) override {
    auto d = k::decode_request(payload, n);
    using kind = k::decode_result::kind;
    if (d.outcome == kind::ok) {
      caf::anon_send(session_, kafka_call{next_seq_++, std::make_shared<k::request>(std::move(*d.req)), {}});
      return;
    }
    BROOK_LOG_WARN("[kafka] bad request from " << conn_->peer() << ": " << d.message);
    if (d.outcome == kind::unsupported_version && k::api_key(d.header.api_key) == k::api_key::api_versions) {
      // A newer client: tell it what we speak (v0 layout, UNSUPPORTED_VERSION); it retries lower.
      // Through the session so it stays in order behind earlier responses.
      caf::anon_send(session_, kafka_call{next_seq_++, nullptr, k::encode_api_versions(d.header, 35)});
      return;
    }
    // Kafka closes the connection on requests it cannot parse or does not serve.
    conn_->close(d.message);
  }

  void on_close() override { caf::anon_send_exit(session_, caf::exit_reason::user_shutdown); }

 private:
  kafka_session_actor session_;
  std::shared_ptr<net::connection> conn_;
  uint64_t next_seq_ = 0;
};

}  // namespace kafka_detail

net::handler_factory kafka_session_factory(caf::actor_system& sys, std::shared_ptr<node_context> node) {
  return [&sys, node](std::shared_ptr<net::connection> conn) -> std::unique_ptr<net::frame_handler> {
    auto session = sys.spawn(kafka_detail::session_impl, conn, node);
    return std::make_unique<kafka_detail::kafka_handler>(session, conn);
  };
}

}  // namespace brook::actors
