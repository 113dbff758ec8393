#pragma once
// Internal to the broker actor: broker_actor.cpp (requests, supervision of its children),
// broker_registration.cpp (coordinator session, /brokers/ids/<id>), broker_metadata.cpp (the
// metadata cache kept in sync with the coordinator through watches, ISR writes, leadership hand
// over), broker_admin.cpp (topic creation and deletion, producer id blocks), broker_configs.cpp
// (dynamic topic and broker configs, log directories).
#include <caf/typed_response_promise.hpp>
#include <chrono>
#include <functional>
#include <map>
#include <string>
#include <vector>

#include "actors/broker/broker_actor.hpp"
#include "actors/coord/coord_ask.hpp"
#include "actors/directory/node_context.hpp"
#include "actors/interfaces/controller.hpp"
#include "actors/interfaces/group.hpp"
#include "actors/interfaces/partition.hpp"
#include "runtime/restart_backoff.hpp"

namespace brook::actors::broker_detail {

using clock_type = std::chrono::steady_clock;

/// A crashed partition restarts at once, then after 100, 200, 400, 800 ms; the 6th crash within
/// 60 s leaves it OFFLINE (recovery from disk keeps failing: a person has to look).
inline constexpr runtime::restart_policy partition_restarts{5, std::chrono::seconds(60), true};

struct partition_slot {
  partition_actor actor;
  runtime::restart_backoff restarts{partition_restarts};
  bool offline = false;
};

struct topic_entry {
  net::topic_definition def;
  runtime::topic_config config;
  std::vector<net::partition_state> states;
  std::vector<int64_t> versions;      // coordinator version of each state; -1 until read
  std::vector<partition_slot> slots;  // actors of the replicas hosted here
};

struct state {
  broker_spec spec;
  coordinator_actor coord;
  uint64_t session = 0;
  bool registered = false;
  bool ready = false;  // metadata loaded: requests are served
  clock_type::time_point last_heartbeat;
  clock_type::time_point last_register_try;
  clock_type::time_point register_conflict_since;  // when /brokers/ids/<id> was first found taken
  // metadata requests that came before the cache was loaded
  std::vector<std::pair<net::metadata_request, caf::typed_response_promise<net::metadata_response>>>
      waiting;
  std::map<int32_t, net::broker_info> brokers;  // live brokers (registered)
  int32_t controller_id = -1;
  std::map<std::string, topic_entry> topics;
  // The topic defaults in force: the properties file's with the dynamic broker configs applied.
  runtime::topic_config topic_defaults;
  node_context::dynamic_configs dynamic_defaults;
  // Topics this broker created or grew, waiting for the controller's first partition states.
  std::map<std::string, std::vector<std::function<void(runtime::status)>>> awaiting_states;
  std::map<caf::actor_addr, std::pair<std::string, int32_t>> by_addr;
  group_coordinator_actor group;
  runtime::restart_backoff group_restarts;
  controller_actor controller;
  runtime::restart_backoff controller_restarts;
  // Producer ids come in blocks reserved in the coordinator (no id repeats in the cluster).
  int64_t next_producer_id = 0;
  int64_t producer_id_limit = 0;
  bool reserving_ids = false;
  std::vector<caf::typed_response_promise<net::init_producer_id_response>> id_waiters;
  static inline const char* name = "broker";
  ~state();
};

using self_ptr = broker_actor::stateful_pointer<state>;
using done_fn = std::function<void(runtime::status)>;

int32_t my_id(const state& st);

/// A coordinator request from the broker; the answer (or the failure) reaches `then`.
template <class Request>
void ask(self_ptr self, Request req, std::function<void(net::coord_response&)> then) {
  ask_coordinator(self, self->state.coord, std::move(then), std::move(req));
}
inline runtime::status to_status(const net::coord_response& r) {
  return {r.error, r.message};
}

// --- broker_registration.cpp
/// Opens the coordinator session, registers /brokers/ids/<id>, loads the metadata and then
/// marks the broker ready.
void start_cluster(self_ptr self);
/// Heartbeats the session and retries a registration that found the old one still there.
void on_tick(self_ptr self);
/// Ends the broker with an error; its supervisor starts a new one.
void fail(self_ptr self, const std::string& why);

// --- broker_metadata.cpp
/// Loads brokers, controller and topics (then `done`), and watches them from now on.
void load_metadata(self_ptr self, std::function<void()> done);
void on_watch_event(self_ptr self, const net::coord_watch_event& e);
/// Adds a topic to the cache (idempotent) and watches its partition states; false if its
/// configs do not apply.
bool add_topic(self_ptr self, const std::string& name, net::topic_definition def);
/// `done` once every partition of `name` has a state in the cache (now, or when the last one
/// is read).
void when_states_known(self_ptr self, const std::string& name, done_fn done);
/// A topic in the cache grown to `def.partitions`: watches and loads the new partitions.
void grow_topic(self_ptr self, const std::string& name, const net::topic_definition& def);
/// Reads (topic, p)'s state into the cache and tells the hosted replica.
void load_partition(self_ptr self, const std::string& topic, int32_t p, std::function<void()> done);
void on_alter_isr(self_ptr self, net::alter_isr_request& req);
/// A hosted replica that went OFFLINE here: if it leads, a new leader is elected from the rest of
/// the ISR (the controller's rule) and written to the coordinator.
void hand_over_leadership(self_ptr self, const std::string& topic, int32_t p);

// --- broker_admin.cpp
void create_topic(self_ptr self, net::create_topic_request req, done_fn done);
void delete_topic(self_ptr self, const std::string& name, done_fn done);
/// CreatePartitions: the definition grown with a compare-and-set; answers once the controller
/// has written the new partitions' states.
void create_partitions(self_ptr self, net::create_partitions_request req, done_fn done);
void init_producer_id(self_ptr self, caf::typed_response_promise<net::init_producer_id_response> p);

// --- broker_security.cpp
/// Reads the users and ACLs into the node's access registry (the watches are load_metadata's).
void load_access(self_ptr self);
/// Reloads what changed if `path` holds users or ACLs; false for any other path.
bool on_access_change(self_ptr self, const std::string& path);
/// Sets or removes a user's credential in the coordinator.
void alter_user(self_ptr self, const net::alter_user_request& req, done_fn done);
/// Adds ACLs (duplicates are kept once) / removes those the filters match.
void create_acls(self_ptr self, const net::create_acls_request& req,
                 std::function<void(net::acls_response)> done);
void delete_acls(self_ptr self, const net::delete_acls_request& req,
                 std::function<void(net::acls_response)> done);

// --- broker_configs.cpp
/// AlterConfigs / IncrementalAlterConfigs of one topic or broker resource: validated, then
/// written to the coordinator (validate_only: nothing written).
void alter_configs(self_ptr self, const net::alter_configs_request& req, done_fn done);
/// A topic's configs are the topic defaults with `overrides`: recomputed, and pushed to the
/// replicas hosted here when they changed.
void apply_topic_configs(self_ptr self, const std::string& name,
                         const std::map<std::string, std::string>& overrides);
/// Reads this broker's and every broker's dynamic configs, recomputes the topic defaults and
/// every topic's configs.
void load_broker_configs(self_ptr self, std::function<void()> done);
/// Whether `path` holds dynamic configs this broker applies.
bool is_broker_config_path(const state& st, const std::string& path);
/// DescribeLogDirs: the log directories and the replicas stored in them, each replica's size
/// and lag from its partition actor.
void describe_log_dirs(self_ptr self, const net::describe_log_dirs_request& req,
                       caf::typed_response_promise<net::describe_log_dirs_response> promise);

// --- broker_actor.cpp
/// The role message for the hosted replica (topic, p) from the cached metadata.
net::partition_role role_of(const state& st, const std::string& topic, int32_t p);
/// Spawns or informs the replicas hosted here after (topic, p)'s state changed.
void host_partition(self_ptr self, const std::string& topic, int32_t p);
/// Stops the topic's replicas here and removes their files; `done` when all are gone.
void drop_local(self_ptr self, const std::string& topic, std::function<void()> done);
net::metadata_response metadata(const state& st, const std::vector<std::string>& topics, bool all);
void on_ready(self_ptr self);

}  // namespace brook::actors::broker_detail
