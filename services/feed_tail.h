// FeedTail: the newest facts of one bank's journal, each kept as its wire record, so that the
// change feed's streams that keep up are served from memory: the facts a group commit adds are
// read from the store and encoded once, whatever the number of streams that are sent them.
//
// A stream at a position the tail holds (begin() <= position <= end()) takes its message from
// here (Serve); one behind the tail reads the store itself (JournalFeed's disk path) until it
// reaches the tail. Whoever serves first catches the tail up to the journal's published size
// (CatchUp), one at a time; the others wait for that and find it done.
//
// Bounded: at most kFeedTailFactsMax facts and kFeedTailBytesMax bytes (the records with what
// each holds beside them); the oldest go first. Erasure: a fact that erases personal data empties
// the tail, since the records before it may hold the values it erased; streams behind it read them
// (erased) from the store.
//
// Thread-safe. Borrows the ledger, which outlives it.
#ifndef TIMELEDGER_SERVICES_FEED_TAIL_H_
#define TIMELEDGER_SERVICES_FEED_TAIL_H_

#include <array>
#include <cstddef>
#include <cstdint>
#include <deque>
#include <optional>
#include <string>

#include "absl/base/thread_annotations.h"
#include "absl/status/status.h"
#include "absl/synchronization/mutex.h"

#include "ledger/engine/ledger.h"
#include "services/feed_wire.h"

namespace timeledger::services {

inline constexpr size_t kFeedTailFactsMax = 8192;
inline constexpr size_t kFeedTailBytesMax = 4 << 20;

class FeedTail {
 public:
  // A tail of `bank_id` that starts empty at `position` (at most the published size), holding
  // at most `facts_max` facts and `bytes_max` bytes of records.
  FeedTail(const ledger::Ledger* ledger, ledger::BankId bank_id, uint64_t position,
           size_t facts_max = kFeedTailFactsMax, size_t bytes_max = kFeedTailBytesMax);
  FeedTail(const FeedTail&) = delete;
  FeedTail& operator=(const FeedTail&) = delete;

  // Reads and encodes the facts below `published` that the tail lacks. If it lacks more than it
  // may hold, it starts again at the last facts_max. The store's error if a read fails.
  absl::Status CatchUp(uint64_t published) ABSL_LOCKS_EXCLUDED(fill_mu_, mu_);

  // What Serve put in a message.
  struct Served {
    uint64_t next_position = 0;
    ledger::Digest journal_hash{};  // the chain hash of fact next_position - 1
    uint64_t tree_size = 0;         // the tail's end when served
  };
  // Adds to `message` the facts from `position` on that pass `filter`, until it holds
  // `records_max` records or more than kFeedMessageBytesMax bytes of them (the trailer is the
  // caller's, from the result). nullopt if the tail does not hold `position`.
  std::optional<Served> Serve(uint64_t position, const ledger::FeedFilter& filter,
                              size_t records_max, FeedMessage* message) const
      ABSL_LOCKS_EXCLUDED(mu_);

  uint64_t begin() const ABSL_LOCKS_EXCLUDED(mu_);
  uint64_t end() const ABSL_LOCKS_EXCLUDED(mu_);

 private:
  struct Record {
    uint64_t position = 0;
    ledger::FactType type = ledger::FactType::kEntry;
    ledger::Digest chain_hash{};
    std::array<std::string, 2> accounts;  // AccountsTouchedBy, "" past its count
    bool accounts_known = true;           // false: a resolution whose pending entry was unread
    std::string wire;                     // a serialised v1::JournalRecord
  };
  bool Passes(const Record& record, const ledger::FeedFilter& filter) const;
  // What a record holds in memory, counted against bytes_max.
  static size_t BytesOf(const Record& record);
  // Appends the records of one page, encoded, with the page's prior hashes.
  void Append(std::deque<Record> encoded, const ledger::FeedPage& page)
      ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);
  // Empties the tail, to start again at `position`.
  void Restart(uint64_t position) ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);
  uint64_t End() const ABSL_SHARED_LOCKS_REQUIRED(mu_) { return begin_ + records_.size(); }

  const ledger::Ledger* const ledger_;
  const ledger::BankId bank_id_;
  const size_t facts_max_;
  const size_t bytes_max_;

  absl::Mutex fill_mu_ ABSL_ACQUIRED_BEFORE(mu_);  // one CatchUp at a time

  mutable absl::Mutex mu_;
  std::deque<Record> records_ ABSL_GUARDED_BY(mu_);
  uint64_t begin_ ABSL_GUARDED_BY(mu_);  // the position of records_.front()
  // The chain hash of fact begin_ - 1; unknown (nullopt) until a first page told it.
  std::optional<ledger::Digest> before_begin_ ABSL_GUARDED_BY(mu_);
  size_t bytes_ ABSL_GUARDED_BY(mu_) = 0;
};

}  // namespace timeledger::services

#endif  // TIMELEDGER_SERVICES_FEED_TAIL_H_
