// Ledger: the writer. Write methods queue a command; one thread takes the queue in groups, runs
// each command against one WriteTxn and hands the group to the commit pipeline
// (commit_pipeline.h), which commits it as one synced batch and publishes it while the writer
// decides the next group.
#include <algorithm>

#include "absl/strings/str_cat.h"

#include "ledger/core/check.h"
#include "ledger/core/errors.h"
#include "ledger/engine/commands.h"
#include "ledger/engine/ledger.h"

namespace timeledger::ledger {
namespace {

// A command whose work is a function of the transaction.
template <typename T>
class FunctionCommand : public TypedCommand<T> {
 public:
  using Body = absl::AnyInvocable<absl::StatusOr<T>(WriteTxn&)>;
  FunctionCommand(Body body, Callback<T> done)
      : TypedCommand<T>(std::move(done)), body_(std::move(body)) {}

  void Execute(WriteTxn& txn) override {
    this->Guarded(txn, [&] { return body_(txn); });
  }

 private:
  Body body_;
};

template <typename T>
std::unique_ptr<Command> MakeCommand(typename FunctionCommand<T>::Body body, Callback<T> done) {
  return std::make_unique<FunctionCommand<T>>(std::move(body), std::move(done));
}

using BatchResult = std::vector<absl::StatusOr<Receipt>>;

// RecordEntries: many entries, all or none (atomic) or each alone.
class RecordBatchCommand : public TypedCommand<BatchResult> {
 public:
  RecordBatchCommand(std::vector<EntrySpec> specs, bool atomic, Principal caller,
                     Callback<BatchResult> done)
      : TypedCommand<BatchResult>(std::move(done)),
        specs_(std::move(specs)),
        atomic_(atomic),
        caller_(std::move(caller)) {}

  void Execute(WriteTxn& txn) override {
    Guarded(txn, [&]() -> absl::StatusOr<BatchResult> {
      if (specs_.empty() || specs_.size() > kBatchSizeMax) {
        return ledger::Refuse(
            Reason::kInvalidBatchSize,
            absl::StrCat("a batch holds 1 to ", kBatchSizeMax, " entries; got ", specs_.size()),
            {{"limit", std::to_string(kBatchSizeMax)},
             {"attempted", std::to_string(specs_.size())}});
      }
      // The caller's rights over any item refuse the whole call, atomic or not: nothing of a
      // batch with an item the caller may not record is written.
      for (size_t i = 0; i < specs_.size(); ++i) {
        if (auto s = CheckCallerMayRecord(txn, caller_, specs_[i]); !s.ok()) {
          return WithFigure(s, "index", std::to_string(i));
        }
      }
      BatchResult results;
      results.reserve(specs_.size());
      txn.ReserveEntries(specs_.size());
      for (size_t i = 0; i < specs_.size(); ++i) {
        txn.SetSavePoint();
        auto receipt = RecordCheckedEntry(txn, specs_[i], caller_.name);
        if (!receipt.ok()) {
          txn.RollbackToSavePoint();
          if (atomic_) {
            return WithFigure(receipt.status(), "index", std::to_string(i));
          }
        } else {
          txn.ReleaseSavePoint();
        }
        results.push_back(std::move(receipt));
      }
      return results;
    });
  }

  void Finish(const absl::Status& commit) override {
    if (result_.ok() && !commit.ok()) {
      // The group's write failed: every item that was to be written failed with it.
      for (auto& item : *result_) {
        if (item.ok() && !item->replayed) item = commit;
      }
    }
    wrote_ = false;  // per-item statuses carry the commit failure
    TypedCommand<BatchResult>::Finish(commit);
  }

 private:
  std::vector<EntrySpec> specs_;
  bool atomic_;
  Principal caller_;
};

// CheckEntry: records the entry inside a savepoint to see what would happen, then undoes it.
class DryRunCommand : public TypedCommand<Receipt> {
 public:
  DryRunCommand(EntrySpec spec, Principal caller, Callback<Receipt> done)
      : TypedCommand<Receipt>(std::move(done)),
        spec_(std::move(spec)),
        caller_(std::move(caller)) {}

  void Execute(WriteTxn& txn) override {
    txn.SetSavePoint();
    result_ = ExecuteRecordEntry(txn, spec_, caller_);
    txn.RollbackToSavePoint();
  }

 private:
  EntrySpec spec_;
  Principal caller_;
};

// CheckMemberPin: a wrong PIN is refused and yet counted, so the command keeps its writes
// whatever its result, and reports a failed commit if it wrote.
class PinCommand : public TypedCommand<Account> {
 public:
  PinCommand(std::string bank_id, std::string card_number, PinCheck check, Callback<Account> done)
      : TypedCommand<Account>(std::move(done)),
        bank_id_(std::move(bank_id)),
        card_number_(std::move(card_number)),
        check_(std::move(check)) {}

  void Execute(WriteTxn& txn) override {
    txn.SetSavePoint();
    result_ = ExecuteCheckMemberPin(txn, bank_id_, card_number_, check_, &wrote_);
    txn.ReleaseSavePoint();
  }

  void Finish(const absl::Status& commit) override {
    if (wrote_ && !commit.ok()) result_ = commit;  // the count is not on disk
    TypedCommand<Account>::Finish(commit);
  }

 private:
  std::string bank_id_;
  std::string card_number_;
  PinCheck check_;
};

}  // namespace

std::optional<Principal> Ledger::BoundPrincipal(absl::string_view name) const {
  if (auto bound = tokens_.BindingOf(name)) return bound->principal;
  return std::nullopt;
}

void Ledger::Submit(std::unique_ptr<Command> command) {
  {
    absl::MutexLock lock(&queue_mu_);
    if (!stopping_ && queue_.size() < options_.queue_depth_max) {
      queue_.push_back(std::move(command));
      writer_stats_.Queued();
      command = nullptr;
    }
  }
  if (command == nullptr) return;  // the writer's Await sees it when queue_mu_ is released
  // Refused: run it against nothing so its callback reports why.
  command->Refuse(
      ledger::Refuse(Reason::kBusy, "the ledger is busy or shutting down; try again shortly"));
}

void Ledger::WriterLoop() {
  std::vector<std::unique_ptr<Command>> taken;
  while (true) {
    bool stop = false;
    bool idle = false;
    bool commit_free = false;
    {
      absl::MutexLock lock(&queue_mu_);
      group_open_ = open_ != nullptr;
      // Wake at least once a second, so that pending entries expire without traffic.
      queue_mu_.AwaitWithTimeout(absl::Condition(this, &Ledger::WriterHasWork), absl::Seconds(1));
      stop = stopping_ && queue_.empty();
      idle = queue_.empty() && open_ == nullptr;
      const size_t open_size = open_ == nullptr ? 0 : open_->commands.size();
      const size_t take = std::min(queue_.size(), options_.group_commit_max - open_size);
      for (size_t i = 0; i < take; ++i) {
        taken.push_back(std::move(queue_.front()));
        queue_.pop_front();
      }
      writer_stats_.Took(take);
      commit_free = groups_in_pipeline_ == 0;
    }
    if (stop) {
      if (open_ != nullptr) CloseGroup();
      break;  // drained
    }
    if (idle) {
      if (store_failed_ || !pipeline_->failure().ok() || !store_->WriteStatus().ok()) {
        // Recovers without traffic; the refusal is the store's to report, to the next write.
        EnsureWritable().IgnoreError();
      } else if (HasDuePending() && OpenGroup(&taken)) {
        CloseGroup();  // a group of expiries alone
      }
      continue;
    }
    if (!taken.empty()) DecideInto(&taken);
    // The group stays open, taking what arrives, while the commit thread is busy: what comes
    // during one commit is committed by the next, as one group, with one sync.
    if (open_ != nullptr && (commit_free || open_->commands.size() >= options_.group_commit_max)) {
      CloseGroup();
    }
  }
  pipeline_->Drain();
  RetireFinished();
}

bool Ledger::QueueEmpty() {
  absl::MutexLock lock(&queue_mu_);
  return queue_.empty();
}

void Ledger::GroupFinished() {
  absl::MutexLock lock(&queue_mu_);
  TL_CHECK(groups_in_pipeline_ > 0);
  --groups_in_pipeline_;
}

bool Ledger::OpenGroup(std::vector<std::unique_ptr<Command>>* taken) {
  TL_CHECK(open_ == nullptr);
  // No open transaction reads the groups retired here (it would read their overlays).
  RetireFinished();
  // The group is decided against banks_, which must hold nothing the store refused.
  if (auto writable = EnsureWritable(); !writable.ok()) {
    for (auto& command : *taken) command->Refuse(writable);
    taken->clear();
    return false;
  }
  open_ = std::make_shared<DecidedGroup>();
  if (spare_batches_.empty()) {
    open_->batch = store_->NewBatch();
  } else {
    open_->batch = std::move(spare_batches_.back());
    spare_batches_.pop_back();
  }
  // Stored times have microsecond precision: "now" is cut to it, so that what a receipt says
  // and what a later read says are the same.
  const absl::Time now = absl::FromUnixMicros(absl::ToUnixMicros(clock_()));
  open_->txn = std::make_unique<WriteTxn>(WriterBanks(), store_.get(), open_->batch.get(), now,
                                          Earlier(), &WriterAccounts());
  ExpireDuePending(*open_->txn);
  return true;
}

void Ledger::DecideInto(std::vector<std::unique_ptr<Command>>* taken) {
  if (open_ == nullptr && !OpenGroup(taken)) return;
  TL_CHECK(open_->commands.size() + taken->size() <= options_.group_commit_max);
  for (auto& command : *taken) {
    command->Execute(*open_->txn);
    open_->commands.push_back(std::move(command));
  }
  taken->clear();
}

void Ledger::CloseGroup() {
  std::shared_ptr<DecidedGroup> group = std::move(open_);
  TL_CHECK(group != nullptr);
  WriteTxn& txn = *group->txn;
  // Finalize refuses a batch that does not sum to zero per bank; nothing is then written.
  if (auto finalized = txn.Finalize(); !finalized.ok()) {
    for (auto& command : group->commands) command->Finish(finalized);
    group->batch->Clear();
    spare_batches_.push_back(std::move(group->batch));
    return;
  }
  writer_stats_.Grouped(group->commands.size());
  std::vector<std::string> changed;
  {
    absl::MutexLock lock(&state_mu_);
    changed = txn.ApplyTo(&banks_, &accounts_);
  }
  group->views.reserve(changed.size());
  for (const std::string& bank_id : changed) {
    group->views.push_back(ViewOf(*WriterBanks().at(bank_id)));
  }
  if (options_.on_group_decided) options_.on_group_decided();
  if (group->commands.size() <= 1 && pipeline_->Idle() && QueueEmpty()) {
    // A lone call at an idle writer: one write, one sync, one reply, and no hand-off. A larger
    // group goes to the pipeline even so: its callers' next calls arrive during its commit.
    pipeline_->Complete(*group);
    group->batch->Clear();
    spare_batches_.push_back(std::move(group->batch));
    return;
  }
  pipeline_->WaitForRoom();
  in_flight_.push_back(group);
  {
    absl::MutexLock lock(&queue_mu_);
    ++groups_in_pipeline_;
  }
  pipeline_->HandOver(std::move(group));
}

void Ledger::RetireFinished() {
  TL_CHECK(open_ == nullptr);  // an open transaction may read the finished groups' overlays
  while (!in_flight_.empty() && pipeline_->Finished(*in_flight_.front())) {
    std::unique_ptr<StoreBatch> batch = std::move(in_flight_.front()->batch);
    in_flight_.pop_front();
    batch->Clear();
    // One per group in flight, one being decided: more would only hold memory.
    if (spare_batches_.size() <= kGroupsInFlightMax) spare_batches_.push_back(std::move(batch));
  }
}

std::vector<const WriteTxn*> Ledger::Earlier() const {
  std::vector<const WriteTxn*> earlier;
  for (auto it = in_flight_.rbegin(); it != in_flight_.rend(); ++it) {
    earlier.push_back((*it)->txn.get());
  }
  return earlier;
}

bool Ledger::HasDuePending() {
  const absl::Time now = clock_();
  for (const auto& [bank_id, state] : WriterBanks()) {
    if (!state->damage.ok() || !state->degraded.ok()) continue;  // it takes no writes
    if (!state->pending_by_expiry.empty() && state->pending_by_expiry.begin()->first <= now) {
      return true;
    }
  }
  return false;
}

void Ledger::ExpireDuePending(WriteTxn& txn) {
  size_t expired = 0;
  for (const auto& [bank_id, state] : WriterBanks()) {
    if (!state->damage.ok() || !state->degraded.ok()) continue;
    for (const auto& [expires_at, entry_id] : state->pending_by_expiry) {
      if (expires_at > txn.now() || expired == kExpiriesPerGroupMax) break;
      txn.SetSavePoint();
      auto result = ExecuteReleasePending(txn, bank_id, entry_id, PendingState::kExpired,
                                          AdminNamed(kServerPrincipal), "not confirmed in time");
      // Decided on a record the store could not give: undone, tried again at the next group.
      if (absl::Status failed = txn.TakeReadFailure(); !failed.ok()) result = std::move(failed);
      if (result.ok()) {
        txn.ReleaseSavePoint();
        ++expired;
      } else {
        txn.RollbackToSavePoint();
      }
    }
  }
}

void Ledger::CreateBank(Bank bank, const Principal& caller, Callback<Bank> done) {
  Submit(MakeCommand<Bank>([bank = std::move(bank),
                            caller](WriteTxn& txn) { return ExecuteCreateBank(txn, bank, caller); },
                           std::move(done)));
}

void Ledger::OpenAccount(Account account, const Principal& caller, Callback<Account> done) {
  Submit(MakeCommand<Account>(
      [account = std::move(account), caller](WriteTxn& txn) {
        return ExecuteOpenAccount(txn, account, caller);
      },
      std::move(done)));
}

void Ledger::MoveInAccount(Account account, absl::Time joined_at, const Principal& caller,
                           Callback<Account> done) {
  Submit(MakeCommand<Account>(
      [account = std::move(account), joined_at, caller](WriteTxn& txn) {
        return ExecuteOpenAccount(txn, account, caller, joined_at);
      },
      std::move(done)));
}

void Ledger::SetAccountStatus(BankId bank_id, AccountId account_id, AccountStatus status,
                              std::string reason, bool donate_balance_to_pool,
                              const Principal& caller, Callback<Account> done) {
  Submit(MakeCommand<Account>(
      [=](WriteTxn& txn) {
        return ExecuteSetAccountStatus(txn, bank_id, account_id, status, reason,
                                       ClosingSettlement{donate_balance_to_pool, false}, caller);
      },
      std::move(done)));
}

void Ledger::CloseAccount(BankId bank_id, AccountId account_id, std::string reason,
                          ClosingSettlement settlement, const Principal& caller,
                          Callback<Account> done) {
  Submit(MakeCommand<Account>(
      [=, this](WriteTxn& txn) {
        // The lambda outlives the FunctionRef that refers to it (a temporary would not).
        const auto bound = [this](absl::string_view name) { return BoundPrincipal(name); };
        const BindingLookup binding_of = bound;
        return ExecuteSetAccountStatus(txn, bank_id, account_id, AccountStatus::kClosed, reason,
                                       settlement, caller, &binding_of);
      },
      std::move(done)));
}

void Ledger::ChangeAccount(BankId bank_id, AccountId account_id,
                           std::optional<std::string> display_name,
                           std::optional<std::vector<Role>> roles, const Principal& caller,
                           Callback<Account> done) {
  ChangeAccount(std::move(bank_id), std::move(account_id), std::move(display_name),
                std::move(roles), std::nullopt, std::nullopt, caller, std::move(done));
}

void Ledger::ChangeAccount(BankId bank_id, AccountId account_id,
                           std::optional<std::string> display_name,
                           std::optional<std::vector<Role>> roles, std::optional<std::string> phone,
                           std::optional<std::string> email, const Principal& caller,
                           Callback<Account> done) {
  Submit(MakeCommand<Account>(
      [=](WriteTxn& txn) {
        return ExecuteChangeAccount(txn, bank_id, account_id, display_name, roles, caller, phone,
                                    email);
      },
      std::move(done)));
}

void Ledger::ReopenAccount(BankId bank_id, AccountId account_id, std::string reason,
                           const Principal& caller, Callback<Account> done) {
  Submit(MakeCommand<Account>(
      [=](WriteTxn& txn) { return ExecuteReopenAccount(txn, bank_id, account_id, reason, caller); },
      std::move(done)));
}

void Ledger::SetPolicy(BankId bank_id, Policy policy, uint64_t expected_version,
                       const Principal& caller, Callback<Policy> done) {
  Submit(MakeCommand<Policy>(
      [=](WriteTxn& txn) {
        return ExecuteSetPolicy(txn, bank_id, policy, expected_version, caller);
      },
      std::move(done)));
}

void Ledger::CheckEntry(EntrySpec spec, const Principal& caller, Callback<Receipt> done) {
  Submit(std::make_unique<DryRunCommand>(std::move(spec), caller, std::move(done)));
}

void Ledger::ConfirmEntry(BankId bank_id, EntryId entry_id, const Principal& caller,
                          Callback<Receipt> done) {
  Submit(MakeCommand<Receipt>(
      [this, bank_id = std::move(bank_id), entry_id = std::move(entry_id), caller](WriteTxn& txn) {
        return ExecuteConfirmEntry(txn, bank_id, entry_id, caller,
                                   [this](absl::string_view name) { return BoundPrincipal(name); });
      },
      std::move(done)));
}

void Ledger::RejectEntry(BankId bank_id, EntryId entry_id, std::string reason,
                         const Principal& caller, Callback<PendingEntry> done) {
  Submit(MakeCommand<PendingEntry>(
      [=](WriteTxn& txn) {
        return ExecuteReleasePending(txn, bank_id, entry_id, PendingState::kRejected, caller,
                                     reason);
      },
      std::move(done)));
}

void Ledger::RunExpirySweep(BankId bank_id, const Principal& caller,
                            Callback<ExpirySweepResult> done) {
  Submit(MakeCommand<ExpirySweepResult>(
      [=](WriteTxn& txn) { return ExecuteExpirySweep(txn, bank_id, caller); }, std::move(done)));
}

void Ledger::RecordEntry(EntrySpec spec, const Principal& caller, Callback<Receipt> done) {
  Submit(MakeCommand<Receipt>([spec = std::move(spec), caller](
                                  WriteTxn& txn) { return ExecuteRecordEntry(txn, spec, caller); },
                              std::move(done)));
}

void Ledger::RecordEntries(std::vector<EntrySpec> specs, bool atomic, const Principal& caller,
                           Callback<BatchResult> done) {
  Submit(std::make_unique<RecordBatchCommand>(std::move(specs), atomic, caller, std::move(done)));
}

void Ledger::ReverseEntry(BankId bank_id, uint64_t seq, EntryId entry_id, std::string note,
                          const Principal& caller, Callback<Receipt> done) {
  if (entry_id.empty()) entry_id = EntryId(absl::StrCat(kReversalEntryIdPrefix, seq));
  Submit(MakeCommand<Receipt>(
      [=](WriteTxn& txn) { return ExecuteReverseEntry(txn, bank_id, seq, entry_id, note, caller); },
      std::move(done)));
}

void Ledger::PutCatalogueItem(CatalogueItem item, uint64_t expected_version,
                              const Principal& caller, Callback<CatalogueItem> done) {
  Submit(MakeCommand<CatalogueItem>(
      [item = std::move(item), expected_version, caller](WriteTxn& txn) {
        return ExecutePutCatalogueItem(txn, item, expected_version, caller);
      },
      std::move(done)));
}

void Ledger::RetireCatalogueItem(BankId bank_id, CatalogueKind kind, std::string code,
                                 const Principal& caller, Callback<CatalogueItem> done) {
  Submit(MakeCommand<CatalogueItem>(
      [=](WriteTxn& txn) { return ExecuteRetireCatalogueItem(txn, bank_id, kind, code, caller); },
      std::move(done)));
}

void Ledger::AwardQualification(AwardSpec spec, const Principal& caller,
                                Callback<AwardReceipt> done) {
  Submit(MakeCommand<AwardReceipt>(
      [spec = std::move(spec), caller](WriteTxn& txn) {
        return ExecuteAwardQualification(txn, spec, caller);
      },
      std::move(done)));
}

void Ledger::RedeemOffer(RedeemSpec spec, const Principal& caller, Callback<Redemption> done) {
  Submit(MakeCommand<Redemption>(
      [spec = std::move(spec), caller](WriteTxn& txn) {
        return ExecuteRedeemOffer(txn, spec, caller);
      },
      std::move(done)));
}

void Ledger::SetMemberCard(BankId bank_id, AccountId account_id, std::string card_number,
                           const Principal& caller, Callback<MemberCard> done) {
  Submit(MakeCommand<MemberCard>(
      [=](WriteTxn& txn) {
        return ExecuteSetMemberCard(txn, bank_id, account_id, card_number, caller);
      },
      std::move(done)));
}

void Ledger::CheckMemberPin(BankId bank_id, std::string card_number, PinCheck check,
                            Callback<Account> done) {
  Submit(std::make_unique<PinCommand>(std::string(bank_id), std::move(card_number),
                                      std::move(check), std::move(done)));
}

void Ledger::SetMemberPin(BankId bank_id, AccountId account_id, std::string pin_hash,
                          const Principal& caller, Callback<MemberCard> done) {
  Submit(MakeCommand<MemberCard>(
      [=](WriteTxn& txn) {
        return ExecuteSetMemberPin(txn, bank_id, account_id, pin_hash, caller);
      },
      std::move(done)));
}

void Ledger::SetMemberLanguage(BankId bank_id, AccountId account_id, std::string language,
                               const Principal& caller, Callback<MemberCard> done) {
  Submit(MakeCommand<MemberCard>(
      [=](WriteTxn& txn) {
        return ExecuteSetMemberLanguage(txn, bank_id, account_id, language, caller);
      },
      std::move(done)));
}

void Ledger::ErasePersonalData(BankId bank_id, AccountId account_id, std::string reason,
                               const Principal& caller, Callback<ErasureReceipt> done) {
  Submit(MakeCommand<ErasureReceipt>(
      [=](WriteTxn& txn) {
        return ExecuteErasePersonalData(txn, bank_id, account_id, reason, caller);
      },
      std::move(done)));
}

}  // namespace timeledger::ledger
