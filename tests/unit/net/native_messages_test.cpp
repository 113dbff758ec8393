#include <gtest/gtest.h>
#include <stdlib.h>
#include <unistd.h>

#include <memory>

#include "net/native_codec.hpp"

using namespace brook;
using namespace brook::net;

namespace {

// Encodes `in` as a frame, decodes it, and checks the envelope.
template <class T>
T round_trip(native_type t, const T& in) {
  auto frame = encode_request(t, 77, in);
  EXPECT_EQ(runtime::load_be32(frame.data()), frame.size() - 4);
  auto f = decode_frame(frame.data() + 4, frame.size() - 4);
  EXPECT_TRUE(f);
  EXPECT_EQ(f->kind(), t);
  EXPECT_FALSE(f->is_response());
  EXPECT_EQ(f->correlation_id, 77u);
  auto out = body_as<T>(*f);
  EXPECT_TRUE(out);
  return *out;
}

}  // namespace

TEST(NativeMessages, ProduceRoundTrip) {
  produce_request in{"topic", 3, -1, 1500, {1, 2, 3, 0, 255}};
  auto out = round_trip(native_type::produce, in);
  EXPECT_EQ(out.topic, "topic");
  EXPECT_EQ(out.partition, 3);
  EXPECT_EQ(out.acks, -1);
  EXPECT_EQ(out.timeout_ms, 1500);
  EXPECT_EQ(out.batch, in.batch);
  produce_response r{errc::not_leader_or_follower, "moved", 42, 7};
  auto r2 = round_trip(native_type::produce, r);
  EXPECT_EQ(r2.error, errc::not_leader_or_follower);
  EXPECT_EQ(r2.message, "moved");
  EXPECT_EQ(r2.base_offset, 42);
  EXPECT_EQ(r2.log_start_offset, 7);
}

TEST(NativeMessages, FetchRoundTrip) {
  fetch_request in{"t", 1, 99, 4096, 10, 250};
  auto out = round_trip(native_type::fetch, in);
  EXPECT_EQ(out.offset, 99);
  EXPECT_EQ(out.max_bytes, 4096);
  EXPECT_EQ(out.min_bytes, 10);
  EXPECT_EQ(out.max_wait_ms, 250);
  fetch_response r{errc::none, "", 100, 5, runtime::bytes(1000, 7)};
  auto r2 = round_trip(native_type::fetch, r);
  EXPECT_EQ(r2.high_watermark, 100);
  EXPECT_EQ(r2.records.size(), 1000u);
}

// The zero-copy fetch frame is byte for byte the frame with the records in memory, whatever
// the records' size (msgpack's bin8, bin16 and bin32 headers) and however many file parts.
TEST(NativeMessages, FetchResponseWithFilePartsIsTheSameFrame) {
  char path[] = "/tmp/brook-fetch-frame-XXXXXX";
  int fd = ::mkstemp(path);
  ASSERT_GE(fd, 0);
  ::unlink(path);
  auto owner = std::shared_ptr<int>(new int(fd), [](int* p) {
    ::close(*p);
    delete p;
  });
  runtime::bytes content(300000);
  for (size_t i = 0; i < content.size(); ++i) content[i] = uint8_t(i * 7 + i / 256);
  ASSERT_EQ(::write(fd, content.data(), content.size()), ssize_t(content.size()));
  for (size_t size : {size_t(1), size_t(200), size_t(60000), size_t(250000)}) {
    fetch_response in{errc::none, "note", 100, 5, {}, 3, 42, 90, {{7, 11}, {8, 12}}};
    size_t half = size / 2;
    in.record_files = {{owner, fd, 1000, half}, {owner, fd, 20000, size - half}};
    if (half == 0) in.record_files.erase(in.record_files.begin());
    fetch_response same = in;
    same.record_files.clear();
    same.records.assign(content.begin() + 1000, content.begin() + 1000 + long(half));
    same.records.insert(same.records.end(), content.begin() + 20000,
                        content.begin() + 20000 + long(size - half));
    auto expected = encode_response(native_type::fetch, 9, same);
    auto f = encode_fetch_response(9, in);
    ASSERT_EQ(f.files.size(), in.record_files.size());
    runtime::bytes whole;
    size_t from = 0;
    for (const auto& part : f.files) {
      whole.insert(whole.end(), f.data.begin() + long(from), f.data.begin() + long(part.at));
      whole.insert(whole.end(), content.begin() + long(part.slice.position),
                   content.begin() + long(part.slice.position + part.slice.size));
      from = part.at;
    }
    whole.insert(whole.end(), f.data.begin() + long(from), f.data.end());
    EXPECT_TRUE(whole == expected) << "records of " << size << " bytes";
  }
}

TEST(NativeMessages, MetadataRoundTrip) {
  metadata_response in;
  in.controller_id = 2;
  in.brokers = {{2, "127.0.0.1", 9093}};
  topic_info t{"a", errc::none, {{0, errc::none, 2, 5, {2, 3}, {2}}}, {{"urgency", "urgent"}}, {"urgency"}};
  in.topics = {t};
  auto out = round_trip(native_type::metadata, in);
  ASSERT_EQ(out.topics.size(), 1u);
  EXPECT_EQ(out.topics[0].partitions[0].leader_epoch, 5);
  EXPECT_EQ(out.topics[0].partitions[0].replicas, (std::vector<int32_t>{2, 3}));
  EXPECT_EQ(out.topics[0].configs.at("urgency"), "urgent");
  EXPECT_EQ(out.topics[0].overrides, (std::vector<std::string>{"urgency"}));
  EXPECT_EQ(out.brokers[0].port, 9093);
}

TEST(NativeMessages, AdminRoundTrips) {
  auto c = round_trip(native_type::create_topic, create_topic_request{"x", 6, 1, {{"retention.ms", "1"}}});
  EXPECT_EQ(c.partitions, 6);
  EXPECT_EQ(c.configs.at("retention.ms"), "1");
  EXPECT_EQ(round_trip(native_type::delete_topic, delete_topic_request{"x"}).name, "x");
  auto k = round_trip(native_type::kill_actor, kill_actor_request{"partition", "x", 2});
  EXPECT_EQ(k.kind, "partition");
  EXPECT_EQ(k.partition, 2);
  auto l = round_trip(native_type::list_offsets, list_offsets_request{"x", 0, earliest_timestamp});
  EXPECT_EQ(l.timestamp, earliest_timestamp);
}

TEST(NativeMessages, ChaosRoundTrips) {
  kill_actor_request by_path;
  by_path.path = "partition/orders-0";
  EXPECT_EQ(round_trip(native_type::kill_actor, by_path).path, "partition/orders-0");
  round_trip(native_type::list_actors, list_actors_request{});
  list_actors_response in{errc::none, "", 42, "broker 1", {{"controller", "controller", "c", 3}}};
  auto out = round_trip(native_type::list_actors, in);
  EXPECT_EQ(out.pid, 42);
  EXPECT_EQ(out.node, "broker 1");
  ASSERT_EQ(out.actors.size(), 1u);
  EXPECT_EQ(out.actors[0].path, "controller");
  EXPECT_EQ(out.actors[0].restarts, 3);
}

TEST(NativeMessages, GarbageIsAnErrorNotACrash) {
  const uint8_t garbage[] = {0xc1, 0xff, 0x00, 0x12};
  EXPECT_FALSE(decode_frame(garbage, sizeof(garbage)));
  // A huge declared array in a tiny frame must not allocate by the declared count.
  const uint8_t huge_array[] = {0xdd, 0xff, 0xff, 0xff, 0xff};
  EXPECT_FALSE(decode_frame(huge_array, sizeof(huge_array)));
  // Right envelope, wrong body type.
  auto frame = encode_request(native_type::produce, 1, std::string("not a struct"));
  auto f = decode_frame(frame.data() + 4, frame.size() - 4);
  ASSERT_TRUE(f);
  auto body = body_as<produce_request>(*f);
  ASSERT_FALSE(body);
  EXPECT_EQ(body.error().code(), errc::invalid_request);
}
