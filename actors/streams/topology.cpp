#include "actors/streams/topology.hpp"

#include <cxxabi.h>

#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <functional>
#include <sstream>

namespace brook::streams::detail {

std::string demangle(const char* mangled) {
  int status = 0;
  char* s = abi::__cxa_demangle(mangled, nullptr, nullptr, &status);
  std::string out = status == 0 && s ? s : mangled;
  std::free(s);
  // std::__cxx11::basic_string<char, ...> is what everyone calls std::string.
  for (const char* long_name :
       {"std::__cxx11::basic_string<char, std::char_traits<char>, std::allocator<char> >"}) {
    for (size_t at; (at = out.find(long_name)) != std::string::npos;)
      out.replace(at, std::string(long_name).size(), "std::string");
  }
  return out;
}

void topology_impl::add_node(node_def def) {
  if (def.name.empty()) throw topology_error("a node needs a name");
  if (nodes_.count(def.name))
    throw topology_error("a node called '" + def.name + "' exists already");
  if (def.kind == node_kind::source) {
    if (def.topics.empty()) throw topology_error("source '" + def.name + "' reads no topic");
    for (const auto& [n, other] : nodes_)
      if (other.kind == node_kind::source)
        for (const auto& t : def.topics)
          if (std::count(other.topics.begin(), other.topics.end(), t))
            throw topology_error("topic '" + t + "' is read by two sources ('" + n + "' and '" +
                                 def.name + "')");
  } else if (def.parents.empty()) {
    throw topology_error("'" + def.name + "' has no parent");
  }
  for (const auto& p : def.parents) {
    auto it = nodes_.find(p);
    if (it == nodes_.end())
      throw topology_error("'" + def.name + "' names an unknown parent '" + p + "'");
    if (it->second.kind == node_kind::sink)
      throw topology_error("'" + def.name + "' cannot follow sink '" + p + "'");
    if (it->second.out != def.in)
      throw topology_error("'" + def.name + "' takes " + def.in_name + " but its parent '" + p +
                           "' forwards " + it->second.out_name);
  }
  for (const auto& p : def.parents) nodes_[p].children.push_back(def.name);
  order_.push_back(def.name);
  nodes_.emplace(def.name, std::move(def));
  subs_valid_ = false;
}

void topology_impl::add_store(store_def def, const std::vector<std::string>& processors) {
  if (stores_.count(def.name))
    throw topology_error("a store called '" + def.name + "' exists already");
  auto name = def.name;
  stores_.emplace(name, std::move(def));
  for (const auto& p : processors) connect_store(name, p);
}

void topology_impl::connect_store(const std::string& store, const std::string& processor) {
  if (!stores_.count(store)) throw topology_error("no store called '" + store + "'");
  auto it = nodes_.find(processor);
  if (it == nodes_.end() || it->second.kind != node_kind::processor)
    throw topology_error("no processor called '" + processor + "' to connect store '" + store +
                         "' to");
  auto& s = it->second.stores;
  if (!std::count(s.begin(), s.end(), store)) s.push_back(store);
  subs_valid_ = false;
}

void topology_impl::set_urgency(const std::string& node, urgency u) {
  auto it = nodes_.find(node);
  if (it == nodes_.end())
    throw topology_error("no node called '" + node + "' to set the urgency of");
  it->second.urg = u;
  subs_valid_ = false;
}

const node_def& topology_impl::node(const std::string& name) const {
  auto it = nodes_.find(name);
  if (it == nodes_.end()) throw topology_error("no node called '" + name + "'");
  return it->second;
}

std::string topology_impl::next_name(const std::string& prefix) {
  char buf[16];
  std::snprintf(buf, sizeof(buf), "%010d", counter_++);
  return prefix + "-" + buf;
}

const std::vector<subtopology>& topology_impl::subtopologies() const {
  if (subs_valid_) return subs_;
  // Union-find over nodes linked by parent edges and by shared stores; repartition topics are
  // not edges (a sink writes one, a source of another sub-topology reads it).
  std::map<std::string, std::string> parent;
  std::function<std::string(const std::string&)> find = [&](const std::string& x) {
    auto& p = parent[x];
    if (p.empty() || p == x) return p = x;
    return p = find(p);
  };
  auto join = [&](const std::string& a, const std::string& b) { parent[find(a)] = find(b); };
  std::map<std::string, std::string> store_owner;
  for (const auto& name : order_) {
    find(name);
    const auto& n = nodes_.at(name);
    for (const auto& p : n.parents) join(name, p);
    for (const auto& s : n.stores) {
      auto [it, fresh] = store_owner.emplace(s, name);
      if (!fresh) join(name, it->second);
    }
  }
  std::map<std::string, int32_t> id_of_root;
  subs_.clear();
  for (const auto& name : order_) {
    auto root = find(name);
    auto [it, fresh] = id_of_root.emplace(root, int32_t(subs_.size()));
    if (fresh) subs_.push_back(subtopology{it->second, {}, {}, {}, std::nullopt});
    auto& sub = subs_[size_t(it->second)];
    const auto& n = nodes_.at(name);
    sub.nodes.push_back(name);
    if (n.kind == node_kind::source)
      sub.source_topics.insert(sub.source_topics.end(), n.topics.begin(), n.topics.end());
    for (const auto& s : n.stores)
      if (!std::count(sub.stores.begin(), sub.stores.end(), s)) sub.stores.push_back(s);
    if (n.urg && (!sub.urg || class_of(*n.urg) < class_of(*sub.urg))) sub.urg = n.urg;
  }
  subs_valid_ = true;
  return subs_;
}

std::string topology_impl::describe() const {
  std::ostringstream out;
  out << "Topologies:\n";
  for (const auto& sub : subtopologies()) {
    out << "   Sub-topology: " << sub.id;
    if (sub.urg) out << " (" << name_of(class_of(*sub.urg)) << ")";
    out << "\n";
    for (const auto& name : sub.nodes) {
      const auto& n = nodes_.at(name);
      const char* kind = n.kind == node_kind::source ? "Source"
                         : n.kind == node_kind::sink ? "Sink"
                                                     : "Processor";
      out << "    " << kind << ": " << name;
      if (n.kind == node_kind::source) {
        out << " (topics: [";
        for (size_t i = 0; i < n.topics.size(); ++i) out << (i ? ", " : "") << n.topics[i];
        out << "])";
      } else if (n.kind == node_kind::sink) {
        out << " (topic: " << n.topics.front() << ")";
      } else if (!n.stores.empty()) {
        out << " (stores: [";
        for (size_t i = 0; i < n.stores.size(); ++i) out << (i ? ", " : "") << n.stores[i];
        out << "])";
      }
      out << "\n";
      if (!n.children.empty()) {
        out << "      --> ";
        for (size_t i = 0; i < n.children.size(); ++i) out << (i ? ", " : "") << n.children[i];
        out << "\n";
      }
      if (!n.parents.empty()) {
        out << "      <-- ";
        for (size_t i = 0; i < n.parents.size(); ++i) out << (i ? ", " : "") << n.parents[i];
        out << "\n";
      }
    }
  }
  return out.str();
}

size_t node_instance::child_index(const std::string& name) const {
  const auto& c = def_->children;
  auto it = std::find(c.begin(), c.end(), name);
  if (it == c.end())
    throw topology_error("'" + def_->name + "' has no child called '" + name + "'");
  return size_t(it - c.begin());
}

}  // namespace brook::streams::detail
