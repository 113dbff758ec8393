#pragma once
// A topology as built: its nodes and stores, and the sub-topologies (the connected parts of the
// graph, cut at repartition topics) that tasks run.
#include <map>
#include <set>
#include <string>
#include <vector>

#include "actors/streams/detail/graph.hpp"
#include "actors/streams/detail/store.hpp"

namespace brook::streams::detail {

struct subtopology {
  int32_t id = 0;
  std::vector<std::string> nodes;          // in the order they were added
  std::vector<std::string> source_topics;  // as written (internal ones without the app prefix)
  std::vector<std::string> stores;
  /// The most urgent urgency set on one of its nodes; unset: its source topics' `urgency`.
  std::optional<urgency> urg;
};

class topology_impl {
 public:
  /// Adds a node; its parents must exist and forward its input type. Throws topology_error.
  void add_node(node_def def);
  void add_store(store_def def, const std::vector<std::string>& processors);
  void connect_store(const std::string& store, const std::string& processor);
  void set_urgency(const std::string& node, urgency u);
  /// Repartition topics the topology writes and reads; named `<application.id>-<name>`.
  void add_internal_topic(const std::string& name) { internal_topics_.insert(name); }
  bool is_internal(const std::string& topic) const { return internal_topics_.count(topic) > 0; }
  /// The topic name on the broker.
  std::string resolve(const std::string& application_id, const std::string& topic) const {
    return is_internal(topic) ? application_id + "-" + topic : topic;
  }
  std::string changelog_topic(const std::string& application_id, const store_def& s) const {
    if (!s.source_topic.empty()) return resolve(application_id, s.source_topic);
    return s.logged ? application_id + "-" + s.name + "-changelog" : std::string();
  }

  const std::map<std::string, node_def>& nodes() const { return nodes_; }
  const node_def& node(const std::string& name) const;
  const std::map<std::string, store_def>& stores() const { return stores_; }
  const std::set<std::string>& internal_topics() const { return internal_topics_; }
  /// Computed on first use after the last change.
  const std::vector<subtopology>& subtopologies() const;
  /// A name not used yet: PREFIX-0000000007, as Kafka Streams names DSL nodes.
  std::string next_name(const std::string& prefix);
  /// Sub-topologies, nodes, topics and stores as text (Kafka's Topology#describe()).
  std::string describe() const;

 private:
  std::map<std::string, node_def> nodes_;
  std::vector<std::string> order_;
  std::map<std::string, store_def> stores_;
  std::set<std::string> internal_topics_;
  mutable std::vector<subtopology> subs_;
  mutable bool subs_valid_ = false;
  int counter_ = 0;
};

}  // namespace brook::streams::detail
