#pragma once
// Internal to the group coordinator: group_coordinator.cpp (Kafka's group state machine: joins,
// syncs, heartbeats, leaves, rebalances) and group_offsets.cpp (committed offsets: stored in and
// reloaded from __consumer_offsets).
#include <caf/typed_response_promise.hpp>
#include <chrono>
#include <map>
#include <memory>
#include <optional>
#include <random>
#include <string>
#include <vector>

#include "actors/group/group_coordinator.hpp"
#include "actors/group/offsets_codec.hpp"
#include "net/group_messages.hpp"

namespace brook::actors {
class node_context;
}

namespace brook::actors::group_detail {

using clock_type = std::chrono::steady_clock;
using net::errc;

enum class group_state { empty, preparing_rebalance, completing_rebalance, stable };

struct member {
  std::string id, client_id, client_host;
  std::optional<std::string> instance_id;  // group.instance.id of a static member (KIP-345)
  int32_t session_timeout_ms = 10000;
  int32_t rebalance_timeout_ms = 300000;
  std::vector<net::group_protocol> protocols;
  runtime::bytes assignment;
  clock_type::time_point last_seen;
  uint64_t joined_order = 0;
  std::optional<caf::typed_response_promise<net::join_group_response>> join;
  std::optional<caf::typed_response_promise<net::sync_group_response>> sync;
};

struct group {
  std::string id;
  group_state state = group_state::empty;
  int32_t generation = 0;
  std::string protocol_type, protocol, leader;
  std::map<std::string, member> members;
  std::map<std::string, std::string> static_members;  // group.instance.id -> member id
  std::map<std::string, clock_type::time_point>
      pending_members;  // MEMBER_ID_REQUIRED, not joined yet
  clock_type::time_point rebalance_deadline;
  std::map<std::pair<std::string, int32_t>, net::partition_offset> offsets;
  // Set while an empty group waits group.initial.rebalance.delay.ms for more members.
  bool initial_join = false;
  clock_type::time_point initial_join_limit;  // the delay is extended up to this
};

// A partition of __consumer_offsets that this broker leads: its groups are served here once
// they are read back from it.
struct owned_partition {
  int32_t leader_epoch = -1;
  bool loaded = false;
};

struct coordinator_state {
  std::shared_ptr<node_context> node;
  std::map<std::string, group> groups;  // of owned partitions only
  std::map<int32_t, owned_partition> owned;
  int32_t offsets_partitions = 0;  // 0 until __consumer_offsets exists
  bool refreshing = false;         // a leadership look-up is under way
  bool creating = false;           // __consumer_offsets is being created
  uint64_t join_counter = 0;
  std::mt19937_64 rng{std::random_device{}()};
  static inline const char* name = "group_coordinator";
};

using self_ptr = group_coordinator_actor::stateful_pointer<coordinator_state>;

const char* state_name(group_state s);

// --- group_offsets.cpp
/// Whether this broker serves `group` now: none, or not_coordinator (another broker leads its
/// partition), coordinator_load_in_progress (being read back) or coordinator_not_available (no
/// __consumer_offsets yet).
errc serves(const coordinator_state& st, const std::string& group);
/// Looks up which partitions of __consumer_offsets this broker leads; reads the groups of those it
/// newly leads back from their log and forgets those of partitions it no longer leads.
void refresh_ownership(self_ptr self);
/// Reads partition `p` (led at `epoch`) of __consumer_offsets from offset `from` on.
void load_partition(self_ptr self, int32_t p, int32_t epoch, int64_t from);
/// The broker coordinating a group (FindCoordinator); creates __consumer_offsets on first use.
caf::typed_response_promise<net::find_coordinator_response> on_find_coordinator(
    self_ptr self, const net::find_coordinator_request& req);
caf::typed_response_promise<net::offset_commit_response> on_commit(self_ptr self,
                                                                   net::offset_commit_request& req);
net::offset_fetch_response on_offset_fetch(self_ptr self, const net::offset_fetch_request& req);
/// DeleteGroups: groups without members lose their committed offsets (tombstones) and are gone.
caf::typed_response_promise<net::delete_groups_response> on_delete_groups(
    self_ptr self, const net::delete_groups_request& req);
/// OffsetDelete: committed offsets of partitions no member consumes, tombstoned.
caf::typed_response_promise<net::offset_delete_response> on_offset_delete(
    self_ptr self, const net::offset_delete_request& req);

// --- group_coordinator.cpp
/// Forgets a group this broker no longer coordinates; members waiting in a join or sync are told
/// NOT_COORDINATOR, so they find the new coordinator.
void drop_group(group& g);
/// FENCED_INSTANCE_ID when `instance_id` belongs to another member of `g` now (a newer instance
/// of a static member replaced this one), else none.
errc fenced(const group& g, const std::optional<std::string>& instance_id,
            const std::string& member_id);

}  // namespace brook::actors::group_detail
