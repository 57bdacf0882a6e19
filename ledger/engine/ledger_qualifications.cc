// The reads of qualifications, activities and offers (ledger.h). Like every read of the Ledger,
// they see only committed state: the store holds nothing else.
#include "absl/strings/str_cat.h"

#include "ledger/core/errors.h"
#include "ledger/core/page_token.h"
#include "ledger/core/validate.h"
#include "ledger/engine/ledger.h"

namespace timeledger::ledger {
namespace {

absl::StatusOr<absl::Duration> ExpiringWithin(int64_t days) {
  if (days < 0 || days > kExpiringWithinDaysMax) {
    return Refuse(
        Reason::kInvalidExpiringWithin,
        absl::StrCat("expiring_within_days must be between 0 (the default, ",
                     kExpiringWithinDaysDefault, ") and ", kExpiringWithinDaysMax),
        {{"field", "expiring_within_days"}, {"limit", std::to_string(kExpiringWithinDaysMax)}});
  }
  return absl::Hours(24 * (days == 0 ? kExpiringWithinDaysDefault : days));
}

// The arguments every list of holdings takes: its page size, its window of "expiring", and the
// key of the row its page begins after ("" for the first).
struct HoldingListArgs {
  size_t limit = 0;
  absl::Duration expiring_within;
  std::string after;
};

// `filter` is the account of a list of qualifications, the qualification of a list of holders.
absl::StatusOr<HoldingListArgs> CheckHoldingListArgs(int64_t expiring_within_days,
                                                     int64_t page_size,
                                                     const std::string& page_token,
                                                     PageListing listing, const BankId& bank_id,
                                                     absl::string_view filter) {
  HoldingListArgs args;
  if (auto s = ValidatePageSize(page_size, &args.limit); !s.ok()) return s;
  auto within = ExpiringWithin(expiring_within_days);
  if (!within.ok()) return within.status();
  args.expiring_within = *within;
  auto after = PageAfterId(page_token, listing, {bank_id.value(), filter});
  if (!after.ok()) return after.status();
  args.after = *std::move(after);
  return args;
}

// Cuts `rows` (read with one more than `limit`) to a page, whose token is that of `listing` and
// `filters` after `key` of its last row.
template <typename T, typename Key>
Page<T> Paged(std::vector<T> rows, size_t limit, PageListing listing, PageFilters filters,
              Key key) {
  Page<T> page;
  page.items = std::move(rows);
  if (page.items.size() > limit) {
    page.items.resize(limit);
    page.next_page_token = PageTokenAfterId(listing, filters, key(page.items.back()));
  }
  return page;
}

absl::StatusOr<Page<HoldingView>> Viewed(absl::StatusOr<std::vector<Holding>> holdings,
                                         size_t limit, absl::Time now, absl::Duration within,
                                         PageListing listing, PageFilters filters) {
  if (!holdings.ok()) return holdings.status();
  std::vector<HoldingView> views;
  views.reserve(holdings->size());
  for (Holding& holding : *holdings) {
    const HoldingStatus status = StatusOf(holding, now, within);
    views.push_back(HoldingView{std::move(holding), status});
  }
  const bool by_account = listing == PageListing::kHolders;
  return Paged(std::move(views), limit, listing, filters, [by_account](const HoldingView& view) {
    return by_account ? view.holding.account_id : view.holding.qualification_code;
  });
}

}  // namespace

absl::StatusOr<CatalogueItem> Ledger::GetCatalogueItem(const BankId& bank_id, CatalogueKind kind,
                                                       const std::string& code) const {
  if (auto bank = GetBank(bank_id); !bank.ok()) return bank.status();
  if (auto s = ValidateId("code", code); !s.ok()) return s;
  auto item = store_->GetCatalogueItem(bank_id, kind, code);
  if (!item.ok()) return item.status();
  if (!item->has_value()) {
    return Refuse(
        ItemNotFoundReason(kind),
        absl::StrCat("bank ", bank_id.value(), " has no ", CatalogueKindName(kind), " ", code),
        {{"bank_id", bank_id}, {"kind", CatalogueKindName(kind)}, {"code", code}});
  }
  return **std::move(item);
}

absl::StatusOr<Page<CatalogueItem>> Ledger::ListCatalogue(const BankId& bank_id, CatalogueKind kind,
                                                          bool include_retired, int64_t page_size,
                                                          const std::string& page_token) const {
  size_t limit = 0;
  if (auto s = ValidatePageSize(page_size, &limit); !s.ok()) return s;
  if (auto bank = GetBank(bank_id); !bank.ok()) return bank.status();
  const PageFilters filters = {bank_id.value(), CatalogueKindName(kind),
                               include_retired ? "retired too" : "current"};
  auto after = PageAfterId(page_token, PageListing::kCatalogue, filters);
  if (!after.ok()) return after.status();
  // The catalogue is bounded (kCatalogueItemsMax of a kind), so filtering after the read is too.
  auto items = store_->ListCatalogue(bank_id, kind, *after, kCatalogueItemsMax + 1);
  if (!items.ok()) return items.status();
  std::vector<CatalogueItem> kept;
  for (CatalogueItem& item : *items) {
    if (include_retired || !item.retired) kept.push_back(std::move(item));
    if (kept.size() > limit) break;
  }
  return Paged(std::move(kept), limit, PageListing::kCatalogue, filters,
               [](const CatalogueItem& item) { return item.code; });
}

absl::StatusOr<Page<HoldingView>> Ledger::ListQualifications(const BankId& bank_id,
                                                             const AccountId& account_id,
                                                             int64_t expiring_within_days,
                                                             int64_t page_size,
                                                             const std::string& page_token) const {
  auto args = CheckHoldingListArgs(expiring_within_days, page_size, page_token,
                                   PageListing::kQualifications, bank_id, account_id.value());
  if (!args.ok()) return args.status();
  if (auto account = GetAccount(bank_id, account_id); !account.ok()) return account.status();
  return Viewed(store_->ListHoldings(bank_id, account_id, args->after, args->limit + 1),
                args->limit, Now(), args->expiring_within, PageListing::kQualifications,
                {bank_id.value(), account_id.value()});
}

absl::StatusOr<Page<HoldingView>> Ledger::ListHolders(const BankId& bank_id,
                                                      const std::string& qualification_code,
                                                      int64_t expiring_within_days,
                                                      int64_t page_size,
                                                      const std::string& page_token) const {
  auto args = CheckHoldingListArgs(expiring_within_days, page_size, page_token,
                                   PageListing::kHolders, bank_id, qualification_code);
  if (!args.ok()) return args.status();
  auto qualification = GetCatalogueItem(bank_id, CatalogueKind::kQualification, qualification_code);
  if (!qualification.ok()) return qualification.status();
  return Viewed(store_->ListHolders(bank_id, qualification_code, args->after, args->limit + 1),
                args->limit, Now(), args->expiring_within, PageListing::kHolders,
                {bank_id.value(), qualification_code});
}

}  // namespace timeledger::ledger
