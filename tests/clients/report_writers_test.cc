// The CSV and HTML writers of the CLI: CSV files parsed back (RFC 4180) and compared with the
// report they came from; the HTML page checked for its charts, its escaping and its lack of any
// external asset. The page's rendering in Chromium is checked by report_e2e_test.sh.
#include <map>
#include <string>
#include <vector>

#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include <gtest/gtest.h>

#include "clients/cli/report_csv.h"
#include "clients/cli/report_html.h"
#include "clients/cli/report_words.h"

namespace timeledger::cli {
namespace {

namespace v1 = ::timeledger::v1;

using Records = std::vector<std::vector<std::string>>;

// An RFC 4180 reader, written apart from the writer: quoted fields with doubled quotes, commas
// and line breaks inside quotes, CRLF between records. Fails the test on anything else.
Records ParseCsv(const std::string& text) {
  Records records;
  std::vector<std::string> record;
  std::string field;
  bool quoted = false;
  for (size_t i = 0; i < text.size(); ++i) {
    const char c = text[i];
    if (quoted) {
      if (c == '"' && i + 1 < text.size() && text[i + 1] == '"') {
        field += '"';
        ++i;
      } else if (c == '"') {
        quoted = false;
      } else {
        field += c;
      }
    } else if (c == '"') {
      EXPECT_TRUE(field.empty()) << "a quote inside an unquoted field";
      quoted = true;
    } else if (c == ',') {
      record.push_back(std::move(field));
      field.clear();
    } else if (c == '\r') {
      EXPECT_TRUE(i + 1 < text.size() && text[i + 1] == '\n') << "CR without LF";
      record.push_back(std::move(field));
      field.clear();
      records.push_back(std::move(record));
      record.clear();
      ++i;
    } else {
      EXPECT_NE(c, '\n') << "a bare LF ends a record";
      field += c;
    }
  }
  EXPECT_FALSE(quoted) << "an unterminated quote";
  EXPECT_TRUE(field.empty() && record.empty()) << "the last record has no CRLF";
  return records;
}

// The file's rows as maps from column name to value, after checking the BOM and the header.
std::vector<std::map<std::string, std::string>> Table(const std::vector<CsvFile>& files,
                                                      const std::string& name,
                                                      const std::vector<std::string>& header) {
  for (const CsvFile& file : files) {
    if (file.name != name) continue;
    EXPECT_TRUE(absl::StartsWith(file.content, kCsvByteOrderMark)) << name;
    const Records records = ParseCsv(file.content.substr(3));
    EXPECT_FALSE(records.empty());
    if (records.empty()) return {};
    EXPECT_EQ(records[0], header) << name;
    std::vector<std::map<std::string, std::string>> rows;
    for (size_t r = 1; r < records.size(); ++r) {
      EXPECT_EQ(records[r].size(), header.size()) << name << " row " << r;
      std::map<std::string, std::string> row;
      for (size_t c = 0; c < header.size() && c < records[r].size(); ++c) {
        row[header[c]] = records[r][c];
      }
      rows.push_back(std::move(row));
    }
    return rows;
  }
  ADD_FAILURE() << "no file " << name;
  return {};
}

int64_t Int(const std::string& text) {
  int64_t value = 0;
  EXPECT_TRUE(absl::SimpleAtoi(text, &value)) << text;
  return value;
}

v1::Date Day(int year, int month, int day) {
  v1::Date date;
  date.set_year(year);
  date.set_month(month);
  date.set_day(day);
  return date;
}

void FillFigures(v1::PeriodFigures* f, int month, int64_t scale) {
  *f->mutable_first_day() = Day(2026, month, 1);
  *f->mutable_last_day() = Day(2026, month + 2, 30);
  f->set_entry_count(9 * scale);
  f->mutable_minutes()->set_exchange_minutes(255 * scale);
  f->mutable_minutes()->set_award_minutes(180 * scale);
  f->mutable_minutes()->set_spend_minutes(60 * scale);
  f->mutable_minutes()->set_donation_minutes(30 * scale);
  f->mutable_minutes()->set_grant_minutes(15 * scale);
  f->set_total_minutes(540 * scale);
  f->set_given_minutes(435 * scale);
  f->set_received_minutes(315 * scale);
  f->mutable_corrections()->set_exchange_minutes(45);
  f->mutable_qualifications()->set_attained(3 * scale);
  f->mutable_qualifications()->set_renewed(scale);
  f->mutable_qualifications()->set_persons(3 * scale);
  const std::pair<const char*, int64_t> categories[] = {{"cooking lunch", 180},
                                                        {"gardening, weeding", 150},
                                                        {"the \"big\" clean", 60},
                                                        {"café\nlunch", 60},
                                                        {"=1+2", 45},
                                                        {"uncategorised", 45}};
  for (const auto& [name, minutes] : categories) {
    v1::CategoryFigures* c = f->add_categories();
    c->set_category(name);
    c->set_entry_count(1);
    c->mutable_minutes()->set_exchange_minutes(minutes * scale);
    c->set_total_minutes(minutes * scale);
    // A catalogue category names the titles of its activities.
    if (std::string(name) == "gardening, weeding") {
      for (const char* title : {"Help in the garden", "Weeding"}) c->add_activity_titles(title);
    }
  }
  const int64_t given[] = {180, 180, 75}, received[] = {180, 60, 75};
  for (int i = 0; i < 3; ++i) {
    v1::MonthFigures* m = f->add_months();
    m->set_year(2026);
    m->set_month(month + i);
    m->set_entry_count(3);
    m->set_given_minutes(given[i] * scale);
    m->set_received_minutes(received[i] * scale);
    m->set_total_minutes((given[i] + 15) * scale);
  }
  v1::MemberFigures* m = f->mutable_members();
  m->set_persons_at_period_end(6);
  m->set_active_persons(5);
  m->set_new_persons(1);
  m->set_returning_persons(4);
  m->set_returning_counted(scale == 1);
  m->set_gave_persons(4);
  m->set_received_persons(5);
  m->set_gave_and_received_persons(4);
  const char* buckets[] = {"only_received", "received_much_more", "received_more", "balanced",
                           "gave_more",     "gave_much_more",     "only_gave"};
  const int64_t persons[] = {1, 0, 2, 0, 1, 1, 0};
  for (int i = 0; i < 7; ++i) {
    v1::RatioBucket* b = m->add_ratio_buckets();
    b->set_bucket(buckets[i]);
    b->set_persons(persons[i]);
  }
  v1::OrganisationFigures* o = f->add_organisations();
  o->set_account_id("centre");
  o->set_display_name("Holy Cross Centre, King's Cross");
  o->set_issued_minutes(180 * scale);
  f->mutable_balances()->set_persons_counted(6);
  f->mutable_balances()->set_below_zero_persons(3);
  f->mutable_balances()->set_near_floor_persons(1);
  f->mutable_balances()->set_near_cap_persons(1);
  f->mutable_pending()->set_expired_count(1);
  f->mutable_pending()->set_expired_minutes(30);
}

v1::PeriodReport SampleReport(bool compare) {
  v1::PeriodReport report;
  report.set_bank_id("hcct");
  report.set_bank_name("Holy Cross <Centre> & Café");
  report.set_time_zone("Europe/London");
  report.mutable_generated_at()->set_seconds(1'791'000'000);
  report.set_through_seq(18);
  report.set_qualifications_recorded(true);
  FillFigures(report.mutable_current(), 7, 1);
  if (compare) FillFigures(report.mutable_previous(), 4, 2);
  report.set_open_pending_count(1);
  report.set_open_pending_minutes(15);
  return report;
}

TEST(ReportCsvTest, WritesOneFilePerTableWithStableColumns) {
  const std::vector<CsvFile> files = ReportCsvFiles(SampleReport(false));
  std::vector<std::string> names;
  for (const CsvFile& file : files) names.push_back(file.name);
  EXPECT_EQ(names,
            (std::vector<std::string>{"about.csv", "summary.csv", "by_kind.csv", "by_category.csv",
                                      "by_month.csv", "members.csv", "give_and_take.csv",
                                      "organisations.csv", "balances.csv", "pending.csv"}));
}

TEST(ReportCsvTest, ParsesBackToTheReportsFigures) {
  const v1::PeriodReport report = SampleReport(/*compare=*/true);
  const std::vector<CsvFile> files = ReportCsvFiles(report);

  auto about =
      Table(files, "about.csv",
            {"bank_id", "bank_name", "time_zone", "first_day", "last_day",
             "compared_with_first_day", "compared_with_last_day", "generated_at", "through_seq",
             "open_pending", "open_pending_minutes", "open_pending_hours", "qualifications"});
  ASSERT_EQ(about.size(), 1u);
  EXPECT_EQ(about[0]["bank_name"], "Holy Cross <Centre> & Café");
  EXPECT_EQ(about[0]["first_day"], "2026-07-01");
  EXPECT_EQ(about[0]["compared_with_first_day"], "2026-04-01");
  EXPECT_EQ(about[0]["generated_at"], "2026-10-03T04:00:00Z");
  EXPECT_EQ(about[0]["qualifications"], "recorded");
  EXPECT_EQ(about[0]["open_pending_hours"], "0:15");

  auto summary = Table(files, "summary.csv",
                       {"period", "first_day", "last_day", "entries", "total_minutes",
                        "total_hours", "given_minutes", "given_hours", "received_minutes",
                        "received_hours", "reversals", "reversed_minutes", "corrections_minutes",
                        "qualifications_attained", "qualifications_renewed", "qualified_persons"});
  ASSERT_EQ(summary.size(), 2u);
  EXPECT_EQ(summary[0]["period"], "2026-07-01/2026-09-30");
  EXPECT_EQ(Int(summary[0]["total_minutes"]), report.current().total_minutes());
  EXPECT_EQ(summary[0]["total_hours"], "9:00");
  EXPECT_EQ(summary[0]["given_hours"], "7:15");
  EXPECT_EQ(Int(summary[1]["total_minutes"]), report.previous().total_minutes());
  EXPECT_EQ(Int(summary[0]["corrections_minutes"]), 45);
  EXPECT_EQ(Int(summary[0]["qualifications_attained"]), 3);
  EXPECT_EQ(Int(summary[1]["qualifications_renewed"]), 2);

  auto kinds = Table(files, "by_kind.csv",
                     {"period", "kind", "description", "minutes", "hours", "corrections_minutes"});
  ASSERT_EQ(kinds.size(), 12u);
  int64_t total = 0;
  for (size_t i = 0; i < 6; ++i) total += Int(kinds[i]["minutes"]);
  EXPECT_EQ(total, report.current().total_minutes());
  EXPECT_EQ(kinds[0]["kind"], "exchange");
  EXPECT_EQ(Int(kinds[0]["corrections_minutes"]), 45);

  auto categories =
      Table(files, "by_category.csv",
            {"period", "category", "entries", "exchange_minutes", "award_minutes", "spend_minutes",
             "donation_minutes", "grant_minutes", "qualification_reward_minutes", "total_minutes",
             "total_hours", "activities"});
  ASSERT_EQ(categories.size(), 12u);
  for (int i = 0; i < report.current().categories_size(); ++i) {
    const std::string& name = report.current().categories(i).category();
    // A cell a spreadsheet would run as a formula is kept as text.
    EXPECT_EQ(categories[i]["category"], name == "=1+2" ? "'=1+2" : name);
    EXPECT_EQ(Int(categories[i]["total_minutes"]), report.current().categories(i).total_minutes());
    EXPECT_EQ(categories[i]["activities"],
              name == "gardening, weeding" ? "Help in the garden; Weeding" : "");
  }

  auto months = Table(files, "by_month.csv",
                      {"period", "month", "entries", "given_minutes", "given_hours",
                       "received_minutes", "received_hours", "total_minutes", "total_hours"});
  ASSERT_EQ(months.size(), 6u);
  EXPECT_EQ(months[0]["month"], "2026-07");
  EXPECT_EQ(months[2]["given_hours"], "1:15");
  EXPECT_EQ(months[3]["period"], "2026-04-01/2026-06-30");

  auto members = Table(files, "members.csv",
                       {"period", "persons_at_period_end", "active", "new", "returning", "gave",
                        "received", "gave_and_received", "gave_and_received_percent"});
  ASSERT_EQ(members.size(), 2u);
  EXPECT_EQ(members[0]["active"], "5");
  EXPECT_EQ(members[0]["returning"], "4");
  EXPECT_EQ(members[1]["returning"], "");  // not counted for the comparison period
  EXPECT_EQ(members[0]["gave_and_received_percent"], "80");

  auto buckets = Table(files, "give_and_take.csv", {"period", "bucket", "description", "persons"});
  ASSERT_EQ(buckets.size(), 14u);
  EXPECT_EQ(buckets[2]["bucket"], "received_more");
  EXPECT_EQ(buckets[2]["persons"], "2");

  auto organisations = Table(files, "organisations.csv",
                             {"period", "account_id", "name", "issued_minutes", "issued_hours",
                              "spent_at_minutes", "spent_at_hours"});
  ASSERT_EQ(organisations.size(), 2u);
  EXPECT_EQ(organisations[0]["name"], "Holy Cross Centre, King's Cross");
  EXPECT_EQ(organisations[0]["issued_hours"], "3:00");

  auto balances = Table(files, "balances.csv",
                        {"period", "persons_counted", "below_zero", "near_floor", "near_cap"});
  ASSERT_EQ(balances.size(), 2u);
  EXPECT_EQ(balances[0]["below_zero"], "3");
  auto pending = Table(files, "pending.csv",
                       {"period", "expired", "expired_minutes", "rejected", "rejected_minutes"});
  ASSERT_EQ(pending.size(), 2u);
  EXPECT_EQ(pending[0]["expired_minutes"], "30");
}

TEST(ReportCsvTest, QuotesFieldsAsRfc4180Says) {
  EXPECT_EQ(CsvField("plain"), "plain");
  EXPECT_EQ(CsvField("a,b"), "\"a,b\"");
  EXPECT_EQ(CsvField("say \"hi\""), "\"say \"\"hi\"\"\"");
  EXPECT_EQ(CsvField("two\r\nlines"), "\"two\r\nlines\"");
  EXPECT_EQ(CsvText("-2"), "'-2");
  EXPECT_EQ(CsvText("@sum"), "'@sum");
  EXPECT_EQ(CsvRecord({"a", "b"}), "a,b\r\n");
}

TEST(ReportCsvTest, WritesAStatementRowPerEntry) {
  v1::Statement statement;
  statement.set_time_zone("Europe/London");
  statement.set_opening_balance_minutes(60);
  const int64_t amounts[] = {90, -60, -30};
  int64_t balance = 60;
  for (int i = 0; i < 3; ++i) {
    v1::StatementLine* line = statement.add_lines();
    line->mutable_entry()->set_seq(10 + i);
    line->mutable_entry()->mutable_recorded_at()->set_seconds(1'783'000'000 + i * 86400);
    line->mutable_entry()->mutable_occurred_at()->set_seconds(1'783'000'000 + i * 86400);
    line->mutable_entry()->set_kind(v1::EXCHANGE);
    line->mutable_entry()->set_activity("gardening, and \"more\"");
    line->set_other_account_id("bob");
    line->set_signed_minutes(amounts[i]);
    balance += amounts[i];
    line->set_balance_after_minutes(balance);
  }
  const std::string csv = StatementCsv(statement, StatementWords("en"));
  ASSERT_TRUE(absl::StartsWith(csv, kCsvByteOrderMark));
  const Records records = ParseCsv(csv.substr(3));
  ASSERT_EQ(records.size(), 4u);
  EXPECT_EQ(records[0][0], "seq");
  EXPECT_EQ(records[1][6], "gardening, and \"more\"");
  EXPECT_EQ(records[1][8], "90");
  EXPECT_EQ(records[1][9], "1:30");
  EXPECT_EQ(records[1][10], "60");  // balance before: the opening balance
  EXPECT_EQ(records[3][11], "60");
  EXPECT_EQ(records[2][9], "-1:00");
}

TEST(ReportHtmlTest, HasTheChartsTheHeadlinesAndNoExternalAsset) {
  const std::string html = ReportHtml(SampleReport(true));
  EXPECT_TRUE(absl::StartsWith(html, "<!DOCTYPE html>"));
  for (const char* id : {kMonthlyChartId, kCategoryChartId, kGiveAndTakeChartId}) {
    EXPECT_TRUE(absl::StrContains(html, std::string("<svg id=\"") + id + "\"")) << id;
  }
  EXPECT_TRUE(absl::StrContains(html,
                                "Members gave each other 4 hours 15 minutes of their time "
                                "this quarter. That is 50% less than the previous quarter "
                                "(8 hours 30 minutes)."));
  EXPECT_TRUE(absl::StrContains(html, "@media print"));
  EXPECT_TRUE(absl::StrContains(html, "size: A4"));
  EXPECT_TRUE(absl::StrContains(html, "<section id=\"qualifications\">"));
  EXPECT_TRUE(absl::StrContains(html, "gardening, weeding (Help in the garden, Weeding)"));
  EXPECT_TRUE(absl::StrContains(html, "3 people attained 3 qualifications and renewed 1"));
  // Names are escaped; nothing is loaded from anywhere.
  EXPECT_TRUE(absl::StrContains(html, "Holy Cross &lt;Centre&gt; &amp; Café"));
  EXPECT_FALSE(absl::StrContains(html, "<Centre>"));
  for (const char* external : {"src=", "href=", "@import", "url(", "<script", "<link"}) {
    EXPECT_FALSE(absl::StrContains(html, external)) << external;
  }
}

TEST(ReportWordsTest, SaysHoursAndPeriodsInPlainWords) {
  EXPECT_EQ(HoursText(0), "0 hours");
  EXPECT_EQ(HoursText(60), "1 hour");
  EXPECT_EQ(HoursText(61), "1 hour 1 minute");
  EXPECT_EQ(HoursText(24750), "412 hours 30 minutes");
  EXPECT_EQ(HoursText(-45), "-45 minutes");
  EXPECT_EQ(HoursCell(24750), "412:30");
  EXPECT_EQ(HoursCell(-5), "-0:05");
  EXPECT_EQ(PeriodNoun(Day(2026, 7, 1), Day(2026, 9, 30)), "quarter");
  EXPECT_EQ(PeriodNoun(Day(2026, 8, 1), Day(2026, 10, 31)), "period");
  EXPECT_EQ(PeriodNoun(Day(2026, 2, 1), Day(2026, 2, 28)), "month");
  EXPECT_EQ(PeriodNoun(Day(2026, 1, 1), Day(2026, 12, 31)), "year");
  EXPECT_EQ(PeriodNoun(Day(2026, 7, 2), Day(2026, 9, 30)), "period");
  EXPECT_EQ(PeriodText(Day(2026, 7, 1), Day(2026, 9, 30)), "1 Jul 2026 to 30 Sep 2026");
  EXPECT_EQ(PercentText(4, 5), "80%");
  EXPECT_EQ(PercentText(1, 3), "33%");
  EXPECT_EQ(PercentText(1, 0), "0%");
  v1::CategoryFigures category;
  category.set_category("Care and company");
  EXPECT_EQ(CategoryText(category), "Care and company");
  category.add_activity_titles("A friendly phone call");
  category.add_activity_titles("Dog walking");
  EXPECT_EQ(CategoryText(category), "Care and company (A friendly phone call, Dog walking)");
}

TEST(ReportWordsTest, HeadlinesSayTheFiguresForABoardMeeting) {
  const std::vector<std::string> lines = Headlines(SampleReport(false));
  ASSERT_GE(lines.size(), 5u);
  EXPECT_EQ(lines[0], "Members gave each other 4 hours 15 minutes of their time this quarter.");
  EXPECT_EQ(lines[1],
            "Organisations awarded 3 hours for time given to them, and members spent 1 hour on "
            "what organisations offer.");
  EXPECT_EQ(lines[2],
            "5 people took part, giving or receiving time at least once; 4 of them also took part "
            "the quarter before.");
  EXPECT_EQ(lines[3], "4 people both gave and received time: 80% of those who took part.");
  EXPECT_EQ(lines.back(), "3 people attained 3 qualifications and renewed 1 this quarter.");

  // Nothing renewed, or nothing attained: the sentence leaves out the part with nothing in it.
  v1::PeriodReport report = SampleReport(false);
  report.mutable_current()->mutable_qualifications()->set_renewed(0);
  EXPECT_EQ(Headlines(report).back(), "3 people attained 3 qualifications this quarter.");
  report.mutable_current()->mutable_qualifications()->set_attained(0);
  report.mutable_current()->mutable_qualifications()->set_persons(0);
  report.mutable_current()->mutable_qualifications()->set_renewed(2);
  EXPECT_EQ(Headlines(report).back(), "2 qualifications were renewed this quarter.");
}

}  // namespace
}  // namespace timeledger::cli
