// The generic CSV files of a bank (clients/cli/bank_csv.h): their stable columns, lower-case
// codes, names beside ids, days in the bank's zone, and the quoting a spreadsheet needs.
#include "clients/cli/bank_csv.h"

#include <string>
#include <vector>

#include "absl/strings/str_split.h"
#include "absl/time/time.h"
#include <gtest/gtest.h>

namespace timeledger::cli {
namespace {

namespace v1 = ::timeledger::v1;

std::vector<std::string> Lines(const std::string& csv) {
  EXPECT_EQ(csv.rfind("\xEF\xBB\xBF", 0), 0u) << "starts with the byte order mark";
  std::vector<std::string> lines = absl::StrSplit(csv.substr(3), "\r\n");
  EXPECT_EQ(lines.back(), "") << "every record ends in CRLF";
  lines.pop_back();
  return lines;
}

TEST(BankCsvTest, AccountsHaveCodesNamesAndTheDayTheyJoined) {
  google::protobuf::RepeatedPtrField<v1::Account> accounts;
  v1::Account& maria = *accounts.Add();
  maria.set_account_id("maria");
  maria.set_display_name("O'Neill, Maria \"Mo\"");
  maria.set_kind(v1::PERSON);
  maria.add_roles(v1::MEMBER);
  maria.add_roles(v1::VOLUNTEER);
  maria.set_status(v1::ACTIVE);
  maria.mutable_opened_at()->set_seconds(1782860400);  // 2026-06-30T23:00:00Z: 1 July in London
  maria.set_balance_minutes(-90);
  maria.set_earned_minutes(30);
  maria.set_spent_minutes(120);
  maria.set_phone("+44 20 7946 0000");
  maria.set_email("mo@example.org");
  v1::Account& erased = *accounts.Add();
  erased.set_account_id("m-0042");
  erased.set_kind(v1::PERSON);
  erased.set_status(v1::CLOSED);
  erased.set_personal_data_erased(true);
  absl::TimeZone london;
  ASSERT_TRUE(absl::LoadTimeZone("Europe/London", &london));
  const std::vector<std::string> lines = Lines(AccountsCsv(accounts, london));
  ASSERT_EQ(lines.size(), 3u);
  EXPECT_EQ(lines[0],
            "account_id,name,kind,roles,status,joined_on,balance_minutes,earned_minutes,"
            "spent_minutes,personal_data_erased,phone,email");
  EXPECT_EQ(lines[1],
            "maria,\"O'Neill, Maria \"\"Mo\"\"\",person,member;volunteer,active,2026-07-01,-90,30,"
            "120,false,'+44 20 7946 0000,mo@example.org");  // a + could start a formula
  EXPECT_EQ(lines[2], "m-0042,,person,,closed,,0,0,0,true,,");
}

TEST(BankCsvTest, EntriesNameBothSidesAndDisarmFormulas) {
  google::protobuf::RepeatedPtrField<v1::Entry> entries;
  v1::Entry& entry = *entries.Add();
  entry.set_entry_id("slip-7");
  entry.set_seq(7);
  entry.set_kind(v1::EXCHANGE);
  entry.set_from_account_id("bob");
  entry.set_to_account_id("alice");
  entry.set_minutes(90);
  entry.set_activity("gardening");
  entry.set_note("=HYPERLINK(\"x\")");
  entry.mutable_occurred_at()->set_seconds(1782860400);
  entry.mutable_recorded_at()->set_seconds(1782864000);
  entry.set_recorded_by("dana");
  entry.set_imported(true);
  v1::Entry& reversal = *entries.Add();
  reversal.set_entry_id("reversal-of-7");
  reversal.set_seq(8);
  reversal.set_kind(v1::REVERSAL);
  reversal.set_from_account_id("alice");
  reversal.set_to_account_id("bob");
  reversal.set_minutes(90);
  reversal.set_reverses_seq(7);
  const AccountNameOf name_of = [](const std::string& id) {
    return id == "alice" ? std::string("Alice Brown") : std::string();
  };
  const std::vector<std::string> lines = Lines(EntriesCsv(entries, name_of));
  ASSERT_EQ(lines.size(), 3u);
  EXPECT_EQ(lines[0],
            "entry_id,seq,occurred_at,recorded_at,kind,from_account_id,from_name,to_account_id,"
            "to_name,minutes,activity,note,reverses_seq,reversed_by_seq,recorded_by,imported");
  EXPECT_EQ(lines[1],
            "slip-7,7,2026-06-30T23:00:00Z,2026-07-01T00:00:00Z,exchange,bob,,alice,Alice Brown,"
            "90,gardening,\"'=HYPERLINK(\"\"x\"\")\",,,dana,true");
  EXPECT_EQ(lines[2], "reversal-of-7,8,,,reversal,alice,Alice Brown,bob,,90,,,7,,,false");
}

}  // namespace
}  // namespace timeledger::cli
