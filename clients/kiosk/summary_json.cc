#include "clients/kiosk/summary_json.h"

#include <algorithm>

#include "absl/time/time.h"

#include "clients/kiosk/json_values.h"

namespace timeledger::kiosk {
namespace {

using google::protobuf::Struct;
using json::Bool;
using json::Num;
using json::Obj;
using json::Str;

// The messages the page shows with a number that changes while it is shown.
constexpr const char* kCountedKeys[] = {"idle.signing_out", "idle.clearing"};
constexpr char kCount[] = "seconds";

std::string FirstName(const std::string& display_name) {
  const size_t space = display_name.find(' ');
  return space == std::string::npos ? display_name : display_name.substr(0, space);
}

absl::Time FromTimestamp(const google::protobuf::Timestamp& timestamp) {
  return absl::FromUnixSeconds(timestamp.seconds()) + absl::Nanoseconds(timestamp.nanos());
}

Struct BalanceJson(int64_t minutes, const MemberWords& words) {
  Struct balance;
  auto& fields = *balance.mutable_fields();
  fields["minutes"] = Num(minutes);
  fields["words"] = Str(words.BalanceWords(minutes));
  fields["note"] = Str(words.BalanceNote(minutes));
  fields["below_zero"] = Bool(minutes < 0);
  return balance;
}

Struct MonthJson(const v1::MonthGiveTake& month, const MemberWords& words) {
  Struct out;
  auto& fields = *out.mutable_fields();
  const int64_t given = std::max<int64_t>(0, month.given_minutes());
  const int64_t received = std::max<int64_t>(0, month.received_minutes());
  // Time spent on offers is said apart from time received from people.
  const int64_t spent = std::clamp<int64_t>(month.spent_minutes(), 0, received);
  const std::string name = words.MonthWords(month.year(), month.month(), /*with_year=*/false);
  const std::string long_name = words.MonthWords(month.year(), month.month(), /*with_year=*/true);
  fields["short"] = Str(words.MonthShortWords(month.month()));
  fields["long"] = Str(long_name);
  fields["name"] = Str(name);
  fields["heading"] = Str(words.Say("month.heading", {{"month", name}}));
  fields["given_minutes"] = Num(given);
  fields["received_minutes"] = Num(received);
  fields["given_words"] = Str(words.TimeWords(given));
  fields["received_words"] = Str(words.TimeWords(received));
  fields["from_people_words"] = Str(words.TimeWords(received - spent));
  fields["given_sentence"] = Str(words.Say("month.given", {{"time", words.TimeWords(given)}}));
  fields["from_people_sentence"] =
      Str(words.Say("month.from_people", {{"time", words.TimeWords(received - spent)}}));
  fields["spent_sentence"] = Str(words.MonthSpentWords(spent));
  fields["chart_words"] =
      Str(words.Say("chart.month_words", {{"month", long_name},
                                          {"given", words.TimeWords(given)},
                                          {"received", words.TimeWords(received)}}));
  return out;
}

std::string QualificationWords(const v1::MemberQualification& held, absl::TimeZone zone,
                               const MemberWords& words) {
  if (held.status() == "in_progress") {
    return words.Say("qualification.under_way", {{"name", held.title()}});
  }
  if (!held.has_valid_until()) return words.Say("qualification.held", {{"name", held.title()}});
  const std::string until = words.DateWords(FromTimestamp(held.valid_until()), zone);
  return words.Say(held.status() == "expiring" ? "qualification.until_soon" : "qualification.until",
                   {{"name", held.title()}, {"date", until}});
}

void AddMonths(const v1::MemberSummary& summary, const MemberWords& words, Struct* out) {
  auto& fields = *out->mutable_fields();
  if (summary.months_size() > 0) {
    fields["this_month"] = Obj(MonthJson(summary.months(summary.months_size() - 1), words));
  }
  auto* months = fields["months"].mutable_list_value();
  int64_t given = 0, received = 0;
  for (const auto& month : summary.months()) {
    *months->add_values() = Obj(MonthJson(month, words));
    given += std::max<int64_t>(0, month.given_minutes());
    received += std::max<int64_t>(0, month.received_minutes());
  }
  fields["chart_caption"] =
      Str(words.Say("chart.caption",
                    {{"given", words.TimeWords(given)}, {"received", words.TimeWords(received)}}));
}

void AddEntries(const v1::MemberSummary& summary, const MemberWords& words, absl::TimeZone zone,
                Struct* out) {
  const absl::Time now = FromTimestamp(summary.as_of());
  auto& fields = *out->mutable_fields();
  auto* recent = fields["recent"].mutable_list_value();
  for (const auto& line : summary.recent()) {
    Struct row;
    auto& r = *row.mutable_fields();
    const std::string when = words.DayWords(FromTimestamp(line.entry().occurred_at()), now, zone);
    r["sentence"] = Str(words.EntrySentence(line));
    r["amount"] = Str(words.TimeWords(line.entry().minutes()));
    r["when"] = Str(when);
    r["words"] = Str(words.EntryLineWords(line, when));
    r["earned"] = Bool(line.earned());
    *recent->add_values() = Obj(std::move(row));
  }
  auto* awaiting = fields["awaiting"].mutable_list_value();
  for (const auto& item : summary.awaiting()) {
    Struct row;
    auto& r = *row.mutable_fields();
    const std::string sentence = words.AwaitingSentence(item);
    const std::string amount = words.TimeWords(item.pending().entry().minutes());
    const std::string when =
        words.DayWords(FromTimestamp(item.pending().entry().occurred_at()), now, zone);
    r["entry_id"] = Str(item.pending().entry().entry_id());
    r["sentence"] = Str(sentence);
    r["amount"] = Str(amount);
    r["when"] = Str(when);
    r["words"] =
        Str(words.Say("entry.line", {{"sentence", sentence}, {"amount", amount}, {"when", when}}));
    r["consequence"] = Str(words.AwaitingConsequence(item));
    r["yes_label"] =
        Str(words.Say("awaiting.yes_label", {{"sentence", sentence}, {"amount", amount}}));
    r["no_label"] =
        Str(words.Say("awaiting.no_label", {{"sentence", sentence}, {"amount", amount}}));
    *awaiting->add_values() = Obj(std::move(row));
  }
}

}  // namespace

Struct SummaryJson(const v1::MemberSummary& summary, const MemberWords& words) {
  absl::TimeZone zone;
  if (!absl::LoadTimeZone(summary.time_zone(), &zone)) zone = absl::UTCTimeZone();
  const absl::Time now = FromTimestamp(summary.as_of());
  Struct out;
  auto& fields = *out.mutable_fields();
  fields["lang"] = Str(words.language());
  fields["bank"] = Str(summary.bank_name());
  fields["name"] = Str(summary.account().display_name());
  fields["first_name"] = Str(FirstName(summary.account().display_name()));
  fields["greeting"] =
      Str(words.Say("home.greeting", {{"name", FirstName(summary.account().display_name())}}));
  fields["balance"] = Obj(BalanceJson(summary.account().balance_minutes(), words));
  fields["session_seconds_left"] =
      Num(absl::ToInt64Seconds(FromTimestamp(summary.session_expires_at()) - now));
  AddMonths(summary, words, &out);
  AddEntries(summary, words, zone, &out);
  // The page shows its qualifications section only when the list has something in it.
  if (summary.qualifications_size() > 0) {
    auto* qualifications = fields["qualifications"].mutable_list_value();
    for (const auto& held : summary.qualifications()) {
      Struct row;
      auto& r = *row.mutable_fields();
      r["name"] = Str(held.title());
      r["words"] = Str(QualificationWords(held, zone, words));
      r["expires_soon"] = Bool(held.status() == "expiring");
      r["in_progress"] = Bool(held.status() == "in_progress");
      *qualifications->add_values() = Obj(std::move(row));
    }
  }
  return out;
}

std::string SpokenLanguage(const clients::Messages& messages, const std::string& asked) {
  return messages.Has(asked) ? asked : messages.Languages().front();
}

Struct WordsJson(const clients::Messages& messages, const std::string& asked) {
  const std::string language = SpokenLanguage(messages, asked);
  Struct out;
  auto& fields = *out.mutable_fields();
  fields["lang"] = Str(language);
  fields["dir"] = Str(messages.RightToLeft(language) ? "rtl" : "ltr");
  Struct words;
  for (const auto& [key, message] : messages.CatalogueOf(language).messages()) {
    auto names = clients::ArgumentNamesOf(message);
    if (names.ok() && names->empty()) {
      (*words.mutable_fields())[key] = Str(messages.Format(language, key));
    }
  }
  fields["words"] = Obj(std::move(words));
  Struct counts;
  for (const char* key : kCountedKeys) {
    auto* list = (*counts.mutable_fields())[key].mutable_list_value();
    for (int64_t n = 0; n <= kCountedWordsMax; ++n) {
      *list->add_values() = Str(messages.Format(language, key, {{kCount, n}}));
    }
  }
  fields["counts"] = Obj(std::move(counts));
  auto* languages = fields["languages"].mutable_list_value();
  for (const std::string& tag : messages.Languages()) {
    if (tag == clients::kPseudoLanguage) continue;  // for tests, not offered to members
    Struct entry;
    (*entry.mutable_fields())["tag"] = Str(tag);
    (*entry.mutable_fields())["name"] = Str(messages.Format(tag, "@name"));
    *languages->add_values() = Obj(std::move(entry));
  }
  return out;
}

}  // namespace timeledger::kiosk
