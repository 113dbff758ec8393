// The leader-epoch checkpoint: persistence, truncation, corrupt files, and the end-offset lookup
// replicas use to find where their logs diverge.
#include "runtime/storage/leader_epochs.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <cstdint>
#include <string>
#include <utility>
#include <vector>

#include "tests/temp_dir.hpp"

namespace brook::runtime::storage::test {
namespace {

using temp_dir = brook::testutil::temp_dir;
using epoch_list = std::vector<std::pair<int32_t, int64_t>>;

epoch_list entries_of(const leader_epochs& c) {
  epoch_list out;
  for (const auto& e : c.entries()) out.emplace_back(e.epoch, e.start_offset);
  return out;
}

// Loads the checkpoint in `dir`, failing the test when it does not load.
leader_epochs must_load(const temp_dir& dir, int64_t log_end = INT64_MAX) {
  auto c = leader_epochs::load(dir.path(), log_end);
  EXPECT_TRUE(c.has_value()) << c.error().to_string();
  return c.has_value() ? std::move(*c) : leader_epochs{};
}

// A checkpoint in `dir` holding `history` (assigned in order).
leader_epochs with_history(const temp_dir& dir, const epoch_list& history) {
  auto c = must_load(dir);
  for (auto [epoch, start] : history) EXPECT_TRUE(c.assign(epoch, start));
  EXPECT_EQ(entries_of(c), history);
  return c;
}

std::string checkpoint_path(const temp_dir& dir) {
  return dir.file("leader-epoch-checkpoint");
}

TEST(leader_epochs, load_of_missing_file_is_empty) {
  temp_dir dir;
  auto c = must_load(dir, 42);
  EXPECT_TRUE(c.entries().empty());
  EXPECT_EQ(c.latest(), -1);
}

TEST(leader_epochs, assign_persists_and_load_reads_it_back) {
  temp_dir dir;
  {
    auto c = must_load(dir);
    ASSERT_TRUE(c.assign(0, 0));
    ASSERT_TRUE(c.assign(1, 100));
    ASSERT_TRUE(c.assign(4, 250));
    EXPECT_EQ(c.latest(), 4);
  }
  EXPECT_EQ(testutil::read_file(checkpoint_path(dir)), "0 0\n1 100\n4 250\n");
  auto c = must_load(dir, 300);
  EXPECT_EQ(entries_of(c), (epoch_list{{0, 0}, {1, 100}, {4, 250}}));
  EXPECT_EQ(c.latest(), 4);
}

TEST(leader_epochs, assign_of_older_or_equal_epoch_is_a_noop) {
  temp_dir dir;
  auto c = with_history(dir, {{0, 0}, {3, 100}});
  EXPECT_TRUE(c.assign(3, 150));  // equal epoch, later start
  EXPECT_TRUE(c.assign(3, 50));   // equal epoch, earlier start
  EXPECT_TRUE(c.assign(2, 200));  // older epoch
  EXPECT_EQ(entries_of(c), (epoch_list{{0, 0}, {3, 100}}));
  EXPECT_EQ(entries_of(must_load(dir)), (epoch_list{{0, 0}, {3, 100}}));
}

TEST(leader_epochs, assign_drops_entries_starting_at_or_after_the_new_start) {
  temp_dir dir;
  auto c = with_history(dir, {{0, 0}, {1, 100}, {2, 150}});
  // Epochs 1 (starts exactly at 100) and 2 hold no records below 100: they go.
  ASSERT_TRUE(c.assign(5, 100));
  EXPECT_EQ(entries_of(c), (epoch_list{{0, 0}, {5, 100}}));
  EXPECT_EQ(entries_of(must_load(dir)), (epoch_list{{0, 0}, {5, 100}}));
  // A new epoch at the very start replaces everything.
  ASSERT_TRUE(c.assign(6, 0));
  EXPECT_EQ(entries_of(c), (epoch_list{{6, 0}}));
  EXPECT_EQ(entries_of(must_load(dir)), (epoch_list{{6, 0}}));
}

TEST(leader_epochs, truncate_from_drops_entries_starting_at_or_after_the_end) {
  temp_dir dir;
  auto c = with_history(dir, {{0, 0}, {1, 100}, {2, 150}});
  ASSERT_TRUE(c.truncate_from(150));  // epoch 2 starts exactly at the new end
  EXPECT_EQ(entries_of(c), (epoch_list{{0, 0}, {1, 100}}));
  EXPECT_EQ(entries_of(must_load(dir)), (epoch_list{{0, 0}, {1, 100}}));
  EXPECT_EQ(c.latest(), 1);

  ASSERT_TRUE(c.truncate_from(120));  // inside epoch 1: nothing to drop
  EXPECT_EQ(entries_of(c), (epoch_list{{0, 0}, {1, 100}}));

  ASSERT_TRUE(c.truncate_from(50));
  EXPECT_EQ(entries_of(c), (epoch_list{{0, 0}}));
  EXPECT_EQ(entries_of(must_load(dir)), (epoch_list{{0, 0}}));

  ASSERT_TRUE(c.truncate_from(0));
  EXPECT_TRUE(c.entries().empty());
  EXPECT_TRUE(must_load(dir).entries().empty());
}

TEST(leader_epochs, load_drops_entries_starting_past_the_log_end) {
  temp_dir dir;
  with_history(dir, {{0, 0}, {1, 100}, {2, 150}});
  EXPECT_EQ(entries_of(must_load(dir, 120)), (epoch_list{{0, 0}, {1, 100}}));
  EXPECT_EQ(entries_of(must_load(dir, 99)), (epoch_list{{0, 0}}));
  EXPECT_EQ(entries_of(must_load(dir, 150)), (epoch_list{{0, 0}, {1, 100}, {2, 150}}));
  // Only the loaded copy is cut; the file keeps every entry until the next write.
  EXPECT_EQ(entries_of(must_load(dir)), (epoch_list{{0, 0}, {1, 100}, {2, 150}}));
}

TEST(leader_epochs, load_skips_blank_lines) {
  temp_dir dir;
  testutil::write_file(checkpoint_path(dir), "0 0\n\n2 40\n");
  EXPECT_EQ(entries_of(must_load(dir)), (epoch_list{{0, 0}, {2, 40}}));
}

TEST(leader_epochs, corrupt_file_is_corrupt_message_naming_the_file) {
  for (const char* text : {
           "zero 0\n",           // non-numeric epoch
           "0 0\n1 abc\n",       // non-numeric offset
           "7\n",                // missing offset
           "-1 0\n",             // negative epoch
           "0 0\n0 10\n",        // equal epochs
           "0 0\n3 10\n2 20\n",  // decreasing epochs
           "0 100\n1 50\n",      // decreasing offsets
           "1 100abc\n",         // junk after the offset
           "1 100 junk\n",       // a third field
           "0 0\n2 200\n1 50\n",  // out of order past the log end (still the whole file counts)
       }) {
    temp_dir dir;
    testutil::write_file(checkpoint_path(dir), text);
    auto c = leader_epochs::load(dir.path(), 100);
    ASSERT_FALSE(c.has_value()) << text;
    EXPECT_EQ(c.error().code(), errc::corrupt_message) << text;
    EXPECT_NE(c.error().message().find(checkpoint_path(dir)), std::string::npos)
        << c.error().message();
  }
}

TEST(leader_epochs, end_offset_for_epoch_present) {
  temp_dir dir;
  auto c = with_history(dir, {{0, 0}, {1, 100}, {3, 120}});
  EXPECT_EQ(c.end_offset_for(0, 150), (std::pair<int32_t, int64_t>{0, 100}));
  EXPECT_EQ(c.end_offset_for(1, 150), (std::pair<int32_t, int64_t>{1, 120}));
  EXPECT_EQ(c.end_offset_for(3, 150), (std::pair<int32_t, int64_t>{3, 150}));  // the latest
}

TEST(leader_epochs, end_offset_for_absent_epoch_gives_largest_smaller_epoch) {
  temp_dir dir;
  auto c = with_history(dir, {{0, 0}, {1, 100}, {3, 120}});
  EXPECT_EQ(c.end_offset_for(2, 150), (std::pair<int32_t, int64_t>{1, 120}));
  EXPECT_EQ(c.end_offset_for(9, 150), (std::pair<int32_t, int64_t>{3, 150}));  // newer than all
}

TEST(leader_epochs, end_offset_for_epoch_older_than_all_entries) {
  temp_dir dir;
  auto c = with_history(dir, {{2, 50}, {3, 120}});
  EXPECT_EQ(c.end_offset_for(1, 150), (std::pair<int32_t, int64_t>{-1, 50}));
}

TEST(leader_epochs, end_offset_for_on_empty_cache_is_log_end) {
  temp_dir dir;
  auto c = must_load(dir);
  EXPECT_EQ(c.end_offset_for(0, 77), (std::pair<int32_t, int64_t>{-1, 77}));
  EXPECT_EQ(c.end_offset_for(5, 0), (std::pair<int32_t, int64_t>{-1, 0}));
}

// A follower that led epoch 2 (records 100..149 the leader never saw) meets the leader of
// epoch 3, whose history skips epoch 2: it must cut back to 100, where the logs agree.
TEST(leader_epochs, follower_divergence_truncates_to_last_shared_epoch_end) {
  temp_dir leader_dir, follower_dir;
  auto leader = with_history(leader_dir, {{0, 0}, {1, 100}, {3, 120}});
  auto follower = with_history(follower_dir, {{0, 0}, {2, 100}});
  const int64_t leader_leo = 200, follower_leo = 150;

  // The follower fetches naming its latest epoch, 2; the leader answers with the epoch it has
  // below that and where it ends.
  auto diverging = leader.end_offset_for(follower.latest(), leader_leo);
  EXPECT_EQ(diverging, (std::pair<int32_t, int64_t>{1, 120}));
  auto own = follower.end_offset_for(diverging.first, follower_leo);
  EXPECT_EQ(own, (std::pair<int32_t, int64_t>{0, 100}));
  int64_t truncate_to = std::min(diverging.second, own.second);
  EXPECT_EQ(truncate_to, 100);

  ASSERT_TRUE(follower.truncate_from(truncate_to));
  EXPECT_EQ(entries_of(follower), (epoch_list{{0, 0}}));
  EXPECT_EQ(entries_of(must_load(follower_dir, truncate_to)), (epoch_list{{0, 0}}));
  // Now the histories agree up to 100: fetching with epoch 0 finds no divergence.
  EXPECT_EQ(leader.end_offset_for(follower.latest(), leader_leo).second, 100);
}

}  // namespace
}  // namespace brook::runtime::storage::test
