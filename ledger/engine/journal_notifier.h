// JournalNotifier: tells the watchers of the journals (the change feed, services/journal_feed.h)
// that a bank's journal grew, without letting them slow the writer.
//
// The commit thread calls Published once for each bank a group changed, after the group is
// synced and its view swapped in: it stores the bank's new journal size and bumps a generation
// under a short lock, and wakes whoever waits. Its cost does not depend on how many watch: it
// allocates nothing (but the first time a bank is seen) and never waits for a watcher. Watchers
// wait for the generation to move (WaitForChange) and then read what they need themselves, at
// their own pace, from the store.
//
// Thread-safe.
#ifndef TIMELEDGER_LEDGER_ENGINE_JOURNAL_NOTIFIER_H_
#define TIMELEDGER_LEDGER_ENGINE_JOURNAL_NOTIFIER_H_

#include <cstdint>
#include <string>

#include "absl/base/thread_annotations.h"
#include "absl/container/flat_hash_map.h"
#include "absl/strings/string_view.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/time.h"

namespace timeledger::ledger {

class JournalNotifier {
 public:
  JournalNotifier() = default;
  JournalNotifier(const JournalNotifier&) = delete;
  JournalNotifier& operator=(const JournalNotifier&) = delete;

  // The journal of `bank_id` now holds `journal_size` facts, every one synced and readable. A
  // size below the one already published is ignored (a reload publishes what it read).
  void Published(absl::string_view bank_id, uint64_t journal_size) ABSL_LOCKS_EXCLUDED(mu_);

  // The size last published for `bank_id`; 0 if none was.
  uint64_t PublishedSize(absl::string_view bank_id) const ABSL_LOCKS_EXCLUDED(mu_);

  // Counts every Published call that grew a journal; starts at 0.
  uint64_t generation() const ABSL_LOCKS_EXCLUDED(mu_);

  // Waits until generation() differs from `seen`, or `timeout` passed, or Interrupt was called;
  // returns generation() then.
  uint64_t WaitForChange(uint64_t seen, absl::Duration timeout) ABSL_LOCKS_EXCLUDED(mu_);

  // Wakes every WaitForChange at once (e.g. to stop its thread); changes nothing else.
  void Interrupt() ABSL_LOCKS_EXCLUDED(mu_);

 private:
  mutable absl::Mutex mu_;
  absl::flat_hash_map<std::string, uint64_t> sizes_ ABSL_GUARDED_BY(mu_);
  uint64_t generation_ ABSL_GUARDED_BY(mu_) = 0;
  uint64_t interrupts_ ABSL_GUARDED_BY(mu_) = 0;
};

}  // namespace timeledger::ledger

#endif  // TIMELEDGER_LEDGER_ENGINE_JOURNAL_NOTIFIER_H_
