#include "ledger/validate.h"

#include <set>

#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"
#include "ledger/errors.h"

namespace timeledger::ledger {
namespace {

bool IsIdChar(char c, bool allow_colon) {
  return absl::ascii_isalnum(static_cast<unsigned char>(c)) || c == '.' || c == '_' || c == '-' ||
         (allow_colon && c == ':');
}

absl::Status ValidateIdChars(absl::string_view field, absl::string_view id, size_t length_max,
                             bool allow_colon) {
  const std::string max = std::to_string(length_max);
  if (id.empty()) {
    return InvalidArgument("INVALID_ID", absl::StrCat(field, " is missing"), {{"field", std::string(field)}});
  }
  if (id.size() > length_max) {
    return InvalidArgument("INVALID_ID",
                           absl::StrCat(field, " is ", id.size(), " characters; the limit is ", max),
                           {{"field", std::string(field)}, {"limit", max}});
  }
  if (!absl::ascii_isalnum(static_cast<unsigned char>(id[0]))) {
    return InvalidArgument("INVALID_ID",
                           absl::StrCat(field, " must start with a letter or a digit"),
                           {{"field", std::string(field)}});
  }
  for (char c : id) {
    if (!IsIdChar(c, allow_colon)) {
      return InvalidArgument(
          "INVALID_ID",
          absl::StrCat(field, " may hold only letters, digits and . _ -", allow_colon ? " :" : ""),
          {{"field", std::string(field)}});
    }
  }
  return absl::OkStatus();
}

// Returns the length of the UTF-8 sequence starting at text[i], or 0 if it is not valid.
size_t Utf8SequenceLength(absl::string_view text, size_t i) {
  const auto byte = [&](size_t k) { return static_cast<unsigned char>(text[k]); };
  const unsigned char lead = byte(i);
  size_t length = 0;
  uint32_t code_point = 0;
  if (lead < 0x80) return 1;
  if ((lead & 0xe0) == 0xc0) { length = 2; code_point = lead & 0x1f; }
  else if ((lead & 0xf0) == 0xe0) { length = 3; code_point = lead & 0x0f; }
  else if ((lead & 0xf8) == 0xf0) { length = 4; code_point = lead & 0x07; }
  else return 0;
  if (i + length > text.size()) return 0;
  for (size_t k = 1; k < length; ++k) {
    if ((byte(i + k) & 0xc0) != 0x80) return 0;
    code_point = (code_point << 6) | (byte(i + k) & 0x3f);
  }
  static constexpr uint32_t kMinForLength[] = {0, 0, 0x80, 0x800, 0x10000};
  if (code_point < kMinForLength[length] || code_point > 0x10ffff ||
      (code_point >= 0xd800 && code_point <= 0xdfff)) {
    return 0;  // overlong, out of range, or a surrogate
  }
  return length;
}

}  // namespace

absl::Status ValidateId(absl::string_view field, absl::string_view id) {
  return ValidateIdChars(field, id, kIdLengthMax, /*allow_colon=*/false);
}

absl::Status ValidateEntryId(absl::string_view field, absl::string_view id) {
  return ValidateIdChars(field, id, kEntryIdLengthMax, /*allow_colon=*/true);
}

absl::Status ValidateText(absl::string_view field, absl::string_view text, size_t length_max,
                          bool required) {
  const std::string f(field);
  if (required && text.empty()) {
    return InvalidArgument("INVALID_TEXT", absl::StrCat(field, " is missing"), {{"field", f}});
  }
  if (text.size() > length_max) {
    return InvalidArgument(
        "INVALID_TEXT",
        absl::StrCat(field, " is ", text.size(), " bytes; the limit is ", length_max),
        {{"field", f}, {"limit", std::to_string(length_max)}});
  }
  for (size_t i = 0; i < text.size();) {
    const size_t length = Utf8SequenceLength(text, i);
    if (length == 0) {
      return InvalidArgument("INVALID_TEXT", absl::StrCat(field, " is not valid UTF-8 text"),
                             {{"field", f}});
    }
    const unsigned char c = static_cast<unsigned char>(text[i]);
    if (length == 1 && (c < 0x20 || c == 0x7f)) {
      return InvalidArgument("INVALID_TEXT",
                             absl::StrCat(field, " contains a control character"), {{"field", f}});
    }
    i += length;
  }
  return absl::OkStatus();
}

absl::Status ValidateTimeZone(absl::string_view time_zone) {
  absl::TimeZone zone;
  if (time_zone.empty() || time_zone.size() > kTimeZoneLengthMax ||
      !absl::LoadTimeZone(std::string(time_zone), &zone)) {
    return InvalidArgument(
        "INVALID_TIME_ZONE",
        absl::StrCat("time_zone \"", time_zone.substr(0, kTimeZoneLengthMax),
                     "\" is not a known time zone name such as Europe/London"),
        {{"field", "time_zone"}});
  }
  return absl::OkStatus();
}

absl::Status ValidateBank(const Bank& bank) {
  if (auto s = ValidateId("bank_id", bank.bank_id); !s.ok()) return s;
  if (auto s = ValidateText("name", bank.name, kNameLengthMax, true); !s.ok()) return s;
  return ValidateTimeZone(bank.time_zone);
}

absl::Status ValidateNewAccount(const Account& account) {
  if (auto s = ValidateId("bank_id", account.bank_id); !s.ok()) return s;
  if (auto s = ValidateId("account_id", account.account_id); !s.ok()) return s;
  if (auto s = ValidateText("display_name", account.display_name, kNameLengthMax, true); !s.ok()) {
    return s;
  }
  if (account.kind != AccountKind::kPerson && !account.roles.empty()) {
    return InvalidArgument("INVALID_ROLES",
                           "roles (member, volunteer, staff) belong to persons only",
                           {{"field", "roles"}});
  }
  std::set<Role> seen(account.roles.begin(), account.roles.end());
  if (seen.size() != account.roles.size() || account.roles.size() > kRolesMax) {
    return InvalidArgument("INVALID_ROLES", "roles must not repeat", {{"field", "roles"}});
  }
  return absl::OkStatus();
}

absl::Status ValidateEntrySpec(const EntrySpec& spec, absl::Time now) {
  if (auto s = ValidateId("bank_id", spec.bank_id); !s.ok()) return s;
  if (auto s = ValidateEntryId("entry_id", spec.entry_id); !s.ok()) return s;
  if (spec.kind == EntryKind::kReversal) {
    return InvalidArgument("REVERSAL_NOT_RECORDABLE",
                           "a reversal is made with ReverseEntry, pointing at the entry it undoes",
                           {{"field", "kind"}});
  }
  if (spec.kind == EntryKind::kQualificationReward) {
    return InvalidArgument("REWARD_NOT_RECORDABLE",
                           "a qualification reward is paid by AwardQualification, with its award",
                           {{"field", "kind"}});
  }
  if (auto s = ValidateId("from_account_id", spec.from_account_id); !s.ok()) return s;
  if (auto s = ValidateId("to_account_id", spec.to_account_id); !s.ok()) return s;
  if (spec.from_account_id == spec.to_account_id) {
    return InvalidArgument("SELF_TRANSFER",
                           absl::StrCat("an entry needs two different accounts; both are ",
                                        spec.from_account_id),
                           {{"field", "to_account_id"}});
  }
  if (spec.minutes <= 0 || spec.minutes > kEntryMinutesMax) {
    return InvalidArgument(
        "INVALID_MINUTES",
        absl::StrCat("minutes must be between 1 and ", kEntryMinutesMax, " (one day); got ",
                     spec.minutes),
        {{"field", "minutes"},
         {"limit_minutes", std::to_string(kEntryMinutesMax)},
         {"attempted_minutes", std::to_string(spec.minutes)}});
  }
  if (auto s = ValidateText("activity", spec.activity, kActivityLengthMax, false); !s.ok()) {
    return s;
  }
  if (auto s = ValidateText("note", spec.note, kNoteLengthMax, false); !s.ok()) return s;
  if (spec.occurred_at != absl::InfinitePast()) {
    if (spec.occurred_at > now + kClockSkewMax) {
      return InvalidArgument("OCCURRED_IN_FUTURE",
                             absl::StrCat("occurred_at ", absl::FormatTime(spec.occurred_at),
                                          " is in the future"),
                             {{"field", "occurred_at"}});
    }
    if (spec.occurred_at < absl::FromUnixSeconds(kOccurredAtMinUnixSeconds)) {
      return InvalidArgument("INVALID_OCCURRED_AT",
                             "occurred_at is before the year 2000; check the date",
                             {{"field", "occurred_at"}});
    }
  }
  return absl::OkStatus();
}

absl::Status ValidatePageSize(int64_t page_size, size_t* effective) {
  if (page_size < 0 || page_size > static_cast<int64_t>(kPageSizeMax)) {
    return InvalidArgument("INVALID_PAGE_SIZE",
                           absl::StrCat("page_size must be between 0 and ", kPageSizeMax),
                           {{"field", "page_size"}, {"limit", std::to_string(kPageSizeMax)}});
  }
  *effective = page_size == 0 ? kPageSizeDefault : static_cast<size_t>(page_size);
  return absl::OkStatus();
}

}  // namespace timeledger::ledger
