// Tests of the Merkle tree's proofs: inclusion and consistency proofs made from persisted nodes
// against a transcription of the RFC's recursive PATH and PROOF, verified for random trees, and
// refused when any part of them is altered or out of range.
#include <algorithm>
#include <cstdint>
#include <random>
#include <string>
#include <utility>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/types/span.h"
#include "gtest/gtest.h"

#include "ledger/core/merkle.h"
#include "tests/ledger/core/merkle_test_trees.h"

namespace timeledger::ledger {
namespace {

// ---------------------------------------------------------------------------
// Inclusion proofs

TEST(InclusionProofTest, ProofsFromNodesEqualTheRfcReferenceForSmallTrees) {
  const BuiltTree tree = BuildTree(130);
  for (uint64_t size = 1; size <= 130; ++size) {
    const auto leaves = absl::MakeConstSpan(tree.leaves).first(size);
    for (uint64_t index = 0; index < size; ++index) {
      absl::StatusOr<std::vector<Digest>> proof = InclusionProof(index, size, tree.store);
      ASSERT_TRUE(proof.ok()) << proof.status();
      ASSERT_EQ(*proof, ReferencePath(index, leaves)) << "leaf " << index << " of " << size;
    }
  }
}

TEST(InclusionProofTest, ProofsFromNodesEqualTheRfcReferenceForRandomTrees) {
  std::mt19937_64 rng(kSeed);
  const BuiltTree tree = BuildTree(4000);
  for (int trial = 0; trial < 15; ++trial) {
    const uint64_t size = 1 + rng() % tree.leaves.size();
    const auto leaves = absl::MakeConstSpan(tree.leaves).first(size);
    for (int sample = 0; sample < 20; ++sample) {
      const uint64_t index = rng() % size;
      absl::StatusOr<std::vector<Digest>> proof = InclusionProof(index, size, tree.store);
      ASSERT_TRUE(proof.ok()) << proof.status();
      ASSERT_EQ(*proof, ReferencePath(index, leaves)) << "leaf " << index << " of " << size;
    }
  }
}

TEST(InclusionProofTest, InclusionProofVerifiesForEveryLeafOfRandomTrees) {
  std::mt19937_64 rng(kSeed);
  const BuiltTree tree = BuildTree(4000);
  std::vector<uint64_t> sizes = {1, 2, 3, 4, 5, 7, 8, 9, 63, 64, 65, 4000};
  for (int trial = 0; trial < 10; ++trial) {
    sizes.push_back(1 + rng() % tree.leaves.size());
  }
  for (const uint64_t size : sizes) {
    absl::StatusOr<Digest> root = MerkleRootAt(size, tree.store);
    ASSERT_TRUE(root.ok());
    ASSERT_EQ(*root, MerkleTreeHash(absl::MakeConstSpan(tree.leaves).first(size)));
    for (uint64_t index = 0; index < size; ++index) {
      absl::StatusOr<std::vector<Digest>> proof = InclusionProof(index, size, tree.store);
      ASSERT_TRUE(proof.ok()) << proof.status();
      ASSERT_LE(proof->size(), static_cast<size_t>(std::bit_width(size - 1)));
      const absl::Status verified = VerifyInclusion(tree.leaves[index], index, size, *proof, *root);
      ASSERT_TRUE(verified.ok()) << "leaf " << index << " of " << size << ": " << verified;
    }
  }
}

TEST(InclusionProofTest, AnyAlterationOfLeafProofIndexOrSizeFails) {
  std::mt19937_64 rng(kSeed);
  const BuiltTree tree = BuildTree(3000);
  for (int trial = 0; trial < 300; ++trial) {
    const uint64_t size = 1 + rng() % tree.leaves.size();
    const uint64_t index = rng() % size;
    const Digest& leaf = tree.leaves[index];
    const Digest root = *MerkleRootAt(size, tree.store);
    const std::vector<Digest> proof = *InclusionProof(index, size, tree.store);
    SCOPED_TRACE(absl::StrCat("leaf ", index, " of ", size));
    ASSERT_TRUE(VerifyInclusion(leaf, index, size, proof, root).ok());

    // Another leaf, or the same leaf with one bit flipped.
    EXPECT_EQ(VerifyInclusion(Flipped(leaf, rng()), index, size, proof, root).code(),
              absl::StatusCode::kDataLoss);
    if (size > 1) {
      const uint64_t other = (index + 1 + rng() % (size - 1)) % size;
      EXPECT_FALSE(VerifyInclusion(tree.leaves[other], index, size, proof, root).ok());
      // The right leaf at a wrong position.
      EXPECT_FALSE(VerifyInclusion(leaf, other, size, proof, root).ok());
    }
    // Each proof element altered in turn.
    for (size_t i = 0; i < proof.size(); ++i) {
      std::vector<Digest> altered = proof;
      altered[i] = Flipped(altered[i], rng());
      EXPECT_EQ(VerifyInclusion(leaf, index, size, altered, root).code(),
                absl::StatusCode::kDataLoss)
          << "element " << i;
    }
    // Elements swapped, dropped or added.
    if (proof.size() >= 2 && proof[0] != proof[1]) {
      std::vector<Digest> swapped = proof;
      std::swap(swapped[0], swapped[1]);
      EXPECT_FALSE(VerifyInclusion(leaf, index, size, swapped, root).ok());
    }
    if (!proof.empty()) {
      const std::vector<Digest> shorter(proof.begin(), proof.end() - 1);
      EXPECT_EQ(VerifyInclusion(leaf, index, size, shorter, root).code(),
                absl::StatusCode::kInvalidArgument);
    }
    std::vector<Digest> longer = proof;
    longer.push_back(leaf);
    EXPECT_EQ(VerifyInclusion(leaf, index, size, longer, root).code(),
              absl::StatusCode::kInvalidArgument);
    // Another tree size, checked against that size's root. (A digest is a
    // size and a root together: the RFC 9162 algorithm binds the size only
    // through the root, so the wrong size is paired with its own root.)
    for (const uint64_t other_size : {size - 1, size + 1, 2 * size}) {
      if (other_size <= index || other_size > tree.leaves.size()) continue;
      const Digest other_root = *MerkleRootAt(other_size, tree.store);
      EXPECT_FALSE(VerifyInclusion(leaf, index, other_size, proof, other_root).ok())
          << "size " << other_size;
    }
    // Another root.
    EXPECT_EQ(VerifyInclusion(leaf, index, size, proof, Flipped(root)).code(),
              absl::StatusCode::kDataLoss);
  }
}

TEST(InclusionProofTest, RejectsIndexOutsideTheTreeAndSizesOverTheLimit) {
  const BuiltTree tree = BuildTree(8);
  const Digest root = tree.compact.Root();
  EXPECT_EQ(InclusionProof(8, 8, tree.store).status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(InclusionProof(0, 0, tree.store).status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(InclusionProof(0, kMerkleTreeSizeMax + 1, tree.store).status().code(),
            absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(InclusionProof(0, 9, tree.store).status().code(), absl::StatusCode::kNotFound);

  const std::vector<Digest> proof = *InclusionProof(7, 8, tree.store);
  EXPECT_EQ(VerifyInclusion(tree.leaves[7], 8, 8, proof, root).code(),
            absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(VerifyInclusion(tree.leaves[7], 0, 0, {}, root).code(),
            absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(VerifyInclusion(tree.leaves[7], 7, kMerkleTreeSizeMax + 1, proof, root).code(),
            absl::StatusCode::kInvalidArgument);
  const std::vector<Digest> too_long(kMerkleProofHashesMax + 1, root);
  EXPECT_EQ(VerifyInclusion(tree.leaves[7], 7, kMerkleTreeSizeMax, too_long, root).code(),
            absl::StatusCode::kInvalidArgument);
  // A one-leaf tree: the leaf is the root and the proof is empty.
  EXPECT_TRUE(VerifyInclusion(tree.leaves[0], 0, 1, {}, tree.leaves[0]).ok());
  EXPECT_EQ(VerifyInclusion(tree.leaves[0], 0, 1, {root}, tree.leaves[0]).code(),
            absl::StatusCode::kInvalidArgument);
}

TEST(InclusionProofTest, ProofsAtTheTreeSizeLimitVerify) {
  const UniformNodeSource source;
  const Digest leaf = *source.NodeHash(0, 0);
  for (const uint64_t size :
       {kMerkleTreeSizeMax, kMerkleTreeSizeMax - 1, (kMerkleTreeSizeMax >> 1) + 1}) {
    const Digest root = *MerkleRootAt(size, source);
    for (const uint64_t index : {uint64_t{0}, size / 3, size - 2, size - 1}) {
      absl::StatusOr<std::vector<Digest>> proof = InclusionProof(index, size, source);
      ASSERT_TRUE(proof.ok()) << proof.status();
      EXPECT_LE(proof->size(), 63u);
      EXPECT_TRUE(VerifyInclusion(leaf, index, size, *proof, root).ok())
          << "leaf " << index << " of " << size;
    }
  }
  EXPECT_EQ(InclusionProof(0, kMerkleTreeSizeMax, source)->size(), 63u);
}

// ---------------------------------------------------------------------------
// Consistency proofs

TEST(ConsistencyProofTest, ProofsFromNodesEqualTheRfcReferenceForSmallTrees) {
  const BuiltTree tree = BuildTree(100);
  for (uint64_t new_size = 0; new_size <= 100; ++new_size) {
    const auto leaves = absl::MakeConstSpan(tree.leaves).first(new_size);
    for (uint64_t old_size = 0; old_size <= new_size; ++old_size) {
      absl::StatusOr<std::vector<Digest>> proof = ConsistencyProof(old_size, new_size, tree.store);
      ASSERT_TRUE(proof.ok()) << proof.status();
      ASSERT_EQ(*proof, ReferenceConsistency(old_size, leaves)) << old_size << " -> " << new_size;
    }
  }
}

TEST(ConsistencyProofTest, EveryConsistencyProofVerifiesBetweenRandomSizes) {
  std::mt19937_64 rng(kSeed);
  const BuiltTree tree = BuildTree(4000);
  std::vector<Digest> roots;
  for (uint64_t size = 0; size <= tree.leaves.size(); ++size) {
    roots.push_back(*MerkleRootAt(size, tree.store));
  }
  // Every pair in small trees, then random pairs in large ones.
  std::vector<std::pair<uint64_t, uint64_t>> pairs;
  for (uint64_t new_size = 0; new_size <= 70; ++new_size) {
    for (uint64_t old_size = 0; old_size <= new_size; ++old_size) {
      pairs.emplace_back(old_size, new_size);
    }
  }
  for (int trial = 0; trial < 2000; ++trial) {
    uint64_t a = rng() % (tree.leaves.size() + 1);
    uint64_t b = rng() % (tree.leaves.size() + 1);
    pairs.emplace_back(std::min(a, b), std::max(a, b));
  }
  for (const auto& [old_size, new_size] : pairs) {
    absl::StatusOr<std::vector<Digest>> proof = ConsistencyProof(old_size, new_size, tree.store);
    ASSERT_TRUE(proof.ok()) << proof.status();
    ASSERT_LE(proof->size(), static_cast<size_t>(std::bit_width(new_size) + 1));
    const absl::Status verified =
        VerifyConsistency(old_size, new_size, roots[old_size], roots[new_size], *proof);
    ASSERT_TRUE(verified.ok()) << old_size << " -> " << new_size << ": " << verified;
  }
}

TEST(ConsistencyProofTest, AnyAlterationOfRootsOrProofFails) {
  std::mt19937_64 rng(kSeed);
  const BuiltTree tree = BuildTree(3000);
  for (int trial = 0; trial < 300; ++trial) {
    uint64_t old_size = 1 + rng() % (tree.leaves.size() - 1);
    uint64_t new_size = 1 + rng() % (tree.leaves.size() - 1);
    if (old_size > new_size) std::swap(old_size, new_size);
    if (old_size == new_size) ++new_size;
    SCOPED_TRACE(absl::StrCat(old_size, " -> ", new_size));
    const Digest old_root = *MerkleRootAt(old_size, tree.store);
    const Digest new_root = *MerkleRootAt(new_size, tree.store);
    const std::vector<Digest> proof = *ConsistencyProof(old_size, new_size, tree.store);
    ASSERT_TRUE(VerifyConsistency(old_size, new_size, old_root, new_root, proof).ok());

    EXPECT_EQ(
        VerifyConsistency(old_size, new_size, Flipped(old_root, rng()), new_root, proof).code(),
        absl::StatusCode::kDataLoss);
    EXPECT_EQ(
        VerifyConsistency(old_size, new_size, old_root, Flipped(new_root, rng()), proof).code(),
        absl::StatusCode::kDataLoss);
    // A rewritten history: the old root of a tree whose last leaf differs.
    std::vector<Digest> rewritten(tree.leaves.begin(), tree.leaves.begin() + old_size);
    rewritten.back() = Flipped(rewritten.back());
    EXPECT_FALSE(
        VerifyConsistency(old_size, new_size, MerkleTreeHash(rewritten), new_root, proof).ok());
    for (size_t i = 0; i < proof.size(); ++i) {
      std::vector<Digest> altered = proof;
      altered[i] = Flipped(altered[i], rng());
      EXPECT_EQ(VerifyConsistency(old_size, new_size, old_root, new_root, altered).code(),
                absl::StatusCode::kDataLoss)
          << "element " << i;
    }
    const std::vector<Digest> shorter(proof.begin(), proof.end() - 1);
    EXPECT_EQ(VerifyConsistency(old_size, new_size, old_root, new_root, shorter).code(),
              absl::StatusCode::kInvalidArgument);
    std::vector<Digest> longer = proof;
    longer.push_back(new_root);
    EXPECT_EQ(VerifyConsistency(old_size, new_size, old_root, new_root, longer).code(),
              absl::StatusCode::kInvalidArgument);
    // The proof is for these two trees and no others. (A digest is a size
    // and a root together: RFC 9162 verification binds the size only through
    // the root, so each other size is paired with its own root.)
    if (old_size + 1 < new_size) {
      EXPECT_FALSE(VerifyConsistency(old_size + 1, new_size,
                                     *MerkleRootAt(old_size + 1, tree.store), new_root, proof)
                       .ok());
    }
    EXPECT_FALSE(VerifyConsistency(old_size - 1, new_size, *MerkleRootAt(old_size - 1, tree.store),
                                   new_root, proof)
                     .ok());
    EXPECT_FALSE(VerifyConsistency(old_size, new_size + 1, old_root,
                                   *MerkleRootAt(new_size + 1, tree.store), proof)
                     .ok());
  }
}

TEST(ConsistencyProofTest, EqualAndEmptyOldTreesNeedEmptyProofs) {
  const BuiltTree tree = BuildTree(8);
  const Digest root4 = *MerkleRootAt(4, tree.store);
  const Digest root8 = tree.compact.Root();
  const Digest empty = MerkleEmptyRoot();

  EXPECT_TRUE(VerifyConsistency(4, 4, root4, root4, {}).ok());
  EXPECT_EQ(VerifyConsistency(4, 4, root4, root8, {}).code(), absl::StatusCode::kDataLoss);
  EXPECT_EQ(VerifyConsistency(4, 4, root4, root4, {root4}).code(),
            absl::StatusCode::kInvalidArgument);
  EXPECT_TRUE(VerifyConsistency(0, 8, empty, root8, {}).ok());
  EXPECT_TRUE(VerifyConsistency(0, 0, empty, empty, {}).ok());
  EXPECT_EQ(VerifyConsistency(0, 8, root4, root8, {}).code(), absl::StatusCode::kDataLoss);
  EXPECT_EQ(VerifyConsistency(0, 8, empty, root8, {root4}).code(),
            absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(VerifyConsistency(4, 8, root4, root8, {}).code(), absl::StatusCode::kInvalidArgument);
}

TEST(ConsistencyProofTest, RejectsShrinkingSizesAndSizesOverTheLimit) {
  const BuiltTree tree = BuildTree(8);
  const Digest root = tree.compact.Root();
  EXPECT_EQ(ConsistencyProof(5, 3, tree.store).status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(ConsistencyProof(1, kMerkleTreeSizeMax + 1, tree.store).status().code(),
            absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(ConsistencyProof(3, 9, tree.store).status().code(), absl::StatusCode::kNotFound);
  EXPECT_EQ(VerifyConsistency(5, 3, root, root, {root}).code(), absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(VerifyConsistency(1, kMerkleTreeSizeMax + 1, root, root, {root}).code(),
            absl::StatusCode::kInvalidArgument);
  const std::vector<Digest> too_long(kMerkleProofHashesMax + 1, root);
  EXPECT_EQ(VerifyConsistency(3, kMerkleTreeSizeMax, root, root, too_long).code(),
            absl::StatusCode::kInvalidArgument);
}

TEST(ConsistencyProofTest, ProofsAtTheTreeSizeLimitVerify) {
  const UniformNodeSource source;
  const std::pair<uint64_t, uint64_t> pairs[] = {
      {kMerkleTreeSizeMax - 1, kMerkleTreeSizeMax},
      {1, kMerkleTreeSizeMax},
      {3, kMerkleTreeSizeMax - 1},
      {kMerkleTreeSizeMax / 3, kMerkleTreeSizeMax / 2 + 5},
  };
  for (const auto& [old_size, new_size] : pairs) {
    absl::StatusOr<std::vector<Digest>> proof = ConsistencyProof(old_size, new_size, source);
    ASSERT_TRUE(proof.ok()) << proof.status();
    EXPECT_LE(proof->size(), kMerkleProofHashesMax);
    EXPECT_TRUE(VerifyConsistency(old_size, new_size, *MerkleRootAt(old_size, source),
                                  *MerkleRootAt(new_size, source), *proof)
                    .ok())
        << old_size << " -> " << new_size;
  }
  // The longest proof there is: 2^63 - 1 -> 2^63.
  EXPECT_EQ(ConsistencyProof(kMerkleTreeSizeMax - 1, kMerkleTreeSizeMax, source)->size(),
            kMerkleProofHashesMax);
}

}  // namespace
}  // namespace timeledger::ledger
