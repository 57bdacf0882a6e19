// A property test of the ledger core: several threads issue thousands of random writes at once
// through the asynchronous API (many in flight, so group commit batches them) on a real RocksDB in
// a fresh directory. Every result is kept. Afterwards the test compares the ledger with a model
// that replays every listed entry: zero sums, dense seqs, balances and statements, acknowledged
// entries present and unchanged, refusals with the reasons the request deserved and nothing written
// for them, idempotent retries, single reversals, and the bank's rules (floors, cap, daily limit,
// granularity) never broken by a committed entry. Then it closes and reopens the ledger and checks
// that nothing moved.
//
// Two banks with different policies: "hcct" enforces floors, a refusing cap, a daily limit and
// quarter hours; "camden" sends minutes over its cap to the pool and enforces little else, so its
// valid entries must all succeed. The operations come from a fixed seed per thread; the
// interleaving of threads is the scheduler's, so every expectation holds for any interleaving.
#include <algorithm>
#include <atomic>
#include <condition_variable>
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
#include "tests/support/temp_dir.h"

namespace timeledger::ledger {
namespace {

constexpr uint64_t kSeed = 20240917;
constexpr int kThreads = 8;
constexpr int kOpsPerThread = 6000;
constexpr int kInFlightMax = 48;  // per thread
constexpr int kPageSize = 397;    // odd on purpose, so pages end mid-way through groups

constexpr char kBank[] = "hcct";
constexpr char kOtherBank[] = "camden";
constexpr int kPersons = 46;        // p00..p45 in hcct
constexpr int kVolatile = 6;        // p00..p05: suspended and reactivated while entries fly
constexpr int kOtherPersons = 8;    // p00..p07 in camden: same ids, never suspended there
constexpr int kStaffOnDuty = 9;     // p09 is staff (i % 7 == 2) and never volatile
constexpr int kContestedIds = 40;   // ids every thread races for, in camden
constexpr char kClosed[] = "gone";  // opened and closed at once
constexpr char kDutyActivity[] = "cooking lunch";

// hcct's rules, in minutes.
constexpr int64_t kUnit = 15;
constexpr int64_t kEntryMax = 8 * 60;
constexpr int64_t kPersonFloor = -10 * 60;
constexpr int64_t kOrganisationFloor = -100'000 * 60;
constexpr int64_t kPersonCap = 50 * 60;
constexpr int64_t kDailyEarnMax = 12 * 60;
constexpr int64_t kBackdateDays = 60;
// camden's cap; what goes over it is donated to the pool by a second entry.
constexpr int64_t kOtherCap = 10 * 60;

// The refusals that hcct's rules may give a well-formed entry, depending on balances.
const std::set<std::string>& RuleReasons() {
  static const auto* reasons =
      new std::set<std::string>{"OVERDRAFT_LIMIT", "BALANCE_CAP", "DAILY_LIMIT"};
  return *reasons;
}

Policy StrictPolicy() {
  Policy policy;
  policy.granularity_enabled = true;
  policy.unit_minutes = kUnit;
  policy.entry_maximum_enabled = true;
  policy.entry_minutes_max = kEntryMax;
  policy.floors_enabled = true;
  policy.person_floor_minutes = kPersonFloor;
  policy.organisation_floor_minutes = kOrganisationFloor;
  policy.pool_floor_minutes = 0;
  policy.earn_before_spend = false;
  policy.balance_cap_enabled = true;
  policy.person_cap_minutes = kPersonCap;
  policy.cap_action = CapAction::kRefuse;
  policy.daily_limit_enabled = true;
  policy.daily_earn_minutes_max = kDailyEarnMax;
  policy.backdating_enabled = true;
  policy.backdate_days_max = kBackdateDays;
  policy.reciprocity_enabled = true;  // warns only
  policy.reciprocity_action = ReciprocityAction::kWarn;
  policy.staff_duty_enabled = true;
  policy.staff_duty_activities = {kDutyActivity};
  policy.self_recorded_needs_confirmation = true;  // no principal is an account id here
  policy.confirmation_enabled = false;
  policy.expiry_enabled = false;
  return policy;
}

Policy LenientPolicy() {
  Policy policy;
  policy.granularity_enabled = policy.entry_maximum_enabled = policy.floors_enabled = false;
  policy.daily_limit_enabled = policy.reciprocity_enabled = policy.staff_duty_enabled = false;
  policy.self_recorded_needs_confirmation = policy.confirmation_enabled = false;
  policy.expiry_enabled = false;
  policy.backdating_enabled = true;
  policy.backdate_days_max = kBackdateDays;
  policy.balance_cap_enabled = true;
  policy.person_cap_minutes = kOtherCap;
  policy.cap_action = CapAction::kToPool;
  return policy;
}

std::string PersonId(int i) { return absl::StrFormat("p%02d", i); }

// hcct's persons: every seventh is staff (p09 among them), some volunteers, the rest members.
std::vector<Role> RolesOf(int person) {
  if (person % 7 == 2) return std::vector<Role>{Role::kMember, Role::kStaff};
  if (person % 3 == 1) return std::vector<Role>{Role::kVolunteer};
  return std::vector<Role>{Role::kMember};
}

bool IsTimeGiven(EntryKind kind) {
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
class Window {
 public:
  explicit Window(int max) : max_(max) {}
  void Acquire() {
    std::unique_lock<std::mutex> lock(mu_);
    cv_.wait(lock, [&] { return in_flight_ < max_; });
    ++in_flight_;
  }
  void Release() {
    {
      std::lock_guard<std::mutex> lock(mu_);
      --in_flight_;
    }
    cv_.notify_all();
  }
  void Drain() {
    std::unique_lock<std::mutex> lock(mu_);
    cv_.wait(lock, [&] { return in_flight_ == 0; });
  }

 private:
  const int max_;
  std::mutex mu_;
  std::condition_variable cv_;
  int in_flight_ = 0;
};

void RaiseTo(std::atomic<uint64_t>* value, uint64_t candidate) {
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

  void Run() {
    for (int i = 0; i < kOpsPerThread; ++i) {
      const int dice = Uniform(0, 99);
      if (dice < 40) {
        Submit(FreshValid(RandomBank()));
      } else if (dice < 48) {
        Submit(Invalid());
      } else if (dice < 52) {
        Submit(Mismatch());
      } else if (dice < 57) {
        Submit(RetrySame());
      } else if (dice < 60) {
        Submit(RetryOther());
      } else if (dice < 64) {
        Submit(Contested());
      } else if (dice < 71) {
        SubmitAtomicBatch();
      } else if (dice < 77) {
        SubmitLooseBatch();
      } else if (dice < 90) {
        SubmitReversal();
      } else if (dice < 97) {
        SubmitOwnStatusChange();
      } else {
        SubmitRefusedStatusChange();
      }
    }
    window_.Drain();
  }

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
  std::string Person(const std::string& bank, bool allow_volatile) {
    if (bank == kOtherBank) return PersonId(Uniform(0, kOtherPersons - 1));
    return PersonId(Uniform(allow_volatile ? 0 : kVolatile, kPersons - 1));
  }
  std::string Organisation(const std::string& bank) {
    if (bank == kOtherBank) return "hall";
    return Chance(50) ? "centre" : "cafe";
  }

  // Minutes that fit the bank's granularity and entry maximum for `kind`.
  int64_t Minutes(const std::string& bank, EntryKind kind) {
    if (bank == kOtherBank) return Chance(3) ? kEntryMinutesMax : Uniform(1, 240);
    if (!IsTimeGiven(kind)) return Uniform(1, 240);
    return Chance(3) ? kEntryMax : kUnit * Uniform(1, 16);
  }

  // When it happened: mostly spread over the last 45 days, so the daily limit rarely bites.
  absl::Time OccurredAt() {
    if (Chance(10)) return absl::InfinitePast();  // "now"
    return absl::Now() - absl::Seconds(Uniform(0, 45 * 86400));
  }

  // A well-formed spec between accounts of `bank` whose kinds fit its kind.
  EntrySpec ValidSpec(const std::string& bank, bool allow_volatile) {
    EntrySpec spec;
    spec.bank_id = bank;
    spec.entry_id = FreshId();
    const int kind = Uniform(0, 99);
    if (kind < 40) {
      spec.kind = EntryKind::kExchange;
      spec.from_account_id = Person(bank, allow_volatile);
      do {
        spec.to_account_id = Person(bank, allow_volatile);
      } while (spec.to_account_id == spec.from_account_id);
    } else if (kind < 60) {
      spec.kind = EntryKind::kAward;
      spec.from_account_id = Organisation(bank);
      spec.to_account_id = Person(bank, allow_volatile);
    } else if (kind < 75) {
      spec.kind = EntryKind::kSpend;
      spec.from_account_id = Person(bank, allow_volatile);
      spec.to_account_id = Organisation(bank);
    } else if (kind < 87) {
      spec.kind = EntryKind::kDonation;
      spec.from_account_id = Chance(20) ? Organisation(bank) : Person(bank, allow_volatile);
      spec.to_account_id = kPoolAccountId;
    } else {
      spec.kind = EntryKind::kGrant;
      spec.from_account_id = kPoolAccountId;
      spec.to_account_id = Chance(20) ? Organisation(bank) : Person(bank, allow_volatile);
    }
    spec.minutes = Minutes(bank, spec.kind);
    static const std::vector<std::string> kActivities = {"gardening", "mentoring", "film night",
                                                         "minibus", ""};
    spec.activity = OneOf(kActivities);
    if (Chance(20)) spec.note = "caf\xc3\xa9 slip \xe2\x9c\x93";
    spec.occurred_at = OccurredAt();
    return spec;
  }

  // A spec no rule can refuse: anything in camden, or between hcct's organisations and pool.
  EntrySpec SafeSpec() {
    if (Chance(50)) return ValidSpec(kOtherBank, false);
    EntrySpec spec = ValidSpec(kBank, false);
    spec.from_account_id = Chance(50) ? "centre" : "cafe";
    if (Chance(30)) {
      spec.kind = EntryKind::kDonation;
      spec.to_account_id = kPoolAccountId;
    } else {
      spec.kind = Chance(50) ? EntryKind::kExchange : EntryKind::kAward;
      spec.to_account_id = spec.from_account_id == "centre" ? "cafe" : "centre";
    }
    spec.minutes = Minutes(kBank, spec.kind);
    return spec;
  }

  static bool IsVolatile(const std::string& bank, const std::string& id) {
    if (bank != kBank) return false;
    for (int i = 0; i < kVolatile; ++i) {
      if (id == PersonId(i)) return true;
    }
    return false;
  }

  // An attempt at a well-formed spec: in camden it must succeed; in hcct a rule may refuse it,
  // or a suspension if it touches a volatile account.
  EntryAttempt FreshValid(const std::string& bank) {
    EntryAttempt attempt;
    attempt.spec = ValidSpec(bank, /*allow_volatile=*/true);
    attempt.expect.ok_allowed = true;
    attempt.expect.fresh_id = true;
    if (bank == kBank) attempt.expect.reasons = RuleReasons();
    std::vector<std::string> candidates;
    for (const std::string& id : {attempt.spec.from_account_id, attempt.spec.to_account_id}) {
      if (IsVolatile(bank, id)) candidates.push_back(id);
    }
    if (!candidates.empty()) {
      attempt.expect.reasons.insert("ACCOUNT_SUSPENDED");
      attempt.expect.suspended_candidates = absl::StrJoin(candidates, ",");
    }
    return attempt;
  }

  // A spec with exactly one defect, so its refusal reason is certain.
  EntryAttempt Invalid() {
    const std::string bank = RandomBank();
    EntryAttempt attempt;
    attempt.spec = ValidSpec(bank, /*allow_volatile=*/false);
    attempt.expect.fresh_id = true;
    EntrySpec& spec = attempt.spec;
    auto hcct_award = [&](int64_t minutes) {
      spec.bank_id = kBank;
      spec.kind = EntryKind::kAward;
      spec.from_account_id = "centre";
      spec.to_account_id = Person(kBank, false);
      spec.minutes = minutes;
    };
    std::string reason;
    switch (Uniform(0, 17)) {
      case 0:
        spec.minutes = 0;
        reason = "INVALID_MINUTES";
        break;
      case 1:
        spec.minutes = -30;
        reason = "INVALID_MINUTES";
        break;
      case 2:
        spec.minutes = kEntryMinutesMax + 1;
        reason = "INVALID_MINUTES";
        break;
      case 3:
        spec.to_account_id = spec.from_account_id;
        reason = "SELF_TRANSFER";
        break;
      case 4:
        spec.to_account_id = "nobody";
        reason = "ACCOUNT_NOT_FOUND";
        break;
      case 5:  // an account of the other bank only: banks do not share accounts
        spec.bank_id = kOtherBank;
        spec.kind = EntryKind::kExchange;
        spec.from_account_id = PersonId(Uniform(kOtherPersons, kPersons - 1));
        spec.to_account_id = PersonId(Uniform(0, kOtherPersons - 1));
        reason = "ACCOUNT_NOT_FOUND";
        break;
      case 6:
        spec.bank_id = "atlantis";
        reason = "BANK_NOT_FOUND";
        break;
      case 7:
        spec.kind = EntryKind::kReversal;
        reason = "REVERSAL_NOT_RECORDABLE";
        break;
      case 8:
        spec.occurred_at = absl::Now() + absl::Hours(2);
        reason = "OCCURRED_IN_FUTURE";
        break;
      case 9:
        spec.occurred_at = absl::FromUnixSeconds(kOccurredAtMinUnixSeconds - 86400);
        reason = "INVALID_OCCURRED_AT";
        break;
      case 10:
        spec.entry_id = Chance(50) ? "-starts-badly" : "has space";
        attempt.expect.fresh_id = false;
        reason = "INVALID_ID";
        break;
      case 11:
        spec.activity = std::string(kActivityLengthMax + 1, 'a');
        reason = "INVALID_TEXT";
        break;
      case 12:
        spec.note = "line one\nline two";
        reason = "INVALID_TEXT";
        break;
      case 13:  // a closed account neither earns nor pays
        spec.bank_id = kBank;
        spec.kind = EntryKind::kExchange;
        spec.from_account_id = Person(kBank, false);
        spec.to_account_id = kClosed;
        if (Chance(50)) std::swap(spec.from_account_id, spec.to_account_id);
        reason = "ACCOUNT_CLOSED";
        break;
      case 14:
        hcct_award(kUnit + 5);
        reason = "GRANULARITY";
        break;
      case 15:
        hcct_award(kEntryMax + kUnit);
        reason = "ENTRY_MAXIMUM";
        break;
      case 16:
        spec.occurred_at = absl::Now() - absl::Hours(24 * (kBackdateDays + 30));
        reason = "BACKDATED";
        break;
      default:
        hcct_award(kUnit * 2);
        spec.to_account_id = PersonId(kStaffOnDuty);
        spec.activity = kDutyActivity;
        reason = "STAFF_ON_DUTY";
        break;
    }
    attempt.expect.reasons.insert(reason);
    return attempt;
  }

  // A spec between active accounts whose kinds do not fit its kind.
  EntryAttempt Mismatch() {
    const std::string bank = RandomBank();
    EntryAttempt attempt;
    attempt.spec = ValidSpec(bank, /*allow_volatile=*/false);
    attempt.expect.fresh_id = true;
    attempt.expect.reasons.insert("KIND_MISMATCH");
    EntrySpec& spec = attempt.spec;
    const std::string a = Person(bank, false);
    std::string b;
    do {
      b = Person(bank, false);
    } while (b == a);
    spec.from_account_id = a;
    spec.to_account_id = b;
    switch (Uniform(0, 5)) {
      case 0:
        spec.kind = EntryKind::kDonation;
        break;
      case 1:
        spec.kind = EntryKind::kGrant;
        break;
      case 2:
        spec.kind = EntryKind::kAward;
        break;
      case 3:
        spec.kind = EntryKind::kSpend;
        break;
      case 4:
        spec.kind = EntryKind::kExchange;
        spec.from_account_id = kPoolAccountId;
        break;
      default:
        spec.kind = EntryKind::kAward;
        spec.from_account_id = kPoolAccountId;
        spec.to_account_id = Organisation(bank);
        break;
    }
    return attempt;
  }

  std::optional<Acked> SomeAcked() {
    std::lock_guard<std::mutex> lock(acked_mu_);
    if (acked_.empty()) return std::nullopt;
    return OneOf(acked_);
  }

  // The same spec as an acknowledged entry: replays it, whatever happened since.
  EntryAttempt RetrySame() {
    auto acked = SomeAcked();
    if (!acked) return FreshValid(kOtherBank);
    EntryAttempt attempt;
    attempt.spec = acked->spec;
    attempt.expect.ok_allowed = true;
    attempt.expect.must_replay = true;
    attempt.expect.replay_seq = acked->seq;
    return attempt;
  }

  // An acknowledged entry's id (or a reversal's) with other content: ENTRY_ID_REUSED.
  EntryAttempt RetryOther() {
    auto acked = SomeAcked();
    if (!acked) return FreshValid(kOtherBank);
    EntryAttempt attempt;
    attempt.spec = acked->spec;
    switch (Uniform(0, 3)) {
      case 0:
        attempt.spec.minutes = attempt.spec.minutes % kEntryMinutesMax + 1;
        break;
      case 1:
        attempt.spec.note += "!";
        break;
      case 2:
        attempt.spec.activity = attempt.spec.activity == "tea" ? "coffee" : "tea";
        break;
      default: {
        std::lock_guard<std::mutex> lock(acked_mu_);
        if (!acked_reversals_.empty()) {
          const AckedReversal& reversal = OneOf(acked_reversals_);
          attempt.spec.bank_id = kBank;
          attempt.spec.entry_id = reversal.entry_id.empty()
                                      ? absl::StrCat("reversal-of-", reversal.reversed_seq)
                                      : reversal.entry_id;
          // A reversal's default key is the ledger's own name: refused before it is looked up.
          if (reversal.entry_id.empty()) {
            attempt.expect.reasons.insert("RESERVED_ENTRY_ID");
            return attempt;
          }
        } else {
          attempt.spec.minutes = attempt.spec.minutes % kEntryMinutesMax + 1;
        }
        break;
      }
    }
    attempt.expect.reasons.insert("ENTRY_ID_REUSED");
    return attempt;
  }

  // One of a few camden ids that every thread records, with one of two contents: exactly one
  // content wins; the same content replays it, the other is refused.
  EntryAttempt Contested() {
    const int k = Uniform(0, kContestedIds - 1);
    EntryAttempt attempt;
    attempt.spec.bank_id = kOtherBank;
    attempt.spec.entry_id = absl::StrCat("contested-", k);
    attempt.spec.kind = EntryKind::kExchange;
    attempt.spec.from_account_id = PersonId(k % 4);
    attempt.spec.to_account_id = PersonId(4 + k % 4);
    attempt.spec.minutes = 10 + k + Uniform(0, 1);
    attempt.spec.activity = "contested";
    attempt.expect.ok_allowed = true;
    attempt.expect.reasons.insert("ENTRY_ID_REUSED");
    return attempt;
  }

  void NoteAcked(const EntrySpec& spec, const absl::StatusOr<Receipt>& result) {
    if (!result.ok()) return;
    if (spec.bank_id == kBank) RaiseTo(acked_seq_max_, result->entry.seq);
    if (result->replayed) return;
    std::lock_guard<std::mutex> lock(acked_mu_);
    acked_.push_back(Acked{spec, result->entry.seq});
  }

  void Submit(EntryAttempt attempt) {
    EntryAttempt* record = &singles_.emplace_back(std::move(attempt));
    window_.Acquire();
    ledger_->RecordEntry(record->spec, AdminNamed(principal_),
                         [this, record](absl::StatusOr<Receipt> result) {
                           NoteAcked(record->spec, result);
                           record->result = std::move(result);
                           window_.Release();
                         });
  }

  // All or nothing. Safe batches hold entries no rule can refuse, maybe one repeated with the same
  // content (replayed inside the batch) and maybe one item made unacceptable on purpose. Risky
  // batches hold hcct entries between persons, which the rules may refuse.
  void SubmitAtomicBatch() {
    BatchAttempt batch;
    batch.atomic = true;
    batch.risky = Chance(25);
    const int size = Uniform(1, 12);
    for (int i = 0; i < size; ++i) {
      EntryAttempt item;
      item.spec = batch.risky ? ValidSpec(kBank, false) : SafeSpec();
      item.expect.ok_allowed = true;
      item.expect.fresh_id = true;
      batch.items.push_back(std::move(item));
    }
    if (batch.risky) return SubmitBatch(std::move(batch));
    if (size > 1 && Chance(30)) {
      const int position = Uniform(1, size);
      EntryAttempt repeat;
      repeat.spec = batch.items[static_cast<size_t>(Uniform(0, position - 1))].spec;
      repeat.expect.ok_allowed = true;
      repeat.expect.must_replay = true;  // its seq: the repeated item's, checked in CheckBatch
      batch.items.insert(batch.items.begin() + position, std::move(repeat));
    }
    if (Chance(40)) {
      EntryAttempt bad = Chance(50) ? Invalid() : Mismatch();
      batch.bad_reason = *bad.expect.reasons.begin();
      batch.bad_index = Uniform(0, static_cast<int>(batch.items.size()));
      batch.items.insert(batch.items.begin() + batch.bad_index, std::move(bad));
    }
    SubmitBatch(std::move(batch));
  }

  // Each item alone: any mix of the single-entry kinds, maybe a repeat with other content.
  void SubmitLooseBatch() {
    BatchAttempt batch;
    const int size = Uniform(1, 12);
    for (int i = 0; i < size; ++i) {
      const int dice = Uniform(0, 9);
      if (dice < 5) {
        batch.items.push_back(FreshValid(RandomBank()));
      } else if (dice < 6) {
        batch.items.push_back(Invalid());
      } else if (dice < 7) {
        batch.items.push_back(Mismatch());
      } else if (dice < 8) {
        batch.items.push_back(RetrySame());
      } else if (dice < 9) {
        batch.items.push_back(RetryOther());
      } else {
        batch.items.push_back(Contested());
      }
    }
    if (Chance(30)) {
      EntryAttempt original;
      original.spec = SafeSpec();
      original.expect.ok_allowed = true;
      original.expect.fresh_id = true;
      EntryAttempt repeat;
      repeat.spec = original.spec;
      repeat.spec.note += " (changed)";
      repeat.expect.reasons.insert("ENTRY_ID_REUSED");
      batch.items.push_back(std::move(original));
      batch.items.push_back(std::move(repeat));
    }
    SubmitBatch(std::move(batch));
  }

  void SubmitBatch(BatchAttempt batch) {
    BatchAttempt* record = &batches_.emplace_back(std::move(batch));
    std::vector<EntrySpec> specs;
    for (const EntryAttempt& item : record->items) specs.push_back(item.spec);
    window_.Acquire();
    ledger_->RecordEntries(
        std::move(specs), record->atomic, AdminNamed(principal_),
        [this, record](absl::StatusOr<std::vector<absl::StatusOr<Receipt>>> result) {
          record->status = result.status();
          if (result.ok() && result->size() == record->items.size()) {
            for (size_t i = 0; i < result->size(); ++i) {
              NoteAcked(record->items[i].spec, (*result)[i]);
              record->items[i].result = std::move((*result)[i]);
            }
          }
          window_.Release();
        });
  }

  void SubmitReversal() {
    ReversalAttempt attempt;
    std::optional<AckedReversal> earlier;
    if (Chance(15)) {
      std::lock_guard<std::mutex> lock(acked_mu_);
      if (!acked_reversals_.empty()) earlier = OneOf(acked_reversals_);
    }
    if (earlier) {
      attempt.seq = earlier->reversed_seq;
      attempt.entry_id = earlier->entry_id;
      attempt.note = earlier->note;
      attempt.original_seq = earlier->seq;
      if (Chance(50)) {
        attempt.retry_same = true;
      } else {
        attempt.note += " (again)";
        attempt.retry_other = true;
      }
    } else {
      const uint64_t head = acked_seq_max_->load();
      attempt.seq = std::uniform_int_distribution<uint64_t>(1, head + 8)(rng_);
      attempt.entry_id = Chance(50) ? "" : absl::StrCat("t", index_, "-rev-", next_id_++);
      attempt.note = Chance(85) ? "recorded twice" : "wrong person";
    }
    attempt.acked_seq_max = acked_seq_max_->load();
    ReversalAttempt* record = &reversals_.emplace_back(std::move(attempt));
    window_.Acquire();
    ledger_->ReverseEntry(
        kBank, record->seq, record->entry_id, record->note, AdminNamed(principal_),
        [this, record](absl::StatusOr<Receipt> result) {
          if (result.ok()) {
            RaiseTo(acked_seq_max_, result->entry.seq);
            if (!result->replayed) {
              std::lock_guard<std::mutex> lock(acked_mu_);
              acked_reversals_.push_back(
                  AckedReversal{record->seq, record->entry_id, record->note, result->entry.seq});
            }
          }
          record->result = std::move(result);
          window_.Release();
        });
  }

  void SubmitStatus(StatusAttempt attempt) {
    StatusAttempt* record = &statuses_.emplace_back(std::move(attempt));
    window_.Acquire();
    ledger_->SetAccountStatus(record->bank_id, record->account_id, record->status, "property test",
                              /*donate_balance_to_pool=*/false, AdminNamed(principal_),
                              [this, record](absl::StatusOr<Account> result) {
                                record->result = std::move(result);
                                window_.Release();
                              });
  }

  // Suspends or reactivates a volatile account that only this thread changes, so the last
  // request this thread made is the account's final status (one thread's writes stay in order).
  void SubmitOwnStatusChange() {
    std::vector<std::string> owned;
    for (int i = index_; i < kVolatile; i += kThreads) owned.push_back(PersonId(i));
    if (owned.empty()) return SubmitRefusedStatusChange();
    StatusAttempt attempt;
    attempt.bank_id = kBank;
    attempt.account_id = OneOf(owned);
    attempt.status = Chance(50) ? AccountStatus::kSuspended : AccountStatus::kActive;
    last_status_[attempt.account_id] = attempt.status;
    SubmitStatus(std::move(attempt));
  }

  void SubmitRefusedStatusChange() {
    StatusAttempt attempt;
    attempt.bank_id = kBank;
    switch (Uniform(0, 3)) {
      case 0:
        attempt.account_id = kPoolAccountId;
        attempt.status = AccountStatus::kClosed;
        attempt.expected_reason = "POOL_NOT_CLOSABLE";
        break;
      case 1:
        attempt.account_id = kClosed;
        attempt.status = Chance(50) ? AccountStatus::kActive : AccountStatus::kSuspended;
        attempt.expected_reason = "ACCOUNT_CLOSED";
        break;
      case 2:
        attempt.account_id = "nobody";
        attempt.status = AccountStatus::kSuspended;
        attempt.expected_reason = "ACCOUNT_NOT_FOUND";
        break;
      default:
        attempt.bank_id = kOtherBank;
        attempt.account_id = PersonId(kPersons - 1);  // exists in hcct only
        attempt.status = AccountStatus::kSuspended;
        attempt.expected_reason = "ACCOUNT_NOT_FOUND";
        break;
    }
    SubmitStatus(std::move(attempt));
  }

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

std::string Describe(const EntrySpec& spec) {
  return absl::StrCat(spec.bank_id, "/", spec.entry_id, " ", EntryKindName(spec.kind), " ",
                      spec.from_account_id, "->", spec.to_account_id, " ", spec.minutes, "min");
}

// Differences between two entries, "" if none. Times compare as stored, to the microsecond.
std::string EntryDifference(const Entry& a, const Entry& b, bool with_reversed_by) {
  std::vector<std::string> diffs;
  auto check = [&](bool same, const char* field) {
    if (!same) diffs.push_back(field);
  };
  check(a.bank_id == b.bank_id, "bank_id");
  check(a.seq == b.seq, "seq");
  check(a.entry_id == b.entry_id, "entry_id");
  check(a.kind == b.kind, "kind");
  check(a.from_account_id == b.from_account_id, "from_account_id");
  check(a.to_account_id == b.to_account_id, "to_account_id");
  check(a.minutes == b.minutes, "minutes");
  check(a.activity == b.activity, "activity");
  check(a.note == b.note, "note");
  check(ToMicros(a.occurred_at) == ToMicros(b.occurred_at), "occurred_at");
  check(ToMicros(a.recorded_at) == ToMicros(b.recorded_at), "recorded_at");
  check(a.recorded_by == b.recorded_by, "recorded_by");
  check(a.reverses_seq == b.reverses_seq, "reverses_seq");
  check(a.hash == b.hash, "hash");
  if (with_reversed_by) check(a.reversed_by_seq == b.reversed_by_seq, "reversed_by_seq");
  return absl::StrJoin(diffs, ",");
}

// Whether an entry records what `spec` asked for.
bool EntryMatchesSpec(const Entry& entry, const EntrySpec& spec) {
  return entry.bank_id == spec.bank_id && entry.entry_id == spec.entry_id &&
         entry.kind == spec.kind && entry.from_account_id == spec.from_account_id &&
         entry.to_account_id == spec.to_account_id && entry.minutes == spec.minutes &&
         entry.activity == spec.activity && entry.note == spec.note &&
         (spec.occurred_at == absl::InfinitePast() ||
          ToMicros(entry.occurred_at) == ToMicros(spec.occurred_at));
}

// Differences between two accounts. The replay cannot know recent_days; a reopen must keep them.
std::string AccountDifference(const Account& a, const Account& b, bool with_recent_days) {
  std::vector<std::string> diffs;
  auto check = [&](bool same, const char* field) {
    if (!same) diffs.push_back(field);
  };
  check(a.bank_id == b.bank_id, "bank_id");
  check(a.account_id == b.account_id, "account_id");
  check(a.kind == b.kind, "kind");
  check(a.roles == b.roles, "roles");
  check(a.display_name == b.display_name, "display_name");
  check(a.status == b.status, "status");
  check(ToMicros(a.opened_at) == ToMicros(b.opened_at), "opened_at");
  check(a.balance_minutes == b.balance_minutes, "balance_minutes");
  check(a.earned_minutes == b.earned_minutes, "earned_minutes");
  check(a.spent_minutes == b.spent_minutes, "spent_minutes");
  check(a.entry_count == b.entry_count, "entry_count");
  check(a.held_minutes == b.held_minutes, "held_minutes");
  check(a.pending_in_minutes == b.pending_in_minutes, "pending_in_minutes");
  check(ToMicros(a.last_activity_at) == ToMicros(b.last_activity_at), "last_activity_at");
  if (with_recent_days) {
    bool same = a.recent_days.size() == b.recent_days.size();
    for (size_t i = 0; same && i < a.recent_days.size(); ++i) {
      same = a.recent_days[i].day == b.recent_days[i].day &&
             a.recent_days[i].given_minutes == b.recent_days[i].given_minutes &&
             a.recent_days[i].received_minutes == b.recent_days[i].received_minutes;
    }
    check(same, "recent_days");
  }
  return absl::StrJoin(diffs, ",");
}

// A refusal's figure as a number; INT64_MIN if it has none.
int64_t FigureOf(const absl::Status& status, const std::string& name) {
  const auto figures = FiguresOf(status);
  auto it = figures.find(name);
  int64_t value = 0;
  if (it == figures.end() || !absl::SimpleAtoi(it->second, &value)) return INT64_MIN;
  return value;
}

class LedgerPropertyTest : public ::testing::Test {
 protected:
  void SetUp() override {
    OpenLedger();
    CreateBank(kBank, StrictPolicy());
    CreateBank(kOtherBank, LenientPolicy());
    OpenAccount(kBank, "centre", AccountKind::kOrganisation, {});
    OpenAccount(kBank, "cafe", AccountKind::kOrganisation, {});
    for (int i = 0; i < kPersons; ++i) {
      OpenAccount(kBank, PersonId(i), AccountKind::kPerson, RolesOf(i));
    }
    OpenAccount(kBank, kClosed, AccountKind::kPerson, {});
    auto closed = Await<Account>([&](auto done) {
      ledger_->SetAccountStatus(kBank, kClosed, AccountStatus::kClosed, "moved away", false,
                                AdminNamed("setup"), std::move(done));
    });
    ASSERT_TRUE(closed.ok()) << closed.status();
    OpenAccount(kOtherBank, "hall", AccountKind::kOrganisation, {});
    for (int i = 0; i < kOtherPersons; ++i) {
      OpenAccount(kOtherBank, PersonId(i), AccountKind::kPerson, {});
    }
  }

  void OpenLedger() {
    LedgerOptions options;
    options.data_dir = dir_.path();
    options.sync = false;  // durability is the crash test's business
    auto opened = Ledger::Open(options);
    ASSERT_TRUE(opened.ok()) << opened.status();
    ledger_ = *std::move(opened);
  }

  void CreateBank(const std::string& bank_id, const Policy& policy) {
    auto bank = Await<Bank>([&](auto done) {
      ledger_->CreateBank(Bank{bank_id, "Bank " + bank_id, "Europe/London", {}},
                          AdminNamed("setup"), std::move(done));
    });
    ASSERT_TRUE(bank.ok()) << bank.status();
    auto set = Await<Policy>([&](auto done) {
      ledger_->SetPolicy(bank_id, policy, 0, AdminNamed("setup"), std::move(done));
    });
    ASSERT_TRUE(set.ok()) << set.status();
  }

  void OpenAccount(const std::string& bank_id, const std::string& account_id, AccountKind kind,
                   std::vector<Role> roles) {
    Account account;
    account.bank_id = bank_id;
    account.account_id = account_id;
    account.kind = kind;
    account.roles = std::move(roles);
    account.display_name = "Name of " + account_id;
    auto opened = Await<Account>(
        [&](auto done) { ledger_->OpenAccount(account, AdminNamed("setup"), std::move(done)); });
    ASSERT_TRUE(opened.ok()) << opened.status();
  }

  void RunWorkers() {
    for (int i = 0; i < kThreads; ++i) {
      workers_.push_back(std::make_unique<Worker>(ledger_.get(), i, &acked_seq_max_));
    }
    std::vector<std::thread> threads;
    for (auto& worker : workers_) threads.emplace_back([&worker] { worker->Run(); });
    for (auto& thread : threads) thread.join();
  }

  std::vector<Account> ListAllAccounts(const std::string& bank_id) {
    std::vector<Account> accounts;
    std::string token;
    for (int pages = 0; pages < 1000; ++pages) {
      auto page = ledger_->ListAccounts(BankId(bank_id), 7, token);
      if (!page.ok()) {
        problems_.Add(absl::StrCat("ListAccounts ", bank_id, ": ", page.status().ToString()));
        break;
      }
      for (Account& account : page->items) accounts.push_back(std::move(account));
      token = page->next_page_token;
      if (token.empty()) break;
    }
    return accounts;
  }

  // Reads every entry of `bank_id` page by page and replays them.
  BankModel LoadModel(const std::string& bank_id) {
    BankModel model;
    std::string token;
    for (int pages = 0;; ++pages) {
      auto page = ledger_->ListEntries(BankId(bank_id), AccountId(), kPageSize, token);
      if (!page.ok()) {
        problems_.Add(absl::StrCat("ListEntries ", bank_id, ": ", page.status().ToString()));
        break;
      }
      for (EntryRow& row : page->items) model.entries.push_back(std::move(row.entry));
      token = page->next_page_token;
      if (token.empty()) break;
      if (pages > 100'000) {
        problems_.Add("ListEntries does not end");
        break;
      }
    }
    for (const Account& account : ListAllAccounts(bank_id)) {
      Account& replayed = model.replayed[account.account_id];
      replayed = account;
      replayed.balance_minutes = replayed.earned_minutes = replayed.spent_minutes = 0;
      replayed.held_minutes = replayed.pending_in_minutes = 0;
      replayed.entry_count = 0;
      replayed.last_activity_at = absl::InfinitePast();
      model.balances_seen[account.account_id].insert(0);
    }
    for (size_t i = 0; i < model.entries.size(); ++i) {
      const Entry& entry = model.entries[i];
      if (entry.seq != i + 1) {
        problems_.Add(absl::StrCat(bank_id, ": listing position ", i + 1, " holds seq ", entry.seq,
                                   ": seqs are not dense"));
      }
      if (entry.bank_id != bank_id) {
        problems_.Add(absl::StrCat(bank_id, ": entry ", entry.seq, " names bank ", entry.bank_id));
      }
      if (!model.seq_of_entry_id.emplace(entry.entry_id, entry.seq).second) {
        problems_.Add(absl::StrCat(bank_id, ": entry_id ", entry.entry_id, " recorded twice"));
      }
      auto from = model.replayed.find(entry.from_account_id);
      auto to = model.replayed.find(entry.to_account_id);
      if (from == model.replayed.end() || to == model.replayed.end()) {
        problems_.Add(absl::StrCat(bank_id, ": entry ", entry.seq, " names an unknown account"));
        model.after.emplace_back(0, 0);
        continue;
      }
      for (Account* account : {&from->second, &to->second}) {
        const bool pays = account == &from->second;
        account->balance_minutes += pays ? -entry.minutes : entry.minutes;
        (pays ? account->spent_minutes : account->earned_minutes) += entry.minutes;
        ++account->entry_count;
        account->last_activity_at = entry.recorded_at;
        model.balances_seen[account->account_id].insert(account->balance_minutes);
      }
      model.after.emplace_back(from->second.balance_minutes, to->second.balance_minutes);
    }
    return model;
  }

  const BankModel* ModelOf(const std::string& bank_id) const {
    auto it = models_.find(bank_id);
    return it == models_.end() ? nullptr : &it->second;
  }

  // A rule's refusal must name figures that add up to a refusal, and (unless the balance included
  // items of a batch that was then rolled back) a balance the account really had.
  void CheckRuleFigures(const EntrySpec& spec, const absl::Status& status, bool balance_committed) {
    const BankModel& model = models_.at(spec.bank_id);
    const std::string reason = ReasonOf(status);
    const auto figures = FiguresOf(status);
    const std::string what = absl::StrCat(Describe(spec), ": ", reason);
    auto account = figures.count("account_id") ? figures.at("account_id") : "";
    const int64_t limit = FigureOf(status, "limit_minutes");
    const int64_t attempted = FigureOf(status, "attempted_minutes");
    if (attempted != spec.minutes) {
      problems_.Add(absl::StrCat(what, " names attempted ", attempted));
    }
    if (reason == "OVERDRAFT_LIMIT") {
      const int64_t balance = FigureOf(status, "balance_minutes");
      const Account& payer = model.replayed.at(spec.from_account_id);
      const int64_t floor = payer.kind == AccountKind::kPerson         ? kPersonFloor
                            : payer.kind == AccountKind::kOrganisation ? kOrganisationFloor
                                                                       : 0;
      if (account != spec.from_account_id || limit != floor ||
          FigureOf(status, "held_minutes") != 0 || balance - spec.minutes >= floor ||
          (balance_committed && model.balances_seen.at(account).count(balance) == 0)) {
        problems_.Add(absl::StrCat(what, " with figures that do not hold: ", status.ToString()));
      }
    } else if (reason == "BALANCE_CAP") {
      const int64_t balance = FigureOf(status, "balance_minutes");
      if (account != spec.to_account_id || limit != kPersonCap ||
          balance + spec.minutes <= kPersonCap ||
          (balance_committed && model.balances_seen.at(account).count(balance) == 0)) {
        problems_.Add(absl::StrCat(what, " with figures that do not hold: ", status.ToString()));
      }
    } else if (reason == "DAILY_LIMIT") {
      if (account != spec.to_account_id || limit != kDailyEarnMax ||
          FigureOf(status, "current_minutes") + spec.minutes <= kDailyEarnMax ||
          !IsTimeGiven(spec.kind)) {
        problems_.Add(absl::StrCat(what, " with figures that do not hold: ", status.ToString()));
      }
    }
  }

  // Checks one recording's result against what it was allowed to be and against the entries.
  void CheckEntryAttempt(const EntryAttempt& attempt, const std::string& principal) {
    const std::string what = Describe(attempt.spec);
    if (!attempt.result.has_value()) {
      problems_.Add(absl::StrCat(what, ": no result was delivered"));
      return;
    }
    const absl::StatusOr<Receipt>& result = *attempt.result;
    const BankModel* model = ModelOf(attempt.spec.bank_id);
    if (!result.ok()) {
      CheckRefusedEntry(attempt, result.status(), model);
      return;
    }
    if (!attempt.expect.ok_allowed) {
      problems_.Add(absl::StrCat(what, ": recorded as seq ", result->entry.seq,
                                 " (replayed=", result->replayed, ") but must be refused with ",
                                 absl::StrJoin(attempt.expect.reasons, " ")));
      return;
    }
    if (result->pending) {
      problems_.Add(absl::StrCat(what, ": held as pending; no rule here asks for confirmation"));
      return;
    }
    if (attempt.expect.must_replay && !result->replayed) {
      problems_.Add(absl::StrCat(what, ": a retry of an acknowledged entry was not replayed"));
    }
    if (attempt.expect.replay_seq != 0 && result->entry.seq != attempt.expect.replay_seq) {
      problems_.Add(absl::StrCat(what, ": replayed as seq ", result->entry.seq, ", not ",
                                 attempt.expect.replay_seq));
    }
    if (attempt.expect.fresh_id && !attempt.expect.must_replay && result->replayed) {
      problems_.Add(absl::StrCat(what, ": a fresh entry_id came back replayed"));
    }
    const Entry* stored = model ? model->Find(result->entry.seq) : nullptr;
    if (stored == nullptr) {
      problems_.Add(absl::StrCat(what, ": acknowledged as seq ", result->entry.seq,
                                 " but the listing has no such entry"));
      return;
    }
    if (auto diff = EntryDifference(result->entry, *stored, /*with_reversed_by=*/false);
        !diff.empty()) {
      problems_.Add(absl::StrCat(what, ": the receipt of seq ", stored->seq,
                                 " differs from the listed entry in ", diff));
    }
    if (!EntryMatchesSpec(*stored, attempt.spec)) {
      problems_.Add(absl::StrCat(what, ": seq ", stored->seq, " does not record what was asked"));
    }
    if (!result->replayed) CheckNewReceipt(attempt.spec, *result, *stored, *model, principal);
  }

  void CheckRefusedEntry(const EntryAttempt& attempt, const absl::Status& status,
                         const BankModel* model) {
    const std::string what = Describe(attempt.spec);
    const std::string reason = ReasonOf(status);
    if (attempt.expect.reasons.count(reason) == 0) {
      problems_.Add(absl::StrCat(what, ": refused with ", status.ToString(),
                                 "; allowed: ", attempt.expect.ok_allowed ? "OK " : "",
                                 absl::StrJoin(attempt.expect.reasons, " ")));
      return;
    }
    if (reason == "ACCOUNT_SUSPENDED") {
      const std::string account = FiguresOf(status)["account_id"];
      if (account.empty() || !absl::StrContains(attempt.expect.suspended_candidates, account)) {
        problems_.Add(absl::StrCat(what, ": ACCOUNT_SUSPENDED names ", account));
      }
    }
    if (RuleReasons().count(reason) != 0 && model != nullptr) {
      CheckRuleFigures(attempt.spec, status, /*balance_committed=*/true);
    }
    const Entry* stored = model ? model->FindId(attempt.spec.entry_id) : nullptr;
    if (attempt.expect.fresh_id && model != nullptr) {
      if (stored != nullptr) {
        problems_.Add(absl::StrCat(what, ": refused (", reason, ") but entry ", stored->seq,
                                   " holds its entry_id"));
      }
      auto read =
          ledger_->GetEntryById(BankId(attempt.spec.bank_id), EntryId(attempt.spec.entry_id));
      if (ReasonOf(read.status()) != "ENTRY_NOT_FOUND") {
        problems_.Add(
            absl::StrCat(what, ": refused, yet GetEntryById gives ", read.status().ToString()));
      }
    }
    if (reason == "ENTRY_ID_REUSED") {
      if (stored == nullptr) {
        problems_.Add(absl::StrCat(what, ": ENTRY_ID_REUSED but no entry holds the id"));
      } else {
        if (EntryMatchesSpec(*stored, attempt.spec)) {
          problems_.Add(absl::StrCat(what, ": ENTRY_ID_REUSED for the very same content"));
        }
        if (FigureOf(status, "seq") != static_cast<int64_t>(stored->seq)) {
          problems_.Add(absl::StrCat(what, ": ENTRY_ID_REUSED names seq ", FigureOf(status, "seq"),
                                     ", not ", stored->seq));
        }
      }
    }
  }

  // A receipt of a new entry: recorded by its principal, with the balances right after it, also
  // readable by seq and by entry_id; and its cap excess, if any, in the entry after it.
  void CheckNewReceipt(const EntrySpec& spec, const Receipt& receipt, const Entry& stored,
                       const BankModel& model, const std::string& principal) {
    const std::string what = Describe(spec);
    ++new_acks_[spec.bank_id][spec.entry_id];
    if (stored.recorded_by != principal) {
      problems_.Add(absl::StrCat(what, ": recorded_by ", stored.recorded_by));
    }
    int64_t to_after = model.after[stored.seq - 1].second;
    if (receipt.excess_entry_seq != 0) {
      const Entry* excess = model.Find(receipt.excess_entry_seq);
      if (excess == nullptr || excess->seq != stored.seq + 1 ||
          excess->entry_id != absl::StrCat("cap-excess-of-", stored.seq) ||
          excess->minutes != receipt.excess_to_pool_minutes) {
        problems_.Add(absl::StrCat(what, ": its cap excess is not the entry after it"));
      } else {
        ++new_acks_[spec.bank_id][excess->entry_id];
        to_after = model.after[excess->seq - 1].first;
      }
    }
    if (receipt.from_balance_minutes != model.after[stored.seq - 1].first ||
        receipt.to_balance_minutes != to_after) {
      problems_.Add(absl::StrCat(what, ": receipt balances ", receipt.from_balance_minutes, "/",
                                 receipt.to_balance_minutes, " but the replay gives ",
                                 model.after[stored.seq - 1].first, "/", to_after));
    }
    auto read = ledger_->GetEntry(BankId(spec.bank_id), stored.seq);
    if (!read.ok() || !EntryDifference(*read, stored, true).empty()) {
      problems_.Add(absl::StrCat(what, ": GetEntry(", stored.seq, ") differs or fails"));
    }
    auto by_id = ledger_->GetEntryById(BankId(spec.bank_id), EntryId(spec.entry_id));
    if (!by_id.ok() || by_id->seq != stored.seq) {
      problems_.Add(absl::StrCat(what, ": GetEntryById does not find seq ", stored.seq));
    }
  }

  void CheckBatch(const BatchAttempt& batch, const std::string& principal) {
    if (!batch.status.has_value()) {
      problems_.Add("a batch got no result");
      return;
    }
    if (!batch.atomic) {
      if (!batch.status->ok()) {
        problems_.Add(absl::StrCat("a loose batch failed whole: ", batch.status->ToString()));
        return;
      }
      for (const EntryAttempt& item : batch.items) CheckEntryAttempt(item, principal);
      return;
    }
    if (!batch.status->ok()) {
      CheckRefusedAtomicBatch(batch);
      return;
    }
    if (batch.bad_index >= 0) {
      problems_.Add(absl::StrCat("an atomic batch with item ", batch.bad_index, " refused by ",
                                 batch.bad_reason, " was accepted"));
      return;
    }
    // Accepted whole: each bank's new entries take consecutive seqs, in the batch's order.
    std::map<std::string, uint64_t> last_seq;
    std::map<std::string, uint64_t> seq_by_id;
    for (const EntryAttempt& item : batch.items) {
      CheckEntryAttempt(item, principal);
      if (!item.result.has_value() || !item.result->ok()) {
        problems_.Add(
            absl::StrCat(Describe(item.spec), ": refused inside an accepted atomic batch"));
        continue;
      }
      const Receipt& receipt = **item.result;
      if (receipt.replayed) {
        if (seq_by_id[item.spec.entry_id] != receipt.entry.seq) {
          problems_.Add(absl::StrCat(Describe(item.spec), ": the in-batch repeat replays seq ",
                                     receipt.entry.seq));
        }
        continue;
      }
      seq_by_id[item.spec.entry_id] = receipt.entry.seq;
      uint64_t& last = last_seq[item.spec.bank_id];
      if (last != 0 && receipt.entry.seq != last + 1) {
        problems_.Add(absl::StrCat(Describe(item.spec), ": seq ", receipt.entry.seq,
                                   " does not follow ", last, " within its atomic batch"));
      }
      last = receipt.excess_entry_seq != 0 ? receipt.excess_entry_seq : receipt.entry.seq;
    }
  }

  // Refused whole: for the reason of its first refused item, which it names; nothing written.
  void CheckRefusedAtomicBatch(const BatchAttempt& batch) {
    const absl::Status& status = *batch.status;
    const std::string reason = ReasonOf(status);
    const int64_t index = FigureOf(status, "index");
    if (batch.bad_index >= 0) {
      if (reason != batch.bad_reason || index != batch.bad_index) {
        problems_.Add(absl::StrCat("an atomic batch with item ", batch.bad_index, " refused by ",
                                   batch.bad_reason, " ended with ", status.ToString()));
      }
    } else if (!batch.risky || RuleReasons().count(reason) == 0 || index < 0 ||
               index >= static_cast<int64_t>(batch.items.size())) {
      problems_.Add(absl::StrCat("a valid atomic batch was refused: ", status.ToString()));
    } else {
      CheckRuleFigures(batch.items[static_cast<size_t>(index)].spec, status,
                       /*balance_committed=*/false);
    }
    for (const EntryAttempt& item : batch.items) {
      const BankModel* model = ModelOf(item.spec.bank_id);
      if (item.expect.fresh_id && model != nullptr && model->FindId(item.spec.entry_id)) {
        problems_.Add(
            absl::StrCat(Describe(item.spec), ": written although its atomic batch was refused"));
      }
    }
  }

  void CheckReversal(const ReversalAttempt& attempt) {
    const BankModel& model = models_.at(kBank);
    const std::string what = absl::StrCat("reversal of ", attempt.seq, " as ",
                                          attempt.EffectiveId(), " (", attempt.note, ")");
    if (!attempt.result.has_value()) {
      problems_.Add(absl::StrCat(what, ": no result was delivered"));
      return;
    }
    const absl::StatusOr<Receipt>& result = *attempt.result;
    const Entry* original = model.Find(attempt.seq);
    if (!result.ok()) {
      CheckRefusedReversal(attempt, result.status(), original);
      return;
    }
    const Entry* stored = model.Find(result->entry.seq);
    if (attempt.retry_other) {
      problems_.Add(absl::StrCat(what, ": another note under a used id was accepted"));
    }
    if (attempt.retry_same && (!result->replayed || result->entry.seq != attempt.original_seq)) {
      problems_.Add(absl::StrCat(what, ": a retry was not replayed as seq ", attempt.original_seq));
    }
    if (stored == nullptr || original == nullptr) {
      problems_.Add(absl::StrCat(what, ": acknowledged but missing from the listing"));
      return;
    }
    if (auto diff = EntryDifference(result->entry, *stored, false); !diff.empty()) {
      problems_.Add(absl::StrCat(what, ": receipt differs from the listing in ", diff));
    }
    if (stored->kind != EntryKind::kReversal || stored->reverses_seq != attempt.seq ||
        stored->entry_id != attempt.EffectiveId() || stored->note != attempt.note ||
        stored->from_account_id != original->to_account_id ||
        stored->to_account_id != original->from_account_id ||
        stored->minutes != original->minutes) {
      problems_.Add(absl::StrCat(what, ": entry ", stored->seq, " is not its reversal"));
    }
    if (original->kind == EntryKind::kReversal) {
      problems_.Add(absl::StrCat(what, ": a reversal was reversed"));
    }
    if (original->reversed_by_seq != stored->seq) {
      problems_.Add(absl::StrCat(what, ": entry ", attempt.seq, " says reversed by ",
                                 original->reversed_by_seq, ", not ", stored->seq));
    }
    if (!result->replayed) {
      ++new_acks_[kBank][attempt.EffectiveId()];
      const auto& after = model.after[stored->seq - 1];
      if (result->from_balance_minutes != after.first ||
          result->to_balance_minutes != after.second) {
        problems_.Add(absl::StrCat(what, ": receipt balances differ from the replay"));
      }
    }
  }

  void CheckRefusedReversal(const ReversalAttempt& attempt, const absl::Status& status,
                            const Entry* original) {
    const BankModel& model = models_.at(kBank);
    const std::string what = absl::StrCat("reversal of ", attempt.seq, " as ",
                                          attempt.EffectiveId(), " (", attempt.note, ")");
    const std::string reason = ReasonOf(status);
    if (attempt.retry_same || (attempt.retry_other && reason != "ENTRY_ID_REUSED")) {
      problems_.Add(absl::StrCat(what, ": a retry got ", status.ToString()));
      return;
    }
    if (reason == "ALREADY_REVERSED") {
      if (original == nullptr || original->reversed_by_seq == 0) {
        problems_.Add(absl::StrCat(what, ": ALREADY_REVERSED, but it never was"));
        return;
      }
      if (FigureOf(status, "reversed_by_seq") != static_cast<int64_t>(original->reversed_by_seq)) {
        problems_.Add(absl::StrCat(what, ": ALREADY_REVERSED names the wrong reversal"));
      }
      const Entry* reverser = model.Find(original->reversed_by_seq);
      if (reverser != nullptr && reverser->entry_id == attempt.EffectiveId()) {
        problems_.Add(absl::StrCat(what, ": ALREADY_REVERSED by its own id: must replay"));
      }
    } else if (reason == "CANNOT_REVERSE_REVERSAL") {
      if (original == nullptr || original->kind != EntryKind::kReversal) {
        problems_.Add(absl::StrCat(what, ": CANNOT_REVERSE_REVERSAL for a non-reversal"));
      }
    } else if (reason == "ENTRY_NOT_FOUND") {
      if (attempt.seq <= attempt.acked_seq_max) {
        problems_.Add(absl::StrCat(what, ": ENTRY_NOT_FOUND although seq ", attempt.acked_seq_max,
                                   " was acknowledged before"));
      }
    } else if (reason == "OVERDRAFT_LIMIT" || reason == "BALANCE_CAP") {
      // A reversal keeps the money rules: the original earner's floor, the original payer's cap.
      if (original == nullptr) {
        problems_.Add(absl::StrCat(what, ": ", reason, " for an entry that does not exist"));
        return;
      }
      EntrySpec as_spec;
      as_spec.bank_id = kBank;
      as_spec.entry_id = attempt.EffectiveId();
      as_spec.kind = EntryKind::kReversal;
      as_spec.from_account_id = original->to_account_id;
      as_spec.to_account_id = original->from_account_id;
      as_spec.minutes = original->minutes;
      CheckRuleFigures(as_spec, status, /*balance_committed=*/true);
    } else if (reason == "ENTRY_ID_REUSED") {
      const Entry* holder = model.FindId(attempt.EffectiveId());
      if (holder == nullptr) {
        problems_.Add(absl::StrCat(what, ": ENTRY_ID_REUSED but nothing holds the id"));
      } else if (holder->kind == EntryKind::kReversal && holder->reverses_seq == attempt.seq &&
                 holder->note == attempt.note) {
        problems_.Add(absl::StrCat(what, ": ENTRY_ID_REUSED for the same reversal"));
      }
    } else {
      problems_.Add(absl::StrCat(what, ": unexpected ", status.ToString()));
    }
  }

  void CheckStatus(const StatusAttempt& attempt) {
    const std::string what = absl::StrCat("status ", AccountStatusName(attempt.status), " of ",
                                          attempt.bank_id, "/", attempt.account_id);
    if (!attempt.result.has_value()) {
      problems_.Add(absl::StrCat(what, ": no result was delivered"));
    } else if (attempt.expected_reason.empty() && !attempt.result->ok()) {
      problems_.Add(absl::StrCat(what, ": ", attempt.result->status().ToString()));
    } else if (!attempt.expected_reason.empty() &&
               ReasonOf(attempt.result->status()) != attempt.expected_reason) {
      problems_.Add(absl::StrCat(what, ": got ", attempt.result->status().ToString(), ", expected ",
                                 attempt.expected_reason));
    }
  }

  // Balances, totals and statements of every account against the replay; the zero sum.
  void CheckAccounts(const std::string& bank_id) {
    const BankModel& model = models_.at(bank_id);
    int64_t sum = 0;
    const std::vector<Account> listed = ListAllAccounts(bank_id);
    if (listed.size() != model.replayed.size()) {
      problems_.Add(absl::StrCat(bank_id, ": ", listed.size(), " accounts listed"));
    }
    for (const Account& account : listed) {
      sum += account.balance_minutes;
      auto replayed = model.replayed.find(account.account_id);
      if (replayed == model.replayed.end()) continue;
      if (auto diff = AccountDifference(account, replayed->second, false); !diff.empty()) {
        problems_.Add(absl::StrCat(
            bank_id, "/", account.account_id, ": differs from the replay in ", diff, " (balance ",
            account.balance_minutes, " vs ", replayed->second.balance_minutes, ")"));
      }
      auto got = ledger_->GetAccount(BankId(bank_id), AccountId(account.account_id));
      if (!got.ok() || !AccountDifference(*got, account, true).empty()) {
        problems_.Add(absl::StrCat(bank_id, "/", account.account_id,
                                   ": GetAccount and ListAccounts disagree"));
      }
      CheckStatement(bank_id, account.account_id);
    }
    EXPECT_EQ(sum, 0) << bank_id << "'s balances do not sum to zero";
    auto summary = ledger_->GetBank(BankId(bank_id));
    ASSERT_TRUE(summary.ok()) << summary.status();
    EXPECT_EQ(summary->entry_count, model.entries.size()) << bank_id;
    EXPECT_EQ(summary->account_count, listed.size()) << bank_id;
    auto pending = ledger_->ListPending(BankId(bank_id), AccountId(), 10);
    ASSERT_TRUE(pending.ok()) << pending.status();
    EXPECT_TRUE(pending->empty()) << bank_id << " holds pending entries";
  }

  // An account's statement: exactly the entries touching it, with running balances.
  void CheckStatement(const std::string& bank_id, const std::string& account_id) {
    const BankModel& model = models_.at(bank_id);
    std::vector<uint64_t> expected;
    for (const Entry& entry : model.entries) {
      if (entry.from_account_id == account_id || entry.to_account_id == account_id) {
        expected.push_back(entry.seq);
      }
    }
    size_t position = 0;
    std::string token;
    for (int pages = 0; pages < 10'000; ++pages) {
      auto page = ledger_->ListEntries(BankId(bank_id), AccountId(account_id), kPageSizeMax, token);
      if (!page.ok()) {
        problems_.Add(absl::StrCat("statement of ", account_id, ": ", page.status().ToString()));
        return;
      }
      for (const EntryRow& row : page->items) {
        const uint64_t seq = row.entry.seq;
        if (position >= expected.size() || expected[position] != seq) {
          problems_.Add(absl::StrCat("statement of ", bank_id, "/", account_id, ": seq ", seq,
                                     " at line ", position + 1));
          return;
        }
        ++position;
        const Entry& entry = model.entries[seq - 1];
        const int64_t want = entry.from_account_id == account_id ? model.after[seq - 1].first
                                                                 : model.after[seq - 1].second;
        if (row.running_balance_minutes != want) {
          problems_.Add(absl::StrCat("statement of ", bank_id, "/", account_id, ": running ",
                                     row.running_balance_minutes, " at seq ", seq, ", replay ",
                                     want));
          return;
        }
      }
      token = page->next_page_token;
      if (token.empty()) break;
    }
    if (position != expected.size()) {
      problems_.Add(absl::StrCat("statement of ", bank_id, "/", account_id, ": ", position,
                                 " lines, expected ", expected.size()));
    }
  }

  // Every entry was acknowledged as new exactly once; each entry reversed at most once, and the
  // links between an entry and its reversal agree.
  void CheckEntriesAgainstAcks(const std::string& bank_id) {
    const BankModel& model = models_.at(bank_id);
    auto& acks = new_acks_[bank_id];
    std::map<uint64_t, int> reversals_of;
    for (const Entry& entry : model.entries) {
      const int count = acks.count(entry.entry_id) ? acks[entry.entry_id] : 0;
      if (count != 1) {
        problems_.Add(absl::StrCat(bank_id, ": entry ", entry.seq, " (", entry.entry_id,
                                   ") was acknowledged as new ", count, " times"));
      }
      if (entry.kind == EntryKind::kReversal) {
        ++reversals_of[entry.reverses_seq];
        const Entry* original = model.Find(entry.reverses_seq);
        if (original == nullptr || original->reversed_by_seq != entry.seq) {
          problems_.Add(absl::StrCat(bank_id, ": reversal ", entry.seq, " of ", entry.reverses_seq,
                                     " is not linked back"));
        }
      } else if (entry.reversed_by_seq != 0) {
        const Entry* reverser = model.Find(entry.reversed_by_seq);
        if (reverser == nullptr || reverser->reverses_seq != entry.seq) {
          problems_.Add(absl::StrCat(bank_id, ": entry ", entry.seq, " names reversal ",
                                     entry.reversed_by_seq, " that does not point at it"));
        }
      }
    }
    for (const auto& [seq, count] : reversals_of) {
      if (count > 1) {
        problems_.Add(absl::StrCat(bank_id, ": entry ", seq, " reversed ", count, " times"));
      }
    }
    for (const auto& [entry_id, count] : acks) {
      if (model.FindId(entry_id) == nullptr) {
        problems_.Add(absl::StrCat(bank_id, ": acknowledged ", entry_id, " is not listed"));
      }
    }
  }

  // hcct's rules hold at every committed entry: what the payer was left with, what the earner
  // reached, the size of time given, what one person earned on one day, how far back it is dated.
  void CheckStrictRulesHeld() {
    const BankModel& model = models_.at(kBank);
    std::map<std::pair<std::string, int32_t>, int64_t> earned_on_day;
    const absl::TimeZone zone = [] {
      absl::TimeZone london;
      EXPECT_TRUE(absl::LoadTimeZone("Europe/London", &london));
      return london;
    }();
    for (const Entry& entry : model.entries) {
      const std::string what = absl::StrCat(kBank, " entry ", entry.seq, " (", entry.entry_id, ")");
      const auto& [from_after, to_after] = model.after[entry.seq - 1];
      if (entry.kind == EntryKind::kReversal) {
        const Entry* original = model.Find(entry.reverses_seq);
        if (original != nullptr && IsTimeGiven(original->kind)) {
          earned_on_day[{original->to_account_id, DayOf(original->occurred_at, zone)}] -=
              original->minutes;
        }
        continue;
      }
      const Account& payer = model.replayed.at(entry.from_account_id);
      const Account& earner = model.replayed.at(entry.to_account_id);
      const int64_t floor = payer.kind == AccountKind::kPerson         ? kPersonFloor
                            : payer.kind == AccountKind::kOrganisation ? kOrganisationFloor
                                                                       : 0;
      if (from_after < floor) {
        problems_.Add(absl::StrCat(what, " left ", payer.account_id, " at ", from_after,
                                   ", below the floor ", floor));
      }
      if (earner.kind == AccountKind::kPerson && to_after > kPersonCap) {
        problems_.Add(
            absl::StrCat(what, " brought ", earner.account_id, " to ", to_after, ", over the cap"));
      }
      if (entry.occurred_at < entry.recorded_at - absl::Hours(24 * kBackdateDays)) {
        problems_.Add(absl::StrCat(what, " is backdated too far"));
      }
      if (!IsTimeGiven(entry.kind)) continue;
      if (entry.minutes % kUnit != 0 || entry.minutes > kEntryMax) {
        problems_.Add(absl::StrCat(what, " records ", entry.minutes, " minutes of time given"));
      }
      if (earner.HasRole(Role::kStaff) && entry.activity == kDutyActivity) {
        problems_.Add(absl::StrCat(what, " pays staff for duty"));
      }
      int64_t& earned = earned_on_day[{entry.to_account_id, DayOf(entry.occurred_at, zone)}];
      earned += entry.minutes;
      if (earner.kind == AccountKind::kPerson && earned > kDailyEarnMax) {
        problems_.Add(absl::StrCat(what, " makes ", earner.account_id, " earn ", earned,
                                   " minutes on one day"));
      }
    }
  }

  // camden's cap sends what a person earns over it to the pool, in the entry right after.
  void CheckCapToPoolHeld() {
    const BankModel& model = models_.at(kOtherBank);
    for (const Entry& entry : model.entries) {
      if (absl::StartsWith(entry.entry_id, "cap-excess-of-")) continue;
      const Account& earner = model.replayed.at(entry.to_account_id);
      const int64_t to_after = model.after[entry.seq - 1].second;
      if (earner.kind != AccountKind::kPerson || to_after <= kOtherCap) continue;
      const Entry* excess = model.Find(entry.seq + 1);
      const std::string what = absl::StrCat(kOtherBank, " entry ", entry.seq, " (", entry.entry_id,
                                            ") brought ", earner.account_id, " to ", to_after);
      if (excess == nullptr || excess->entry_id != absl::StrCat("cap-excess-of-", entry.seq) ||
          excess->kind != EntryKind::kDonation || excess->from_account_id != earner.account_id ||
          excess->to_account_id != kPoolAccountId ||
          excess->minutes != std::min(entry.minutes, to_after - kOtherCap)) {
        problems_.Add(
            absl::StrCat(what, " and the next entry does not give the excess to the pool"));
      } else if (model.after[excess->seq - 1].first > kOtherCap) {
        problems_.Add(absl::StrCat(what, " and the excess donation leaves it over the cap"));
      }
    }
  }

  void CheckEverything() {
    for (const char* bank_id : {kBank, kOtherBank}) models_[bank_id] = LoadModel(bank_id);
    for (const auto& worker : workers_) {
      for (const EntryAttempt& attempt : worker->singles()) {
        CheckEntryAttempt(attempt, worker->principal());
      }
      for (const BatchAttempt& batch : worker->batches()) CheckBatch(batch, worker->principal());
      for (const ReversalAttempt& attempt : worker->reversals()) CheckReversal(attempt);
      for (const StatusAttempt& attempt : worker->statuses()) CheckStatus(attempt);
      for (const auto& [account_id, status] : worker->last_status()) {
        auto account = ledger_->GetAccount(BankId(kBank), AccountId(account_id));
        ASSERT_TRUE(account.ok()) << account.status();
        EXPECT_EQ(account->status, status) << account_id << ": not the status last asked for";
      }
    }
    for (const char* bank_id : {kBank, kOtherBank}) {
      CheckEntriesAgainstAcks(bank_id);
      CheckAccounts(bank_id);
    }
    CheckStrictRulesHeld();
    CheckCapToPoolHeld();
    for (int i = 0; i < kOtherPersons; ++i) {
      auto account = ledger_->GetAccount(BankId(kOtherBank), AccountId(PersonId(i)));
      ASSERT_TRUE(account.ok());
      EXPECT_EQ(account->status, AccountStatus::kActive) << "a status crossed banks";
    }
    auto closed = ledger_->GetAccount(BankId(kBank), AccountId(kClosed));
    ASSERT_TRUE(closed.ok());
    EXPECT_EQ(closed->status, AccountStatus::kClosed);
    EXPECT_EQ(closed->entry_count, 0u);
    const absl::Status consistency = ledger_->CheckConsistency();
    EXPECT_TRUE(consistency.ok()) << consistency;
  }

  // Summarises what the run did, so a run that proves little shows it.
  void ReportAndCheckCoverage() {
    std::map<std::string, int> refusals;
    size_t replays = 0;
    auto count = [&](const std::optional<absl::StatusOr<Receipt>>& result) {
      if (!result.has_value()) return;
      if (result->ok()) {
        replays += (*result)->replayed ? 1 : 0;
      } else {
        ++refusals[ReasonOf(result->status())];
      }
    };
    for (const auto& worker : workers_) {
      for (const EntryAttempt& attempt : worker->singles()) count(attempt.result);
      for (const BatchAttempt& batch : worker->batches()) {
        if (batch.status.has_value() && !batch.status->ok()) {
          ++refusals[absl::StrCat("atomic:", ReasonOf(*batch.status))];
        }
        for (const EntryAttempt& item : batch.items) count(item.result);
      }
      for (const ReversalAttempt& attempt : worker->reversals()) count(attempt.result);
    }
    const BankModel& model = models_.at(kBank);
    std::set<int64_t> groups;
    size_t reversals = 0;
    for (const Entry& entry : model.entries) {
      groups.insert(ToMicros(entry.recorded_at));
      reversals += entry.kind == EntryKind::kReversal ? 1 : 0;
    }
    size_t excesses = 0;
    for (const Entry& entry : models_.at(kOtherBank).entries) {
      excesses += absl::StartsWith(entry.entry_id, "cap-excess-of-") ? 1 : 0;
    }
    std::cout << kBank << ": " << model.entries.size() << " entries (" << reversals
              << " reversals) in " << groups.size() << " commit groups; " << kOtherBank << ": "
              << models_.at(kOtherBank).entries.size() << " entries (" << excesses
              << " cap excesses); " << replays << " replays\nrefusals:";
    for (const auto& [reason, n] : refusals) std::cout << " " << reason << "=" << n;
    std::cout << std::endl;

    EXPECT_GT(model.entries.size(), 5000u) << "too few entries to prove much";
    EXPECT_GT(reversals, 100u);
    EXPECT_GT(excesses, 0u);
    EXPECT_GT(replays, 100u);
    EXPECT_LT(groups.size(), model.entries.size()) << "group commit never batched two commands";
    for (const char* reason :
         {"ACCOUNT_SUSPENDED", "ALREADY_REVERSED", "ENTRY_ID_REUSED", "KIND_MISMATCH",
          "OVERDRAFT_LIMIT", "BALANCE_CAP", "CANNOT_REVERSE_REVERSAL", "GRANULARITY"}) {
      EXPECT_GT(refusals[reason], 0) << "the run never produced " << reason;
    }
  }

  timeledger::testing::TempDir dir_;
  std::unique_ptr<Ledger> ledger_;
  std::atomic<uint64_t> acked_seq_max_{0};
  std::vector<std::unique_ptr<Worker>> workers_;
  std::map<std::string, BankModel> models_;
  std::map<std::string, std::map<std::string, int>> new_acks_;  // bank -> entry_id -> count
  Problems problems_;
};

TEST_F(LedgerPropertyTest, ConcurrentRandomWritesKeepEveryInvariantAndSurviveReopen) {
  std::cout << "seed " << kSeed << ", " << kThreads << " threads x " << kOpsPerThread
            << " operations, up to " << kInFlightMax << " in flight each" << std::endl;
  RunWorkers();
  CheckEverything();
  ReportAndCheckCoverage();
  EXPECT_EQ(problems_.count(), 0) << "problems (the first few are shown above)";

  // Close and reopen on the same directory: every entry, account and policy is as it was.
  std::map<std::string, std::vector<Entry>> entries_before;
  std::map<std::string, std::vector<Account>> accounts_before;
  std::map<std::string, std::string> policy_before;
  for (const char* bank_id : {kBank, kOtherBank}) {
    entries_before[bank_id] = models_.at(bank_id).entries;
    accounts_before[bank_id] = ListAllAccounts(bank_id);
    policy_before[bank_id] = EncodePolicy(*ledger_->GetPolicy(BankId(bank_id)));
  }
  ledger_.reset();
  OpenLedger();
  for (const char* bank_id : {kBank, kOtherBank}) {
    BankModel reopened = LoadModel(bank_id);
    ASSERT_EQ(reopened.entries.size(), entries_before[bank_id].size()) << bank_id;
    for (size_t i = 0; i < reopened.entries.size(); ++i) {
      if (auto diff = EntryDifference(reopened.entries[i], entries_before[bank_id][i], true);
          !diff.empty()) {
        problems_.Add(absl::StrCat(bank_id, ": entry ", i + 1, " changed on reopen: ", diff));
      }
    }
    const std::vector<Account> accounts = ListAllAccounts(bank_id);
    ASSERT_EQ(accounts.size(), accounts_before[bank_id].size()) << bank_id;
    for (size_t i = 0; i < accounts.size(); ++i) {
      if (auto diff = AccountDifference(accounts[i], accounts_before[bank_id][i], true);
          !diff.empty()) {
        problems_.Add(
            absl::StrCat(bank_id, "/", accounts[i].account_id, ": changed on reopen: ", diff));
      }
    }
    EXPECT_EQ(EncodePolicy(*ledger_->GetPolicy(BankId(bank_id))), policy_before[bank_id])
        << bank_id;
  }
  absl::Status consistency = ledger_->CheckConsistency();
  EXPECT_TRUE(consistency.ok()) << consistency;

  // After reopening, idempotency keys still replay and the chain goes on from its head.
  for (const auto& worker : workers_) {
    int retried = 0;
    for (const EntryAttempt& attempt : worker->singles()) {
      if (retried == 50) break;
      if (!attempt.result.has_value() || !attempt.result->ok() || (*attempt.result)->replayed) {
        continue;
      }
      ++retried;
      auto again = Await<Receipt>([&](auto done) {
        ledger_->RecordEntry(attempt.spec, AdminNamed("after-reopen"), std::move(done));
      });
      if (!again.ok() || !again->replayed || again->entry.seq != (*attempt.result)->entry.seq) {
        problems_.Add(absl::StrCat(
            Describe(attempt.spec), ": after reopen, retry gives ",
            again.ok() ? absl::StrCat("seq ", again->entry.seq) : again.status().ToString()));
      }
    }
  }
  EntrySpec next;
  next.bank_id = kBank;
  next.entry_id = "after-reopen";
  next.kind = EntryKind::kExchange;
  next.from_account_id = "centre";
  next.to_account_id = "cafe";
  next.minutes = 60;
  auto receipt = Await<Receipt>(
      [&](auto done) { ledger_->RecordEntry(next, AdminNamed("after-reopen"), std::move(done)); });
  ASSERT_TRUE(receipt.ok()) << receipt.status();
  EXPECT_EQ(receipt->entry.seq, entries_before[kBank].size() + 1);
  EXPECT_EQ(receipt->entry.hash, ChainHash(entries_before[kBank].back().hash, receipt->entry));
  consistency = ledger_->CheckConsistency();
  EXPECT_TRUE(consistency.ok()) << consistency;
  EXPECT_EQ(problems_.count(), 0) << "problems (the first few are shown above)";
}

}  // namespace
}  // namespace timeledger::ledger
