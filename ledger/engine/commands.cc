#include "ledger/engine/commands.h"

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "ledger/core/check.h"
#include "ledger/core/errors.h"
#include "ledger/core/given_received.h"
#include "ledger/rules/rules.h"
#include "ledger/core/validate.h"

namespace timeledger::ledger {

// The helpers below are shared with qualification_commands.cc (declared in commands.h) or used
// only here.

absl::Status AccountNotFound(const std::string& bank_id, const std::string& account_id) {
  return Refuse(Reason::kAccountNotFound,
                absl::StrCat("there is no account ", account_id, " in bank ", bank_id),
                {{"bank_id", bank_id}, {"account_id", account_id}});
}

absl::StatusOr<const BankHeader*> FindBank(WriteTxn& txn, const std::string& bank_id) {
  const BankHeader* bank = txn.GetBank(bank_id);
  if (bank == nullptr) return BankNotFound(bank_id);
  if (!bank->damage.ok()) return bank->damage;      // a damaged bank takes no writes
  if (!bank->degraded.ok()) return bank->degraded;  // nor one without its time zone
  return bank;
}

absl::StatusOr<Account> FindAccount(WriteTxn& txn, const std::string& bank_id,
                                    const std::string& account_id) {
  const Account* account = txn.GetAccount(bank_id, account_id);
  if (account == nullptr) return AccountNotFound(bank_id, account_id);
  return *account;
}

// Suspended and closed accounts neither earn nor pay.
absl::Status CheckActive(const Account& account) {
  if (account.status == AccountStatus::kSuspended) {
    return Refuse(Reason::kAccountSuspended,
                  absl::StrCat(account.display_name, " (", account.account_id,
                               ") is suspended: reactivate the account first"),
                  {{"account_id", account.account_id}});
  }
  if (account.status == AccountStatus::kClosed) {
    return Refuse(Reason::kAccountClosed,
                  absl::StrCat(account.display_name, " (", account.account_id, ") is closed"),
                  {{"account_id", account.account_id}});
  }
  return absl::OkStatus();
}

absl::Status KindMismatch(const std::string& message) {
  return Refuse(Reason::kKindMismatch, message);
}

// Each kind of entry moves minutes between the kinds of account it is meant for.
absl::Status CheckKindFits(EntryKind kind, const Account& from, const Account& to) {
  const bool from_pool = from.kind == AccountKind::kPool;
  const bool to_pool = to.kind == AccountKind::kPool;
  switch (kind) {
    case EntryKind::kDonation:
      if (!to_pool) return KindMismatch("a donation goes to a pool account");
      if (from_pool) return KindMismatch("a donation comes from a person or an organisation");
      return absl::OkStatus();
    case EntryKind::kGrant:
      if (!from_pool) return KindMismatch("a grant comes from a pool account");
      if (to_pool) return KindMismatch("a grant goes to a person or an organisation");
      return absl::OkStatus();
    case EntryKind::kAward:
      if (from.kind != AccountKind::kOrganisation) {
        return KindMismatch("an award is paid by an organisation (the centre)");
      }
      break;
    case EntryKind::kSpend:
      if (to.kind != AccountKind::kOrganisation) {
        return KindMismatch("credits are spent at an organisation");
      }
      break;
    case EntryKind::kQualificationReward:
      if (from.kind != AccountKind::kOrganisation || to.kind != AccountKind::kPerson) {
        return KindMismatch("a qualification reward is paid by an organisation to a person");
      }
      break;
    case EntryKind::kExchange:
    case EntryKind::kReversal:
      break;
  }
  if (from_pool || to_pool) {
    return KindMismatch("the pool takes donations and makes grants only");
  }
  return absl::OkStatus();
}

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

// Appends `entry` (seq, hash and recorded_at assigned here) moving its minutes from
// entry.from_account_id to entry.to_account_id, and returns the receipt.
Receipt AppendEntry(WriteTxn& txn, const BankHeader& bank, Entry entry, Account from, Account to,
                    const Entry* reversed) {
  entry.seq = bank.head.next_seq;
  entry.recorded_at = txn.now();
  entry.hash = ChainHash(bank.head.last_hash, entry);

  from.balance_minutes -= entry.minutes;
  from.spent_minutes += entry.minutes;
  ++from.entry_count;
  to.balance_minutes += entry.minutes;
  to.earned_minutes += entry.minutes;
  ++to.entry_count;
  from.last_activity_at = to.last_activity_at = txn.now();
  TrackActivity(bank, txn.now(), entry, reversed, &from, &to);

  BankHeader updated = bank;
  updated.head.next_seq = entry.seq + 1;
  updated.head.last_hash = entry.hash;
  txn.AppendFact(EntryFact(entry), &updated);
  txn.PutBank(updated, /*is_new=*/false);
  txn.PutAccount(from);
  txn.PutAccount(to);
  txn.PutEntry(entry, from.balance_minutes, to.balance_minutes);
  Receipt receipt;
  receipt.entry = std::move(entry);
  receipt.from_balance_minutes = from.balance_minutes;
  receipt.to_balance_minutes = to.balance_minutes;
  return receipt;
}

Digest MadeEntryFingerprint(const Entry& entry) {
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
absl::StatusOr<std::optional<Receipt>> AppendDerivedEntry(WriteTxn& txn, Entry entry,
                                                          Account from, Account to) {
  TL_CHECK(entry.from_account_id == from.account_id && entry.to_account_id == to.account_id);
  const Digest fingerprint = MadeEntryFingerprint(entry);
  auto taken = txn.GetEntryId(entry.bank_id, entry.entry_id);
  if (!taken.ok()) return taken.status();
  if (taken->has_value()) {
    if ((*taken)->fingerprint == fingerprint) return std::optional<Receipt>();
    return Refuse(Reason::kEntryIdReused,
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
      return Refuse(Reason::kCorruptRecord,
                    absl::StrCat("idempotency key ", entry_id, " points at nothing"));
    }
    if ((*pending)->state != PendingState::kPending) {
      return Refuse(Reason::kPendingResolved,
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
      return Refuse(Reason::kCorruptRecord,
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

// Looks an idempotency key up: a replayed receipt, AlreadyExists, or nullopt if it is new.
absl::StatusOr<std::optional<Receipt>> CheckIdempotency(WriteTxn& txn, const std::string& bank_id,
                                                        const std::string& entry_id,
                                                        const Digest& fingerprint) {
  auto existing = txn.GetEntryId(bank_id, entry_id);
  if (!existing.ok()) return existing.status();
  if (!existing->has_value()) return std::optional<Receipt>();
  if ((*existing)->fingerprint != fingerprint) {
    const std::string where =
        (*existing)->seq == 0 ? "a pending entry" : absl::StrCat("entry ", (*existing)->seq);
    return Refuse(Reason::kEntryIdReused,
                  absl::StrCat("entry_id ", entry_id, " was already used for a different entry (",
                               where, "); use a new entry_id for a new entry"),
                  {{"entry_id", entry_id}, {"seq", std::to_string((*existing)->seq)}});
  }
  auto receipt = Replay(txn, bank_id, entry_id, (*existing)->seq);
  if (!receipt.ok()) return receipt.status();
  return std::optional<Receipt>(std::move(*receipt));
}

// Balances after releasing a pending entry's hold.
void ReleaseHold(const Entry& entry, Account* from, Account* to) {
  from->held_minutes -= entry.minutes;
  to->pending_in_minutes -= entry.minutes;
}

absl::StatusOr<Bank> ExecuteCreateBank(WriteTxn& txn, Bank bank,
                                     const std::string& principal) {
  if (auto s = ValidateBank(bank); !s.ok()) return s;
  if (txn.GetBank(bank.bank_id) != nullptr) {
    return Refuse(Reason::kBankExists, absl::StrCat("bank ", bank.bank_id, " already exists"),
                  {{"bank_id", bank.bank_id}});
  }
  if (txn.bank_count() >= kBanksMax) {
    return Refuse(Reason::kBankLimit,
                  absl::StrCat("this installation holds at most ", kBanksMax, " banks"),
                  {{"limit", std::to_string(kBanksMax)}});
  }
  bank.created_at = txn.now();
  BankHeader header{bank, ChainHead{}, 0, Policy{}, absl::TimeZone(), absl::OkStatus(),
                    absl::OkStatus()};
  if (!absl::LoadTimeZone(bank.time_zone, &header.zone)) {
    return ValidateTimeZone(bank.time_zone);
  }
  txn.AppendFact(BankCreatedFact(bank, principal), &header);
  txn.PutBank(header, /*is_new=*/true);
  Account pool;
  pool.bank_id = bank.bank_id;
  pool.account_id = kPoolAccountId;
  pool.kind = AccountKind::kPool;
  pool.display_name = "Community pool";
  auto opened = ExecuteOpenAccount(txn, pool, principal);
  if (!opened.ok()) return opened.status();
  return bank;
}

absl::StatusOr<Account> ExecuteOpenAccount(WriteTxn& txn, Account account,
                                           const std::string& principal) {
  if (account.kind == AccountKind::kPerson && account.roles.empty()) {
    account.roles.push_back(Role::kMember);
  }
  if (auto s = ValidateNewAccount(account); !s.ok()) return s;
  auto bank = FindBank(txn, account.bank_id);
  if (!bank.ok()) return bank.status();
  if (txn.GetAccount(account.bank_id, account.account_id) != nullptr) {
    return Refuse(
        Reason::kAccountExists,
        absl::StrCat("account ", account.account_id, " already exists in bank ", account.bank_id),
        {{"account_id", account.account_id}});
  }
  if ((*bank)->account_count >= kAccountsPerBankMax) {
    return Refuse(Reason::kAccountLimit,
                  absl::StrCat("a bank holds at most ", kAccountsPerBankMax, " accounts"),
                  {{"limit", std::to_string(kAccountsPerBankMax)}});
  }
  account.status = AccountStatus::kActive;
  account.opened_at = txn.now();
  account.balance_minutes = account.earned_minutes = account.spent_minutes = 0;
  account.entry_count = 0;
  BankHeader updated = **bank;
  ++updated.account_count;
  txn.AppendFact(AccountOpenedFact(account, principal), &updated);
  txn.PutBank(updated, /*is_new=*/false);
  txn.PutAccount(account);
  return account;
}

absl::StatusOr<Account> ExecuteSetAccountStatus(WriteTxn& txn, const std::string& bank_id,
                                                const std::string& account_id,
                                                AccountStatus status, const std::string& reason,
                                                bool donate_balance_to_pool,
                                                const std::string& principal) {
  if (auto s = ValidateId("bank_id", bank_id); !s.ok()) return s;
  if (auto s = ValidateId("account_id", account_id); !s.ok()) return s;
  if (auto s = ValidateText("reason", reason, kReasonLengthMax, false); !s.ok()) return s;
  auto bank = FindBank(txn, bank_id);
  if (!bank.ok()) return bank.status();
  auto account = FindAccount(txn, bank_id, account_id);
  if (!account.ok()) return account.status();
  if (account->status == status) return account;  // already so: nothing to write
  if (account->status == AccountStatus::kClosed) {
    return Refuse(Reason::kAccountClosed,
                  absl::StrCat(account_id, " is closed; a closed account stays closed"),
                  {{"account_id", account_id}});
  }
  if (status == AccountStatus::kClosed) {
    if (account->kind == AccountKind::kPool && account_id == kPoolAccountId) {
      return Refuse(Reason::kPoolNotClosable, "the bank's community pool cannot be closed",
                    {{"account_id", account_id}});
    }
    if (account->held_minutes != 0 || account->pending_in_minutes != 0) {
      return Refuse(Reason::kPendingEntries,
                    absl::StrCat(account_id,
                                 " has entries waiting for confirmation; confirm or reject them "
                                 "before closing"),
                    {{"account_id", account_id}});
    }
    if (account->balance_minutes > 0 && donate_balance_to_pool) {
      Entry entry;
      entry.bank_id = bank_id;
      entry.entry_id = absl::StrCat(kClosingDonationEntryIdPrefix, account_id);
      entry.kind = EntryKind::kDonation;
      entry.from_account_id = account_id;
      entry.to_account_id = kPoolAccountId;
      entry.minutes = account->balance_minutes;
      entry.activity = "closing donation";
      entry.note = reason;
      entry.occurred_at = txn.now();
      entry.recorded_by = principal;
      auto pool = FindAccount(txn, bank_id, kPoolAccountId);
      if (!pool.ok()) return pool.status();
      auto appended = AppendDerivedEntry(txn, std::move(entry), *account, *std::move(pool));
      if (!appended.ok()) return appended.status();
      account = FindAccount(txn, bank_id, account_id);
    }
    if (account->balance_minutes != 0) {
      return Refuse(
          Reason::kBalanceNotZero,
          absl::StrCat(account_id, " has a balance of ", account->balance_minutes,
                       " minutes; an account closes at zero (settle it, or close with a final "
                       "donation of a positive balance to the pool)"),
          {{"account_id", account_id},
           {"balance_minutes", std::to_string(account->balance_minutes)}});
    }
  }
  txn.AppendFact(AccountStatusFact(*account, account->status, status, reason, principal));
  account->status = status;
  txn.PutAccount(*account);
  return account;
}

absl::StatusOr<Receipt> ExecuteRecordEntry(WriteTxn& txn, const EntrySpec& spec,
                                           const std::string& principal) {
  if (auto s = ValidateEntrySpec(spec, txn.now()); !s.ok()) return s;
  auto bank = FindBank(txn, spec.bank_id);
  if (!bank.ok()) return bank.status();
  const Digest fingerprint = SpecFingerprint(spec);
  auto replay = CheckIdempotency(txn, spec.bank_id, spec.entry_id, fingerprint);
  if (!replay.ok()) return replay.status();
  if (replay->has_value()) return std::move(**replay);

  auto from = FindAccount(txn, spec.bank_id, spec.from_account_id);
  if (!from.ok()) return from.status();
  auto to = FindAccount(txn, spec.bank_id, spec.to_account_id);
  if (!to.ok()) return to.status();
  if (auto s = CheckActive(*from); !s.ok()) return s;
  if (auto s = CheckActive(*to); !s.ok()) return s;
  if (auto s = CheckKindFits(spec.kind, *from, *to); !s.ok()) return s;

  Entry entry;
  entry.bank_id = spec.bank_id;
  entry.entry_id = spec.entry_id;
  entry.kind = spec.kind;
  entry.from_account_id = spec.from_account_id;
  entry.to_account_id = spec.to_account_id;
  entry.minutes = spec.minutes;
  entry.activity = spec.activity;
  entry.note = spec.note;
  entry.occurred_at = spec.occurred_at == absl::InfinitePast() ? txn.now() : spec.occurred_at;
  entry.recorded_by = principal;

  auto activity = LoadActivityRules(txn, entry, *to);
  if (!activity.ok()) return activity.status();
  RuleInput input{(*bank)->policy, (*bank)->zone, txn.now(), entry, *from, *to};
  if (activity->item.has_value()) input.activity = &*activity->item;
  input.earner_holdings = &activity->earner_holdings;
  input.recorded_by_partner = spec.recorded_by_partner;
  input.payer_card_holder = spec.payer_card_holder;
  const RuleVerdict verdict = CheckEntryRules(input);
  if (!verdict.refusal.ok()) return verdict.refusal;
  Receipt receipt;
  if (verdict.needs_confirmation) {
    txn.PutEntryId(spec.bank_id, spec.entry_id, EntryIdRecord{0, fingerprint});
    receipt = HoldPending(txn, **bank, std::move(entry), *std::move(from), *std::move(to), verdict);
  } else {
    txn.PutEntryId(spec.bank_id, spec.entry_id,
                   EntryIdRecord{(*bank)->head.next_seq, fingerprint});
    receipt = AppendEntry(txn, **bank, std::move(entry), *std::move(from), *std::move(to));
    if (verdict.excess_to_pool_minutes > 0) {
      if (auto s = DonateExcess(txn, spec.bank_id, spec.to_account_id,
                                verdict.excess_to_pool_minutes, &receipt);
          !s.ok()) {
        return s;
      }
    }
  }
  receipt.warnings = verdict.warnings;
  receipt.payer_reciprocity = verdict.payer_reciprocity;
  return receipt;
}

absl::StatusOr<Receipt> ExecuteConfirmEntry(WriteTxn& txn, const std::string& bank_id,
                                            const std::string& entry_id,
                                            const std::string& principal) {
  if (auto s = ValidateId("bank_id", bank_id); !s.ok()) return s;
  if (auto s = ValidateEntryId("entry_id", entry_id); !s.ok()) return s;
  auto bank = FindBank(txn, bank_id);
  if (!bank.ok()) return bank.status();
  auto found = txn.GetPending(bank_id, entry_id);
  if (!found.ok()) return found.status();
  if (!found->has_value()) {
    return Refuse(Reason::kPendingNotFound,
                  absl::StrCat("no entry ", entry_id, " is waiting for confirmation"),
                  {{"entry_id", entry_id}});
  }
  PendingEntry pending = **found;
  if (pending.state == PendingState::kConfirmed) {
    return Replay(txn, bank_id, entry_id, pending.entry.seq);  // confirming twice is a no-op
  }
  if (pending.state != PendingState::kPending) {
    return Refuse(
        Reason::kPendingResolved,
        absl::StrCat("entry ", entry_id, " was already ", PendingStateName(pending.state)),
        {{"entry_id", entry_id}, {"state", PendingStateName(pending.state)}});
  }
  if (principal == pending.entry.recorded_by) {
    return Refuse(
        Reason::kSelfConfirmation,
        absl::StrCat("entry ", entry_id, " was recorded by ", principal, "; someone else (",
                     pending.confirm_by, " or a coordinator) must confirm it"),
        {{"entry_id", entry_id}, {"confirm_by", pending.confirm_by}});
  }
  auto from = FindAccount(txn, bank_id, pending.entry.from_account_id);
  if (!from.ok()) return from.status();
  auto to = FindAccount(txn, bank_id, pending.entry.to_account_id);
  if (!to.ok()) return to.status();
  if (auto s = CheckActive(*from); !s.ok()) return s;
  if (auto s = CheckActive(*to); !s.ok()) return s;
  ReleaseHold(pending.entry, &*from, &*to);
  int64_t excess = 0;
  if (auto s = CheckCap((*bank)->policy, *to, pending.entry.minutes, &excess); !s.ok()) return s;

  auto id_record = txn.GetEntryId(bank_id, entry_id);
  if (!id_record.ok()) return id_record.status();
  const Digest fingerprint = id_record->has_value() ? (*id_record)->fingerprint : Digest{};
  txn.PutEntryId(bank_id, entry_id, EntryIdRecord{(*bank)->head.next_seq, fingerprint});
  Receipt receipt =
      AppendEntry(txn, **bank, pending.entry, *std::move(from), *std::move(to));
  if (excess > 0) {
    if (auto s = DonateExcess(txn, bank_id, pending.entry.to_account_id, excess, &receipt);
        !s.ok()) {
      return s;
    }
  }
  pending.entry.seq = receipt.entry.seq;
  pending.state = PendingState::kConfirmed;
  pending.resolved_at = txn.now();
  pending.resolved_by = principal;
  txn.PutPending(pending);
  txn.AppendFact(PendingResolvedFact(pending));
  return receipt;
}

absl::StatusOr<PendingEntry> ExecuteReleasePending(WriteTxn& txn, const std::string& bank_id,
                                                   const std::string& entry_id,
                                                   PendingState outcome,
                                                   const std::string& principal,
                                                   const std::string& reason) {
  if (auto s = ValidateId("bank_id", bank_id); !s.ok()) return s;
  if (auto s = ValidateEntryId("entry_id", entry_id); !s.ok()) return s;
  if (auto s = ValidateText("reason", reason, kReasonLengthMax, false); !s.ok()) return s;
  if (auto bank = FindBank(txn, bank_id); !bank.ok()) return bank.status();
  auto found = txn.GetPending(bank_id, entry_id);
  if (!found.ok()) return found.status();
  if (!found->has_value()) {
    return Refuse(Reason::kPendingNotFound,
                  absl::StrCat("no entry ", entry_id, " is waiting for confirmation"),
                  {{"entry_id", entry_id}});
  }
  PendingEntry pending = **found;
  if (pending.state == outcome) return pending;  // rejecting twice is a no-op
  if (pending.state != PendingState::kPending) {
    return Refuse(
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
  pending.resolved_by = principal;
  if (!reason.empty()) pending.reason = reason;
  txn.PutPending(pending);
  txn.AppendFact(PendingResolvedFact(pending));
  return pending;
}

absl::StatusOr<Policy> ExecuteSetPolicy(WriteTxn& txn, const std::string& bank_id, Policy policy,
                                        uint64_t expected_version, const std::string& principal) {
  if (auto s = ValidateId("bank_id", bank_id); !s.ok()) return s;
  auto bank = FindBank(txn, bank_id);
  if (!bank.ok()) return bank.status();
  const std::vector<std::string> problems = PolicyProblems(policy);
  if (!problems.empty()) {
    absl::Status status =
        Refuse(Reason::kInvalidPolicy,
               absl::StrCat("the policy has ", problems.size(), " problem",
                            problems.size() == 1 ? "" : "s", ": ", absl::StrJoin(problems, "; ")),
               {{"problem_count", std::to_string(problems.size())}});
    for (size_t i = 0; i < problems.size(); ++i) {
      status = WithFigure(status, absl::StrCat("problem_", i + 1), problems[i]);
    }
    return status;
  }
  const Policy current = (*bank)->policy;  // a copy: PutBank below replaces the header
  if (expected_version != 0 && expected_version != current.version) {
    return Refuse(
        Reason::kPolicyVersionMismatch,
        absl::StrCat("the policy is now version ", current.version, ", not ", expected_version,
                     ": someone changed it meanwhile; read it again and reapply your change"),
        {{"current_version", std::to_string(current.version)},
         {"expected_version", std::to_string(expected_version)}});
  }
  policy.version = current.version + 1;
  policy.set_at = txn.now();
  policy.set_by = principal;
  BankHeader updated = **bank;
  updated.policy = policy;
  txn.AppendFact(PolicySetFact(bank_id, policy, principal), &updated);
  txn.PutBank(updated, /*is_new=*/false);
  txn.Batch()->PutPolicy(bank_id, policy);
  txn.Batch()->PutPolicyChange(bank_id, current, policy);
  return policy;
}

absl::StatusOr<ExpirySweepResult> ExecuteExpirySweep(WriteTxn& txn, const std::string& bank_id,
                                                     const std::string& principal) {
  if (auto s = ValidateId("bank_id", bank_id); !s.ok()) return s;
  auto bank = FindBank(txn, bank_id);
  if (!bank.ok()) return bank.status();
  const Policy policy = (*bank)->policy;
  ExpirySweepResult result;
  if (!policy.expiry_enabled) return result;
  const absl::CivilDay today = absl::ToCivilDay(txn.now(), (*bank)->zone);
  const absl::Time untouched_since = absl::FromCivil(
      absl::CivilMonth(today) - policy.expiry_months, (*bank)->zone);
  for (const std::string& account_id : txn.AccountIds(bank_id)) {
    const Account* account = txn.GetAccount(bank_id, account_id);
    if (account == nullptr || account->kind != AccountKind::kPerson ||
        account->status != AccountStatus::kActive || account->balance_minutes <= 0 ||
        account->held_minutes != 0 || account->last_activity_at >= untouched_since) {
      continue;
    }
    if (result.accounts_expired == kExpiriesPerSweepMax) {
      result.more = true;
      break;
    }
    auto pool = FindAccount(txn, bank_id, kPoolAccountId);
    if (!pool.ok()) return pool.status();
    Entry entry;
    entry.bank_id = bank_id;
    entry.entry_id =
        absl::StrCat(kExpiryEntryIdPrefix, account_id, "-", absl::FormatCivilTime(today));
    entry.kind = EntryKind::kDonation;
    entry.from_account_id = account_id;
    entry.to_account_id = kPoolAccountId;
    entry.minutes = account->balance_minutes;
    entry.activity = "expiry";
    entry.note = absl::StrCat("credits untouched for ", policy.expiry_months,
                              " months return to the pool");
    entry.occurred_at = txn.now();
    entry.recorded_by = principal;
    const int64_t minutes = entry.minutes;
    auto appended = AppendDerivedEntry(txn, std::move(entry), *account, *std::move(pool));
    if (!appended.ok()) return appended.status();
    if (!appended->has_value()) continue;  // expired by an earlier sweep today
    result.minutes_returned += minutes;
    ++result.accounts_expired;
  }
  return result;
}

absl::StatusOr<Receipt> ExecuteReverseEntry(WriteTxn& txn, const std::string& bank_id,
                                            uint64_t seq, const std::string& entry_id,
                                            const std::string& note,
                                            const std::string& principal) {
  if (auto s = ValidateId("bank_id", bank_id); !s.ok()) return s;
  if (auto s = ValidateNewEntryId("entry_id", entry_id, true); !s.ok()) return s;
  if (auto s = ValidateText("note", note, kNoteLengthMax, false); !s.ok()) return s;
  if (seq == 0) {
    return Refuse(Reason::kInvalidSeq, "seq must be 1 or more", {{"field", "seq"}});
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
  auto replay = CheckIdempotency(txn, bank_id, entry_id, SpecFingerprint(as_spec));
  if (!replay.ok()) return replay.status();
  if (replay->has_value()) return std::move(**replay);

  auto original = txn.GetEntry(bank_id, seq);
  if (!original.ok()) return original.status();
  if (!original->has_value()) {
    return Refuse(Reason::kEntryNotFound, absl::StrCat("bank ", bank_id, " has no entry ", seq),
                  {{"seq", std::to_string(seq)}});
  }
  const Entry& undone = **original;
  if (undone.kind == EntryKind::kReversal) {
    return Refuse(Reason::kCannotReverseReversal,
                  absl::StrCat("entry ", seq,
                               " is itself a reversal; record the original entry again instead"),
                  {{"seq", std::to_string(seq)}});
  }
  auto reversed_by = txn.GetReversedBy(bank_id, seq);
  if (!reversed_by.ok()) return reversed_by.status();
  if (*reversed_by != 0) {
    return Refuse(
        Reason::kAlreadyReversed,
        absl::StrCat("entry ", seq, " was already reversed by entry ", *reversed_by),
        {{"seq", std::to_string(seq)}, {"reversed_by_seq", std::to_string(*reversed_by)}});
  }
  // The earner gives the minutes back to the payer.
  auto from = FindAccount(txn, bank_id, undone.to_account_id);
  if (!from.ok()) return from.status();
  auto to = FindAccount(txn, bank_id, undone.from_account_id);
  if (!to.ok()) return to.status();
  for (const Account* account : {&*from, &*to}) {
    if (account->status == AccountStatus::kClosed) {
      return Refuse(
          Reason::kAccountClosed,
          absl::StrCat(account->account_id, " is closed, so entry ", seq, " cannot be reversed"),
          {{"account_id", account->account_id}});
    }
  }

  Entry entry;
  entry.bank_id = bank_id;
  entry.entry_id = entry_id;
  entry.kind = EntryKind::kReversal;
  entry.from_account_id = undone.to_account_id;
  entry.to_account_id = undone.from_account_id;
  entry.minutes = undone.minutes;
  entry.activity = undone.activity;
  entry.note = note;
  entry.occurred_at = txn.now();
  entry.recorded_by = principal;
  entry.reverses_seq = seq;
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
      AppendEntry(txn, **bank, std::move(entry), *std::move(from), *std::move(to), &undone);
  if (verdict.excess_to_pool_minutes > 0) {
    if (auto s = DonateExcess(txn, bank_id, earner_id, verdict.excess_to_pool_minutes, &receipt);
        !s.ok()) {
      return s;
    }
  }
  return receipt;
}


namespace {

// The member card of a person's account that may hold one (not closed, not an organisation).
absl::StatusOr<MemberCard> CardOfMember(WriteTxn& txn, const std::string& bank_id,
                                        const std::string& account_id) {
  if (auto s = ValidateId("bank_id", bank_id); !s.ok()) return s;
  if (auto s = ValidateId("account_id", account_id); !s.ok()) return s;
  auto bank = FindBank(txn, bank_id);
  if (!bank.ok()) return bank.status();
  auto account = FindAccount(txn, bank_id, account_id);
  if (!account.ok()) return account.status();
  if (account->kind != AccountKind::kPerson) {
    return KindMismatch(absl::StrCat("only a person's account has a kiosk card; ", account_id,
                                     " is not a person's account"));
  }
  if (account->status == AccountStatus::kClosed) return CheckActive(*account);
  auto card = txn.GetMemberCard(bank_id, account_id);
  if (!card.ok()) return card.status();
  if (card->has_value()) return **card;
  MemberCard fresh;
  fresh.bank_id = bank_id;
  fresh.account_id = account_id;
  return fresh;
}

}  // namespace

absl::StatusOr<MemberCard> ExecuteSetMemberCard(WriteTxn& txn, const std::string& bank_id,
                                                const std::string& account_id,
                                                const std::string& card_number,
                                                const std::string& principal) {
  if (auto s = ValidateCardNumber(card_number, /*allow_empty=*/true); !s.ok()) return s;
  auto card = CardOfMember(txn, bank_id, account_id);
  if (!card.ok()) return card.status();
  if (!card_number.empty()) {
    auto holder = txn.FindCardHolder(bank_id, card_number);
    if (!holder.ok()) return holder.status();
    if (holder->has_value() && **holder != account_id) {
      return Refuse(Reason::kCardInUse,
                    absl::StrCat("card ", card_number, " already belongs to another member"),
                    {{"card_number", card_number}});
    }
  }
  const std::string old_card_number = card->card_number;
  card->card_number = card_number;
  card->card_set_at = txn.now();
  txn.AppendFact(CardSetFact(bank_id, account_id, card_number, principal));
  txn.PutMemberCard(*card, old_card_number);
  if (!old_card_number.empty() && old_card_number != card_number) {
    txn.Batch()->PutCardAttempts(bank_id, old_card_number, CardAttempts{});
  }
  return *card;
}

absl::StatusOr<MemberCard> ExecuteSetMemberPin(WriteTxn& txn, const std::string& bank_id,
                                               const std::string& account_id,
                                               const std::string& pin_hash,
                                               const std::string& principal) {
  if (pin_hash.empty() || pin_hash.size() > kPinHashLengthMax) {
    return Refuse(Reason::kInvalidPin, "the PIN's hash is missing or too long", {{"field", "pin"}});
  }
  auto card = CardOfMember(txn, bank_id, account_id);
  if (!card.ok()) return card.status();
  card->pin_hash = pin_hash;
  card->pin_set_at = txn.now();
  txn.AppendFact(PinSetFact(bank_id, account_id, principal));
  txn.PutMemberCard(*card, card->card_number);
  // A new PIN lifts a lock and forgets the wrong PINs typed before it.
  if (!card->card_number.empty()) {
    txn.Batch()->PutCardAttempts(bank_id, card->card_number, CardAttempts{});
  }
  return *card;
}

}  // namespace timeledger::ledger
