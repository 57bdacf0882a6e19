// The periods staff name in words (--last-month, --last-quarter, --year), at the edges of months,
// quarters and years.
#include "clients/cli/periods.h"

#include <gtest/gtest.h>

namespace timeledger::cli {
namespace {

TEST(PeriodsTest, LastMonthIsTheWholeCalendarMonthBefore) {
  const Period march = LastMonth(absl::CivilDay(2026, 4, 1));
  EXPECT_EQ(march.first, absl::CivilDay(2026, 3, 1));
  EXPECT_EQ(march.last, absl::CivilDay(2026, 3, 31));
  const Period february = LastMonth(absl::CivilDay(2028, 3, 31));  // a leap year
  EXPECT_EQ(february.first, absl::CivilDay(2028, 2, 1));
  EXPECT_EQ(february.last, absl::CivilDay(2028, 2, 29));
  const Period december = LastMonth(absl::CivilDay(2027, 1, 15));
  EXPECT_EQ(december.first, absl::CivilDay(2026, 12, 1));
  EXPECT_EQ(december.last, absl::CivilDay(2026, 12, 31));
}

TEST(PeriodsTest, LastQuarterIsTheCalendarQuarterBefore) {
  for (int month : {1, 2, 3}) {
    const Period q4 = LastQuarter(absl::CivilDay(2027, month, 10));
    EXPECT_EQ(q4.first, absl::CivilDay(2026, 10, 1)) << month;
    EXPECT_EQ(q4.last, absl::CivilDay(2026, 12, 31)) << month;
  }
  const Period q2 = LastQuarter(absl::CivilDay(2026, 9, 30));
  EXPECT_EQ(q2.first, absl::CivilDay(2026, 4, 1));
  EXPECT_EQ(q2.last, absl::CivilDay(2026, 6, 30));
  const Period q3 = LastQuarter(absl::CivilDay(2026, 10, 1));
  EXPECT_EQ(q3.first, absl::CivilDay(2026, 7, 1));
  EXPECT_EQ(q3.last, absl::CivilDay(2026, 9, 30));
}

TEST(PeriodsTest, AYearIsJanuaryToDecemberAndMustBeAYear) {
  const absl::StatusOr<Period> year = Year("2026");
  ASSERT_TRUE(year.ok());
  EXPECT_EQ(year->first, absl::CivilDay(2026, 1, 1));
  EXPECT_EQ(year->last, absl::CivilDay(2026, 12, 31));
  for (const char* bad : {"", "26", "20266", "1999", "two", "2026-01"}) {
    const absl::StatusOr<Period> refused = Year(bad);
    ASSERT_FALSE(refused.ok()) << bad;
    EXPECT_NE(refused.status().message().find("--year takes a year such as 2026"),
              std::string::npos);
  }
}

}  // namespace
}  // namespace timeledger::cli
