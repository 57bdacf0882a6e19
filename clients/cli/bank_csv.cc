#include "clients/cli/bank_csv.h"

#include <string>
#include <vector>

#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"

#include "clients/cli/report_csv.h"

namespace timeledger::cli {
namespace {

namespace v1 = ::timeledger::v1;

std::string Code(const std::string& enum_name) { return absl::AsciiStrToLower(enum_name); }

std::string Rfc3339(const google::protobuf::Timestamp& timestamp) {
  if (timestamp.seconds() == 0 && timestamp.nanos() == 0) return "";
  const absl::Time time =
      absl::FromUnixSeconds(timestamp.seconds()) + absl::Nanoseconds(timestamp.nanos());
  return absl::FormatTime("%Y-%m-%dT%H:%M:%E*SZ", time, absl::UTCTimeZone());
}

std::string Day(const google::protobuf::Timestamp& timestamp, absl::TimeZone zone) {
  if (timestamp.seconds() == 0 && timestamp.nanos() == 0) return "";
  return absl::FormatTime("%Y-%m-%d", absl::FromUnixSeconds(timestamp.seconds()), zone);
}

std::string SeqOrEmpty(uint64_t seq) { return seq == 0 ? "" : absl::StrCat(seq); }

}  // namespace

std::string AccountsCsv(const google::protobuf::RepeatedPtrField<v1::Account>& accounts,
                        absl::TimeZone zone) {
  std::string csv = kCsvByteOrderMark;
  csv += CsvRecord({"account_id", "name", "kind", "roles", "status", "joined_on", "balance_minutes",
                    "earned_minutes", "spent_minutes", "personal_data_erased", "phone", "email"});
  for (const v1::Account& account : accounts) {
    std::vector<std::string> roles;
    for (int role : account.roles()) roles.push_back(Code(v1::Role_Name(role)));
    csv += CsvRecord({CsvField(account.account_id()), CsvText(account.display_name()),
                      Code(v1::AccountKind_Name(account.kind())), absl::StrJoin(roles, ";"),
                      Code(v1::AccountStatus_Name(account.status())),
                      Day(account.opened_at(), zone), absl::StrCat(account.balance_minutes()),
                      absl::StrCat(account.earned_minutes()), absl::StrCat(account.spent_minutes()),
                      account.personal_data_erased() ? "true" : "false", CsvText(account.phone()),
                      CsvText(account.email())});
  }
  return csv;
}

std::string EntriesCsv(const google::protobuf::RepeatedPtrField<v1::Entry>& entries,
                       const AccountNameOf& name_of) {
  std::string csv = kCsvByteOrderMark;
  csv += CsvRecord({"entry_id", "seq", "occurred_at", "recorded_at", "kind", "from_account_id",
                    "from_name", "to_account_id", "to_name", "minutes", "activity", "note",
                    "reverses_seq", "reversed_by_seq", "recorded_by", "imported"});
  for (const v1::Entry& entry : entries) {
    csv += CsvRecord({CsvField(entry.entry_id()), absl::StrCat(entry.seq()),
                      Rfc3339(entry.occurred_at()), Rfc3339(entry.recorded_at()),
                      Code(v1::EntryKind_Name(entry.kind())), CsvField(entry.from_account_id()),
                      CsvText(name_of(entry.from_account_id())), CsvField(entry.to_account_id()),
                      CsvText(name_of(entry.to_account_id())), absl::StrCat(entry.minutes()),
                      CsvText(entry.activity()), CsvText(entry.note()),
                      SeqOrEmpty(entry.reverses_seq()), SeqOrEmpty(entry.reversed_by_seq()),
                      CsvField(entry.recorded_by()), entry.imported() ? "true" : "false"});
  }
  return csv;
}

}  // namespace timeledger::cli
