#pragma once
// Which partition actor serves (topic, partition) right now. Written by the broker actor (which
// supervises partition actors), read by connection sessions on any thread.
#include <map>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

#include "actors/interfaces/partition.hpp"

namespace brook::actors {

class partition_directory {
 public:
  /// The actor for (topic, partition); nullopt if unknown, or invalid handle while restarting.
  std::optional<partition_actor> find(const std::string& topic, int32_t partition) const {
    std::lock_guard<std::mutex> g(mu_);
    auto it = topics_.find(topic);
    if (it == topics_.end() || partition < 0 || size_t(partition) >= it->second.actors.size())
      return std::nullopt;
    return it->second.actors[size_t(partition)];
  }
  /// True for topics with urgency=urgent: their requests go to the partition actor with CAF's
  /// high message priority, ahead of bulk work in its mailbox.
  bool urgent(const std::string& topic) const {
    std::lock_guard<std::mutex> g(mu_);
    auto it = topics_.find(topic);
    return it != topics_.end() && it->second.urgent;
  }
  void set_topic(const std::string& topic, std::vector<partition_actor> actors, bool urgent) {
    std::lock_guard<std::mutex> g(mu_);
    topics_[topic] = entry{std::move(actors), urgent};
  }
  /// A topic grown to `partitions`: the new ones start without an actor.
  void grow(const std::string& topic, size_t partitions) {
    std::lock_guard<std::mutex> g(mu_);
    auto it = topics_.find(topic);
    if (it != topics_.end() && it->second.actors.size() < partitions)
      it->second.actors.resize(partitions);
  }
  void set(const std::string& topic, int32_t partition, partition_actor a) {
    std::lock_guard<std::mutex> g(mu_);
    auto it = topics_.find(topic);
    if (it != topics_.end() && size_t(partition) < it->second.actors.size())
      it->second.actors[size_t(partition)] = std::move(a);
  }
  void erase(const std::string& topic) {
    std::lock_guard<std::mutex> g(mu_);
    topics_.erase(topic);
  }

 private:
  struct entry {
    std::vector<partition_actor> actors;
    bool urgent = false;
  };
  mutable std::mutex mu_;
  std::map<std::string, entry> topics_;
};

}  // namespace brook::actors
