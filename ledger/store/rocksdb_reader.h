// RocksDbReader: the one implementation of StoreReader (store.h), for the store's latest committed
// state and for its snapshots alike. Internal to ledger/store/.
//
// StoreReader is a virtual base (store.h), so that both readers share every method while the
// store stays a StoreReader itself: RocksDbStore is a Store and a RocksDbReader, a snapshot a
// RocksDbReader only. The two differ only in At(), where each read goes. The methods are defined
// in three files by subject:
//
//   rocksdb_reader.cc          records by key: banks, accounts, entries, pending entries, cards,
//                              qualifications, tokens and bindings; the snapshot itself
//   rocksdb_reader_scans.cc    the reads for reports: the time indexes, postings, balances
//   rocksdb_cursors.cc         the journal, the Merkle nodes and the raw records of an audit
//
// Thread-safe: each read takes its own ReadAt, and the point reads of a snapshot share a
// KeptIterator that locks.
#ifndef TIMELEDGER_LEDGER_STORE_ROCKSDB_READER_H_
#define TIMELEDGER_LEDGER_STORE_ROCKSDB_READER_H_

#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include <rocksdb/db.h>

#include "ledger/store/rocksdb_reads.h"
#include "ledger/store/store.h"

namespace timeledger::ledger {

// Where one read goes: the instance, held until the read is done (Recover closes a failed one
// only after its last reader: rocksdb_store.h), the ReadOptions (a snapshot, or none for the
// latest committed state) and, for a snapshot, the iterator its point reads go through.
struct ReadAt {
  std::shared_ptr<rocksdb::DB> db;
  rocksdb::ReadOptions options;
  KeptIterator* point = nullptr;

  RocksReads reads() const { return RocksReads(db.get(), options, point); }
  // The options of a long scan: it skips the block cache, so that a report or an audit does not
  // evict what the writer and the lookups need.
  rocksdb::ReadOptions LongScan() const {
    rocksdb::ReadOptions long_scan = options;
    long_scan.fill_cache = false;
    return long_scan;
  }
};

class RocksDbReader : public virtual StoreReader {
 public:
  // Records by key (rocksdb_reader.cc).
  absl::Status ForEachBank(const std::function<absl::Status(const Bank&, const ChainHead&,
                                                            const Policy&)>& visit) override;
  absl::StatusOr<std::optional<Bank>> GetBank(absl::string_view bank_id) override;
  absl::StatusOr<ChainHead> GetChainHead(absl::string_view bank_id) override;
  absl::StatusOr<std::optional<ChainHead>> GetCheckpoint(absl::string_view bank_id) override;
  absl::StatusOr<Policy> GetPolicy(absl::string_view bank_id) override;
  absl::StatusOr<std::vector<std::pair<Policy, Policy>>> ListPolicyChanges(
      absl::string_view bank_id) override;
  absl::StatusOr<std::optional<Account>> GetAccount(absl::string_view bank_id,
                                                    absl::string_view account_id) override;
  absl::Status ForEachAccount(absl::string_view bank_id,
                              const std::function<absl::Status(const Account&)>& visit) override;
  absl::StatusOr<std::vector<Account>> ListAccounts(absl::string_view bank_id,
                                                    absl::string_view after_account_id,
                                                    size_t limit) override;
  absl::StatusOr<std::optional<Entry>> GetEntry(absl::string_view bank_id, uint64_t seq) override;
  absl::StatusOr<std::optional<EntryIdRecord>> GetEntryId(absl::string_view bank_id,
                                                          absl::string_view entry_id) override;
  absl::StatusOr<uint64_t> GetReversedBy(absl::string_view bank_id, uint64_t seq) override;
  absl::StatusOr<std::vector<EntryRow>> ListEntries(absl::string_view bank_id, uint64_t after_seq,
                                                    size_t limit) override;
  absl::StatusOr<std::optional<PendingEntry>> GetPending(absl::string_view bank_id,
                                                         absl::string_view entry_id) override;
  absl::Status ForEachOpenPending(
      absl::string_view bank_id,
      const std::function<absl::Status(const PendingEntry&)>& visit) override;
  absl::Status ForEachResolvedPending(
      absl::string_view bank_id,
      const std::function<absl::Status(const PendingEntry&)>& visit) override;
  absl::StatusOr<std::optional<MemberCard>> GetMemberCard(absl::string_view bank_id,
                                                          absl::string_view account_id) override;
  absl::StatusOr<std::optional<std::string>> FindCardHolder(absl::string_view bank_id,
                                                            absl::string_view card_number) override;
  absl::StatusOr<CardAttempts> GetCardAttempts(absl::string_view bank_id,
                                               absl::string_view card_number) override;
  absl::Status ForEachMemberCard(
      absl::string_view bank_id,
      const std::function<absl::Status(const MemberCard&)>& visit) override;
  absl::StatusOr<std::optional<CatalogueItem>> GetCatalogueItem(absl::string_view bank_id,
                                                                CatalogueKind kind,
                                                                absl::string_view code) override;
  absl::StatusOr<std::vector<CatalogueItem>> ListCatalogue(absl::string_view bank_id,
                                                           CatalogueKind kind,
                                                           absl::string_view after_code,
                                                           size_t limit) override;
  absl::Status ForEachCatalogueItem(
      absl::string_view bank_id,
      const std::function<absl::Status(const CatalogueItem&)>& visit) override;
  absl::StatusOr<std::optional<Holding>> GetHolding(absl::string_view bank_id,
                                                    absl::string_view account_id,
                                                    absl::string_view code) override;
  absl::StatusOr<std::vector<Holding>> ListHoldings(absl::string_view bank_id,
                                                    absl::string_view account_id,
                                                    absl::string_view after_code,
                                                    size_t limit) override;
  absl::StatusOr<std::vector<Holding>> ListHolders(absl::string_view bank_id,
                                                   absl::string_view code,
                                                   absl::string_view after_account_id,
                                                   size_t limit) override;
  absl::Status ForEachHolding(absl::string_view bank_id,
                              const std::function<absl::Status(const Holding&)>& visit) override;
  absl::StatusOr<std::optional<Award>> GetAward(absl::string_view bank_id,
                                                absl::string_view award_id) override;
  absl::Status ForEachAward(absl::string_view bank_id,
                            const std::function<absl::Status(const Award&)>& visit) override;
  absl::Status ForEachToken(const std::function<absl::Status(const TokenRecord&)>& visit) override;
  absl::Status ForEachPrincipalBinding(
      const std::function<absl::Status(const PrincipalBinding&)>& visit) override;

  // The reads for reports (rocksdb_reader_scans.cc).
  absl::StatusOr<std::vector<EntryRow>> ListAccountEntries(absl::string_view bank_id,
                                                           absl::string_view account_id,
                                                           uint64_t after_seq,
                                                           size_t limit) override;
  absl::Status ForEachEntryOccurredIn(
      absl::string_view bank_id, absl::Time from, absl::Time to, size_t entries_max,
      const std::function<absl::Status(const Entry&)>& visit) override;
  absl::Status ForEachPosting(
      absl::string_view bank_id, absl::string_view account_id, uint64_t after_seq,
      uint64_t through_seq,
      const std::function<absl::Status(const Entry&, int64_t balance_after)>& visit) override;
  absl::StatusOr<std::vector<int64_t>> BalancesAfter(absl::string_view bank_id,
                                                     const std::vector<std::string>& account_ids,
                                                     uint64_t seq) override;
  absl::Status ForEachAwardIn(absl::string_view bank_id, absl::Time from, absl::Time to,
                              size_t awards_max,
                              const std::function<absl::Status(const Award&)>& visit) override;

  // The journal, the Merkle nodes and the raw records (rocksdb_cursors.cc).
  absl::StatusOr<std::vector<JournalRecord>> ListJournal(
      absl::string_view bank_id, uint64_t from_position, size_t limit,
      std::optional<Digest> chain_before) override;
  absl::StatusOr<std::optional<std::string>> GetFact(absl::string_view bank_id,
                                                     uint64_t position) override;
  absl::StatusOr<std::vector<PersonalRecord>> ListPersonal(absl::string_view bank_id,
                                                           uint64_t from_position,
                                                           uint64_t end_position) override;
  absl::StatusOr<std::optional<uint64_t>> GetEntryPosition(absl::string_view bank_id,
                                                           uint64_t seq) override;
  std::unique_ptr<MerkleNodeSource> MerkleNodes(absl::string_view bank_id) override;
  std::unique_ptr<Cursor<JournalRecord>> Journal(absl::string_view bank_id) override;
  std::unique_ptr<Cursor<MerkleNode>> MerkleLevel(absl::string_view bank_id, int level) override;
  std::unique_ptr<Cursor<MerkleNode>> MerkleNodesFrom(absl::string_view bank_id,
                                                      int level) override;
  std::unique_ptr<Cursor<EntryRecord>> Entries(absl::string_view bank_id) override;
  std::unique_ptr<Cursor<PersonalRecord>> PersonalRecords(absl::string_view bank_id) override;
  std::unique_ptr<Cursor<PostingRecord>> Postings(absl::string_view bank_id) override;
  std::unique_ptr<Cursor<SeqMapping>> Reversals(absl::string_view bank_id) override;
  std::unique_ptr<Cursor<SeqMapping>> EntryPositions(absl::string_view bank_id) override;

 protected:
  // Where the next read goes: the latest committed state of the current instance, or the
  // snapshot. A read that reads several keys takes one ReadAt for all of them.
  virtual ReadAt At() const = 0;
};

// The seq of the reversal of entry `seq` (0 if none): GetReversedBy's read, for the readers
// that read many entries (ReadEntry, rocksdb_entries.h, reads the entry itself).
absl::StatusOr<uint64_t> ReadReversedBy(const RocksReads& reads, absl::string_view bank_id,
                                        uint64_t seq);

// A snapshot of `db` as it is now, released with the reader; holds `db` open meanwhile.
std::unique_ptr<StoreReader> NewRocksDbSnapshot(std::shared_ptr<rocksdb::DB> db, BlockCache cache);

}  // namespace timeledger::ledger

#endif  // TIMELEDGER_LEDGER_STORE_ROCKSDB_READER_H_
