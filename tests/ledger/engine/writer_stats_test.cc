// What the writer counts about itself (ledger/engine/writer_stats.h) and RocksDB's figures
// (Store::Stats), as timeledgerd's metrics read them: powers-of-two buckets with their edges, and a
// real ledger's groups, commits and queue after a few writes.
#include "ledger/engine/writer_stats.h"

#include <gtest/gtest.h>

#include "tests/support/ledger_fixture.h"

namespace timeledger::ledger {
namespace {

TEST(Log2CountsTest, EachValueFallsInTheBucketOfItsPowerOfTwo) {
  Log2Counts<4> counts;  // up to 1, (1, 2], (2, 4], and everything above 4
  for (uint64_t value : {0, 1, 2, 3, 4, 5, 1000}) counts.Add(value);
  EXPECT_EQ(counts.buckets[0].load(), 2u);  // 0, 1
  EXPECT_EQ(counts.buckets[1].load(), 1u);  // 2
  EXPECT_EQ(counts.buckets[2].load(), 2u);  // 3, 4
  EXPECT_EQ(counts.buckets[3].load(), 2u);  // 5, 1000
  EXPECT_EQ(counts.count.load(), 7u);
  EXPECT_EQ(counts.sum.load(), 1015u);
  EXPECT_EQ(Log2Counts<4>::UpperBound(2), 4u);
}

TEST(WriterStatsTest, AGroupLeavesTheQueueAndIsCounted) {
  WriterStats stats;
  for (int i = 0; i < 3; ++i) stats.Queued();
  stats.Took(0);  // woke with nothing to do
  stats.Took(2);  // two commands, then one more, into the same open group
  stats.Took(1);
  EXPECT_EQ(stats.queue_depth.load(), 0);
  EXPECT_EQ(stats.group_sizes.count.load(), 0u);  // counted when the group closes
  stats.Grouped(0);                               // expiries alone: not counted
  stats.Grouped(3);
  EXPECT_EQ(stats.group_sizes.count.load(), 1u);
  EXPECT_EQ(stats.group_sizes.buckets[2].load(), 1u);
}

using LedgerStatsTest = LedgerTest;

TEST_F(LedgerStatsTest, WritesAreCountedInGroupsAndCommits) {
  const uint64_t groups_before = ledger_->writer_stats().group_sizes.count.load();
  const uint64_t commits_before = ledger_->writer_stats().commit_micros.count.load();
  ASSERT_TRUE(Open("carol", AccountKind::kPerson).ok());
  ASSERT_TRUE(Open("dev", AccountKind::kPerson).ok());
  EXPECT_EQ(ledger_->writer_stats().group_sizes.count.load(), groups_before + 2);
  EXPECT_EQ(ledger_->writer_stats().commit_micros.count.load(), commits_before + 2);
  EXPECT_EQ(ledger_->writer_stats().queue_depth.load(), 0);
  const StoreStats store = ledger_->StoreStatistics();
  EXPECT_GT(store.memtable_bytes, 0u);
  EXPECT_FALSE(store.writes_stopped);
}

}  // namespace
}  // namespace timeledger::ledger
