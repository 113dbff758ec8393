// The transaction coordinator through raw Kafka requests (FindCoordinator key type 1,
// InitProducerId with a transactional id, AddPartitionsToTxn, EndTxn, WriteTxnMarkers, Fetch with
// isolation_level 1): Kafka's error codes for every wrong step, the epoch bump that fences an
// older instance, the abort of a transaction left open past its timeout, and what a
// read_committed fetch returns around an open and an aborted transaction.
#include "group_test_fixture.hpp"
#include "runtime/record_batch.hpp"

using namespace group_tests;

namespace {

constexpr int16_t kUnknownTopic = 3, kInvalidProducerEpoch = 47, kInvalidTxnState = 48,
                  kInvalidProducerIdMapping = 49, kInvalidTxnTimeout = 50,
                  kOperationNotAttempted = 55;

class Transactions : public Groups {
 protected:
  k::init_producer_id_response init(kafka_conn& c, const std::string& id, int32_t timeout_ms) {
    k::init_producer_id_request r;
    r.transactional_id = id;
    r.transaction_timeout_ms = timeout_ms;
    return c.call<k::init_producer_id_response>(k::api_key::init_producer_id, 1, r);
  }
  // AddPartitionsToTxn v1 of topic's partitions; the error of each, in order.
  std::vector<int16_t> add(kafka_conn& c, const std::string& id, int64_t pid, int16_t epoch,
                           std::vector<std::pair<std::string, int32_t>> parts) {
    k::add_partitions_to_txn_request r{id, pid, epoch, {}};
    for (auto& [t, p] : parts) {
      if (r.topics.empty() || r.topics.back().name != t) r.topics.push_back({t, {}});
      r.topics.back().partitions.push_back(p);
    }
    auto resp = c.call<k::add_partitions_to_txn_response>(k::api_key::add_partitions_to_txn, 1, r);
    std::vector<int16_t> out;
    for (const auto& t : resp.results)
      for (const auto& p : t.partitions) out.push_back(p.error_code);
    return out;
  }
  int16_t end(kafka_conn& c, const std::string& id, int64_t pid, int16_t epoch, bool commit) {
    return c.call<k::txn_status_response>(k::api_key::end_txn, 1, k::end_txn_request{id, pid, epoch, commit})
        .error_code;
  }
  // Produce v3 of one transactional batch (`n` records) of (pid, epoch) from sequence `seq`.
  int16_t produce(kafka_conn& c, const std::string& id, const std::string& topic, int64_t pid,
                  int16_t epoch, int32_t seq, int n) {
    runtime::batch_builder b;
    b.set_producer(pid, epoch, seq);
    b.set_transactional();
    for (int i = 0; i < n; ++i) b.append(0, std::nullopt, std::string_view("txn-record"));
    k::produce_request r;
    r.transactional_id = id;
    r.acks = -1;
    r.timeout_ms = 10000;
    r.topics.push_back({topic, {{0, b.build()}}});
    auto resp = c.call<k::produce_response>(k::api_key::produce, 3, r);
    return resp.topics.empty() || resp.topics[0].partitions.empty() ? -1
                                                                    : resp.topics[0].partitions[0].error_code;
  }
  // Fetch v4 of partition 0 from offset 0: (high watermark, last stable offset, aborted count).
  std::tuple<int64_t, int64_t, size_t, size_t> fetch(kafka_conn& c, const std::string& topic, int8_t isolation) {
    k::fetch_request r;
    r.max_wait_ms = 0;
    r.min_bytes = 0;
    r.max_bytes = 1 << 20;
    r.isolation_level = isolation;
    k::fetch_request::partition part;
    part.fetch_offset = 0;
    part.max_bytes = 1 << 20;
    r.topics.push_back({topic, {part}});
    auto resp = c.call<k::fetch_response>(k::api_key::fetch, 4, r);
    if (resp.topics.empty() || resp.topics[0].partitions.empty()) return {-1, -1, 0, 0};
    const auto& p = resp.topics[0].partitions[0];
    return {p.high_watermark, p.last_stable_offset,
            p.aborted_transactions ? p.aborted_transactions->size() : 0, p.records ? p.records->size() : 0};
  }
};

TEST_F(Transactions, CoordinatorAnswersAsKafkaAndFencesAndTimesOut) {
  create_topic("txn-raw", 1);
  kafka_conn c(broker.kafka_port());
  k::find_coordinator_request f;
  f.key = "txn-a";
  f.key_type = 1;
  auto fc = c.call<k::find_coordinator_response>(k::api_key::find_coordinator, 1, f);
  EXPECT_EQ(fc.error_code, kNone);
  EXPECT_EQ(fc.port, int32_t(broker.kafka_port()));

  EXPECT_EQ(init(c, "txn-a", 0).error_code, kInvalidTxnTimeout);
  EXPECT_EQ(init(c, "txn-a", 900001).error_code, kInvalidTxnTimeout);
  auto first = init(c, "txn-a", 60000);
  ASSERT_EQ(first.error_code, kNone);
  EXPECT_EQ(first.producer_epoch, 0);
  auto again = init(c, "txn-a", 60000);  // a new instance: same id, next epoch
  ASSERT_EQ(again.error_code, kNone);
  EXPECT_EQ(again.producer_id, first.producer_id);
  EXPECT_EQ(again.producer_epoch, 1);
  int64_t pid = again.producer_id;

  EXPECT_EQ(end(c, "txn-a", pid, 1, true), kInvalidTxnState);  // nothing open
  EXPECT_EQ(add(c, "txn-a", pid + 1, 1, {{"txn-raw", 0}}), std::vector<int16_t>{kInvalidProducerIdMapping});
  EXPECT_EQ(add(c, "txn-a", pid, 0, {{"txn-raw", 0}}), std::vector<int16_t>{kInvalidProducerEpoch});
  EXPECT_EQ(add(c, "txn-a", pid, 1, {{"txn-raw", 0}, {"txn-raw", 9}}),
            (std::vector<int16_t>{kOperationNotAttempted, kUnknownTopic}));

  // An open transaction holds read_committed readers at its first offset.
  ASSERT_EQ(add(c, "txn-a", pid, 1, {{"txn-raw", 0}}), std::vector<int16_t>{kNone});
  ASSERT_EQ(produce(c, "txn-a", "txn-raw", pid, 1, 0, 3), kNone);
  auto [hw, lso, aborted, bytes] = fetch(c, "txn-raw", 1);
  EXPECT_EQ(hw, 3);
  EXPECT_EQ(lso, 0);
  EXPECT_EQ(bytes, 0u);
  EXPECT_GT(std::get<3>(fetch(c, "txn-raw", 0)), 0u);  // read_uncommitted sees them
  for (int8_t isolation : {0, 1}) {  // ListOffsets v2 latest: the HW, or the LSO when committed
    k::list_offsets_request lo;
    lo.isolation_level = isolation;
    lo.topics.push_back({"txn-raw", {{0, -1}}});
    auto r = c.call<k::list_offsets_response>(k::api_key::list_offsets, 2, lo);
    ASSERT_EQ(r.topics.size(), 1u);
    EXPECT_EQ(r.topics[0].partitions[0].offset, isolation == 1 ? 0 : 3);
  }
  ASSERT_EQ(end(c, "txn-a", pid, 1, false), kNone);    // abort: a marker at offset 3
  std::tie(hw, lso, aborted, bytes) = fetch(c, "txn-raw", 1);
  EXPECT_EQ(hw, 4);
  EXPECT_EQ(lso, 4);
  EXPECT_EQ(aborted, 1u);  // the reader is told to skip producer pid's records from offset 0
  EXPECT_EQ(end(c, "txn-a", pid, 1, false), kNone);  // a retried EndTxn of the same outcome
  EXPECT_EQ(end(c, "txn-a", pid, 1, true), kInvalidTxnState);

  // Committed: nothing to skip in the new range; the records stay readable.
  ASSERT_EQ(add(c, "txn-a", pid, 1, {{"txn-raw", 0}}), std::vector<int16_t>{kNone});
  ASSERT_EQ(produce(c, "txn-a", "txn-raw", pid, 1, 3, 2), kNone);
  ASSERT_EQ(end(c, "txn-a", pid, 1, true), kNone);
  std::tie(hw, lso, aborted, bytes) = fetch(c, "txn-raw", 1);
  EXPECT_EQ(hw, 7);
  EXPECT_EQ(lso, 7);

  // A newer instance fences the older one: its produce and EndTxn get INVALID_PRODUCER_EPOCH.
  ASSERT_EQ(init(c, "txn-a", 60000).producer_epoch, 2);
  EXPECT_EQ(end(c, "txn-a", pid, 1, true), kInvalidProducerEpoch);
  ASSERT_EQ(add(c, "txn-a", pid, 2, {{"txn-raw", 0}}), std::vector<int16_t>{kNone});
  ASSERT_EQ(produce(c, "txn-a", "txn-raw", pid, 2, 0, 1), kNone);
  EXPECT_EQ(produce(c, "txn-a", "txn-raw", pid, 1, 5, 1), kInvalidProducerEpoch);

  // DescribeTransactions / ListTransactions (kafka-transactions.sh) see it open.
  auto d = c.call<k::describe_transactions_response>(
      k::api_key::describe_transactions, 0, k::describe_transactions_request{{"txn-a", "txn-never"}});
  ASSERT_EQ(d.states.size(), 2u);
  EXPECT_EQ(d.states[0].error_code, kNone);
  EXPECT_EQ(d.states[0].transaction_state, "Ongoing");
  EXPECT_EQ(d.states[0].producer_id, pid);
  EXPECT_EQ(d.states[0].producer_epoch, 2);
  EXPECT_EQ(d.states[0].timeout_ms, 60000);
  EXPECT_GT(d.states[0].start_time_ms, 0);
  ASSERT_EQ(d.states[0].topics.size(), 1u);
  EXPECT_EQ(d.states[0].topics[0].name, "txn-raw");
  EXPECT_EQ(d.states[0].topics[0].partitions, std::vector<int32_t>{0});
  EXPECT_EQ(d.states[1].error_code, 105);  // TRANSACTIONAL_ID_NOT_FOUND
  auto l = c.call<k::list_transactions_response>(
      k::api_key::list_transactions, 0, k::list_transactions_request{{"Ongoing", "Bogus"}, {}});
  EXPECT_EQ(l.unknown_state_filters, std::vector<std::string>{"Bogus"});
  ASSERT_EQ(l.states.size(), 1u);
  EXPECT_EQ(l.states[0].transactional_id, "txn-a");
  EXPECT_EQ(l.states[0].transaction_state, "Ongoing");
  l = c.call<k::list_transactions_response>(k::api_key::list_transactions, 0,
                                            k::list_transactions_request{{}, {pid + 1000}});
  EXPECT_TRUE(l.states.empty());

  // Left open past its timeout, the transaction is aborted under a bumped epoch.
  auto shortlived = init(c, "txn-b", 1000);
  ASSERT_EQ(shortlived.error_code, kNone);
  ASSERT_EQ(add(c, "txn-b", shortlived.producer_id, 0, {{"txn-raw", 0}}), std::vector<int16_t>{kNone});
  ASSERT_EQ(produce(c, "txn-b", "txn-raw", shortlived.producer_id, 0, 0, 1), kNone);
  EXPECT_TRUE(itest::eventually(
      [&] { return broker.log().find("txn-b: transaction open longer than 1000 ms; aborting it") != std::string::npos; },
      10s));
  EXPECT_TRUE(itest::eventually(
      [&] { return end(c, "txn-b", shortlived.producer_id, 0, true) == kInvalidProducerEpoch; }, 10s));
  ASSERT_EQ(end(c, "txn-a", pid, 2, true), kNone);
  std::tie(hw, lso, aborted, bytes) = fetch(c, "txn-raw", 1);
  EXPECT_EQ(lso, hw) << "every transaction decided";

  // WriteTxnMarkers as a coordinator sends it: a marker for a partition without an open
  // transaction changes nothing but is answered.
  k::write_txn_markers_request w;
  w.markers.push_back({pid, 2, true, {{"txn-raw", {0}}}, 0});
  auto wr = c.call<k::write_txn_markers_response>(k::api_key::write_txn_markers, 1, w);
  ASSERT_EQ(wr.markers.size(), 1u);
  ASSERT_EQ(wr.markers[0].topics.size(), 1u);
  EXPECT_EQ(wr.markers[0].topics[0].partitions[0].error_code, kNone);

  // Restarted (kill -9), the partition rebuilds its transactions from the log: the same aborted
  // ones are reported, and a new open one holds readers back again.
  auto [hw0, lso0, aborted0, bytes0] = fetch(c, "txn-raw", 1);
  broker.kill9();
  ASSERT_TRUE(broker.start()) << broker.log();
  kafka_conn after(broker.kafka_port());
  std::tuple<int64_t, int64_t, size_t, size_t> now;
  EXPECT_TRUE(itest::eventually(
      [&] {
        now = fetch(after, "txn-raw", 1);
        return std::get<0>(now) == hw0;
      },
      20s));
  EXPECT_EQ(std::get<1>(now), lso0);
  EXPECT_EQ(std::get<2>(now), aborted0);
  EXPECT_GE(aborted0, 2u);  // txn-a's first transaction and txn-b's, aborted at its timeout
  expect_serving();
}

}  // namespace
