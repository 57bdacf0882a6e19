#include "services/report_convert.h"

#include <string>

#include "absl/strings/str_cat.h"

#include "ledger/core/errors.h"
#include "services/convert.h"

namespace timeledger::services {
namespace {

// The overloads of convert.h and report_convert.h, beside the ones below.
using ::timeledger::services::ToProto;

void ToProto(const ledger::MinutesByKind& minutes, v1::MinutesByKind* out) {
  out->set_exchange_minutes(minutes.exchange_minutes);
  out->set_award_minutes(minutes.award_minutes);
  out->set_spend_minutes(minutes.spend_minutes);
  out->set_donation_minutes(minutes.donation_minutes);
  out->set_grant_minutes(minutes.grant_minutes);
  out->set_qualification_reward_minutes(minutes.reward_minutes);
}

void ToProto(const ledger::QualificationFigures& figures, v1::QualificationFigures* out) {
  out->set_attained(figures.attained);
  out->set_renewed(figures.renewed);
  out->set_already_valid(figures.already_valid);
  out->set_persons(figures.persons);
}

void ToProto(const ledger::MemberFigures& members, v1::MemberFigures* out) {
  out->set_persons_at_period_end(members.persons_at_period_end);
  out->set_active_persons(members.active_persons);
  out->set_new_persons(members.new_persons);
  out->set_returning_persons(members.returning_persons);
  out->set_returning_counted(members.returning_counted);
  out->set_gave_persons(members.gave_persons);
  out->set_received_persons(members.received_persons);
  out->set_gave_and_received_persons(members.gave_and_received_persons);
  for (size_t i = 0; i < ledger::kRatioBucketCount; ++i) {
    v1::RatioBucket* bucket = out->add_ratio_buckets();
    bucket->set_bucket(ledger::RatioBucketName(static_cast<ledger::RatioBucket>(i)));
    bucket->set_persons(members.ratio_buckets[i]);
  }
}

void ToProto(const ledger::PeriodFigures& figures, v1::PeriodFigures* out) {
  ToProto(figures.first_day, out->mutable_first_day());
  ToProto(figures.last_day, out->mutable_last_day());
  out->set_entry_count(figures.entry_count);
  ToProto(figures.minutes, out->mutable_minutes());
  out->set_total_minutes(figures.minutes.Total());
  out->set_given_minutes(figures.minutes.Given());
  out->set_received_minutes(figures.minutes.Received());
  out->set_reversal_count(figures.reversal_count);
  out->set_reversed_minutes(figures.reversed_minutes);
  ToProto(figures.corrections, out->mutable_corrections());
  for (const ledger::CategoryFigures& category : figures.categories) {
    v1::CategoryFigures* row = out->add_categories();
    row->set_category(category.category);
    row->set_entry_count(category.entry_count);
    ToProto(category.minutes, row->mutable_minutes());
    row->set_total_minutes(category.minutes.Total());
    for (const std::string& title : category.titles) row->add_activity_titles(title);
  }
  for (const ledger::MonthFigures& month : figures.months) {
    v1::MonthFigures* row = out->add_months();
    row->set_year(static_cast<int32_t>(month.month.year()));
    row->set_month(month.month.month());
    row->set_entry_count(month.entry_count);
    ToProto(month.minutes, row->mutable_minutes());
    row->set_given_minutes(month.minutes.Given());
    row->set_received_minutes(month.minutes.Received());
    row->set_total_minutes(month.minutes.Total());
  }
  ToProto(figures.members, out->mutable_members());
  for (const ledger::OrganisationFigures& organisation : figures.organisations) {
    v1::OrganisationFigures* row = out->add_organisations();
    row->set_account_id(organisation.account_id);
    row->set_display_name(organisation.display_name);
    row->set_issued_minutes(organisation.issued_minutes);
    row->set_spent_at_minutes(organisation.spent_at_minutes);
  }
  v1::BalanceFigures* balances = out->mutable_balances();
  balances->set_persons_counted(figures.balances.persons_counted);
  balances->set_below_zero_persons(figures.balances.below_zero_persons);
  balances->set_near_floor_persons(figures.balances.near_floor_persons);
  balances->set_near_cap_persons(figures.balances.near_cap_persons);
  v1::PendingFigures* pending = out->mutable_pending();
  pending->set_expired_count(figures.pending.expired_count);
  pending->set_expired_minutes(figures.pending.expired_minutes);
  pending->set_rejected_count(figures.pending.rejected_count);
  pending->set_rejected_minutes(figures.pending.rejected_minutes);
  ToProto(figures.qualifications, out->mutable_qualifications());
}

}  // namespace

absl::StatusOr<absl::CivilDay> FromProto(const v1::Date& date, absl::string_view field) {
  const absl::CivilDay day(date.year(), date.month(), date.day());
  // CivilDay normalises 31 June to 1 July; a day that changes on the way is not a real day.
  if (date.year() < 1 || date.year() > 9999 || day.year() != date.year() ||
      day.month() != date.month() || day.day() != date.day()) {
    return ledger::Refuse(ledger::Reason::kInvalidDate,
                          absl::StrCat(field, " is not a day of the calendar: ", date.year(), "-",
                                       date.month(), "-", date.day()),
                          {{"field", std::string(field)}});
  }
  return day;
}

void ToProto(absl::CivilDay day, v1::Date* date) {
  date->set_year(static_cast<int32_t>(day.year()));
  date->set_month(day.month());
  date->set_day(day.day());
}

absl::StatusOr<ledger::PeriodReportRequest> FromProto(const v1::GetPeriodReportRequest& request) {
  ledger::PeriodReportRequest out;
  out.bank_id = ledger::BankId(request.bank_id());
  auto first = FromProto(request.first_day(), "first_day");
  if (!first.ok()) return first.status();
  auto last = FromProto(request.last_day(), "last_day");
  if (!last.ok()) return last.status();
  out.first_day = *first;
  out.last_day = *last;
  out.compare = request.compare_with_previous();
  return out;
}

absl::StatusOr<ledger::StatementRequest> FromProto(const v1::GetStatementRequest& request) {
  ledger::StatementRequest out;
  out.bank_id = ledger::BankId(request.bank_id());
  out.account_id = ledger::AccountId(request.account_id());
  auto first = FromProto(request.first_day(), "first_day");
  if (!first.ok()) return first.status();
  auto last = FromProto(request.last_day(), "last_day");
  if (!last.ok()) return last.status();
  out.first_day = *first;
  out.last_day = *last;
  return out;
}

void ToProto(const ledger::PeriodReport& report, v1::PeriodReport* out) {
  out->set_bank_id(report.bank.bank_id);
  out->set_bank_name(report.bank.name);
  out->set_time_zone(report.bank.time_zone);
  ToProto(report.generated_at, out->mutable_generated_at());
  out->set_through_seq(report.through_seq);
  ToProto(report.current, out->mutable_current());
  if (report.previous.has_value()) ToProto(*report.previous, out->mutable_previous());
  out->set_open_pending_count(report.open_pending_count);
  out->set_open_pending_minutes(report.open_pending_minutes);
  out->set_qualifications_recorded(report.qualifications_recorded);
}

void ToProto(const ledger::Statement& statement, v1::Statement* out) {
  out->set_bank_id(statement.bank.bank_id);
  out->set_bank_name(statement.bank.name);
  out->set_time_zone(statement.bank.time_zone);
  ToProto(statement.account, out->mutable_account());
  ToProto(statement.first_day, out->mutable_first_day());
  ToProto(statement.last_day, out->mutable_last_day());
  ToProto(statement.generated_at, out->mutable_generated_at());
  out->set_through_seq(statement.through_seq);
  out->set_opening_balance_minutes(statement.opening_balance_minutes);
  out->set_closing_balance_minutes(statement.closing_balance_minutes);
  out->set_earned_minutes(statement.earned_minutes);
  out->set_paid_minutes(statement.paid_minutes);
  out->set_given_minutes(statement.given_minutes);
  out->set_received_minutes(statement.received_minutes);
  for (const ledger::StatementLine& line : statement.lines) {
    v1::StatementLine* row = out->add_lines();
    ToProto(line.entry, row->mutable_entry());
    row->set_signed_minutes(line.signed_minutes);
    row->set_balance_after_minutes(line.balance_after_minutes);
    row->set_other_account_id(line.other_account_id);
  }
}

}  // namespace timeledger::services
