// Ledger: the time bank's state machine over a durable Store.
//
// Writes are asynchronous. Each write method queues a command and returns at once; one writer
// thread takes every queued command (up to group_commit_max), checks each against the state
// that the batch has built so far, writes them all as one synced WriteBatch, publishes the new
// state, and then runs each command's callback, on the writer thread. So one fsync serves many
// callers, no caller's thread waits, and a callback's OK means "durable".
//
// Reads are synchronous and thread-safe. They see only committed (synced) state.
//
// The Ledger owns its Store and its writer thread. Destroying it drains the queue first.
#ifndef TIMELEDGER_LEDGER_LEDGER_H_
#define TIMELEDGER_LEDGER_LEDGER_H_

#include <condition_variable>
#include <cstdint>
#include <deque>
#include <functional>
#include <future>
#include <memory>
#include <mutex>
#include <shared_mutex>
#include <string>
#include <thread>
#include <vector>

#include "absl/functional/any_invocable.h"
#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "ledger/policy.h"
#include "ledger/store.h"
#include "ledger/types.h"
#include "ledger/write_txn.h"

namespace timeledger::ledger {

struct LedgerOptions {
  std::string data_dir;
  // Off only in tests that do not test durability; timeledgerd always syncs.
  bool sync = true;
  // Where "now" comes from; absl::Now if empty. Tests set a fixed clock.
  std::function<absl::Time()> clock;
  // Commands written by one group commit at most.
  size_t group_commit_max = 8192;
  // Commands waiting at most; beyond it writes are refused with UNAVAILABLE (BUSY).
  size_t queue_depth_max = 100'000;
};

// A bank with its counts.
struct BankSummary {
  Bank bank;
  size_t account_count = 0;
  uint64_t entry_count = 0;
};

// An account with what the policy makes of it, for kiosks and coordinators.
struct AccountStanding {
  Account account;
  int64_t floor_minutes = 0;      // the lowest balance allowed now
  int64_t cap_minutes = 0;        // the highest balance allowed; 0 if no cap applies
  int64_t available_minutes = 0;  // what it can still pay: balance - held - floor
  ReciprocityFigure reciprocity;
};

struct ExpirySweepResult {
  size_t accounts_expired = 0;
  int64_t minutes_returned = 0;
  bool more = false;  // the sweep stopped at its per-run limit; run it again
};
inline constexpr size_t kExpiriesPerSweepMax = 10'000;
// Pending entries expired by one group commit at most (the rest wait for the next).
inline constexpr size_t kExpiriesPerGroupMax = 1000;

template <typename T>
using Callback = absl::AnyInvocable<void(absl::StatusOr<T>) &&>;

class Command;

class Ledger {
 public:
  // Opens the ledger in options.data_dir, loading banks and accounts into memory and checking
  // that each bank's balances sum to zero. Returns DataLoss if they do not, Unavailable if the
  // store cannot be opened.
  static absl::StatusOr<std::unique_ptr<Ledger>> Open(LedgerOptions options);

  Ledger(const Ledger&) = delete;
  Ledger& operator=(const Ledger&) = delete;
  ~Ledger();

  // Writes. `done` runs once, on the writer thread, with the result once it is durable, or with
  // the refusal. Errors: InvalidArgument (malformed), NotFound (bank, account or entry),
  // AlreadyExists (id taken; idempotency key reused with other content), FailedPrecondition (a
  // rule refuses), Unavailable (busy, shutting down, or the disk failed).
  void CreateBank(Bank bank, std::string principal, Callback<Bank> done);
  void OpenAccount(Account account, std::string principal, Callback<Account> done);
  // Closing with donate_balance_to_pool gives a positive balance to the pool in the same write.
  void SetAccountStatus(std::string bank_id, std::string account_id, AccountStatus status,
                        std::string reason, bool donate_balance_to_pool, std::string principal,
                        Callback<Account> done);
  // Replaces a bank's policy (InvalidArgument INVALID_POLICY listing every problem). With
  // expected_version != 0, refuses if the policy changed meanwhile.
  void SetPolicy(std::string bank_id, Policy policy, uint64_t expected_version,
                 std::string principal, Callback<Policy> done);
  // Whether `spec` would be recorded now, and how (pending, warnings, cap); writes nothing.
  void CheckEntry(EntrySpec spec, std::string principal, Callback<Receipt> done);
  // Posts a pending entry; the principal must not be the one who recorded it.
  void ConfirmEntry(std::string bank_id, std::string entry_id, std::string principal,
                    Callback<Receipt> done);
  void RejectEntry(std::string bank_id, std::string entry_id, std::string reason,
                   std::string principal, Callback<PendingEntry> done);
  // Returns credits untouched for the policy's expiry months to the pool (if expiry is on).
  void RunExpirySweep(std::string bank_id, std::string principal,
                      Callback<ExpirySweepResult> done);
  void RecordEntry(EntrySpec spec, std::string principal, Callback<Receipt> done);
  // atomic: all or none; the first refusal fails the call with figure "index". Otherwise each
  // item stands alone and the result holds one status per item.
  void RecordEntries(std::vector<EntrySpec> specs, bool atomic, std::string principal,
                     Callback<std::vector<absl::StatusOr<Receipt>>> done);
  // entry_id: the reversal's idempotency key; "reversal-of-<seq>" if empty.
  void ReverseEntry(std::string bank_id, uint64_t seq, std::string entry_id, std::string note,
                    std::string principal, Callback<Receipt> done);

  // Reads. NotFound for an unknown bank, account or entry; InvalidArgument for a bad page size
  // or token.
  absl::StatusOr<BankSummary> GetBank(const std::string& bank_id) const;
  absl::StatusOr<Page<BankSummary>> ListBanks(int64_t page_size,
                                              const std::string& page_token) const;
  absl::StatusOr<Account> GetAccount(const std::string& bank_id,
                                     const std::string& account_id) const;
  absl::StatusOr<AccountStanding> GetAccountStanding(const std::string& bank_id,
                                                     const std::string& account_id) const;
  absl::StatusOr<Policy> GetPolicy(const std::string& bank_id) const;
  // Every change of a bank's policy, oldest first, as (old, new).
  absl::StatusOr<std::vector<std::pair<Policy, Policy>>> ListPolicyChanges(
      const std::string& bank_id) const;
  // A bank's open pending entries (of one account, if account_id is set), at most `limit`.
  absl::StatusOr<std::vector<PendingEntry>> ListPending(const std::string& bank_id,
                                                        const std::string& account_id,
                                                        size_t limit) const;
  absl::StatusOr<PendingEntry> GetPending(const std::string& bank_id,
                                          const std::string& entry_id) const;
  absl::StatusOr<Page<Account>> ListAccounts(const std::string& bank_id, int64_t page_size,
                                             const std::string& page_token) const;
  absl::StatusOr<Entry> GetEntry(const std::string& bank_id, uint64_t seq) const;
  absl::StatusOr<Entry> GetEntryById(const std::string& bank_id,
                                     const std::string& entry_id) const;
  // account_id empty: the whole bank. Otherwise that account's entries with running balances.
  absl::StatusOr<Page<EntryRow>> ListEntries(const std::string& bank_id,
                                             const std::string& account_id, int64_t page_size,
                                             const std::string& page_token) const;

  // Recomputes every balance of every bank from its entries and compares with the stored
  // accounts and the zero sum. Returns DataLoss naming the first difference.
  absl::Status CheckConsistency() const;

  absl::Time Now() const { return clock_(); }

 private:
  Ledger(LedgerOptions options, std::unique_ptr<Store> store);
  absl::Status Load();
  void Submit(std::unique_ptr<Command> command);
  void WriterLoop();
  void CommitGroup(std::vector<std::unique_ptr<Command>>* group);
  // Expires pending entries that are due, inside the group's transaction.
  void ExpireDuePending(WriteTxn& txn);
  bool HasDuePending();

  LedgerOptions options_;
  std::function<absl::Time()> clock_;
  std::unique_ptr<Store> store_;

  // Committed state: written by the writer thread under an exclusive lock, read under a shared one.
  mutable std::shared_mutex state_mu_;
  BankMap banks_;

  std::mutex queue_mu_;
  std::condition_variable queue_cv_;
  std::deque<std::unique_ptr<Command>> queue_;
  bool stopping_ = false;
  std::thread writer_;
};

// Runs an asynchronous Ledger write and waits for its result. For tools and tests.
template <typename T, typename Start>
absl::StatusOr<T> Await(Start start) {
  std::promise<absl::StatusOr<T>> promise;
  auto future = promise.get_future();
  start([&promise](absl::StatusOr<T> result) { promise.set_value(std::move(result)); });
  return future.get();
}

}  // namespace timeledger::ledger

#endif  // TIMELEDGER_LEDGER_LEDGER_H_
