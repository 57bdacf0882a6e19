#include "ledger/core/merkle.h"

#include <algorithm>
#include <array>
#include <bit>

#include "absl/strings/str_cat.h"

#include "ledger/core/errors.h"

namespace timeledger::ledger {
namespace {

constexpr uint8_t kLeafPrefix = 0x00;
constexpr uint8_t kNodePrefix = 0x01;
constexpr uint8_t kCompactTreeFormat = 0x01;

// Returns this thread's hasher. Reusing one OpenSSL context per thread saves
// an allocation per node hash; every user finishes its hash before returning.
Sha256& ThreadHasher() {
  thread_local Sha256 hasher;
  return hasher;
}

// Returns the largest power of two strictly smaller than n; requires n >= 2.
uint64_t SplitPoint(uint64_t n) { return std::bit_floor(n - 1); }

bool IsOdd(uint64_t n) { return (n & 1) != 0; }

// Returns the root of the tree whose left-to-right perfect subtree roots are
// `peaks` (largest first): the rightmost pair is joined first. Requires a
// non-empty `peaks`.
Digest FoldPeaks(absl::Span<const Digest> peaks) {
  Digest root = peaks.back();
  for (size_t i = peaks.size() - 1; i-- > 0;) {
    root = MerkleChildrenHash(peaks[i], root);
  }
  return root;
}

// Appends to *peaks the hashes of the perfect nodes that cover the leaves
// [begin, end), largest first, read from `source`. Requires begin < end and
// [begin, end) a subtree of the RFC split of some tree: then each piece is
// aligned to its own width. Returns the source's error, or Internal if that
// requirement is broken.
absl::Status CollectPeaks(uint64_t begin, uint64_t end, const MerkleNodeSource& source,
                          std::vector<Digest>* peaks) {
  for (uint64_t at = begin; at < end;) {
    const uint64_t width = std::bit_floor(end - at);
    const int level = std::countr_zero(width);
    if (at % width != 0) {
      return RefusalSaying(absl::StatusCode::kInternal, Reason::kMerkleUnalignedRange, "leaves [",
                           begin, ", ", end, ") are not a subtree of a Merkle tree");
    }
    absl::StatusOr<Digest> hash = source.NodeHash(level, at >> level);
    if (!hash.ok()) return hash.status();
    peaks->push_back(*hash);
    at += width;
  }
  return absl::OkStatus();
}

// Returns MTH of the leaves [begin, end), begin < end, from the perfect nodes
// that cover them. Same requirement and errors as CollectPeaks.
absl::StatusOr<Digest> SubtreeHash(uint64_t begin, uint64_t end, const MerkleNodeSource& source) {
  std::vector<Digest> peaks;
  peaks.reserve(std::popcount(end - begin));
  absl::Status status = CollectPeaks(begin, end, source, &peaks);
  if (!status.ok()) return status;
  return FoldPeaks(peaks);
}

absl::Status CheckTreeSize(uint64_t tree_size) {
  if (tree_size > kMerkleTreeSizeMax) {
    return RefusalSaying(absl::StatusCode::kInvalidArgument, Reason::kMerkleTreeSizeLimit,
                         "tree size ", tree_size, " exceeds the limit ", kMerkleTreeSizeMax);
  }
  return absl::OkStatus();
}

absl::Status CheckProofLength(size_t proof_length) {
  if (proof_length > kMerkleProofHashesMax) {
    return RefusalSaying(absl::StatusCode::kInvalidArgument, Reason::kMerkleProofLengthLimit,
                         "proof of ", proof_length, " hashes exceeds the limit ",
                         kMerkleProofHashesMax);
  }
  return absl::OkStatus();
}

// Shifts fn and sn right together until fn is odd or zero.
void ShiftUntilOddOrZero(uint64_t* fn, uint64_t* sn) {
  while (*fn != 0 && !IsOdd(*fn)) {
    *fn >>= 1;
    *sn >>= 1;
  }
}

}  // namespace

Digest MerkleEmptyRoot() { return Sha256::Hash(""); }

Digest MerkleLeafHash(std::string_view leaf_bytes) {
  return ThreadHasher()
      .Update(absl::Span<const uint8_t>(&kLeafPrefix, 1))
      .Update(leaf_bytes)
      .Finish();
}

Digest MerkleChildrenHash(const Digest& left, const Digest& right) {
  // One update of the whole 65-byte message costs less than three.
  std::array<uint8_t, 1 + 2 * kDigestBytes> message;
  message[0] = kNodePrefix;
  std::copy(left.begin(), left.end(), message.begin() + 1);
  std::copy(right.begin(), right.end(), message.begin() + 1 + kDigestBytes);
  return ThreadHasher().Update(message).Finish();
}

Digest MerkleTreeHash(absl::Span<const Digest> leaf_hashes) {
  if (leaf_hashes.empty()) return MerkleEmptyRoot();
  if (leaf_hashes.size() == 1) return leaf_hashes[0];
  const size_t k = SplitPoint(leaf_hashes.size());
  return MerkleChildrenHash(MerkleTreeHash(leaf_hashes.first(k)),
                            MerkleTreeHash(leaf_hashes.subspan(k)));
}

// ---------------------------------------------------------------------------
// CompactMerkleTree

absl::StatusOr<CompactMerkleTree> CompactMerkleTree::FromNodes(uint64_t tree_size,
                                                               const MerkleNodeSource& source) {
  absl::Status status = CheckTreeSize(tree_size);
  if (!status.ok()) return status;
  std::vector<Digest> peaks;
  peaks.reserve(std::popcount(tree_size));
  status = CollectPeaks(0, tree_size, source, &peaks);
  if (!status.ok()) return status;
  return CompactMerkleTree(tree_size, std::move(peaks));
}

absl::StatusOr<CompactMerkleTree> CompactMerkleTree::Decode(std::string_view bytes) {
  if (bytes.size() < kEncodedBytesMin || bytes.size() > kEncodedBytesMax) {
    return RefusalSaying(absl::StatusCode::kInvalidArgument, Reason::kCompactTreeLength,
                         "encoding is ", bytes.size(), " bytes, outside [", kEncodedBytesMin, ", ",
                         kEncodedBytesMax, "]");
  }
  const uint8_t format = static_cast<uint8_t>(bytes[0]);
  if (format != kCompactTreeFormat) {
    return RefusalSaying(absl::StatusCode::kInvalidArgument, Reason::kCompactTreeFormat,
                         "unknown format byte ", format);
  }
  uint64_t size = 0;
  for (size_t i = 1; i < kEncodedBytesMin; ++i) {
    size = (size << 8) | static_cast<uint8_t>(bytes[i]);
  }
  absl::Status status = CheckTreeSize(size);
  if (!status.ok()) return status;
  const size_t peak_count = std::popcount(size);
  if (bytes.size() != kEncodedBytesMin + peak_count * kDigestBytes) {
    return RefusalSaying(absl::StatusCode::kInvalidArgument, Reason::kCompactTreeLength,
                         "a tree of ", size, " leaves has ", peak_count, " peaks, so ",
                         kEncodedBytesMin + peak_count * kDigestBytes, " bytes, got ",
                         bytes.size());
  }
  std::vector<Digest> peaks(peak_count);
  for (size_t i = 0; i < peak_count; ++i) {
    std::copy_n(bytes.data() + kEncodedBytesMin + i * kDigestBytes, kDigestBytes,
                reinterpret_cast<char*>(peaks[i].data()));
  }
  return CompactMerkleTree(size, std::move(peaks));
}

absl::Status CompactMerkleTree::Append(const Digest& leaf_hash,
                                       std::vector<MerkleNode>* completed) {
  if (size_ >= kMerkleTreeSizeMax) {
    return RefusalSaying(absl::StatusCode::kResourceExhausted, Reason::kMerkleTreeFull,
                         "the tree holds the limit of ", kMerkleTreeSizeMax, " leaves");
  }
  uint64_t index = size_;
  int level = 0;
  Digest node = leaf_hash;
  if (completed != nullptr) completed->push_back({level, index, node});
  // While the node is a right child, its left sibling is the last peak.
  while (IsOdd(index)) {
    node = MerkleChildrenHash(peaks_.back(), node);
    peaks_.pop_back();
    index >>= 1;
    ++level;
    if (completed != nullptr) completed->push_back({level, index, node});
  }
  peaks_.push_back(node);
  ++size_;
  return absl::OkStatus();
}

Digest CompactMerkleTree::Root() const {
  if (peaks_.empty()) return MerkleEmptyRoot();
  return FoldPeaks(peaks_);
}

std::string CompactMerkleTree::Encode() const {
  std::string bytes;
  bytes.reserve(kEncodedBytesMin + peaks_.size() * kDigestBytes);
  bytes.push_back(static_cast<char>(kCompactTreeFormat));
  for (int shift = 56; shift >= 0; shift -= 8) {
    bytes.push_back(static_cast<char>((size_ >> shift) & 0xff));
  }
  for (const Digest& peak : peaks_) {
    bytes.append(reinterpret_cast<const char*>(peak.data()), peak.size());
  }
  return bytes;
}

// ---------------------------------------------------------------------------
// MemoryNodeStore

absl::Status MemoryNodeStore::Put(const MerkleNode& node) {
  if (node.level < 0 || node.level > kMerkleLevelMax) {
    return RefusalSaying(absl::StatusCode::kInvalidArgument, Reason::kMerkleLevel, "level ",
                         node.level, " is outside [0, ", kMerkleLevelMax, "]");
  }
  const size_t level = static_cast<size_t>(node.level);
  if (levels_.size() <= level) levels_.resize(level + 1);
  std::vector<Digest>& hashes = levels_[level];
  if (node.index != hashes.size()) {
    return RefusalSaying(absl::StatusCode::kFailedPrecondition, Reason::kMerkleNodeOrder, "level ",
                         node.level, " expects index ", hashes.size(), ", got ", node.index);
  }
  hashes.push_back(node.hash);
  return absl::OkStatus();
}

absl::StatusOr<Digest> MemoryNodeStore::NodeHash(int level, uint64_t index) const {
  if (level < 0 || static_cast<size_t>(level) >= levels_.size() || index >= levels_[level].size()) {
    return RefusalSaying(absl::StatusCode::kNotFound, Reason::kMerkleNodeMissing, "level ", level,
                         " index ", index);
  }
  return levels_[level][index];
}

size_t MemoryNodeStore::node_count() const {
  size_t count = 0;
  for (const std::vector<Digest>& hashes : levels_) count += hashes.size();
  return count;
}

// ---------------------------------------------------------------------------
// Proofs

absl::StatusOr<Digest> MerkleRootAt(uint64_t tree_size, const MerkleNodeSource& source) {
  absl::Status status = CheckTreeSize(tree_size);
  if (!status.ok()) return status;
  if (tree_size == 0) return MerkleEmptyRoot();
  return SubtreeHash(0, tree_size, source);
}

absl::StatusOr<std::vector<Digest>> InclusionProof(uint64_t index, uint64_t tree_size,
                                                   const MerkleNodeSource& source) {
  absl::Status status = CheckTreeSize(tree_size);
  if (!status.ok()) return status;
  if (index >= tree_size) {
    return RefusalSaying(absl::StatusCode::kInvalidArgument, Reason::kMerkleIndexRange,
                         "leaf index ", index, " is not in a tree of ", tree_size, " leaves");
  }
  // Walk down from the root; the sibling of each subtree on the way to the
  // leaf is a proof hash. They are found top-down and sent bottom-up.
  std::vector<Digest> proof;
  uint64_t begin = 0;
  uint64_t end = tree_size;
  while (end - begin > 1) {
    const uint64_t split = begin + SplitPoint(end - begin);
    const bool go_left = index < split;
    absl::StatusOr<Digest> sibling =
        go_left ? SubtreeHash(split, end, source) : SubtreeHash(begin, split, source);
    if (!sibling.ok()) return sibling.status();
    proof.push_back(*sibling);
    (go_left ? end : begin) = split;
  }
  std::reverse(proof.begin(), proof.end());
  return proof;
}

absl::StatusOr<std::vector<Digest>> ConsistencyProof(uint64_t old_size, uint64_t new_size,
                                                     const MerkleNodeSource& source) {
  absl::Status status = CheckTreeSize(new_size);
  if (!status.ok()) return status;
  if (old_size > new_size) {
    return RefusalSaying(absl::StatusCode::kInvalidArgument, Reason::kMerkleSizeOrder, "old size ",
                         old_size, " exceeds new size ", new_size);
  }
  std::vector<Digest> proof;
  if (old_size == 0 || old_size == new_size) return proof;
  // SUBPROOF(m, D[begin:end], b) of RFC 9162 2.1.4.1, unrolled: the old tree
  // ends at old_size, inside [begin, end). `old_is_whole_subtree` is b: the
  // old tree is exactly the left edge of the current subtree.
  uint64_t begin = 0;
  uint64_t end = new_size;
  bool old_is_whole_subtree = true;
  while (end != old_size) {
    const uint64_t split = begin + SplitPoint(end - begin);
    const bool go_left = old_size <= split;
    absl::StatusOr<Digest> sibling =
        go_left ? SubtreeHash(split, end, source) : SubtreeHash(begin, split, source);
    if (!sibling.ok()) return sibling.status();
    proof.push_back(*sibling);
    if (go_left) {
      end = split;
    } else {
      begin = split;
      old_is_whole_subtree = false;
    }
  }
  if (!old_is_whole_subtree) {
    absl::StatusOr<Digest> old_subtree = SubtreeHash(begin, end, source);
    if (!old_subtree.ok()) return old_subtree.status();
    proof.push_back(*old_subtree);
  }
  std::reverse(proof.begin(), proof.end());
  return proof;
}

// ---------------------------------------------------------------------------
// Verification

absl::Status VerifyInclusion(const Digest& leaf_hash, uint64_t index, uint64_t tree_size,
                             absl::Span<const Digest> proof, const Digest& root) {
  absl::Status status = CheckTreeSize(tree_size);
  if (!status.ok()) return status;
  status = CheckProofLength(proof.size());
  if (!status.ok()) return status;
  if (index >= tree_size) {
    return RefusalSaying(absl::StatusCode::kInvalidArgument, Reason::kMerkleIndexRange,
                         "leaf index ", index, " is not in a tree of ", tree_size, " leaves");
  }
  // RFC 9162 2.1.3.2, step by step.
  uint64_t fn = index;
  uint64_t sn = tree_size - 1;
  Digest r = leaf_hash;
  for (const Digest& p : proof) {
    if (sn == 0) {
      return RefusalSaying(absl::StatusCode::kInvalidArgument, Reason::kInclusionProofLength,
                           "proof of ", proof.size(), " hashes is too long for leaf ", index,
                           " of ", tree_size);
    }
    if (IsOdd(fn) || fn == sn) {
      r = MerkleChildrenHash(p, r);
      ShiftUntilOddOrZero(&fn, &sn);
    } else {
      r = MerkleChildrenHash(r, p);
    }
    fn >>= 1;
    sn >>= 1;
  }
  if (sn != 0) {
    return RefusalSaying(absl::StatusCode::kInvalidArgument, Reason::kInclusionProofLength,
                         "proof of ", proof.size(), " hashes is too short for leaf ", index, " of ",
                         tree_size);
  }
  if (r != root) {
    return RefusalSaying(absl::StatusCode::kDataLoss, Reason::kInclusionRootMismatch,
                         "the proof for leaf ", index, " of ", tree_size, " leads to root ",
                         DigestToHex(r), ", expected ", DigestToHex(root));
  }
  return absl::OkStatus();
}

namespace {

// VerifyConsistency when the old tree is empty or the new tree itself: the proof must be empty
// and the old root the empty root or the new root.
absl::Status VerifyTrivialConsistency(uint64_t old_size, uint64_t new_size, const Digest& old_root,
                                      const Digest& new_root, absl::Span<const Digest> proof) {
  if (!proof.empty()) {
    return RefusalSaying(absl::StatusCode::kInvalidArgument, Reason::kConsistencyProofLength,
                         "sizes ", old_size, " and ", new_size, " need an empty proof, got ",
                         proof.size(), " hashes");
  }
  const Digest expected = old_size == 0 ? MerkleEmptyRoot() : new_root;
  if (old_root != expected) {
    return RefusalSaying(absl::StatusCode::kDataLoss, Reason::kConsistencyOldRootMismatch,
                         "old root ", DigestToHex(old_root), " of ", old_size, " leaves should be ",
                         DigestToHex(expected));
  }
  return absl::OkStatus();
}

// The old and the new root that a consistency proof leads to.
struct ConsistencyRoots {
  Digest old_root;
  Digest new_root;
};

// Walks a non-empty `proof` for 0 < old_size < new_size as RFC 9162 2.1.4.2 does, step by step.
// Returns the roots it leads to, or kConsistencyProofLength if the proof has too many or too few
// hashes for the sizes.
absl::StatusOr<ConsistencyRoots> WalkConsistencyProof(uint64_t old_size, uint64_t new_size,
                                                      const Digest& old_root,
                                                      absl::Span<const Digest> proof) {
  // Step 2 prepends old_root when old_size is a power of two; here `next` skips the first proof
  // hash otherwise.
  const bool old_is_perfect = std::has_single_bit(old_size);
  Digest fr = old_is_perfect ? old_root : proof[0];
  Digest sr = fr;
  size_t next = old_is_perfect ? 0 : 1;
  uint64_t fn = old_size - 1;
  uint64_t sn = new_size - 1;
  while (IsOdd(fn)) {
    fn >>= 1;
    sn >>= 1;
  }
  for (; next < proof.size(); ++next) {
    const Digest& c = proof[next];
    if (sn == 0) {
      return RefusalSaying(absl::StatusCode::kInvalidArgument, Reason::kConsistencyProofLength,
                           "proof of ", proof.size(), " hashes is too long for sizes ", old_size,
                           " and ", new_size);
    }
    if (IsOdd(fn) || fn == sn) {
      fr = MerkleChildrenHash(c, fr);
      sr = MerkleChildrenHash(c, sr);
      ShiftUntilOddOrZero(&fn, &sn);
    } else {
      sr = MerkleChildrenHash(sr, c);
    }
    fn >>= 1;
    sn >>= 1;
  }
  if (sn != 0) {
    return RefusalSaying(absl::StatusCode::kInvalidArgument, Reason::kConsistencyProofLength,
                         "proof of ", proof.size(), " hashes is too short for sizes ", old_size,
                         " and ", new_size);
  }
  return ConsistencyRoots{fr, sr};
}

}  // namespace

absl::Status VerifyConsistency(uint64_t old_size, uint64_t new_size, const Digest& old_root,
                               const Digest& new_root, absl::Span<const Digest> proof) {
  absl::Status status = CheckTreeSize(new_size);
  if (!status.ok()) return status;
  status = CheckProofLength(proof.size());
  if (!status.ok()) return status;
  if (old_size > new_size) {
    return RefusalSaying(absl::StatusCode::kInvalidArgument, Reason::kMerkleSizeOrder, "old size ",
                         old_size, " exceeds new size ", new_size);
  }
  if (old_size == 0 || old_size == new_size) {
    return VerifyTrivialConsistency(old_size, new_size, old_root, new_root, proof);
  }
  if (proof.empty()) {
    return RefusalSaying(absl::StatusCode::kInvalidArgument, Reason::kConsistencyProofLength,
                         "sizes ", old_size, " and ", new_size, " need a non-empty proof");
  }
  absl::StatusOr<ConsistencyRoots> roots =
      WalkConsistencyProof(old_size, new_size, old_root, proof);
  if (!roots.ok()) return roots.status();
  if (roots->old_root != old_root) {
    return RefusalSaying(absl::StatusCode::kDataLoss, Reason::kConsistencyOldRootMismatch,
                         "the proof leads to old root ", DigestToHex(roots->old_root),
                         ", expected ", DigestToHex(old_root));
  }
  if (roots->new_root != new_root) {
    return RefusalSaying(absl::StatusCode::kDataLoss, Reason::kConsistencyNewRootMismatch,
                         "the proof leads to new root ", DigestToHex(roots->new_root),
                         ", expected ", DigestToHex(new_root));
  }
  return absl::OkStatus();
}

}  // namespace timeledger::ledger
