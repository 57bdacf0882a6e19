// Verification of the postings, the reversal markers and the accounts as the verifier indexes
// them: the postings and the markers are compared through keyed sums (ledger/verify/
// posting_scan.h, entry_walker.h) and checked one by one only where the sums differ, so each
// test damages them in a way the sums see and checks that the finding names the same record and
// figures the one-by-one check names; and accounts of the same id in two banks are two accounts
// (ledger/verify/account_models.h).
#include <functional>
#include <map>
#include <string>

#include <gtest/gtest.h>

#include "ledger/core/records.h"
#include "ledger/store/data_dir.h"
#include "ledger/verify/verify.h"
#include "tests/support/ledger_fixture.h"
#include "tests/support/raw_store.h"

namespace timeledger::ledger {
namespace {

std::string PostingKey(const std::string& bank, const std::string& account, uint64_t seq) {
  return Scoped('p', bank, account + std::string(1, '\0') + Fixed64(seq));
}

class VerifyPostingsTest : public LedgerTest {
 protected:
  void SetUp() override {
    LedgerTest::SetUp();
    RulesOff();
    // Six entries between alice and bob; centre has none.
    for (int i = 0; i < 6; ++i) {
      ASSERT_TRUE(Record(Spec("e" + std::to_string(i), i % 2 ? "alice" : "bob",
                              i % 2 ? "bob" : "alice", 30 + i))
                      .ok());
    }
  }

  // Closes the ledger, lets `damage` edit its store, and returns the offline verification.
  VerifyReport Damage(const std::function<void(RawStore&)>& damage) {
    ledger_.reset();
    {
      RawStore raw(dir_.path());
      damage(raw);
    }
    StoreOptions options;
    options.path = StorePathOf(dir_.path());
    return VerifyStoreOffline(options);
  }

  static void ExpectFinding(const VerifyReport& report, const std::string& reason,
                            const std::map<std::string, std::string>& figures) {
    ASSERT_FALSE(report.ok());
    EXPECT_EQ(ReasonOf(report.status), reason) << report.status;
    auto found = FiguresOf(report.status);
    for (const auto& [name, value] : figures) EXPECT_EQ(found[name], value) << name;
  }
};

TEST_F(VerifyPostingsTest, AnUndamagedBankVerifies) {
  const VerifyReport report = Damage([](RawStore&) {});
  ASSERT_TRUE(report.ok()) << report.status;
  EXPECT_EQ(report.entries, 6u);
}

TEST_F(VerifyPostingsTest, AMissingPostingIsCountedForItsAccount) {
  const VerifyReport report =
      Damage([](RawStore& raw) { raw.Delete(PostingKey("hcct", "alice", 6)); });
  ExpectFinding(report, "POSTING_MISSING",
                {{"bank_id", "hcct"},
                 {"account_id", "alice"},
                 {"expected", "6 postings"},
                 {"found", "5 postings"}});
}

TEST_F(VerifyPostingsTest, APostingForAnAccountNoEntryTouchesIsNamed) {
  const VerifyReport report =
      Damage([](RawStore& raw) { raw.Put(PostingKey("hcct", "centre", 3), Fixed64(0)); });
  ExpectFinding(report, "POSTING_MISMATCH",
                {{"bank_id", "hcct"}, {"account_id", "centre"}, {"seq", "3"}});
}

TEST_F(VerifyPostingsTest, APostingMovedToAnotherEntryIsNamedAtTheFirstWrongOne) {
  // bob's posting of entry 2 moved to seq 9, beyond the entries, with its balance: his postings
  // read 1, 3, ... and the running balance at 3 lacks entry 2's minutes.
  const VerifyReport report = Damage([](RawStore& raw) {
    const std::string balance = raw.Get(PostingKey("hcct", "bob", 2));
    raw.Delete(PostingKey("hcct", "bob", 2));
    raw.Put(PostingKey("hcct", "bob", 9), balance);
  });
  // bob: -30 after 1, +31 -> 1 after 2, -32 -> -31 after 3; without 2 the running is -62.
  ExpectFinding(
      report, "POSTING_MISMATCH",
      {{"account_id", "bob"}, {"seq", "3"}, {"expected", "-62 minutes"}, {"found", "-31 minutes"}});
}

TEST_F(VerifyPostingsTest, AnAccountWhosePostingsAreAllGoneIsNamed) {
  const VerifyReport report = Damage([](RawStore& raw) {
    for (uint64_t seq = 1; seq <= 6; ++seq) raw.Delete(PostingKey("hcct", "bob", seq));
  });
  ExpectFinding(report, "POSTING_MISSING", {{"account_id", "bob"}});
}

TEST_F(VerifyPostingsTest, AReversalWithoutItsMarkerIsNamed) {
  ASSERT_TRUE(Reverse(2).ok());  // seq 7 reverses seq 2
  const VerifyReport report =
      Damage([](RawStore& raw) { raw.Delete(Scoped('r', "hcct", Fixed64(2))); });
  ExpectFinding(report, "REVERSAL_MISMATCH", {{"bank_id", "hcct"}, {"seq", "7"}});
}

TEST_F(VerifyPostingsTest, AMarkerNamingAnotherReversalIsNamed) {
  ASSERT_TRUE(Reverse(2).ok());
  ASSERT_TRUE(Reverse(4).ok());  // seqs 7 and 8
  const VerifyReport report =
      Damage([](RawStore& raw) { raw.Put(Scoped('r', "hcct", Fixed64(4)), Fixed64(7)); });
  ExpectFinding(
      report, "REVERSAL_MISMATCH",
      {{"seq", "4"}, {"expected", "seq 4 reversed by 8"}, {"found", "seq 4 reversed by 7"}});
}

TEST_F(VerifyPostingsTest, TheSameAccountIdInTwoBanksIsTwoAccounts) {
  ASSERT_TRUE(CreateBank("other").ok());
  ASSERT_TRUE(Open("alice", AccountKind::kPerson, "other").ok());
  ASSERT_TRUE(Open("bob", AccountKind::kPerson, "other").ok());
  EntrySpec spec = Spec("o1", "alice", "bob", 45);
  spec.bank_id = "other";
  ASSERT_TRUE(Record(spec).ok());
  // Each bank's alice is checked against her own bank's entries: only other's is damaged.
  const VerifyReport report = Damage([](RawStore& raw) {
    raw.Edit(Scoped('a', "other", "alice"), [](std::string* value) {
      Account account = *DecodeAccount(*value);
      account.balance_minutes = -30;  // hcct's alice would have 30 + 32 + 34 - 31 - 33 - 35 = -3
      *value = EncodeAccount(account);
    });
  });
  ASSERT_EQ(report.banks.size(), 2u);
  EXPECT_TRUE(report.banks[0].status.ok()) << report.banks[0].status;
  EXPECT_EQ(report.banks[0].account_count, 4u);  // with its pool
  ExpectFinding(report, "BALANCE_MISMATCH",
                {{"bank_id", "other"},
                 {"account_id", "alice"},
                 {"expected", "-45 minutes"},
                 {"found", "-30 minutes"}});
}

}  // namespace
}  // namespace timeledger::ledger
