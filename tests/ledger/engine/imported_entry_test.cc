// History moved in from another system (EntrySpec::imported, `timeledger import`): an imported
// entry keeps its own date and passes by the rules that judge the present, because it is marked
// imported in its hashed bytes (version 3), not because a rule is switched off; the same entry
// not imported is refused. Only staff import; an imported reversal undoes an entry of the bank;
// a member who moved in keeps the day they joined. The chain verifies throughout.
#include <string>

#include <gtest/gtest.h>

#include "ledger/core/errors.h"
#include "ledger/core/records.h"
#include "ledger/engine/ledger.h"
#include "tests/support/ledger_fixture.h"

namespace timeledger::ledger {
namespace {

class ImportedEntryTest : public LedgerTest {
 protected:
  absl::StatusOr<Receipt> RecordAs(const EntrySpec& spec, const Principal& caller) {
    return Await<Receipt>([&](auto done) { ledger_->RecordEntry(spec, caller, std::move(done)); });
  }

  // An exchange from bob to alice dated years back, of `minutes`.
  static EntrySpec Old(const std::string& id, int64_t minutes, bool imported) {
    EntrySpec spec = Spec(id, "bob", "alice", minutes);
    spec.occurred_at = kNow - absl::Hours(24 * 365 * 5);
    spec.imported = imported;
    return spec;
  }
};

TEST_F(ImportedEntryTest, HistoryPassesTheRulesOfThePresentOnlyWhenMarkedImported) {
  // The default policy: 15-minute steps, at most 8 hours an entry, 12 a day, 60 days back, a
  // floor of -10 hours, a cap of 100 hours.
  struct Case {
    const char* what;
    EntrySpec spec;
    Reason refused_with;
  };
  EntrySpec odd = Old("odd", 20, false);
  odd.occurred_at = kNow;
  EntrySpec big = Old("big", 9 * 60, false);
  big.occurred_at = kNow;
  const Case cases[] = {
      {"dated five years back", Old("old", 60, false), Reason::kBackdated},
      {"20 minutes, not a step of 15", odd, Reason::kGranularity},
      {"9 hours in one entry", big, Reason::kEntryMaximum},
  };
  for (const Case& c : cases) {
    auto refused = Record(c.spec);
    EXPECT_TRUE(HasReason(refused.status(), c.refused_with)) << c.what << ": " << refused.status();
    EntrySpec imported = c.spec;
    imported.imported = true;
    auto recorded = Record(imported);
    ASSERT_TRUE(recorded.ok()) << c.what << ": " << recorded.status();
    EXPECT_TRUE(recorded->entry.imported);
    EXPECT_FALSE(recorded->pending);
    EXPECT_EQ(recorded->entry.occurred_at, imported.occurred_at) << c.what;
  }
  // Past the payer's floor and the earner's cap: 150 hours from bob to alice, as history.
  // Bob is now below his floor of -10 hours by the history alone: today he may pay nothing.
  EXPECT_TRUE(
      HasReason(Record(Spec("today", "bob", "alice", 15)).status(), Reason::kOverdraftLimit));
  auto large = Record(Old("opening", 150 * 60, true));
  ASSERT_TRUE(large.ok()) << large.status();
  EXPECT_EQ(Balance("alice"), 20 + 9 * 60 + 60 + 150 * 60);
  EXPECT_EQ(Balance("bob"), -(20 + 9 * 60 + 60 + 150 * 60));
  // Even imported, an entry is at most 10,000 hours.
  EXPECT_TRUE(HasReason(Record(Old("huge", kImportedEntryMinutesMax + 1, true)).status(),
                        Reason::kInvalidMinutes));
  EXPECT_TRUE(ledger_->Verify().ok()) << ledger_->Verify().status;
}

TEST_F(ImportedEntryTest, TheFlagIsInTheHashedBytesAndSurvivesAReopen) {
  auto recorded = Record(Old("moved-1", 45, true));
  ASSERT_TRUE(recorded.ok()) << recorded.status();
  EXPECT_EQ(recorded->entry.version, kEntryVersionFlagged);
  const std::string bytes = CanonicalEntryBytes(recorded->entry);
  EXPECT_EQ(bytes[0], static_cast<char>(kEntryVersionFlagged));
  EXPECT_EQ(bytes.back(), static_cast<char>(kEntryFlagImported));
  // The same entry without its flag hashes differently: the flag cannot be dropped unseen.
  Entry unflagged = recorded->entry;
  unflagged.imported = false;
  unflagged.version = kEntryVersionSealed;
  EXPECT_NE(ChainHashOfBytes(Digest{}, CanonicalEntryBytes(unflagged)),
            ChainHashOfBytes(Digest{}, bytes));
  auto decoded = DecodeCanonicalEntry(bytes);
  ASSERT_TRUE(decoded.ok()) << decoded.status();
  EXPECT_TRUE(decoded->imported);
  // A version 3 entry with no flag, or an unknown one, is malformed.
  for (char flags : {'\x00', '\x02'}) {
    std::string bad = bytes;
    bad.back() = flags;
    EXPECT_FALSE(DecodeCanonicalEntry(bad).ok()) << int(flags);
  }
  // An ordinary entry stays version 2.
  auto ordinary = Record(Spec("today", "bob", "alice", 30));
  ASSERT_TRUE(ordinary.ok()) << ordinary.status();
  EXPECT_EQ(ordinary->entry.version, kEntryVersionSealed);
  EXPECT_FALSE(ordinary->entry.imported);

  Reopen();
  auto read = ledger_->GetEntry(BankId("hcct"), recorded->entry.seq);
  ASSERT_TRUE(read.ok()) << read.status();
  EXPECT_TRUE(read->imported);
  EXPECT_EQ(read->hash, recorded->entry.hash);
  EXPECT_TRUE(ledger_->Verify().ok()) << ledger_->Verify().status;
}

TEST_F(ImportedEntryTest, ARetryRecordsNothingAndTheSameKeyNotImportedIsAnotherRequest) {
  auto first = Record(Old("moved-2", 60, true));
  ASSERT_TRUE(first.ok()) << first.status();
  auto again = Record(Old("moved-2", 60, true));
  ASSERT_TRUE(again.ok()) << again.status();
  EXPECT_TRUE(again->replayed);
  EXPECT_EQ(again->entry.seq, first->entry.seq);
  EntrySpec not_imported = Old("moved-2", 60, false);
  not_imported.occurred_at = absl::InfinitePast();
  EXPECT_TRUE(HasReason(Record(not_imported).status(), Reason::kEntryIdReused));
  EXPECT_EQ(Balance("alice"), 60);
}

TEST_F(ImportedEntryTest, OnlyTheAdminImports) {
  Principal partner;
  partner.name = "cafe";
  partner.role = PrincipalRole::kPartner;
  partner.bank_id = "hcct";
  partner.account_id = "centre";
  EntrySpec spend = Old("p-1", 30, true);
  spend.kind = EntryKind::kSpend;
  spend.to_account_id = "centre";
  EXPECT_TRUE(HasReason(RecordAs(spend, partner).status(), Reason::kRoleNotAllowed));
  Principal coordinator;
  coordinator.name = "dora";
  coordinator.role = PrincipalRole::kCoordinator;
  coordinator.bank_id = "hcct";
  // Not even a coordinator: an imported entry passes confirmation, floors and caps, so a
  // coordinator could credit anyone with it, themselves included (coordinator alice here).
  EXPECT_TRUE(
      HasReason(RecordAs(Old("c-1", 30, true), coordinator).status(), Reason::kRoleNotAllowed));
  coordinator.account_id = "alice";
  EXPECT_TRUE(
      HasReason(RecordAs(Old("c-2", 30, true), coordinator).status(), Reason::kRoleNotAllowed));
  auto recorded = RecordAs(Old("a-1", 30, true), AdminNamed("mover"));
  ASSERT_TRUE(recorded.ok()) << recorded.status();
  EXPECT_EQ(recorded->entry.recorded_by, "mover");
  EXPECT_EQ(Balance("alice"), 30);
}

TEST_F(ImportedEntryTest, AnImportedReversalUndoesAnEntryOfTheBankOnce) {
  auto original = Record(Old("r-1", 90, true));
  ASSERT_TRUE(original.ok()) << original.status();
  EntrySpec reversal = Old("r-1-undone", 90, true);
  reversal.kind = EntryKind::kReversal;
  reversal.from_account_id = "alice";
  reversal.to_account_id = "bob";
  // Without reverses_seq, or not imported, a reversal is ReverseEntry's.
  EXPECT_TRUE(HasReason(Record(reversal).status(), Reason::kReversalNotRecordable));
  reversal.reverses_seq = original->entry.seq;
  EntrySpec wrong = reversal;
  wrong.minutes = 60;
  EXPECT_TRUE(HasReason(Record(wrong).status(), Reason::kKindMismatch));
  auto undone = Record(reversal);
  ASSERT_TRUE(undone.ok()) << undone.status();
  EXPECT_EQ(undone->entry.reverses_seq, original->entry.seq);
  EXPECT_EQ(Balance("alice"), 0);
  auto read = ledger_->GetEntry(BankId("hcct"), original->entry.seq);
  ASSERT_TRUE(read.ok());
  EXPECT_EQ(read->reversed_by_seq, undone->entry.seq);
  reversal.entry_id = "r-1-undone-again";
  EXPECT_TRUE(HasReason(Record(reversal).status(), Reason::kAlreadyReversed));
  EXPECT_TRUE(ledger_->Verify().ok()) << ledger_->Verify().status;
}

TEST_F(ImportedEntryTest, AnImportedReversalOfAGrantFitsAsTheGrantDid) {
  EntrySpec grant = Old("g-1", 120, true);
  grant.kind = EntryKind::kGrant;
  grant.from_account_id = "pool";
  auto granted = Record(grant);
  ASSERT_TRUE(granted.ok()) << granted.status();
  EntrySpec undo = Old("g-1-undone", 120, true);
  undo.kind = EntryKind::kReversal;
  undo.from_account_id = "alice";
  undo.to_account_id = "pool";
  undo.reverses_seq = granted->entry.seq;
  auto undone = Record(undo);
  ASSERT_TRUE(undone.ok()) << undone.status();
  EXPECT_EQ(Balance("alice"), 0);
  EXPECT_TRUE(ledger_->Verify().ok()) << ledger_->Verify().status;
}

TEST_F(ImportedEntryTest, AMemberWhoMovedInKeepsTheDayTheyJoined) {
  Account account;
  account.bank_id = "hcct";
  account.account_id = "maria";
  account.kind = AccountKind::kPerson;
  account.display_name = "Maria O'Neill";
  const absl::Time joined = absl::FromCivil(absl::CivilDay(2016, 4, 2), absl::UTCTimeZone());
  auto opened = Await<Account>([&](auto done) {
    ledger_->MoveInAccount(account, joined, AdminNamed("test"), std::move(done));
  });
  ASSERT_TRUE(opened.ok()) << opened.status();
  EXPECT_EQ(opened->opened_at, joined);
  for (absl::Time wrong : {absl::FromCivil(absl::CivilDay(1979, 12, 31), absl::UTCTimeZone()),
                           kNow + absl::Hours(24)}) {
    account.account_id = "other";
    auto refused = Await<Account>([&](auto done) {
      ledger_->MoveInAccount(account, wrong, AdminNamed("test"), std::move(done));
    });
    EXPECT_TRUE(HasReason(refused.status(), Reason::kInvalidDate)) << refused.status();
  }
  Reopen();
  auto read = ledger_->GetAccount(BankId("hcct"), AccountId("maria"));
  ASSERT_TRUE(read.ok()) << read.status();
  EXPECT_EQ(read->opened_at, joined);
  EXPECT_TRUE(ledger_->Verify().ok()) << ledger_->Verify().status;
}

}  // namespace
}  // namespace timeledger::ledger
