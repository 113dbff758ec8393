// Kafka message codec: every message round-trips at every supported version, the API table
// follows kafka-protocol.md, and hand-written byte layouts from Kafka's schemas decode to what
// they say. (Refusals of bad input: kafka_decode_test.cpp.)
#include "kafka_codec_test_util.hpp"

// ---- The allocation probe's state and the global operator new it watches (this binary only).
namespace codec_test {
thread_local bool probe_armed = false;
thread_local size_t probe_largest = 0;
}  // namespace codec_test

// GCC cannot see that free() below pairs with the malloc() of this replacement.
#if defined(__GNUC__) && !defined(__clang__)
#pragma GCC diagnostic ignored "-Wmismatched-new-delete"
#endif
void* operator new(std::size_t n) {
  if (codec_test::probe_armed && n > codec_test::probe_largest) codec_test::probe_largest = n;
  if (void* p = std::malloc(n ? n : 1)) return p;
  throw std::bad_alloc();
}
void operator delete(void* p) noexcept {
  std::free(p);
}
void operator delete(void* p, std::size_t) noexcept {
  std::free(p);
}

// ---- Round trips
// ------------------------------------------------------------------------------------

TEST(KafkaCodecRoundTrip, EveryMessageAtEverySupportedVersion) {
  ASSERT_FALSE(k::supported_apis().empty());
  for (const auto& api : k::supported_apis()) {
    bool covered = with_messages(api.key, [&](auto req, auto resp) {
      round_trip_every_version<typename decltype(req)::type, typename decltype(resp)::type>(api);
    });
    EXPECT_TRUE(covered) << "no round-trip case for " << api.name;
  }
}

TEST(KafkaCodecRoundTrip, FieldsOutsideTheVersionKeepTheirDefaults) {
  // Metadata v3 has no allow_auto_topic_creation; Fetch v4 has no session, rack or leader epoch.
  k::metadata_request m;
  m.topics = std::vector<std::string>{"t"};
  m.allow_auto_topic_creation = false;
  auto d = decode(request_payload(k::api_key::metadata, 3, 1, m));
  ASSERT_EQ(d.outcome, kind::ok) << d.message;
  EXPECT_TRUE(std::get<k::metadata_request>(d.req->body).allow_auto_topic_creation);
  auto f = fetch_v11();
  d = decode(request_payload(k::api_key::fetch, 4, 2, f));
  ASSERT_EQ(d.outcome, kind::ok) << d.message;
  const auto& got = std::get<k::fetch_request>(d.req->body);
  EXPECT_EQ(got.session_epoch, -1);
  EXPECT_EQ(got.rack_id, "");
  EXPECT_TRUE(got.forgotten_topics.empty());
  EXPECT_EQ(got.topics[0].partitions[0].current_leader_epoch, -1);
  EXPECT_EQ(got.topics[0].partitions[0].log_start_offset, -1);
  EXPECT_EQ(got.topics[0].partitions[0].fetch_offset, 42);
}

// ---- The API table against kafka-protocol.md
// ------------------------------------------------------

TEST(KafkaCodecApis, RangesAndFlexibleVersionsFollowTheReference) {
  struct want {
    int16_t key, min, max, first_flexible;
  };
  // kafka-protocol.md's recommended ranges, and the first flexible version of each in Kafka.
  const std::vector<want> table = {
      {18, 0, 3, 3},         {3, 0, 6, 9},  {0, 3, 7, 9},  {1, 4, 11, 12},        {2, 1, 3, 6},
      {10, 0, 2, 3},         {11, 0, 5, 6}, {14, 0, 3, 4}, {12, 0, 3, 4},         {13, 0, 3, 4},
      {8, 2, 7, 8},          {9, 1, 5, 6},  {22, 0, 1, 2}, {19, 0, 4, 5},         {20, 0, 3, 4},
      {32, 0, 2, 4},         {15, 0, 5, 5}, {16, 0, 4, 3}, {37, 0, 3, 2},         {42, 0, 2, 2},
      {47, 0, 0, INT16_MAX}, {60, 0, 1, 0}, {33, 0, 2, 2}, {44, 0, 1, 1},         {21, 0, 2, 2},
      {35, 0, 4, 2},         {24, 0, 3, 3}, {25, 0, 3, 3}, {26, 0, 3, 3},         {28, 0, 3, 3},
      {27, 0, 1, 1},         {65, 0, 0, 0}, {66, 0, 0, 0}, {17, 0, 1, INT16_MAX}, {36, 0, 2, 2},
      {29, 0, 3, 2},         {30, 0, 3, 2}, {31, 0, 3, 2}};
  for (const auto& w : table) {
    const auto* api = k::find_api(w.key);
    if (!api) {
      ADD_FAILURE() << "API " << w.key << " is not served";
      continue;
    }
    SCOPED_TRACE(api->name);
    // A higher minimum silently turns librdkafka features off (pitfall 2); a lower maximum loses
    // what clients rely on (zstd needs Produce 7 and Fetch 10, KafkaJS sends Fetch 11).
    EXPECT_LE(api->min_version, w.min);
    EXPECT_GE(api->max_version, w.max);
    EXPECT_EQ(api->first_flexible, w.first_flexible);
  }
  for (const auto& api : k::supported_apis())
    EXPECT_EQ(k::find_api(int16_t(api.key)), &api) << api.name;
}

// ---- Hand-written layouts (Kafka's message JSON schemas)
// -------------------------------------------

TEST(KafkaCodecLayout, ApiVersionsV0Request) {
  auto d = decode(hx("0012 0000 00000007 | 0004 'test'"));
  ASSERT_EQ(d.outcome, kind::ok) << d.message;
  EXPECT_EQ(d.req->header.api_key, 18);
  EXPECT_EQ(d.req->header.api_version, 0);
  EXPECT_EQ(d.req->header.correlation_id, 7);
  EXPECT_EQ(d.req->header.client_id, "test");
  ASSERT_TRUE(std::holds_alternative<k::api_versions_request>(d.req->body));
  // A null client id (length -1) is allowed.
  d = decode(hx("0012 0001 7fffffff | ffff"));
  ASSERT_EQ(d.outcome, kind::ok) << d.message;
  EXPECT_EQ(d.req->header.correlation_id, 0x7fffffff);
  EXPECT_FALSE(d.req->header.client_id);
}

TEST(KafkaCodecLayout, ApiVersionsV0AndV1Responses) {
  const auto& apis = k::supported_apis();
  auto expected = [&](int16_t v) {
    bytes b;
    runtime::append_be32(b, uint32_t(4 + 2 + 4 + 6 * apis.size() + (v >= 1 ? 4 : 0)));
    runtime::append_be32(b, 9);  // correlation id
    runtime::append_be16(b, 0);  // error
    runtime::append_be32(b, uint32_t(apis.size()));
    for (const auto& a : apis) {
      runtime::append_be16(b, uint16_t(a.key));
      runtime::append_be16(b, uint16_t(a.min_version));
      runtime::append_be16(b, uint16_t(a.max_version));
    }
    if (v >= 1) runtime::append_be32(b, 0);  // throttle_time_ms
    return b;
  };
  EXPECT_EQ(k::encode_api_versions({18, 0, 9, "x"}, 0), expected(0));
  EXPECT_EQ(k::encode_api_versions({18, 1, 9, "x"}, 0), expected(1));
  EXPECT_EQ(k::encode_api_versions({18, 2, 9, "x"}, 0), expected(2));
  // The first entry as a client reads it: int16 key, min, max right after the int32 count.
  auto v0 = k::encode_api_versions({18, 0, 9, "x"}, 0);
  EXPECT_EQ(runtime::load_be32(v0.data() + 10), apis.size());
  EXPECT_EQ(int16_t(runtime::load_be16(v0.data() + 14)), int16_t(apis[0].key));
  EXPECT_EQ(int16_t(runtime::load_be16(v0.data() + 16)), apis[0].min_version);
  EXPECT_EQ(int16_t(runtime::load_be16(v0.data() + 18)), apis[0].max_version);
}

TEST(KafkaCodecLayout, ApiVersionsV3RequestIsFlexible) {
  // Header v2: client_id stays int16-length, then a tag buffer; body: compact strings, tags.
  auto d =
      decode(hx("0012 0003 0000002a | 0007 'rdkafka' | 00 | 0b 'librdkafka' | 06 '2.0.2' | 00"));
  ASSERT_EQ(d.outcome, kind::ok) << d.message;
  EXPECT_EQ(d.req->header.client_id, "rdkafka");
  EXPECT_EQ(d.req->header.correlation_id, 42);
  const auto& b = std::get<k::api_versions_request>(d.req->body);
  EXPECT_EQ(b.client_software_name, "librdkafka");
  EXPECT_EQ(b.client_software_version, "2.0.2");
}

TEST(KafkaCodecLayout, ApiVersionsV3ResponseHasNoHeaderTagByte) {
  // Pitfall 1: response header v0 (correlation id only), then error, compact array, throttle, tags.
  const auto& apis = k::supported_apis();
  auto frame = k::encode_api_versions({18, 3, 0x01020304, "rdkafka"}, 0);
  bytes want;
  runtime::append_be32(want, uint32_t(4 + 2 + 1 + 7 * apis.size() + 4 + 1));
  bytes rest = hx("01020304 | 0000");
  want.insert(want.end(), rest.begin(), rest.end());
  want.push_back(uint8_t(apis.size() + 1));
  for (const auto& a : apis) {
    runtime::append_be16(want, uint16_t(a.key));
    runtime::append_be16(want, uint16_t(a.min_version));
    runtime::append_be16(want, uint16_t(a.max_version));
    want.push_back(0);  // per-entry tags
  }
  rest = hx("00000000 | 00");
  want.insert(want.end(), rest.begin(), rest.end());
  EXPECT_EQ(frame, want);
  EXPECT_EQ(frame[8], 0x00) << "error code high byte must follow the correlation id directly";
  EXPECT_EQ(frame[9], 0x00);
  EXPECT_EQ(frame[10], uint8_t(apis.size() + 1));
}

TEST(KafkaCodecLayout, UnsupportedApiVersionsAnswerIsV0ListingEveryApi) {
  for (int16_t asked : {int16_t(4), int16_t(99), int16_t(-1)}) {
    SCOPED_TRACE(asked);
    auto frame = k::encode_api_versions({18, asked, 31, std::nullopt}, 35);
    const auto& apis = k::supported_apis();
    ASSERT_EQ(frame.size(), 4 + 4 + 2 + 4 + 6 * apis.size())
        << "not the v0 layout (no throttle, int32 count)";
    EXPECT_EQ(runtime::load_be32(frame.data() + 4), 31u);
    EXPECT_EQ(runtime::load_be16(frame.data() + 8), 35);
    k::reader r(frame.data() + 8, frame.size() - 8, 0, false);
    k::api_versions_response resp;
    resp.io(r);
    ASSERT_TRUE(r.ok()) << r.error();
    EXPECT_EQ(r.remaining(), 0u);
    ASSERT_EQ(resp.apis.size(), apis.size());
    for (size_t i = 0; i < apis.size(); ++i) {
      EXPECT_EQ(resp.apis[i].key, int16_t(apis[i].key));
      EXPECT_EQ(resp.apis[i].min, apis[i].min_version);
      EXPECT_EQ(resp.apis[i].max, apis[i].max_version);
    }
  }
}

TEST(KafkaCodecLayout, MetadataRequests) {
  auto d = decode(hx("0003 0000 00000001 | ffff | 00000002 0001 'a' 0002 'bc'"));
  ASSERT_EQ(d.outcome, kind::ok) << d.message;
  const auto& m = std::get<k::metadata_request>(d.req->body);
  ASSERT_TRUE(m.topics);
  EXPECT_EQ(*m.topics, (std::vector<std::string>{"a", "bc"}));
  // v0: an empty array (all topics) stays an empty array, not null.
  d = decode(hx("0003 0000 00000002 | ffff | 00000000"));
  ASSERT_EQ(d.outcome, kind::ok) << d.message;
  ASSERT_TRUE(std::get<k::metadata_request>(d.req->body).topics);
  EXPECT_TRUE(std::get<k::metadata_request>(d.req->body).topics->empty());
  // v1: null (-1) means all topics.
  d = decode(hx("0003 0001 00000003 | 0000 | ffffffff"));
  ASSERT_EQ(d.outcome, kind::ok) << d.message;
  EXPECT_EQ(d.req->header.client_id, "");
  EXPECT_FALSE(std::get<k::metadata_request>(d.req->body).topics);
  // v4 adds allow_auto_topic_creation.
  d = decode(hx("0003 0004 00000004 | 0001 'k' | 00000001 0003 'abc' | 00"));
  ASSERT_EQ(d.outcome, kind::ok) << d.message;
  EXPECT_FALSE(std::get<k::metadata_request>(d.req->body).allow_auto_topic_creation);
}

TEST(KafkaCodecLayout, MetadataV0Response) {
  k::metadata_response m;
  m.brokers = {{1, "h", 9092, std::string("rack-not-in-v0")}};
  m.controller_id = 1;  // not in v0 either
  m.topics = {{0, "t", false, {{0, 0, 1, {1}, {1}, {}}}}};
  auto frame = k::encode_response(k::request_header{3, 0, 5, std::nullopt}, m);
  EXPECT_EQ(frame, hx("0000003a | 00000005 | 00000001 00000001 0001 'h' 00002384"
                      "| 00000001 0000 0001 't' 00000001 0000 00000000 00000001 00000001 00000001"
                      "00000001 00000001"));
}

TEST(KafkaCodecLayout, ProduceV3Request) {
  auto d =
      decode(hx("0000 0003 00000005 | 0003 'cli' | ffff | ffff | 00007530 | 00000001 0005 'topic'"
                "| 00000001 00000002 00000004 deadbeef"));
  ASSERT_EQ(d.outcome, kind::ok) << d.message;
  EXPECT_EQ(d.req->header.client_id, "cli");
  const auto& p = std::get<k::produce_request>(d.req->body);
  EXPECT_FALSE(p.transactional_id);
  EXPECT_EQ(p.acks, -1);
  EXPECT_EQ(p.timeout_ms, 30000);
  ASSERT_EQ(p.topics.size(), 1u);
  EXPECT_EQ(p.topics[0].name, "topic");
  ASSERT_EQ(p.topics[0].partitions.size(), 1u);
  EXPECT_EQ(p.topics[0].partitions[0].index, 2);
  EXPECT_EQ(p.topics[0].partitions[0].records, hx("deadbeef"));
  // Null records (-1) decode as null: the handler answers CORRUPT_MESSAGE, the decoder accepts.
  d =
      decode(hx("0000 0003 00000006 | ffff | ffff | 0001 | 00000000 | 00000001 0001 't' | 00000001 "
                "00000000 ffffffff"));
  ASSERT_EQ(d.outcome, kind::ok) << d.message;
  EXPECT_FALSE(std::get<k::produce_request>(d.req->body).topics[0].partitions[0].records);
}

TEST(KafkaCodecLayout, FetchV4Request) {
  auto d =
      decode(hx("0001 0004 00000008 | 0001 'c' | ffffffff 000001f4 00000001 00100000 01"
                "| 00000001 0001 't' 00000001 00000000 000000000000002a 00100000"));
  ASSERT_EQ(d.outcome, kind::ok) << d.message;
  const auto& f = std::get<k::fetch_request>(d.req->body);
  EXPECT_EQ(f.replica_id, -1);
  EXPECT_EQ(f.max_wait_ms, 500);
  EXPECT_EQ(f.min_bytes, 1);
  EXPECT_EQ(f.max_bytes, 1 << 20);
  EXPECT_EQ(f.isolation_level, 1);
  ASSERT_EQ(f.topics.size(), 1u);
  EXPECT_EQ(f.topics[0].partitions[0].fetch_offset, 42);
  EXPECT_EQ(f.topics[0].partitions[0].max_bytes, 1 << 20);
}

TEST(KafkaCodecLayout, FindCoordinatorV0AndOffsetFetchV1Requests) {
  // kafka-python's group bootstrap: FindCoordinator v0 (key only), OffsetFetch v1 (a topic list).
  auto d = decode(hx("000a 0000 00000003 ffff | 0002 'g1'"));
  ASSERT_EQ(d.outcome, kind::ok) << d.message;
  EXPECT_EQ(std::get<k::find_coordinator_request>(d.req->body).key, "g1");
  EXPECT_EQ(std::get<k::find_coordinator_request>(d.req->body).key_type, 0);
  d = decode(
      hx("0009 0001 00000004 ffff | 0002 'g1' | 00000001 0001 't' 00000002 00000000 00000003"));
  ASSERT_EQ(d.outcome, kind::ok) << d.message;
  const auto& of = std::get<k::offset_fetch_request>(d.req->body);
  EXPECT_EQ(of.group_id, "g1");
  ASSERT_TRUE(of.topics);
  ASSERT_EQ(of.topics->size(), 1u);
  EXPECT_EQ((*of.topics)[0].partitions, (std::vector<int32_t>{0, 3}));
}


TEST(KafkaCodecLayout, CreatePartitionsV0AndFlexibleV2Requests) {
  // v0: classic arrays and strings, a null assignment list.
  auto d = decode(hx("0025 0000 00000009 ffff | 00000001 0001 't' 00000003 ffffffff | 00003a98 00"));
  ASSERT_EQ(d.outcome, kind::ok) << d.message;
  const auto& v0 = std::get<k::create_partitions_request>(d.req->body);
  ASSERT_EQ(v0.topics.size(), 1u);
  EXPECT_EQ(v0.topics[0].name, "t");
  EXPECT_EQ(v0.topics[0].count, 3);
  EXPECT_FALSE(v0.topics[0].assignments);
  EXPECT_EQ(v0.timeout_ms, 15000);
  EXPECT_FALSE(v0.validate_only);
  // v2 (flexible, request header v2): compact arrays and strings, one assignment of brokers 1
  // and 2, tagged-field sections after each struct and the body.
  d = decode(hx("0025 0002 0000000a ffff 00 | 02 02 't' 00000004 02 03 00000001 00000002 00 00 |"
                " 00003a98 01 00"));
  ASSERT_EQ(d.outcome, kind::ok) << d.message;
  const auto& v2 = std::get<k::create_partitions_request>(d.req->body);
  ASSERT_EQ(v2.topics.size(), 1u);
  EXPECT_EQ(v2.topics[0].count, 4);
  ASSERT_TRUE(v2.topics[0].assignments);
  EXPECT_EQ(*v2.topics[0].assignments, (std::vector<std::vector<int32_t>>{{1, 2}}));
  EXPECT_TRUE(v2.validate_only);
}
