#include "ledger/core/ids.h"

#include <string>
#include <type_traits>

#include "absl/container/flat_hash_set.h"
#include "absl/strings/str_cat.h"
#include "gtest/gtest.h"

namespace timeledger::ledger {
namespace {

// What the types are for: an id of one kind never stands in for another without saying so, and
// minutes never come from a bare number.
static_assert(!std::is_convertible_v<AccountId, BankId>);
static_assert(!std::is_convertible_v<BankId, AccountId>);
static_assert(!std::is_convertible_v<EntryId, AccountId>);
static_assert(!std::is_convertible_v<std::string, BankId>);
static_assert(!std::is_convertible_v<const char*, AccountId>);
static_assert(!std::is_convertible_v<int64_t, Minutes>);
static_assert(!std::is_convertible_v<Minutes, int64_t>);
static_assert(std::is_convertible_v<BankId, const std::string&>);
static_assert(std::is_convertible_v<BankId, absl::string_view>);

TEST(IdsTest, AnIdReadsAsItsString) {
  const AccountId alice("alice");
  const std::string& text = alice;
  EXPECT_EQ(text, "alice");
  EXPECT_EQ(alice.value(), "alice");
  EXPECT_EQ(absl::StrCat("account ", absl::string_view(alice)), "account alice");
  EXPECT_FALSE(alice.empty());
  EXPECT_TRUE(AccountId().empty());
}

TEST(IdsTest, IdsCompareAndHashByTheirString) {
  EXPECT_EQ(BankId("camden"), BankId(std::string("camden")));
  EXPECT_LT(BankId("camden"), BankId("holy-cross"));
  absl::flat_hash_set<EntryId> seen = {EntryId("e-1"), EntryId("e-2")};
  EXPECT_TRUE(seen.contains(EntryId("e-1")));
  EXPECT_FALSE(seen.contains(EntryId("e-3")));
}

TEST(IdsTest, MinutesAddAndCompareOnlyWithMinutes) {
  Minutes balance(90);
  balance -= Minutes(120);
  EXPECT_EQ(balance, Minutes(-30));
  EXPECT_EQ(-balance, Minutes(30));
  EXPECT_EQ(Minutes(60) + Minutes(15), Minutes(75));
  EXPECT_GT(Minutes(1), Minutes(0));
  balance += Minutes(30);
  EXPECT_EQ(balance.count(), 0);
}

}  // namespace
}  // namespace timeledger::ledger
