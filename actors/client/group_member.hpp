#pragma once
// A consumer's membership in a group, client side of Kafka's group protocol over Brook's native
// protocol: join (MEMBER_ID_REQUIRED handled), the leader computes the assignment with the chosen
// assignor, sync, heartbeats from a background thread every heartbeat.interval.ms, commits and
// committed-offset look-ups, leave. Used by consumer (poll thread) and its heartbeat thread.
#include <atomic>
#include <condition_variable>
#include <functional>
#include <map>
#include <mutex>
#include <optional>
#include <thread>

#include "actors/client/consumer_config.hpp"
#include "net/group_messages.hpp"
#include "net/native_client.hpp"

namespace brook::client {

class client_metadata;

class group_member {
 public:
  group_member(consumer_config cfg, client_metadata& meta);
  ~group_member();

  void subscribe(std::vector<std::string> topics);
  /// Called from poll(): rejoins the group if it is rebalancing (or not joined yet). When that
  /// gives a new assignment it returns the assigned partitions with their committed offsets (-1:
  /// none); `before_rejoin` runs first (auto-commit of the old assignment).
  runtime::result<std::optional<std::map<topic_partition, int64_t>>> maybe_rejoin(
      const std::function<void()>& before_rejoin);
  runtime::status commit(const std::map<topic_partition, offset_and_metadata>& offsets);
  runtime::status commit(const std::map<topic_partition, int64_t>& offsets);
  runtime::result<std::map<topic_partition, offset_and_metadata>> committed(
      const std::vector<topic_partition>& tps);
  /// Leaves the group and stops heartbeating.
  void leave();
  bool joined() const;

 private:
  runtime::result<std::shared_ptr<net::native_client>> coordinator();
  /// Forgets the coordinator when `e` (from a group request) says it moved or is gone.
  void check_coordinator(runtime::errc e);
  runtime::status join_and_sync(std::map<topic_partition, int64_t>& assignment);
  runtime::result<std::map<std::string, runtime::bytes>> assign(
      const std::string& protocol, const std::vector<net::group_member_metadata>& members);
  void heartbeat_loop();

  consumer_config cfg_;
  client_metadata& meta_;
  std::vector<std::string> topics_;
  mutable std::mutex mu_;  // member id, generation, flags below
  std::string member_id_;
  int32_t generation_ = -1;
  bool joined_ = false;
  bool needs_rejoin_ = true;
  bool stopping_ = false;
  std::condition_variable cv_;
  std::thread heartbeat_;
};

}  // namespace brook::client
