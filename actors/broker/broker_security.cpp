// Users and ACLs: the broker keeps the node's access registry (runtime/security/access.hpp) in
// step with the coordinator's /config/users and /config/acls, and writes changes to them (each a
// compare-and-set of the whole node, retried when another broker wrote in between).
#include <caf/all.hpp>

#include "actors/broker/broker_internal.hpp"
#include "net/security_messages.hpp"
#include "runtime/log.hpp"
#include "runtime/security/access.hpp"

namespace brook::actors::broker_detail {

namespace sec = runtime::security;
namespace spaths = net::security_paths;
using net::coord_response;
using runtime::errc;

namespace {

constexpr int max_write_attempts = 8;

// What a rewrite ended with: its status and, if it succeeded, the node's value now.
using rewritten_fn = std::function<void(runtime::status, const std::string& value)>;

// Reads `path`, lets `change` rewrite its value ("" when absent) and writes it back with a
// compare-and-set; a concurrent writer makes it start over. `change` returns the new value or
// the error that stops it; an unchanged value is not written.
void rewrite_node(self_ptr self, const std::string& path,
                  std::function<runtime::result<std::string>(const std::string&)> change,
                  rewritten_fn done, int attempt = 0) {
  ask(self, net::coord_get_request{path}, [=](coord_response& g) {
    if (g.error != errc::none && g.error != errc::no_node) return done(to_status(g), "");
    auto next = change(g.error == errc::none ? g.value : std::string());
    if (!next) return done(next.error(), "");
    if (g.error == errc::none && *next == g.value) return done({}, *next);
    auto written = [=, value = *next](coord_response& w) {
      bool raced = w.error == errc::bad_version || w.error == errc::node_exists;
      if (raced && attempt + 1 < max_write_attempts)
        return rewrite_node(self, path, change, done, attempt + 1);
      if (w.error != errc::none) return done(to_status(w), "");
      done({}, value);
    };
    if (g.error == errc::no_node)
      ask(self, net::coord_create_request{path, *next, false, 0, true}, written);
    else
      ask(self, net::coord_set_request{path, *next, g.version}, written);
  });
}

// A node's value; an absent one is empty. One that does not decode is an error: a write would
// lose what it holds, and ACLs must not silently become none.
template <class T>
runtime::result<T> unpack_node(const std::string& path, const std::string& value) {
  if (value.empty()) return T{};
  auto v = net::unpack_value<T>(value);
  if (!v)
    return runtime::status{errc::corrupt_message,
                           path + " does not decode: " + v.error().message()};
  return v;
}

// The users of /config/users' `value` into the node's registry (a value that does not decode
// leaves the last ones).
void apply_users(self_ptr self, const std::string& value) {
  {
    auto stored = unpack_node<net::stored_users>(spaths::users, value);
    if (!stored) {
      BROOK_LOG_ERROR("[Broker id=" << my_id(self->state) << "] users not loaded (the last ones "
                                    << "stay in force): " << stored.error().message());
      return;
    }
    sec::user_credentials users;
    for (const auto& [name, mechs] : *stored)
      for (const auto& [mech, text] : mechs) {
        auto m = sec::parse_scram_mechanism(mech);
        auto c = m ? sec::parse_scram_credential(*m, text)
                   : runtime::result<sec::scram_credential>(
                         runtime::status{errc::invalid_config, "unknown mechanism " + mech});
        if (c)
          users[name].push_back(*c);
        else
          BROOK_LOG_ERROR("[Broker id=" << my_id(self->state) << "] credential of user " << name
                                        << " not loaded: " << c.error().message());
      }
    self->state.spec.node->access->set_users(std::move(users));
  }
}

void load_users(self_ptr self) {
  ask(self, net::coord_get_request{spaths::users}, [self](coord_response& r) {
    if (r.error == errc::none || r.error == errc::no_node) apply_users(self, r.value);
  });
}

// The ACLs of /config/acls' `value` into the node's registry (likewise).
void apply_acls(self_ptr self, const std::string& value) {
  auto stored = unpack_node<std::vector<net::acl_entry>>(spaths::acls, value);
  if (!stored) {
    BROOK_LOG_ERROR("[Broker id=" << my_id(self->state) << "] ACLs not loaded (the last ones "
                                  << "stay in force): " << stored.error().message());
    return;
  }
  std::vector<sec::acl_binding> acls;
  for (const auto& e : *stored) acls.push_back(net::to_binding(e));
  self->state.spec.node->access->set_acls(std::move(acls));
}

void load_acls(self_ptr self) {
  ask(self, net::coord_get_request{spaths::acls}, [self](coord_response& r) {
    if (r.error == errc::none || r.error == errc::no_node) apply_acls(self, r.value);
  });
}

// On a SASL native listener the brokers log in to each other as inter.broker.sasl.username:
// each broker makes sure that user exists with its configured password (the cluster's first
// user, to create the others with; it must be in super.users).
void ensure_broker_user(self_ptr self) {
  const auto& s = self->state.spec.config.security;
  if (!runtime::uses_sasl(s.native_protocol) || s.inter_broker_username.empty()) return;
  auto change = [s](const std::string& value) -> runtime::result<std::string> {
    auto users = unpack_node<net::stored_users>(spaths::users, value);
    if (!users) return users.error();
    auto& mine = (*users)[s.inter_broker_username];
    bool changed = false;
    for (auto m : {sec::scram_mechanism::sha256, sec::scram_mechanism::sha512}) {
      auto& text = mine[sec::to_string(m)];
      auto have = sec::parse_scram_credential(m, text);
      if (have && sec::password_matches(*have, s.inter_broker_password)) continue;
      auto cred = sec::make_scram_credential(m, s.inter_broker_password);
      if (!cred) return cred.error();
      text = sec::to_text(*cred);
      changed = true;
    }
    return changed ? net::pack_value(*users) : value;
  };
  rewrite_node(self, spaths::users, change,
               [self, user = s.inter_broker_username](runtime::status st, const std::string& v) {
                 if (st) {
                   apply_users(self, v);
                 } else {
                   BROOK_LOG_ERROR("[Broker id=" << my_id(self->state) << "] inter-broker user "
                                                 << user << " not written: " << st.message());
                 }
               });
}

}  // namespace

void load_access(self_ptr self) {
  load_users(self);
  load_acls(self);
  ensure_broker_user(self);
}

bool on_access_change(self_ptr self, const std::string& path) {
  if (path == spaths::users) return load_users(self), true;
  if (path == spaths::acls) return load_acls(self), true;
  return false;
}

void alter_user(self_ptr self, const net::alter_user_request& req, done_fn done) {
  if (req.user.empty()) return done({errc::invalid_request, "a user needs a name"});
  if (!req.mechanism.empty()) {
    auto m = sec::parse_scram_mechanism(req.mechanism);
    if (!m)
      return done({errc::unsupported_sasl_mechanism, "unknown SCRAM mechanism '" + req.mechanism +
                                                         "' (SCRAM-SHA-256 or SCRAM-SHA-512)"});
    if (!req.credential.empty())
      if (auto c = sec::parse_scram_credential(*m, req.credential); !c) return done(c.error());
  }
  auto change = [req](const std::string& value) -> runtime::result<std::string> {
    auto stored = unpack_node<net::stored_users>(spaths::users, value);
    if (!stored) return stored.error();
    auto& users = *stored;
    if (req.credential.empty()) {
      auto it = users.find(req.user);
      if (it == users.end() || (!req.mechanism.empty() && !it->second.count(req.mechanism)))
        return runtime::status{errc::not_found, "user '" + req.user + "' has no such credential"};
      if (req.mechanism.empty())
        users.erase(it);
      else if (it->second.erase(req.mechanism), it->second.empty())
        users.erase(it);
    } else {
      users[req.user][req.mechanism] = req.credential;
    }
    return net::pack_value(users);
  };
  rewrite_node(
      self, spaths::users, change, [self, req, done](runtime::status s, const std::string& value) {
        if (s) {
          BROOK_LOG_INFO("[Broker id=" << my_id(self->state) << "] user " << req.user << ": "
                                       << (req.credential.empty() ? "removed " : "set ")
                                       << (req.mechanism.empty() ? "all credentials"
                                                                 : req.mechanism + " credential"));
          apply_users(self, value);  // here before the answer; the watch brings it to the others
        }
        done(s);
      });
}

void create_acls(self_ptr self, const net::create_acls_request& req,
                 std::function<void(net::acls_response)> done) {
  for (const auto& e : req.acls)
    if (auto s = sec::validate(net::to_binding(e)); !s) return done({s.code(), s.message(), {}});
  auto change = [req](const std::string& value) -> runtime::result<std::string> {
    auto stored = unpack_node<std::vector<net::acl_entry>>(spaths::acls, value);
    if (!stored) return stored.error();
    auto& acls = *stored;
    for (const auto& e : req.acls) {
      auto b = net::to_binding(e);
      bool known = std::any_of(acls.begin(), acls.end(),
                               [&](const net::acl_entry& x) { return net::to_binding(x) == b; });
      if (!known) acls.push_back(e);
    }
    return net::pack_value(acls);
  };
  rewrite_node(
      self, spaths::acls, change, [self, req, done](runtime::status s, const std::string& value) {
        if (s) {
          for (const auto& e : req.acls)
            BROOK_LOG_INFO("[Broker id=" << my_id(self->state)
                                         << "] ACL added: " << sec::describe(net::to_binding(e)));
          apply_acls(self, value);
        }
        done({s.code(), s.message(), {}});
      });
}

void delete_acls(self_ptr self, const net::delete_acls_request& req,
                 std::function<void(net::acls_response)> done) {
  auto matched = std::make_shared<std::vector<std::vector<net::acl_entry>>>();
  auto change = [req, matched](const std::string& value) -> runtime::result<std::string> {
    auto stored = unpack_node<std::vector<net::acl_entry>>(spaths::acls, value);
    if (!stored) return stored.error();
    matched->assign(req.filters.size(), {});
    std::vector<net::acl_entry> kept;
    for (const auto& e : *stored) {
      bool gone = false;
      for (size_t i = 0; i < req.filters.size(); ++i)
        if (net::to_filter(req.filters[i]).matches(net::to_binding(e))) {
          (*matched)[i].push_back(e);
          gone = true;
        }
      if (!gone) kept.push_back(e);
    }
    return net::pack_value(kept);
  };
  rewrite_node(self, spaths::acls, change,
               [self, matched, done](runtime::status s, const std::string& value) {
                 if (s) {
                   for (const auto& per_filter : *matched)
                     for (const auto& e : per_filter)
                       BROOK_LOG_INFO("[Broker id=" << my_id(self->state) << "] ACL removed: "
                                                    << sec::describe(net::to_binding(e)));
                   apply_acls(self, value);
                 }
                 if (!s) matched->clear();
                 done({s.code(), s.message(), std::move(*matched)});
               });
}

}  // namespace brook::actors::broker_detail
