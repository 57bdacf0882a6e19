#include "ledger/engine/journal_notifier.h"

namespace timeledger::ledger {

void JournalNotifier::Published(absl::string_view bank_id, uint64_t journal_size) {
  absl::MutexLock lock(&mu_);
  auto it = sizes_.find(bank_id);
  if (it == sizes_.end()) it = sizes_.emplace(std::string(bank_id), 0).first;
  if (journal_size <= it->second) return;
  it->second = journal_size;
  ++generation_;  // waiters' conditions are re-evaluated when mu_ is released
}

uint64_t JournalNotifier::PublishedSize(absl::string_view bank_id) const {
  absl::ReaderMutexLock lock(&mu_);
  auto it = sizes_.find(bank_id);
  return it == sizes_.end() ? 0 : it->second;
}

uint64_t JournalNotifier::generation() const {
  absl::ReaderMutexLock lock(&mu_);
  return generation_;
}

uint64_t JournalNotifier::WaitForChange(uint64_t seen, absl::Duration timeout) {
  absl::MutexLock lock(&mu_);
  const uint64_t interrupts = interrupts_;
  auto changed = [&]() ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_) {
    return generation_ != seen || interrupts_ != interrupts;
  };
  mu_.AwaitWithTimeout(absl::Condition(&changed), timeout);
  return generation_;
}

void JournalNotifier::Interrupt() {
  absl::MutexLock lock(&mu_);
  ++interrupts_;
}

}  // namespace timeledger::ledger
