#include "net/frame_server.hpp"

#include <openssl/x509.h>

#include <boost/asio.hpp>
#include <boost/asio/ssl.hpp>
#include <deque>
#include <mutex>
#include <set>
#include <thread>

#include "net/tls.hpp"
#include "runtime/log.hpp"

namespace brook::net {

namespace asio = boost::asio;
namespace ssl = asio::ssl;
using tcp = asio::ip::tcp;
using tls_stream = ssl::stream<tcp::socket>;

struct io_pool::impl {
  asio::io_context ctx;
  asio::executor_work_guard<asio::io_context::executor_type> guard{ctx.get_executor()};
  std::vector<std::thread> threads;
};

io_pool::io_pool(int threads) : impl_(std::make_unique<impl>()) {
  for (int i = 0; i < threads; ++i) impl_->threads.emplace_back([this] { impl_->ctx.run(); });
}

io_pool::~io_pool() { stop(); }

void* io_pool::context() { return &impl_->ctx; }

void io_pool::stop() {
  impl_->guard.reset();
  impl_->ctx.stop();
  for (auto& t : impl_->threads)
    if (t.joinable() && t.get_id() != std::this_thread::get_id()) t.join();
  impl_->threads.clear();
}

namespace {

// The TCP socket under a plain or TLS stream.
tcp::socket& tcp_of(tcp::socket& s) {
  return s;
}
tcp::socket& tcp_of(tls_stream& s) {
  return s.next_layer();
}

// The client hung up: end of stream, or a TLS client that closed without close_notify (most
// do). Not worth a log line.
bool closed_by_peer(const boost::system::error_code& ec) {
  return ec == asio::error::eof || ec == ssl::error::stream_truncated;
}

// The verified client certificate's subject ("CN=alice,OU=..."), or "".
std::string subject_of(tcp::socket&) {
  return {};
}
std::string subject_of(tls_stream& s) {
  X509* cert = SSL_get_peer_certificate(s.native_handle());
  if (!cert) return {};
  std::string out;
  if (SSL_get_verify_result(s.native_handle()) == X509_V_OK) {
    BIO* bio = BIO_new(BIO_s_mem());
    // RFC 2253 order and escaping, as Kafka's default SSL principal shows it.
    X509_NAME_print_ex(bio, X509_get_subject_name(cert), 0, XN_FLAG_RFC2253);
    char* data = nullptr;
    long n = BIO_get_mem_data(bio, &data);
    out.assign(data, size_t(n));
    BIO_free(bio);
  }
  X509_free(cert);
  return out;
}

// One accepted connection over `Stream`: tcp::socket, or tls_stream (handshake first).
template <class Stream>
class stream_connection : public connection,
                          public std::enable_shared_from_this<stream_connection<Stream>> {
 public:
  template <class... TlsContext>
  stream_connection(tcp::socket sock, const server_options& opts, TlsContext&... tls)
      : sock_(std::move(sock), tls...), strand_(sock_.get_executor()), opts_(opts) {
    boost::system::error_code ec;
    auto ep = tcp_of(sock_).remote_endpoint(ec);
    peer_ = ec ? "unknown" : ep.address().to_string() + ":" + std::to_string(ep.port());
    tcp_of(sock_).set_option(tcp::no_delay(true), ec);
  }

  void start(std::unique_ptr<frame_handler> h, std::function<void()> on_end) {
    handler_ = std::move(h);
    on_end_ = std::move(on_end);
    asio::post(strand_, [self = this->shared_from_this()] { self->handshake(); });
  }

  void send(runtime::bytes frame) override {
    asio::post(strand_, [self = this->shared_from_this(), f = std::move(frame)]() mutable {
      if (self->closed_ || self->closing_) return;
      self->queue_.push_back(std::move(f));
      if (self->queue_.size() == 1) self->write_next();
    });
  }

  // Frames queued before close() still go out (an error frame explaining the close), then the
  // socket closes.
  void close(const std::string& reason) override {
    asio::post(strand_, [self = this->shared_from_this(), reason] {
      if (self->queue_.empty()) return self->shutdown(reason);
      self->closing_ = true;
      self->close_reason_ = reason;
    });
  }

  const std::string& peer() const override { return peer_; }
  const std::string& tls_subject() const override { return subject_; }
  void set_max_frame_bytes(size_t n) override { opts_.max_frame_bytes = n; }

  void set_deadline(std::chrono::milliseconds after, const std::string& reason) override {
    deadline_ = std::make_unique<asio::steady_timer>(sock_.get_executor(), after);
    deadline_->async_wait(
        asio::bind_executor(strand_, [self = this->shared_from_this(), reason](auto ec) {
          if (!ec && self->deadline_) self->shutdown(reason);
        }));
  }
  void clear_deadline() override {
    if (deadline_) deadline_->cancel();
    deadline_.reset();
  }

 private:
  // A TLS connection reads no frame before its handshake: a plaintext client's bytes fail it.
  void handshake() {
    if constexpr (std::is_same_v<Stream, tcp::socket>) {
      read_header();
    } else {
      sock_.async_handshake(
          ssl::stream_base::server,
          asio::bind_executor(strand_, [self = this->shared_from_this()](auto ec) {
            if (ec) return self->shutdown("TLS handshake failed: " + ec.message());
            self->subject_ = subject_of(self->sock_);
            self->read_header();
          }));
    }
  }

  void read_header() {
    asio::async_read(sock_, asio::buffer(header_, 4),
                     asio::bind_executor(strand_, [self = this->shared_from_this()](auto ec,
                                                                                    size_t) {
                       if (ec) return self->shutdown(closed_by_peer(ec) ? "" : ec.message());
                       uint32_t len = runtime::load_be32(self->header_);
                       if (len == 0 || len > self->opts_.max_frame_bytes) {
                         BROOK_LOG_WARN("[" << self->opts_.name << "] closing connection from "
                                            << self->peer_ << ": frame length " << int32_t(len)
                                            << " outside 1.." << self->opts_.max_frame_bytes);
                         return self->shutdown("");
                       }
                       self->expected_ = len;
                       self->payload_.clear();
                       self->read_payload();
                     }));
  }

  // Reads the frame in growing chunks, so a length prefix alone cannot make the server allocate
  // up to max_frame_bytes: memory follows the bytes that actually arrive.
  void read_payload() {
    size_t have = payload_.size();
    size_t want = std::min(expected_ - have, std::max<size_t>(65536, have));
    payload_.resize(have + want);
    asio::async_read(
        sock_, asio::buffer(payload_.data() + have, want),
        asio::bind_executor(strand_, [self = this->shared_from_this()](auto ec, size_t) {
          if (ec) return self->shutdown(closed_by_peer(ec) ? "" : ec.message());
          if (self->payload_.size() < self->expected_) return self->read_payload();
          self->handler_->on_frame(self->payload_.data(), self->payload_.size());
          if (!self->closed_ && !self->closing_) self->read_header();
        }));
  }

  void write_next() {
    asio::async_write(
        sock_, asio::buffer(queue_.front()),
        asio::bind_executor(strand_, [self = this->shared_from_this()](auto ec, size_t) {
          if (ec) return self->shutdown(ec.message());
          self->queue_.pop_front();
          if (!self->queue_.empty()) return self->write_next();
          if (self->closing_) self->shutdown(self->close_reason_);
        }));
  }

  void shutdown(const std::string& reason) {
    if (closed_) return;
    closed_ = true;
    if (!reason.empty())
      BROOK_LOG_WARN("[" << opts_.name << "] closing connection from " << peer_ << ": " << reason);
    clear_deadline();  // its handler holds this connection
    boost::system::error_code ec;
    tcp_of(sock_).shutdown(tcp::socket::shutdown_both, ec);
    tcp_of(sock_).close(ec);
    // queue_ is left alone: an aborted async_write may still refer to its front buffer.
    if (handler_) handler_->on_close();
    if (on_end_) on_end_();
  }

  Stream sock_;
  asio::strand<typename Stream::executor_type> strand_;
  server_options opts_;
  std::string peer_;
  std::string subject_;
  std::unique_ptr<asio::steady_timer> deadline_;
  uint8_t header_[4];
  runtime::bytes payload_;
  size_t expected_ = 0;  // length of the frame being read
  std::deque<runtime::bytes> queue_;
  std::unique_ptr<frame_handler> handler_;
  std::function<void()> on_end_;
  bool closed_ = false;
  bool closing_ = false;  // close() asked; shut down once the queue is written
  std::string close_reason_;
};

}  // namespace

struct frame_server::impl : std::enable_shared_from_this<frame_server::impl> {
  impl(asio::io_context& c, runtime::endpoint e, server_options o, handler_factory f)
      : ctx(c), acceptor(c), ep(std::move(e)), opts(std::move(o)), factory(std::move(f)) {}

  void accept() {
    acceptor.async_accept([self = this->shared_from_this()](auto ec, tcp::socket sock) {
      if (ec) {
        if (ec != asio::error::operation_aborted)
          BROOK_LOG_WARN("[" << self->opts.name << "] accept failed: " << ec.message());
        if (self->acceptor.is_open()) self->accept();
        return;
      }
      if (self->opts.tls)
        self->start(std::make_shared<stream_connection<tls_stream>>(
            std::move(sock), self->opts, *static_cast<ssl::context*>(self->opts.tls->native())));
      else
        self->start(std::make_shared<stream_connection<tcp::socket>>(std::move(sock), self->opts));
      self->accept();
    });
  }

  template <class Conn>
  void start(std::shared_ptr<Conn> conn) {
    {
      std::lock_guard<std::mutex> g(mu);
      conns.insert(conn);
    }
    std::weak_ptr<impl> weak = shared_from_this();
    std::weak_ptr<connection> wconn = conn;
    conn->start(factory(conn), [weak, wconn] {
      if (auto s = weak.lock()) {
        std::lock_guard<std::mutex> g(s->mu);
        s->conns.erase(wconn.lock());
      }
    });
  }

  asio::io_context& ctx;
  tcp::acceptor acceptor;
  runtime::endpoint ep;
  server_options opts;
  handler_factory factory;
  std::mutex mu;
  std::set<std::shared_ptr<connection>> conns;
};

frame_server::frame_server(io_pool& pool, runtime::endpoint ep, server_options opts,
                           handler_factory factory)
    : impl_(std::make_shared<impl>(*static_cast<asio::io_context*>(pool.context()), std::move(ep),
                                   std::move(opts), std::move(factory))) {}

frame_server::~frame_server() { stop(); }

runtime::result<uint16_t> frame_server::start() {
  boost::system::error_code ec;
  auto addr = asio::ip::make_address(impl_->ep.host, ec);
  if (ec) {
    tcp::resolver r(impl_->ctx);
    auto res = r.resolve(impl_->ep.host, std::to_string(impl_->ep.port), ec);
    if (ec || res.empty())
      return runtime::status{runtime::errc::invalid_config, "cannot resolve " + impl_->ep.host};
    addr = res.begin()->endpoint().address();
  }
  tcp::endpoint endpoint(addr, impl_->ep.port);
  auto& a = impl_->acceptor;
  a.open(endpoint.protocol(), ec);
  if (!ec) a.set_option(tcp::acceptor::reuse_address(true), ec);
  if (!ec) a.bind(endpoint, ec);
  if (!ec) a.listen(asio::socket_base::max_listen_connections, ec);
  if (ec)
    return runtime::status{runtime::errc::io_error,
                           "cannot listen on " + impl_->ep.to_string() + ": " + ec.message()};
  auto port = a.local_endpoint().port();
  asio::post(impl_->ctx, [s = impl_] { s->accept(); });
  return port;
}

void frame_server::stop() {
  if (!impl_) return;
  asio::post(impl_->ctx, [s = impl_] {
    boost::system::error_code ec;
    s->acceptor.close(ec);
    std::set<std::shared_ptr<connection>> conns;
    {
      std::lock_guard<std::mutex> g(s->mu);
      conns.swap(s->conns);
    }
    for (auto& c : conns) c->close("");
  });
}

}  // namespace brook::net
