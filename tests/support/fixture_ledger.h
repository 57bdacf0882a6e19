// A ledger written by an older timeledgerd, kept as a tarball in tests/fixtures/ (README.md there
// says how each was made), unpacked into a test's data directory and read as the services read
// it: what the migration tests of each layout share. The test's target defines
// TIMELEDGER_SOURCE_DIR.
#ifndef TIMELEDGER_TESTS_SUPPORT_FIXTURE_LEDGER_H_
#define TIMELEDGER_TESTS_SUPPORT_FIXTURE_LEDGER_H_

#include <cstdlib>
#include <fstream>
#include <sstream>
#include <string>

#include <google/protobuf/util/json_util.h>
#include <gtest/gtest.h>

#include "ledger/store/data_dir.h"
#include "ledger/verify/verify.h"
#include "services/convert.h"
#include "tests/support/ledger_fixture.h"

namespace timeledger::ledger {

inline const std::string kFixtures = std::string(TIMELEDGER_SOURCE_DIR) + "/tests/fixtures/";

inline std::string ReadFixtureFile(const std::string& name) {
  std::ifstream in(kFixtures + name);
  std::stringstream text;
  text << in.rdbuf();
  return text.str();
}

class FixtureLedgerTest : public LedgerTest {
 protected:
  // Unpacks tests/fixtures/`tarball` into dir_, not opened yet.
  void Unpack(const std::string& tarball) {
    now_ = absl::Now();
    const std::string unpack = "tar -xzf " + kFixtures + tarball + " -C " + dir_.path();
    ASSERT_EQ(std::system(unpack.c_str()), 0) << unpack;
  }

  // Every entry of `bank` (of one account, with running balances, if `account` is not empty) as
  // the Ledger service answers ListEntries (services/ledger_service.cc), all pages.
  v1::ListEntriesResponse Served(const std::string& bank, const std::string& account) {
    v1::ListEntriesResponse all;
    std::string token;
    do {
      auto page = ledger_->ListEntries(BankId(bank), AccountId(account), 7, token);
      EXPECT_TRUE(page.ok()) << page.status();
      if (!page.ok()) break;
      for (const EntryRow& row : page->items) {
        v1::EntryRow* out = all.add_rows();
        services::ToProto(row.entry, out->mutable_entry());
        if (!account.empty()) out->set_running_balance_minutes(row.running_balance_minutes);
      }
      token = page->next_page_token;
    } while (!token.empty());
    return all;
  }

  // What the old server answered, as `timeledger --json ...` printed it into tests/fixtures/`file`.
  template <class M = v1::ListEntriesResponse>
  static M Expected(const std::string& file) {
    M expected;
    const auto parsed =
        google::protobuf::util::JsonStringToMessage(ReadFixtureFile(file), &expected);
    EXPECT_TRUE(parsed.ok()) << file << ": " << parsed;
    return expected;
  }

  VerifyReport VerifyOffline() {
    StoreOptions options;
    options.path = StorePathOf(dir_.path());
    return VerifyStoreOffline(options);
  }
};

}  // namespace timeledger::ledger

#endif  // TIMELEDGER_TESTS_SUPPORT_FIXTURE_LEDGER_H_
