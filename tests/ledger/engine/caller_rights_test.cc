// The writer decides who may make each write, whoever queued it (the gate of services/ has
// already asked the permission table; an in-process caller has not): a coordinator of one bank
// makes no write in another (OUT_OF_SCOPE), a kiosk or a partner makes no staff write, and only
// an admin creates a bank (ROLE_NOT_ALLOWED). A refused write leaves the bank's journal as it was.
#include <functional>
#include <string>
#include <utility>
#include <vector>

#include <gtest/gtest.h>

#include "ledger/core/errors.h"
#include "ledger/engine/ledger.h"
#include "tests/support/ledger_fixture.h"

namespace timeledger::ledger {
namespace {

Principal Of(PrincipalRole role, const std::string& name, const std::string& bank,
             const std::string& account = "") {
  Principal principal;
  principal.name = name;
  principal.role = role;
  principal.bank_id = bank;
  principal.account_id = account;
  return principal;
}

// One write of bank `bank`, made by `caller`; returns its status.
using Write = std::function<absl::Status(Ledger&, const Principal& caller, const std::string&)>;

template <typename T, typename Start>
absl::Status Status(Start start) {
  return Await<T>(std::move(start)).status();
}

std::vector<std::pair<std::string, Write>> StaffWrites() {
  return {
      {"OpenAccount",
       [](Ledger& l, const Principal& c, const std::string& bank) {
         Account account;
         account.bank_id = bank;
         account.account_id = "newcomer";
         account.kind = AccountKind::kPerson;
         account.display_name = "Newcomer";
         return Status<Account>([&](auto done) { l.OpenAccount(account, c, std::move(done)); });
       }},
      {"MoveInAccount",
       [](Ledger& l, const Principal& c, const std::string& bank) {
         Account account;
         account.bank_id = bank;
         account.account_id = "moved-in";
         account.kind = AccountKind::kPerson;
         account.display_name = "Moved In";
         return Status<Account>([&](auto done) {
           l.MoveInAccount(account, absl::FromUnixSeconds(1'500'000'000), c, std::move(done));
         });
       }},
      {"SetAccountStatus",
       [](Ledger& l, const Principal& c, const std::string& bank) {
         return Status<Account>([&](auto done) {
           l.SetAccountStatus(BankId(bank), AccountId("dora"), AccountStatus::kSuspended, "", false,
                              c, std::move(done));
         });
       }},
      {"CloseAccount",
       [](Ledger& l, const Principal& c, const std::string& bank) {
         return Status<Account>([&](auto done) {
           l.CloseAccount(BankId(bank), AccountId("dora"), "left", ClosingSettlement{true, true}, c,
                          std::move(done));
         });
       }},
      {"ChangeAccount",
       [](Ledger& l, const Principal& c, const std::string& bank) {
         return Status<Account>([&](auto done) {
           l.ChangeAccount(BankId(bank), AccountId("dora"), std::string("Dora Lee"), std::nullopt,
                           c, std::move(done));
         });
       }},
      {"ReopenAccount",
       [](Ledger& l, const Principal& c, const std::string& bank) {
         return Status<Account>([&](auto done) {
           l.ReopenAccount(BankId(bank), AccountId("dora"), "by mistake", c, std::move(done));
         });
       }},
      {"ErasePersonalData",
       [](Ledger& l, const Principal& c, const std::string& bank) {
         return Status<ErasureReceipt>([&](auto done) {
           l.ErasePersonalData(BankId(bank), AccountId("dora"), "request 7", c, std::move(done));
         });
       }},
      {"SetPolicy",
       [](Ledger& l, const Principal& c, const std::string& bank) {
         return Status<Policy>(
             [&](auto done) { l.SetPolicy(BankId(bank), Policy{}, 0, c, std::move(done)); });
       }},
      {"RunExpirySweep",
       [](Ledger& l, const Principal& c, const std::string& bank) {
         return Status<ExpirySweepResult>(
             [&](auto done) { l.RunExpirySweep(BankId(bank), c, std::move(done)); });
       }},
      {"SetMemberCard",
       [](Ledger& l, const Principal& c, const std::string& bank) {
         return Status<MemberCard>([&](auto done) {
           l.SetMemberCard(BankId(bank), AccountId("dora"), "2002", c, std::move(done));
         });
       }},
      {"SetMemberPin",
       [](Ledger& l, const Principal& c, const std::string& bank) {
         return Status<MemberCard>([&](auto done) {
           l.SetMemberPin(BankId(bank), AccountId("dora"), "a-hash", c, std::move(done));
         });
       }},
      {"SetMemberLanguage",
       [](Ledger& l, const Principal& c, const std::string& bank) {
         return Status<MemberCard>([&](auto done) {
           l.SetMemberLanguage(BankId(bank), AccountId("dora"), "bn", c, std::move(done));
         });
       }},
      {"PutCatalogueItem",
       [](Ledger& l, const Principal& c, const std::string& bank) {
         CatalogueItem item;
         item.kind = CatalogueKind::kActivity;
         item.bank_id = bank;
         item.code = "baking";
         item.title = "Baking";
         return Status<CatalogueItem>(
             [&](auto done) { l.PutCatalogueItem(item, 0, c, std::move(done)); });
       }},
      {"RetireCatalogueItem",
       [](Ledger& l, const Principal& c, const std::string& bank) {
         return Status<CatalogueItem>([&](auto done) {
           l.RetireCatalogueItem(BankId(bank), CatalogueKind::kActivity, "gardening", c,
                                 std::move(done));
         });
       }},
      {"AwardQualification",
       [](Ledger& l, const Principal& c, const std::string& bank) {
         AwardSpec spec{bank, "award-1", "dora", "first-aid", absl::InfinitePast(), "", ""};
         return Status<AwardReceipt>(
             [&](auto done) { l.AwardQualification(spec, c, std::move(done)); });
       }},
      {"RedeemOffer",
       [](Ledger& l, const Principal& c, const std::string& bank) {
         RedeemSpec spec{bank, "redeem-1", "dora", "lunch", ""};
         return Status<Redemption>([&](auto done) { l.RedeemOffer(spec, c, std::move(done)); });
       }},
  };
}

class CallerRightsTest : public LedgerTest {
 protected:
  void SetUp() override {
    LedgerTest::SetUp();
    ASSERT_TRUE(CreateBank("other").ok());
    ASSERT_TRUE(Open("dora", AccountKind::kPerson, "other").ok());
    ASSERT_TRUE(Open("shop", AccountKind::kOrganisation, "other").ok());
  }

  size_t JournalLength(const std::string& bank) {
    auto page = ledger_->ListJournal(BankId(bank), 0, 0, 1000);
    EXPECT_TRUE(page.ok()) << page.status();
    return page.ok() ? page->facts.size() : 0;
  }

  // Each staff write of bank "other" by `caller` is refused with `reason`, writing nothing.
  void ExpectEveryStaffWriteRefused(const Principal& caller, const std::string& reason) {
    const size_t before = JournalLength("other");
    for (const auto& [name, write] : StaffWrites()) {
      const absl::Status status = write(*ledger_, caller, "other");
      EXPECT_EQ(ReasonOf(status), reason) << name << " by " << Describe(caller) << ": " << status;
      EXPECT_EQ(status.code(), absl::StatusCode::kPermissionDenied) << name;
    }
    EXPECT_EQ(JournalLength("other"), before);
  }
};

TEST_F(CallerRightsTest, ACoordinatorMakesNoWriteInAnotherBank) {
  ExpectEveryStaffWriteRefused(Of(PrincipalRole::kCoordinator, "carol", "hcct"), "OUT_OF_SCOPE");
}

TEST_F(CallerRightsTest, AKioskMakesNoStaffWrite) {
  ExpectEveryStaffWriteRefused(Of(PrincipalRole::kKiosk, "kiosk-1", "other"), "ROLE_NOT_ALLOWED");
}

TEST_F(CallerRightsTest, APartnerMakesNoStaffWrite) {
  ExpectEveryStaffWriteRefused(Of(PrincipalRole::kPartner, "till", "other", "shop"),
                               "ROLE_NOT_ALLOWED");
}

TEST_F(CallerRightsTest, OnlyAnAdminCreatesABank) {
  for (const Principal& caller : {Of(PrincipalRole::kCoordinator, "carol", "hcct"),
                                  Of(PrincipalRole::kKiosk, "kiosk-1", "hcct"),
                                  Of(PrincipalRole::kPartner, "till", "hcct", "centre")}) {
    auto created = Await<Bank>([&](auto done) {
      ledger_->CreateBank(Bank{"third", "Third", "Europe/London", {}}, caller, std::move(done));
    });
    EXPECT_EQ(ReasonOf(created.status()), "ROLE_NOT_ALLOWED") << Describe(caller);
  }
  EXPECT_EQ(ledger_->GetBank(BankId("third")).status().code(), absl::StatusCode::kNotFound);
}

TEST_F(CallerRightsTest, TheBanksOwnCoordinatorMakesThem) {
  const Principal coordinator = Of(PrincipalRole::kCoordinator, "olga", "other");
  auto opened = Await<Account>([&](auto done) {
    Account account;
    account.bank_id = "other";
    account.account_id = "newcomer";
    account.kind = AccountKind::kPerson;
    account.display_name = "Newcomer";
    ledger_->OpenAccount(account, coordinator, std::move(done));
  });
  ASSERT_TRUE(opened.ok()) << opened.status();
  auto journal = ledger_->ListJournal(BankId("other"), 0, 0, 1000);
  ASSERT_TRUE(journal.ok()) << journal.status();
  EXPECT_EQ(journal->facts.back().principal, "olga");  // the name recorded, as before
}

}  // namespace
}  // namespace timeledger::ledger
