// Kafka's consumer-group APIs, mapped onto the group coordinator's native messages. Versions:
// net/kafka/codec.cpp, supported_apis().
#include <algorithm>
#include <cctype>
#include <map>
#include <set>

#include "actors/session/kafka/kafka_session_internal.hpp"
#include "runtime/security/access.hpp"

namespace brook::actors::kafka_detail {

namespace {

// Puts error `e` into a response: its own error code, or every entry's where it has one each.
template <class Response>
void set_error(Response& r, errc e) {
  if constexpr (std::is_same_v<Response, net::offset_commit_response>) {
    for (auto& o : r.offsets) o.error = e;
  } else if constexpr (std::is_same_v<Response, net::describe_groups_response>) {
    for (auto& g : r.groups) g.error = e;
  } else if constexpr (std::is_same_v<Response, net::delete_groups_response>) {
    for (auto& g : r.results) g.error = e;
  } else if constexpr (std::is_same_v<Response, net::txn_partitions_response>) {
    for (auto& p : r.partitions) p.error = e;
  } else if constexpr (std::is_same_v<Response, net::describe_transactions_response>) {
    (void)e;  // answered without entries: the caller fills them in
  } else {
    r.error = e;
  }
}

// Asks the group coordinator; `answer` gets its response, or one carrying the error when the
// coordinator is absent or does not answer in time.
template <class Request, class Response, class Answer>
void ask_coordinator(self_ptr self, Request req, milliseconds timeout, Answer answer) {
  auto c = self->state.node->group_coordinator();
  auto fallback = [answer](errc e) mutable {
    Response r{};
    set_error(r, e);
    answer(r);
  };
  if (!c) return fallback(errc::coordinator_not_available);
  self->request(c, timeout, std::move(req))
      .then([answer](Response& r) mutable { answer(r); },
            [fallback](caf::error& e) mutable {
              fallback(e == caf::sec::request_timeout ? errc::request_timed_out
                                                      : errc::coordinator_not_available);
            });
}

// Kafka's per-topic answer lists from a flat list of partition rows (topics in the order they
// first appear); `entry(row)` makes a row's partition entry.
template <class Topic, class Rows, class Entry>
void group_by_topic(std::vector<Topic>& topics, const Rows& rows, Entry entry) {
  std::map<std::string, size_t> index;
  for (const auto& row : rows) {
    auto [it, fresh] = index.emplace(row.topic, topics.size());
    if (fresh) topics.push_back({row.topic, {}});
    topics[it->second].partitions.push_back(entry(row));
  }
}

// The coordinator answered nothing (it was not there): every asked row gets that error.
void all_unavailable(std::vector<net::partition_offset>& rows,
                     const std::vector<net::partition_offset>& asked) {
  if (!rows.empty() || asked.empty()) return;
  rows = asked;
  for (auto& o : rows) o.error = errc::coordinator_not_available;
}

}  // namespace

// The broker leading the group's partition of __consumer_offsets (created on first use: until it
// has leaders the answer is COORDINATOR_NOT_AVAILABLE, which clients retry).
// The same for a transactional id (key_type 1): its transactions live in the partition it hashes
// to, served by that partition's group coordinator.
void serve(self_ptr self, uint64_t seq, const header& h, k::find_coordinator_request& req) {
  if (req.key_type != 0 && req.key_type != 1) {
    k::find_coordinator_response r;
    r.error_code = code(errc::invalid_request);
    r.error_message = "unknown key type " + std::to_string(req.key_type);
    return reply(self, seq, h, r);
  }
  auto key_type =
      req.key_type == 0 ? sec::resource_type::group : sec::resource_type::transactional_id;
  if (refused<k::find_coordinator_response>(self, seq, h, sec::acl_operation::describe, key_type,
                                            req.key))
    return;
  ask_coordinator<net::find_coordinator_request, net::find_coordinator_response>(
      self, net::find_coordinator_request{req.key}, milliseconds(15000),
      [self, seq, h](net::find_coordinator_response& f) {
        k::find_coordinator_response r;
        r.error_code = code(f.error);
        if (f.error == errc::none) {
          r.node_id = f.coordinator.id;
          r.host = f.coordinator.kafka_host;
          r.port = f.coordinator.kafka_port;
        } else {
          r.error_message = f.message;
        }
        reply(self, seq, h, r);
      });
}

void serve(self_ptr self, uint64_t seq, const header& h, k::join_group_request& req) {
  if (auto e = denied(self, sec::acl_operation::read, sec::resource_type::group, req.group_id)) {
    k::join_group_response r;
    r.error_code = code(*e);
    r.member_id = req.member_id;
    return reply(self, seq, h, r);
  }
  net::join_group_request n;
  n.group_id = req.group_id;
  n.session_timeout_ms = req.session_timeout_ms;
  n.rebalance_timeout_ms = h.api_version >= 1 ? req.rebalance_timeout_ms : req.session_timeout_ms;
  n.member_id = req.member_id;
  n.group_instance_id = req.group_instance_id;
  n.protocol_type = req.protocol_type;
  for (auto& p : req.protocols) n.protocols.push_back({p.name, std::move(p.metadata)});
  n.client_id = h.client_id.value_or("");
  n.client_host = self->state.peer_host;
  n.require_member_id = h.api_version >= 4;
  auto timeout = milliseconds(std::max(n.rebalance_timeout_ms, n.session_timeout_ms) + 30000);
  ask_coordinator<net::join_group_request, net::join_group_response>(
      self, std::move(n), timeout, [self, seq, h](net::join_group_response& j) {
        k::join_group_response r;
        r.error_code = code(j.error);
        r.generation_id = j.generation_id;
        r.protocol_name = j.protocol_name;
        r.leader = j.leader;
        r.member_id = j.member_id;
        for (auto& m : j.members)
          r.members.push_back({m.member_id, m.group_instance_id, std::move(m.metadata)});
        reply(self, seq, h, r);
      });
}

void serve(self_ptr self, uint64_t seq, const header& h, k::sync_group_request& req) {
  if (refused<k::sync_group_response>(self, seq, h, sec::acl_operation::read,
                                      sec::resource_type::group, req.group_id))
    return;
  net::sync_group_request n{req.group_id, req.generation_id, req.member_id, {},
                            req.group_instance_id};
  for (auto& a : req.assignments) n.assignments.push_back({a.member_id, std::move(a.data)});
  ask_coordinator<net::sync_group_request, net::sync_group_response>(
      self, std::move(n), milliseconds(330000), [self, seq, h](net::sync_group_response& s) {
        k::sync_group_response r;
        r.error_code = code(s.error);
        r.assignment = std::move(s.assignment);
        reply(self, seq, h, r);
      });
}

void serve(self_ptr self, uint64_t seq, const header& h, k::heartbeat_request& req) {
  if (refused<k::heartbeat_response>(self, seq, h, sec::acl_operation::read,
                                     sec::resource_type::group, req.group_id))
    return;
  ask_coordinator<net::heartbeat_request, net::status_response>(
      self,
      net::heartbeat_request{req.group_id, req.generation_id, req.member_id, req.group_instance_id},
      milliseconds(30000), [self, seq, h](net::status_response& s) {
        k::heartbeat_response r;
        r.error_code = code(s.error);
        reply(self, seq, h, r);
      });
}

void serve(self_ptr self, uint64_t seq, const header& h, k::leave_group_request& req) {
  if (refused<k::leave_group_response>(self, seq, h, sec::acl_operation::read,
                                       sec::resource_type::group, req.group_id))
    return;
  net::leave_group_request n{req.group_id, {}, {}};
  if (h.api_version <= 2) {
    n.member_ids.push_back(req.member_id);
  } else {
    for (const auto& m : req.members) {
      n.member_ids.push_back(m.member_id);
      n.group_instance_ids.push_back(m.group_instance_id);
    }
  }
  auto instances = n.group_instance_ids;
  auto ids = n.member_ids;
  ask_coordinator<net::leave_group_request, net::leave_group_response>(
      self, std::move(n), milliseconds(30000),
      [self, seq, h, ids, instances](net::leave_group_response& l) {
        k::leave_group_response r;
        r.error_code = code(l.error);
        for (size_t i = 0; i < ids.size(); ++i)
          r.members.push_back({ids[i], i < instances.size() ? instances[i] : std::nullopt,
                               code(i < l.member_errors.size() ? l.member_errors[i] : l.error)});
        reply(self, seq, h, r);
      });
}

void serve(self_ptr self, uint64_t seq, const header& h, k::offset_commit_request& req) {
  net::offset_commit_request n{req.group_id, req.generation_id, req.member_id, {},
                              req.group_instance_id};
  // Kafka: READ on the group, else every partition is refused; READ on each topic, else that
  // topic's partitions are (the rest are committed).
  auto group_refused =
      denied(self, sec::acl_operation::read, sec::resource_type::group, req.group_id);
  std::vector<net::partition_offset> refused;
  for (const auto& t : req.topics) {
    auto e = group_refused
                 ? group_refused
                 : denied(self, sec::acl_operation::read, sec::resource_type::topic, t.name);
    for (const auto& p : t.partitions)
      (e ? refused : n.offsets)
          .push_back({t.name, p.index, p.offset, p.metadata, e.value_or(errc::none)});
  }
  if (n.offsets.empty()) {
    k::offset_commit_response r;
    group_by_topic(r.topics, refused, [](const net::partition_offset& o) {
      return k::offset_commit_response::partition{o.partition, code(o.error)};
    });
    return reply(self, seq, h, r);
  }
  auto asked = n.offsets;
  ask_coordinator<net::offset_commit_request, net::offset_commit_response>(
      self, std::move(n), milliseconds(40000),
      [self, seq, h, asked, refused](net::offset_commit_response& c) {
        all_unavailable(c.offsets, asked);
        c.offsets.insert(c.offsets.end(), refused.begin(), refused.end());
        k::offset_commit_response r;
        group_by_topic(r.topics, c.offsets, [](const net::partition_offset& o) {
          return k::offset_commit_response::partition{o.partition, code(o.error)};
        });
        reply(self, seq, h, r);
      });
}

void serve(self_ptr self, uint64_t seq, const header& h, k::offset_fetch_request& req) {
  if (auto e =
          denied(self, sec::acl_operation::describe, sec::resource_type::group, req.group_id)) {
    k::offset_fetch_response r;
    r.error_code = code(*e);
    if (req.topics)  // v1 has no top-level error: each partition carries it
      for (const auto& t : *req.topics) {
        r.topics.push_back({t.name, {}});
        for (auto p : t.partitions)
          r.topics.back().partitions.push_back({p, -1, -1, std::nullopt, code(*e)});
      }
    return reply(self, seq, h, r);
  }
  net::offset_fetch_request n{req.group_id, {}, !req.topics.has_value()};
  if (req.topics)
    for (const auto& t : *req.topics)
      for (auto p : t.partitions) n.partitions.push_back({t.name, p, -1, std::nullopt, errc::none});
  auto asked = n.partitions;
  ask_coordinator<net::offset_fetch_request, net::offset_fetch_response>(
      self, std::move(n), milliseconds(30000),
      [self, seq, h, asked](net::offset_fetch_response& f) {
        k::offset_fetch_response r;
        r.error_code = code(f.error);
        auto& rows = f.error == errc::none ? f.offsets : asked;
        group_by_topic(r.topics, rows, [&f](const net::partition_offset& o) {
          int16_t err = code(f.error != errc::none ? f.error : o.error);
          return k::offset_fetch_response::partition{o.partition, o.offset, -1, o.metadata, err};
        });
        reply(self, seq, h, r);
      });
}

void serve(self_ptr self, uint64_t seq, const header& h, k::describe_groups_request& req) {
  auto ids = req.groups;
  ask_coordinator<net::describe_groups_request, net::describe_groups_response>(
      self, net::describe_groups_request{req.groups}, milliseconds(30000),
      [self, seq, h, ids](net::describe_groups_response& d) {
        k::describe_groups_response r;
        if (d.groups.empty())  // the coordinator was not there
          for (const auto& id : ids) {
            r.groups.emplace_back();
            r.groups.back().error_code = code(errc::coordinator_not_available);
            r.groups.back().group_id = id;
          }
        for (auto& g : d.groups) {
          k::describe_groups_response::group kg;
          kg.group_id = g.group_id;
          if (auto e = denied(self, sec::acl_operation::describe, sec::resource_type::group,
                              g.group_id)) {
            kg.error_code = code(*e);
            r.groups.push_back(std::move(kg));
            continue;
          }
          kg.error_code = code(g.error);
          kg.state = g.state;
          kg.protocol_type = g.protocol_type;
          kg.protocol = g.protocol;
          for (auto& m : g.members)
            kg.members.push_back({m.member_id, m.group_instance_id, m.client_id, m.client_host,
                                  std::move(m.metadata), std::move(m.assignment)});
          r.groups.push_back(std::move(kg));
        }
        reply(self, seq, h, r);
      });
}

void serve(self_ptr self, uint64_t seq, const header& h, k::list_groups_request& req) {
  // v4's states filter, compared without case as Kafka 3.8+ does; empty: every group.
  auto lower = [](std::string s) {
    std::transform(s.begin(), s.end(), s.begin(), [](unsigned char c) { return char(std::tolower(c)); });
    return s;
  };
  std::set<std::string> states;
  for (const auto& s : req.states_filter) states.insert(lower(s));
  ask_coordinator<net::list_groups_request, net::list_groups_response>(
      self, net::list_groups_request{}, milliseconds(30000),
      [self, seq, h, states, lower](net::list_groups_response& l) {
        k::list_groups_response r;
        r.error_code = code(l.error);
        // Kafka: DESCRIBE on the cluster lists every group, else those the principal may DESCRIBE.
        auto& st = self->state;
        auto may = [&](sec::acl_operation op, sec::resource_type type, const std::string& name) {
          return st.node->access->authorize(st.principal, st.client_host, op, type, name);
        };
        bool all = may(sec::acl_operation::describe, sec::resource_type::cluster,
                       sec::cluster_resource_name);
        for (const auto& g : l.groups)
          if ((states.empty() || states.count(lower(g.state))) &&
              (all || may(sec::acl_operation::describe, sec::resource_type::group, g.group_id)))
            r.groups.push_back({g.group_id, g.protocol_type, g.state});
        reply(self, seq, h, r);
      });
}

void serve(self_ptr self, uint64_t seq, const header& h, k::delete_groups_request& req) {
  // Groups the principal may not DELETE are answered GROUP_AUTHORIZATION_FAILED; the rest go on.
  std::vector<std::string> ids;
  std::map<std::string, errc> refused;
  for (const auto& g : req.groups) {
    if (auto e = denied(self, sec::acl_operation::remove, sec::resource_type::group, g))
      refused[g] = *e;
    else
      ids.push_back(g);
  }
  auto answer = [self, seq, h, all = req.groups, ids, refused](net::delete_groups_response& d) {
    k::delete_groups_response r;
    for (const auto& g : all) {
      auto it = refused.find(g);
      auto i = size_t(std::find(ids.begin(), ids.end(), g) - ids.begin());
      // No results at all: the coordinator was not there.
      auto e = it != refused.end()    ? it->second
               : i < d.results.size() ? d.results[i].error
                                      : errc::coordinator_not_available;
      r.results.push_back({g, code(e)});
    }
    reply(self, seq, h, r);
  };
  if (ids.empty()) {
    net::delete_groups_response none;
    return answer(none);
  }
  ask_coordinator<net::delete_groups_request, net::delete_groups_response>(
      self, net::delete_groups_request{ids}, milliseconds(30000), answer);
}

void serve(self_ptr self, uint64_t seq, const header& h, k::offset_delete_request& req) {
  // Kafka: DELETE on the group; READ on each topic (its partitions refused, the rest deleted).
  if (auto e = denied(self, sec::acl_operation::remove, sec::resource_type::group, req.group_id)) {
    k::offset_delete_response r;
    r.error_code = code(*e);
    return reply(self, seq, h, r);
  }
  net::offset_delete_request native{req.group_id, {}};
  k::offset_delete_response refused;
  for (const auto& t : req.topics) {
    auto e = denied(self, sec::acl_operation::read, sec::resource_type::topic, t.name);
    if (e) refused.topics.push_back({t.name, {}});
    for (int32_t p : t.partitions) {
      if (e)
        refused.topics.back().partitions.push_back({p, code(*e)});
      else
        native.partitions.push_back({t.name, p, -1, std::nullopt, errc::none});
    }
  }
  if (native.partitions.empty() && !refused.topics.empty()) return reply(self, seq, h, refused);
  ask_coordinator<net::offset_delete_request, net::offset_delete_response>(
      self, std::move(native), milliseconds(30000),
      [self, seq, h, r = std::move(refused)](net::offset_delete_response& d) mutable {
        r.error_code = code(d.error);
        for (const auto& p : d.partitions) {
          if (r.topics.empty() || r.topics.back().name != p.topic)
            r.topics.push_back({p.topic, {}});
          r.topics.back().partitions.push_back({p.partition, code(p.error)});
        }
        reply(self, seq, h, r);
      });
}

// ---- transactions (net/txn_messages.hpp): served by this broker's group coordinator when it
// leads the transactional id's partition (else NOT_COORDINATOR: the client looks it up again).

// Every transaction request needs WRITE on its transactional id.
template <class Response>
bool txn_refused(self_ptr self, uint64_t seq, const header& h, const std::string& id) {
  return refused<Response>(self, seq, h, sec::acl_operation::write,
                           sec::resource_type::transactional_id, id);
}

// A transactional request with partitions (AddPartitionsToTxn: WRITE on each topic;
// TxnOffsetCommit: READ on the group and each topic) as Kafka checks it: WRITE on the
// transactional id, then the group, then the topics. If anything is refused the whole request
// is answered (true): the partitions at fault with their error, the others
// OPERATION_NOT_ATTEMPTED.
template <class Topics, class Index>
bool txn_partitions_refused(self_ptr self, uint64_t seq, const header& h, const std::string& id,
                            const std::string* group, sec::acl_operation topic_op,
                            const Topics& topics, Index index) {
  auto whole = denied(self, sec::acl_operation::write, sec::resource_type::transactional_id, id);
  if (!whole && group)
    whole = denied(self, sec::acl_operation::read, sec::resource_type::group, *group);
  std::map<std::string, errc> refused;
  if (!whole)
    for (const auto& t : topics)
      if (auto e = denied(self, topic_op, sec::resource_type::topic, t.name)) refused[t.name] = *e;
  if (!whole && refused.empty()) return false;
  k::add_partitions_to_txn_response r;
  for (const auto& t : topics) {
    r.results.push_back({t.name, {}});
    auto it = refused.find(t.name);
    auto e = whole ? *whole : it != refused.end() ? it->second : errc::operation_not_attempted;
    for (const auto& p : t.partitions) r.results.back().partitions.push_back({index(p), code(e)});
  }
  reply(self, seq, h, r);
  return true;
}

void serve(self_ptr self, uint64_t seq, const header& h, k::add_partitions_to_txn_request& req) {
  auto index = [](int32_t p) { return p; };
  if (txn_partitions_refused(self, seq, h, req.transactional_id, nullptr, sec::acl_operation::write,
                             req.topics, index))
    return;
  net::add_partitions_to_txn_request n{req.transactional_id, req.producer_id, req.producer_epoch, {}};
  for (const auto& t : req.topics)
    for (auto p : t.partitions) n.partitions.push_back({t.name, p, -1, std::nullopt, errc::none});
  auto asked = n.partitions;
  ask_coordinator<net::add_partitions_to_txn_request, net::txn_partitions_response>(
      self, std::move(n), milliseconds(30000),
      [self, seq, h, asked](net::txn_partitions_response& r) {
        all_unavailable(r.partitions, asked);
        k::add_partitions_to_txn_response out;
        group_by_topic(out.results, r.partitions, [](const net::partition_offset& p) {
          return k::add_partitions_to_txn_response::partition{p.partition, code(p.error)};
        });
        reply(self, seq, h, out);
      });
}

void serve(self_ptr self, uint64_t seq, const header& h, k::add_offsets_to_txn_request& req) {
  if (txn_refused<k::txn_status_response>(self, seq, h, req.transactional_id) ||
      refused<k::txn_status_response>(self, seq, h, sec::acl_operation::read,
                                      sec::resource_type::group, req.group_id))
    return;
  ask_coordinator<net::add_offsets_to_txn_request, net::status_response>(
      self,
      net::add_offsets_to_txn_request{req.transactional_id, req.producer_id, req.producer_epoch,
                                      req.group_id},
      milliseconds(30000), [self, seq, h](net::status_response& s) {
        k::txn_status_response r;
        r.error_code = code(s.error);
        reply(self, seq, h, r);
      });
}

void serve(self_ptr self, uint64_t seq, const header& h, k::end_txn_request& req) {
  if (txn_refused<k::txn_status_response>(self, seq, h, req.transactional_id)) return;
  ask_coordinator<net::end_txn_request, net::status_response>(
      self,
      net::end_txn_request{req.transactional_id, req.producer_id, req.producer_epoch,
                           req.committed},
      milliseconds(60000), [self, seq, h](net::status_response& s) {
        k::txn_status_response r;
        r.error_code = code(s.error);
        reply(self, seq, h, r);
      });
}

void serve(self_ptr self, uint64_t seq, const header& h, k::txn_offset_commit_request& req) {
  auto index = [](const auto& p) { return p.index; };
  if (txn_partitions_refused(self, seq, h, req.transactional_id, &req.group_id,
                             sec::acl_operation::read, req.topics, index))
    return;
  net::txn_offset_commit_request n{req.transactional_id, req.group_id, req.producer_id,
                                   req.producer_epoch, {}};
  for (const auto& t : req.topics)
    for (const auto& p : t.partitions)
      n.offsets.push_back({t.name, p.index, p.offset, p.metadata, errc::none});
  auto asked = n.offsets;
  ask_coordinator<net::txn_offset_commit_request, net::offset_commit_response>(
      self, std::move(n), milliseconds(40000),
      [self, seq, h, asked](net::offset_commit_response& c) {
        all_unavailable(c.offsets, asked);
        k::txn_offset_commit_response r;
        group_by_topic(r.results, c.offsets, [](const net::partition_offset& o) {
          return k::txn_offset_commit_response::partition{o.partition, code(o.error)};
        });
        reply(self, seq, h, r);
      });
}

void serve(self_ptr self, uint64_t seq, const header& h, k::init_producer_id_request& req) {
  auto answer = [self, seq, h](errc e, int64_t id, int16_t epoch) {
    k::init_producer_id_response r;
    r.error_code = code(e);
    r.producer_id = id;
    r.producer_epoch = epoch;
    reply(self, seq, h, r);
  };
  // A transactional producer needs WRITE on its transactional id; an idempotent one
  // IDEMPOTENT_WRITE on the cluster or WRITE on some topic (Kafka 3's rule).
  if (req.transactional_id) {
    if (auto e = denied(self, sec::acl_operation::write, sec::resource_type::transactional_id,
                        *req.transactional_id))
      return answer(*e, -1, -1);
  } else {
    auto& st = self->state;
    if (!st.node->access->authorize_idempotent_producer(st.principal, st.client_host))
      return answer(errc::cluster_authorization_failed, -1, -1);
  }
  if (req.transactional_id) {
    ask_coordinator<net::init_txn_request, net::init_producer_id_response>(
        self, net::init_txn_request{*req.transactional_id, req.transaction_timeout_ms},
        milliseconds(30000), [answer](net::init_producer_id_response& r) {
          answer(r.error, r.producer_id, r.producer_epoch);
        });
    return;
  }
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

// DescribeTransactions: the state of each id this broker coordinates (clients ask each id's
// coordinator); ListTransactions: those it coordinates, filtered (clients ask every broker).
void serve(self_ptr self, uint64_t seq, const header& h, k::describe_transactions_request& req) {
  auto ids = req.transactional_ids;
  ask_coordinator<net::describe_transactions_request, net::describe_transactions_response>(
      self, net::describe_transactions_request{req.transactional_ids}, milliseconds(30000),
      [self, seq, h, ids](net::describe_transactions_response& d) {
        if (d.transactions.empty())  // the coordinator was not there
          for (const auto& id : ids) d.transactions.push_back({id, errc::coordinator_not_available});
        k::describe_transactions_response r;
        for (const auto& t : d.transactions) {
          k::describe_transactions_response::state s;
          s.transactional_id = t.transactional_id;
          if (auto e = denied(self, sec::acl_operation::describe,
                              sec::resource_type::transactional_id, t.transactional_id)) {
            s.error_code = code(*e);
            r.states.push_back(std::move(s));
            continue;
          }
          s.error_code = code(t.error);
          s.transaction_state = t.state;
          s.timeout_ms = t.timeout_ms;
          s.start_time_ms = t.start_time_ms;
          s.producer_id = t.producer_id;
          s.producer_epoch = t.producer_epoch;
          group_by_topic(s.topics, t.partitions, [](const net::partition_offset& p) { return p.partition; });
          r.states.push_back(std::move(s));
        }
        reply(self, seq, h, r);
      });
}

void serve(self_ptr self, uint64_t seq, const header& h, k::list_transactions_request& req) {
  static const std::vector<std::string> known = {"Empty",        "Ongoing",        "PrepareCommit",
                                                 "PrepareAbort", "CompleteCommit", "CompleteAbort"};
  k::list_transactions_response r;
  for (const auto& s : req.state_filters)
    if (std::find(known.begin(), known.end(), s) == known.end()) r.unknown_state_filters.push_back(s);
  ask_coordinator<net::list_transactions_request, net::describe_transactions_response>(
      self, net::list_transactions_request{req.state_filters, req.producer_id_filters},
      milliseconds(30000), [self, seq, h, r](net::describe_transactions_response& d) mutable {
        auto& st = self->state;
        for (const auto& t : d.transactions)  // only those the principal may DESCRIBE
          if (st.node->access->authorize(st.principal, st.client_host, sec::acl_operation::describe,
                                         sec::resource_type::transactional_id, t.transactional_id))
            r.states.push_back({t.transactional_id, t.producer_id, t.state});
        reply(self, seq, h, r);
      });
}

}  // namespace brook::actors::kafka_detail
