#include "ledger/verify/journal_reader.h"

#include <cstring>
#include <utility>

#include "absl/strings/str_cat.h"
#include "absl/types/span.h"

#include "ledger/journal/entry_fact.h"
#include "ledger/verify/findings.h"

namespace timeledger::ledger::verify_internal {

JournalReader::JournalReader(StoreReader& snapshot, const std::string& bank_id)
    : snapshot_(snapshot), id_(bank_id) {
  for (JournalChunk& chunk : chunks_) chunk.records.resize(kChunkRecords);
}

JournalReader::~JournalReader() { Stop(); }

void JournalReader::Start() {
  thread_ = std::thread([this] { Run(); });
}

void JournalReader::Stop() {
  {
    std::lock_guard<std::mutex> lock(mu_);
    stop_ = true;
  }
  changed_.notify_all();
  if (thread_.joinable()) thread_.join();
}

const JournalChunk* JournalReader::Next() {
  std::unique_lock<std::mutex> lock(mu_);
  consumed_ = taken_;
  changed_.notify_all();
  changed_.wait(lock, [&] { return filled_ > taken_ || ended_; });
  if (filled_ == taken_) return nullptr;
  return &chunks_[taken_++ % kChunks];
}

void JournalReader::Run() {
  probe_status_ = ProbeLegacyLevels();
  hashing_ = probe_status_.ok();
  auto cursor = snapshot_.Journal(id_);
  for (uint64_t n = 0;; ++n) {
    {
      std::unique_lock<std::mutex> lock(mu_);
      changed_.wait(lock, [&] { return filled_ - consumed_ < kChunks || stop_; });
      if (stop_) break;
    }
    JournalChunk& chunk = chunks_[n % kChunks];
    const bool more = Fill(*cursor, chunk);
    if (!more && hashing_) merkle_ends_ = MerkleEnds(expected_);
    {
      std::lock_guard<std::mutex> lock(mu_);
      ++filled_;
      ended_ = !more;
    }
    changed_.notify_all();
    if (!more) return;
  }
  std::lock_guard<std::mutex> lock(mu_);
  ended_ = true;
}

bool JournalReader::Fill(Cursor<JournalRecord>& cursor, JournalChunk& chunk) {
  chunk.count = 0;
  chunk.first_position = expected_;
  chunk.tree_before = tree_;
  chunk.chain_before = chain_hash_;
  chunk.failed_index = SIZE_MAX;
  chunk.failed = absl::OkStatus();
  chunk.last = false;
  while (chunk.count < kChunkRecords) {
    ReadRecord& read = chunk.records[chunk.count];
    if (!cursor.Next(&read.record)) {
      chunk.last = true;
      chunk.read_status = cursor.status();
      return false;
    }
    read.appended = false;
    if (hashing_) {
      if (auto s = HashFact(read, expected_); !s.ok()) {
        hashing_ = false;
        chunk.failed_index = chunk.count;
        chunk.failed = std::move(s);
      }
    }
    HashEntry(read);
    ++expected_;
    ++chunk.count;
  }
  return true;
}

absl::Status JournalReader::HashFact(ReadRecord& read, uint64_t expected) {
  Digest leaf_hash;
  absl::Status chained = FollowChain(id_, read.record, expected, &chain_hash_, &leaf_hash);
  read.chain_after = chain_hash_;
  if (!chained.ok()) return chained;
  completed_.clear();
  tree_.Append(leaf_hash, &completed_).IgnoreError();
  read.appended = true;
  read.leaf_hash = leaf_hash;
  for (const MerkleNode& node : completed_) {
    // The leaf itself and the small subtrees are not stored (store.h), but in a store written
    // before that was so.
    if (node.level < (legacy_levels_ ? 1 : kMerkleStoredLevelMin)) continue;
    if (auto s = CheckNode(node, expected); !s.ok()) return s;
  }
  return absl::OkStatus();
}

void JournalReader::HashEntry(ReadRecord& read) {
  const std::string& fact = read.record.fact;
  // Judged by the fact alone, as the entries' cursor (store.h Entries) judges it: since layout 4
  // the chain hash stored after it may be short, so the value's bytes say nothing more.
  read.entry = ReadRecord::EntryShape::kNone;
  if (!IsEntryFact(fact)) return;
  absl::string_view entry;
  uint64_t position = 0;
  if (!EntryInFact(fact, &entry, &position) || position != read.record.position) {
    read.entry = ReadRecord::EntryShape::kBroken;
    return;
  }
  read.entry = ReadRecord::EntryShape::kEntry;
  read.entry_offset = static_cast<uint32_t>(entry.data() - fact.data());
  read.entry_size = static_cast<uint32_t>(entry.size());
  read.entry_chains = false;
  if (entry.size() < kDigestBytes) return;  // it does not decode (the walk says so)
  // The chain hash over the stored canonical bytes themselves (ChainHash re-encodes them).
  const absl::string_view bytes = entry.substr(0, entry.size() - kDigestBytes);
  read.entry_hash_computed = hasher_.Update(absl::Span<const uint8_t>(previous_entry_hash_))
                                 .Update(std::string_view(bytes.data(), bytes.size()))
                                 .Finish();
  read.entry_chains =
      std::memcmp(read.entry_hash_computed.data(), entry.data() + bytes.size(), kDigestBytes) == 0;
  std::memcpy(previous_entry_hash_.data(), entry.data() + bytes.size(), kDigestBytes);
}

absl::Status JournalReader::ProbeLegacyLevels() {
  auto stored = snapshot_.MerkleNodesFrom(id_, 1);
  MerkleNode first;
  if (stored->Next(&first)) {
    legacy_levels_ = first.level < kMerkleStoredLevelMin;
  } else if (!stored->status().ok()) {
    return ReadFailed(id_, Where{0}, "the Merkle nodes", stored->status());
  }
  return absl::OkStatus();
}

absl::Status JournalReader::CheckNode(const MerkleNode& node, uint64_t position) {
  const Where where{position};
  auto& cursor = levels_[node.level];
  if (cursor == nullptr) cursor = snapshot_.MerkleLevel(id_, node.level);
  MerkleNode stored;
  if (!cursor->Next(&stored)) {
    if (!cursor->status().ok()) {
      return ReadFailed(id_, where, "the Merkle nodes", cursor->status());
    }
    return Finding(id_, Reason::kMerkleNodeMissing, where,
                   absl::StrCat("the Merkle node level ", node.level, " index ", node.index,
                                " is not stored"));
  }
  if (stored.index == node.index && stored.hash == node.hash) return absl::OkStatus();
  const std::string name = absl::StrCat("level ", node.level, " index ", node.index);
  if (stored.index != node.index) {
    return Finding(id_, Reason::kMerkleNodeMissing, where,
                   absl::StrCat("the Merkle node ", name, " is not stored"), name,
                   absl::StrCat("level ", node.level, " index ", stored.index));
  }
  return Finding(id_, Reason::kMerkleNodeMismatch, where,
                 absl::StrCat("the stored Merkle node ", name, " differs from the facts"),
                 Hex(node.hash), Hex(stored.hash));
}

absl::Status JournalReader::MerkleEnds(uint64_t size) {
  // Levels the walk read must hold no more nodes; the levels above, none at all.
  int above = 0;
  for (int level = 0; level <= kMerkleLevelMax; ++level) {
    if (levels_[level] == nullptr) continue;
    above = level + 1;
    if (auto s = ExpectNoMoreNodes(*levels_[level], size); !s.ok()) return s;
  }
  if (above <= kMerkleLevelMax) {
    return ExpectNoMoreNodes(*snapshot_.MerkleNodesFrom(id_, above), size);
  }
  return absl::OkStatus();
}

absl::Status JournalReader::ExpectNoMoreNodes(Cursor<MerkleNode>& cursor, uint64_t size) {
  const Where end{size};
  MerkleNode node;
  if (cursor.Next(&node)) {
    return Finding(id_, Reason::kMerkleNodeExtra, end,
                   absl::StrCat("a Merkle node (level ", node.level, " index ", node.index,
                                ") is stored beyond the journal's tree"));
  }
  if (!cursor.status().ok()) return ReadFailed(id_, end, "the Merkle nodes", cursor.status());
  return absl::OkStatus();
}

}  // namespace timeledger::ledger::verify_internal
