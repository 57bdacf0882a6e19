// The property test's check of each attempt against what it was allowed to be and against the
// entries: single entries, batches, reversals and status changes.
#include "tests/ledger/engine/ledger_property_model.h"

namespace timeledger::ledger::property {

std::string Describe(const EntrySpec& spec) {
  return absl::StrCat(spec.bank_id, "/", spec.entry_id, " ", EntryKindName(spec.kind), " ",
                      spec.from_account_id, "->", spec.to_account_id, " ", spec.minutes, "min");
}

std::string EntryDifference(const Entry& a, const Entry& b, bool with_reversed_by) {
  std::vector<std::string> diffs;
  auto check = [&](bool same, const char* field) {
    if (!same) diffs.push_back(field);
  };
  check(a.bank_id == b.bank_id, "bank_id");
  check(a.seq == b.seq, "seq");
  check(a.entry_id == b.entry_id, "entry_id");
  check(a.kind == b.kind, "kind");
  check(a.from_account_id == b.from_account_id, "from_account_id");
  check(a.to_account_id == b.to_account_id, "to_account_id");
  check(a.minutes == b.minutes, "minutes");
  check(a.activity == b.activity, "activity");
  check(a.note == b.note, "note");
  check(ToMicros(a.occurred_at) == ToMicros(b.occurred_at), "occurred_at");
  check(ToMicros(a.recorded_at) == ToMicros(b.recorded_at), "recorded_at");
  check(a.recorded_by == b.recorded_by, "recorded_by");
  check(a.reverses_seq == b.reverses_seq, "reverses_seq");
  check(a.hash == b.hash, "hash");
  if (with_reversed_by) check(a.reversed_by_seq == b.reversed_by_seq, "reversed_by_seq");
  return absl::StrJoin(diffs, ",");
}

bool EntryMatchesSpec(const Entry& entry, const EntrySpec& spec) {
  return entry.bank_id == spec.bank_id && entry.entry_id == spec.entry_id &&
         entry.kind == spec.kind && entry.from_account_id == spec.from_account_id &&
         entry.to_account_id == spec.to_account_id && entry.minutes == spec.minutes &&
         entry.activity == spec.activity && entry.note == spec.note &&
         (spec.occurred_at == absl::InfinitePast() ||
          ToMicros(entry.occurred_at) == ToMicros(spec.occurred_at));
}

std::string AccountDifference(const Account& a, const Account& b, bool with_recent_days) {
  std::vector<std::string> diffs;
  auto check = [&](bool same, const char* field) {
    if (!same) diffs.push_back(field);
  };
  check(a.bank_id == b.bank_id, "bank_id");
  check(a.account_id == b.account_id, "account_id");
  check(a.kind == b.kind, "kind");
  check(a.roles == b.roles, "roles");
  check(a.display_name == b.display_name, "display_name");
  check(a.status == b.status, "status");
  check(ToMicros(a.opened_at) == ToMicros(b.opened_at), "opened_at");
  check(a.balance_minutes == b.balance_minutes, "balance_minutes");
  check(a.earned_minutes == b.earned_minutes, "earned_minutes");
  check(a.spent_minutes == b.spent_minutes, "spent_minutes");
  check(a.entry_count == b.entry_count, "entry_count");
  check(a.held_minutes == b.held_minutes, "held_minutes");
  check(a.pending_in_minutes == b.pending_in_minutes, "pending_in_minutes");
  check(ToMicros(a.last_activity_at) == ToMicros(b.last_activity_at), "last_activity_at");
  if (with_recent_days) {
    bool same = a.recent_days.size() == b.recent_days.size();
    for (size_t i = 0; same && i < a.recent_days.size(); ++i) {
      same = a.recent_days[i].day == b.recent_days[i].day &&
             a.recent_days[i].given_minutes == b.recent_days[i].given_minutes &&
             a.recent_days[i].received_minutes == b.recent_days[i].received_minutes;
    }
    check(same, "recent_days");
  }
  return absl::StrJoin(diffs, ",");
}

int64_t FigureOf(const absl::Status& status, const std::string& name) {
  const auto figures = FiguresOf(status);
  auto it = figures.find(name);
  int64_t value = 0;
  if (it == figures.end() || !absl::SimpleAtoi(it->second, &value)) return INT64_MIN;
  return value;
}

void LedgerPropertyTest::CheckRuleFigures(const EntrySpec& spec, const absl::Status& status,
                                          bool balance_committed) {
  const BankModel& model = models_.at(spec.bank_id);
  const std::string reason = ReasonOf(status);
  const auto figures = FiguresOf(status);
  const std::string what = absl::StrCat(Describe(spec), ": ", reason);
  auto account = figures.count("account_id") ? figures.at("account_id") : "";
  const int64_t limit = FigureOf(status, "limit_minutes");
  const int64_t attempted = FigureOf(status, "attempted_minutes");
  if (attempted != spec.minutes) {
    problems_.Add(absl::StrCat(what, " names attempted ", attempted));
  }
  if (reason == "OVERDRAFT_LIMIT") {
    const int64_t balance = FigureOf(status, "balance_minutes");
    const Account& payer = model.replayed.at(spec.from_account_id);
    const int64_t floor = payer.kind == AccountKind::kPerson         ? kPersonFloor
                          : payer.kind == AccountKind::kOrganisation ? kOrganisationFloor
                                                                     : 0;
    if (account != spec.from_account_id || limit != floor ||
        FigureOf(status, "held_minutes") != 0 || balance - spec.minutes >= floor ||
        (balance_committed && model.balances_seen.at(account).count(balance) == 0)) {
      problems_.Add(absl::StrCat(what, " with figures that do not hold: ", status.ToString()));
    }
  } else if (reason == "BALANCE_CAP") {
    const int64_t balance = FigureOf(status, "balance_minutes");
    if (account != spec.to_account_id || limit != kPersonCap ||
        balance + spec.minutes <= kPersonCap ||
        (balance_committed && model.balances_seen.at(account).count(balance) == 0)) {
      problems_.Add(absl::StrCat(what, " with figures that do not hold: ", status.ToString()));
    }
  } else if (reason == "DAILY_LIMIT") {
    if (account != spec.to_account_id || limit != kDailyEarnMax ||
        FigureOf(status, "current_minutes") + spec.minutes <= kDailyEarnMax ||
        !IsTimeGiven(spec.kind)) {
      problems_.Add(absl::StrCat(what, " with figures that do not hold: ", status.ToString()));
    }
  }
}

void LedgerPropertyTest::CheckEntryAttempt(const EntryAttempt& attempt,
                                           const std::string& principal) {
  const std::string what = Describe(attempt.spec);
  if (!attempt.result.has_value()) {
    problems_.Add(absl::StrCat(what, ": no result was delivered"));
    return;
  }
  const absl::StatusOr<Receipt>& result = *attempt.result;
  const BankModel* model = ModelOf(attempt.spec.bank_id);
  if (!result.ok()) {
    CheckRefusedEntry(attempt, result.status(), model);
    return;
  }
  if (!attempt.expect.ok_allowed) {
    problems_.Add(absl::StrCat(what, ": recorded as seq ", result->entry.seq,
                               " (replayed=", result->replayed, ") but must be refused with ",
                               absl::StrJoin(attempt.expect.reasons, " ")));
    return;
  }
  if (result->pending) {
    problems_.Add(absl::StrCat(what, ": held as pending; no rule here asks for confirmation"));
    return;
  }
  if (attempt.expect.must_replay && !result->replayed) {
    problems_.Add(absl::StrCat(what, ": a retry of an acknowledged entry was not replayed"));
  }
  if (attempt.expect.replay_seq != 0 && result->entry.seq != attempt.expect.replay_seq) {
    problems_.Add(absl::StrCat(what, ": replayed as seq ", result->entry.seq, ", not ",
                               attempt.expect.replay_seq));
  }
  if (attempt.expect.fresh_id && !attempt.expect.must_replay && result->replayed) {
    problems_.Add(absl::StrCat(what, ": a fresh entry_id came back replayed"));
  }
  const Entry* stored = model ? model->Find(result->entry.seq) : nullptr;
  if (stored == nullptr) {
    problems_.Add(absl::StrCat(what, ": acknowledged as seq ", result->entry.seq,
                               " but the listing has no such entry"));
    return;
  }
  if (auto diff = EntryDifference(result->entry, *stored, /*with_reversed_by=*/false);
      !diff.empty()) {
    problems_.Add(absl::StrCat(what, ": the receipt of seq ", stored->seq,
                               " differs from the listed entry in ", diff));
  }
  if (!EntryMatchesSpec(*stored, attempt.spec)) {
    problems_.Add(absl::StrCat(what, ": seq ", stored->seq, " does not record what was asked"));
  }
  if (!result->replayed) CheckNewReceipt(attempt.spec, *result, *stored, *model, principal);
}

void LedgerPropertyTest::CheckRefusedEntry(const EntryAttempt& attempt, const absl::Status& status,
                                           const BankModel* model) {
  const std::string what = Describe(attempt.spec);
  const std::string reason = ReasonOf(status);
  if (attempt.expect.reasons.count(reason) == 0) {
    problems_.Add(absl::StrCat(what, ": refused with ", status.ToString(),
                               "; allowed: ", attempt.expect.ok_allowed ? "OK " : "",
                               absl::StrJoin(attempt.expect.reasons, " ")));
    return;
  }
  if (reason == "ACCOUNT_SUSPENDED") {
    const std::string account = FiguresOf(status)["account_id"];
    if (account.empty() || !absl::StrContains(attempt.expect.suspended_candidates, account)) {
      problems_.Add(absl::StrCat(what, ": ACCOUNT_SUSPENDED names ", account));
    }
  }
  if (RuleReasons().count(reason) != 0 && model != nullptr) {
    CheckRuleFigures(attempt.spec, status, /*balance_committed=*/true);
  }
  const Entry* stored = model ? model->FindId(attempt.spec.entry_id) : nullptr;
  if (attempt.expect.fresh_id && model != nullptr) {
    if (stored != nullptr) {
      problems_.Add(absl::StrCat(what, ": refused (", reason, ") but entry ", stored->seq,
                                 " holds its entry_id"));
    }
    auto read = ledger_->GetEntryById(BankId(attempt.spec.bank_id), EntryId(attempt.spec.entry_id));
    if (ReasonOf(read.status()) != "ENTRY_NOT_FOUND") {
      problems_.Add(
          absl::StrCat(what, ": refused, yet GetEntryById gives ", read.status().ToString()));
    }
  }
  if (reason == "ENTRY_ID_REUSED") {
    if (stored == nullptr) {
      problems_.Add(absl::StrCat(what, ": ENTRY_ID_REUSED but no entry holds the id"));
    } else {
      if (EntryMatchesSpec(*stored, attempt.spec)) {
        problems_.Add(absl::StrCat(what, ": ENTRY_ID_REUSED for the very same content"));
      }
      if (FigureOf(status, "seq") != static_cast<int64_t>(stored->seq)) {
        problems_.Add(absl::StrCat(what, ": ENTRY_ID_REUSED names seq ", FigureOf(status, "seq"),
                                   ", not ", stored->seq));
      }
    }
  }
}

void LedgerPropertyTest::CheckNewReceipt(const EntrySpec& spec, const Receipt& receipt,
                                         const Entry& stored, const BankModel& model,
                                         const std::string& principal) {
  const std::string what = Describe(spec);
  ++new_acks_[spec.bank_id][spec.entry_id];
  if (stored.recorded_by != principal) {
    problems_.Add(absl::StrCat(what, ": recorded_by ", stored.recorded_by));
  }
  int64_t to_after = model.after[stored.seq - 1].second;
  if (receipt.excess_entry_seq != 0) {
    const Entry* excess = model.Find(receipt.excess_entry_seq);
    if (excess == nullptr || excess->seq != stored.seq + 1 ||
        excess->entry_id != absl::StrCat("cap-excess-of-", stored.seq) ||
        excess->minutes != receipt.excess_to_pool_minutes) {
      problems_.Add(absl::StrCat(what, ": its cap excess is not the entry after it"));
    } else {
      ++new_acks_[spec.bank_id][excess->entry_id];
      to_after = model.after[excess->seq - 1].first;
    }
  }
  if (receipt.from_balance_minutes != model.after[stored.seq - 1].first ||
      receipt.to_balance_minutes != to_after) {
    problems_.Add(absl::StrCat(what, ": receipt balances ", receipt.from_balance_minutes, "/",
                               receipt.to_balance_minutes, " but the replay gives ",
                               model.after[stored.seq - 1].first, "/", to_after));
  }
  auto read = ledger_->GetEntry(BankId(spec.bank_id), stored.seq);
  if (!read.ok() || !EntryDifference(*read, stored, true).empty()) {
    problems_.Add(absl::StrCat(what, ": GetEntry(", stored.seq, ") differs or fails"));
  }
  auto by_id = ledger_->GetEntryById(BankId(spec.bank_id), EntryId(spec.entry_id));
  if (!by_id.ok() || by_id->seq != stored.seq) {
    problems_.Add(absl::StrCat(what, ": GetEntryById does not find seq ", stored.seq));
  }
}

void LedgerPropertyTest::CheckBatch(const BatchAttempt& batch, const std::string& principal) {
  if (!batch.status.has_value()) {
    problems_.Add("a batch got no result");
    return;
  }
  if (!batch.atomic) {
    if (!batch.status->ok()) {
      problems_.Add(absl::StrCat("a loose batch failed whole: ", batch.status->ToString()));
      return;
    }
    for (const EntryAttempt& item : batch.items) CheckEntryAttempt(item, principal);
    return;
  }
  if (!batch.status->ok()) {
    CheckRefusedAtomicBatch(batch);
    return;
  }
  if (batch.bad_index >= 0) {
    problems_.Add(absl::StrCat("an atomic batch with item ", batch.bad_index, " refused by ",
                               batch.bad_reason, " was accepted"));
    return;
  }
  // Accepted whole: each bank's new entries take consecutive seqs, in the batch's order.
  std::map<std::string, uint64_t> last_seq;
  std::map<std::string, uint64_t> seq_by_id;
  for (const EntryAttempt& item : batch.items) {
    CheckEntryAttempt(item, principal);
    if (!item.result.has_value() || !item.result->ok()) {
      problems_.Add(absl::StrCat(Describe(item.spec), ": refused inside an accepted atomic batch"));
      continue;
    }
    const Receipt& receipt = **item.result;
    if (receipt.replayed) {
      if (seq_by_id[item.spec.entry_id] != receipt.entry.seq) {
        problems_.Add(absl::StrCat(Describe(item.spec), ": the in-batch repeat replays seq ",
                                   receipt.entry.seq));
      }
      continue;
    }
    seq_by_id[item.spec.entry_id] = receipt.entry.seq;
    uint64_t& last = last_seq[item.spec.bank_id];
    if (last != 0 && receipt.entry.seq != last + 1) {
      problems_.Add(absl::StrCat(Describe(item.spec), ": seq ", receipt.entry.seq,
                                 " does not follow ", last, " within its atomic batch"));
    }
    last = receipt.excess_entry_seq != 0 ? receipt.excess_entry_seq : receipt.entry.seq;
  }
}

void LedgerPropertyTest::CheckRefusedAtomicBatch(const BatchAttempt& batch) {
  const absl::Status& status = *batch.status;
  const std::string reason = ReasonOf(status);
  const int64_t index = FigureOf(status, "index");
  if (batch.bad_index >= 0) {
    if (reason != batch.bad_reason || index != batch.bad_index) {
      problems_.Add(absl::StrCat("an atomic batch with item ", batch.bad_index, " refused by ",
                                 batch.bad_reason, " ended with ", status.ToString()));
    }
  } else if (!batch.risky || RuleReasons().count(reason) == 0 || index < 0 ||
             index >= static_cast<int64_t>(batch.items.size())) {
    problems_.Add(absl::StrCat("a valid atomic batch was refused: ", status.ToString()));
  } else {
    CheckRuleFigures(batch.items[static_cast<size_t>(index)].spec, status,
                     /*balance_committed=*/false);
  }
  for (const EntryAttempt& item : batch.items) {
    const BankModel* model = ModelOf(item.spec.bank_id);
    if (item.expect.fresh_id && model != nullptr && model->FindId(item.spec.entry_id)) {
      problems_.Add(
          absl::StrCat(Describe(item.spec), ": written although its atomic batch was refused"));
    }
  }
}

void LedgerPropertyTest::CheckReversal(const ReversalAttempt& attempt) {
  const BankModel& model = models_.at(kBank);
  const std::string what = absl::StrCat("reversal of ", attempt.seq, " as ", attempt.EffectiveId(),
                                        " (", attempt.note, ")");
  if (!attempt.result.has_value()) {
    problems_.Add(absl::StrCat(what, ": no result was delivered"));
    return;
  }
  const absl::StatusOr<Receipt>& result = *attempt.result;
  const Entry* original = model.Find(attempt.seq);
  if (!result.ok()) {
    CheckRefusedReversal(attempt, result.status(), original);
    return;
  }
  const Entry* stored = model.Find(result->entry.seq);
  if (attempt.retry_other) {
    problems_.Add(absl::StrCat(what, ": another note under a used id was accepted"));
  }
  if (attempt.retry_same && (!result->replayed || result->entry.seq != attempt.original_seq)) {
    problems_.Add(absl::StrCat(what, ": a retry was not replayed as seq ", attempt.original_seq));
  }
  if (stored == nullptr || original == nullptr) {
    problems_.Add(absl::StrCat(what, ": acknowledged but missing from the listing"));
    return;
  }
  if (auto diff = EntryDifference(result->entry, *stored, false); !diff.empty()) {
    problems_.Add(absl::StrCat(what, ": receipt differs from the listing in ", diff));
  }
  if (stored->kind != EntryKind::kReversal || stored->reverses_seq != attempt.seq ||
      stored->entry_id != attempt.EffectiveId() || stored->note != attempt.note ||
      stored->from_account_id != original->to_account_id ||
      stored->to_account_id != original->from_account_id || stored->minutes != original->minutes) {
    problems_.Add(absl::StrCat(what, ": entry ", stored->seq, " is not its reversal"));
  }
  if (original->kind == EntryKind::kReversal) {
    problems_.Add(absl::StrCat(what, ": a reversal was reversed"));
  }
  if (original->reversed_by_seq != stored->seq) {
    problems_.Add(absl::StrCat(what, ": entry ", attempt.seq, " says reversed by ",
                               original->reversed_by_seq, ", not ", stored->seq));
  }
  if (!result->replayed) {
    ++new_acks_[kBank][attempt.EffectiveId()];
    const auto& after = model.after[stored->seq - 1];
    if (result->from_balance_minutes != after.first || result->to_balance_minutes != after.second) {
      problems_.Add(absl::StrCat(what, ": receipt balances differ from the replay"));
    }
  }
}

void LedgerPropertyTest::CheckRefusedReversal(const ReversalAttempt& attempt,
                                              const absl::Status& status, const Entry* original) {
  const BankModel& model = models_.at(kBank);
  const std::string what = absl::StrCat("reversal of ", attempt.seq, " as ", attempt.EffectiveId(),
                                        " (", attempt.note, ")");
  const std::string reason = ReasonOf(status);
  if (attempt.retry_same || (attempt.retry_other && reason != "ENTRY_ID_REUSED")) {
    problems_.Add(absl::StrCat(what, ": a retry got ", status.ToString()));
    return;
  }
  if (reason == "ALREADY_REVERSED") {
    if (original == nullptr || original->reversed_by_seq == 0) {
      problems_.Add(absl::StrCat(what, ": ALREADY_REVERSED, but it never was"));
      return;
    }
    if (FigureOf(status, "reversed_by_seq") != static_cast<int64_t>(original->reversed_by_seq)) {
      problems_.Add(absl::StrCat(what, ": ALREADY_REVERSED names the wrong reversal"));
    }
    const Entry* reverser = model.Find(original->reversed_by_seq);
    if (reverser != nullptr && reverser->entry_id == attempt.EffectiveId()) {
      problems_.Add(absl::StrCat(what, ": ALREADY_REVERSED by its own id: must replay"));
    }
  } else if (reason == "CANNOT_REVERSE_REVERSAL") {
    if (original == nullptr || original->kind != EntryKind::kReversal) {
      problems_.Add(absl::StrCat(what, ": CANNOT_REVERSE_REVERSAL for a non-reversal"));
    }
  } else if (reason == "ENTRY_NOT_FOUND") {
    if (attempt.seq <= attempt.acked_seq_max) {
      problems_.Add(absl::StrCat(what, ": ENTRY_NOT_FOUND although seq ", attempt.acked_seq_max,
                                 " was acknowledged before"));
    }
  } else if (reason == "OVERDRAFT_LIMIT" || reason == "BALANCE_CAP") {
    // A reversal keeps the money rules: the original earner's floor, the original payer's cap.
    if (original == nullptr) {
      problems_.Add(absl::StrCat(what, ": ", reason, " for an entry that does not exist"));
      return;
    }
    EntrySpec as_spec;
    as_spec.bank_id = kBank;
    as_spec.entry_id = attempt.EffectiveId();
    as_spec.kind = EntryKind::kReversal;
    as_spec.from_account_id = original->to_account_id;
    as_spec.to_account_id = original->from_account_id;
    as_spec.minutes = original->minutes;
    CheckRuleFigures(as_spec, status, /*balance_committed=*/true);
  } else if (reason == "ENTRY_ID_REUSED") {
    const Entry* holder = model.FindId(attempt.EffectiveId());
    if (holder == nullptr) {
      problems_.Add(absl::StrCat(what, ": ENTRY_ID_REUSED but nothing holds the id"));
    } else if (holder->kind == EntryKind::kReversal && holder->reverses_seq == attempt.seq &&
               holder->note == attempt.note) {
      problems_.Add(absl::StrCat(what, ": ENTRY_ID_REUSED for the same reversal"));
    }
  } else {
    problems_.Add(absl::StrCat(what, ": unexpected ", status.ToString()));
  }
}

void LedgerPropertyTest::CheckStatus(const StatusAttempt& attempt) {
  const std::string what = absl::StrCat("status ", AccountStatusName(attempt.status), " of ",
                                        attempt.bank_id, "/", attempt.account_id);
  if (!attempt.result.has_value()) {
    problems_.Add(absl::StrCat(what, ": no result was delivered"));
  } else if (attempt.expected_reason.empty() && !attempt.result->ok()) {
    problems_.Add(absl::StrCat(what, ": ", attempt.result->status().ToString()));
  } else if (!attempt.expected_reason.empty() &&
             ReasonOf(attempt.result->status()) != attempt.expected_reason) {
    problems_.Add(absl::StrCat(what, ": got ", attempt.result->status().ToString(), ", expected ",
                               attempt.expected_reason));
  }
}

}  // namespace timeledger::ledger::property
