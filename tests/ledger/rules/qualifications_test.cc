// Qualifications, activities and offers on a real RocksDB: the catalogue, awards and their
// rewards, QUALIFICATION_REQUIRED, offers redeemed (also concurrently against one floor), the
// lists of what members hold, and verification of all of it.
#include "ledger/rules/qualifications.h"

#include <atomic>
#include <thread>
#include <vector>

#include "absl/strings/str_cat.h"
#include <gtest/gtest.h>

#include "ledger/core/page_token.h"
#include "services/daemon/demo.h"
#include "tests/support/ledger_fixture.h"

namespace timeledger::ledger {
namespace {

constexpr int64_t kDay = 24 * 60 * 60;

class QualificationsTest : public LedgerTest {
 protected:
  void SetUp() override {
    LedgerTest::SetUp();
    ASSERT_TRUE(OpenStaff("sam").ok());
    ASSERT_TRUE(Put(FoodHygiene()).ok());
    ASSERT_TRUE(Put(CookLunch()).ok());
    ASSERT_TRUE(Put(HygieneCourse()).ok());
  }

  static CatalogueItem FoodHygiene() {
    CatalogueItem item;
    item.kind = CatalogueKind::kQualification;
    item.bank_id = "hcct";
    item.code = "food-hygiene-2";
    item.title = "Food hygiene, level 2";
    item.awarding_body = "Highfield";
    item.level = "2";
    item.reward_account_id = "centre";
    item.reward_minutes = 120;
    item.validity_days = 3 * 365;
    item.renewal_reward_minutes = 60;
    return item;
  }

  static CatalogueItem CookLunch() {
    CatalogueItem item;
    item.kind = CatalogueKind::kActivity;
    item.bank_id = "hcct";
    item.code = "cook-lunch";
    item.title = "Cooking the day-centre lunch";
    item.category = "kitchen";
    item.required_qualifications = {"food-hygiene-2"};
    return item;
  }

  static CatalogueItem HygieneCourse() {
    CatalogueItem item;
    item.kind = CatalogueKind::kOffer;
    item.bank_id = "hcct";
    item.code = "hygiene-course";
    item.title = "Food hygiene course";
    item.price_minutes = 180;
    item.organisation_account_id = "centre";
    item.leads_to_qualification = "food-hygiene-2";
    return item;
  }

  absl::StatusOr<CatalogueItem> Put(const CatalogueItem& item, uint64_t expected_version = 0) {
    return Await<CatalogueItem>([&](auto done) {
      ledger_->PutCatalogueItem(item, expected_version, AdminNamed("sam"), std::move(done));
    });
  }

  absl::StatusOr<CatalogueItem> Retire(CatalogueKind kind, const std::string& code) {
    return Await<CatalogueItem>([&](auto done) {
      ledger_->RetireCatalogueItem(BankId("hcct"), kind, code, AdminNamed("sam"), std::move(done));
    });
  }

  static AwardSpec Spec(const std::string& award_id, const std::string& account_id,
                        const std::string& code = "food-hygiene-2") {
    AwardSpec spec;
    spec.bank_id = "hcct";
    spec.award_id = award_id;
    spec.account_id = account_id;
    spec.qualification_code = code;
    spec.evidence = "certificate " + award_id;
    spec.verified_by = "Sam Staff";
    return spec;
  }

  absl::StatusOr<AwardReceipt> Award(const AwardSpec& spec, const std::string& principal = "sam") {
    return Await<AwardReceipt>([&](auto done) {
      ledger_->AwardQualification(spec, AdminNamed(principal), std::move(done));
    });
  }

  absl::StatusOr<Redemption> Redeem(const std::string& id, const std::string& account_id,
                                    const std::string& offer = "hygiene-course") {
    RedeemSpec spec{"hcct", id, account_id, offer, ""};
    return Await<Redemption>(
        [&](auto done) { ledger_->RedeemOffer(spec, AdminNamed(account_id), std::move(done)); });
  }

  absl::StatusOr<Receipt> Cook(const std::string& entry_id, const std::string& to,
                               absl::Time occurred_at = absl::InfinitePast()) {
    EntrySpec spec = LedgerTest::Spec(entry_id, "centre", to, 120);
    spec.kind = EntryKind::kAward;
    spec.activity = "cook-lunch";
    spec.occurred_at = occurred_at;
    return Record(spec);
  }

  HoldingView Holds(const std::string& account_id, const std::string& code = "food-hygiene-2",
                    int64_t expiring_within_days = 0) {
    auto page = ledger_->ListQualifications(BankId("hcct"), AccountId(account_id),
                                            expiring_within_days, 0, "");
    EXPECT_TRUE(page.ok()) << page.status();
    for (const HoldingView& view : page->items) {
      if (view.holding.qualification_code == code) return view;
    }
    ADD_FAILURE() << account_id << " holds nothing of " << code;
    return HoldingView{};
  }

  void ExpectVerified() {
    EXPECT_TRUE(ledger_->CheckConsistency().ok()) << ledger_->CheckConsistency();
    Reopen();  // verifies every bank in full
    EXPECT_TRUE(ledger_->CheckBankServable(BankId("hcct")).ok());
  }
};

// --- The catalogue -----------------------------------------------------------------------------

TEST_F(QualificationsTest, CatalogueItemsAreVersionedFactsAndRetiredNeverDeleted) {
  auto first =
      ledger_->GetCatalogueItem(BankId("hcct"), CatalogueKind::kQualification, "food-hygiene-2");
  ASSERT_TRUE(first.ok()) << first.status();
  EXPECT_EQ(first->version, 1u);
  EXPECT_EQ(first->changed_by, "sam");
  const uint64_t journal_before = ledger_->GetDigest(BankId("hcct"))->tree_size;

  CatalogueItem changed = FoodHygiene();
  changed.reward_minutes = 180;
  auto second = Put(changed, 1);
  ASSERT_TRUE(second.ok()) << second.status();
  EXPECT_EQ(second->version, 2u);
  EXPECT_EQ(ReasonOf(Put(changed, 1).status()), "CATALOGUE_VERSION_MISMATCH");
  EXPECT_EQ(Put(changed)->version, 2u) << "the same content again is a retry";

  auto retired = Retire(CatalogueKind::kOffer, "hygiene-course");
  ASSERT_TRUE(retired.ok()) << retired.status();
  EXPECT_TRUE(retired->retired);
  EXPECT_EQ(Retire(CatalogueKind::kOffer, "hygiene-course")->version, retired->version);
  EXPECT_EQ(ReasonOf(Put(HygieneCourse()).status()), "OFFER_RETIRED");
  EXPECT_EQ(ReasonOf(Redeem("r1", "alice").status()), "OFFER_RETIRED");

  auto listed = ledger_->ListCatalogue(BankId("hcct"), CatalogueKind::kOffer, false, 0, "");
  ASSERT_TRUE(listed.ok());
  EXPECT_TRUE(listed->items.empty());
  listed = ledger_->ListCatalogue(BankId("hcct"), CatalogueKind::kOffer, true, 0, "");
  ASSERT_EQ(listed->items.size(), 1u);
  EXPECT_TRUE(listed->items[0].retired);
  // One change and one retirement are two facts; the retry and the second retirement none.
  EXPECT_EQ(ledger_->GetDigest(BankId("hcct"))->tree_size, journal_before + 2);
  ExpectVerified();
}

TEST_F(QualificationsTest, CatalogueRefusesBadInputNamingTheProblem) {
  CatalogueItem item = FoodHygiene();
  item.code = "bad code";
  EXPECT_EQ(ReasonOf(Put(item).status()), "INVALID_ID");
  item = FoodHygiene();
  item.reward_minutes = -5;
  EXPECT_EQ(FiguresOf(Put(item).status())["field"], "reward_minutes");
  item = FoodHygiene();
  item.code = "first-aid";
  item.validity_days = 0;
  EXPECT_EQ(ReasonOf(Put(item).status()), "INVALID_VALIDITY");
  item = FoodHygiene();
  item.code = "first-aid";
  item.reward_account_id = "alice";
  EXPECT_EQ(ReasonOf(Put(item).status()), "KIND_MISMATCH");
  item.reward_account_id = "nobody";
  EXPECT_EQ(ReasonOf(Put(item).status()), "ACCOUNT_NOT_FOUND");
  item = CookLunch();
  item.code = "serve-lunch";
  item.required_qualifications = {"no-such"};
  EXPECT_EQ(ReasonOf(Put(item).status()), "QUALIFICATION_NOT_FOUND");
  item.required_qualifications = {"food-hygiene-2", "food-hygiene-2"};
  EXPECT_EQ(ReasonOf(Put(item).status()), "INVALID_REQUIREMENTS");
  item = HygieneCourse();
  item.code = "free-lunch";
  item.price_minutes = 0;
  EXPECT_EQ(FiguresOf(Put(item).status())["field"], "price_minutes");
  item = FoodHygiene();
  item.title = "";
  EXPECT_EQ(FiguresOf(Put(item).status())["field"], "title");
  auto page = ledger_->ListCatalogue(BankId("hcct"), CatalogueKind::kOffer, false, 1001, "");
  EXPECT_EQ(ReasonOf(page.status()), "INVALID_PAGE_SIZE");
}

// --- Awards ------------------------------------------------------------------------------------

TEST_F(QualificationsTest, AwardPaysTheRewardInTheSameWriteAndIsIdempotent) {
  auto receipt = Award(Spec("cert-1", "alice"));
  ASSERT_TRUE(receipt.ok()) << receipt.status();
  EXPECT_EQ(receipt->award.outcome, AwardOutcome::kAttained);
  EXPECT_EQ(receipt->award.reward_minutes, 120);
  const Entry& reward = receipt->reward_entry;
  EXPECT_EQ(reward.kind, EntryKind::kQualificationReward);
  EXPECT_EQ(reward.entry_id, "award-cert-1");
  EXPECT_EQ(reward.from_account_id, "centre");
  EXPECT_EQ(reward.to_account_id, "alice");
  EXPECT_EQ(receipt->award.reward_seq, reward.seq);
  EXPECT_EQ(Balance("alice"), 120);
  EXPECT_EQ(Balance("centre"), -120);

  auto again = Award(Spec("cert-1", "alice"));
  ASSERT_TRUE(again.ok()) << again.status();
  EXPECT_TRUE(again->replayed);
  EXPECT_EQ(again->reward_entry.seq, reward.seq);
  EXPECT_EQ(Balance("alice"), 120);
  AwardSpec other = Spec("cert-1", "alice");
  other.evidence = "another certificate";
  EXPECT_EQ(Award(other).status().code(), absl::StatusCode::kAlreadyExists);
  EXPECT_EQ(Holds("alice").status, HoldingStatus::kValid);
  ExpectVerified();
}

TEST_F(QualificationsTest, SecondAwardOfAValidQualificationPaysNothingAndSaysSo) {
  ASSERT_TRUE(Award(Spec("cert-1", "alice")).ok());
  now_ = kNow + absl::Seconds(30 * kDay);
  auto second = Award(Spec("cert-2", "alice"));
  ASSERT_TRUE(second.ok()) << second.status();
  EXPECT_EQ(second->award.outcome, AwardOutcome::kAlreadyValid);
  EXPECT_EQ(second->award.reward_minutes, 0);
  EXPECT_EQ(second->award.reward_seq, 0u);
  EXPECT_EQ(second->reward_entry.seq, 0u);
  EXPECT_EQ(Balance("alice"), 120);
  EXPECT_EQ(Holds("alice").holding.award_count, 2u);
  ExpectVerified();
}

TEST_F(QualificationsTest, RenewalAfterExpiryPaysTheRenewalReward) {
  ASSERT_TRUE(Award(Spec("cert-1", "alice")).ok());
  now_ = kNow + absl::Seconds(3 * 365 * kDay + kDay);
  EXPECT_EQ(Holds("alice").status, HoldingStatus::kExpired);
  auto renewed = Award(Spec("cert-2", "alice"));
  ASSERT_TRUE(renewed.ok()) << renewed.status();
  EXPECT_EQ(renewed->award.outcome, AwardOutcome::kRenewed);
  EXPECT_EQ(renewed->award.reward_minutes, 60);
  EXPECT_EQ(Balance("alice"), 180);
  const HoldingView view = Holds("alice");
  EXPECT_EQ(view.status, HoldingStatus::kValid);
  EXPECT_EQ(view.holding.periods.size(), 2u);
  ExpectVerified();
}

TEST_F(QualificationsTest, RewardIsRefusedWithThePayingOrganisationAtItsFloor) {
  Policy policy;
  policy.organisation_floor_minutes = -100;
  ASSERT_TRUE(SetPolicy(policy).ok());
  auto refused = Award(Spec("cert-1", "alice"));
  EXPECT_EQ(ReasonOf(refused.status()), "OVERDRAFT_LIMIT");
  EXPECT_EQ(FiguresOf(refused.status())["account_id"], "centre");
  // Nothing of the award was written: no holding, no award, no entry.
  auto held = ledger_->ListQualifications(BankId("hcct"), AccountId("alice"), 0, 0, "");
  ASSERT_TRUE(held.ok());
  EXPECT_TRUE(held->items.empty());
  EXPECT_EQ(Balance("alice"), 0);
  policy.organisation_floor_minutes = -120;
  ASSERT_TRUE(SetPolicy(policy).ok());
  EXPECT_TRUE(Award(Spec("cert-1", "alice")).ok());
  ExpectVerified();
}

TEST_F(QualificationsTest, PrerequisitesAreChecked) {
  CatalogueItem supervisor = FoodHygiene();
  supervisor.code = "food-hygiene-3";
  supervisor.title = "Food hygiene, level 3";
  supervisor.prerequisites = {"food-hygiene-2"};
  ASSERT_TRUE(Put(supervisor).ok());
  auto refused = Award(Spec("cert-3", "alice", "food-hygiene-3"));
  EXPECT_EQ(ReasonOf(refused.status()), "PREREQUISITE_MISSING");
  EXPECT_EQ(FiguresOf(refused.status())["missing"], "food-hygiene-2");
  ASSERT_TRUE(Award(Spec("cert-2", "alice")).ok());
  EXPECT_TRUE(Award(Spec("cert-3", "alice", "food-hygiene-3")).ok());
  ExpectVerified();
}

TEST_F(QualificationsTest, OnlyStaffAwardAndNeverToThemselves) {
  auto not_staff = Award(Spec("cert-1", "alice"), "bob");
  EXPECT_EQ(not_staff.status().code(), absl::StatusCode::kPermissionDenied);
  EXPECT_EQ(ReasonOf(not_staff.status()), "STAFF_ONLY");
  auto self = Award(Spec("cert-1", "sam"), "sam");
  EXPECT_EQ(self.status().code(), absl::StatusCode::kPermissionDenied);
  EXPECT_EQ(ReasonOf(self.status()), "SELF_AWARD");
  EXPECT_EQ(ReasonOf(Award(Spec("cert-1", "centre")).status()), "KIND_MISMATCH");
  AwardSpec no_evidence = Spec("cert-1", "alice");
  no_evidence.evidence = "";
  EXPECT_EQ(FiguresOf(Award(no_evidence).status())["field"], "evidence");
  AwardSpec future = Spec("cert-1", "alice");
  future.attained_at = kNow + absl::Hours(2);
  EXPECT_EQ(ReasonOf(Award(future).status()), "ATTAINED_IN_FUTURE");
  EXPECT_EQ(ReasonOf(Award(Spec("cert-1", "alice", "no-such")).status()),
            "QUALIFICATION_NOT_FOUND");
  ASSERT_TRUE(Retire(CatalogueKind::kQualification, "food-hygiene-2").ok());
  EXPECT_EQ(ReasonOf(Award(Spec("cert-1", "alice")).status()), "QUALIFICATION_RETIRED");
}

TEST_F(QualificationsTest, RewardEntriesAreMadeOnlyByAwards) {
  EntrySpec spec = LedgerTest::Spec("fake-reward", "centre", "alice", 60);
  spec.kind = EntryKind::kQualificationReward;
  EXPECT_EQ(ReasonOf(Record(spec).status()), "REWARD_NOT_RECORDABLE");
}

TEST_F(QualificationsTest, AQualificationWithoutValidityNeverExpiresEvenAfterARestart) {
  CatalogueItem safeguarding = FoodHygiene();
  safeguarding.code = "safeguarding";
  safeguarding.title = "Safeguarding adults";
  safeguarding.validity_days = 0;
  safeguarding.renewal_reward_minutes = 0;
  ASSERT_TRUE(Put(safeguarding).ok());
  auto awarded = Award(Spec("cert-1", "alice", "safeguarding"));
  ASSERT_TRUE(awarded.ok()) << awarded.status();
  EXPECT_EQ(awarded->award.expires_at, absl::InfiniteFuture());
  Reopen();
  now_ = kNow + absl::Seconds(50 * 365 * kDay);
  const HoldingView view = Holds("alice", "safeguarding", 3650);
  EXPECT_EQ(view.status, HoldingStatus::kValid);
  EXPECT_EQ(view.holding.valid_until(), absl::InfiniteFuture());
  auto decoded = DecodeHolding(EncodeHolding(view.holding));
  ASSERT_TRUE(decoded.ok());
  EXPECT_EQ(decoded->valid_until(), absl::InfiniteFuture());
  ExpectVerified();
}

// --- QUALIFICATION_REQUIRED ----------------------------------------------------------------------

TEST_F(QualificationsTest, ActivityIsGatedOnAValidQualificationAtOccurredAt) {
  auto refused = Cook("lunch-1", "alice");
  EXPECT_EQ(ReasonOf(refused.status()), "QUALIFICATION_REQUIRED");
  EXPECT_EQ(FiguresOf(refused.status())["missing"], "food-hygiene-2");
  ASSERT_TRUE(Award(Spec("cert-1", "alice")).ok());
  EXPECT_TRUE(Cook("lunch-1", "alice").ok());

  // Three years and a day later it has expired: refused, naming it as expired.
  now_ = kNow + absl::Seconds(3 * 365 * kDay + kDay);
  auto expired = Cook("lunch-2", "alice");
  EXPECT_EQ(ReasonOf(expired.status()), "QUALIFICATION_REQUIRED");
  EXPECT_EQ(FiguresOf(expired.status())["expired"], "food-hygiene-2");
  EXPECT_EQ(FiguresOf(expired.status())["missing"], "");
  // A slip dated while it was still valid is accepted.
  EXPECT_TRUE(Cook("lunch-3", "alice", now_.load() - absl::Seconds(2 * kDay)).ok());
  // Activities outside the catalogue and other kinds of entry are not gated.
  EXPECT_TRUE(Record(LedgerTest::Spec("garden", "bob", "alice", 60)).ok());
  ExpectVerified();
}

TEST_F(QualificationsTest, RetiredActivityTakesNoNewEntries) {
  ASSERT_TRUE(Award(Spec("cert-1", "alice")).ok());
  ASSERT_TRUE(Retire(CatalogueKind::kActivity, "cook-lunch").ok());
  EXPECT_EQ(ReasonOf(Cook("lunch-1", "alice").status()), "ACTIVITY_RETIRED");
}

TEST_F(QualificationsTest, StaffOnDutyMayNotEarnForACatalogueActivityThatSaysSo) {
  CatalogueItem reception = CookLunch();
  reception.code = "reception";
  reception.required_qualifications.clear();
  ASSERT_TRUE(Put(reception).ok());
  EntrySpec spec = LedgerTest::Spec("desk-1", "centre", "sam", 60);
  spec.kind = EntryKind::kAward;
  spec.activity = "reception";
  EXPECT_EQ(ReasonOf(Record(spec).status()), "STAFF_ON_DUTY");
  reception.staff_on_duty_may_earn = true;
  ASSERT_TRUE(Put(reception).ok());
  EXPECT_TRUE(Record(spec).ok());
}

// --- Offers --------------------------------------------------------------------------------------

TEST_F(QualificationsTest, CourseBoughtWithCreditsIsInProgressUntilAwarded) {
  EntrySpec earn = LedgerTest::Spec("earn", "centre", "alice", 240);
  earn.kind = EntryKind::kAward;
  ASSERT_TRUE(Record(earn).ok());
  auto bought = Redeem("course-1", "alice");
  ASSERT_TRUE(bought.ok()) << bought.status();
  EXPECT_EQ(bought->receipt.entry.kind, EntryKind::kSpend);
  EXPECT_EQ(bought->receipt.entry.to_account_id, "centre");
  EXPECT_EQ(bought->receipt.entry.minutes, 180);
  EXPECT_EQ(bought->qualification_in_progress, "food-hygiene-2");
  EXPECT_EQ(Balance("alice"), 60);
  EXPECT_EQ(Holds("alice").status, HoldingStatus::kInProgress);
  auto again = Redeem("course-1", "alice");
  ASSERT_TRUE(again.ok());
  EXPECT_TRUE(again->receipt.replayed);
  EXPECT_EQ(Balance("alice"), 60);

  ASSERT_TRUE(Award(Spec("cert-1", "alice")).ok());
  const HoldingView view = Holds("alice");
  EXPECT_EQ(view.status, HoldingStatus::kValid);
  EXPECT_FALSE(view.holding.in_progress);
  EXPECT_EQ(Balance("alice"), 180);
  ExpectVerified();
}

TEST_F(QualificationsTest, OffersAreSpendsUnderEveryRule) {
  Policy policy;
  policy.person_floor_minutes = -60;
  ASSERT_TRUE(SetPolicy(policy).ok());
  auto refused = Redeem("course-1", "bob");
  EXPECT_EQ(ReasonOf(refused.status()), "OVERDRAFT_LIMIT");
  EXPECT_EQ(FiguresOf(refused.status())["attempted_minutes"], "180");
  auto held = ledger_->ListQualifications(BankId("hcct"), AccountId("bob"), 0, 0, "");
  ASSERT_TRUE(held.ok());
  EXPECT_TRUE(held->items.empty());
  EXPECT_EQ(ReasonOf(Redeem("course-2", "bob", "no-such").status()), "OFFER_NOT_FOUND");
  EXPECT_EQ(ReasonOf(Redeem("course-3", "nobody").status()), "ACCOUNT_NOT_FOUND");
}

TEST_F(QualificationsTest, OffersRedeemedConcurrentlyByManyMembersAgainstOneFloor) {
  Policy policy;
  policy.person_floor_minutes = -600;  // every member may buy three lunches of 180... and no more
  policy.reciprocity_enabled = false;
  ASSERT_TRUE(SetPolicy(policy).ok());
  constexpr int kMembers = 12;
  constexpr int kTries = 6;
  for (int m = 0; m < kMembers; ++m) {
    ASSERT_TRUE(Open(absl::StrCat("m", m), AccountKind::kPerson).ok());
  }
  std::atomic<int> accepted{0}, refused{0};
  std::vector<std::thread> threads;
  for (int m = 0; m < kMembers; ++m) {
    for (int t = 0; t < 2; ++t) {
      threads.emplace_back([&, m, t] {
        for (int i = 0; i < kTries; ++i) {
          auto result = Redeem(absl::StrCat("m", m, "-", t, "-", i), absl::StrCat("m", m));
          if (result.ok()) {
            ++accepted;
          } else {
            EXPECT_EQ(ReasonOf(result.status()), "OVERDRAFT_LIMIT") << result.status();
            ++refused;
          }
        }
      });
    }
  }
  for (std::thread& thread : threads) thread.join();
  // 600 / 180: three courses each, whatever the interleaving; no balance below the floor.
  EXPECT_EQ(accepted.load(), kMembers * 3);
  EXPECT_EQ(refused.load(), kMembers * (2 * kTries - 3));
  for (int m = 0; m < kMembers; ++m) EXPECT_EQ(Balance(absl::StrCat("m", m)), -540);
  EXPECT_EQ(Balance("centre"), kMembers * 540);
  ExpectVerified();
}

// --- Lists -------------------------------------------------------------------------------------

TEST_F(QualificationsTest, ListsShowValidExpiringExpiredAndInProgressPaged) {
  CatalogueItem first_aid = FoodHygiene();
  first_aid.code = "first-aid";
  first_aid.title = "First aid at work";
  first_aid.validity_days = 40;
  ASSERT_TRUE(Put(first_aid).ok());
  CatalogueItem safeguarding = FoodHygiene();
  safeguarding.code = "safeguarding";
  safeguarding.title = "Safeguarding adults";
  safeguarding.validity_days = 10;
  safeguarding.renewal_reward_minutes = 0;
  ASSERT_TRUE(Put(safeguarding).ok());
  ASSERT_TRUE(Award(Spec("c1", "alice")).ok());
  ASSERT_TRUE(Award(Spec("c2", "alice", "first-aid")).ok());
  ASSERT_TRUE(Award(Spec("c3", "alice", "safeguarding")).ok());
  ASSERT_TRUE(Award(Spec("c4", "bob", "first-aid")).ok());
  now_ = kNow + absl::Seconds(20 * kDay);
  EXPECT_EQ(Holds("alice", "food-hygiene-2").status, HoldingStatus::kValid);
  EXPECT_EQ(Holds("alice", "first-aid").status, HoldingStatus::kExpiring);
  EXPECT_EQ(Holds("alice", "first-aid", 10).status, HoldingStatus::kValid);
  EXPECT_EQ(Holds("alice", "safeguarding").status, HoldingStatus::kExpired);

  auto page = ledger_->ListQualifications(BankId("hcct"), AccountId("alice"), 0, 2, "");
  ASSERT_TRUE(page.ok());
  ASSERT_EQ(page->items.size(), 2u);
  EXPECT_EQ(page->next_page_token,
            PageTokenAfterId(PageListing::kQualifications, {"hcct", "alice"}, "food-hygiene-2"));
  page =
      ledger_->ListQualifications(BankId("hcct"), AccountId("alice"), 0, 2, page->next_page_token);
  ASSERT_EQ(page->items.size(), 1u);
  EXPECT_EQ(page->items[0].holding.qualification_code, "safeguarding");
  EXPECT_TRUE(page->next_page_token.empty());

  auto holders = ledger_->ListHolders(BankId("hcct"), "first-aid", 0, 1, "");
  ASSERT_TRUE(holders.ok()) << holders.status();
  ASSERT_EQ(holders->items.size(), 1u);
  EXPECT_EQ(holders->items[0].holding.account_id, "alice");
  holders = ledger_->ListHolders(BankId("hcct"), "first-aid", 0, 1, holders->next_page_token);
  ASSERT_EQ(holders->items.size(), 1u);
  EXPECT_EQ(holders->items[0].holding.account_id, "bob");

  EXPECT_EQ(ReasonOf(ledger_->ListHolders(BankId("hcct"), "first-aid", 0, 1001, "").status()),
            "INVALID_PAGE_SIZE");
  EXPECT_EQ(
      ReasonOf(
          ledger_->ListQualifications(BankId("hcct"), AccountId("alice"), 4000, 0, "").status()),
      "INVALID_EXPIRING_WITHIN");
  EXPECT_EQ(ReasonOf(ledger_->ListHolders(BankId("hcct"), "no-such", 0, 0, "").status()),
            "QUALIFICATION_NOT_FOUND");
  EXPECT_EQ(
      ReasonOf(ledger_->ListQualifications(BankId("hcct"), AccountId("nobody"), 0, 0, "").status()),
      "ACCOUNT_NOT_FOUND");
  ExpectVerified();
}

// The demo bank shows the catalogue: Dev holds food hygiene (and cooked the lunch), Bob is on the
// course he bought with credits.
TEST(DemoBankTest, LoadsTheCatalogueAnAwardAndACourse) {
  timeledger::testing::TempDir dir;
  LedgerOptions options;
  options.data_dir = dir.path();
  options.sync = false;
  auto ledger = Ledger::Open(options);
  ASSERT_TRUE(ledger.ok()) << ledger.status();
  ASSERT_TRUE(LoadDemoBankIfEmpty(**ledger).ok());
  auto offers = (*ledger)->ListCatalogue(BankId(kDemoBankId), CatalogueKind::kOffer, false, 0, "");
  ASSERT_TRUE(offers.ok());
  EXPECT_EQ(offers->items.size(), 2u);
  auto dev = (*ledger)->ListQualifications(BankId(kDemoBankId), AccountId("dev"), 0, 0, "");
  ASSERT_TRUE(dev.ok());
  ASSERT_EQ(dev->items.size(), 1u);
  EXPECT_EQ(dev->items[0].status, HoldingStatus::kValid);
  auto bob = (*ledger)->ListQualifications(BankId(kDemoBankId), AccountId("bob"), 0, 0, "");
  ASSERT_TRUE(bob.ok());
  ASSERT_EQ(bob->items.size(), 1u);
  EXPECT_EQ(bob->items[0].status, HoldingStatus::kInProgress);
  EXPECT_TRUE((*ledger)->CheckConsistency().ok());
}

}  // namespace
}  // namespace timeledger::ledger
