#include "clients/cli/report_html.h"

#include <algorithm>
#include <cstdint>
#include <cstdlib>
#include <utility>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/time/time.h"

#include "clients/cli/report_words.h"

namespace timeledger::cli {
namespace {

namespace v1 = ::timeledger::v1;

constexpr char kGivenColour[] = "#1f5f99";     // blue
constexpr char kReceivedColour[] = "#c8641e";  // orange: told apart from blue by most eyes
constexpr char kCategoryColour[] = "#2f7d6d";  // teal
constexpr char kGridColour[] = "#d5d9de";
constexpr char kInkColour[] = "#1d2329";

constexpr char kStyle[] = R"css(
:root { color: #1d2329; background: #ffffff; }
* { box-sizing: border-box; }
body { font-family: "DejaVu Sans", "Segoe UI", Arial, sans-serif; font-size: 17px;
       line-height: 1.45; margin: 0 auto; padding: 24px 32px; max-width: 1100px; }
header { border-bottom: 4px solid #1f5f99; margin-bottom: 18px; padding-bottom: 8px; }
h1 { font-size: 30px; margin: 0 0 4px 0; }
h2 { font-size: 22px; margin: 26px 0 8px 0; color: #1f5f99; }
p.period { font-size: 19px; margin: 0; }
ul.headlines { font-size: 19px; padding-left: 22px; }
ul.headlines li { margin-bottom: 6px; }
section { margin-bottom: 10px; }
svg { display: block; width: 100%; max-width: 760px; height: auto; margin: 6px 0 10px 0; }
svg text { font-family: "DejaVu Sans", Arial, sans-serif; fill: #1d2329; }
table { border-collapse: collapse; margin: 6px 0 12px 0; min-width: 60%; }
th, td { border: 1px solid #c4cad1; padding: 5px 10px; text-align: left; vertical-align: top; }
th { background: #eef2f6; }
td.num, th.num { text-align: right; white-space: nowrap; }
.note { color: #4a5560; font-size: 15px; }
footer { border-top: 1px solid #c4cad1; margin-top: 24px; padding-top: 8px; font-size: 14px;
         color: #4a5560; }
@page { size: A4; margin: 14mm 14mm 16mm 14mm; }
@media print {
  body { font-size: 11pt; padding: 0; max-width: none; }
  h1 { font-size: 20pt; }
  h2 { font-size: 14pt; break-after: avoid; }
  ul.headlines, p.period { font-size: 12pt; }
  section, table, svg, figure { break-inside: avoid; }
  svg { max-width: 170mm; }
}
)css";

std::string Num(int64_t value) { return absl::StrCat(value); }

// "412h 30m", "45m", "3h": short enough for a chart label.
std::string ChartHours(int64_t minutes) {
  const int64_t magnitude = std::llabs(minutes);
  const std::string sign = minutes < 0 ? "-" : "";
  if (magnitude % 60 == 0) return absl::StrCat(sign, magnitude / 60, "h");
  if (magnitude < 60) return absl::StrCat(sign, magnitude, "m");
  return absl::StrCat(sign, magnitude / 60, "h ", magnitude % 60, "m");
}

// At most `length_max` characters of UTF-8 text, with an ellipsis if cut.
std::string Shorten(absl::string_view text, size_t length_max) {
  size_t characters = 0;
  for (size_t i = 0; i < text.size(); ++i) {
    if ((static_cast<uint8_t>(text[i]) & 0xC0) == 0x80) continue;  // continuation byte
    if (characters == length_max - 1) {
      return absl::StrCat(text.substr(0, i), "\xE2\x80\xA6");
    }
    ++characters;
  }
  return std::string(text);
}

// A gridline step in whole hours (1, 2, 5, 10, 20, 50, ...) giving about four lines up to
// `max_minutes`, in minutes.
int64_t GridStepMinutes(int64_t max_minutes) {
  const int64_t max_hours = std::max<int64_t>(1, (max_minutes + 59) / 60);
  int64_t step = 1;
  for (int64_t scale = 1;; scale *= 10) {
    for (int64_t base : {1, 2, 5}) {
      step = base * scale;
      if (step * 4 >= max_hours) return step * 60;
    }
  }
}

std::string Text(double x, double y, absl::string_view anchor, int size, absl::string_view text,
                 absl::string_view extra = "") {
  return absl::StrCat("<text x=\"", x, "\" y=\"", y, "\" text-anchor=\"", anchor, "\" font-size=\"",
                      size, "\"", extra, ">", HtmlEscape(text), "</text>");
}

std::string Rect(double x, double y, double width, double height, absl::string_view colour,
                 absl::string_view title) {
  return absl::StrCat("<rect x=\"", x, "\" y=\"", y, "\" width=\"", width, "\" height=\"", height,
                      "\" fill=\"", colour, "\"><title>", HtmlEscape(title), "</title></rect>");
}

std::string SvgOpen(absl::string_view id, int width, int height, absl::string_view label) {
  return absl::StrCat("<svg id=\"", id, "\" xmlns=\"http://www.w3.org/2000/svg\" viewBox=\"0 0 ",
                      width, " ", height, "\" role=\"img\" aria-label=\"", HtmlEscape(label),
                      "\"><title>", HtmlEscape(label), "</title>");
}

// Grouped bars: hours given and received, month by month.
std::string MonthlyChart(const v1::PeriodFigures& figures) {
  constexpr int kWidth = 760, kHeight = 320;
  constexpr double kLeft = 64, kRight = 12, kTop = 40, kBottom = 44;
  const double plot_width = kWidth - kLeft - kRight;
  const double plot_height = kHeight - kTop - kBottom;
  int64_t max_minutes = 0;
  for (const v1::MonthFigures& m : figures.months()) {
    max_minutes = std::max({max_minutes, m.given_minutes(), m.received_minutes()});
  }
  const int64_t step = GridStepMinutes(max_minutes);
  const int64_t axis_max = std::max<int64_t>(step, (max_minutes + step - 1) / step * step);
  std::string svg =
      SvgOpen(kMonthlyChartId, kWidth, kHeight, "Hours given and received, month by month");
  // Legend.
  svg += Rect(kLeft, 10, 16, 16, kGivenColour, "given");
  svg += Text(kLeft + 22, 23, "start", 15, "Given (time given: exchanges and awards)");
  svg += Rect(kLeft + 360, 10, 16, 16, kReceivedColour, "received");
  svg += Text(kLeft + 382, 23, "start", 15, "Received (exchanges and spends)");
  // Gridlines and the hours axis.
  for (int64_t at = 0; at <= axis_max; at += step) {
    const double y = kTop + plot_height - plot_height * static_cast<double>(at) / axis_max;
    absl::StrAppend(&svg, "<line x1=\"", kLeft, "\" y1=\"", y, "\" x2=\"", kWidth - kRight,
                    "\" y2=\"", y, "\" stroke=\"", at == 0 ? kInkColour : kGridColour,
                    "\" stroke-width=\"1\"/>");
    svg += Text(kLeft - 8, y + 5, "end", 13, absl::StrCat(at / 60, "h"));
  }
  const int count = std::max(1, figures.months_size());
  const double group = plot_width / count;
  const double bar = std::min(44.0, group * 0.34);
  const bool labels = count <= 12;
  for (int i = 0; i < figures.months_size(); ++i) {
    const v1::MonthFigures& m = figures.months(i);
    const double centre = kLeft + group * i + group / 2;
    const std::string month = MonthText(m.year(), m.month());
    const std::pair<int64_t, const char*> bars[] = {{m.given_minutes(), kGivenColour},
                                                    {m.received_minutes(), kReceivedColour}};
    for (int b = 0; b < 2; ++b) {
      const int64_t minutes = std::max<int64_t>(0, bars[b].first);
      const double height = plot_height * static_cast<double>(minutes) / axis_max;
      const double x = b == 0 ? centre - bar - 2 : centre + 2;
      const double y = kTop + plot_height - height;
      svg += Rect(x, y, bar, height, bars[b].second,
                  absl::StrCat(month, ", ", b == 0 ? "given: " : "received: ", HoursText(minutes)));
      if (labels) svg += Text(x + bar / 2, y - 5, "middle", 12, ChartHours(minutes));
    }
    svg += Text(centre, kTop + plot_height + 22, "middle", 14, month);
  }
  svg += "</svg>";
  return svg;
}

// Horizontal bars, one row each: a label, a bar, and its value as text.
struct BarRow {
  std::string label;
  int64_t value = 0;
  std::string value_text;
  std::string colour;
};

std::string BarChart(absl::string_view id, absl::string_view title,
                     const std::vector<BarRow>& rows) {
  constexpr int kWidth = 760, kRowHeight = 30, kLabelWidth = 390, kValueWidth = 110;
  const int height = 12 + kRowHeight * std::max<int>(1, static_cast<int>(rows.size()));
  const double bar_max = kWidth - kLabelWidth - kValueWidth - 16;
  int64_t max_value = 1;
  for (const BarRow& row : rows) max_value = std::max(max_value, row.value);
  std::string svg = SvgOpen(id, kWidth, height, title);
  for (size_t i = 0; i < rows.size(); ++i) {
    const BarRow& row = rows[i];
    const double y = 6 + kRowHeight * static_cast<double>(i);
    const double width =
        row.value <= 0 ? 0 : std::max(2.0, bar_max * static_cast<double>(row.value) / max_value);
    svg += Text(kLabelWidth - 10, y + 20, "end", 15, Shorten(row.label, 44));
    svg += Rect(kLabelWidth, y + 4, width, kRowHeight - 8, row.colour,
                absl::StrCat(row.label, ": ", row.value_text));
    svg += Text(kLabelWidth + width + 8, y + 20, "start", 14, row.value_text);
  }
  svg += "</svg>";
  return svg;
}

std::string CategoryChart(const v1::PeriodFigures& figures) {
  std::vector<BarRow> rows;
  for (const v1::CategoryFigures& c : figures.categories()) {
    if (static_cast<int>(rows.size()) == kChartCategoriesMax) break;
    rows.push_back(
        {c.category(), c.total_minutes(), ChartHours(c.total_minutes()), kCategoryColour});
  }
  return BarChart(kCategoryChartId, "Hours by activity", rows);
}

std::string GiveAndTakeChart(const v1::PeriodFigures& figures) {
  static constexpr const char* kColours[] = {"#c8641e", "#d4884f", "#dfae87", "#8f9aa5",
                                             "#7fa6cb", "#4f82b5", "#1f5f99"};
  std::vector<BarRow> rows;
  int i = 0;
  for (const v1::RatioBucket& b : figures.members().ratio_buckets()) {
    const std::string people = absl::StrCat(b.persons(), b.persons() == 1 ? " person" : " people");
    rows.push_back({RatioBucketText(b.bucket()), b.persons(), people, kColours[i++ % 7]});
  }
  return BarChart(kGiveAndTakeChartId, "How giving compares with receiving", rows);
}

// A table: a header row, then rows; columns from the second on are numbers, aligned right.
std::string Table(const std::vector<std::string>& header,
                  const std::vector<std::vector<std::string>>& rows) {
  std::string html = "<table><thead><tr>";
  for (size_t i = 0; i < header.size(); ++i) {
    absl::StrAppend(&html, i == 0 ? "<th>" : "<th class=\"num\">", HtmlEscape(header[i]), "</th>");
  }
  html += "</tr></thead><tbody>";
  for (const auto& row : rows) {
    html += "<tr>";
    for (size_t i = 0; i < row.size(); ++i) {
      absl::StrAppend(&html, i == 0 ? "<td>" : "<td class=\"num\">", HtmlEscape(row[i]), "</td>");
    }
    html += "</tr>";
  }
  html += "</tbody></table>";
  return html;
}

// The columns of figures: this period, and the previous one when compared.
std::vector<std::string> Header(const v1::PeriodReport& report, absl::string_view first) {
  std::vector<std::string> header = {std::string(first), "This period"};
  if (report.has_previous()) header.push_back("Previous period");
  return header;
}

std::vector<std::string> Row(const v1::PeriodReport& report, absl::string_view label,
                             std::string now, std::string before) {
  std::vector<std::string> row = {std::string(label), std::move(now)};
  if (report.has_previous()) row.push_back(std::move(before));
  return row;
}

std::string KindsSection(const v1::PeriodReport& report) {
  const std::vector<KindMinutes> now = KindsOf(report.current().minutes());
  const std::vector<KindMinutes> before = KindsOf(report.previous().minutes());
  const std::vector<KindMinutes> corrections = KindsOf(report.current().corrections());
  std::vector<std::vector<std::string>> rows;
  for (size_t i = 0; i < now.size(); ++i) {
    rows.push_back(Row(report, absl::StrCat(now[i].kind, " (", now[i].description, ")"),
                       HoursText(now[i].minutes), HoursText(before[i].minutes)));
  }
  rows.push_back(Row(report, "all kinds", HoursText(report.current().total_minutes()),
                     HoursText(report.previous().total_minutes())));
  std::string html = absl::StrCat("<section id=\"kinds\"><h2>Hours by kind</h2>",
                                  Table(Header(report, "Kind"), rows));
  std::vector<std::vector<std::string>> corrected;
  for (const KindMinutes& k : corrections) {
    if (k.minutes != 0) corrected.push_back({k.kind, HoursText(k.minutes)});
  }
  if (!corrected.empty()) {
    absl::StrAppend(&html,
                    "<p class=\"note\">Corrections to earlier periods: reversals made in this "
                    "period of entries from earlier periods. They are not taken off the figures "
                    "above; the earlier period's report stays as it was.</p>",
                    Table({"Kind", "Taken back"}, corrected));
  }
  html += "</section>";
  return html;
}

std::string CategoriesSection(const v1::PeriodReport& report) {
  const v1::PeriodFigures& now = report.current();
  std::vector<std::vector<std::string>> rows;
  for (const v1::CategoryFigures& c : now.categories()) {
    rows.push_back({CategoryText(c), Num(c.entry_count()), HoursText(c.total_minutes())});
  }
  std::string html = "<section id=\"categories\"><h2>Hours by activity</h2>";
  if (rows.empty()) return html + "<p>No entries in this period.</p></section>";
  absl::StrAppend(&html, CategoryChart(now), Table({"Activity", "Entries", "Hours"}, rows),
                  "</section>");
  return html;
}

std::string MonthsSection(const v1::PeriodReport& report) {
  const v1::PeriodFigures& now = report.current();
  std::vector<std::vector<std::string>> rows;
  for (const v1::MonthFigures& m : now.months()) {
    rows.push_back({MonthText(m.year(), m.month()), HoursText(m.given_minutes()),
                    HoursText(m.received_minutes()), HoursText(m.total_minutes()),
                    Num(m.entry_count())});
  }
  return absl::StrCat("<section id=\"monthly\"><h2>Hours given and received, month by month</h2>",
                      MonthlyChart(now),
                      Table({"Month", "Given", "Received", "All kinds", "Entries"}, rows),
                      "</section>");
}

std::string MembersSection(const v1::PeriodReport& report) {
  const v1::MemberFigures& now = report.current().members();
  const v1::MemberFigures& before = report.previous().members();
  auto both = [](const v1::MemberFigures& m) {
    return absl::StrCat(m.gave_and_received_persons(), " (",
                        PercentText(m.gave_and_received_persons(), m.active_persons()), ")");
  };
  std::vector<std::vector<std::string>> rows = {
      Row(report, "People who took part (gave or received at least once)",
          Num(now.active_persons()), Num(before.active_persons())),
      Row(report, "New members (joined in the period)", Num(now.new_persons()),
          Num(before.new_persons())),
      Row(report, "Took part in the period before too",
          now.returning_counted() ? Num(now.returning_persons()) : "-",
          before.returning_counted() ? Num(before.returning_persons()) : "-"),
      Row(report, "Gave time", Num(now.gave_persons()), Num(before.gave_persons())),
      Row(report, "Received time", Num(now.received_persons()), Num(before.received_persons())),
      Row(report, "Both gave and received", both(now), both(before)),
      Row(report, "Member accounts at the end of the period", Num(now.persons_at_period_end()),
          Num(before.persons_at_period_end())),
  };
  std::vector<std::vector<std::string>> buckets;
  for (int i = 0; i < now.ratio_buckets_size(); ++i) {
    buckets.push_back(Row(
        report, RatioBucketText(now.ratio_buckets(i).bucket()), Num(now.ratio_buckets(i).persons()),
        i < before.ratio_buckets_size() ? Num(before.ratio_buckets(i).persons()) : "0"));
  }
  return absl::StrCat(
      "<section id=\"members\"><h2>Who took part</h2>", Table(Header(report, "People"), rows),
      "<h2>Give and take</h2><p class=\"note\">People who gave or received, by how the time "
      "they gave compares with the time they received.</p>",
      GiveAndTakeChart(report.current()), Table(Header(report, "People who"), buckets),
      "</section>");
}

std::string OrganisationsSection(const v1::PeriodReport& report) {
  std::vector<std::vector<std::string>> rows;
  for (const v1::OrganisationFigures& o : report.current().organisations()) {
    const std::string name = o.account_id().empty() || o.display_name() == o.account_id()
                                 ? o.display_name()
                                 : absl::StrCat(o.display_name(), " (", o.account_id(), ")");
    rows.push_back({name, HoursText(o.issued_minutes()), HoursText(o.spent_at_minutes())});
  }
  std::string html = "<section id=\"organisations\"><h2>Organisations</h2>";
  if (rows.empty()) return html + "<p>No organisation awarded or took credits.</p></section>";
  return absl::StrCat(
      html, Table({"Organisation", "Credits issued (awards)", "Credits spent there"}, rows),
      "</section>");
}

std::string BalancesSection(const v1::PeriodReport& report) {
  const v1::BalanceFigures& now = report.current().balances();
  const v1::BalanceFigures& before = report.previous().balances();
  std::vector<std::vector<std::string>> rows = {
      Row(report, "Members counted", Num(now.persons_counted()), Num(before.persons_counted())),
      Row(report, "Below zero", Num(now.below_zero_persons()), Num(before.below_zero_persons())),
      Row(report, "Within 10% of their overdraft floor", Num(now.near_floor_persons()),
          Num(before.near_floor_persons())),
      Row(report, "Within 10% of the balance cap", Num(now.near_cap_persons()),
          Num(before.near_cap_persons())),
  };
  return absl::StrCat("<section id=\"balances\"><h2>Balances at the end of the period</h2>",
                      Table(Header(report, "Members"), rows), "</section>");
}

std::string QualificationsSection(const v1::PeriodReport& report) {
  const v1::QualificationFigures& now = report.current().qualifications();
  const v1::QualificationFigures& before = report.previous().qualifications();
  auto n = [](int64_t value) { return std::to_string(value); };
  std::vector<std::vector<std::string>> rows = {
      Row(report, "Attained", n(now.attained()), n(before.attained())),
      Row(report, "Renewed after they expired", n(now.renewed()), n(before.renewed())),
      Row(report, "People who attained or renewed one", n(now.persons()), n(before.persons())),
  };
  return absl::StrCat("<section id=\"qualifications\"><h2>Qualifications</h2><p>",
                      HtmlEscape(QualificationsText(report)), "</p>",
                      Table(Header(report, "Qualifications"), rows), "</section>");
}

std::string PendingSection(const v1::PeriodReport& report) {
  const v1::PendingFigures& now = report.current().pending();
  const v1::PendingFigures& before = report.previous().pending();
  auto count = [](int64_t n, int64_t minutes) {
    return absl::StrCat(n, " (", HoursText(minutes), ")");
  };
  std::vector<std::vector<std::string>> rows = {
      Row(report, "Expired without confirmation", count(now.expired_count(), now.expired_minutes()),
          count(before.expired_count(), before.expired_minutes())),
      Row(report, "Rejected", count(now.rejected_count(), now.rejected_minutes()),
          count(before.rejected_count(), before.rejected_minutes())),
  };
  return absl::StrCat("<section id=\"pending\"><h2>Entries waiting for confirmation</h2><p>",
                      report.open_pending_count(), " waiting now, holding ",
                      HoursText(report.open_pending_minutes()), ".</p>",
                      Table(Header(report, "Entries"), rows), "</section>");
}

std::string MadeOn(const v1::PeriodReport& report) {
  absl::TimeZone zone = absl::UTCTimeZone();
  absl::LoadTimeZone(report.time_zone(), &zone);
  const absl::Time at = absl::FromUnixSeconds(report.generated_at().seconds());
  std::string text = absl::FormatTime("%d %b %Y at %H:%M", at, zone);
  if (text.front() == '0') text.erase(0, 1);  // "3 Nov 2026", as people write it
  return text;
}

}  // namespace

std::string HtmlEscape(absl::string_view text) {
  std::string out;
  out.reserve(text.size());
  for (char c : text) {
    switch (c) {
      case '&':
        out += "&amp;";
        break;
      case '<':
        out += "&lt;";
        break;
      case '>':
        out += "&gt;";
        break;
      case '"':
        out += "&quot;";
        break;
      case '\'':
        out += "&#39;";
        break;
      default:
        out += c;
    }
  }
  return out;
}

std::string ReportHtml(const v1::PeriodReport& report) {
  const v1::PeriodFigures& now = report.current();
  const std::string period = PeriodText(now.first_day(), now.last_day());
  std::string html = absl::StrCat(
      "<!DOCTYPE html>\n<html lang=\"en-GB\">\n<head>\n<meta charset=\"utf-8\">\n"
      "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n<title>",
      HtmlEscape(report.bank_name()), ": report for ", period, "</title>\n<style>", kStyle,
      "</style>\n</head>\n<body>\n<header><h1>", HtmlEscape(report.bank_name()),
      "</h1><p class=\"period\">Report for ", period);
  if (report.has_previous()) {
    absl::StrAppend(&html, ", compared with ",
                    PeriodText(report.previous().first_day(), report.previous().last_day()));
  }
  html +=
      "</p></header>\n<section id=\"headlines\"><h2>In plain words</h2><ul class=\"headlines\">";
  for (const std::string& line : Headlines(report)) {
    absl::StrAppend(&html, "<li>", HtmlEscape(line), "</li>");
  }
  html += "</ul></section>\n";
  absl::StrAppend(&html, MonthsSection(report), "\n", CategoriesSection(report), "\n",
                  KindsSection(report), "\n", MembersSection(report), "\n",
                  OrganisationsSection(report), "\n", BalancesSection(report), "\n",
                  PendingSection(report), "\n");
  absl::StrAppend(&html, QualificationsSection(report), "\n");
  absl::StrAppend(&html, "<footer>Made on ", HtmlEscape(MadeOn(report)), " (",
                  HtmlEscape(report.time_zone()), ") from the ledger of bank ",
                  HtmlEscape(report.bank_id()), " up to entry ", report.through_seq(),
                  ". Figures are hours and minutes of time: one hour given by anyone is one "
                  "hour. Every figure is defined in docs/REPORTS.md.</footer>\n</body>\n</html>\n");
  return html;
}

}  // namespace timeledger::cli
