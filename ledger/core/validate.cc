#include "ledger/core/validate.h"

#include <cstdlib>
#include <fstream>
#include <set>
#include <string>

#include "absl/container/flat_hash_set.h"
#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"

#include "ledger/core/check.h"
#include "ledger/core/errors.h"
#include "unicode/uchar.h"

namespace timeledger::ledger {
namespace {

// Names read from the tz database's list: about 600 today.
constexpr size_t kTimeZoneNamesMax = 4096;

bool IsIdChar(char c, bool allow_colon) {
  return absl::ascii_isalnum(static_cast<unsigned char>(c)) || c == '.' || c == '_' || c == '-' ||
         (allow_colon && c == ':');
}

absl::Status ValidateIdChars(absl::string_view field, absl::string_view id, size_t length_max,
                             bool allow_colon) {
  const std::string max = std::to_string(length_max);
  if (id.empty()) {
    return Refuse(Reason::kInvalidId, absl::StrCat(field, " is missing"),
                  {{"field", std::string(field)}});
  }
  if (id.size() > length_max) {
    return Refuse(Reason::kInvalidId,
                  absl::StrCat(field, " is ", id.size(), " characters; the limit is ", max),
                  {{"field", std::string(field)}, {"limit", max}});
  }
  if (!absl::ascii_isalnum(static_cast<unsigned char>(id[0]))) {
    return Refuse(Reason::kInvalidId, absl::StrCat(field, " must start with a letter or a digit"),
                  {{"field", std::string(field)}});
  }
  for (char c : id) {
    if (!IsIdChar(c, allow_colon)) {
      return Refuse(
          Reason::kInvalidId,
          absl::StrCat(field, " may hold only letters, digits and . _ -", allow_colon ? " :" : ""),
          {{"field", std::string(field)}});
    }
  }
  return absl::OkStatus();
}

// Decodes the UTF-8 sequence starting at text[i] into *code_point and returns its length, or 0
// if it is not valid (truncated, overlong, out of range, or a surrogate).
size_t DecodeUtf8(absl::string_view text, size_t i, uint32_t* code_point) {
  const auto byte = [&](size_t k) { return static_cast<unsigned char>(text[k]); };
  const unsigned char lead = byte(i);
  size_t length = 0;
  uint32_t point = 0;
  if (lead < 0x80) {
    *code_point = lead;
    return 1;
  }
  if ((lead & 0xe0) == 0xc0) {
    length = 2;
    point = lead & 0x1f;
  } else if ((lead & 0xf0) == 0xe0) {
    length = 3;
    point = lead & 0x0f;
  } else if ((lead & 0xf8) == 0xf0) {
    length = 4;
    point = lead & 0x07;
  } else
    return 0;
  if (i + length > text.size()) return 0;
  for (size_t k = 1; k < length; ++k) {
    if ((byte(i + k) & 0xc0) != 0x80) return 0;
    point = (point << 6) | (byte(i + k) & 0x3f);
  }
  static constexpr uint32_t kMinForLength[] = {0, 0, 0x80, 0x800, 0x10000};
  if (point < kMinForLength[length] || point > 0x10ffff || (point >= 0xd800 && point <= 0xdfff)) {
    return 0;
  }
  *code_point = point;
  return length;
}

// What a code point is to the text checks, from its Unicode general category (ICU's tables).
enum class CodePointClass : uint8_t {
  kVisible,    // letters, marks, numbers, punctuation, symbols, private use
  kSpace,      // space separators (Zs): allowed, but not visible
  kJoiner,     // ZERO WIDTH NON-JOINER and JOINER: needed inside Bengali, Persian, emoji
  kForbidden,  // controls (Cc), format characters (Cf: bidi overrides and isolates, zero-width
               // spaces, ...), line and paragraph separators, noncharacters
};

CodePointClass ClassOf(uint32_t code_point) {
  if (code_point < 0x80) {  // most text: no table needed
    if (code_point < 0x20 || code_point == 0x7f) return CodePointClass::kForbidden;
    return code_point == ' ' ? CodePointClass::kSpace : CodePointClass::kVisible;
  }
  if (code_point == 0x200c || code_point == 0x200d) return CodePointClass::kJoiner;
  const auto c = static_cast<UChar32>(code_point);
  if (u_hasBinaryProperty(c, UCHAR_NONCHARACTER_CODE_POINT) ||
      u_hasBinaryProperty(c, UCHAR_BIDI_CONTROL)) {
    return CodePointClass::kForbidden;
  }
  switch (static_cast<UCharCategory>(u_charType(c))) {
    case U_CONTROL_CHAR:
    case U_FORMAT_CHAR:
    case U_LINE_SEPARATOR:
    case U_PARAGRAPH_SEPARATOR:
    case U_SURROGATE:
      return CodePointClass::kForbidden;
    case U_SPACE_SEPARATOR:
      return CodePointClass::kSpace;
    default:
      return CodePointClass::kVisible;
  }
}

// A name of the tz database: components of [A-Za-z0-9._+-] joined by '/', none of them "." or
// ".." and none starting with '.', so that it can never be read as a path.
bool IsTimeZoneNameShaped(absl::string_view name) {
  if (name.empty() || name.size() > kTimeZoneLengthMax) return false;
  for (absl::string_view part : absl::StrSplit(name, '/')) {
    if (part.empty() || part[0] == '.') return false;
    for (char c : part) {
      if (!absl::ascii_isalnum(static_cast<unsigned char>(c)) && c != '_' && c != '-' && c != '+' &&
          c != '.') {
        return false;
      }
    }
  }
  return true;
}

// The zone and link names of the tz database (tzdata.zi, under $TZDIR or /usr/share/zoneinfo),
// read once. Empty if the file cannot be read.
const absl::flat_hash_set<std::string>& TimeZoneNames() {
  static const auto* names = [] {
    auto* set = new absl::flat_hash_set<std::string>();
    const char* dir = std::getenv("TZDIR");
    std::ifstream file(
        absl::StrCat(dir != nullptr && *dir != '\0' ? dir : "/usr/share/zoneinfo", "/tzdata.zi"));
    std::string line;
    while (std::getline(file, line) && set->size() < kTimeZoneNamesMax) {
      // "Z NAME ..." names a zone, "L TARGET NAME" a link to one.
      std::vector<absl::string_view> words = absl::StrSplit(line, ' ', absl::SkipEmpty());
      if (words.size() >= 2 && words[0] == "Z") set->emplace(words[1]);
      if (words.size() >= 3 && words[0] == "L") set->emplace(words[2]);
    }
    return set;
  }();
  return *names;
}

}  // namespace

absl::Status ValidateId(absl::string_view field, absl::string_view id) {
  return ValidateIdChars(field, id, kIdLengthMax, /*allow_colon=*/false);
}

absl::Status ValidateEntryId(absl::string_view field, absl::string_view id) {
  return ValidateIdChars(field, id, kEntryIdLengthMax, /*allow_colon=*/true);
}

absl::Status ValidateNewEntryId(absl::string_view field, absl::string_view id,
                                bool reversal_default_allowed) {
  if (auto s = ValidateEntryId(field, id); !s.ok()) return s;
  for (absl::string_view prefix :
       {kCapExcessEntryIdPrefix, kClosingDonationEntryIdPrefix, kClosingWriteOffEntryIdPrefix,
        kExpiryEntryIdPrefix, kRewardEntryIdPrefix, kReversalEntryIdPrefix}) {
    if (prefix == kReversalEntryIdPrefix && reversal_default_allowed) continue;
    if (absl::StartsWith(id, prefix)) {
      return Refuse(
          Reason::kReservedEntryId,
          absl::StrCat(field, "s starting with ", prefix,
                       " are the ledger's own (for the entries it makes itself); choose another"),
          {{"field", std::string(field)}, {"prefix", std::string(prefix)}});
    }
  }
  return absl::OkStatus();
}

absl::Status ValidateText(absl::string_view field, absl::string_view text, size_t length_max,
                          bool required) {
  const std::string f(field);
  if (required && text.empty()) {
    return Refuse(Reason::kInvalidText, absl::StrCat(field, " is missing"), {{"field", f}});
  }
  if (text.size() > length_max) {
    return Refuse(Reason::kInvalidText,
                  absl::StrCat(field, " is ", text.size(), " bytes; the limit is ", length_max),
                  {{"field", f}, {"limit", std::to_string(length_max)}});
  }
  bool after_visible = false;
  for (size_t i = 0; i < text.size();) {
    uint32_t code_point = 0;
    const size_t length = DecodeUtf8(text, i, &code_point);
    if (length == 0) {
      return Refuse(Reason::kInvalidText, absl::StrCat(field, " is not valid UTF-8 text"),
                    {{"field", f}});
    }
    const CodePointClass kind = ClassOf(code_point);
    if (kind == CodePointClass::kForbidden || (kind == CodePointClass::kJoiner && !after_visible)) {
      const std::string shown =
          absl::AsciiStrToUpper(absl::StrCat("U+", absl::Hex(code_point, absl::kZeroPad4)));
      return Refuse(Reason::kInvalidText,
                    absl::StrCat(field, " contains an invisible control or format character (",
                                 shown, ") at byte ", i),
                    {{"field", f}, {"code_point", shown}});
    }
    after_visible = kind == CodePointClass::kVisible;
    i += length;
  }
  return absl::OkStatus();
}

absl::Status ValidateName(absl::string_view field, absl::string_view text, size_t length_max,
                          bool required) {
  if (auto s = ValidateText(field, text, length_max, required); !s.ok()) return s;
  if (text.empty()) return absl::OkStatus();
  for (size_t i = 0; i < text.size();) {
    uint32_t code_point = 0;
    const size_t length = DecodeUtf8(text, i, &code_point);
    TL_CHECK(length > 0);  // ValidateText has accepted the text
    if (ClassOf(code_point) == CodePointClass::kVisible) return absl::OkStatus();
    i += length;
  }
  return Refuse(Reason::kInvalidText, absl::StrCat(field, " has no visible character"),
                {{"field", std::string(field)}});
}

absl::Status ValidateTimeZone(absl::string_view time_zone) {
  const auto unknown = [&] {
    std::string shown;
    for (char c : time_zone.substr(0, kTimeZoneLengthMax)) {
      shown += absl::ascii_isprint(static_cast<unsigned char>(c)) ? c : '?';
    }
    return Refuse(
        Reason::kInvalidTimeZone,
        absl::StrCat("time_zone \"", shown,
                     "\" is not a time zone name of the tz database, such as Europe/London"),
        {{"field", "time_zone"}});
  };
  if (!IsTimeZoneNameShaped(time_zone)) return unknown();
  const auto& names = TimeZoneNames();
  // Without the database's list (no tzdata.zi), a name-shaped zone that loads is taken.
  if (!names.empty() && !names.contains(time_zone)) return unknown();
  absl::TimeZone zone;
  if (!absl::LoadTimeZone(std::string(time_zone), &zone)) return unknown();
  return absl::OkStatus();
}

absl::Status ValidateBank(const Bank& bank) {
  if (auto s = ValidateId("bank_id", bank.bank_id); !s.ok()) return s;
  if (auto s = ValidateName("name", bank.name, kNameLengthMax, true); !s.ok()) return s;
  return ValidateTimeZone(bank.time_zone);
}

absl::Status ValidateNewAccount(const Account& account) {
  if (auto s = ValidateId("bank_id", account.bank_id); !s.ok()) return s;
  if (auto s = ValidateId("account_id", account.account_id); !s.ok()) return s;
  if (auto s = ValidateName("display_name", account.display_name, kNameLengthMax, true); !s.ok()) {
    return s;
  }
  if (account.kind != AccountKind::kPerson && !account.roles.empty()) {
    return Refuse(Reason::kInvalidRoles, "roles (member, volunteer, staff) belong to persons only",
                  {{"field", "roles"}});
  }
  std::set<Role> seen(account.roles.begin(), account.roles.end());
  if (seen.size() != account.roles.size() || account.roles.size() > kRolesMax) {
    return Refuse(Reason::kInvalidRoles, "roles must not repeat", {{"field", "roles"}});
  }
  return absl::OkStatus();
}

absl::Status ValidateContact(absl::string_view phone, absl::string_view email) {
  if (!phone.empty()) {
    size_t digits = 0;
    bool chars_ok = phone.size() <= kPhoneLengthMax;
    for (char c : phone) {
      if (absl::ascii_isdigit(static_cast<unsigned char>(c))) {
        ++digits;
      } else if (c != ' ' && c != '+' && c != '-' && c != '(' && c != ')' && c != '.') {
        chars_ok = false;
      }
    }
    if (!chars_ok || digits < 3) {
      return Refuse(Reason::kInvalidContact,
                    absl::StrCat("phone must be digits, spaces and + - ( ) ., at least 3 digits "
                                 "and at most ",
                                 kPhoneLengthMax, " characters"),
                    {{"field", "phone"}});
    }
  }
  if (!email.empty()) {
    const size_t at = email.find('@');
    const bool one_at =
        at != absl::string_view::npos && email.find('@', at + 1) == absl::string_view::npos;
    bool ok = email.size() <= kEmailLengthMax && one_at && at > 0 &&
              email.find('.', at + 2) != absl::string_view::npos && email.back() != '.';
    for (char c : email) {
      if (static_cast<unsigned char>(c) <= ' ' || c == 0x7f) ok = false;
    }
    if (!ok) {
      return Refuse(Reason::kInvalidContact,
                    absl::StrCat("email must be one address such as name@example.org, at most ",
                                 kEmailLengthMax, " bytes"),
                    {{"field", "email"}});
    }
  }
  return absl::OkStatus();
}

absl::Status ValidateEntrySpec(const EntrySpec& spec, absl::Time now) {
  if (auto s = ValidateId("bank_id", spec.bank_id); !s.ok()) return s;
  if (auto s = ValidateNewEntryId("entry_id", spec.entry_id, false); !s.ok()) return s;
  if (spec.reverses_seq != 0 && (!spec.imported || spec.kind != EntryKind::kReversal)) {
    return Refuse(Reason::kReversalNotRecordable,
                  "reverses_seq is only for an imported reversal; a reversal is made with "
                  "ReverseEntry",
                  {{"field", "reverses_seq"}});
  }
  if (spec.kind == EntryKind::kReversal && !(spec.imported && spec.reverses_seq != 0)) {
    return Refuse(Reason::kReversalNotRecordable,
                  "a reversal is made with ReverseEntry, pointing at the entry it undoes",
                  {{"field", "kind"}});
  }
  if (spec.kind == EntryKind::kQualificationReward) {
    return Refuse(Reason::kRewardNotRecordable,
                  "a qualification reward is paid by AwardQualification, with its award",
                  {{"field", "kind"}});
  }
  if (auto s = ValidateId("from_account_id", spec.from_account_id); !s.ok()) return s;
  if (auto s = ValidateId("to_account_id", spec.to_account_id); !s.ok()) return s;
  if (spec.from_account_id == spec.to_account_id) {
    return Refuse(
        Reason::kSelfTransfer,
        absl::StrCat("an entry needs two different accounts; both are ", spec.from_account_id),
        {{"field", "to_account_id"}});
  }
  // History moved in may hold an opening balance; anything else is at most a day's time.
  const int64_t minutes_max = spec.imported ? kImportedEntryMinutesMax : kEntryMinutesMax;
  if (spec.minutes <= 0 || spec.minutes > minutes_max) {
    return Refuse(
        Reason::kInvalidMinutes,
        absl::StrCat("minutes must be between 1 and ", minutes_max,
                     spec.imported ? " (10,000 hours) in an imported entry" : " (one day)",
                     "; got ", spec.minutes),
        {{"field", "minutes"},
         {"limit_minutes", std::to_string(minutes_max)},
         {"attempted_minutes", std::to_string(spec.minutes)}});
  }
  if (auto s = ValidateText("activity", spec.activity, kActivityLengthMax, false); !s.ok()) {
    return s;
  }
  if (auto s = ValidateText("note", spec.note, kNoteLengthMax, false); !s.ok()) return s;
  if (spec.occurred_at != absl::InfinitePast()) {
    if (spec.occurred_at > now + kClockSkewMax) {
      return Refuse(
          Reason::kOccurredInFuture,
          absl::StrCat("occurred_at ", absl::FormatTime(spec.occurred_at), " is in the future"),
          {{"field", "occurred_at"}});
    }
    if (spec.occurred_at < absl::FromUnixSeconds(kOccurredAtMinUnixSeconds)) {
      return Refuse(Reason::kInvalidOccurredAt,
                    "occurred_at is before the year 2000; check the date",
                    {{"field", "occurred_at"}});
    }
  }
  return absl::OkStatus();
}

absl::Status ValidatePageSize(int64_t page_size, size_t* effective) {
  if (page_size < 0 || page_size > static_cast<int64_t>(kPageSizeMax)) {
    return Refuse(Reason::kInvalidPageSize,
                  absl::StrCat("page_size must be between 0 and ", kPageSizeMax),
                  {{"field", "page_size"}, {"limit", std::to_string(kPageSizeMax)}});
  }
  *effective = page_size == 0 ? kPageSizeDefault : static_cast<size_t>(page_size);
  return absl::OkStatus();
}

}  // namespace timeledger::ledger
