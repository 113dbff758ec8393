#include "actors/streams/detail/bad_records.hpp"

#include "runtime/log.hpp"

namespace brook::streams::detail {

void handle_bad_record(task_context& task, const deserialization_error& e,
                       const streams_config& cfg) {
  const auto& r = e.rec;
  auto where = r.topic + "-" + std::to_string(r.partition) + " offset " + std::to_string(r.offset);
  if (cfg.on_bad_record == bad_record_policy::fail) {
    BROOK_LOG_ERROR("[Streams " << cfg.application_id << "] task " << task.id().to_string()
                                << ": cannot deserialize the record at " << where << ": "
                                << e.what() << " (default.deserialization.exception.handler=fail)");
    throw;
  }
  if (cfg.on_bad_record == bad_record_policy::dead_letter) {
    out_record d;
    d.topic = cfg.dead_letters();
    d.key = r.key;
    d.value = r.value;
    d.timestamp = r.timestamp;
    d.headers = r.headers;
    d.headers.push_back({"__brook.error.topic", r.topic});
    d.headers.push_back({"__brook.error.partition", std::to_string(r.partition)});
    d.headers.push_back({"__brook.error.offset", std::to_string(r.offset)});
    d.headers.push_back({"__brook.error.message", std::string(e.what())});
    task.send(std::move(d));
  }
  BROOK_LOG_WARN("[Streams " << cfg.application_id << "] task " << task.id().to_string()
                             << ": cannot deserialize the record at " << where << ": " << e.what()
                             << (cfg.on_bad_record == bad_record_policy::skip
                                     ? "; skipped"
                                     : "; written to " + cfg.dead_letters()));
  task.skip(r);
}

}  // namespace brook::streams::detail
