#pragma once
// What connection sessions need to reach the node's actors. The broker handle changes when the
// node supervisor restarts the broker, so it is read under a lock.
#include <memory>
#include <mutex>

#include "actors/interfaces.hpp"
#include "actors/partition_directory.hpp"

namespace brook::actors {

class node_context {
 public:
  node_context() : directory_(std::make_shared<partition_directory>()) {}
  const std::shared_ptr<partition_directory>& directory() const { return directory_; }
  broker_actor broker() const {
    std::lock_guard<std::mutex> g(mu_);
    return broker_;
  }
  void set_broker(broker_actor b) {
    std::lock_guard<std::mutex> g(mu_);
    broker_ = std::move(b);
  }

 private:
  std::shared_ptr<partition_directory> directory_;
  mutable std::mutex mu_;
  broker_actor broker_;
};

}  // namespace brook::actors
