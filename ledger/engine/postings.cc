// How an entry is posted: its place in the chain, its effect on balances and recent activity, the
// entries the ledger derives from it (cap excess, donations), holds for pending entries, and the
// idempotency of entry ids. Shared by the commands; writer thread only.
#include "ledger/engine/postings.h"

#include "absl/strings/str_cat.h"

#include "ledger/core/check.h"
#include "ledger/core/errors.h"
#include "ledger/core/given_received.h"
#include "ledger/engine/commands.h"

namespace timeledger::ledger {
namespace {

// Adds an entry's effect on its accounts' recent days; a reversal takes away its original's.
void TrackActivity(const BankHeader& bank, absl::Time now, const Entry& entry,
                   const Entry* reversed, Account* from, Account* to) {
  const int32_t oldest = DayOf(now, bank.zone) - static_cast<int32_t>(RetainedDays(bank.policy));
  const Entry& counted = reversed != nullptr ? *reversed : entry;
  const int64_t sign = reversed != nullptr ? -1 : 1;
  const int32_t day = DayOf(counted.occurred_at, bank.zone);
  // Of the counted entry: its earner gave time, its payer received.
  Account* earner = reversed != nullptr ? from : to;
  Account* payer = reversed != nullptr ? to : from;
  const bool given = IsTimeGiven(counted.kind);
  const bool received = IsTimeReceived(counted.kind);
  RecordActivity(earner, day, given ? sign * counted.minutes : 0, 0, oldest);
  RecordActivity(payer, day, 0, received ? sign * counted.minutes : 0, oldest);
}

}  // namespace

Receipt AppendEntry(WriteTxn& txn, const BankHeader& bank, Entry entry, Account from, Account to,
                    const Entry* reversed) {
  // Two accounts of this bank, the entry's own, and minutes to move.
  TL_CHECK(entry.bank_id == bank.bank.bank_id);
  TL_CHECK(&bank == txn.GetBank(entry.bank_id));  // the header the append moves on in place
  TL_CHECK(from.bank_id == entry.bank_id && to.bank_id == entry.bank_id);
  TL_CHECK(from.account_id == entry.from_account_id && to.account_id == entry.to_account_id);
  TL_CHECK(from.account_id != to.account_id);
  TL_CHECK(entry.minutes > 0);
  TL_CHECK(bank.head.next_seq >= 1);
  const int64_t sum_before = from.balance_minutes + to.balance_minutes;
  const uint64_t journal_size_before = bank.head.journal_size();

  entry.seq = bank.head.next_seq;
  entry.recorded_at = txn.now();
  // Its note is hashed as its commitment (layout 4), the note held beside the fact.
  SealEntryNote(&entry);
  // Encoded once: hashed here, embedded in the journal fact as they are.
  const std::string canonical = CanonicalEntryBytes(entry);
  entry.hash = ChainHashOfBytes(bank.head.last_hash, canonical);

  from.balance_minutes -= entry.minutes;
  from.spent_minutes += entry.minutes;
  ++from.entry_count;
  to.balance_minutes += entry.minutes;
  to.earned_minutes += entry.minutes;
  ++to.entry_count;
  from.last_activity_at = to.last_activity_at = txn.now();
  TrackActivity(bank, txn.now(), entry, reversed, &from, &to);
  const int64_t from_balance = from.balance_minutes;
  const int64_t to_balance = to.balance_minutes;

  txn.AppendEntryFact(entry, canonical);
  txn.PutAccount(std::move(from));
  txn.PutAccount(std::move(to));
  txn.PutEntry(entry, from_balance, to_balance);
  // The entry moved minutes without making any, took the next seq and the next journal position,
  // and is the bank's new chain head.
  const BankHeader* updated = txn.GetBank(entry.bank_id);
  TL_CHECK(from_balance + to_balance == sum_before);
  TL_CHECK(updated->head.journal_size() == journal_size_before + 1);
  TL_CHECK(updated->head.next_seq == entry.seq + 1);
  TL_CHECK(updated->head.last_hash == entry.hash);
  Receipt receipt;
  receipt.entry = std::move(entry);
  receipt.from_balance_minutes = from_balance;
  receipt.to_balance_minutes = to_balance;
  return receipt;
}

RequestFingerprint MadeEntryFingerprint(const Entry& entry) {
  EntrySpec as_spec;
  as_spec.bank_id = entry.bank_id;
  as_spec.entry_id = entry.entry_id;
  as_spec.kind = entry.kind;
  as_spec.from_account_id = entry.from_account_id;
  as_spec.to_account_id = entry.to_account_id;
  as_spec.minutes = entry.minutes;
  as_spec.activity = entry.activity;
  return SpecFingerprint(as_spec);
}

// Appends an entry the ledger makes itself (cap excess, closing donation, expiry) under its
// deterministic id, registered as an idempotency key as a caller's entry is. Returns the receipt,
// or nullopt if an entry of that id and content is already written (a replay writes nothing
// twice); AlreadyExists ENTRY_ID_REUSED if the id holds another entry (a caller's key taken before
// the ledger reserved the name).
absl::StatusOr<std::optional<Receipt>> AppendDerivedEntry(WriteTxn& txn, Entry entry, Account from,
                                                          Account to) {
  TL_CHECK(entry.from_account_id == from.account_id && entry.to_account_id == to.account_id);
  const RequestFingerprint fingerprint = MadeEntryFingerprint(entry);
  auto taken = txn.GetEntryId(entry.bank_id, entry.entry_id);
  if (!taken.ok()) return taken.status();
  if (taken->has_value()) {
    if ((*taken)->fingerprint == fingerprint) return std::optional<Receipt>();
    return ledger::Refuse(Reason::kEntryIdReused,
                          absl::StrCat("entry_id ", entry.entry_id,
                                       " is taken by another entry, so the ledger cannot make its "
                                       "own entry of that name"),
                          {{"entry_id", entry.entry_id}});
  }
  const BankHeader* bank = txn.GetBank(entry.bank_id);
  TL_CHECK(bank != nullptr);
  txn.PutEntryId(entry.bank_id, entry.entry_id, EntryIdRecord{bank->head.next_seq, fingerprint});
  Receipt receipt = AppendEntry(txn, *bank, std::move(entry), std::move(from), std::move(to));
  TL_CHECK(receipt.entry.seq + 1 == txn.GetBank(receipt.entry.bank_id)->head.next_seq);
  return std::optional<Receipt>(std::move(receipt));
}

// Sends `minutes` of what `account_id` just earned on to the pool, by a DONATION entry.
absl::Status DonateExcess(WriteTxn& txn, const std::string& bank_id, const std::string& account_id,
                          int64_t minutes, Receipt* receipt) {
  auto from = FindAccount(txn, bank_id, account_id);
  if (!from.ok()) return from.status();
  auto pool = FindAccount(txn, bank_id, kPoolAccountId);
  if (!pool.ok()) return pool.status();
  Entry entry;
  entry.bank_id = bank_id;
  entry.entry_id = absl::StrCat(kCapExcessEntryIdPrefix, receipt->entry.seq);
  entry.kind = EntryKind::kDonation;
  entry.from_account_id = account_id;
  entry.to_account_id = kPoolAccountId;
  entry.minutes = minutes;
  entry.activity = "balance cap";
  entry.note = absl::StrCat("over the balance cap after entry ", receipt->entry.seq);
  entry.occurred_at = txn.now();
  entry.recorded_by = receipt->entry.recorded_by;
  auto appended = AppendDerivedEntry(txn, std::move(entry), *std::move(from), *std::move(pool));
  if (!appended.ok()) return appended.status();
  // The entry's seq is new in this batch, so no donation can hold its name yet.
  TL_CHECK(appended->has_value());
  const Receipt& donation = **appended;
  receipt->excess_to_pool_minutes = minutes;
  receipt->excess_entry_seq = donation.entry.seq;
  receipt->to_balance_minutes = donation.from_balance_minutes;
  return absl::OkStatus();
}

// Puts `entry` on hold until `verdict.confirm_by` confirms it.
Receipt HoldPending(WriteTxn& txn, const BankHeader& bank, Entry entry, Account from, Account to,
                    const RuleVerdict& verdict) {
  entry.recorded_at = txn.now();
  from.held_minutes += entry.minutes;
  to.pending_in_minutes += entry.minutes;
  txn.PutAccount(from);
  txn.PutAccount(to);
  PendingEntry pending;
  pending.entry = entry;
  pending.state = PendingState::kPending;
  pending.confirm_by = verdict.confirm_by;
  pending.expires_at = txn.now() + absl::Hours(bank.policy.pending_expiry_hours);
  pending.reason = verdict.pending_reason;
  txn.PutPending(pending);
  txn.AppendFact(PendingCreatedFact(pending));
  Receipt receipt;
  receipt.entry = std::move(entry);
  receipt.pending = true;
  receipt.confirm_by = verdict.confirm_by;
  receipt.from_balance_minutes = from.balance_minutes;
  receipt.to_balance_minutes = to.balance_minutes;
  return receipt;
}

// Returns the receipt of an earlier recording of the same idempotency key: the original entry
// (or the pending one) and today's balances.
absl::StatusOr<Receipt> Replay(WriteTxn& txn, const std::string& bank_id,
                               const std::string& entry_id, uint64_t seq) {
  Receipt receipt;
  receipt.replayed = true;
  if (seq == 0) {
    auto pending = txn.GetPending(bank_id, entry_id);
    if (!pending.ok()) return pending.status();
    if (!pending->has_value()) {
      return ledger::Refuse(Reason::kCorruptRecord,
                            absl::StrCat("idempotency key ", entry_id, " points at nothing"));
    }
    if ((*pending)->state != PendingState::kPending) {
      return ledger::Refuse(
          Reason::kPendingResolved,
          absl::StrCat("entry ", entry_id, " was ", PendingStateName((*pending)->state),
                       " and is not in the ledger; record it again with a new entry_id"),
          {{"entry_id", entry_id}, {"state", PendingStateName((*pending)->state)}});
    }
    receipt.entry = (*pending)->entry;
    receipt.pending = true;
    receipt.confirm_by = (*pending)->confirm_by;
  } else {
    auto entry = txn.GetEntry(bank_id, seq);
    if (!entry.ok()) return entry.status();
    if (!entry->has_value()) {
      return ledger::Refuse(Reason::kCorruptRecord,
                            absl::StrCat("idempotency key points at missing entry ", seq));
    }
    receipt.entry = std::move(**entry);
    if (auto reversed_by = txn.GetReversedBy(bank_id, seq); reversed_by.ok()) {
      receipt.entry.reversed_by_seq = *reversed_by;
    }
  }
  if (const Account* from = txn.GetAccount(bank_id, receipt.entry.from_account_id)) {
    receipt.from_balance_minutes = from->balance_minutes;
  }
  if (const Account* to = txn.GetAccount(bank_id, receipt.entry.to_account_id)) {
    receipt.to_balance_minutes = to->balance_minutes;
  }
  return receipt;
}

namespace {

// Whether `spec` asks for what `stored` recorded, but for the note: what a request with an erased
// note's fingerprint is checked by. A reversal's spec names the entry it undoes in `minutes`.
bool SameRequestButTheNote(const Entry& stored, const EntrySpec& spec) {
  if (spec.kind == EntryKind::kReversal && !spec.imported) {  // ReverseEntry's request
    return stored.kind == EntryKind::kReversal &&
           stored.reverses_seq == static_cast<uint64_t>(spec.minutes);
  }
  return stored.imported == spec.imported && stored.reverses_seq == spec.reverses_seq &&
         stored.kind == spec.kind && stored.from_account_id == spec.from_account_id &&
         stored.to_account_id == spec.to_account_id && stored.minutes == spec.minutes &&
         stored.activity == spec.activity &&
         (spec.occurred_at == absl::InfinitePast() ||
          ToMicros(stored.occurred_at) == ToMicros(spec.occurred_at));
}

absl::Status EntryIdReused(const std::string& entry_id, uint64_t seq) {
  const std::string where = seq == 0 ? "a pending entry" : absl::StrCat("entry ", seq);
  return ledger::Refuse(
      Reason::kEntryIdReused,
      absl::StrCat("entry_id ", entry_id, " was already used for a different entry (", where,
                   "); use a new entry_id for a new entry"),
      {{"entry_id", entry_id}, {"seq", std::to_string(seq)}});
}

}  // namespace

// Looks an idempotency key up: a replayed receipt, AlreadyExists, or nullopt if it is new.
absl::StatusOr<std::optional<Receipt>> CheckIdempotency(WriteTxn& txn, const EntrySpec& spec,
                                                        RequestFingerprint fingerprint) {
  const std::string& bank_id = spec.bank_id;
  const std::string& entry_id = spec.entry_id;
  auto existing = txn.GetEntryId(bank_id, entry_id);
  if (!existing.ok()) return existing.status();
  if (!existing->has_value()) return std::optional<Receipt>();
  const bool erased = (*existing)->fingerprint == kFingerprintErased;
  if (!erased && (*existing)->fingerprint != fingerprint) {
    return EntryIdReused(entry_id, (*existing)->seq);
  }
  auto receipt = Replay(txn, bank_id, entry_id, (*existing)->seq);
  if (!receipt.ok()) return receipt.status();
  // The fingerprint went with an erased note: the request is checked against the entry itself.
  if (erased && !SameRequestButTheNote(receipt->entry, spec)) {
    return EntryIdReused(entry_id, (*existing)->seq);
  }
  return std::optional<Receipt>(std::move(*receipt));
}

// Balances after releasing a pending entry's hold.
void ReleaseHold(const Entry& entry, Account* from, Account* to) {
  from->held_minutes -= entry.minutes;
  to->pending_in_minutes -= entry.minutes;
}

}  // namespace timeledger::ledger
