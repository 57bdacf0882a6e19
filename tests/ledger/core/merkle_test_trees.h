// What the Merkle tree's tests share: leaves and trees built the way the ledger builds them,
// the RFC 9162 PATH and PROOF transcribed recursively as the reference, and a node source of
// uniform leaves for trees too large to build.
#ifndef TIMELEDGER_TESTS_LEDGER_CORE_MERKLE_TEST_TREES_H_
#define TIMELEDGER_TESTS_LEDGER_CORE_MERKLE_TEST_TREES_H_

#include <bit>
#include <cstdint>
#include <string_view>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/str_cat.h"
#include "absl/types/span.h"
#include "gtest/gtest.h"

#include "ledger/core/merkle.h"
#include "ledger/core/sha256.h"

namespace timeledger::ledger {

inline constexpr uint64_t kSeed = 20240605;

inline Digest FromHex(std::string_view hex) {
  absl::StatusOr<Digest> digest = DigestFromHex(hex);
  EXPECT_TRUE(digest.ok()) << digest.status();
  return digest.value_or(Digest{});
}

inline Digest N(const Digest& left, const Digest& right) { return MerkleChildrenHash(left, right); }

// Leaf hashes of distinct, deterministic leaves.
inline std::vector<Digest> MakeLeafHashes(uint64_t count) {
  std::vector<Digest> leaves;
  leaves.reserve(count);
  for (uint64_t i = 0; i < count; ++i) {
    leaves.push_back(MerkleLeafHash(absl::StrCat("entry-", i)));
  }
  return leaves;
}

// A tree built the way the ledger builds it: compact tree on the write path,
// every completed node persisted.
struct BuiltTree {
  std::vector<Digest> leaves;
  CompactMerkleTree compact;
  MemoryNodeStore store;
};

inline void AppendAll(absl::Span<const Digest> leaves, BuiltTree* tree) {
  std::vector<MerkleNode> completed;
  for (const Digest& leaf : leaves) {
    completed.clear();
    ASSERT_TRUE(tree->compact.Append(leaf, &completed).ok());
    for (const MerkleNode& node : completed) {
      ASSERT_TRUE(tree->store.Put(node).ok());
    }
    tree->leaves.push_back(leaf);
  }
}

inline BuiltTree BuildTree(uint64_t size) {
  BuiltTree tree;
  AppendAll(MakeLeafHashes(size), &tree);
  return tree;
}

// RFC 9162 2.1.3.1 PATH(m, D[n]), transcribed recursively.
inline std::vector<Digest> ReferencePath(uint64_t m, absl::Span<const Digest> d) {
  if (d.size() <= 1) return {};
  const uint64_t k = std::bit_floor(d.size() - 1);
  std::vector<Digest> path;
  if (m < k) {
    path = ReferencePath(m, d.first(k));
    path.push_back(MerkleTreeHash(d.subspan(k)));
  } else {
    path = ReferencePath(m - k, d.subspan(k));
    path.push_back(MerkleTreeHash(d.first(k)));
  }
  return path;
}

// RFC 9162 2.1.4.1 SUBPROOF(m, D[n], b), transcribed recursively.
inline std::vector<Digest> ReferenceSubproof(uint64_t m, absl::Span<const Digest> d, bool b) {
  if (m == d.size()) {
    if (b) return {};
    return {MerkleTreeHash(d)};
  }
  const uint64_t k = std::bit_floor(d.size() - 1);
  std::vector<Digest> proof;
  if (m <= k) {
    proof = ReferenceSubproof(m, d.first(k), b);
    proof.push_back(MerkleTreeHash(d.subspan(k)));
  } else {
    proof = ReferenceSubproof(m - k, d.subspan(k), false);
    proof.push_back(MerkleTreeHash(d.first(k)));
  }
  return proof;
}

// RFC 9162 2.1.4.1 PROOF(m, D[n]); empty for m == 0 and m == n.
inline std::vector<Digest> ReferenceConsistency(uint64_t m, absl::Span<const Digest> d) {
  if (m == 0 || m == d.size()) return {};
  return ReferenceSubproof(m, d, true);
}

inline Digest Flipped(Digest digest, size_t byte = 0) {
  digest[byte % kDigestBytes] ^= 0x01;
  return digest;
}

// A source in which every leaf hash is the same value, so that every perfect
// node of a level is the same too: consistent at any size, up to 2^63 leaves.
class UniformNodeSource : public MerkleNodeSource {
 public:
  UniformNodeSource() {
    levels_.push_back(MerkleLeafHash("same"));
    for (int level = 1; level <= kMerkleLevelMax; ++level) {
      levels_.push_back(N(levels_.back(), levels_.back()));
    }
  }

  absl::StatusOr<Digest> NodeHash(int level, uint64_t index) const override {
    if (level < 0 || level > kMerkleLevelMax) {
      return absl::NotFoundError("no such level");
    }
    const uint64_t first_leaf = index << level;
    if ((first_leaf >> level) != index ||
        first_leaf > kMerkleTreeSizeMax - (uint64_t{1} << level)) {
      return absl::NotFoundError("beyond the largest tree");
    }
    return levels_[level];
  }

 private:
  std::vector<Digest> levels_;
};

}  // namespace timeledger::ledger

#endif  // TIMELEDGER_TESTS_LEDGER_CORE_MERKLE_TEST_TREES_H_
