#include "ledger/engine/published_accounts.h"

#include <algorithm>
#include <utility>

#include "absl/hash/hash.h"

#include "ledger/engine/account_cache.h"

namespace timeledger::ledger {

PublishedAccounts::PublishedAccounts(size_t capacity)
    : capacity_(capacity),
      shard_count_(std::clamp<size_t>(capacity, 1, kShards)),
      shard_capacity_(capacity / shard_count_) {}

PublishedAccounts::Shard& PublishedAccounts::ShardOf(absl::string_view key) const {
  return shards_[absl::HashOf(key) % shard_count_];
}

std::optional<Account> PublishedAccounts::Find(absl::string_view key) const {
  if (capacity_ == 0) return std::nullopt;
  Shard& shard = ShardOf(key);
  absl::MutexLock lock(&shard.mu);
  auto it = shard.accounts.find(key);
  if (it == shard.accounts.end()) return std::nullopt;
  return it->second;
}

uint64_t PublishedAccounts::EpochOf(absl::string_view key) const {
  Shard& shard = ShardOf(key);
  absl::MutexLock lock(&shard.mu);
  return shard.epoch;
}

void PublishedAccounts::Fill(const Account& account, uint64_t epoch) {
  if (capacity_ == 0) return;
  std::string key = AccountCache::KeyOf(account.bank_id, account.account_id);
  Shard& shard = ShardOf(key);
  absl::MutexLock lock(&shard.mu);
  if (shard.epoch != epoch || shard.changing > 0) return;
  Keep(shard, std::move(key), account);
}

void PublishedAccounts::BeginChange(const Account& account) {
  Shard& shard = ShardOf(AccountCache::KeyOf(account.bank_id, account.account_id));
  absl::MutexLock lock(&shard.mu);
  ++shard.epoch;
  ++shard.changing;
}

void PublishedAccounts::Publish(const Account& account) {
  std::string key = AccountCache::KeyOf(account.bank_id, account.account_id);
  Shard& shard = ShardOf(key);
  absl::MutexLock lock(&shard.mu);
  ++shard.epoch;  // also with capacity 0: a fill racing this publish must not keep its read
  // Its BeginChange, unless a Clear came between (a commit that failed publishes nothing).
  if (shard.changing > 0) --shard.changing;
  if (capacity_ == 0) return;
  Keep(shard, std::move(key), account);
}

void PublishedAccounts::Clear() {
  for (Shard& shard : shards_) {
    absl::MutexLock lock(&shard.mu);
    shard.accounts.clear();
    shard.changing = 0;
    ++shard.epoch;
  }
}

void PublishedAccounts::Keep(Shard& shard, std::string key, const Account& account) {
  auto it = shard.accounts.find(key);
  if (it != shard.accounts.end()) {
    it->second = account;
    return;
  }
  // Full: drop one account, whichever the table gives first (a hash order, so no account is
  // favoured); a reader of it reads the store and fills it again.
  if (shard.accounts.size() >= shard_capacity_) shard.accounts.erase(shard.accounts.begin());
  shard.accounts.emplace(std::move(key), account);
}

}  // namespace timeledger::ledger
