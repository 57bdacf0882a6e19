// What the audit reads of a Ledger return (ledger.h; implemented in audit.cc): digests of a
// bank's journal, inclusion and consistency proofs against them, and pages of the journal for
// export. Plain values; copy them between threads.
//
// A digest is what a partner keeps: the journal's size and Merkle root at one moment. An
// inclusion proof shows that one fact (an entry) is in the tree of a digest; a consistency proof
// shows that the tree of an older digest is a prefix of a newer one, i.e. that history was only
// appended to. Both are checked client-side with RFC 9162's algorithms (merkle.h).
#ifndef TIMELEDGER_LEDGER_AUDIT_H_
#define TIMELEDGER_LEDGER_AUDIT_H_

#include <cstdint>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/time/time.h"

#include "ledger/core/types.h"
#include "ledger/journal/journal.h"
#include "ledger/store/store.h"

namespace timeledger::ledger {

// Journal records in one ListJournal page at most, by count and by bytes (so that a page fits
// one gRPC message whatever its facts hold).
inline constexpr size_t kJournalPageSizeMax = 1000;
inline constexpr size_t kJournalPageBytesMax = 2 << 20;
// Backups kept by default; older ones are deleted after each new backup.
inline constexpr size_t kBackupsKeptDefault = 10;

struct JournalDigest {
  std::string bank_id;
  uint64_t tree_size = 0;  // facts in the journal: the Merkle tree's leaves
  Digest root_hash{};      // RFC 6962 Merkle tree hash over them
  Digest journal_hash{};   // the chain hash of the last fact (32 zero bytes if none)
  uint64_t entry_count = 0;
  absl::Time issued_at;
};

// Where a bank's journal ends: what GetDigest gives without the Merkle root, which folds the
// tree's peaks (a hash each) and which the feed and journal pages, read often, do not need.
struct JournalTip {
  uint64_t tree_size = 0;
  Digest journal_hash{};  // the chain hash of the last fact (32 zero bytes if none)
};

struct EntryInclusionProof {
  std::string bank_id;
  uint64_t tree_size = 0;
  JournalRecord record;      // the fact's position, canonical bytes and chain hash
  Fact fact;                 // the same, decoded
  Digest leaf_hash{};        // SHA-256(0x00 || record.fact)
  std::vector<Digest> path;  // RFC 9162 audit path, nearest sibling first
  Digest root_hash{};        // the root of the tree of tree_size leaves, as the server has it
};

struct JournalConsistencyProof {
  std::string bank_id;
  uint64_t old_size = 0;
  uint64_t new_size = 0;
  std::vector<Digest> path;  // RFC 9162 consistency proof
  Digest old_root{};
  Digest new_root{};
};

struct JournalPage {
  std::vector<JournalRecord> records;  // in position order
  std::vector<Fact> facts;             // records[i] decoded
  uint64_t tree_size = 0;              // the journal's size when the page was read
  uint64_t next_position = 0;          // where the next page starts
  bool done = false;                   // no records at or after next_position below the end
};

// A backup made by Ledger::CreateBackup, and the directory it is in (absolute).
struct BackupMade {
  std::string dir;
  BackupInfo info;
};

// The backups of one directory (absolute), oldest first.
struct BackupList {
  std::string dir;
  std::vector<BackupInfo> backups;
};

// Returns the refusal that the calls of a damaged bank get: DataLoss BANK_DAMAGED, with the
// finding's reason as figure "finding" and its figures. A BANK_DAMAGED status stays as it is.
absl::Status BankDamaged(const std::string& bank_id, const absl::Status& finding);

}  // namespace timeledger::ledger

#endif  // TIMELEDGER_LEDGER_AUDIT_H_
