// The durable home of the ledger: banks, accounts, entries, idempotency keys and chain heads.
//
// Store is the interface the domain uses; rocksdb_store.cc is the one implementation and the only
// file that knows RocksDB. Writes go through a StoreBatch and become durable together, synced, in
// Commit: one business operation is one atomic write. Reads may run on any thread at the same
// time as a Commit. A StoreBatch belongs to one thread.
#ifndef TIMELEDGER_LEDGER_STORE_H_
#define TIMELEDGER_LEDGER_STORE_H_

#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "ledger/policy.h"
#include "ledger/records.h"
#include "ledger/types.h"

namespace timeledger::ledger {

// Writes gathered for one atomic, synced Commit. Savepoints nest.
class StoreBatch {
 public:
  virtual ~StoreBatch() = default;

  virtual void PutBank(const Bank& bank) = 0;
  virtual void PutAccount(const Account& account) = 0;
  // Writes the entry and one posting per account, each with that account's balance after it.
  virtual void PutEntry(const Entry& entry, int64_t from_balance_after,
                        int64_t to_balance_after) = 0;
  virtual void PutEntryId(absl::string_view bank_id, absl::string_view entry_id,
                          const EntryIdRecord& record) = 0;
  virtual void PutReversal(absl::string_view bank_id, uint64_t seq, uint64_t reversed_by_seq) = 0;
  virtual void PutChainHead(absl::string_view bank_id, const ChainHead& head) = 0;
  // The policy in force, and the record of a change: who, when, old and new.
  virtual void PutPolicy(absl::string_view bank_id, const Policy& policy) = 0;
  virtual void PutPolicyChange(absl::string_view bank_id, const Policy& old_policy,
                               const Policy& new_policy) = 0;
  // An open pending entry is kept with the open ones; a resolved one moves to the history.
  virtual void PutPending(const PendingEntry& pending) = 0;

  virtual void SetSavePoint() = 0;
  // Drops every write since the latest savepoint, and that savepoint.
  virtual void RollbackToSavePoint() = 0;
  // Keeps the writes since the latest savepoint, and forgets that savepoint.
  virtual void ReleaseSavePoint() = 0;
  virtual bool empty() const = 0;
};

struct StoreOptions {
  std::string path;
  // Off only in tests that measure something other than durability: never in timeledgerd.
  bool sync = true;
  size_t block_cache_bytes = 64 << 20;
};

class Store {
 public:
  virtual ~Store() = default;

  virtual std::unique_ptr<StoreBatch> NewBatch() = 0;
  // Makes every write of `batch` durable at once (WAL synced), or none of them.
  // Returns Unavailable if the disk refuses, DataLoss if the store is damaged.
  virtual absl::Status Commit(StoreBatch* batch) = 0;

  // Visits every bank with its chain head (a bank without entries has the initial head) and its
  // policy (the defaults if none was ever set).
  virtual absl::Status ForEachBank(
      const std::function<absl::Status(const Bank&, const ChainHead&, const Policy&)>& visit) = 0;
  // Visits a bank's open pending entries, in entry_id order.
  virtual absl::Status ForEachOpenPending(
      absl::string_view bank_id, const std::function<absl::Status(const PendingEntry&)>& visit) = 0;
  // Returns a pending entry, open or resolved, or nullopt.
  virtual absl::StatusOr<std::optional<PendingEntry>> GetPending(absl::string_view bank_id,
                                                                 absl::string_view entry_id) = 0;
  // Policy changes of a bank, oldest first: each the (old, new) pair.
  virtual absl::StatusOr<std::vector<std::pair<Policy, Policy>>> ListPolicyChanges(
      absl::string_view bank_id) = 0;
  virtual absl::Status ForEachAccount(absl::string_view bank_id,
                                      const std::function<absl::Status(const Account&)>& visit) = 0;

  // Returns the entry, with reversed_by_seq filled in, or nullopt if there is none.
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
  // Accounts of a bank with id > after_account_id, in id order, at most `limit`.
  virtual absl::StatusOr<std::vector<Account>> ListAccounts(absl::string_view bank_id,
                                                            absl::string_view after_account_id,
                                                            size_t limit) = 0;
};

// Opens (creating if missing) the RocksDB store at options.path.
absl::StatusOr<std::unique_ptr<Store>> OpenRocksDbStore(const StoreOptions& options);

}  // namespace timeledger::ledger

#endif  // TIMELEDGER_LEDGER_STORE_H_
