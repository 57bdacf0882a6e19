#include "ledger/engine/journal_feed.h"

#include <algorithm>
#include <utility>

#include "absl/strings/str_cat.h"

#include "ledger/core/check.h"
#include "ledger/core/errors.h"
#include "ledger/engine/ledger.h"

namespace timeledger::ledger {

absl::StatusOr<FeedFilter> FeedFilterFor(const Principal& by, FeedFilter asked) {
  switch (by.role) {
    case PrincipalRole::kAdmin:
    case PrincipalRole::kCoordinator:
      return asked;
    case PrincipalRole::kPartner:
      if (!asked.account_id.empty()) {
        if (auto s = CheckMayReadAccount(by, asked.account_id); !s.ok()) return s;
      }
      asked.account_id = by.account_id;
      return asked;
    case PrincipalRole::kKiosk:
      break;
  }
  return Refuse(Reason::kRoleNotAllowed,
                absl::StrCat(by.name, " is a ", PrincipalRoleName(by.role),
                             ", which may not watch a journal"),
                {{"principal", by.name}, {"role", PrincipalRoleName(by.role)}});
}

AccountsTouched AccountsTouchedBy(const Fact& fact, const PendingEntry* resolved) {
  AccountsTouched touched;
  const auto add = [&touched](absl::string_view id) {
    if (!id.empty() && !touched.Contains(id)) touched.ids[touched.count++] = id;
  };
  const auto entry = [&add](const Entry& entry) {
    add(entry.from_account_id);
    add(entry.to_account_id);
  };
  switch (fact.type) {
    case FactType::kEntry:
    case FactType::kPendingCreated:
      entry(fact.entry);
      break;
    case FactType::kPendingResolved:
      if (resolved != nullptr) entry(resolved->entry);
      break;
    case FactType::kAccountOpened:
    case FactType::kAccountChanged:
    case FactType::kContactSet:
    case FactType::kAccountStatus:
    case FactType::kCardSet:
    case FactType::kPinSet:
    case FactType::kLanguageSet:
    case FactType::kPersonalDataErased:
    case FactType::kOfferRedeemed:
      add(fact.account_id);
      break;
    case FactType::kQualificationAwarded:
      add(fact.award.account_id);
      break;
    case FactType::kBankCreated:
    case FactType::kPolicySet:
    case FactType::kCatalogueItem:
      break;
  }
  return touched;
}

bool FactTouchesAccount(const Fact& fact, absl::string_view account_id,
                        const PendingEntry* resolved) {
  return AccountsTouchedBy(fact, resolved).Contains(account_id);
}

namespace {

// Whether `fact` of `bank_id` passes `filter`; reads the pending entry a resolution names.
absl::StatusOr<bool> Passes(const Ledger& ledger, const BankId& bank_id, const Fact& fact,
                            const FeedFilter& filter) {
  if (!filter.types.empty() &&
      std::find(filter.types.begin(), filter.types.end(), fact.type) == filter.types.end()) {
    return false;
  }
  if (filter.account_id.empty()) return true;
  if (fact.type != FactType::kPendingResolved) {
    return FactTouchesAccount(fact, filter.account_id, nullptr);
  }
  auto pending = ledger.GetPending(bank_id, EntryId(fact.entry_id));
  if (!pending.ok()) return pending.status();
  return FactTouchesAccount(fact, filter.account_id, &*pending);
}

}  // namespace

absl::StatusOr<FeedPage> Ledger::ReadFeed(const BankId& bank_id, uint64_t from_position,
                                          const FeedFilter& filter, size_t facts_max,
                                          std::optional<Digest> chain_before) const {
  FeedPage page;
  if (auto s = ReadFeedInto(bank_id, from_position, filter, facts_max, chain_before, &page);
      !s.ok()) {
    return s;
  }
  return page;
}

absl::Status Ledger::ReadFeedInto(const BankId& bank_id, uint64_t from_position,
                                  const FeedFilter& filter, size_t facts_max,
                                  std::optional<Digest> chain_before, FeedPage* out) const {
  TL_CHECK(facts_max > 0 && facts_max <= kJournalPageSizeMax);
  auto digest = GetJournalTip(bank_id);
  if (!digest.ok()) return digest.status();
  FeedPage& page = *out;
  page.records.clear();
  page.prior_hashes.clear();
  page.journal_hash = Digest{};
  page.tree_size = digest->tree_size;
  page.next_position = from_position;
  if (from_position > digest->tree_size) {
    return Refuse(Reason::kTreeSizeAhead,
                  absl::StrCat("bank ", bank_id.value(), "'s journal holds ", digest->tree_size,
                               " facts: the feed cannot start at ", from_position),
                  {{"bank_id", bank_id},
                   {"start_position", std::to_string(from_position)},
                   {"journal_size", std::to_string(digest->tree_size)}});
  }
  if (from_position == digest->tree_size) {
    page.facts.clear();
    page.journal_hash = digest->journal_hash;
    return absl::OkStatus();
  }
  // The fact before the first gives its prior hash, unless the caller carries it.
  if (from_position == 0) chain_before = Digest{};
  const uint64_t read_from = chain_before.has_value() ? from_position : from_position - 1;
  // The fact before counts in the read, but not against facts_max (a read of one fact would
  // read only the fact before), unless facts_max is kJournalPageSizeMax already.
  const size_t read_max = std::min<size_t>(facts_max + (from_position - read_from),
                                           kJournalPageSizeMax);
  // Read into the storage of the last page (its facts are decoded into again).
  JournalPage read;
  read.records = std::move(page.records);
  read.facts = std::move(page.facts);
  if (auto s = ListJournalInto(bank_id, read_from, digest->tree_size,
                               static_cast<int64_t>(read_max), chain_before, &read);
      !s.ok()) {
    return s;
  }
  // The facts that pass are compacted where they were read: a Fact is 2 KB, not moved twice.
  std::vector<JournalRecord>& records = read.records;
  std::vector<Fact>& facts = read.facts;
  page.prior_hashes.reserve(records.size());
  Digest prior = chain_before.value_or(Digest{});
  size_t kept = 0;
  for (size_t i = 0; i < records.size(); ++i) {
    const uint64_t position = records[i].position;
    const Digest chain_hash = records[i].chain_hash;
    if (position >= from_position) {
      auto passes = Passes(*this, bank_id, facts[i], filter);
      if (!passes.ok()) return passes.status();
      if (*passes) {
        page.prior_hashes.push_back(prior);
        if (kept != i) {
          records[kept] = std::move(records[i]);
          facts[kept] = std::move(facts[i]);
        }
        ++kept;
      }
      page.next_position = position + 1;
    }
    prior = chain_hash;
  }
  records.resize(kept);
  facts.resize(kept);
  page.records = std::move(records);
  page.facts = std::move(facts);
  page.journal_hash = prior;
  TL_CHECK(page.next_position > from_position);  // a page of ListJournal holds one fact at least
  return absl::OkStatus();
}

}  // namespace timeledger::ledger
