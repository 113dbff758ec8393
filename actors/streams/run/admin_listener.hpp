#pragma once
// A streams application's admin endpoint (admin.listeners, native protocol framing): answers
// list_actors with its task actors ("streams-task/1_0", ...) and kill_actor requests for one of
// them (by that path, or kind "streams-task" with the task id in the topic field) by crashing
// that task actor, so chaos tools and tests reach the real failure path from outside the
// process. Anything else is refused with invalid_request and the connection stays open.
#include <functional>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "actors/streams/record.hpp"
#include "runtime/config.hpp"

namespace brook::net {
class io_pool;
class frame_server;
}  // namespace brook::net

namespace brook::streams::run {

class admin_listener {
 public:
  using kill_fn = std::function<bool(const task_id&)>;
  /// The instance's tasks with their restart counts.
  using list_fn = std::function<std::vector<std::pair<task_id, int64_t>>()>;
  admin_listener(runtime::endpoint ep, kill_fn kill, list_fn list, std::string app);
  ~admin_listener();
  /// Binds; the bound port (ep.port 0: a free one).
  runtime::result<uint16_t> start();

 private:
  std::unique_ptr<net::io_pool> pool_;
  std::unique_ptr<net::frame_server> server_;
};

/// "1_0" -> {1, 0}; nullopt for anything else.
std::optional<task_id> parse_task_id(const std::string& text);

}  // namespace brook::streams::run
