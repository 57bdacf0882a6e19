// The second half of the writer: commits the groups the writer thread decided, one after the
// other, on a thread of its own, so that the writer decides group N+1 while group N is written
// and synced; then publishes each group to the readers and runs its callbacks.
//
// What readers see is a LedgerView: every bank's header as the last acknowledged group left it,
// immutable, swapped in whole by the publisher (Ledger::PublishBanks). A group is published and
// acknowledged only after its synced Commit returned OK; the store makes a synced write visible
// to its readers only then too, so nothing a reader sees was not synced first.
//
// A failed commit fails its group and every group handed over after it (they were decided on
// its effects): failure() stays set, and Complete refuses with it, until the writer has drained
// the pipeline, reloaded its state from the store and called ResetFailure.
//
// Thread-safety: HandOver, WaitForRoom, Drain, Idle, failure and ResetFailure are for the writer
// thread; the commit thread runs Complete; the writer may run Complete itself while Idle().
#ifndef TIMELEDGER_LEDGER_ENGINE_COMMIT_PIPELINE_H_
#define TIMELEDGER_LEDGER_ENGINE_COMMIT_PIPELINE_H_

#include <deque>
#include <functional>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include "absl/base/thread_annotations.h"
#include "absl/container/btree_map.h"
#include "absl/status/status.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/time.h"

#include "ledger/core/types.h"
#include "ledger/engine/write_txn.h"
#include "ledger/engine/writer_stats.h"
#include "ledger/store/store.h"

namespace timeledger::ledger {

class Command;

// A bank as readers see it. Immutable once published; shared by every view that holds it.
struct BankView {
  Bank bank;
  ChainHead head;
  Policy policy;
  absl::TimeZone zone;
  size_t account_count = 0;
  absl::Status damage;    // see BankState
  absl::Status degraded;  // see BankState
};

// Every bank readers see, by id.
using LedgerView = absl::btree_map<std::string, std::shared_ptr<const BankView>>;

std::shared_ptr<const BankView> ViewOf(const BankState& state);

// Groups handed over and not yet finished, at most: one being committed, one waiting. It bounds
// what the writer holds for readers of its overlays, and how far its state runs ahead.
inline constexpr size_t kGroupsInFlightMax = 2;

// A group the writer decided: its commands, the batch that writes them, its transaction (read
// by the groups decided after it until it is committed) and the banks it changed, as it left
// them, to publish.
struct DecidedGroup {
  std::vector<std::unique_ptr<Command>> commands;
  std::unique_ptr<StoreBatch> batch;
  std::unique_ptr<WriteTxn> txn;
  std::vector<std::shared_ptr<const BankView>> views;
  bool finished = false;  // under CommitPipeline's mutex once handed over
};

class CommitPipeline {
 public:
  // Shows a committed group to the readers (its banks' views, its accounts).
  using Publish = std::function<void(const DecidedGroup&)>;

  // Starts the commit thread. `store`, `stats` and the functions outlive the pipeline. Each
  // group's commit calls `before_commit` just before its batch is written, and `publish` once
  // it is synced; the commit thread calls `finished` after each group handed over is finished.
  CommitPipeline(Store* store, WriterStats* stats, Publish before_commit, Publish publish,
                 std::function<void()> finished);
  // Finishes every group handed over, then stops the thread.
  ~CommitPipeline();
  CommitPipeline(const CommitPipeline&) = delete;
  CommitPipeline& operator=(const CommitPipeline&) = delete;

  // Commits `group` (unless a commit failed since ResetFailure: then it is refused with that
  // failure), publishes it if that succeeded, and finishes its commands with the status.
  void Complete(DecidedGroup& group) ABSL_LOCKS_EXCLUDED(mu_);
  // Queues `group` for the commit thread, which completes the groups in the order handed over.
  void HandOver(std::shared_ptr<DecidedGroup> group) ABSL_LOCKS_EXCLUDED(mu_);
  // Waits until fewer than kGroupsInFlightMax groups are unfinished.
  void WaitForRoom() ABSL_LOCKS_EXCLUDED(mu_);
  // Waits until every group handed over is finished.
  void Drain() ABSL_LOCKS_EXCLUDED(mu_);
  // Whether every group handed over is finished.
  bool Idle() ABSL_LOCKS_EXCLUDED(mu_);
  // Whether `group`, handed over, is finished.
  bool Finished(const DecidedGroup& group) ABSL_LOCKS_EXCLUDED(mu_);
  // The first failed commit since ResetFailure, or OK.
  absl::Status failure() ABSL_LOCKS_EXCLUDED(mu_);
  void ResetFailure() ABSL_LOCKS_EXCLUDED(mu_);

 private:
  void Run() ABSL_LOCKS_EXCLUDED(mu_);
  bool HasWork() const ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_) { return stopping_ || !queue_.empty(); }
  bool HasRoom() const ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_) {
    return unfinished_ < kGroupsInFlightMax;
  }
  bool AllFinished() const ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_) { return unfinished_ == 0; }

  Store* const store_;
  WriterStats* const stats_;
  const Publish before_commit_;
  const Publish publish_;
  const std::function<void()> finished_;

  absl::Mutex mu_;
  std::deque<std::shared_ptr<DecidedGroup>> queue_ ABSL_GUARDED_BY(mu_);
  size_t unfinished_ ABSL_GUARDED_BY(mu_) = 0;
  absl::Status failure_ ABSL_GUARDED_BY(mu_);
  bool stopping_ ABSL_GUARDED_BY(mu_) = false;
  std::thread thread_;
};

}  // namespace timeledger::ledger

#endif  // TIMELEDGER_LEDGER_ENGINE_COMMIT_PIPELINE_H_
