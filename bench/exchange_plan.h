// ExchangePlan: which exchange the n-th entry of a benchmark run records, chosen so that a run of
// millions of entries stays within a time bank's default rules (docs/POLICY.md) and is never
// refused: a benchmark that measures refusals measures nothing.
//
// Entries come in rounds of `accounts` entries. In round r every account pays exactly once and
// earns exactly once, the same minutes, so every balance is back to zero after each round and
// never strays more than a few rounds' minutes from it (the -10 h overdraft floor and the +100 h
// cap are never reached). Within a round, payer j is a pseudo-random permutation of the accounts
// and its payee is j + shift_r (mod accounts), with a pseudo-random shift per round: random pairs,
// different each round. Minutes cycle 15, 30, 45, 60 (150 minutes per four rounds) and sixteen
// rounds share a day: 600 minutes earned per account per day, under the 12-hour daily limit.
// Days run backwards from yesterday, so the plan holds kDaysMax days of entries before the
// 60-day backdating limit: Capacity() entries in all.
//
// A plain value; At() is pure, so any thread may call it.
#ifndef TIMELEDGER_BENCH_EXCHANGE_PLAN_H_
#define TIMELEDGER_BENCH_EXCHANGE_PLAN_H_

#include <cstdint>
#include <string>

namespace timeledger::bench {

struct PlannedExchange {
  int64_t from = 0;       // index of the paying account
  int64_t to = 0;         // index of the earning account
  int64_t minutes = 0;    // 15, 30, 45 or 60
  int64_t days_back = 0;  // the entry occurred this many days before the plan's anchor day
};

class ExchangePlan {
 public:
  static constexpr int64_t kRoundsPerDay = 16;  // 4 x (15 + 30 + 45 + 60) = 600 minutes a day
  static constexpr int64_t kDaysMax = 59;       // days back at most: inside a 60-day limit

  // accounts >= 2.
  ExchangePlan(int64_t accounts, uint64_t seed);

  // Returns the exchange of entry `index` (0, 1, 2, ...).
  PlannedExchange At(int64_t index) const;

  // Returns how many entries the plan holds before an entry would be dated kDaysMax + 1 days back.
  int64_t Capacity() const { return accounts_ * kRoundsPerDay * kDaysMax; }

  // Checks the plan's promises over its first `rounds` rounds; returns "" if they hold, else the
  // first one broken, in words.
  std::string Check(int64_t rounds) const;

 private:
  int64_t accounts_;
  uint64_t seed_;
  int64_t stride_;  // coprime with accounts_: j -> j * stride_ + offset is a permutation
};

}  // namespace timeledger::bench

#endif  // TIMELEDGER_BENCH_EXCHANGE_PLAN_H_
