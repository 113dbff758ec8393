#include "actors/streams/detail/task.hpp"

#include <algorithm>
#include <stdexcept>

#include "actors/streams/detail/topology_impl.hpp"
#include "actors/streams/processor.hpp"

namespace brook::streams::detail {

task_context::task_context(task_id id, const topology_impl& topo, const subtopology& sub,
                           task_env env)
    : id_(id), topo_(topo), sub_(sub), env_(std::move(env)) {
  if (!env_.wall_clock_ms) throw topology_error("task needs a wall clock");
  // Stores first: processors reach them in init().
  uint32_t channel = 1;
  for (const auto& name : sub_.stores) {
    const auto& def = topo_.stores().at(name);
    std::unique_ptr<bytes_store> inner =
        def.persistent ? make_rocksdb_store(env_.state_dir + "/" + env_.application_id + "/" +
                                            id_.to_string() + "/" + name)
                       : make_memory_store();
    auto s = std::make_unique<store_instance>(def, *this, std::move(inner),
                                              topo_.changelog_topic(env_.application_id, def));
    s->channel = channel++;
    stores_.emplace(name, std::move(s));
  }
  for (const auto& name : sub_.nodes) {
    const auto& def = topo_.node(name);
    auto n = def.make();
    n->def_ = &def;
    if (def.kind == node_kind::source)
      for (const auto& t : def.topics) source_by_topic_[resolve(t)] = n.get();
    nodes_.emplace(name, std::move(n));
  }
  for (const auto& name : sub_.nodes) {
    auto& n = *nodes_.at(name);
    for (const auto& child : n.def().children) n.children_.push_back(nodes_.at(child)->input());
  }
  for (const auto& name : sub_.nodes) nodes_.at(name)->init(*this);
}

task_context::~task_context() = default;

std::string task_context::resolve(const std::string& topic) const {
  return topo_.resolve(env_.application_id, topic);
}

void task_context::process(const raw_record& r) {
  auto it = source_by_topic_.find(r.topic);
  if (it == source_by_topic_.end())
    throw topology_error("task " + id_.to_string() + " reads no topic '" + r.topic + "'");
  current_ = record_metadata{r.topic, r.partition, r.offset};
  stream_time_ = std::max(stream_time_, r.timestamp);
  it->second->push_raw(r);
  processed_[r.topic] = r.offset + 1;
  run_punctuators(true, stream_time_);
}

void task_context::punctuate_wall_clock(int64_t now_ms) {
  run_punctuators(false, now_ms);
}

void task_context::run_punctuators(bool stream_time, int64_t now) {
  if (punctuating_ || now < 0) return;
  punctuating_ = true;
  auto saved = current_;
  current_ = record_metadata{};
  // By index: a punctuator may schedule another.
  for (size_t i = 0; i < punctuators_.size(); ++i) {
    auto& p = punctuators_[i];
    if (p.stream_time != stream_time || *p.cancelled) continue;
    if (p.next < 0) {
      p.next = now + p.interval.count();
      continue;
    }
    if (now < p.next) continue;
    p.next = now + p.interval.count();
    auto fn = p.fn;  // the vector may grow while it runs
    fn(now);
  }
  punctuators_.erase(std::remove_if(punctuators_.begin(), punctuators_.end(),
                                    [](const punctuator& p) { return *p.cancelled; }),
                     punctuators_.end());
  current_ = saved;
  punctuating_ = false;
}

void task_context::close() {
  for (const auto& name : sub_.nodes) nodes_.at(name)->close();
  for (auto& [name, s] : stores_) s->inner().flush();
}

store_instance& task_context::store(const std::string& name, const node_instance& node,
                                    std::type_index view) {
  const auto& allowed = node.def().stores;
  if (std::find(allowed.begin(), allowed.end(), name) == allowed.end())
    throw topology_error("processor '" + node.def().name + "' is not connected to store '" + name +
                         "'");
  auto& s = *stores_.at(name);
  if (s.def().view_type != view)
    throw topology_error("store '" + name + "' is a " + s.def().view_name +
                         " of other types than asked for by '" + node.def().name + "'");
  return s;
}

std::vector<store_instance*> task_context::stores() {
  std::vector<store_instance*> out;
  for (auto& [name, s] : stores_) out.push_back(s.get());
  return out;
}

store_instance* task_context::find_store(const std::string& name) {
  auto it = stores_.find(name);
  return it == stores_.end() ? nullptr : it->second.get();
}

std::shared_ptr<bool> task_context::schedule(std::chrono::milliseconds interval, bool stream_time,
                                             std::function<void(int64_t)> fn) {
  if (interval.count() < 1) throw topology_error("a punctuation interval must be at least 1 ms");
  auto cancelled = std::make_shared<bool>(false);
  // Wall-clock time is known now; stream time only with the first record after this.
  int64_t next = stream_time ? -1 : env_.wall_clock_ms() + interval.count();
  punctuators_.push_back(punctuator{interval, stream_time, next, std::move(fn), cancelled});
  return cancelled;
}

void task_context::send(out_record r, uint32_t channel) {
  if (channel == output_channel) ++outputs_in_flight_;
  env_.collector->send(std::move(r), channel);
}

void task_context::acknowledged(uint32_t channel, int64_t offset, const std::string& error) {
  if (!error.empty())
    throw std::runtime_error("task " + id_.to_string() + ": a write failed: " + error);
  if (channel == output_channel) {
    --outputs_in_flight_;
    return;
  }
  for (auto& [name, s] : stores_)
    if (s->channel == channel) return s->acknowledged(offset);
}

int64_t task_context::unacknowledged() const {
  int64_t n = outputs_in_flight_;
  for (const auto& [name, s] : stores_) n += s->unacknowledged();
  return n;
}

// The processor_context's reach into its task.
void* state_store_of(const node_instance& n, const std::string& name, std::type_index view) {
  return n.task().store(name, n, view).view();
}
std::shared_ptr<bool> schedule_on(const node_instance& n, std::chrono::milliseconds interval,
                                  bool stream_time, std::function<void(int64_t)> fn) {
  return n.task().schedule(interval, stream_time, std::move(fn));
}
const record_metadata& metadata_of(const node_instance& n) {
  return n.task().current();
}
int64_t stream_time_of(const node_instance& n) {
  return n.task().stream_time();
}
int64_t wall_clock_of(const node_instance& n) {
  return n.task().wall_clock_ms();
}
task_id task_of(const node_instance& n) {
  return n.task().id();
}
const std::string& application_id_of(const node_instance& n) {
  return n.task().application_id();
}
void request_commit_of(const node_instance& n) {
  n.task().request_commit(true);
}
std::string resolve_topic(const node_instance& n, const std::string& topic) {
  return n.task().resolve(topic);
}

}  // namespace brook::streams::detail
