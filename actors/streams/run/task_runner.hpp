#pragma once
// A running task, as its task actor drives it: the task_context, the sends it makes through the
// class's producer (each numbered, its acknowledgement coming back to the actor as task_ack), and
// the progress that may be committed: the input offsets of the records all of whose outputs and
// changelog writes are acknowledged, with the stores' changelog offsets at that point.
#include <atomic>
#include <deque>
#include <map>
#include <memory>
#include <mutex>
#include <set>
#include <string>

#include <caf/actor.hpp>

#include "actors/streams/detail/task.hpp"
#include "actors/streams/kafka_streams.hpp"
#include "actors/streams/run/latency.hpp"
#include "actors/streams/streams_config.hpp"

namespace brook::client {
class producer;
}

namespace brook::streams::run {

struct task_ack;

/// Written by the task actor, read by its stream thread (commits, metrics).
struct task_progress {
  mutable std::mutex mu;
  bool has = false;                            // anything to commit
  std::map<std::string, int64_t> offsets;      // broker topic -> next offset, outputs acknowledged
  std::map<std::string, int64_t> checkpoints;  // store -> its changelog's next offset then
  task_metrics metrics;
  latency_histogram latency;
  std::atomic<int64_t> queued{0};             // records handed to the actor and not processed yet
  std::atomic<bool> settled{true};            // every processed record's outputs are acknowledged
  std::atomic<bool> commit_requested{false};  // a processor called context.commit()
};

class task_runner : public detail::record_collector {
 public:
  task_runner(task_id id, const detail::topology_impl& topo, const detail::subtopology& sub,
              const streams_config& cfg, client::producer& producer, urgency u,
              std::shared_ptr<task_progress> progress);
  ~task_runner() override;

  detail::task_context& task() { return *task_; }
  const std::shared_ptr<task_progress>& progress() const { return progress_; }
  /// Keys whose changelog entries came after the committed checkpoint: written again once the
  /// actor runs, so the changelog's latest value of each is the restored one.
  void reassert_later(detail::store_instance* s, std::string key);

  /// In the task actor, before anything else.
  void bind(caf::actor self);
  /// Processes one input record (applying the deserialization handler to bad bytes).
  void run(const detail::raw_record& r);
  void on_ack(const task_ack& a);
  void punctuate(int64_t now_ms);
  void send(detail::out_record r, uint32_t channel) override;

 private:
  // The point after one input record: committable once every send before `seq_end` is done.
  struct mark {
    uint64_t seq_end;
    std::map<std::string, int64_t> offsets;
    int64_t event_time;
  };
  void release_marks();

  const streams_config& cfg_;
  client::producer& producer_;
  urgency urgency_;
  std::shared_ptr<task_progress> progress_;
  std::unique_ptr<detail::task_context> task_;
  caf::actor self_;
  std::vector<std::pair<detail::store_instance*, std::string>> reassert_;
  uint64_t next_seq_ = 0;
  std::set<uint64_t> unacked_;
  std::map<uint32_t, std::map<uint64_t, int64_t>> changelog_acks_;  // channel -> seq -> offset
  std::deque<mark> marks_;
};

}  // namespace brook::streams::run
