#include "net/native_client.hpp"

#include <atomic>
#include <boost/asio.hpp>
#include <boost/asio/ssl.hpp>
#include <deque>
#include <future>
#include <thread>
#include <unordered_map>
#include <utility>

#include "net/security_messages.hpp"
#include "net/tls.hpp"
#include "runtime/security/sasl.hpp"

namespace brook::net {

namespace asio = boost::asio;
namespace ssl = asio::ssl;
using tcp = asio::ip::tcp;
using runtime::errc;
using runtime::status;

struct native_client::impl : std::enable_shared_from_this<native_client::impl> {
  asio::io_context ctx;
  // Keeps ctx.run() going until the client is closed; then the I/O thread drains the aborted
  // handlers (each holds the impl) and ends. Stopping ctx instead would strand them in its queue,
  // a reference cycle that leaked the io_context and its descriptors on every connection.
  asio::executor_work_guard<asio::io_context::executor_type> work{ctx.get_executor()};
  // The TLS layer is always there; a plaintext client reads and writes its TCP socket.
  std::shared_ptr<tls_context> tls;  // the client's (kept alive for `stream`), or a plain one
  std::unique_ptr<ssl::stream<tcp::socket>> stream;
  bool use_tls = false;
  tcp::socket& sock() { return stream->next_layer(); }
  // Runs `op` on whichever stream carries the frames.
  template <class Op>
  void on_stream(Op&& op) {
    if (use_tls)
      op(*stream);
    else
      op(stream->next_layer());
  }
  std::thread io;
  runtime::endpoint remote;
  std::atomic<uint32_t> next_id{1};
  std::atomic<bool> open{false};
  std::atomic<bool> started{false};  // the reading side is set up (open may already be false again)
  // Owned by the I/O thread.
  std::unordered_map<uint32_t, response_fn> pending;
  push_fn push;
  std::deque<runtime::bytes> out;
  uint8_t header[4];
  std::unique_ptr<uint8_t[]> payload;  // one per frame: the frame keeps it (decode_frame)
  status failure;

  void fail(const std::string& why) {
    if (!failure.is_ok()) return;
    failure = status{errc::network_error, "connection to " + remote.to_string() + " failed: " + why};
    open = false;
    boost::system::error_code ec;
    sock().close(ec);
    auto p = std::move(pending);
    pending.clear();
    // `out` is left alone: an aborted async_write may still refer to its front buffer.
    for (auto& [id, fn] : p) fn(failure);
    if (push) std::exchange(push, nullptr)(failure);
  }

  void read_header() {
    on_stream([this](auto& st) { read_header_from(st); });
  }
  template <class Stream>
  void read_header_from(Stream& st) {
    asio::async_read(
        st, asio::buffer(header, 4), [self = shared_from_this(), &st](auto ec, size_t) {
          if (ec) return self->fail(ec.message());
          uint32_t len = runtime::load_be32(self->header);
          if (len == 0 || len > (1u << 30)) return self->fail("bad frame length from broker");
          self->payload.reset(new uint8_t[len]);  // not zeroed: the read fills it
          asio::async_read(
              st, asio::buffer(self->payload.get(), len), [self, len](auto ec2, size_t) {
                if (ec2) return self->fail(ec2.message());
                auto f = decode_frame(std::move(self->payload), len);
                if (!f) return self->fail(f.error().message());
                auto it = self->pending.find(f->correlation_id);
                if (it != self->pending.end()) {
                  auto fn = std::move(it->second);
                  self->pending.erase(it);
                  if (f->kind() == native_type::error) {
                    auto st = body_as<status_response>(*f);
                    fn(status{st ? st->error : errc::unknown, st ? st->message : "error frame"});
                  } else {
                    fn(std::move(*f));
                  }
                } else if (self->push) {
                  self->push(std::move(*f));
                }
                self->read_header();
              });
        });
  }

  void write_next() {
    on_stream([this](auto& st) {
      asio::async_write(st, asio::buffer(out.front()),
                        [self = shared_from_this()](auto ec, size_t) {
                          if (ec) return self->fail(ec.message());
                          if (!self->failure.is_ok()) return;
                          self->out.pop_front();
                          if (!self->out.empty()) self->write_next();
                        });
    });
  }
};

native_client::native_client(std::shared_ptr<impl> p) : impl_(std::move(p)) {}

namespace {

// A context for plaintext clients: the TLS layer is built but never used.
std::shared_ptr<tls_context> plain_context() {
  static auto ctx = tls_context::client("");
  return ctx ? *ctx : nullptr;
}

// The SASL login on a connected client: handshake, then tokens until the mechanism is done.
status log_in(native_client& c, const client_security& sec) {
  using std::chrono::seconds;
  auto hs = c.call<sasl_handshake_response>(native_type::sasl_handshake,
                                            sasl_handshake_request{sec.mechanism}, seconds(30));
  if (!hs) return hs.error();
  if (hs->error != errc::none) return {hs->error, hs->message};
  auto exchange = [&](const std::string& token) -> runtime::result<std::string> {
    auto r = c.call<sasl_authenticate_response>(
        native_type::sasl_authenticate,
        sasl_authenticate_request{runtime::bytes(token.begin(), token.end())}, seconds(30));
    if (!r) return r.error();
    if (r->error != errc::none) return status{r->error, r->message};
    return std::string(r->token.begin(), r->token.end());
  };
  if (sec.mechanism == "PLAIN") {
    std::string token = std::string(1, '\0') + sec.username + '\0' + sec.password;
    auto r = exchange(token);
    return r ? status{} : r.error();
  }
  runtime::security::scram_client scram(*runtime::security::parse_scram_mechanism(sec.mechanism),
                                        sec.username, sec.password);
  auto server_first = exchange(scram.first_message());
  if (!server_first) return server_first.error();
  auto final_message = scram.final_message(*server_first);
  if (!final_message) return final_message.error();
  auto server_final = exchange(*final_message);
  if (!server_final) return server_final.error();
  return scram.verify(*server_final);
}

}  // namespace

runtime::result<std::shared_ptr<native_client>> native_client::connect(
    const runtime::endpoint& ep, std::chrono::milliseconds timeout,
    const client_security& security) {
  auto p = std::make_shared<impl>();
  p->remote = ep;
  p->use_tls = runtime::uses_tls(security.protocol);
  if (p->use_tls) {
    auto ctx = tls_context::client(security.ca_location);
    if (!ctx) return ctx.error();
    p->tls = *ctx;
  } else {
    p->tls = plain_context();
    if (!p->tls) return status{errc::network_error, "cannot set up the client's TLS layer"};
  }
  p->stream = std::make_unique<ssl::stream<tcp::socket>>(
      p->ctx, *static_cast<ssl::context*>(p->tls->native()));
  if (p->use_tls) {
    // The broker's certificate must name the host we asked for (SNI sent for virtual hosts).
    SSL_set_tlsext_host_name(p->stream->native_handle(), ep.host.c_str());
    p->stream->set_verify_callback(ssl::host_name_verification(ep.host));
  }
  boost::system::error_code ec;
  tcp::resolver resolver(p->ctx);
  auto results = resolver.resolve(ep.host, std::to_string(ep.port), ec);
  if (ec) return status{errc::network_error, "cannot resolve " + ep.host + ": " + ec.message()};
  auto done = std::make_shared<std::promise<boost::system::error_code>>();
  auto fut = done->get_future();
  p->io = std::thread([p] { p->ctx.run(); });
  asio::post(p->ctx, [p, results, done] {
    asio::async_connect(p->sock(), results, [p, done](auto e, const tcp::endpoint&) {
      if (e || !p->use_tls) return done->set_value(e);
      p->stream->async_handshake(ssl::stream_base::client,
                                 [done](auto he) { done->set_value(he); });
    });
  });
  auto give_up = [&](status st) -> runtime::result<std::shared_ptr<native_client>> {
    asio::post(p->ctx, [p] {
      boost::system::error_code ignored;
      p->sock().close(ignored);
      p->work.reset();
    });
    p->io.join();
    return st;
  };
  if (fut.wait_for(timeout) != std::future_status::ready)
    return give_up(status{errc::network_error, "timed out connecting to " + ep.to_string()});
  ec = fut.get();
  if (ec)
    return give_up(status{errc::network_error, "cannot connect to " + ep.to_string() + ": " +
                                                   (p->use_tls ? "TLS handshake: " : "") +
                                                   ec.message()});
  asio::post(p->ctx, [p] {
    boost::system::error_code ignored;
    p->sock().set_option(tcp::no_delay(true), ignored);
    p->open = true;
    p->read_header();
    p->started = true;
  });
  // Wait until the connection is set up so callers never race the first send against it. (Not
  // for `open`: a peer that closes at once makes the first read fail and `open` false again.)
  while (!p->started) std::this_thread::yield();
  auto client = std::shared_ptr<native_client>(new native_client(p));
  if (runtime::uses_sasl(security.protocol))
    if (auto st = log_in(*client, security); !st)
      return status{st.code(), "logging in to " + ep.to_string() + " as '" + security.username +
                                   "' (" + security.mechanism + "): " + st.message()};
  return client;
}

native_client::~native_client() { close(); }

void native_client::set_push_handler(push_fn on_push) {
  asio::post(impl_->ctx, [p = impl_, fn = std::move(on_push)]() mutable {
    if (p->failure.is_ok()) {
      p->push = std::move(fn);
    } else if (fn) {
      fn(p->failure);
    }
  });
}

uint32_t native_client::next_correlation_id() { return impl_->next_id++; }

void native_client::send(runtime::bytes frame, uint32_t id, response_fn on_response) {
  asio::post(
      impl_->ctx, [p = impl_, f = std::move(frame), id, fn = std::move(on_response)]() mutable {
        if (!p->failure.is_ok() || !p->sock().is_open()) {
          if (fn)
            fn(p->failure.is_ok() ? status{errc::network_error, "connection closed"} : p->failure);
          return;
        }
        if (fn) p->pending.emplace(id, std::move(fn));
        p->out.push_back(std::move(f));
        if (p->out.size() == 1) p->write_next();
      });
}

runtime::result<native_frame> native_client::call_raw(runtime::bytes frame, uint32_t id,
                                                      std::chrono::milliseconds timeout) {
  auto prom = std::make_shared<std::promise<runtime::result<native_frame>>>();
  auto fut = prom->get_future();
  send(std::move(frame), id, [prom](runtime::result<native_frame> r) { prom->set_value(std::move(r)); });
  if (fut.wait_for(timeout) != std::future_status::ready)
    return status{errc::request_timed_out, "no response from " + impl_->remote.to_string() +
                                               " within " + std::to_string(timeout.count()) + " ms"};
  return fut.get();
}

bool native_client::is_open() const { return impl_->open; }

const runtime::endpoint& native_client::remote() const { return impl_->remote; }

void native_client::close() {
  if (!impl_ || !impl_->io.joinable()) return;
  asio::post(impl_->ctx, [p = impl_] {
    p->fail("closed by client");
    p->work.reset();
  });
  if (impl_->io.get_id() != std::this_thread::get_id())
    impl_->io.join();
  else
    impl_->io.detach();
}

}  // namespace brook::net

