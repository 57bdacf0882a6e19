// The client's own RFC 9162 verification (clients/audit/proof_check.h): against known answers,
// hand-computed small trees, and the ledger's prover on random trees. The test links both sides;
// the client library itself never links ledger/.
#include "clients/audit/proof_check.h"

#include <random>

#include <gtest/gtest.h>

#include "clients/audit/digest_file.h"
#include "ledger/core/merkle.h"
#include "ledger/journal/journal.h"

namespace timeledger::audit {
namespace {

Hash FromLedger(const ledger::Digest& digest) {
  Hash hash;
  std::copy(digest.begin(), digest.end(), hash.begin());
  return hash;
}

std::vector<Hash> FromLedger(const std::vector<ledger::Digest>& digests) {
  std::vector<Hash> hashes;
  for (const auto& digest : digests) hashes.push_back(FromLedger(digest));
  return hashes;
}

// A tree built by the ledger's prover over leaves "0", "1", ...
struct ProverTree {
  explicit ProverTree(uint64_t size) {
    for (uint64_t i = 0; i < size; ++i) {
      std::vector<ledger::MerkleNode> nodes;
      EXPECT_TRUE(tree.Append(ledger::MerkleLeafHash(std::to_string(i)), &nodes).ok());
      for (const auto& node : nodes) EXPECT_TRUE(store.Put(node).ok());
    }
  }
  Hash Root(uint64_t size) const { return FromLedger(*ledger::MerkleRootAt(size, store)); }

  ledger::CompactMerkleTree tree;
  ledger::MemoryNodeStore store;
};

TEST(ProofCheckTest, KnownAnswers) {
  EXPECT_EQ(ToHex(EmptyRoot()), "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
  // RFC 6962 leaf hash of the empty leaf, as Certificate Transparency's test data has it.
  EXPECT_EQ(ToHex(LeafHash("")),
            "6e340b9cffb37a989ca544e6bb780a2c78901d3fb33738768511a30617afa01d");
  EXPECT_EQ(*FromHex(ToHex(LeafHash("x"))), LeafHash("x"));
  EXPECT_FALSE(FromHex("zz").ok());
  EXPECT_FALSE(FromBytes("short").ok());
}

TEST(ProofCheckTest, HandComputedTreeOfFiveLeaves) {
  std::vector<Hash> l;
  for (const char* leaf : {"a", "b", "c", "d", "e"}) l.push_back(LeafHash(leaf));
  const Hash ab = NodeHash(l[0], l[1]), cd = NodeHash(l[2], l[3]);
  const Hash root3 = NodeHash(ab, l[2]);
  const Hash root4 = NodeHash(ab, cd);
  const Hash root5 = NodeHash(root4, l[4]);
  EXPECT_TRUE(VerifyInclusion(l[4], 4, 5, {root4}, root5).ok());
  EXPECT_TRUE(VerifyInclusion(l[2], 2, 5, {l[3], ab, l[4]}, root5).ok());
  EXPECT_TRUE(VerifyInclusion(l[0], 0, 5, {l[1], cd, l[4]}, root5).ok());
  EXPECT_TRUE(VerifyInclusion(l[2], 2, 3, {ab}, root3).ok());
  EXPECT_TRUE(VerifyInclusion(l[0], 0, 1, {}, l[0]).ok());
  EXPECT_TRUE(VerifyConsistency(3, 5, root3, root5, {l[2], l[3], ab, l[4]}).ok());
  EXPECT_TRUE(VerifyConsistency(4, 5, root4, root5, {l[4]}).ok());
  EXPECT_TRUE(VerifyConsistency(5, 5, root5, root5, {}).ok());
  EXPECT_TRUE(VerifyConsistency(0, 5, EmptyRoot(), root5, {}).ok());
  // Wrong in each way it can be.
  EXPECT_EQ(VerifyInclusion(l[3], 4, 5, {root4}, root5).code(), absl::StatusCode::kDataLoss);
  EXPECT_FALSE(VerifyInclusion(l[4], 3, 5, {root4}, root5).ok());  // index 3 needs 3 hashes
  EXPECT_EQ(VerifyInclusion(l[4], 4, 5, {root4, l[0]}, root5).code(),
            absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(VerifyInclusion(l[4], 5, 5, {root4}, root5).code(), absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(VerifyConsistency(3, 5, root4, root5, {l[2], l[3], ab, l[4]}).code(),
            absl::StatusCode::kDataLoss);
  EXPECT_EQ(VerifyConsistency(3, 5, root3, root4, {l[2], l[3], ab, l[4]}).code(),
            absl::StatusCode::kDataLoss);
  EXPECT_FALSE(VerifyConsistency(3, 5, root3, root5, {l[2], l[3], ab}).ok());
  EXPECT_FALSE(VerifyConsistency(5, 3, root5, root3, {}).ok());
}

// Property: for random trees, every proof of the ledger's prover verifies here, and any altered
// leaf, index, proof hash or root fails.
TEST(ProofCheckTest, AgreesWithTheLedgersProverOnRandomTrees) {
  std::mt19937_64 random(20261123);
  for (uint64_t size = 1; size <= 140; size += 1 + random() % 3) {
    ProverTree prover(size);
    const Hash root = prover.Root(size);
    for (int trial = 0; trial < 12; ++trial) {
      const uint64_t index = random() % size;
      const Hash leaf = FromLedger(ledger::MerkleLeafHash(std::to_string(index)));
      auto path = FromLedger(*ledger::InclusionProof(index, size, prover.store));
      ASSERT_TRUE(VerifyInclusion(leaf, index, size, path, root).ok()) << size << " " << index;
      EXPECT_FALSE(VerifyInclusion(LeafHash("other"), index, size, path, root).ok());
      if (size > 1) {
        EXPECT_FALSE(VerifyInclusion(leaf, (index + 1) % size, size, path, root).ok());
        Hash altered = path[random() % path.size()];
        altered[random() % 32] ^= 0x80;
        auto bad_path = path;
        bad_path[random() % path.size()] = altered;
        if (bad_path != path) {
          EXPECT_FALSE(VerifyInclusion(leaf, index, size, bad_path, root).ok());
        }
      }
      const uint64_t old_size = random() % (size + 1);
      auto proof = FromLedger(*ledger::ConsistencyProof(old_size, size, prover.store));
      const Hash old_root = old_size == 0 ? EmptyRoot() : prover.Root(old_size);
      ASSERT_TRUE(VerifyConsistency(old_size, size, old_root, root, proof).ok())
          << old_size << " " << size;
      if (old_size > 0 && old_size < size) {
        EXPECT_FALSE(VerifyConsistency(old_size, size, LeafHash("x"), root, proof).ok());
        EXPECT_FALSE(VerifyConsistency(old_size, size, old_root, LeafHash("x"), proof).ok());
        auto bad = proof;
        bad[random() % bad.size()][0] ^= 1;
        EXPECT_FALSE(VerifyConsistency(old_size, size, old_root, root, bad).ok());
      }
    }
  }
}

// A digest can name at most 2^63 leaves, as the ledger's trees: beyond that both checks refuse,
// whatever the proof, as the ledger's own verifier does (found by tests/fuzz/proofs_fuzz).
TEST(ProofCheckTest, RefusesTreesLargerThanAnyLedgers) {
  const uint64_t too_large = (uint64_t{1} << 63) + 1;
  const Hash root = Sha256("root");
  EXPECT_EQ(VerifyConsistency(too_large, too_large, root, root, {}).code(),
            absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(VerifyInclusion(root, 0, too_large, {}, root).code(),
            absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(ledger::VerifyConsistency(too_large, too_large, root, root, {}).code(),
            absl::StatusCode::kInvalidArgument);
}

TEST(ProofCheckTest, ReadsTheHeaderOfCanonicalFacts) {
  ledger::Entry entry;
  entry.bank_id = "hcct";
  entry.seq = 42;
  entry.entry_id = "x";
  entry.from_account_id = "a";
  entry.to_account_id = "b";
  entry.minutes = 15;
  ledger::Fact fact = ledger::EntryFact(entry);
  fact.position = 77;
  auto header = ParseFactHeader(ledger::EncodeFact(fact));
  ASSERT_TRUE(header.ok()) << header.status();
  EXPECT_EQ(header->type, 5);
  EXPECT_EQ(header->bank_id, "hcct");
  EXPECT_EQ(header->position, 77u);
  EXPECT_EQ(header->entry_seq, 42u);
  EXPECT_FALSE(ParseFactHeader("\x02\x05").ok());
  EXPECT_FALSE(ParseFactHeader(ledger::EncodeFact(fact).substr(0, 20)).ok());

  // The facts added after the first seven have the same header (found by proofs_fuzz).
  ledger::Fact pin_set = ledger::PinSetFact("hcct", "alice", "carol");
  pin_set.position = 78;
  auto pin_header = ParseFactHeader(ledger::EncodeFact(pin_set));
  ASSERT_TRUE(pin_header.ok()) << pin_header.status();
  EXPECT_EQ(pin_header->type, 17);
  EXPECT_EQ(pin_header->position, 78u);
}

// A sealed fact (layout 4) and an entry's note: each value opens a commitment of the bytes, with
// its salt, and nothing else does. Checked with this client's own SHA-256, not the ledger's.
TEST(ProofCheckTest, PersonalValuesOpenTheCommitmentsOfTheirFact) {
  ledger::Entry entry;
  entry.bank_id = "hcct";
  entry.seq = 42;
  entry.entry_id = "x";
  entry.from_account_id = "a";
  entry.to_account_id = "b";
  entry.minutes = 15;
  entry.note = "mended the bike";
  ledger::SealEntryNote(&entry);
  ledger::Fact fact = ledger::EntryFact(entry);
  fact.position = 77;
  const std::string bytes = ledger::EncodeFact(fact);
  auto header = ParseFactHeader(bytes);
  ASSERT_TRUE(header.ok()) << header.status();
  EXPECT_EQ(header->entry_seq, 42u);
  const auto records = ledger::PersonalRecordsOf(fact);
  ASSERT_EQ(records.size(), 1u);
  const std::string salt(reinterpret_cast<const char*>(records[0].salt.data()),
                         records[0].salt.size());
  EXPECT_TRUE(VerifyPersonalValue(bytes, salt, "mended the bike").ok());
  EXPECT_EQ(VerifyPersonalValue(bytes, salt, "mended the car").code(), absl::StatusCode::kDataLoss);
  EXPECT_EQ(VerifyPersonalValue(bytes, salt.substr(1), "mended the bike").code(),
            absl::StatusCode::kInvalidArgument);

  ledger::Account alice;
  alice.bank_id = "hcct";
  alice.account_id = "alice";
  alice.display_name = "Alice Brown";
  ledger::Fact opened = ledger::AccountOpenedFact(alice, "carol");
  ledger::SealPersonalData(&opened);
  const auto name = ledger::PersonalRecordsOf(opened);
  ASSERT_EQ(name.size(), 1u);
  EXPECT_TRUE(
      VerifyPersonalValue(ledger::EncodeFact(opened),
                          std::string(reinterpret_cast<const char*>(name[0].salt.data()), 16),
                          "Alice Brown")
          .ok());
}

TEST(DigestFileTest, RoundTripsAndRefusesWhatIsNotOne) {
  DigestFile digest;
  digest.server = "127.0.0.1:1";
  digest.bank_id = "hcct";
  digest.tree_size = 1234567;
  digest.root_hash = LeafHash("r");
  digest.journal_hash = LeafHash("j");
  digest.entry_count = 1000;
  digest.issued_at = "2026-09-21T10:00:00Z";
  auto parsed = ParseDigestFile(FormatDigestFile(digest));
  ASSERT_TRUE(parsed.ok()) << parsed.status();
  EXPECT_EQ(parsed->bank_id, "hcct");
  EXPECT_EQ(parsed->tree_size, 1234567u);
  EXPECT_EQ(parsed->root_hash, digest.root_hash);
  EXPECT_EQ(parsed->entry_count, 1000u);
  EXPECT_FALSE(ParseDigestFile("not json").ok());
  EXPECT_FALSE(ParseDigestFile("{\"format\": \"other\"}").ok());
  EXPECT_FALSE(ParseDigestFile("{\"format\": \"timeledger-digest/1\", \"bank_id\": \"b\", "
                               "\"tree_size\": -1, \"root_hash\": \"00\"}")
                   .ok());
  EXPECT_EQ(JsonString("a\"b\\\n"), "\"a\\\"b\\\\\\n\"");
}

}  // namespace
}  // namespace timeledger::audit
