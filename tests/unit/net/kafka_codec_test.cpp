// Kafka request decoder and message codec: every message round-trips at every supported version,
// hand-written byte layouts from Kafka's schemas decode to what they say, and bad input (short,
// unknown, unsupported, truncated, lying counts and lengths) is refused without crashing or
// allocating by an untrusted count.
#include <gtest/gtest.h>

#include <algorithm>
#include <cstdlib>
#include <new>
#include <string>
#include <string_view>
#include <vector>

#include "net/kafka/codec.hpp"
#include "runtime/record_batch.hpp"

using namespace brook;
namespace k = brook::net::kafka;
using runtime::bytes;
using kind = k::decode_result::kind;

// ---- Allocation probe
// ---------------------------------------------------------------------------- Replaces the global
// operator new for this test binary so a test can see the largest single allocation made while a
// probe is alive on its thread. Everything else behaves as usual.
namespace {
thread_local bool probe_armed = false;
thread_local size_t probe_largest = 0;

struct alloc_probe {
  alloc_probe() {
    probe_largest = 0;
    probe_armed = true;
  }
  ~alloc_probe() { probe_armed = false; }
  size_t largest() const { return probe_largest; }
};
}  // namespace

// GCC cannot see that free() below pairs with the malloc() of this replacement.
#if defined(__GNUC__) && !defined(__clang__)
#pragma GCC diagnostic ignored "-Wmismatched-new-delete"
#endif
void* operator new(std::size_t n) {
  if (probe_armed && n > probe_largest) probe_largest = n;
  if (void* p = std::malloc(n ? n : 1)) return p;
  throw std::bad_alloc();
}
void operator delete(void* p) noexcept {
  std::free(p);
}
void operator delete(void* p, std::size_t) noexcept {
  std::free(p);
}

namespace {

// ---- Helpers
// ---------------------------------------------------------------------------------------

// Hex bytes with optional 'quoted ascii': hx("00 04 'test'").
bytes hx(std::string_view s) {
  bytes out;
  for (size_t i = 0; i < s.size();) {
    char c = s[i];
    if (c == ' ' || c == '|' || c == '\n') {
      ++i;
    } else if (c == '\'') {
      size_t end = s.find('\'', i + 1);
      out.insert(out.end(), s.begin() + long(i) + 1, s.begin() + long(end));
      i = end + 1;
    } else {
      out.push_back(uint8_t(std::stoi(std::string(s.substr(i, 2)), nullptr, 16)));
      i += 2;
    }
  }
  return out;
}

bool flexible_at(k::api_key key, int16_t v) {
  const auto* api = k::find_api(int16_t(key));
  return api && v >= api->first_flexible;
}

// A request payload (what decode_request sees: no length prefix) built with Brook's writer.
template <class Body>
bytes request_payload(k::api_key key, int16_t v, int32_t correlation_id, Body body,
                      std::optional<std::string> client_id = std::string("unit-test")) {
  bytes out;
  k::writer h(out, v, false);  // header v1/v2: client_id stays a classic string
  h.i16(int16_t(key));
  h.i16(v);
  h.i32(correlation_id);
  h.nstr(client_id);
  k::writer w(out, v, flexible_at(key, v));
  w.tags();  // header v2 tag buffer, flexible only
  body.io(w);
  return out;
}

k::decode_result decode(const bytes& b) {
  return k::decode_request(b.data(), b.size());
}

// Sets every field io() visits at this version to a distinct non-default value; arrays get two
// elements, nullable fields a value. Strings vary in length so compact lengths take 1 or 2 bytes.
class filler {
 public:
  filler(int16_t version, bool flexible) : version(version), flexible(flexible) {}
  void i8(int8_t& x) { x = int8_t(sign() * (next() % 100 + 1)); }
  void boolean(bool& x) { x = !x; }
  void i16(int16_t& x) { x = int16_t(sign() * (1000 + next())); }
  void i32(int32_t& x) { x = sign() * (0x01020304 + next()); }
  void i64(int64_t& x) { x = sign() * (0x0102030405060708LL + next()); }
  void uvarint(uint32_t& x) { x = uint32_t(300 + next()); }
  void str(std::string& s) {
    int n = next();
    s = std::string(size_t(n * 37 % 150), char('a' + n % 26)) + "#" + std::to_string(n);
  }
  void nstr(std::optional<std::string>& s) { str(s.emplace()); }
  void byts(bytes& b) {
    int n = next();
    b.assign(size_t(n % 40 + 1), uint8_t(n));
    b.front() = 0xff;
  }
  void nbytes(std::optional<bytes>& b) { byts(b.emplace()); }
  template <class T, class F>
  void array(std::vector<T>& v, F&& elem) {
    v.resize(2);
    for (auto& e : v) elem(e);
  }
  template <class T, class F>
  void narray(std::optional<std::vector<T>>& v, F&& elem) {
    array(v.emplace(), elem);
  }
  void tags() {}
  bool ok() const { return true; }

  const int16_t version;
  const bool flexible;

 private:
  int next() { return ++n_; }
  int sign() const { return n_ % 2 ? -1 : 1; }
  int n_ = 0;
};

// Lists every field io() visits at this version, in order, as "type value": two messages that
// flatten alike agree on every field that exists at that version.
class flattener {
 public:
  flattener(int16_t version, bool flexible) : version(version), flexible(flexible) {}
  void i8(int8_t& x) { add("i8 " + std::to_string(x)); }
  void boolean(bool& x) { add(x ? "bool true" : "bool false"); }
  void i16(int16_t& x) { add("i16 " + std::to_string(x)); }
  void i32(int32_t& x) { add("i32 " + std::to_string(x)); }
  void i64(int64_t& x) { add("i64 " + std::to_string(x)); }
  void uvarint(uint32_t& x) { add("uvarint " + std::to_string(x)); }
  void str(std::string& s) { add("str \"" + s + "\""); }
  void nstr(std::optional<std::string>& s) { add(s ? "nstr \"" + *s + "\"" : "nstr null"); }
  void byts(bytes& b) { add("bytes " + hex(b)); }
  void nbytes(std::optional<bytes>& b) { add(b ? "nbytes " + hex(*b) : "nbytes null"); }
  template <class T, class F>
  void array(std::vector<T>& v, F&& elem) {
    add("array[" + std::to_string(v.size()) + "]");
    for (auto& e : v) elem(e);
  }
  template <class T, class F>
  void narray(std::optional<std::vector<T>>& v, F&& elem) {
    if (!v) return add("narray null");
    array(*v, elem);
  }
  void tags() {
    if (flexible) add("tags");
  }
  bool ok() const { return true; }

  const int16_t version;
  const bool flexible;
  std::vector<std::string> fields;

 private:
  void add(std::string s) { fields.push_back(std::move(s)); }
  static std::string hex(const bytes& b) {
    static const char* d = "0123456789abcdef";
    std::string s;
    for (auto c : b) s += {d[c >> 4], d[c & 15]};
    return s;
  }
};

template <class T>
std::vector<std::string> flatten(T msg, int16_t v, bool flexible) {
  flattener f(v, flexible);
  msg.io(f);
  return std::move(f.fields);
}

template <class T>
T populated(int16_t v, bool flexible) {
  T msg;
  filler f(v, flexible);
  msg.io(f);
  return msg;
}

template <class T>
void expect_same_fields(const T& want, const T& got, int16_t v, bool flexible) {
  auto a = flatten(want, v, flexible), b = flatten(got, v, flexible);
  ASSERT_EQ(a.size(), b.size()) << "different field count";  // 0 for ApiVersions v0-2 requests
  for (size_t i = 0; i < a.size(); ++i) EXPECT_EQ(a[i], b[i]) << "field #" << i;
}

// Request: through decode_request (header and all). Response: writer -> reader, and
// encode_response frames it with response header v0 (correlation id only) at every version.
template <class Req, class Resp>
void round_trip_every_version(const k::api_support& api) {
  for (int16_t v = api.min_version; v <= api.max_version; ++v) {
    SCOPED_TRACE(std::string(api.name) + " v" + std::to_string(v));
    bool flex = v >= api.first_flexible;

    Req req = populated<Req>(v, flex);
    auto payload = request_payload(api.key, v, 5000 + v, req, "client-" + std::to_string(v));
    auto d = decode(payload);
    ASSERT_EQ(d.outcome, kind::ok) << d.message;
    ASSERT_TRUE(d.req);
    EXPECT_EQ(d.req->header.api_key, int16_t(api.key));
    EXPECT_EQ(d.req->header.api_version, v);
    EXPECT_EQ(d.req->header.correlation_id, 5000 + v);
    EXPECT_EQ(d.req->header.client_id, "client-" + std::to_string(v));
    const Req* got = std::get_if<Req>(&d.req->body);
    ASSERT_NE(got, nullptr) << "decoded into the wrong message type";
    expect_same_fields(req, *got, v, flex);

    Resp resp = populated<Resp>(v, flex);
    bytes body;
    k::writer w(body, v, flex);
    resp.io(w);
    k::reader r(body.data(), body.size(), v, flex);
    Resp back;
    back.io(r);
    ASSERT_TRUE(r.ok()) << r.error();
    EXPECT_EQ(r.remaining(), 0u);
    expect_same_fields(resp, back, v, flex);

    k::request_header h{int16_t(api.key), v, 77 + v, std::nullopt};
    auto frame = k::encode_response(h, resp);
    ASSERT_EQ(frame.size(), 8 + body.size());
    EXPECT_EQ(runtime::load_be32(frame.data()), frame.size() - 4);
    EXPECT_EQ(int32_t(runtime::load_be32(frame.data() + 4)), 77 + v);
    EXPECT_EQ(bytes(frame.begin() + 8, frame.end()), body) << "response header is not v0";
  }
}

template <class T>
struct tag {
  using type = T;
};

// Calls f(tag<Request>, tag<Response>) with the message types of `key`; false for a key without
// a case here (an API added to the table must be added here too, so its messages get tested).
template <class F>
bool with_messages(k::api_key key, F&& f) {
  switch (key) {
    case k::api_key::api_versions:
      f(tag<k::api_versions_request>{}, tag<k::api_versions_response>{});
      return true;
    case k::api_key::metadata:
      f(tag<k::metadata_request>{}, tag<k::metadata_response>{});
      return true;
    case k::api_key::produce:
      f(tag<k::produce_request>{}, tag<k::produce_response>{});
      return true;
    case k::api_key::fetch:
      f(tag<k::fetch_request>{}, tag<k::fetch_response>{});
      return true;
    case k::api_key::list_offsets:
      f(tag<k::list_offsets_request>{}, tag<k::list_offsets_response>{});
      return true;
    case k::api_key::create_topics:
      f(tag<k::create_topics_request>{}, tag<k::create_topics_response>{});
      return true;
    case k::api_key::delete_topics:
      f(tag<k::delete_topics_request>{}, tag<k::delete_topics_response>{});
      return true;
    case k::api_key::describe_configs:
      f(tag<k::describe_configs_request>{}, tag<k::describe_configs_response>{});
      return true;
    case k::api_key::init_producer_id:
      f(tag<k::init_producer_id_request>{}, tag<k::init_producer_id_response>{});
      return true;
    case k::api_key::find_coordinator:
      f(tag<k::find_coordinator_request>{}, tag<k::find_coordinator_response>{});
      return true;
    case k::api_key::join_group:
      f(tag<k::join_group_request>{}, tag<k::join_group_response>{});
      return true;
    case k::api_key::sync_group:
      f(tag<k::sync_group_request>{}, tag<k::sync_group_response>{});
      return true;
    case k::api_key::heartbeat:
      f(tag<k::heartbeat_request>{}, tag<k::heartbeat_response>{});
      return true;
    case k::api_key::leave_group:
      f(tag<k::leave_group_request>{}, tag<k::leave_group_response>{});
      return true;
    case k::api_key::offset_commit:
      f(tag<k::offset_commit_request>{}, tag<k::offset_commit_response>{});
      return true;
    case k::api_key::offset_fetch:
      f(tag<k::offset_fetch_request>{}, tag<k::offset_fetch_response>{});
      return true;
    case k::api_key::describe_groups:
      f(tag<k::describe_groups_request>{}, tag<k::describe_groups_response>{});
      return true;
    case k::api_key::list_groups:
      f(tag<k::list_groups_request>{}, tag<k::list_groups_response>{});
      return true;
  }
  return false;
}

// The populated request of `api` at `v` as a payload, and whether it has any body field.
bytes populated_request(const k::api_support& api, int16_t v, bool* has_body = nullptr) {
  bytes out;
  bool flex = v >= api.first_flexible;
  with_messages(api.key, [&](auto req, auto) {
    using Req = typename decltype(req)::type;
    auto body = populated<Req>(v, flex);
    if (has_body) *has_body = !flatten(body, v, flex).empty();
    out = request_payload(api.key, v, 1, body);
  });
  return out;
}

bytes small_batch() {
  runtime::batch_builder bb;
  bb.append(1700000000000, std::string_view("key"), std::string_view("value"));
  bb.append(1700000000001, std::nullopt, std::string_view("second"));
  return bb.build();
}

k::produce_request produce_v7() {
  k::produce_request p;
  p.acks = -1;
  p.timeout_ms = 1500;
  p.topics = {{"orders", {{0, small_batch()}, {3, small_batch()}}},
              {"audit", {{1, small_batch()}}}};
  return p;
}

k::fetch_request fetch_v11() {
  k::fetch_request f;
  f.max_wait_ms = 500;
  f.min_bytes = 1;
  f.max_bytes = 52428800;
  f.isolation_level = 1;
  f.session_id = 0;
  f.session_epoch = -1;
  f.topics = {{"orders", {{0, 4, 42, 0, 1048576}, {3, 4, 7, 0, 1048576}}},
              {"audit", {{1, -1, 0, -1, 65536}}}};
  f.forgotten_topics = {{"old", {0, 1}}};
  f.rack_id = "rack-a";
  return f;
}

// A request whose body is given as raw bytes after a normal header.
bytes raw_request(k::api_key key, int16_t v, int32_t correlation_id, const bytes& body) {
  bytes out;
  runtime::append_be16(out, uint16_t(key));
  runtime::append_be16(out, uint16_t(v));
  runtime::append_be32(out, uint32_t(correlation_id));
  bytes client = hx("00 01 'c'");
  out.insert(out.end(), client.begin(), client.end());
  out.insert(out.end(), body.begin(), body.end());
  return out;
}

// Decodes `b`, expecting it refused as malformed with `why` in the message and no allocation
// beyond what a request of this size could justify.
void expect_malformed(const bytes& b, const std::string& why) {
  k::decode_result d;
  size_t largest = 0;
  {
    alloc_probe probe;
    d = decode(b);
    largest = probe.largest();
  }
  EXPECT_EQ(d.outcome, kind::malformed) << d.message;
  EXPECT_FALSE(d.req);
  EXPECT_NE(d.message.find(why), std::string::npos) << d.message;
  EXPECT_LT(largest, 4096u) << "allocated by an untrusted count";
}

}  // namespace

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
      {18, 0, 3, 3}, {3, 0, 6, 9},  {0, 3, 7, 9},  {1, 4, 11, 12}, {2, 1, 3, 6},  {10, 0, 2, 3},
      {11, 0, 5, 6}, {14, 0, 3, 4}, {12, 0, 3, 4}, {13, 0, 3, 4},  {8, 2, 7, 8},  {9, 1, 5, 6},
      {22, 0, 1, 2}, {19, 0, 4, 5}, {20, 0, 3, 4}, {32, 0, 2, 4},  {15, 0, 2, 5}, {16, 0, 2, 3}};
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
  // LeaderAndIsr (inter-broker), SaslHandshake, DeleteRecords, and keys no Kafka has.
  for (int16_t key : {int16_t(4), int16_t(17), int16_t(21), int16_t(-1), int16_t(0x7fff)}) {
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
