#include "clients/cli/words.h"

#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_split.h"
#include "absl/strings/string_view.h"
#include "absl/time/civil_time.h"

namespace timeledger::cli {
namespace {

absl::Time FromTimestamp(const google::protobuf::Timestamp& timestamp) {
  return absl::FromUnixSeconds(timestamp.seconds()) + absl::Nanoseconds(timestamp.nanos());
}

bool IsUnset(const google::protobuf::Timestamp& timestamp) {
  return timestamp.seconds() == 0 && timestamp.nanos() == 0;
}

std::string Lower(absl::string_view text) {
  return absl::AsciiStrToLower(absl::StripAsciiWhitespace(text));
}

}  // namespace

std::string AccountKindWords(v1::AccountKind kind) {
  switch (kind) {
    case v1::PERSON:
      return "person";
    case v1::ORGANISATION:
      return "organisation";
    case v1::POOL:
      return "community pool";
    default:
      return "account";
  }
}

std::string RoleWords(v1::Role role) {
  switch (role) {
    case v1::MEMBER:
      return "member";
    case v1::VOLUNTEER:
      return "volunteer";
    case v1::STAFF:
      return "staff";
    default:
      return "unknown role";
  }
}

std::string RolesWords(const google::protobuf::RepeatedField<int>& roles) {
  std::vector<std::string> words;
  for (int role : roles) words.push_back(RoleWords(static_cast<v1::Role>(role)));
  return absl::StrJoin(words, ", ");
}

std::string AccountStatusWords(v1::AccountStatus status) {
  switch (status) {
    case v1::ACTIVE:
      return "active";
    case v1::SUSPENDED:
      return "suspended";
    case v1::CLOSED:
      return "closed";
    default:
      return "unknown";
  }
}

std::string EntryKindWords(v1::EntryKind kind) {
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
      return "qualification reward";
    default:
      return "entry";
  }
}

std::string DisplayNameOf(const v1::Account& account, absl::string_view erased) {
  return account.personal_data_erased() ? std::string(erased) : account.display_name();
}

std::string AccountLabel(absl::string_view display_name, absl::string_view account_id) {
  if (display_name.empty() || display_name == account_id) return std::string(account_id);
  return absl::StrCat(display_name, " (", account_id, ")");
}

std::string FormatDate(const google::protobuf::Timestamp& timestamp, absl::TimeZone zone) {
  if (IsUnset(timestamp)) return "-";
  std::string date = absl::FormatTime("%d %b %Y", FromTimestamp(timestamp), zone);
  if (date.front() == '0') date.erase(0, 1);  // "3 Nov 2026", as people write it
  return date;
}

std::string FormatDateTime(const google::protobuf::Timestamp& timestamp, absl::TimeZone zone) {
  if (IsUnset(timestamp)) return "-";
  return absl::StrCat(FormatDate(timestamp, zone), " ",
                      absl::FormatTime("%H:%M", FromTimestamp(timestamp), zone));
}

absl::StatusOr<v1::AccountKind> ParseAccountKind(absl::string_view text) {
  const std::string word = Lower(text);
  if (word == "person") return v1::PERSON;
  if (word == "organisation" || word == "organization") return v1::ORGANISATION;
  if (word == "pool") return v1::POOL;
  return absl::InvalidArgumentError(
      absl::StrCat("--kind must be person, organisation or pool, not '", text, "'"));
}

absl::StatusOr<std::vector<v1::Role>> ParseRoles(absl::string_view text) {
  std::vector<v1::Role> roles;
  for (absl::string_view part : absl::StrSplit(text, ',')) {
    const std::string word = Lower(part);
    v1::Role role;
    if (word == "member") {
      role = v1::MEMBER;
    } else if (word == "volunteer") {
      role = v1::VOLUNTEER;
    } else if (word == "staff") {
      role = v1::STAFF;
    } else {
      return absl::InvalidArgumentError(
          absl::StrCat("--roles takes member, volunteer and staff separated by commas; '", part,
                       "' is not one of them"));
    }
    for (v1::Role seen : roles) {
      if (seen == role) {
        return absl::InvalidArgumentError(absl::StrCat("--roles names ", word, " twice"));
      }
    }
    roles.push_back(role);
  }
  return roles;
}

absl::StatusOr<v1::EntryKind> ParseEntryKind(absl::string_view text) {
  const std::string word = Lower(text);
  if (word == "exchange") return v1::EXCHANGE;
  if (word == "award") return v1::AWARD;
  if (word == "spend") return v1::SPEND;
  if (word == "donation") return v1::DONATION;
  if (word == "grant") return v1::GRANT;
  if (word == "reversal") {
    return absl::InvalidArgumentError(
        "--kind reversal is not recorded by hand; use 'timeledger entry reverse BANK SEQ'");
  }
  return absl::InvalidArgumentError(
      absl::StrCat("--kind must be exchange, award, spend, donation or grant, not '", text, "'"));
}

bool IsBareDate(absl::string_view text) {
  absl::CivilDay day;
  return absl::ParseCivilTime(absl::StripAsciiWhitespace(text), &day);
}

absl::StatusOr<absl::Time> ParseOccurredAt(absl::string_view text, absl::TimeZone zone) {
  const absl::string_view trimmed = absl::StripAsciiWhitespace(text);
  absl::CivilDay day;
  if (absl::ParseCivilTime(trimmed, &day)) return absl::FromCivil(day, zone);
  absl::Time time;
  std::string error;
  if (absl::ParseTime(absl::RFC3339_full, trimmed, &time, &error)) return time;
  return absl::InvalidArgumentError(
      absl::StrCat("--occurred-at '", text,
                   "' is not a date or time; write a date (2026-11-20) or a time with its offset "
                   "(2026-11-20T10:00:00Z)"));
}

google::protobuf::Timestamp ToTimestamp(absl::Time time) {
  google::protobuf::Timestamp timestamp;
  const int64_t seconds = absl::ToUnixSeconds(time);
  timestamp.set_seconds(seconds);
  timestamp.set_nanos(
      static_cast<int32_t>(absl::ToInt64Nanoseconds(time - absl::FromUnixSeconds(seconds))));
  return timestamp;
}

}  // namespace timeledger::cli
