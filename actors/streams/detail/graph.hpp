#pragma once
// The type-erased graph behind a topology, and what one task instantiates from it. Nodes are
// defined once (node_def) and instantiated per task (node_instance); records pass between node
// instances as `const record<K,V>&` through typed_input<K,V>, whose types were checked when the
// topology was built.
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <stdexcept>
#include <string>
#include <typeindex>
#include <vector>

#include "actors/streams/record.hpp"
#include "actors/streams/urgency.hpp"

namespace brook::streams {

/// A topology that cannot work (unknown parent, type mismatch, store not connected, ...).
class topology_error : public std::logic_error {
 public:
  using std::logic_error::logic_error;
};

namespace detail {

class task_context;
class node_instance;

/// A record as it is on a topic: bytes, or null.
struct raw_record {
  std::string topic;
  int32_t partition = 0;
  int64_t offset = -1;
  int64_t timestamp = 0;
  std::optional<std::string> key, value;
  std::vector<header> headers;
};

/// Where a node takes records of type record<K,V>.
template <class K, class V>
class typed_input {
 public:
  virtual ~typed_input() = default;
  virtual void push(const record<K, V>& r) = 0;
};

enum class node_kind { source, processor, sink };

struct node_def {
  std::string name;
  node_kind kind = node_kind::processor;
  std::vector<std::string> parents;
  std::vector<std::string> children;  // filled in as children are added
  std::type_index in{typeid(void)};   // typeid(record<K,V>) taken; void for sources
  std::type_index out{typeid(void)};  // typeid(record<K,V>) forwarded; void for sinks
  std::string in_name, out_name;      // the same, readable, for errors
  std::vector<std::string> topics;    // source: topics read; sink: the topic written
  std::vector<std::string> stores;    // stores a processor may use
  std::optional<urgency> urg;         // set for this node (the sub-topology takes the most urgent)
  std::function<std::unique_ptr<node_instance>()> make;
};

/// One node of one task.
class node_instance {
 public:
  virtual ~node_instance() = default;
  /// After wiring, before the first record. `task` outlives the node.
  virtual void init(task_context& task) { task_ = &task; }
  virtual void close() {}
  /// The typed_input<K,V>* parents push to (as void*: its type is def().in).
  virtual void* input() = 0;
  /// Sources only: deserialises and forwards. Throws serde_error for bad bytes.
  virtual void push_raw(const raw_record&) {}

  const node_def& def() const { return *def_; }
  task_context& task() const { return *task_; }
  /// typed_input<K,V>* of every child, in the order they were added.
  const std::vector<void*>& children() const { return children_; }
  /// The index in children() of the child called `name`; throws topology_error.
  size_t child_index(const std::string& name) const;

 private:
  friend class task_context;
  const node_def* def_ = nullptr;
  task_context* task_ = nullptr;
  std::vector<void*> children_;
};

/// The node a processor_context belongs to: forwards to its children.
template <class K, class V>
void forward_to_children(const node_instance& n, const record<K, V>& r) {
  for (void* c : n.children()) static_cast<typed_input<K, V>*>(c)->push(r);
}
template <class K, class V>
void forward_to_child(const node_instance& n, const record<K, V>& r, const std::string& child) {
  static_cast<typed_input<K, V>*>(n.children()[n.child_index(child)])->push(r);
}

/// A readable C++ type name (for errors).
std::string demangle(const char* mangled);
template <class K, class V>
std::string type_name() {
  return "record<" + demangle(typeid(K).name()) + ", " + demangle(typeid(V).name()) + ">";
}

}  // namespace detail
}  // namespace brook::streams
