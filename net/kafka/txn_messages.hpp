#pragma once
// Kafka transaction request and response bodies (AddPartitionsToTxn, AddOffsetsToTxn, EndTxn,
// TxnOffsetCommit, WriteTxnMarkers). Each is described once by io(); version gates follow Kafka's
// message JSON schemas (all flexible from v3).
#include "net/kafka/messages.hpp"

namespace brook::net::kafka {

// ---- AddPartitionsToTxn (24), v0-3 ----------------------------------------------------------
struct add_partitions_to_txn_request {
  struct topic {
    std::string name;
    std::vector<int32_t> partitions;
  };
  std::string transactional_id;
  int64_t producer_id = -1;
  int16_t producer_epoch = -1;
  std::vector<topic> topics;
  template <class IO>
  void io(IO& f) {
    f.str(transactional_id);
    f.i64(producer_id);
    f.i16(producer_epoch);
    f.array(topics, [&](topic& t) {
      f.str(t.name);
      int32s(f, t.partitions);
      f.tags();
    });
    f.tags();
  }
};
struct add_partitions_to_txn_response {
  struct partition {
    int32_t index = 0;
    int16_t error_code = 0;
  };
  struct topic {
    std::string name;
    std::vector<partition> partitions;
  };
  int32_t throttle_time_ms = 0;
  std::vector<topic> results;
  template <class IO>
  void io(IO& f) {
    f.i32(throttle_time_ms);
    f.array(results, [&](topic& t) {
      f.str(t.name);
      f.array(t.partitions, [&](partition& p) {
        f.i32(p.index);
        f.i16(p.error_code);
        f.tags();
      });
      f.tags();
    });
    f.tags();
  }
};

// ---- AddOffsetsToTxn (25), v0-3 -------------------------------------------------------------
struct add_offsets_to_txn_request {
  std::string transactional_id;
  int64_t producer_id = -1;
  int16_t producer_epoch = -1;
  std::string group_id;
  template <class IO>
  void io(IO& f) {
    f.str(transactional_id);
    f.i64(producer_id);
    f.i16(producer_epoch);
    f.str(group_id);
    f.tags();
  }
};
/// The answer to AddOffsetsToTxn and EndTxn.
struct txn_status_response {
  int32_t throttle_time_ms = 0;
  int16_t error_code = 0;
  template <class IO>
  void io(IO& f) {
    f.i32(throttle_time_ms);
    f.i16(error_code);
    f.tags();
  }
};

// ---- EndTxn (26), v0-3 ----------------------------------------------------------------------
struct end_txn_request {
  std::string transactional_id;
  int64_t producer_id = -1;
  int16_t producer_epoch = -1;
  bool committed = false;
  template <class IO>
  void io(IO& f) {
    f.str(transactional_id);
    f.i64(producer_id);
    f.i16(producer_epoch);
    f.boolean(committed);
    f.tags();
  }
};

// ---- TxnOffsetCommit (28), v0-3 -------------------------------------------------------------
struct txn_offset_commit_request {
  struct partition {
    int32_t index = 0;
    int64_t offset = -1;
    int32_t leader_epoch = -1;  // v2+
    std::optional<std::string> metadata;
  };
  struct topic {
    std::string name;
    std::vector<partition> partitions;
  };
  std::string transactional_id;
  std::string group_id;
  int64_t producer_id = -1;
  int16_t producer_epoch = -1;
  int32_t generation_id = -1;                    // v3+
  std::string member_id;                         // v3+
  std::optional<std::string> group_instance_id;  // v3+
  std::vector<topic> topics;
  template <class IO>
  void io(IO& f) {
    f.str(transactional_id);
    f.str(group_id);
    f.i64(producer_id);
    f.i16(producer_epoch);
    if (f.version >= 3) {
      f.i32(generation_id);
      f.str(member_id);
      f.nstr(group_instance_id);
    }
    f.array(topics, [&](topic& t) {
      f.str(t.name);
      f.array(t.partitions, [&](partition& p) {
        f.i32(p.index);
        f.i64(p.offset);
        if (f.version >= 2) f.i32(p.leader_epoch);
        f.nstr(p.metadata);
        f.tags();
      });
      f.tags();
    });
    f.tags();
  }
};
/// Same layout as AddPartitionsToTxn's response.
using txn_offset_commit_response = add_partitions_to_txn_response;

// ---- WriteTxnMarkers (27), v0-1 (flexible from v1): a transaction coordinator -> leaders -------
struct write_txn_markers_request {
  struct topic {
    std::string name;
    std::vector<int32_t> partitions;
  };
  struct marker {
    int64_t producer_id = -1;
    int16_t producer_epoch = -1;
    bool committed = false;
    std::vector<topic> topics;
    int32_t coordinator_epoch = 0;
  };
  std::vector<marker> markers;
  template <class IO>
  void io(IO& f) {
    f.array(markers, [&](marker& m) {
      f.i64(m.producer_id);
      f.i16(m.producer_epoch);
      f.boolean(m.committed);
      f.array(m.topics, [&](topic& t) {
        f.str(t.name);
        int32s(f, t.partitions);
        f.tags();
      });
      f.i32(m.coordinator_epoch);
      f.tags();
    });
    f.tags();
  }
};
struct write_txn_markers_response {
  struct marker {
    int64_t producer_id = -1;
    std::vector<add_partitions_to_txn_response::topic> topics;
  };
  std::vector<marker> markers;
  template <class IO>
  void io(IO& f) {
    f.array(markers, [&](marker& m) {
      f.i64(m.producer_id);
      f.array(m.topics, [&](add_partitions_to_txn_response::topic& t) {
        f.str(t.name);
        f.array(t.partitions, [&](add_partitions_to_txn_response::partition& p) {
          f.i32(p.index);
          f.i16(p.error_code);
          f.tags();
        });
        f.tags();
      });
      f.tags();
    });
    f.tags();
  }
};

// ---- DescribeTransactions (65) and ListTransactions (66), v0 (flexible) -----------------------
struct describe_transactions_request {
  std::vector<std::string> transactional_ids;
  template <class IO>
  void io(IO& f) {
    f.array(transactional_ids, [&](std::string& s) { f.str(s); });
    f.tags();
  }
};
struct describe_transactions_response {
  struct topic {
    std::string name;
    std::vector<int32_t> partitions;
  };
  struct state {
    int16_t error_code = 0;
    std::string transactional_id;
    std::string transaction_state;
    int32_t timeout_ms = 0;
    int64_t start_time_ms = -1;
    int64_t producer_id = -1;
    int16_t producer_epoch = -1;
    std::vector<topic> topics;
  };
  int32_t throttle_time_ms = 0;
  std::vector<state> states;
  template <class IO>
  void io(IO& f) {
    f.i32(throttle_time_ms);
    f.array(states, [&](state& s) {
      f.i16(s.error_code);
      f.str(s.transactional_id);
      f.str(s.transaction_state);
      f.i32(s.timeout_ms);
      f.i64(s.start_time_ms);
      f.i64(s.producer_id);
      f.i16(s.producer_epoch);
      f.array(s.topics, [&](topic& t) {
        f.str(t.name);
        int32s(f, t.partitions);
        f.tags();
      });
      f.tags();
    });
    f.tags();
  }
};
struct list_transactions_request {
  std::vector<std::string> state_filters;
  std::vector<int64_t> producer_id_filters;
  template <class IO>
  void io(IO& f) {
    f.array(state_filters, [&](std::string& s) { f.str(s); });
    f.array(producer_id_filters, [&](int64_t& p) { f.i64(p); });
    f.tags();
  }
};
struct list_transactions_response {
  struct state {
    std::string transactional_id;
    int64_t producer_id = -1;
    std::string transaction_state;
  };
  int32_t throttle_time_ms = 0;
  int16_t error_code = 0;
  std::vector<std::string> unknown_state_filters;
  std::vector<state> states;
  template <class IO>
  void io(IO& f) {
    f.i32(throttle_time_ms);
    f.i16(error_code);
    f.array(unknown_state_filters, [&](std::string& s) { f.str(s); });
    f.array(states, [&](state& s) {
      f.str(s.transactional_id);
      f.i64(s.producer_id);
      f.str(s.transaction_state);
      f.tags();
    });
    f.tags();
  }
};

}  // namespace brook::net::kafka
