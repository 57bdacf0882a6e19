// The entry commands: record (one, a batch's item, a dry run), confirm, reject or expire, reverse.
// Each decides the caller's rights (ledger/rules/access.h) against the state that it commits.
#include "absl/strings/str_cat.h"

#include "ledger/core/check.h"
#include "ledger/core/errors.h"
#include "ledger/core/validate.h"
#include "ledger/engine/commands.h"
#include "ledger/engine/postings.h"
#include "ledger/rules/rules.h"

namespace timeledger::ledger {
namespace {

Entry EntryOf(const EntrySpec& spec, absl::Time now, const std::string& recorded_by) {
  Entry entry;
  entry.bank_id = spec.bank_id;
  entry.entry_id = spec.entry_id;
  entry.kind = spec.kind;
  entry.from_account_id = spec.from_account_id;
  entry.to_account_id = spec.to_account_id;
  entry.minutes = spec.minutes;
  entry.activity = spec.activity;
  entry.note = spec.note;
  entry.occurred_at = spec.occurred_at == absl::InfinitePast() ? now : spec.occurred_at;
  entry.recorded_by = recorded_by;
  entry.imported = spec.imported;
  entry.reverses_seq = spec.reverses_seq;
  return entry;
}

// Stages what the rules decided for `entry`: a hold until it is confirmed, or the entry itself
// with its excess over the cap sent on to the pool.
absl::StatusOr<Receipt> PostVerdict(WriteTxn& txn, const BankHeader& bank,
                                    RequestFingerprint fingerprint, Entry entry, Account from,
                                    Account to, const RuleVerdict& verdict) {
  const std::string bank_id = entry.bank_id;
  const std::string entry_id = entry.entry_id;
  const std::string earner_id = entry.to_account_id;
  if (verdict.needs_confirmation) {
    txn.PutEntryId(bank_id, entry_id, EntryIdRecord{0, fingerprint});
    return HoldPending(txn, bank, std::move(entry), std::move(from), std::move(to), verdict);
  }
  txn.PutEntryId(bank_id, entry_id, EntryIdRecord{bank.head.next_seq, fingerprint});
  Receipt receipt = AppendEntry(txn, bank, std::move(entry), std::move(from), std::move(to));
  if (verdict.excess_to_pool_minutes > 0) {
    if (auto s = DonateExcess(txn, bank_id, earner_id, verdict.excess_to_pool_minutes, &receipt);
        !s.ok()) {
      return s;
    }
  }
  return receipt;
}

// A member at a kiosk finds only the entries that wait for them; any other is not there for
// them. Everyone else passes.
absl::Status CheckAwaitsMember(const Principal& caller, const std::string& entry_id,
                               const std::optional<PendingEntry>& pending) {
  if (caller.role != PrincipalRole::kKiosk) return absl::OkStatus();
  if (pending.has_value() && pending->confirm_by == caller.account_id &&
      pending->state == PendingState::kPending) {
    return absl::OkStatus();
  }
  return ledger::Refuse(Reason::kPendingNotFound,
                        absl::StrCat("no entry ", entry_id, " is waiting for your confirmation"),
                        {{"entry_id", entry_id}});
}

// The pending entry `entry_id` as `caller` may find it; NotFound PENDING_NOT_FOUND otherwise.
absl::StatusOr<PendingEntry> FindPending(WriteTxn& txn, const std::string& bank_id,
                                         const std::string& entry_id, const Principal& caller) {
  auto found = txn.GetPending(bank_id, entry_id);
  if (!found.ok()) return found.status();
  if (auto s = CheckAwaitsMember(caller, entry_id, *found); !s.ok()) return s;
  if (!found->has_value()) {
    return ledger::Refuse(Reason::kPendingNotFound,
                          absl::StrCat("no entry ", entry_id, " is waiting for confirmation"),
                          {{"entry_id", entry_id}});
  }
  return **found;
}

// A coordinator's right to confirm `pending` (CheckMayConfirm), with the binding of the name
// that recorded it as the registry has it now. An entry recorded under the caller's very name
// is left to ExecuteConfirmEntry's own SELF_CONFIRMATION.
absl::Status CheckCallerMayConfirm(const Principal& caller, const PendingEntry& pending,
                                   BindingLookup binding_of) {
  if (caller.role != PrincipalRole::kCoordinator || pending.entry.recorded_by == caller.name) {
    return absl::OkStatus();
  }
  return CheckMayConfirm(caller, pending.entry, binding_of(pending.entry.recorded_by));
}

// A coordinator's right to reverse entry `seq` (CheckMayReverse). An entry that is not there
// is refused later, as for anyone.
absl::Status CheckCallerMayReverse(WriteTxn& txn, const std::string& bank_id, uint64_t seq,
                                   const Principal& caller) {
  if (caller.role != PrincipalRole::kCoordinator || seq == 0) return absl::OkStatus();
  if (!FindBank(txn, bank_id).ok()) return absl::OkStatus();
  auto original = txn.GetEntry(bank_id, seq);
  if (!original.ok() || !original->has_value()) return absl::OkStatus();
  return CheckMayReverse(caller, **original);
}

// Entry `seq`, if it may be reversed: it exists, is no reversal itself, and is not reversed yet.
absl::StatusOr<Entry> FindReversible(WriteTxn& txn, const std::string& bank_id, uint64_t seq) {
  auto original = txn.GetEntry(bank_id, seq);
  if (!original.ok()) return original.status();
  if (!original->has_value()) {
    return ledger::Refuse(Reason::kEntryNotFound,
                          absl::StrCat("bank ", bank_id, " has no entry ", seq),
                          {{"seq", std::to_string(seq)}});
  }
  if ((*original)->kind == EntryKind::kReversal) {
    return ledger::Refuse(
        Reason::kCannotReverseReversal,
        absl::StrCat("entry ", seq,
                     " is itself a reversal; record the original entry again instead"),
        {{"seq", std::to_string(seq)}});
  }
  auto reversed_by = txn.GetReversedBy(bank_id, seq);
  if (!reversed_by.ok()) return reversed_by.status();
  if (*reversed_by != 0) {
    return ledger::Refuse(
        Reason::kAlreadyReversed,
        absl::StrCat("entry ", seq, " was already reversed by entry ", *reversed_by),
        {{"seq", std::to_string(seq)}, {"reversed_by_seq", std::to_string(*reversed_by)}});
  }
  return **std::move(original);
}

// An imported entry: history moved in from another system. No rule that judges the present
// judges it (types.h, EntrySpec::imported); an imported reversal undoes an entry of this bank that
// is not undone yet, with its accounts swapped and its minutes.
absl::StatusOr<Receipt> RecordImportedEntry(WriteTxn& txn, const BankHeader& bank,
                                            RequestFingerprint fingerprint, Entry entry,
                                            Account from, Account to) {
  TL_CHECK(entry.imported);
  std::optional<Entry> undone;
  if (entry.kind == EntryKind::kReversal) {
    auto found = FindReversible(txn, entry.bank_id, entry.reverses_seq);
    if (!found.ok()) return found.status();
    if (found->from_account_id != entry.to_account_id ||
        found->to_account_id != entry.from_account_id || found->minutes != entry.minutes) {
      return ledger::Refuse(
          Reason::kKindMismatch,
          absl::StrCat("an imported reversal of entry ", found->seq, " moves its ", found->minutes,
                       " minutes from ", found->to_account_id, " back to ", found->from_account_id),
          {{"seq", std::to_string(found->seq)}});
    }
    undone = *std::move(found);
  }
  const uint64_t seq = bank.head.next_seq;
  txn.PutEntryId(entry.bank_id, entry.entry_id, EntryIdRecord{seq, fingerprint});
  if (undone.has_value()) txn.PutReversal(entry.bank_id, undone->seq, seq);
  Receipt receipt = AppendEntry(txn, bank, std::move(entry), std::move(from), std::move(to),
                                undone.has_value() ? &*undone : nullptr);
  TL_CHECK(receipt.entry.seq == seq && receipt.entry.imported);
  return receipt;
}

// The entry that undoes `undone`: the earner gives the minutes back to the payer.
Entry ReversalOf(const Entry& undone, const std::string& entry_id, const std::string& note,
                 absl::Time now, const std::string& recorded_by) {
  Entry entry;
  entry.bank_id = undone.bank_id;
  entry.entry_id = entry_id;
  entry.kind = EntryKind::kReversal;
  entry.from_account_id = undone.to_account_id;
  entry.to_account_id = undone.from_account_id;
  entry.minutes = undone.minutes;
  entry.activity = undone.activity;
  entry.note = note;
  entry.occurred_at = now;
  entry.recorded_by = recorded_by;
  entry.reverses_seq = undone.seq;
  return entry;
}

}  // namespace

absl::Status CheckCallerMayRecord(WriteTxn& txn, const Principal& caller, const EntrySpec& spec) {
  if (auto s = CheckMayActIn(caller, spec.bank_id); !s.ok()) return s;
  // A coordinator's own credit is allowed only where the bank's policy, as this batch sees it,
  // sends an entry that its recorder earns to the payer for confirmation (rules.cc,
  // SELF_RECORDED). Read here, in the writer, a policy change cannot slip in between.
  bool goes_to_confirmation = false;
  if (caller.role == PrincipalRole::kCoordinator && caller.name == spec.to_account_id) {
    const BankHeader* bank = txn.GetBank(spec.bank_id);
    goes_to_confirmation = bank != nullptr && bank->damage.ok() &&
                           bank->policy.self_recorded_needs_confirmation &&
                           spec.kind != EntryKind::kReversal && !spec.imported;
  }
  return CheckMayRecord(caller, spec, goes_to_confirmation);
}

absl::StatusOr<Receipt> ExecuteRecordEntry(WriteTxn& txn, const EntrySpec& spec,
                                           const Principal& caller) {
  if (auto s = CheckCallerMayRecord(txn, caller, spec); !s.ok()) return s;
  return RecordCheckedEntry(txn, spec, caller.name);
}

absl::StatusOr<Receipt> RecordCheckedEntry(WriteTxn& txn, const EntrySpec& spec,
                                           const std::string& recorded_by) {
  if (auto s = ValidateEntrySpec(spec, txn.now()); !s.ok()) return s;
  auto bank = FindBank(txn, spec.bank_id);
  if (!bank.ok()) return bank.status();
  const RequestFingerprint fingerprint = SpecFingerprint(spec);
  auto replay = CheckIdempotency(txn, spec, fingerprint);
  if (!replay.ok()) return replay.status();
  if (replay->has_value()) return std::move(**replay);

  auto from = FindAccount(txn, spec.bank_id, spec.from_account_id);
  if (!from.ok()) return from.status();
  auto to = FindAccount(txn, spec.bank_id, spec.to_account_id);
  if (!to.ok()) return to.status();
  if (auto s = CheckActive(*from); !s.ok()) return s;
  if (auto s = CheckActive(*to); !s.ok()) return s;
  // An imported reversal fits as the entry it undoes does (RecordImportedEntry checks it swaps
  // that entry's accounts), a grant or a donation with the pool included.
  if (!(spec.imported && spec.kind == EntryKind::kReversal)) {
    if (auto s = CheckKindFits(spec.kind, *from, *to); !s.ok()) return s;
  }

  Entry entry = EntryOf(spec, txn.now(), recorded_by);
  if (entry.imported) {
    return RecordImportedEntry(txn, **bank, fingerprint, std::move(entry), *std::move(from),
                               *std::move(to));
  }
  auto activity = LoadActivityRules(txn, entry, *to);
  if (!activity.ok()) return activity.status();
  RuleInput input{(*bank)->policy, (*bank)->zone, txn.now(), entry, *from, *to};
  if (activity->item.has_value()) input.activity = &*activity->item;
  input.earner_holdings = &activity->earner_holdings;
  input.recorded_by_partner = spec.recorded_by_partner;
  input.payer_card_holder = spec.payer_card_holder;
  const RuleVerdict verdict = CheckEntryRules(input);
  if (!verdict.refusal.ok()) return verdict.refusal;
  auto receipt = PostVerdict(txn, **bank, fingerprint, std::move(entry), *std::move(from),
                             *std::move(to), verdict);
  if (!receipt.ok()) return receipt.status();
  receipt->warnings = verdict.warnings;
  receipt->payer_reciprocity = verdict.payer_reciprocity;
  return receipt;
}

absl::StatusOr<Receipt> ExecuteConfirmEntry(WriteTxn& txn, const std::string& bank_id,
                                            const std::string& entry_id, const Principal& caller,
                                            BindingLookup binding_of,
                                            const std::string* closing_account) {
  if (auto s = ValidateId("bank_id", bank_id); !s.ok()) return s;
  if (auto s = ValidateEntryId("entry_id", entry_id); !s.ok()) return s;
  auto bank = FindBank(txn, bank_id);
  if (!bank.ok()) return bank.status();
  auto found = FindPending(txn, bank_id, entry_id, caller);
  if (!found.ok()) return found.status();
  if (auto s = CheckCallerMayConfirm(caller, *found, binding_of); !s.ok()) return s;
  PendingEntry pending = *std::move(found);
  if (pending.state == PendingState::kConfirmed) {
    return Replay(txn, bank_id, entry_id, pending.entry.seq);  // confirming twice is a no-op
  }
  if (pending.state != PendingState::kPending) {
    return ledger::Refuse(
        Reason::kPendingResolved,
        absl::StrCat("entry ", entry_id, " was already ", PendingStateName(pending.state)),
        {{"entry_id", entry_id}, {"state", PendingStateName(pending.state)}});
  }
  if (caller.name == pending.entry.recorded_by) {
    return ledger::Refuse(
        Reason::kSelfConfirmation,
        absl::StrCat("entry ", entry_id, " was recorded by ", caller.name, "; someone else (",
                     pending.confirm_by, " or a coordinator) must confirm it"),
        {{"entry_id", entry_id}, {"confirm_by", pending.confirm_by}});
  }
  auto from = FindAccount(txn, bank_id, pending.entry.from_account_id);
  if (!from.ok()) return from.status();
  auto to = FindAccount(txn, bank_id, pending.entry.to_account_id);
  if (!to.ok()) return to.status();
  if (auto s = CheckActive(*from); !s.ok()) return s;
  // A write-off confirmed by the close of a (perhaps suspended) account (four eyes).
  if (closing_account == nullptr || *closing_account != to->account_id) {
    if (auto s = CheckActive(*to); !s.ok()) return s;
  }
  ReleaseHold(pending.entry, &*from, &*to);
  int64_t excess = 0;
  if (auto s = CheckCap((*bank)->policy, *to, pending.entry.minutes, &excess); !s.ok()) return s;

  auto id_record = txn.GetEntryId(bank_id, entry_id);
  if (!id_record.ok()) return id_record.status();
  const RequestFingerprint fingerprint = id_record->has_value() ? (*id_record)->fingerprint : 0;
  RuleVerdict verdict;
  verdict.excess_to_pool_minutes = excess;
  auto receipt = PostVerdict(txn, **bank, fingerprint, pending.entry, *std::move(from),
                             *std::move(to), verdict);
  if (!receipt.ok()) return receipt.status();
  pending.entry.seq = receipt->entry.seq;
  pending.state = PendingState::kConfirmed;
  pending.resolved_at = txn.now();
  pending.resolved_by = caller.name;
  txn.PutPending(pending);
  txn.AppendFact(PendingResolvedFact(pending));
  return receipt;
}

absl::StatusOr<PendingEntry> ExecuteReleasePending(WriteTxn& txn, const std::string& bank_id,
                                                   const std::string& entry_id,
                                                   PendingState outcome, const Principal& caller,
                                                   const std::string& reason) {
  if (auto s = ValidateId("bank_id", bank_id); !s.ok()) return s;
  if (auto s = ValidateEntryId("entry_id", entry_id); !s.ok()) return s;
  if (auto s = ValidateText("reason", reason, kReasonLengthMax, false); !s.ok()) return s;
  if (auto bank = FindBank(txn, bank_id); !bank.ok()) return bank.status();
  auto found = FindPending(txn, bank_id, entry_id, caller);
  if (!found.ok()) return found.status();
  PendingEntry pending = *std::move(found);
  if (pending.state == outcome) return pending;  // rejecting twice is a no-op
  if (pending.state != PendingState::kPending) {
    return ledger::Refuse(
        Reason::kPendingResolved,
        absl::StrCat("entry ", entry_id, " was already ", PendingStateName(pending.state)),
        {{"entry_id", entry_id}, {"state", PendingStateName(pending.state)}});
  }
  auto from = FindAccount(txn, bank_id, pending.entry.from_account_id);
  if (!from.ok()) return from.status();
  auto to = FindAccount(txn, bank_id, pending.entry.to_account_id);
  if (!to.ok()) return to.status();
  ReleaseHold(pending.entry, &*from, &*to);
  txn.PutAccount(*from);
  txn.PutAccount(*to);
  pending.state = outcome;
  pending.resolved_at = txn.now();
  pending.resolved_by = caller.name;
  if (!reason.empty()) pending.reason = reason;
  txn.PutPending(pending);
  txn.AppendFact(PendingResolvedFact(pending));
  return pending;
}

absl::StatusOr<Receipt> ExecuteReverseEntry(WriteTxn& txn, const std::string& bank_id, uint64_t seq,
                                            const std::string& entry_id, const std::string& note,
                                            const Principal& caller) {
  if (auto s = ValidateId("bank_id", bank_id); !s.ok()) return s;
  // First, as before anything else: the caller may not undo what credits their own account.
  if (auto s = CheckCallerMayReverse(txn, bank_id, seq, caller); !s.ok()) return s;
  if (auto s = ValidateNewEntryId("entry_id", entry_id, true); !s.ok()) return s;
  if (auto s = ValidateText("note", note, kNoteLengthMax, false); !s.ok()) return s;
  if (seq == 0) {
    return ledger::Refuse(Reason::kInvalidSeq, "seq must be 1 or more", {{"field", "seq"}});
  }
  auto bank = FindBank(txn, bank_id);
  if (!bank.ok()) return bank.status();

  // The fingerprint of a reversal request: which entry it undoes, and why.
  EntrySpec as_spec;
  as_spec.bank_id = bank_id;
  as_spec.entry_id = entry_id;
  as_spec.kind = EntryKind::kReversal;
  as_spec.minutes = static_cast<int64_t>(seq);
  as_spec.note = note;
  auto replay = CheckIdempotency(txn, as_spec, SpecFingerprint(as_spec));
  if (!replay.ok()) return replay.status();
  if (replay->has_value()) return std::move(**replay);

  auto undone = FindReversible(txn, bank_id, seq);
  if (!undone.ok()) return undone.status();
  auto from = FindAccount(txn, bank_id, undone->to_account_id);
  if (!from.ok()) return from.status();
  auto to = FindAccount(txn, bank_id, undone->from_account_id);
  if (!to.ok()) return to.status();
  for (const Account* account : {&*from, &*to}) {
    if (account->status == AccountStatus::kClosed) {
      return ledger::Refuse(
          Reason::kAccountClosed,
          absl::StrCat(account->account_id, " is closed, so entry ", seq, " cannot be reversed"),
          {{"account_id", account->account_id}});
    }
  }

  Entry entry = ReversalOf(*undone, entry_id, note, txn.now(), caller.name);
  // A correction is no way around the money rules: the original earner's floor and the original
  // payer's cap hold as for any entry (the others concern time given, which a reversal is not).
  RuleInput input{(*bank)->policy, (*bank)->zone, txn.now(), entry, *from, *to};
  const RuleVerdict verdict = CheckEntryRules(input);
  if (!verdict.refusal.ok()) return verdict.refusal;
  TL_CHECK(!verdict.needs_confirmation);  // DecideConfirmation passes reversals by
  const uint64_t reversal_seq = (*bank)->head.next_seq;
  txn.PutEntryId(bank_id, entry_id, EntryIdRecord{reversal_seq, SpecFingerprint(as_spec)});
  txn.PutReversal(bank_id, seq, reversal_seq);
  const std::string earner_id = entry.to_account_id;
  Receipt receipt =
      AppendEntry(txn, **bank, std::move(entry), *std::move(from), *std::move(to), &*undone);
  TL_CHECK(receipt.entry.seq == reversal_seq);
  if (verdict.excess_to_pool_minutes > 0) {
    if (auto s = DonateExcess(txn, bank_id, earner_id, verdict.excess_to_pool_minutes, &receipt);
        !s.ok()) {
      return s;
    }
  }
  return receipt;
}

}  // namespace timeledger::ledger
