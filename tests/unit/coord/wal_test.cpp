// The coordinator's on-disk encodings (format.hpp): WAL records and snapshots.
#include <gtest/gtest.h>

#include "runtime/coord/codec.hpp"
#include "runtime/coord/snapshot.hpp"
#include "runtime/coord/wal.hpp"
#include "runtime/crc32c.hpp"

namespace brook::runtime::coord {
namespace {

using format::record_kind;

wal_record make(record_kind kind) {
  wal_record r;
  r.kind = kind;
  r.seq = 0x0102030405060708;
  switch (kind) {
    case record_kind::create:
      r.path = "/brokers/ids/1";
      r.value = std::string("v\0x", 3);
      r.session = 42;
      break;
    case record_kind::set:
      r.path = "/k";
      r.value = "value";
      r.version = 7;
      break;
    case record_kind::remove:
      r.path = "/k";
      break;
    case record_kind::open_session:
      r.session = 9;
      r.timeout_ms = 6000;
      break;
    case record_kind::close_session:
      r.session = 9;
      break;
  }
  return r;
}

TEST(coord_wal, records_round_trip) {
  for (auto kind : {record_kind::create, record_kind::set, record_kind::remove,
                    record_kind::open_session, record_kind::close_session}) {
    wal_record r = make(kind);
    bytes frame;
    encode_record(r, frame);
    ASSERT_GE(frame.size(), format::frame_header_size + format::min_record_payload);
    ASSERT_EQ(frame_length(frame.data()), frame.size() - format::frame_header_size);
    ASSERT_TRUE(frame_crc_ok(frame.data(), frame.data() + 8, frame.size() - 8));
    auto d = decode_record(frame.data() + 8, frame.size() - 8);
    ASSERT_TRUE(d.has_value()) << d.error().to_string();
    EXPECT_EQ(d->kind, r.kind);
    EXPECT_EQ(d->seq, r.seq);
    EXPECT_EQ(d->path, r.path);
    EXPECT_EQ(d->value, r.value);
    EXPECT_EQ(d->version, r.version);
    EXPECT_EQ(d->session, r.session);
    EXPECT_EQ(d->timeout_ms, r.timeout_ms);
  }
}

TEST(coord_wal, frame_layout_matches_the_documented_format) {
  bytes frame;
  encode_record(make(record_kind::remove), frame);
  const bytes payload = {3,                          // kind: remove
                         1, 2, 3, 4, 5,   6,  7, 8,  // seq, big-endian
                         0, 0, 0, 2, '/', 'k'};      // str path
  ASSERT_EQ(frame.size(), 8 + payload.size());
  EXPECT_EQ(load_be32(frame.data()), payload.size());
  EXPECT_EQ(load_be32(frame.data() + 4), crc32c(payload.data(), payload.size()));
  EXPECT_EQ(bytes(frame.begin() + 8, frame.end()), payload);
}

TEST(coord_wal, decode_rejects_malformed_payloads) {
  bytes frame;
  encode_record(make(record_kind::set), frame);
  bytes payload(frame.begin() + 8, frame.end());
  EXPECT_FALSE(decode_record(payload.data(), payload.size() - 1).has_value());  // cut short
  payload.push_back(0);
  EXPECT_FALSE(decode_record(payload.data(), payload.size()).has_value());  // trailing byte
  payload.pop_back();
  payload[0] = 99;
  auto unknown = decode_record(payload.data(), payload.size());
  ASSERT_FALSE(unknown.has_value());
  EXPECT_EQ(unknown.error().code(), errc::corrupt_message);
}

TEST(coord_snapshot, round_trips_and_rejects_corruption) {
  snapshot s;
  s.seq = 77;
  s.next_session = 5;
  s.sessions = {{2, 6000}, {4, 10000}};
  s.nodes.push_back({"/", node_data{"root", 1, 0, 0, 3}});
  s.nodes.push_back({"/a", node_data{"x", 2, 0, 1, 9}});
  s.nodes.push_back({"/a/e", node_data{std::string("\0y", 2), 0, 4, 70, 70}});
  bytes file = encode_snapshot(s);
  auto d = decode_snapshot(file.data(), file.size());
  ASSERT_TRUE(d.has_value()) << d.error().to_string();
  EXPECT_EQ(d->seq, 77);
  EXPECT_EQ(d->next_session, 5u);
  ASSERT_EQ(d->sessions.size(), 2u);
  EXPECT_EQ(d->sessions[1].id, 4u);
  EXPECT_EQ(d->sessions[1].timeout_ms, 10000);
  ASSERT_EQ(d->nodes.size(), 3u);
  EXPECT_EQ(d->nodes[2].path, "/a/e");
  EXPECT_EQ(d->nodes[2].data.value, std::string("\0y", 2));
  EXPECT_EQ(d->nodes[2].data.ephemeral_session, 4u);
  EXPECT_EQ(d->nodes[1].data.modified_seq, 9);

  bytes flipped = file;
  flipped[flipped.size() / 2] ^= 0x01;
  EXPECT_EQ(decode_snapshot(flipped.data(), flipped.size()).error().code(), errc::corrupt_message);
  EXPECT_FALSE(decode_snapshot(file.data(), file.size() - 1).has_value());
}

}  // namespace
}  // namespace brook::runtime::coord
