// Fuzz target: the client's proof checks (clients/audit), which take what an untrusted server
// sends. They are written apart from the server's Merkle code (ledger/core/merkle.h) on purpose, so
// the two are checked against each other as well as for crashes:
//
//   - any proof, sizes and roots: both verifiers give the same verdict (accept or refuse);
//   - honest proofs of a tree built from the input: both accept them, and both refuse them once
//     one byte of a proof hash or of the root is flipped;
//   - any bytes as a fact: the client's header parser never crashes, and when the ledger decodes
//     the bytes as a fact the two agree on its type, bank and position.
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/strings/string_view.h"

#include "clients/audit/proof_check.h"
#include "ledger/core/merkle.h"
#include "ledger/journal/journal.h"

namespace {

using timeledger::ledger::Digest;

constexpr uint64_t kTreeLeavesMax = 64;  // honest trees stay small: the shape matters, not size
constexpr size_t kProofHashesMax = 70;   // longer than any valid proof (2 log2 of 2^63)

[[noreturn]] void Fail(const char* what) {
  std::fprintf(stderr, "proofs_fuzz: %s\n", what);
  std::abort();
}

// Reads the input front to back; past its end every read yields zeros.
class Input {
 public:
  Input(const uint8_t* data, size_t size) : data_(data), size_(size) {}
  uint8_t Byte() { return offset_ < size_ ? data_[offset_++] : 0; }
  uint64_t U64() {
    uint64_t value = 0;
    for (int i = 0; i < 8; ++i) value = value << 8 | Byte();
    return value;
  }
  Digest Hash() {
    Digest hash{};
    for (uint8_t& byte : hash) byte = Byte();
    return hash;
  }
  absl::string_view Rest() const {
    return offset_ < size_
               ? absl::string_view(reinterpret_cast<const char*>(data_) + offset_, size_ - offset_)
               : absl::string_view();
  }

 private:
  const uint8_t* data_;
  size_t size_;
  size_t offset_ = 0;
};

void CheckSameVerdict(const absl::Status& ledger, const absl::Status& client, const char* what) {
  if (ledger.ok() == client.ok()) return;
  std::fprintf(stderr, "proofs_fuzz: ledger says: %s\nproofs_fuzz: client says: %s\n",
               ledger.ToString().c_str(), client.ToString().c_str());
  Fail(what);
}

void HostileProofs(Input& input) {
  const uint64_t index = input.U64(), size = input.U64();
  const Digest leaf = input.Hash(), root = input.Hash(), other_root = input.Hash();
  std::vector<Digest> proof(input.Byte() % (kProofHashesMax + 1));
  for (Digest& hash : proof) hash = input.Hash();
  CheckSameVerdict(timeledger::ledger::VerifyInclusion(leaf, index, size, proof, root),
                   timeledger::audit::VerifyInclusion(leaf, index, size, proof, root),
                   "the verifiers disagree on an inclusion proof");
  CheckSameVerdict(timeledger::ledger::VerifyConsistency(index, size, root, other_root, proof),
                   timeledger::audit::VerifyConsistency(index, size, root, other_root, proof),
                   "the verifiers disagree on a consistency proof");
}

void HonestProofs(Input& input) {
  const uint64_t size = 1 + input.Byte() % kTreeLeavesMax;
  const uint64_t index = input.Byte() % size;
  const uint64_t old_size = input.Byte() % (size + 1);
  const uint8_t seed = input.Byte();
  timeledger::ledger::CompactMerkleTree tree, old_tree;
  timeledger::ledger::MemoryNodeStore nodes;
  std::vector<Digest> leaves;
  for (uint64_t i = 0; i < size; ++i) {
    const std::string leaf = std::to_string(seed) + ":" + std::to_string(i);
    leaves.push_back(timeledger::ledger::MerkleLeafHash(leaf));
    std::vector<timeledger::ledger::MerkleNode> completed;
    if (!tree.Append(leaves.back(), &completed).ok()) Fail("append failed");
    for (const auto& node : completed) {
      if (!nodes.Put(node).ok()) Fail("node store refused a node");
    }
    if (i + 1 == old_size) old_tree = tree;
  }
  const Digest root = tree.Root();
  const Digest old_root = old_size == 0 ? timeledger::ledger::MerkleEmptyRoot() : old_tree.Root();
  auto inclusion = timeledger::ledger::InclusionProof(index, size, nodes);
  auto consistency = timeledger::ledger::ConsistencyProof(old_size, size, nodes);
  if (!inclusion.ok() || !consistency.ok()) Fail("the prover failed on a valid tree");
  if (!timeledger::audit::VerifyInclusion(leaves[index], index, size, *inclusion, root).ok()) {
    Fail("the client refuses an honest inclusion proof");
  }
  if (!timeledger::audit::VerifyConsistency(old_size, size, old_root, root, *consistency).ok()) {
    Fail("the client refuses an honest consistency proof");
  }
  // One flipped bit, in a proof hash or the root: both verifiers must refuse.
  const uint8_t where = input.Byte(), bit = static_cast<uint8_t>(1u << (input.Byte() % 8));
  Digest bad_root = root;
  bad_root[where % 32] ^= bit;
  std::vector<Digest> bad_inclusion = *inclusion;
  if (!bad_inclusion.empty()) bad_inclusion[where % bad_inclusion.size()][where % 32] ^= bit;
  for (const auto& [proof, proof_root] :
       {std::pair{*inclusion, bad_root}, std::pair{bad_inclusion, root}}) {
    if (proof == *inclusion && proof_root == root) continue;
    if (timeledger::audit::VerifyInclusion(leaves[index], index, size, proof, proof_root).ok() ||
        timeledger::ledger::VerifyInclusion(leaves[index], index, size, proof, proof_root).ok()) {
      Fail("a tampered inclusion proof verifies");
    }
  }
  if (old_size > 0 && !consistency->empty()) {
    std::vector<Digest> bad_consistency = *consistency;
    bad_consistency[where % bad_consistency.size()][where % 32] ^= bit;
    if (timeledger::audit::VerifyConsistency(old_size, size, old_root, root, bad_consistency)
            .ok()) {
      Fail("a tampered consistency proof verifies");
    }
  }
}

void FactHeaders(Input& input) {
  const absl::string_view bytes = input.Rest();
  const auto header = timeledger::audit::ParseFactHeader(bytes);
  const auto fact = timeledger::ledger::DecodeFact(bytes);
  if (!fact.ok()) return;
  if (!header.ok()) Fail("the client cannot parse the header of a fact the ledger decodes");
  if (header->type != static_cast<uint8_t>(fact->type) || header->bank_id != fact->bank_id ||
      header->position != fact->position) {
    Fail("the client and the ledger read a fact's header differently");
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  Input input(data, size);
  switch (input.Byte() % 3) {
    case 0:
      HostileProofs(input);
      break;
    case 1:
      HonestProofs(input);
      break;
    case 2:
      FactHeaders(input);
      break;
  }
  return 0;
}
