#include "clients/cli/import_files.h"

#include <cmath>
#include <set>
#include <utility>

#include "absl/strings/ascii.h"
#include "absl/strings/escaping.h"
#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_split.h"
#include "absl/strings/strip.h"
#include <openssl/sha.h>

#include "clients/common/search_text.h"

namespace timeledger::cli {
namespace {

namespace v1 = ::timeledger::v1;

// The ledger's limits (ledger/core/types.h), as the wire contract states them.
constexpr size_t kIdLengthMax = 64;
constexpr size_t kEntryIdLengthMax = 128;
constexpr size_t kNameLengthMax = 200;
constexpr size_t kActivityLengthMax = 64;
constexpr size_t kNoteLengthMax = 500;
constexpr int64_t kImportedEntryMinutesMax = 10'000 * 60;
constexpr size_t kMadeIdLengthMax = 48;
// The ids the ledger makes itself (types.h): an imported key that starts with one is prefixed.
constexpr absl::string_view kReservedEntryIdPrefixes[] = {"cap-excess-of-",     "closing-donation-",
                                                          "closing-write-off-", "expiry-",
                                                          "reversal-of-",       "award-"};
constexpr absl::string_view kPoolAccountId = "pool";

std::string Trimmed(absl::string_view text) {
  return std::string(absl::StripAsciiWhitespace(text));
}

// A text cut to `max` bytes at a character boundary.
std::string CutTo(absl::string_view text, size_t max, size_t* shortened) {
  if (text.size() <= max) return std::string(text);
  ++*shortened;
  size_t end = max;
  while (end > 0 && (static_cast<unsigned char>(text[end]) & 0xC0) == 0x80) --end;
  return std::string(text.substr(0, end));
}

// A cell the generic export wrote with an apostrophe before what a spreadsheet would run as a
// formula (report_csv.h): the apostrophe is not part of the text.
std::string Unguarded(absl::string_view cell) {
  if (cell.size() >= 2 && cell[0] == '\'' &&
      (cell[1] == '=' || cell[1] == '+' || cell[1] == '-' || cell[1] == '@')) {
    cell.remove_prefix(1);
  }
  return std::string(cell);
}

// A phone number and an email as the ledger takes them (ledger/core/validate.h ValidateContact):
// a value it would refuse is left out of the import and counted, not a reason to refuse the row.
bool LedgerTakesPhone(absl::string_view phone) {
  size_t digits = 0;
  for (char c : phone) {
    if (absl::ascii_isdigit(static_cast<unsigned char>(c))) {
      ++digits;
    } else if (c != ' ' && c != '+' && c != '-' && c != '(' && c != ')' && c != '.') {
      return false;
    }
  }
  return phone.size() <= 32 && digits >= 3;
}

bool LedgerTakesEmail(absl::string_view email) {
  const size_t at = email.find('@');
  if (email.size() > 254 || at == absl::string_view::npos || at == 0 ||
      email.find('@', at + 1) != absl::string_view::npos ||
      email.find('.', at + 2) == absl::string_view::npos || email.back() == '.') {
    return false;
  }
  for (char c : email) {
    if (static_cast<unsigned char>(c) <= ' ' || c == 0x7f) return false;
  }
  return true;
}

void SetContact(absl::string_view phone, absl::string_view email, ImportAccount* account,
                ImportPlan* plan) {
  const std::string p = Trimmed(phone), e = Trimmed(email);
  if (!p.empty()) {
    if (LedgerTakesPhone(p)) {
      account->phone = p;
    } else {
      ++plan->contacts_left_out;
    }
  }
  if (!e.empty()) {
    if (LedgerTakesEmail(e)) {
      account->email = e;
    } else {
      ++plan->contacts_left_out;
    }
  }
}

bool IsIdChar(char c) {
  return absl::ascii_isalnum(static_cast<unsigned char>(c)) || c == '.' || c == '_' || c == '-';
}

bool ValidAccountId(absl::string_view id) {
  if (id.empty() || id.size() > kIdLengthMax ||
      !absl::ascii_isalnum(static_cast<unsigned char>(id[0]))) {
    return false;
  }
  for (char c : id) {
    if (!IsIdChar(c)) return false;
  }
  return true;
}

bool ValidEntryId(absl::string_view id) {
  if (id.empty() || id.size() > kEntryIdLengthMax ||
      !absl::ascii_isalnum(static_cast<unsigned char>(id[0]))) {
    return false;
  }
  for (char c : id) {
    if (!IsIdChar(c) && c != ':') return false;
  }
  return true;
}

std::string HexSha256(absl::string_view bytes) {
  unsigned char digest[SHA256_DIGEST_LENGTH];
  SHA256(reinterpret_cast<const unsigned char*>(bytes.data()), bytes.size(), digest);
  return absl::BytesToHexString(
      absl::string_view(reinterpret_cast<const char*>(digest), sizeof digest));
}

// An entry's key made from what the row says: the same row gives the same key in every run,
// and the n-th of identical rows its own ("-2", "-3", ...).
class KeyMaker {
 public:
  explicit KeyMaker(absl::string_view prefix) : prefix_(prefix) {}
  std::string Make(const std::vector<std::string>& parts) {
    const std::string hash = HexSha256(absl::StrJoin(parts, std::string(1, '\0'))).substr(0, 24);
    const int seen = ++seen_[hash];
    return seen == 1 ? absl::StrCat(prefix_, hash) : absl::StrCat(prefix_, hash, "-", seen);
  }

 private:
  std::string prefix_;
  std::map<std::string, int> seen_;
};

// A date and time as the files write them: TimeOverflow's Rails forms ("2018-04-26 14:48:05
// +0200", "... UTC", the database's "2018-04-26 14:48:05" in UTC), RFC 3339, or a day
// ("2026-03-01", "01/03/2026") at midnight in `zone`.
std::optional<absl::Time> ParseWhen(absl::string_view text, absl::TimeZone zone,
                                    absl::TimeZone bare_zone) {
  const std::string value = Trimmed(text);
  if (value.empty()) return std::nullopt;
  absl::Time time;
  std::string error;
  for (const char* format : {"%Y-%m-%d %H:%M:%S %z", "%Y-%m-%dT%H:%M:%E*S%Ez"}) {
    if (absl::ParseTime(format, value, &time, &error)) return time;
  }
  if (absl::EndsWith(value, " UTC") &&
      absl::ParseTime("%Y-%m-%d %H:%M:%S", value.substr(0, value.size() - 4), absl::UTCTimeZone(),
                      &time, &error)) {
    return time;
  }
  if (absl::ParseTime("%Y-%m-%d %H:%M:%E*S", value, bare_zone, &time, &error)) return time;
  for (const char* format : {"%Y-%m-%d", "%d/%m/%Y", "%d/%m/%Y %H:%M", "%d/%m/%Y %H:%M:%S"}) {
    if (absl::ParseTime(format, value, zone, &time, &error)) return time;
  }
  return std::nullopt;
}

// Checks a date of history: not before 2000 (the ledger's own bound), not after now.
std::optional<std::string> CheckHistoryDate(absl::Time when, const ImportOptions& options) {
  if (when < absl::FromUnixSeconds(946684800)) return "the date is before the year 2000";
  if (when > options.now + absl::Minutes(5)) return "the date is in the future";
  return std::nullopt;
}

// The rows of a file that must start with a header row; nullopt (the file refused) otherwise.
std::optional<std::vector<CsvRow>> ReadTable(absl::string_view text, const std::string& file,
                                             ImportPlan* plan) {
  auto rows = ReadCsv(text);
  if (!rows.ok()) {
    plan->Refuse(file, rows.status().message());
    return std::nullopt;
  }
  if (rows->empty()) {
    plan->Refuse(file, "the file is empty: it needs a header row");
    return std::nullopt;
  }
  return *std::move(rows);
}

// Checks the day a member joined their bank before: from 1980 (the ledger's bound for joined_at)
// to now.
std::optional<std::string> CheckJoinedDate(absl::Time when, const ImportOptions& options) {
  if (when < absl::FromCivil(absl::CivilDay(1980, 1, 1), absl::UTCTimeZone()) ||
      when > options.now + absl::Minutes(5)) {
    return "the joining day is before 1980 or in the future";
  }
  return std::nullopt;
}

// The columns of a file with a header row, by name (lower case, trimmed).
class Columns {
 public:
  explicit Columns(const std::vector<std::string>& header) {
    for (size_t i = 0; i < header.size(); ++i) {
      index_[absl::AsciiStrToLower(Trimmed(header[i]))] = i;
    }
  }
  bool Has(absl::string_view name) const { return index_.count(std::string(name)) > 0; }
  std::string Get(const CsvRow& row, absl::string_view name) const {
    auto it = index_.find(std::string(name));
    if (it == index_.end() || it->second >= row.fields.size()) return "";
    return Unguarded(Trimmed(row.fields[it->second]));
  }

 private:
  std::map<std::string, size_t> index_;
};

// Account ids for the accounts of one import: made ones avoid every id already taken (in the
// bank by another account, or earlier in the files).
class IdBook {
 public:
  explicit IdBook(const ImportOptions& options) : existing_(options.existing) {}

  // The wanted id if it is free or is this account's in the bank (SameAccount: an earlier run
  // opened it); else wanted-2, wanted-3, ...
  std::string Take(const std::string& wanted, const ImportAccount& account) {
    for (int n = 1;; ++n) {
      const std::string id = n == 1 ? wanted : absl::StrCat(wanted, "-", n);
      if (taken_.count(id) > 0) continue;
      auto it = existing_.find(id);
      if (it != existing_.end() && !SameAccount(it->second, account)) continue;
      taken_.insert(id);
      return id;
    }
  }
  bool Taken(const std::string& id) const { return taken_.count(id) > 0; }
  void Claim(const std::string& id) { taken_.insert(id); }

 private:
  const std::map<std::string, ImportOptions::Existing>& existing_;
  std::set<std::string> taken_;
};

// Text as the ledger takes it: valid UTF-8 (false otherwise), with the control characters a
// spreadsheet or a multi-line TimeOverflow reason holds (line ends, tabs) made spaces.
bool Tidy(std::string* text, size_t* tidied) {
  bool changed = false;
  for (size_t i = 0; i < text->size();) {
    const auto c = static_cast<unsigned char>((*text)[i]);
    if (c < 0x20 || c == 0x7f) {
      (*text)[i++] = ' ';
      changed = true;
      continue;
    }
    const size_t length = c < 0x80           ? 1
                          : (c >> 5) == 0x6  ? 2
                          : (c >> 4) == 0xe  ? 3
                          : (c >> 3) == 0x1e ? 4
                                             : 0;
    if (length == 0 || i + length > text->size()) return false;
    for (size_t k = 1; k < length; ++k) {
      if ((static_cast<unsigned char>((*text)[i + k]) & 0xC0) != 0x80) return false;
    }
    i += length;
  }
  if (changed) ++*tidied;
  return true;
}

// Each kind of entry moves minutes between the kinds of account it is meant for, as the ledger
// checks it (ledger/engine/commands.cc CheckKindFits): "" if it fits, else why not.
std::string KindMisfit(v1::EntryKind kind, v1::AccountKind from, v1::AccountKind to) {
  const bool from_pool = from == v1::POOL, to_pool = to == v1::POOL;
  switch (kind) {
    case v1::DONATION:
      return to_pool && !from_pool ? ""
                                   : "a donation goes from a person or an organisation to the pool";
    case v1::GRANT:
      return from_pool && !to_pool ? ""
                                   : "a grant goes from the pool to a person or an organisation";
    case v1::AWARD:
      if (from != v1::ORGANISATION) return "an award is paid by an organisation";
      break;
    case v1::SPEND:
      if (to != v1::ORGANISATION) return "credits are spent at an organisation";
      break;
    case v1::REVERSAL:
      return "";  // as the entry it undoes
    default:
      break;
  }
  return from_pool || to_pool ? "the pool takes donations and makes grants only" : "";
}

void AddEntryBalances(ImportPlan* plan);

}  // namespace

bool SameAccount(const ImportOptions::Existing& existing, const ImportAccount& account) {
  if (existing.kind != account.kind) return false;
  if (account.any_name) return true;
  if (existing.name.empty() ? !account.personal_data_erased : existing.name != account.name) {
    return false;
  }
  return !account.joined_at.has_value() || existing.opened_at == *account.joined_at;
}

namespace {

void AddEntryBalances(ImportPlan* plan) {
  for (const ImportAccount& account : plan->accounts) {
    plan->balances[account.account_id] += account.opening_balance_minutes;
  }
  for (const ImportEntry& entry : plan->entries) {
    plan->balances[entry.from_account_id] -= entry.minutes;
    plan->balances[entry.to_account_id] += entry.minutes;
  }
  plan->balances.erase(std::string(kPoolAccountId));
}

// --- TimeOverflow -------------------------------------------------------------------------------

// The admin's complete member report: N, Username, Email, Date of birth, Phone, Alt phone,
// Address, Created at, Updated at, Gender, Description, Terms accepted at, Current sign in at,
// Last sign in at, Locale, Notifications (the header in the admin's language).
constexpr size_t kMembersReportColumns = 16;
// The member importer's headerless rows: member_uid, entry_date, three name parts, gender,
// date_of_birth, phone, alt_phone, email.
constexpr size_t kMembersImporterColumns = 10;
// The complete transfer report: Date, from, from ID, to, to ID, post, post ID, Reason, quantity
// (hours, two decimals).
constexpr size_t kTransfersReportColumns = 9;
// The transfer importer's headerless rows: source_id, source_type, destination_id,
// destination_type, amount (seconds), created_at, reason, post_id.
constexpr size_t kTransfersImporterColumns = 8;

struct Member {
  std::string account_id;
};

}  // namespace

void ImportPlan::Refuse(const std::string& where, absl::string_view why) {
  ++problem_count;
  if (problems.size() < kImportProblemsShownMax) problems.push_back(absl::StrCat(where, ": ", why));
}

absl::StatusOr<std::vector<CsvRow>> ReadCsv(absl::string_view text) {
  if (absl::StartsWith(text, "\xEF\xBB\xBF")) text.remove_prefix(3);
  std::vector<CsvRow> rows;
  CsvRow row;
  std::string field;
  size_t line = 1;
  size_t i = 0;
  bool row_started = false;
  auto end_field = [&] {
    row.fields.push_back(std::move(field));
    field.clear();
  };
  auto end_row = [&]() -> absl::Status {
    end_field();
    const bool blank = row.fields.size() == 1 && row.fields[0].empty();
    if (!blank) {
      if (rows.size() >= kImportRowsMax) {
        return absl::InvalidArgumentError(
            absl::StrCat("more than ", kImportRowsMax, " rows: split the file"));
      }
      rows.push_back(std::move(row));
    }
    row = CsvRow();
    row_started = false;
    return absl::OkStatus();
  };
  while (i < text.size()) {
    if (!row_started) {
      row.line = line;
      row_started = true;
    }
    const char c = text[i];
    if (c == '"' && field.empty()) {
      const size_t opened_on = line;
      ++i;
      for (;;) {
        if (i >= text.size()) {
          return absl::InvalidArgumentError(
              absl::StrCat("line ", opened_on, ": a quoted field is not closed"));
        }
        if (text[i] == '"') {
          if (i + 1 < text.size() && text[i + 1] == '"') {
            field.push_back('"');
            i += 2;
            continue;
          }
          ++i;
          break;
        }
        if (text[i] == '\n') ++line;
        field.push_back(text[i++]);
      }
      if (i < text.size() && text[i] != ',' && text[i] != '\n' && text[i] != '\r') {
        return absl::InvalidArgumentError(
            absl::StrCat("line ", line, ": a character after a closing quote"));
      }
      continue;
    }
    if (c == ',') {
      end_field();
      ++i;
    } else if (c == '\r' || c == '\n') {
      if (c == '\r' && i + 1 < text.size() && text[i + 1] == '\n') ++i;
      ++i;
      if (auto s = end_row(); !s.ok()) return s;
      ++line;
    } else {
      field.push_back(c);
      ++i;
    }
  }
  if (row_started) {
    if (auto s = end_row(); !s.ok()) return s;
  }
  return rows;
}

std::string IdFromName(absl::string_view name) {
  const std::string folded = clients::FoldForSearch(name);
  std::string id;
  for (char c : folded) {
    if (absl::ascii_isalnum(static_cast<unsigned char>(c))) {
      id.push_back(c);
    } else if (!id.empty() && id.back() != '-') {
      id.push_back('-');
    }
  }
  if (id.size() > kMadeIdLengthMax) id.resize(kMadeIdLengthMax);
  while (!id.empty() && id.back() == '-') id.pop_back();
  return id.empty() ? "member" : id;
}

ImportPlan PlanTimeOverflow(absl::string_view members_text, absl::string_view members_file,
                            absl::string_view transfers_text, absl::string_view transfers_file,
                            const ImportOptions& options) {
  ImportPlan plan;
  const std::string mfile(members_file), tfile(transfers_file);
  auto members_rows = ReadCsv(members_text);
  auto transfers_rows = ReadCsv(transfers_text);
  if (!members_rows.ok()) plan.Refuse(mfile, members_rows.status().message());
  if (!transfers_rows.ok()) plan.Refuse(tfile, transfers_rows.status().message());
  if (!members_rows.ok() || !transfers_rows.ok()) return plan;

  IdBook ids(options);
  std::map<std::string, Member> members;  // by TimeOverflow member number
  // The members: either form, told apart by the report's header row ("N" first).
  const std::vector<CsvRow>& mrows = *members_rows;
  const bool report_form = !mrows.empty() && mrows[0].fields.size() == kMembersReportColumns &&
                           Trimmed(mrows[0].fields[0]) == "N";
  const size_t mcolumns = report_form ? kMembersReportColumns : kMembersImporterColumns;
  bool other_details = false;
  for (size_t r = report_form ? 1 : 0; r < mrows.size(); ++r) {
    const CsvRow& row = mrows[r];
    const std::string where = absl::StrCat(mfile, " line ", row.line);
    if (row.fields.size() != mcolumns) {
      plan.Refuse(where, absl::StrCat("expected ", mcolumns, " fields (TimeOverflow's ",
                                      report_form ? "member report" : "member importer",
                                      " form), found ", row.fields.size()));
      continue;
    }
    ImportAccount account;
    account.where = where;
    account.source_id = Trimmed(row.fields[0]);
    std::string joined;
    if (report_form) {
      account.name = Trimmed(row.fields[1]);
      joined = row.fields[7];  // Created at, the database's form in UTC
      SetContact(row.fields[4], row.fields[2], &account, &plan);  // Phone, Email
      other_details = other_details || !Trimmed(row.fields[3]).empty() ||
                      !Trimmed(row.fields[5]).empty() || !Trimmed(row.fields[6]).empty() ||
                      !Trimmed(row.fields[9]).empty();
    } else {
      std::vector<std::string> parts;
      for (size_t i = 2; i <= 4; ++i) {
        if (!Trimmed(row.fields[i]).empty()) parts.push_back(Trimmed(row.fields[i]));
      }
      account.name = absl::StrJoin(parts, " ");
      joined = row.fields[1];                                     // entry_date
      SetContact(row.fields[7], row.fields[9], &account, &plan);  // phone, email
      other_details = other_details || !Trimmed(row.fields[5]).empty() ||
                      !Trimmed(row.fields[6]).empty() || !Trimmed(row.fields[8]).empty();
    }
    if (account.source_id.empty() ||
        !std::all_of(account.source_id.begin(), account.source_id.end(),
                     [](char c) { return absl::ascii_isdigit(static_cast<unsigned char>(c)); })) {
      plan.Refuse(where,
                  absl::StrCat("the member number \"", account.source_id, "\" is not a number"));
      continue;
    }
    if (members.count(account.source_id) > 0) {
      plan.Refuse(where, absl::StrCat("member number ", account.source_id, " is given twice"));
      continue;
    }
    if (!Tidy(&account.name, &plan.texts_shortened)) {
      plan.Refuse(where, "the name is not UTF-8 text");
      continue;
    }
    if (account.name.empty() || account.name.size() > kNameLengthMax) {
      plan.Refuse(where, account.name.empty()
                             ? "the member has no name"
                             : absl::StrCat("the name is longer than ", kNameLengthMax, " bytes"));
      continue;
    }
    if (!Trimmed(joined).empty()) {
      auto when = ParseWhen(joined, options.zone, absl::UTCTimeZone());
      if (!when.has_value()) {
        plan.Refuse(where, absl::StrCat("the date \"", Trimmed(joined), "\" is not a date"));
        continue;
      }
      if (auto problem = CheckJoinedDate(*when, options)) {
        plan.Refuse(where, absl::StrCat(*problem, ": ", Trimmed(joined)));
        continue;
      }
      account.joined_at = *when;
    }
    const std::string wanted =
        options.ids_from_numbers ? absl::StrCat("m-", account.source_id) : IdFromName(account.name);
    account.account_id = ids.Take(wanted, account);
    account.id_made = true;
    account.roles = {v1::MEMBER};
    members[account.source_id] = Member{account.account_id};
    plan.accounts.push_back(std::move(account));
  }
  if (other_details) {
    plan.notes.push_back(
        "second phone numbers, addresses, dates of birth and genders are not imported: "
        "Timeledger does not hold them");
  }

  // The transfers: either form, told apart by the report's header row (its first cell no date).
  const std::vector<CsvRow>& trows = *transfers_rows;
  const bool treport = !trows.empty() && trows[0].fields.size() == kTransfersReportColumns &&
                       !ParseWhen(trows[0].fields[0], options.zone, options.zone).has_value();
  const size_t tcolumns = treport ? kTransfersReportColumns : kTransfersImporterColumns;
  std::string organisation_name = options.organisation_name;
  bool organisation_used = false, former_used = false;
  KeyMaker keys("to-");
  // The account of one side: the organisation (ID 0, or type "organization"), a member by number,
  // or the former members' account for inactive_user / deleted_user.
  auto side = [&](const std::string& id, bool organisation, const std::string& name,
                  std::string* account_id) -> std::optional<std::string> {
    if (organisation) {
      if (!name.empty()) organisation_name = name;
      *account_id = options.organisation_id;
      return std::nullopt;
    }
    if (id == "inactive_user" || id == "deleted_user") {
      if (options.former_members_id.empty()) {
        return absl::StrCat("TimeOverflow shows this member only as ", id,
                            ": give --former-members ID to gather such transfers on one account");
      }
      *account_id = options.former_members_id;
      return std::nullopt;
    }
    auto it = members.find(id);
    if (it == members.end()) {
      return absl::StrCat("member number \"", id, "\" is not in ", mfile);
    }
    *account_id = it->second.account_id;
    return std::nullopt;
  };
  for (size_t r = treport ? 1 : 0; r < trows.size(); ++r) {
    const CsvRow& row = trows[r];
    const std::string where = absl::StrCat(tfile, " line ", row.line);
    if (row.fields.size() != tcolumns) {
      plan.Refuse(where, absl::StrCat("expected ", tcolumns, " fields (TimeOverflow's ",
                                      treport ? "transfer report" : "transfer importer",
                                      " form), found ", row.fields.size()));
      continue;
    }
    auto f = [&row](size_t i) { return Trimmed(row.fields[i]); };
    ImportEntry entry;
    entry.where = where;
    std::string when_text, amount_text, from_id, to_id, post_id;
    bool from_org = false, to_org = false;
    std::string from_name, to_name, post;
    if (treport) {
      when_text = f(0);
      from_name = f(1);
      from_id = f(2);
      to_name = f(3);
      to_id = f(4);
      post = f(5);
      post_id = f(6);
      entry.note = f(7);
      amount_text = f(8);
      from_org = from_id == "0";
      to_org = to_id == "0";
    } else {
      from_id = f(0);
      from_org = absl::EqualsIgnoreCase(f(1), "organization");
      to_id = f(2);
      to_org = absl::EqualsIgnoreCase(f(3), "organization");
      amount_text = f(4);
      when_text = f(5);
      entry.note = f(6);
      post_id = f(7);
    }
    std::vector<std::string> why;
    if (auto problem = side(from_id, from_org, from_org ? from_name : "", &entry.from_account_id)) {
      why.push_back(*problem);
    }
    if (auto problem = side(to_id, to_org, to_org ? to_name : "", &entry.to_account_id)) {
      why.push_back(*problem);
    }
    if (from_org && to_org) why.push_back("both sides are the organisation");
    if (why.empty() && entry.from_account_id == entry.to_account_id) {
      why.push_back("both sides are the same account");
    }
    // The amount: hours with two decimals in the report, seconds in the importer's rows.
    double amount = 0;
    if (!absl::SimpleAtod(amount_text, &amount) || !std::isfinite(amount) || amount <= 0) {
      why.push_back(absl::StrCat("the quantity \"", amount_text, "\" is not a positive number"));
    } else {
      const double minutes = treport ? amount * 60.0 : amount / 60.0;
      entry.minutes = std::llround(minutes);
      if (std::fabs(minutes - static_cast<double>(entry.minutes)) > 1e-6) ++plan.rows_rounded;
      if (entry.minutes <= 0) {
        why.push_back(
            absl::StrCat("the quantity \"", amount_text, "\" is less than half a minute"));
      } else if (entry.minutes > kImportedEntryMinutesMax) {
        why.push_back(absl::StrCat("the quantity \"", amount_text, "\" is more than 10,000 hours"));
      }
    }
    // The importer's created_at is read by Rails in its Time.zone, UTC in TimeOverflow; the
    // report's dates carry their offset.
    auto when = ParseWhen(when_text, options.zone, absl::UTCTimeZone());
    if (!when.has_value()) {
      why.push_back(absl::StrCat("the date \"", when_text, "\" is not a date"));
    } else if (auto problem = CheckHistoryDate(*when, options)) {
      why.push_back(*problem);
    } else {
      entry.occurred_at = *when;
    }
    if (!Tidy(&post, &plan.texts_shortened) || !Tidy(&entry.note, &plan.texts_shortened)) {
      why.push_back("the post or the reason is not UTF-8 text");
    }
    if (!why.empty()) {
      plan.Refuse(where, absl::StrJoin(why, "; "));
      continue;
    }
    entry.kind = from_org ? v1::AWARD : to_org ? v1::SPEND : v1::EXCHANGE;
    organisation_used = organisation_used || from_org || to_org;
    former_used = former_used || (!options.former_members_id.empty() &&
                                  (entry.from_account_id == options.former_members_id ||
                                   entry.to_account_id == options.former_members_id));
    entry.activity = CutTo(post, kActivityLengthMax, &plan.texts_shortened);
    entry.note = CutTo(entry.note, kNoteLengthMax, &plan.texts_shortened);
    entry.entry_id =
        keys.Make({absl::StrCat(absl::ToUnixMicros(entry.occurred_at)), from_org ? "org" : from_id,
                   to_org ? "org" : to_id, absl::StrCat(entry.minutes), post_id, entry.note});
    plan.entries.push_back(std::move(entry));
  }
  if (organisation_used) {
    ImportAccount org;
    org.account_id = options.organisation_id;
    org.name = CutTo(organisation_name, kNameLengthMax, &plan.texts_shortened);
    org.kind = v1::ORGANISATION;
    org.any_name = true;
    org.where = "the organisation (TimeOverflow's ID 0)";
    if (ids.Taken(org.account_id)) {
      plan.Refuse(org.where, absl::StrCat("the organisation's id ", org.account_id,
                                          " is a member's: give --organisation ID"));
    }
    plan.accounts.insert(plan.accounts.begin(), std::move(org));
  }
  if (former_used) {
    ImportAccount former;
    former.account_id = options.former_members_id;
    former.name = "Former members (TimeOverflow)";
    former.roles = {v1::MEMBER};
    former.where = "the former members' account (--former-members)";
    if (ids.Taken(former.account_id)) {
      plan.Refuse(former.where, absl::StrCat(former.account_id, " is a member's id"));
    }
    plan.accounts.push_back(std::move(former));
  }
  AddEntryBalances(&plan);
  return plan;
}

ImportPlan PlanGeneric(absl::string_view accounts_text, absl::string_view accounts_file,
                       absl::string_view entries_text, absl::string_view entries_file,
                       const ImportOptions& options) {
  ImportPlan plan;
  const std::string afile(accounts_file), efile(entries_file);
  const bool with_entries = !efile.empty();
  auto arows = ReadTable(accounts_text, afile, &plan);
  if (!arows.has_value()) return plan;
  const Columns columns((*arows)[0].fields);
  if (!columns.Has("name") && !columns.Has("account_id")) {
    plan.Refuse(absl::StrCat(afile, " line ", (*arows)[0].line),
                "the header row names neither account_id nor name");
    return plan;
  }
  IdBook ids(options);
  std::map<std::string, std::optional<int64_t>> stated_balance;  // by account id
  std::map<std::string, std::string> where_of;
  for (size_t r = 1; r < arows->size(); ++r) {
    const CsvRow& row = (*arows)[r];
    const std::string where = absl::StrCat(afile, " line ", row.line);
    std::vector<std::string> why;
    ImportAccount account;
    account.where = where;
    account.name = columns.Get(row, "name");
    account.account_id = columns.Get(row, "account_id");
    const std::string kind = absl::AsciiStrToLower(columns.Get(row, "kind"));
    if (kind == "pool") {  // every bank has its pool
      if (!account.account_id.empty() && account.account_id != kPoolAccountId) {
        plan.Refuse(where, "a bank's pool is called pool");
      }
      continue;
    }
    if (kind.empty() || kind == "person") {
      account.kind = v1::PERSON;
    } else if (kind == "organisation" || kind == "organization") {
      account.kind = v1::ORGANISATION;
    } else {
      why.push_back(absl::StrCat("kind \"", kind, "\" is none of person, organisation"));
    }
    account.personal_data_erased =
        absl::EqualsIgnoreCase(columns.Get(row, "personal_data_erased"), "true");
    if (account.personal_data_erased && account.name.empty()) account.name = "an erased member";
    SetContact(columns.Get(row, "phone"), columns.Get(row, "email"), &account, &plan);
    if (account.name.empty()) why.push_back("the account has no name");
    if (account.name.size() > kNameLengthMax) {
      why.push_back(absl::StrCat("the name is longer than ", kNameLengthMax, " bytes"));
    }
    if (!Tidy(&account.name, &plan.texts_shortened)) why.push_back("the name is not UTF-8 text");
    if (!account.account_id.empty() && !ValidAccountId(account.account_id)) {
      why.push_back(absl::StrCat("account_id \"", account.account_id,
                                 "\" is not an id (letters, digits, . _ -, at most 64)"));
    } else if (!account.account_id.empty() && ids.Taken(account.account_id)) {
      why.push_back(absl::StrCat("account_id ", account.account_id, " is given twice"));
    } else if (!account.account_id.empty()) {
      ids.Claim(account.account_id);
    }
    for (absl::string_view role :
         absl::StrSplit(columns.Get(row, "roles"), ';', absl::SkipWhitespace())) {
      const std::string name = absl::AsciiStrToLower(absl::StripAsciiWhitespace(role));
      if (name == "member")
        account.roles.push_back(v1::MEMBER);
      else if (name == "volunteer")
        account.roles.push_back(v1::VOLUNTEER);
      else if (name == "staff")
        account.roles.push_back(v1::STAFF);
      else
        why.push_back(absl::StrCat("role \"", name, "\" is none of member, volunteer, staff"));
    }
    std::sort(account.roles.begin(), account.roles.end());
    account.roles.erase(std::unique(account.roles.begin(), account.roles.end()),
                        account.roles.end());
    if (account.kind == v1::ORGANISATION) account.roles.clear();
    const std::string status = absl::AsciiStrToLower(columns.Get(row, "status"));
    if (status.empty() || status == "active") {
      account.status = v1::ACTIVE;
    } else if (status == "suspended") {
      account.status = v1::SUSPENDED;
    } else if (status == "closed") {
      account.status = v1::CLOSED;
    } else {
      why.push_back(absl::StrCat("status \"", status, "\" is none of active, suspended, closed"));
    }
    const std::string joined = columns.Get(row, "joined_on");
    if (!joined.empty()) {
      auto when = ParseWhen(joined, options.zone, options.zone);
      if (!when.has_value()) {
        why.push_back(absl::StrCat("joined_on \"", joined, "\" is not a date"));
      } else if (auto problem = CheckJoinedDate(*when, options)) {
        why.push_back(absl::StrCat(*problem, ": joined_on ", joined));
      } else {
        account.joined_at = *when;
      }
    }
    auto minutes_of = [&](absl::string_view column, std::optional<int64_t>* out) {
      const std::string text = columns.Get(row, column);
      if (text.empty()) return;
      int64_t value = 0;
      if (!absl::SimpleAtoi(text, &value) || value < -kImportedEntryMinutesMax ||
          value > kImportedEntryMinutesMax) {
        why.push_back(absl::StrCat(column, " \"", text,
                                   "\" is not a whole number of minutes within 10,000 hours"));
        return;
      }
      *out = value;
    };
    std::optional<int64_t> opening, balance;
    minutes_of("opening_balance_minutes", &opening);
    minutes_of("balance_minutes", &balance);
    // A spreadsheet of balances without entries: the balance is where the member starts.
    if (!columns.Has("opening_balance_minutes") && !with_entries) opening = balance;
    account.opening_balance_minutes = opening.value_or(0);
    const std::string opening_on = columns.Get(row, "opening_balance_on");
    if (!opening_on.empty()) {
      auto when = ParseWhen(opening_on, options.zone, options.zone);
      if (!when.has_value() || CheckHistoryDate(*when, options).has_value()) {
        why.push_back(absl::StrCat("opening_balance_on \"", opening_on,
                                   "\" is not a date from 2000 to today"));
      } else {
        account.opening_balance_at = *when;
      }
    }
    if (account.account_id.empty() && why.empty()) {
      account.account_id = ids.Take(IdFromName(account.name), account);
      account.id_made = true;
    }
    if (!why.empty()) {
      plan.Refuse(where, absl::StrJoin(why, "; "));
      continue;
    }
    stated_balance[account.account_id] = with_entries ? balance : std::nullopt;
    where_of[account.account_id] = where;
    plan.accounts.push_back(std::move(account));
  }
  // The kind of every account an entry may name: the files', the pool, the bank's active ones.
  std::map<std::string, v1::AccountKind> kind_of = {{std::string(kPoolAccountId), v1::POOL}};
  for (const ImportAccount& account : plan.accounts) kind_of[account.account_id] = account.kind;

  if (with_entries) {
    auto erows = ReadTable(entries_text, efile, &plan);
    if (!erows.has_value()) return plan;
    const Columns ecolumns((*erows)[0].fields);
    const size_t problems_before = plan.problem_count;
    for (absl::string_view needed : {"from_account_id", "to_account_id"}) {
      if (!ecolumns.Has(needed)) {
        plan.Refuse(absl::StrCat(efile, " line ", (*erows)[0].line),
                    absl::StrCat("the header row has no ", needed, " column"));
      }
    }
    if (!ecolumns.Has("minutes") && !ecolumns.Has("hours")) {
      plan.Refuse(absl::StrCat(efile, " line ", (*erows)[0].line),
                  "the header row has neither minutes nor hours");
    }
    if (plan.problem_count > problems_before) return plan;
    KeyMaker keys("import-");
    std::set<std::string> entry_ids;
    std::set<uint64_t> seqs;
    std::vector<ImportEntry> reversals;
    size_t rewards = 0;
    for (size_t r = 1; r < erows->size(); ++r) {
      const CsvRow& row = (*erows)[r];
      const std::string where = absl::StrCat(efile, " line ", row.line);
      std::vector<std::string> why;
      ImportEntry entry;
      entry.where = where;
      entry.from_account_id = ecolumns.Get(row, "from_account_id");
      entry.to_account_id = ecolumns.Get(row, "to_account_id");
      std::optional<v1::AccountKind> from_kind, to_kind;
      for (const std::string* id : {&entry.from_account_id, &entry.to_account_id}) {
        std::optional<v1::AccountKind>& kind = id == &entry.from_account_id ? from_kind : to_kind;
        auto in_files = kind_of.find(*id);
        auto in_bank = options.existing.find(*id);
        if (id->empty()) {
          why.push_back("an account id is missing");
        } else if (in_files != kind_of.end()) {
          kind = in_files->second;
        } else if (in_bank == options.existing.end()) {
          why.push_back(
              absl::StrCat("account ", *id, " is neither in ", afile, " nor in the bank"));
        } else if (!in_bank->second.active) {
          why.push_back(absl::StrCat("account ", *id, " is not active in the bank"));
        } else {
          kind = in_bank->second.kind;
        }
      }
      if (entry.from_account_id == entry.to_account_id && !entry.from_account_id.empty()) {
        why.push_back("both sides are the same account");
      }
      const std::string kind = absl::AsciiStrToLower(ecolumns.Get(row, "kind"));
      static const std::map<std::string, v1::EntryKind> kKinds = {
          {"", v1::EXCHANGE},         {"exchange", v1::EXCHANGE},         {"award", v1::AWARD},
          {"spend", v1::SPEND},       {"donation", v1::DONATION},         {"grant", v1::GRANT},
          {"reversal", v1::REVERSAL}, {"qualification_reward", v1::AWARD}};
      auto kind_it = kKinds.find(kind);
      if (kind_it == kKinds.end()) {
        why.push_back(absl::StrCat("kind \"", kind, "\" is not a kind of entry"));
      } else {
        entry.kind = kind_it->second;
        if (kind == "qualification_reward") ++rewards;
        if (from_kind.has_value() && to_kind.has_value()) {
          const std::string misfit = KindMisfit(entry.kind, *from_kind, *to_kind);
          if (!misfit.empty()) why.push_back(misfit);
        }
      }
      const std::string minutes = ecolumns.Get(row, "minutes");
      const std::string hours = ecolumns.Get(row, "hours");
      if (!minutes.empty()) {
        if (!absl::SimpleAtoi(minutes, &entry.minutes) || entry.minutes <= 0 ||
            entry.minutes > kImportedEntryMinutesMax) {
          why.push_back(absl::StrCat("minutes \"", minutes, "\" is not a whole number from 1 to ",
                                     kImportedEntryMinutesMax));
        }
      } else {
        double value = 0;
        if (!absl::SimpleAtod(hours, &value) || !std::isfinite(value) || value <= 0 ||
            value * 60 > kImportedEntryMinutesMax) {
          why.push_back(absl::StrCat("hours \"", hours, "\" is not a positive number of hours"));
        } else {
          entry.minutes = std::llround(value * 60);
          if (std::fabs(value * 60 - static_cast<double>(entry.minutes)) > 1e-6)
            ++plan.rows_rounded;
          if (entry.minutes <= 0) why.push_back("the hours are less than half a minute");
        }
      }
      const std::string when_text = ecolumns.Get(row, "occurred_at");
      if (!when_text.empty()) {
        auto when = ParseWhen(when_text, options.zone, options.zone);
        if (!when.has_value()) {
          why.push_back(absl::StrCat("occurred_at \"", when_text, "\" is not a date"));
        } else if (auto problem = CheckHistoryDate(*when, options)) {
          why.push_back(*problem);
        } else {
          entry.occurred_at = *when;
        }
      }
      entry.activity =
          CutTo(ecolumns.Get(row, "activity"), kActivityLengthMax, &plan.texts_shortened);
      entry.note = CutTo(ecolumns.Get(row, "note"), kNoteLengthMax, &plan.texts_shortened);
      if (!Tidy(&entry.activity, &plan.texts_shortened) ||
          !Tidy(&entry.note, &plan.texts_shortened)) {
        why.push_back("the activity or the note is not UTF-8 text");
      }
      const std::string seq = ecolumns.Get(row, "seq");
      if (!seq.empty() && (!absl::SimpleAtoi(seq, &entry.source_seq) || entry.source_seq == 0 ||
                           !seqs.insert(entry.source_seq).second)) {
        why.push_back(absl::StrCat("seq \"", seq, "\" is not a number, or is given twice"));
      }
      const std::string reverses = ecolumns.Get(row, "reverses_seq");
      if (entry.kind == v1::REVERSAL) {
        if (!absl::SimpleAtoi(reverses, &entry.reverses_source_seq) ||
            entry.reverses_source_seq == 0 || seqs.count(entry.reverses_source_seq) == 0 ||
            entry.reverses_source_seq == entry.source_seq) {
          why.push_back(absl::StrCat("a reversal's reverses_seq \"", reverses,
                                     "\" names no entry before it in the file"));
        }
      }
      std::string id = ecolumns.Get(row, "entry_id");
      if (!id.empty()) {
        for (absl::string_view prefix : kReservedEntryIdPrefixes) {
          if (absl::StartsWith(id, prefix)) id = absl::StrCat("import-", id);
        }
        if (!ValidEntryId(id)) {
          why.push_back(absl::StrCat("entry_id \"", id,
                                     "\" is not an id (letters, digits, . _ - :, "
                                     "at most 128)"));
        }
      } else if (why.empty()) {
        id = keys.Make({absl::StrCat(absl::ToUnixMicros(entry.occurred_at)), entry.from_account_id,
                        entry.to_account_id, absl::StrCat(entry.minutes), kind, entry.activity,
                        entry.note});
      }
      if (!id.empty() && !entry_ids.insert(id).second) {
        why.push_back(absl::StrCat("entry_id ", id, " is given twice"));
      }
      if (!why.empty()) {
        plan.Refuse(where, absl::StrJoin(why, "; "));
        continue;
      }
      entry.entry_id = std::move(id);
      if (entry.kind == v1::REVERSAL) {
        reversals.push_back(std::move(entry));
      } else {
        plan.entries.push_back(std::move(entry));
      }
    }
    // A reversal undoes an entry of the file: its accounts swapped, its minutes.
    std::map<uint64_t, const ImportEntry*> by_seq;
    for (const ImportEntry& entry : plan.entries) {
      if (entry.source_seq != 0) by_seq[entry.source_seq] = &entry;
    }
    std::set<uint64_t> reversed;
    for (const ImportEntry& reversal : reversals) {
      auto it = by_seq.find(reversal.reverses_source_seq);
      if (it == by_seq.end() || it->second->from_account_id != reversal.to_account_id ||
          it->second->to_account_id != reversal.from_account_id ||
          it->second->minutes != reversal.minutes ||
          !reversed.insert(reversal.reverses_source_seq).second) {
        plan.Refuse(reversal.where, absl::StrCat("the reversal does not undo entry seq ",
                                                 reversal.reverses_source_seq,
                                                 " (its accounts swapped, its minutes, once)"));
      }
    }
    for (ImportEntry& reversal : reversals) plan.entries.push_back(std::move(reversal));
    if (rewards > 0) {
      plan.notes.push_back(absl::StrCat(rewards,
                                        " qualification rewards are imported as awards: "
                                        "the qualifications are not in the files"));
    }
  }
  AddEntryBalances(&plan);
  for (const auto& [account_id, stated] : stated_balance) {
    if (stated.has_value() && *stated != plan.balances[account_id]) {
      plan.Refuse(where_of[account_id], absl::StrCat("balance_minutes is ", *stated,
                                                     ", but the opening balance and the "
                                                     "entries give ",
                                                     plan.balances[account_id]));
    }
  }
  for (const ImportAccount& account : plan.accounts) {
    if (account.status == v1::CLOSED && plan.balances[account.account_id] != 0) {
      plan.Refuse(account.where, "a closed account must end with a balance of zero");
    }
  }
  return plan;
}

}  // namespace timeledger::cli
