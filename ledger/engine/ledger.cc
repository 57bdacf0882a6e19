#include "ledger/engine/ledger.h"

#include <algorithm>
#include <charconv>
#include <filesystem>
#include <map>

#include "absl/strings/str_cat.h"
#include "ledger/engine/commands.h"
#include "ledger/store/data_dir.h"
#include "ledger/core/errors.h"
#include "ledger/rules/rules.h"
#include "ledger/core/validate.h"

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
  RecordBatchCommand(std::vector<EntrySpec> specs, bool atomic, std::string principal,
                     Callback<BatchResult> done)
      : TypedCommand<BatchResult>(std::move(done)),
        specs_(std::move(specs)),
        atomic_(atomic),
        principal_(std::move(principal)) {}

  void Execute(WriteTxn& txn) override {
    Guarded(txn, [&]() -> absl::StatusOr<BatchResult> {
      if (specs_.empty() || specs_.size() > kBatchSizeMax) {
        // ledger::, not the command's own Refuse.
        return ledger::Refuse(
            Reason::kInvalidBatchSize,
            absl::StrCat("a batch holds 1 to ", kBatchSizeMax, " entries; got ", specs_.size()),
            {{"limit", std::to_string(kBatchSizeMax)},
             {"attempted", std::to_string(specs_.size())}});
      }
      BatchResult results;
      results.reserve(specs_.size());
      for (size_t i = 0; i < specs_.size(); ++i) {
        txn.SetSavePoint();
        auto receipt = ExecuteRecordEntry(txn, specs_[i], principal_);
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
  std::string principal_;
};

// CheckEntry: records the entry inside a savepoint to see what would happen, then undoes it.
class DryRunCommand : public TypedCommand<Receipt> {
 public:
  DryRunCommand(EntrySpec spec, std::string principal, Callback<Receipt> done)
      : TypedCommand<Receipt>(std::move(done)),
        spec_(std::move(spec)),
        principal_(std::move(principal)) {}

  void Execute(WriteTxn& txn) override {
    txn.SetSavePoint();
    result_ = ExecuteRecordEntry(txn, spec_, principal_);
    txn.RollbackToSavePoint();
  }

 private:
  EntrySpec spec_;
  std::string principal_;
};

absl::Status BadPageToken() {
  return Refuse(Reason::kInvalidPageToken,
                "page_token is not one this server gave; start again without it",
                {{"field", "page_token"}});
}

// Page tokens of entry listings are the last seq returned, in decimal.
absl::StatusOr<uint64_t> ParseSeqToken(const std::string& token) {
  if (token.empty()) return uint64_t{0};
  uint64_t seq = 0;
  auto [end, error] = std::from_chars(token.data(), token.data() + token.size(), seq);
  if (error != std::errc() || end != token.data() + token.size()) return BadPageToken();
  return seq;
}

// Compares the banks reloaded after a store failure with those served before it. A bank may
// have moved on (a refused write that became durable after all) but never back: an entry once
// acknowledged is in the store. A bank whose journal is shorter than before is marked damaged;
// damage found before (Verify) stays found. DataLoss STORE_LOST_WRITES if a bank is gone.
absl::Status KeepFindings(const BankMap& before, BankMap* reloaded) {
  for (const auto& [bank_id, old_state] : before) {
    auto it = reloaded->find(bank_id);
    if (it == reloaded->end()) {
      return Refuse(Reason::kStoreLostWrites,
                    absl::StrCat("bank ", bank_id, " is missing from the reopened store"),
                    {{"bank_id", bank_id}});
    }
    BankState& state = *it->second;
    if (!state.damage.ok()) continue;
    if (state.head.journal_size() < old_state->head.journal_size() ||
        state.head.next_seq < old_state->head.next_seq) {
      state.damage = BankDamaged(
          bank_id,
          Refuse(Reason::kStoreLostWrites,
                 absl::StrCat("bank ", bank_id, "'s journal holds ", state.head.journal_size(),
                              " facts after the store was "
                              "reopened, fewer than the ",
                              old_state->head.journal_size(), " acknowledged before"),
                 {{"bank_id", bank_id}}));
    } else {
      state.damage = old_state->damage;
    }
  }
  return absl::OkStatus();
}

}  // namespace

Ledger::Ledger(LedgerOptions options, std::unique_ptr<Store> store)
    : options_(std::move(options)),
      clock_(options_.clock ? options_.clock : [] { return absl::Now(); }),
      store_(std::move(store)) {}

absl::StatusOr<std::unique_ptr<Ledger>> Ledger::Open(LedgerOptions options) {
  auto backup_root = BackupRootOf(options.data_dir, options.backup_dir);
  if (!backup_root.ok()) return backup_root.status();
  std::error_code error;
  if (!std::filesystem::exists(options.data_dir, error)) {
    if (auto s = CreatePrivateDir(options.data_dir); !s.ok()) return s;
  }
  StoreOptions store_options;
  store_options.path = (std::filesystem::path(options.data_dir) / kStoreDirName).string();
  store_options.sync = options.sync;
  store_options.recovery_interval = options.store_recovery_interval;
  store_options.test_hooks = options.store_test_hooks;
  auto store = OpenRocksDbStore(store_options);
  if (!store.ok()) return store.status();
  // PIN hashes, card numbers and token digests are in here: the owner's alone, umask or not.
  // After the open, so that what RocksDB made at open is covered too.
  auto made_private = MakePrivate(options.data_dir);
  if (!made_private.ok()) return made_private.status();
  std::unique_ptr<Ledger> ledger(new Ledger(std::move(options), *std::move(store)));
  ledger->backup_root_ = *std::move(backup_root);
  ledger->paths_made_private_ = *made_private;
  if (auto s = ledger->Load(); !s.ok()) return s;
  if (auto s = ledger->tokens_.Load(); !s.ok()) return s;
  ledger->writer_ = std::thread([raw = ledger.get()] { raw->WriterLoop(); });
  return ledger;
}

Ledger::~Ledger() {
  {
    std::lock_guard<std::mutex> lock(queue_mu_);
    stopping_ = true;
  }
  queue_cv_.notify_all();
  if (writer_.joinable()) writer_.join();
}

absl::Status Ledger::Load() { return LoadBanks(&banks_, options_.verify_on_open); }

absl::Status Ledger::LoadBanks(BankMap* banks, bool verify) const {
  auto loaded = store_->ForEachBank([&](const Bank& bank, const ChainHead& head,
                                        const Policy& policy) -> absl::Status {
    auto state = std::make_unique<BankState>();
    state->bank = bank;
    state->head = head;
    state->policy = policy;
    if (!absl::LoadTimeZone(bank.time_zone, &state->zone)) {
      // One bank's missing zone must not take every bank down: this one is served degraded.
      state->zone = absl::UTCTimeZone();
      state->degraded = Refuse(
          Reason::kTimeZoneMissing,
          absl::StrCat("bank ", bank.bank_id, " keeps time in ",
                       absl::string_view(bank.time_zone).substr(0, kTimeZoneLengthMax),
                       ", which this machine's time zone database lacks: its entries are read "
                       "but not written until the zone is installed (tzdata) and timeledgerd "
                       "restarted"),
          {{"bank_id", bank.bank_id}});
    }
    // Damage found here is kept with the bank, which is then not served; other banks are.
    absl::Status damage = CheckHeads(bank.bank_id, head);
    auto pending_status = store_->ForEachOpenPending(bank.bank_id, [&](const PendingEntry& p) {
      state->pending_by_expiry.emplace(p.expires_at, p.entry.entry_id);
      return absl::OkStatus();
    });
    if (damage.ok()) damage = pending_status;
    int64_t sum = 0;
    auto status = store_->ForEachAccount(bank.bank_id, [&](const Account& account) {
      sum += account.balance_minutes;
      state->accounts.emplace(account.account_id, account);
      return absl::OkStatus();
    });
    if (damage.ok()) damage = status;
    if (damage.ok() && sum != 0) {
      damage = Refuse(Reason::kZeroSumBroken,
                      absl::StrCat("bank ", bank.bank_id, "'s balances sum to ", sum,
                                   " minutes, not zero: the store is damaged"),
                      {{"bank_id", bank.bank_id}, {"sum_minutes", std::to_string(sum)}});
    }
    if (!damage.ok()) state->damage = BankDamaged(bank.bank_id, damage);
    banks->emplace(bank.bank_id, std::move(state));
    return absl::OkStatus();
  });
  if (!loaded.ok() || !verify) return loaded;
  auto snapshot = store_->NewSnapshot();
  const VerifyReport report = VerifySnapshot(*snapshot);
  if (!report.banks.empty() || report.status.ok()) {
    for (const BankVerification& bank : report.banks) {
      auto it = banks->find(bank.bank_id);
      if (!bank.status.ok() && it != banks->end() && it->second->damage.ok()) {
        it->second->damage = BankDamaged(bank.bank_id, bank.status);
      }
    }
    return absl::OkStatus();
  }
  return report.status;  // not even the banks could be listed
}

void Ledger::Submit(std::unique_ptr<Command> command) {
  {
    std::lock_guard<std::mutex> lock(queue_mu_);
    if (!stopping_ && queue_.size() < options_.queue_depth_max) {
      queue_.push_back(std::move(command));
      command = nullptr;
    }
  }
  if (command == nullptr) {
    queue_cv_.notify_one();
    return;
  }
  // Refused: run it against nothing so its callback reports why.
  command->Refuse(Refuse(Reason::kBusy, "the ledger is busy or shutting down; try again shortly"));
}

void Ledger::WriterLoop() {
  std::vector<std::unique_ptr<Command>> group;
  while (true) {
    {
      std::unique_lock<std::mutex> lock(queue_mu_);
      // Wake at least once a second, so that pending entries expire without traffic.
      queue_cv_.wait_for(lock, std::chrono::seconds(1),
                         [&] { return stopping_ || !queue_.empty(); });
      if (queue_.empty() && stopping_) return;  // drained
      if (queue_.empty()) {
        lock.unlock();
        if (store_failed_ || !store_->WriteStatus().ok()) {
          // Recovers without traffic; the refusal is the store's to report, to the next write.
          EnsureWritable().IgnoreError();
        } else if (HasDuePending()) {
          CommitGroup(&group);
        }
        continue;
      }
      const size_t take = std::min(queue_.size(), options_.group_commit_max);
      for (size_t i = 0; i < take; ++i) {
        group.push_back(std::move(queue_.front()));
        queue_.pop_front();
      }
    }
    CommitGroup(&group);
    group.clear();
  }
}

absl::Status Ledger::EnsureWritable() {
  if (!store_failed_ && store_->WriteStatus().ok()) return absl::OkStatus();
  store_failed_ = true;
  if (auto recovered = store_->Recover(); !recovered.ok()) return recovered;
  BankMap reloaded;
  if (auto loaded = LoadBanks(&reloaded, /*verify=*/false); !loaded.ok()) return loaded;
  // Only this thread writes banks_: reading it without the lock is safe.
  if (auto kept = KeepFindings(banks_, &reloaded); !kept.ok()) return kept;
  {
    std::unique_lock<std::shared_mutex> lock(state_mu_);
    banks_.swap(reloaded);
  }
  store_failed_ = false;
  return absl::OkStatus();
}

void Ledger::CommitGroup(std::vector<std::unique_ptr<Command>>* group) {
  // The group is checked against banks_, which must be what the store holds.
  if (auto writable = EnsureWritable(); !writable.ok()) {
    for (auto& command : *group) command->Refuse(writable);
    return;
  }
  auto batch = store_->NewBatch();
  // Only this thread writes banks_, so reading it here without the lock is safe.
  // Stored times have microsecond precision: "now" is cut to it, so that what a receipt says
  // and what a later read says are the same.
  const absl::Time now = absl::FromUnixMicros(absl::ToUnixMicros(clock_()));
  WriteTxn txn(banks_, store_.get(), batch.get(), now);
  ExpireDuePending(txn);
  for (auto& command : *group) command->Execute(txn);
  absl::Status commit = txn.Finalize();
  if (commit.ok() && !batch->empty()) commit = store_->Commit(batch.get());
  if (commit.ok()) {
    std::unique_lock<std::shared_mutex> lock(state_mu_);
    txn.ApplyTo(&banks_);
  }
  for (auto& command : *group) command->Finish(commit);
}

bool Ledger::HasDuePending() {
  const absl::Time now = clock_();
  for (const auto& [bank_id, state] : banks_) {
    if (!state->damage.ok() || !state->degraded.ok()) continue;  // it takes no writes
    if (!state->pending_by_expiry.empty() && state->pending_by_expiry.begin()->first <= now) {
      return true;
    }
  }
  return false;
}

void Ledger::ExpireDuePending(WriteTxn& txn) {
  size_t expired = 0;
  for (const auto& [bank_id, state] : banks_) {
    if (!state->damage.ok() || !state->degraded.ok()) continue;
    for (const auto& [expires_at, entry_id] : state->pending_by_expiry) {
      if (expires_at > txn.now() || expired == kExpiriesPerGroupMax) break;
      txn.SetSavePoint();
      auto result = ExecuteReleasePending(txn, bank_id, entry_id, PendingState::kExpired,
                                          "timeledgerd", "not confirmed in time");
      if (result.ok()) {
        txn.ReleaseSavePoint();
        ++expired;
      } else {
        txn.RollbackToSavePoint();
      }
    }
  }
}

void Ledger::CreateBank(Bank bank, std::string principal, Callback<Bank> done) {
  Submit(MakeCommand<Bank>(
      [bank = std::move(bank), principal = std::move(principal)](WriteTxn& txn) {
        return ExecuteCreateBank(txn, bank, principal);
      },
      std::move(done)));
}

void Ledger::OpenAccount(Account account, std::string principal, Callback<Account> done) {
  Submit(MakeCommand<Account>(
      [account = std::move(account), principal = std::move(principal)](WriteTxn& txn) {
        return ExecuteOpenAccount(txn, account, principal);
      },
      std::move(done)));
}

void Ledger::SetAccountStatus(std::string bank_id, std::string account_id, AccountStatus status,
                              std::string reason, bool donate_balance_to_pool,
                              std::string principal, Callback<Account> done) {
  Submit(MakeCommand<Account>(
      [=](WriteTxn& txn) {
        return ExecuteSetAccountStatus(txn, bank_id, account_id, status, reason,
                                       donate_balance_to_pool, principal);
      },
      std::move(done)));
}

void Ledger::SetPolicy(std::string bank_id, Policy policy, uint64_t expected_version,
                       std::string principal, Callback<Policy> done) {
  Submit(MakeCommand<Policy>(
      [=](WriteTxn& txn) {
        return ExecuteSetPolicy(txn, bank_id, policy, expected_version, principal);
      },
      std::move(done)));
}

void Ledger::CheckEntry(EntrySpec spec, std::string principal, Callback<Receipt> done) {
  Submit(std::make_unique<DryRunCommand>(std::move(spec), std::move(principal), std::move(done)));
}

void Ledger::ConfirmEntry(std::string bank_id, std::string entry_id, std::string principal,
                          Callback<Receipt> done) {
  Submit(MakeCommand<Receipt>(
      [=](WriteTxn& txn) { return ExecuteConfirmEntry(txn, bank_id, entry_id, principal); },
      std::move(done)));
}

void Ledger::RejectEntry(std::string bank_id, std::string entry_id, std::string reason,
                         std::string principal, Callback<PendingEntry> done) {
  Submit(MakeCommand<PendingEntry>(
      [=](WriteTxn& txn) {
        return ExecuteReleasePending(txn, bank_id, entry_id, PendingState::kRejected, principal,
                                     reason);
      },
      std::move(done)));
}

void Ledger::RunExpirySweep(std::string bank_id, std::string principal,
                            Callback<ExpirySweepResult> done) {
  Submit(MakeCommand<ExpirySweepResult>(
      [=](WriteTxn& txn) { return ExecuteExpirySweep(txn, bank_id, principal); },
      std::move(done)));
}

void Ledger::RecordEntry(EntrySpec spec, std::string principal, Callback<Receipt> done) {
  Submit(MakeCommand<Receipt>(
      [spec = std::move(spec), principal = std::move(principal)](WriteTxn& txn) {
        return ExecuteRecordEntry(txn, spec, principal);
      },
      std::move(done)));
}

void Ledger::RecordEntries(std::vector<EntrySpec> specs, bool atomic, std::string principal,
                           Callback<BatchResult> done) {
  Submit(std::make_unique<RecordBatchCommand>(std::move(specs), atomic, std::move(principal),
                                              std::move(done)));
}

void Ledger::ReverseEntry(std::string bank_id, uint64_t seq, std::string entry_id,
                          std::string note, std::string principal, Callback<Receipt> done) {
  if (entry_id.empty()) entry_id = absl::StrCat(kReversalEntryIdPrefix, seq);
  Submit(MakeCommand<Receipt>(
      [=](WriteTxn& txn) {
        return ExecuteReverseEntry(txn, bank_id, seq, entry_id, note, principal);
      },
      std::move(done)));
}

void Ledger::PutCatalogueItem(CatalogueItem item, uint64_t expected_version,
                              std::string principal, Callback<CatalogueItem> done) {
  Submit(MakeCommand<CatalogueItem>(
      [item = std::move(item), expected_version, principal = std::move(principal)](WriteTxn& txn) {
        return ExecutePutCatalogueItem(txn, item, expected_version, principal);
      },
      std::move(done)));
}

void Ledger::RetireCatalogueItem(std::string bank_id, CatalogueKind kind, std::string code,
                                 std::string principal, Callback<CatalogueItem> done) {
  Submit(MakeCommand<CatalogueItem>(
      [=](WriteTxn& txn) { return ExecuteRetireCatalogueItem(txn, bank_id, kind, code, principal); },
      std::move(done)));
}

void Ledger::AwardQualification(AwardSpec spec, std::string principal,
                                Callback<AwardReceipt> done) {
  Submit(MakeCommand<AwardReceipt>(
      [spec = std::move(spec), principal = std::move(principal)](WriteTxn& txn) {
        return ExecuteAwardQualification(txn, spec, principal);
      },
      std::move(done)));
}

void Ledger::RedeemOffer(RedeemSpec spec, std::string principal, Callback<Redemption> done) {
  Submit(MakeCommand<Redemption>(
      [spec = std::move(spec), principal = std::move(principal)](WriteTxn& txn) {
        return ExecuteRedeemOffer(txn, spec, principal);
      },
      std::move(done)));
}

absl::StatusOr<BankSummary> Ledger::GetBank(const std::string& bank_id) const {
  if (auto s = CheckBankServable(bank_id); !s.ok()) return s;
  std::shared_lock<std::shared_mutex> lock(state_mu_);
  auto it = banks_.find(bank_id);
  if (it == banks_.end()) return BankNotFound(bank_id);
  const BankState& state = *it->second;
  return BankSummary{state.bank, state.accounts.size(), state.head.next_seq - 1};
}

std::vector<absl::Status> Ledger::DegradedBanks() const {
  std::vector<absl::Status> degraded;
  std::shared_lock<std::shared_mutex> lock(state_mu_);
  for (const auto& [bank_id, state] : banks_) {
    if (!state->degraded.ok()) degraded.push_back(state->degraded);
  }
  return degraded;
}

absl::StatusOr<Page<BankSummary>> Ledger::ListBanks(int64_t page_size,
                                                    const std::string& page_token) const {
  size_t limit = 0;
  if (auto s = ValidatePageSize(page_size, &limit); !s.ok()) return s;
  if (!page_token.empty()) {
    if (auto s = ValidateId("page_token", page_token); !s.ok()) return BadPageToken();
  }
  Page<BankSummary> page;
  std::shared_lock<std::shared_mutex> lock(state_mu_);
  for (auto it = banks_.upper_bound(page_token); it != banks_.end(); ++it) {
    if (page.items.size() == limit) {
      page.next_page_token = page.items.back().bank.bank_id;
      break;
    }
    const BankState& state = *it->second;
    page.items.push_back(BankSummary{state.bank, state.accounts.size(), state.head.next_seq - 1});
  }
  return page;
}

absl::StatusOr<Account> Ledger::GetAccount(const std::string& bank_id,
                                           const std::string& account_id) const {
  if (auto s = CheckBankServable(bank_id); !s.ok()) return s;
  if (auto s = ValidateId("account_id", account_id); !s.ok()) return s;
  std::shared_lock<std::shared_mutex> lock(state_mu_);
  auto bank = banks_.find(bank_id);
  if (bank == banks_.end()) return BankNotFound(bank_id);
  auto it = bank->second->accounts.find(account_id);
  if (it == bank->second->accounts.end()) {
    return Refuse(Reason::kAccountNotFound,
                  absl::StrCat("there is no account ", account_id, " in bank ", bank_id),
                  {{"bank_id", bank_id}, {"account_id", account_id}});
  }
  return it->second;
}

absl::StatusOr<AccountStanding> Ledger::GetAccountStanding(const std::string& bank_id,
                                                           const std::string& account_id) const {
  auto account = GetAccount(bank_id, account_id);
  if (!account.ok()) return account.status();
  std::shared_lock<std::shared_mutex> lock(state_mu_);
  const BankState& bank = *banks_.at(bank_id);
  AccountStanding standing;
  standing.account = *std::move(account);
  const Account& a = standing.account;
  standing.floor_minutes = bank.policy.floors_enabled ? FloorOf(bank.policy, a) : 0;
  standing.cap_minutes = bank.policy.balance_cap_enabled && a.kind == AccountKind::kPerson
                             ? bank.policy.person_cap_minutes
                             : 0;
  standing.available_minutes =
      bank.policy.floors_enabled ? a.balance_minutes - a.held_minutes - standing.floor_minutes
                                 : INT64_MAX;
  standing.reciprocity = ReciprocityOf(a, bank.policy, DayOf(clock_(), bank.zone));
  return standing;
}

absl::StatusOr<Policy> Ledger::GetPolicy(const std::string& bank_id) const {
  if (auto bank = GetBank(bank_id); !bank.ok()) return bank.status();
  std::shared_lock<std::shared_mutex> lock(state_mu_);
  return banks_.at(bank_id)->policy;
}

absl::StatusOr<std::vector<std::pair<Policy, Policy>>> Ledger::ListPolicyChanges(
    const std::string& bank_id) const {
  if (auto bank = GetBank(bank_id); !bank.ok()) return bank.status();
  return store_->ListPolicyChanges(bank_id);
}

absl::StatusOr<std::vector<PendingEntry>> Ledger::ListPending(const std::string& bank_id,
                                                              const std::string& account_id,
                                                              size_t limit) const {
  if (auto bank = GetBank(bank_id); !bank.ok()) return bank.status();
  if (!account_id.empty()) {
    if (auto account = GetAccount(bank_id, account_id); !account.ok()) return account.status();
  }
  std::vector<PendingEntry> found;
  auto status = store_->ForEachOpenPending(bank_id, [&](const PendingEntry& pending) {
    if (found.size() < limit &&
        (account_id.empty() || pending.entry.from_account_id == account_id ||
         pending.entry.to_account_id == account_id)) {
      found.push_back(pending);
    }
    return absl::OkStatus();
  });
  if (!status.ok()) return status;
  return found;
}

void Ledger::SetMemberCard(std::string bank_id, std::string account_id, std::string card_number,
                           std::string principal, Callback<MemberCard> done) {
  Submit(MakeCommand<MemberCard>(
      [=](WriteTxn& txn) {
        return ExecuteSetMemberCard(txn, bank_id, account_id, card_number, principal);
      },
      std::move(done)));
}

void Ledger::SetMemberPin(std::string bank_id, std::string account_id, std::string pin_hash,
                          std::string principal, Callback<MemberCard> done) {
  Submit(MakeCommand<MemberCard>(
      [=](WriteTxn& txn) {
        return ExecuteSetMemberPin(txn, bank_id, account_id, pin_hash, principal);
      },
      std::move(done)));
}

absl::StatusOr<std::optional<MemberCard>> Ledger::GetMemberCard(
    const std::string& bank_id, const std::string& account_id) const {
  if (auto bank = GetBank(bank_id); !bank.ok()) return bank.status();
  if (auto s = ValidateId("account_id", account_id); !s.ok()) return s;
  return store_->GetMemberCard(bank_id, account_id);
}

absl::StatusOr<std::optional<std::string>> Ledger::FindCardHolder(
    const std::string& bank_id, const std::string& card_number) const {
  if (auto bank = GetBank(bank_id); !bank.ok()) return bank.status();
  if (auto s = ValidateCardNumber(card_number, /*allow_empty=*/false); !s.ok()) return s;
  return store_->FindCardHolder(bank_id, card_number);
}

absl::StatusOr<CardAttempts> Ledger::GetCardAttempts(const std::string& bank_id,
                                                     const std::string& card_number) const {
  if (auto bank = GetBank(bank_id); !bank.ok()) return bank.status();
  if (auto s = ValidateCardNumber(card_number, /*allow_empty=*/false); !s.ok()) return s;
  return store_->GetCardAttempts(bank_id, card_number);
}

absl::Status Ledger::PutCardAttempts(const std::string& bank_id, const std::string& card_number,
                                     const CardAttempts& attempts) {
  if (auto bank = GetBank(bank_id); !bank.ok()) return bank.status();
  if (auto s = ValidateCardNumber(card_number, /*allow_empty=*/false); !s.ok()) return s;
  auto batch = store_->NewBatch();
  batch->PutCardAttempts(bank_id, card_number, attempts);
  return store_->Commit(batch.get());
}

absl::StatusOr<PendingEntry> Ledger::GetPending(const std::string& bank_id,
                                                const std::string& entry_id) const {
  if (auto bank = GetBank(bank_id); !bank.ok()) return bank.status();
  if (auto s = ValidateEntryId("entry_id", entry_id); !s.ok()) return s;
  auto pending = store_->GetPending(bank_id, entry_id);
  if (!pending.ok()) return pending.status();
  if (!pending->has_value()) {
    return Refuse(Reason::kPendingNotFound,
                  absl::StrCat("no entry ", entry_id, " was ever waiting for confirmation"),
                  {{"entry_id", entry_id}});
  }
  return **pending;
}

absl::StatusOr<Page<Account>> Ledger::ListAccounts(const std::string& bank_id, int64_t page_size,
                                                   const std::string& page_token) const {
  size_t limit = 0;
  if (auto s = ValidatePageSize(page_size, &limit); !s.ok()) return s;
  if (auto bank = GetBank(bank_id); !bank.ok()) return bank.status();
  if (!page_token.empty() && !ValidateId("page_token", page_token).ok()) return BadPageToken();
  auto accounts = store_->ListAccounts(bank_id, page_token, limit + 1);
  if (!accounts.ok()) return accounts.status();
  Page<Account> page;
  page.items = *std::move(accounts);
  if (page.items.size() > limit) {
    page.items.resize(limit);
    page.next_page_token = page.items.back().account_id;
  }
  // The store may be a moment ahead of memory; report balances as the ledger serves them.
  std::shared_lock<std::shared_mutex> lock(state_mu_);
  const auto& live = banks_.at(bank_id)->accounts;
  for (Account& account : page.items) {
    if (auto it = live.find(account.account_id); it != live.end()) account = it->second;
  }
  return page;
}

absl::StatusOr<Entry> Ledger::GetEntry(const std::string& bank_id, uint64_t seq) const {
  if (auto bank = GetBank(bank_id); !bank.ok()) return bank.status();
  auto entry = store_->GetEntry(bank_id, seq);
  if (!entry.ok()) return entry.status();
  if (!entry->has_value()) {
    return Refuse(Reason::kEntryNotFound, absl::StrCat("bank ", bank_id, " has no entry ", seq),
                  {{"seq", std::to_string(seq)}});
  }
  return **entry;
}

absl::StatusOr<Entry> Ledger::GetEntryById(const std::string& bank_id,
                                           const std::string& entry_id) const {
  if (auto bank = GetBank(bank_id); !bank.ok()) return bank.status();
  if (auto s = ValidateEntryId("entry_id", entry_id); !s.ok()) return s;
  auto record = store_->GetEntryId(bank_id, entry_id);
  if (!record.ok()) return record.status();
  if (!record->has_value()) {
    return Refuse(Reason::kEntryNotFound,
                  absl::StrCat("bank ", bank_id, " has no entry with entry_id ", entry_id),
                  {{"entry_id", entry_id}});
  }
  return GetEntry(bank_id, (*record)->seq);
}

absl::StatusOr<Page<EntryRow>> Ledger::ListEntries(const std::string& bank_id,
                                                   const std::string& account_id,
                                                   int64_t page_size,
                                                   const std::string& page_token) const {
  size_t limit = 0;
  if (auto s = ValidatePageSize(page_size, &limit); !s.ok()) return s;
  if (auto bank = GetBank(bank_id); !bank.ok()) return bank.status();
  if (!account_id.empty()) {
    if (auto account = GetAccount(bank_id, account_id); !account.ok()) return account.status();
  }
  auto after = ParseSeqToken(page_token);
  if (!after.ok()) return after.status();
  auto rows = account_id.empty() ? store_->ListEntries(bank_id, *after, limit + 1)
                                 : store_->ListAccountEntries(bank_id, account_id, *after,
                                                              limit + 1);
  if (!rows.ok()) return rows.status();
  Page<EntryRow> page;
  page.items = *std::move(rows);
  if (page.items.size() > limit) {
    page.items.resize(limit);
    page.next_page_token = std::to_string(page.items.back().entry.seq);
  }
  return page;
}

std::unique_ptr<ReadView> Ledger::NewReadView() const { return store_->NewReadView(); }

}  // namespace timeledger::ledger
