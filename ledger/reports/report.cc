#include "ledger/reports/report.h"

#include <algorithm>
#include <cstdlib>
#include <map>
#include <memory>
#include <optional>

#include "absl/container/flat_hash_map.h"
#include "absl/container/flat_hash_set.h"
#include "absl/strings/str_cat.h"

#include "ledger/core/errors.h"
#include "ledger/core/given_received.h"
#include "ledger/core/validate.h"
#include "ledger/reports/report_reads.h"
#include "ledger/rules/policy.h"

namespace timeledger::ledger {
namespace {

using report_internal::CorruptStore;
using report_internal::FindBank;
using report_internal::LastSeqRecordedBefore;
using report_internal::ValidatePeriod;
using report_internal::ZoneOf;

// The accounts of the bank in the snapshot, by id.
class AccountDirectory {
 public:
  absl::Status Load(StoreReader& view, const std::string& bank_id) {
    return view.ForEachAccount(bank_id, [&](const Account& account) {
      index_.emplace(account.account_id, accounts_.size());
      accounts_.push_back(account);
      return absl::OkStatus();
    });
  }

  // Returns the index of `account_id`, or DataLoss if an entry names an unknown account.
  absl::StatusOr<size_t> IndexOf(const std::string& account_id) const {
    auto it = index_.find(account_id);
    if (it == index_.end()) {
      return CorruptStore(
          absl::StrCat("an entry names account ", account_id, ", which is missing"));
    }
    return it->second;
  }

  const std::vector<Account>& accounts() const { return accounts_; }

 private:
  std::vector<Account> accounts_;
  absl::flat_hash_map<std::string, size_t> index_;
};

// An activity as the report names and counts it.
struct LabelledActivity {
  size_t category = 0;  // index into CategoryIndex
  std::string title;    // "" for an entry without an activity
};

// Categories of the report, looked up once per distinct kind and activity.
class CategoryIndex {
 public:
  explicit CategoryIndex(ActivityLabelLookup lookup) : lookup_(std::move(lookup)) {}

  absl::StatusOr<LabelledActivity> Of(EntryKind kind, const std::string& activity) {
    const auto key = std::make_pair(static_cast<uint8_t>(kind), activity);
    if (auto it = by_activity_.find(key); it != by_activity_.end()) return it->second;
    LabelledActivity labelled;
    std::string category = kUncategorised;
    if (!activity.empty()) {
      auto label = lookup_(kind, activity);
      if (!label.ok()) return label.status();
      labelled.title = label->title.empty() ? activity : std::move(label->title);
      category = label->category.empty() ? labelled.title : std::move(label->category);
    }
    auto [it, inserted] = by_name_.emplace(category, names_.size());
    if (inserted) names_.push_back(std::move(category));
    labelled.category = it->second;
    by_activity_.emplace(key, labelled);
    return labelled;
  }

  const std::string& Name(size_t index) const { return names_[index]; }
  size_t size() const { return names_.size(); }

 private:
  ActivityLabelLookup lookup_;
  absl::flat_hash_map<std::pair<uint8_t, std::string>, LabelledActivity> by_activity_;
  absl::flat_hash_map<std::string, size_t> by_name_;
  std::vector<std::string> names_;
};

// What one account did in one period.
struct AccountTally {
  int64_t entries = 0;  // entries it paid or earned, net of reversals in the period
  int64_t given_minutes = 0;
  int64_t received_minutes = 0;
  int64_t issued_minutes = 0;    // organisations: AWARD paid
  int64_t spent_at_minutes = 0;  // organisations: SPEND received
};

// Everything shared by the two periods of one report.
struct ReportContext {
  StoreReader& view;
  std::string bank_id;
  absl::TimeZone zone;
  Policy policy;
  uint64_t through_seq = 0;
  AccountDirectory accounts;
  CategoryIndex categories;
};

// Adds the figures of one period, entry by entry.
class PeriodTally {
 public:
  PeriodTally(ReportContext& context, absl::CivilDay first_day, absl::CivilDay last_day)
      : context_(context),
        first_day_(first_day),
        last_day_(last_day),
        from_(absl::FromCivil(first_day, context.zone)),
        to_(absl::FromCivil(last_day + 1, context.zone)),
        accounts_(context.accounts.accounts().size()) {
    for (absl::CivilMonth month(first_day); month <= absl::CivilMonth(last_day); ++month) {
      months_.push_back(MonthFigures{month, 0, {}});
      month_starts_.push_back(
          std::max(from_, absl::FromCivil(absl::CivilDay(month), context.zone)));
    }
  }

  absl::Time from() const { return from_; }
  absl::Time to() const { return to_; }

  absl::Status Scan() {
    auto status =
        context_.view.ForEachEntryOccurredIn(context_.bank_id, from_, to_, kReportEntriesMax,
                                             [this](const Entry& entry) { return Add(entry); });
    if (!status.ok()) return status;
    return context_.view.ForEachAwardIn(context_.bank_id, from_, to_, kReportAwardsMax,
                                        [this](const Award& award) { return AddAward(award); });
  }

  // The persons who earned or paid in the period, by account index.
  std::vector<bool> ActivePersons() const {
    std::vector<bool> active(accounts_.size());
    for (size_t i = 0; i < accounts_.size(); ++i) active[i] = IsActivePerson(i);
    return active;
  }

  // The figures; `previous_active` (the previous period's ActivePersons) counts returning
  // persons when given.
  absl::StatusOr<PeriodFigures> Finish(const std::vector<bool>* previous_active) {
    PeriodFigures figures;
    figures.first_day = first_day_;
    figures.last_day = last_day_;
    figures.entry_count = entry_count_;
    figures.minutes = minutes_;
    figures.reversal_count = reversal_count_;
    figures.reversed_minutes = reversed_minutes_;
    figures.corrections = corrections_;
    figures.months = months_;
    figures.categories = CategoryRows();
    figures.members = Members(previous_active);
    figures.organisations = OrganisationRows();
    auto balances = Balances();
    if (!balances.ok()) return balances.status();
    figures.balances = *balances;
    auto pending = Pending();
    if (!pending.ok()) return pending.status();
    figures.pending = *pending;
    figures.qualifications = qualifications_;
    figures.qualifications.persons = static_cast<int64_t>(qualified_persons_.size());
    return figures;
  }

 private:
  absl::Status AddAward(const Award& award) {
    switch (award.outcome) {
      case AwardOutcome::kAttained:
        ++qualifications_.attained;
        break;
      case AwardOutcome::kRenewed:
        ++qualifications_.renewed;
        break;
      case AwardOutcome::kAlreadyValid:
        ++qualifications_.already_valid;
        return absl::OkStatus();
    }
    qualified_persons_.insert(award.account_id);
    return absl::OkStatus();
  }

  absl::Status Add(const Entry& entry) {
    if (entry.kind != EntryKind::kReversal) return Count(entry, 1);
    ++reversal_count_;
    reversed_minutes_ += entry.minutes;
    auto original = context_.view.GetEntry(context_.bank_id, entry.reverses_seq);
    if (!original.ok()) return original.status();
    if (!original->has_value() || (*original)->kind == EntryKind::kReversal) {
      return CorruptStore(absl::StrCat("reversal ", entry.seq, " points at no entry"));
    }
    const Entry& undone = **original;
    if (undone.occurred_at >= from_ && undone.occurred_at < to_) return Count(undone, -1);
    corrections_.Of(undone.kind) += undone.minutes;
    return absl::OkStatus();
  }

  // Counts `entry` (sign 1) or takes it out again (sign -1, its reversal in the same period).
  absl::Status Count(const Entry& entry, int64_t sign) {
    const int64_t minutes = sign * entry.minutes;
    entry_count_ += sign;
    minutes_.Of(entry.kind) += minutes;
    MonthFigures& month = months_[MonthIndex(entry.occurred_at)];
    month.entry_count += sign;
    month.minutes.Of(entry.kind) += minutes;
    auto labelled = context_.categories.Of(entry.kind, entry.activity);
    if (!labelled.ok()) return labelled.status();
    const size_t category = labelled->category;
    if (category >= category_tallies_.size()) {
      category_tallies_.resize(category + 1);
      category_titles_.resize(category + 1);
    }
    category_tallies_[category].entry_count += sign;
    category_tallies_[category].minutes.Of(entry.kind) += minutes;
    if (!labelled->title.empty()) category_titles_[category][labelled->title] += sign;

    auto payer = context_.accounts.IndexOf(entry.from_account_id);
    if (!payer.ok()) return payer.status();
    auto earner = context_.accounts.IndexOf(entry.to_account_id);
    if (!earner.ok()) return earner.status();
    AccountTally& from = accounts_[*payer];
    AccountTally& to = accounts_[*earner];
    from.entries += sign;
    to.entries += sign;
    if (IsTimeGiven(entry.kind)) to.given_minutes += minutes;
    if (IsTimeReceived(entry.kind)) from.received_minutes += minutes;
    if (entry.kind == EntryKind::kAward) from.issued_minutes += minutes;
    if (entry.kind == EntryKind::kSpend) to.spent_at_minutes += minutes;
    return absl::OkStatus();
  }

  size_t MonthIndex(absl::Time occurred_at) const {
    auto after = std::upper_bound(month_starts_.begin(), month_starts_.end(), occurred_at);
    return after == month_starts_.begin() ? 0 : (after - month_starts_.begin()) - 1;
  }

  bool IsActivePerson(size_t index) const {
    return context_.accounts.accounts()[index].kind == AccountKind::kPerson &&
           accounts_[index].entries > 0;
  }

  std::vector<CategoryFigures> CategoryRows() const {
    std::vector<CategoryFigures> rows;
    for (size_t i = 0; i < category_tallies_.size(); ++i) {
      if (category_tallies_[i].entry_count == 0 && category_tallies_[i].minutes.Total() == 0) {
        continue;
      }
      CategoryFigures row = category_tallies_[i];
      row.category = context_.categories.Name(i);
      for (const auto& [title, entries] : category_titles_[i]) {
        // A row named by its one activity does not name it again.
        if (entries > 0 && title != row.category &&
            row.titles.size() < kReportTitlesPerCategoryMax) {
          row.titles.push_back(title);
        }
      }
      rows.push_back(std::move(row));
    }
    std::sort(rows.begin(), rows.end(), [](const CategoryFigures& a, const CategoryFigures& b) {
      const int64_t a_total = a.minutes.Total();
      const int64_t b_total = b.minutes.Total();
      return a_total != b_total ? a_total > b_total : a.category < b.category;
    });
    if (rows.size() > kReportCategoriesMax) {
      CategoryFigures other;
      other.category = kOtherCategories;
      for (size_t i = kReportCategoriesMax - 1; i < rows.size(); ++i) {
        other.entry_count += rows[i].entry_count;
        for (EntryKind kind : {EntryKind::kExchange, EntryKind::kAward, EntryKind::kSpend,
                               EntryKind::kDonation, EntryKind::kGrant}) {
          other.minutes.Of(kind) += rows[i].minutes.Of(kind);
        }
      }
      rows.resize(kReportCategoriesMax - 1);
      rows.push_back(std::move(other));
    }
    return rows;
  }

  MemberFigures Members(const std::vector<bool>* previous_active) const {
    MemberFigures members;
    members.returning_counted = previous_active != nullptr;
    const std::vector<Account>& accounts = context_.accounts.accounts();
    for (size_t i = 0; i < accounts.size(); ++i) {
      const Account& account = accounts[i];
      if (account.kind != AccountKind::kPerson) continue;
      if (account.opened_at < to_) ++members.persons_at_period_end;
      if (account.opened_at >= from_ && account.opened_at < to_) ++members.new_persons;
      if (!IsActivePerson(i)) continue;
      ++members.active_persons;
      if (previous_active != nullptr && (*previous_active)[i]) ++members.returning_persons;
      const AccountTally& tally = accounts_[i];
      const int64_t given = std::max<int64_t>(tally.given_minutes, 0);
      const int64_t received = std::max<int64_t>(tally.received_minutes, 0);
      if (given > 0) ++members.gave_persons;
      if (received > 0) ++members.received_persons;
      if (given > 0 && received > 0) ++members.gave_and_received_persons;
      if (given > 0 || received > 0) {
        ++members.ratio_buckets[static_cast<size_t>(RatioBucketOf(given, received))];
      }
    }
    return members;
  }

  std::vector<OrganisationFigures> OrganisationRows() const {
    std::vector<OrganisationFigures> rows;
    const std::vector<Account>& accounts = context_.accounts.accounts();
    for (size_t i = 0; i < accounts.size(); ++i) {
      const AccountTally& tally = accounts_[i];
      if (accounts[i].kind != AccountKind::kOrganisation ||
          (tally.issued_minutes == 0 && tally.spent_at_minutes == 0)) {
        continue;
      }
      rows.push_back(OrganisationFigures{accounts[i].account_id, accounts[i].display_name,
                                         tally.issued_minutes, tally.spent_at_minutes});
    }
    std::sort(rows.begin(), rows.end(),
              [](const OrganisationFigures& a, const OrganisationFigures& b) {
                const int64_t a_total = a.issued_minutes + a.spent_at_minutes;
                const int64_t b_total = b.issued_minutes + b.spent_at_minutes;
                return a_total != b_total ? a_total > b_total : a.account_id < b.account_id;
              });
    if (rows.size() > kReportOrganisationsMax) {
      OrganisationFigures other{"", kOtherOrganisations, 0, 0};
      for (size_t i = kReportOrganisationsMax - 1; i < rows.size(); ++i) {
        other.issued_minutes += rows[i].issued_minutes;
        other.spent_at_minutes += rows[i].spent_at_minutes;
      }
      rows.resize(kReportOrganisationsMax - 1);
      rows.push_back(std::move(other));
    }
    return rows;
  }

  absl::StatusOr<BalanceFigures> Balances() const;
  absl::StatusOr<PendingFigures> Pending() const;

  ReportContext& context_;
  const absl::CivilDay first_day_;
  const absl::CivilDay last_day_;
  const absl::Time from_;
  const absl::Time to_;

  int64_t entry_count_ = 0;
  MinutesByKind minutes_;
  int64_t reversal_count_ = 0;
  int64_t reversed_minutes_ = 0;
  MinutesByKind corrections_;
  QualificationFigures qualifications_;
  absl::flat_hash_set<std::string> qualified_persons_;
  std::vector<MonthFigures> months_;
  std::vector<absl::Time> month_starts_;
  std::vector<CategoryFigures> category_tallies_;  // by category index; names filled at Finish
  // By category index: entries per activity title, net of reversals in the period.
  std::vector<std::map<std::string, int64_t>> category_titles_;
  std::vector<AccountTally> accounts_;  // by account index
};

absl::StatusOr<BalanceFigures> PeriodTally::Balances() const {
  auto through = LastSeqRecordedBefore(context_.view, context_.bank_id, context_.through_seq, to_);
  if (!through.ok()) return through.status();
  const Policy& policy = context_.policy;
  std::vector<const Account*> persons;
  std::vector<std::string> ids;
  for (const Account& account : context_.accounts.accounts()) {
    if (account.kind != AccountKind::kPerson || account.opened_at >= to_) continue;
    persons.push_back(&account);
    ids.push_back(account.account_id);
  }
  // Nothing recorded after the period: the balances are today's. Else read them from the postings.
  std::vector<int64_t> after;
  if (*through != context_.through_seq) {
    auto read = context_.view.BalancesAfter(context_.bank_id, ids, *through);
    if (!read.ok()) return read.status();
    after = *std::move(read);
  }
  BalanceFigures balances;
  for (size_t i = 0; i < persons.size(); ++i) {
    const Account& account = *persons[i];
    const int64_t balance = after.empty() ? account.balance_minutes : after[i];
    ++balances.persons_counted;
    if (balance < 0) ++balances.below_zero_persons;
    const int64_t floor = FloorOf(policy, account);
    if (policy.floors_enabled && floor < 0 && balance * 10 <= floor * 9) {
      ++balances.near_floor_persons;
    }
    const int64_t cap = policy.person_cap_minutes;
    if (policy.balance_cap_enabled && cap > 0 && balance * 10 >= cap * 9) {
      ++balances.near_cap_persons;
    }
  }
  return balances;
}

absl::StatusOr<PendingFigures> PeriodTally::Pending() const {
  PendingFigures pending;
  auto status =
      context_.view.ForEachResolvedPending(context_.bank_id, [&](const PendingEntry& resolved) {
        if (resolved.resolved_at < from_ || resolved.resolved_at >= to_) return absl::OkStatus();
        if (resolved.state == PendingState::kExpired) {
          ++pending.expired_count;
          pending.expired_minutes += resolved.entry.minutes;
        } else if (resolved.state == PendingState::kRejected) {
          ++pending.rejected_count;
          pending.rejected_minutes += resolved.entry.minutes;
        }
        return absl::OkStatus();
      });
  if (!status.ok()) return status;
  return pending;
}

}  // namespace

int64_t& MinutesByKind::Of(EntryKind kind) {
  switch (kind) {
    case EntryKind::kExchange:
      return exchange_minutes;
    case EntryKind::kAward:
      return award_minutes;
    case EntryKind::kSpend:
      return spend_minutes;
    case EntryKind::kDonation:
      return donation_minutes;
    case EntryKind::kGrant:
      return grant_minutes;
    case EntryKind::kQualificationReward:
      return reward_minutes;
    case EntryKind::kReversal:
      break;
  }
  // A reversal is always counted under the kind of the entry it undoes.
  std::abort();
}

int64_t MinutesByKind::Total() const {
  return exchange_minutes + award_minutes + spend_minutes + donation_minutes + grant_minutes +
         reward_minutes;
}

absl::StatusOr<ActivityLabel> CatalogueLabel(StoreReader& view, absl::string_view bank_id,
                                             EntryKind kind, absl::string_view activity) {
  CatalogueKind catalogue_kind = CatalogueKind::kActivity;
  if (kind == EntryKind::kSpend) catalogue_kind = CatalogueKind::kOffer;
  if (kind == EntryKind::kQualificationReward) catalogue_kind = CatalogueKind::kQualification;
  // Free text (a space, say) is no code: it is reported as written, without a read.
  if (!ValidateId("activity", activity).ok()) return ActivityLabel{};
  auto item = view.GetCatalogueItem(bank_id, catalogue_kind, activity);
  if (!item.ok()) return item.status();
  if (!item->has_value()) return ActivityLabel{};
  return ActivityLabel{(*item)->title, (*item)->category};
}

const char* RatioBucketName(RatioBucket bucket) {
  switch (bucket) {
    case RatioBucket::kOnlyReceived:
      return "only_received";
    case RatioBucket::kReceivedMuchMore:
      return "received_much_more";
    case RatioBucket::kReceivedMore:
      return "received_more";
    case RatioBucket::kBalanced:
      return "balanced";
    case RatioBucket::kGaveMore:
      return "gave_more";
    case RatioBucket::kGaveMuchMore:
      return "gave_much_more";
    case RatioBucket::kOnlyGave:
      return "only_gave";
  }
  return "unknown";
}

RatioBucket RatioBucketOf(int64_t given_minutes, int64_t received_minutes) {
  const int64_t g = given_minutes;
  const int64_t r = received_minutes;
  if (g <= 0) return RatioBucket::kOnlyReceived;
  if (r <= 0) return RatioBucket::kOnlyGave;
  if (2 * g < r) return RatioBucket::kReceivedMuchMore;  // g / r < 0.5
  if (5 * g < 4 * r) return RatioBucket::kReceivedMore;  // g / r < 0.8
  if (4 * g <= 5 * r) return RatioBucket::kBalanced;     // g / r <= 1.25
  if (g <= 2 * r) return RatioBucket::kGaveMore;         // g / r <= 2
  return RatioBucket::kGaveMuchMore;
}

std::pair<absl::CivilDay, absl::CivilDay> PreviousPeriod(absl::CivilDay first_day,
                                                         absl::CivilDay last_day) {
  const bool whole_months = first_day.day() == 1 && (last_day + 1).day() == 1;
  if (whole_months) {
    const int64_t months = absl::CivilMonth(last_day) - absl::CivilMonth(first_day) + 1;
    return {absl::CivilDay(absl::CivilMonth(first_day) - months), first_day - 1};
  }
  const int64_t days = last_day - first_day + 1;
  return {first_day - days, first_day - 1};
}

absl::StatusOr<PeriodReport> BuildPeriodReport(StoreReader& view,
                                               const PeriodReportRequest& request,
                                               const ReportOptions& options) {
  if (auto s = ValidateId("bank_id", request.bank_id); !s.ok()) return s;
  if (auto s = ValidatePeriod(request.first_day, request.last_day); !s.ok()) return s;
  auto bank = FindBank(view, request.bank_id);
  if (!bank.ok()) return bank.status();
  auto zone = ZoneOf(*bank);
  if (!zone.ok()) return zone.status();
  PeriodReport report;
  report.bank = *std::move(bank);
  report.generated_at = options.now;

  ActivityLabelLookup label_of = options.label_of;
  if (!label_of) {
    label_of = [&view, bank_id = std::string(request.bank_id)](EntryKind kind,
                                                               absl::string_view activity) {
      return CatalogueLabel(view, bank_id, kind, activity);
    };
  }
  ReportContext context{
      view, request.bank_id, *zone, Policy{}, 0, {}, CategoryIndex(std::move(label_of))};
  auto head = view.GetChainHead(request.bank_id);
  if (!head.ok()) return head.status();
  report.through_seq = context.through_seq = head->next_seq - 1;
  auto policy = view.GetPolicy(request.bank_id);
  if (!policy.ok()) return policy.status();
  context.policy = *policy;
  if (auto s = context.accounts.Load(view, request.bank_id); !s.ok()) return s;

  const auto [previous_first, previous_last] = PreviousPeriod(request.first_day, request.last_day);
  PeriodTally previous(context, previous_first, previous_last);
  if (auto s = previous.Scan(); !s.ok()) return s;
  PeriodTally current(context, request.first_day, request.last_day);
  if (auto s = current.Scan(); !s.ok()) return s;

  const std::vector<bool> previous_active = previous.ActivePersons();
  auto current_figures = current.Finish(&previous_active);
  if (!current_figures.ok()) return current_figures.status();
  report.current = *std::move(current_figures);
  if (request.compare) {
    auto previous_figures = previous.Finish(nullptr);
    if (!previous_figures.ok()) return previous_figures.status();
    report.previous = *std::move(previous_figures);
  }
  auto open = view.ForEachOpenPending(request.bank_id, [&](const PendingEntry& pending) {
    ++report.open_pending_count;
    report.open_pending_minutes += pending.entry.minutes;
    return absl::OkStatus();
  });
  if (!open.ok()) return open;
  return report;
}

}  // namespace timeledger::ledger
