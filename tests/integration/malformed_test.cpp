// Malformed native frames from a raw socket get an error or a closed connection, are logged with
// the peer, and never take the node down or disturb other connections.
#include <arpa/inet.h>
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include "harness.hpp"
#include "net/native_client.hpp"
#include "runtime/record_batch.hpp"

using namespace brook;
using namespace std::chrono_literals;

namespace {

// The harness's raw socket, reading native frames.
class raw_socket : public itest::raw_socket {
 public:
  using itest::raw_socket::raw_socket;
  std::optional<net::native_frame> read_native(std::chrono::milliseconds timeout = 5000ms) {
    auto p = read_frame(timeout);
    if (!p) return std::nullopt;
    buf_ = std::move(*p);
    auto f = net::decode_frame(buf_.data(), buf_.size());
    if (!f) return std::nullopt;
    return std::move(*f);
  }

 private:
  runtime::bytes buf_;
};

runtime::bytes payload_of(const runtime::bytes& frame) { return runtime::bytes(frame.begin() + 4, frame.end()); }

// The node still serves a normal client: create, produce, fetch.
void expect_node_serves(itest::brookd_process& b, const std::string& topic) {
  ASSERT_TRUE(b.running());
  auto c = net::native_client::connect(runtime::endpoint{"127.0.0.1", b.port()}, 5s);
  ASSERT_TRUE(c) << c.error().to_string();
  auto md = (*c)->call<net::metadata_response>(net::native_type::metadata, net::metadata_request{{topic}, false, true});
  ASSERT_TRUE(md);
  runtime::batch_builder bb;
  bb.append(1, std::string_view("k"), std::string_view("still alive"));
  auto resp = (*c)->call<net::produce_response>(net::native_type::produce,
                                                net::produce_request{topic, 0, 1, 5000, bb.build()});
  ASSERT_TRUE(resp);
  EXPECT_EQ(resp->error, runtime::errc::none) << resp->message;
  auto f = (*c)->call<net::fetch_response>(net::native_type::fetch, net::fetch_request{topic, 0, resp->base_offset, 1 << 20, 1, 0});
  ASSERT_TRUE(f);
  auto recs = runtime::decode_records(f->records.data(), f->records.size());
  ASSERT_TRUE(recs);
  EXPECT_EQ(recs->back().value, "still alive");
}

class Malformed : public ::testing::Test {
 protected:
  void SetUp() override { ASSERT_TRUE(broker.start()) << broker.log(); }
  void TearDown() override { EXPECT_EQ(broker.terminate(), 0) << broker.log(); }
  itest::temp_dir dir;
  itest::brookd_process broker{dir.path()};
};

}  // namespace

TEST_F(Malformed, ZeroLengthFrameClosesTheConnection) {
  raw_socket s(broker.port());
  ASSERT_TRUE(s.connected());
  s.send_bytes({0, 0, 0, 0});
  EXPECT_TRUE(s.closed_by_peer());
  EXPECT_NE(broker.log().find("frame length 0"), std::string::npos);
  expect_node_serves(broker, "after-zero");
}

TEST_F(Malformed, NegativeAndHugeLengthsCloseTheConnection) {
  for (runtime::bytes len : {runtime::bytes{0xff, 0xff, 0xff, 0xff}, runtime::bytes{0x7f, 0xff, 0xff, 0xff}}) {
    raw_socket s(broker.port());
    s.send_bytes(len);
    EXPECT_TRUE(s.closed_by_peer());
  }
  auto log = broker.log();
  EXPECT_NE(log.find("frame length -1"), std::string::npos) << log;
  EXPECT_NE(log.find("closing connection from 127.0.0.1:"), std::string::npos) << "logged with the peer";
  expect_node_serves(broker, "after-huge");
}

TEST_F(Malformed, GarbageMsgpackGetsAnErrorFrameThenClose) {
  raw_socket s(broker.port());
  s.send_frame({0xc1, 0xc1, 0xc1, 0x00, 0x01});
  auto f = s.read_native();
  ASSERT_TRUE(f.has_value());
  EXPECT_EQ(f->kind(), net::native_type::error);
  auto body = net::body_as<net::status_response>(*f);
  ASSERT_TRUE(body);
  EXPECT_EQ(body->error, runtime::errc::invalid_request);
  EXPECT_TRUE(s.closed_by_peer());
  EXPECT_NE(broker.log().find("malformed frame from 127.0.0.1:"), std::string::npos);
  expect_node_serves(broker, "after-garbage");
}

TEST_F(Malformed, UnknownTypeAndWrongFieldTypesGetErrorsAndTheConnectionStays) {
  raw_socket s(broker.port());
  s.send_frame(payload_of(net::encode_frame(99, 5, std::string("x"))));
  auto f = s.read_native();
  ASSERT_TRUE(f.has_value());
  EXPECT_EQ(f->correlation_id, 5u);
  EXPECT_EQ(f->kind(), net::native_type::error);
  EXPECT_NE(net::body_as<net::status_response>(*f)->message.find("unknown message type 99"), std::string::npos);
  // A produce whose body is a map of the wrong shape.
  std::map<std::string, int> wrong{{"topic", 1}};
  s.send_frame(payload_of(net::encode_request(net::native_type::produce, 6, wrong)));
  f = s.read_native();
  ASSERT_TRUE(f.has_value());
  EXPECT_EQ(f->correlation_id, 6u);
  EXPECT_EQ(net::body_as<net::status_response>(*f)->error, runtime::errc::invalid_request);
  // The same connection still answers a valid request.
  s.send_frame(payload_of(net::encode_request(net::native_type::metadata, 7, net::metadata_request{{}, true, false})));
  f = s.read_native();
  ASSERT_TRUE(f.has_value());
  EXPECT_EQ(f->correlation_id, 7u);
  EXPECT_TRUE(net::body_as<net::metadata_response>(*f));
}

TEST_F(Malformed, BadCrcBatchIsRejectedAndNothingIsStored) {
  auto c = net::native_client::connect(runtime::endpoint{"127.0.0.1", broker.port()}, 5s);
  ASSERT_TRUE(c);
  ASSERT_TRUE((*c)->call<net::status_response>(net::native_type::create_topic, net::create_topic_request{"crc", 1, 1, {}}));
  runtime::batch_builder bb;
  bb.append(1, std::string_view("k"), std::string_view("value"));
  auto batch = bb.build();
  batch.back() ^= 0x5a;  // corrupt a record byte under the CRC
  auto r = (*c)->call<net::produce_response>(net::native_type::produce, net::produce_request{"crc", 0, 1, 5000, batch});
  ASSERT_TRUE(r);
  EXPECT_EQ(r->error, runtime::errc::corrupt_message);
  // Truncated batch and an empty one.
  batch.resize(30);
  r = (*c)->call<net::produce_response>(net::native_type::produce, net::produce_request{"crc", 0, 1, 5000, batch});
  EXPECT_EQ(r->error, runtime::errc::corrupt_message);
  r = (*c)->call<net::produce_response>(net::native_type::produce, net::produce_request{"crc", 0, 1, 5000, {}});
  EXPECT_EQ(r->error, runtime::errc::corrupt_message);
  auto end = (*c)->call<net::list_offsets_response>(net::native_type::list_offsets,
                                                    net::list_offsets_request{"crc", 0, net::latest_timestamp});
  ASSERT_TRUE(end);
  EXPECT_EQ(end->offset, 0) << "a rejected batch must not be stored";
  expect_node_serves(broker, "crc");
}

TEST_F(Malformed, TruncatedFrameThenDisconnectLeavesOthersServed) {
  raw_socket other(broker.port());
  {
    raw_socket s(broker.port());
    s.send_bytes({0, 0, 1, 0, 0x93, 0x01});  // says 256 bytes, sends 2, then goes away
  }
  // A connection opened before the bad one still works.
  other.send_frame(payload_of(net::encode_request(net::native_type::metadata, 1, net::metadata_request{{}, true, false})));
  auto f = other.read_native();
  ASSERT_TRUE(f.has_value());
  EXPECT_EQ(f->correlation_id, 1u);
  expect_node_serves(broker, "after-truncated");
}

TEST_F(Malformed, UnknownTopicAndPartitionAreErrorsNotCrashes) {
  auto c = net::native_client::connect(runtime::endpoint{"127.0.0.1", broker.port()}, 5s);
  ASSERT_TRUE(c);
  runtime::batch_builder bb;
  bb.append(1, std::nullopt, std::string_view("v"));
  auto r = (*c)->call<net::produce_response>(net::native_type::produce, net::produce_request{"nope", 0, 1, 5000, bb.build()});
  ASSERT_TRUE(r);
  EXPECT_EQ(r->error, runtime::errc::unknown_topic_or_partition);
  auto f = (*c)->call<net::fetch_response>(net::native_type::fetch, net::fetch_request{"nope", -7, 0, 100, 1, 0});
  ASSERT_TRUE(f);
  EXPECT_EQ(f->error, runtime::errc::unknown_topic_or_partition);
  auto k = (*c)->call<net::status_response>(net::native_type::kill_actor, net::kill_actor_request{"broker", "", 0});
  ASSERT_TRUE(k);
  EXPECT_EQ(k->error, runtime::errc::invalid_request);
  expect_node_serves(broker, "fine");
}
