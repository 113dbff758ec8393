#pragma once
// Shared by the Kafka codec unit tests (kafka_codec_test.cpp, kafka_decode_test.cpp): populated
// messages for every API, request builders, and the allocation probe (defined in
// kafka_codec_test.cpp, which replaces the global operator new for this test binary).
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


// Not every test file uses every helper.
#pragma GCC diagnostic ignored "-Wunused-function"

// ---- Allocation probe: the largest single allocation made while a probe is alive on its thread.
namespace codec_test {
extern thread_local bool probe_armed;
extern thread_local size_t probe_largest;
}  // namespace codec_test

struct alloc_probe {
  alloc_probe() {
    codec_test::probe_largest = 0;
    codec_test::probe_armed = true;
  }
  ~alloc_probe() { codec_test::probe_armed = false; }
  size_t largest() const { return codec_test::probe_largest; }
};

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
  void records(std::optional<bytes>& b, std::vector<runtime::file_slice>&) { nbytes(b); }
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
  void records(std::optional<bytes>& b, std::vector<runtime::file_slice>&) { nbytes(b); }
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
// encode_response frames it with the response header of its version.
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

    // Response header v1 (an empty tagged-field section) for flexible versions, but never for
    // ApiVersions (kafka-protocol.md, pitfall 1).
    k::request_header h{int16_t(api.key), v, 77 + v, std::nullopt};
    auto frame = k::encode_response(h, resp);
    size_t header = flex && api.key != k::api_key::api_versions ? 9 : 8;
    ASSERT_EQ(frame.size(), header + body.size());
    EXPECT_EQ(runtime::load_be32(frame.data()), frame.size() - 4);
    EXPECT_EQ(int32_t(runtime::load_be32(frame.data() + 4)), 77 + v);
    if (header == 9) EXPECT_EQ(frame[8], 0) << "response header v1 without its empty tags";
    EXPECT_EQ(bytes(frame.begin() + long(header), frame.end()), body) << "wrong response header";
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
    case k::api_key::create_partitions:
      f(tag<k::create_partitions_request>{}, tag<k::create_partitions_response>{});
      return true;
    case k::api_key::delete_groups:
      f(tag<k::delete_groups_request>{}, tag<k::delete_groups_response>{});
      return true;
    case k::api_key::offset_delete:
      f(tag<k::offset_delete_request>{}, tag<k::offset_delete_response>{});
      return true;
    case k::api_key::describe_cluster:
      f(tag<k::describe_cluster_request>{}, tag<k::describe_cluster_response>{});
      return true;
    case k::api_key::alter_configs:
      f(tag<k::alter_configs_request>{}, tag<k::alter_configs_response>{});
      return true;
    case k::api_key::incremental_alter_configs:
      f(tag<k::incremental_alter_configs_request>{}, tag<k::alter_configs_response>{});
      return true;
    case k::api_key::delete_records:
      f(tag<k::delete_records_request>{}, tag<k::delete_records_response>{});
      return true;
    case k::api_key::describe_log_dirs:
      f(tag<k::describe_log_dirs_request>{}, tag<k::describe_log_dirs_response>{});
      return true;
    case k::api_key::add_partitions_to_txn:
      f(tag<k::add_partitions_to_txn_request>{}, tag<k::add_partitions_to_txn_response>{});
      return true;
    case k::api_key::add_offsets_to_txn:
      f(tag<k::add_offsets_to_txn_request>{}, tag<k::txn_status_response>{});
      return true;
    case k::api_key::end_txn:
      f(tag<k::end_txn_request>{}, tag<k::txn_status_response>{});
      return true;
    case k::api_key::txn_offset_commit:
      f(tag<k::txn_offset_commit_request>{}, tag<k::txn_offset_commit_response>{});
      return true;
    case k::api_key::write_txn_markers:
      f(tag<k::write_txn_markers_request>{}, tag<k::write_txn_markers_response>{});
      return true;
    case k::api_key::describe_transactions:
      f(tag<k::describe_transactions_request>{}, tag<k::describe_transactions_response>{});
      return true;
    case k::api_key::list_transactions:
      f(tag<k::list_transactions_request>{}, tag<k::list_transactions_response>{});
      return true;
    case k::api_key::sasl_handshake:
      f(tag<k::sasl_handshake_request>{}, tag<k::sasl_handshake_response>{});
      return true;
    case k::api_key::sasl_authenticate:
      f(tag<k::sasl_authenticate_request>{}, tag<k::sasl_authenticate_response>{});
      return true;
    case k::api_key::describe_acls:
      f(tag<k::describe_acls_request>{}, tag<k::describe_acls_response>{});
      return true;
    case k::api_key::create_acls:
      f(tag<k::create_acls_request>{}, tag<k::create_acls_response>{});
      return true;
    case k::api_key::delete_acls:
      f(tag<k::delete_acls_request>{}, tag<k::delete_acls_response>{});
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
