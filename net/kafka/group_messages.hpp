#pragma once
// Kafka consumer-group request and response bodies (FindCoordinator, JoinGroup, SyncGroup,
// Heartbeat, LeaveGroup, OffsetCommit, OffsetFetch, DescribeGroups, ListGroups). Each is
// described once by io(); version gates follow Kafka's message JSON schemas.
#include "net/kafka/messages.hpp"

namespace brook::net::kafka {

// ---- FindCoordinator (10), v0-2 --------------------------------------------------------------
struct find_coordinator_request {
  std::string key;
  int8_t key_type = 0;  // 0 group, 1 transaction
  template <class IO>
  void io(IO& f) {
    f.str(key);
    if (f.version >= 1) f.i8(key_type);
  }
};
struct find_coordinator_response {
  int32_t throttle_time_ms = 0;
  int16_t error_code = 0;
  std::optional<std::string> error_message;
  int32_t node_id = -1;
  std::string host;
  int32_t port = -1;
  template <class IO>
  void io(IO& f) {
    if (f.version >= 1) f.i32(throttle_time_ms);
    f.i16(error_code);
    if (f.version >= 1) f.nstr(error_message);
    f.i32(node_id);
    f.str(host);
    f.i32(port);
  }
};

// ---- JoinGroup (11), v0-5 --------------------------------------------------------------------
struct join_group_request {
  struct protocol {
    std::string name;
    bytes metadata;
  };
  std::string group_id;
  int32_t session_timeout_ms = 0, rebalance_timeout_ms = -1;
  std::string member_id;
  std::optional<std::string> group_instance_id;
  std::string protocol_type;
  std::vector<protocol> protocols;
  template <class IO>
  void io(IO& f) {
    f.str(group_id);
    f.i32(session_timeout_ms);
    if (f.version >= 1) f.i32(rebalance_timeout_ms);
    f.str(member_id);
    if (f.version >= 5) f.nstr(group_instance_id);
    f.str(protocol_type);
    f.array(protocols, [&](protocol& p) {
      f.str(p.name);
      f.byts(p.metadata);
    });
  }
};
struct join_group_response {
  struct member {
    std::string member_id;
    std::optional<std::string> group_instance_id;
    bytes metadata;
  };
  int32_t throttle_time_ms = 0;
  int16_t error_code = 0;
  int32_t generation_id = -1;
  std::string protocol_name, leader, member_id;
  std::vector<member> members;
  template <class IO>
  void io(IO& f) {
    if (f.version >= 2) f.i32(throttle_time_ms);
    f.i16(error_code);
    f.i32(generation_id);
    f.str(protocol_name);
    f.str(leader);
    f.str(member_id);
    f.array(members, [&](member& m) {
      f.str(m.member_id);
      if (f.version >= 5) f.nstr(m.group_instance_id);
      f.byts(m.metadata);
    });
  }
};

// ---- SyncGroup (14), v0-3 --------------------------------------------------------------------
struct sync_group_request {
  struct assignment {
    std::string member_id;
    bytes data;
  };
  std::string group_id;
  int32_t generation_id = -1;
  std::string member_id;
  std::optional<std::string> group_instance_id;
  std::vector<assignment> assignments;
  template <class IO>
  void io(IO& f) {
    f.str(group_id);
    f.i32(generation_id);
    f.str(member_id);
    if (f.version >= 3) f.nstr(group_instance_id);
    f.array(assignments, [&](assignment& a) {
      f.str(a.member_id);
      f.byts(a.data);
    });
  }
};
struct sync_group_response {
  int32_t throttle_time_ms = 0;
  int16_t error_code = 0;
  bytes assignment;
  template <class IO>
  void io(IO& f) {
    if (f.version >= 1) f.i32(throttle_time_ms);
    f.i16(error_code);
    f.byts(assignment);
  }
};

// ---- Heartbeat (12), v0-3 --------------------------------------------------------------------
struct heartbeat_request {
  std::string group_id;
  int32_t generation_id = -1;
  std::string member_id;
  std::optional<std::string> group_instance_id;
  template <class IO>
  void io(IO& f) {
    f.str(group_id);
    f.i32(generation_id);
    f.str(member_id);
    if (f.version >= 3) f.nstr(group_instance_id);
  }
};
struct heartbeat_response {
  int32_t throttle_time_ms = 0;
  int16_t error_code = 0;
  template <class IO>
  void io(IO& f) {
    if (f.version >= 1) f.i32(throttle_time_ms);
    f.i16(error_code);
  }
};

// ---- LeaveGroup (13), v0-3 -------------------------------------------------------------------
struct leave_group_request {
  struct member {
    std::string member_id;
    std::optional<std::string> group_instance_id;
  };
  std::string group_id;
  std::string member_id;        // v0-2
  std::vector<member> members;  // v3+
  template <class IO>
  void io(IO& f) {
    f.str(group_id);
    if (f.version <= 2) {
      f.str(member_id);
    } else {
      f.array(members, [&](member& m) {
        f.str(m.member_id);
        f.nstr(m.group_instance_id);
      });
    }
  }
};
struct leave_group_response {
  struct member {
    std::string member_id;
    std::optional<std::string> group_instance_id;
    int16_t error_code = 0;
  };
  int32_t throttle_time_ms = 0;
  int16_t error_code = 0;
  std::vector<member> members;
  template <class IO>
  void io(IO& f) {
    if (f.version >= 1) f.i32(throttle_time_ms);
    f.i16(error_code);
    if (f.version >= 3)
      f.array(members, [&](member& m) {
        f.str(m.member_id);
        f.nstr(m.group_instance_id);
        f.i16(m.error_code);
      });
  }
};

// ---- OffsetCommit (8), v2-7 ------------------------------------------------------------------
struct offset_commit_request {
  struct partition {
    int32_t index = 0;
    int64_t offset = -1;
    int32_t leader_epoch = -1;
    std::optional<std::string> metadata;
  };
  struct topic {
    std::string name;
    std::vector<partition> partitions;
  };
  std::string group_id;
  int32_t generation_id = -1;
  std::string member_id;
  std::optional<std::string> group_instance_id;
  int64_t retention_time_ms = -1;
  std::vector<topic> topics;
  template <class IO>
  void io(IO& f) {
    f.str(group_id);
    f.i32(generation_id);
    f.str(member_id);
    if (f.version >= 7) f.nstr(group_instance_id);
    if (f.version <= 4) f.i64(retention_time_ms);
    f.array(topics, [&](topic& t) {
      f.str(t.name);
      f.array(t.partitions, [&](partition& p) {
        f.i32(p.index);
        f.i64(p.offset);
        if (f.version >= 6) f.i32(p.leader_epoch);
        f.nstr(p.metadata);
      });
    });
  }
};
struct offset_commit_response {
  struct partition {
    int32_t index = 0;
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
    if (f.version >= 3) f.i32(throttle_time_ms);
    f.array(topics, [&](topic& t) {
      f.str(t.name);
      f.array(t.partitions, [&](partition& p) {
        f.i32(p.index);
        f.i16(p.error_code);
      });
    });
  }
};

// ---- OffsetFetch (9), v1-5 -------------------------------------------------------------------
struct offset_fetch_request {
  struct topic {
    std::string name;
    std::vector<int32_t> partitions;
  };
  std::string group_id;
  std::optional<std::vector<topic>> topics;  // v2+: null = all committed
  template <class IO>
  void io(IO& f) {
    f.str(group_id);
    auto elem = [&](topic& t) {
      f.str(t.name);
      int32s(f, t.partitions);
    };
    if (f.version >= 2) {
      f.narray(topics, elem);
    } else {
      topics.emplace();
      f.array(*topics, elem);
    }
  }
};
struct offset_fetch_response {
  struct partition {
    int32_t index = 0;
    int64_t offset = -1;
    int32_t leader_epoch = -1;
    std::optional<std::string> metadata;
    int16_t error_code = 0;
  };
  struct topic {
    std::string name;
    std::vector<partition> partitions;
  };
  int32_t throttle_time_ms = 0;
  std::vector<topic> topics;
  int16_t error_code = 0;
  template <class IO>
  void io(IO& f) {
    if (f.version >= 3) f.i32(throttle_time_ms);
    f.array(topics, [&](topic& t) {
      f.str(t.name);
      f.array(t.partitions, [&](partition& p) {
        f.i32(p.index);
        f.i64(p.offset);
        if (f.version >= 5) f.i32(p.leader_epoch);
        f.nstr(p.metadata);
        f.i16(p.error_code);
      });
    });
    if (f.version >= 2) f.i16(error_code);
  }
};

// ---- DescribeGroups (15), v0-5 (flexible from v5) and ListGroups (16), v0-4 (flexible from v3) --
struct describe_groups_request {
  std::vector<std::string> groups;
  bool include_authorized_operations = false;  // v3+
  template <class IO>
  void io(IO& f) {
    strings(f, groups);
    if (f.version >= 3) f.boolean(include_authorized_operations);
    f.tags();
  }
};
struct describe_groups_response {
  struct member {
    std::string member_id;
    std::optional<std::string> group_instance_id;  // v4+
    std::string client_id, client_host;
    bytes metadata, assignment;
  };
  struct group {
    int16_t error_code = 0;
    std::string group_id, state, protocol_type, protocol;
    std::vector<member> members;
    int32_t authorized_operations = INT32_MIN;  // v3+; not computed (no ACLs yet)
  };
  int32_t throttle_time_ms = 0;
  std::vector<group> groups;
  template <class IO>
  void io(IO& f) {
    if (f.version >= 1) f.i32(throttle_time_ms);
    f.array(groups, [&](group& g) {
      f.i16(g.error_code);
      f.str(g.group_id);
      f.str(g.state);
      f.str(g.protocol_type);
      f.str(g.protocol);
      f.array(g.members, [&](member& m) {
        f.str(m.member_id);
        if (f.version >= 4) f.nstr(m.group_instance_id);
        f.str(m.client_id);
        f.str(m.client_host);
        f.byts(m.metadata);
        f.byts(m.assignment);
        f.tags();
      });
      if (f.version >= 3) f.i32(g.authorized_operations);
      f.tags();
    });
    f.tags();
  }
};

struct list_groups_request {
  std::vector<std::string> states_filter;  // v4+; empty: every group
  template <class IO>
  void io(IO& f) {
    if (f.version >= 4) strings(f, states_filter);
    f.tags();
  }
};
struct list_groups_response {
  struct group {
    std::string group_id, protocol_type;
    std::string state;  // v4+
  };
  int32_t throttle_time_ms = 0;
  int16_t error_code = 0;
  std::vector<group> groups;
  template <class IO>
  void io(IO& f) {
    if (f.version >= 1) f.i32(throttle_time_ms);
    f.i16(error_code);
    f.array(groups, [&](group& g) {
      f.str(g.group_id);
      f.str(g.protocol_type);
      if (f.version >= 4) f.str(g.state);
      f.tags();
    });
    f.tags();
  }
};

// ---- DeleteGroups (42), v0-2 (flexible from v2) ----------------------------------------------
struct delete_groups_request {
  std::vector<std::string> groups;
  template <class IO>
  void io(IO& f) {
    strings(f, groups);
    f.tags();
  }
};
struct delete_groups_response {
  struct result {
    std::string group_id;
    int16_t error_code = 0;
  };
  int32_t throttle_time_ms = 0;
  std::vector<result> results;
  template <class IO>
  void io(IO& f) {
    f.i32(throttle_time_ms);
    f.array(results, [&](result& r) {
      f.str(r.group_id);
      f.i16(r.error_code);
      f.tags();
    });
    f.tags();
  }
};

// ---- OffsetDelete (47), v0 -------------------------------------------------------------------
struct offset_delete_request {
  struct topic {
    std::string name;
    std::vector<int32_t> partitions;
  };
  std::string group_id;
  std::vector<topic> topics;
  template <class IO>
  void io(IO& f) {
    f.str(group_id);
    f.array(topics, [&](topic& t) {
      f.str(t.name);
      f.array(t.partitions, [&](int32_t& p) { f.i32(p); });
    });
  }
};
struct offset_delete_response {
  using partition = offset_commit_response::partition;  // index and error code, as a commit's
  using topic = offset_commit_response::topic;
  int16_t error_code = 0;  // before the throttle time, as Kafka's schema has it
  int32_t throttle_time_ms = 0;
  std::vector<topic> topics;
  template <class IO>
  void io(IO& f) {
    f.i16(error_code);
    f.i32(throttle_time_ms);
    f.array(topics, [&](topic& t) {
      f.str(t.name);
      f.array(t.partitions, [&](partition& p) {
        f.i32(p.index);
        f.i16(p.error_code);
      });
    });
  }
};

}  // namespace brook::net::kafka
