// Ledger: the reads, served from the published view (banks, heads, policies) and from the store
// (accounts, entries, pending entries, cards), of committed state only, without waiting for the
// writer.
#include "absl/strings/str_cat.h"

#include "ledger/core/check.h"
#include "ledger/core/errors.h"
#include "ledger/core/page_token.h"
#include "ledger/core/validate.h"
#include "ledger/engine/ledger.h"
#include "ledger/rules/rules.h"

namespace timeledger::ledger {

const BankView& Ledger::ServedBank(const LedgerView& view, const std::string& bank_id) {
  auto it = view.find(bank_id);
  // Callers asked GetBank first, and a bank once published is never dropped.
  TL_CHECK(it != view.end());
  return *it->second;
}

absl::StatusOr<BankSummary> Ledger::GetBank(const BankId& bank_id) const {
  if (auto s = CheckBankServable(bank_id); !s.ok()) return s;
  const std::shared_ptr<const LedgerView> view = View();
  auto it = view->find(bank_id);
  if (it == view->end()) return BankNotFound(bank_id);
  const BankView& state = *it->second;
  return BankSummary{state.bank, state.account_count, state.head.next_seq - 1};
}

std::vector<absl::Status> Ledger::DegradedBanks() const {
  std::vector<absl::Status> degraded;
  const std::shared_ptr<const LedgerView> view = View();
  for (const auto& [bank_id, state] : *view) {
    if (!state->degraded.ok()) degraded.push_back(state->degraded);
  }
  return degraded;
}

absl::StatusOr<Page<BankSummary>> Ledger::ListBanks(int64_t page_size,
                                                    const std::string& page_token) const {
  size_t limit = 0;
  if (auto s = ValidatePageSize(page_size, &limit); !s.ok()) return s;
  auto after = PageAfterId(page_token, PageListing::kBanks, {});
  if (!after.ok()) return after.status();
  Page<BankSummary> page;
  const std::shared_ptr<const LedgerView> view = View();
  for (auto it = view->upper_bound(*after); it != view->end(); ++it) {
    if (page.items.size() == limit) {
      page.next_page_token =
          PageTokenAfterId(PageListing::kBanks, {}, page.items.back().bank.bank_id);
      break;
    }
    const BankView& state = *it->second;
    page.items.push_back(BankSummary{state.bank, state.account_count, state.head.next_seq - 1});
  }
  return page;
}

absl::StatusOr<Account> Ledger::GetAccount(const BankId& bank_id,
                                           const AccountId& account_id) const {
  if (auto s = CheckBankServable(bank_id); !s.ok()) return s;
  if (auto s = ValidateId("account_id", account_id); !s.ok()) return s;
  // What the last synced groups published, or the store; not the writer's memory: that runs
  // ahead of what is synced.
  const std::string key = AccountCache::KeyOf(bank_id.value(), account_id.value());
  if (std::optional<Account> published = published_accounts_.Find(key))
    return *std::move(published);
  const uint64_t epoch = published_accounts_.EpochOf(key);
  auto account = store_->GetAccount(bank_id, account_id);
  if (!account.ok()) return account.status();
  if (account->has_value()) published_accounts_.Fill(**account, epoch);
  if (!account->has_value()) {
    return ledger::Refuse(
        Reason::kAccountNotFound,
        absl::StrCat("there is no account ", account_id.value(), " in bank ", bank_id.value()),
        {{"bank_id", bank_id}, {"account_id", account_id}});
  }
  return **std::move(account);
}

absl::StatusOr<AccountStanding> Ledger::GetAccountStanding(const BankId& bank_id,
                                                           const AccountId& account_id) const {
  auto account = GetAccount(bank_id, account_id);
  if (!account.ok()) return account.status();
  const std::shared_ptr<const LedgerView> view = View();
  const BankView& bank = ServedBank(*view, bank_id);
  AccountStanding standing;
  standing.account = *std::move(account);
  const Account& a = standing.account;
  standing.floor_minutes = Minutes(bank.policy.floors_enabled ? FloorOf(bank.policy, a) : 0);
  standing.cap_minutes = Minutes(bank.policy.balance_cap_enabled && a.kind == AccountKind::kPerson
                                     ? bank.policy.person_cap_minutes
                                     : 0);
  standing.available_minutes =
      bank.policy.floors_enabled
          ? Minutes(a.balance_minutes - a.held_minutes) - standing.floor_minutes
          : Minutes(INT64_MAX);
  standing.reciprocity = ReciprocityOf(a, bank.policy, DayOf(clock_(), bank.zone));
  return standing;
}

absl::StatusOr<Policy> Ledger::GetPolicy(const BankId& bank_id) const {
  if (auto bank = GetBank(bank_id); !bank.ok()) return bank.status();
  return ServedBank(*View(), bank_id).policy;
}

absl::StatusOr<std::vector<std::pair<Policy, Policy>>> Ledger::ListPolicyChanges(
    const BankId& bank_id) const {
  if (auto bank = GetBank(bank_id); !bank.ok()) return bank.status();
  return store_->ListPolicyChanges(bank_id);
}

absl::StatusOr<std::vector<PendingEntry>> Ledger::ListPending(const BankId& bank_id,
                                                              const AccountId& account_id,
                                                              size_t limit) const {
  if (auto bank = GetBank(bank_id); !bank.ok()) return bank.status();
  if (!account_id.empty()) {
    if (auto account = GetAccount(bank_id, account_id); !account.ok()) return account.status();
  }
  std::vector<PendingEntry> found;
  auto status = store_->ForEachOpenPending(bank_id, [&](const PendingEntry& pending) {
    if (found.size() < limit &&
        (account_id.empty() || pending.entry.from_account_id == account_id.value() ||
         pending.entry.to_account_id == account_id.value())) {
      found.push_back(pending);
    }
    return absl::OkStatus();
  });
  if (!status.ok()) return status;
  return found;
}

absl::StatusOr<std::optional<MemberCard>> Ledger::GetMemberCard(const BankId& bank_id,
                                                                const AccountId& account_id) const {
  if (auto bank = GetBank(bank_id); !bank.ok()) return bank.status();
  if (auto s = ValidateId("account_id", account_id); !s.ok()) return s;
  return store_->GetMemberCard(bank_id, account_id);
}

absl::StatusOr<std::optional<AccountId>> Ledger::FindCardHolder(
    const BankId& bank_id, const std::string& card_number) const {
  if (auto bank = GetBank(bank_id); !bank.ok()) return bank.status();
  if (auto s = ValidateCardNumber(card_number, /*allow_empty=*/false); !s.ok()) return s;
  auto holder = store_->FindCardHolder(bank_id, card_number);
  if (!holder.ok()) return holder.status();
  if (!holder->has_value()) return std::optional<AccountId>();
  return std::optional<AccountId>(AccountId(**std::move(holder)));
}

absl::StatusOr<PendingEntry> Ledger::GetPending(const BankId& bank_id,
                                                const EntryId& entry_id) const {
  if (auto bank = GetBank(bank_id); !bank.ok()) return bank.status();
  if (auto s = ValidateEntryId("entry_id", entry_id); !s.ok()) return s;
  auto pending = store_->GetPending(bank_id, entry_id);
  if (!pending.ok()) return pending.status();
  if (!pending->has_value()) {
    return ledger::Refuse(
        Reason::kPendingNotFound,
        absl::StrCat("no entry ", entry_id.value(), " was ever waiting for confirmation"),
        {{"entry_id", entry_id}});
  }
  return **pending;
}

absl::StatusOr<Page<Account>> Ledger::ListAccounts(const BankId& bank_id, int64_t page_size,
                                                   const std::string& page_token) const {
  size_t limit = 0;
  if (auto s = ValidatePageSize(page_size, &limit); !s.ok()) return s;
  if (auto bank = GetBank(bank_id); !bank.ok()) return bank.status();
  auto after = PageAfterId(page_token, PageListing::kAccounts, {bank_id.value()});
  if (!after.ok()) return after.status();
  auto accounts = store_->ListAccounts(bank_id, *after, limit + 1);
  if (!accounts.ok()) return accounts.status();
  Page<Account> page;
  page.items = *std::move(accounts);
  if (page.items.size() > limit) {
    page.items.resize(limit);
    page.next_page_token =
        PageTokenAfterId(PageListing::kAccounts, {bank_id.value()}, page.items.back().account_id);
  }
  return page;
}

absl::StatusOr<Entry> Ledger::GetEntry(const BankId& bank_id, uint64_t seq) const {
  if (auto bank = GetBank(bank_id); !bank.ok()) return bank.status();
  auto entry = store_->GetEntry(bank_id, seq);
  if (!entry.ok()) return entry.status();
  if (!entry->has_value()) {
    return ledger::Refuse(Reason::kEntryNotFound,
                          absl::StrCat("bank ", bank_id.value(), " has no entry ", seq),
                          {{"seq", std::to_string(seq)}});
  }
  return **entry;
}

absl::StatusOr<Entry> Ledger::GetEntryById(const BankId& bank_id, const EntryId& entry_id) const {
  if (auto bank = GetBank(bank_id); !bank.ok()) return bank.status();
  if (auto s = ValidateEntryId("entry_id", entry_id); !s.ok()) return s;
  auto record = store_->GetEntryId(bank_id, entry_id);
  if (!record.ok()) return record.status();
  if (!record->has_value()) {
    return ledger::Refuse(
        Reason::kEntryNotFound,
        absl::StrCat("bank ", bank_id.value(), " has no entry with entry_id ", entry_id.value()),
        {{"entry_id", entry_id}});
  }
  return GetEntry(bank_id, (*record)->seq);
}

absl::StatusOr<Page<EntryRow>> Ledger::ListEntries(const BankId& bank_id,
                                                   const AccountId& account_id, int64_t page_size,
                                                   const std::string& page_token) const {
  size_t limit = 0;
  if (auto s = ValidatePageSize(page_size, &limit); !s.ok()) return s;
  if (auto bank = GetBank(bank_id); !bank.ok()) return bank.status();
  if (!account_id.empty()) {
    if (auto account = GetAccount(bank_id, account_id); !account.ok()) return account.status();
  }
  auto after =
      PageAfterSeq(page_token, PageListing::kEntries, {bank_id.value(), account_id.value()});
  if (!after.ok()) return after.status();
  auto rows = account_id.empty()
                  ? store_->ListEntries(bank_id, *after, limit + 1)
                  : store_->ListAccountEntries(bank_id, account_id, *after, limit + 1);
  if (!rows.ok()) return rows.status();
  Page<EntryRow> page;
  page.items = *std::move(rows);
  if (page.items.size() > limit) {
    page.items.resize(limit);
    page.next_page_token = PageTokenAfterSeq(
        PageListing::kEntries, {bank_id.value(), account_id.value()}, page.items.back().entry.seq);
  }
  return page;
}

std::unique_ptr<StoreReader> Ledger::NewReadView() const {
  return store_->NewSnapshot(BlockCache::kFill);
}

}  // namespace timeledger::ledger
