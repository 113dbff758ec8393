// Restarting the coordinator store: WAL replay, torn and corrupt tails, snapshots.
#include <gtest/gtest.h>

#include "runtime/coord/codec.hpp"
#include "tests/unit/coord/coord_test_util.hpp"

namespace brook::runtime::coord::test {
namespace {

class recovery_test : public ::testing::Test {
 protected:
  temp_dir dir_;
  store_options opts_;
};

TEST_F(recovery_test, restart_recovers_data_versions_seq_sessions_and_id_counter) {
  auto s = open_store(dir_);
  ASSERT_NE(s, nullptr);
  uint64_t live = *s->open_session(1000, 0);
  uint64_t closed = *s->open_session(1000, 0);
  ASSERT_TRUE(s->create("/brokers/ids/1", "live", live, true));
  ASSERT_TRUE(s->create("/brokers/ids/2", "closed", closed));
  ASSERT_TRUE(s->create("/config/topics/t", "{\"retention.ms\":1}", 0, true));
  ASSERT_TRUE(s->set("/config/topics/t", "{\"retention.ms\":2}", 0));
  ASSERT_TRUE(s->set("/config/topics/t", "{\"retention.ms\":3}", 1));
  ASSERT_TRUE(s->create("/gone", "x"));
  ASSERT_TRUE(s->remove("/gone").is_ok());
  ASSERT_TRUE(s->close_session(closed).is_ok());
  auto before = dump(*s);
  int64_t seq = s->seq();
  s.reset();

  s = open_store(dir_, 50'000);  // restarted much later
  ASSERT_NE(s, nullptr);
  EXPECT_EQ(dump(*s), before);
  EXPECT_EQ(s->seq(), seq);
  EXPECT_EQ(s->get("/config/topics/t")->version, 2);
  EXPECT_FALSE(s->exists("/gone"));
  EXPECT_FALSE(s->exists("/brokers/ids/2"));
  EXPECT_EQ(s->recovery().wal_records, uint64_t(seq));
  EXPECT_FALSE(s->recovery().snapshot_loaded);
  // The live session came back with a fresh lease from the restart time.
  EXPECT_TRUE(s->has_session(live));
  EXPECT_FALSE(s->has_session(closed));
  EXPECT_TRUE(s->expire(51'000)->empty());
  EXPECT_TRUE(s->heartbeat(live, 51'000).is_ok());
  // Ids are never reused across restarts; the sequence continues.
  uint64_t next = *s->open_session(1'000'000, 51'000);
  EXPECT_GT(next, closed);
  EXPECT_EQ(s->seq(), seq + 1);
  // Its ephemerals go when it finally expires.
  EXPECT_EQ(*s->expire(52'001), (std::vector<uint64_t>{live}));
  EXPECT_FALSE(s->exists("/brokers/ids/1"));
}

TEST_F(recovery_test, torn_tail_is_dropped_with_everything_before_intact) {
  auto s = open_store(dir_);
  ASSERT_TRUE(s->create("/a", "1"));
  ASSERT_TRUE(s->set("/a", "2"));
  uint64_t good = s->wal_bytes();
  auto before = dump(*s);
  ASSERT_TRUE(s->set("/a", "3-torn"));
  s.reset();
  const std::string full = read_file(dir_.wal());
  for (uint64_t cut : {uint64_t(3), uint64_t(format::frame_header_size + 4)}) {
    write_file(dir_.wal(), full.substr(0, good + cut));  // a crash mid-append
    s = open_store(dir_);
    ASSERT_NE(s, nullptr);
    EXPECT_EQ(dump(*s), before) << cut;
    EXPECT_EQ(s->seq(), 2);
    EXPECT_EQ(s->recovery().truncated_bytes, cut);
    EXPECT_EQ(file_size(dir_.wal()), good);
    s.reset();
  }
  // Writes after the repair land where the torn record was and survive the next restart.
  s = open_store(dir_);
  ASSERT_TRUE(s->set("/a", "3"));
  s.reset();
  s = open_store(dir_);
  EXPECT_EQ(value_of(*s, "/a"), "3");
  EXPECT_EQ(s->get("/a")->version, 2);
  EXPECT_EQ(s->recovery().truncated_bytes, 0u);
}

TEST_F(recovery_test, zero_filled_tail_is_dropped) {
  // After a crash some file systems show the unwritten end of a file as zeros.
  auto s = open_store(dir_);
  ASSERT_TRUE(s->create("/a", "1"));
  uint64_t good = s->wal_bytes();
  s.reset();
  resize_file(dir_.wal(), good + 64);
  s = open_store(dir_);
  ASSERT_NE(s, nullptr);
  EXPECT_EQ(value_of(*s, "/a"), "1");
  EXPECT_EQ(s->recovery().truncated_bytes, 64u);
  EXPECT_EQ(file_size(dir_.wal()), good);
}

TEST_F(recovery_test, crc_corrupt_record_ends_replay_there) {
  auto s = open_store(dir_);
  ASSERT_TRUE(s->create("/a", "first"));
  auto before = dump(*s);
  uint64_t second = s->wal_bytes();
  ASSERT_TRUE(s->create("/b", "second"));
  ASSERT_TRUE(s->create("/c", "third"));
  uint64_t total = s->wal_bytes();
  s.reset();
  flip_byte(dir_.wal(), second + format::frame_header_size + 12);  // inside /b's record
  s = open_store(dir_);
  ASSERT_NE(s, nullptr);
  EXPECT_EQ(dump(*s), before);  // /b is corrupt, /c comes after it: both gone
  EXPECT_EQ(s->seq(), 1);
  EXPECT_EQ(s->recovery().truncated_bytes, total - second);
  ASSERT_TRUE(s->create("/d", "after"));
  s.reset();
  s = open_store(dir_);
  EXPECT_EQ(value_of(*s, "/d"), "after");
  EXPECT_EQ(s->get("/d")->created_seq, 2);
}

TEST_F(recovery_test, snapshot_then_wal_recovery) {
  opts_.snapshot_bytes = 1024;
  auto s = open_store(dir_, 0, opts_);
  uint64_t sess = *s->open_session(10'000, 0);
  ASSERT_TRUE(s->create("/brokers/ids/1", "eph", sess, true));
  ASSERT_TRUE(s->create("/topics", ""));
  for (int i = 0; i < 40; ++i) {
    std::string p = "/topics/t" + std::to_string(i % 7);
    if (!s->exists(p)) {
      ASSERT_TRUE(s->create(p, "v" + std::to_string(i)));
    } else {
      ASSERT_TRUE(s->set(p, "v" + std::to_string(i)));
    }
    if (i % 9 == 8) {
      ASSERT_TRUE(s->remove("/topics/t" + std::to_string(i % 7)).is_ok());
    }
  }
  EXPECT_TRUE(std::filesystem::exists(dir_.snapshot()));
  EXPECT_LT(s->wal_bytes(), 1024u);
  if (s->wal_bytes() == 0) {
    ASSERT_TRUE(s->set("/topics", "tail"));  // leave WAL records too
  }
  auto before = dump(*s);
  int64_t seq = s->seq();
  s.reset();

  s = open_store(dir_, 0, opts_);
  ASSERT_NE(s, nullptr);
  EXPECT_TRUE(s->recovery().snapshot_loaded);
  EXPECT_GT(s->recovery().snapshot_seq, 0);
  EXPECT_LT(s->recovery().snapshot_seq, seq);
  EXPECT_EQ(s->recovery().wal_records, uint64_t(seq - s->recovery().snapshot_seq));
  EXPECT_EQ(dump(*s), before);
  EXPECT_EQ(s->seq(), seq);
  EXPECT_TRUE(s->has_session(sess));
  EXPECT_GT(*s->open_session(1000, 0), sess);
  ASSERT_TRUE(s->close_session(sess).is_ok());  // the snapshot kept the ephemeral's owner
  EXPECT_FALSE(s->exists("/brokers/ids/1"));
}

TEST_F(recovery_test, snapshot_alone_recovers_root_value_and_counters) {
  auto s = open_store(dir_);
  uint64_t a = *s->open_session(1000, 0);
  ASSERT_TRUE(s->close_session(a).is_ok());
  ASSERT_TRUE(s->set("/", "root value"));
  ASSERT_TRUE(s->compact().is_ok());
  EXPECT_EQ(s->wal_bytes(), 0u);
  auto before = dump(*s);
  s.reset();
  s = open_store(dir_);
  EXPECT_EQ(dump(*s), before);
  EXPECT_EQ(s->seq(), 3);
  EXPECT_EQ(s->recovery().wal_records, 0u);
  EXPECT_GT(*s->open_session(1000, 0), a);
}

TEST_F(recovery_test, wal_records_already_in_the_snapshot_are_skipped) {
  // A crash between the snapshot's rename and the WAL's reset leaves the old records behind.
  auto s = open_store(dir_);
  ASSERT_TRUE(s->create("/a", "1"));
  ASSERT_TRUE(s->set("/a", "2"));
  std::string old_wal = read_file(dir_.wal());
  ASSERT_TRUE(s->compact().is_ok());
  ASSERT_TRUE(s->set("/a", "3"));
  std::string new_wal = read_file(dir_.wal());
  auto before = dump(*s);
  s.reset();
  write_file(dir_.wal(), old_wal + new_wal);
  s = open_store(dir_);
  ASSERT_NE(s, nullptr);
  EXPECT_EQ(dump(*s), before);
  EXPECT_EQ(s->recovery().wal_records_skipped, 2u);
  EXPECT_EQ(s->recovery().wal_records, 1u);
  EXPECT_EQ(s->get("/a")->version, 2);
}

TEST_F(recovery_test, corrupt_snapshot_fails_the_open) {
  auto s = open_store(dir_);
  ASSERT_TRUE(s->create("/a", "1"));
  ASSERT_TRUE(s->compact().is_ok());
  s.reset();
  flip_byte(dir_.snapshot(), file_size(dir_.snapshot()) - 2);
  auto r = store::open(storage::env::posix(), dir_.path(), 0);
  ASSERT_FALSE(r.has_value());
  EXPECT_EQ(r.error().code(), errc::corrupt_message);
}

TEST_F(recovery_test, crc_valid_record_that_does_not_fit_fails_the_open) {
  bytes frames;
  wal_record r;
  r.kind = format::record_kind::set;  // of a node that was never created
  r.seq = 1;
  r.path = "/missing";
  r.version = 1;
  encode_record(r, frames);
  write_file(dir_.wal(), std::string(frames.begin(), frames.end()));
  auto opened = store::open(storage::env::posix(), dir_.path(), 0);
  ASSERT_FALSE(opened.has_value());
  EXPECT_EQ(opened.error().code(), errc::corrupt_message);

  bytes unknown;
  append_frame(unknown, bytes{99, 0, 0, 0, 0, 0, 0, 0, 1});
  write_file(dir_.wal(), std::string(unknown.begin(), unknown.end()));
  opened = store::open(storage::env::posix(), dir_.path(), 0);
  ASSERT_FALSE(opened.has_value());
  EXPECT_EQ(opened.error().code(), errc::corrupt_message);
}

TEST_F(recovery_test, leftover_snapshot_tmp_is_ignored) {
  auto s = open_store(dir_);
  ASSERT_TRUE(s->create("/a", "1"));
  s.reset();
  write_file(dir_.file(format::snapshot_tmp_file), "half a snapshot");
  s = open_store(dir_);
  ASSERT_NE(s, nullptr);
  EXPECT_EQ(value_of(*s, "/a"), "1");
  EXPECT_FALSE(std::filesystem::exists(dir_.file(format::snapshot_tmp_file)));
}

}  // namespace
}  // namespace brook::runtime::coord::test
