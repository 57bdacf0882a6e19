#include "clients/cli/statement_words.h"

#include <cstdio>
#include <cstdlib>

#include "absl/strings/str_cat.h"
#include "absl/time/civil_time.h"

namespace timeledger::cli {
namespace {

namespace v1 = ::timeledger::v1;

constexpr int64_t kMinutesPerHour = 60;

// The catalogue item kind that names what an entry of `kind` was for, or UNSPECIFIED when no
// one kind does (a reversal, a donation, a grant). As services/kiosk_desk.cc decides it.
v1::CatalogueKind CatalogueKindOf(v1::EntryKind kind) {
  switch (kind) {
    case v1::SPEND:
      return v1::OFFER;
    case v1::QUALIFICATION_REWARD:
      return v1::QUALIFICATION;
    case v1::EXCHANGE:
    case v1::AWARD:
      return v1::ACTIVITY;
    default:
      return v1::CATALOGUE_KIND_UNSPECIFIED;
  }
}

// The catalogue key of an entry kind's word.
const char* KindKey(v1::EntryKind kind) {
  switch (kind) {
    case v1::EXCHANGE:
      return "kind.exchange";
    case v1::AWARD:
      return "kind.award";
    case v1::SPEND:
      return "kind.spend";
    case v1::DONATION:
      return "kind.donation";
    case v1::GRANT:
      return "kind.grant";
    case v1::QUALIFICATION_REWARD:
      return "kind.reward";
    default:
      return "kind.entry";
  }
}

}  // namespace

absl::StatusOr<std::unique_ptr<clients::Messages>> LoadStatementMessages() {
  std::vector<clients::Catalogue> catalogues;
  for (const auto& [language, text] : CompiledStatementCatalogues()) {
    auto catalogue = clients::Catalogue::Parse(language, text);
    if (!catalogue.ok()) return catalogue.status();
    catalogues.push_back(*std::move(catalogue));
  }
  return clients::Messages::Make(std::move(catalogues));
}

const clients::Messages& StatementMessages() {
  static const clients::Messages* const messages = [] {
    auto loaded = LoadStatementMessages();
    if (!loaded.ok()) {
      std::fprintf(stderr, "%s\n", loaded.status().ToString().c_str());
      std::abort();
    }
    return loaded->release();
  }();
  return *messages;
}

void CatalogueTitles::Add(const v1::CatalogueItem& item, v1::CatalogueKind kind) {
  if (!item.title().empty()) titles_[{kind, item.code()}] = item.title();
}

std::string CatalogueTitles::Find(v1::CatalogueKind kind, const std::string& code) const {
  auto it = titles_.find({kind, code});
  return it == titles_.end() ? std::string() : it->second;
}

std::string CatalogueTitles::TitleOf(const v1::Entry& entry) const {
  if (entry.activity().empty()) return "";
  const v1::CatalogueKind kind = CatalogueKindOf(entry.kind());
  if (kind != v1::CATALOGUE_KIND_UNSPECIFIED) return Find(kind, entry.activity());
  if (entry.kind() != v1::REVERSAL) return "";
  // A reversal records the code of the entry it undoes, whose kind it does not carry.
  for (v1::CatalogueKind any : {v1::ACTIVITY, v1::OFFER, v1::QUALIFICATION}) {
    std::string title = Find(any, entry.activity());
    if (!title.empty()) return title;
  }
  return "";
}

StatementWords::StatementWords(std::string language, CatalogueTitles titles)
    : language_(std::move(language)), titles_(std::move(titles)) {}

std::string StatementWords::Say(absl::string_view key, const clients::MessageArgs& args) const {
  return StatementMessages().Format(language_, key, args);
}

std::string StatementWords::Time(int64_t minutes, bool zero_in_hours) const {
  // Unsigned arithmetic, so that the most negative int64 has a magnitude too.
  const uint64_t magnitude =
      minutes < 0 ? ~static_cast<uint64_t>(minutes) + 1 : static_cast<uint64_t>(minutes);
  const auto hours = static_cast<int64_t>(magnitude / kMinutesPerHour);
  const auto rest = static_cast<int64_t>(magnitude % kMinutesPerHour);
  std::string time;
  if (hours == 0 && rest == 0) {
    time = Say(zero_in_hours ? "time.zero_hours" : "time.zero_minutes");
  } else if (rest == 0) {
    time = Say("time.hours", {{"hours", hours}});
  } else if (hours == 0) {
    time = Say("time.minutes", {{"minutes", rest}});
  } else {
    time = Say("time.hours_minutes", {{"hours", hours}, {"minutes", rest}});
  }
  return minutes < 0 ? Say("amount.minus", {{"time", time}}) : time;
}

std::string StatementWords::SignedTime(int64_t minutes, bool zero_in_hours) const {
  const std::string time = Time(minutes, zero_in_hours);
  return minutes > 0 ? Say("amount.plus", {{"time", time}}) : time;
}

std::string StatementWords::Day(absl::CivilDay day) const {
  const clients::Messages& messages = StatementMessages();
  const std::string* pattern = messages.CatalogueOf(language_).Find("@day_pattern");
  if (pattern == nullptr) pattern = messages.CatalogueOf("").Find("@day_pattern");
  return messages.DayByPattern(language_, day, pattern == nullptr ? "" : *pattern);
}

std::string StatementWords::Day(const google::protobuf::Timestamp& timestamp,
                                absl::TimeZone zone) const {
  if (timestamp.seconds() == 0 && timestamp.nanos() == 0) return "-";
  const absl::Time time =
      absl::FromUnixSeconds(timestamp.seconds()) + absl::Nanoseconds(timestamp.nanos());
  return Day(absl::ToCivilDay(time, zone));
}

std::string StatementWords::KindCell(const v1::Entry& entry, bool mark_reversed) const {
  if (entry.kind() == v1::REVERSAL) {
    return Say("kind.reversal_of", {{"seq", absl::StrCat(entry.reverses_seq())}});
  }
  const std::string kind = Say(KindKey(entry.kind()));
  if (!mark_reversed || entry.reversed_by_seq() == 0) return kind;
  return Say("kind.reversed", {{"kind", kind}});
}

std::string StatementWords::Activity(const v1::Entry& entry) const {
  std::string title = titles_.TitleOf(entry);
  return title.empty() ? entry.activity() : title;
}

std::string StatementWords::ActivityTitle(const v1::Entry& entry) const {
  return titles_.TitleOf(entry);
}

}  // namespace timeledger::cli
