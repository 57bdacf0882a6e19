// A ledger written by the previous layout (layout 1: every entry also stored under 'e'), made by
// the timeledgerd of that commit (tests/fixtures/README.md), opened by this code: migrated once
// by a writable open, served exactly as the old server served it, verified, and written to. And
// the refusals: a read-only open of layout 1, a second copy that disagrees with its fact (nothing
// deleted), a layout newer than this code.
#include <cstdlib>
#include <fstream>
#include <optional>
#include <sstream>
#include <string>

#include "absl/strings/str_cat.h"
#include <google/protobuf/util/json_util.h>
#include <google/protobuf/util/message_differencer.h>
#include <gtest/gtest.h>
#include <rocksdb/db.h>

#include "ledger/core/errors.h"
#include "ledger/store/data_dir.h"
#include "ledger/store/keys.h"
#include "ledger/verify/verify.h"
#include "services/convert.h"
#include "tests/support/fixture_ledger.h"

namespace timeledger::ledger {
namespace {

constexpr char kBank[] = "holy-cross";

std::string Fixed64(uint64_t value) {
  std::string out;
  for (int shift = 56; shift >= 0; shift -= 8) out.push_back(static_cast<char>(value >> shift));
  return out;
}

// The store of a closed ledger, opened directly.
class RawStore {
 public:
  explicit RawStore(const std::string& data_dir) {
    rocksdb::DB* db = nullptr;
    const auto status = rocksdb::DB::Open(rocksdb::Options(), StorePathOf(data_dir), &db);
    EXPECT_TRUE(status.ok()) << status.ToString();
    db_.reset(db);
  }

  // The keys that start with `prefix`.
  size_t Count(const std::string& prefix) {
    std::unique_ptr<rocksdb::Iterator> it(db_->NewIterator(rocksdb::ReadOptions()));
    size_t count = 0;
    for (it->Seek(prefix); it->Valid() && it->key().starts_with(prefix); it->Next()) ++count;
    return count;
  }
  std::optional<std::string> Get(const std::string& key) {
    std::string value;
    if (!db_->Get(rocksdb::ReadOptions(), key, &value).ok()) return std::nullopt;
    return value;
  }
  void Put(const std::string& key, const std::string& value) {
    rocksdb::WriteOptions options;
    options.sync = true;
    ASSERT_TRUE(db_->Put(options, key, value).ok());
  }

 private:
  std::unique_ptr<rocksdb::DB> db_;
};

class LayoutMigrationTest : public FixtureLedgerTest {
 protected:
  void SetUp() override { Unpack("layout1-ledger.tar.gz"); }
  v1::ListEntriesResponse Served(const std::string& account) {
    return FixtureLedgerTest::Served(kBank, account);
  }
};

TEST_F(LayoutMigrationTest, AnOldLedgerIsMigratedOnceAndServedAsTheOldServerServedIt) {
  {
    RawStore raw(dir_.path());
    ASSERT_GT(raw.Count("e"), 10u) << "the fixture is not a layout-1 ledger";
    ASSERT_FALSE(raw.Get("V").has_value());
  }
  Reopen();
  ASSERT_TRUE(ledger_->CheckConsistency().ok()) << ledger_->CheckConsistency();
  google::protobuf::util::MessageDifferencer same;
  std::string diff;
  same.ReportDifferencesToString(&diff);
  EXPECT_TRUE(same.Compare(Expected("layout1-entries.json"), Served(""))) << diff;
  EXPECT_TRUE(same.Compare(Expected("layout1-entries-alice.json"), Served("alice"))) << diff;
  const VerifyReport online = ledger_->Verify();
  ASSERT_TRUE(online.ok()) << online.status;
  EXPECT_EQ(online.entries, static_cast<uint64_t>(Expected("layout1-entries.json").rows_size()));

  EntrySpec spec = Spec("after-migration", "bob", "alice", 30);
  spec.bank_id = kBank;
  auto recorded = Record(spec);
  ASSERT_TRUE(recorded.ok()) << recorded.status();
  auto reversed = Await<Receipt>([&](auto done) {
    ledger_->ReverseEntry(BankId(kBank), recorded->entry.seq, EntryId(), "a test",
                          AdminNamed("coordinator"), std::move(done));
  });
  ASSERT_TRUE(reversed.ok()) << reversed.status();
  auto read = ledger_->GetEntry(BankId(kBank), recorded->entry.seq);
  ASSERT_TRUE(read.ok()) << read.status();
  EXPECT_EQ(read->reversed_by_seq, reversed->entry.seq);
  ledger_.reset();

  {
    RawStore raw(dir_.path());
    EXPECT_EQ(raw.Count("e"), 0u);
    EXPECT_EQ(raw.Get("V"), Fixed64(kLayoutVersionCurrent));
  }
  const VerifyReport offline = VerifyOffline();
  ASSERT_TRUE(offline.ok()) << offline.status;
  EXPECT_EQ(offline.entries, online.entries + 2);
  Reopen();  // a second open finds nothing to migrate
  EXPECT_TRUE(same.Compare(Expected("layout1-entries.json"),
                           [&] {
                             v1::ListEntriesResponse served = Served("");
                             served.mutable_rows()->DeleteSubrange(served.rows_size() - 2, 2);
                             return served;
                           }()))
      << diff;
}

TEST_F(LayoutMigrationTest, AReadOnlyOpenOfAnOldLedgerSaysHowToMigrateIt) {
  const VerifyReport report = VerifyOffline();
  EXPECT_EQ(report.status.code(), absl::StatusCode::kFailedPrecondition);
  EXPECT_EQ(ReasonOf(report.status), "STORE_OPEN_FAILED");
  EXPECT_NE(std::string(report.status.message()).find("timeledgerd --migrate"), std::string::npos)
      << report.status;
  RawStore raw(dir_.path());
  EXPECT_GT(raw.Count("e"), 10u);
}

TEST_F(LayoutMigrationTest, ASecondCopyThatDisagreesWithItsFactRefusesTheMigrationAndKeepsAll) {
  const std::string key = std::string("e") + kBank + '\0' + Fixed64(3);
  size_t copies = 0;
  {
    RawStore raw(dir_.path());
    copies = raw.Count("e");
    std::optional<std::string> value = raw.Get(key);
    ASSERT_TRUE(value.has_value());
    (*value)[value->size() - 40] ^= 0x01;
    raw.Put(key, *value);
  }
  LedgerOptions options;
  options.data_dir = dir_.path();
  auto opened = Ledger::Open(options);
  ASSERT_FALSE(opened.ok());
  EXPECT_EQ(opened.status().code(), absl::StatusCode::kDataLoss);
  EXPECT_EQ(ReasonOf(opened.status()), "ENTRY_MISMATCH") << opened.status();
  EXPECT_EQ(FiguresOf(opened.status())["seq"], "3");
  RawStore raw(dir_.path());
  EXPECT_EQ(raw.Count("e"), copies);
  EXPECT_FALSE(raw.Get("V").has_value());
}

TEST_F(LayoutMigrationTest, ALedgerOfANewerLayoutIsRefusedNamingBothVersions) {
  Reopen();
  ledger_.reset();
  const uint64_t newer = kLayoutVersionCurrent + 1;
  RawStore(dir_.path()).Put("V", Fixed64(newer));
  LedgerOptions options;
  options.data_dir = dir_.path();
  auto opened = Ledger::Open(options);
  ASSERT_FALSE(opened.ok());
  EXPECT_EQ(opened.status().code(), absl::StatusCode::kFailedPrecondition);
  EXPECT_EQ(ReasonOf(opened.status()), "STORE_OPEN_FAILED");
  EXPECT_NE(std::string(opened.status().message()).find(absl::StrCat("layout version ", newer)),
            std::string::npos)
      << opened.status();
  EXPECT_EQ(FiguresOf(opened.status())["version"], std::to_string(newer));
  EXPECT_EQ(FiguresOf(opened.status())["supported_version"], std::to_string(kLayoutVersionCurrent));
  const VerifyReport read_only = VerifyOffline();
  EXPECT_EQ(read_only.status.code(), absl::StatusCode::kFailedPrecondition);
  EXPECT_EQ(FiguresOf(read_only.status)["version"], std::to_string(newer));
}

}  // namespace
}  // namespace timeledger::ledger
