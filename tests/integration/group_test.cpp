// Consumer groups against a real brookd. Kafka group requests are built with Brook's own Kafka
// writer (net/kafka/group_messages.hpp) and sent over raw sockets to the Kafka listener: the join /
// sync / heartbeat / leave state machine, and bad input answered with the protocol's error codes
// (UNKNOWN_MEMBER_ID 25, ILLEGAL_GENERATION 22, INCONSISTENT_GROUP_PROTOCOL 23,
// INVALID_SESSION_TIMEOUT 26, MEMBER_ID_REQUIRED 79, INVALID_REQUEST 42 for static members) with
// the node serving on afterwards. Committed offsets survive SIGTERM and SIGKILL of brookd
// (OffsetFetch, the native consumer's committed(), `brook group describe`, and a member resumes
// there). `brook group list | describe | reset-offsets` on live and inactive groups.
#include <gtest/gtest.h>

#include <cstdlib>
#include <map>
#include <optional>
#include <regex>
#include <sstream>
#include <thread>

#include "actors/consumer.hpp"
#include "harness.hpp"
#include "net/kafka/codec.hpp"

using namespace brook;
using namespace std::chrono_literals;
namespace k = brook::net::kafka;
using runtime::bytes;
using clock_type = std::chrono::steady_clock;

namespace {

// Kafka error codes the tests expect.
constexpr int16_t kNone = 0, kLoadInProgress = 14, kIllegalGeneration = 22,
                  kInconsistentProtocol = 23, kUnknownMember = 25, kInvalidSessionTimeout = 26,
                  kRebalanceInProgress = 27, kInvalidRequest = 42, kMemberIdRequired = 79;

const std::vector<std::string> kOverrides{"group.initial.rebalance.delay.ms=200",
                                          "group.min.session.timeout.ms=1000"};

bytes to_bytes(const std::string& s) {
  return bytes(s.begin(), s.end());
}
std::string to_string(const bytes& b) {
  return std::string(b.begin(), b.end());
}

// One Kafka connection (the harness's raw socket): requests framed with header v1 (none of the
// group versions used here is flexible), responses read in order.
class kafka_conn {
 public:
  explicit kafka_conn(uint16_t port) : sock_(port) {}
  bool connected() const { return sock_.connected(); }

  /// Sends a request; its correlation id.
  template <class Body>
  int32_t send(k::api_key key, int16_t v, Body body) {
    int32_t corr = ++corr_;
    bytes out;
    k::writer h(out, v, false);
    h.i16(int16_t(key));
    h.i16(v);
    h.i32(corr);
    h.nstr(std::string("brook-group-itest"));
    const auto* api = k::find_api(int16_t(key));
    k::writer w(out, v, api && v >= api->first_flexible);
    w.tags();
    body.io(w);
    sock_.send_frame(out);
    return corr;
  }

  /// The response to `corr` (the next frame on this connection), read at version v; `ok` false
  /// (and a test failure) if none arrives in time or it does not decode.
  template <class Response>
  Response receive(int32_t corr, int16_t v, bool* ok = nullptr,
                   std::chrono::milliseconds timeout = 30000ms) {
    Response out;
    if (ok) *ok = false;
    auto payload = std::move(early_);
    early_.reset();
    if (!payload) payload = sock_.read_frame(timeout);
    if (!payload || payload->size() < 4) {
      ADD_FAILURE() << "no response to correlation id " << corr;
      return out;
    }
    EXPECT_EQ(int32_t(runtime::load_be32(payload->data())), corr);
    k::reader r(payload->data() + 4, payload->size() - 4, v, false);
    out.io(r);
    EXPECT_TRUE(r.ok()) << r.error();
    EXPECT_EQ(r.remaining(), 0u) << "bytes left after the response body";
    if (ok) *ok = r.ok();
    return out;
  }

  template <class Response, class Body>
  Response call(k::api_key key, int16_t v, Body body, std::chrono::milliseconds timeout = 30000ms) {
    return receive<Response>(send(key, v, std::move(body)), v, nullptr, timeout);
  }

  /// True if no response arrives within `wait` (a request still parked at the coordinator); one
  /// that does arrive is kept for receive().
  bool quiet_for(std::chrono::milliseconds wait) {
    if (!early_) early_ = sock_.read_frame(wait);
    return !early_;
  }

 private:
  itest::raw_socket sock_;
  std::optional<bytes> early_;
  int32_t corr_ = 0;
};

k::join_group_request join_req(const std::string& group, const std::string& member_id,
                               std::vector<k::join_group_request::protocol> protocols,
                               int32_t session_ms = 10000, std::string type = "consumer") {
  k::join_group_request r;
  r.group_id = group;
  r.session_timeout_ms = session_ms;
  r.rebalance_timeout_ms = 10000;
  r.member_id = member_id;
  r.protocol_type = std::move(type);
  r.protocols = std::move(protocols);
  return r;
}

std::vector<k::join_group_request::protocol> range_protocol(
    const std::string& meta = "subscription") {
  return {{"range", to_bytes(meta)}};
}

k::heartbeat_request heartbeat_req(const std::string& group, int32_t generation,
                                   const std::string& member) {
  k::heartbeat_request r;
  r.group_id = group;
  r.generation_id = generation;
  r.member_id = member;
  return r;
}

k::sync_group_request sync_req(const std::string& group, int32_t generation,
                               const std::string& member,
                               std::vector<k::sync_group_request::assignment> assignments = {}) {
  k::sync_group_request r;
  r.group_id = group;
  r.generation_id = generation;
  r.member_id = member;
  r.assignments = std::move(assignments);
  return r;
}

k::offset_commit_request commit_req(const std::string& group, int32_t generation,
                                    const std::string& member, const std::string& topic,
                                    std::map<int32_t, int64_t> offsets,
                                    std::optional<std::string> metadata = std::nullopt) {
  k::offset_commit_request r;
  r.group_id = group;
  r.generation_id = generation;
  r.member_id = member;
  r.topics.push_back({topic, {}});
  for (auto [p, o] : offsets) r.topics[0].partitions.push_back({p, o, -1, metadata});
  return r;
}

k::offset_fetch_request fetch_req(const std::string& group, const std::string& topic,
                                  std::vector<int32_t> parts) {
  k::offset_fetch_request r;
  r.group_id = group;
  r.topics.emplace();
  r.topics->push_back({topic, std::move(parts)});
  return r;
}

// OffsetFetch v0/v1 written by hand: offset_fetch_request::io() replaces the topics with an empty
// array for v0-1 when writing (it is written for reading requests).
struct offset_fetch_v1_request {
  std::string group_id, topic;
  std::vector<int32_t> partitions;
  void io(k::writer& f) {
    f.str(group_id);
    f.i32(1);
    f.str(topic);
    f.i32(int32_t(partitions.size()));
    for (auto p : partitions) f.i32(p);
  }
};

// {partition: error code} of an OffsetCommit response for one topic.
std::map<int32_t, int16_t> commit_errors(const k::offset_commit_response& r) {
  std::map<int32_t, int16_t> out;
  for (const auto& t : r.topics)
    for (const auto& p : t.partitions) out[p.index] = p.error_code;
  return out;
}

struct member_state {
  std::string id;
  int32_t generation = -1;
};

class Groups : public ::testing::Test {
 protected:
  void SetUp() override { ASSERT_TRUE(broker.start()) << broker.log(); }
  void TearDown() override {
    if (broker.running()) {
      EXPECT_EQ(broker.terminate(), 0) << "brookd did not stop cleanly\n" << broker.log();
    }
  }

  itest::run_result brook(const std::vector<std::string>& args) {
    std::vector<std::string> argv{itest::bin("brook"), "--bootstrap-server", broker.bootstrap()};
    argv.insert(argv.end(), args.begin(), args.end());
    return itest::run(argv, "", 30s);
  }

  void create_topic(const std::string& topic, int partitions) {
    auto r = brook({"topic", "create", topic, "--partitions", std::to_string(partitions)});
    ASSERT_EQ(r.exit_code, 0) << r.err;
  }

  // `per_partition` records into each partition of topic ("p<partition>-<i>").
  void fill(const std::string& topic, int partitions, int per_partition) {
    for (int p = 0; p < partitions; ++p) {
      std::string lines;
      for (int i = 0; i < per_partition; ++i)
        lines += "p" + std::to_string(p) + "-" + std::to_string(i) + "\n";
      auto r = itest::run({itest::bin("brook"), "--bootstrap-server", broker.bootstrap(), "produce",
                           topic, "--partition", std::to_string(p), "--acks", "all"},
                          lines, 30s);
      ASSERT_EQ(r.exit_code, 0) << r.err;
    }
  }

  // Joins `group` alone (JoinGroup v5: MEMBER_ID_REQUIRED, then with the id) and syncs as leader.
  member_state join_alone(kafka_conn& c, const std::string& group, int32_t session_ms = 10000) {
    member_state m;
    auto first = c.call<k::join_group_response>(k::api_key::join_group, 5,
                                                join_req(group, "", range_protocol(), session_ms));
    EXPECT_EQ(first.error_code, kMemberIdRequired);
    EXPECT_FALSE(first.member_id.empty());
    auto j = c.call<k::join_group_response>(
        k::api_key::join_group, 5, join_req(group, first.member_id, range_protocol(), session_ms));
    EXPECT_EQ(j.error_code, kNone);
    EXPECT_EQ(j.member_id, first.member_id);
    EXPECT_EQ(j.leader, j.member_id);
    m.id = j.member_id;
    m.generation = j.generation_id;
    auto s = c.call<k::sync_group_response>(
        k::api_key::sync_group, 3, sync_req(group, m.generation, m.id, {{m.id, to_bytes("mine")}}));
    EXPECT_EQ(s.error_code, kNone);
    EXPECT_EQ(to_string(s.assignment), "mine");
    return m;
  }

  // Heartbeats (the join of another member may still be on its way) until the answer is not 0.
  int16_t heartbeat_until_rebalance(kafka_conn& c, const std::string& group,
                                    const member_state& m) {
    int16_t hb = kNone;
    auto deadline = clock_type::now() + 10s;
    while (hb == kNone && clock_type::now() < deadline) {
      hb = c.call<k::heartbeat_response>(k::api_key::heartbeat, 3,
                                         heartbeat_req(group, m.generation, m.id))
               .error_code;
      if (hb == kNone) std::this_thread::sleep_for(20ms);
    }
    return hb;
  }

  k::describe_groups_response::group describe(kafka_conn& c, const std::string& group) {
    k::describe_groups_request d;
    d.groups = {group};
    auto r = c.call<k::describe_groups_response>(k::api_key::describe_groups, 2, d);
    EXPECT_EQ(r.groups.size(), 1u);
    return r.groups.empty() ? k::describe_groups_response::group{} : r.groups[0];
  }

  // OffsetFetch v5 of topic's partitions, retried while the coordinator loads __consumer_offsets.
  std::map<int32_t, int64_t> fetch_offsets(const std::string& group, const std::string& topic,
                                           std::vector<int32_t> parts) {
    std::map<int32_t, int64_t> out;
    auto deadline = clock_type::now() + 30s;
    for (;;) {
      kafka_conn c(broker.kafka_port());
      auto r = c.call<k::offset_fetch_response>(k::api_key::offset_fetch, 5,
                                                fetch_req(group, topic, parts));
      if (r.error_code == kLoadInProgress && clock_type::now() < deadline) {
        std::this_thread::sleep_for(100ms);
        continue;
      }
      EXPECT_EQ(r.error_code, kNone);
      for (const auto& t : r.topics)
        for (const auto& p : t.partitions) {
          EXPECT_EQ(p.error_code, kNone) << "partition " << p.index;
          out[p.index] = p.offset;
        }
      return out;
    }
  }

  // OffsetCommit v7, retried while __consumer_offsets is being created or loaded (error 14).
  std::map<int32_t, int16_t> commit(const k::offset_commit_request& req) {
    auto deadline = clock_type::now() + 30s;
    for (;;) {
      kafka_conn c(broker.kafka_port());
      auto errors =
          commit_errors(c.call<k::offset_commit_response>(k::api_key::offset_commit, 7, req));
      bool loading = !errors.empty() && errors.begin()->second == kLoadInProgress;
      if (!loading || clock_type::now() >= deadline) return errors;
      std::this_thread::sleep_for(100ms);
    }
  }

  // The node still serves: brookd runs, and a fresh connection gets ApiVersions and
  // FindCoordinator.
  void expect_serving() {
    ASSERT_TRUE(broker.running()) << broker.log();
    kafka_conn c(broker.kafka_port());
    ASSERT_TRUE(c.connected());
    auto v =
        c.call<k::api_versions_response>(k::api_key::api_versions, 0, k::api_versions_request{});
    EXPECT_EQ(v.error_code, kNone);
    k::find_coordinator_request f;
    f.key = "any-group";
    auto fc = c.call<k::find_coordinator_response>(k::api_key::find_coordinator, 1, f);
    EXPECT_EQ(fc.error_code, kNone);
    EXPECT_EQ(fc.port, broker.kafka_port());
  }

  std::unique_ptr<actors::consumer> group_consumer(const std::string& group,
                                                   const std::string& client_id) {
    actors::consumer_config cfg;
    cfg.bootstrap_servers = broker.bootstrap();
    cfg.group_id = group;
    cfg.client_id = client_id;
    cfg.enable_auto_commit = false;
    cfg.auto_offset_reset = "earliest";
    cfg.session_timeout_ms = 6000;
    cfg.heartbeat_interval_ms = 500;
    cfg.fetch_max_wait_ms = 100;
    auto c = actors::consumer::create(cfg);
    EXPECT_TRUE(c) << c.error().to_string();
    if (!c) return nullptr;
    return std::move(*c);
  }

  // Polls until `want` records arrived (or 20 s): {partition: offsets in order}.
  std::map<int32_t, std::vector<int64_t>> poll_records(actors::consumer& c, size_t want) {
    std::map<int32_t, std::vector<int64_t>> got;
    size_t n = 0;
    auto deadline = clock_type::now() + 20s;
    while (n < want && clock_type::now() < deadline) {
      auto recs = c.poll(200ms);
      EXPECT_TRUE(recs) << recs.error().to_string();
      if (!recs) break;
      for (const auto& r : *recs) {
        got[r.partition].push_back(r.rec.offset);
        ++n;
      }
    }
    EXPECT_EQ(n, want);
    return got;
  }

  // Polls (joining the group) until the consumer owns `partitions` partitions.
  void wait_assigned(actors::consumer& c, size_t partitions) {
    auto deadline = clock_type::now() + 20s;
    while (c.assignment().size() != partitions && clock_type::now() < deadline) {
      auto r = c.poll(100ms);
      ASSERT_TRUE(r) << r.error().to_string();
    }
    ASSERT_EQ(c.assignment().size(), partitions);
  }

  itest::temp_dir dir;
  itest::brookd_process broker{dir.path() + "/node", kOverrides};
};

// `brook group describe` parsed: header fields and {partition: row fields after the partition}.
struct described {
  std::string state, protocol;
  int generation = -1, members = -1;
  std::map<int32_t, std::vector<std::string>> rows;
};

described parse_describe(const std::string& out, const std::string& topic) {
  described d;
  std::istringstream in(out);
  std::string line;
  std::getline(in, line);
  static const std::regex head(
      R"(^Group (\S+): state (\S+), generation (-?\d+), protocol (\S+), (\d+) member\(s\)$)");
  std::smatch m;
  if (!std::regex_match(line, m, head)) {
    ADD_FAILURE() << "unexpected describe header: " << line;
    return d;
  }
  d.state = m[2];
  d.generation = std::stoi(m[3]);
  d.protocol = m[4];
  d.members = std::stoi(m[5]);
  std::getline(in, line);
  EXPECT_EQ(line.rfind("TOPIC", 0), 0u) << line;
  while (std::getline(in, line)) {
    std::istringstream f(line);
    std::string t;
    int32_t p = -1;
    f >> t >> p;
    if (t != topic) continue;
    std::vector<std::string> rest;
    for (std::string w; f >> w;) rest.push_back(w);
    d.rows[p] = rest;
  }
  return d;
}

}  // namespace

// ---- the state machine, from raw requests
// --------------------------------------------------------

TEST_F(Groups, JoinSyncHeartbeatRebalanceAndLeaveFollowKafkasStateMachine) {
  const std::string g = "raw-flow";
  kafka_conn a(broker.kafka_port()), b(broker.kafka_port());
  ASSERT_TRUE(a.connected() && b.connected());

  k::find_coordinator_request fc;
  fc.key = g;
  auto coord = a.call<k::find_coordinator_response>(k::api_key::find_coordinator, 1, fc);
  EXPECT_EQ(coord.error_code, kNone);
  EXPECT_EQ(coord.node_id, 0);
  EXPECT_EQ(coord.host, "127.0.0.1");
  EXPECT_EQ(coord.port, broker.kafka_port());

  // JoinGroup v4+ with an empty member id: MEMBER_ID_REQUIRED with an id, then success with it.
  auto first = a.call<k::join_group_response>(k::api_key::join_group, 5,
                                              join_req(g, "", range_protocol("meta-a")));
  ASSERT_EQ(first.error_code, kMemberIdRequired);
  ASSERT_FALSE(first.member_id.empty());
  EXPECT_EQ(first.generation_id, -1);
  auto ja = a.call<k::join_group_response>(k::api_key::join_group, 5,
                                           join_req(g, first.member_id, range_protocol("meta-a")));
  ASSERT_EQ(ja.error_code, kNone);
  const std::string id_a = ja.member_id;
  EXPECT_EQ(id_a, first.member_id);
  EXPECT_EQ(ja.generation_id, 1);
  EXPECT_EQ(ja.protocol_name, "range");
  EXPECT_EQ(ja.leader, id_a);
  ASSERT_EQ(ja.members.size(), 1u);
  EXPECT_EQ(to_string(ja.members[0].metadata), "meta-a");
  auto sa = a.call<k::sync_group_response>(k::api_key::sync_group, 3,
                                           sync_req(g, 1, id_a, {{id_a, to_bytes("a1")}}));
  EXPECT_EQ(sa.error_code, kNone);
  EXPECT_EQ(to_string(sa.assignment), "a1");
  EXPECT_EQ(
      a.call<k::heartbeat_response>(k::api_key::heartbeat, 3, heartbeat_req(g, 1, id_a)).error_code,
      kNone);

  // A second member (JoinGroup v3: no MEMBER_ID_REQUIRED step) waits until the first rejoins; the
  // first learns of the rebalance from its heartbeat.
  int32_t join_b = b.send(k::api_key::join_group, 3, join_req(g, "", range_protocol("meta-b")));
  EXPECT_EQ(heartbeat_until_rebalance(a, g, {id_a, 1}), kRebalanceInProgress);
  EXPECT_TRUE(b.quiet_for(300ms)) << "the new member's join must wait for the old member to rejoin";
  auto ja2 = a.call<k::join_group_response>(k::api_key::join_group, 5,
                                            join_req(g, id_a, range_protocol("meta-a")));
  bool ok = false;
  auto jb = b.receive<k::join_group_response>(join_b, 3, &ok);
  ASSERT_TRUE(ok);
  ASSERT_EQ(ja2.error_code, kNone);
  ASSERT_EQ(jb.error_code, kNone);
  const std::string id_b = jb.member_id;
  EXPECT_FALSE(id_b.empty());
  EXPECT_NE(id_b, id_a);
  EXPECT_EQ(ja2.generation_id, 2);
  EXPECT_EQ(jb.generation_id, 2);
  EXPECT_EQ(ja2.leader, id_a);  // the leader stays
  EXPECT_EQ(jb.leader, id_a);
  // Only the leader gets the member list, with every member's metadata.
  EXPECT_TRUE(jb.members.empty());
  std::map<std::string, std::string> meta;
  for (const auto& m : ja2.members) meta[m.member_id] = to_string(m.metadata);
  EXPECT_EQ(meta, (std::map<std::string, std::string>{{id_a, "meta-a"}, {id_b, "meta-b"}}));

  // The follower's SyncGroup waits for the leader's assignments.
  int32_t sync_b = b.send(k::api_key::sync_group, 3, sync_req(g, 2, id_b));
  EXPECT_TRUE(b.quiet_for(300ms)) << "a follower's SyncGroup must wait for the leader";
  auto sa2 = a.call<k::sync_group_response>(
      k::api_key::sync_group, 3,
      sync_req(g, 2, id_a, {{id_a, to_bytes("for-a")}, {id_b, to_bytes("for-b")}}));
  auto sb = b.receive<k::sync_group_response>(sync_b, 3);
  EXPECT_EQ(sa2.error_code, kNone);
  EXPECT_EQ(to_string(sa2.assignment), "for-a");
  EXPECT_EQ(sb.error_code, kNone);
  EXPECT_EQ(to_string(sb.assignment), "for-b");
  EXPECT_EQ(
      b.call<k::heartbeat_response>(k::api_key::heartbeat, 3, heartbeat_req(g, 2, id_b)).error_code,
      kNone);

  auto d = describe(a, g);
  EXPECT_EQ(d.error_code, kNone);
  EXPECT_EQ(d.state, "Stable");
  EXPECT_EQ(d.protocol_type, "consumer");
  EXPECT_EQ(d.protocol, "range");
  std::map<std::string, std::pair<std::string, std::string>> described_members;
  for (const auto& m : d.members)
    described_members[m.member_id] = {m.client_id, to_string(m.assignment)};
  EXPECT_EQ(described_members,
            (std::map<std::string, std::pair<std::string, std::string>>{
                {id_a, {"brook-group-itest", "for-a"}}, {id_b, {"brook-group-itest", "for-b"}}}));
  auto lg = a.call<k::list_groups_response>(k::api_key::list_groups, 2, k::list_groups_request{});
  EXPECT_EQ(lg.error_code, kNone);
  bool listed = false;
  for (const auto& x : lg.groups) listed |= x.group_id == g && x.protocol_type == "consumer";
  EXPECT_TRUE(listed);

  // LeaveGroup v3 with a list: per-member errors; the group rebalances at once.
  k::leave_group_request leave;
  leave.group_id = g;
  leave.members = {{id_b, std::nullopt}, {"nobody", std::nullopt}};
  auto lr = b.call<k::leave_group_response>(k::api_key::leave_group, 3, leave);
  EXPECT_EQ(lr.error_code, kNone);
  ASSERT_EQ(lr.members.size(), 2u);
  EXPECT_EQ(lr.members[0].error_code, kNone);
  EXPECT_EQ(lr.members[1].error_code, kUnknownMember);
  EXPECT_EQ(
      a.call<k::heartbeat_response>(k::api_key::heartbeat, 3, heartbeat_req(g, 2, id_a)).error_code,
      kRebalanceInProgress);
  auto ja3 = a.call<k::join_group_response>(k::api_key::join_group, 5,
                                            join_req(g, id_a, range_protocol("meta-a")));
  EXPECT_EQ(ja3.error_code, kNone);
  EXPECT_EQ(ja3.generation_id, 3);
  EXPECT_EQ(ja3.members.size(), 1u);
  EXPECT_EQ(
      a.call<k::sync_group_response>(k::api_key::sync_group, 3, sync_req(g, 3, id_a, {{id_a, {}}}))
          .error_code,
      kNone);

  // LeaveGroup v0 (one member id): the group is empty.
  k::leave_group_request leave_a;
  leave_a.group_id = g;
  leave_a.member_id = id_a;
  EXPECT_EQ(a.call<k::leave_group_response>(k::api_key::leave_group, 0, leave_a).error_code, kNone);
  auto d2 = describe(a, g);
  EXPECT_EQ(d2.state, "Empty");
  EXPECT_TRUE(d2.members.empty());
  EXPECT_NE(broker.log().find("member " + id_b + " left group " + g + " (left the group)"),
            std::string::npos);
}

TEST_F(Groups, UnknownMemberAndWrongGenerationGetTheirErrorCodes) {
  const std::string g = "raw-errors";
  kafka_conn a(broker.kafka_port());
  auto m = join_alone(a, g);
  ASSERT_EQ(m.generation, 1);

  kafka_conn x(broker.kafka_port());
  // UNKNOWN_MEMBER_ID (25): an id the group never gave out, or a group that does not exist.
  EXPECT_EQ(
      x.call<k::heartbeat_response>(k::api_key::heartbeat, 3, heartbeat_req(g, 1, "not-a-member"))
          .error_code,
      kUnknownMember);
  EXPECT_EQ(x.call<k::heartbeat_response>(k::api_key::heartbeat, 0,
                                          heartbeat_req("no-such-group", 1, m.id))
                .error_code,
            kUnknownMember);
  EXPECT_EQ(
      x.call<k::sync_group_response>(k::api_key::sync_group, 3, sync_req(g, 1, "not-a-member"))
          .error_code,
      kUnknownMember);
  EXPECT_EQ(x.call<k::join_group_response>(k::api_key::join_group, 5,
                                           join_req(g, "never-issued", range_protocol()))
                .error_code,
            kUnknownMember);
  k::leave_group_request leave;
  leave.group_id = g;
  leave.member_id = "not-a-member";
  EXPECT_EQ(x.call<k::leave_group_response>(k::api_key::leave_group, 1, leave).error_code,
            kUnknownMember);
  EXPECT_EQ(commit_errors(x.call<k::offset_commit_response>(
                k::api_key::offset_commit, 7, commit_req(g, 1, "not-a-member", "t", {{0, 1}}))),
            (std::map<int32_t, int16_t>{{0, kUnknownMember}}));

  // ILLEGAL_GENERATION (22): the right member with another generation.
  EXPECT_EQ(
      x.call<k::heartbeat_response>(k::api_key::heartbeat, 3, heartbeat_req(g, 7, m.id)).error_code,
      kIllegalGeneration);
  EXPECT_EQ(
      x.call<k::sync_group_response>(k::api_key::sync_group, 3, sync_req(g, 0, m.id)).error_code,
      kIllegalGeneration);
  EXPECT_EQ(commit_errors(x.call<k::offset_commit_response>(
                k::api_key::offset_commit, 2, commit_req(g, 7, m.id, "t", {{0, 1}, {1, 2}}))),
            (std::map<int32_t, int16_t>{{0, kIllegalGeneration}, {1, kIllegalGeneration}}));

  // None of that disturbed the group.
  EXPECT_EQ(
      a.call<k::heartbeat_response>(k::api_key::heartbeat, 3, heartbeat_req(g, 1, m.id)).error_code,
      kNone);
  auto d = describe(a, g);
  EXPECT_EQ(d.state, "Stable");
  EXPECT_EQ(d.members.size(), 1u);
  expect_serving();
}

TEST_F(Groups, MemberSharingNoProtocolWithTheGroupGetsInconsistentGroupProtocol) {
  const std::string g = "raw-protocols";
  kafka_conn a(broker.kafka_port());
  auto m = join_alone(a, g);

  kafka_conn c(broker.kafka_port());
  // Same protocol type, assignors that share nothing with the group (KafkaJS beside librdkafka).
  auto j1 = c.call<k::join_group_response>(
      k::api_key::join_group, 3,
      join_req(g, "", {{"RoundRobinAssigner", to_bytes("x")}, {"sticky", to_bytes("y")}}));
  EXPECT_EQ(j1.error_code, kInconsistentProtocol);
  // Another protocol type with the group's assignor name.
  auto j2 = c.call<k::join_group_response>(k::api_key::join_group, 3,
                                           join_req(g, "", range_protocol(), 10000, "connect"));
  EXPECT_EQ(j2.error_code, kInconsistentProtocol);
  // No protocol at all, or no protocol type (a new group).
  EXPECT_EQ(
      c.call<k::join_group_response>(k::api_key::join_group, 3, join_req("raw-protocols-2", "", {}))
          .error_code,
      kInconsistentProtocol);
  EXPECT_EQ(
      c.call<k::join_group_response>(k::api_key::join_group, 3,
                                     join_req("raw-protocols-2", "", range_protocol(), 10000, ""))
          .error_code,
      kInconsistentProtocol);
  // A member with a common protocol among others is welcome (and the group keeps "range").
  int32_t corr =
      c.send(k::api_key::join_group, 3, join_req(g, "", {{"roundrobin", {}}, {"range", {}}}));
  EXPECT_EQ(heartbeat_until_rebalance(a, g, m), kRebalanceInProgress);
  auto ja = a.call<k::join_group_response>(k::api_key::join_group, 5,
                                           join_req(g, m.id, range_protocol()));
  auto jc = c.receive<k::join_group_response>(corr, 3);
  EXPECT_EQ(ja.error_code, kNone);
  EXPECT_EQ(jc.error_code, kNone);
  EXPECT_EQ(ja.protocol_name, "range");
  EXPECT_EQ(jc.protocol_name, "range");
  expect_serving();
}

TEST_F(Groups, SessionTimeoutOutsideTheBrokersRangeGetsInvalidSessionTimeout) {
  kafka_conn c(broker.kafka_port());
  // group.min.session.timeout.ms=1000 (override), group.max.session.timeout.ms=1800000 (default).
  for (int16_t v : {0, 3, 5}) {
    SCOPED_TRACE("JoinGroup v" + std::to_string(v));
    EXPECT_EQ(c.call<k::join_group_response>(k::api_key::join_group, v,
                                             join_req("raw-session", "", range_protocol(), 999))
                  .error_code,
              kInvalidSessionTimeout);
    EXPECT_EQ(c.call<k::join_group_response>(k::api_key::join_group, v,
                                             join_req("raw-session", "", range_protocol(), 1800001))
                  .error_code,
              kInvalidSessionTimeout);
    EXPECT_EQ(c.call<k::join_group_response>(k::api_key::join_group, v,
                                             join_req("raw-session", "", range_protocol(), -1))
                  .error_code,
              kInvalidSessionTimeout);
  }
  // The bounds themselves are fine.
  kafka_conn a(broker.kafka_port());
  auto m = join_alone(a, "raw-session", 1000);
  EXPECT_EQ(m.generation, 1);
  expect_serving();
}

TEST_F(Groups, SessionExpiryRemovesTheMember) {
  const std::string g = "raw-expiry";
  kafka_conn a(broker.kafka_port());
  auto m = join_alone(a, g, 1000);
  ASSERT_EQ(m.generation, 1);
  // No heartbeats: the member is removed after its 1 s session, and the group is empty.
  kafka_conn c(broker.kafka_port());
  auto deadline = clock_type::now() + 15s;
  std::string state;
  while (clock_type::now() < deadline && (state = describe(c, g).state) != "Empty")
    std::this_thread::sleep_for(100ms);
  EXPECT_EQ(state, "Empty");
  EXPECT_NE(broker.log().find("member " + m.id + " left group " + g + " (session timeout)"),
            std::string::npos);
  EXPECT_EQ(
      a.call<k::heartbeat_response>(k::api_key::heartbeat, 3, heartbeat_req(g, 1, m.id)).error_code,
      kUnknownMember);
}

TEST_F(Groups, LeaderThatNeverSyncsIsExpiredAndTheFollowerRejoinsAsLeader) {
  const std::string g = "raw-dead-leader";
  kafka_conn a(broker.kafka_port()), b(broker.kafka_port());
  auto m = join_alone(a, g, 1000);  // the leader, with a 1 s session
  auto jb_corr = b.send(k::api_key::join_group, 3, join_req(g, "", range_protocol()));
  ASSERT_EQ(heartbeat_until_rebalance(a, g, m), kRebalanceInProgress);
  auto ja = a.call<k::join_group_response>(k::api_key::join_group, 5,
                                           join_req(g, m.id, range_protocol(), 1000));
  auto jb = b.receive<k::join_group_response>(jb_corr, 3);
  ASSERT_EQ(ja.error_code, kNone);
  ASSERT_EQ(jb.error_code, kNone);
  ASSERT_EQ(jb.leader, m.id);
  // Between JoinGroup and SyncGroup the assignment is in flux: commits get REBALANCE_IN_PROGRESS.
  EXPECT_EQ(commit_errors(b.call<k::offset_commit_response>(
                k::api_key::offset_commit, 7,
                commit_req(g, jb.generation_id, jb.member_id, "t", {{0, 1}}))),
            (std::map<int32_t, int16_t>{{0, kRebalanceInProgress}}));
  // The follower waits for the leader's assignments; the leader goes silent, its session expires,
  // and the waiting SyncGroup is answered REBALANCE_IN_PROGRESS.
  bool ok = false;
  auto sb = b.receive<k::sync_group_response>(
      b.send(k::api_key::sync_group, 3, sync_req(g, jb.generation_id, jb.member_id)), 3, &ok,
      15000ms);
  ASSERT_TRUE(ok);
  EXPECT_EQ(sb.error_code, kRebalanceInProgress);
  EXPECT_NE(broker.log().find("member " + m.id + " left group " + g + " (session timeout)"),
            std::string::npos);
  // The follower rejoins and leads the next generation alone.
  auto jb2 = b.call<k::join_group_response>(k::api_key::join_group, 3,
                                            join_req(g, jb.member_id, range_protocol()));
  EXPECT_EQ(jb2.error_code, kNone);
  EXPECT_EQ(jb2.generation_id, jb.generation_id + 1);
  EXPECT_EQ(jb2.leader, jb.member_id);
  ASSERT_EQ(jb2.members.size(), 1u);
  auto sb2 = b.call<k::sync_group_response>(
      k::api_key::sync_group, 3,
      sync_req(g, jb2.generation_id, jb.member_id, {{jb.member_id, to_bytes("all")}}));
  EXPECT_EQ(sb2.error_code, kNone);
  EXPECT_EQ(to_string(sb2.assignment), "all");
}

TEST_F(Groups, MemberThatDoesNotRejoinWithinTheRebalanceTimeoutIsRemoved) {
  const std::string g = "raw-slow-rejoin";
  kafka_conn a(broker.kafka_port()), b(broker.kafka_port());
  auto req_a = join_req(g, "", range_protocol(), 1000);
  req_a.rebalance_timeout_ms = 1000;
  auto first = a.call<k::join_group_response>(k::api_key::join_group, 5, req_a);
  req_a.member_id = first.member_id;
  auto ja = a.call<k::join_group_response>(k::api_key::join_group, 5, req_a);
  ASSERT_EQ(ja.error_code, kNone);
  member_state m{ja.member_id, ja.generation_id};
  ASSERT_EQ(a.call<k::sync_group_response>(k::api_key::sync_group, 3,
                                           sync_req(g, m.generation, m.id, {{m.id, {}}}))
                .error_code,
            kNone);
  auto req_b = join_req(g, "", range_protocol(), 1000);
  req_b.rebalance_timeout_ms = 1000;
  auto jb_corr = b.send(k::api_key::join_group, 3, req_b);
  // A stays alive (heartbeats every 200 ms within its 1 s session) but never rejoins: after the
  // rebalance timeout (1 s) the group goes on without it.
  ASSERT_EQ(heartbeat_until_rebalance(a, g, m), kRebalanceInProgress);
  bool ok = false;
  k::join_group_response jb;
  auto deadline = clock_type::now() + 15s;
  while (b.quiet_for(0ms) && clock_type::now() < deadline) {
    a.call<k::heartbeat_response>(k::api_key::heartbeat, 3, heartbeat_req(g, m.generation, m.id));
    std::this_thread::sleep_for(200ms);
  }
  jb = b.receive<k::join_group_response>(jb_corr, 3, &ok, 1000ms);
  ASSERT_TRUE(ok);
  EXPECT_EQ(jb.error_code, kNone);
  EXPECT_EQ(jb.leader, jb.member_id);
  ASSERT_EQ(jb.members.size(), 1u) << "the member that did not rejoin is not in the new generation";
  EXPECT_NE(
      broker.log().find("member " + m.id + " of group " + g + " did not rejoin in time; removed"),
      std::string::npos);
  EXPECT_EQ(
      a.call<k::heartbeat_response>(k::api_key::heartbeat, 3, heartbeat_req(g, m.generation, m.id))
          .error_code,
      kUnknownMember);
}

TEST_F(Groups, InitialRebalanceDelayAppliesWheneverTheGroupIsEmpty) {
  // Kafka delays the rebalance of an Empty group by group.initial.rebalance.delay.ms (200 ms here)
  // so that members starting together land in one generation -- for a new group and for one whose
  // members all left (consumers restarted).
  const std::string g = "raw-initial-delay";
  kafka_conn a(broker.kafka_port()), b(broker.kafka_port());
  auto join_two = [&] {
    int32_t ca = a.send(k::api_key::join_group, 3, join_req(g, "", range_protocol("a")));
    int32_t cb = b.send(k::api_key::join_group, 3, join_req(g, "", range_protocol("b")));
    bool ok_a = false, ok_b = false;
    auto ja = a.receive<k::join_group_response>(ca, 3, &ok_a, 15000ms);
    std::optional<k::join_group_response> jb;
    if (!b.quiet_for(2000ms)) jb = b.receive<k::join_group_response>(cb, 3, &ok_b);
    return std::make_pair(ja, jb);
  };
  auto [ja1, jb1] = join_two();
  ASSERT_TRUE(jb1) << "a new group: both members should be in its first generation";
  EXPECT_EQ(ja1.generation_id, 1);
  EXPECT_EQ(jb1->generation_id, 1);
  // Both leave: the group is Empty.
  for (auto* j : {&ja1, &*jb1}) {
    k::leave_group_request l;
    l.group_id = g;
    l.member_id = j->member_id;
    EXPECT_EQ(a.call<k::leave_group_response>(k::api_key::leave_group, 1, l).error_code, kNone);
  }
  ASSERT_EQ(describe(a, g).state, "Empty");
  // Two members start together again.
  auto [ja2, jb2] = join_two();
  ASSERT_TRUE(jb2) << "the second member's join waits for another generation: the first completed "
                      "alone at once, "
                      "generation "
                   << ja2.generation_id << " with " << ja2.members.size() << " member(s)";
  EXPECT_EQ(ja2.generation_id, 2);
  EXPECT_EQ(jb2->generation_id, 2);
  EXPECT_EQ(ja2.members.size() + jb2->members.size(), 2u) << "the leader gets both members";
}

TEST_F(Groups, StaticMembershipIsRefusedWithInvalidRequestAndALogLine) {
  const std::string g = "raw-static";
  kafka_conn c(broker.kafka_port());
  auto req = join_req(g, "", range_protocol());
  req.group_instance_id = "instance-7";
  auto j = c.call<k::join_group_response>(k::api_key::join_group, 5, req);
  EXPECT_EQ(j.error_code, kInvalidRequest);
  EXPECT_NE(broker.log().find("refusing static member instance-7 of group " + g +
                              ": group.instance.id is not supported"),
            std::string::npos)
      << broker.log();
  // A dynamic member of the same group is served.
  auto m = join_alone(c, g);
  EXPECT_EQ(m.generation, 1);
  expect_serving();
}

TEST_F(Groups, OversizedProtocolMetadataIsHandledAndTheNodeServesOn) {
  const std::string g = "raw-big-metadata";
  const bytes big(1 << 20, 0x5a);  // 1 MiB of subscription metadata
  kafka_conn c(broker.kafka_port());
  auto first =
      c.call<k::join_group_response>(k::api_key::join_group, 5, join_req(g, "", {{"range", big}}));
  ASSERT_EQ(first.error_code, kMemberIdRequired);
  auto j = c.call<k::join_group_response>(k::api_key::join_group, 5,
                                          join_req(g, first.member_id, {{"range", big}}));
  // Either accepted (then the leader gets it back whole) or refused with an error; never a crash.
  if (j.error_code == kNone) {
    ASSERT_EQ(j.members.size(), 1u);
    EXPECT_EQ(j.members[0].metadata, big);
    auto s = c.call<k::sync_group_response>(
        k::api_key::sync_group, 3, sync_req(g, j.generation_id, j.member_id, {{j.member_id, big}}));
    EXPECT_EQ(s.error_code, kNone);
    EXPECT_EQ(s.assignment.size(), big.size());
    auto d = describe(c, g);
    ASSERT_EQ(d.members.size(), 1u);
    EXPECT_EQ(d.members[0].metadata.size(), big.size());
  }
  // 8 MiB under 200 protocols on another connection, then the same group again.
  kafka_conn c2(broker.kafka_port());
  std::vector<k::join_group_request::protocol> many;
  for (int i = 0; i < 200; ++i)
    many.push_back({"assignor-" + std::to_string(i), bytes(40 << 10, uint8_t(i))});
  bool answered = false;
  auto j2 = c2.receive<k::join_group_response>(
      c2.send(k::api_key::join_group, 3, join_req(g + "-2", "", many)), 3, &answered);
  EXPECT_TRUE(answered) << "no JoinGroup answer to 8 MiB of protocols";
  if (j2.error_code == kNone) {
    ASSERT_EQ(j2.members.size(), 1u);
    EXPECT_EQ(j2.protocol_name, "assignor-0");
    EXPECT_EQ(j2.members[0].metadata, bytes(40 << 10, 0));
  }
  expect_serving();
  auto m = join_alone(c2, g + "-3");
  EXPECT_EQ(m.generation, 1);
}

TEST_F(Groups, SimpleCommitOnAnEmptyGroupAndFetchOfNothingCommitted) {
  create_topic("simple-t", 3);
  // OffsetFetch of partitions nothing was committed for: offset -1, error 0 (group unknown, too).
  EXPECT_EQ(fetch_offsets("simple", "simple-t", {0, 1, 2}),
            (std::map<int32_t, int64_t>{{0, -1}, {1, -1}, {2, -1}}));
  // assign() + commit: generation -1 and no member id on an empty group are accepted.
  EXPECT_EQ(
      commit(commit_req("simple", -1, "", "simple-t", {{0, 5}, {1, 7}}, std::string("meta-0"))),
      (std::map<int32_t, int16_t>{{0, kNone}, {1, kNone}}));
  EXPECT_EQ(fetch_offsets("simple", "simple-t", {0, 1, 2}),
            (std::map<int32_t, int64_t>{{0, 5}, {1, 7}, {2, -1}}));

  kafka_conn c(broker.kafka_port());
  // OffsetFetch v1 (per-partition errors only) and the committed metadata.
  auto v1 = c.call<k::offset_fetch_response>(k::api_key::offset_fetch, 1,
                                             offset_fetch_v1_request{"simple", "simple-t", {0, 2}});
  ASSERT_EQ(v1.topics.size(), 1u);
  ASSERT_EQ(v1.topics[0].partitions.size(), 2u);
  EXPECT_EQ(v1.topics[0].partitions[0].offset, 5);
  EXPECT_EQ(v1.topics[0].partitions[0].metadata, std::optional<std::string>("meta-0"));
  EXPECT_EQ(v1.topics[0].partitions[0].error_code, kNone);
  EXPECT_EQ(v1.topics[0].partitions[1].offset, -1);
  EXPECT_EQ(v1.topics[0].partitions[1].error_code, kNone);
  // OffsetFetch v2+ with null topics: everything the group committed.
  k::offset_fetch_request all;
  all.group_id = "simple";
  auto v3 = c.call<k::offset_fetch_response>(k::api_key::offset_fetch, 3, all);
  EXPECT_EQ(v3.error_code, kNone);
  std::map<int32_t, int64_t> everything;
  for (const auto& t : v3.topics)
    for (const auto& p : t.partitions)
      if (t.name == "simple-t") everything[p.index] = p.offset;
  EXPECT_EQ(everything, (std::map<int32_t, int64_t>{{0, 5}, {1, 7}}));

  // Once the group has a member, a commit from outside it is refused (UNKNOWN_MEMBER_ID), while the
  // member's own commit with its generation is stored.
  kafka_conn a(broker.kafka_port());
  auto m = join_alone(a, "simple");
  EXPECT_EQ(commit(commit_req("simple", -1, "", "simple-t", {{2, 1}})),
            (std::map<int32_t, int16_t>{{2, kUnknownMember}}));
  EXPECT_EQ(commit(commit_req("simple", m.generation, m.id, "simple-t", {{2, 9}})),
            (std::map<int32_t, int16_t>{{2, kNone}}));
  EXPECT_EQ(fetch_offsets("simple", "simple-t", {0, 1, 2}),
            (std::map<int32_t, int64_t>{{0, 5}, {1, 7}, {2, 9}}));
  expect_serving();
}

TEST_F(Groups, BadInputDoesNotDisturbAStableMember) {
  // A member that keeps heartbeating through everything above, on one node: it stays in its
  // generation while other connections send bad group requests.
  const std::string g = "raw-steady";
  kafka_conn a(broker.kafka_port());
  auto m = join_alone(a, g);
  kafka_conn x(broker.kafka_port());
  x.call<k::join_group_response>(k::api_key::join_group, 5, join_req(g, "bogus", range_protocol()));
  x.call<k::join_group_response>(k::api_key::join_group, 3, join_req(g, "", {{"other", {}}}));
  x.call<k::join_group_response>(k::api_key::join_group, 3, join_req(g, "", range_protocol(), 10));
  x.call<k::heartbeat_response>(k::api_key::heartbeat, 3, heartbeat_req(g, 99, "bogus"));
  x.call<k::sync_group_response>(k::api_key::sync_group, 3,
                                 sync_req(g, 99, m.id, {{m.id, to_bytes("stolen")}}));
  auto empty_group =
      x.call<k::join_group_response>(k::api_key::join_group, 3, join_req("", "", range_protocol()));
  EXPECT_NE(empty_group.error_code, kNone) << "an empty group id";
  EXPECT_EQ(
      a.call<k::heartbeat_response>(k::api_key::heartbeat, 3, heartbeat_req(g, m.generation, m.id))
          .error_code,
      kNone);
  auto s =
      a.call<k::sync_group_response>(k::api_key::sync_group, 3, sync_req(g, m.generation, m.id));
  EXPECT_EQ(s.error_code, kNone);
  EXPECT_EQ(to_string(s.assignment), "mine")
      << "a wrong-generation SyncGroup must not replace the assignment";
  expect_serving();
}

// ---- committed offsets across restarts
// -----------------------------------------------------------

TEST_F(Groups, CommittedOffsetsSurviveSigtermAndSigkillOfBrookd) {
  const std::string t = "durable-offsets", g = "durable-group";
  create_topic(t, 3);
  fill(t, 3, 10);
  const std::vector<actors::topic_partition> tps{{t, 0}, {t, 1}, {t, 2}};

  // What the group committed, three ways: OffsetFetch (Kafka), the native consumer's committed(),
  // and `brook group describe`.
  auto check_committed = [&](const std::map<int32_t, int64_t>& want, const char* when) {
    SCOPED_TRACE(when);
    EXPECT_EQ(fetch_offsets(g, t, {0, 1, 2}), want);
    auto c = group_consumer(g, "checker");
    ASSERT_TRUE(c);
    std::map<int32_t, int64_t> native;
    for (const auto& tp : tps) {
      auto o = c->committed(tp);
      ASSERT_TRUE(o) << o.error().to_string();
      native[tp.partition] = *o;
    }
    EXPECT_EQ(native, want);
    auto d = brook({"group", "describe", g});
    ASSERT_EQ(d.exit_code, 0) << d.err;
    auto parsed = parse_describe(d.out, t);
    EXPECT_EQ(parsed.state, "Empty");
    std::map<int32_t, int64_t> shown;
    for (const auto& [p, row] : parsed.rows)
      shown[p] = row.at(0) == "-" ? -1 : std::stoll(row.at(0));
    EXPECT_EQ(shown, want) << d.out;
  };
  // A member of the group consumes from the committed offsets to the end and commits there.
  auto resume = [&](const std::map<int32_t, int64_t>& from, const char* when) {
    SCOPED_TRACE(when);
    auto c = group_consumer(g, "resumer");
    ASSERT_TRUE(c);
    ASSERT_TRUE(c->subscribe({t}));
    size_t want = 0;
    for (auto [p, o] : from) want += size_t(10 - o);
    auto got = poll_records(*c, want);
    for (auto [p, o] : from) {
      std::vector<int64_t> expect;
      for (int64_t i = o; i < 10; ++i) expect.push_back(i);
      EXPECT_EQ(got[p], expect) << "partition " << p;
    }
    ASSERT_TRUE(c->commit_sync());
    c->close();
  };

  {
    auto c = group_consumer(g, "first");
    ASSERT_TRUE(c);
    ASSERT_TRUE(c->subscribe({t}));
    wait_assigned(*c, 3);
    auto st = c->commit_sync({{{t, 0}, 4}, {{t, 1}, 7}, {{t, 2}, 0}});
    ASSERT_TRUE(st) << st.to_string();
    c->close();
  }
  const std::map<int32_t, int64_t> first{{0, 4}, {1, 7}, {2, 0}};
  check_committed(first, "before any restart");

  ASSERT_EQ(broker.terminate(), 0) << broker.log();
  ASSERT_TRUE(broker.start()) << broker.log();
  check_committed(first, "after SIGTERM and restart");
  resume(first, "resuming after SIGTERM");
  const std::map<int32_t, int64_t> ends{{0, 10}, {1, 10}, {2, 10}};
  check_committed(ends, "after resuming");

  // Commit something else, then SIGKILL: acknowledged commits are durable.
  {
    auto c = group_consumer(g, "second");
    ASSERT_TRUE(c);
    auto st = c->commit_sync(
        {{{t, 0}, 2}, {{t, 1}, 9}, {{t, 2}, 5}});  // assign() + commit, generation -1
    ASSERT_TRUE(st) << st.to_string();
  }
  broker.kill9();
  ASSERT_TRUE(broker.start()) << broker.log();
  const std::map<int32_t, int64_t> second{{0, 2}, {1, 9}, {2, 5}};
  check_committed(second, "after SIGKILL and restart");
  resume(second, "resuming after SIGKILL");
  EXPECT_NE(broker.log().find("loaded 3 committed offset(s)"), std::string::npos) << broker.log();
}

// ---- brook group list | describe | reset-offsets ------------------------------------------------

TEST_F(Groups, CliListDescribeAndResetOffsets) {
  const std::string t = "cli-groups", g = "cli-group";
  create_topic(t, 3);
  fill(t, 3, 10);

  auto missing = brook({"group", "describe", "no-such-group"});
  EXPECT_EQ(missing.exit_code, 1);
  EXPECT_EQ(missing.err, "brook: group 'no-such-group' does not exist\n");

  auto c = group_consumer(g, "cli-member");
  ASSERT_TRUE(c);
  ASSERT_TRUE(c->subscribe({t}));
  wait_assigned(*c, 3);
  ASSERT_TRUE(c->commit_sync({{{t, 0}, 3}, {{t, 1}, 10}}));

  auto list = brook({"group", "list"});
  ASSERT_EQ(list.exit_code, 0) << list.err;
  EXPECT_NE(list.out.find(g + "\tStable\n"), std::string::npos) << list.out;

  auto desc = brook({"group", "describe", g});
  ASSERT_EQ(desc.exit_code, 0) << desc.err;
  auto d = parse_describe(desc.out, t);
  EXPECT_EQ(d.state, "Stable");
  EXPECT_EQ(d.protocol, "range");
  EXPECT_EQ(d.members, 1);
  ASSERT_EQ(d.rows.size(), 3u) << desc.out;
  // CURRENT-OFFSET, LOG-END-OFFSET, LAG, then the owner (member id ... client id).
  EXPECT_EQ(std::vector<std::string>(d.rows[0].begin(), d.rows[0].begin() + 3),
            (std::vector<std::string>{"3", "10", "7"}));
  EXPECT_EQ(std::vector<std::string>(d.rows[1].begin(), d.rows[1].begin() + 3),
            (std::vector<std::string>{"10", "10", "0"}));
  EXPECT_EQ(std::vector<std::string>(d.rows[2].begin(), d.rows[2].begin() + 3),
            (std::vector<std::string>{"-", "10", "-"}));
  for (auto& [p, row] : d.rows) {
    ASSERT_GE(row.size(), 5u) << desc.out;
    EXPECT_EQ(row.back(), "cli-member") << "partition " << p;
    EXPECT_EQ(row[3].rfind("cli-member-", 0), 0u) << "member id of partition " << p;
  }

  // While the group has a member, reset-offsets refuses with one clear line and changes nothing.
  auto busy = brook({"group", "reset-offsets", g, "--topic", t, "--to-earliest", "--execute"});
  EXPECT_EQ(busy.exit_code, 1);
  EXPECT_EQ(busy.err, "brook: group '" + g +
                          "' has active members; stop its consumers before resetting offsets\n");
  EXPECT_EQ(fetch_offsets(g, t, {0, 1, 2}), (std::map<int32_t, int64_t>{{0, 3}, {1, 10}, {2, -1}}));

  c->close();
  c.reset();
  list = brook({"group", "list"});
  EXPECT_NE(list.out.find(g + "\tEmpty\n"), std::string::npos) << list.out;

  // A dry run shows the plan and commits nothing.
  auto dry = brook({"group", "reset-offsets", g, "--topic", t, "--to-earliest"});
  EXPECT_EQ(dry.exit_code, 0) << dry.err;
  EXPECT_EQ(dry.out, t + "\t0\t0\n" + t + "\t1\t0\n" + t +
                         "\t2\t0\n(dry run: add --execute to commit these offsets)\n");
  EXPECT_EQ(fetch_offsets(g, t, {0, 1, 2}), (std::map<int32_t, int64_t>{{0, 3}, {1, 10}, {2, -1}}));

  auto earliest = brook({"group", "reset-offsets", g, "--topic", t, "--to-earliest", "--execute"});
  EXPECT_EQ(earliest.exit_code, 0) << earliest.err;
  EXPECT_EQ(fetch_offsets(g, t, {0, 1, 2}), (std::map<int32_t, int64_t>{{0, 0}, {1, 0}, {2, 0}}));
  d = parse_describe(brook({"group", "describe", g}).out, t);
  EXPECT_EQ(d.state, "Empty");
  EXPECT_EQ(d.members, 0);
  for (auto& [p, row] : d.rows)
    EXPECT_EQ(row, (std::vector<std::string>{"0", "10", "10", "-"})) << "partition " << p;

  auto latest = brook({"group", "reset-offsets", g, "--topic", t, "--to-latest", "--execute"});
  EXPECT_EQ(latest.exit_code, 0) << latest.err;
  EXPECT_EQ(fetch_offsets(g, t, {0, 1, 2}),
            (std::map<int32_t, int64_t>{{0, 10}, {1, 10}, {2, 10}}));
  auto one = brook({"group", "reset-offsets", g, "--topic", t, "--partition", "1", "--to-offset",
                    "6", "--execute"});
  EXPECT_EQ(one.exit_code, 0) << one.err;
  EXPECT_EQ(one.out, t + "\t1\t6\n");
  EXPECT_EQ(fetch_offsets(g, t, {0, 1, 2}), (std::map<int32_t, int64_t>{{0, 10}, {1, 6}, {2, 10}}));
  auto modes = brook({"group", "reset-offsets", g, "--topic", t, "--to-earliest", "--to-latest"});
  EXPECT_EQ(modes.exit_code, 1);
  EXPECT_EQ(modes.err, "brook: give exactly one of --to-earliest, --to-latest, --to-offset N\n");

  // A member of the group resumes where reset-offsets put it.
  auto r = group_consumer(g, "after-reset");
  ASSERT_TRUE(r);
  ASSERT_TRUE(r->subscribe({t}));
  auto got = poll_records(*r, 4);
  EXPECT_EQ(got, (std::map<int32_t, std::vector<int64_t>>{{1, {6, 7, 8, 9}}}));
  auto extra = r->poll(500ms);
  ASSERT_TRUE(extra);
  EXPECT_TRUE(extra->empty());
}

// Regression: the first commit on a node used to get COORDINATOR_LOAD_IN_PROGRESS while
// __consumer_offsets was created; it now waits for the topic.
TEST_F(Groups, ResetOffsetsOfANewGroupOnAFreshNode) {
  // Seeding a group's offsets before its consumers first start, on a node where no group has
  // committed yet (so __consumer_offsets does not exist).
  const std::string t = "seeded";
  create_topic(t, 2);
  fill(t, 2, 5);
  auto r = brook(
      {"group", "reset-offsets", "seeded-group", "--topic", t, "--to-offset", "2", "--execute"});
  EXPECT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(fetch_offsets("seeded-group", t, {0, 1}), (std::map<int32_t, int64_t>{{0, 2}, {1, 2}}));
}

TEST_F(Groups, AssignAndCommitOnAFreshNodeSucceeds) {
  // The native consumer outside any group (assign() + commit_sync()) as the first committer on a
  // node: __consumer_offsets is created on that first commit.
  const std::string t = "fresh-commit";
  create_topic(t, 1);
  auto c = group_consumer("fresh-commit-group", "fresh-committer");
  ASSERT_TRUE(c);
  ASSERT_TRUE(c->assign({{t, 0}}));
  auto st = c->commit_sync({{{t, 0}, 3}});
  ASSERT_TRUE(st) << st.to_string();
  auto o = c->committed({t, 0});
  ASSERT_TRUE(o) << o.error().to_string();
  EXPECT_EQ(*o, 3);
}

// Regression: native members joined with an empty client host.
TEST_F(Groups, DescribeShowsTheHostOfNativeMembers) {
  const std::string t = "hosts", g = "host-group";
  create_topic(t, 1);
  auto c = group_consumer(g, "host-member");
  ASSERT_TRUE(c);
  ASSERT_TRUE(c->subscribe({t}));
  wait_assigned(*c, 1);
  auto d = brook({"group", "describe", g});
  ASSERT_EQ(d.exit_code, 0) << d.err;
  auto parsed = parse_describe(d.out, t);
  ASSERT_EQ(parsed.rows.size(), 1u) << d.out;
  // CURRENT, END, LAG, member id, host, client id.
  const auto& row = parsed.rows[0];
  ASSERT_EQ(row.size(), 6u) << d.out;
  EXPECT_EQ(row[4], "/127.0.0.1");
  EXPECT_EQ(row[5], "host-member");
}
