// The fixture of the rule engine's tests: a ledger in a temp dir with carol, and short ways to
// award, confirm and reject.
#ifndef TIMELEDGER_TESTS_LEDGER_RULES_RULES_FIXTURE_H_
#define TIMELEDGER_TESTS_LEDGER_RULES_RULES_FIXTURE_H_

#include <string>

#include <gtest/gtest.h>

#include "tests/support/ledger_fixture.h"

namespace timeledger::ledger {

class RulesTest : public LedgerTest {
 protected:
  void SetUp() override {
    LedgerTest::SetUp();
    ASSERT_TRUE(Open("carol", AccountKind::kPerson).ok());
  }

  // An award from the centre: credits alice without touching a person's floor.
  absl::StatusOr<Receipt> Award(const std::string& id, const std::string& to, int64_t minutes) {
    EntrySpec spec = Spec(id, "centre", to, minutes);
    spec.kind = EntryKind::kAward;
    return Record(spec);
  }

  absl::StatusOr<Receipt> Confirm(const std::string& entry_id, const std::string& principal) {
    return Await<Receipt>([&](auto done) {
      ledger_->ConfirmEntry(BankId("hcct"), EntryId(entry_id), AdminNamed(principal),
                            std::move(done));
    });
  }

  absl::StatusOr<PendingEntry> Reject(const std::string& entry_id) {
    return Await<PendingEntry>([&](auto done) {
      ledger_->RejectEntry(BankId("hcct"), EntryId(entry_id), "did not happen", AdminNamed("bob"),
                           std::move(done));
    });
  }

  static std::string Reason(const absl::StatusOr<Receipt>& result) {
    return ReasonOf(result.status());
  }
};

}  // namespace timeledger::ledger

#endif  // TIMELEDGER_TESTS_LEDGER_RULES_RULES_FIXTURE_H_
