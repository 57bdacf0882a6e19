#include "bench/exchange_plan.h"

#include <algorithm>
#include <array>
#include <map>
#include <numeric>
#include <vector>

#include "absl/strings/str_cat.h"

namespace timeledger::bench {
namespace {

constexpr std::array<int64_t, 4> kMinutesCycle = {15, 30, 45, 60};
constexpr int64_t kDailyEarnMinutesMax = 12 * 60;  // the default policy's daily limit

// SplitMix64: a well-mixed 64-bit hash of (seed, n).
uint64_t Mix(uint64_t seed, uint64_t n) {
  uint64_t z = seed + (n + 1) * 0x9E3779B97F4A7C15ULL;
  z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ULL;
  z = (z ^ (z >> 27)) * 0x94D049BB133111EBULL;
  return z ^ (z >> 31);
}

}  // namespace

ExchangePlan::ExchangePlan(int64_t accounts, uint64_t seed) : accounts_(accounts), seed_(seed) {
  // Any stride coprime with the account count makes j -> j * stride a permutation; one near
  // 0.618 * accounts scatters neighbouring indices far apart.
  stride_ = std::max<int64_t>(1, accounts_ * 618 / 1000);
  while (std::gcd(stride_, accounts_) != 1) ++stride_;
}

PlannedExchange ExchangePlan::At(int64_t index) const {
  const int64_t round = index / accounts_;
  const int64_t k = index % accounts_;
  const auto r = static_cast<uint64_t>(round);
  const auto n = static_cast<uint64_t>(accounts_);
  const auto offset = static_cast<int64_t>(Mix(seed_, 2 * r) % n);
  const auto shift = static_cast<int64_t>(1 + Mix(seed_, 2 * r + 1) % (n - 1));
  // k and stride are below accounts (at most 10^7 in the load generator): no overflow.
  const int64_t payer = (k * stride_ + offset) % accounts_;
  PlannedExchange exchange;
  exchange.from = payer;
  exchange.to = (payer + shift) % accounts_;
  exchange.minutes = kMinutesCycle[static_cast<size_t>(round % 4)];
  exchange.days_back = 1 + round / kRoundsPerDay;
  return exchange;
}

std::string ExchangePlan::Check(int64_t rounds) const {
  std::vector<int64_t> balance(static_cast<size_t>(accounts_), 0);
  std::map<std::pair<int64_t, int64_t>, int64_t> earned_on_day;  // (account, day) -> minutes
  for (int64_t round = 0; round < rounds; ++round) {
    std::vector<int> paid(static_cast<size_t>(accounts_), 0);
    std::vector<int> earned(static_cast<size_t>(accounts_), 0);
    for (int64_t k = 0; k < accounts_; ++k) {
      const PlannedExchange e = At(round * accounts_ + k);
      if (e.from == e.to) return absl::StrCat("entry ", round * accounts_ + k, " pays itself");
      ++paid[static_cast<size_t>(e.from)];
      ++earned[static_cast<size_t>(e.to)];
      balance[static_cast<size_t>(e.from)] -= e.minutes;
      balance[static_cast<size_t>(e.to)] += e.minutes;
      const int64_t day_total = earned_on_day[{e.to, e.days_back}] += e.minutes;
      if (day_total > kDailyEarnMinutesMax) {
        return absl::StrCat("account ", e.to, " earns ", day_total, " minutes on day -",
                            e.days_back);
      }
    }
    for (int64_t j = 0; j < accounts_; ++j) {
      const auto i = static_cast<size_t>(j);
      if (paid[i] != 1 || earned[i] != 1 || balance[i] != 0) {
        return absl::StrCat("round ", round, ": account ", j, " paid ", paid[i], " times, earned ",
                            earned[i], " times, balance ", balance[i]);
      }
    }
  }
  return "";
}

}  // namespace timeledger::bench
