// Tests of SHA-256 as the ledger uses it: the FIPS vectors, incremental updates, and digests
// written as hex.
#include "ledger/core/sha256.h"

#include <cctype>
#include <cstdint>
#include <string>
#include <string_view>

#include "absl/status/status.h"
#include "absl/types/span.h"
#include "gtest/gtest.h"

#include "tests/ledger/core/merkle_test_trees.h"

namespace timeledger::ledger {
namespace {

// ---------------------------------------------------------------------------
// Sha256

TEST(Sha256Test, MatchesFipsVectors) {
  EXPECT_EQ(DigestToHex(Sha256::Hash("")),
            "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
  EXPECT_EQ(DigestToHex(Sha256::Hash("abc")),
            "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
}

TEST(Sha256Test, IncrementalUpdatesEqualOneShotAndFinishResets) {
  Sha256 hasher;
  const Digest pieces = hasher.Update("a").Update("").Update("bc").Finish();
  EXPECT_EQ(pieces, Sha256::Hash("abc"));
  // After Finish the hasher starts a new message.
  EXPECT_EQ(hasher.Update("abc").Finish(), Sha256::Hash("abc"));
  EXPECT_EQ(hasher.Finish(), Sha256::Hash(""));
  const Digest bytes = Sha256::Hash("xyz");
  EXPECT_EQ(
      hasher.Update(absl::Span<const uint8_t>(bytes)).Finish(),
      Sha256::Hash(std::string_view(reinterpret_cast<const char*>(bytes.data()), bytes.size())));
}

TEST(Sha256Test, HexRoundTripsAndAcceptsEitherCase) {
  const Digest digest = Sha256::Hash("abc");
  const std::string hex = DigestToHex(digest);
  ASSERT_EQ(hex.size(), kDigestHexChars);
  EXPECT_EQ(FromHex(hex), digest);
  std::string upper = hex;
  for (char& c : upper) c = static_cast<char>(std::toupper(c));
  EXPECT_EQ(FromHex(upper), digest);
}

TEST(Sha256Test, HexDecodeRejectsWrongLengthAndNonHexCharacters) {
  const std::string hex = DigestToHex(Sha256::Hash("abc"));
  EXPECT_EQ(DigestFromHex("").status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(DigestFromHex(hex.substr(1)).status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(DigestFromHex(hex + "0").status().code(), absl::StatusCode::kInvalidArgument);
  for (const char bad : {'g', 'x', ' ', '-', '\0'}) {
    std::string mangled = hex;
    mangled[17] = bad;
    EXPECT_EQ(DigestFromHex(mangled).status().code(), absl::StatusCode::kInvalidArgument)
        << "character " << static_cast<int>(bad);
  }
}

}  // namespace
}  // namespace timeledger::ledger
