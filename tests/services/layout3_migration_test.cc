// A ledger written by layout 3 (personal values hashed as they are, inside their facts), made by
// the timeledgerd of that commit (tests/fixtures/README.md), opened by this code: read as it is
// by a read-only open, raised to layout 4 by a writable one with nothing rewritten, served as the
// old server served it, verified, and written to: new facts seal their personal values. Erasing a
// member whose values are in layout-3 facts blanks the derived state and says that the facts
// keep them.
#include <cstdlib>
#include <fstream>
#include <memory>
#include <sstream>
#include <string>

#include <google/protobuf/util/json_util.h>
#include <google/protobuf/util/message_differencer.h>
#include <gtest/gtest.h>
#include <rocksdb/db.h>

#include "ledger/core/errors.h"
#include "ledger/core/merkle.h"
#include "ledger/core/sha256.h"
#include "ledger/store/data_dir.h"
#include "ledger/verify/verify.h"
#include "services/convert.h"
#include "tests/support/fixture_ledger.h"
#include "tests/support/raw_store.h"

namespace timeledger::ledger {
namespace {

constexpr char kBank[] = "holy-cross";

class Layout3MigrationTest : public FixtureLedgerTest {
 protected:
  void SetUp() override { Unpack("layout3-ledger.tar.gz"); }
  v1::ListEntriesResponse Served(const std::string& account) {
    return FixtureLedgerTest::Served(kBank, account);
  }

  std::string LayoutVersion() { return RawStore(dir_.path()).Get("V"); }
};

TEST_F(Layout3MigrationTest, AReadOnlyOpenReadsLayout3AsItIs) {
  ASSERT_EQ(LayoutVersion(), Fixed64(3)) << "the fixture is not a layout-3 ledger";
  const VerifyReport report = VerifyOffline();
  ASSERT_TRUE(report.ok()) << report.status;
  EXPECT_EQ(
      report.entries,
      static_cast<uint64_t>(Expected<v1::ListEntriesResponse>("layout3-entries.json").rows_size()));
  EXPECT_EQ(LayoutVersion(), Fixed64(3));
}

TEST_F(Layout3MigrationTest, AWritableOpenRaisesTheLayoutAndServesTheOldEntriesAndNames) {
  Reopen();
  ASSERT_TRUE(ledger_->CheckConsistency().ok()) << ledger_->CheckConsistency();
  google::protobuf::util::MessageDifferencer same;
  std::string diff;
  same.ReportDifferencesToString(&diff);
  EXPECT_TRUE(same.Compare(Expected<v1::ListEntriesResponse>("layout3-entries.json"), Served("")))
      << diff;
  EXPECT_TRUE(
      same.Compare(Expected<v1::ListEntriesResponse>("layout3-entries-erin.json"), Served("erin")))
      << diff;
  const auto accounts = Expected<v1::ListAccountsResponse>("layout3-accounts.json");
  ASSERT_GT(accounts.accounts_size(), 0);
  for (const v1::Account& old : accounts.accounts()) {
    auto account = ledger_->GetAccount(BankId(kBank), AccountId(old.account_id()));
    ASSERT_TRUE(account.ok()) << account.status();
    EXPECT_EQ(account->display_name, old.display_name());
  }
  auto card = ledger_->GetMemberCard(BankId(kBank), AccountId("erin"));
  ASSERT_TRUE(card.ok() && card->has_value());
  EXPECT_EQ((*card)->card_number, "40001234");
  const VerifyReport online = ledger_->Verify();
  ASSERT_TRUE(online.ok()) << online.status;

  // New facts after the migration seal their values.
  EntrySpec spec = Spec("after-migration", "bob", "alice", 30);
  spec.bank_id = kBank;
  spec.note = "after the move";
  auto recorded = Record(spec);
  ASSERT_TRUE(recorded.ok()) << recorded.status();
  auto read = ledger_->GetEntry(BankId(kBank), recorded->entry.seq);
  ASSERT_TRUE(read.ok()) << read.status();
  EXPECT_EQ(read->version, kEntryVersionSealed);
  EXPECT_EQ(read->note, "after the move");
  auto old_entry = ledger_->GetEntry(BankId(kBank), 13);
  ASSERT_TRUE(old_entry.ok());
  EXPECT_EQ(old_entry->version, kEntryVersionInline);
  EXPECT_EQ(old_entry->note, "Erin helped Dev move house");
  ledger_.reset();

  EXPECT_EQ(LayoutVersion(), Fixed64(4));
  const VerifyReport offline = VerifyOffline();
  ASSERT_TRUE(offline.ok()) << offline.status;
  EXPECT_EQ(offline.entries, online.entries + 1);

  // The digest the old server gave is a prefix of the migrated ledger's.
  Reopen();
  const std::string saved = ReadFixtureFile("layout3-digest.json");
  const size_t at = saved.find("\"root_hash\": \"");
  ASSERT_NE(at, std::string::npos);
  auto old_root = DigestFromHex(saved.substr(at + 14, kDigestHexChars));
  ASSERT_TRUE(old_root.ok()) << old_root.status();
  auto digest = ledger_->GetDigest(BankId(kBank));
  ASSERT_TRUE(digest.ok());
  auto proof = ledger_->GetConsistencyProof(BankId(kBank), 40, 0);
  ASSERT_TRUE(proof.ok()) << proof.status();
  EXPECT_TRUE(
      VerifyConsistency(40, digest->tree_size, *old_root, digest->root_hash, proof->path).ok());
}

TEST_F(Layout3MigrationTest, ErasingAMemberOfLayout3BlanksTheDerivedStateAndSaysTheFactsKeepIt) {
  Reopen();
  auto erased = Await<ErasureReceipt>([&](auto done) {
    ledger_->ErasePersonalData(BankId(kBank), AccountId("erin"), "request 7", AdminNamed("coordinator"),
                               std::move(done));
  });
  ASSERT_TRUE(erased.ok()) << erased.status();
  EXPECT_TRUE(erased->values_in_old_facts);
  EXPECT_EQ(erased->account.display_name, "");
  auto account = ledger_->GetAccount(BankId(kBank), AccountId("erin"));
  ASSERT_TRUE(account.ok());
  EXPECT_TRUE(account->personal_data_erased);
  auto card = ledger_->GetMemberCard(BankId(kBank), AccountId("erin"));
  ASSERT_TRUE(card.ok());
  EXPECT_TRUE(!card->has_value() || (*card)->card_number.empty());
  // The layout-3 entry keeps its note: its bytes, and so the chains, hold it.
  EXPECT_EQ(ledger_->GetEntry(BankId(kBank), 13)->note, "Erin helped Dev move house");
  const VerifyReport report = ledger_->Verify();
  EXPECT_TRUE(report.ok()) << report.status;
}

}  // namespace
}  // namespace timeledger::ledger
