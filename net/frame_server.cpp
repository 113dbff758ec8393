#include "net/frame_server.hpp"

#include <openssl/x509.h>
#include <sys/sendfile.h>
#include <sys/socket.h>
#include <unistd.h>

#include <boost/asio.hpp>
#include <boost/asio/ssl.hpp>
#include <cerrno>
#include <cstring>
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

// Reads a frame's file parts into its bytes, for a stream that cannot sendfile(2) (TLS). False
// when a part can no longer be read whole.
bool read_file_parts(outgoing_frame& f) {
  if (f.files.empty()) return true;
  runtime::bytes out;
  size_t total = f.data.size();
  for (const auto& p : f.files) total += p.slice.size;
  out.reserve(total);
  size_t from = 0;
  for (const auto& p : f.files) {
    out.insert(out.end(), f.data.begin() + long(from), f.data.begin() + long(p.at));
    size_t at = out.size(), done = 0;
    out.resize(at + p.slice.size);
    while (done < p.slice.size) {
      ssize_t n = ::pread(p.slice.fd, out.data() + at + done, p.slice.size - done,
                          off_t(p.slice.position + done));
      if (n < 0 && errno == EINTR) continue;
      if (n <= 0) return false;
      done += size_t(n);
    }
    from = p.at;
  }
  out.insert(out.end(), f.data.begin() + long(from), f.data.end());
  f.data = std::move(out);
  f.files.clear();
  return true;
}

// One accepted connection over `Stream`: tcp::socket, or tls_stream (handshake first).
template <class Stream>
class stream_connection : public connection,
                          public std::enable_shared_from_this<stream_connection<Stream>> {
 public:
  static constexpr bool plaintext = std::is_same_v<Stream, tcp::socket>;

  template <class... TlsContext>
  stream_connection(tcp::socket sock, const server_options& opts, TlsContext&... tls)
      : sock_(std::move(sock), tls...), strand_(sock_.get_executor()), opts_(opts) {
    boost::system::error_code ec;
    auto ep = tcp_of(sock_).remote_endpoint(ec);
    peer_ = ec ? "unknown" : ep.address().to_string() + ":" + std::to_string(ep.port());
    tcp_of(sock_).set_option(tcp::no_delay(true), ec);
    // write_parts writes with send/sendfile and waits for EAGAIN (asio's own operations cope).
    if constexpr (plaintext) tcp_of(sock_).native_non_blocking(true, ec);
  }

  void start(std::unique_ptr<frame_handler> h, std::function<void()> on_end) {
    handler_ = std::move(h);
    on_end_ = std::move(on_end);
    asio::post(strand_, [self = this->shared_from_this()] { self->handshake(); });
  }

  void send(outgoing_frame frame) override {
    asio::post(strand_, [self = this->shared_from_this(), f = std::move(frame)]() mutable {
      if (self->closed_ || self->closing_) return;
      if (!plaintext && !read_file_parts(f))
        return self->shutdown("a fetched range of the log was cut short under the fetch");
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
    if constexpr (plaintext) {
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
    if constexpr (plaintext) {
      if (!queue_.front().files.empty()) return write_parts();
    }
    asio::async_write(
        sock_, asio::buffer(queue_.front().data),
        asio::bind_executor(strand_, [self = this->shared_from_this()](auto ec, size_t) {
          if (ec) return self->shutdown(ec.message());
          self->written();
        }));
  }

  // Writes the front frame from where the last call stopped: its bytes up to the next file part
  // (MSG_MORE: the part follows), that part with sendfile(2), and so on; waits whenever the
  // socket is full. Plaintext only.
  void write_parts() {
    auto& f = queue_.front();
    int fd = tcp_of(sock_).native_handle();
    for (;;) {
      bool file_next = part_ < f.files.size();
      size_t data_end = file_next ? f.files[part_].at : f.data.size();
      ssize_t n = 0;
      if (data_pos_ < data_end) {
        n = ::send(fd, f.data.data() + data_pos_, data_end - data_pos_,
                   MSG_NOSIGNAL | (file_next ? MSG_MORE : 0));
        if (n > 0) {
          data_pos_ += size_t(n);
          continue;
        }
      } else if (file_next) {
        const auto& slice = f.files[part_].slice;
        off_t at = off_t(slice.position + part_done_);
        n = ::sendfile(fd, slice.fd, &at, slice.size - part_done_);
        if (n > 0) {
          part_done_ += size_t(n);
          if (part_done_ == slice.size) {
            ++part_;
            part_done_ = 0;
          }
          continue;
        }
        if (n == 0) return shutdown("a fetched range of the log was cut short under the fetch");
        if (errno == EINVAL || errno == ENOSYS || errno == EOPNOTSUPP) {
          // A file system without sendfile support: this part goes as bytes read from it.
          if (!inline_part(f)) return shutdown("a fetched range of the log could not be read");
          continue;
        }
      } else {
        return written();
      }
      if (errno == EINTR) continue;
      if (errno != EAGAIN && errno != EWOULDBLOCK) return shutdown(std::strerror(errno));
      tcp_of(sock_).async_wait(
          tcp::socket::wait_write,
          asio::bind_executor(strand_, [self = this->shared_from_this()](auto ec) {
            if (ec) return self->shutdown(ec.message());
            self->write_parts();
          }));
      return;
    }
  }

  // Replaces the front frame's current file part (from part_done_ on) by its bytes, inserted
  // into the frame's data where the part was; false if the file no longer holds them.
  bool inline_part(outgoing_frame& f) {
    auto part = f.files[part_];
    part.slice.position += part_done_;
    part.slice.size -= part_done_;
    outgoing_frame one;
    one.files.push_back({0, part.slice});
    if (!read_file_parts(one)) return false;
    f.data.insert(f.data.begin() + long(part.at), one.data.begin(), one.data.end());
    f.files.erase(f.files.begin() + long(part_));
    for (size_t i = part_; i < f.files.size(); ++i) f.files[i].at += one.data.size();
    part_done_ = 0;
    return true;
  }

  // The front frame is out: the next one, or the close that waited for the queue.
  void written() {
    queue_.pop_front();
    data_pos_ = part_ = part_done_ = 0;
    if (!queue_.empty()) return write_next();
    if (closing_) shutdown(close_reason_);
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
  std::deque<outgoing_frame> queue_;
  // How far write_parts got into the front frame: bytes of data, file parts, bytes of that part.
  size_t data_pos_ = 0, part_ = 0, part_done_ = 0;
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
