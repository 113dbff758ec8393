#include "net/kafka/codec.hpp"

#include <climits>

namespace brook::net::kafka {

const std::vector<api_support>& supported_apis() {
  // Versions per ../shared/reference/kafka-protocol.md. The one statement of them: each handler
  // in actors/session/kafka/ serves exactly these, and docs/protocol.md's table is checked
  // against this one (tests/unit/net/served_apis_doc_test.cpp).
  static const std::vector<api_support> apis = {
      // Produce from 0: librdkafka 2.0.2 compresses with gzip/snappy/lz4 only if Produce v0 is
      // advertised. v0-2 batches (message format 0/1) are refused with CORRUPT_MESSAGE.
      {api_key::produce, 0, 7, 9, "Produce"},
      {api_key::fetch, 4, 11, 12, "Fetch"},
      {api_key::list_offsets, 1, 3, 6, "ListOffsets"},
      {api_key::metadata, 0, 6, 9, "Metadata"},
      {api_key::api_versions, 0, 3, 3, "ApiVersions"},
      {api_key::create_topics, 0, 4, 5, "CreateTopics"},
      {api_key::delete_topics, 0, 3, 4, "DeleteTopics"},
      {api_key::init_producer_id, 0, 1, 2, "InitProducerId"},
      {api_key::describe_configs, 0, 2, 4, "DescribeConfigs"},
      {api_key::create_partitions, 0, 3, 2, "CreatePartitions"},
      {api_key::delete_groups, 0, 2, 2, "DeleteGroups"},
      {api_key::offset_delete, 0, 0, INT16_MAX, "OffsetDelete"},
      {api_key::describe_cluster, 0, 1, 0, "DescribeCluster"},
      {api_key::alter_configs, 0, 2, 2, "AlterConfigs"},
      {api_key::incremental_alter_configs, 0, 1, 1, "IncrementalAlterConfigs"},
      {api_key::delete_records, 0, 2, 2, "DeleteRecords"},
      {api_key::describe_log_dirs, 0, 4, 2, "DescribeLogDirs"},
      {api_key::add_partitions_to_txn, 0, 3, 3, "AddPartitionsToTxn"},
      {api_key::add_offsets_to_txn, 0, 3, 3, "AddOffsetsToTxn"},
      {api_key::end_txn, 0, 3, 3, "EndTxn"},
      {api_key::txn_offset_commit, 0, 3, 3, "TxnOffsetCommit"},
      {api_key::write_txn_markers, 0, 1, 1, "WriteTxnMarkers"},
      {api_key::describe_transactions, 0, 0, 0, "DescribeTransactions"},
      {api_key::list_transactions, 0, 0, 0, "ListTransactions"},
      {api_key::sasl_handshake, 0, 1, INT16_MAX, "SaslHandshake"},
      {api_key::sasl_authenticate, 0, 2, 2, "SaslAuthenticate"},
      {api_key::describe_acls, 0, 3, 2, "DescribeAcls"},
      {api_key::create_acls, 0, 3, 2, "CreateAcls"},
      {api_key::delete_acls, 0, 3, 2, "DeleteAcls"},
      {api_key::offset_commit, 2, 7, 8, "OffsetCommit"},
      {api_key::offset_fetch, 1, 5, 6, "OffsetFetch"},
      {api_key::find_coordinator, 0, 2, 3, "FindCoordinator"},
      {api_key::join_group, 0, 5, 6, "JoinGroup"},
      {api_key::heartbeat, 0, 3, 4, "Heartbeat"},
      {api_key::leave_group, 0, 3, 4, "LeaveGroup"},
      {api_key::sync_group, 0, 3, 4, "SyncGroup"},
      {api_key::describe_groups, 0, 5, 5, "DescribeGroups"},
      {api_key::list_groups, 0, 4, 3, "ListGroups"},
  };
  return apis;
}

const api_support* find_api(int16_t key) {
  for (const auto& a : supported_apis())
    if (int16_t(a.key) == key) return &a;
  return nullptr;
}

namespace {

template <class Body>
void read_body(reader& r, request& out) {
  Body b;
  b.io(r);
  out.body = std::move(b);
}

}  // namespace

decode_result decode_request(const uint8_t* payload, size_t n) {
  decode_result res;
  if (n < 8) {
    res.message = "request shorter than its header";
    return res;
  }
  res.header.api_key = int16_t(runtime::load_be16(payload));
  res.header.api_version = int16_t(runtime::load_be16(payload + 2));
  res.header.correlation_id = int32_t(runtime::load_be32(payload + 4));
  const auto* api = find_api(res.header.api_key);
  if (!api) {
    res.outcome = decode_result::kind::unknown_api;
    res.message = "unknown API key " + std::to_string(res.header.api_key);
    return res;
  }
  int16_t v = res.header.api_version;
  if (v < api->min_version || v > api->max_version) {
    res.outcome = decode_result::kind::unsupported_version;
    res.message = std::string(api->name) + " version " + std::to_string(v) + " is not supported (" +
                  std::to_string(api->min_version) + "-" + std::to_string(api->max_version) + ")";
    return res;
  }
  bool flexible = v >= api->first_flexible;
  // The header's client_id is a classic nullable string even in flexible requests.
  reader hr(payload + 8, n - 8, v, false);
  hr.nstr(res.header.client_id);
  size_t consumed = (n - 8) - hr.remaining();
  reader r(payload + 8 + consumed, n - 8 - consumed, v, flexible);
  r.tags();  // request header v2
  request out;
  out.header = res.header;
  switch (api->key) {
    case api_key::api_versions: read_body<api_versions_request>(r, out); break;
    case api_key::metadata: read_body<metadata_request>(r, out); break;
    case api_key::produce: read_body<produce_request>(r, out); break;
    case api_key::fetch: read_body<fetch_request>(r, out); break;
    case api_key::list_offsets: read_body<list_offsets_request>(r, out); break;
    case api_key::create_topics: read_body<create_topics_request>(r, out); break;
    case api_key::delete_topics: read_body<delete_topics_request>(r, out); break;
    case api_key::describe_configs: read_body<describe_configs_request>(r, out); break;
    case api_key::init_producer_id: read_body<init_producer_id_request>(r, out); break;
    case api_key::find_coordinator: read_body<find_coordinator_request>(r, out); break;
    case api_key::join_group: read_body<join_group_request>(r, out); break;
    case api_key::sync_group: read_body<sync_group_request>(r, out); break;
    case api_key::heartbeat: read_body<heartbeat_request>(r, out); break;
    case api_key::leave_group: read_body<leave_group_request>(r, out); break;
    case api_key::offset_commit: read_body<offset_commit_request>(r, out); break;
    case api_key::offset_fetch: read_body<offset_fetch_request>(r, out); break;
    case api_key::describe_groups: read_body<describe_groups_request>(r, out); break;
    case api_key::list_groups: read_body<list_groups_request>(r, out); break;
    case api_key::create_partitions: read_body<create_partitions_request>(r, out); break;
    case api_key::delete_groups: read_body<delete_groups_request>(r, out); break;
    case api_key::offset_delete: read_body<offset_delete_request>(r, out); break;
    case api_key::describe_cluster: read_body<describe_cluster_request>(r, out); break;
    case api_key::alter_configs: read_body<alter_configs_request>(r, out); break;
    case api_key::incremental_alter_configs:
      read_body<incremental_alter_configs_request>(r, out);
      break;
    case api_key::delete_records: read_body<delete_records_request>(r, out); break;
    case api_key::describe_log_dirs: read_body<describe_log_dirs_request>(r, out); break;
    case api_key::add_partitions_to_txn: read_body<add_partitions_to_txn_request>(r, out); break;
    case api_key::add_offsets_to_txn: read_body<add_offsets_to_txn_request>(r, out); break;
    case api_key::end_txn: read_body<end_txn_request>(r, out); break;
    case api_key::txn_offset_commit: read_body<txn_offset_commit_request>(r, out); break;
    case api_key::write_txn_markers: read_body<write_txn_markers_request>(r, out); break;
    case api_key::describe_transactions:
      read_body<describe_transactions_request>(r, out);
      break;
    case api_key::list_transactions: read_body<list_transactions_request>(r, out); break;
    case api_key::sasl_handshake:
      read_body<sasl_handshake_request>(r, out);
      break;
    case api_key::sasl_authenticate:
      read_body<sasl_authenticate_request>(r, out);
      break;
    case api_key::describe_acls:
      read_body<describe_acls_request>(r, out);
      break;
    case api_key::create_acls:
      read_body<create_acls_request>(r, out);
      break;
    case api_key::delete_acls:
      read_body<delete_acls_request>(r, out);
      break;
  }
  if (!hr.ok() || !r.ok()) {
    res.message = std::string("malformed ") + api->name + " v" + std::to_string(v) + " request: " +
                  (hr.ok() ? r.error() : hr.error());
    return res;
  }
  res.outcome = decode_result::kind::ok;
  res.req = std::move(out);
  return res;
}

bytes encode_api_versions(const request_header& h, int16_t error_code) {
  api_versions_response resp;
  resp.error_code = error_code;
  for (const auto& a : supported_apis()) resp.apis.push_back({int16_t(a.key), a.min_version, a.max_version});
  request_header v0 = h;
  if (error_code != 0) v0.api_version = 0;  // a version we do not know: answer in v0's layout
  return encode_response(v0, resp);
}

}  // namespace brook::net::kafka
