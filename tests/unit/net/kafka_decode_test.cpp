// Kafka request decoder: bad input (short, unknown, unsupported, truncated, lying counts and
// lengths) is refused without crashing or allocating by an untrusted count.
#include "kafka_codec_test_util.hpp"

// ---- decode_request: refusals
// ------------------------------------------------------------------------

TEST(KafkaDecode, FewerThanEightBytesIsMalformed) {
  auto full = hx("0012 0000 00000007 0000");
  for (size_t n = 0; n < 8; ++n) {
    auto d = k::decode_request(full.data(), n);
    EXPECT_EQ(d.outcome, kind::malformed) << n;
    EXPECT_FALSE(d.req);
    EXPECT_FALSE(d.message.empty());
  }
  EXPECT_EQ(k::decode_request(nullptr, 0).outcome, kind::malformed);
}

TEST(KafkaDecode, UnknownApiKeyKeepsTheCorrelationId) {
  // LeaderAndIsr (inter-broker), DescribeDelegationToken, and keys no Kafka has.
  for (int16_t key : {int16_t(4), int16_t(41), int16_t(-1), int16_t(0x7fff)}) {
    SCOPED_TRACE(key);
    bytes b;
    runtime::append_be16(b, uint16_t(key));
    runtime::append_be16(b, 1);
    runtime::append_be32(b, 0xcafe);
    auto d = decode(b);
    EXPECT_EQ(d.outcome, kind::unknown_api);
    EXPECT_EQ(d.header.api_key, key);
    EXPECT_EQ(d.header.api_version, 1);
    EXPECT_EQ(d.header.correlation_id, 0xcafe);
    EXPECT_FALSE(d.req);
    EXPECT_NE(d.message.find("unknown API key " + std::to_string(key)), std::string::npos)
        << d.message;
  }
}

TEST(KafkaDecode, UnsupportedVersionsAreRefusedWithTheHeader) {
  for (const auto& api : k::supported_apis()) {
    for (int16_t v : {int16_t(api.min_version - 1), int16_t(api.max_version + 1), int16_t(99),
                      int16_t(-1), int16_t(0x7fff), int16_t(-0x8000)}) {
      if (v >= api.min_version && v <= api.max_version) continue;
      SCOPED_TRACE(std::string(api.name) + " v" + std::to_string(v));
      // A well-formed body of the nearest version follows: refusal must come from the version
      // alone.
      auto d = decode(raw_request(api.key, v, 1234, hx("00000000 00000000 00000000")));
      EXPECT_EQ(d.outcome, kind::unsupported_version) << d.message;
      EXPECT_EQ(d.header.api_key, int16_t(api.key));
      EXPECT_EQ(d.header.api_version, v);
      EXPECT_EQ(d.header.correlation_id, 1234);
      EXPECT_FALSE(d.req);
      EXPECT_NE(d.message.find(std::string(api.name) + " version " + std::to_string(v)),
                std::string::npos);
    }
  }
}

TEST(KafkaDecode, EveryTruncationOfProduceV7IsMalformed) {
  auto full = request_payload(k::api_key::produce, 7, 0x0a0b0c0d, produce_v7());
  ASSERT_EQ(decode(full).outcome, kind::ok);
  for (size_t n = 0; n < full.size(); ++n) {
    bytes cut(full.begin(), full.begin() + long(n));  // exact-size buffer: ASan sees any overread
    auto d = decode(cut);
    ASSERT_EQ(d.outcome, kind::malformed) << "prefix of " << n << " bytes: " << d.message;
    EXPECT_FALSE(d.req);
    if (n >= 8) {
      EXPECT_EQ(d.header.correlation_id, 0x0a0b0c0d);
      EXPECT_NE(d.message.find("malformed Produce v7 request"), std::string::npos) << d.message;
    }
  }
}

TEST(KafkaDecode, EveryTruncationOfFetchV11IsMalformed) {
  auto full = request_payload(k::api_key::fetch, 11, 99, fetch_v11());
  auto ok = decode(full);
  ASSERT_EQ(ok.outcome, kind::ok);
  EXPECT_EQ(std::get<k::fetch_request>(ok.req->body).rack_id, "rack-a");
  for (size_t n = 0; n < full.size(); ++n) {
    bytes cut(full.begin(), full.begin() + long(n));
    auto d = decode(cut);
    ASSERT_EQ(d.outcome, kind::malformed) << "prefix of " << n << " bytes: " << d.message;
    if (n >= 8) {
      EXPECT_NE(d.message.find("malformed Fetch v11 request"), std::string::npos) << d.message;
    }
  }
}

TEST(KafkaDecode, EveryTruncationOfEveryPopulatedRequestIsMalformed) {
  // The populated request of each API and version (all fields present, arrays of two).
  auto check = [](const k::api_support& api, int16_t v, const bytes& full) {
    for (size_t n = 0; n < full.size(); ++n) {
      bytes cut(full.begin(), full.begin() + long(n));
      auto d = decode(cut);
      ASSERT_EQ(d.outcome, kind::malformed) << api.name << " v" << v << " cut at " << n;
    }
  };
  for (const auto& api : k::supported_apis())
    for (int16_t v = api.min_version; v <= api.max_version; ++v) {
      bool has_body = false;
      bytes full = populated_request(api, v, &has_body);
      if (!has_body) continue;  // ApiVersions v0-2, ListGroups: a whole header is a whole request
      ASSERT_EQ(decode(full).outcome, kind::ok) << api.name << " v" << v;
      check(api, v, full);
    }
}

TEST(KafkaDecode, NegativeLengthsAndCountsAreMalformed) {
  // client_id length -2 (only -1, null, is allowed).
  expect_malformed(hx("0003 0001 00000001 fffe"), "negative length");
  // Metadata v1 topics count -2; Metadata v0 topics null where v0 has no null.
  expect_malformed(raw_request(k::api_key::metadata, 1, 1, hx("fffffffe")), "negative length");
  expect_malformed(raw_request(k::api_key::metadata, 0, 1, hx("ffffffff")),
                   "null where an array is required");
  // Produce v3: topic name null, topic name length -5, records length -2.
  expect_malformed(
      raw_request(k::api_key::produce, 3, 1, hx("ffff 0001 00000000 00000001 ffff 00000000")),
      "null where a string is required");
  expect_malformed(
      raw_request(k::api_key::produce, 3, 1, hx("ffff 0001 00000000 00000001 fffb 00000000")),
      "negative length");
  expect_malformed(
      raw_request(k::api_key::produce, 3, 1,
                  hx("ffff 0001 00000000 00000001 0001 't' 00000001 00000000 fffffffe")),
      "negative length");
  // DescribeConfigs: keys may be null (-1) but not -2.
  auto d =
      decode(raw_request(k::api_key::describe_configs, 0, 1, hx("00000001 02 0001 't' ffffffff")));
  EXPECT_EQ(d.outcome, kind::ok) << d.message;
  expect_malformed(
      raw_request(k::api_key::describe_configs, 0, 1, hx("00000001 02 0001 't' fffffffe")),
      "negative length");
  // The most negative values.
  expect_malformed(
      raw_request(k::api_key::fetch, 4, 1, hx("ffffffff 00000000 00000000 00000000 00 80000000")),
      "negative length");
  expect_malformed(hx("0000 0003 00000001 8000"), "negative length");
}

TEST(KafkaDecode, HugeCountsAndLengthsAreRefusedWithoutAllocating) {
  // A 0x7fffffff count in a request of a few bytes: refused before anything is sized by it.
  expect_malformed(raw_request(k::api_key::metadata, 1, 1, hx("7fffffff 0001 'a'")),
                   "array count larger than the request");
  expect_malformed(
      raw_request(k::api_key::fetch, 11, 1,
                  hx("ffffffff 00000000 00000000 00000000 00 00000000 ffffffff 7fffffff")),
      "array count larger than the request");
  // Nested: one topic whose partition count lies.
  expect_malformed(raw_request(k::api_key::produce, 7, 1,
                               hx("ffff 0001 00000000 00000001 0001 't' 7fffffff 00000000")),
                   "array count larger than the request");
  // int32 array inside CreateTopics assignments.
  expect_malformed(raw_request(k::api_key::create_topics, 0, 1,
                               hx("00000001 0001 't' ffffffff ffff 00000001 00000000 7fffffff")),
                   "array count larger than the request");
  // A count of exactly one more than the bytes left.
  expect_malformed(raw_request(k::api_key::delete_topics, 0, 1, hx("00000005 0000 0000")),
                   "array count larger than the request");
  // Strings and bytes longer than the request.
  expect_malformed(hx("0003 0001 00000001 7fff 'abc'"), "string longer than the request");
  expect_malformed(
      raw_request(k::api_key::produce, 3, 1,
                  hx("ffff 0001 00000000 00000001 0001 't' 00000001 00000000 7fffffff 00")),
      "bytes longer than the request");
  expect_malformed(
      raw_request(k::api_key::produce, 3, 1,
                  hx("ffff 0001 00000000 00000001 0001 't' 00000001 00000000 00000002 00")),
      "bytes longer than the request");
  expect_malformed(raw_request(k::api_key::init_producer_id, 0, 1, hx("7ffe 'x'")),
                   "string longer than the request");
}

TEST(KafkaDecode, CountsUpToTheBytesLeftStillDecodeElementByElement) {
  // A count equal to the bytes left passes the first check; elements then run out.
  expect_malformed(raw_request(k::api_key::delete_topics, 0, 1, hx("00000004 0000 0000")),
                   "truncated");
  // Empty strings as elements are fine.
  auto d = decode(raw_request(k::api_key::delete_topics, 0, 1, hx("00000002 0000 0000 000003e8")));
  ASSERT_EQ(d.outcome, kind::ok) << d.message;
  EXPECT_EQ(std::get<k::delete_topics_request>(d.req->body).topic_names,
            (std::vector<std::string>{"", ""}));
  EXPECT_EQ(std::get<k::delete_topics_request>(d.req->body).timeout_ms, 1000);
}

TEST(KafkaDecode, CompactLengthEdgeCasesInApiVersionsV3) {
  const std::string hdr = "0012 0003 00000001 0001 'c' 00 ";
  auto ok_names = [&](const std::string& body, const std::string& name,
                      const std::string& version) {
    auto d = decode(hx(hdr + body));
    ASSERT_EQ(d.outcome, kind::ok) << body << ": " << d.message;
    EXPECT_EQ(std::get<k::api_versions_request>(d.req->body).client_software_name, name);
    EXPECT_EQ(std::get<k::api_versions_request>(d.req->body).client_software_version, version);
  };
  ok_names("01 01 00", "", "");  // N+1 = 1: empty strings
  ok_names("02 'a' 03 'bc' 00", "a", "bc");
  ok_names("8200 'x' 01 00", "x", "");      // non-minimal varint for 2 is still 2
  ok_names("01 01 01 00 02 'ab'", "", "");  // one tagged field (tag 0, 2 bytes), skipped
  std::string long_name(200, 'n');
  ok_names("c901 '" + long_name + "' 01 00", long_name, "");  // 201 = 0xc9 0x01: a two-byte varint
  {  // the header's tag buffer may carry tagged fields too
    auto d = decode(hx("0012 0003 00000001 0001 'c' 02 00 01 'z' 05 02 ab cd | 01 01 00"));
    EXPECT_EQ(d.outcome, kind::ok) << d.message;
  }

  expect_malformed(hx(hdr + "00 01 00"), "null where a string is required");  // N+1 = 0: null
  expect_malformed(hx(hdr + "01 00 00"), "null where a string is required");
  expect_malformed(hx(hdr + "05 'ab'"), "string longer than the request");
  expect_malformed(hx(hdr + "ffffffff0f 'ab'"), "string longer than the request");  // 2^32-1
  expect_malformed(hx(hdr + "8080808080 01"), "unsigned varint longer than 5 bytes");
  expect_malformed(hx(hdr + "80"), "truncated");                     // varint cut off
  expect_malformed(hx(hdr + "01 01"), "truncated");                  // body tag buffer missing
  expect_malformed(hx("0012 0003 00000001 0001 'c'"), "truncated");  // header tag buffer missing
  expect_malformed(hx(hdr + "01 01 01 00 7f 'ab'"),
                   "truncated");  // tagged field longer than the request
  expect_malformed(hx(hdr + "01 01 ffffffff0f"), "truncated");  // 2^32-1 tagged fields
  expect_malformed(hx("0012 0003 00000001 0001 'c' 01 00 ffffffff0f"), "truncated");
}

TEST(KafkaDecode, ReaderStopsAtTheFirstProblem) {
  bytes b = hx("00 05 'abc'");
  k::reader r(b.data(), b.size(), 0, false);
  std::string s;
  r.str(s);
  EXPECT_FALSE(r.ok());
  EXPECT_EQ(r.remaining(), 3u);  // the length was read; the string was not
  int32_t x = 1;
  r.i32(x);  // after a failure every read yields zero and nothing moves
  EXPECT_EQ(x, 0);
  EXPECT_EQ(r.remaining(), 3u);
  EXPECT_STREQ(r.error(), "string longer than the request");
}

// Regression: arrays were resized to the declared count before any element was read (found by the
// fuzz target): one request byte could cost 88 bytes of memory.
TEST(KafkaDecode, ArrayCountsDoNotAmplifyAllocation) {
  struct probe_case {
    k::api_key key;
    int16_t version;
    std::string before_count;  // body bytes before the outer array count
  };
  const std::vector<probe_case> cases = {
      {k::api_key::create_topics, 0, ""},
      {k::api_key::produce, 3, "ffff 0001 00000000"},
      {k::api_key::fetch, 4, "ffffffff 00000000 00000000 00000000 00"},
      {k::api_key::describe_configs, 0, ""},
  };
  const size_t zeros = 1 << 20;
  for (const auto& c : cases) {
    bytes body = hx(c.before_count);
    runtime::append_be32(body, uint32_t(zeros));
    body.resize(body.size() + zeros);
    auto req = raw_request(c.key, c.version, 1, body);
    size_t largest = 0;
    {
      alloc_probe probe;
      auto d = decode(req);
      largest = probe.largest();
      EXPECT_EQ(d.outcome, kind::malformed);
    }
    EXPECT_LE(largest, 32 * req.size()) << "API " << int(c.key) << ": " << largest
                                        << " bytes for a " << req.size() << "-byte request";
  }
}
