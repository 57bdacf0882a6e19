#include "ledger/commands.h"

#include "absl/strings/str_cat.h"
#include "ledger/errors.h"
#include "ledger/validate.h"

namespace timeledger::ledger {
namespace {

absl::Status BankNotFound(const std::string& bank_id) {
  return NotFound("BANK_NOT_FOUND", absl::StrCat("there is no bank ", bank_id),
                  {{"bank_id", bank_id}});
}

absl::Status AccountNotFound(const std::string& bank_id, const std::string& account_id) {
  return NotFound("ACCOUNT_NOT_FOUND",
                  absl::StrCat("there is no account ", account_id, " in bank ", bank_id),
                  {{"bank_id", bank_id}, {"account_id", account_id}});
}

absl::StatusOr<const BankHeader*> FindBank(WriteTxn& txn, const std::string& bank_id) {
  const BankHeader* bank = txn.GetBank(bank_id);
  if (bank == nullptr) return BankNotFound(bank_id);
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
    return FailedPrecondition(
        "ACCOUNT_SUSPENDED",
        absl::StrCat(account.display_name, " (", account.account_id,
                     ") is suspended: reactivate the account first"),
        {{"account_id", account.account_id}});
  }
  if (account.status == AccountStatus::kClosed) {
    return FailedPrecondition("ACCOUNT_CLOSED",
                              absl::StrCat(account.display_name, " (", account.account_id,
                                           ") is closed"),
                              {{"account_id", account.account_id}});
  }
  return absl::OkStatus();
}

absl::Status KindMismatch(const std::string& message) {
  return FailedPrecondition("KIND_MISMATCH", message);
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
    case EntryKind::kExchange:
    case EntryKind::kReversal:
      break;
  }
  if (from_pool || to_pool) {
    return KindMismatch("the pool takes donations and makes grants only");
  }
  return absl::OkStatus();
}

// Appends `entry` (seq, hash and recorded_at assigned here) moving its minutes from
// entry.from_account_id to entry.to_account_id, and returns the receipt.
Receipt AppendEntry(WriteTxn& txn, const BankHeader& bank, Entry entry, Account from,
                    Account to) {
  entry.seq = bank.head.next_seq;
  entry.recorded_at = txn.now();
  entry.hash = ChainHash(bank.head.last_hash, entry);

  from.balance_minutes -= entry.minutes;
  from.spent_minutes += entry.minutes;
  ++from.entry_count;
  to.balance_minutes += entry.minutes;
  to.earned_minutes += entry.minutes;
  ++to.entry_count;

  BankHeader updated = bank;
  updated.head = ChainHead{entry.seq + 1, entry.hash};
  txn.PutBank(updated, /*is_new=*/false);
  txn.PutAccount(from);
  txn.PutAccount(to);
  txn.PutEntry(entry, from.balance_minutes, to.balance_minutes);
  return Receipt{std::move(entry), false, from.balance_minutes, to.balance_minutes};
}

// Returns the receipt of an earlier recording of the same idempotency key: the original entry
// and today's balances.
absl::StatusOr<Receipt> Replay(WriteTxn& txn, const std::string& bank_id, uint64_t seq) {
  auto entry = txn.GetEntry(bank_id, seq);
  if (!entry.ok()) return entry.status();
  if (!entry->has_value()) {
    return Refusal(absl::StatusCode::kDataLoss, "CORRUPT_RECORD",
                   absl::StrCat("idempotency key points at missing entry ", seq));
  }
  Receipt receipt{std::move(**entry), true, 0, 0};
  if (const Account* from = txn.GetAccount(bank_id, receipt.entry.from_account_id)) {
    receipt.from_balance_minutes = from->balance_minutes;
  }
  if (const Account* to = txn.GetAccount(bank_id, receipt.entry.to_account_id)) {
    receipt.to_balance_minutes = to->balance_minutes;
  }
  if (auto reversed_by = txn.GetReversedBy(bank_id, seq); reversed_by.ok()) {
    receipt.entry.reversed_by_seq = *reversed_by;
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
    return AlreadyExists(
        "ENTRY_ID_REUSED",
        absl::StrCat("entry_id ", entry_id, " was already used for a different entry (seq ",
                     (*existing)->seq, "); use a new entry_id for a new entry"),
        {{"entry_id", entry_id}, {"seq", std::to_string((*existing)->seq)}});
  }
  auto receipt = Replay(txn, bank_id, (*existing)->seq);
  if (!receipt.ok()) return receipt.status();
  return std::optional<Receipt>(std::move(*receipt));
}

}  // namespace

absl::StatusOr<Bank> ExecuteCreateBank(WriteTxn& txn, Bank bank) {
  if (auto s = ValidateBank(bank); !s.ok()) return s;
  if (txn.GetBank(bank.bank_id) != nullptr) {
    return AlreadyExists("BANK_EXISTS", absl::StrCat("bank ", bank.bank_id, " already exists"),
                         {{"bank_id", bank.bank_id}});
  }
  if (txn.bank_count() >= kBanksMax) {
    return FailedPrecondition("BANK_LIMIT",
                              absl::StrCat("this installation holds at most ", kBanksMax, " banks"),
                              {{"limit", std::to_string(kBanksMax)}});
  }
  bank.created_at = txn.now();
  txn.PutBank(BankHeader{bank, ChainHead{}, 0}, /*is_new=*/true);
  Account pool;
  pool.bank_id = bank.bank_id;
  pool.account_id = kPoolAccountId;
  pool.kind = AccountKind::kPool;
  pool.display_name = "Community pool";
  auto opened = ExecuteOpenAccount(txn, pool);
  if (!opened.ok()) return opened.status();
  return bank;
}

absl::StatusOr<Account> ExecuteOpenAccount(WriteTxn& txn, Account account) {
  if (account.kind == AccountKind::kPerson && account.roles.empty()) {
    account.roles.push_back(Role::kMember);
  }
  if (auto s = ValidateNewAccount(account); !s.ok()) return s;
  auto bank = FindBank(txn, account.bank_id);
  if (!bank.ok()) return bank.status();
  if (txn.GetAccount(account.bank_id, account.account_id) != nullptr) {
    return AlreadyExists("ACCOUNT_EXISTS",
                         absl::StrCat("account ", account.account_id, " already exists in bank ",
                                      account.bank_id),
                         {{"account_id", account.account_id}});
  }
  if ((*bank)->account_count >= kAccountsPerBankMax) {
    return FailedPrecondition(
        "ACCOUNT_LIMIT", absl::StrCat("a bank holds at most ", kAccountsPerBankMax, " accounts"),
        {{"limit", std::to_string(kAccountsPerBankMax)}});
  }
  account.status = AccountStatus::kActive;
  account.opened_at = txn.now();
  account.balance_minutes = account.earned_minutes = account.spent_minutes = 0;
  account.entry_count = 0;
  BankHeader updated = **bank;
  ++updated.account_count;
  txn.PutBank(updated, /*is_new=*/false);
  txn.PutAccount(account);
  return account;
}

absl::StatusOr<Account> ExecuteSetAccountStatus(WriteTxn& txn, const std::string& bank_id,
                                                const std::string& account_id,
                                                AccountStatus status, const std::string& reason) {
  if (auto s = ValidateId("bank_id", bank_id); !s.ok()) return s;
  if (auto s = ValidateId("account_id", account_id); !s.ok()) return s;
  if (auto s = ValidateText("reason", reason, kReasonLengthMax, false); !s.ok()) return s;
  if (auto bank = FindBank(txn, bank_id); !bank.ok()) return bank.status();
  auto account = FindAccount(txn, bank_id, account_id);
  if (!account.ok()) return account.status();
  if (account->status == status) return account;  // already so: nothing to write
  if (account->status == AccountStatus::kClosed) {
    return FailedPrecondition("ACCOUNT_CLOSED",
                              absl::StrCat(account_id, " is closed; a closed account stays closed"),
                              {{"account_id", account_id}});
  }
  if (status == AccountStatus::kClosed) {
    if (account->kind == AccountKind::kPool && account_id == kPoolAccountId) {
      return FailedPrecondition("POOL_NOT_CLOSABLE", "the bank's community pool cannot be closed",
                                {{"account_id", account_id}});
    }
    if (account->balance_minutes != 0) {
      return FailedPrecondition(
          "BALANCE_NOT_ZERO",
          absl::StrCat(account_id, " has a balance of ", account->balance_minutes,
                       " minutes; an account closes at zero (donate or settle first)"),
          {{"account_id", account_id},
           {"balance_minutes", std::to_string(account->balance_minutes)}});
    }
  }
  account->status = status;
  txn.PutAccount(*account);
  return account;
}

absl::StatusOr<Receipt> ExecuteRecordEntry(WriteTxn& txn, const EntrySpec& spec,
                                           const std::string& principal) {
  if (auto s = ValidateEntrySpec(spec, txn.now()); !s.ok()) return s;
  auto bank = FindBank(txn, spec.bank_id);
  if (!bank.ok()) return bank.status();
  auto replay = CheckIdempotency(txn, spec.bank_id, spec.entry_id, SpecFingerprint(spec));
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
  txn.PutEntryId(spec.bank_id, spec.entry_id,
                 EntryIdRecord{(*bank)->head.next_seq, SpecFingerprint(spec)});
  return AppendEntry(txn, **bank, std::move(entry), *std::move(from), *std::move(to));
}

absl::StatusOr<Receipt> ExecuteReverseEntry(WriteTxn& txn, const std::string& bank_id,
                                            uint64_t seq, const std::string& entry_id,
                                            const std::string& note,
                                            const std::string& principal) {
  if (auto s = ValidateId("bank_id", bank_id); !s.ok()) return s;
  if (auto s = ValidateEntryId("entry_id", entry_id); !s.ok()) return s;
  if (auto s = ValidateText("note", note, kNoteLengthMax, false); !s.ok()) return s;
  if (seq == 0) {
    return InvalidArgument("INVALID_SEQ", "seq must be 1 or more", {{"field", "seq"}});
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
    return NotFound("ENTRY_NOT_FOUND", absl::StrCat("bank ", bank_id, " has no entry ", seq),
                    {{"seq", std::to_string(seq)}});
  }
  const Entry& undone = **original;
  if (undone.kind == EntryKind::kReversal) {
    return FailedPrecondition(
        "CANNOT_REVERSE_REVERSAL",
        absl::StrCat("entry ", seq, " is itself a reversal; record the original entry again instead"),
        {{"seq", std::to_string(seq)}});
  }
  auto reversed_by = txn.GetReversedBy(bank_id, seq);
  if (!reversed_by.ok()) return reversed_by.status();
  if (*reversed_by != 0) {
    return FailedPrecondition(
        "ALREADY_REVERSED",
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
      return FailedPrecondition(
          "ACCOUNT_CLOSED",
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
  const uint64_t reversal_seq = (*bank)->head.next_seq;
  txn.PutEntryId(bank_id, entry_id, EntryIdRecord{reversal_seq, SpecFingerprint(as_spec)});
  txn.PutReversal(bank_id, seq, reversal_seq);
  return AppendEntry(txn, **bank, std::move(entry), *std::move(from), *std::move(to));
}

}  // namespace timeledger::ledger
