#pragma once
// Kafka request and response bodies Brook serves. Each message is described once by io(), which
// reads or writes it (net/kafka/wire.hpp); version gates follow Kafka's message JSON schemas.
// The supported version ranges live in the api table (supported_apis() in net/kafka/codec.cpp).
#include <optional>
#include <string>
#include <vector>

#include "net/kafka/wire.hpp"

namespace brook::net::kafka {

// Helpers so io() reads like the schema: int32 arrays and string arrays.
template <class IO>
void int32s(IO& f, std::vector<int32_t>& v) {
  f.array(v, [&](int32_t& x) { f.i32(x); });
}
template <class IO>
void strings(IO& f, std::vector<std::string>& v) {
  f.array(v, [&](std::string& x) { f.str(x); });
}

// ---- ApiVersions (18), v0-3; v3 flexible -------------------------------------------------
struct api_versions_request {
  std::string client_software_name, client_software_version;
  template <class IO>
  void io(IO& f) {
    if (f.version >= 3) {
      f.str(client_software_name);
      f.str(client_software_version);
      f.tags();
    }
  }
};
struct api_versions_response {
  struct api {
    int16_t key = 0, min = 0, max = 0;
  };
  int16_t error_code = 0;
  std::vector<api> apis;
  int32_t throttle_time_ms = 0;
  template <class IO>
  void io(IO& f) {
    f.i16(error_code);
    f.array(apis, [&](api& a) {
      f.i16(a.key);
      f.i16(a.min);
      f.i16(a.max);
      f.tags();
    });
    if (f.version >= 1) f.i32(throttle_time_ms);
    f.tags();
  }
};

// ---- Metadata (3), v0-6 ----------------------------------------------------------------------
struct metadata_request {
  std::optional<std::vector<std::string>> topics;  // v1+: null = all; v0: empty = all
  bool allow_auto_topic_creation = true;
  template <class IO>
  void io(IO& f) {
    if (f.version >= 1) {
      f.narray(topics, [&](std::string& t) { f.str(t); });
    } else {
      topics.emplace();
      strings(f, *topics);
    }
    if (f.version >= 4) f.boolean(allow_auto_topic_creation);
  }
};
struct metadata_response {
  struct broker {
    int32_t node_id = 0;
    std::string host;
    int32_t port = 0;
    std::optional<std::string> rack;
  };
  struct partition {
    int16_t error_code = 0;
    int32_t partition_index = 0, leader_id = -1;
    std::vector<int32_t> replica_nodes, isr_nodes, offline_replicas;
  };
  struct topic {
    int16_t error_code = 0;
    std::string name;
    bool is_internal = false;
    std::vector<partition> partitions;
  };
  int32_t throttle_time_ms = 0;
  std::vector<broker> brokers;
  std::optional<std::string> cluster_id;
  int32_t controller_id = -1;
  std::vector<topic> topics;
  template <class IO>
  void io(IO& f) {
    if (f.version >= 3) f.i32(throttle_time_ms);
    f.array(brokers, [&](broker& b) {
      f.i32(b.node_id);
      f.str(b.host);
      f.i32(b.port);
      if (f.version >= 1) f.nstr(b.rack);
    });
    if (f.version >= 2) f.nstr(cluster_id);
    if (f.version >= 1) f.i32(controller_id);
    f.array(topics, [&](topic& t) {
      f.i16(t.error_code);
      f.str(t.name);
      if (f.version >= 1) f.boolean(t.is_internal);
      f.array(t.partitions, [&](partition& p) {
        f.i16(p.error_code);
        f.i32(p.partition_index);
        f.i32(p.leader_id);
        int32s(f, p.replica_nodes);
        int32s(f, p.isr_nodes);
        if (f.version >= 5) int32s(f, p.offline_replicas);
      });
    });
  }
};

// ---- Produce (0), v0-7 (v0-2 carry old message formats, refused per partition) ------------------
struct produce_request {
  struct partition {
    int32_t index = 0;
    std::optional<bytes> records;
  };
  struct topic {
    std::string name;
    std::vector<partition> partitions;
  };
  std::optional<std::string> transactional_id;
  int16_t acks = 1;
  int32_t timeout_ms = 30000;
  std::vector<topic> topics;
  template <class IO>
  void io(IO& f) {
    if (f.version >= 3) f.nstr(transactional_id);
    f.i16(acks);
    f.i32(timeout_ms);
    f.array(topics, [&](topic& t) {
      f.str(t.name);
      f.array(t.partitions, [&](partition& p) {
        f.i32(p.index);
        f.nbytes(p.records);
      });
    });
  }
};
struct produce_response {
  struct partition {
    int32_t index = 0;
    int16_t error_code = 0;
    int64_t base_offset = -1, log_append_time_ms = -1, log_start_offset = -1;
  };
  struct topic {
    std::string name;
    std::vector<partition> partitions;
  };
  std::vector<topic> topics;
  int32_t throttle_time_ms = 0;
  template <class IO>
  void io(IO& f) {
    f.array(topics, [&](topic& t) {
      f.str(t.name);
      f.array(t.partitions, [&](partition& p) {
        f.i32(p.index);
        f.i16(p.error_code);
        f.i64(p.base_offset);
        if (f.version >= 2) f.i64(p.log_append_time_ms);
        if (f.version >= 5) f.i64(p.log_start_offset);
      });
    });
    if (f.version >= 1) f.i32(throttle_time_ms);
  }
};

// ---- Fetch (1), v4-11 ------------------------------------------------------------------------
struct fetch_request {
  struct partition {
    int32_t index = 0, current_leader_epoch = -1;
    int64_t fetch_offset = 0, log_start_offset = -1;
    int32_t max_bytes = 0;
  };
  struct topic {
    std::string name;
    std::vector<partition> partitions;
  };
  struct forgotten {
    std::string name;
    std::vector<int32_t> partitions;
  };
  int32_t replica_id = -1, max_wait_ms = 0, min_bytes = 0, max_bytes = 0x7fffffff;
  int8_t isolation_level = 0;
  int32_t session_id = 0, session_epoch = -1;
  std::vector<topic> topics;
  std::vector<forgotten> forgotten_topics;
  std::string rack_id;
  template <class IO>
  void io(IO& f) {
    f.i32(replica_id);
    f.i32(max_wait_ms);
    f.i32(min_bytes);
    f.i32(max_bytes);       // v3+
    f.i8(isolation_level);  // v4+
    if (f.version >= 7) {
      f.i32(session_id);
      f.i32(session_epoch);
    }
    f.array(topics, [&](topic& t) {
      f.str(t.name);
      f.array(t.partitions, [&](partition& p) {
        f.i32(p.index);
        if (f.version >= 9) f.i32(p.current_leader_epoch);
        f.i64(p.fetch_offset);
        if (f.version >= 5) f.i64(p.log_start_offset);
        f.i32(p.max_bytes);
      });
    });
    if (f.version >= 7)
      f.array(forgotten_topics, [&](forgotten& t) {
        f.str(t.name);
        int32s(f, t.partitions);
      });
    if (f.version >= 11) f.str(rack_id);
  }
};
struct fetch_response {
  struct aborted {
    int64_t producer_id = 0, first_offset = 0;
  };
  struct partition {
    int32_t index = 0;
    int16_t error_code = 0;
    int64_t high_watermark = -1, last_stable_offset = -1, log_start_offset = -1;
    std::optional<std::vector<aborted>> aborted_transactions;
    int32_t preferred_read_replica = -1;
    std::optional<bytes> records;
    std::vector<runtime::file_slice> record_files;  // on the way out: records still in the log
  };
  struct topic {
    std::string name;
    std::vector<partition> partitions;
  };
  int32_t throttle_time_ms = 0;
  int16_t error_code = 0;
  int32_t session_id = 0;
  std::vector<topic> topics;
  template <class IO>
  void io(IO& f) {
    f.i32(throttle_time_ms);
    if (f.version >= 7) {
      f.i16(error_code);
      f.i32(session_id);
    }
    f.array(topics, [&](topic& t) {
      f.str(t.name);
      f.array(t.partitions, [&](partition& p) {
        f.i32(p.index);
        f.i16(p.error_code);
        f.i64(p.high_watermark);
        f.i64(p.last_stable_offset);  // v4+
        if (f.version >= 5) f.i64(p.log_start_offset);
        f.narray(p.aborted_transactions, [&](aborted& a) {
          f.i64(a.producer_id);
          f.i64(a.first_offset);
        });
        if (f.version >= 11) f.i32(p.preferred_read_replica);
        f.records(p.records, p.record_files);
      });
    });
  }
};

// ---- ListOffsets (2), v1-3 -------------------------------------------------------------------
struct list_offsets_request {
  struct partition {
    int32_t index = 0;
    int64_t timestamp = -1;
  };
  struct topic {
    std::string name;
    std::vector<partition> partitions;
  };
  int32_t replica_id = -1;
  int8_t isolation_level = 0;
  std::vector<topic> topics;
  template <class IO>
  void io(IO& f) {
    f.i32(replica_id);
    if (f.version >= 2) f.i8(isolation_level);
    f.array(topics, [&](topic& t) {
      f.str(t.name);
      f.array(t.partitions, [&](partition& p) {
        f.i32(p.index);
        f.i64(p.timestamp);
      });
    });
  }
};
struct list_offsets_response {
  struct partition {
    int32_t index = 0;
    int16_t error_code = 0;
    int64_t timestamp = -1, offset = -1;
  };
  struct topic {
    std::string name;
    std::vector<partition> partitions;
  };
  int32_t throttle_time_ms = 0;
  std::vector<topic> topics;
  template <class IO>
  void io(IO& f) {
    if (f.version >= 2) f.i32(throttle_time_ms);
    f.array(topics, [&](topic& t) {
      f.str(t.name);
      f.array(t.partitions, [&](partition& p) {
        f.i32(p.index);
        f.i16(p.error_code);
        f.i64(p.timestamp);
        f.i64(p.offset);
      });
    });
  }
};

// ---- CreateTopics (19), v0-4 -----------------------------------------------------------------
struct create_topics_request {
  struct assignment {
    int32_t partition_index = 0;
    std::vector<int32_t> broker_ids;
  };
  struct config {
    std::string name;
    std::optional<std::string> value;
  };
  struct topic {
    std::string name;
    int32_t num_partitions = -1;
    int16_t replication_factor = -1;
    std::vector<assignment> assignments;
    std::vector<config> configs;
  };
  std::vector<topic> topics;
  int32_t timeout_ms = 0;
  bool validate_only = false;
  template <class IO>
  void io(IO& f) {
    f.array(topics, [&](topic& t) {
      f.str(t.name);
      f.i32(t.num_partitions);
      f.i16(t.replication_factor);
      f.array(t.assignments, [&](assignment& a) {
        f.i32(a.partition_index);
        int32s(f, a.broker_ids);
      });
      f.array(t.configs, [&](config& c) {
        f.str(c.name);
        f.nstr(c.value);
      });
    });
    f.i32(timeout_ms);
    if (f.version >= 1) f.boolean(validate_only);
  }
};
struct create_topics_response {
  struct topic {
    std::string name;
    int16_t error_code = 0;
    std::optional<std::string> error_message;
  };
  int32_t throttle_time_ms = 0;
  std::vector<topic> topics;
  template <class IO>
  void io(IO& f) {
    if (f.version >= 2) f.i32(throttle_time_ms);
    f.array(topics, [&](topic& t) {
      f.str(t.name);
      f.i16(t.error_code);
      if (f.version >= 1) f.nstr(t.error_message);
    });
  }
};

// ---- DeleteTopics (20), v0-3 -----------------------------------------------------------------
struct delete_topics_request {
  std::vector<std::string> topic_names;
  int32_t timeout_ms = 0;
  template <class IO>
  void io(IO& f) {
    strings(f, topic_names);
    f.i32(timeout_ms);
  }
};
struct delete_topics_response {
  struct result {
    std::string name;
    int16_t error_code = 0;
  };
  int32_t throttle_time_ms = 0;
  std::vector<result> responses;
  template <class IO>
  void io(IO& f) {
    if (f.version >= 1) f.i32(throttle_time_ms);
    f.array(responses, [&](result& r) {
      f.str(r.name);
      f.i16(r.error_code);
    });
  }
};

// ---- DescribeCluster (60), v0-1 (every version flexible) ----------------------------------------
struct describe_cluster_request {
  bool include_cluster_authorized_operations = false;
  int8_t endpoint_type = 1;  // v1+: 1 brokers, 2 controllers
  template <class IO>
  void io(IO& f) {
    f.boolean(include_cluster_authorized_operations);
    if (f.version >= 1) f.i8(endpoint_type);
    f.tags();
  }
};
struct describe_cluster_response {
  struct broker {
    int32_t broker_id = 0;
    std::string host;
    int32_t port = 0;
    std::optional<std::string> rack;
  };
  int32_t throttle_time_ms = 0;
  int16_t error_code = 0;
  std::optional<std::string> error_message;
  int8_t endpoint_type = 1;  // v1+
  std::string cluster_id;
  int32_t controller_id = -1;
  std::vector<broker> brokers;
  int32_t cluster_authorized_operations = INT32_MIN;  // not computed: no ACLs yet
  template <class IO>
  void io(IO& f) {
    f.i32(throttle_time_ms);
    f.i16(error_code);
    f.nstr(error_message);
    if (f.version >= 1) f.i8(endpoint_type);
    f.str(cluster_id);
    f.i32(controller_id);
    f.array(brokers, [&](broker& b) {
      f.i32(b.broker_id);
      f.str(b.host);
      f.i32(b.port);
      f.nstr(b.rack);
      f.tags();
    });
    f.i32(cluster_authorized_operations);
    f.tags();
  }
};

// ---- CreatePartitions (37), v0-3 (flexible from v2) -------------------------------------------
struct create_partitions_request {
  struct topic {
    std::string name;
    int32_t count = 0;  // the new total
    std::optional<std::vector<std::vector<int32_t>>> assignments;  // one per new partition
  };
  std::vector<topic> topics;
  int32_t timeout_ms = 0;
  bool validate_only = false;
  template <class IO>
  void io(IO& f) {
    f.array(topics, [&](topic& t) {
      f.str(t.name);
      f.i32(t.count);
      f.narray(t.assignments, [&](std::vector<int32_t>& brokers) {
        int32s(f, brokers);
        f.tags();
      });
      f.tags();
    });
    f.i32(timeout_ms);
    f.boolean(validate_only);
    f.tags();
  }
};
struct create_partitions_response {
  struct result {
    std::string name;
    int16_t error_code = 0;
    std::optional<std::string> error_message;
  };
  int32_t throttle_time_ms = 0;
  std::vector<result> results;
  template <class IO>
  void io(IO& f) {
    f.i32(throttle_time_ms);
    f.array(results, [&](result& r) {
      f.str(r.name);
      f.i16(r.error_code);
      f.nstr(r.error_message);
      f.tags();
    });
    f.tags();
  }
};

// ---- DescribeConfigs (32), v0-2 --------------------------------------------------------------
constexpr int8_t resource_topic = 2;
constexpr int8_t resource_broker = 4;
struct describe_configs_request {
  struct resource {
    int8_t type = 0;
    std::string name;
    std::optional<std::vector<std::string>> keys;
  };
  std::vector<resource> resources;
  bool include_synonyms = false;
  template <class IO>
  void io(IO& f) {
    f.array(resources, [&](resource& r) {
      f.i8(r.type);
      f.str(r.name);
      f.narray(r.keys, [&](std::string& k) { f.str(k); });
    });
    if (f.version >= 1) f.boolean(include_synonyms);
  }
};
struct describe_configs_response {
  struct synonym {
    std::string name;
    std::optional<std::string> value;
    int8_t source = 0;
  };
  struct entry {
    std::string name;
    std::optional<std::string> value;
    bool read_only = false, is_default = false;
    int8_t source = 5;  // DEFAULT_CONFIG
    bool is_sensitive = false;
    std::vector<synonym> synonyms;
  };
  struct result {
    int16_t error_code = 0;
    std::optional<std::string> error_message;
    int8_t type = 0;
    std::string name;
    std::vector<entry> configs;
  };
  int32_t throttle_time_ms = 0;
  std::vector<result> results;
  template <class IO>
  void io(IO& f) {
    f.i32(throttle_time_ms);
    f.array(results, [&](result& r) {
      f.i16(r.error_code);
      f.nstr(r.error_message);
      f.i8(r.type);
      f.str(r.name);
      f.array(r.configs, [&](entry& e) {
        f.str(e.name);
        f.nstr(e.value);
        f.boolean(e.read_only);
        if (f.version == 0) f.boolean(e.is_default);
        if (f.version >= 1) f.i8(e.source);
        f.boolean(e.is_sensitive);
        if (f.version >= 1)
          f.array(e.synonyms, [&](synonym& s) {
            f.str(s.name);
            f.nstr(s.value);
            f.i8(s.source);
          });
      });
    });
  }
};

// ---- InitProducerId (22), v0-1 ---------------------------------------------------------------
struct init_producer_id_request {
  std::optional<std::string> transactional_id;
  int32_t transaction_timeout_ms = 0;
  template <class IO>
  void io(IO& f) {
    f.nstr(transactional_id);
    f.i32(transaction_timeout_ms);
  }
};
struct init_producer_id_response {
  int32_t throttle_time_ms = 0;
  int16_t error_code = 0;
  int64_t producer_id = -1;
  int16_t producer_epoch = -1;
  template <class IO>
  void io(IO& f) {
    f.i32(throttle_time_ms);
    f.i16(error_code);
    f.i64(producer_id);
    f.i16(producer_epoch);
  }
};

// ---- AlterConfigs (33), v0-2 (flexible from v2); IncrementalAlterConfigs (44), v0-1 (flexible
// from v1): the same resources, the incremental one with an operation per config. -------------
template <bool Incremental>
struct basic_alter_configs_request {
  struct config {
    std::string name;
    int8_t op = 0;  // IncrementalAlterConfigs only: 0 SET, 1 DELETE, 2 APPEND, 3 SUBTRACT
    std::optional<std::string> value;
  };
  struct resource {
    int8_t type = 0;
    std::string name;
    std::vector<config> configs;
  };
  static constexpr bool incremental = Incremental;
  std::vector<resource> resources;
  bool validate_only = false;
  template <class IO>
  void io(IO& f) {
    f.array(resources, [&](resource& r) {
      f.i8(r.type);
      f.str(r.name);
      f.array(r.configs, [&](config& c) {
        f.str(c.name);
        if (Incremental) f.i8(c.op);
        f.nstr(c.value);
        f.tags();
      });
      f.tags();
    });
    f.boolean(validate_only);
    f.tags();
  }
};
using alter_configs_request = basic_alter_configs_request<false>;
using incremental_alter_configs_request = basic_alter_configs_request<true>;
/// The answer to both.
struct alter_configs_response {
  struct result {
    int16_t error_code = 0;
    std::optional<std::string> error_message;
    int8_t type = 0;
    std::string name;
  };
  int32_t throttle_time_ms = 0;
  std::vector<result> results;
  template <class IO>
  void io(IO& f) {
    f.i32(throttle_time_ms);
    f.array(results, [&](result& r) {
      f.i16(r.error_code);
      f.nstr(r.error_message);
      f.i8(r.type);
      f.str(r.name);
      f.tags();
    });
    f.tags();
  }
};

// ---- DeleteRecords (21), v0-2 (flexible from v2) -----------------------------------------------
struct delete_records_request {
  struct partition {
    int32_t index = 0;
    int64_t offset = 0;  // -1: the high watermark
  };
  struct topic {
    std::string name;
    std::vector<partition> partitions;
  };
  std::vector<topic> topics;
  int32_t timeout_ms = 0;
  template <class IO>
  void io(IO& f) {
    f.array(topics, [&](topic& t) {
      f.str(t.name);
      f.array(t.partitions, [&](partition& p) {
        f.i32(p.index);
        f.i64(p.offset);
        f.tags();
      });
      f.tags();
    });
    f.i32(timeout_ms);
    f.tags();
  }
};
struct delete_records_response {
  struct partition {
    int32_t index = 0;
    int64_t low_watermark = -1;
    int16_t error_code = 0;
  };
  struct topic {
    std::string name;
    std::vector<partition> partitions;
  };
  int32_t throttle_time_ms = 0;
  std::vector<topic> topics;
  template <class IO>
  void io(IO& f) {
    f.i32(throttle_time_ms);
    f.array(topics, [&](topic& t) {
      f.str(t.name);
      f.array(t.partitions, [&](partition& p) {
        f.i32(p.index);
        f.i64(p.low_watermark);
        f.i16(p.error_code);
        f.tags();
      });
      f.tags();
    });
    f.tags();
  }
};

// ---- DescribeLogDirs (35), v0-4 (flexible from v2) ---------------------------------------------
struct describe_log_dirs_request {
  struct topic {
    std::string name;
    std::vector<int32_t> partitions;
  };
  std::optional<std::vector<topic>> topics;  // null: every stored replica
  template <class IO>
  void io(IO& f) {
    f.narray(topics, [&](topic& t) {
      f.str(t.name);
      int32s(f, t.partitions);
      f.tags();
    });
    f.tags();
  }
};
struct describe_log_dirs_response {
  struct partition {
    int32_t index = 0;
    int64_t size = 0;
    int64_t offset_lag = 0;
    bool is_future = false;
  };
  struct topic {
    std::string name;
    std::vector<partition> partitions;
  };
  struct result {
    int16_t error_code = 0;
    std::string log_dir;
    std::vector<topic> topics;
    int64_t total_bytes = -1;
    int64_t usable_bytes = -1;
  };
  int32_t throttle_time_ms = 0;
  int16_t error_code = 0;
  std::vector<result> results;
  template <class IO>
  void io(IO& f) {
    f.i32(throttle_time_ms);
    if (f.version >= 3) f.i16(error_code);
    f.array(results, [&](result& r) {
      f.i16(r.error_code);
      f.str(r.log_dir);
      f.array(r.topics, [&](topic& t) {
        f.str(t.name);
        f.array(t.partitions, [&](partition& p) {
          f.i32(p.index);
          f.i64(p.size);
          f.i64(p.offset_lag);
          f.boolean(p.is_future);
          f.tags();
        });
        f.tags();
      });
      if (f.version >= 4) {
        f.i64(r.total_bytes);
        f.i64(r.usable_bytes);
      }
      f.tags();
    });
    f.tags();
  }
};

}  // namespace brook::net::kafka
