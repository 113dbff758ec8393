#pragma once
// The Processor API, as in Kafka Streams: a processor gets each record of its input with a
// context through which it forwards records downstream, schedules punctuations and reaches the
// state stores connected to it. One processor object exists per task (per input partition); a
// task runs one record at a time, so a processor needs no locks.
//
//   class alerter : public brook::streams::processor<std::string, double, std::string, std::string>
//   {
//    public:
//     void init(context_type& ctx) override {
//       ctx.schedule(std::chrono::seconds(1), punctuation_type::wall_clock, [&](int64_t now)
//       {...});
//     }
//     void process(const record<std::string, double>& r, context_type& ctx) override {
//       if (r.value > 90.0) ctx.forward(r.with_value(std::string("HIGH")));
//     }
//   };
#include <chrono>
#include <functional>
#include <memory>
#include <string>
#include <typeindex>

#include "actors/streams/detail/graph.hpp"

namespace brook::streams {

enum class punctuation_type { stream_time, wall_clock };

/// A scheduled punctuation; cancel() stops it.
class cancellable {
 public:
  cancellable() = default;
  explicit cancellable(std::shared_ptr<bool> flag) : cancelled_(std::move(flag)) {}
  void cancel() {
    if (cancelled_) *cancelled_ = true;
  }

 private:
  std::shared_ptr<bool> cancelled_;
};

namespace detail {
// Defined in task.cpp; the templates below are thin.
void* state_store_of(const node_instance& n, const std::string& name, std::type_index view);
std::shared_ptr<bool> schedule_on(const node_instance& n, std::chrono::milliseconds interval,
                                  bool stream_time, std::function<void(int64_t)> fn);
const record_metadata& metadata_of(const node_instance& n);
int64_t stream_time_of(const node_instance& n);
int64_t wall_clock_of(const node_instance& n);
task_id task_of(const node_instance& n);
const std::string& application_id_of(const node_instance& n);
void request_commit_of(const node_instance& n);
}  // namespace detail

/// What a processor emitting record<K,V> sees of its task.
template <class K, class V>
class processor_context {
 public:
  explicit processor_context(const detail::node_instance& node) : node_(&node) {}

  /// To every child of this processor.
  void forward(const record<K, V>& r) const { detail::forward_to_children(*node_, r); }
  /// To the child called `child` only.
  void forward(const record<K, V>& r, const std::string& child) const {
    detail::forward_to_child(*node_, r, child);
  }
  /// Calls `fn(time)` every `interval` of stream time (event time of the records) or of wall
  /// clock time, on the task's thread, between records.
  cancellable schedule(std::chrono::milliseconds interval, punctuation_type type,
                       std::function<void(int64_t)> fn) const {
    return cancellable(detail::schedule_on(*node_, interval, type == punctuation_type::stream_time,
                                           std::move(fn)));
  }
  /// The store `name` connected to this processor, as its typed view (kv_store<K,V>, ...).
  /// Throws topology_error if it is not connected or has another type.
  template <class Store>
  Store& state_store(const std::string& name) const {
    return *static_cast<Store*>(detail::state_store_of(*node_, name, typeid(Store)));
  }
  /// Topic, partition and offset of the input record being processed.
  const record_metadata& metadata() const { return detail::metadata_of(*node_); }
  task_id task() const { return detail::task_of(*node_); }
  int64_t stream_time() const { return detail::stream_time_of(*node_); }
  int64_t wall_clock_ms() const { return detail::wall_clock_of(*node_); }
  const std::string& application_id() const { return detail::application_id_of(*node_); }
  /// Asks for a commit of the task's progress soon (it is committed periodically anyway).
  void commit() const { detail::request_commit_of(*node_); }

 private:
  const detail::node_instance* node_;
};

template <class KIn, class VIn, class KOut = KIn, class VOut = VIn>
class processor {
 public:
  using key_in = KIn;
  using value_in = VIn;
  using key_out = KOut;
  using value_out = VOut;
  using context_type = processor_context<KOut, VOut>;

  virtual ~processor() = default;
  virtual void init(context_type& ctx) {}
  virtual void process(const record<KIn, VIn>& r, context_type& ctx) = 0;
  virtual void close() {}
};

namespace detail {

/// A processor node of one task.
template <class KIn, class VIn, class KOut, class VOut>
class processor_node : public node_instance, public typed_input<KIn, VIn> {
 public:
  explicit processor_node(std::unique_ptr<processor<KIn, VIn, KOut, VOut>> p) : p_(std::move(p)) {}
  void init(task_context& task) override {
    node_instance::init(task);
    ctx_ = std::make_unique<processor_context<KOut, VOut>>(*this);
    p_->init(*ctx_);
  }
  void close() override { p_->close(); }
  void* input() override { return static_cast<typed_input<KIn, VIn>*>(this); }
  void push(const record<KIn, VIn>& r) override { p_->process(r, *ctx_); }

 private:
  std::unique_ptr<processor<KIn, VIn, KOut, VOut>> p_;
  std::unique_ptr<processor_context<KOut, VOut>> ctx_;
};

}  // namespace detail
}  // namespace brook::streams
