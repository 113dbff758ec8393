#include "actors/streams/run/stream_thread.hpp"

#include <caf/actor_system.hpp>
#include <caf/event_based_actor.hpp>
#include <caf/scoped_actor.hpp>
#include <caf/send.hpp>

#include "actors/client/consumer.hpp"
#include "actors/client/producer.hpp"
#include "actors/streams/detail/topology_impl.hpp"
#include "actors/streams/run/messages.hpp"
#include "actors/streams/run/restore.hpp"
#include "actors/streams/run/task_runner.hpp"
#include "runtime/clock.hpp"
#include "runtime/log.hpp"

namespace brook::streams::run {

using client::topic_partition;
using std::chrono::milliseconds;

namespace {

constexpr milliseconds punctuate_every{50};
constexpr size_t max_buffered = 50000;  // records fetched and not handed out: stop fetching
// Records per batch handed to a not-so-urgent or flexible task; a task holds at most two, so it
// never waits for the thread to come round.
constexpr size_t normal_batch = 1000, flexible_batch = 10000;

std::string tag(const streams_config& cfg) {
  return "[Streams " + cfg.application_id + "] ";
}

// The task actor: runs its task's records, takes the acknowledgements of its sends, punctuates.
// A handler that throws ends the actor with the exception's text; its stream thread restarts it.
caf::behavior task_actor(caf::event_based_actor* self, std::shared_ptr<task_runner> r,
                         std::shared_ptr<std::atomic<int64_t>> class_queued) {
  // Capturing nothing: the handler outlives the behaviour, and the runner holds the actor.
  self->set_exception_handler([](caf::scheduled_actor*, std::exception_ptr& e) -> caf::error {
    try {
      std::rethrow_exception(e);
    } catch (const std::exception& x) {
      return caf::make_error(caf::sec::runtime_error, std::string(x.what()));
    } catch (...) {
      return caf::make_error(caf::sec::runtime_error, "unknown exception");
    }
  });
  r->bind(caf::actor_cast<caf::actor>(self));
  self->delayed_send(self, punctuate_every, punctuate_atom_v);
  return {
      [r, class_queued](task_input& in) {
        for (const auto& rec : in.records) r->run(rec);
        auto n = int64_t(in.records.size());
        r->progress()->queued -= n;
        if (class_queued) *class_queued -= n;
      },
      [r](task_ack& a) { r->on_ack(a); },
      [self, r](punctuate_atom) {
        r->punctuate(runtime::wall_ms());
        self->delayed_send(self, punctuate_every, punctuate_atom_v);
      },
  };
}

detail::raw_record to_raw(client::consumer_record&& c) {
  detail::raw_record r;
  r.topic = std::move(c.topic);
  r.partition = c.partition;
  r.offset = c.rec.offset;
  r.timestamp = c.rec.timestamp;
  r.key = std::move(c.rec.key);
  r.value = std::move(c.rec.value);
  for (auto& h : c.rec.headers) r.headers.push_back({std::move(h.key), std::move(h.value)});
  return r;
}

}  // namespace

struct stream_thread::running {
  task_id id;
  const sub_run* sub = nullptr;
  std::vector<topic_partition> tps;
  std::shared_ptr<task_progress> progress;
  caf::actor actor;  // none while it waits for a restart
  uint64_t incarnation = 0;
  std::deque<detail::raw_record> buffer;
  int64_t restarts = 0;
  runtime::restart_backoff backoff{runtime::restart_policy{10, milliseconds(60000), false,
                                                           milliseconds(200), milliseconds(5000)}};
  int64_t restart_at_ms = -1;  // steady clock; >= 0: (re)start then
  int64_t last_dispatch_ms = 0;
  std::map<topic_partition, int64_t> committed;  // what this instance last committed
};

stream_thread::stream_thread(app_shared& app, urgency_class cls, std::vector<sub_run> subs,
                             caf::actor_system& sys)
    : app_(app), cls_(cls), subs_(std::move(subs)), sys_(sys) {}

stream_thread::~stream_thread() {
  stop(milliseconds(0));
}

runtime::status stream_thread::start() {
  const auto& cfg = app_.cfg;
  auto cc = client::consumer_config::from_properties(cfg.consumer_overrides);
  if (!cc) return cc.error();
  cc->bootstrap_servers = cfg.bootstrap_servers;
  cc->group_id = cfg.application_id;
  cc->enable_auto_commit = false;
  cc->auto_offset_reset = "earliest";
  cc->client_id = cfg.client_id + "-" + name_of(cls_);
  if (!cfg.consumer_overrides.count("max.poll.records"))
    cc->max_poll_records = cls_ == urgency_class::flexible ? 10000 : 1000;
  auto consumer = client::consumer::create(std::move(*cc));
  if (!consumer) return consumer.error();
  consumer_ = std::move(*consumer);

  auto pc = client::producer_config::from_properties(cfg.producer_overrides);
  if (!pc) return pc.error();
  pc->bootstrap_servers = cfg.bootstrap_servers;
  if (!cfg.producer_overrides.count("acks")) pc->acks = -1;  // at-least-once needs acks=all
  if (!cfg.producer_overrides.count("linger.ms"))
    pc->linger_ms = cls_ == urgency_class::urgent ? 0 : cls_ == urgency_class::flexible ? 100 : 5;
  auto producer = client::producer::create(std::move(*pc));
  if (!producer) return producer.error();
  producer_ = std::move(*producer);

  std::vector<std::string> topics;
  for (const auto& s : subs_) topics.insert(topics.end(), s.topics.begin(), s.topics.end());
  if (auto st = consumer_->subscribe(topics); !st) return st;
  last_commit_ms_ = runtime::steady_ms();
  thread_ = std::thread([this] { loop(); });
  return {};
}

const stream_thread::sub_run* stream_thread::sub_of_topic(const std::string& topic) const {
  for (const auto& s : subs_)
    for (const auto& t : s.topics)
      if (t == topic) return &s;
  return nullptr;
}

void stream_thread::loop() {
  const milliseconds poll_wait(cls_ == urgency_class::urgent ? 20 : 100);
  int64_t last_error_log = 0;
  while (!stopping_) {
    std::vector<detail::raw_record> records;
    size_t buffered = 0;
    {
      std::lock_guard<std::mutex> g(mu_);
      std::set<topic_partition> sought;  // before the poll: what it returns is from there
      handle_exits(sought);
      for (const auto& [id, t] : tasks_) buffered += t->buffer.size();
    }
    if (buffered < max_buffered) {
      // Records waiting for a task: come back soon to hand them out.
      auto polled = consumer_->poll(buffered ? milliseconds(1) : poll_wait);
      if (!polled) {
        if (runtime::steady_ms() - last_error_log > 5000) {
          BROOK_LOG_WARN(tag(app_.cfg) << name_of(cls_) << " poll: " << polled.error().to_string());
          last_error_log = runtime::steady_ms();
        }
        std::this_thread::sleep_for(milliseconds(100));
      } else {
        records.reserve(polled->size());
        for (auto& c : *polled) records.push_back(to_raw(std::move(c)));
      }
    } else {
      std::this_thread::sleep_for(milliseconds(1));
    }
    std::lock_guard<std::mutex> g(mu_);
    std::set<topic_partition> fresh;  // positions just set: the records polled before are stale
    sync_assignment(fresh);
    route(records, fresh);
    dispatch();
    commit_due();
  }

  // Closing: every task finishes what it was given, its writes are acknowledged, it commits.
  auto deadline = runtime::steady_ms() + stop_timeout_ms_;
  std::lock_guard<std::mutex> g(mu_);
  for (auto& [id, t] : tasks_) stop_task(*t, deadline);
  tasks_.clear();
  consumer_->close();
}

void stream_thread::stop(milliseconds timeout) {
  if (!thread_.joinable()) return;
  stop_timeout_ms_ = timeout.count();
  stopping_ = true;
  thread_.join();
  producer_.reset();
  consumer_.reset();
}

void stream_thread::sync_assignment(std::set<topic_partition>& fresh) {
  auto now = consumer_->assignment();
  std::set<topic_partition> current(now.begin(), now.end());
  auto generation = consumer_->assignments();
  if (current == assigned_ && generation == assignments_seen_) return;
  // A new assignment puts the consumer back at the committed offsets of every partition, also of
  // those it keeps (a rebalance, a coordinator that moved).
  bool rewound = generation != assignments_seen_;
  assigned_ = current;
  assignments_seen_ = generation;
  std::map<task_id, std::vector<topic_partition>> wanted;
  std::map<task_id, const sub_run*> sub_for;
  for (const auto& tp : current)
    if (const auto* s = sub_of_topic(tp.topic)) {
      task_id id{s->sub->id, tp.partition};
      wanted[id].push_back(tp);
      sub_for[id] = s;
    }
  for (auto it = tasks_.begin(); it != tasks_.end();) {
    if (wanted.count(it->first)) {
      ++it;
      continue;
    }
    BROOK_LOG_INFO(tag(app_.cfg) << "task " << it->first.to_string() << " moves away");
    stop_task(*it->second, runtime::steady_ms() + 5000);
    it = tasks_.erase(it);
  }
  for (auto& [id, tps] : wanted) {
    auto& slot = tasks_[id];
    if (slot) {
      slot->tps = tps;
      // A task that stays starts again from its last commit as well: it commits what it has
      // done, then restarts from that commit (its stores at that commit's checkpoint), so no
      // record reaches its stores twice.
      if (rewound) {
        stop_task(*slot, runtime::steady_ms() + 5000);
        start_task(*slot, fresh);
      }
      continue;
    }
    slot = std::make_unique<running>();
    slot->id = id;
    slot->sub = sub_for[id];
    slot->tps = tps;
    start_task(*slot, fresh);
  }
}

void stream_thread::start_task(running& t, std::set<topic_partition>& fresh) {
  const auto& cfg = app_.cfg;
  t.restart_at_ms = -1;
  auto retry = [&](const std::string& why) {
    BROOK_LOG_WARN(tag(cfg) << "task " << t.id.to_string() << " cannot start: " << why
                            << "; trying again in 1 s");
    t.restart_at_ms = runtime::steady_ms() + 1000;
  };
  auto committed = consumer_->committed(t.tps);
  if (!committed) return retry(committed.error().to_string());
  std::map<std::string, int64_t> offsets, checkpoints;
  for (const auto& [tp, om] : *committed) {
    offsets[tp.topic] = om.offset;
    if (checkpoints.empty() && !om.metadata.empty()) checkpoints = decode_checkpoints(om.metadata);
  }
  auto progress = std::make_shared<task_progress>();
  auto& m = progress->metrics;
  m.id = t.id;
  m.urgency = cls_;
  m.deadline = deadline_of(t.sub->urg);
  m.restarts = t.restarts;
  for (const auto& tp : t.tps)
    m.partitions.push_back(tp.topic + "-" + std::to_string(tp.partition));
  std::shared_ptr<task_runner> runner;
  try {
    runner = std::make_shared<task_runner>(t.id, app_.topo, *t.sub->sub, cfg, *producer_,
                                           t.sub->urg, progress);
  } catch (const std::exception& e) {
    return retry(e.what());
  }
  auto restored = restore_stores(*runner, cfg, checkpoints, offsets);
  if (!restored) return retry(restored.error().to_string());
  progress->checkpoints = *restored;
  for (const auto& tp : t.tps) {
    auto off = offsets[tp.topic];
    auto st = off >= 0 ? consumer_->seek(tp, off) : consumer_->seek_to_beginning({tp});
    if (!st) return retry(st.to_string());
    fresh.insert(tp);
    if (off >= 0) t.committed[tp] = off;
  }
  t.buffer.clear();
  t.progress = progress;
  t.incarnation = ++next_incarnation_;
  auto queued = cls_ == urgency_class::urgent ? app_.urgent_queued : nullptr;
  t.actor = cls_ == urgency_class::urgent ? sys_.spawn<caf::detached>(task_actor, runner, queued)
                                          : sys_.spawn(task_actor, runner, queued);
  auto id = t.id;
  auto inc = t.incarnation;
  caf::actor_cast<caf::abstract_actor*>(t.actor)->attach_functor(
      [this, id, inc](const caf::error& reason) { on_exit(id, inc, caf::to_string(reason)); });
  BROOK_LOG_INFO(tag(cfg) << "task " << t.id.to_string() << " (" << name_of(cls_) << ") runs "
                          << m.partitions.size() << " partition(s)"
                          << (t.restarts ? ", restart " + std::to_string(t.restarts) : ""));
}

void stream_thread::stop_task(running& t, int64_t deadline_ms) {
  if (!t.actor) return;
  // What it was given is done and written before it goes (until the deadline), so the next
  // owner's restore sees every changelog write it made.
  while (runtime::steady_ms() < deadline_ms && !(t.progress->queued == 0 && t.progress->settled))
    std::this_thread::sleep_for(milliseconds(2));
  producer_->flush(milliseconds(std::max<int64_t>(0, deadline_ms - runtime::steady_ms())));
  while (runtime::steady_ms() < deadline_ms && !t.progress->settled)
    std::this_thread::sleep_for(milliseconds(2));
  commit_tasks({&t}, true);
  if (cls_ == urgency_class::urgent) *app_.urgent_queued -= t.progress->queued.exchange(0);
  auto a = t.actor;
  t.actor = nullptr;  // its exit is ours, not a crash
  caf::anon_send_exit(a, caf::exit_reason::user_shutdown);
  caf::scoped_actor self{sys_};
  self->wait_for(a);  // its stores are closed before another task may open them
}

void stream_thread::on_exit(const task_id& id, uint64_t incarnation, std::string reason) {
  std::lock_guard<std::mutex> g(exits_mu_);
  exits_.emplace_back(id, incarnation, std::move(reason));
}

void stream_thread::handle_exits(std::set<topic_partition>& fresh) {
  std::vector<std::tuple<task_id, uint64_t, std::string>> exits;
  {
    std::lock_guard<std::mutex> g(exits_mu_);
    exits.swap(exits_);
  }
  auto now = runtime::steady_ms();
  for (auto& [id, inc, reason] : exits) {
    auto it = tasks_.find(id);
    if (it == tasks_.end() || it->second->incarnation != inc || !it->second->actor) continue;
    auto& t = *it->second;
    t.actor = nullptr;
    // Its sends still in flight land before the restore reads the changelogs' ends.
    producer_->flush(milliseconds(5000));
    commit_tasks({&t}, true);  // what it finished is kept; it restarts from there
    auto lost = t.progress->queued.exchange(0);
    if (cls_ == urgency_class::urgent) *app_.urgent_queued -= lost;
    t.buffer.clear();
    ++t.restarts;
    auto delay = t.backoff.on_crash(std::chrono::steady_clock::now());
    if (!delay) {
      BROOK_LOG_ERROR(tag(app_.cfg)
                      << "task " << id.to_string() << " crashed: " << reason << "; it crashed "
                      << t.backoff.crashes() << " times within a minute: giving up on it");
      app_.failed = true;
      continue;
    }
    BROOK_LOG_ERROR(tag(app_.cfg) << "task " << id.to_string() << " crashed: " << reason
                                  << "; restarting it from its last commit in " << delay->count()
                                  << " ms");
    t.restart_at_ms = now + delay->count();
  }
  for (auto& [id, t] : tasks_)
    if (!t->actor && t->restart_at_ms >= 0 && t->restart_at_ms <= now) start_task(*t, fresh);
}

void stream_thread::route(std::vector<detail::raw_record>& records,
                          const std::set<topic_partition>& fresh) {
  for (auto& r : records) {
    if (fresh.count({r.topic, r.partition})) continue;
    const auto* s = sub_of_topic(r.topic);
    if (!s) continue;
    auto it = tasks_.find(task_id{s->sub->id, r.partition});
    if (it == tasks_.end() || !it->second->actor) continue;  // fetched again when it starts
    it->second->buffer.push_back(std::move(r));
  }
}

void stream_thread::dispatch() {
  auto now = runtime::wall_ms();
  auto hand_over = [&](running& t, size_t max) {
    auto n = std::min(max, t.buffer.size());
    task_input in;
    in.records.reserve(n);
    for (size_t i = 0; i < n; ++i) {
      in.records.push_back(std::move(t.buffer.front()));
      t.buffer.pop_front();
    }
    t.progress->queued += int64_t(n);
    if (cls_ == urgency_class::urgent) *app_.urgent_queued += int64_t(n);
    t.last_dispatch_ms = now;
    caf::anon_send(t.actor, std::move(in));
  };
  if (cls_ == urgency_class::urgent) {
    for (auto& [id, t] : tasks_)
      if (t->actor && !t->buffer.empty()) hand_over(*t, t->buffer.size());
    return;
  }
  // At most two batches per task, the task whose oldest record is due first going first.
  size_t batch = cls_ == urgency_class::flexible ? flexible_batch : normal_batch;
  std::vector<std::pair<int64_t, running*>> ready;
  for (auto& [id, t] : tasks_)
    if (t->actor && !t->buffer.empty() && t->progress->queued < int64_t(batch))
      ready.emplace_back(t->buffer.front().timestamp + deadline_of(t->sub->urg).count(), t.get());
  std::sort(ready.begin(), ready.end(),
            [](const auto& a, const auto& b) { return a.first < b.first; });
  bool urgent_waiting = *app_.urgent_queued > 0;
  for (auto& [due, t] : ready) {
    if (cls_ == urgency_class::flexible) {
      // Deferred while urgent records wait, unless half its deadline has passed or it has had no
      // turn for 200 ms (its minimum share).
      auto half = deadline_of(t->sub->urg).count() / 2;
      if (urgent_waiting && now < due - half && now - t->last_dispatch_ms < 200) continue;
    }
    hand_over(*t, batch);
  }
}

void stream_thread::commit_due() {
  auto now = runtime::steady_ms();
  bool asked = false;
  for (auto& [id, t] : tasks_)
    if (t->progress && t->progress->commit_requested.exchange(false)) asked = true;
  if (!asked && now - last_commit_ms_ < app_.cfg.commit_interval_ms) return;
  last_commit_ms_ = now;
  std::vector<running*> all;
  for (auto& [id, t] : tasks_) all.push_back(t.get());
  commit_tasks(all, false);
}

void stream_thread::commit_tasks(const std::vector<running*>& tasks, bool force) {
  std::map<topic_partition, client::offset_and_metadata> offsets;
  std::vector<std::pair<running*, topic_partition>> sent;
  for (auto* t : tasks) {
    if (!t->progress) continue;
    std::lock_guard<std::mutex> g(t->progress->mu);
    if (!t->progress->has) continue;
    auto meta = encode_checkpoints(t->progress->checkpoints);
    for (const auto& [topic, off] : t->progress->offsets) {
      topic_partition tp{topic, t->id.partition};
      auto it = t->committed.find(tp);
      if (!force && it != t->committed.end() && it->second == off) continue;
      offsets[tp] = {off, meta};
      sent.emplace_back(t, tp);
    }
  }
  if (offsets.empty()) return;
  if (auto st = consumer_->commit_sync(offsets); !st) {
    BROOK_LOG_WARN(tag(app_.cfg) << "commit failed (kept for the next one): " << st.to_string());
    return;
  }
  for (auto& [t, tp] : sent) t->committed[tp] = offsets[tp].offset;
}

std::vector<task_metrics> stream_thread::metrics() const {
  std::vector<task_metrics> out;
  std::lock_guard<std::mutex> g(mu_);
  for (const auto& [id, t] : tasks_) {
    if (!t->progress) continue;
    std::lock_guard<std::mutex> pg(t->progress->mu);
    auto m = t->progress->metrics;
    const auto& h = t->progress->latency;
    m.latency_p50_us = h.percentile(0.5);
    m.latency_p99_us = h.percentile(0.99);
    m.latency_p999_us = h.percentile(0.999);
    m.latency_max_us = h.max();
    m.queued = int64_t(t->buffer.size()) + t->progress->queued;
    m.restarts = t->restarts;
    out.push_back(std::move(m));
  }
  return out;
}

bool stream_thread::kill(const task_id& id) {
  std::lock_guard<std::mutex> g(mu_);
  auto it = tasks_.find(id);
  if (it == tasks_.end() || !it->second->actor) return false;
  caf::anon_send_exit(it->second->actor, caf::exit_reason::kill);
  return true;
}

}  // namespace brook::streams::run
