#pragma once
// TLS settings loaded once per listener (or client) from PEM files: OpenSSL through Boost.Asio,
// kept inside tls.cpp and frame_server.cpp.
#include <memory>
#include <string>

#include "runtime/status.hpp"

namespace brook::net {

/// What a TLS listener presents and whom it trusts, with Kafka's key names for PEM stores.
struct tls_server_files {
  std::string keystore;      // certificate chain and private key, PEM [ssl.keystore.location]
  std::string key_password;  // for an encrypted private key [ssl.key.password]
  std::string
      truststore;  // CA certificates client certificates must chain to [ssl.truststore.location]
  /// Client certificates: "none" (not asked), "requested" (checked when sent) or "required"
  /// [ssl.client.auth].
  std::string client_auth = "none";
};

/// A loaded boost::asio::ssl::context. Immutable once made; shared by every connection using it.
class tls_context {
 public:
  /// Loads a listener's certificate, key and trusted CAs. Error: invalid_config naming the file
  /// and OpenSSL's reason.
  static runtime::result<std::shared_ptr<tls_context>> server(const tls_server_files& files);
  /// A client's: trusts the CAs in `ca_file` (empty: the system's) and checks the server's
  /// certificate names the host it connects to.
  static runtime::result<std::shared_ptr<tls_context>> client(const std::string& ca_file);
  ~tls_context();
  void* native();  // the boost::asio::ssl::context, opaque here

 private:
  struct impl;
  explicit tls_context(std::unique_ptr<impl> p);
  std::unique_ptr<impl> impl_;
};

}  // namespace brook::net
