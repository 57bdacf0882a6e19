// AccountCache: the writer's accounts, as far as it keeps them in memory. A bounded map from
// (bank, account) to the account as the writer last decided it, in front of the store: the
// ledger's memory does not grow with its number of accounts. The least recently used account
// goes first when it is over its bound.
//
// What it holds may run ahead of the store (a group decided, not yet committed) and it may lose
// any account at any Trim: a WriteTxn reads the groups in flight before the cache, and the store
// after it, so an account evicted before its group committed is still found (write_txn.h).
//
// Thread-safety: Find and size are const and may run on any thread while nothing changes the
// cache; Put, Touch, Trim and Clear change it, and run on the writer thread under the lock that
// readers of other threads hold (Ledger's state_mu_). Pointers from Find stay valid until the
// next change.
#ifndef TIMELEDGER_LEDGER_ENGINE_ACCOUNT_CACHE_H_
#define TIMELEDGER_LEDGER_ENGINE_ACCOUNT_CACHE_H_

#include <cstddef>
#include <list>
#include <string>

#include "absl/container/flat_hash_map.h"
#include "absl/strings/string_view.h"

#include "ledger/core/types.h"

namespace timeledger::ledger {

class AccountCache {
 public:
  // At most `capacity` accounts are kept after each Trim (at least 1).
  explicit AccountCache(size_t capacity);
  AccountCache(const AccountCache&) = delete;
  AccountCache& operator=(const AccountCache&) = delete;

  // The key of an account: bank id and account id joined by 0x00, which no id contains.
  static std::string KeyOf(absl::string_view bank_id, absl::string_view account_id);

  // The account under `key`, or nullptr. Does not count as a use (it changes nothing).
  const Account* Find(absl::string_view key) const;
  // Keeps `account` (replacing what was kept under its key) as the most recently used.
  void Put(const Account& account);
  // Counts a use of the account under `key`, if kept.
  void Touch(absl::string_view key);
  // Drops the least recently used accounts until at most capacity() are kept.
  void Trim();
  // Drops everything (the writer's decided state was thrown away).
  void Clear();

  size_t size() const { return index_.size(); }
  size_t capacity() const { return capacity_; }

 private:
  struct Slot {
    std::string key;
    Account account;
  };

  const size_t capacity_;
  std::list<Slot> order_;  // most recently used first
  absl::flat_hash_map<std::string, std::list<Slot>::iterator> index_;
};

}  // namespace timeledger::ledger

#endif  // TIMELEDGER_LEDGER_ENGINE_ACCOUNT_CACHE_H_
