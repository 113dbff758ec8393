#pragma once
// Metadata as a client whose requests are checked may see it, on either listener: topics named
// without DESCRIBE are taken out of the request and answered topic_authorization_failed, a
// listing of all topics leaves them out, auto-creation needs CREATE on the cluster or on every
// topic asked for. Not logged: clients ask for metadata all the time.
#include <memory>
#include <string>
#include <vector>

#include "net/native_messages.hpp"

namespace brook::runtime::security {
class access_registry;
}

namespace brook::actors {

class metadata_access {
 public:
  /// Narrows `req` to what `principal` (from `host`) may ask for.
  metadata_access(std::shared_ptr<const runtime::security::access_registry> registry,
                  std::string principal, std::string host, net::metadata_request& req);
  /// The broker's answer to the narrowed request, as the client may see it.
  void filter(net::metadata_response& m) const;

 private:
  bool may_describe(const std::string& topic) const;

  std::shared_ptr<const runtime::security::access_registry> registry_;
  std::string principal_;
  std::string host_;
  bool all_topics_ = false;
  std::vector<std::string> refused_;
};

}  // namespace brook::actors
