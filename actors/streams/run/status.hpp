#pragma once
// What each instance of an application reports on `<application.id>-status` every
// status.interval.ms (key: the instance, value: JSON), and what `brook streams describe` reads.
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "actors/streams/kafka_streams.hpp"

namespace brook::streams::run {

struct instance_status {
  std::string instance;  // client.id@host:pid
  int64_t time_ms = 0;   // wall clock when written
  std::string state;     // running, closed, failed
  std::vector<task_metrics> tasks;
};

inline std::string status_topic(const std::string& application_id) {
  return application_id + "-status";
}
std::string encode_status(const instance_status& s);
/// nullopt for anything that is not a status record.
std::optional<instance_status> decode_status(std::string_view json);

}  // namespace brook::streams::run
