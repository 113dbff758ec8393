// Consumer groups: Kafka's group state machine and its error codes, through raw Kafka requests.
#include "group_test_fixture.hpp"
#include "net/kafka/consumer_protocol.hpp"

// ---- the state machine, from raw requests
// --------------------------------------------------------

TEST_F(Groups, JoinSyncHeartbeatRebalanceAndLeaveFollowKafkasStateMachine) {
  const std::string g = "raw-flow";
  kafka_conn a(broker.kafka_port()), b(broker.kafka_port());
  ASSERT_TRUE(a.connected() && b.connected());

  k::find_coordinator_request fc;
  fc.key = g;
  auto coord = a.call<k::find_coordinator_response>(k::api_key::find_coordinator, 1, fc);
  EXPECT_EQ(coord.error_code, kNone);
  EXPECT_EQ(coord.node_id, 0);
  EXPECT_EQ(coord.host, "127.0.0.1");
  EXPECT_EQ(coord.port, broker.kafka_port());

  // JoinGroup v4+ with an empty member id: MEMBER_ID_REQUIRED with an id, then success with it.
  auto first = a.call<k::join_group_response>(k::api_key::join_group, 5,
                                              join_req(g, "", range_protocol("meta-a")));
  ASSERT_EQ(first.error_code, kMemberIdRequired);
  ASSERT_FALSE(first.member_id.empty());
  EXPECT_EQ(first.generation_id, -1);
  auto ja = a.call<k::join_group_response>(k::api_key::join_group, 5,
                                           join_req(g, first.member_id, range_protocol("meta-a")));
  ASSERT_EQ(ja.error_code, kNone);
  const std::string id_a = ja.member_id;
  EXPECT_EQ(id_a, first.member_id);
  EXPECT_EQ(ja.generation_id, 1);
  EXPECT_EQ(ja.protocol_name, "range");
  EXPECT_EQ(ja.leader, id_a);
  ASSERT_EQ(ja.members.size(), 1u);
  EXPECT_EQ(to_string(ja.members[0].metadata), "meta-a");
  auto sa = a.call<k::sync_group_response>(k::api_key::sync_group, 3,
                                           sync_req(g, 1, id_a, {{id_a, to_bytes("a1")}}));
  EXPECT_EQ(sa.error_code, kNone);
  EXPECT_EQ(to_string(sa.assignment), "a1");
  EXPECT_EQ(
      a.call<k::heartbeat_response>(k::api_key::heartbeat, 3, heartbeat_req(g, 1, id_a)).error_code,
      kNone);

  // A second member (JoinGroup v3: no MEMBER_ID_REQUIRED step) waits until the first rejoins; the
  // first learns of the rebalance from its heartbeat.
  int32_t join_b = b.send(k::api_key::join_group, 3, join_req(g, "", range_protocol("meta-b")));
  EXPECT_EQ(heartbeat_until_rebalance(a, g, {id_a, 1}), kRebalanceInProgress);
  EXPECT_TRUE(b.quiet_for(300ms)) << "the new member's join must wait for the old member to rejoin";
  auto ja2 = a.call<k::join_group_response>(k::api_key::join_group, 5,
                                            join_req(g, id_a, range_protocol("meta-a")));
  bool ok = false;
  auto jb = b.receive<k::join_group_response>(join_b, 3, &ok);
  ASSERT_TRUE(ok);
  ASSERT_EQ(ja2.error_code, kNone);
  ASSERT_EQ(jb.error_code, kNone);
  const std::string id_b = jb.member_id;
  EXPECT_FALSE(id_b.empty());
  EXPECT_NE(id_b, id_a);
  EXPECT_EQ(ja2.generation_id, 2);
  EXPECT_EQ(jb.generation_id, 2);
  EXPECT_EQ(ja2.leader, id_a);  // the leader stays
  EXPECT_EQ(jb.leader, id_a);
  // Only the leader gets the member list, with every member's metadata.
  EXPECT_TRUE(jb.members.empty());
  std::map<std::string, std::string> meta;
  for (const auto& m : ja2.members) meta[m.member_id] = to_string(m.metadata);
  EXPECT_EQ(meta, (std::map<std::string, std::string>{{id_a, "meta-a"}, {id_b, "meta-b"}}));

  // The follower's SyncGroup waits for the leader's assignments.
  int32_t sync_b = b.send(k::api_key::sync_group, 3, sync_req(g, 2, id_b));
  EXPECT_TRUE(b.quiet_for(300ms)) << "a follower's SyncGroup must wait for the leader";
  auto sa2 = a.call<k::sync_group_response>(
      k::api_key::sync_group, 3,
      sync_req(g, 2, id_a, {{id_a, to_bytes("for-a")}, {id_b, to_bytes("for-b")}}));
  auto sb = b.receive<k::sync_group_response>(sync_b, 3);
  EXPECT_EQ(sa2.error_code, kNone);
  EXPECT_EQ(to_string(sa2.assignment), "for-a");
  EXPECT_EQ(sb.error_code, kNone);
  EXPECT_EQ(to_string(sb.assignment), "for-b");
  EXPECT_EQ(
      b.call<k::heartbeat_response>(k::api_key::heartbeat, 3, heartbeat_req(g, 2, id_b)).error_code,
      kNone);

  auto d = describe(a, g);
  EXPECT_EQ(d.error_code, kNone);
  EXPECT_EQ(d.state, "Stable");
  EXPECT_EQ(d.protocol_type, "consumer");
  EXPECT_EQ(d.protocol, "range");
  std::map<std::string, std::pair<std::string, std::string>> described_members;
  for (const auto& m : d.members)
    described_members[m.member_id] = {m.client_id, to_string(m.assignment)};
  EXPECT_EQ(described_members,
            (std::map<std::string, std::pair<std::string, std::string>>{
                {id_a, {"brook-group-itest", "for-a"}}, {id_b, {"brook-group-itest", "for-b"}}}));
  auto lg = a.call<k::list_groups_response>(k::api_key::list_groups, 2, k::list_groups_request{});
  EXPECT_EQ(lg.error_code, kNone);
  bool listed = false;
  for (const auto& x : lg.groups) listed |= x.group_id == g && x.protocol_type == "consumer";
  EXPECT_TRUE(listed);

  // LeaveGroup v3 with a list: per-member errors; the group rebalances at once.
  k::leave_group_request leave;
  leave.group_id = g;
  leave.members = {{id_b, std::nullopt}, {"nobody", std::nullopt}};
  auto lr = b.call<k::leave_group_response>(k::api_key::leave_group, 3, leave);
  EXPECT_EQ(lr.error_code, kNone);
  ASSERT_EQ(lr.members.size(), 2u);
  EXPECT_EQ(lr.members[0].error_code, kNone);
  EXPECT_EQ(lr.members[1].error_code, kUnknownMember);
  EXPECT_EQ(
      a.call<k::heartbeat_response>(k::api_key::heartbeat, 3, heartbeat_req(g, 2, id_a)).error_code,
      kRebalanceInProgress);
  auto ja3 = a.call<k::join_group_response>(k::api_key::join_group, 5,
                                            join_req(g, id_a, range_protocol("meta-a")));
  EXPECT_EQ(ja3.error_code, kNone);
  EXPECT_EQ(ja3.generation_id, 3);
  EXPECT_EQ(ja3.members.size(), 1u);
  EXPECT_EQ(
      a.call<k::sync_group_response>(k::api_key::sync_group, 3, sync_req(g, 3, id_a, {{id_a, {}}}))
          .error_code,
      kNone);

  // LeaveGroup v0 (one member id): the group is empty.
  k::leave_group_request leave_a;
  leave_a.group_id = g;
  leave_a.member_id = id_a;
  EXPECT_EQ(a.call<k::leave_group_response>(k::api_key::leave_group, 0, leave_a).error_code, kNone);
  auto d2 = describe(a, g);
  EXPECT_EQ(d2.state, "Empty");
  EXPECT_TRUE(d2.members.empty());
  EXPECT_NE(broker.log().find("member " + id_b + " left group " + g + " (left the group)"),
            std::string::npos);
}

TEST_F(Groups, UnknownMemberAndWrongGenerationGetTheirErrorCodes) {
  const std::string g = "raw-errors";
  kafka_conn a(broker.kafka_port());
  auto m = join_alone(a, g);
  ASSERT_EQ(m.generation, 1);

  kafka_conn x(broker.kafka_port());
  // UNKNOWN_MEMBER_ID (25): an id the group never gave out, or a group that does not exist.
  EXPECT_EQ(
      x.call<k::heartbeat_response>(k::api_key::heartbeat, 3, heartbeat_req(g, 1, "not-a-member"))
          .error_code,
      kUnknownMember);
  EXPECT_EQ(x.call<k::heartbeat_response>(k::api_key::heartbeat, 0,
                                          heartbeat_req("no-such-group", 1, m.id))
                .error_code,
            kUnknownMember);
  EXPECT_EQ(
      x.call<k::sync_group_response>(k::api_key::sync_group, 3, sync_req(g, 1, "not-a-member"))
          .error_code,
      kUnknownMember);
  EXPECT_EQ(x.call<k::join_group_response>(k::api_key::join_group, 5,
                                           join_req(g, "never-issued", range_protocol()))
                .error_code,
            kUnknownMember);
  k::leave_group_request leave;
  leave.group_id = g;
  leave.member_id = "not-a-member";
  EXPECT_EQ(x.call<k::leave_group_response>(k::api_key::leave_group, 1, leave).error_code,
            kUnknownMember);
  EXPECT_EQ(commit_errors(x.call<k::offset_commit_response>(
                k::api_key::offset_commit, 7, commit_req(g, 1, "not-a-member", "t", {{0, 1}}))),
            (std::map<int32_t, int16_t>{{0, kUnknownMember}}));

  // ILLEGAL_GENERATION (22): the right member with another generation.
  EXPECT_EQ(
      x.call<k::heartbeat_response>(k::api_key::heartbeat, 3, heartbeat_req(g, 7, m.id)).error_code,
      kIllegalGeneration);
  EXPECT_EQ(
      x.call<k::sync_group_response>(k::api_key::sync_group, 3, sync_req(g, 0, m.id)).error_code,
      kIllegalGeneration);
  EXPECT_EQ(commit_errors(x.call<k::offset_commit_response>(
                k::api_key::offset_commit, 2, commit_req(g, 7, m.id, "t", {{0, 1}, {1, 2}}))),
            (std::map<int32_t, int16_t>{{0, kIllegalGeneration}, {1, kIllegalGeneration}}));

  // None of that disturbed the group.
  EXPECT_EQ(
      a.call<k::heartbeat_response>(k::api_key::heartbeat, 3, heartbeat_req(g, 1, m.id)).error_code,
      kNone);
  auto d = describe(a, g);
  EXPECT_EQ(d.state, "Stable");
  EXPECT_EQ(d.members.size(), 1u);
  expect_serving();
}

TEST_F(Groups, MemberSharingNoProtocolWithTheGroupGetsInconsistentGroupProtocol) {
  const std::string g = "raw-protocols";
  kafka_conn a(broker.kafka_port());
  auto m = join_alone(a, g);

  kafka_conn c(broker.kafka_port());
  // Same protocol type, assignors that share nothing with the group (KafkaJS beside librdkafka).
  auto j1 = c.call<k::join_group_response>(
      k::api_key::join_group, 3,
      join_req(g, "", {{"RoundRobinAssigner", to_bytes("x")}, {"sticky", to_bytes("y")}}));
  EXPECT_EQ(j1.error_code, kInconsistentProtocol);
  // Another protocol type with the group's assignor name.
  auto j2 = c.call<k::join_group_response>(k::api_key::join_group, 3,
                                           join_req(g, "", range_protocol(), 10000, "connect"));
  EXPECT_EQ(j2.error_code, kInconsistentProtocol);
  // No protocol at all, or no protocol type (a new group).
  EXPECT_EQ(
      c.call<k::join_group_response>(k::api_key::join_group, 3, join_req("raw-protocols-2", "", {}))
          .error_code,
      kInconsistentProtocol);
  EXPECT_EQ(
      c.call<k::join_group_response>(k::api_key::join_group, 3,
                                     join_req("raw-protocols-2", "", range_protocol(), 10000, ""))
          .error_code,
      kInconsistentProtocol);
  // A member with a common protocol among others is welcome (and the group keeps "range").
  int32_t corr =
      c.send(k::api_key::join_group, 3, join_req(g, "", {{"roundrobin", {}}, {"range", {}}}));
  EXPECT_EQ(heartbeat_until_rebalance(a, g, m), kRebalanceInProgress);
  auto ja = a.call<k::join_group_response>(k::api_key::join_group, 5,
                                           join_req(g, m.id, range_protocol()));
  auto jc = c.receive<k::join_group_response>(corr, 3);
  EXPECT_EQ(ja.error_code, kNone);
  EXPECT_EQ(jc.error_code, kNone);
  EXPECT_EQ(ja.protocol_name, "range");
  EXPECT_EQ(jc.protocol_name, "range");
  expect_serving();
}

TEST_F(Groups, SessionTimeoutOutsideTheBrokersRangeGetsInvalidSessionTimeout) {
  kafka_conn c(broker.kafka_port());
  // group.min.session.timeout.ms=1000 (override), group.max.session.timeout.ms=1800000 (default).
  for (int16_t v : {0, 3, 5}) {
    SCOPED_TRACE("JoinGroup v" + std::to_string(v));
    EXPECT_EQ(c.call<k::join_group_response>(k::api_key::join_group, v,
                                             join_req("raw-session", "", range_protocol(), 999))
                  .error_code,
              kInvalidSessionTimeout);
    EXPECT_EQ(c.call<k::join_group_response>(k::api_key::join_group, v,
                                             join_req("raw-session", "", range_protocol(), 1800001))
                  .error_code,
              kInvalidSessionTimeout);
    EXPECT_EQ(c.call<k::join_group_response>(k::api_key::join_group, v,
                                             join_req("raw-session", "", range_protocol(), -1))
                  .error_code,
              kInvalidSessionTimeout);
  }
  // The bounds themselves are fine.
  kafka_conn a(broker.kafka_port());
  auto m = join_alone(a, "raw-session", 1000);
  EXPECT_EQ(m.generation, 1);
  expect_serving();
}

TEST_F(Groups, SessionExpiryRemovesTheMember) {
  const std::string g = "raw-expiry";
  kafka_conn a(broker.kafka_port());
  auto m = join_alone(a, g, 1000);
  ASSERT_EQ(m.generation, 1);
  // No heartbeats: the member is removed after its 1 s session, and the group is empty.
  kafka_conn c(broker.kafka_port());
  auto deadline = clock_type::now() + 15s;
  std::string state;
  while (clock_type::now() < deadline && (state = describe(c, g).state) != "Empty")
    std::this_thread::sleep_for(100ms);
  EXPECT_EQ(state, "Empty");
  EXPECT_NE(broker.log().find("member " + m.id + " left group " + g + " (session timeout)"),
            std::string::npos);
  EXPECT_EQ(
      a.call<k::heartbeat_response>(k::api_key::heartbeat, 3, heartbeat_req(g, 1, m.id)).error_code,
      kUnknownMember);
}

TEST_F(Groups, LeaderThatNeverSyncsIsExpiredAndTheFollowerRejoinsAsLeader) {
  const std::string g = "raw-dead-leader";
  kafka_conn a(broker.kafka_port()), b(broker.kafka_port());
  auto m = join_alone(a, g, 1000);  // the leader, with a 1 s session
  auto jb_corr = b.send(k::api_key::join_group, 3, join_req(g, "", range_protocol()));
  ASSERT_EQ(heartbeat_until_rebalance(a, g, m), kRebalanceInProgress);
  auto ja = a.call<k::join_group_response>(k::api_key::join_group, 5,
                                           join_req(g, m.id, range_protocol(), 1000));
  auto jb = b.receive<k::join_group_response>(jb_corr, 3);
  ASSERT_EQ(ja.error_code, kNone);
  ASSERT_EQ(jb.error_code, kNone);
  ASSERT_EQ(jb.leader, m.id);
  // Between JoinGroup and SyncGroup the assignment is in flux: commits get REBALANCE_IN_PROGRESS.
  EXPECT_EQ(commit_errors(b.call<k::offset_commit_response>(
                k::api_key::offset_commit, 7,
                commit_req(g, jb.generation_id, jb.member_id, "t", {{0, 1}}))),
            (std::map<int32_t, int16_t>{{0, kRebalanceInProgress}}));
  // The follower waits for the leader's assignments; the leader goes silent, its session expires,
  // and the waiting SyncGroup is answered REBALANCE_IN_PROGRESS.
  bool ok = false;
  auto sb = b.receive<k::sync_group_response>(
      b.send(k::api_key::sync_group, 3, sync_req(g, jb.generation_id, jb.member_id)), 3, &ok,
      15000ms);
  ASSERT_TRUE(ok);
  EXPECT_EQ(sb.error_code, kRebalanceInProgress);
  EXPECT_NE(broker.log().find("member " + m.id + " left group " + g + " (session timeout)"),
            std::string::npos);
  // The follower rejoins and leads the next generation alone.
  auto jb2 = b.call<k::join_group_response>(k::api_key::join_group, 3,
                                            join_req(g, jb.member_id, range_protocol()));
  EXPECT_EQ(jb2.error_code, kNone);
  EXPECT_EQ(jb2.generation_id, jb.generation_id + 1);
  EXPECT_EQ(jb2.leader, jb.member_id);
  ASSERT_EQ(jb2.members.size(), 1u);
  auto sb2 = b.call<k::sync_group_response>(
      k::api_key::sync_group, 3,
      sync_req(g, jb2.generation_id, jb.member_id, {{jb.member_id, to_bytes("all")}}));
  EXPECT_EQ(sb2.error_code, kNone);
  EXPECT_EQ(to_string(sb2.assignment), "all");
}

TEST_F(Groups, MemberThatDoesNotRejoinWithinTheRebalanceTimeoutIsRemoved) {
  const std::string g = "raw-slow-rejoin";
  kafka_conn a(broker.kafka_port()), b(broker.kafka_port());
  auto req_a = join_req(g, "", range_protocol(), 1000);
  req_a.rebalance_timeout_ms = 1000;
  auto first = a.call<k::join_group_response>(k::api_key::join_group, 5, req_a);
  req_a.member_id = first.member_id;
  auto ja = a.call<k::join_group_response>(k::api_key::join_group, 5, req_a);
  ASSERT_EQ(ja.error_code, kNone);
  member_state m{ja.member_id, ja.generation_id};
  ASSERT_EQ(a.call<k::sync_group_response>(k::api_key::sync_group, 3,
                                           sync_req(g, m.generation, m.id, {{m.id, {}}}))
                .error_code,
            kNone);
  auto req_b = join_req(g, "", range_protocol(), 1000);
  req_b.rebalance_timeout_ms = 1000;
  auto jb_corr = b.send(k::api_key::join_group, 3, req_b);
  // A stays alive (heartbeats every 200 ms within its 1 s session) but never rejoins: after the
  // rebalance timeout (1 s) the group goes on without it.
  ASSERT_EQ(heartbeat_until_rebalance(a, g, m), kRebalanceInProgress);
  bool ok = false;
  k::join_group_response jb;
  auto deadline = clock_type::now() + 15s;
  while (b.quiet_for(0ms) && clock_type::now() < deadline) {
    a.call<k::heartbeat_response>(k::api_key::heartbeat, 3, heartbeat_req(g, m.generation, m.id));
    std::this_thread::sleep_for(200ms);
  }
  jb = b.receive<k::join_group_response>(jb_corr, 3, &ok, 1000ms);
  ASSERT_TRUE(ok);
  EXPECT_EQ(jb.error_code, kNone);
  EXPECT_EQ(jb.leader, jb.member_id);
  ASSERT_EQ(jb.members.size(), 1u) << "the member that did not rejoin is not in the new generation";
  EXPECT_NE(
      broker.log().find("member " + m.id + " of group " + g + " did not rejoin in time; removed"),
      std::string::npos);
  EXPECT_EQ(
      a.call<k::heartbeat_response>(k::api_key::heartbeat, 3, heartbeat_req(g, m.generation, m.id))
          .error_code,
      kUnknownMember);
}

TEST_F(Groups, InitialRebalanceDelayAppliesWheneverTheGroupIsEmpty) {
  // Kafka delays the rebalance of an Empty group by group.initial.rebalance.delay.ms (200 ms here)
  // so that members starting together land in one generation -- for a new group and for one whose
  // members all left (consumers restarted).
  const std::string g = "raw-initial-delay";
  kafka_conn a(broker.kafka_port()), b(broker.kafka_port());
  auto join_two = [&] {
    int32_t ca = a.send(k::api_key::join_group, 3, join_req(g, "", range_protocol("a")));
    int32_t cb = b.send(k::api_key::join_group, 3, join_req(g, "", range_protocol("b")));
    bool ok_a = false, ok_b = false;
    auto ja = a.receive<k::join_group_response>(ca, 3, &ok_a, 15000ms);
    std::optional<k::join_group_response> jb;
    if (!b.quiet_for(2000ms)) jb = b.receive<k::join_group_response>(cb, 3, &ok_b);
    return std::make_pair(ja, jb);
  };
  auto [ja1, jb1] = join_two();
  ASSERT_TRUE(jb1) << "a new group: both members should be in its first generation";
  EXPECT_EQ(ja1.generation_id, 1);
  EXPECT_EQ(jb1->generation_id, 1);
  // Both leave: the group is Empty.
  for (auto* j : {&ja1, &*jb1}) {
    k::leave_group_request l;
    l.group_id = g;
    l.member_id = j->member_id;
    EXPECT_EQ(a.call<k::leave_group_response>(k::api_key::leave_group, 1, l).error_code, kNone);
  }
  ASSERT_EQ(describe(a, g).state, "Empty");
  // Two members start together again.
  auto [ja2, jb2] = join_two();
  ASSERT_TRUE(jb2) << "the second member's join waits for another generation: the first completed "
                      "alone at once, "
                      "generation "
                   << ja2.generation_id << " with " << ja2.members.size() << " member(s)";
  EXPECT_EQ(ja2.generation_id, 2);
  EXPECT_EQ(jb2->generation_id, 2);
  EXPECT_EQ(ja2.members.size() + jb2->members.size(), 2u) << "the leader gets both members";
}

// KIP-345: a static member (group.instance.id) gets its member id at once; restarted within its
// session (a new connection, no member id) it takes its old place with no rebalance and keeps its
// assignment; the old instance is fenced (FENCED_INSTANCE_ID, 82) on every request.
TEST_F(Groups, StaticMembersRejoinWithoutARebalanceAndOldInstancesAreFenced) {
  constexpr int16_t kFencedInstance = 82;
  const std::string g = "raw-static";
  create_topic("static-t", 1);
  kafka_conn c(broker.kafka_port());
  auto static_join = [&](kafka_conn& conn, const std::string& member_id) {
    auto req = join_req(g, member_id, range_protocol());
    req.group_instance_id = "inst-a";
    return conn.call<k::join_group_response>(k::api_key::join_group, 5, req);
  };
  auto first = static_join(c, "");
  ASSERT_EQ(first.error_code, kNone);  // no MEMBER_ID_REQUIRED round for a static member
  ASSERT_FALSE(first.member_id.empty());
  EXPECT_EQ(first.generation_id, 1);
  EXPECT_EQ(first.leader, first.member_id);
  ASSERT_EQ(first.members.size(), 1u);
  EXPECT_EQ(first.members[0].group_instance_id, "inst-a");
  auto s1 = sync_req(g, 1, first.member_id, {{first.member_id, to_bytes("for-a")}});
  s1.group_instance_id = "inst-a";
  ASSERT_EQ(c.call<k::sync_group_response>(k::api_key::sync_group, 3, s1).error_code, kNone);

  // The member restarts: same instance id, no member id.
  kafka_conn again(broker.kafka_port());
  auto second = static_join(again, "");
  ASSERT_EQ(second.error_code, kNone);
  EXPECT_NE(second.member_id, first.member_id);
  EXPECT_EQ(second.generation_id, 1) << "no rebalance";
  EXPECT_EQ(second.leader, first.member_id) << "the old leader id, so it does not assign again";
  auto s2 = sync_req(g, 1, second.member_id);
  s2.group_instance_id = "inst-a";
  auto synced = again.call<k::sync_group_response>(k::api_key::sync_group, 3, s2);
  ASSERT_EQ(synced.error_code, kNone);
  EXPECT_EQ(to_string(synced.assignment), "for-a") << "its assignment is kept";
  auto hb = heartbeat_req(g, 1, second.member_id);
  hb.group_instance_id = "inst-a";
  EXPECT_EQ(again.call<k::heartbeat_response>(k::api_key::heartbeat, 3, hb).error_code, kNone);

  // The old instance is fenced: heartbeat, sync, commit and join.
  auto old_hb = heartbeat_req(g, 1, first.member_id);
  old_hb.group_instance_id = "inst-a";
  EXPECT_EQ(c.call<k::heartbeat_response>(k::api_key::heartbeat, 3, old_hb).error_code, kFencedInstance);
  EXPECT_EQ(c.call<k::sync_group_response>(k::api_key::sync_group, 3, s1).error_code, kFencedInstance);
  auto old_commit = commit_req(g, 1, first.member_id, "static-t", {{0, 5}});
  old_commit.group_instance_id = "inst-a";
  auto oc = c.call<k::offset_commit_response>(k::api_key::offset_commit, 7, old_commit);
  ASSERT_EQ(oc.topics.size(), 1u);
  EXPECT_EQ(oc.topics[0].partitions[0].error_code, kFencedInstance);
  EXPECT_EQ(static_join(c, first.member_id).error_code, kFencedInstance);
  // A member id for an instance the group does not know.
  auto stranger = join_req(g, "bogus", range_protocol());
  stranger.group_instance_id = "inst-x";
  EXPECT_EQ(c.call<k::join_group_response>(k::api_key::join_group, 5, stranger).error_code,
            kUnknownMember);

  // DescribeGroups shows the instance id; one generation all along.
  k::describe_groups_request d;
  d.groups = {g};
  auto desc = c.call<k::describe_groups_response>(k::api_key::describe_groups, 4, d);
  ASSERT_EQ(desc.groups.size(), 1u);
  EXPECT_EQ(desc.groups[0].state, "Stable");
  ASSERT_EQ(desc.groups[0].members.size(), 1u);
  EXPECT_EQ(desc.groups[0].members[0].member_id, second.member_id);
  EXPECT_EQ(desc.groups[0].members[0].group_instance_id, "inst-a");
  EXPECT_EQ(broker.log().find("preparing to rebalance group " + g + " (static member"),
            std::string::npos);

  // LeaveGroup v3 may name a static member by its instance id alone (an admin removing it).
  k::leave_group_request leave;
  leave.group_id = g;
  leave.members.push_back({"", std::string("inst-a")});
  auto left = c.call<k::leave_group_response>(k::api_key::leave_group, 3, leave);
  EXPECT_EQ(left.error_code, kNone);
  ASSERT_EQ(left.members.size(), 1u);
  EXPECT_EQ(left.members[0].error_code, kNone);
  desc = c.call<k::describe_groups_response>(k::api_key::describe_groups, 4, d);
  EXPECT_EQ(desc.groups[0].state, "Empty");
  expect_serving();
}

TEST_F(Groups, OversizedProtocolMetadataIsHandledAndTheNodeServesOn) {
  const std::string g = "raw-big-metadata";
  const bytes big(1 << 20, 0x5a);  // 1 MiB of subscription metadata
  kafka_conn c(broker.kafka_port());
  auto first =
      c.call<k::join_group_response>(k::api_key::join_group, 5, join_req(g, "", {{"range", big}}));
  ASSERT_EQ(first.error_code, kMemberIdRequired);
  auto j = c.call<k::join_group_response>(k::api_key::join_group, 5,
                                          join_req(g, first.member_id, {{"range", big}}));
  // Either accepted (then the leader gets it back whole) or refused with an error; never a crash.
  if (j.error_code == kNone) {
    ASSERT_EQ(j.members.size(), 1u);
    EXPECT_EQ(j.members[0].metadata, big);
    auto s = c.call<k::sync_group_response>(
        k::api_key::sync_group, 3, sync_req(g, j.generation_id, j.member_id, {{j.member_id, big}}));
    EXPECT_EQ(s.error_code, kNone);
    EXPECT_EQ(s.assignment.size(), big.size());
    auto d = describe(c, g);
    ASSERT_EQ(d.members.size(), 1u);
    EXPECT_EQ(d.members[0].metadata.size(), big.size());
  }
  // 8 MiB under 200 protocols on another connection, then the same group again.
  kafka_conn c2(broker.kafka_port());
  std::vector<k::join_group_request::protocol> many;
  for (int i = 0; i < 200; ++i)
    many.push_back({"assignor-" + std::to_string(i), bytes(40 << 10, uint8_t(i))});
  bool answered = false;
  auto j2 = c2.receive<k::join_group_response>(
      c2.send(k::api_key::join_group, 3, join_req(g + "-2", "", many)), 3, &answered);
  EXPECT_TRUE(answered) << "no JoinGroup answer to 8 MiB of protocols";
  if (j2.error_code == kNone) {
    ASSERT_EQ(j2.members.size(), 1u);
    EXPECT_EQ(j2.protocol_name, "assignor-0");
    EXPECT_EQ(j2.members[0].metadata, bytes(40 << 10, 0));
  }
  expect_serving();
  auto m = join_alone(c2, g + "-3");
  EXPECT_EQ(m.generation, 1);
}

TEST_F(Groups, SimpleCommitOnAnEmptyGroupAndFetchOfNothingCommitted) {
  create_topic("simple-t", 3);
  // OffsetFetch of partitions nothing was committed for: offset -1, error 0 (group unknown, too).
  EXPECT_EQ(fetch_offsets("simple", "simple-t", {0, 1, 2}),
            (std::map<int32_t, int64_t>{{0, -1}, {1, -1}, {2, -1}}));
  // assign() + commit: generation -1 and no member id on an empty group are accepted.
  EXPECT_EQ(
      commit(commit_req("simple", -1, "", "simple-t", {{0, 5}, {1, 7}}, std::string("meta-0"))),
      (std::map<int32_t, int16_t>{{0, kNone}, {1, kNone}}));
  EXPECT_EQ(fetch_offsets("simple", "simple-t", {0, 1, 2}),
            (std::map<int32_t, int64_t>{{0, 5}, {1, 7}, {2, -1}}));

  kafka_conn c(broker.kafka_port());
  // OffsetFetch v1 (per-partition errors only) and the committed metadata.
  auto v1 = c.call<k::offset_fetch_response>(k::api_key::offset_fetch, 1,
                                             offset_fetch_v1_request{"simple", "simple-t", {0, 2}});
  ASSERT_EQ(v1.topics.size(), 1u);
  ASSERT_EQ(v1.topics[0].partitions.size(), 2u);
  EXPECT_EQ(v1.topics[0].partitions[0].offset, 5);
  EXPECT_EQ(v1.topics[0].partitions[0].metadata, std::optional<std::string>("meta-0"));
  EXPECT_EQ(v1.topics[0].partitions[0].error_code, kNone);
  EXPECT_EQ(v1.topics[0].partitions[1].offset, -1);
  EXPECT_EQ(v1.topics[0].partitions[1].error_code, kNone);
  // OffsetFetch v2+ with null topics: everything the group committed.
  k::offset_fetch_request all;
  all.group_id = "simple";
  auto v3 = c.call<k::offset_fetch_response>(k::api_key::offset_fetch, 3, all);
  EXPECT_EQ(v3.error_code, kNone);
  std::map<int32_t, int64_t> everything;
  for (const auto& t : v3.topics)
    for (const auto& p : t.partitions)
      if (t.name == "simple-t") everything[p.index] = p.offset;
  EXPECT_EQ(everything, (std::map<int32_t, int64_t>{{0, 5}, {1, 7}}));

  // Once the group has a member, a commit from outside it is refused (UNKNOWN_MEMBER_ID), while the
  // member's own commit with its generation is stored.
  kafka_conn a(broker.kafka_port());
  auto m = join_alone(a, "simple");
  EXPECT_EQ(commit(commit_req("simple", -1, "", "simple-t", {{2, 1}})),
            (std::map<int32_t, int16_t>{{2, kUnknownMember}}));
  EXPECT_EQ(commit(commit_req("simple", m.generation, m.id, "simple-t", {{2, 9}})),
            (std::map<int32_t, int16_t>{{2, kNone}}));
  EXPECT_EQ(fetch_offsets("simple", "simple-t", {0, 1, 2}),
            (std::map<int32_t, int64_t>{{0, 5}, {1, 7}, {2, 9}}));
  expect_serving();
}

TEST_F(Groups, BadInputDoesNotDisturbAStableMember) {
  // A member that keeps heartbeating through everything above, on one node: it stays in its
  // generation while other connections send bad group requests.
  const std::string g = "raw-steady";
  kafka_conn a(broker.kafka_port());
  auto m = join_alone(a, g);
  kafka_conn x(broker.kafka_port());
  x.call<k::join_group_response>(k::api_key::join_group, 5, join_req(g, "bogus", range_protocol()));
  x.call<k::join_group_response>(k::api_key::join_group, 3, join_req(g, "", {{"other", {}}}));
  x.call<k::join_group_response>(k::api_key::join_group, 3, join_req(g, "", range_protocol(), 10));
  x.call<k::heartbeat_response>(k::api_key::heartbeat, 3, heartbeat_req(g, 99, "bogus"));
  x.call<k::sync_group_response>(k::api_key::sync_group, 3,
                                 sync_req(g, 99, m.id, {{m.id, to_bytes("stolen")}}));
  auto empty_group =
      x.call<k::join_group_response>(k::api_key::join_group, 3, join_req("", "", range_protocol()));
  EXPECT_NE(empty_group.error_code, kNone) << "an empty group id";
  EXPECT_EQ(
      a.call<k::heartbeat_response>(k::api_key::heartbeat, 3, heartbeat_req(g, m.generation, m.id))
          .error_code,
      kNone);
  auto s =
      a.call<k::sync_group_response>(k::api_key::sync_group, 3, sync_req(g, m.generation, m.id));
  EXPECT_EQ(s.error_code, kNone);
  EXPECT_EQ(to_string(s.assignment), "mine")
      << "a wrong-generation SyncGroup must not replace the assignment";
  expect_serving();
}


// Kafka's group administration: ListGroups v4 (states filter), DescribeGroups v5 (flexible),
// OffsetDelete v0 (not for a topic a member consumes) and DeleteGroups v2 (only without members),
// with the deletion still true after a restart (tombstones in __consumer_offsets); the CLI too.
TEST_F(Groups, ListDescribeDeleteGroupsAndDeleteOffsetsFollowKafka) {
  create_topic("adm-t", 2);
  create_topic("adm-other", 1);
  EXPECT_EQ(commit(commit_req("adm-empty", -1, "", "adm-t", {{0, 3}, {1, 4}})),
            (std::map<int32_t, int16_t>{{0, kNone}, {1, kNone}}));
  kafka_conn a(broker.kafka_port());
  auto sub = net::kafka::encode_subscription({"adm-t"});
  auto m = join_alone(a, "adm-busy", 10000, std::string(sub.begin(), sub.end()));
  EXPECT_EQ(commit(commit_req("adm-busy", m.generation, m.id, "adm-t", {{0, 2}})),
            (std::map<int32_t, int16_t>{{0, kNone}}));
  EXPECT_EQ(commit(commit_req("adm-busy", m.generation, m.id, "adm-other", {{0, 5}})),
            (std::map<int32_t, int16_t>{{0, kNone}}));

  kafka_conn c(broker.kafka_port());
  auto listed = [&](std::vector<std::string> states) {
    k::list_groups_request lg;
    lg.states_filter = std::move(states);
    std::map<std::string, std::string> out;
    for (const auto& g : c.call<k::list_groups_response>(k::api_key::list_groups, 4, lg).groups)
      if (g.group_id.rfind("adm-", 0) == 0) out[g.group_id] = g.state;
    return out;
  };
  EXPECT_EQ(listed({}), (std::map<std::string, std::string>{{"adm-busy", "Stable"}, {"adm-empty", "Empty"}}));
  EXPECT_EQ(listed({"stable"}), (std::map<std::string, std::string>{{"adm-busy", "Stable"}}));
  auto describe5 = [&](const std::string& id) {
    k::describe_groups_request d;
    d.groups = {id};
    d.include_authorized_operations = true;
    auto r = c.call<k::describe_groups_response>(k::api_key::describe_groups, 5, d);
    return r.groups.empty() ? k::describe_groups_response::group{} : r.groups[0];
  };
  auto busy = describe5("adm-busy");
  EXPECT_EQ(busy.state, "Stable");
  ASSERT_EQ(busy.members.size(), 1u);
  EXPECT_EQ(busy.members[0].member_id, m.id);
  EXPECT_FALSE(busy.members[0].group_instance_id);
  EXPECT_EQ(busy.authorized_operations, INT32_MIN);
  EXPECT_EQ(describe5("adm-nope").state, "Dead");
  EXPECT_EQ(describe5("adm-nope").error_code, kNone);

  // OffsetDelete: the consumed topic's offsets stay, the other topic's go.
  k::offset_delete_request od;
  od.group_id = "adm-busy";
  od.topics = {{"adm-t", {0}}, {"adm-other", {0}}};
  auto odr = c.call<k::offset_delete_response>(k::api_key::offset_delete, 0, od);
  EXPECT_EQ(odr.error_code, kNone);
  std::map<std::string, int16_t> per_topic;
  for (const auto& t : odr.topics) per_topic[t.name] = t.partitions.at(0).error_code;
  EXPECT_EQ(per_topic, (std::map<std::string, int16_t>{{"adm-t", kGroupSubscribedToTopic}, {"adm-other", kNone}}));
  EXPECT_EQ(fetch_offsets("adm-busy", "adm-t", {0}), (std::map<int32_t, int64_t>{{0, 2}}));
  EXPECT_EQ(fetch_offsets("adm-busy", "adm-other", {0}), (std::map<int32_t, int64_t>{{0, -1}}));
  od.group_id = "adm-nope";
  EXPECT_EQ(c.call<k::offset_delete_response>(k::api_key::offset_delete, 0, od).error_code, kGroupIdNotFound);

  // DeleteGroups v2: a group with a member stays, an empty one goes, an unknown one is not found.
  k::delete_groups_request dg;
  dg.groups = {"adm-busy", "adm-empty", "adm-nope"};
  std::map<std::string, int16_t> deleted;
  for (const auto& r : c.call<k::delete_groups_response>(k::api_key::delete_groups, 2, dg).results)
    deleted[r.group_id] = r.error_code;
  EXPECT_EQ(deleted, (std::map<std::string, int16_t>{
                         {"adm-busy", kNonEmptyGroup}, {"adm-empty", kNone}, {"adm-nope", kGroupIdNotFound}}));
  EXPECT_EQ(fetch_offsets("adm-empty", "adm-t", {0, 1}), (std::map<int32_t, int64_t>{{0, -1}, {1, -1}}));
  EXPECT_EQ(describe5("adm-empty").state, "Dead");

  // The CLI: a group with members is refused; delete-offsets names what it kept.
  auto cli = brook({"group", "delete", "adm-busy"});
  EXPECT_NE(cli.exit_code, 0);
  EXPECT_NE(cli.err.find("has active members"), std::string::npos) << cli.err;
  auto kept = brook({"group", "delete-offsets", "adm-busy", "--topic", "adm-t"});
  EXPECT_NE(kept.exit_code, 0);
  EXPECT_NE(kept.out.find("adm-t\t0\tkept: a member of the group consumes this topic"), std::string::npos) << kept.out;

  // After a restart the deleted group is still gone: the coordinator read the tombstones back.
  ASSERT_EQ(broker.terminate(), 0);
  ASSERT_TRUE(broker.start()) << broker.log();
  EXPECT_EQ(fetch_offsets("adm-empty", "adm-t", {0, 1}), (std::map<int32_t, int64_t>{{0, -1}, {1, -1}}));
  EXPECT_EQ(fetch_offsets("adm-busy", "adm-t", {0}), (std::map<int32_t, int64_t>{{0, 2}}));
  auto again = brook({"group", "delete", "adm-empty"});
  EXPECT_NE(again.exit_code, 0);
  EXPECT_NE(again.err.find("group 'adm-empty' does not exist"), std::string::npos) << again.err;
  // adm-busy lost its member with the restart: now it can go, with the CLI.
  auto gone = brook({"group", "delete", "adm-busy"});
  EXPECT_EQ(gone.exit_code, 0) << gone.err;
  EXPECT_NE(gone.out.find("Deleted group adm-busy."), std::string::npos) << gone.out;
  expect_serving();
}

// DescribeCluster (flexible v0-1), through this fixture's raw Kafka connection: the broker at its
// Kafka address and the controller; endpoint types other than brokers get Kafka's errors.
TEST_F(Groups, DescribeClusterNamesTheBrokersAndTheController) {
  kafka_conn c(broker.kafka_port());
  for (int16_t v : {0, 1}) {
    auto r = c.call<k::describe_cluster_response>(k::api_key::describe_cluster, v, k::describe_cluster_request{});
    EXPECT_EQ(r.error_code, kNone) << "v" << v;
    EXPECT_EQ(r.cluster_id, "brook");
    EXPECT_EQ(r.controller_id, 0);
    ASSERT_EQ(r.brokers.size(), 1u);
    EXPECT_EQ(r.brokers[0].broker_id, 0);
    EXPECT_EQ(r.brokers[0].host, "127.0.0.1");
    EXPECT_EQ(r.brokers[0].port, int32_t(broker.kafka_port()));
    EXPECT_EQ(r.cluster_authorized_operations, INT32_MIN);
  }
  k::describe_cluster_request controllers;
  controllers.endpoint_type = 2;
  EXPECT_EQ(c.call<k::describe_cluster_response>(k::api_key::describe_cluster, 1, controllers).error_code, 114);
  controllers.endpoint_type = 7;
  EXPECT_EQ(c.call<k::describe_cluster_response>(k::api_key::describe_cluster, 1, controllers).error_code, 115);
  expect_serving();
}
