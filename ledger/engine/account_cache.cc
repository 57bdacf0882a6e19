#include "ledger/engine/account_cache.h"

#include <algorithm>

#include "ledger/core/check.h"

namespace timeledger::ledger {

AccountCache::AccountCache(size_t capacity) : capacity_(std::max<size_t>(capacity, 1)) {}

std::string AccountCache::KeyOf(absl::string_view bank_id, absl::string_view account_id) {
  std::string key;
  key.reserve(bank_id.size() + 1 + account_id.size());
  key.append(bank_id.data(), bank_id.size());
  key.push_back('\0');
  key.append(account_id.data(), account_id.size());
  return key;
}

const Account* AccountCache::Find(absl::string_view key) const {
  auto it = index_.find(key);
  return it == index_.end() ? nullptr : &it->second->account;
}

void AccountCache::Put(const Account& account) {
  std::string key = KeyOf(account.bank_id, account.account_id);
  if (auto it = index_.find(key); it != index_.end()) {
    it->second->account = account;
    order_.splice(order_.begin(), order_, it->second);
    return;
  }
  order_.push_front(Slot{key, account});
  index_.emplace(std::move(key), order_.begin());
}

void AccountCache::Touch(absl::string_view key) {
  if (auto it = index_.find(key); it != index_.end()) {
    order_.splice(order_.begin(), order_, it->second);
  }
}

void AccountCache::Trim() {
  while (index_.size() > capacity_) {
    TL_CHECK(!order_.empty());
    index_.erase(order_.back().key);
    order_.pop_back();
  }
  TL_CHECK(order_.size() == index_.size());
}

void AccountCache::Clear() {
  index_.clear();
  order_.clear();
}

}  // namespace timeledger::ledger
