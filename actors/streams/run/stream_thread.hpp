#pragma once
// One urgency class of a running application: a consumer in the application's group on that
// class's source topics, the producer its tasks write with, and the supervision of its task
// actors (one per assigned partition of each sub-topology). The thread polls, hands records to
// the task actors in the class's way (urgent: each as it comes; not-so-urgent: micro-batches,
// earliest deadline first; flexible: large batches, deferred while urgent records are waiting
// unless its deadline nears), restarts crashed task actors from their last commit, follows the
// group's assignment, and commits what the tasks report as acknowledged.
#include <atomic>
#include <deque>
#include <map>
#include <memory>
#include <mutex>
#include <set>
#include <thread>
#include <tuple>
#include <vector>

#include <caf/actor.hpp>

#include "actors/client/consumer_config.hpp"
#include "actors/streams/kafka_streams.hpp"
#include "actors/streams/streams_config.hpp"
#include "runtime/restart_backoff.hpp"

namespace caf {
class actor_system;
}
namespace brook::client {
class consumer;
class producer;
}  // namespace brook::client
namespace brook::streams::detail {
class topology_impl;
struct subtopology;
struct raw_record;
}  // namespace brook::streams::detail

namespace brook::streams::run {

struct task_progress;

/// What the stream threads of one application share.
struct app_shared {
  app_shared(const detail::topology_impl& t, const streams_config& c) : topo(t), cfg(c) {}
  const detail::topology_impl& topo;
  const streams_config& cfg;
  /// Urgent records handed to task actors and not processed yet: flexible work waits for 0.
  std::shared_ptr<std::atomic<int64_t>> urgent_queued = std::make_shared<std::atomic<int64_t>>(0);
  std::atomic<bool> failed{false};
};

class stream_thread {
 public:
  struct sub_run {
    const detail::subtopology* sub;
    urgency urg;
    std::vector<std::string> topics;  // broker names of its source topics
  };

  stream_thread(app_shared& app, urgency_class cls, std::vector<sub_run> subs,
                caf::actor_system& sys);
  ~stream_thread();

  runtime::status start();
  /// Stops polling, waits (up to `timeout`) for what the tasks were given, commits, stops them.
  void stop(std::chrono::milliseconds timeout);
  std::vector<task_metrics> metrics() const;
  bool kill(const task_id& id);

 private:
  struct running;
  void loop();
  void sync_assignment(std::set<client::topic_partition>& fresh);
  void start_task(running& t, std::set<client::topic_partition>& fresh);
  /// Lets the task finish and its writes be acknowledged (until `deadline_ms`, steady clock),
  /// commits it and stops its actor.
  void stop_task(running& t, int64_t deadline_ms);
  void on_exit(const task_id& id, uint64_t incarnation, std::string reason);
  void handle_exits(std::set<client::topic_partition>& fresh);
  void route(std::vector<detail::raw_record>& records,
             const std::set<client::topic_partition>& fresh);
  void dispatch();
  /// Commits every task's progress once commit.interval.ms has passed, or a processor asked.
  void commit_due();
  void commit_tasks(const std::vector<running*>& tasks, bool force);
  const sub_run* sub_of_topic(const std::string& topic) const;

  app_shared& app_;
  urgency_class cls_;
  std::vector<sub_run> subs_;
  caf::actor_system& sys_;
  std::unique_ptr<client::consumer> consumer_;
  std::unique_ptr<client::producer> producer_;
  std::thread thread_;
  std::atomic<bool> stopping_{false};
  int64_t stop_timeout_ms_ = 0;

  mutable std::mutex mu_;  // tasks_ (the thread changes it; metrics() and kill() read it)
  std::map<task_id, std::unique_ptr<running>> tasks_;
  std::set<client::topic_partition> assigned_;
  int64_t assignments_seen_ = 0;  // consumer_->assignments() when assigned_ was taken
  uint64_t next_incarnation_ = 0;
  int64_t last_commit_ms_ = 0;

  std::mutex exits_mu_;
  std::vector<std::tuple<task_id, uint64_t, std::string>> exits_;
};

}  // namespace brook::streams::run
