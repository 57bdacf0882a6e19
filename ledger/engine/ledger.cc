// Ledger: opening, loading and checking the banks, and making the store writable again after a
// failure. The writer is in ledger_writer.cc, the reads in ledger_reads.cc.
#include "ledger/engine/ledger.h"

#include <filesystem>

#include "absl/strings/str_cat.h"
#include "absl/synchronization/mutex.h"

#include "ledger/core/errors.h"
#include "ledger/core/validate.h"
#include "ledger/engine/commands.h"  // ~Ledger destroys the commands still queued
#include "ledger/store/data_dir.h"

namespace timeledger::ledger {
namespace {

// Compares the banks reloaded after a store failure with those served before it. A bank may
// have moved on (a refused write that became durable after all) but never back: an entry once
// acknowledged is in the store. A bank whose journal is shorter than before is marked damaged;
// damage found before (Verify) stays found. DataLoss STORE_LOST_WRITES if a bank is gone.
absl::Status KeepFindings(const LedgerView& before, BankMap* reloaded) {
  for (const auto& [bank_id, old_state] : before) {
    auto it = reloaded->find(bank_id);
    if (it == reloaded->end()) {
      return ledger::Refuse(Reason::kStoreLostWrites,
                            absl::StrCat("bank ", bank_id, " is missing from the reopened store"),
                            {{"bank_id", bank_id}});
    }
    BankState& state = *it->second;
    if (!state.damage.ok()) continue;
    if (state.head.journal_size() < old_state->head.journal_size() ||
        state.head.next_seq < old_state->head.next_seq) {
      state.damage = BankDamaged(
          bank_id,
          ledger::Refuse(
              Reason::kStoreLostWrites,
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
  ledger->pipeline_ = std::make_unique<CommitPipeline>(
      ledger->store_.get(), &ledger->writer_stats_,
      [raw = ledger.get()](const DecidedGroup& group) {
        if (group.txn != nullptr) {
          group.txn->ForEachChangedAccount(
              [raw](const Account& account) { raw->published_accounts_.BeginChange(account); });
        }
      },
      [raw = ledger.get()](const DecidedGroup& group) {
        if (group.txn != nullptr) {
          group.txn->ForEachChangedAccount(
              [raw](const Account& account) { raw->published_accounts_.Publish(account); });
        }
        raw->PublishBanks(group.views);
      },
      [raw = ledger.get()] { raw->GroupFinished(); });
  ledger->writer_ = std::thread([raw = ledger.get()] { raw->WriterLoop(); });
  return ledger;
}

Ledger::~Ledger() {
  {
    absl::MutexLock lock(&queue_mu_);
    stopping_ = true;
  }
  if (writer_.joinable()) writer_.join();  // it drains the pipeline before it returns
  // A clean shutdown: the next open walks only what is written after this. Not after a failed
  // commit: the writer's heads may then hold what never reached the disk.
  // Nor after a failed open, which never started the pipeline (nor the writer).
  if (pipeline_ != nullptr && !store_failed_ && pipeline_->failure().ok()) {
    WriteCheckpoints(WriterBanks());
  }
  pipeline_.reset();
}

absl::Status Ledger::Load() {
  BankMap loaded;
  if (auto s = LoadBanks(&loaded, options_.verify_on_open); !s.ok()) return s;
  {
    absl::MutexLock lock(&state_mu_);
    banks_.swap(loaded);
    accounts_.Clear();
  }
  PublishAll();
  return absl::OkStatus();
}

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
      state->degraded = ledger::Refuse(
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
    // A head written since heads carry the count (records.h) spares reading every account: the
    // time to open does not grow with them. The zero sum is then the full verification's to
    // check (and every group's, as it is written). An older head: counted, and summed, once.
    int64_t sum = 0;
    if (head.has_account_count) {
      state->account_count = head.account_count;
    } else {
      auto status = store_->ForEachAccount(bank.bank_id, [&](const Account& account) {
        sum += account.balance_minutes;
        ++state->account_count;
        return absl::OkStatus();
      });
      if (damage.ok()) damage = status;
    }
    if (damage.ok() && sum != 0) {
      damage = ledger::Refuse(Reason::kZeroSumBroken,
                              absl::StrCat("bank ", bank.bank_id, "'s balances sum to ", sum,
                                           " minutes, not zero: the store is damaged"),
                              {{"bank_id", bank.bank_id}, {"sum_minutes", std::to_string(sum)}});
    }
    if (!damage.ok()) state->damage = BankDamaged(bank.bank_id, damage);
    banks->emplace(bank.bank_id, std::move(state));
    return absl::OkStatus();
  });
  if (!loaded.ok() || !verify) return loaded;
  return CheckOnOpen(banks);
}

absl::Status Ledger::ServingStatus() const {
  if (absl::Status writes = store_->WriteStatus(); !writes.ok()) return writes;
  const std::shared_ptr<const LedgerView> view = View();
  for (const auto& [bank_id, state] : *view) {
    if (!state->damage.ok()) return state->damage;
    if (!state->degraded.ok()) return state->degraded;
  }
  return absl::OkStatus();
}

absl::Status Ledger::EnsureWritable() {
  if (!store_failed_ && pipeline_->failure().ok() && store_->WriteStatus().ok()) {
    return absl::OkStatus();
  }
  store_failed_ = true;
  // The groups in flight were decided on state that is thrown away below: they finish first
  // (refused, the store taking no writes), and nothing is in flight while the store reopens.
  pipeline_->Drain();
  RetireFinished();
  if (auto recovered = store_->Recover(); !recovered.ok()) return recovered;
  BankMap reloaded;
  if (auto loaded = LoadBanks(&reloaded, /*verify=*/false); !loaded.ok()) return loaded;
  // Against what was acknowledged, not what was decided: refused groups may be lost.
  if (auto kept = KeepFindings(*View(), &reloaded); !kept.ok()) return kept;
  {
    absl::MutexLock lock(&state_mu_);
    banks_.swap(reloaded);
    accounts_.Clear();  // it held the decided state, refused groups included
  }
  // A refused group may have turned out durable: what readers kept may be older than the store.
  published_accounts_.Clear();
  PublishAll();
  pipeline_->ResetFailure();
  store_failed_ = false;
  return absl::OkStatus();
}

std::shared_ptr<const LedgerView> Ledger::View() const {
  absl::ReaderMutexLock lock(&view_mu_);
  return view_;
}

void Ledger::PublishBanks(const std::vector<std::shared_ptr<const BankView>>& changed) {
  if (changed.empty()) return;
  absl::MutexLock publishing(&publish_mu_);
  auto next = std::make_shared<LedgerView>(*View());
  for (const auto& bank : changed) {
    auto& slot = (*next)[bank->bank.bank_id];
    if (slot != nullptr && !slot->damage.ok() && bank->damage.ok()) {
      // Verify found it damaged after this group was decided: found stays found.
      auto kept = std::make_shared<BankView>(*bank);
      kept->damage = slot->damage;
      slot = std::move(kept);
    } else {
      slot = bank;
    }
  }
  {
    absl::MutexLock lock(&view_mu_);
    view_ = std::move(next);
  }
  // The watchers read the store: only now is every fact of the group readable there.
  for (const auto& bank : changed) {
    notifier_.Published(bank->bank.bank_id, bank->head.journal_size());
  }
}

void Ledger::PublishDamage(const std::map<std::string, absl::Status>& found) {
  absl::MutexLock publishing(&publish_mu_);
  auto next = std::make_shared<LedgerView>(*View());
  for (const auto& [bank_id, damage] : found) {
    auto it = next->find(bank_id);
    if (it == next->end() || !it->second->damage.ok()) continue;
    auto marked = std::make_shared<BankView>(*it->second);
    marked->damage = damage;
    it->second = std::move(marked);
  }
  absl::MutexLock lock(&view_mu_);
  view_ = std::move(next);
}

void Ledger::PublishAll() {
  auto next = std::make_shared<LedgerView>();
  for (const auto& [bank_id, state] : WriterBanks()) next->emplace(bank_id, ViewOf(*state));
  absl::MutexLock publishing(&publish_mu_);
  {
    absl::MutexLock lock(&view_mu_);
    view_ = next;
  }
  for (const auto& [bank_id, bank] : *next) {
    notifier_.Published(bank_id, bank->head.journal_size());
  }
}

}  // namespace timeledger::ledger
