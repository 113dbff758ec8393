#include "actors/streams/run/admin_listener.hpp"

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

class admin_handler : public net::frame_handler {
 public:
  admin_handler(std::shared_ptr<net::connection> c, admin_listener::kill_fn kill, std::string app)
      : conn_(std::move(c)), kill_(std::move(kill)), app_(std::move(app)) {}

  void on_frame(const uint8_t* payload, size_t n) override {
    auto f = net::decode_frame(payload, n);
    if (!f) return conn_->close("malformed frame: " + f.error().to_string());
    net::status_response r{errc::invalid_request,
                           "this is streams application " + app_ +
                               ": its admin listener takes kill_actor (kind streams-task) only"};
    if (f->kind() == net::native_type::kill_actor) {
      auto req = net::body_as<net::kill_actor_request>(*f);
      if (!req) {
        r.message = "malformed kill_actor request: " + req.error().to_string();
      } else if (req->kind != "streams-task") {
        r.message = "kind '" + req->kind + "': a streams application kills streams-task only";
      } else if (auto id = parse_task_id(req->topic); !id) {
        r.message = "'" + req->topic + "' is not a task id (subtopology_partition, e.g. 1_0)";
      } else if (!kill_(*id)) {
        r = {errc::unknown_topic_or_partition, "this instance runs no task " + req->topic};
      } else {
        r = {errc::none, ""};
        BROOK_LOG_WARN("[Streams " << app_ << "] task " << req->topic
                                   << " killed through the admin listener by " << conn_->peer());
      }
    }
    conn_->send(net::encode_response(f->kind(), f->correlation_id, r));
  }
  void on_close() override {}

 private:
  std::shared_ptr<net::connection> conn_;
  admin_listener::kill_fn kill_;
  std::string app_;
};

}  // namespace

admin_listener::admin_listener(runtime::endpoint ep, kill_fn kill, std::string app)
    : pool_(std::make_unique<net::io_pool>(1)) {
  net::server_options opts;
  opts.name = "streams admin";
  opts.max_frame_bytes = 1 << 20;
  server_ = std::make_unique<net::frame_server>(
      *pool_, std::move(ep), opts,
      [kill = std::move(kill), app = std::move(app)](std::shared_ptr<net::connection> c) {
        return std::make_unique<admin_handler>(std::move(c), kill, app);
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
