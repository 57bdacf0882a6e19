// The commands of banks, accounts, policies, member cards and the expiry sweep, and the lookups
// every command shares.
#include "ledger/engine/commands.h"

#include "absl/algorithm/container.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"

#include "ledger/core/check.h"
#include "ledger/core/errors.h"
#include "ledger/core/validate.h"
#include "ledger/engine/postings.h"
#include "ledger/rules/rules.h"

namespace timeledger::ledger {
namespace {

absl::Status AccountNotFound(const std::string& bank_id, const std::string& account_id) {
  return ledger::Refuse(Reason::kAccountNotFound,
                        absl::StrCat("there is no account ", account_id, " in bank ", bank_id),
                        {{"bank_id", bank_id}, {"account_id", account_id}});
}

}  // namespace

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
    return ledger::Refuse(Reason::kAccountSuspended,
                          absl::StrCat(account.display_name, " (", account.account_id,
                                       ") is suspended: reactivate the account first"),
                          {{"account_id", account.account_id}});
  }
  if (account.status == AccountStatus::kClosed) {
    return ledger::Refuse(
        Reason::kAccountClosed,
        absl::StrCat(account.display_name, " (", account.account_id, ") is closed"),
        {{"account_id", account.account_id}});
  }
  return absl::OkStatus();
}

absl::Status KindMismatch(const std::string& message) {
  return ledger::Refuse(Reason::kKindMismatch, message);
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

absl::StatusOr<Bank> ExecuteCreateBank(WriteTxn& txn, Bank bank, const Principal& caller) {
  if (auto s = CheckAdmin(caller); !s.ok()) return s;
  if (auto s = ValidateBank(bank); !s.ok()) return s;
  if (txn.GetBank(bank.bank_id) != nullptr) {
    return ledger::Refuse(Reason::kBankExists,
                          absl::StrCat("bank ", bank.bank_id, " already exists"),
                          {{"bank_id", bank.bank_id}});
  }
  if (txn.bank_count() >= kBanksMax) {
    return ledger::Refuse(Reason::kBankLimit,
                          absl::StrCat("this installation holds at most ", kBanksMax, " banks"),
                          {{"limit", std::to_string(kBanksMax)}});
  }
  bank.created_at = txn.now();
  BankHeader header{
      bank, ChainHead{}, 0, Policy{}, absl::TimeZone(), absl::OkStatus(), absl::OkStatus()};
  if (!absl::LoadTimeZone(bank.time_zone, &header.zone)) {
    return ValidateTimeZone(bank.time_zone);
  }
  txn.AppendFact(BankCreatedFact(bank, caller.name), &header);
  txn.PutBank(header, /*is_new=*/true);
  Account pool;
  pool.bank_id = bank.bank_id;
  pool.account_id = kPoolAccountId;
  pool.kind = AccountKind::kPool;
  pool.display_name = "Community pool";
  auto opened = ExecuteOpenAccount(txn, pool, caller);
  if (!opened.ok()) return opened.status();
  return bank;
}

absl::StatusOr<Account> ExecuteOpenAccount(WriteTxn& txn, Account account, const Principal& caller,
                                           std::optional<absl::Time> joined_at) {
  if (auto s = CheckStaffOf(caller, account.bank_id); !s.ok()) return s;
  if (joined_at.has_value() &&
      (*joined_at < absl::FromCivil(absl::CivilDay(1980, 1, 1), absl::UTCTimeZone()) ||
       *joined_at > txn.now() + kClockSkewMax)) {
    return ledger::Refuse(Reason::kInvalidDate,
                          "joined_at must be a day from 1980 to today: the day the member joined "
                          "their bank before moving in",
                          {{"field", "joined_at"}});
  }
  if (account.kind == AccountKind::kPerson && account.roles.empty()) {
    account.roles.push_back(Role::kMember);
  }
  if (auto s = ValidateNewAccount(account); !s.ok()) return s;
  if (auto s = ValidateContact(account.phone, account.email); !s.ok()) return s;
  auto bank = FindBank(txn, account.bank_id);
  if (!bank.ok()) return bank.status();
  if (txn.GetAccount(account.bank_id, account.account_id) != nullptr) {
    return ledger::Refuse(
        Reason::kAccountExists,
        absl::StrCat("account ", account.account_id, " already exists in bank ", account.bank_id),
        {{"account_id", account.account_id}});
  }
  if ((*bank)->account_count >= kAccountsPerBankMax) {
    return ledger::Refuse(Reason::kAccountLimit,
                          absl::StrCat("a bank holds at most ", kAccountsPerBankMax, " accounts"),
                          {{"limit", std::to_string(kAccountsPerBankMax)}});
  }
  account.status = AccountStatus::kActive;
  account.opened_at = joined_at.value_or(txn.now());
  account.balance_minutes = account.earned_minutes = account.spent_minutes = 0;
  account.entry_count = 0;
  BankHeader updated = **bank;
  ++updated.account_count;
  Fact opened = AccountOpenedFact(account, caller.name);
  if (joined_at.has_value()) opened.joined_at = *joined_at;
  txn.AppendFact(std::move(opened), &updated);
  // Contact details given with the opening: a contact_set fact of their own, as a change would.
  if (!account.phone.empty() || !account.email.empty()) {
    txn.AppendFact(ContactSetFact(account, caller.name), &updated);
  }
  txn.PutBank(updated, /*is_new=*/false);
  txn.PutAccount(account);
  return account;
}

namespace {

// The id of the entry that settles a closing account: prefix + account id, or, if an earlier
// closing of the account took it (it was reopened since), that and "-" + the entry's seq.
absl::StatusOr<std::string> ClosingEntryId(WriteTxn& txn, const BankHeader& bank,
                                           absl::string_view prefix,
                                           const std::string& account_id) {
  const std::string first = absl::StrCat(prefix, account_id);
  auto taken = txn.GetEntryId(bank.bank.bank_id, first);
  if (!taken.ok()) return taken.status();
  if (!taken->has_value()) return first;
  return absl::StrCat(first, "-", bank.head.next_seq);
}

// The GRANT that writes a closing member's debt off to the pool: what it owes, "debt written
// off", with the coordinator's reason as its note (required). The pool must have the time to give
// under the bank's floors (OVERDRAFT_LIMIT if not).
absl::StatusOr<Entry> WriteOffEntry(WriteTxn& txn, const BankHeader& bank, const Account& account,
                                    const Account& pool, const std::string& reason,
                                    const Principal& caller) {
  TL_CHECK(account.balance_minutes < 0);
  if (auto s = ValidateText("reason", reason, kReasonLengthMax, true); !s.ok()) return s;
  const int64_t debt = -account.balance_minutes;
  if (bank.policy.floors_enabled) {
    const int64_t floor = FloorOf(bank.policy, pool);
    // As the floor rule counts it: what pending grants from the pool hold is not the pool's.
    if (pool.balance_minutes - pool.held_minutes - debt < floor) {
      return ledger::Refuse(
          Reason::kOverdraftLimit,
          absl::StrCat("the pool has ", pool.balance_minutes, " minutes; taking on ",
                       account.account_id, "'s debt of ", debt,
                       " minutes would take it below its floor of ", floor, " minutes"),
          {{"account_id", kPoolAccountId},
           {"balance_minutes", std::to_string(pool.balance_minutes)},
           {"held_minutes", std::to_string(pool.held_minutes)},
           {"attempted_minutes", std::to_string(debt)},
           {"limit_minutes", std::to_string(floor)}});
    }
  }
  Entry entry;
  entry.bank_id = account.bank_id;
  auto id = ClosingEntryId(txn, bank, kClosingWriteOffEntryIdPrefix, account.account_id);
  if (!id.ok()) return id.status();
  // A write-off asked for (four eyes) takes no seq, so an earlier ask rejected or expired since
  // the last entry may hold this id: the next free one after it.
  std::string free_id = *id;
  for (int n = 2;; ++n) {
    auto taken = txn.GetEntryId(bank.bank.bank_id, free_id);
    if (!taken.ok()) return taken.status();
    if (!taken->has_value()) break;
    free_id = absl::StrCat(*id, "-", n);
  }
  entry.entry_id = std::move(free_id);
  entry.kind = EntryKind::kGrant;
  entry.from_account_id = kPoolAccountId;
  entry.to_account_id = account.account_id;
  entry.minutes = debt;
  entry.activity = "debt written off";
  entry.note = reason;
  entry.occurred_at = txn.now();
  entry.recorded_by = caller.name;
  return entry;
}

// The pool takes on `account`'s debt before it closes (WriteOffEntry), at once.
absl::Status WriteOffDebt(WriteTxn& txn, const BankHeader& bank, Account account,
                          const std::string& reason, const Principal& caller) {
  auto pool = FindAccount(txn, account.bank_id, kPoolAccountId);
  if (!pool.ok()) return pool.status();
  auto entry = WriteOffEntry(txn, bank, account, *pool, reason, caller);
  if (!entry.ok()) return entry.status();
  auto appended = AppendDerivedEntry(txn, *std::move(entry), *std::move(pool), std::move(account));
  return appended.status();
}

// Four eyes (Policy::write_off_needs_second_coordinator): the write-off a coordinator asked for
// and no one has confirmed yet, if any. Read from the committed pending entries, each then as the
// group sees it.
absl::StatusOr<std::optional<PendingEntry>> AskedWriteOff(WriteTxn& txn, const std::string& bank_id,
                                                          const std::string& account_id) {
  std::vector<std::string> candidates;
  auto status = txn.CommittedStore().ForEachOpenPending(bank_id, [&](const PendingEntry& pending) {
    if (pending.entry.kind == EntryKind::kGrant && pending.entry.to_account_id == account_id &&
        pending.entry.from_account_id == kPoolAccountId &&
        pending.reason == kWriteOffPendingReason) {
      candidates.push_back(pending.entry.entry_id);
    }
    return absl::OkStatus();
  });
  if (!status.ok()) return status;
  for (const std::string& entry_id : candidates) {
    auto pending = txn.GetPending(bank_id, entry_id);
    if (!pending.ok()) return pending.status();
    if (pending->has_value() && (*pending)->state == PendingState::kPending) return *pending;
  }
  return std::optional<PendingEntry>();
}

// The first coordinator's close: the write-off waits, as a pending GRANT holding the pool's
// minutes, for a second coordinator; the account stays open.
absl::StatusOr<Account> AskWriteOff(WriteTxn& txn, const BankHeader& bank, Account account,
                                    const std::string& reason, const Principal& caller) {
  auto pool = FindAccount(txn, account.bank_id, kPoolAccountId);
  if (!pool.ok()) return pool.status();
  auto entry = WriteOffEntry(txn, bank, account, *pool, reason, caller);
  if (!entry.ok()) return entry.status();
  txn.PutEntryId(entry->bank_id, entry->entry_id, EntryIdRecord{0, MadeEntryFingerprint(*entry)});
  RuleVerdict verdict;
  verdict.needs_confirmation = true;
  verdict.confirm_by = kPoolAccountId;
  verdict.pending_reason = kWriteOffPendingReason;
  const std::string account_id = account.account_id;
  HoldPending(txn, bank, *std::move(entry), *std::move(pool), std::move(account), verdict);
  return FindAccount(txn, bank.bank.bank_id, account_id);
}

}  // namespace

absl::StatusOr<Account> ExecuteSetAccountStatus(WriteTxn& txn, const std::string& bank_id,
                                                const std::string& account_id, AccountStatus status,
                                                const std::string& reason,
                                                ClosingSettlement settlement,
                                                const Principal& caller,
                                                const BindingLookup* binding_of) {
  if (auto s = CheckStaffOf(caller, bank_id); !s.ok()) return s;
  if (auto s = ValidateId("bank_id", bank_id); !s.ok()) return s;
  if (auto s = ValidateId("account_id", account_id); !s.ok()) return s;
  if (auto s = ValidateText("reason", reason, kReasonLengthMax, false); !s.ok()) return s;
  auto bank = FindBank(txn, bank_id);
  if (!bank.ok()) return bank.status();
  auto account = FindAccount(txn, bank_id, account_id);
  if (!account.ok()) return account.status();
  if (account->status == status) return account;  // already so: nothing to write
  if (account->status == AccountStatus::kClosed) {
    return ledger::Refuse(Reason::kAccountClosed,
                          absl::StrCat(account_id,
                                       " is closed; a coordinator can reopen an account closed "
                                       "by mistake (ReopenAccount, with a reason)"),
                          {{"account_id", account_id}});
  }
  if (status == AccountStatus::kClosed) {
    if (account->kind == AccountKind::kPool && account_id == kPoolAccountId) {
      return ledger::Refuse(Reason::kPoolNotClosable, "the bank's community pool cannot be closed",
                            {{"account_id", account_id}});
    }
    // Four eyes on a write-off: the first coordinator's close asks for it and leaves the account
    // open; a second coordinator's close confirms it (as ConfirmEntry would: not the one who
    // asked, nor the same person under another name) and closes.
    if (account->balance_minutes < 0 && settlement.write_off_negative &&
        (*bank)->policy.write_off_needs_second_coordinator) {
      auto asked = AskedWriteOff(txn, bank_id, account_id);
      if (!asked.ok()) return asked.status();
      if (!asked->has_value()) {
        if (account->held_minutes != 0 || account->pending_in_minutes != 0) {
          return ledger::Refuse(Reason::kPendingEntries,
                                absl::StrCat(account_id,
                                             " has entries waiting for confirmation; confirm or "
                                             "reject them before closing"),
                                {{"account_id", account_id}});
        }
        return AskWriteOff(txn, **bank, *std::move(account), reason, caller);
      }
      if ((*asked)->entry.recorded_by == caller.name) {
        return ledger::Refuse(
            Reason::kSelfConfirmation,
            absl::StrCat(caller.name, " asked for the write-off of ", account_id,
                         "'s debt; this bank's policy wants a second coordinator to close it"),
            {{"entry_id", (*asked)->entry.entry_id}, {"account_id", account_id}});
      }
      // The second coordinator confirms what the first asked for, nothing else: a debt that has
      // changed since is asked for again.
      if ((*asked)->entry.minutes != -account->balance_minutes) {
        return ledger::Refuse(
            Reason::kBalanceNotZero,
            absl::StrCat("the write-off asked for is ", (*asked)->entry.minutes, " minutes but ",
                         account_id, " now owes ", -account->balance_minutes, ": reject entry ",
                         (*asked)->entry.entry_id, " and ask again"),
            {{"account_id", account_id},
             {"entry_id", (*asked)->entry.entry_id},
             {"balance_minutes", std::to_string(account->balance_minutes)}});
      }
      TL_CHECK(binding_of != nullptr);  // Ledger::CloseAccount passes it with a write-off
      auto confirmed = ExecuteConfirmEntry(txn, bank_id, (*asked)->entry.entry_id, caller,
                                           *binding_of, &account_id);
      if (!confirmed.ok()) return confirmed.status();
      account = FindAccount(txn, bank_id, account_id);
      if (!account.ok()) return account.status();
    }
    if (account->held_minutes != 0 || account->pending_in_minutes != 0) {
      return ledger::Refuse(
          Reason::kPendingEntries,
          absl::StrCat(account_id,
                       " has entries waiting for confirmation; confirm or reject them "
                       "before closing"),
          {{"account_id", account_id}});
    }
    if (account->balance_minutes > 0 && settlement.donate_positive) {
      Entry entry;
      entry.bank_id = bank_id;
      auto id = ClosingEntryId(txn, **bank, kClosingDonationEntryIdPrefix, account_id);
      if (!id.ok()) return id.status();
      entry.entry_id = *std::move(id);
      entry.kind = EntryKind::kDonation;
      entry.from_account_id = account_id;
      entry.to_account_id = kPoolAccountId;
      entry.minutes = account->balance_minutes;
      entry.activity = "closing donation";
      entry.note = reason;
      entry.occurred_at = txn.now();
      entry.recorded_by = caller.name;
      auto pool = FindAccount(txn, bank_id, kPoolAccountId);
      if (!pool.ok()) return pool.status();
      auto appended = AppendDerivedEntry(txn, std::move(entry), *account, *std::move(pool));
      if (!appended.ok()) return appended.status();
      account = FindAccount(txn, bank_id, account_id);
    }
    if (account->balance_minutes < 0 && settlement.write_off_negative) {
      if (auto s = WriteOffDebt(txn, **bank, *std::move(account), reason, caller); !s.ok()) {
        return s;
      }
      account = FindAccount(txn, bank_id, account_id);
    }
    if (account->balance_minutes != 0) {
      return ledger::Refuse(
          Reason::kBalanceNotZero,
          absl::StrCat(account_id, " has a balance of ", account->balance_minutes,
                       " minutes; an account closes at zero (settle it, or close with a final "
                       "donation of a positive balance to the pool)"),
          {{"account_id", account_id},
           {"balance_minutes", std::to_string(account->balance_minutes)}});
    }
  }
  txn.AppendFact(AccountStatusFact(*account, account->status, status, reason, caller.name));
  account->status = status;
  txn.PutAccount(*account);
  return account;
}

absl::StatusOr<Account> ExecuteChangeAccount(WriteTxn& txn, const std::string& bank_id,
                                             const std::string& account_id,
                                             const std::optional<std::string>& display_name,
                                             const std::optional<std::vector<Role>>& roles,
                                             const Principal& caller,
                                             const std::optional<std::string>& phone,
                                             const std::optional<std::string>& email) {
  if (auto s = CheckStaffOf(caller, bank_id); !s.ok()) return s;
  if (!display_name.has_value() && !roles.has_value() && !phone.has_value() && !email.has_value()) {
    return ledger::Refuse(Reason::kNothingToChange,
                          "give a new name, new roles, a phone number or an email");
  }
  auto bank = FindBank(txn, bank_id);
  if (!bank.ok()) return bank.status();
  auto account = FindAccount(txn, bank_id, account_id);
  if (!account.ok()) return account.status();
  Account changed = *account;
  if (display_name.has_value()) {
    if (account->personal_data_erased) {
      return ledger::Refuse(Reason::kAccountErased,
                            absl::StrCat(account_id,
                                         "'s personal data was erased; an erased member gets no "
                                         "name again (open a new account if they return)"),
                            {{"account_id", account_id}});
    }
    changed.display_name = *display_name;
  }
  if (phone.has_value() || email.has_value()) {
    if (account->kind == AccountKind::kPool &&
        (!phone.value_or("").empty() || !email.value_or("").empty())) {
      return ledger::Refuse(Reason::kInvalidContact,
                            "the pool is the bank's own account: it has no contact details",
                            {{"field", "phone"}});
    }
    if (account->personal_data_erased &&
        (!phone.value_or("").empty() || !email.value_or("").empty())) {
      return ledger::Refuse(Reason::kAccountErased,
                            absl::StrCat(account_id,
                                         "'s personal data was erased; an erased member gets no "
                                         "contact details again (open a new account if they "
                                         "return)"),
                            {{"account_id", account_id}});
    }
    if (auto s = ValidateContact(phone.value_or(""), email.value_or("")); !s.ok()) return s;
    if (phone.has_value()) changed.phone = *phone;
    if (email.has_value()) changed.email = *email;
  }
  if (roles.has_value()) {
    changed.roles = *roles;
    if (changed.kind == AccountKind::kPerson && changed.roles.empty()) {
      changed.roles.push_back(Role::kMember);
    }
    // A staff account can be bound to a new coordinator's token by a coordinator (CreateToken's
    // colleague rule): making someone staff is an admin's, or a coordinator could take over a
    // member's account.
    const bool was_staff = absl::c_linear_search(account->roles, Role::kStaff);
    const bool is_staff = absl::c_linear_search(changed.roles, Role::kStaff);
    if (is_staff && !was_staff) {
      if (auto s = CheckAdmin(caller); !s.ok()) return s;
    }
  }
  // As OpenAccount checks them; an erased member's name stays "" (only its roles change).
  Account checked = changed;
  if (checked.personal_data_erased) checked.display_name = "-";
  if (auto s = ValidateNewAccount(checked); !s.ok()) return s;
  const bool named =
      changed.display_name != account->display_name || changed.roles != account->roles;
  const bool reached = changed.phone != account->phone || changed.email != account->email;
  if (!named && !reached) return account;  // already so: nothing to write
  if (named) txn.AppendFact(AccountChangedFact(changed, caller.name));
  if (reached) txn.AppendFact(ContactSetFact(changed, caller.name));
  txn.PutAccount(changed);
  return changed;
}

absl::StatusOr<Account> ExecuteReopenAccount(WriteTxn& txn, const std::string& bank_id,
                                             const std::string& account_id,
                                             const std::string& reason, const Principal& caller) {
  if (auto s = CheckStaffOf(caller, bank_id); !s.ok()) return s;
  if (auto s = ValidateId("account_id", account_id); !s.ok()) return s;
  if (auto s = ValidateText("reason", reason, kReasonLengthMax, true); !s.ok()) return s;
  auto bank = FindBank(txn, bank_id);
  if (!bank.ok()) return bank.status();
  auto account = FindAccount(txn, bank_id, account_id);
  if (!account.ok()) return account.status();
  if (account->status != AccountStatus::kClosed) {
    return ledger::Refuse(Reason::kAccountNotClosed,
                          absl::StrCat(account_id, " is not closed; only a closed account reopens"),
                          {{"account_id", account_id}});
  }
  txn.AppendFact(AccountStatusFact(*account, AccountStatus::kClosed, AccountStatus::kActive, reason,
                                   caller.name));
  account->status = AccountStatus::kActive;
  txn.PutAccount(*account);
  return account;
}

absl::StatusOr<Policy> ExecuteSetPolicy(WriteTxn& txn, const std::string& bank_id, Policy policy,
                                        uint64_t expected_version, const Principal& caller) {
  if (auto s = CheckStaffOf(caller, bank_id); !s.ok()) return s;
  if (auto s = ValidateId("bank_id", bank_id); !s.ok()) return s;
  auto bank = FindBank(txn, bank_id);
  if (!bank.ok()) return bank.status();
  const std::vector<std::string> problems = PolicyProblems(policy);
  if (!problems.empty()) {
    absl::Status status = ledger::Refuse(
        Reason::kInvalidPolicy,
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
    return ledger::Refuse(
        Reason::kPolicyVersionMismatch,
        absl::StrCat("the policy is now version ", current.version, ", not ", expected_version,
                     ": someone changed it meanwhile; read it again and reapply your change"),
        {{"current_version", std::to_string(current.version)},
         {"expected_version", std::to_string(expected_version)}});
  }
  policy.version = current.version + 1;
  policy.set_at = txn.now();
  policy.set_by = caller.name;
  BankHeader updated = **bank;
  updated.policy = policy;
  txn.AppendFact(PolicySetFact(bank_id, policy, caller.name), &updated);
  txn.PutBank(updated, /*is_new=*/false);
  txn.Batch()->PutPolicy(bank_id, policy);
  txn.Batch()->PutPolicyChange(bank_id, current, policy);
  return policy;
}

absl::StatusOr<ExpirySweepResult> ExecuteExpirySweep(WriteTxn& txn, const std::string& bank_id,
                                                     const Principal& caller) {
  if (auto s = CheckStaffOf(caller, bank_id); !s.ok()) return s;
  if (auto s = ValidateId("bank_id", bank_id); !s.ok()) return s;
  auto bank = FindBank(txn, bank_id);
  if (!bank.ok()) return bank.status();
  const Policy policy = (*bank)->policy;
  ExpirySweepResult result;
  if (!policy.expiry_enabled) return result;
  const absl::CivilDay today = absl::ToCivilDay(txn.now(), (*bank)->zone);
  const absl::Time untouched_since =
      absl::FromCivil(absl::CivilMonth(today) - policy.expiry_months, (*bank)->zone);
  auto due = [&](const Account& account) {
    return account.kind == AccountKind::kPerson && account.status == AccountStatus::kActive &&
           account.balance_minutes > 0 && account.held_minutes == 0 &&
           account.last_activity_at < untouched_since;
  };
  // Only the accounts whose stored record is due are read (and cached), not every account of
  // the bank; each is judged again as this group sees it.
  for (const std::string& account_id : txn.AccountIds(bank_id, due)) {
    const Account* account = txn.GetAccount(bank_id, account_id);
    if (account == nullptr || !due(*account)) continue;
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
    entry.note =
        absl::StrCat("credits untouched for ", policy.expiry_months, " months return to the pool");
    entry.occurred_at = txn.now();
    entry.recorded_by = caller.name;
    const int64_t minutes = entry.minutes;
    auto appended = AppendDerivedEntry(txn, std::move(entry), *account, *std::move(pool));
    if (!appended.ok()) return appended.status();
    if (!appended->has_value()) continue;  // expired by an earlier sweep today
    result.minutes_returned += Minutes(minutes);
    ++result.accounts_expired;
  }
  return result;
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

absl::Status CardLocked(const std::string& card_number, const CardAttempts& attempts,
                        absl::Time now) {
  return Refuse(Reason::kCardLocked,
                absl::StrCat("card ", card_number, " is locked after ", kPinAttemptsMax,
                             " wrong PINs until ", absl::FormatTime(attempts.locked_until)),
                {{"locked_until",
                  absl::FormatTime(absl::RFC3339_sec, attempts.locked_until, absl::UTCTimeZone())},
                 {"retry_after_seconds", std::to_string(absl::ToInt64Seconds(absl::Ceil(
                                             attempts.locked_until - now, absl::Seconds(1))))}});
}

// The account holding `card_number`, if it may sign in at all: the card is not locked, has a
// PIN, and its account is not closed. Writes nothing.
absl::StatusOr<Account> FindSigningInHolder(WriteTxn& txn, const std::string& bank_id,
                                            const std::string& card_number,
                                            const CardAttempts& attempts, MemberCard* card) {
  auto holder = txn.FindCardHolder(bank_id, card_number);
  if (!holder.ok()) return holder.status();
  if (!holder->has_value()) return CardOrPinWrong();
  if (IsLocked(attempts, txn.now())) return CardLocked(card_number, attempts, txn.now());
  auto found = txn.GetMemberCard(bank_id, **holder);
  if (!found.ok()) return found.status();
  if (!found->has_value() || !(*found)->has_pin()) {
    return Refuse(Reason::kPinNotSet, "this card has no PIN yet; a coordinator sets one",
                  {{"account_id", **holder}});
  }
  *card = **std::move(found);
  auto account = FindAccount(txn, bank_id, **holder);
  if (!account.ok()) return account.status();
  if (account->status == AccountStatus::kClosed) {
    return Refuse(Reason::kAccountClosed, "this member's account is closed",
                  {{"account_id", **holder}});
  }
  return account;
}

}  // namespace

absl::Status CardOrPinWrong() {
  return Refuse(Reason::kCardOrPinWrong, "that card number and PIN do not match");
}

absl::StatusOr<Account> ExecuteCheckMemberPin(WriteTxn& txn, const std::string& bank_id,
                                              const std::string& card_number, const PinCheck& check,
                                              bool* counted) {
  *counted = false;
  if (auto s = ValidateCardNumber(card_number, /*allow_empty=*/false); !s.ok()) return s;
  // Damage refuses, as for a read; a bank without its time zone still signs members in.
  const BankHeader* bank = txn.GetBank(bank_id);
  if (bank == nullptr) return BankNotFound(bank_id);
  if (!bank->damage.ok()) return bank->damage;
  auto attempts = txn.GetCardAttempts(bank_id, card_number);
  if (!attempts.ok()) return attempts.status();
  MemberCard card;
  auto holder = FindSigningInHolder(txn, bank_id, card_number, *attempts, &card);
  if (!holder.ok()) return holder.status();
  // A PIN set since the check makes it say nothing of this PIN: not counted, not let in.
  if (check.pin_hash != card.pin_hash) return CardOrPinWrong();
  if (!check.matches) {
    const CardAttempts after = AfterWrongPin(*attempts, txn.now());
    txn.PutCardAttempts(bank_id, card_number, after);
    *counted = true;
    if (IsLocked(after, txn.now())) return CardLocked(card_number, after, txn.now());
    return WithFigure(CardOrPinWrong(), "attempts_left",
                      std::to_string(kPinAttemptsMax - after.failed));
  }
  if (attempts->failed != 0 || attempts->locked_until != absl::InfinitePast()) {
    txn.PutCardAttempts(bank_id, card_number, CardAttempts{});
    *counted = true;
  }
  TL_CHECK(!IsLocked(*attempts, txn.now()));
  return holder;
}

absl::StatusOr<MemberCard> ExecuteSetMemberCard(WriteTxn& txn, const std::string& bank_id,
                                                const std::string& account_id,
                                                const std::string& card_number,
                                                const Principal& caller) {
  if (auto s = CheckStaffOf(caller, bank_id); !s.ok()) return s;
  if (auto s = ValidateCardNumber(card_number, /*allow_empty=*/true); !s.ok()) return s;
  auto card = CardOfMember(txn, bank_id, account_id);
  if (!card.ok()) return card.status();
  if (!card_number.empty()) {
    auto holder = txn.FindCardHolder(bank_id, card_number);
    if (!holder.ok()) return holder.status();
    if (holder->has_value() && **holder != account_id) {
      return ledger::Refuse(
          Reason::kCardInUse,
          absl::StrCat("card ", card_number, " already belongs to another member"),
          {{"card_number", card_number}});
    }
  }
  const std::string old_card_number = card->card_number;
  card->card_number = card_number;
  card->card_set_at = txn.now();
  txn.AppendFact(CardSetFact(bank_id, account_id, card_number, caller.name));
  txn.PutMemberCard(*card, old_card_number);
  if (!old_card_number.empty() && old_card_number != card_number) {
    txn.PutCardAttempts(bank_id, old_card_number, CardAttempts{});
  }
  return *card;
}

absl::StatusOr<MemberCard> ExecuteSetMemberPin(WriteTxn& txn, const std::string& bank_id,
                                               const std::string& account_id,
                                               const std::string& pin_hash,
                                               const Principal& caller) {
  if (auto s = CheckStaffOf(caller, bank_id); !s.ok()) return s;
  if (pin_hash.empty() || pin_hash.size() > kPinHashLengthMax) {
    return ledger::Refuse(Reason::kInvalidPin, "the PIN's hash is missing or too long",
                          {{"field", "pin"}});
  }
  auto card = CardOfMember(txn, bank_id, account_id);
  if (!card.ok()) return card.status();
  card->pin_hash = pin_hash;
  card->pin_set_at = txn.now();
  txn.AppendFact(PinSetFact(bank_id, account_id, caller.name));
  txn.PutMemberCard(*card, card->card_number);
  // A new PIN lifts a lock and forgets the wrong PINs typed before it.
  if (!card->card_number.empty()) {
    txn.PutCardAttempts(bank_id, card->card_number, CardAttempts{});
  }
  return *card;
}

absl::StatusOr<MemberCard> ExecuteSetMemberLanguage(WriteTxn& txn, const std::string& bank_id,
                                                    const std::string& account_id,
                                                    const std::string& language,
                                                    const Principal& caller) {
  if (auto s = CheckStaffOf(caller, bank_id); !s.ok()) return s;
  if (auto s = ValidateLanguage(language, /*allow_empty=*/true); !s.ok()) return s;
  auto card = CardOfMember(txn, bank_id, account_id);
  if (!card.ok()) return card.status();
  card->language = language;
  card->language_set_at = txn.now();
  txn.AppendFact(LanguageSetFact(bank_id, account_id, language, caller.name));
  txn.PutMemberCard(*card, card->card_number);
  return *card;
}

}  // namespace timeledger::ledger
