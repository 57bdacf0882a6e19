// FeedTail and the hand-written feed messages (services/feed_tail.h, feed_wire.h): what a stream
// is sent from memory is, byte for byte, what it would be sent from the store, and an erasure
// leaves no erased value in memory.
#include "services/feed_tail.h"

#include <string>
#include <vector>

#include <gtest/gtest.h>

#include "ledger/engine/journal_feed.h"
#include "services/journal_record_convert.h"
#include "tests/support/ledger_fixture.h"
#include "timeledger/v1/audit.pb.h"

namespace timeledger::services {
namespace {

using ledger::FactType;
using ledger::FeedFilter;

// What a stream is sent from `position` to the end of the journal, message by message.
struct Sent {
  std::vector<std::string> records;  // each record serialised
  std::vector<std::string> priors;
  uint64_t next_position = 0;
  std::string journal_hash;
  size_t messages = 0;
};

v1::WatchJournalResponse Parse(grpc::ByteBuffer buffer) {
  std::vector<grpc::Slice> slices;
  EXPECT_TRUE(buffer.Dump(&slices).ok());
  std::string bytes;
  for (const grpc::Slice& slice : slices) {
    bytes.append(reinterpret_cast<const char*>(slice.begin()), slice.size());
  }
  v1::WatchJournalResponse response;
  EXPECT_TRUE(response.ParseFromString(bytes));
  return response;
}

void Take(const v1::WatchJournalResponse& message, Sent* sent) {
  ASSERT_EQ(message.records_size(), message.prior_chain_hashes_size());
  for (int i = 0; i < message.records_size(); ++i) {
    sent->records.push_back(message.records(i).SerializeAsString());
    sent->priors.push_back(message.prior_chain_hashes(i));
  }
  EXPECT_GE(message.next_position(), sent->next_position);
  sent->next_position = message.next_position();
  sent->journal_hash = message.journal_hash();
  ++sent->messages;
}

class FeedTailTest : public ledger::LedgerTest {
 protected:
  uint64_t Size() {
    auto digest = ledger_->GetDigest(ledger::BankId("hcct"));
    EXPECT_TRUE(digest.ok());
    return digest.ok() ? digest->tree_size : 0;
  }

  // From the store, as a stream behind the tail is served.
  Sent FromStore(uint64_t position, const FeedFilter& filter) {
    Sent sent;
    sent.next_position = position;
    do {
      auto page = ledger_->ReadFeed(ledger::BankId("hcct"), sent.next_position, filter, 7);
      EXPECT_TRUE(page.ok()) << page.status();
      if (!page.ok()) break;
      FeedMessage message;
      std::string wire;
      for (size_t i = 0; i < page->records.size(); ++i) {
        wire.clear();
        AppendJournalRecord(page->records[i], page->facts[i], &wire);
        message.Add(wire, page->prior_hashes[i]);
      }
      Take(Parse(message.Finish(page->next_position, page->journal_hash, page->tree_size)), &sent);
    } while (sent.next_position < Size());
    return sent;
  }

  // From `tail`; fails the test if the tail does not hold `position`.
  Sent FromTail(const FeedTail& tail, uint64_t position, const FeedFilter& filter) {
    Sent sent;
    sent.next_position = position;
    do {
      FeedMessage message;
      auto served = tail.Serve(sent.next_position, filter, 3, &message);
      EXPECT_TRUE(served.has_value()) << "the tail does not hold " << sent.next_position;
      if (!served.has_value()) break;
      Take(Parse(message.Finish(served->next_position, served->journal_hash, served->tree_size)),
           &sent);
    } while (sent.next_position < Size());
    return sent;
  }

  void RecordSome() {
    RulesOff();
    const char* pairs[][2] = {{"centre", "alice"}, {"alice", "bob"},    {"centre", "bob"},
                              {"bob", "alice"},    {"alice", "centre"}, {"centre", "bob"}};
    for (int i = 0; i < 6; ++i) {
      auto receipt = Record(Spec("e" + std::to_string(i), pairs[i][0], pairs[i][1], 30));
      ASSERT_TRUE(receipt.ok()) << receipt.status();
    }
    ASSERT_TRUE(Reverse(2).ok());
    ASSERT_TRUE(Open("carol", ledger::AccountKind::kPerson).ok());
  }

  static void ExpectSame(const Sent& tail, const Sent& store) {
    EXPECT_EQ(tail.records, store.records);
    EXPECT_EQ(tail.priors, store.priors);
    EXPECT_EQ(tail.next_position, store.next_position);
    EXPECT_EQ(tail.journal_hash, store.journal_hash);
  }
};

TEST_F(FeedTailTest, ServesWhatTheStoreServesFromEveryPositionWithEveryFilter) {
  RecordSome();
  const uint64_t size = Size();
  FeedTail tail(ledger_.get(), ledger::BankId("hcct"), 0);
  ASSERT_TRUE(tail.CatchUp(size).ok());
  EXPECT_EQ(tail.begin(), 0u);
  EXPECT_EQ(tail.end(), size);
  std::vector<FeedFilter> filters(5);
  filters[1].types = {FactType::kEntry};
  filters[2].account_id = "alice";
  filters[3].account_id = "carol";
  filters[3].types = {FactType::kAccountOpened, FactType::kEntry};
  filters[4].account_id = "nobody";
  for (size_t f = 0; f < filters.size(); ++f) {
    for (uint64_t position = 0; position <= size; ++position) {
      SCOPED_TRACE(::testing::Message() << "filter " << f << ", from " << position);
      const Sent store = FromStore(position, filters[f]);
      const Sent memory = FromTail(tail, position, filters[f]);
      ExpectSame(memory, store);
      if (f == 0) {
        EXPECT_EQ(memory.records.size(), size - position);
      }
    }
  }
  // And it follows what comes next.
  ASSERT_TRUE(Record(Spec("later", "bob", "carol", 15)).ok());
  ASSERT_TRUE(tail.CatchUp(Size()).ok());
  EXPECT_EQ(tail.end(), Size());
  ExpectSame(FromTail(tail, size, filters[3]), FromStore(size, filters[3]));
  EXPECT_EQ(FromTail(tail, size, filters[3]).records.size(), 1u);
}

TEST_F(FeedTailTest, KeepsWithinItsBoundsAndStartsAgainWhenFarBehind) {
  RecordSome();
  const uint64_t size = Size();
  FeedTail small(ledger_.get(), ledger::BankId("hcct"), 0, /*facts_max=*/4);
  ASSERT_TRUE(small.CatchUp(size).ok());  // more than it holds: starts at the last 4
  EXPECT_EQ(small.begin(), size - 4);
  EXPECT_EQ(small.end(), size);
  FeedMessage message;
  EXPECT_FALSE(small.Serve(size - 5, FeedFilter(), 100, &message).has_value());
  ExpectSame(FromTail(small, size - 4, FeedFilter()), FromStore(size - 4, FeedFilter()));
  ASSERT_TRUE(Record(Spec("later", "bob", "carol", 15)).ok());
  ASSERT_TRUE(small.CatchUp(Size()).ok());
  EXPECT_EQ(small.begin(), Size() - 4);  // the oldest went
  ExpectSame(FromTail(small, Size() - 4, FeedFilter()), FromStore(Size() - 4, FeedFilter()));

  // A record is a few hundred bytes: a 1-byte bound keeps one record, the newest.
  FeedTail tight(ledger_.get(), ledger::BankId("hcct"), 0, 1000, /*bytes_max=*/1);
  ASSERT_TRUE(tight.CatchUp(Size()).ok());
  EXPECT_EQ(tight.begin(), Size());
  EXPECT_EQ(tight.end(), Size());
}

TEST_F(FeedTailTest, AnErasureEmptiesTheTailSoNoErasedValueIsServedFromMemory) {
  RecordSome();
  FeedTail tail(ledger_.get(), ledger::BankId("hcct"), 0);
  ASSERT_TRUE(tail.CatchUp(Size()).ok());
  const FeedFilter carol{{FactType::kAccountOpened}, "carol"};
  const Sent before = FromTail(tail, 0, carol);
  ASSERT_EQ(before.records.size(), 1u);
  EXPECT_NE(before.records[0].find("Name of carol"), std::string::npos);

  auto erased = ledger::Await<ledger::ErasureReceipt>([&](auto done) {
    ledger_->ErasePersonalData(ledger::BankId("hcct"), ledger::AccountId("carol"), "request 7",
                               ledger::AdminNamed("coordinator"), std::move(done));
  });
  ASSERT_TRUE(erased.ok()) << erased.status();
  const uint64_t size = Size();
  ASSERT_TRUE(tail.CatchUp(size).ok());
  EXPECT_EQ(tail.begin(), size);  // everything before the erasure is gone from memory
  FeedMessage message;
  EXPECT_FALSE(tail.Serve(0, carol, 100, &message).has_value());
  EXPECT_FALSE(tail.Serve(size - 1, carol, 100, &message).has_value());  // the erasure itself
  const Sent after = FromStore(0, carol);
  ASSERT_EQ(after.records.size(), 1u);
  EXPECT_EQ(after.records[0].find("Name of carol"), std::string::npos);
  ASSERT_TRUE(Record(Spec("after", "bob", "alice", 15)).ok());
  ASSERT_TRUE(tail.CatchUp(Size()).ok());
  ExpectSame(FromTail(tail, size, FeedFilter()), FromStore(size, FeedFilter()));
}

}  // namespace
}  // namespace timeledger::services
