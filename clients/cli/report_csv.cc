#include "clients/cli/report_csv.h"

#include <cstdint>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/time/time.h"

#include "clients/cli/report_words.h"

namespace timeledger::cli {
namespace {

namespace v1 = ::timeledger::v1;

std::string N(int64_t value) { return absl::StrCat(value); }

std::string PeriodLabel(const v1::PeriodFigures& figures) {
  return absl::StrCat(IsoDay(figures.first_day()), "/", IsoDay(figures.last_day()));
}

std::string TimestampText(const google::protobuf::Timestamp& timestamp) {
  const absl::Time time =
      absl::FromUnixSeconds(timestamp.seconds()) + absl::Nanoseconds(timestamp.nanos());
  return absl::FormatTime("%Y-%m-%dT%H:%M:%SZ", time, absl::UTCTimeZone());
}

int64_t TotalOf(const v1::MinutesByKind& m) {
  return m.exchange_minutes() + m.award_minutes() + m.spend_minutes() + m.donation_minutes() +
         m.grant_minutes() + m.qualification_reward_minutes();
}

// The periods of the report: the current one, then the previous one if compared.
std::vector<const v1::PeriodFigures*> Periods(const v1::PeriodReport& report) {
  std::vector<const v1::PeriodFigures*> periods = {&report.current()};
  if (report.has_previous()) periods.push_back(&report.previous());
  return periods;
}

// A file: the BOM, the header, then one record per row.
class CsvWriter {
 public:
  CsvWriter(std::string name, const std::vector<std::string>& header) : name_(std::move(name)) {
    content_ = absl::StrCat(kCsvByteOrderMark, CsvRecord(header));
  }
  void Add(const std::vector<std::string>& fields) { content_ += CsvRecord(fields); }
  CsvFile Done() && { return CsvFile{std::move(name_), std::move(content_)}; }

 private:
  std::string name_;
  std::string content_;
};

CsvFile About(const v1::PeriodReport& report) {
  CsvWriter csv("about.csv",
                {"bank_id", "bank_name", "time_zone", "first_day", "last_day",
                 "compared_with_first_day", "compared_with_last_day", "generated_at", "through_seq",
                 "open_pending", "open_pending_minutes", "open_pending_hours", "qualifications"});
  const bool compare = report.has_previous();
  csv.Add({CsvText(report.bank_id()), CsvText(report.bank_name()), CsvText(report.time_zone()),
           IsoDay(report.current().first_day()), IsoDay(report.current().last_day()),
           compare ? IsoDay(report.previous().first_day()) : "",
           compare ? IsoDay(report.previous().last_day()) : "",
           TimestampText(report.generated_at()), N(static_cast<int64_t>(report.through_seq())),
           N(report.open_pending_count()), N(report.open_pending_minutes()),
           HoursCell(report.open_pending_minutes()),
           report.qualifications_recorded() ? "recorded" : "not recorded yet"});
  return std::move(csv).Done();
}

CsvFile Summary(const v1::PeriodReport& report) {
  CsvWriter csv("summary.csv",
                {"period", "first_day", "last_day", "entries", "total_minutes", "total_hours",
                 "given_minutes", "given_hours", "received_minutes", "received_hours", "reversals",
                 "reversed_minutes", "corrections_minutes", "qualifications_attained",
                 "qualifications_renewed", "qualified_persons"});
  for (const v1::PeriodFigures* p : Periods(report)) {
    const v1::QualificationFigures& q = p->qualifications();
    csv.Add({PeriodLabel(*p), IsoDay(p->first_day()), IsoDay(p->last_day()), N(p->entry_count()),
             N(p->total_minutes()), HoursCell(p->total_minutes()), N(p->given_minutes()),
             HoursCell(p->given_minutes()), N(p->received_minutes()),
             HoursCell(p->received_minutes()), N(p->reversal_count()), N(p->reversed_minutes()),
             N(TotalOf(p->corrections())), N(q.attained()), N(q.renewed()), N(q.persons())});
  }
  return std::move(csv).Done();
}

CsvFile ByKind(const v1::PeriodReport& report) {
  CsvWriter csv("by_kind.csv",
                {"period", "kind", "description", "minutes", "hours", "corrections_minutes"});
  for (const v1::PeriodFigures* p : Periods(report)) {
    const std::vector<KindMinutes> kinds = KindsOf(p->minutes());
    const std::vector<KindMinutes> corrections = KindsOf(p->corrections());
    for (size_t i = 0; i < kinds.size(); ++i) {
      csv.Add({PeriodLabel(*p), kinds[i].kind, kinds[i].description, N(kinds[i].minutes),
               HoursCell(kinds[i].minutes), N(corrections[i].minutes)});
    }
  }
  return std::move(csv).Done();
}

CsvFile ByCategory(const v1::PeriodReport& report) {
  CsvWriter csv("by_category.csv",
                {"period", "category", "entries", "exchange_minutes", "award_minutes",
                 "spend_minutes", "donation_minutes", "grant_minutes",
                 "qualification_reward_minutes", "total_minutes", "total_hours", "activities"});
  for (const v1::PeriodFigures* p : Periods(report)) {
    for (const v1::CategoryFigures& c : p->categories()) {
      const v1::MinutesByKind& m = c.minutes();
      csv.Add({PeriodLabel(*p), CsvText(c.category()), N(c.entry_count()), N(m.exchange_minutes()),
               N(m.award_minutes()), N(m.spend_minutes()), N(m.donation_minutes()),
               N(m.grant_minutes()), N(m.qualification_reward_minutes()), N(c.total_minutes()),
               HoursCell(c.total_minutes()), CsvText(absl::StrJoin(c.activity_titles(), "; "))});
    }
  }
  return std::move(csv).Done();
}

CsvFile ByMonth(const v1::PeriodReport& report) {
  CsvWriter csv("by_month.csv",
                {"period", "month", "entries", "given_minutes", "given_hours", "received_minutes",
                 "received_hours", "total_minutes", "total_hours"});
  for (const v1::PeriodFigures* p : Periods(report)) {
    for (const v1::MonthFigures& m : p->months()) {
      csv.Add({PeriodLabel(*p), absl::StrCat(m.year(), "-", m.month() < 10 ? "0" : "", m.month()),
               N(m.entry_count()), N(m.given_minutes()), HoursCell(m.given_minutes()),
               N(m.received_minutes()), HoursCell(m.received_minutes()), N(m.total_minutes()),
               HoursCell(m.total_minutes())});
    }
  }
  return std::move(csv).Done();
}

CsvFile Members(const v1::PeriodReport& report) {
  CsvWriter csv("members.csv",
                {"period", "persons_at_period_end", "active", "new", "returning", "gave",
                 "received", "gave_and_received", "gave_and_received_percent"});
  for (const v1::PeriodFigures* p : Periods(report)) {
    const v1::MemberFigures& m = p->members();
    std::string percent = PercentText(m.gave_and_received_persons(), m.active_persons());
    percent.pop_back();  // the number alone, for the spreadsheet
    csv.Add({PeriodLabel(*p), N(m.persons_at_period_end()), N(m.active_persons()),
             N(m.new_persons()), m.returning_counted() ? N(m.returning_persons()) : "",
             N(m.gave_persons()), N(m.received_persons()), N(m.gave_and_received_persons()),
             percent});
  }
  return std::move(csv).Done();
}

CsvFile GiveAndTake(const v1::PeriodReport& report) {
  CsvWriter csv("give_and_take.csv", {"period", "bucket", "description", "persons"});
  for (const v1::PeriodFigures* p : Periods(report)) {
    for (const v1::RatioBucket& b : p->members().ratio_buckets()) {
      csv.Add({PeriodLabel(*p), b.bucket(), RatioBucketText(b.bucket()), N(b.persons())});
    }
  }
  return std::move(csv).Done();
}

CsvFile Organisations(const v1::PeriodReport& report) {
  CsvWriter csv("organisations.csv", {"period", "account_id", "name", "issued_minutes",
                                      "issued_hours", "spent_at_minutes", "spent_at_hours"});
  for (const v1::PeriodFigures* p : Periods(report)) {
    for (const v1::OrganisationFigures& o : p->organisations()) {
      csv.Add({PeriodLabel(*p), CsvText(o.account_id()), CsvText(o.display_name()),
               N(o.issued_minutes()), HoursCell(o.issued_minutes()), N(o.spent_at_minutes()),
               HoursCell(o.spent_at_minutes())});
    }
  }
  return std::move(csv).Done();
}

CsvFile Balances(const v1::PeriodReport& report) {
  CsvWriter csv("balances.csv",
                {"period", "persons_counted", "below_zero", "near_floor", "near_cap"});
  for (const v1::PeriodFigures* p : Periods(report)) {
    const v1::BalanceFigures& b = p->balances();
    csv.Add({PeriodLabel(*p), N(b.persons_counted()), N(b.below_zero_persons()),
             N(b.near_floor_persons()), N(b.near_cap_persons())});
  }
  return std::move(csv).Done();
}

CsvFile Pending(const v1::PeriodReport& report) {
  CsvWriter csv("pending.csv",
                {"period", "expired", "expired_minutes", "rejected", "rejected_minutes"});
  for (const v1::PeriodFigures* p : Periods(report)) {
    const v1::PendingFigures& f = p->pending();
    csv.Add({PeriodLabel(*p), N(f.expired_count()), N(f.expired_minutes()), N(f.rejected_count()),
             N(f.rejected_minutes())});
  }
  return std::move(csv).Done();
}

std::string KindWord(v1::EntryKind kind) {
  switch (kind) {
    case v1::EXCHANGE:
      return "exchange";
    case v1::AWARD:
      return "award";
    case v1::SPEND:
      return "spend";
    case v1::DONATION:
      return "donation";
    case v1::GRANT:
      return "grant";
    case v1::REVERSAL:
      return "reversal";
    case v1::QUALIFICATION_REWARD:
      return "qualification_reward";
    default:
      return "entry";
  }
}

}  // namespace

std::string CsvField(absl::string_view text) {
  if (text.find_first_of(",\"\r\n") == absl::string_view::npos) return std::string(text);
  std::string quoted = "\"";
  for (char c : text) {
    if (c == '"') quoted += '"';
    quoted += c;
  }
  quoted += '"';
  return quoted;
}

std::string CsvText(absl::string_view text) {
  if (!text.empty() &&
      absl::string_view("=+-@\t\r").find(text.front()) != absl::string_view::npos) {
    return CsvField(absl::StrCat("'", text));
  }
  return CsvField(text);
}

std::string CsvRecord(const std::vector<std::string>& fields) {
  return absl::StrCat(absl::StrJoin(fields, ","), "\r\n");
}

std::vector<CsvFile> ReportCsvFiles(const v1::PeriodReport& report) {
  std::vector<CsvFile> files;
  files.push_back(About(report));
  files.push_back(Summary(report));
  files.push_back(ByKind(report));
  files.push_back(ByCategory(report));
  files.push_back(ByMonth(report));
  files.push_back(Members(report));
  files.push_back(GiveAndTake(report));
  files.push_back(Organisations(report));
  files.push_back(Balances(report));
  files.push_back(Pending(report));
  return files;
}

std::string StatementCsv(const v1::Statement& statement, const StatementWords& words) {
  absl::TimeZone zone = absl::UTCTimeZone();
  absl::LoadTimeZone(statement.time_zone(), &zone);
  auto day = [&zone](const google::protobuf::Timestamp& timestamp) {
    return absl::FormatTime("%Y-%m-%d", absl::FromUnixSeconds(timestamp.seconds()), zone);
  };
  CsvWriter csv("statement.csv",
                {"seq", "recorded_on", "occurred_on", "kind", "reverses_seq", "with_account_id",
                 "activity", "note", "amount_minutes", "amount_hours", "balance_before_minutes",
                 "balance_after_minutes", "balance_after_hours", "kind_text", "activity_title"});
  for (const v1::StatementLine& line : statement.lines()) {
    const v1::Entry& entry = line.entry();
    csv.Add({N(static_cast<int64_t>(entry.seq())), day(entry.recorded_at()),
             day(entry.occurred_at()), KindWord(entry.kind()),
             entry.reverses_seq() == 0 ? "" : N(static_cast<int64_t>(entry.reverses_seq())),
             CsvText(line.other_account_id()), CsvText(entry.activity()), CsvText(entry.note()),
             N(line.signed_minutes()), HoursCell(line.signed_minutes()),
             N(line.balance_after_minutes() - line.signed_minutes()),
             N(line.balance_after_minutes()), HoursCell(line.balance_after_minutes()),
             CsvText(words.KindCell(entry, /*mark_reversed=*/false)),
             CsvText(words.Activity(entry))});
  }
  return std::move(csv).Done().content;
}

}  // namespace timeledger::cli
