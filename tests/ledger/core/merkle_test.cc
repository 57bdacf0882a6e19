// Tests of the RFC 6962 / 9162 Merkle tree: hand-computed small trees, the
// Certificate Transparency reference vectors, and the compact tree against the
// recursive definition, with property tests on fixed seeds. Proofs are in
// merkle_proof_test.cc, SHA-256 in sha256_test.cc.
#include "ledger/core/merkle.h"

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

#include "ledger/core/sha256.h"
#include "tests/ledger/core/merkle_test_trees.h"

namespace timeledger::ledger {
namespace {

// ---------------------------------------------------------------------------
// Hashing and roots

TEST(MerkleTest, HashesUseTheRfc6962DomainPrefixes) {
  EXPECT_EQ(MerkleEmptyRoot(), Sha256::Hash(""));
  EXPECT_EQ(MerkleLeafHash("leaf"), Sha256::Hash(std::string("\x00leaf", 5)));
  const Digest left = MerkleLeafHash("l");
  const Digest right = MerkleLeafHash("r");
  std::string node_bytes(1, '\x01');
  node_bytes.append(reinterpret_cast<const char*>(left.data()), left.size());
  node_bytes.append(reinterpret_cast<const char*>(right.data()), right.size());
  EXPECT_EQ(N(left, right), Sha256::Hash(node_bytes));
  EXPECT_NE(N(left, right), N(right, left));
}

TEST(MerkleTest, RootsOfSmallTreesMatchHandComputation) {
  const std::vector<Digest> l = MakeLeafHashes(8);
  const std::vector<std::pair<uint64_t, Digest>> expected = {
      {0, Sha256::Hash("")},
      {1, l[0]},
      {2, N(l[0], l[1])},
      {3, N(N(l[0], l[1]), l[2])},
      {4, N(N(l[0], l[1]), N(l[2], l[3]))},
      {5, N(N(N(l[0], l[1]), N(l[2], l[3])), l[4])},
      {7, N(N(N(l[0], l[1]), N(l[2], l[3])), N(N(l[4], l[5]), l[6]))},
      {8, N(N(N(l[0], l[1]), N(l[2], l[3])), N(N(l[4], l[5]), N(l[6], l[7])))},
  };
  const BuiltTree tree = BuildTree(8);
  for (const auto& [size, root] : expected) {
    SCOPED_TRACE(absl::StrCat("size ", size));
    const absl::Span<const Digest> leaves(l.data(), size);
    EXPECT_EQ(MerkleTreeHash(leaves), root);
    BuiltTree grown;
    AppendAll(leaves, &grown);
    EXPECT_EQ(grown.compact.Root(), root);
    absl::StatusOr<Digest> from_nodes = MerkleRootAt(size, tree.store);
    ASSERT_TRUE(from_nodes.ok()) << from_nodes.status();
    EXPECT_EQ(*from_nodes, root);
  }
}

// The Certificate Transparency reference vectors (RFC 6962 test data, as in
// transparency-dev/merkle testonly): eight leaves and the root of each prefix.
class CtVectorsTest : public ::testing::Test {
 protected:
  CtVectorsTest() {
    const std::vector<std::string> leaf_bytes = {
        std::string(),
        std::string("\x00", 1),
        "\x10",
        "\x20\x21",
        "\x30\x31",
        "\x40\x41\x42\x43",
        "\x50\x51\x52\x53\x54\x55\x56\x57",
        "\x60\x61\x62\x63\x64\x65\x66\x67\x68\x69\x6a\x6b\x6c\x6d\x6e\x6f",
    };
    std::vector<Digest> leaves;
    for (const std::string& bytes : leaf_bytes) {
      leaves.push_back(MerkleLeafHash(bytes));
    }
    AppendAll(leaves, &tree_);
  }

  Digest Root(uint64_t size) const { return FromHex(kRoots[size]); }

  static constexpr const char* kRoots[] = {
      "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855",
      "6e340b9cffb37a989ca544e6bb780a2c78901d3fb33738768511a30617afa01d",
      "fac54203e7cc696cf0dfcb42c92a1d9dbaf70ad9e621f4bd8d98662f00e3c125",
      "aeb6bcfe274b70a14fb067a5e5578264db0fa9b51af5e0ba159158f329e06e77",
      "d37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7",
      "4e3bbb1f7b478dcfe71fb631631519a3bca12c9aefca1612bfce4c13a86264d4",
      "76e67dadbcdf1e10e1b74ddc608abd2f98dfb16fbce75277b5232a127f2087ef",
      "ddb89be403809e325750d3d263cd78929c2942b7942a34b77e122c9594a74c8c",
      "5dc9da79a70659a9ad559cb701ded9a2ab9d823aad2f4960cfe370eff4604328",
  };

  BuiltTree tree_;
};

TEST_F(CtVectorsTest, RootOfEveryPrefixMatchesTheReference) {
  for (uint64_t size = 0; size <= 8; ++size) {
    SCOPED_TRACE(absl::StrCat("size ", size));
    const absl::Span<const Digest> leaves(tree_.leaves.data(), size);
    EXPECT_EQ(MerkleTreeHash(leaves), Root(size));
    absl::StatusOr<Digest> from_nodes = MerkleRootAt(size, tree_.store);
    ASSERT_TRUE(from_nodes.ok());
    EXPECT_EQ(*from_nodes, Root(size));
  }
  EXPECT_EQ(tree_.compact.Root(), Root(8));
}

TEST_F(CtVectorsTest, InclusionProofsMatchTheReference) {
  const struct {
    uint64_t index;
    uint64_t size;
    std::vector<std::string_view> proof;
  } kVectors[] = {
      {0,
       8,
       {"96a296d224f285c67bee93c30f8a309157f0daa35dc5b87e410b78630a09cfc7",
        "5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e",
        "6b47aaf29ee3c2af9af889bc1fb9254dabd31177f16232dd6aab035ca39bf6e4"}},
      {5,
       8,
       {"bc1a0643b12e4d2d7c77918f44e0f4f79a838b6cf9ec5b5c283e1f4d88599e6b",
        "ca854ea128ed050b41b35ffc1b87b8eb2bde461e9e3b5596ece6b9d5975a0ae0",
        "d37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7"}},
  };
  for (const auto& vector : kVectors) {
    SCOPED_TRACE(absl::StrCat("leaf ", vector.index, " of ", vector.size));
    std::vector<Digest> expected;
    for (std::string_view hex : vector.proof) expected.push_back(FromHex(hex));
    absl::StatusOr<std::vector<Digest>> proof =
        InclusionProof(vector.index, vector.size, tree_.store);
    ASSERT_TRUE(proof.ok()) << proof.status();
    EXPECT_EQ(*proof, expected);
    EXPECT_TRUE(VerifyInclusion(tree_.leaves[vector.index], vector.index, vector.size, expected,
                                Root(vector.size))
                    .ok());
  }
}

TEST_F(CtVectorsTest, ConsistencyProofsMatchTheReference) {
  const struct {
    uint64_t old_size;
    uint64_t new_size;
    std::vector<std::string_view> proof;
  } kVectors[] = {
      {1, 1, {}},
      {1,
       8,
       {"96a296d224f285c67bee93c30f8a309157f0daa35dc5b87e410b78630a09cfc7",
        "5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e",
        "6b47aaf29ee3c2af9af889bc1fb9254dabd31177f16232dd6aab035ca39bf6e4"}},
      {2,
       8,
       {"5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e",
        "6b47aaf29ee3c2af9af889bc1fb9254dabd31177f16232dd6aab035ca39bf6e4"}},
      {6,
       8,
       {"0ebc5d3437fbe2db158b9f126a1d118e308181031d0a949f8dededebc558ef6a",
        "ca854ea128ed050b41b35ffc1b87b8eb2bde461e9e3b5596ece6b9d5975a0ae0",
        "d37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7"}},
      {2,
       5,
       {"5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e",
        "bc1a0643b12e4d2d7c77918f44e0f4f79a838b6cf9ec5b5c283e1f4d88599e6b"}},
  };
  for (const auto& vector : kVectors) {
    SCOPED_TRACE(absl::StrCat(vector.old_size, " -> ", vector.new_size));
    std::vector<Digest> expected;
    for (std::string_view hex : vector.proof) expected.push_back(FromHex(hex));
    absl::StatusOr<std::vector<Digest>> proof =
        ConsistencyProof(vector.old_size, vector.new_size, tree_.store);
    ASSERT_TRUE(proof.ok()) << proof.status();
    EXPECT_EQ(*proof, expected);
    EXPECT_TRUE(VerifyConsistency(vector.old_size, vector.new_size, Root(vector.old_size),
                                  Root(vector.new_size), expected)
                    .ok());
  }
}

// ---------------------------------------------------------------------------
// CompactMerkleTree

TEST(CompactMerkleTreeTest, RootEqualsMerkleTreeHashForEverySizeUpTo300) {
  const std::vector<Digest> leaves = MakeLeafHashes(300);
  CompactMerkleTree tree;
  EXPECT_EQ(tree.Root(), MerkleEmptyRoot());
  for (uint64_t size = 1; size <= leaves.size(); ++size) {
    ASSERT_TRUE(tree.Append(leaves[size - 1]).ok());
    ASSERT_EQ(tree.size(), size);
    ASSERT_EQ(tree.Root(), MerkleTreeHash(absl::MakeConstSpan(leaves).first(size)))
        << "size " << size;
  }
}

TEST(CompactMerkleTreeTest, RootEqualsMerkleTreeHashForRandomSizes) {
  std::mt19937_64 rng(kSeed);
  const std::vector<Digest> leaves = MakeLeafHashes(5000);
  for (int trial = 0; trial < 20; ++trial) {
    const uint64_t size = rng() % (leaves.size() + 1);
    CompactMerkleTree tree;
    for (uint64_t i = 0; i < size; ++i) ASSERT_TRUE(tree.Append(leaves[i]).ok());
    EXPECT_EQ(tree.Root(), MerkleTreeHash(absl::MakeConstSpan(leaves).first(size)))
        << "size " << size;
  }
}

TEST(CompactMerkleTreeTest, AppendReportsEachCompletedPerfectNode) {
  const std::vector<Digest> l = MakeLeafHashes(4);
  CompactMerkleTree tree;
  std::vector<MerkleNode> completed;
  ASSERT_TRUE(tree.Append(l[0], &completed).ok());
  EXPECT_EQ(completed, (std::vector<MerkleNode>{{0, 0, l[0]}}));
  completed.clear();
  ASSERT_TRUE(tree.Append(l[1], &completed).ok());
  EXPECT_EQ(completed, (std::vector<MerkleNode>{{0, 1, l[1]}, {1, 0, N(l[0], l[1])}}));
  completed.clear();
  ASSERT_TRUE(tree.Append(l[2], &completed).ok());
  EXPECT_EQ(completed, (std::vector<MerkleNode>{{0, 2, l[2]}}));
  completed.clear();
  ASSERT_TRUE(tree.Append(l[3], &completed).ok());
  EXPECT_EQ(completed,
            (std::vector<MerkleNode>{
                {0, 3, l[3]}, {1, 1, N(l[2], l[3])}, {2, 0, N(N(l[0], l[1]), N(l[2], l[3]))}}));
}

TEST(CompactMerkleTreeTest, PersistedNodesAreExactlyThePerfectSubtrees) {
  for (const uint64_t size : {1u, 2u, 3u, 100u, 1024u, 1999u}) {
    SCOPED_TRACE(absl::StrCat("size ", size));
    const BuiltTree tree = BuildTree(size);
    // A perfect node per 2^level aligned block: 2n - popcount(n) in all.
    EXPECT_EQ(tree.store.node_count(), 2 * size - std::popcount(size));
    for (int level = 0; (uint64_t{1} << level) <= size; ++level) {
      const uint64_t width = uint64_t{1} << level;
      for (uint64_t index = 0; (index + 1) * width <= size; ++index) {
        absl::StatusOr<Digest> hash = tree.store.NodeHash(level, index);
        ASSERT_TRUE(hash.ok()) << hash.status();
        ASSERT_EQ(*hash,
                  MerkleTreeHash(absl::MakeConstSpan(tree.leaves).subspan(index * width, width)));
      }
      EXPECT_EQ(tree.store.NodeHash(level, size / width).status().code(),
                absl::StatusCode::kNotFound);
    }
  }
}

TEST(CompactMerkleTreeTest, FromNodesRebuildsTheTreeAtEverySize) {
  const BuiltTree full = BuildTree(300);
  CompactMerkleTree grown;
  for (uint64_t size = 0; size <= 300; ++size) {
    if (size > 0) {
      ASSERT_TRUE(grown.Append(full.leaves[size - 1]).ok());
    }
    absl::StatusOr<CompactMerkleTree> rebuilt = CompactMerkleTree::FromNodes(size, full.store);
    ASSERT_TRUE(rebuilt.ok()) << rebuilt.status();
    ASSERT_EQ(*rebuilt, grown) << "size " << size;
  }
  EXPECT_EQ(CompactMerkleTree::FromNodes(301, full.store).status().code(),
            absl::StatusCode::kNotFound);
}

TEST(CompactMerkleTreeTest, EncodeDecodeRoundTripsAndAppendingContinues) {
  const std::vector<Digest> leaves = MakeLeafHashes(301);
  CompactMerkleTree tree;
  for (uint64_t size = 0; size < 300; ++size) {
    const std::string bytes = tree.Encode();
    ASSERT_EQ(bytes.size(),
              CompactMerkleTree::kEncodedBytesMin + std::popcount(size) * kDigestBytes);
    absl::StatusOr<CompactMerkleTree> decoded = CompactMerkleTree::Decode(bytes);
    ASSERT_TRUE(decoded.ok()) << decoded.status();
    ASSERT_EQ(*decoded, tree);
    ASSERT_EQ(decoded->Root(), tree.Root());
    // The decoded tree carries on exactly as the original.
    ASSERT_TRUE(decoded->Append(leaves[size]).ok());
    ASSERT_TRUE(tree.Append(leaves[size]).ok());
    ASSERT_EQ(decoded->Root(), tree.Root()) << "size " << size + 1;
  }
}

TEST(CompactMerkleTreeTest, EncodingIsTheDocumentedLayout) {
  const std::vector<Digest> l = MakeLeafHashes(3);
  CompactMerkleTree tree;
  for (const Digest& leaf : l) ASSERT_TRUE(tree.Append(leaf).ok());
  std::string expected("\x01\x00\x00\x00\x00\x00\x00\x00\x03", 9);
  const Digest peak0 = N(l[0], l[1]);
  expected.append(reinterpret_cast<const char*>(peak0.data()), kDigestBytes);
  expected.append(reinterpret_cast<const char*>(l[2].data()), kDigestBytes);
  EXPECT_EQ(tree.Encode(), expected);
}

TEST(CompactMerkleTreeTest, DecodeRejectsMalformedBytes) {
  const BuiltTree tree = BuildTree(11);  // 3 peaks.
  const std::string good = tree.compact.Encode();
  ASSERT_TRUE(CompactMerkleTree::Decode(good).ok());

  std::vector<std::pair<std::string, std::string>> bad = {
      {"empty", ""},
      {"format byte only", std::string("\x01", 1)},
      {"extra byte", good + '\0'},
      {"wrong format", "\x02" + good.substr(1)},
      {"format zero", std::string(1, '\0') + good.substr(1)},
      {"size 12 needs 2 peaks", good.substr(0, 8) + '\x0c' + good.substr(9)},
      {"size 15 needs 4 peaks", good.substr(0, 8) + '\x0f' + good.substr(9)},
      {"longer than the limit", std::string(CompactMerkleTree::kEncodedBytesMax + 1, '\x01')},
  };
  // Every truncation of a valid encoding.
  for (size_t length = 0; length < good.size(); ++length) {
    bad.emplace_back(absl::StrCat("truncated to ", length), good.substr(0, length));
  }
  // A size above 2^63, with the peak count it would need.
  std::string too_big("\x01\x80\x00\x00\x00\x00\x00\x00\x01", 9);
  too_big.append(2 * kDigestBytes, 'p');
  bad.emplace_back("size above 2^63", too_big);
  std::string all_ones("\x01\xff\xff\xff\xff\xff\xff\xff\xff", 9);
  all_ones.append(64 * kDigestBytes, 'p');
  bad.emplace_back("size 2^64 - 1", all_ones);

  for (const auto& [name, bytes] : bad) {
    EXPECT_EQ(CompactMerkleTree::Decode(bytes).status().code(), absl::StatusCode::kInvalidArgument)
        << name;
  }
}

TEST(CompactMerkleTreeTest, DecodeOfRandomBytesNeverCrashesAndChecksLength) {
  std::mt19937_64 rng(kSeed);
  for (int trial = 0; trial < 20000; ++trial) {
    std::string bytes(rng() % 200, '\0');
    for (char& c : bytes) c = static_cast<char>(rng());
    if (trial % 2 == 0 && !bytes.empty()) bytes[0] = '\x01';
    absl::StatusOr<CompactMerkleTree> decoded = CompactMerkleTree::Decode(bytes);
    if (decoded.ok()) {
      ASSERT_EQ(decoded->Encode(), bytes);
    } else {
      ASSERT_EQ(decoded.status().code(), absl::StatusCode::kInvalidArgument);
    }
  }
}

TEST(CompactMerkleTreeTest, AppendStopsAtTheTreeSizeLimit) {
  const UniformNodeSource source;
  absl::StatusOr<CompactMerkleTree> tree =
      CompactMerkleTree::FromNodes(kMerkleTreeSizeMax - 1, source);
  ASSERT_TRUE(tree.ok()) << tree.status();
  // 2^63 - 1 leaves: 63 peaks, the longest encoding.
  EXPECT_EQ(tree->Encode().size(), CompactMerkleTree::kEncodedBytesMax);
  absl::StatusOr<CompactMerkleTree> decoded = CompactMerkleTree::Decode(tree->Encode());
  ASSERT_TRUE(decoded.ok()) << decoded.status();
  EXPECT_EQ(*decoded, *tree);

  std::vector<MerkleNode> completed;
  ASSERT_TRUE(tree->Append(*source.NodeHash(0, 0), &completed).ok());
  EXPECT_EQ(tree->size(), kMerkleTreeSizeMax);
  ASSERT_EQ(completed.size(), 64u);
  EXPECT_EQ(completed.back().level, kMerkleLevelMax);
  EXPECT_EQ(completed.back().index, 0u);
  EXPECT_EQ(tree->Root(), *source.NodeHash(kMerkleLevelMax, 0));
  EXPECT_EQ(tree->Root(), *MerkleRootAt(kMerkleTreeSizeMax, source));

  EXPECT_EQ(tree->Append(*source.NodeHash(0, 0)).code(), absl::StatusCode::kResourceExhausted);
  EXPECT_EQ(tree->size(), kMerkleTreeSizeMax);
  EXPECT_EQ(CompactMerkleTree::FromNodes(kMerkleTreeSizeMax + 1, source).status().code(),
            absl::StatusCode::kInvalidArgument);
}

// ---------------------------------------------------------------------------
// MemoryNodeStore

TEST(MemoryNodeStoreTest, PutRejectsOutOfOrderIndexAndBadLevel) {
  MemoryNodeStore store;
  const Digest hash = MerkleLeafHash("x");
  EXPECT_TRUE(store.Put({0, 0, hash}).ok());
  EXPECT_EQ(store.Put({0, 0, hash}).code(), absl::StatusCode::kFailedPrecondition);
  EXPECT_EQ(store.Put({0, 2, hash}).code(), absl::StatusCode::kFailedPrecondition);
  EXPECT_EQ(store.Put({3, 1, hash}).code(), absl::StatusCode::kFailedPrecondition);
  EXPECT_EQ(store.Put({-1, 0, hash}).code(), absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(store.Put({kMerkleLevelMax + 1, 0, hash}).code(), absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(store.NodeHash(0, 1).status().code(), absl::StatusCode::kNotFound);
  EXPECT_EQ(store.NodeHash(-1, 0).status().code(), absl::StatusCode::kNotFound);
  EXPECT_EQ(store.node_count(), 1u);
}

}  // namespace
}  // namespace timeledger::ledger
