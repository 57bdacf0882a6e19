// PublishedAccounts: the accounts as the last published groups left them, for readers. A bounded,
// sharded map from (bank, account) to the account, in front of the store for GetAccount: the
// publisher (the commit thread, after a group's synced commit) writes through every account the
// group changed, and a reader that missed fills it from the store, unless a publish touched the
// shard while it read (it may have read the state before that publish).
//
// Why: a GetAccount read its record from RocksDB, whose memtable search (a skip list of every
// recent key) was a third of the call's own cost; a hash lookup costs a tenth of that.
//
// Everything here was synced before it was put here (a publish follows the commit; a fill reads
// the store). A failed commit publishes nothing; but its batch may still turn out durable when
// the store is reopened (Store::Recover), so the ledger Clears this after every recovery.
//
// Thread-safety: every method may run on any thread.
#ifndef TIMELEDGER_LEDGER_ENGINE_PUBLISHED_ACCOUNTS_H_
#define TIMELEDGER_LEDGER_ENGINE_PUBLISHED_ACCOUNTS_H_

#include <array>
#include <cstdint>
#include <optional>
#include <string>

#include "absl/base/thread_annotations.h"
#include "absl/container/flat_hash_map.h"
#include "absl/strings/string_view.h"
#include "absl/synchronization/mutex.h"

#include "ledger/core/types.h"

namespace timeledger::ledger {

class PublishedAccounts {
 public:
  // At most `capacity` accounts (0: none, every read goes to the store).
  explicit PublishedAccounts(size_t capacity);
  PublishedAccounts(const PublishedAccounts&) = delete;
  PublishedAccounts& operator=(const PublishedAccounts&) = delete;

  // The account under `key` (AccountCache::KeyOf), if kept.
  std::optional<Account> Find(absl::string_view key) const;
  // The publishes that have touched the shard of `key`: take it before reading the store, and
  // give it to Fill.
  uint64_t EpochOf(absl::string_view key) const;
  // Keeps `account`, read from the store after EpochOf gave `epoch`, if no publish touched its
  // shard since (else what was read may be older than what was published) and no account of
  // the shard is being written.
  void Fill(const Account& account, uint64_t epoch);
  // `account` is about to be written to the store, which readers see before it is published:
  // until its Publish, fills of its shard are refused. Else a fill of what a reader read before
  // the write could replace, in here, the newer value another reader already read from the
  // store, and that reader would see the balance go back.
  void BeginChange(const Account& account);
  // Keeps `account` as a synced group left it (replacing what was kept); ends its BeginChange.
  void Publish(const Account& account);
  // Forgets every account, and refuses every fill whose read began before (the store it read
  // may be older than the one now open).
  void Clear();

  size_t capacity() const { return capacity_; }

 private:
  static constexpr size_t kShards = 16;
  struct Shard {
    mutable absl::Mutex mu;
    absl::flat_hash_map<std::string, Account> accounts ABSL_GUARDED_BY(mu);
    uint64_t epoch ABSL_GUARDED_BY(mu) = 0;
    size_t changing ABSL_GUARDED_BY(mu) = 0;  // BeginChange not yet ended by Publish or Clear
  };

  Shard& ShardOf(absl::string_view key) const;
  // Puts `account` under `key`, making room first if the shard is full.
  void Keep(Shard& shard, std::string key, const Account& account)
      ABSL_EXCLUSIVE_LOCKS_REQUIRED(shard.mu);

  const size_t capacity_;
  const size_t shard_count_;  // kShards, or fewer for a smaller capacity: one account each
  const size_t shard_capacity_;
  mutable std::array<Shard, kShards> shards_;
};

}  // namespace timeledger::ledger

#endif  // TIMELEDGER_LEDGER_ENGINE_PUBLISHED_ACCOUNTS_H_
