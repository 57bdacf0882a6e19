// The ledger core on a real RocksDB in a fresh directory, with a fixed clock.
#include "ledger/engine/ledger.h"

#include <atomic>
#include <thread>

#include <gtest/gtest.h>

#include "ledger/core/errors.h"
#include "tests/support/ledger_fixture.h"

namespace timeledger::ledger {
namespace {

TEST_F(LedgerTest, RecordingAnExchangeMovesMinutesFromPayerToEarner) {
  auto receipt = Record(Spec("e1", "bob", "alice", 90));
  ASSERT_TRUE(receipt.ok()) << receipt.status();
  EXPECT_EQ(receipt->entry.seq, 1u);
  EXPECT_EQ(receipt->entry.recorded_by, "coordinator");
  EXPECT_EQ(receipt->entry.recorded_at, kNow);
  EXPECT_EQ(receipt->entry.occurred_at, kNow);
  EXPECT_EQ(receipt->from_balance_minutes, -90);
  EXPECT_EQ(receipt->to_balance_minutes, 90);
  EXPECT_EQ(Balance("alice"), 90);
  EXPECT_EQ(Balance("bob"), -90);
  auto alice = ledger_->GetAccount(BankId("hcct"), AccountId("alice"));
  EXPECT_EQ(alice->earned_minutes, 90);
  EXPECT_EQ(alice->spent_minutes, 0);
  EXPECT_EQ(alice->entry_count, 1u);
}

TEST_F(LedgerTest, CreatingABankOpensItsPool) {
  auto pool = ledger_->GetAccount(BankId("hcct"), AccountId(kPoolAccountId));
  ASSERT_TRUE(pool.ok()) << pool.status();
  EXPECT_EQ(pool->kind, AccountKind::kPool);
  auto bank = ledger_->GetBank(BankId("hcct"));
  ASSERT_TRUE(bank.ok());
  EXPECT_EQ(bank->account_count, 4u);
  EXPECT_EQ(ReasonOf(CreateBank("hcct").status()), "BANK_EXISTS");
}

TEST_F(LedgerTest, SeqsAreDenseAndHashesChain) {
  ASSERT_TRUE(Record(Spec("e1", "bob", "alice", 15)).ok());
  ASSERT_TRUE(Record(Spec("e2", "alice", "bob", 30)).ok());
  ASSERT_FALSE(Record(Spec("e3", "alice", "nobody", 30)).ok());
  ASSERT_TRUE(Record(Spec("e4", "alice", "bob", 45)).ok());
  auto page = ledger_->ListEntries(BankId("hcct"), AccountId(), 0, "");
  ASSERT_TRUE(page.ok());
  ASSERT_EQ(page->items.size(), 3u);
  for (size_t i = 0; i < 3; ++i) EXPECT_EQ(page->items[i].entry.seq, i + 1);
  EXPECT_EQ(page->items[0].entry.hash, ChainHash(Digest{}, page->items[0].entry));
  EXPECT_EQ(page->items[2].entry.hash, ChainHash(page->items[1].entry.hash, page->items[2].entry));
  EXPECT_TRUE(ledger_->CheckConsistency().ok());
}

TEST_F(LedgerTest, RetryWithSameEntryIdReturnsOriginalAndWritesNothing) {
  auto first = Record(Spec("slip-17", "bob", "alice", 60));
  ASSERT_TRUE(first.ok());
  auto again = Record(Spec("slip-17", "bob", "alice", 60));
  ASSERT_TRUE(again.ok()) << again.status();
  EXPECT_TRUE(again->replayed);
  EXPECT_EQ(again->entry.seq, first->entry.seq);
  EXPECT_EQ(again->entry.hash, first->entry.hash);
  EXPECT_EQ(Balance("alice"), 60);
  EXPECT_EQ(ledger_->GetBank(BankId("hcct"))->entry_count, 1u);
}

TEST_F(LedgerTest, ReusingAnEntryIdForOtherContentIsAlreadyExists) {
  ASSERT_TRUE(Record(Spec("slip-17", "bob", "alice", 60)).ok());
  auto different = Record(Spec("slip-17", "bob", "alice", 75));
  EXPECT_EQ(different.status().code(), absl::StatusCode::kAlreadyExists);
  EXPECT_EQ(ReasonOf(different.status()), "ENTRY_ID_REUSED");
  EXPECT_EQ(FiguresOf(different.status())["seq"], "1");
  EXPECT_EQ(Balance("alice"), 60);
}

TEST_F(LedgerTest, ReversalRestoresBalancesAndHappensOnce) {
  ASSERT_TRUE(Record(Spec("e1", "bob", "alice", 90)).ok());
  auto reversal = Reverse(1);
  ASSERT_TRUE(reversal.ok()) << reversal.status();
  EXPECT_EQ(reversal->entry.kind, EntryKind::kReversal);
  EXPECT_EQ(reversal->entry.reverses_seq, 1u);
  EXPECT_EQ(reversal->entry.from_account_id, "alice");
  EXPECT_EQ(reversal->entry.entry_id, "reversal-of-1");
  EXPECT_EQ(Balance("alice"), 0);
  EXPECT_EQ(Balance("bob"), 0);
  EXPECT_EQ(ledger_->GetEntry(BankId("hcct"), 1)->reversed_by_seq, 2u);

  auto twice = Reverse(1, "another-key");
  EXPECT_EQ(twice.status().code(), absl::StatusCode::kFailedPrecondition);
  EXPECT_EQ(ReasonOf(twice.status()), "ALREADY_REVERSED");
  // The same reversal retried is a replay, not an error.
  auto retried = Reverse(1);
  ASSERT_TRUE(retried.ok()) << retried.status();
  EXPECT_TRUE(retried->replayed);
  EXPECT_EQ(ReasonOf(Reverse(2).status()), "CANNOT_REVERSE_REVERSAL");
  EXPECT_EQ(ReasonOf(Reverse(99).status()), "ENTRY_NOT_FOUND");
  EXPECT_EQ(Balance("alice"), 0);
}

TEST_F(LedgerTest, BadInputIsRefusedWithAReasonAndLeavesLedgerUntouched) {
  struct Case {
    EntrySpec spec;
    std::string reason;
    absl::StatusCode code;
  };
  auto with = [](EntrySpec spec, auto change) {
    change(spec);
    return spec;
  };
  const EntrySpec good = Spec("ok", "bob", "alice", 30);
  const std::vector<Case> cases = {
      {with(good, [](auto& s) { s.minutes = 0; }), "INVALID_MINUTES",
       absl::StatusCode::kInvalidArgument},
      {with(good, [](auto& s) { s.minutes = -15; }), "INVALID_MINUTES",
       absl::StatusCode::kInvalidArgument},
      {with(good, [](auto& s) { s.minutes = kEntryMinutesMax + 1; }), "INVALID_MINUTES",
       absl::StatusCode::kInvalidArgument},
      {with(good, [](auto& s) { s.to_account_id = "bob"; }), "SELF_TRANSFER",
       absl::StatusCode::kInvalidArgument},
      {with(good, [](auto& s) { s.entry_id = ""; }), "INVALID_ID",
       absl::StatusCode::kInvalidArgument},
      {with(good, [](auto& s) { s.entry_id = std::string(kEntryIdLengthMax + 1, 'x'); }),
       "INVALID_ID", absl::StatusCode::kInvalidArgument},
      {with(good, [](auto& s) { s.bank_id = "no such/bank"; }), "INVALID_ID",
       absl::StatusCode::kInvalidArgument},
      {with(good, [](auto& s) { s.bank_id = "elsewhere"; }), "BANK_NOT_FOUND",
       absl::StatusCode::kNotFound},
      {with(good, [](auto& s) { s.to_account_id = "zoe"; }), "ACCOUNT_NOT_FOUND",
       absl::StatusCode::kNotFound},
      {with(good, [](auto& s) { s.note = std::string(kNoteLengthMax + 1, 'n'); }), "INVALID_TEXT",
       absl::StatusCode::kInvalidArgument},
      {with(good, [](auto& s) { s.note = "bad \xff byte"; }), "INVALID_TEXT",
       absl::StatusCode::kInvalidArgument},
      {with(good, [](auto& s) { s.activity = "tab\there"; }), "INVALID_TEXT",
       absl::StatusCode::kInvalidArgument},
      {with(good, [](auto& s) { s.occurred_at = kNow + absl::Hours(1); }), "OCCURRED_IN_FUTURE",
       absl::StatusCode::kInvalidArgument},
      {with(good, [](auto& s) { s.occurred_at = absl::FromUnixSeconds(0); }), "INVALID_OCCURRED_AT",
       absl::StatusCode::kInvalidArgument},
      {with(good, [](auto& s) { s.kind = EntryKind::kReversal; }), "REVERSAL_NOT_RECORDABLE",
       absl::StatusCode::kInvalidArgument},
      {with(good, [](auto& s) { s.kind = EntryKind::kDonation; }), "KIND_MISMATCH",
       absl::StatusCode::kFailedPrecondition},
      {with(good, [](auto& s) { s.to_account_id = "pool"; }), "KIND_MISMATCH",
       absl::StatusCode::kFailedPrecondition},
      {with(good, [](auto& s) { s.kind = EntryKind::kAward; }), "KIND_MISMATCH",
       absl::StatusCode::kFailedPrecondition},
  };
  for (const Case& c : cases) {
    auto result = Record(c.spec);
    EXPECT_EQ(result.status().code(), c.code) << c.reason << ": " << result.status();
    EXPECT_EQ(ReasonOf(result.status()), c.reason) << result.status();
  }
  EXPECT_EQ(ledger_->GetBank(BankId("hcct"))->entry_count, 0u);
  EXPECT_EQ(Balance("alice"), 0);
  EXPECT_EQ(Balance("bob"), 0);
}

TEST_F(LedgerTest, OccurredAtWithinClockSkewIsAccepted) {
  EntrySpec spec = Spec("e1", "bob", "alice", 30);
  spec.occurred_at = kNow + kClockSkewMax;
  EXPECT_TRUE(Record(spec).ok());
}

TEST_F(LedgerTest, EachKindMovesBetweenTheAccountsItIsFor) {
  EntrySpec award = Spec("award", "centre", "alice", 120);
  award.kind = EntryKind::kAward;
  ASSERT_TRUE(Record(award).ok());
  EntrySpec donation = Spec("donation", "alice", "pool", 60);
  donation.kind = EntryKind::kDonation;
  ASSERT_TRUE(Record(donation).ok());
  EntrySpec grant = Spec("grant", "pool", "bob", 30);
  grant.kind = EntryKind::kGrant;
  ASSERT_TRUE(Record(grant).ok());
  EntrySpec spend = Spec("spend", "bob", "centre", 15);
  spend.kind = EntryKind::kSpend;
  ASSERT_TRUE(Record(spend).ok());
  EXPECT_EQ(Balance("alice"), 60);
  EXPECT_EQ(Balance("pool"), 30);
  EXPECT_EQ(Balance("bob"), 15);
  EXPECT_EQ(Balance("centre"), -105);
  EXPECT_TRUE(ledger_->CheckConsistency().ok());
}

TEST_F(LedgerTest, SuspendedAndClosedAccountsNeitherEarnNorPay) {
  ASSERT_TRUE(SetStatus("alice", AccountStatus::kSuspended).ok());
  auto refused = Record(Spec("e1", "bob", "alice", 30));
  EXPECT_EQ(refused.status().code(), absl::StatusCode::kFailedPrecondition);
  EXPECT_EQ(ReasonOf(refused.status()), "ACCOUNT_SUSPENDED");
  EXPECT_EQ(FiguresOf(refused.status())["account_id"], "alice");
  ASSERT_TRUE(SetStatus("alice", AccountStatus::kActive).ok());
  EXPECT_TRUE(Record(Spec("e1", "bob", "alice", 30)).ok());

  auto not_zero = SetStatus("alice", AccountStatus::kClosed);
  EXPECT_EQ(ReasonOf(not_zero.status()), "BALANCE_NOT_ZERO");
  EXPECT_EQ(FiguresOf(not_zero.status())["balance_minutes"], "30");
  ASSERT_TRUE(Record(Spec("e2", "alice", "bob", 30)).ok());
  ASSERT_TRUE(SetStatus("alice", AccountStatus::kClosed).ok());
  EXPECT_EQ(ReasonOf(Record(Spec("e3", "bob", "alice", 30)).status()), "ACCOUNT_CLOSED");
  EXPECT_EQ(ReasonOf(SetStatus("alice", AccountStatus::kActive).status()), "ACCOUNT_CLOSED");
  EXPECT_EQ(ReasonOf(SetStatus("pool", AccountStatus::kClosed).status()), "POOL_NOT_CLOSABLE");
}

// A member who leaves owing time: the pool takes on the debt when the coordinator closes the
// account, with a reason, if the pool has the time; an account closed by mistake is reopened.
TEST_F(LedgerTest, ADebtIsWrittenOffToThePoolAndAClosedAccountCanBeReopened) {
  auto close = [this](const std::string& id, const std::string& reason) {
    return Await<Account>([&](auto done) {
      ledger_->CloseAccount(BankId("hcct"), AccountId(id), reason, ClosingSettlement{false, true},
                            AdminNamed("coordinator"), std::move(done));
    });
  };
  auto reopen = [this](const std::string& id, const std::string& reason) {
    return Await<Account>([&](auto done) {
      ledger_->ReopenAccount(BankId("hcct"), AccountId(id), reason, AdminNamed("coordinator"),
                             std::move(done));
    });
  };
  auto donate = [this](const std::string& id, int64_t minutes) {
    EntrySpec spec = Spec(id, "alice", "pool", minutes);
    spec.kind = EntryKind::kDonation;
    return Record(spec);
  };
  ASSERT_TRUE(Record(Spec("e1", "bob", "alice", 60)).ok());

  EXPECT_EQ(ReasonOf(close("bob", "").status()), "INVALID_TEXT");  // a write-off says why
  auto pool_short = close("bob", "moved abroad");
  EXPECT_EQ(ReasonOf(pool_short.status()), "OVERDRAFT_LIMIT");
  EXPECT_EQ(FiguresOf(pool_short.status())["account_id"], "pool");
  EXPECT_EQ(FiguresOf(pool_short.status())["attempted_minutes"], "60");
  EXPECT_EQ(Balance("bob"), -60);  // nothing written

  ASSERT_TRUE(donate("d1", 60).ok());
  auto closed = close("bob", "moved abroad");
  ASSERT_TRUE(closed.ok()) << closed.status();
  EXPECT_EQ(closed->status, AccountStatus::kClosed);
  EXPECT_EQ(Balance("bob"), 0);
  EXPECT_EQ(Balance("pool"), 0);
  auto written_off = ledger_->GetEntryById(BankId("hcct"), EntryId("closing-write-off-bob"));
  ASSERT_TRUE(written_off.ok()) << written_off.status();
  EXPECT_EQ(written_off->kind, EntryKind::kGrant);
  EXPECT_EQ(written_off->from_account_id, "pool");
  EXPECT_EQ(written_off->minutes, 60);
  EXPECT_EQ(written_off->activity, "debt written off");
  EXPECT_EQ(written_off->note, "moved abroad");

  EXPECT_EQ(ReasonOf(reopen("bob", "").status()), "INVALID_TEXT");
  EXPECT_EQ(ReasonOf(reopen("alice", "by mistake").status()), "ACCOUNT_NOT_CLOSED");
  auto reopened = reopen("bob", "closed by mistake: he is back");
  ASSERT_TRUE(reopened.ok()) << reopened.status();
  EXPECT_EQ(reopened->status, AccountStatus::kActive);
  ASSERT_TRUE(Record(Spec("e2", "bob", "alice", 30)).ok());

  // Closed again: the second write-off takes a new id, the first's being taken.
  ASSERT_TRUE(donate("d2", 30).ok());
  ASSERT_TRUE(close("bob", "left for good").ok());
  auto entries = ledger_->ListEntries(BankId("hcct"), AccountId("bob"), 1000, "");
  ASSERT_TRUE(entries.ok());
  const Entry& last = entries->items.back().entry;
  EXPECT_EQ(last.entry_id, absl::StrCat("closing-write-off-bob-", last.seq));
  EXPECT_EQ(last.minutes, 30);
  EXPECT_EQ(Balance("bob"), 0);
  EXPECT_TRUE(ledger_->CheckConsistency().ok());
  EXPECT_TRUE(ledger_->Verify().ok());
}

// A coordinator of hcct named `name`, bound to no account.
Principal CoordinatorNamed(const std::string& name) {
  Principal principal;
  principal.name = name;
  principal.role = PrincipalRole::kCoordinator;
  principal.bank_id = "hcct";
  return principal;
}

// Four eyes on a write-off (Policy::write_off_needs_second_coordinator): the first coordinator's
// close asks for it and leaves the account open, the same coordinator cannot finish it, and a
// second coordinator's close confirms the pending GRANT and closes, in one write.
TEST_F(LedgerTest, AWriteOffUnderFourEyesWaitsForASecondCoordinator) {
  Policy policy;
  policy.write_off_needs_second_coordinator = true;
  ASSERT_TRUE(SetPolicy(policy).ok());
  auto got = ledger_->GetPolicy(BankId("hcct"));
  ASSERT_TRUE(got.ok()) << got.status();
  EXPECT_TRUE(got->write_off_needs_second_coordinator);
  auto close = [this](const Principal& by) {
    return Await<Account>([&](auto done) {
      ledger_->CloseAccount(BankId("hcct"), AccountId("bob"), "moved abroad",
                            ClosingSettlement{false, true}, by, std::move(done));
    });
  };
  ASSERT_TRUE(Record(Spec("e1", "bob", "alice", 60)).ok());
  EntrySpec donation = Spec("d1", "alice", "pool", 60);
  donation.kind = EntryKind::kDonation;
  ASSERT_TRUE(Record(donation).ok());

  auto asked = close(CoordinatorNamed("dora"));
  ASSERT_TRUE(asked.ok()) << asked.status();
  EXPECT_EQ(asked->status, AccountStatus::kActive);
  EXPECT_EQ(asked->balance_minutes, -60);
  EXPECT_EQ(asked->pending_in_minutes, 60);
  auto pending = ledger_->GetPending(BankId("hcct"), EntryId("closing-write-off-bob"));
  ASSERT_TRUE(pending.ok()) << pending.status();
  EXPECT_EQ(pending->reason, "WRITE_OFF");
  EXPECT_EQ(pending->entry.recorded_by, "dora");
  EXPECT_EQ(ReasonOf(close(CoordinatorNamed("dora")).status()), "SELF_CONFIRMATION");
  EXPECT_EQ(Balance("bob"), -60);

  auto closed = close(CoordinatorNamed("sam"));
  ASSERT_TRUE(closed.ok()) << closed.status();
  EXPECT_EQ(closed->status, AccountStatus::kClosed);
  EXPECT_EQ(Balance("bob"), 0);
  EXPECT_EQ(Balance("pool"), 0);
  auto written_off = ledger_->GetEntryById(BankId("hcct"), EntryId("closing-write-off-bob"));
  ASSERT_TRUE(written_off.ok()) << written_off.status();
  EXPECT_EQ(written_off->recorded_by, "dora");
  EXPECT_TRUE(ledger_->Verify().ok());
  Reopen();  // the policy's setting is stored
  EXPECT_TRUE(ledger_->GetPolicy(BankId("hcct"))->write_off_needs_second_coordinator);
}

// What the second coordinator confirms is what the first asked for: a debt grown since is not
// written off by one coordinator; a suspended member still closes; asks rejected leave ids free.
TEST_F(LedgerTest, AFourEyesWriteOffConfirmsOnlyWhatWasAskedAndASuspendedMemberCloses) {
  RulesOff();
  Policy policy;
  policy.floors_enabled = false;
  policy.write_off_needs_second_coordinator = true;
  policy.self_recorded_needs_confirmation = false;
  ASSERT_TRUE(SetPolicy(policy).ok());
  Policy expiring = policy;
  expiring.pending_expiry_hours = 0;
  EXPECT_FALSE(PolicyProblems(expiring).empty());  // an ask must be able to wait
  auto close = [this](const Principal& by) {
    return Await<Account>([&](auto done) {
      ledger_->CloseAccount(BankId("hcct"), AccountId("bob"), "left",
                            ClosingSettlement{false, true}, by, std::move(done));
    });
  };
  auto reject = [this](const std::string& entry_id) {
    return Await<PendingEntry>([&](auto done) {
      ledger_->RejectEntry(BankId("hcct"), EntryId(entry_id), "asked again",
                           AdminNamed("coordinator"), std::move(done));
    });
  };
  ASSERT_TRUE(Record(Spec("e1", "bob", "alice", 60)).ok());
  ASSERT_TRUE(close(CoordinatorNamed("dora")).ok());  // asks for 60
  ASSERT_TRUE(Record(Spec("e2", "bob", "alice", 240)).ok());
  auto grown = close(CoordinatorNamed("sam"));
  EXPECT_EQ(ReasonOf(grown.status()), "BALANCE_NOT_ZERO") << grown.status();
  EXPECT_EQ(Balance("bob"), -300);  // nothing written off by sam alone
  ASSERT_TRUE(reject("closing-write-off-bob").ok());
  auto again = close(CoordinatorNamed("dora"));  // asks for 300, under a new id
  ASSERT_TRUE(again.ok()) << again.status();
  auto second = ledger_->ListPending(BankId("hcct"), AccountId("bob"), 100);
  ASSERT_TRUE(second.ok());
  ASSERT_EQ(second->size(), 1u);
  const std::string second_id = (*second)[0].entry.entry_id;
  EXPECT_NE(second_id, "closing-write-off-bob");
  ASSERT_TRUE(reject(second_id).ok());
  ASSERT_TRUE(close(CoordinatorNamed("dora")).ok());  // a third ask: an id of its own again
  auto third = ledger_->ListPending(BankId("hcct"), AccountId("bob"), 100);
  ASSERT_TRUE(third.ok());
  ASSERT_EQ(third->size(), 1u);
  EXPECT_NE((*third)[0].entry.entry_id, second_id);
  ASSERT_TRUE(SetStatus("bob", AccountStatus::kSuspended).ok());
  auto closed = close(CoordinatorNamed("sam"));
  ASSERT_TRUE(closed.ok()) << closed.status();
  EXPECT_EQ(closed->status, AccountStatus::kClosed);
  EXPECT_EQ(Balance("bob"), 0);
  EXPECT_TRUE(ledger_->Verify().ok());
}

// A coordinator corrects a name or a person's roles: a journal fact with both as they now are,
// which the verifier and the check at open replay.
TEST_F(LedgerTest, ACoordinatorCorrectsANameAndRolesAsAFact) {
  auto change = [this](const std::string& id, std::optional<std::string> name,
                       std::optional<std::vector<Role>> roles) {
    return Await<Account>([&](auto done) {
      ledger_->ChangeAccount(BankId("hcct"), AccountId(id), name, roles, AdminNamed("coordinator"),
                             std::move(done));
    });
  };
  auto journal_size = [this] { return ledger_->GetDigest(BankId("hcct"))->tree_size; };
  EXPECT_EQ(ReasonOf(change("alice", std::nullopt, std::nullopt).status()), "NOTHING_TO_CHANGE");
  EXPECT_EQ(ReasonOf(change("alice", "", std::nullopt).status()), "INVALID_TEXT");
  EXPECT_EQ(ReasonOf(change("centre", std::nullopt, std::vector<Role>{Role::kStaff}).status()),
            "INVALID_ROLES");
  EXPECT_EQ(ReasonOf(change("nobody", "Nobody", std::nullopt).status()), "ACCOUNT_NOT_FOUND");
  // A coordinator renames, but does not make a member staff (a staff account may be bound to a
  // coordinator's token): that is an admin's.
  Principal coordinator;
  coordinator.name = "dan";
  coordinator.role = PrincipalRole::kCoordinator;
  coordinator.bank_id = "hcct";
  auto by_coordinator = [&](std::optional<std::string> name,
                            std::optional<std::vector<Role>> roles) {
    return Await<Account>([&](auto done) {
      ledger_->ChangeAccount(BankId("hcct"), AccountId("bob"), name, roles, coordinator,
                             std::move(done));
    });
  };
  EXPECT_EQ(
      ReasonOf(
          by_coordinator(std::nullopt, std::vector<Role>{Role::kMember, Role::kStaff}).status()),
      "ROLE_NOT_ALLOWED");
  ASSERT_TRUE(by_coordinator("Bob Okafor", std::vector<Role>{Role::kVolunteer}).ok());
  const uint64_t before = journal_size();
  auto changed =
      change("alice", "Alice Brown-Okafor", std::vector<Role>{Role::kMember, Role::kVolunteer});
  ASSERT_TRUE(changed.ok()) << changed.status();
  EXPECT_EQ(changed->display_name, "Alice Brown-Okafor");
  EXPECT_EQ(changed->roles, (std::vector<Role>{Role::kMember, Role::kVolunteer}));
  EXPECT_EQ(journal_size(), before + 1);
  auto page = ledger_->ListJournal(BankId("hcct"), before, before + 1, 1);
  ASSERT_TRUE(page.ok());
  EXPECT_EQ(page->facts[0].type, FactType::kAccountChanged);
  EXPECT_EQ(page->facts[0].display_name, "Alice Brown-Okafor");
  EXPECT_EQ(page->facts[0].principal, "coordinator");
  ASSERT_TRUE(change("alice", "Alice Brown-Okafor", std::nullopt).ok());  // already so
  EXPECT_EQ(journal_size(), before + 1);
  ASSERT_TRUE(change("alice", std::nullopt, std::vector<Role>{}).ok());  // a person stays a member
  EXPECT_EQ(ledger_->GetAccount(BankId("hcct"), AccountId("alice"))->roles,
            std::vector<Role>{Role::kMember});
  EXPECT_EQ(ledger_->GetAccount(BankId("hcct"), AccountId("alice"))->display_name,
            "Alice Brown-Okafor");
  EXPECT_TRUE(ledger_->Verify().ok());
  Reopen();  // the check at open replays the changes too
  EXPECT_EQ(ledger_->GetAccount(BankId("hcct"), AccountId("alice"))->display_name,
            "Alice Brown-Okafor");
  EXPECT_TRUE(ledger_->Verify().ok());
}

TEST_F(LedgerTest, OpeningAccountsChecksKindRolesAndUniqueness) {
  EXPECT_EQ(ReasonOf(Open("alice", AccountKind::kPerson).status()), "ACCOUNT_EXISTS");
  EXPECT_EQ(ReasonOf(Open("x", AccountKind::kPerson, "nowhere").status()), "BANK_NOT_FOUND");
  EXPECT_EQ(ReasonOf(Open("-bad", AccountKind::kPerson).status()), "INVALID_ID");
  Account org;
  org.bank_id = "hcct";
  org.account_id = "college";
  org.kind = AccountKind::kOrganisation;
  org.display_name = "College";
  org.roles = {Role::kStaff};
  auto refused = Await<Account>(
      [&](auto done) { ledger_->OpenAccount(org, AdminNamed("t"), std::move(done)); });
  EXPECT_EQ(ReasonOf(refused.status()), "INVALID_ROLES");
  auto person = ledger_->GetAccount(BankId("hcct"), AccountId("alice"));
  ASSERT_EQ(person->roles.size(), 1u);
  EXPECT_EQ(person->roles[0], Role::kMember);  // persons are members unless told otherwise
}

TEST_F(LedgerTest, StatementCarriesRunningBalanceAndPages) {
  for (int i = 0; i < 5; ++i) {
    ASSERT_TRUE(Record(Spec("in-" + std::to_string(i), "bob", "alice", 30)).ok());
    ASSERT_TRUE(Record(Spec("out-" + std::to_string(i), "alice", "centre", 15)).ok());
  }
  auto first = ledger_->ListEntries(BankId("hcct"), AccountId("alice"), 4, "");
  ASSERT_TRUE(first.ok()) << first.status();
  ASSERT_EQ(first->items.size(), 4u);
  EXPECT_EQ(first->items[0].running_balance_minutes, 30);
  EXPECT_EQ(first->items[1].running_balance_minutes, 15);
  EXPECT_EQ(first->items[3].running_balance_minutes, 30);
  std::vector<EntryRow> all = first->items;
  std::string token = first->next_page_token;
  while (!token.empty()) {
    auto page = ledger_->ListEntries(BankId("hcct"), AccountId("alice"), 4, token);
    ASSERT_TRUE(page.ok());
    all.insert(all.end(), page->items.begin(), page->items.end());
    token = page->next_page_token;
  }
  ASSERT_EQ(all.size(), 10u);
  EXPECT_EQ(all.back().running_balance_minutes, 75);
  EXPECT_EQ(all.back().running_balance_minutes, Balance("alice"));
  // Bob's statement holds only his five entries.
  EXPECT_EQ(ledger_->ListEntries(BankId("hcct"), AccountId("bob"), 100, "")->items.size(), 5u);
  EXPECT_EQ(ReasonOf(ledger_->ListEntries(BankId("hcct"), AccountId("alice"), 4, "x1").status()),
            "INVALID_PAGE_TOKEN");
  EXPECT_EQ(ReasonOf(ledger_->ListEntries(BankId("hcct"), AccountId("alice"), 5000, "").status()),
            "INVALID_PAGE_SIZE");
}

TEST_F(LedgerTest, AtomicBatchIsAllOrNothing) {
  std::vector<EntrySpec> specs = {Spec("b1", "bob", "alice", 30), Spec("b2", "bob", "zoe", 30),
                                  Spec("b3", "alice", "bob", 15)};
  auto result = Await<std::vector<absl::StatusOr<Receipt>>>([&](auto done) {
    ledger_->RecordEntries(specs, /*atomic=*/true, AdminNamed("t"), std::move(done));
  });
  EXPECT_EQ(ReasonOf(result.status()), "ACCOUNT_NOT_FOUND");
  EXPECT_EQ(FiguresOf(result.status())["index"], "1");
  EXPECT_EQ(ledger_->GetBank(BankId("hcct"))->entry_count, 0u);
  EXPECT_EQ(Balance("alice"), 0);
  // b1 was never written, so its idempotency key is still free.
  EXPECT_FALSE(Record(Spec("b1", "bob", "alice", 45)).value().replayed);
}

TEST_F(LedgerTest, NonAtomicBatchRecordsEachItemOnItsOwn) {
  std::vector<EntrySpec> specs = {Spec("b1", "bob", "alice", 30), Spec("b2", "bob", "zoe", 30),
                                  Spec("b3", "alice", "bob", 15)};
  auto result = Await<std::vector<absl::StatusOr<Receipt>>>([&](auto done) {
    ledger_->RecordEntries(specs, /*atomic=*/false, AdminNamed("t"), std::move(done));
  });
  ASSERT_TRUE(result.ok()) << result.status();
  ASSERT_EQ(result->size(), 3u);
  EXPECT_TRUE((*result)[0].ok());
  EXPECT_EQ(ReasonOf((*result)[1].status()), "ACCOUNT_NOT_FOUND");
  ASSERT_TRUE((*result)[2].ok());
  EXPECT_EQ((*result)[2]->entry.seq, 2u);
  EXPECT_EQ(Balance("alice"), 15);
}

TEST_F(LedgerTest, BatchSizeIsLimited) {
  RulesOff();
  std::vector<EntrySpec> specs;
  for (size_t i = 0; i <= kBatchSizeMax; ++i) {
    specs.push_back(Spec("b" + std::to_string(i), "bob", "alice", 15));
  }
  auto result = Await<std::vector<absl::StatusOr<Receipt>>>(
      [&](auto done) { ledger_->RecordEntries(specs, false, AdminNamed("t"), std::move(done)); });
  EXPECT_EQ(ReasonOf(result.status()), "INVALID_BATCH_SIZE");
  specs.pop_back();
  result = Await<std::vector<absl::StatusOr<Receipt>>>(
      [&](auto done) { ledger_->RecordEntries(specs, false, AdminNamed("t"), std::move(done)); });
  ASSERT_TRUE(result.ok());
  EXPECT_EQ(Balance("alice"), static_cast<int64_t>(15 * kBatchSizeMax));
}

TEST_F(LedgerTest, EverythingSurvivesReopening) {
  ASSERT_TRUE(Record(Spec("e1", "bob", "alice", 90)).ok());
  ASSERT_TRUE(Reverse(1).ok());
  ASSERT_TRUE(Record(Spec("e3", "bob", "alice", 45)).ok());
  ASSERT_TRUE(SetStatus("bob", AccountStatus::kSuspended).ok());
  Reopen();
  EXPECT_EQ(Balance("alice"), 45);
  EXPECT_EQ(Balance("bob"), -45);
  EXPECT_EQ(ledger_->GetAccount(BankId("hcct"), AccountId("bob"))->status,
            AccountStatus::kSuspended);
  EXPECT_EQ(ledger_->GetBank(BankId("hcct"))->entry_count, 3u);
  EXPECT_EQ(ledger_->GetEntry(BankId("hcct"), 1)->reversed_by_seq, 2u);
  EXPECT_TRUE(Record(Spec("e1", "bob", "alice", 90)).value().replayed);
  EXPECT_TRUE(ledger_->CheckConsistency().ok());
  ASSERT_TRUE(SetStatus("bob", AccountStatus::kActive).ok());
  auto next = Record(Spec("e4", "bob", "alice", 15));
  ASSERT_TRUE(next.ok());
  EXPECT_EQ(next->entry.seq, 4u);  // the chain continues where it stopped
  EXPECT_TRUE(ledger_->CheckConsistency().ok());
}

TEST_F(LedgerTest, TwoConcurrentWritersOnOneAccountSeeEachOthersEffects) {
  RulesOff();
  constexpr int kPerThread = 200;
  std::vector<std::thread> threads;
  std::atomic<int> failures{0};
  for (int t = 0; t < 4; ++t) {
    threads.emplace_back([&, t] {
      for (int i = 0; i < kPerThread; ++i) {
        auto result =
            Record(Spec("t" + std::to_string(t) + "-" + std::to_string(i), "bob", "alice", 15));
        if (!result.ok()) ++failures;
      }
    });
  }
  for (auto& thread : threads) thread.join();
  EXPECT_EQ(failures.load(), 0);
  EXPECT_EQ(Balance("alice"), 4 * kPerThread * 15);
  EXPECT_EQ(ledger_->GetBank(BankId("hcct"))->entry_count, 4u * kPerThread);
  EXPECT_TRUE(ledger_->CheckConsistency().ok());
}

TEST_F(LedgerTest, BanksArePagedInIdOrder) {
  ASSERT_TRUE(CreateBank("camden").ok());
  ASSERT_TRUE(CreateBank("islington").ok());
  auto first = ledger_->ListBanks(2, "");
  ASSERT_TRUE(first.ok());
  ASSERT_EQ(first->items.size(), 2u);
  EXPECT_EQ(first->items[0].bank.bank_id, "camden");
  EXPECT_EQ(first->items[1].bank.bank_id, "hcct");
  auto second = ledger_->ListBanks(2, first->next_page_token);
  ASSERT_EQ(second->items.size(), 1u);
  EXPECT_EQ(second->items[0].bank.bank_id, "islington");
  EXPECT_TRUE(second->next_page_token.empty());
}

TEST_F(LedgerTest, BanksAreIsolated) {
  ASSERT_TRUE(CreateBank("camden").ok());
  ASSERT_TRUE(Open("alice", AccountKind::kPerson, "camden").ok());
  ASSERT_TRUE(Open("centre", AccountKind::kOrganisation, "camden").ok());
  ASSERT_TRUE(Record(Spec("e1", "bob", "alice", 30)).ok());
  EXPECT_EQ(ledger_->GetAccount(BankId("camden"), AccountId("alice"))->balance_minutes, 0);
  EntrySpec elsewhere = Spec("e1", "centre", "alice", 30);
  elsewhere.bank_id = "camden";
  elsewhere.kind = EntryKind::kAward;
  auto receipt = Record(elsewhere);  // the same entry_id is free in another bank
  ASSERT_TRUE(receipt.ok()) << receipt.status();
  EXPECT_EQ(receipt->entry.seq, 1u);
}

}  // namespace
}  // namespace timeledger::ledger
