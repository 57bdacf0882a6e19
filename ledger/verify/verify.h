// Verify: the full audit of a ledger. From a consistent snapshot of the store it recomputes, for
// each bank, everything that the bank's journal (ledger/journal/journal.h) implies, and compares it
// with everything that is stored and served:
//
//   - the journal: dense positions, every fact decodes and belongs where it is, the chain hashes,
//     the Merkle tree (every persisted node and the root), the journal head with its compact tree;
//   - the entries: dense seqs, the entry hash chain, each entry byte-for-byte what the journal
//     holds (by its hash), the seq -> position index, the chain head;
//   - the state: every account's balance, earned and spent totals, entry count, status, held and
//     pending-in minutes (from the open pending entries), the open pending entries themselves,
//     the policy in force, the zero sum of the bank, every posting (running balance) and every
//     reversal marker.
//
// It reports the first inconsistency of each bank exactly: a DataLoss status with a stable reason
// (docs/API.md) and figures naming the bank, the journal position and/or entry seq, the account,
// and what was expected and found.
//
// Each bank is checked by three threads (Walk in verify.cc): a reader reads the journal once
// and does its hashing (leaf and chain hashes, Merkle nodes, entry chain: journal_reader.h); the
// calling thread takes each fact as it comes, for the journal side (decode, replay into a model
// of the bank, the entry's stored position read in step) and for the entry side (each stored
// entry on its own), each side up to its own first finding; a third reads the postings and
// keeps per account a keyed sum of them (posting_scan.h). Then the two sides' first findings
// are placed in journal order and the first is reported. Memory is bounded by the number of
// accounts (about 450 bytes each with the postings' summaries), not by the number of entries.
// Thread-safe: runs only on its own snapshot.
#ifndef TIMELEDGER_LEDGER_VERIFY_H_
#define TIMELEDGER_LEDGER_VERIFY_H_

#include <cstdint>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/time/time.h"

#include "ledger/core/ids.h"
#include "ledger/core/types.h"
#include "ledger/store/store.h"

namespace timeledger::ledger {

// What verification found for one bank.
struct BankVerification {
  std::string bank_id;
  // OK, or the bank's first inconsistency: DataLoss with a reason and figures (bank_id, and where
  // it applies position, seq, account_id, expected, found).
  absl::Status status;
  uint64_t journal_size = 0;  // facts checked
  uint64_t entry_count = 0;   // entries checked
  size_t account_count = 0;
  Digest root_hash{};     // the Merkle root recomputed over the facts checked
  Digest journal_hash{};  // the chain hash of the last fact checked
  Digest entry_hash{};    // the hash of the last entry checked
};

struct VerifyReport {
  // OK, or the first inconsistency of the first bank (in bank id order) that has one.
  absl::Status status;
  std::vector<BankVerification> banks;  // in bank id order
  uint64_t facts = 0;
  uint64_t entries = 0;
  absl::Duration elapsed;

  bool ok() const { return status.ok(); }
};

struct VerifyOptions {
  BankId bank_id;  // only this bank if set (NotFound if there is none)
};

// Verifies everything in `snapshot`. A bank that cannot even be listed (a damaged bank record)
// fails the whole report with that error.
VerifyReport VerifySnapshot(StoreReader& snapshot, const VerifyOptions& options = {});

// Opens the store of a stopped ledger read-only (`options.path`, or the backup named by
// options.backup_dir / backup_id) and verifies it. Opening errors become the report's status.
VerifyReport VerifyStoreOffline(const StoreOptions& options, const VerifyOptions& verify = {});

// Restores backup `backup_id` (0: the newest) of `backup_dir` as the ledger of `data_dir`, which
// must hold none yet, verifying the restored copy before it takes its place: it is restored into
// <data_dir>/ledger.restoring, verified there, and only if it verifies renamed to
// <data_dir>/ledger. Returns the report (a failed verification is left in ledger.restoring for
// inspection and is the report's status), or the error that stopped the restore.
absl::StatusOr<VerifyReport> RestoreVerified(const std::string& backup_dir, uint32_t backup_id,
                                             const std::string& data_dir);

// "bank hcct: OK, 1200 facts, 1000 entries, root 3f2a..." lines and the verdict, for people.
std::string FormatVerifyReport(const VerifyReport& report);

}  // namespace timeledger::ledger

#endif  // TIMELEDGER_LEDGER_VERIFY_H_
