#pragma once
// Kafka request decoding and response encoding, and the table of APIs and versions Brook serves.
// Decoding runs on the connection's I/O thread; it never throws and never trusts a count.
#include <cassert>
#include <optional>
#include <string>
#include <variant>

#include "net/kafka/group_messages.hpp"
#include "net/kafka/messages.hpp"
#include "net/kafka/security_messages.hpp"
#include "net/kafka/txn_messages.hpp"
#include "runtime/status.hpp"

namespace brook::net::kafka {

enum class api_key : int16_t {
  produce = 0,
  fetch = 1,
  list_offsets = 2,
  metadata = 3,
  api_versions = 18,
  create_topics = 19,
  delete_topics = 20,
  offset_commit = 8,
  offset_fetch = 9,
  find_coordinator = 10,
  join_group = 11,
  heartbeat = 12,
  leave_group = 13,
  sync_group = 14,
  describe_groups = 15,
  list_groups = 16,
  init_producer_id = 22,
  describe_configs = 32,
  create_partitions = 37,
  delete_groups = 42,
  offset_delete = 47,
  describe_cluster = 60,
  alter_configs = 33,
  incremental_alter_configs = 44,
  delete_records = 21,
  describe_log_dirs = 35,
  add_partitions_to_txn = 24,
  add_offsets_to_txn = 25,
  end_txn = 26,
  txn_offset_commit = 28,
  write_txn_markers = 27,
  describe_transactions = 65,
  list_transactions = 66,
  sasl_handshake = 17,
  sasl_authenticate = 36,
  describe_acls = 29,
  create_acls = 30,
  delete_acls = 31,
};

/// One served API: the versions advertised in ApiVersions and where flexible encoding starts.
/// Minimums stay at what librdkafka 2.0 probes for (kafka-protocol.md, pitfall 2).
struct api_support {
  api_key key;
  int16_t min_version;
  int16_t max_version;
  int16_t first_flexible;  // INT16_MAX: no flexible version served
  const char* name;
};
const std::vector<api_support>& supported_apis();
const api_support* find_api(int16_t key);

struct request_header {
  int16_t api_key = 0;
  int16_t api_version = 0;
  int32_t correlation_id = 0;
  std::optional<std::string> client_id;
};

using request_body = std::variant<
    api_versions_request, metadata_request, produce_request, fetch_request, list_offsets_request,
    create_topics_request, delete_topics_request, describe_configs_request,
    init_producer_id_request, find_coordinator_request, join_group_request, sync_group_request,
    heartbeat_request, leave_group_request, offset_commit_request, offset_fetch_request,
    describe_groups_request, list_groups_request, create_partitions_request, delete_groups_request,
    offset_delete_request, describe_cluster_request, alter_configs_request,
    incremental_alter_configs_request, delete_records_request, describe_log_dirs_request,
    add_partitions_to_txn_request, add_offsets_to_txn_request, end_txn_request,
    txn_offset_commit_request, write_txn_markers_request, describe_transactions_request,
    list_transactions_request, sasl_handshake_request, sasl_authenticate_request,
    describe_acls_request, create_acls_request, delete_acls_request>;

struct request {
  request_header header;
  request_body body;
};

/// What decoding a frame gave: a request, or why not. `header` is filled whenever the first 8
/// bytes were there, so an error response can carry the correlation id.
struct decode_result {
  enum class kind { ok, unknown_api, unsupported_version, malformed } outcome = kind::malformed;
  request_header header;
  std::optional<request> req;
  std::string message;
};
decode_result decode_request(const uint8_t* payload, size_t n);

/// Bytes of record batches a response carries in memory (so encoding allocates once).
inline size_t batch_bytes(const fetch_response& r) {
  size_t n = 0;
  for (const auto& t : r.topics)
    for (const auto& p : t.partitions) n += p.records ? p.records->size() : 0;
  return n;
}
template <class Response>
size_t batch_bytes(const Response&) {
  return 0;
}

/// Encodes a whole response frame (length prefix included) for the request with `h`; a fetch's
/// record_files become the frame's file parts. ApiVersions always uses response header v0
/// (kafka-protocol.md, pitfall 1).
template <class Response>
outgoing_frame encode_response_frame(const request_header& h, Response& body) {
  outgoing_frame f;
  bytes& out = f.data;
  out.resize(4);
  out.reserve(256 + batch_bytes(body));  // one allocation, however many records a fetch holds
  runtime::append_be32(out, uint32_t(h.correlation_id));
  const auto* api = find_api(h.api_key);
  bool flexible = api && h.api_version >= api->first_flexible;
  writer w(out, h.api_version, flexible, &f.files);
  if (flexible && api_key(h.api_key) != api_key::api_versions) w.tags();
  body.io(w);
  size_t n = out.size() - 4;
  for (const auto& p : f.files) n += p.slice.size;
  runtime::store_be32(out.data(), uint32_t(n));
  return f;
}

/// The same for a response held wholly in memory.
template <class Response>
bytes encode_response(const request_header& h, Response& body) {
  auto f = encode_response_frame(h, body);
  assert(f.files.empty());
  return std::move(f.data);
}

/// The ApiVersions response listing every supported API; with `error_code` 35 it is encoded as
/// v0, the answer to a version the broker does not know.
bytes encode_api_versions(const request_header& h, int16_t error_code);

}  // namespace brook::net::kafka
