#include "actors/streams/test_driver.hpp"

#include <set>
#include <stdexcept>

#include "actors/streams/detail/bad_records.hpp"

namespace brook::streams {

using detail::raw_record;

struct topology_test_driver::impl : detail::record_collector {
  impl(const topology& t, streams_config c) : owner(t), topo(owner.impl()), cfg(std::move(c)) {}

  topology owner;  // shares the definition, so a temporary topology may be passed
  const detail::topology_impl& topo;
  streams_config cfg;
  std::vector<std::unique_ptr<detail::task_context>> tasks;
  std::map<std::string, detail::task_context*> reader;  // broker topic name -> the task reading it
  std::map<std::string, std::deque<raw_record>> topics;
  std::map<std::string, int64_t> next_offset;
  std::deque<std::pair<raw_record, detail::task_context*>> pending;
  detail::task_context* current = nullptr;
  bool draining = false;

  void send(detail::out_record o, uint32_t channel) override {
    raw_record r;
    r.topic = o.topic;
    r.partition = 0;
    r.offset = next_offset[o.topic]++;
    r.timestamp = o.timestamp;
    r.key = std::move(o.key);
    r.value = std::move(o.value);
    r.headers = std::move(o.headers);
    current->acknowledged(channel, r.offset, "");
    auto it = reader.find(r.topic);
    if (it != reader.end()) {
      pending.emplace_back(std::move(r), it->second);
    } else {
      topics[r.topic].push_back(std::move(r));
    }
  }

  void run(detail::task_context& t, const raw_record& r) {
    auto* saved = current;
    current = &t;
    try {
      t.process(r);
    } catch (const deserialization_error& e) {
      detail::handle_bad_record(t, e, cfg);
    }
    current = saved;
  }

  // Processes records written to topics the topology reads, in the order they were written.
  void drain() {
    if (draining) return;
    draining = true;
    while (!pending.empty()) {
      auto [r, t] = std::move(pending.front());
      pending.pop_front();
      run(*t, r);
    }
    draining = false;
  }
};

topology_test_driver::topology_test_driver(const topology& t, runtime::properties config,
                                           int64_t initial_wall_clock_ms)
    : now_(initial_wall_clock_ms) {
  if (!config.count("application.id")) config["application.id"] = "test-driver";
  auto cfg = streams_config::from_properties(config);
  if (!cfg) throw std::invalid_argument(cfg.error().to_string());
  impl_ = std::make_unique<impl>(t, std::move(*cfg));
  const auto& topo = impl_->topo;
  for (const auto& sub : topo.subtopologies()) {
    detail::task_env env{impl_->cfg.application_id, impl_->cfg.state_dir, impl_.get(),
                         [this] { return now_; }};
    impl_->current = nullptr;
    auto task = std::make_unique<detail::task_context>(task_id{sub.id, 0}, topo, sub, env);
    for (const auto& topic : sub.source_topics)
      impl_->reader[topo.resolve(impl_->cfg.application_id, topic)] = task.get();
    impl_->tasks.push_back(std::move(task));
  }
}

topology_test_driver::~topology_test_driver() {
  for (auto& t : impl_->tasks) t->close();
}

const streams_config& topology_test_driver::config() const {
  return impl_->cfg;
}

void topology_test_driver::pipe(raw_record r) {
  auto it = impl_->reader.find(r.topic);
  if (it == impl_->reader.end())
    throw std::invalid_argument("the topology reads no topic '" + r.topic + "'");
  r.partition = 0;
  r.offset = impl_->next_offset[r.topic]++;
  impl_->pending.emplace_back(std::move(r), it->second);
  impl_->drain();
}

void topology_test_driver::advance_wall_clock(std::chrono::milliseconds d) {
  now_ += d.count();
  for (auto& t : impl_->tasks) {
    impl_->current = t.get();
    t->punctuate_wall_clock(now_);
    impl_->drain();
  }
  impl_->current = nullptr;
}

std::optional<raw_record> topology_test_driver::take(const std::string& topic) {
  auto& q = impl_->topics[topic];
  if (q.empty()) return std::nullopt;
  auto r = std::move(q.front());
  q.pop_front();
  return r;
}

size_t topology_test_driver::count(const std::string& topic) const {
  auto it = impl_->topics.find(topic);
  return it == impl_->topics.end() ? 0 : it->second.size();
}

const std::deque<raw_record>& topology_test_driver::records(const std::string& topic) {
  return impl_->topics[topic];
}

void* topology_test_driver::find_store(const std::string& name, std::type_index view) {
  for (auto& t : impl_->tasks)
    if (auto* s = t->find_store(name)) {
      if (s->def().view_type != view)
        throw topology_error("store '" + name + "' has other types than asked for");
      return s->view();
    }
  throw topology_error("no store called '" + name + "'");
}

}  // namespace brook::streams
