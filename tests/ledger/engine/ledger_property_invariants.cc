// The property test's checks of the whole ledger after the run: accounts and statements against
// the replay, acknowledgements against entries, the banks' rules at every committed entry.
#include "tests/ledger/engine/ledger_property_model.h"

namespace timeledger::ledger::property {

void LedgerPropertyTest::CheckAccounts(const std::string& bank_id) {
  const BankModel& model = models_.at(bank_id);
  int64_t sum = 0;
  const std::vector<Account> listed = ListAllAccounts(bank_id);
  if (listed.size() != model.replayed.size()) {
    problems_.Add(absl::StrCat(bank_id, ": ", listed.size(), " accounts listed"));
  }
  for (const Account& account : listed) {
    sum += account.balance_minutes;
    auto replayed = model.replayed.find(account.account_id);
    if (replayed == model.replayed.end()) continue;
    if (auto diff = AccountDifference(account, replayed->second, false); !diff.empty()) {
      problems_.Add(absl::StrCat(bank_id, "/", account.account_id, ": differs from the replay in ",
                                 diff, " (balance ", account.balance_minutes, " vs ",
                                 replayed->second.balance_minutes, ")"));
    }
    auto got = ledger_->GetAccount(BankId(bank_id), AccountId(account.account_id));
    if (!got.ok() || !AccountDifference(*got, account, true).empty()) {
      problems_.Add(
          absl::StrCat(bank_id, "/", account.account_id, ": GetAccount and ListAccounts disagree"));
    }
    CheckStatement(bank_id, account.account_id);
  }
  EXPECT_EQ(sum, 0) << bank_id << "'s balances do not sum to zero";
  auto summary = ledger_->GetBank(BankId(bank_id));
  ASSERT_TRUE(summary.ok()) << summary.status();
  EXPECT_EQ(summary->entry_count, model.entries.size()) << bank_id;
  EXPECT_EQ(summary->account_count, listed.size()) << bank_id;
  auto pending = ledger_->ListPending(BankId(bank_id), AccountId(), 10);
  ASSERT_TRUE(pending.ok()) << pending.status();
  EXPECT_TRUE(pending->empty()) << bank_id << " holds pending entries";
}

void LedgerPropertyTest::CheckStatement(const std::string& bank_id, const std::string& account_id) {
  const BankModel& model = models_.at(bank_id);
  std::vector<uint64_t> expected;
  for (const Entry& entry : model.entries) {
    if (entry.from_account_id == account_id || entry.to_account_id == account_id) {
      expected.push_back(entry.seq);
    }
  }
  size_t position = 0;
  std::string token;
  for (int pages = 0; pages < 10'000; ++pages) {
    auto page = ledger_->ListEntries(BankId(bank_id), AccountId(account_id), kPageSizeMax, token);
    if (!page.ok()) {
      problems_.Add(absl::StrCat("statement of ", account_id, ": ", page.status().ToString()));
      return;
    }
    for (const EntryRow& row : page->items) {
      const uint64_t seq = row.entry.seq;
      if (position >= expected.size() || expected[position] != seq) {
        problems_.Add(absl::StrCat("statement of ", bank_id, "/", account_id, ": seq ", seq,
                                   " at line ", position + 1));
        return;
      }
      ++position;
      const Entry& entry = model.entries[seq - 1];
      const int64_t want = entry.from_account_id == account_id ? model.after[seq - 1].first
                                                               : model.after[seq - 1].second;
      if (row.running_balance_minutes != want) {
        problems_.Add(absl::StrCat("statement of ", bank_id, "/", account_id, ": running ",
                                   row.running_balance_minutes, " at seq ", seq, ", replay ",
                                   want));
        return;
      }
    }
    token = page->next_page_token;
    if (token.empty()) break;
  }
  if (position != expected.size()) {
    problems_.Add(absl::StrCat("statement of ", bank_id, "/", account_id, ": ", position,
                               " lines, expected ", expected.size()));
  }
}

void LedgerPropertyTest::CheckEntriesAgainstAcks(const std::string& bank_id) {
  const BankModel& model = models_.at(bank_id);
  auto& acks = new_acks_[bank_id];
  std::map<uint64_t, int> reversals_of;
  for (const Entry& entry : model.entries) {
    const int count = acks.count(entry.entry_id) ? acks[entry.entry_id] : 0;
    if (count != 1) {
      problems_.Add(absl::StrCat(bank_id, ": entry ", entry.seq, " (", entry.entry_id,
                                 ") was acknowledged as new ", count, " times"));
    }
    if (entry.kind == EntryKind::kReversal) {
      ++reversals_of[entry.reverses_seq];
      const Entry* original = model.Find(entry.reverses_seq);
      if (original == nullptr || original->reversed_by_seq != entry.seq) {
        problems_.Add(absl::StrCat(bank_id, ": reversal ", entry.seq, " of ", entry.reverses_seq,
                                   " is not linked back"));
      }
    } else if (entry.reversed_by_seq != 0) {
      const Entry* reverser = model.Find(entry.reversed_by_seq);
      if (reverser == nullptr || reverser->reverses_seq != entry.seq) {
        problems_.Add(absl::StrCat(bank_id, ": entry ", entry.seq, " names reversal ",
                                   entry.reversed_by_seq, " that does not point at it"));
      }
    }
  }
  for (const auto& [seq, count] : reversals_of) {
    if (count > 1) {
      problems_.Add(absl::StrCat(bank_id, ": entry ", seq, " reversed ", count, " times"));
    }
  }
  for (const auto& [entry_id, count] : acks) {
    if (model.FindId(entry_id) == nullptr) {
      problems_.Add(absl::StrCat(bank_id, ": acknowledged ", entry_id, " is not listed"));
    }
  }
}

void LedgerPropertyTest::CheckStrictRulesHeld() {
  const BankModel& model = models_.at(kBank);
  std::map<std::pair<std::string, int32_t>, int64_t> earned_on_day;
  const absl::TimeZone zone = [] {
    absl::TimeZone london;
    EXPECT_TRUE(absl::LoadTimeZone("Europe/London", &london));
    return london;
  }();
  for (const Entry& entry : model.entries) {
    const std::string what = absl::StrCat(kBank, " entry ", entry.seq, " (", entry.entry_id, ")");
    const auto& [from_after, to_after] = model.after[entry.seq - 1];
    if (entry.kind == EntryKind::kReversal) {
      const Entry* original = model.Find(entry.reverses_seq);
      if (original != nullptr && IsTimeGiven(original->kind)) {
        earned_on_day[{original->to_account_id, DayOf(original->occurred_at, zone)}] -=
            original->minutes;
      }
      continue;
    }
    const Account& payer = model.replayed.at(entry.from_account_id);
    const Account& earner = model.replayed.at(entry.to_account_id);
    const int64_t floor = payer.kind == AccountKind::kPerson         ? kPersonFloor
                          : payer.kind == AccountKind::kOrganisation ? kOrganisationFloor
                                                                     : 0;
    if (from_after < floor) {
      problems_.Add(absl::StrCat(what, " left ", payer.account_id, " at ", from_after,
                                 ", below the floor ", floor));
    }
    if (earner.kind == AccountKind::kPerson && to_after > kPersonCap) {
      problems_.Add(
          absl::StrCat(what, " brought ", earner.account_id, " to ", to_after, ", over the cap"));
    }
    if (entry.occurred_at < entry.recorded_at - absl::Hours(24 * kBackdateDays)) {
      problems_.Add(absl::StrCat(what, " is backdated too far"));
    }
    if (!IsTimeGiven(entry.kind)) continue;
    if (entry.minutes % kUnit != 0 || entry.minutes > kEntryMax) {
      problems_.Add(absl::StrCat(what, " records ", entry.minutes, " minutes of time given"));
    }
    if (earner.HasRole(Role::kStaff) && entry.activity == kDutyActivity) {
      problems_.Add(absl::StrCat(what, " pays staff for duty"));
    }
    int64_t& earned = earned_on_day[{entry.to_account_id, DayOf(entry.occurred_at, zone)}];
    earned += entry.minutes;
    if (earner.kind == AccountKind::kPerson && earned > kDailyEarnMax) {
      problems_.Add(absl::StrCat(what, " makes ", earner.account_id, " earn ", earned,
                                 " minutes on one day"));
    }
  }
}

void LedgerPropertyTest::CheckCapToPoolHeld() {
  const BankModel& model = models_.at(kOtherBank);
  for (const Entry& entry : model.entries) {
    if (absl::StartsWith(entry.entry_id, "cap-excess-of-")) continue;
    const Account& earner = model.replayed.at(entry.to_account_id);
    const int64_t to_after = model.after[entry.seq - 1].second;
    if (earner.kind != AccountKind::kPerson || to_after <= kOtherCap) continue;
    const Entry* excess = model.Find(entry.seq + 1);
    const std::string what = absl::StrCat(kOtherBank, " entry ", entry.seq, " (", entry.entry_id,
                                          ") brought ", earner.account_id, " to ", to_after);
    if (excess == nullptr || excess->entry_id != absl::StrCat("cap-excess-of-", entry.seq) ||
        excess->kind != EntryKind::kDonation || excess->from_account_id != earner.account_id ||
        excess->to_account_id != kPoolAccountId ||
        excess->minutes != std::min(entry.minutes, to_after - kOtherCap)) {
      problems_.Add(absl::StrCat(what, " and the next entry does not give the excess to the pool"));
    } else if (model.after[excess->seq - 1].first > kOtherCap) {
      problems_.Add(absl::StrCat(what, " and the excess donation leaves it over the cap"));
    }
  }
}

void LedgerPropertyTest::CheckEverything() {
  for (const char* bank_id : {kBank, kOtherBank}) models_[bank_id] = LoadModel(bank_id);
  for (const auto& worker : workers_) {
    for (const EntryAttempt& attempt : worker->singles()) {
      CheckEntryAttempt(attempt, worker->principal());
    }
    for (const BatchAttempt& batch : worker->batches()) CheckBatch(batch, worker->principal());
    for (const ReversalAttempt& attempt : worker->reversals()) CheckReversal(attempt);
    for (const StatusAttempt& attempt : worker->statuses()) CheckStatus(attempt);
    for (const auto& [account_id, status] : worker->last_status()) {
      auto account = ledger_->GetAccount(BankId(kBank), AccountId(account_id));
      ASSERT_TRUE(account.ok()) << account.status();
      EXPECT_EQ(account->status, status) << account_id << ": not the status last asked for";
    }
  }
  for (const char* bank_id : {kBank, kOtherBank}) {
    CheckEntriesAgainstAcks(bank_id);
    CheckAccounts(bank_id);
  }
  CheckStrictRulesHeld();
  CheckCapToPoolHeld();
  for (int i = 0; i < kOtherPersons; ++i) {
    auto account = ledger_->GetAccount(BankId(kOtherBank), AccountId(PersonId(i)));
    ASSERT_TRUE(account.ok());
    EXPECT_EQ(account->status, AccountStatus::kActive) << "a status crossed banks";
  }
  auto closed = ledger_->GetAccount(BankId(kBank), AccountId(kClosed));
  ASSERT_TRUE(closed.ok());
  EXPECT_EQ(closed->status, AccountStatus::kClosed);
  EXPECT_EQ(closed->entry_count, 0u);
  const absl::Status consistency = ledger_->CheckConsistency();
  EXPECT_TRUE(consistency.ok()) << consistency;
}

void LedgerPropertyTest::ReportAndCheckCoverage() {
  std::map<std::string, int> refusals;
  size_t replays = 0;
  auto count = [&](const std::optional<absl::StatusOr<Receipt>>& result) {
    if (!result.has_value()) return;
    if (result->ok()) {
      replays += (*result)->replayed ? 1 : 0;
    } else {
      ++refusals[ReasonOf(result->status())];
    }
  };
  for (const auto& worker : workers_) {
    for (const EntryAttempt& attempt : worker->singles()) count(attempt.result);
    for (const BatchAttempt& batch : worker->batches()) {
      if (batch.status.has_value() && !batch.status->ok()) {
        ++refusals[absl::StrCat("atomic:", ReasonOf(*batch.status))];
      }
      for (const EntryAttempt& item : batch.items) count(item.result);
    }
    for (const ReversalAttempt& attempt : worker->reversals()) count(attempt.result);
  }
  const BankModel& model = models_.at(kBank);
  std::set<int64_t> groups;
  size_t reversals = 0;
  for (const Entry& entry : model.entries) {
    groups.insert(ToMicros(entry.recorded_at));
    reversals += entry.kind == EntryKind::kReversal ? 1 : 0;
  }
  size_t excesses = 0;
  for (const Entry& entry : models_.at(kOtherBank).entries) {
    excesses += absl::StartsWith(entry.entry_id, "cap-excess-of-") ? 1 : 0;
  }
  std::cout << kBank << ": " << model.entries.size() << " entries (" << reversals
            << " reversals) in " << groups.size() << " commit groups; " << kOtherBank << ": "
            << models_.at(kOtherBank).entries.size() << " entries (" << excesses
            << " cap excesses); " << replays << " replays\nrefusals:";
  for (const auto& [reason, n] : refusals) std::cout << " " << reason << "=" << n;
  std::cout << std::endl;

  EXPECT_GT(model.entries.size(), 5000u) << "too few entries to prove much";
  EXPECT_GT(reversals, 100u);
  EXPECT_GT(excesses, 0u);
  EXPECT_GT(replays, 100u);
  EXPECT_LT(groups.size(), model.entries.size()) << "group commit never batched two commands";
  for (const char* reason :
       {"ACCOUNT_SUSPENDED", "ALREADY_REVERSED", "ENTRY_ID_REUSED", "KIND_MISMATCH",
        "OVERDRAFT_LIMIT", "BALANCE_CAP", "CANNOT_REVERSE_REVERSAL", "GRANULARITY"}) {
    EXPECT_GT(refusals[reason], 0) << "the run never produced " << reason;
  }
}

}  // namespace timeledger::ledger::property
