#pragma once
// The brook CLI's commands. Each returns the process exit code.
#include <cstdint>
#include <string>
#include <vector>

#include "apps/cli_common.hpp"

namespace brook::cli {

struct options {
  std::string bootstrap;
  std::string topic;
  int32_t partitions = -1;
  int16_t replication_factor = -1;
  std::vector<std::string> configs;
  std::vector<std::string> properties;
  std::string acks = "all";
  std::string key_separator;
  int32_t partition = -1;
  int64_t linger_ms = -1;
  int64_t batch_size = -1;
  std::string compression;
  bool from_beginning = false;
  int64_t offset = -1;
  int64_t count = -1;
  int64_t timeout_ms = -1;
  bool print_key = false;
  int64_t records = 0;
  int64_t record_size = 100;
  std::string group;
  bool to_earliest = false;
  bool to_latest = false;
  int64_t to_offset = -1;
  bool execute = false;
  // brook bench streams
  std::string mode = "map";
  int64_t rate = 200;
  int64_t work_us = 50;
  int64_t duration_s = 20;
  // brook admin kill-streams-task
  std::string app_address;
  std::string task;
  // admin actors / kill
  std::vector<std::string> addresses;
  std::string at;
  std::string path;
  int32_t broker_id = -1;
  // topic alter / broker alter-config: Kafka's --add-config k=v and --delete-config k
  std::vector<std::string> delete_configs;
  std::string broker;  // a broker's id; empty: the default of every broker
  // user create|delete|list
  std::string user;
  std::string password;                 // empty: read from stdin
  std::vector<std::string> mechanisms;  // empty: both SCRAM mechanisms
  int32_t iterations = 4096;
  // acl add|remove|list (kafka-acls.sh's flags); o.topic and o.group name those resources
  std::vector<std::string> allow_principals;
  std::vector<std::string> deny_principals;
  std::string principal;  // remove/list: only this principal's
  std::vector<std::string> operations;
  std::string transactional_id;
  bool cluster = false;
  std::string pattern_type = "literal";
  std::string acl_host;  // add: "" is every host ("*"); remove/list: "" matches any
  bool producer = false;
  bool consumer = false;
};

/// Reads a --command-config file: its security keys become every connection's settings.
runtime::status use_client_security(const std::string& path);

int topic_create(const options& o);
int topic_list(const options& o);
int topic_describe(const options& o);
int topic_alter(const options& o);
int topic_delete_records(const options& o);
int broker_alter_config(const options& o);
int broker_log_dirs(const options& o);
int group_delete(const options& o);
int group_delete_offsets(const options& o);
int topic_delete(const options& o);
int produce_lines(const options& o);
int consume_records(const options& o);
int bench_produce(const options& o);
int bench_consume(const options& o);
int kill_partition(const options& o);
int group_list(const options& o);
int group_describe(const options& o);
int group_reset_offsets(const options& o);
int streams_describe(const options& o);
int kill_streams_task(const options& o);
int admin_actors(const options& o);
int admin_kill(const options& o);
int bench_streams(const options& o);
int user_create(const options& o);
int user_delete(const options& o);
int user_list(const options& o);
int acl_add(const options& o);
int acl_remove(const options& o);
int acl_list(const options& o);

}  // namespace brook::cli
