#pragma once
// Kafka's security request and response bodies: the SASL exchange (SaslHandshake,
// SaslAuthenticate) and ACL administration (DescribeAcls, CreateAcls, DeleteAcls). Each is
// described once by io(); version gates follow Kafka's message JSON schemas.
#include "net/kafka/messages.hpp"

namespace brook::net::kafka {

// ---- SaslHandshake (17), v0-1 ----------------------------------------------------------------
// v0: the SASL tokens that follow are bare frames; v1: they travel in SaslAuthenticate.
struct sasl_handshake_request {
  std::string mechanism;
  template <class IO>
  void io(IO& f) {
    f.str(mechanism);
  }
};
struct sasl_handshake_response {
  int16_t error_code = 0;
  std::vector<std::string> mechanisms;  // what the listener enables
  template <class IO>
  void io(IO& f) {
    f.i16(error_code);
    f.array(mechanisms, [&](std::string& m) { f.str(m); });
  }
};

// ---- SaslAuthenticate (36), v0-2 (flexible from v2) ------------------------------------------
struct sasl_authenticate_request {
  bytes auth_bytes;
  template <class IO>
  void io(IO& f) {
    f.byts(auth_bytes);
    f.tags();
  }
};
struct sasl_authenticate_response {
  int16_t error_code = 0;
  std::optional<std::string> error_message;
  bytes auth_bytes;
  int64_t session_lifetime_ms = 0;  // v1+; 0: no re-authentication required
  template <class IO>
  void io(IO& f) {
    f.i16(error_code);
    f.nstr(error_message);
    f.byts(auth_bytes);
    if (f.version >= 1) f.i64(session_lifetime_ms);
    f.tags();
  }
};

// ---- ACLs: DescribeAcls (29), CreateAcls (30), DeleteAcls (31), v0-3 (flexible from v2) -----
// Enum values are Kafka's: resource type (1 any, 2 topic, 3 group, 4 cluster, 5 transactional
// id), pattern type (1 any, 2 match, 3 literal, 4 prefixed; absent before v1: literal),
// operation (1 any, 2 all, 3 read, 4 write, ... 12 idempotent write), permission (1 any,
// 2 deny, 3 allow).
struct acl_binding_filter {
  int8_t resource_type = 1;
  std::optional<std::string> resource_name;
  int8_t pattern_type = 3;  // v1+
  std::optional<std::string> principal;
  std::optional<std::string> host;
  int8_t operation = 1;
  int8_t permission_type = 1;
  template <class IO>
  void io(IO& f) {
    f.i8(resource_type);
    f.nstr(resource_name);
    if (f.version >= 1) f.i8(pattern_type);
    f.nstr(principal);
    f.nstr(host);
    f.i8(operation);
    f.i8(permission_type);
  }
};

struct describe_acls_request {
  acl_binding_filter filter;
  template <class IO>
  void io(IO& f) {
    filter.io(f);
    f.tags();
  }
};
struct describe_acls_response {
  struct acl {
    std::string principal;
    std::string host;
    int8_t operation = 0;
    int8_t permission_type = 0;
  };
  struct resource {
    int8_t resource_type = 0;
    std::string resource_name;
    int8_t pattern_type = 3;  // v1+
    std::vector<acl> acls;
  };
  int32_t throttle_time_ms = 0;
  int16_t error_code = 0;
  std::optional<std::string> error_message;
  std::vector<resource> resources;
  template <class IO>
  void io(IO& f) {
    f.i32(throttle_time_ms);
    f.i16(error_code);
    f.nstr(error_message);
    f.array(resources, [&](resource& r) {
      f.i8(r.resource_type);
      f.str(r.resource_name);
      if (f.version >= 1) f.i8(r.pattern_type);
      f.array(r.acls, [&](acl& a) {
        f.str(a.principal);
        f.str(a.host);
        f.i8(a.operation);
        f.i8(a.permission_type);
        f.tags();
      });
      f.tags();
    });
    f.tags();
  }
};

struct create_acls_request {
  struct creation {
    int8_t resource_type = 0;
    std::string resource_name;
    int8_t pattern_type = 3;  // v1+
    std::string principal;
    std::string host;
    int8_t operation = 0;
    int8_t permission_type = 0;
  };
  std::vector<creation> creations;
  template <class IO>
  void io(IO& f) {
    f.array(creations, [&](creation& c) {
      f.i8(c.resource_type);
      f.str(c.resource_name);
      if (f.version >= 1) f.i8(c.pattern_type);
      f.str(c.principal);
      f.str(c.host);
      f.i8(c.operation);
      f.i8(c.permission_type);
      f.tags();
    });
    f.tags();
  }
};
struct create_acls_response {
  struct result {
    int16_t error_code = 0;
    std::optional<std::string> error_message;
  };
  int32_t throttle_time_ms = 0;
  std::vector<result> results;
  template <class IO>
  void io(IO& f) {
    f.i32(throttle_time_ms);
    f.array(results, [&](result& r) {
      f.i16(r.error_code);
      f.nstr(r.error_message);
      f.tags();
    });
    f.tags();
  }
};

struct delete_acls_request {
  std::vector<acl_binding_filter> filters;
  template <class IO>
  void io(IO& f) {
    f.array(filters, [&](acl_binding_filter& x) {
      x.io(f);
      f.tags();
    });
    f.tags();
  }
};
struct delete_acls_response {
  struct matching_acl {
    int16_t error_code = 0;
    std::optional<std::string> error_message;
    int8_t resource_type = 0;
    std::string resource_name;
    int8_t pattern_type = 3;  // v1+
    std::string principal;
    std::string host;
    int8_t operation = 0;
    int8_t permission_type = 0;
  };
  struct filter_result {
    int16_t error_code = 0;
    std::optional<std::string> error_message;
    std::vector<matching_acl> matching_acls;
  };
  int32_t throttle_time_ms = 0;
  std::vector<filter_result> filter_results;
  template <class IO>
  void io(IO& f) {
    f.i32(throttle_time_ms);
    f.array(filter_results, [&](filter_result& r) {
      f.i16(r.error_code);
      f.nstr(r.error_message);
      f.array(r.matching_acls, [&](matching_acl& m) {
        f.i16(m.error_code);
        f.nstr(m.error_message);
        f.i8(m.resource_type);
        f.str(m.resource_name);
        if (f.version >= 1) f.i8(m.pattern_type);
        f.str(m.principal);
        f.str(m.host);
        f.i8(m.operation);
        f.i8(m.permission_type);
        f.tags();
      });
      f.tags();
    });
    f.tags();
  }
};

}  // namespace brook::net::kafka
