// The ledger property test's shared parts: its constants, the attempts the worker threads make
// and keep, the worker threads, the model a bank is replayed into, and the fixture that checks
// the ledger against it. The sources ledger_property_*.cc define them by subject.
#ifndef TIMELEDGER_TESTS_LEDGER_ENGINE_LEDGER_PROPERTY_MODEL_H_
#define TIMELEDGER_TESTS_LEDGER_ENGINE_LEDGER_PROPERTY_MODEL_H_

#include <algorithm>
#include <atomic>
#include <cstdint>
#include <deque>
#include <iostream>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <random>
#include <set>
#include <string>
#include <thread>
#include <utility>
#include <vector>

#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/strings/str_join.h"
#include <gtest/gtest.h>

#include "ledger/core/errors.h"
#include "ledger/core/records.h"
#include "ledger/engine/ledger.h"
#include "ledger/rules/policy.h"
#include "ledger/rules/rules.h"
#include "tests/support/in_flight_window.h"
#include "tests/support/temp_dir.h"

namespace timeledger::ledger::property {

inline constexpr uint64_t kSeed = 20240917;
inline constexpr int kThreads = 8;
inline constexpr int kOpsPerThread = 6000;
inline constexpr int kInFlightMax = 48;  // per thread
inline constexpr int kPageSize = 397;    // odd on purpose, so pages end mid-way through groups

inline constexpr char kBank[] = "hcct";
inline constexpr char kOtherBank[] = "camden";
inline constexpr int kPersons = 46;        // p00..p45 in hcct
inline constexpr int kVolatile = 6;        // p00..p05: suspended and reactivated while entries fly
inline constexpr int kOtherPersons = 8;    // p00..p07 in camden: same ids, never suspended there
inline constexpr int kStaffOnDuty = 9;     // p09 is staff (i % 7 == 2) and never volatile
inline constexpr int kContestedIds = 40;   // ids every thread races for, in camden
inline constexpr char kClosed[] = "gone";  // opened and closed at once
inline constexpr char kDutyActivity[] = "cooking lunch";

// hcct's rules, in minutes.
inline constexpr int64_t kUnit = 15;
inline constexpr int64_t kEntryMax = 8 * 60;
inline constexpr int64_t kPersonFloor = -10 * 60;
inline constexpr int64_t kOrganisationFloor = -100'000 * 60;
inline constexpr int64_t kPersonCap = 50 * 60;
inline constexpr int64_t kDailyEarnMax = 12 * 60;
inline constexpr int64_t kBackdateDays = 60;
// camden's cap; what goes over it is donated to the pool by a second entry.
inline constexpr int64_t kOtherCap = 10 * 60;

// The refusals that hcct's rules may give a well-formed entry, depending on balances.
inline const std::set<std::string>& RuleReasons() {
  static const auto* reasons =
      new std::set<std::string>{"OVERDRAFT_LIMIT", "BALANCE_CAP", "DAILY_LIMIT"};
  return *reasons;
}

inline std::string PersonId(int i) { return absl::StrFormat("p%02d", i); }

// hcct's persons: every seventh is staff (p09 among them), some volunteers, the rest members.
inline std::vector<Role> RolesOf(int person) {
  if (person % 7 == 2) return std::vector<Role>{Role::kMember, Role::kStaff};
  if (person % 3 == 1) return std::vector<Role>{Role::kVolunteer};
  return std::vector<Role>{Role::kMember};
}

inline bool IsTimeGiven(EntryKind kind) {
  return kind == EntryKind::kExchange || kind == EntryKind::kAward;
}

// A result the test did not allow, reported for the first few and counted for all.
class Problems {
 public:
  void Add(const std::string& message) {
    if (count_++ < kShownMax) ADD_FAILURE() << message;
  }
  int count() const { return count_; }

 private:
  static constexpr int kShownMax = 25;
  int count_ = 0;
};

// What the test allows as the outcome of recording one entry.
struct Expectation {
  bool ok_allowed = false;
  bool must_replay = false;          // a retry of an acknowledged entry with the same content
  uint64_t replay_seq = 0;           // ... which must give back this seq (0: checked elsewhere)
  std::set<std::string> reasons;     // refusals allowed
  bool fresh_id = false;             // the entry_id was never used before: a refusal writes nothing
  std::string suspended_candidates;  // volatile accounts it touches, joined by ","
};

struct EntryAttempt {
  EntrySpec spec;
  Expectation expect;
  std::optional<absl::StatusOr<Receipt>> result;
};

struct BatchAttempt {
  std::vector<EntryAttempt> items;  // each item's result is copied into it
  bool atomic = false;
  bool risky = false;  // atomic, with items that hcct's rules may refuse
  int bad_index = -1;  // atomic: the one item made unacceptable on purpose
  std::string bad_reason;
  std::optional<absl::Status> status;  // the call's own status
};

struct ReversalAttempt {
  uint64_t seq = 0;
  std::string entry_id;  // as passed; empty means "reversal-of-<seq>"
  std::string note;
  uint64_t acked_seq_max = 0;  // the highest hcct seq acknowledged when it was issued
  bool retry_same = false;     // a retry of an acknowledged reversal: must replay it
  bool retry_other = false;    // its id with another note: must be refused
  uint64_t original_seq = 0;
  std::optional<absl::StatusOr<Receipt>> result;

  std::string EffectiveId() const {
    return entry_id.empty() ? absl::StrCat("reversal-of-", seq) : entry_id;
  }
};

struct StatusAttempt {
  std::string bank_id;
  std::string account_id;
  AccountStatus status = AccountStatus::kActive;
  std::string expected_reason;  // empty: must succeed
  std::optional<absl::StatusOr<Account>> result;
};

// Acknowledged recordings, for retries.
struct Acked {
  EntrySpec spec;
  uint64_t seq = 0;
};
struct AckedReversal {
  uint64_t reversed_seq = 0;
  std::string entry_id;  // as passed
  std::string note;
  uint64_t seq = 0;
};

// Bounds the writes one thread has in flight. Release runs on the ledger's writer thread.
using Window = ::timeledger::testing::InFlightWindow;

inline void RaiseTo(std::atomic<uint64_t>* value, uint64_t candidate) {
  uint64_t seen = value->load();
  while (seen < candidate && !value->compare_exchange_weak(seen, candidate)) {
  }
}

// One thread of random operations. Its records are read by the checker only after Run returns
// (Drain orders every callback's writes before that).
class Worker {
 public:
  Worker(Ledger* ledger, int index, std::atomic<uint64_t>* acked_seq_max)
      : ledger_(ledger),
        index_(index),
        principal_(absl::StrCat("clerk-", index)),
        rng_(kSeed + static_cast<uint64_t>(index)),
        acked_seq_max_(acked_seq_max),
        window_(kInFlightMax) {}

  void Run();

  const std::deque<EntryAttempt>& singles() const { return singles_; }
  const std::deque<BatchAttempt>& batches() const { return batches_; }
  const std::deque<ReversalAttempt>& reversals() const { return reversals_; }
  const std::deque<StatusAttempt>& statuses() const { return statuses_; }
  const std::string& principal() const { return principal_; }
  // The status this thread last asked for, per volatile account it owns.
  const std::map<std::string, AccountStatus>& last_status() const { return last_status_; }

 private:
  int Uniform(int low, int high) { return std::uniform_int_distribution<int>(low, high)(rng_); }
  bool Chance(int percent) { return Uniform(0, 99) < percent; }
  template <typename T>
  const T& OneOf(const std::vector<T>& items) {
    return items[static_cast<size_t>(Uniform(0, static_cast<int>(items.size()) - 1))];
  }

  const char* RandomBank() { return Chance(15) ? kOtherBank : kBank; }

  std::string FreshId() { return absl::StrCat("t", index_, "-", next_id_++); }

  // A person of `bank`; in hcct maybe one whose account may be suspended.
  std::string Person(const std::string& bank, bool allow_volatile);
  std::string Organisation(const std::string& bank);

  // Minutes that fit the bank's granularity and entry maximum for `kind`.
  int64_t Minutes(const std::string& bank, EntryKind kind);

  // When it happened: mostly spread over the last 45 days, so the daily limit rarely bites.
  absl::Time OccurredAt();

  // A well-formed spec between accounts of `bank` whose kinds fit its kind.
  EntrySpec ValidSpec(const std::string& bank, bool allow_volatile);

  // A spec no rule can refuse: anything in camden, or between hcct's organisations and pool.
  EntrySpec SafeSpec();

  static bool IsVolatile(const std::string& bank, const std::string& id);

  // An attempt at a well-formed spec: in camden it must succeed; in hcct a rule may refuse it,
  // or a suspension if it touches a volatile account.
  EntryAttempt FreshValid(const std::string& bank);

  // A spec with exactly one defect, so its refusal reason is certain.
  EntryAttempt Invalid();

  // A spec between active accounts whose kinds do not fit its kind.
  EntryAttempt Mismatch();

  std::optional<Acked> SomeAcked();

  // The same spec as an acknowledged entry: replays it, whatever happened since.
  EntryAttempt RetrySame();

  // An acknowledged entry's id (or a reversal's) with other content: ENTRY_ID_REUSED.
  EntryAttempt RetryOther();

  // One of a few camden ids that every thread records, with one of two contents: exactly one
  // content wins; the same content replays it, the other is refused.
  EntryAttempt Contested();

  void NoteAcked(const EntrySpec& spec, const absl::StatusOr<Receipt>& result);

  void Submit(EntryAttempt attempt);

  // All or nothing. Safe batches hold entries no rule can refuse, maybe one repeated with the same
  // content (replayed inside the batch) and maybe one item made unacceptable on purpose. Risky
  // batches hold hcct entries between persons, which the rules may refuse.
  void SubmitAtomicBatch();

  // Each item alone: any mix of the single-entry kinds, maybe a repeat with other content.
  void SubmitLooseBatch();

  void SubmitBatch(BatchAttempt batch);

  void SubmitReversal();

  void SubmitStatus(StatusAttempt attempt);

  // Suspends or reactivates a volatile account that only this thread changes, so the last
  // request this thread made is the account's final status (one thread's writes stay in order).
  void SubmitOwnStatusChange();

  void SubmitRefusedStatusChange();

  Ledger* ledger_;
  const int index_;
  const std::string principal_;
  std::mt19937_64 rng_;
  std::atomic<uint64_t>* acked_seq_max_;
  Window window_;
  uint64_t next_id_ = 0;

  std::deque<EntryAttempt> singles_;
  std::deque<BatchAttempt> batches_;
  std::deque<ReversalAttempt> reversals_;
  std::deque<StatusAttempt> statuses_;
  std::map<std::string, AccountStatus> last_status_;

  std::mutex acked_mu_;
  std::vector<Acked> acked_;
  std::vector<AckedReversal> acked_reversals_;
};

// A bank as the model sees it after the run: its entries and what they imply.
struct BankModel {
  std::vector<Entry> entries;                       // entries[i].seq == i + 1
  std::map<std::string, uint64_t> seq_of_entry_id;  // entry_id -> seq
  std::map<std::string, Account> replayed;          // balances, totals, counts, last activity
  // Balances of (from, to) right after each entry, index seq - 1.
  std::vector<std::pair<int64_t, int64_t>> after;
  // Every balance each account has had (0 first): a refusal's figures must name one of them.
  std::map<std::string, std::set<int64_t>> balances_seen;

  const Entry* Find(uint64_t seq) const {
    return seq >= 1 && seq <= entries.size() ? &entries[seq - 1] : nullptr;
  }
  const Entry* FindId(const std::string& entry_id) const {
    auto it = seq_of_entry_id.find(entry_id);
    return it == seq_of_entry_id.end() ? nullptr : Find(it->second);
  }
};

std::string Describe(const EntrySpec& spec);

// Differences between two entries, "" if none. Times compare as stored, to the microsecond.
std::string EntryDifference(const Entry& a, const Entry& b, bool with_reversed_by);

// Whether an entry records what `spec` asked for.
bool EntryMatchesSpec(const Entry& entry, const EntrySpec& spec);

// Differences between two accounts. The replay cannot know recent_days; a reopen must keep them.
std::string AccountDifference(const Account& a, const Account& b, bool with_recent_days);

// A refusal's figure as a number; INT64_MIN if it has none.
int64_t FigureOf(const absl::Status& status, const std::string& name);

class LedgerPropertyTest : public ::testing::Test {
 protected:
  void SetUp() override;

  void OpenLedger();

  void CreateBank(const std::string& bank_id, const Policy& policy);

  void OpenAccount(const std::string& bank_id, const std::string& account_id, AccountKind kind,
                   std::vector<Role> roles);

  void RunWorkers();

  std::vector<Account> ListAllAccounts(const std::string& bank_id);

  // Reads every entry of `bank_id` page by page and replays them.
  BankModel LoadModel(const std::string& bank_id);

  const BankModel* ModelOf(const std::string& bank_id) const;

  // A rule's refusal must name figures that add up to a refusal, and (unless the balance included
  // items of a batch that was then rolled back) a balance the account really had.
  void CheckRuleFigures(const EntrySpec& spec, const absl::Status& status, bool balance_committed);

  // Checks one recording's result against what it was allowed to be and against the entries.
  void CheckEntryAttempt(const EntryAttempt& attempt, const std::string& principal);

  void CheckRefusedEntry(const EntryAttempt& attempt, const absl::Status& status,
                         const BankModel* model);

  // A receipt of a new entry: recorded by its principal, with the balances right after it, also
  // readable by seq and by entry_id; and its cap excess, if any, in the entry after it.
  void CheckNewReceipt(const EntrySpec& spec, const Receipt& receipt, const Entry& stored,
                       const BankModel& model, const std::string& principal);

  void CheckBatch(const BatchAttempt& batch, const std::string& principal);

  // Refused whole: for the reason of its first refused item, which it names; nothing written.
  void CheckRefusedAtomicBatch(const BatchAttempt& batch);

  void CheckReversal(const ReversalAttempt& attempt);

  void CheckRefusedReversal(const ReversalAttempt& attempt, const absl::Status& status,
                            const Entry* original);

  void CheckStatus(const StatusAttempt& attempt);

  // Balances, totals and statements of every account against the replay; the zero sum.
  void CheckAccounts(const std::string& bank_id);

  // An account's statement: exactly the entries touching it, with running balances.
  void CheckStatement(const std::string& bank_id, const std::string& account_id);

  // Every entry was acknowledged as new exactly once; each entry reversed at most once, and the
  // links between an entry and its reversal agree.
  void CheckEntriesAgainstAcks(const std::string& bank_id);

  // hcct's rules hold at every committed entry: what the payer was left with, what the earner
  // reached, the size of time given, what one person earned on one day, how far back it is dated.
  void CheckStrictRulesHeld();

  // camden's cap sends what a person earns over it to the pool, in the entry right after.
  void CheckCapToPoolHeld();

  void CheckEverything();

  // Summarises what the run did, so a run that proves little shows it.
  void ReportAndCheckCoverage();

  timeledger::testing::TempDir dir_;
  std::unique_ptr<Ledger> ledger_;
  std::atomic<uint64_t> acked_seq_max_{0};
  std::vector<std::unique_ptr<Worker>> workers_;
  std::map<std::string, BankModel> models_;
  std::map<std::string, std::map<std::string, int>> new_acks_;  // bank -> entry_id -> count
  Problems problems_;
};

}  // namespace timeledger::ledger::property

#endif  // TIMELEDGER_TESTS_LEDGER_ENGINE_LEDGER_PROPERTY_MODEL_H_
