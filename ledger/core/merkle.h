// The Merkle tree of a bank's journal, hashed as RFC 6962 / RFC 9162 section
// 2 define it, so that any Certificate Transparency style verifier can check
// the ledger's proofs:
//
//   empty tree root  = SHA-256("")
//   leaf hash        = SHA-256(0x00 || leaf bytes)
//   interior node    = SHA-256(0x01 || left || right)
//   MTH(D[n])        = node(MTH(D[0:k]), MTH(D[k:n])), k the largest power
//                      of two smaller than n
//
// What is here, all pure except the stores:
//
//   - MerkleTreeHash: the reference root over all leaf hashes, O(n).
//   - CompactMerkleTree: the append-only frontier of a tree (one root per
//     perfect subtree, O(log n) hashes). The write path keeps one per bank
//     beside the chain head: Append() gives the new root in O(log n) without
//     rereading leaves, and reports the perfect subtrees ("nodes") the
//     append completed, for the caller to persist in the same write.
//   - MerkleNodeSource: read access to those persisted perfect nodes.
//     InclusionProof and ConsistencyProof compose proofs from them with
//     O(log n) lookups. MemoryNodeStore is an in-memory source.
//   - VerifyInclusion and VerifyConsistency: the client-side checks of RFC
//     9162 sections 2.1.3.2 and 2.1.4.2. They need no source.
//
// A perfect node (level, index) is the root of the perfect subtree over the
// 2^level leaves [index * 2^level, (index + 1) * 2^level); level 0 nodes are
// the leaf hashes. A tree of n leaves has fewer than 2n perfect nodes, and a
// node never changes once complete, so nodes persisted for a tree of n leaves
// serve proofs for every tree size up to n.
//
// Ownership: values own their data; the proof functions borrow the source for
// the duration of the call. Thread-safety: the free functions are thread-safe;
// CompactMerkleTree and MemoryNodeStore are not (const members may be called
// concurrently when nothing writes); a MerkleNodeSource implementation states
// its own.

#ifndef TIMELEDGER_LEDGER_MERKLE_H_
#define TIMELEDGER_LEDGER_MERKLE_H_

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/types/span.h"

#include "ledger/core/sha256.h"

namespace timeledger::ledger {

// The largest tree, in leaves (inclusive).
inline constexpr uint64_t kMerkleTreeSizeMax = uint64_t{1} << 63;
// The highest level of a perfect node: the root of 2^63 leaves.
inline constexpr int kMerkleLevelMax = 63;
// The most hashes a proof may carry; a consistency proof for the largest tree
// carries 64, an inclusion proof 63.
inline constexpr size_t kMerkleProofHashesMax = 64;

// Returns the root of the empty tree, SHA-256("").
Digest MerkleEmptyRoot();

// Returns the leaf hash SHA-256(0x00 || leaf_bytes).
Digest MerkleLeafHash(std::string_view leaf_bytes);

// Returns the interior node hash SHA-256(0x01 || left || right).
Digest MerkleChildrenHash(const Digest& left, const Digest& right);

// Returns MTH over `leaf_hashes` (already leaf-hashed), by the recursive
// definition. O(n) time; the reference for tests and offline audit.
Digest MerkleTreeHash(absl::Span<const Digest> leaf_hashes);

// A completed perfect subtree; see the file comment.
struct MerkleNode {
  int level = 0;       // 0 .. kMerkleLevelMax; 0 = a leaf hash.
  uint64_t index = 0;  // Position among the nodes of this level.
  Digest hash = {};

  friend bool operator==(const MerkleNode&, const MerkleNode&) = default;
};

// Read access to persisted perfect nodes.
class MerkleNodeSource {
 public:
  virtual ~MerkleNodeSource() = default;

  // Returns the hash of the perfect node (level, index). Returns NotFound if
  // the node is not stored, or whatever error reading it produced.
  virtual absl::StatusOr<Digest> NodeHash(int level, uint64_t index) const = 0;
};

// The frontier of an append-only Merkle tree: the roots ("peaks") of the
// perfect subtrees that cover its leaves, largest first. See the file comment.
class CompactMerkleTree {
 public:
  // Exact length bounds of Encode()'s output.
  static constexpr size_t kEncodedBytesMin = 1 + 8;
  static constexpr size_t kEncodedBytesMax = kEncodedBytesMin + kMerkleLevelMax * kDigestBytes;

  // An empty tree.
  CompactMerkleTree() = default;

  // Rebuilds the frontier of the tree of `tree_size` leaves from persisted
  // nodes, with one lookup per peak. Returns InvalidArgument if tree_size
  // exceeds kMerkleTreeSizeMax, or the source's error.
  static absl::StatusOr<CompactMerkleTree> FromNodes(uint64_t tree_size,
                                                     const MerkleNodeSource& source);

  // Parses Encode()'s output. Returns InvalidArgument if `bytes` is not
  // exactly a valid encoding (any length, format byte or size is checked).
  static absl::StatusOr<CompactMerkleTree> Decode(std::string_view bytes);

  // Appends one leaf hash, in O(log n). If `completed` is not null, appends
  // to it the perfect nodes this leaf completes: (0, old size, leaf_hash)
  // first, then one node per level it merged, in increasing level. Returns
  // ResourceExhausted if the tree already holds kMerkleTreeSizeMax leaves.
  absl::Status Append(const Digest& leaf_hash, std::vector<MerkleNode>* completed = nullptr);

  // Returns the number of leaves appended.
  uint64_t size() const { return size_; }

  // Returns the root hash MTH of the tree, in O(log n).
  Digest Root() const;

  // Returns the byte encoding, at most kEncodedBytesMax long:
  //   compact_tree := format size peak*
  //   format       := 0x01
  //   size         := uint64, big-endian, <= kMerkleTreeSizeMax
  //   peak         := 32 bytes; exactly popcount(size) of them, the roots of
  //                   the perfect subtrees covering the leaves left to right,
  //                   the largest first
  std::string Encode() const;

  friend bool operator==(const CompactMerkleTree&, const CompactMerkleTree&) = default;

 private:
  CompactMerkleTree(uint64_t size, std::vector<Digest> peaks)
      : size_(size), peaks_(std::move(peaks)) {}

  uint64_t size_ = 0;
  // Invariant: peaks_.size() == popcount(size_); peaks_[i] is the root of the
  // perfect subtree for the i-th highest set bit of size_.
  std::vector<Digest> peaks_;
};

// An in-memory MerkleNodeSource: one vector of hashes per level. For tests,
// benchmarks and offline tools. Holds fewer than 2n hashes for n leaves.
class MemoryNodeStore : public MerkleNodeSource {
 public:
  MemoryNodeStore() = default;

  // Stores a node. Nodes of a level must arrive in index order without gaps,
  // as CompactMerkleTree::Append reports them. Returns InvalidArgument for a
  // level out of range, FailedPrecondition for an index out of order.
  absl::Status Put(const MerkleNode& node);

  // Returns the hash of (level, index), or NotFound.
  absl::StatusOr<Digest> NodeHash(int level, uint64_t index) const override;

  // Returns the number of stored nodes over all levels.
  size_t node_count() const;

 private:
  std::vector<std::vector<Digest>> levels_;
};

// Returns the root of the first `tree_size` leaves, composed from at most
// log2(n) + 1 persisted nodes. Returns InvalidArgument if tree_size exceeds
// kMerkleTreeSizeMax, or the source's error.
absl::StatusOr<Digest> MerkleRootAt(uint64_t tree_size, const MerkleNodeSource& source);

// Returns the inclusion proof PATH(index, D[tree_size]) of RFC 9162 section
// 2.1.3.1, nearest sibling first, composed from at most 2 log2(n) node
// lookups. Returns InvalidArgument if index >= tree_size or tree_size exceeds
// kMerkleTreeSizeMax, or the source's error.
absl::StatusOr<std::vector<Digest>> InclusionProof(uint64_t index, uint64_t tree_size,
                                                   const MerkleNodeSource& source);

// Returns the consistency proof PROOF(old_size, D[new_size]) of RFC 9162
// section 2.1.4.1: empty when old_size is 0 or equals new_size. Returns
// InvalidArgument if old_size > new_size or new_size exceeds
// kMerkleTreeSizeMax, or the source's error.
absl::StatusOr<std::vector<Digest>> ConsistencyProof(uint64_t old_size, uint64_t new_size,
                                                     const MerkleNodeSource& source);

// Checks that `leaf_hash` is leaf `index` of the tree of `tree_size` leaves
// whose root is `root`, by the algorithm of RFC 9162 section 2.1.3.2.
// Returns OK if it is; InvalidArgument if index >= tree_size, tree_size
// exceeds kMerkleTreeSizeMax, or the proof has the wrong length for the
// index and size; DataLoss if the proof leads to another root.
absl::Status VerifyInclusion(const Digest& leaf_hash, uint64_t index, uint64_t tree_size,
                             absl::Span<const Digest> proof, const Digest& root);

// Checks that the tree of `old_size` leaves with root `old_root` is a prefix
// of the tree of `new_size` leaves with root `new_root`, by the algorithm of
// RFC 9162 section 2.1.4.2. When old_size == new_size the proof must be empty
// and the roots equal; when old_size == 0 the proof must be empty and
// old_root must be MerkleEmptyRoot(). Returns OK if consistent;
// InvalidArgument if old_size > new_size, new_size exceeds
// kMerkleTreeSizeMax, or the proof has the wrong length for the sizes;
// DataLoss if the proof does not lead to both roots.
absl::Status VerifyConsistency(uint64_t old_size, uint64_t new_size, const Digest& old_root,
                               const Digest& new_root, absl::Span<const Digest> proof);

}  // namespace timeledger::ledger

#endif  // TIMELEDGER_LEDGER_MERKLE_H_
