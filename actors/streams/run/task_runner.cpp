#include "actors/streams/run/task_runner.hpp"

#include <caf/send.hpp>
#include <stdexcept>

#include "actors/client/producer.hpp"
#include "actors/streams/detail/bad_records.hpp"
#include "actors/streams/run/messages.hpp"
#include "runtime/clock.hpp"

namespace brook::streams::run {

task_runner::task_runner(task_id id, const detail::topology_impl& topo,
                         const detail::subtopology& sub, const streams_config& cfg,
                         client::producer& producer, urgency u,
                         std::shared_ptr<task_progress> progress)
    : cfg_(cfg), producer_(producer), urgency_(u), progress_(std::move(progress)) {
  detail::task_env env{cfg.application_id, cfg.state_dir, this, [] { return runtime::wall_ms(); }};
  task_ = std::make_unique<detail::task_context>(id, topo, sub, std::move(env));
}

task_runner::~task_runner() {
  if (task_) task_->close();
}

void task_runner::reassert_later(detail::store_instance* s, std::string key) {
  reassert_.emplace_back(s, std::move(key));
}

void task_runner::bind(caf::actor self) {
  self_ = std::move(self);
  for (auto& [store, key] : reassert_) {
    if (auto v = store->get(key)) {
      store->put(key, *v);
    } else {
      store->remove(key);
    }
  }
  reassert_.clear();
}

void task_runner::run(const detail::raw_record& r) {
  try {
    task_->process(r);
  } catch (const deserialization_error& e) {
    detail::handle_bad_record(*task_, e, cfg_);
  }
  marks_.push_back(mark{next_seq_, task_->processed_offsets(), r.timestamp});
  progress_->settled = false;
  if (task_->commit_requested()) {
    task_->request_commit(false);
    progress_->commit_requested = true;
  }
  release_marks();
}

void task_runner::punctuate(int64_t now_ms) {
  task_->punctuate_wall_clock(now_ms);
  release_marks();
}

void task_runner::send(detail::out_record r, uint32_t channel) {
  if (!self_) throw std::logic_error("task " + task_->id().to_string() + " sent before it ran");
  uint64_t seq = next_seq_++;
  unacked_.insert(seq);
  client::producer_record pr;
  pr.topic = std::move(r.topic);
  pr.partition = r.partition;
  pr.key = std::move(r.key);
  pr.value = std::move(r.value);
  pr.timestamp = r.timestamp;
  for (auto& h : r.headers) pr.headers.push_back({std::move(h.key), std::move(h.value)});
  auto self = self_;
  auto st = producer_.send(std::move(pr), [self, seq, channel](const client::delivery_report& d) {
    caf::anon_send(self, task_ack{seq, channel, d.offset, d.error ? "" : d.error.to_string()});
  });
  if (!st) throw std::runtime_error("task " + task_->id().to_string() + ": " + st.to_string());
}

void task_runner::on_ack(const task_ack& a) {
  unacked_.erase(a.seq);
  if (a.channel != detail::task_context::output_channel && a.error.empty())
    changelog_acks_[a.channel][a.seq] = a.offset;
  task_->acknowledged(a.channel, a.offset, a.error);  // throws for a failed write
  release_marks();
}

void task_runner::release_marks() {
  uint64_t low = unacked_.empty() ? next_seq_ : *unacked_.begin();
  if (marks_.empty() || marks_.front().seq_end > low) return;
  auto now_us = runtime::wall_ms() * 1000;
  auto deadline_us = int64_t(deadline_of(urgency_).count()) * 1000;
  std::lock_guard<std::mutex> g(progress_->mu);
  auto& m = progress_->metrics;
  uint64_t seq_end = 0;
  while (!marks_.empty() && marks_.front().seq_end <= low) {
    auto& front = marks_.front();
    int64_t latency = std::max<int64_t>(0, now_us - front.event_time * 1000);
    progress_->latency.add(latency);
    if (latency > deadline_us) {
      ++m.late;
      m.lateness_max_ms = std::max(m.lateness_max_ms, (latency - deadline_us) / 1000);
    }
    ++m.processed;
    seq_end = front.seq_end;
    progress_->offsets = std::move(front.offsets);
    marks_.pop_front();
  }
  progress_->has = true;
  progress_->settled = marks_.empty();
  // Each store's checkpoint: after its last changelog write that came before the released point.
  for (auto* s : task_->stores()) {
    auto& acks = changelog_acks_[s->channel];
    auto it = acks.lower_bound(seq_end);
    if (it == acks.begin()) continue;
    --it;
    progress_->checkpoints[s->def().name] = it->second + 1;
    acks.erase(acks.begin(), it);
  }
}

}  // namespace brook::streams::run
