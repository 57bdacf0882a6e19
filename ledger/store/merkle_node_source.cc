#include "ledger/store/merkle_node_source.h"

#include <array>
#include <string>
#include <utility>

#include "absl/strings/str_cat.h"
#include "absl/types/span.h"

#include "ledger/core/errors.h"
#include "ledger/store/keys.h"
#include "ledger/store/rocksdb_reads.h"
#include "ledger/store/rocksdb_status.h"
#include "ledger/store/store.h"

namespace timeledger::ledger {
namespace {

// The Merkle nodes of one bank for one proof: the stored ones by point reads, the ones below
// kMerkleStoredLevelMin from the leaf hashes of the aligned run of 16 facts that holds them, read
// in one range and kept for the proof's other low nodes (a proof asks for those of at most three
// runs: its leaf's, the old tree's last and the new tree's last). Not thread-safe: one per proof.
class StoreNodeSource : public MerkleNodeSource {
 public:
  StoreNodeSource(ReadAt at, absl::string_view bank_id) : at_(std::move(at)), bank_id_(bank_id) {}

  absl::StatusOr<Digest> NodeHash(int level, uint64_t index) const override {
    if (level < kMerkleStoredLevelMin) return ComputedHash(level, index);
    std::string value;
    auto status = at_.db->Get(at_.options, keys::MerkleKey(bank_id_, level, index), &value);
    if (status.IsNotFound()) {
      return Refuse(Reason::kMerkleNodeMissing,
                    absl::StrCat("bank ", bank_id_, " lacks its Merkle node at level ", level,
                                 ", index ", index),
                    {{"bank_id", bank_id_},
                     {"level", std::to_string(level)},
                     {"index", std::to_string(index)}});
    }
    if (!status.ok()) return FromRocks(status);
    if (value.size() != kDigestBytes) return Corrupt("Merkle node");
    Digest hash;
    keys::CopyDigest(value, &hash);
    return hash;
  }

 private:
  static constexpr uint64_t kRunLeaves = uint64_t{1} << kMerkleStoredLevelMin;
  static constexpr size_t kRunsKept = 3;

  // The leaf hashes of the facts [first, first + size) of one aligned run; size is short of
  // kRunLeaves where the journal ends (or lacks a fact) inside the run.
  struct LeafRun {
    uint64_t first = UINT64_MAX;
    uint64_t size = 0;
    std::array<Digest, kRunLeaves> leaves;
  };

  // A node below kMerkleStoredLevelMin: a leaf hash, SHA-256(0x00 || fact), or the root of the
  // perfect subtree over the 2^level facts it covers, from the run that holds them.
  absl::StatusOr<Digest> ComputedHash(int level, uint64_t index) const {
    const uint64_t first = index << level;
    const uint64_t count = uint64_t{1} << level;
    auto run = RunOf(first);
    if (!run.ok()) return run.status();
    const uint64_t offset = first - (*run)->first;
    if (offset + count > (*run)->size) return Gap((*run)->first + (*run)->size);
    return MerkleTreeHash(absl::MakeConstSpan((*run)->leaves.data() + offset, count));
  }

  // Returns the run that holds fact `position`, reading it if no run kept holds it.
  absl::StatusOr<const LeafRun*> RunOf(uint64_t position) const {
    const uint64_t first = position & ~(kRunLeaves - 1);
    for (const LeafRun& run : runs_) {
      if (run.first == first) return &run;
    }
    LeafRun& run = runs_[next_run_];
    next_run_ = (next_run_ + 1) % kRunsKept;
    run.first = UINT64_MAX;  // until read in full
    run.size = 0;
    const std::string upper = keys::SeqKey(KeyTag::kJournal, bank_id_, first + kRunLeaves);
    const rocksdb::Slice upper_slice(upper);
    rocksdb::ReadOptions options = at_.options;
    options.iterate_upper_bound = &upper_slice;
    std::unique_ptr<rocksdb::Iterator> it(at_.db->NewIterator(options));
    uint64_t size = 0;
    for (it->Seek(keys::SeqKey(KeyTag::kJournal, bank_id_, first)); it->Valid();
         it->Next(), ++size) {
      if (AsView(it->key()) != keys::SeqKey(KeyTag::kJournal, bank_id_, first + size))
        break;  // a gap
      auto leaf = LeafHashOf(AsView(it->value()));
      if (!leaf.ok()) return leaf.status();
      run.leaves[size] = *leaf;
    }
    if (!it->status().ok()) return FromRocks(it->status());
    run.first = first;
    run.size = size;
    return &run;
  }

  // SHA-256(0x00 || fact) of a journal record's fact.
  static absl::StatusOr<Digest> LeafHashOf(absl::string_view record) {
    absl::string_view fact, chain_hash;
    if (!keys::SplitJournalValue(record, &fact, &chain_hash)) return Corrupt("journal record");
    return MerkleLeafHash(std::string_view(fact.data(), fact.size()));
  }

  absl::Status Gap(uint64_t position) const {
    return Refuse(Reason::kJournalGap,
                  absl::StrCat("bank ", bank_id_, " lacks its journal fact ", position),
                  {{"bank_id", bank_id_}, {"position", std::to_string(position)}});
  }

  const ReadAt at_;
  std::string bank_id_;
  mutable std::array<LeafRun, kRunsKept> runs_;
  mutable size_t next_run_ = 0;
};

}  // namespace

std::unique_ptr<MerkleNodeSource> NewStoreNodeSource(ReadAt at, absl::string_view bank_id) {
  return std::make_unique<StoreNodeSource>(std::move(at), bank_id);
}

}  // namespace timeledger::ledger
