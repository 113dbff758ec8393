// brook group list | describe | reset-offsets | delete | delete-offsets (as
// kafka-consumer-groups.sh).
#include <cstdio>
#include <map>
#include <thread>

#include "actors/client/client_metadata.hpp"
#include "actors/client/group_assignor.hpp"
#include "apps/cli_commands.hpp"
#include "net/group_messages.hpp"

namespace brook::cli {

namespace {

using runtime::errc;
using std::chrono::seconds;

std::unique_ptr<client::client_metadata> cluster(const options& o, runtime::status& err) {
  auto servers = client::parse_bootstrap(o.bootstrap);
  if (!servers) {
    err = servers.error();
    return nullptr;
  }
  return std::make_unique<client::client_metadata>(*servers, seconds(10));
}

// Asks the broker coordinating `group` (found through any broker), again while the coordinator
// is created, loads its groups or moves, for up to 30 s. `error_of` reads the answer's error.
template <class Response, class Request, class ErrorOf>
runtime::result<Response> ask_coordinator(client::client_metadata& meta, const std::string& group,
                                          net::native_type type, const Request& req,
                                          ErrorOf error_of) {
  auto deadline = std::chrono::steady_clock::now() + seconds(30);
  for (;;) {
    auto c = meta.coordinator_connection(group, seconds(30));
    if (!c) return c.error();
    auto r = (*c)->call<Response>(type, req);
    errc e = r ? error_of(*r) : r.error().code();
    bool moved = client::client_metadata::coordinator_moved(e);
    if (moved) meta.forget_coordinator(group);
    if ((!moved && e != errc::coordinator_load_in_progress) ||
        std::chrono::steady_clock::now() >= deadline)
      return r;
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
  }
}

// Log end offset of each (topic, partition), asked of its leader.
std::map<std::pair<std::string, int32_t>, int64_t> end_offsets(
    client::client_metadata& meta, const std::vector<std::pair<std::string, int32_t>>& tps) {
  std::map<std::pair<std::string, int32_t>, int64_t> out;
  for (const auto& [t, p] : tps) {
    out[{t, p}] = -1;
    auto c = meta.leader_connection(t, p, client::client_metadata::bulk);
    if (!c) continue;
    auto r = (*c)->call<net::list_offsets_response>(
        net::native_type::list_offsets, net::list_offsets_request{t, p, net::latest_timestamp});
    if (r && r->error == errc::none) out[{t, p}] = r->offset;
  }
  return out;
}

}  // namespace

// Every broker lists the groups it coordinates; the list is all of them.
int group_list(const options& o) {
  runtime::status err;
  auto meta = cluster(o, err);
  if (!meta) return fail(err);
  auto c = meta->any_connection();
  if (!c) return fail(c.error());
  auto m = (*c)->call<net::metadata_response>(net::native_type::metadata,
                                              net::metadata_request{{}, false, false});
  if (!m) return fail(m.error());
  std::map<std::string, std::string> groups;
  for (const auto& b : m->brokers) {
    auto bc = net::native_client::connect({b.host, b.port}, seconds(10));
    if (!bc) return fail(bc.error());
    auto r = (*bc)->call<net::list_groups_response>(net::native_type::list_groups,
                                                    net::list_groups_request{});
    if (!r) return fail(r.error());
    if (r->error != errc::none)
      return fail(runtime::status{r->error, "list groups of broker " + std::to_string(b.id)});
    for (const auto& g : r->groups) groups[g.group_id] = g.state;
  }
  for (const auto& [id, state] : groups) std::printf("%s\t%s\n", id.c_str(), state.c_str());
  return 0;
}

int group_describe(const options& o) {
  runtime::status err;
  auto meta = cluster(o, err);
  if (!meta) return fail(err);
  auto d = ask_coordinator<net::describe_groups_response>(
      *meta, o.group, net::native_type::describe_groups, net::describe_groups_request{{o.group}},
      [](const net::describe_groups_response& r) {
        return r.groups.empty() ? errc::none : r.groups[0].error;
      });
  if (!d) return fail(d.error());
  if (d->groups.empty() || d->groups[0].error != errc::none)
    return fail(runtime::status{d->groups.empty() ? errc::unknown : d->groups[0].error,
                                "describe group " + o.group});
  const auto& g = d->groups[0];
  if (g.state == "Dead") return fail("group '" + o.group + "' does not exist");
  auto committed = ask_coordinator<net::offset_fetch_response>(
      *meta, o.group, net::native_type::offset_fetch, net::offset_fetch_request{o.group, {}, true},
      [](const net::offset_fetch_response& r) { return r.error; });
  if (!committed) return fail(committed.error());
  // Who owns what, from the members' assignments.
  std::map<std::pair<std::string, int32_t>, const net::group_member_description*> owner;
  for (const auto& m : g.members)
    if (auto a = client::decode_assignment(m.assignment))
      for (const auto& [t, ps] : *a)
        for (auto p : ps) owner[{t, p}] = &m;
  std::map<std::pair<std::string, int32_t>, int64_t> offsets;
  for (const auto& off : committed->offsets) offsets[{off.topic, off.partition}] = off.offset;
  for (const auto& [tp, m] : owner) offsets.emplace(tp, -1);
  std::vector<std::pair<std::string, int32_t>> tps;
  for (const auto& [tp, off] : offsets) tps.push_back(tp);
  auto ends = end_offsets(*meta, tps);
  std::printf("Group %s: state %s, generation %d, protocol %s, %zu member(s)\n", g.group_id.c_str(),
              g.state.c_str(), g.generation_id, g.protocol.empty() ? "-" : g.protocol.c_str(),
              g.members.size());
  std::printf("%-24s %-9s %-14s %-14s %-8s %s\n", "TOPIC", "PARTITION", "CURRENT-OFFSET",
              "LOG-END-OFFSET", "LAG", "CONSUMER-ID / HOST / CLIENT-ID");
  for (const auto& [tp, off] : offsets) {
    int64_t end = ends[tp];
    std::string cur = off >= 0 ? std::to_string(off) : "-";
    std::string lag = off >= 0 && end >= 0 ? std::to_string(end - off) : "-";
    auto it = owner.find(tp);
    std::string who = it == owner.end() ? "-"
                                        : it->second->member_id + " " + it->second->client_host +
                                              " " + it->second->client_id;
    std::printf("%-24s %-9d %-14s %-14lld %-8s %s\n", tp.first.c_str(), tp.second, cur.c_str(),
                (long long)end, lag.c_str(), who.c_str());
  }
  return 0;
}

int group_reset_offsets(const options& o) {
  int modes = int(o.to_earliest) + int(o.to_latest) + int(o.to_offset >= 0);
  if (modes != 1) return fail("give exactly one of --to-earliest, --to-latest, --to-offset N");
  runtime::status err;
  auto meta = cluster(o, err);
  if (!meta) return fail(err);
  auto t = meta->topic(o.topic, false);
  if (!t) return fail(t.error());
  net::offset_commit_request req{o.group, -1, "", {}};
  for (int32_t p = 0; p < t->partitions; ++p) {
    if (o.partition >= 0 && p != o.partition) continue;
    int64_t target = o.to_offset;
    if (o.to_earliest || o.to_latest) {
      auto c = meta->leader_connection(o.topic, p, client::client_metadata::bulk);
      if (!c) return fail(c.error());
      auto r = (*c)->call<net::list_offsets_response>(
          net::native_type::list_offsets,
          net::list_offsets_request{
              o.topic, p, o.to_earliest ? net::earliest_timestamp : net::latest_timestamp});
      if (!r || r->error != errc::none)
        return fail("cannot read offsets of " + o.topic + "-" + std::to_string(p));
      target = r->offset;
    }
    req.offsets.push_back({o.topic, p, target, std::string(), errc::none});
    std::printf("%s\t%d\t%lld\n", o.topic.c_str(), p, (long long)target);
  }
  if (!o.execute) {
    std::printf("(dry run: add --execute to commit these offsets)\n");
    return 0;
  }
  auto r = ask_coordinator<net::offset_commit_response>(
      *meta, o.group, net::native_type::offset_commit, req,
      [](const net::offset_commit_response& r) {
        return r.offsets.empty() ? errc::none : r.offsets[0].error;
      });
  if (!r) return fail(r.error());
  for (const auto& off : r->offsets)
    if (off.error == errc::unknown_member_id)
      return fail("group '" + o.group +
                  "' has active members; stop its consumers before resetting offsets");
    else if (off.error != errc::none)
      return fail(
          runtime::status{off.error, "commit " + off.topic + "-" + std::to_string(off.partition)});
  return 0;
}

// Kafka's --delete: only a group without members; its committed offsets go with it.
int group_delete(const options& o) {
  runtime::status err;
  auto meta = cluster(o, err);
  if (!meta) return fail(err);
  auto r = ask_coordinator<net::delete_groups_response>(
      *meta, o.group, net::native_type::delete_groups, net::delete_groups_request{{o.group}},
      [](const net::delete_groups_response& r) {
        return r.results.empty() ? errc::none : r.results[0].error;
      });
  if (!r) return fail(r.error());
  errc e = r->results.empty() ? errc::coordinator_not_available : r->results[0].error;
  if (e == errc::non_empty_group)
    return fail("group '" + o.group + "' has active members; stop its consumers before deleting it");
  if (e == errc::group_id_not_found) return fail("group '" + o.group + "' does not exist");
  if (e != errc::none) return fail(runtime::status{e, "delete group " + o.group});
  std::printf("Deleted group %s.\n", o.group.c_str());
  return 0;
}

// Kafka's --delete-offsets: the group's committed offsets of a topic (or one partition of it).
int group_delete_offsets(const options& o) {
  runtime::status err;
  auto meta = cluster(o, err);
  if (!meta) return fail(err);
  auto t = meta->topic(o.topic, false);
  if (!t) return fail(t.error());
  net::offset_delete_request req{o.group, {}};
  for (int32_t p = 0; p < t->partitions; ++p)
    if (o.partition < 0 || p == o.partition) req.partitions.push_back({o.topic, p, -1, std::nullopt, errc::none});
  auto r = ask_coordinator<net::offset_delete_response>(
      *meta, o.group, net::native_type::offset_delete, req,
      [](const net::offset_delete_response& r) { return r.error; });
  if (!r) return fail(r.error());
  if (r->error == errc::group_id_not_found) return fail("group '" + o.group + "' does not exist");
  if (r->error != errc::none) return fail(runtime::status{r->error, "delete offsets of " + o.group});
  int failed = 0;
  for (const auto& p : r->partitions) {
    bool ok = p.error == errc::none;
    failed += !ok;
    std::printf("%s\t%d\t%s\n", p.topic.c_str(), p.partition,
                ok ? "deleted"
                   : p.error == errc::group_subscribed_to_topic
                       ? "kept: a member of the group consumes this topic"
                       : std::string(runtime::to_string(p.error)).c_str());
  }
  return failed ? 1 : 0;
}

}  // namespace brook::cli
