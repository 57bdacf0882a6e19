// The bank most engine tests start from, made through a Ledger's own writes: "hcct" (Holy Cross,
// Europe/London) with the person alice and the organisation centre. For tests that open their
// Ledger themselves (a test file system, held syncs) rather than through LedgerTest.
#ifndef TIMELEDGER_TESTS_SUPPORT_HCCT_BANK_H_
#define TIMELEDGER_TESTS_SUPPORT_HCCT_BANK_H_

#include <string>

#include "absl/strings/str_cat.h"
#include <gtest/gtest.h>

#include "ledger/engine/ledger.h"

namespace timeledger::ledger {

inline void CreateHcctWithAliceAndCentre(Ledger& ledger) {
  ASSERT_TRUE(Await<Bank>([&](auto done) {
                ledger.CreateBank(Bank{"hcct", "Holy Cross", "Europe/London", {}},
                                  AdminNamed("test"), std::move(done));
              }).ok());
  for (const char* id : {"alice", "centre"}) {
    Account account;
    account.bank_id = "hcct";
    account.account_id = id;
    account.kind = std::string(id) == "centre" ? AccountKind::kOrganisation : AccountKind::kPerson;
    account.display_name = absl::StrCat("Name of ", id);
    ASSERT_TRUE(Await<Account>([&](auto done) {
                  ledger.OpenAccount(account, AdminNamed("test"), std::move(done));
                }).ok());
  }
}

}  // namespace timeledger::ledger

#endif  // TIMELEDGER_TESTS_SUPPORT_HCCT_BANK_H_
