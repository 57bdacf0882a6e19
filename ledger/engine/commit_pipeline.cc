#include "ledger/engine/commit_pipeline.h"

#include <utility>

#include "ledger/core/check.h"
#include "ledger/engine/commands.h"

namespace timeledger::ledger {

std::shared_ptr<const BankView> ViewOf(const BankState& state) {
  auto view = std::make_shared<BankView>();
  view->bank = state.bank;
  view->head = state.head;
  view->policy = state.policy;
  view->zone = state.zone;
  view->account_count = state.account_count;
  view->damage = state.damage;
  view->degraded = state.degraded;
  return view;
}

CommitPipeline::CommitPipeline(Store* store, WriterStats* stats, Publish before_commit,
                               Publish publish, std::function<void()> finished)
    : store_(store),
      stats_(stats),
      before_commit_(std::move(before_commit)),
      publish_(std::move(publish)),
      finished_(std::move(finished)),
      thread_([this] { Run(); }) {}

CommitPipeline::~CommitPipeline() {
  {
    absl::MutexLock lock(&mu_);
    stopping_ = true;
  }
  thread_.join();
  TL_CHECK(queue_.empty());
}

void CommitPipeline::Complete(DecidedGroup& group) {
  absl::Status status = failure();
  if (status.ok() && !group.batch->empty()) {
    const WriterStats::Timer timed(&stats_->commit_micros);
    before_commit_(group);
    status = store_->Commit(group.batch.get());
  }
  if (status.ok()) {
    publish_(group);
  } else {
    absl::MutexLock lock(&mu_);
    if (failure_.ok()) failure_ = status;
  }
  for (auto& command : group.commands) command->Finish(status);
  group.commands.clear();  // the callbacks' captures go on this thread, not the writer's
}

void CommitPipeline::HandOver(std::shared_ptr<DecidedGroup> group) {
  absl::MutexLock lock(&mu_);
  TL_CHECK(!stopping_ && unfinished_ < kGroupsInFlightMax);
  queue_.push_back(std::move(group));
  ++unfinished_;
}

void CommitPipeline::WaitForRoom() {
  absl::MutexLock lock(&mu_);
  mu_.Await(absl::Condition(this, &CommitPipeline::HasRoom));
}

void CommitPipeline::Drain() {
  absl::MutexLock lock(&mu_);
  mu_.Await(absl::Condition(this, &CommitPipeline::AllFinished));
}

bool CommitPipeline::Idle() {
  absl::MutexLock lock(&mu_);
  return unfinished_ == 0;
}

bool CommitPipeline::Finished(const DecidedGroup& group) {
  absl::MutexLock lock(&mu_);
  return group.finished;
}

absl::Status CommitPipeline::failure() {
  absl::MutexLock lock(&mu_);
  return failure_;
}

void CommitPipeline::ResetFailure() {
  absl::MutexLock lock(&mu_);
  TL_CHECK(unfinished_ == 0);  // nothing decided on the failed state is still to commit
  failure_ = absl::OkStatus();
}

void CommitPipeline::Run() {
  while (true) {
    std::shared_ptr<DecidedGroup> group;
    {
      absl::MutexLock lock(&mu_);
      mu_.Await(absl::Condition(this, &CommitPipeline::HasWork));
      if (queue_.empty()) return;  // stopping, and every group finished
      group = queue_.front();
    }
    Complete(*group);
    {
      absl::MutexLock lock(&mu_);
      queue_.pop_front();
      group->finished = true;
      --unfinished_;
    }
    finished_();
  }
}

}  // namespace timeledger::ledger
