#pragma once
// Network namespaces for a local cluster (`brook cluster up --netns`, `brook chaos run`, as
// root): each process in a namespace of its own, joined to the host by a veth pair on a bridge,
// so a network partition is one link taken down. Names and addresses come from a hash of the
// cluster's directory, so every command finds them again:
//   bridge  bk<h>        10.250.<x>.254/24 on the host
//   member  namespace bk<h>-c (coordinator) or bk<h>-b<id>, 10.250.<x>.100 or 10.250.<x>.<id>,
//           veth bk<h>c|<id>h (host side, on the bridge) and bk<h>c|<id>p (in the namespace)
#include <cstdint>
#include <string>
#include <vector>

#include "runtime/status.hpp"

namespace brook::cli::netns {

struct member_net {
  std::string ns;         // the namespace's name
  std::string veth_host;  // the link a partition takes down
  std::string veth_peer;
  std::string ip;
};

struct plan {
  std::string bridge;
  std::string prefix;  // "10.250.<x>."
  /// role "coordinator" (id ignored) or "broker".
  member_net of(const std::string& role, int32_t id) const;
};

/// The plan of the cluster in `canonical_dir` (as cli_cluster spells directories).
plan plan_for(const std::string& canonical_dir);

/// Creates the bridge and, for each (role, id), a namespace with its link up. Errors name the
/// `ip` command that failed (and say that it needs root).
runtime::status create(const plan& p, const std::vector<std::pair<std::string, int32_t>>& members);
/// Removes the namespaces (their links go with them) and the bridge; what is not there is fine.
void destroy(const plan& p, const std::vector<std::pair<std::string, int32_t>>& members);
/// Whether this process can make network namespaces (root, and allowed by its container): a
/// throwaway one is made and removed. The error says why not.
runtime::status available();
/// Takes a member's link down (cut off from everyone) or up again.
runtime::status set_link(const member_net& m, bool up);
/// The command prefix that runs a program in `m`'s namespace.
std::vector<std::string> exec_prefix(const member_net& m);

}  // namespace brook::cli::netns
