#include "runtime/security/acl.hpp"

#include <gtest/gtest.h>

#include <string>
#include <vector>

namespace {

namespace sec = brook::runtime::security;
using brook::runtime::errc;
using sec::acl_binding;
using sec::acl_filter;
using sec::acl_operation;
using sec::acl_permission;
using sec::pattern_type;
using sec::resource_type;

const std::string alice = "User:alice";
const std::string bob = "User:bob";
const std::string host = "10.0.0.1";

acl_binding acl(acl_permission perm, const std::string& principal, acl_operation op,
                resource_type type, const std::string& name,
                pattern_type pattern = pattern_type::literal, const std::string& from = "*") {
  acl_binding b;
  b.resource = type;
  b.name = name;
  b.pattern = pattern;
  b.principal = principal;
  b.host = from;
  b.operation = op;
  b.permission = perm;
  return b;
}

acl_binding allow(const std::string& principal, acl_operation op, resource_type type,
                  const std::string& name, pattern_type pattern = pattern_type::literal,
                  const std::string& from = "*") {
  return acl(acl_permission::allow, principal, op, type, name, pattern, from);
}

acl_binding deny(const std::string& principal, acl_operation op, resource_type type,
                 const std::string& name, pattern_type pattern = pattern_type::literal,
                 const std::string& from = "*") {
  return acl(acl_permission::deny, principal, op, type, name, pattern, from);
}

// `principal` from `from` may do `op` on topic `name`.
bool on_topic(const std::vector<acl_binding>& acls, const std::string& principal, acl_operation op,
              const std::string& name, const std::string& from = host,
              const sec::authorizer_settings& settings = {}) {
  return sec::authorized(acls, settings, principal, from, op, resource_type::topic, name);
}

const acl_operation concrete_ops[] = {
    acl_operation::read,           acl_operation::write,
    acl_operation::create,         acl_operation::remove,
    acl_operation::alter,          acl_operation::describe,
    acl_operation::cluster_action, acl_operation::describe_configs,
    acl_operation::alter_configs,  acl_operation::idempotent_write,
};

// --- authorized() ------------------------------------------------------------------------

// Without an ACL (and without allow.everyone.if.no.acl.found) nothing is allowed.
TEST(AclAuthorize, NoAclsDenies) {
  EXPECT_FALSE(on_topic({}, alice, acl_operation::read, "orders"));
  EXPECT_FALSE(on_topic({}, alice, acl_operation::describe, "orders"));
}

// Super users pass every check, even one a DENY covers.
TEST(AclAuthorize, SuperUserPassesEvenAgainstDeny) {
  sec::authorizer_settings s;
  s.super_users = {"User:admin", alice};
  const std::vector<acl_binding> acls = {
      deny(alice, acl_operation::all, resource_type::topic, "orders")};
  EXPECT_TRUE(on_topic(acls, alice, acl_operation::write, "orders", host, s));
  EXPECT_TRUE(on_topic({}, "User:admin", acl_operation::alter, "anything", host, s));
  EXPECT_TRUE(sec::authorized({}, s, "User:admin", host, acl_operation::cluster_action,
                              resource_type::cluster, sec::cluster_resource_name));
  EXPECT_FALSE(on_topic({}, bob, acl_operation::read, "orders", host, s));
  // A super user is matched exactly: "admin" without its type is somebody else.
  EXPECT_FALSE(on_topic({}, "admin", acl_operation::read, "orders", host, s));
}

// An ALLOW grants its operation to its principal on its resource and nothing else.
TEST(AclAuthorize, AllowIsNarrow) {
  const std::vector<acl_binding> acls = {
      allow(alice, acl_operation::write, resource_type::topic, "orders")};
  EXPECT_TRUE(on_topic(acls, alice, acl_operation::write, "orders"));
  EXPECT_FALSE(on_topic(acls, alice, acl_operation::read, "orders"));
  EXPECT_FALSE(on_topic(acls, bob, acl_operation::write, "orders"));
  EXPECT_FALSE(on_topic(acls, alice, acl_operation::write, "orders2"));
  EXPECT_FALSE(on_topic(acls, alice, acl_operation::write, "order"));
  // Same name, other resource type.
  EXPECT_FALSE(
      sec::authorized(acls, {}, alice, host, acl_operation::write, resource_type::group, "orders"));
}

// DENY wins over ALLOW, whatever the order of the ACLs.
TEST(AclAuthorize, DenyWinsOverAllow) {
  for (bool deny_first : {false, true}) {
    std::vector<acl_binding> acls = {
        allow(alice, acl_operation::all, resource_type::topic, "orders"),
        deny(alice, acl_operation::write, resource_type::topic, "orders")};
    if (deny_first) std::swap(acls[0], acls[1]);
    EXPECT_FALSE(on_topic(acls, alice, acl_operation::write, "orders")) << deny_first;
    EXPECT_TRUE(on_topic(acls, alice, acl_operation::read, "orders")) << deny_first;
  }
  // DENY ALL denies every operation, including the implied DESCRIBE.
  const std::vector<acl_binding> acls = {
      allow(alice, acl_operation::read, resource_type::topic, "orders"),
      deny(alice, acl_operation::all, resource_type::topic, "orders")};
  EXPECT_FALSE(on_topic(acls, alice, acl_operation::read, "orders"));
  EXPECT_FALSE(on_topic(acls, alice, acl_operation::describe, "orders"));
}

// A DENY of READ does not deny DESCRIBE (Kafka checks DENY for the operation itself or ALL).
TEST(AclAuthorize, DenyDoesNotExtendToImpliedOperations) {
  const std::vector<acl_binding> acls = {
      allow(alice, acl_operation::describe, resource_type::topic, "orders"),
      deny(alice, acl_operation::read, resource_type::topic, "orders")};
  EXPECT_TRUE(on_topic(acls, alice, acl_operation::describe, "orders"));
  EXPECT_FALSE(on_topic(acls, alice, acl_operation::read, "orders"));
}

// READ, WRITE, DELETE and ALTER imply DESCRIBE; nothing else does, and DESCRIBE implies nothing.
TEST(AclAuthorize, ImpliedDescribe) {
  for (auto op : concrete_ops) {
    const std::vector<acl_binding> acls = {allow(alice, op, resource_type::topic, "orders")};
    const bool implies = op == acl_operation::read || op == acl_operation::write ||
                         op == acl_operation::remove || op == acl_operation::alter ||
                         op == acl_operation::describe;
    EXPECT_EQ(on_topic(acls, alice, acl_operation::describe, "orders"), implies)
        << sec::to_string(op);
  }
  const std::vector<acl_binding> describe_only = {
      allow(alice, acl_operation::describe, resource_type::topic, "orders")};
  EXPECT_FALSE(on_topic(describe_only, alice, acl_operation::read, "orders"));
  EXPECT_FALSE(on_topic(describe_only, alice, acl_operation::describe_configs, "orders"));
}

// ALTER_CONFIGS implies DESCRIBE_CONFIGS, not the other way round; ALTER does not.
TEST(AclAuthorize, AlterConfigsImpliesDescribeConfigs) {
  const std::vector<acl_binding> alter_configs = {
      allow(alice, acl_operation::alter_configs, resource_type::topic, "orders")};
  EXPECT_TRUE(on_topic(alter_configs, alice, acl_operation::describe_configs, "orders"));
  EXPECT_FALSE(on_topic(alter_configs, alice, acl_operation::describe, "orders"));
  const std::vector<acl_binding> describe_configs = {
      allow(alice, acl_operation::describe_configs, resource_type::topic, "orders")};
  EXPECT_FALSE(on_topic(describe_configs, alice, acl_operation::alter_configs, "orders"));
  const std::vector<acl_binding> alter = {
      allow(alice, acl_operation::alter, resource_type::topic, "orders")};
  EXPECT_FALSE(on_topic(alter, alice, acl_operation::describe_configs, "orders"));
}

// ALLOW ALL grants every operation.
TEST(AclAuthorize, AllGrantsEverything) {
  const std::vector<acl_binding> acls = {
      allow(alice, acl_operation::all, resource_type::topic, "orders")};
  for (auto op : concrete_ops)
    EXPECT_TRUE(on_topic(acls, alice, op, "orders")) << sec::to_string(op);
  EXPECT_FALSE(on_topic(acls, bob, acl_operation::read, "orders"));
}

// "User:*" stands for every principal, in ALLOW and in DENY.
TEST(AclAuthorize, WildcardPrincipal) {
  const std::vector<acl_binding> everyone_reads = {
      allow("User:*", acl_operation::read, resource_type::topic, "orders")};
  EXPECT_TRUE(on_topic(everyone_reads, alice, acl_operation::read, "orders"));
  EXPECT_TRUE(on_topic(everyone_reads, bob, acl_operation::read, "orders"));
  EXPECT_FALSE(on_topic(everyone_reads, bob, acl_operation::write, "orders"));

  const std::vector<acl_binding> nobody_writes = {
      allow(alice, acl_operation::write, resource_type::topic, "orders"),
      deny("User:*", acl_operation::write, resource_type::topic, "orders")};
  EXPECT_FALSE(on_topic(nobody_writes, alice, acl_operation::write, "orders"));
}

// An ACL's host limits it to clients from that host; "*" is every host.
TEST(AclAuthorize, Hosts) {
  const std::vector<acl_binding> from_one = {allow(alice, acl_operation::read, resource_type::topic,
                                                   "orders", pattern_type::literal, "10.0.0.1")};
  EXPECT_TRUE(on_topic(from_one, alice, acl_operation::read, "orders", "10.0.0.1"));
  EXPECT_FALSE(on_topic(from_one, alice, acl_operation::read, "orders", "10.0.0.2"));

  const std::vector<acl_binding> deny_one = {
      allow(alice, acl_operation::read, resource_type::topic, "orders"),
      deny(alice, acl_operation::read, resource_type::topic, "orders", pattern_type::literal,
           "10.0.0.2")};
  EXPECT_TRUE(on_topic(deny_one, alice, acl_operation::read, "orders", "10.0.0.1"));
  EXPECT_FALSE(on_topic(deny_one, alice, acl_operation::read, "orders", "10.0.0.2"));
}

// A literal "*" names every resource of its type (and only of its type).
TEST(AclAuthorize, WildcardResourceName) {
  const std::vector<acl_binding> acls = {
      allow(alice, acl_operation::read, resource_type::topic, "*")};
  EXPECT_TRUE(on_topic(acls, alice, acl_operation::read, "orders"));
  EXPECT_TRUE(on_topic(acls, alice, acl_operation::read, "payments"));
  EXPECT_FALSE(
      sec::authorized(acls, {}, alice, host, acl_operation::read, resource_type::group, "g1"));

  const std::vector<acl_binding> denied = {
      allow(alice, acl_operation::read, resource_type::topic, "orders"),
      deny(alice, acl_operation::read, resource_type::topic, "*")};
  EXPECT_FALSE(on_topic(denied, alice, acl_operation::read, "orders"));
}

// A PREFIXED ACL covers every name starting with its name; a prefixed "*" is no wildcard.
TEST(AclAuthorize, PrefixedPattern) {
  const std::vector<acl_binding> acls = {
      allow(alice, acl_operation::write, resource_type::topic, "orders-", pattern_type::prefixed)};
  EXPECT_TRUE(on_topic(acls, alice, acl_operation::write, "orders-eu"));
  EXPECT_TRUE(on_topic(acls, alice, acl_operation::write, "orders-"));
  EXPECT_FALSE(on_topic(acls, alice, acl_operation::write, "orders"));
  EXPECT_FALSE(on_topic(acls, alice, acl_operation::write, "xorders-eu"));
  EXPECT_FALSE(on_topic(acls, alice, acl_operation::write, "ord"));

  const std::vector<acl_binding> star = {
      allow(alice, acl_operation::write, resource_type::topic, "*", pattern_type::prefixed)};
  EXPECT_FALSE(on_topic(star, alice, acl_operation::write, "orders"));
  EXPECT_TRUE(on_topic(star, alice, acl_operation::write, "*x"));

  // A PREFIXED DENY overrides a LITERAL ALLOW it covers.
  const std::vector<acl_binding> mixed = {
      allow(alice, acl_operation::write, resource_type::topic, "orders-eu"),
      deny(alice, acl_operation::write, resource_type::topic, "orders-", pattern_type::prefixed)};
  EXPECT_FALSE(on_topic(mixed, alice, acl_operation::write, "orders-eu"));
}

// allow.everyone.if.no.acl.found lets anyone in only where no ACL at all covers the resource.
TEST(AclAuthorize, AllowEveryoneIfNoAclFound) {
  sec::authorizer_settings open;
  open.allow_everyone_if_no_acl_found = true;
  EXPECT_TRUE(on_topic({}, alice, acl_operation::write, "orders", host, open));
  EXPECT_FALSE(on_topic({}, alice, acl_operation::write, "orders", host, {}));

  // An ACL on another resource does not count.
  const std::vector<acl_binding> elsewhere = {
      allow(bob, acl_operation::read, resource_type::topic, "payments"),
      allow(bob, acl_operation::read, resource_type::group, "orders")};
  EXPECT_TRUE(on_topic(elsewhere, alice, acl_operation::write, "orders", host, open));

  // Any ACL covering the resource - for someone else, for another host or operation, a DENY,
  // a wildcard or a prefix - closes it to everyone it does not grant.
  const std::vector<std::vector<acl_binding>> covering = {
      {allow(bob, acl_operation::read, resource_type::topic, "orders")},
      {deny(bob, acl_operation::read, resource_type::topic, "orders")},
      {allow(alice, acl_operation::read, resource_type::topic, "orders")},
      {allow(alice, acl_operation::write, resource_type::topic, "orders", pattern_type::literal,
             "10.9.9.9")},
      {allow(bob, acl_operation::read, resource_type::topic, "*")},
      {allow(bob, acl_operation::read, resource_type::topic, "ord", pattern_type::prefixed)},
  };
  for (const auto& acls : covering)
    EXPECT_FALSE(on_topic(acls, alice, acl_operation::write, "orders", host, open))
        << sec::describe(acls[0]);

  // What the ACLs grant still works.
  const std::vector<acl_binding> granted = {
      allow(alice, acl_operation::write, resource_type::topic, "orders")};
  EXPECT_TRUE(on_topic(granted, alice, acl_operation::write, "orders", host, open));
}

// The cluster resource is checked like any other.
TEST(AclAuthorize, ClusterResource) {
  const std::vector<acl_binding> acls = {allow(alice, acl_operation::idempotent_write,
                                               resource_type::cluster, sec::cluster_resource_name)};
  EXPECT_TRUE(sec::authorized(acls, {}, alice, host, acl_operation::idempotent_write,
                              resource_type::cluster, sec::cluster_resource_name));
  EXPECT_FALSE(sec::authorized(acls, {}, alice, host, acl_operation::cluster_action,
                               resource_type::cluster, sec::cluster_resource_name));
}

// --- authorized_on_any() -------------------------------------------------------------------

bool on_any_topic(const std::vector<acl_binding>& acls, const std::string& principal,
                  acl_operation op, const std::string& from = host,
                  const sec::authorizer_settings& settings = {}) {
  return sec::authorized_on_any(acls, settings, principal, from, op, resource_type::topic);
}

// An ALLOW on some resource of the type grants the operation "on any"; others do not.
TEST(AclOnAny, AllowOnSomeResourceGrants) {
  EXPECT_FALSE(on_any_topic({}, alice, acl_operation::write));
  const std::vector<acl_binding> acls = {allow(alice, acl_operation::write, resource_type::topic,
                                               "orders", pattern_type::literal, "10.0.0.1")};
  EXPECT_TRUE(on_any_topic(acls, alice, acl_operation::write));
  EXPECT_FALSE(on_any_topic(acls, alice, acl_operation::read));
  EXPECT_FALSE(on_any_topic(acls, bob, acl_operation::write));
  EXPECT_FALSE(on_any_topic(acls, alice, acl_operation::write, "10.0.0.2"));
  EXPECT_FALSE(
      sec::authorized_on_any(acls, {}, alice, host, acl_operation::write, resource_type::group));
  // Prefixed ALLOWs and "User:*" count too.
  EXPECT_TRUE(on_any_topic(
      {allow(alice, acl_operation::write, resource_type::topic, "o", pattern_type::prefixed)},
      alice, acl_operation::write));
  EXPECT_TRUE(on_any_topic({allow("User:*", acl_operation::all, resource_type::topic, "orders")},
                           bob, acl_operation::write));
}

// No ACL on any topic at all: allow.everyone.if.no.acl.found decides (an idempotent producer on
// an open cluster gets its producer id).
TEST(AclOnAny, NoAclOfTheTypeFollowsAllowEveryone) {
  sec::authorizer_settings open;
  open.allow_everyone_if_no_acl_found = true;
  EXPECT_TRUE(on_any_topic({}, alice, acl_operation::write, host, open));
  EXPECT_FALSE(on_any_topic({}, alice, acl_operation::write, host, {}));
  // A group ACL is no topic ACL.
  const std::vector<acl_binding> group_only = {
      allow(bob, acl_operation::read, resource_type::group, "g")};
  EXPECT_TRUE(on_any_topic(group_only, alice, acl_operation::write, host, open));
  // Once some topic has an ACL, only ALLOWs count.
  const std::vector<acl_binding> topic_acl = {
      allow(bob, acl_operation::write, resource_type::topic, "t")};
  EXPECT_FALSE(on_any_topic(topic_acl, alice, acl_operation::write, host, open));
}

// Super users pass without any ACL.
TEST(AclOnAny, SuperUserPasses) {
  sec::authorizer_settings s;
  s.super_users = {"User:admin"};
  EXPECT_TRUE(on_any_topic({}, "User:admin", acl_operation::write, host, s));
  EXPECT_FALSE(on_any_topic({}, alice, acl_operation::write, host, s));
}

// A DENY covering every name of the type ("*" or an empty prefix) wins.
TEST(AclOnAny, DenyOfEveryNameWins) {
  const acl_binding grant = allow(alice, acl_operation::write, resource_type::topic, "orders");
  EXPECT_FALSE(on_any_topic({grant, deny(alice, acl_operation::write, resource_type::topic, "*")},
                            alice, acl_operation::write));
  EXPECT_FALSE(on_any_topic({grant, deny(alice, acl_operation::all, resource_type::topic, "*")},
                            alice, acl_operation::write));
  EXPECT_FALSE(
      on_any_topic({grant, deny("User:*", acl_operation::write, resource_type::topic, "*")}, alice,
                   acl_operation::write));
  // A DENY of another operation, of another principal or from another host does not.
  EXPECT_TRUE(on_any_topic({grant, deny(alice, acl_operation::read, resource_type::topic, "*")},
                           alice, acl_operation::write));
  EXPECT_TRUE(on_any_topic({grant, deny(bob, acl_operation::write, resource_type::topic, "*")},
                           alice, acl_operation::write));
  EXPECT_TRUE(on_any_topic({grant, deny(alice, acl_operation::write, resource_type::topic, "*",
                                        pattern_type::literal, "10.9.9.9")},
                           alice, acl_operation::write));
}

// A DENY of some names leaves an ALLOW of other names in force.
TEST(AclOnAny, DenyOfOtherNamesDoesNotBlock) {
  const std::vector<acl_binding> acls = {
      allow(alice, acl_operation::write, resource_type::topic, "orders"),
      deny(alice, acl_operation::write, resource_type::topic, "payments"),
      deny(alice, acl_operation::write, resource_type::topic, "pay", pattern_type::prefixed)};
  EXPECT_TRUE(on_any_topic(acls, alice, acl_operation::write));
}

// Kafka (DefaultResourceTypeBasedAuthorization) ignores an ALLOW whose resource a DENY of the
// same name, or a DENY prefix of it, covers: the principal may not WRITE to any topic here.
TEST(AclOnAny, DenyOfTheAllowedResourceBlocks) {
  EXPECT_FALSE(on_any_topic({allow(alice, acl_operation::write, resource_type::topic, "orders"),
                             deny(alice, acl_operation::write, resource_type::topic, "orders")},
                            alice, acl_operation::write));
  EXPECT_FALSE(on_any_topic(
      {allow(alice, acl_operation::write, resource_type::topic, "orders"),
       deny(alice, acl_operation::write, resource_type::topic, "ord", pattern_type::prefixed)},
      alice, acl_operation::write));
}

// --- acl_filter::matches() -----------------------------------------------------------------

const acl_binding literal_orders = allow(alice, acl_operation::write, resource_type::topic,
                                         "orders", pattern_type::literal, "10.0.0.1");
const acl_binding literal_star = allow(alice, acl_operation::read, resource_type::topic, "*");
const acl_binding prefixed_ord =
    deny(bob, acl_operation::read, resource_type::topic, "ord", pattern_type::prefixed);
const acl_binding prefixed_other =
    allow(bob, acl_operation::read, resource_type::topic, "pay", pattern_type::prefixed);
const acl_binding group_orders = allow(alice, acl_operation::read, resource_type::group, "orders");

// The default filter (everything ANY, no fields) matches every binding.
TEST(AclFilter, DefaultMatchesEverything) {
  const acl_filter f;
  for (const auto& b : {literal_orders, literal_star, prefixed_ord, prefixed_other, group_orders})
    EXPECT_TRUE(f.matches(b)) << sec::describe(b);
}

// Each set field narrows the match.
TEST(AclFilter, FieldsNarrow) {
  acl_filter f;
  f.resource = resource_type::group;
  EXPECT_TRUE(f.matches(group_orders));
  EXPECT_FALSE(f.matches(literal_orders));

  f = {};
  f.principal = alice;
  EXPECT_TRUE(f.matches(literal_orders));
  EXPECT_FALSE(f.matches(prefixed_ord));

  f = {};
  f.host = "10.0.0.1";
  EXPECT_TRUE(f.matches(literal_orders));
  EXPECT_FALSE(f.matches(literal_star));  // host "*" is not "10.0.0.1"

  f = {};
  f.operation = acl_operation::write;
  EXPECT_TRUE(f.matches(literal_orders));
  EXPECT_FALSE(f.matches(literal_star));

  f = {};
  f.permission = acl_permission::deny;
  EXPECT_TRUE(f.matches(prefixed_ord));
  EXPECT_FALSE(f.matches(literal_orders));
}

// ANY pattern: the name, if given, is compared exactly whatever the binding's pattern.
TEST(AclFilter, AnyPattern) {
  acl_filter f;
  f.name = "ord";
  EXPECT_TRUE(f.matches(prefixed_ord));
  EXPECT_FALSE(f.matches(literal_orders));
  f.name = "orders";
  EXPECT_TRUE(f.matches(literal_orders));
  EXPECT_TRUE(f.matches(group_orders));
  EXPECT_FALSE(f.matches(literal_star));
  EXPECT_FALSE(f.matches(prefixed_ord));
}

// LITERAL and PREFIXED filters select bindings of that pattern (and that name, if given).
TEST(AclFilter, LiteralAndPrefixedPatterns) {
  acl_filter lit;
  lit.pattern = pattern_type::literal;
  EXPECT_TRUE(lit.matches(literal_orders));
  EXPECT_TRUE(lit.matches(literal_star));
  EXPECT_FALSE(lit.matches(prefixed_ord));
  lit.name = "orders";
  EXPECT_TRUE(lit.matches(literal_orders));
  EXPECT_FALSE(lit.matches(literal_star));  // no wildcard expansion outside MATCH

  acl_filter pre;
  pre.pattern = pattern_type::prefixed;
  EXPECT_TRUE(pre.matches(prefixed_ord));
  EXPECT_TRUE(pre.matches(prefixed_other));
  EXPECT_FALSE(pre.matches(literal_orders));
  pre.name = "ord";
  EXPECT_TRUE(pre.matches(prefixed_ord));
  EXPECT_FALSE(pre.matches(prefixed_other));
  pre.name = "orders";
  EXPECT_FALSE(pre.matches(prefixed_ord));  // the name is compared exactly
}

// MATCH selects every binding that applies to the named resource: the literal name, "*", or a
// prefix of it.
TEST(AclFilter, MatchPattern) {
  acl_filter f;
  f.pattern = pattern_type::match;
  f.resource = resource_type::topic;
  f.name = "orders";
  EXPECT_TRUE(f.matches(literal_orders));
  EXPECT_TRUE(f.matches(literal_star));
  EXPECT_TRUE(f.matches(prefixed_ord));
  EXPECT_FALSE(f.matches(prefixed_other));
  EXPECT_FALSE(f.matches(group_orders));
  EXPECT_FALSE(f.matches(allow(alice, acl_operation::read, resource_type::topic, "orders-eu")));
  EXPECT_FALSE(f.matches(
      allow(alice, acl_operation::read, resource_type::topic, "orders-", pattern_type::prefixed)));
  // Without a name MATCH selects everything.
  f.name.reset();
  EXPECT_TRUE(f.matches(prefixed_other));
  EXPECT_TRUE(f.matches(literal_orders));
}

// --- validate() ----------------------------------------------------------------------------

TEST(AclValidate, AcceptsConcreteBindings) {
  EXPECT_TRUE(sec::validate(literal_orders));
  EXPECT_TRUE(sec::validate(prefixed_ord));
  EXPECT_TRUE(sec::validate(literal_star));
  EXPECT_TRUE(sec::validate(allow("User:*", acl_operation::cluster_action, resource_type::cluster,
                                  sec::cluster_resource_name)));
  EXPECT_TRUE(sec::validate(deny(alice, acl_operation::write, resource_type::transactional_id,
                                 "tx-", pattern_type::prefixed)));
}

// Filter-only values, empty names, bad principals, a misnamed cluster and no host are refused.
TEST(AclValidate, RefusesBadBindings) {
  std::vector<acl_binding> bad;
  auto with = [&](auto change) {
    acl_binding b = literal_orders;
    change(b);
    bad.push_back(b);
  };
  with([](acl_binding& b) { b.resource = resource_type::any; });
  with([](acl_binding& b) { b.resource = resource_type::unknown; });
  with([](acl_binding& b) { b.pattern = pattern_type::any; });
  with([](acl_binding& b) { b.pattern = pattern_type::match; });
  with([](acl_binding& b) { b.pattern = pattern_type::unknown; });
  with([](acl_binding& b) { b.operation = acl_operation::any; });
  with([](acl_binding& b) { b.operation = acl_operation::unknown; });
  with([](acl_binding& b) { b.permission = acl_permission::any; });
  with([](acl_binding& b) { b.permission = acl_permission::unknown; });
  with([](acl_binding& b) { b.name = ""; });
  with([](acl_binding& b) { b.principal = "alice"; });
  with([](acl_binding& b) { b.principal = ":alice"; });
  with([](acl_binding& b) { b.principal = "User:"; });
  with([](acl_binding& b) { b.principal = ""; });
  with([](acl_binding& b) { b.host = ""; });
  with([](acl_binding& b) {
    b.resource = resource_type::cluster;
    b.name = "my-cluster";
  });
  for (const auto& b : bad) {
    auto st = sec::validate(b);
    EXPECT_FALSE(st) << sec::describe(b);
    EXPECT_EQ(st.code(), errc::invalid_request) << sec::describe(b);
  }
}

// --- names ---------------------------------------------------------------------------------

// Kafka's names, and parse as their inverse.
TEST(AclNames, RoundTrip) {
  for (int i = 0; i <= 5; ++i) {
    auto t = resource_type(i);
    EXPECT_EQ(sec::parse_resource_type(sec::to_string(t)), t) << i;
  }
  for (int i = 0; i <= 4; ++i) {
    auto t = pattern_type(i);
    EXPECT_EQ(sec::parse_pattern_type(sec::to_string(t)), t) << i;
  }
  for (int i = 0; i <= 12; ++i) {
    auto o = acl_operation(i);
    EXPECT_EQ(sec::parse_operation(sec::to_string(o)), o) << i;
  }
  for (int i = 0; i <= 3; ++i) {
    auto p = acl_permission(i);
    EXPECT_EQ(sec::parse_permission(sec::to_string(p)), p) << i;
  }
  EXPECT_STREQ(sec::to_string(resource_type::transactional_id), "TRANSACTIONAL_ID");
  EXPECT_STREQ(sec::to_string(pattern_type::prefixed), "PREFIXED");
  EXPECT_STREQ(sec::to_string(acl_operation::remove), "DELETE");
  EXPECT_STREQ(sec::to_string(acl_operation::idempotent_write), "IDEMPOTENT_WRITE");
  EXPECT_STREQ(sec::to_string(acl_operation::describe_configs), "DESCRIBE_CONFIGS");
  EXPECT_STREQ(sec::to_string(acl_permission::allow), "ALLOW");
}

// Parsing ignores case and takes DELETE for remove; unknown names give nullopt.
TEST(AclNames, ParseIsCaseInsensitive) {
  EXPECT_EQ(sec::parse_resource_type("topic"), resource_type::topic);
  EXPECT_EQ(sec::parse_resource_type("Group"), resource_type::group);
  EXPECT_EQ(sec::parse_resource_type("transactional_id"), resource_type::transactional_id);
  EXPECT_EQ(sec::parse_pattern_type("prefixed"), pattern_type::prefixed);
  EXPECT_EQ(sec::parse_pattern_type("Literal"), pattern_type::literal);
  EXPECT_EQ(sec::parse_operation("delete"), acl_operation::remove);
  EXPECT_EQ(sec::parse_operation("DELETE"), acl_operation::remove);
  EXPECT_EQ(sec::parse_operation("write"), acl_operation::write);
  EXPECT_EQ(sec::parse_operation("alter_configs"), acl_operation::alter_configs);
  EXPECT_EQ(sec::parse_permission("deny"), acl_permission::deny);
  EXPECT_EQ(sec::parse_permission("Allow"), acl_permission::allow);

  EXPECT_EQ(sec::parse_resource_type("topics"), std::nullopt);
  EXPECT_EQ(sec::parse_resource_type(""), std::nullopt);
  EXPECT_EQ(sec::parse_pattern_type("regex"), std::nullopt);
  EXPECT_EQ(sec::parse_operation("REMOVE"), std::nullopt);
  EXPECT_EQ(sec::parse_operation("reads"), std::nullopt);
  EXPECT_EQ(sec::parse_permission("permit"), std::nullopt);
}

// describe() reads like Kafka's kafka-acls output.
TEST(AclNames, Describe) {
  EXPECT_EQ(sec::describe(allow(alice, acl_operation::write, resource_type::topic, "orders")),
            "User:alice has ALLOW permission for operations: WRITE from hosts: * on "
            "TOPIC:LITERAL:orders");
  EXPECT_EQ(sec::describe(deny(bob, acl_operation::remove, resource_type::group, "app-",
                               pattern_type::prefixed, "10.0.0.2")),
            "User:bob has DENY permission for operations: DELETE from hosts: 10.0.0.2 on "
            "GROUP:PREFIXED:app-");
}

// Bindings compare equal field by field.
TEST(AclNames, BindingEquality) {
  acl_binding a = literal_orders;
  EXPECT_TRUE(a == literal_orders);
  a.host = "*";
  EXPECT_FALSE(a == literal_orders);
  a = literal_orders;
  a.permission = acl_permission::deny;
  EXPECT_FALSE(a == literal_orders);
}

}  // namespace
