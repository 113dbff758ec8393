#pragma once
// Shared by the consumer-group integration tests (group_protocol_test.cpp: the coordinator's state
// machine through raw Kafka requests; group_client_test.cpp: offsets across restarts, the native
// consumer and the brook group CLI): a raw Kafka connection, helpers and the Groups fixture.
// Consumer groups against a real brookd. Kafka group requests are built with Brook's own Kafka
// writer (net/kafka/group_messages.hpp) and sent over raw sockets to the Kafka listener: the join /
// sync / heartbeat / leave state machine, and bad input answered with the protocol's error codes
// (UNKNOWN_MEMBER_ID 25, ILLEGAL_GENERATION 22, INCONSISTENT_GROUP_PROTOCOL 23,
// INVALID_SESSION_TIMEOUT 26, MEMBER_ID_REQUIRED 79, FENCED_INSTANCE_ID 82 for replaced static members) with
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

#include "actors/client/consumer.hpp"
#include "harness.hpp"
#include "net/kafka/codec.hpp"

using namespace brook;
using namespace std::chrono_literals;
namespace k = brook::net::kafka;
using runtime::bytes;
using clock_type = std::chrono::steady_clock;

namespace group_tests {

// Kafka error codes the tests expect.
constexpr int16_t kNone = 0, kLoadInProgress = 14, kCoordinatorNotAvailable = 15, kNotCoordinator = 16,
                  kIllegalGeneration = 22,
                  kInconsistentProtocol = 23, kUnknownMember = 25, kInvalidSessionTimeout = 26,
                  kRebalanceInProgress = 27, kInvalidRequest = 42, kMemberIdRequired = 79,
                  kNonEmptyGroup = 68, kGroupIdNotFound = 69, kGroupSubscribedToTopic = 86;

// The coordinator errors a Kafka client retries: loading, not (yet) known, moved.
inline bool coordinator_retriable(int16_t e) {
  return e == kLoadInProgress || e == kCoordinatorNotAvailable || e == kNotCoordinator;
}

const std::vector<std::string> kOverrides{"group.initial.rebalance.delay.ms=200",
                                          "group.min.session.timeout.ms=1000"};

inline bytes to_bytes(const std::string& s) {
  return bytes(s.begin(), s.end());
}
inline std::string to_string(const bytes& b) {
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
    flexible_ = api && v >= api->first_flexible;
    k::writer w(out, v, flexible_);
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
    // A flexible response (of the last request sent) has response header v1: an empty tag section.
    size_t header = flexible_ ? 5 : 4;
    if (flexible_) EXPECT_EQ((*payload)[4], 0) << "response header v1 without its empty tags";
    k::reader r(payload->data() + header, payload->size() - header, v, flexible_);
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
  bool flexible_ = false;  // the last request was sent in a flexible version
};

inline k::join_group_request join_req(const std::string& group, const std::string& member_id,
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

inline std::vector<k::join_group_request::protocol> range_protocol(
    const std::string& meta = "subscription") {
  return {{"range", to_bytes(meta)}};
}

inline k::heartbeat_request heartbeat_req(const std::string& group, int32_t generation,
                                   const std::string& member) {
  k::heartbeat_request r;
  r.group_id = group;
  r.generation_id = generation;
  r.member_id = member;
  return r;
}

inline k::sync_group_request sync_req(const std::string& group, int32_t generation,
                               const std::string& member,
                               std::vector<k::sync_group_request::assignment> assignments = {}) {
  k::sync_group_request r;
  r.group_id = group;
  r.generation_id = generation;
  r.member_id = member;
  r.assignments = std::move(assignments);
  return r;
}

inline k::offset_commit_request commit_req(const std::string& group, int32_t generation,
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

inline k::offset_fetch_request fetch_req(const std::string& group, const std::string& topic,
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
inline std::map<int32_t, int16_t> commit_errors(const k::offset_commit_response& r) {
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
  void SetUp() override {
    ASSERT_TRUE(broker.start()) << broker.log();
    coordinator_ready();
  }

  // As a Kafka client does: FindCoordinator until it answers (the first one creates
  // __consumer_offsets), then wait until the broker coordinates the groups of every partition,
  // so raw requests that follow are served at once.
  void coordinator_ready() {
    kafka_conn c(broker.kafka_port());
    ASSERT_TRUE(c.connected());
    k::find_coordinator_request f;
    f.key = "probe";
    ASSERT_TRUE(itest::eventually(
        [&] {
          return c.call<k::find_coordinator_response>(k::api_key::find_coordinator, 1, f).error_code == kNone;
        },
        20s));
    ASSERT_TRUE(itest::eventually(
        [&] {
          auto log = broker.log();
          size_t n = 0;
          for (size_t pos = 0; (pos = log.find("coordinating the groups of", pos)) != std::string::npos; ++pos) ++n;
          return n >= 50;
        },
        20s))
        << broker.log();
  }
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
  member_state join_alone(kafka_conn& c, const std::string& group, int32_t session_ms = 10000,
                          const std::string& subscription = "subscription") {
    member_state m;
    auto first = c.call<k::join_group_response>(
        k::api_key::join_group, 5, join_req(group, "", range_protocol(subscription), session_ms));
    EXPECT_EQ(first.error_code, kMemberIdRequired);
    EXPECT_FALSE(first.member_id.empty());
    auto j = c.call<k::join_group_response>(
        k::api_key::join_group, 5,
        join_req(group, first.member_id, range_protocol(subscription), session_ms));
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

  // OffsetFetch v5 of topic's partitions, retried as clients do while the coordinator loads
  // __consumer_offsets (after a restart it first learns which partitions it leads).
  std::map<int32_t, int64_t> fetch_offsets(const std::string& group, const std::string& topic,
                                           std::vector<int32_t> parts) {
    std::map<int32_t, int64_t> out;
    auto deadline = clock_type::now() + 30s;
    for (;;) {
      kafka_conn c(broker.kafka_port());
      auto r = c.call<k::offset_fetch_response>(k::api_key::offset_fetch, 5,
                                                fetch_req(group, topic, parts));
      if (coordinator_retriable(r.error_code) && clock_type::now() < deadline) {
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

  // OffsetCommit v7, retried while __consumer_offsets is being created or loaded.
  std::map<int32_t, int16_t> commit(const k::offset_commit_request& req) {
    auto deadline = clock_type::now() + 30s;
    for (;;) {
      kafka_conn c(broker.kafka_port());
      auto errors =
          commit_errors(c.call<k::offset_commit_response>(k::api_key::offset_commit, 7, req));
      bool loading = !errors.empty() && coordinator_retriable(errors.begin()->second);
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

  std::unique_ptr<client::consumer> group_consumer(const std::string& group,
                                                   const std::string& client_id) {
    client::consumer_config cfg;
    cfg.bootstrap_servers = broker.bootstrap();
    cfg.group_id = group;
    cfg.client_id = client_id;
    cfg.enable_auto_commit = false;
    cfg.auto_offset_reset = "earliest";
    cfg.session_timeout_ms = 6000;
    cfg.heartbeat_interval_ms = 500;
    cfg.fetch_max_wait_ms = 100;
    auto c = client::consumer::create(cfg);
    EXPECT_TRUE(c) << c.error().to_string();
    if (!c) return nullptr;
    return std::move(*c);
  }

  // Polls until `want` records arrived (or 20 s): {partition: offsets in order}.
  std::map<int32_t, std::vector<int64_t>> poll_records(client::consumer& c, size_t want) {
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
  void wait_assigned(client::consumer& c, size_t partitions) {
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

inline described parse_describe(const std::string& out, const std::string& topic) {
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

}  // namespace group_tests

using namespace group_tests;
