// The durable home of the ledger: banks, accounts, entries, the journal, idempotency keys and
// chain heads.
//
// Store is the interface the domain uses; ledger/store/rocksdb_*.cc are the one implementation
// (rocksdb_store.h lists its files) and the only files that know RocksDB; keys.h is the key
// grammar. Writes go through a StoreBatch and become durable together, synced, in Commit: one
// business operation is one atomic write. A StoreBatch belongs to one thread.
//
// Reads have one interface, StoreReader, whether they read the latest committed state (the Store
// itself) or one moment (a snapshot, Store::NewSnapshot). Reads may run on any thread at the same
// time as a Commit.
#ifndef TIMELEDGER_LEDGER_STORE_H_
#define TIMELEDGER_LEDGER_STORE_H_

#include <cstdint>
#include <cstring>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "absl/time/time.h"

#include "ledger/core/merkle.h"
#include "ledger/core/personal.h"
#include "ledger/core/records.h"
#include "ledger/core/types.h"
#include "ledger/rules/access.h"
#include "ledger/rules/kiosk.h"
#include "ledger/rules/policy.h"
#include "ledger/rules/qualifications.h"

namespace timeledger::ledger {

// The lowest level of the Merkle nodes (ledger/core/merkle.h) the store keeps. A node below it
// covers at most 2^(kMerkleStoredLevelMin - 1) = 8 facts and is computed from their journal records
// when a proof needs it (one range read of the 16 facts around it); not storing them spares the
// writer and an audit a key per fact (a tree of n leaves has about n nodes above the leaves, n / 8
// from level 4 up). Stores written before this kept levels 1-3 too: opening one for writing
// deletes them (ledger/store/migrations.cc); one opened read-only still has them.
inline constexpr int kMerkleStoredLevelMin = 4;

// Writes gathered for one atomic, synced Commit. Savepoints nest.
class StoreBatch {
 public:
  virtual ~StoreBatch() = default;

  virtual void PutBank(const Bank& bank) = 0;
  virtual void PutAccount(const Account& account) = 0;
  // Writes the entry's indexes: one posting per account, each with that account's balance after
  // it, and its place in the time index. The entry itself is stored in its journal fact
  // (PutJournalRecord), found through PutEntryPosition, both in the same batch.
  virtual void PutEntry(const Entry& entry, int64_t from_balance_after,
                        int64_t to_balance_after) = 0;
  virtual void PutEntryId(absl::string_view bank_id, absl::string_view entry_id,
                          const EntryIdRecord& record) = 0;
  virtual void PutReversal(absl::string_view bank_id, uint64_t seq, uint64_t reversed_by_seq) = 0;
  virtual void PutChainHead(absl::string_view bank_id, const ChainHead& head) = 0;
  // The head the bank had when it was last checked or cleanly shut down (ledger/verify/tail.h).
  virtual void PutCheckpoint(absl::string_view bank_id, const ChainHead& head) = 0;
  // The policy in force, and the record of a change: who, when, old and new.
  virtual void PutPolicy(absl::string_view bank_id, const Policy& policy) = 0;
  virtual void PutPolicyChange(absl::string_view bank_id, const Policy& old_policy,
                               const Policy& new_policy) = 0;
  // An open pending entry is kept with the open ones; a resolved one moves to the history.
  virtual void PutPending(const PendingEntry& pending) = 0;
  // The journal (ledger/journal/journal.h): a fact's canonical bytes and chain hash at its
  // position, the Merkle nodes its leaf completed (of level kMerkleStoredLevelMin and above), and
  // for an entry fact the position of the entry's seq.
  virtual void PutJournalRecord(absl::string_view bank_id, uint64_t position,
                                absl::string_view fact, const Digest& chain_hash) = 0;
  virtual void PutMerkleNode(absl::string_view bank_id, const MerkleNode& node) = 0;
  virtual void PutEntryPosition(absl::string_view bank_id, uint64_t seq, uint64_t position) = 0;
  // A personal value of the fact at record.position and its salt (ledger/core/personal.h), in
  // the fact's batch; and its erasure.
  virtual void PutPersonal(absl::string_view bank_id, const PersonalRecord& record) = 0;
  virtual void DeletePersonal(absl::string_view bank_id, uint64_t position,
                              PersonalField field) = 0;
  // A member's card and PIN (ledger/rules/kiosk.h), and the card index: `old_card_number` (if not
  // empty and not the new one) stops naming the account.
  virtual void PutMemberCard(const MemberCard& card, absl::string_view old_card_number) = 0;
  // Wrong PINs of a card: operational state, written outside the journal. No failures and no
  // lock: the record is deleted.
  virtual void PutCardAttempts(absl::string_view bank_id, absl::string_view card_number,
                               const CardAttempts& attempts) = 0;
  // Qualifications (ledger/rules/qualifications.h): a catalogue item as it now stands; a holding
  // (and its place in the qualification's list of holders); an award (and its place in the time
  // index of awards).
  virtual void PutCatalogueItem(const CatalogueItem& item) = 0;
  virtual void PutHolding(const Holding& holding) = 0;
  virtual void PutAward(const Award& award) = 0;
  // A token record (ledger/rules/access.h), as it now stands: installation-wide, outside the
  // journal.
  virtual void PutToken(const TokenRecord& record) = 0;
  // A version of a principal's binding (ledger/rules/access.h): installation-wide, outside the
  // journal, never written over.
  virtual void PutPrincipalBinding(const PrincipalBinding& binding) = 0;

  virtual void SetSavePoint() = 0;
  // Drops every write since the latest savepoint, and that savepoint.
  virtual void RollbackToSavePoint() = 0;
  // Keeps the writes since the latest savepoint, and forgets that savepoint.
  virtual void ReleaseSavePoint() = 0;
  virtual bool empty() const = 0;
  // Forgets every write and savepoint, keeping the memory: the writer reuses one batch per
  // group in flight instead of growing a fresh one (a 1000-entry group is about 700 KB).
  virtual void Clear() = 0;
};

// A journal fact as stored: its canonical bytes (journal.h) and its chain hash. Since layout 4 the
// store keeps the whole chain hash of every 64th fact and the first 8 bytes of the others (keys.h,
// JournalValue): ListJournal gives every hash whole, computing the rest from the whole one
// before (where the computed hash disagrees with the stored bytes it gives those, zero-filled: the
// record is damaged); the Journal cursor, which a verifier reads to compute every hash itself,
// gives what is stored, zero-filled.
struct JournalRecord {
  uint64_t position = 0;
  std::string fact;
  Digest chain_hash{};
  size_t chain_hash_stored_bytes = kDigestBytes;  // how many leading bytes the store holds
  // MerkleLeafHash(fact), where ListJournal computed it on the way (to carry the chain): a reader
  // that needs it takes it rather than hashing the fact again.
  std::optional<Digest> leaf_hash;
};

// Whether `hash` agrees with what the store holds of `record`'s chain hash: the evidence, where
// a whole hash that ListJournal computed is not.
inline bool StoredChainHashIs(const JournalRecord& record, const Digest& hash) {
  return std::memcmp(record.chain_hash.data(), hash.data(), record.chain_hash_stored_bytes) == 0;
}

// Raw records that an audit reads in key order, to check them against the journal.
struct EntryRecord {
  uint64_t seq = 0;
  std::string bytes;  // EncodeEntry's stored form, as its journal fact holds it
};
struct PostingRecord {
  std::string account_id;
  uint64_t seq = 0;
  int64_t balance_after_minutes = 0;
};
// A seq and what it maps to: a reversal marker (seq -> the reversal's seq) or an entry's journal
// position (seq -> position).
struct SeqMapping {
  uint64_t seq = 0;
  uint64_t value = 0;
};

// A forward cursor over one kind of record of one bank, in key order. Not thread-safe; one per
// thread.
template <typename T>
class Cursor {
 public:
  virtual ~Cursor() = default;
  // Reads the next record into *record. Returns false at the end, or on an error (see status()).
  virtual bool Next(T* record) = 0;
  // OK when the records ran out; DataLoss for a malformed key or value, or the store's error.
  virtual absl::Status status() const = 0;
};

// How a snapshot uses RocksDB's block cache. Long scans (the cursors, the time indexes) never
// fill it, whatever this says.
enum class BlockCache {
  kFill,    // point reads and short scans fill it: for serving (reports, statements, the kiosk)
  kBypass,  // nothing fills it: an audit reads everything once and leaves the cache to serving
};

// Every read of the store, for every reader: the writer, the lookups and the proofs (through the
// Store itself, which is a StoreReader of the latest committed state), reports, statements and
// audits (through a snapshot, Store::NewSnapshot). The two differ only in the moment they read:
//
//   the Store              the latest committed state, each call on its own: two calls may see
//                          different moments. For the writer (ledger/engine), which is the only
//                          one to commit and so reads what it last wrote, and single lookups.
//   Store::NewSnapshot     one moment for all its reads, whatever is committed meanwhile. For
//                          reports (figures that must add up while writes continue) and audits
//                          (ledger/verify, which compare everything stored).
//
// Thread-safe: its methods may be called from several threads at once. A cursor and a node
// source belong to one thread each and borrow the reader: destroy them first. Point reads return
// nullopt if the record is not there. Every read returns DataLoss CORRUPT_RECORD for a malformed
// record, DataLoss STORE_CORRUPT or Unavailable STORE_UNAVAILABLE if the store cannot be read.
class StoreReader {
 public:
  virtual ~StoreReader() = default;

  // Banks. Visits every bank with its chain head (the initial head if it has no entries) and its
  // policy (the defaults if none was ever set).
  virtual absl::Status ForEachBank(
      const std::function<absl::Status(const Bank&, const ChainHead&, const Policy&)>& visit) = 0;
  virtual absl::StatusOr<std::optional<Bank>> GetBank(absl::string_view bank_id) = 0;
  // Returns the bank's chain head (the initial head if it has no entries).
  virtual absl::StatusOr<ChainHead> GetChainHead(absl::string_view bank_id) = 0;
  // Returns the bank's checkpoint (StoreBatch::PutCheckpoint), or nullopt if it has none.
  virtual absl::StatusOr<std::optional<ChainHead>> GetCheckpoint(absl::string_view bank_id) = 0;
  // Returns the policy in force (the defaults if none was ever set).
  virtual absl::StatusOr<Policy> GetPolicy(absl::string_view bank_id) = 0;
  // Policy changes of a bank, oldest first: each the (old, new) pair.
  virtual absl::StatusOr<std::vector<std::pair<Policy, Policy>>> ListPolicyChanges(
      absl::string_view bank_id) = 0;

  // Accounts, in account id order.
  virtual absl::StatusOr<std::optional<Account>> GetAccount(absl::string_view bank_id,
                                                            absl::string_view account_id) = 0;
  virtual absl::Status ForEachAccount(absl::string_view bank_id,
                                      const std::function<absl::Status(const Account&)>& visit) = 0;
  // Accounts of a bank with id > after_account_id, at most `limit`.
  virtual absl::StatusOr<std::vector<Account>> ListAccounts(absl::string_view bank_id,
                                                            absl::string_view after_account_id,
                                                            size_t limit) = 0;

  // Entries. Returns the entry, with reversed_by_seq filled in.
  virtual absl::StatusOr<std::optional<Entry>> GetEntry(absl::string_view bank_id,
                                                        uint64_t seq) = 0;
  virtual absl::StatusOr<std::optional<EntryIdRecord>> GetEntryId(absl::string_view bank_id,
                                                                  absl::string_view entry_id) = 0;
  // Returns the seq of the reversal of `seq`, or 0 if it has not been reversed.
  virtual absl::StatusOr<uint64_t> GetReversedBy(absl::string_view bank_id, uint64_t seq) = 0;
  // Entries of a bank with seq > after_seq, oldest first, at most `limit`.
  virtual absl::StatusOr<std::vector<EntryRow>> ListEntries(absl::string_view bank_id,
                                                            uint64_t after_seq, size_t limit) = 0;
  // Entries touching an account with seq > after_seq, oldest first, with running balances.
  virtual absl::StatusOr<std::vector<EntryRow>> ListAccountEntries(absl::string_view bank_id,
                                                                   absl::string_view account_id,
                                                                   uint64_t after_seq,
                                                                   size_t limit) = 0;
  // Visits the entries whose occurred_at is in [from, to), in seq order, through the time index:
  // the cost grows with those entries only (reversed_by_seq not filled in). More than
  // `entries_max` of them: FailedPrecondition REPORT_TOO_LARGE, before any is visited.
  virtual absl::Status ForEachEntryOccurredIn(
      absl::string_view bank_id, absl::Time from, absl::Time to, size_t entries_max,
      const std::function<absl::Status(const Entry&)>& visit) = 0;
  // Visits the account's postings with after_seq < seq <= through_seq, oldest first: the entry
  // (reversed_by_seq not filled in) and the account's balance after it.
  virtual absl::Status ForEachPosting(
      absl::string_view bank_id, absl::string_view account_id, uint64_t after_seq,
      uint64_t through_seq,
      const std::function<absl::Status(const Entry&, int64_t balance_after)>& visit) = 0;
  // Returns each account's balance after its last posting with seq <= `seq` (0 if it has none),
  // in the order of `account_ids`. One iterator serves them all.
  virtual absl::StatusOr<std::vector<int64_t>> BalancesAfter(
      absl::string_view bank_id, const std::vector<std::string>& account_ids, uint64_t seq) = 0;

  // Pending entries: one, open or resolved; the open ones, then the resolved ones, in entry_id
  // order.
  virtual absl::StatusOr<std::optional<PendingEntry>> GetPending(absl::string_view bank_id,
                                                                 absl::string_view entry_id) = 0;
  virtual absl::Status ForEachOpenPending(
      absl::string_view bank_id, const std::function<absl::Status(const PendingEntry&)>& visit) = 0;
  virtual absl::Status ForEachResolvedPending(
      absl::string_view bank_id, const std::function<absl::Status(const PendingEntry&)>& visit) = 0;

  // Members at a kiosk (ledger/rules/kiosk.h): an account's card and PIN; the account a card
  // number belongs to; a card's wrong PINs (none if never recorded); every card, in account order.
  virtual absl::StatusOr<std::optional<MemberCard>> GetMemberCard(absl::string_view bank_id,
                                                                  absl::string_view account_id) = 0;
  virtual absl::StatusOr<std::optional<std::string>> FindCardHolder(
      absl::string_view bank_id, absl::string_view card_number) = 0;
  virtual absl::StatusOr<CardAttempts> GetCardAttempts(absl::string_view bank_id,
                                                       absl::string_view card_number) = 0;
  virtual absl::Status ForEachMemberCard(
      absl::string_view bank_id, const std::function<absl::Status(const MemberCard&)>& visit) = 0;

  // Qualifications (ledger/rules/qualifications.h).
  virtual absl::StatusOr<std::optional<CatalogueItem>> GetCatalogueItem(absl::string_view bank_id,
                                                                        CatalogueKind kind,
                                                                        absl::string_view code) = 0;
  // Items of one kind with code > after_code, in code order, at most `limit`.
  virtual absl::StatusOr<std::vector<CatalogueItem>> ListCatalogue(absl::string_view bank_id,
                                                                   CatalogueKind kind,
                                                                   absl::string_view after_code,
                                                                   size_t limit) = 0;
  // Every item, by kind, then code.
  virtual absl::Status ForEachCatalogueItem(
      absl::string_view bank_id,
      const std::function<absl::Status(const CatalogueItem&)>& visit) = 0;
  virtual absl::StatusOr<std::optional<Holding>> GetHolding(absl::string_view bank_id,
                                                            absl::string_view account_id,
                                                            absl::string_view code) = 0;
  // An account's holdings with qualification code > after_code, in code order.
  virtual absl::StatusOr<std::vector<Holding>> ListHoldings(absl::string_view bank_id,
                                                            absl::string_view account_id,
                                                            absl::string_view after_code,
                                                            size_t limit) = 0;
  // The holdings of one qualification with account id > after_account_id, in id order.
  virtual absl::StatusOr<std::vector<Holding>> ListHolders(absl::string_view bank_id,
                                                           absl::string_view code,
                                                           absl::string_view after_account_id,
                                                           size_t limit) = 0;
  // Every holding, by account, then qualification.
  virtual absl::Status ForEachHolding(absl::string_view bank_id,
                                      const std::function<absl::Status(const Holding&)>& visit) = 0;
  virtual absl::StatusOr<std::optional<Award>> GetAward(absl::string_view bank_id,
                                                        absl::string_view award_id) = 0;
  // Every award, by award id.
  virtual absl::Status ForEachAward(absl::string_view bank_id,
                                    const std::function<absl::Status(const Award&)>& visit) = 0;
  // Visits the awards whose attained_at is in [from, to), in time order, through the time index
  // of awards. More than `awards_max`: FailedPrecondition REPORT_TOO_LARGE, before any is visited.
  virtual absl::Status ForEachAwardIn(absl::string_view bank_id, absl::Time from, absl::Time to,
                                      size_t awards_max,
                                      const std::function<absl::Status(const Award&)>& visit) = 0;

  // Installation-wide, outside the journals (ledger/rules/access.h): every token record, in token
  // id order; every binding of every principal, by name and then version (oldest first).
  virtual absl::Status ForEachToken(
      const std::function<absl::Status(const TokenRecord&)>& visit) = 0;
  virtual absl::Status ForEachPrincipalBinding(
      const std::function<absl::Status(const PrincipalBinding&)>& visit) = 0;

  // The journal. Records are immutable once committed, so the Store's own reads of them are
  // consistent for any position below a committed journal size.
  // Journal records of a bank with position >= from_position, in order, at most `limit`.
  // `chain_before`: the chain hash of fact from_position - 1 if the caller holds it (a reader
  // that carries the chain from its last page), so that the chain hashes not stored whole are
  // computed from it rather than from the whole one stored before from_position.
  virtual absl::StatusOr<std::vector<JournalRecord>> ListJournal(
      absl::string_view bank_id, uint64_t from_position, size_t limit,
      std::optional<Digest> chain_before) = 0;
  // The canonical bytes of the fact at `position`, or nullopt: one point read, without the chain
  // hash that ListJournal computes from the facts before.
  virtual absl::StatusOr<std::optional<std::string>> GetFact(absl::string_view bank_id,
                                                             uint64_t position) = 0;
  // The personal records of a bank's facts with from_position <= position < end_position, in
  // (position, field) order: what JoinPersonal (journal.h) joins to the facts read.
  virtual absl::StatusOr<std::vector<PersonalRecord>> ListPersonal(absl::string_view bank_id,
                                                                   uint64_t from_position,
                                                                   uint64_t end_position) = 0;
  // Returns the journal position of entry `seq`, or nullopt if there is none.
  virtual absl::StatusOr<std::optional<uint64_t>> GetEntryPosition(absl::string_view bank_id,
                                                                   uint64_t seq) = 0;
  // Reads a bank's persisted Merkle nodes, one point read each; a node below
  // kMerkleStoredLevelMin is computed from the journal records of its leaves, read with the rest
  // of their aligned run of 16 facts in one range read and kept for the proof's other low nodes.
  // For one proof.
  virtual std::unique_ptr<MerkleNodeSource> MerkleNodes(absl::string_view bank_id) = 0;

  // Whole key ranges of one bank as raw records, in key order, for audits that compare
  // everything stored. Each cursor reads one moment (the snapshot's, or its own creation's).
  virtual std::unique_ptr<Cursor<JournalRecord>> Journal(absl::string_view bank_id) = 0;
  // The stored Merkle nodes of one level, in index order.
  virtual std::unique_ptr<Cursor<MerkleNode>> MerkleLevel(absl::string_view bank_id, int level) = 0;
  // The stored Merkle nodes of every level from `level` up, in (level, index) order.
  virtual std::unique_ptr<Cursor<MerkleNode>> MerkleNodesFrom(absl::string_view bank_id,
                                                              int level) = 0;
  virtual std::unique_ptr<Cursor<EntryRecord>> Entries(absl::string_view bank_id) = 0;
  // The personal records, in (position, field) order.
  virtual std::unique_ptr<Cursor<PersonalRecord>> PersonalRecords(absl::string_view bank_id) = 0;
  // Postings in (account_id, seq) order.
  virtual std::unique_ptr<Cursor<PostingRecord>> Postings(absl::string_view bank_id) = 0;
  virtual std::unique_ptr<Cursor<SeqMapping>> Reversals(absl::string_view bank_id) = 0;
  virtual std::unique_ptr<Cursor<SeqMapping>> EntryPositions(absl::string_view bank_id) = 0;
};

// One backup made by Store::CreateBackup.
struct BackupInfo {
  uint32_t backup_id = 0;
  absl::Time created_at;
  uint64_t size_bytes = 0;
  uint32_t file_count = 0;
};

// RocksDB's own figures that tell an operator the store is struggling, as Store::Stats reads
// them: zero where RocksDB does not know (a read-only store keeps no statistics). The counters
// count since the current RocksDB instance opened (Store::Recover opens a new one).
struct StoreStats {
  uint64_t stall_micros = 0;              // time writes were delayed or stopped by write stalls
  bool writes_stopped = false;            // RocksDB stops writes now (too many files, debt)
  uint64_t pending_compaction_bytes = 0;  // bytes compaction must rewrite to settle the levels
  uint64_t running_compactions = 0;
  uint64_t block_cache_hits = 0;
  uint64_t block_cache_misses = 0;
  uint64_t block_cache_bytes = 0;  // what the block cache holds now
  uint64_t memtable_bytes = 0;     // the memtables, active and waiting to be flushed
  uint64_t live_table_bytes = 0;   // the table files of the current version
};

// Test-only settings of the store (ledger/store/store_test_hooks.h): a RocksDB FileSystem that
// injects faults, smaller memtables. Opaque here, so that RocksDB stays out of this header.
struct StoreTestHooks;

struct StoreOptions {
  std::string path;
  // Off only in tests that measure something other than durability: never in timeledgerd.
  bool sync = true;
  size_t block_cache_bytes = 64 << 20;
  // Opens without writing anything (offline verification of a stopped ledger). Writes fail.
  bool read_only = false;
  // Instead of `path`, opens the backup `backup_id` (0: the latest) in this backup directory,
  // read-only, without restoring it.
  std::string backup_dir;
  uint32_t backup_id = 0;
  // After a failed write, Store::Recover tries again at most this often.
  absl::Duration recovery_interval = absl::Seconds(1);
  // Tests only; null in timeledgerd.
  std::shared_ptr<const StoreTestHooks> test_hooks;
};

// The durable store: a StoreReader of the latest committed state, its writes and its snapshots.
// The StoreReader base is virtual so that the store and its snapshots can share one
// implementation of it (ledger/store/rocksdb_reader.h).
class Store : public virtual StoreReader {
 public:
  virtual std::unique_ptr<StoreBatch> NewBatch() = 0;
  // Makes every write of `batch` durable at once (WAL synced), or none of them. Thread-safe.
  // Returns Unavailable STORE_FULL (no space left) or STORE_FAILED (any other I/O error) if the
  // disk refuses, DataLoss STORE_CORRUPT if the store is damaged. After the first failed write
  // or sync, and after a failed flush or compaction, every Commit is refused with that same
  // reason, without touching the disk, until Recover succeeds; reads are served meanwhile.
  // A refused batch may still turn out durable after Recover (its WAL record was written but
  // not synced): nothing refused is ever half written, but it is not certainly absent either.
  virtual absl::Status Commit(StoreBatch* batch) = 0;
  // Commit in two halves, for a caller that overlaps them. Write applies `batch` at once and
  // writes its WAL record without syncing it: reads of the Store see it immediately, a crash may
  // lose it. Sync makes every write made so far durable (the WAL synced); it may run on another
  // thread while Write is called. Both refuse as Commit does, and a failed Write or Sync fails
  // the store like a failed Commit: so a failed Sync fails every batch written since the last
  // Sync that returned OK, which the caller must treat as refused. With StoreOptions::sync off,
  // Sync writes nothing and returns WriteStatus().
  // The Ledger does not use them (docs/ARCHITECTURE.md, "Why this arrangement"): its readers
  // read accounts and entries from the store directly, so a Write would show them what is not
  // yet synced. A caller that does must keep its readers off the store until Sync returns.
  virtual absl::Status Write(StoreBatch* batch) = 0;
  virtual absl::Status Sync() = 0;
  // OK while writes are accepted; otherwise the refusal that Commit returns. Thread-safe.
  virtual absl::Status WriteStatus() const = 0;
  // After a failure, tries to make the store writable again, at most once per
  // StoreOptions::recovery_interval (returning the refusal without trying in between): if the
  // disk takes a small synced write again, the failed RocksDB instance is closed (never written
  // again) and the store reopened. Reads are served throughout, from a read-only instance while
  // the store is reopened. Returns OK once writes are accepted: what was read before may then be
  // stale (see Commit), so the caller re-reads its state before writing. Returns OK at once if
  // nothing failed. One caller at a time (the ledger's writer thread).
  virtual absl::Status Recover() = 0;

  // A reader of everything committed so far and nothing committed later (a RocksDB snapshot,
  // held until the reader is destroyed; destroy it before the Store). Thread-safe.
  virtual std::unique_ptr<StoreReader> NewSnapshot(BlockCache cache) = 0;

  // Makes an online, consistent backup into `backup_dir` (RocksDB BackupEngine: files shared
  // between backups, WAL included), then deletes all but the newest `keep` backups. Writes may
  // continue meanwhile. Returns Unavailable if the backup cannot be written.
  virtual absl::StatusOr<BackupInfo> CreateBackup(const std::string& backup_dir, size_t keep) = 0;

  // RocksDB's figures now (StoreStats). Thread-safe; cheap enough for every metrics scrape.
  virtual StoreStats Stats() const = 0;

  // Makes the store's files drop the values deleted or overwritten in `bank_id`'s key ranges
  // that hold personal data or a fingerprint of it (personal records, accounts, member cards
  // and their index and counts, pending entries, idempotency records; keys.h kPersonalKeyTags),
  // after an erasure (docs/PRIVACY.md): flushes the memtables, so that the write-ahead log files
  // that held the values are retired and deleted, then compacts those ranges to the last level,
  // where a deletion drops what it deletes. That rewrites the files overlapping those ranges:
  // level 0's files span every range, so they are rewritten whole, journal included, and at the
  // lower levels the files of those ranges. A snapshot taken before the erasure makes compaction
  // keep what it sees: CompactPersonal waits up to 30 s for such snapshots to be released and
  // compacts again, else returns Unavailable saying so. Thread-safe; writes continue meanwhile.
  // A file that an iterator in progress holds (a feed's) is deleted when the iterator ends.
  virtual absl::Status CompactPersonal(absl::string_view bank_id) = 0;
};

// The backups in `backup_dir`, oldest first. Unavailable if it cannot be read.
absl::StatusOr<std::vector<BackupInfo>> ListBackups(const std::string& backup_dir);

// Restores backup `backup_id` (0: the latest) of `backup_dir` into `target_path`, which must not
// hold a store yet. Unavailable if the backup cannot be read, DataLoss if its files are damaged.
absl::Status RestoreBackup(const std::string& backup_dir, uint32_t backup_id,
                           const std::string& target_path);

// Opens (creating if missing) the RocksDB store at options.path.
absl::StatusOr<std::unique_ptr<Store>> OpenRocksDbStore(const StoreOptions& options);

}  // namespace timeledger::ledger

#endif  // TIMELEDGER_LEDGER_STORE_H_
