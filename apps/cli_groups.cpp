// brook group list | describe | reset-offsets (as kafka-consumer-groups.sh).
#include <cstdio>
#include <map>

#include "actors/client/client_metadata.hpp"
#include "actors/client/group_assignor.hpp"
#include "apps/cli_commands.hpp"
#include "net/group_messages.hpp"

namespace brook::cli {

namespace {

using runtime::errc;
using std::chrono::seconds;

runtime::result<std::shared_ptr<net::native_client>> connect(
    const options& o, client::client_metadata*& meta_out,
    std::unique_ptr<client::client_metadata>& holder) {
  auto servers = client::parse_bootstrap(o.bootstrap);
  if (!servers) return servers.error();
  holder = std::make_unique<client::client_metadata>(*servers, seconds(10));
  meta_out = holder.get();
  return holder->any_connection();
}

// Log end offset of each (topic, partition).
std::map<std::pair<std::string, int32_t>, int64_t> end_offsets(
    net::native_client& c, const std::vector<std::pair<std::string, int32_t>>& tps) {
  std::map<std::pair<std::string, int32_t>, int64_t> out;
  for (const auto& [t, p] : tps) {
    auto r = c.call<net::list_offsets_response>(
        net::native_type::list_offsets, net::list_offsets_request{t, p, net::latest_timestamp});
    out[{t, p}] = r && r->error == errc::none ? r->offset : -1;
  }
  return out;
}

}  // namespace

int group_list(const options& o) {
  client::client_metadata* meta = nullptr;
  std::unique_ptr<client::client_metadata> holder;
  auto c = connect(o, meta, holder);
  if (!c) return fail(c.error());
  auto r = (*c)->call<net::list_groups_response>(net::native_type::list_groups,
                                                 net::list_groups_request{});
  if (!r) return fail(r.error());
  if (r->error != errc::none) return fail(runtime::status{r->error, "list groups"});
  for (const auto& g : r->groups) std::printf("%s\t%s\n", g.group_id.c_str(), g.state.c_str());
  return 0;
}

int group_describe(const options& o) {
  client::client_metadata* meta = nullptr;
  std::unique_ptr<client::client_metadata> holder;
  auto c = connect(o, meta, holder);
  if (!c) return fail(c.error());
  auto d = (*c)->call<net::describe_groups_response>(net::native_type::describe_groups,
                                                     net::describe_groups_request{{o.group}});
  if (!d) return fail(d.error());
  if (d->groups.empty() || d->groups[0].error != errc::none)
    return fail(runtime::status{d->groups.empty() ? errc::unknown : d->groups[0].error,
                                "describe group " + o.group});
  const auto& g = d->groups[0];
  if (g.state == "Dead") return fail("group '" + o.group + "' does not exist");
  auto committed = (*c)->call<net::offset_fetch_response>(
      net::native_type::offset_fetch, net::offset_fetch_request{o.group, {}, true});
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
  auto ends = end_offsets(**c, tps);
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
  client::client_metadata* meta = nullptr;
  std::unique_ptr<client::client_metadata> holder;
  auto c = connect(o, meta, holder);
  if (!c) return fail(c.error());
  auto t = meta->topic(o.topic, false);
  if (!t) return fail(t.error());
  net::offset_commit_request req{o.group, -1, "", {}};
  for (int32_t p = 0; p < t->partitions; ++p) {
    if (o.partition >= 0 && p != o.partition) continue;
    int64_t target = o.to_offset;
    if (o.to_earliest || o.to_latest) {
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
  auto r = (*c)->call<net::offset_commit_response>(net::native_type::offset_commit, req);
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

}  // namespace brook::cli
