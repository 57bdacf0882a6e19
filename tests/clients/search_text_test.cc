// Searching accounts by name as coordinators type: accents, case, apostrophes and hyphens do not
// matter, letters such as ł and ß are found by their ASCII spelling, other scripts stay searchable.
#include "clients/common/search_text.h"

#include <gtest/gtest.h>

namespace timeledger::clients {
namespace {

TEST(SearchTextTest, FoldingDropsCaseAccentsAndApostrophes) {
  EXPECT_EQ(FoldForSearch("José García"), "jose garcia");
  EXPECT_EQ(FoldForSearch("Maria O'Neill"), "maria oneill");
  EXPECT_EQ(FoldForSearch("Maria O\u2019Neill"), "maria oneill");
  EXPECT_EQ(FoldForSearch("Łukasz Żółć-Wiśniewski"), "lukasz zolc wisniewski");
  EXPECT_EQ(FoldForSearch("  Straße, Nº 5 "), "strasse no 5");
  EXPECT_EQ(FoldForSearch("Zoë  Ødegård"), "zoe odegard");
  EXPECT_EQ(FoldForSearch("রহিমা বেগম"), "রহিমা বেগম");  // Bengali keeps its letters and marks
  EXPECT_EQ(FoldForSearch(""), "");
}

TEST(SearchTextTest, EveryWordOfTheQueryMustBeFoundSomewhere) {
  EXPECT_TRUE(MatchesSearch("José García", "jose"));
  EXPECT_TRUE(MatchesSearch("José García", "GARC jos"));
  EXPECT_TRUE(MatchesSearch("Maria O'Neill", "oneill"));
  EXPECT_TRUE(MatchesSearch("Maria O'Neill", "o'neill maria"));
  EXPECT_TRUE(MatchesSearch("Maria O'Neill", "neill"));
  EXPECT_FALSE(MatchesSearch("Maria O'Neill", "maria garcia"));
  EXPECT_TRUE(MatchesSearch("Łukasz Wiśniewski", "lukasz"));
  EXPECT_TRUE(MatchesSearch("anything", ""));  // no words: everything matches
}

}  // namespace
}  // namespace timeledger::clients
