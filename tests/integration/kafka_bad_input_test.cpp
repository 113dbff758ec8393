// Bad input on the Kafka listener, from a raw socket: truncated and mis-sized frames, unknown APIs
// and versions are closed and logged with the peer; ApiVersions of an unknown version is answered
// (v0 layout, error 35) so newer clients can step down; corrupt batches get CORRUPT_MESSAGE; acks=0
// gets no response frame; pipelined responses keep request order. After each, other connections
// and real clients are still served. Requests are built with Brook's own Kafka writer.
#include <arpa/inet.h>
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include "harness.hpp"
#include "net/kafka/codec.hpp"
#include "runtime/record_batch.hpp"

using namespace brook;
using namespace std::chrono_literals;
namespace k = brook::net::kafka;
using runtime::bytes;

namespace {

// A whole request frame (length prefix, header v1, or v2 for flexible versions, and body).
template <class Body>
bytes kafka_frame(k::api_key key, int16_t v, int32_t correlation_id, Body body) {
  bytes out(4);
  k::writer h(out, v, false);  // client_id is a classic string in every header version
  h.i16(int16_t(key));
  h.i16(v);
  h.i32(correlation_id);
  h.nstr(std::string("brook-itest"));
  const auto* api = k::find_api(int16_t(key));
  k::writer w(out, v, api && v >= api->first_flexible);
  w.tags();
  body.io(w);
  runtime::store_be32(out.data(), uint32_t(out.size() - 4));
  return out;
}

// A frame whose header names any key and version, followed by `body` as given.
bytes raw_frame(int16_t key, int16_t v, int32_t correlation_id, const bytes& body = {}) {
  bytes out(4);
  runtime::append_be16(out, uint16_t(key));
  runtime::append_be16(out, uint16_t(v));
  runtime::append_be32(out, uint32_t(correlation_id));
  runtime::append_be16(out, 0xffff);  // null client id
  out.insert(out.end(), body.begin(), body.end());
  runtime::store_be32(out.data(), uint32_t(out.size() - 4));
  return out;
}

bytes concat(std::initializer_list<bytes> parts) {
  bytes out;
  for (const auto& p : parts) out.insert(out.end(), p.begin(), p.end());
  return out;
}

using kafka_socket = itest::raw_socket;

int32_t correlation_of(const bytes& payload) {
  return int32_t(runtime::load_be32(payload.data()));
}

// The body after response header v0, read whole at version `v`.
template <class Response>
Response body_of(const bytes& payload, int16_t v, bool flexible = false) {
  Response out;
  k::reader r(payload.data() + 4, payload.size() - 4, v, flexible);
  out.io(r);
  EXPECT_TRUE(r.ok()) << r.error();
  EXPECT_EQ(r.remaining(), 0u) << "bytes left after the response body";
  return out;
}

// True if `r` lists `key` with the versions Brook's API table gives it.
bool lists_api(const k::api_versions_response& r, k::api_key key) {
  const auto* api = k::find_api(int16_t(key));
  if (!api) return false;
  for (const auto& a : r.apis)
    if (a.key == int16_t(key) && a.min == api->min_version && a.max == api->max_version)
      return true;
  return false;
}

// The node still answers: a fresh connection's ApiVersions exchange, and kcat's metadata listing.
void expect_node_answers(itest::brookd_process& b) {
  ASSERT_TRUE(b.running()) << b.log();
  kafka_socket s(b.kafka_port());
  ASSERT_TRUE(s.connected());
  s.send_bytes(kafka_frame(k::api_key::api_versions, 0, 9001, k::api_versions_request{}));
  auto f = s.read_frame();
  ASSERT_TRUE(f) << "no ApiVersions answer on a new connection";
  EXPECT_EQ(correlation_of(*f), 9001);
  auto r = body_of<k::api_versions_response>(*f, 0);
  EXPECT_EQ(r.error_code, 0);
  EXPECT_TRUE(lists_api(r, k::api_key::metadata));
  if (access("/usr/bin/kcat", X_OK) == 0) {
    auto res = itest::run({"/usr/bin/kcat", "-L", "-b", b.kafka_bootstrap(), "-m", "15"}, "", 30s);
    EXPECT_EQ(res.exit_code, 0) << res.out << res.err;
    EXPECT_NE(res.out.find("1 brokers:"), std::string::npos) << res.out << res.err;
  }
}

bytes valid_batch(const std::string& value) {
  runtime::batch_builder bb;
  bb.append(1700000000000, std::string_view("k"), std::string_view(value));
  return bb.build();
}

k::produce_request produce_of(const std::string& topic, int16_t acks,
                              std::optional<bytes> records) {
  k::produce_request p;
  p.acks = acks;
  p.timeout_ms = 5000;
  p.topics = {{topic, {{0, std::move(records)}}}};
  return p;
}

class KafkaBadInput : public ::testing::Test {
 protected:
  void SetUp() override { ASSERT_TRUE(broker.start()) << broker.log(); }
  void TearDown() override { EXPECT_EQ(broker.terminate(), 0) << broker.log(); }

  // Creates a one-partition topic through CreateTopics v0 on `s`.
  void create_topic(kafka_socket& s, const std::string& name) {
    k::create_topics_request req;
    req.topics = {{name, 1, 1, {}, {}}};
    req.timeout_ms = 10000;
    s.send_bytes(kafka_frame(k::api_key::create_topics, 0, 500, req));
    auto f = s.read_frame(30000ms);
    ASSERT_TRUE(f);
    ASSERT_EQ(correlation_of(*f), 500);
    auto r = body_of<k::create_topics_response>(*f, 0);
    ASSERT_EQ(r.topics.size(), 1u);
    ASSERT_EQ(r.topics[0].error_code, 0) << "CreateTopics " << name;
  }

  // Produce v7 on `s`; the one partition's answer.
  k::produce_response::partition produce(kafka_socket& s, int32_t corr,
                                         const k::produce_request& p) {
    s.send_bytes(kafka_frame(k::api_key::produce, 7, corr, p));
    auto f = s.read_frame(30000ms);
    EXPECT_TRUE(f) << "no Produce response";
    if (!f) return {};
    EXPECT_EQ(correlation_of(*f), corr);
    auto r = body_of<k::produce_response>(*f, 7);
    EXPECT_EQ(r.topics.size(), 1u);
    if (r.topics.size() != 1 || r.topics[0].partitions.size() != 1) return {};
    EXPECT_EQ(r.topics[0].name, p.topics[0].name);
    return r.topics[0].partitions[0];
  }

  itest::temp_dir dir;
  itest::brookd_process broker{dir.path()};
};

}  // namespace

TEST_F(KafkaBadInput, TruncatedFramesThenDisconnectLeaveOthersServed) {
  kafka_socket other(broker.kafka_port());
  ASSERT_TRUE(other.connected());
  auto request = kafka_frame(k::api_key::produce, 7, 1, produce_of("t", 1, valid_batch("v")));
  // Cut inside the length prefix, inside the header, inside the body; then the client goes away.
  for (size_t cut : {size_t(2), size_t(9), request.size() / 2, request.size() - 1}) {
    kafka_socket s(broker.kafka_port());
    ASSERT_TRUE(s.connected());
    s.send_bytes(bytes(request.begin(), request.begin() + long(cut)));
  }
  // A whole frame whose request is truncated inside: refused, closed and logged.
  {
    kafka_socket s(broker.kafka_port());
    bytes half(request.begin() + 4, request.begin() + long(request.size() / 2));
    bytes frame(4);
    runtime::store_be32(frame.data(), uint32_t(half.size()));
    frame.insert(frame.end(), half.begin(), half.end());
    s.send_bytes(frame);
    EXPECT_TRUE(s.closed_by_peer());
    auto log = broker.log();
    EXPECT_NE(log.find("[kafka] bad request from 127.0.0.1:"), std::string::npos) << log;
    EXPECT_NE(log.find("malformed Produce v7 request"), std::string::npos) << log;
    EXPECT_NE(log.find("[kafka] closing connection from 127.0.0.1:"), std::string::npos) << log;
  }
  // The connection opened before all of this still works.
  other.send_bytes(
      kafka_frame(k::api_key::metadata, 1, 2, k::metadata_request{std::nullopt, true}));
  auto f = other.read_frame();
  ASSERT_TRUE(f);
  EXPECT_EQ(correlation_of(*f), 2);
  auto md = body_of<k::metadata_response>(*f, 1);
  EXPECT_EQ(md.brokers.size(), 1u);
  expect_node_answers(broker);
}

TEST_F(KafkaBadInput, ZeroNegativeAndHugeLengthsCloseTheConnection) {
  kafka_socket other(broker.kafka_port());
  const std::vector<std::pair<bytes, std::string>> cases = {
      {{0, 0, 0, 0}, "frame length 0 outside"},
      {{0xff, 0xff, 0xff, 0xff}, "frame length -1 outside"},
      {{0x80, 0x00, 0x00, 0x00}, "frame length -2147483648 outside"},
      {{0x7f, 0xff, 0xff, 0xff}, "frame length 2147483647 outside"},
      {{0x06, 0x40, 0x00, 0x01}, "frame length 104857601 outside"},  // socket.request.max.bytes + 1
  };
  for (const auto& [len, logged] : cases) {
    SCOPED_TRACE(logged);
    kafka_socket s(broker.kafka_port());
    ASSERT_TRUE(s.connected());
    s.send_bytes(concat({len, bytes{0, 18, 0, 0, 0, 0, 0, 1}}));
    bytes answered;
    EXPECT_TRUE(s.closed_by_peer(5000ms, &answered));
    EXPECT_TRUE(answered.empty()) << "a response to a frame that was refused";
    auto log = broker.log();
    auto at = log.find(logged);
    ASSERT_NE(at, std::string::npos) << log;
    auto line_start = log.rfind('\n', at);
    std::string line = log.substr(line_start + 1, at - line_start - 1);
    EXPECT_NE(line.find("[kafka] closing connection from 127.0.0.1:"), std::string::npos) << line;
  }
  other.send_bytes(kafka_frame(k::api_key::api_versions, 2, 3, k::api_versions_request{}));
  auto f = other.read_frame();
  ASSERT_TRUE(f);
  EXPECT_EQ(correlation_of(*f), 3);
  expect_node_answers(broker);
}

TEST_F(KafkaBadInput, UnknownApiKeyClosesAndIsLogged) {
  for (int16_t key : {int16_t(9999), int16_t(4), int16_t(-1)}) {
    SCOPED_TRACE(key);
    kafka_socket s(broker.kafka_port());
    s.send_bytes(raw_frame(key, 0, 77, bytes{0, 0, 0, 0}));
    bytes answered;
    EXPECT_TRUE(s.closed_by_peer(5000ms, &answered));
    EXPECT_TRUE(answered.empty());
    auto log = broker.log();
    EXPECT_NE(log.find("[kafka] bad request from 127.0.0.1:"), std::string::npos) << log;
    EXPECT_NE(log.find("unknown API key " + std::to_string(key)), std::string::npos) << log;
  }
  EXPECT_NE(broker.log().find("[kafka] closing connection from 127.0.0.1:"), std::string::npos);
  expect_node_answers(broker);
}

TEST_F(KafkaBadInput, MetadataV99Closes) {
  kafka_socket s(broker.kafka_port());
  // A v99 request carrying a well-formed v6 body: the version alone is refused.
  k::metadata_request body{std::vector<std::string>{"t"}, false};
  auto frame = kafka_frame(k::api_key::metadata, 6, 5, body);
  runtime::store_be16(frame.data() + 6, 99);
  s.send_bytes(frame);
  bytes answered;
  EXPECT_TRUE(s.closed_by_peer(5000ms, &answered));
  EXPECT_TRUE(answered.empty());
  auto log = broker.log();
  EXPECT_NE(log.find("[kafka] bad request from 127.0.0.1:"), std::string::npos) << log;
  EXPECT_NE(log.find("Metadata version 99 is not supported (0-6)"), std::string::npos) << log;
  expect_node_answers(broker);
}

TEST_F(KafkaBadInput, ApiVersionsV99IsAnsweredInTheV0LayoutAndTheConnectionStays) {
  kafka_socket s(broker.kafka_port());
  // A newer client's ApiVersions (flexible body: compact strings and tags).
  s.send_bytes(kafka_frame(k::api_key::api_versions, 99, 21,
                           k::api_versions_request{"future-client", "9.9"}));
  auto f = s.read_frame();
  ASSERT_TRUE(f) << broker.log();
  EXPECT_EQ(correlation_of(*f), 21);
  auto r = body_of<k::api_versions_response>(*f, 0);  // v0: int32 count, no throttle, no tags
  EXPECT_EQ(r.error_code, 35);
  EXPECT_TRUE(lists_api(r, k::api_key::api_versions));
  EXPECT_EQ(r.apis.size(), k::supported_apis().size());
  // The same connection answers the retry at v0, then a v3 (flexible body, header v0).
  s.send_bytes(kafka_frame(k::api_key::api_versions, 0, 22, k::api_versions_request{}));
  f = s.read_frame();
  ASSERT_TRUE(f) << "connection closed after the unsupported ApiVersions";
  EXPECT_EQ(correlation_of(*f), 22);
  EXPECT_EQ(body_of<k::api_versions_response>(*f, 0).error_code, 0);
  s.send_bytes(
      kafka_frame(k::api_key::api_versions, 3, 23, k::api_versions_request{"brook-itest", "1.0"}));
  f = s.read_frame();
  ASSERT_TRUE(f);
  EXPECT_EQ(correlation_of(*f), 23);
  auto v3 = body_of<k::api_versions_response>(*f, 3, true);
  EXPECT_EQ(v3.error_code, 0);
  EXPECT_TRUE(lists_api(v3, k::api_key::produce));
  EXPECT_NE(broker.log().find("ApiVersions version 99 is not supported"), std::string::npos);
  expect_node_answers(broker);
}

TEST_F(KafkaBadInput, CorruptCrcBatchGetsCorruptMessage) {
  kafka_socket s(broker.kafka_port());
  ASSERT_NO_FATAL_FAILURE(create_topic(s, "crc"));
  auto batch = valid_batch("value");
  batch.back() ^= 0x5a;  // a record byte under the CRC
  auto p = produce(s, 31, produce_of("crc", 1, batch));
  EXPECT_EQ(p.error_code, 2) << "CORRUPT_MESSAGE";
  EXPECT_EQ(p.index, 0);
  // A batch cut short and null records are corrupt too, and the connection stays usable.
  auto cut = valid_batch("value");
  cut.resize(30);
  EXPECT_EQ(produce(s, 32, produce_of("crc", 1, cut)).error_code, 2);
  EXPECT_EQ(produce(s, 33, produce_of("crc", 1, std::nullopt)).error_code, 2);
  // Nothing was stored: the first good batch lands at offset 0.
  auto good = produce(s, 34, produce_of("crc", 1, valid_batch("good")));
  EXPECT_EQ(good.error_code, 0);
  EXPECT_EQ(good.base_offset, 0) << "a rejected batch was stored";
  expect_node_answers(broker);
}

TEST_F(KafkaBadInput, AcksZeroGetsNoResponseFrame) {
  kafka_socket s(broker.kafka_port());
  ASSERT_NO_FATAL_FAILURE(create_topic(s, "quiet"));
  s.send_bytes(kafka_frame(k::api_key::produce, 7, 41,
                           produce_of("quiet", 0, valid_batch("fire and forget"))));
  s.send_bytes(kafka_frame(k::api_key::metadata, 1, 42,
                           k::metadata_request{std::vector<std::string>{"quiet"}, true}));
  auto f = s.read_frame();
  ASSERT_TRUE(f);
  EXPECT_EQ(correlation_of(*f), 42)
      << "the first response must be the Metadata's: acks=0 gets none";
  auto md = body_of<k::metadata_response>(*f, 1);
  ASSERT_EQ(md.topics.size(), 1u);
  EXPECT_EQ(md.topics[0].name, "quiet");
  // The acks=0 batch was stored before this one (same connection, same partition, in order).
  auto p = produce(s, 43, produce_of("quiet", 1, valid_batch("acknowledged")));
  EXPECT_EQ(p.error_code, 0);
  EXPECT_EQ(p.base_offset, 1);
  // acks=0 to a topic that does not exist gets no frame either.
  s.send_bytes(kafka_frame(k::api_key::produce, 7, 44,
                           produce_of("no-such-topic-xyz", 0, valid_batch("lost"))));
  s.send_bytes(kafka_frame(k::api_key::api_versions, 0, 45, k::api_versions_request{}));
  f = s.read_frame();
  ASSERT_TRUE(f);
  EXPECT_EQ(correlation_of(*f), 45);
  expect_node_answers(broker);
}

TEST_F(KafkaBadInput, PipelinedResponsesComeBackInRequestOrder) {
  kafka_socket s(broker.kafka_port());
  // kafka-python's opening: ApiVersions v0 and Metadata v0, then Metadata v1, back to back.
  s.send_bytes(
      concat({kafka_frame(k::api_key::api_versions, 0, 51, k::api_versions_request{}),
              kafka_frame(k::api_key::metadata, 0, 52,
                          k::metadata_request{std::vector<std::string>{}, true}),
              kafka_frame(k::api_key::metadata, 1, 53, k::metadata_request{std::nullopt, true})}));
  for (int32_t want : {51, 52, 53}) {
    auto f = s.read_frame();
    ASSERT_TRUE(f) << "missing response " << want;
    ASSERT_EQ(correlation_of(*f), want);
    if (want == 51) {
      EXPECT_EQ(body_of<k::api_versions_response>(*f, 0).error_code, 0);
    } else {
      auto md = body_of<k::metadata_response>(*f, want == 52 ? 0 : 1);
      ASSERT_EQ(md.brokers.size(), 1u);
      if (want == 53) {
        EXPECT_EQ(md.controller_id, md.brokers[0].node_id);
      }
    }
  }
  // A slow request first (Metadata auto-creating a topic) and fast ones behind it.
  s.send_bytes(
      concat({kafka_frame(k::api_key::metadata, 4, 61,
                          k::metadata_request{std::vector<std::string>{"made-on-demand"}, true}),
              kafka_frame(k::api_key::api_versions, 0, 62, k::api_versions_request{}),
              kafka_frame(k::api_key::api_versions, 3, 63, k::api_versions_request{"x", "1"}),
              kafka_frame(k::api_key::metadata, 1, 64,
                          k::metadata_request{std::vector<std::string>{}, true}),
              kafka_frame(k::api_key::api_versions, 1, 65, k::api_versions_request{})}));
  for (int32_t want : {61, 62, 63, 64, 65}) {
    auto f = s.read_frame(30000ms);
    ASSERT_TRUE(f) << "missing response " << want;
    EXPECT_EQ(correlation_of(*f), want);
  }
  expect_node_answers(broker);
}
