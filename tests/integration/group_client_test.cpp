// Consumer groups: committed offsets across brookd restarts, the native consumer, and the brook
// group CLI.
#include "group_test_fixture.hpp"

// ---- committed offsets across restarts
// -----------------------------------------------------------

TEST_F(Groups, CommittedOffsetsSurviveSigtermAndSigkillOfBrookd) {
  const std::string t = "durable-offsets", g = "durable-group";
  create_topic(t, 3);
  fill(t, 3, 10);
  const std::vector<client::topic_partition> tps{{t, 0}, {t, 1}, {t, 2}};

  // What the group committed, three ways: OffsetFetch (Kafka), the native consumer's committed(),
  // and `brook group describe`.
  auto check_committed = [&](const std::map<int32_t, int64_t>& want, const char* when) {
    SCOPED_TRACE(when);
    EXPECT_EQ(fetch_offsets(g, t, {0, 1, 2}), want);
    auto c = group_consumer(g, "checker");
    ASSERT_TRUE(c);
    std::map<int32_t, int64_t> native;
    for (const auto& tp : tps) {
      auto o = c->committed(tp);
      ASSERT_TRUE(o) << o.error().to_string();
      native[tp.partition] = *o;
    }
    EXPECT_EQ(native, want);
    auto d = brook({"group", "describe", g});
    ASSERT_EQ(d.exit_code, 0) << d.err;
    auto parsed = parse_describe(d.out, t);
    EXPECT_EQ(parsed.state, "Empty");
    std::map<int32_t, int64_t> shown;
    for (const auto& [p, row] : parsed.rows)
      shown[p] = row.at(0) == "-" ? -1 : std::stoll(row.at(0));
    EXPECT_EQ(shown, want) << d.out;
  };
  // A member of the group consumes from the committed offsets to the end and commits there.
  auto resume = [&](const std::map<int32_t, int64_t>& from, const char* when) {
    SCOPED_TRACE(when);
    auto c = group_consumer(g, "resumer");
    ASSERT_TRUE(c);
    ASSERT_TRUE(c->subscribe({t}));
    size_t want = 0;
    for (auto [p, o] : from) want += size_t(10 - o);
    auto got = poll_records(*c, want);
    for (auto [p, o] : from) {
      std::vector<int64_t> expect;
      for (int64_t i = o; i < 10; ++i) expect.push_back(i);
      EXPECT_EQ(got[p], expect) << "partition " << p;
    }
    ASSERT_TRUE(c->commit_sync());
    c->close();
  };

  {
    auto c = group_consumer(g, "first");
    ASSERT_TRUE(c);
    ASSERT_TRUE(c->subscribe({t}));
    wait_assigned(*c, 3);
    auto st = c->commit_sync({{{t, 0}, 4}, {{t, 1}, 7}, {{t, 2}, 0}});
    ASSERT_TRUE(st) << st.to_string();
    c->close();
  }
  const std::map<int32_t, int64_t> first{{0, 4}, {1, 7}, {2, 0}};
  check_committed(first, "before any restart");

  ASSERT_EQ(broker.terminate(), 0) << broker.log();
  ASSERT_TRUE(broker.start()) << broker.log();
  check_committed(first, "after SIGTERM and restart");
  resume(first, "resuming after SIGTERM");
  const std::map<int32_t, int64_t> ends{{0, 10}, {1, 10}, {2, 10}};
  check_committed(ends, "after resuming");

  // Commit something else, then SIGKILL: acknowledged commits are durable.
  {
    auto c = group_consumer(g, "second");
    ASSERT_TRUE(c);
    auto st = c->commit_sync(
        {{{t, 0}, 2}, {{t, 1}, 9}, {{t, 2}, 5}});  // assign() + commit, generation -1
    ASSERT_TRUE(st) << st.to_string();
  }
  broker.kill9();
  ASSERT_TRUE(broker.start()) << broker.log();
  const std::map<int32_t, int64_t> second{{0, 2}, {1, 9}, {2, 5}};
  check_committed(second, "after SIGKILL and restart");
  resume(second, "resuming after SIGKILL");
  EXPECT_NE(broker.log().find("1 group(s), 3 committed offset(s)"), std::string::npos) << broker.log();
}

// ---- brook group list | describe | reset-offsets ------------------------------------------------

TEST_F(Groups, CliListDescribeAndResetOffsets) {
  const std::string t = "cli-groups", g = "cli-group";
  create_topic(t, 3);
  fill(t, 3, 10);

  auto missing = brook({"group", "describe", "no-such-group"});
  EXPECT_EQ(missing.exit_code, 1);
  EXPECT_EQ(missing.err, "brook: group 'no-such-group' does not exist\n");

  auto c = group_consumer(g, "cli-member");
  ASSERT_TRUE(c);
  ASSERT_TRUE(c->subscribe({t}));
  wait_assigned(*c, 3);
  ASSERT_TRUE(c->commit_sync({{{t, 0}, 3}, {{t, 1}, 10}}));

  auto list = brook({"group", "list"});
  ASSERT_EQ(list.exit_code, 0) << list.err;
  EXPECT_NE(list.out.find(g + "\tStable\n"), std::string::npos) << list.out;

  auto desc = brook({"group", "describe", g});
  ASSERT_EQ(desc.exit_code, 0) << desc.err;
  auto d = parse_describe(desc.out, t);
  EXPECT_EQ(d.state, "Stable");
  EXPECT_EQ(d.protocol, "range");
  EXPECT_EQ(d.members, 1);
  ASSERT_EQ(d.rows.size(), 3u) << desc.out;
  // CURRENT-OFFSET, LOG-END-OFFSET, LAG, then the owner (member id ... client id).
  EXPECT_EQ(std::vector<std::string>(d.rows[0].begin(), d.rows[0].begin() + 3),
            (std::vector<std::string>{"3", "10", "7"}));
  EXPECT_EQ(std::vector<std::string>(d.rows[1].begin(), d.rows[1].begin() + 3),
            (std::vector<std::string>{"10", "10", "0"}));
  EXPECT_EQ(std::vector<std::string>(d.rows[2].begin(), d.rows[2].begin() + 3),
            (std::vector<std::string>{"-", "10", "-"}));
  for (auto& [p, row] : d.rows) {
    ASSERT_GE(row.size(), 5u) << desc.out;
    EXPECT_EQ(row.back(), "cli-member") << "partition " << p;
    EXPECT_EQ(row[3].rfind("cli-member-", 0), 0u) << "member id of partition " << p;
  }

  // While the group has a member, reset-offsets refuses with one clear line and changes nothing.
  auto busy = brook({"group", "reset-offsets", g, "--topic", t, "--to-earliest", "--execute"});
  EXPECT_EQ(busy.exit_code, 1);
  EXPECT_EQ(busy.err, "brook: group '" + g +
                          "' has active members; stop its consumers before resetting offsets\n");
  EXPECT_EQ(fetch_offsets(g, t, {0, 1, 2}), (std::map<int32_t, int64_t>{{0, 3}, {1, 10}, {2, -1}}));

  c->close();
  c.reset();
  list = brook({"group", "list"});
  EXPECT_NE(list.out.find(g + "\tEmpty\n"), std::string::npos) << list.out;

  // A dry run shows the plan and commits nothing.
  auto dry = brook({"group", "reset-offsets", g, "--topic", t, "--to-earliest"});
  EXPECT_EQ(dry.exit_code, 0) << dry.err;
  EXPECT_EQ(dry.out, t + "\t0\t0\n" + t + "\t1\t0\n" + t +
                         "\t2\t0\n(dry run: add --execute to commit these offsets)\n");
  EXPECT_EQ(fetch_offsets(g, t, {0, 1, 2}), (std::map<int32_t, int64_t>{{0, 3}, {1, 10}, {2, -1}}));

  auto earliest = brook({"group", "reset-offsets", g, "--topic", t, "--to-earliest", "--execute"});
  EXPECT_EQ(earliest.exit_code, 0) << earliest.err;
  EXPECT_EQ(fetch_offsets(g, t, {0, 1, 2}), (std::map<int32_t, int64_t>{{0, 0}, {1, 0}, {2, 0}}));
  d = parse_describe(brook({"group", "describe", g}).out, t);
  EXPECT_EQ(d.state, "Empty");
  EXPECT_EQ(d.members, 0);
  for (auto& [p, row] : d.rows)
    EXPECT_EQ(row, (std::vector<std::string>{"0", "10", "10", "-"})) << "partition " << p;

  auto latest = brook({"group", "reset-offsets", g, "--topic", t, "--to-latest", "--execute"});
  EXPECT_EQ(latest.exit_code, 0) << latest.err;
  EXPECT_EQ(fetch_offsets(g, t, {0, 1, 2}),
            (std::map<int32_t, int64_t>{{0, 10}, {1, 10}, {2, 10}}));
  auto one = brook({"group", "reset-offsets", g, "--topic", t, "--partition", "1", "--to-offset",
                    "6", "--execute"});
  EXPECT_EQ(one.exit_code, 0) << one.err;
  EXPECT_EQ(one.out, t + "\t1\t6\n");
  EXPECT_EQ(fetch_offsets(g, t, {0, 1, 2}), (std::map<int32_t, int64_t>{{0, 10}, {1, 6}, {2, 10}}));
  auto modes = brook({"group", "reset-offsets", g, "--topic", t, "--to-earliest", "--to-latest"});
  EXPECT_EQ(modes.exit_code, 1);
  EXPECT_EQ(modes.err, "brook: give exactly one of --to-earliest, --to-latest, --to-offset N\n");

  // A member of the group resumes where reset-offsets put it.
  auto r = group_consumer(g, "after-reset");
  ASSERT_TRUE(r);
  ASSERT_TRUE(r->subscribe({t}));
  auto got = poll_records(*r, 4);
  EXPECT_EQ(got, (std::map<int32_t, std::vector<int64_t>>{{1, {6, 7, 8, 9}}}));
  auto extra = r->poll(500ms);
  ASSERT_TRUE(extra);
  EXPECT_TRUE(extra->empty());
}

// Regression: the first commit on a node used to get COORDINATOR_LOAD_IN_PROGRESS while
// __consumer_offsets was created; it now waits for the topic.
TEST_F(Groups, ResetOffsetsOfANewGroupOnAFreshNode) {
  // Seeding a group's offsets before its consumers first start, on a node where no group has
  // committed yet (so __consumer_offsets does not exist).
  const std::string t = "seeded";
  create_topic(t, 2);
  fill(t, 2, 5);
  auto r = brook(
      {"group", "reset-offsets", "seeded-group", "--topic", t, "--to-offset", "2", "--execute"});
  EXPECT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(fetch_offsets("seeded-group", t, {0, 1}), (std::map<int32_t, int64_t>{{0, 2}, {1, 2}}));
}

TEST_F(Groups, AssignAndCommitOnAFreshNodeSucceeds) {
  // The native consumer outside any group (assign() + commit_sync()) as the first committer on a
  // node: __consumer_offsets is created on that first commit.
  const std::string t = "fresh-commit";
  create_topic(t, 1);
  auto c = group_consumer("fresh-commit-group", "fresh-committer");
  ASSERT_TRUE(c);
  ASSERT_TRUE(c->assign({{t, 0}}));
  auto st = c->commit_sync({{{t, 0}, 3}});
  ASSERT_TRUE(st) << st.to_string();
  auto o = c->committed({t, 0});
  ASSERT_TRUE(o) << o.error().to_string();
  EXPECT_EQ(*o, 3);
}

// Regression: native members joined with an empty client host.
TEST_F(Groups, DescribeShowsTheHostOfNativeMembers) {
  const std::string t = "hosts", g = "host-group";
  create_topic(t, 1);
  auto c = group_consumer(g, "host-member");
  ASSERT_TRUE(c);
  ASSERT_TRUE(c->subscribe({t}));
  wait_assigned(*c, 1);
  auto d = brook({"group", "describe", g});
  ASSERT_EQ(d.exit_code, 0) << d.err;
  auto parsed = parse_describe(d.out, t);
  ASSERT_EQ(parsed.rows.size(), 1u) << d.out;
  // CURRENT, END, LAG, member id, host, client id.
  const auto& row = parsed.rows[0];
  ASSERT_EQ(row.size(), 6u) << d.out;
  EXPECT_EQ(row[4], "/127.0.0.1");
  EXPECT_EQ(row[5], "host-member");
}

