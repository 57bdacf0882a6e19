// JournalReader: the reading thread of a bank's verification (verify.h), defined in
// journal_reader.cc. Internal to ledger/verify/.
//
// It reads the bank's journal once, in position order, and does the hashing the checks need,
// which is most of their CPU: each fact's leaf and chain hash, the Merkle nodes they complete
// (against the stored ones), and for an entry fact the entry chain hash. It hands the records
// over in chunks, with what it found, to the walk on the calling thread (the journal and entry
// sides' other checks, Walk in verify.cc), which runs meanwhile: a pipeline of two threads.
//
// Memory: kChunks chunks of kChunkRecords records, reused: bounded, whatever the journal's size.
// Thread-safety: Start, Next and Stop from one thread (the walk's).
#ifndef TIMELEDGER_LEDGER_VERIFY_JOURNAL_READER_H_
#define TIMELEDGER_LEDGER_VERIFY_JOURNAL_READER_H_

#include <array>
#include <condition_variable>
#include <cstdint>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "absl/status/status.h"

#include "ledger/core/merkle.h"
#include "ledger/core/sha256.h"
#include "ledger/store/store.h"

namespace timeledger::ledger::verify_internal {

// One journal record as the reader leaves it for the walk.
struct ReadRecord {
  enum class EntryShape : uint8_t {
    kNone,    // not an entry fact
    kBroken,  // an entry fact whose framing is broken or names another position
    kEntry,   // an entry fact: its stored entry is fact[entry_offset, +entry_size)
  };

  JournalRecord record;
  Digest leaf_hash{};     // if appended
  Digest chain_after{};   // the journal chain hash after this record (FollowChain's)
  bool appended = false;  // its leaf is in the tree: its position and chain hash were checked

  EntryShape entry = EntryShape::kNone;
  uint32_t entry_offset = 0;
  uint32_t entry_size = 0;
  // kEntry: whether its hash follows from the hash of the entry fact before it, and the hash it
  // should have been.
  bool entry_chains = false;
  Digest entry_hash_computed{};

  std::string_view entry_bytes() const {
    return std::string_view(record.fact).substr(entry_offset, entry_size);
  }
};

struct JournalChunk {
  std::vector<ReadRecord> records;  // the first `count` are this chunk's
  size_t count = 0;
  uint64_t first_position = 0;    // the position the first record is expected at
  CompactMerkleTree tree_before;  // the tree before the first record
  Digest chain_before{};
  // The journal's first hashing finding (of the chain hashes or the Merkle nodes), at
  // records[failed_index]; failed_index == SIZE_MAX if none in this chunk.
  size_t failed_index = SIZE_MAX;
  absl::Status failed;
  bool last = false;         // the journal ends after it
  absl::Status read_status;  // if last: the cursor's status (why it ended)
};

class JournalReader {
 public:
  static constexpr size_t kChunks = 4;
  static constexpr size_t kChunkRecords = 512;

  JournalReader(StoreReader& snapshot, const std::string& bank_id);
  ~JournalReader();  // stops and joins the thread

  // Starts the reading thread.
  void Start();
  // Returns the next chunk, or nullptr after the last. The chunk stays valid until the next call.
  const JournalChunk* Next();
  // Asks the reading thread to stop (the walk needs no more) and joins it.
  void Stop();

  // The probe of the stored Merkle levels before the walk (ProbeLegacyLevels): a finding at
  // position 0 if it failed, then the reader hashes nothing (the journal side stops there).
  const absl::Status& probe_status() const { return probe_status_; }
  // After the last chunk, if no hashing finding: the tree and chain hash of the whole journal,
  // and the check that no Merkle node is stored beyond the tree (CheckEnds' first part).
  const CompactMerkleTree& tree() const { return tree_; }
  const Digest& chain_hash() const { return chain_hash_; }
  const absl::Status& merkle_ends() const { return merkle_ends_; }

 private:
  void Run();
  // Fills `chunk` from the cursor; false at the end.
  bool Fill(Cursor<JournalRecord>& cursor, JournalChunk& chunk);
  // The journal's checks of one record that need its hashes: FollowChain, the Merkle nodes.
  absl::Status HashFact(ReadRecord& read, uint64_t expected);
  // The entry side's: the shape of an entry fact and its entry chain hash.
  void HashEntry(ReadRecord& read);
  absl::Status ProbeLegacyLevels();
  absl::Status CheckNode(const MerkleNode& node, uint64_t position);
  absl::Status MerkleEnds(uint64_t size);
  absl::Status ExpectNoMoreNodes(Cursor<MerkleNode>& cursor, uint64_t size);

  StoreReader& snapshot_;
  const std::string id_;

  // Owned by the reading thread while it runs.
  Sha256 hasher_;
  std::array<std::unique_ptr<Cursor<MerkleNode>>, kMerkleLevelMax + 1> levels_;
  bool legacy_levels_ = false;
  bool hashing_ = true;  // until the first hashing finding
  uint64_t expected_ = 0;
  Digest chain_hash_{};
  CompactMerkleTree tree_;
  Digest previous_entry_hash_{};
  std::vector<MerkleNode> completed_;
  absl::Status probe_status_;
  absl::Status merkle_ends_;

  // The hand-over: chunks_[i % kChunks] is filled by the reader for the i-th hand-over.
  std::array<JournalChunk, kChunks> chunks_;
  std::mutex mu_;
  std::condition_variable changed_;
  uint64_t filled_ = 0;    // chunks handed over (guarded by mu_)
  uint64_t consumed_ = 0;  // chunks the walk is done with (guarded by mu_)
  bool ended_ = false;     // the reader handed over its last chunk (guarded by mu_)
  bool stop_ = false;      // the walk needs no more (guarded by mu_)
  uint64_t taken_ = 0;     // chunks the walk took (walk thread only)
  std::thread thread_;
};

}  // namespace timeledger::ledger::verify_internal

#endif  // TIMELEDGER_LEDGER_VERIFY_JOURNAL_READER_H_
