#include "runtime/security/access.hpp"

#include <algorithm>

namespace brook::runtime::security {

namespace {
constexpr int64_t failure_window_ms = 60000;
constexpr int32_t max_delay_factor = 50;
constexpr size_t max_tracked_hosts = 10000;
constexpr size_t max_token_bytes = 65536;
}  // namespace

access_registry::access_registry(authorizer_settings settings, bool enforce,
                                 int64_t failed_login_delay_ms)
    : settings_(std::move(settings)),
      enforce_(enforce),
      failed_login_delay_ms_(failed_login_delay_ms),
      users_(std::make_shared<user_credentials>()) {}

void access_registry::set_users(user_credentials users) {
  auto next = std::make_shared<const user_credentials>(std::move(users));
  std::lock_guard<std::mutex> g(mu_);
  users_ = std::move(next);
}

void access_registry::set_acls(std::vector<acl_binding> acls) {
  auto next = std::make_shared<const std::vector<acl_binding>>(std::move(acls));
  std::lock_guard<std::mutex> g(mu_);
  acls_ = std::move(next);
}

std::shared_ptr<const user_credentials> access_registry::users() const {
  std::lock_guard<std::mutex> g(mu_);
  return users_;
}

std::shared_ptr<const std::vector<acl_binding>> access_registry::acls() const {
  std::lock_guard<std::mutex> g(mu_);
  return acls_ ? acls_ : std::make_shared<const std::vector<acl_binding>>();
}

std::optional<scram_credential> access_registry::credential(const std::string& user,
                                                            scram_mechanism m) const {
  auto all = users();
  auto it = all->find(user);
  if (it == all->end()) return std::nullopt;
  for (const auto& c : it->second)
    if (c.mechanism == m) return c;
  return std::nullopt;
}

std::optional<scram_credential> access_registry::any_credential(const std::string& user) const {
  auto all = users();
  auto it = all->find(user);
  if (it == all->end() || it->second.empty()) return std::nullopt;
  return it->second.front();
}

template <class Decide>
bool access_registry::decide(const std::string& principal, Decide d) const {
  if (!enforce_) return true;
  std::shared_ptr<const std::vector<acl_binding>> loaded;
  {
    std::lock_guard<std::mutex> g(mu_);
    loaded = acls_;
  }
  if (!loaded) {  // not read from the coordinator yet: only super users
    const auto& su = settings_.super_users;
    return std::find(su.begin(), su.end(), principal) != su.end();
  }
  return d(*loaded);
}

bool access_registry::authorize(const std::string& principal, const std::string& host,
                                acl_operation op, resource_type type,
                                const std::string& name) const {
  return decide(principal, [&](const std::vector<acl_binding>& acls) {
    return authorized(acls, settings_, principal, host, op, type, name);
  });
}

bool access_registry::authorize_any(const std::string& principal, const std::string& host,
                                    acl_operation op, resource_type type) const {
  return decide(principal, [&](const std::vector<acl_binding>& acls) {
    return authorized_on_any(acls, settings_, principal, host, op, type);
  });
}

bool access_registry::authorize_idempotent_producer(const std::string& principal,
                                                    const std::string& host) const {
  return authorize(principal, host, acl_operation::idempotent_write, resource_type::cluster,
                   cluster_resource_name) ||
         authorize_any(principal, host, acl_operation::write, resource_type::topic);
}

int64_t access_registry::login_failed(const std::string& host, int64_t now_ms) {
  std::lock_guard<std::mutex> g(failures_mu_);
  if (failures_.size() >= max_tracked_hosts && !failures_.count(host)) {
    for (auto it = failures_.begin(); it != failures_.end();)
      it = now_ms - it->second.window_start_ms > failure_window_ms ? failures_.erase(it)
                                                                   : std::next(it);
    if (failures_.size() >= max_tracked_hosts) failures_.erase(failures_.begin());
  }
  auto& f = failures_[host];
  if (f.count == 0 || now_ms - f.window_start_ms > failure_window_ms) f = {now_ms, 0};
  f.count = std::min(f.count + 1, max_delay_factor);
  return failed_login_delay_ms_ * f.count;
}

authenticator::authenticator(std::vector<std::string> enabled,
                             std::shared_ptr<access_registry> registry)
    : enabled_(std::move(enabled)), registry_(std::move(registry)) {}

status authenticator::select(const std::string& mechanism) {
  if (selected()) return {errc::illegal_sasl_state, "a SASL mechanism was already chosen"};
  if (std::find(enabled_.begin(), enabled_.end(), mechanism) == enabled_.end()) {
    std::string list;
    for (const auto& m : enabled_) list += (list.empty() ? "" : ", ") + m;
    return {errc::unsupported_sasl_mechanism,
            "Unsupported SASL mechanism " + mechanism + " (enabled: " + list + ")"};
  }
  mechanism_ = mechanism;
  if (auto m = parse_scram_mechanism(mechanism))
    scram_ = std::make_unique<scram_server>(
        *m, [reg = registry_, m = *m](const std::string& u) { return reg->credential(u, m); });
  return {};
}

result<bytes> authenticator::step(const uint8_t* token, size_t n) {
  if (!selected() || authenticated_ || failed_)
    return status{errc::illegal_sasl_state, "SASL token out of turn"};
  if (n > max_token_bytes) {
    failed_ = true;
    return status{errc::sasl_authentication_failed, "SASL token too large"};
  }
  std::string_view msg(reinterpret_cast<const char*>(token), n);
  if (scram_) {
    auto answer = scram_->step(msg);
    user_ = scram_->user();
    if (!answer) {
      failed_ = true;
      return answer.error();
    }
    authenticated_ = scram_->authenticated();
    return bytes(answer->begin(), answer->end());
  }
  // PLAIN: one token, checked against the user's SCRAM credential.
  auto login = parse_plain(msg);
  if (!login) {
    failed_ = true;
    return login.error();
  }
  user_ = login->user;
  // An unknown user costs the same key derivation as a known one: no timing tells them apart.
  static const auto nobody =
      make_scram_credential(scram_mechanism::sha512, "", bytes(32, 0), scram_min_iterations);
  auto cred = registry_->any_credential(login->user);
  bool matches = password_matches(cred ? *cred : nobody, login->password);
  if (!cred || !matches) {
    failed_ = true;
    return status{errc::sasl_authentication_failed,
                  "Authentication failed: Invalid username or password"};
  }
  authenticated_ = true;
  return bytes();
}

std::string principal_of(const std::string& sasl_user, const std::string& tls_subject) {
  if (!sasl_user.empty()) return "User:" + sasl_user;
  return "User:" + (tls_subject.empty() ? std::string("ANONYMOUS") : tls_subject);
}

std::string loggable(const std::string& name) {
  std::string out = name.substr(0, 256);
  for (char& c : out)
    if (static_cast<unsigned char>(c) < 0x20 || c == 0x7f) c = '?';
  return out;
}

}  // namespace brook::runtime::security
