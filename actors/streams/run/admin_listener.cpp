#include "actors/streams/run/admin_listener.hpp"

#include <unistd.h>

#include "net/frame_server.hpp"
#include "net/native_codec.hpp"
#include "net/native_messages.hpp"
#include "runtime/log.hpp"

namespace brook::streams::run {

using runtime::errc;

std::optional<task_id> parse_task_id(const std::string& text) {
  auto us = text.find('_');
  if (us == std::string::npos || us == 0 || us + 1 == text.size()) return std::nullopt;
  for (size_t i = 0; i < text.size(); ++i)
    if (i != us && !std::isdigit(static_cast<unsigned char>(text[i]))) return std::nullopt;
  try {
    return task_id{std::stoi(text.substr(0, us)), std::stoi(text.substr(us + 1))};
  } catch (const std::exception&) {
    return std::nullopt;
  }
}

namespace {

constexpr std::string_view task_prefix = "streams-task/";

class admin_handler : public net::frame_handler {
 public:
  admin_handler(std::shared_ptr<net::connection> c, admin_listener::kill_fn kill,
                admin_listener::list_fn list, std::string app)
      : conn_(std::move(c)), kill_(std::move(kill)), list_(std::move(list)), app_(std::move(app)) {}

  void on_frame(const uint8_t* payload, size_t n) override {
    auto f = net::decode_frame(payload, n);
    if (!f) return conn_->close("malformed frame: " + f.error().to_string());
    if (f->kind() == net::native_type::list_actors) {
      net::list_actors_response r;
      r.pid = int32_t(::getpid());
      r.node = "streams application " + app_;
      for (const auto& [id, restarts] : list_())
        r.actors.push_back({std::string(task_prefix) + id.to_string(), "streams-task",
                            "task " + id.to_string(), int32_t(restarts)});
      return conn_->send(net::encode_response(f->kind(), f->correlation_id, r));
    }
    net::status_response r{errc::invalid_request,
                           "this is streams application " + app_ +
                               ": its admin listener takes list_actors and kill_actor only"};
    if (f->kind() == net::native_type::kill_actor) r = kill(*f);
    conn_->send(net::encode_response(f->kind(), f->correlation_id, r));
  }
  void on_close() override {}

 private:
  net::status_response kill(const net::native_frame& f) {
    auto req = net::body_as<net::kill_actor_request>(f);
    if (!req)
      return {errc::invalid_request, "malformed kill_actor request: " + req.error().to_string()};
    std::string task = req->topic;
    if (!req->path.empty()) {
      if (req->path.rfind(task_prefix, 0) != 0)
        return {errc::not_found, "no actor at '" + req->path + "': a streams application kills " +
                                     std::string(task_prefix) + "<task> only"};
      task = req->path.substr(task_prefix.size());
    } else if (req->kind != "streams-task") {
      return {errc::invalid_request,
              "kind '" + req->kind + "': a streams application kills streams-task only"};
    }
    auto id = parse_task_id(task);
    if (!id)
      return {errc::invalid_request,
              "'" + task + "' is not a task id (subtopology_partition, e.g. 1_0)"};
    if (!kill_(*id))
      return {errc::unknown_topic_or_partition, "this instance runs no task " + task};
    BROOK_LOG_WARN("[Streams " << app_ << "] task " << task
                               << " killed through the admin listener by " << conn_->peer());
    return {errc::none, ""};
  }

  std::shared_ptr<net::connection> conn_;
  admin_listener::kill_fn kill_;
  admin_listener::list_fn list_;
  std::string app_;
};

}  // namespace

admin_listener::admin_listener(runtime::endpoint ep, kill_fn kill, list_fn list, std::string app)
    : pool_(std::make_unique<net::io_pool>(1)) {
  net::server_options opts;
  opts.name = "streams admin";
  opts.max_frame_bytes = 1 << 20;
  server_ = std::make_unique<net::frame_server>(
      *pool_, std::move(ep), opts,
      [kill = std::move(kill), list = std::move(list),
       app = std::move(app)](std::shared_ptr<net::connection> c) {
        return std::make_unique<admin_handler>(std::move(c), kill, list, app);
      });
}

admin_listener::~admin_listener() {
  server_->stop();
  pool_->stop();
}

runtime::result<uint16_t> admin_listener::start() {
  return server_->start();
}

}  // namespace brook::streams::run
