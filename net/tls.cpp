#include "net/tls.hpp"

#include <openssl/err.h>

#include <boost/asio/ssl.hpp>

namespace brook::net {

namespace ssl = boost::asio::ssl;
using runtime::errc;

struct tls_context::impl {
  explicit impl(ssl::context::method m) : ctx(m) {}
  ssl::context ctx;
};

tls_context::tls_context(std::unique_ptr<impl> p) : impl_(std::move(p)) {}
tls_context::~tls_context() = default;
void* tls_context::native() {
  return &impl_->ctx;
}

namespace {

runtime::status bad_file(const std::string& key, const std::string& path,
                         const boost::system::error_code& ec) {
  return {errc::invalid_config, key + "=" + path + ": " + ec.message()};
}

// TLS 1.2 and 1.3 only, as Kafka's default ssl.enabled.protocols.
void restrict_versions(ssl::context& ctx) {
  ctx.set_options(ssl::context::default_workarounds | ssl::context::no_sslv2 |
                  ssl::context::no_sslv3 | ssl::context::no_tlsv1 | ssl::context::no_tlsv1_1);
}

}  // namespace

runtime::result<std::shared_ptr<tls_context>> tls_context::server(const tls_server_files& f) {
  auto p = std::make_unique<impl>(ssl::context::tls_server);
  auto& ctx = p->ctx;
  restrict_versions(ctx);
  boost::system::error_code ec;
  if (!f.key_password.empty())
    ctx.set_password_callback(
        [pw = f.key_password](size_t, ssl::context::password_purpose) { return pw; }, ec);
  ctx.use_certificate_chain_file(f.keystore, ec);
  if (ec) return bad_file("ssl.keystore.location", f.keystore, ec);
  ctx.use_private_key_file(f.keystore, ssl::context::pem, ec);
  if (ec) return bad_file("ssl.keystore.location (private key)", f.keystore, ec);
  if (f.client_auth != "none") {
    if (f.truststore.empty())
      return runtime::status{errc::invalid_config,
                             "ssl.client.auth=" + f.client_auth + " needs ssl.truststore.location"};
    ctx.load_verify_file(f.truststore, ec);
    if (ec) return bad_file("ssl.truststore.location", f.truststore, ec);
    auto mode = ssl::verify_peer;
    if (f.client_auth == "required") mode |= ssl::verify_fail_if_no_peer_cert;
    ctx.set_verify_mode(mode);
  }
  return std::shared_ptr<tls_context>(new tls_context(std::move(p)));
}

runtime::result<std::shared_ptr<tls_context>> tls_context::client(const std::string& ca_file) {
  auto p = std::make_unique<impl>(ssl::context::tls_client);
  auto& ctx = p->ctx;
  restrict_versions(ctx);
  boost::system::error_code ec;
  if (ca_file.empty())
    ctx.set_default_verify_paths(ec);
  else
    ctx.load_verify_file(ca_file, ec);
  if (ec) return bad_file("ssl.ca.location", ca_file, ec);
  ctx.set_verify_mode(ssl::verify_peer);
  return std::shared_ptr<tls_context>(new tls_context(std::move(p)));
}

}  // namespace brook::net
