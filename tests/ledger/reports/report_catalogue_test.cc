// "Hours by activity" named and grouped by the bank's catalogue: an activity's title and
// category, an offer's title for a spend; codes the catalogue does not hold and free text as
// recorded.
#include <string>
#include <tuple>
#include <vector>

#include "absl/strings/str_join.h"
#include <gtest/gtest.h>

#include "ledger/rules/qualifications.h"
#include "tests/ledger/reports/report_fixture.h"

namespace timeledger::ledger {
namespace {

constexpr absl::CivilDay kFirst(2026, 6, 1), kLast(2026, 6, 30);

class ReportCatalogueTest : public ReportTest {
 protected:
  void SetUp() override {
    ReportTest::SetUp();
    for (const char* person : {"alice", "bob"}) {
      ASSERT_TRUE(Open(person, AccountKind::kPerson).ok());
    }
    ASSERT_TRUE(Open("centre", AccountKind::kOrganisation).ok());
    SetClock(absl::CivilDay(2026, 6, 1));
    Put(Item(CatalogueKind::kActivity, "dog-walk", "Dog walking", "Care and company"));
    Put(Item(CatalogueKind::kActivity, "phone-call", "A friendly phone call", "Care and company"));
    Put(Item(CatalogueKind::kActivity, "garden-help", "Help in the garden", ""));
    CatalogueItem course = Item(CatalogueKind::kOffer, "hygiene-course", "Food hygiene course", "");
    course.price_minutes = 180;
    course.organisation_account_id = "centre";
    Put(course);
    SetClock(absl::CivilDay(2026, 6, 10));
    auto dog_walk = Record("e1", EntryKind::kExchange, "bob", "alice", 60, "dog-walk");
    ASSERT_TRUE(dog_walk.ok()) << dog_walk.status();
    dog_walk_seq_ = dog_walk->entry.seq;
    Ok(Record("e2", EntryKind::kExchange, "alice", "bob", 30, "phone-call"));
    Ok(Record("e3", EntryKind::kExchange, "bob", "alice", 45, "garden-help"));
    Ok(Record("e4", EntryKind::kExchange, "alice", "bob", 15, "knitting"));  // not catalogued
    Ok(Record("e5", EntryKind::kSpend, "alice", "centre", 180, "hygiene-course"));
  }

  static CatalogueItem Item(CatalogueKind kind, const std::string& code, const std::string& title,
                            const std::string& category) {
    CatalogueItem item;
    item.kind = kind;
    item.bank_id = kBank;
    item.code = code;
    item.title = title;
    item.category = category;
    return item;
  }

  void Put(const CatalogueItem& item) {
    auto put = Await<CatalogueItem>([&](auto done) {
      ledger_->PutCatalogueItem(item, 0, AdminNamed("coordinator"), std::move(done));
    });
    ASSERT_TRUE(put.ok()) << put.status();
  }

  uint64_t dog_walk_seq_ = 0;

  static void Ok(const absl::StatusOr<Receipt>& receipt) {
    ASSERT_TRUE(receipt.ok()) << receipt.status();
  }

  // Each row as category, its titles joined, total minutes.
  std::vector<std::tuple<std::string, std::string, int64_t>> Rows() {
    auto report = Report(kFirst, kLast);
    EXPECT_TRUE(report.ok()) << report.status();
    std::vector<std::tuple<std::string, std::string, int64_t>> rows;
    if (!report.ok()) return rows;
    for (const CategoryFigures& c : report->current.categories) {
      rows.emplace_back(c.category, absl::StrJoin(c.titles, ", "), c.minutes.Total());
    }
    return rows;
  }
};

TEST_F(ReportCatalogueTest, RowsAreCategoriesNamingTheirActivitiesByTitle) {
  const std::vector<std::tuple<std::string, std::string, int64_t>> expected = {
      {"Food hygiene course", "", 180},
      {"Care and company", "A friendly phone call, Dog walking", 90},
      {"Help in the garden", "", 45},
      {"knitting", "", 15}};
  EXPECT_EQ(Rows(), expected);
}

TEST_F(ReportCatalogueTest, AnActivityReversedInThePeriodIsNotNamed) {
  ASSERT_TRUE(Reverse(dog_walk_seq_).ok());
  const auto rows = Rows();
  ASSERT_EQ(rows.size(), 4u);
  EXPECT_EQ(rows[2], std::make_tuple(std::string("Care and company"),
                                     std::string("A friendly phone call"), int64_t{30}));
}

}  // namespace
}  // namespace timeledger::ledger
