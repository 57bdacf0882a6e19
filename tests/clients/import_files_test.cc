// The reading of other systems' files for `timeledger import` (clients/cli/import_files.h): CSV as
// RFC 4180 writes it, ids made from names, TimeOverflow's rows mapped to accounts and entries, and
// every refused row named by its file and line. The whole import, against a real server, is
// tests/e2e/import_scenario_test.sh.
#include "clients/cli/import_files.h"

#include <gtest/gtest.h>

namespace timeledger::cli {
namespace {

namespace v1 = ::timeledger::v1;

ImportOptions Options() {
  ImportOptions options;
  options.bank_id = "hcct";
  options.now = absl::FromUnixSeconds(1'790'000'000);  // 2026-09-21
  return options;
}

TEST(ReadCsvTest, ReadsQuotedFieldsLineEndsAndTheByteOrderMark) {
  auto rows = ReadCsv(
      "\xEF\xBB\xBF"
      "a,\"b, c\",\"say \"\"hi\"\"\"\r\n\r\n\"two\nlines\",x\nlast,");
  ASSERT_TRUE(rows.ok()) << rows.status();
  ASSERT_EQ(rows->size(), 3u);
  EXPECT_EQ((*rows)[0].fields, (std::vector<std::string>{"a", "b, c", "say \"hi\""}));
  EXPECT_EQ((*rows)[1].line, 3u);
  EXPECT_EQ((*rows)[1].fields, (std::vector<std::string>{"two\nlines", "x"}));
  EXPECT_EQ((*rows)[2].line, 5u);
  EXPECT_EQ((*rows)[2].fields, (std::vector<std::string>{"last", ""}));
}

TEST(ReadCsvTest, AQuoteLeftOpenIsNamedByItsLine) {
  auto rows = ReadCsv("a,b\nc,\"open\nstill open");
  ASSERT_FALSE(rows.ok());
  EXPECT_NE(rows.status().message().find("line 2"), std::string::npos) << rows.status();
  EXPECT_FALSE(ReadCsv("\"closed\"x,y\n").ok());
}

TEST(IdFromNameTest, FoldsNamesIntoIds) {
  EXPECT_EQ(IdFromName("José García"), "jose-garcia");
  EXPECT_EQ(IdFromName("Maria O'Neill"), "maria-oneill");
  EXPECT_EQ(IdFromName("Łukasz Żółć"), "lukasz-zolc");
  EXPECT_EQ(IdFromName("  Smith, Jr. "), "smith-jr");
  EXPECT_EQ(IdFromName("محمد"), "member");  // nothing in ASCII is left of it
  EXPECT_LE(IdFromName(std::string(100, 'a')).size(), 48u);
}

TEST(PlanTimeOverflowTest, TheReportFormMapsMembersTheOrganisationAndHours) {
  const std::string members =
      "N,Username,Email,Date of birth,Phone,Alt phone,Address,Created at,Updated at,Gender,"
      "Description,Terms accepted at,Current sign in at,Last sign in at,Locale,Notifications\n"
      "7,Maria O'Neill,m@example.org,,,,,2016-04-02 10:00:00,2016-04-02 10:00:00,,,"
      "2016-04-02 10:00:00,,,es,true\n"
      "9,José García,,,,,,2017-01-05 09:00:00,2017-01-05 09:00:00,,,2017-01-05 09:00:00,,,es,"
      "true\n";
  const std::string transfers =
      "Date,from,from ID,to,to ID,post,post ID,Reason,quantity\n"
      "2018-04-26 14:48:05 +0200,José García (9),9,Maria O'Neill (7),7,Gardening,3,Thanks,0.33\n"
      "2018-05-01 10:00:00 UTC,Banc de Temps,0,José García (9),9,,,,1.5\n"
      "2018-05-02 10:00:00 UTC,Maria O'Neill (7),7,Banc de Temps,0,Lunch,4,,1.0\n";
  const ImportPlan plan =
      PlanTimeOverflow(members, "members.csv", transfers, "transfers.csv", Options());
  ASSERT_EQ(plan.problem_count, 0u) << plan.problems[0];
  ASSERT_EQ(plan.accounts.size(), 3u);
  EXPECT_EQ(plan.accounts[0].account_id, "centre");
  EXPECT_EQ(plan.accounts[0].name, "Banc de Temps");
  EXPECT_EQ(plan.accounts[0].kind, v1::ORGANISATION);
  EXPECT_EQ(plan.accounts[1].account_id, "maria-oneill");
  EXPECT_EQ(plan.accounts[1].name, "Maria O'Neill");
  EXPECT_EQ(plan.accounts[1].joined_at,
            absl::FromCivil(absl::CivilSecond(2016, 4, 2, 10, 0, 0), absl::UTCTimeZone()));
  ASSERT_EQ(plan.entries.size(), 3u);
  EXPECT_EQ(plan.entries[0].kind, v1::EXCHANGE);
  EXPECT_EQ(plan.entries[0].minutes, 20);  // 0.33 hours, rounded
  EXPECT_EQ(plan.entries[0].occurred_at,
            absl::FromCivil(absl::CivilSecond(2018, 4, 26, 12, 48, 5), absl::UTCTimeZone()));
  EXPECT_EQ(plan.entries[1].kind, v1::AWARD);
  EXPECT_EQ(plan.entries[2].kind, v1::SPEND);
  EXPECT_EQ(plan.rows_rounded, 1u);
  EXPECT_EQ(plan.balances.at("maria-oneill"), 20 - 60);
  EXPECT_EQ(plan.balances.at("jose-garcia"), -20 + 90);
  EXPECT_EQ(plan.balances.at("centre"), -90 + 60);
  // The same files give the same keys: a second run records nothing twice.
  const ImportPlan again =
      PlanTimeOverflow(members, "members.csv", transfers, "transfers.csv", Options());
  EXPECT_EQ(again.entries[0].entry_id, plan.entries[0].entry_id);
}

TEST(PlanTimeOverflowTest, TheImporterFormAndItsRefusedRowsByLine) {
  const std::string members =
      "1,2015-03-01,Ana,,Ruiz,1,1980-01-01,600,,ana@example.org\n"
      "2,2015-03-02,Ana,,Ruiz,2,1980-01-01,600,,ana2@example.org\n"
      "2,2015-03-03,Dev,,Patel,2,1980-01-01,600,,dev@example.org\n";
  const std::string transfers =
      "1,member,2,member,3630,2019-05-01 10:00:00,thanks,\n"
      "1,member,5,member,3600,2019-05-01 10:00:00,,\n"
      "1,organization,2,member,0,2019-05-01 10:00:00,,\n"
      "inactive_user,member,2,member,60,2019-05-01 10:00:00,,\n";
  const ImportPlan plan = PlanTimeOverflow(members, "m.csv", transfers, "t.csv", Options());
  ASSERT_EQ(plan.problem_count, 4u);
  EXPECT_NE(plan.problems[0].find("m.csv line 3: member number 2 is given twice"),
            std::string::npos)
      << plan.problems[0];
  EXPECT_NE(plan.problems[1].find("t.csv line 2: member number \"5\" is not in m.csv"),
            std::string::npos)
      << plan.problems[1];
  EXPECT_NE(plan.problems[2].find("t.csv line 3:"), std::string::npos) << plan.problems[2];
  EXPECT_NE(plan.problems[3].find("t.csv line 4:"), std::string::npos) << plan.problems[3];
  // Two members of one name get two ids; 3630 seconds round to 61 minutes.
  EXPECT_EQ(plan.accounts[0].account_id, "ana-ruiz");
  EXPECT_EQ(plan.accounts[1].account_id, "ana-ruiz-2");
  ASSERT_EQ(plan.entries.size(), 1u);
  EXPECT_EQ(plan.entries[0].minutes, 61);
  ImportOptions options = Options();
  options.former_members_id = "former";
  options.ids_from_numbers = true;
  const ImportPlan gathered = PlanTimeOverflow(
      members.substr(0, members.rfind("2,2015-03-03")), "m.csv",
      "inactive_user,member,2,member,60,2019-05-01 10:00:00,,\n", "t.csv", options);
  ASSERT_EQ(gathered.problem_count, 0u) << gathered.problems[0];
  EXPECT_EQ(gathered.entries[0].from_account_id, "former");
  EXPECT_EQ(gathered.entries[0].to_account_id, "m-2");
}

TEST(PlanGenericTest, ChecksStatedBalancesReversalsAndIds) {
  const std::string accounts =
      "account_id,name,kind,roles,status,joined_on,balance_minutes\n"
      "alice,Alice,person,member;volunteer,active,2020-01-01,30\n"
      "bob,Bob,person,member,active,,-30\n"
      "pool,,pool,,active,,0\n"
      "bad id,Carl,person,,active,,0\n";
  const std::string entries =
      "entry_id,seq,occurred_at,kind,from_account_id,to_account_id,minutes,reverses_seq\n"
      "e1,1,2024-01-01T10:00:00Z,exchange,bob,alice,60,\n"
      "reversal-of-1,2,2024-01-02T10:00:00Z,reversal,alice,bob,60,1\n"
      "e3,3,2024-01-03T10:00:00Z,exchange,bob,alice,30,\n";
  const ImportPlan plan = PlanGeneric(accounts, "accounts.csv", entries, "entries.csv", Options());
  ASSERT_EQ(plan.problem_count, 1u);
  EXPECT_NE(plan.problems[0].find("accounts.csv line 5: account_id \"bad id\""), std::string::npos)
      << plan.problems[0];
  ASSERT_EQ(plan.entries.size(), 3u);
  EXPECT_EQ(plan.entries[2].entry_id, "import-reversal-of-1");  // a reserved key, prefixed
  EXPECT_EQ(plan.entries[2].reverses_source_seq, 1u);           // after the entries it undoes
  EXPECT_EQ(plan.balances.at("alice"), 30);
  const std::string wrong = "account_id,name,balance_minutes\nalice,Alice,45\nbob,Bob,-30\n";
  const ImportPlan differs = PlanGeneric(wrong, "accounts.csv", entries, "entries.csv", Options());
  ASSERT_EQ(differs.problem_count, 1u);
  EXPECT_NE(differs.problems[0].find("line 2: balance_minutes is 45, but"), std::string::npos)
      << differs.problems[0];
}

TEST(PlanGenericTest, RowsTheLedgerWouldRefuseAreRefusedBeforeAnythingIsWritten) {
  ImportOptions options = Options();
  options.existing["cafe"] = {"The Café", v1::ORGANISATION, true, absl::UnixEpoch()};
  options.existing["gone"] = {"Gone", v1::PERSON, false, absl::UnixEpoch()};
  const std::string accounts =
      "account_id,name,kind,roles,phone,email\n"
      "alice,Alice,person,member;member,020 7946 0000,alice@example.org\n"
      "bob,Bob,person,member,ring me,bob@\n";
  const std::string entries =
      "from_account_id,to_account_id,minutes,kind,note\n"
      "alice,bob,30,award,\n"                        // an award is the organisation's
      "bob,alice,30,exchange,\"thanks\nfor all\"\n"  // a line end in the note: a space
      "bob,gone,30,exchange,\n"                      // closed in the bank
      "alice,cafe,30,spend,\n"
      "pool,alice,30,exchange,\n";  // the pool makes grants only
  const ImportPlan plan = PlanGeneric(accounts, "a.csv", entries, "e.csv", options);
  ASSERT_EQ(plan.problem_count, 3u);
  EXPECT_NE(plan.problems[0].find("e.csv line 2: an award is paid by an organisation"),
            std::string::npos)
      << plan.problems[0];
  EXPECT_NE(plan.problems[1].find("e.csv line 5: account gone is not active"), std::string::npos)
      << plan.problems[1];
  EXPECT_NE(plan.problems[2].find("line 7: the pool takes donations and makes grants only"),
            std::string::npos)
      << plan.problems[2];
  ASSERT_EQ(plan.entries.size(), 2u);
  EXPECT_EQ(plan.entries[0].note, "thanks for all");
  ASSERT_EQ(plan.accounts.size(), 2u);
  EXPECT_EQ(plan.accounts[0].roles, std::vector<v1::Role>{v1::MEMBER});  // repeated once
  EXPECT_EQ(plan.accounts[0].phone, "020 7946 0000");
  EXPECT_EQ(plan.accounts[0].email, "alice@example.org");
  EXPECT_EQ(plan.accounts[1].phone, "");  // "ring me" and "bob@" are left out, and counted
  EXPECT_EQ(plan.contacts_left_out, 2u);
}

TEST(PlanTimeOverflowTest, TheImportersDatesAreUtcAndAnEarlierRunsAccountIsTheOnlyOneReused) {
  ImportOptions options = Options();
  options.zone = absl::FixedTimeZone(2 * 3600);  // the bank's zone is not the files'
  const absl::Time joined = absl::FromCivil(absl::CivilDay(2015, 3, 1), options.zone);
  // An earlier run's Ana (joined that day), and another Dev Patel who joined another day.
  options.existing["ana-ruiz"] = {"Ana Ruiz", v1::PERSON, true, joined};
  options.existing["dev-patel"] = {"Dev Patel", v1::PERSON, true, absl::UnixEpoch()};
  const std::string members =
      "1,2015-03-01,Ana,,Ruiz,1,1980-01-01,600 000 001,,ana@example.org\n"
      "2,2016-03-02,Dev,,Patel,2,1980-01-01,,,\n";
  const std::string transfers = "1,member,2,member,3600,2019-05-01 23:30:00,,\n";
  const ImportPlan plan = PlanTimeOverflow(members, "m.csv", transfers, "t.csv", options);
  ASSERT_EQ(plan.problem_count, 0u) << plan.problems[0];
  EXPECT_EQ(plan.accounts[0].account_id, "ana-ruiz");  // the same: taken again
  EXPECT_EQ(plan.accounts[0].phone, "600 000 001");
  EXPECT_EQ(plan.accounts[1].account_id, "dev-patel-2");  // another person: another id
  EXPECT_EQ(plan.entries[0].occurred_at,
            absl::FromCivil(absl::CivilSecond(2019, 5, 1, 23, 30, 0), absl::UTCTimeZone()));
}

}  // namespace
}  // namespace timeledger::cli
