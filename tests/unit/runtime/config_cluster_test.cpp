// Cluster keys of broker_config (roles, coordinator, replication) and the replication keys of
// topic_config.
#include <gtest/gtest.h>

#include "runtime/config.hpp"

using namespace brook::runtime;

namespace {

// Expects `props` to be refused with invalid_config and an error naming `key`.
void expect_refused(const properties& props, const std::string& key) {
  auto c = broker_config::from_properties(props);
  ASSERT_FALSE(c) << key;
  EXPECT_EQ(c.error().code(), errc::invalid_config);
  EXPECT_NE(c.error().message().find(key), std::string::npos) << c.error().message();
}

}  // namespace

TEST(ConfigCluster, Defaults) {
  auto c = broker_config::from_properties({});
  ASSERT_TRUE(c);
  EXPECT_TRUE(c->role_broker);
  EXPECT_FALSE(c->role_coordinator);
  EXPECT_EQ(c->coordinator_connect, "");
  EXPECT_EQ(c->coordinator_listener.port, 2181);
  EXPECT_EQ(c->coordinator_session_timeout_ms, 6000);
  EXPECT_EQ(c->replica_lag_time_max_ms, 30000);
  EXPECT_EQ(c->replica_fetch_max_bytes, 1048576);
  EXPECT_EQ(c->topic_defaults.min_insync_replicas, 1);
  EXPECT_FALSE(c->topic_defaults.unclean_leader_election);
}

TEST(ConfigCluster, ProcessRoles) {
  struct row {
    const char* value;
    bool broker;
    bool coordinator;
  };
  for (auto r : {row{"broker", true, false}, row{"coordinator", false, true},
                 row{"controller", false, true}, row{"broker,coordinator", true, true},
                 row{" coordinator , broker ", true, true}, row{"broker,controller", true, true}}) {
    auto c = broker_config::from_properties({{"process.roles", r.value}});
    ASSERT_TRUE(c) << r.value << ": " << c.error().to_string();
    EXPECT_EQ(c->role_broker, r.broker) << r.value;
    EXPECT_EQ(c->role_coordinator, r.coordinator) << r.value;
  }
}

TEST(ConfigCluster, BadOrEmptyProcessRolesNameTheKey) {
  for (const char* v : {"zookeeper", "broker,observer", "", ",", " "})
    expect_refused({{"process.roles", v}}, "process.roles");
}

TEST(ConfigCluster, CoordinatorEndpoints) {
  auto c = broker_config::from_properties(
      {{"coordinator.listeners", "0.0.0.0:12181"}, {"coordinator.connect", "10.0.0.5:2182"}});
  ASSERT_TRUE(c) << c.error().to_string();
  EXPECT_EQ(c->coordinator_listener.host, "0.0.0.0");
  EXPECT_EQ(c->coordinator_listener.port, 12181);
  EXPECT_EQ(c->coordinator_connect, "10.0.0.5:2182");
  // Only the first of a comma-separated list is used.
  c = broker_config::from_properties({{"coordinator.connect", "a:1,b:2"}});
  ASSERT_TRUE(c) << c.error().to_string();
  EXPECT_EQ(c->coordinator_connect, "a:1");
}

TEST(ConfigCluster, ZookeeperConnectNamesAnEnsembleAndItsChroot) {
  auto c = broker_config::from_properties({{"zookeeper.connect", "h1:2181,h2:2182/brook/a"}});
  ASSERT_TRUE(c) << c.error().to_string();
  EXPECT_EQ(c->zookeeper_hosts, "h1:2181,h2:2182");
  EXPECT_EQ(c->zookeeper_chroot, "/brook/a");
  EXPECT_EQ(c->coordinator_connect, "");
  EXPECT_TRUE(c->remote_coordinator());
  // coordinator.connect takes the same with zk:// in front; no chroot is the root.
  c = broker_config::from_properties({{"coordinator.connect", "zk://127.0.0.1:2181"}});
  ASSERT_TRUE(c) << c.error().to_string();
  EXPECT_EQ(c->zookeeper_hosts, "127.0.0.1:2181");
  EXPECT_EQ(c->zookeeper_chroot, "");
  c = broker_config::from_properties({{"zookeeper.session.timeout.ms", "4000"}});
  ASSERT_TRUE(c) << c.error().to_string();
  EXPECT_EQ(c->coordinator_session_timeout_ms, 4000);
  EXPECT_FALSE(c->remote_coordinator());
}

TEST(ConfigCluster, BadZookeeperConnectStringsAreRefused) {
  for (const char* v : {"", "/brook", "h1:2181,nohostport", "h1:0", "h1:2181/brook/", "h1:1//a"})
    expect_refused({{"zookeeper.connect", v}}, "zookeeper.connect");
  expect_refused({{"coordinator.connect", "zk://"}}, "coordinator.connect");
  expect_refused({{"coordinator.connect", "a:1"}, {"zookeeper.connect", "b:2"}}, "set only one");
}

TEST(ConfigCluster, BadCoordinatorEndpointsNameTheKey) {
  for (const char* key : {"coordinator.listeners", "coordinator.connect", "zookeeper.connect"}) {
    expect_refused({{key, "nohostport"}}, key);
    expect_refused({{key, "host:70000"}}, key);
    expect_refused({{key, "host:port"}}, key);
  }
}

TEST(ConfigCluster, SessionTimeoutAndReplicaKeys) {
  auto c = broker_config::from_properties({{"coordinator.session.timeout.ms", "9000"},
                                           {"replica.lag.time.max.ms", "500"},
                                           {"replica.fetch.max.bytes", "65536"}});
  ASSERT_TRUE(c) << c.error().to_string();
  EXPECT_EQ(c->coordinator_session_timeout_ms, 9000);
  EXPECT_EQ(c->replica_lag_time_max_ms, 500);
  EXPECT_EQ(c->replica_fetch_max_bytes, 65536);
  c = broker_config::from_properties({{"zookeeper.session.timeout.ms", "18000"}});
  ASSERT_TRUE(c) << c.error().to_string();
  EXPECT_EQ(c->coordinator_session_timeout_ms, 18000);
}

TEST(ConfigCluster, BadSessionTimeoutAndReplicaValuesNameTheKey) {
  for (auto [k, v] : std::vector<std::pair<std::string, std::string>>{
           {"coordinator.session.timeout.ms", "abc"},
           {"coordinator.session.timeout.ms", "99"},
           {"zookeeper.session.timeout.ms", "-5"},
           {"replica.lag.time.max.ms", "9"},
           {"replica.lag.time.max.ms", "1s"},
           {"replica.fetch.max.bytes", "1023"},
           {"replica.fetch.max.bytes", "3000000000"}}) {
    SCOPED_TRACE(k + "=" + v);
    expect_refused({{k, v}}, k);
  }
}

TEST(ConfigCluster, ReplicationKeysAsBrokerDefaults) {
  auto c = broker_config::from_properties(
      {{"min.insync.replicas", "2"}, {"unclean.leader.election.enable", "true"}});
  ASSERT_TRUE(c) << c.error().to_string();
  EXPECT_EQ(c->topic_defaults.min_insync_replicas, 2);
  EXPECT_TRUE(c->topic_defaults.unclean_leader_election);
  c = broker_config::from_properties({{"min.insync.replicas", "32767"}});
  ASSERT_TRUE(c) << c.error().to_string();
  EXPECT_EQ(c->topic_defaults.min_insync_replicas, 32767);
  for (const char* v : {"0", "-1", "32768", "two"})
    expect_refused({{"min.insync.replicas", v}}, "min.insync.replicas");
  for (const char* v : {"yes", "1", "TRUE", ""})
    expect_refused({{"unclean.leader.election.enable", v}}, "unclean.leader.election.enable");
}

TEST(ConfigCluster, ReplicationKeysAsTopicOverrides) {
  topic_config t;
  ASSERT_TRUE(t.apply({{"min.insync.replicas", "3"}, {"unclean.leader.election.enable", "true"}}));
  EXPECT_EQ(t.min_insync_replicas, 3);
  EXPECT_TRUE(t.unclean_leader_election);
  ASSERT_TRUE(t.apply({{"min.insync.replicas", "1"}, {"unclean.leader.election.enable", "false"}}));
  EXPECT_EQ(t.min_insync_replicas, 1);
  EXPECT_FALSE(t.unclean_leader_election);
  ASSERT_TRUE(t.apply({{"min.insync.replicas", "32767"}}));
  EXPECT_EQ(t.min_insync_replicas, 32767);

  for (const char* v : {"0", "32768", "x"}) {
    auto st = t.apply({{"min.insync.replicas", v}});
    ASSERT_FALSE(st) << v;
    EXPECT_EQ(st.code(), errc::invalid_config);
    EXPECT_NE(st.message().find("min.insync.replicas"), std::string::npos) << st.message();
  }
  auto st = t.apply({{"unclean.leader.election.enable", "maybe"}});
  ASSERT_FALSE(st);
  EXPECT_NE(st.message().find("unclean.leader.election.enable"), std::string::npos) << st.message();
  // Broker-only cluster keys are not topic keys.
  EXPECT_FALSE(t.apply({{"replica.lag.time.max.ms", "500"}}));
}

TEST(ConfigCluster, ToPropertiesListsReplicationKeys) {
  topic_config t;
  auto p = t.to_properties();
  EXPECT_EQ(p["min.insync.replicas"], "1");
  EXPECT_EQ(p["unclean.leader.election.enable"], "false");
  ASSERT_TRUE(t.apply({{"min.insync.replicas", "2"}, {"unclean.leader.election.enable", "true"}}));
  p = t.to_properties();
  EXPECT_EQ(p["min.insync.replicas"], "2");
  EXPECT_EQ(p["unclean.leader.election.enable"], "true");
  // What describe shows can be applied back unchanged.
  topic_config round;
  ASSERT_TRUE(round.apply(p));
  EXPECT_EQ(round.min_insync_replicas, 2);
  EXPECT_TRUE(round.unclean_leader_election);
}
