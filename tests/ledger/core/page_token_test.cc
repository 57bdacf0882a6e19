// Page tokens (ledger/core/page_token.h): opaque, round-tripping the position, and refused for
// another listing, other filters, or anything this server did not give.
#include "ledger/core/page_token.h"

#include <string>

#include "absl/strings/escaping.h"
#include <gtest/gtest.h>

#include "ledger/core/errors.h"

namespace timeledger::ledger {
namespace {

TEST(PageTokenTest, CarriesTheIdOrSeqItWasMadeAfter) {
  const std::string by_id = PageTokenAfterId(PageListing::kAccounts, {"hcct"}, "alice");
  EXPECT_EQ(PageAfterId(by_id, PageListing::kAccounts, {"hcct"}).value(), "alice");
  const std::string by_seq = PageTokenAfterSeq(PageListing::kEntries, {"hcct", ""}, 4096);
  EXPECT_EQ(PageAfterSeq(by_seq, PageListing::kEntries, {"hcct", ""}).value(), 4096u);
  EXPECT_EQ(PageAfterId("", PageListing::kAccounts, {"hcct"}).value(), "");
  EXPECT_EQ(PageAfterSeq("", PageListing::kEntries, {"hcct", ""}).value(), 0u);
}

TEST(PageTokenTest, IsOpaqueUrlSafeAndBounded) {
  const std::string longest_id(64, 'z');
  const std::string token =
      PageTokenAfterId(PageListing::kHolders, {"hcct", "first-aid"}, longest_id);
  EXPECT_LE(token.size(), kPageTokenCharsMax);
  EXPECT_EQ(token.find(longest_id), std::string::npos);
  EXPECT_EQ(
      token.find_first_not_of("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_"),
      std::string::npos);
  const std::string seq = PageTokenAfterSeq(PageListing::kEntries, {"hcct", ""}, 17);
  EXPECT_EQ(seq.find("17"), std::string::npos);
  EXPECT_NE(seq, "17");
}

TEST(PageTokenTest, RefusesATokenOfAnotherListingOrOtherFilters) {
  const std::string token = PageTokenAfterId(PageListing::kAccounts, {"hcct"}, "alice");
  for (const absl::StatusOr<std::string>& refused :
       {PageAfterId(token, PageListing::kAccounts, {"other"}),
        PageAfterId(token, PageListing::kBanks, {}),
        PageAfterId(token, PageListing::kCatalogue, {"hcct"}),
        PageAfterId(token, PageListing::kAccounts, {"hcct", ""})}) {
    ASSERT_FALSE(refused.ok());
    EXPECT_EQ(refused.status().code(), absl::StatusCode::kInvalidArgument);
    EXPECT_TRUE(HasReason(refused.status(), Reason::kInvalidPageToken));
    EXPECT_EQ(FiguresOf(refused.status()).at("field"), "page_token");
    EXPECT_NE(refused.status().message().find("other filters"), std::string::npos);
  }
  // The filters are length-prefixed: moving a character from one to the next is another listing.
  const std::string entries = PageTokenAfterSeq(PageListing::kEntries, {"ab", "c"}, 3);
  EXPECT_FALSE(PageAfterSeq(entries, PageListing::kEntries, {"a", "bc"}).ok());
  EXPECT_FALSE(PageAfterId(entries, PageListing::kEntries, {"ab", "c"}).ok());
}

TEST(PageTokenTest, RefusesWhatThisServerDidNotGive) {
  const std::string good = PageTokenAfterSeq(PageListing::kEntries, {"hcct", ""}, 9);
  std::string record;
  ASSERT_TRUE(absl::WebSafeBase64Unescape(good, &record));
  std::string newer = record;
  newer[0] = 2;  // a version this server does not know
  std::string longer = record + "x";
  std::string zero = record;
  zero.back() = 0;  // seq 0 is no entry's
  for (const std::string& token :
       {std::string("17"), std::string("alice"), std::string("!!!"), std::string(200, 'A'),
        absl::WebSafeBase64Escape(newer), absl::WebSafeBase64Escape(longer),
        absl::WebSafeBase64Escape(zero), absl::WebSafeBase64Escape(record.substr(0, 5))}) {
    auto refused = PageAfterSeq(token, PageListing::kEntries, {"hcct", ""});
    ASSERT_FALSE(refused.ok()) << token;
    EXPECT_TRUE(HasReason(refused.status(), Reason::kInvalidPageToken)) << token;
  }
  // An id position must be an id.
  std::string bad_id = PageTokenAfterId(PageListing::kBanks, {}, "hcct");
  ASSERT_TRUE(absl::WebSafeBase64Unescape(bad_id, &record));
  record.back() = '/';
  EXPECT_FALSE(PageAfterId(absl::WebSafeBase64Escape(record), PageListing::kBanks, {}).ok());
}

}  // namespace
}  // namespace timeledger::ledger
