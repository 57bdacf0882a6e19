// Strong types for what must not be mixed: a bank id is not an account id, an account id is not an
// entry id, and minutes are not seconds or a count.
//
// An Id<Tag> is a string that says what it names. It is made only on purpose (explicit
// constructors), so a call that passes an account id where a bank id belongs does not compile.
// It reads as its string wherever a plain string is wanted (keys, messages, encodings), so the
// core's internals that only carry it along need not unwrap it.
//
// Minutes is an amount of time credit: one hour given is 60 minutes. It is made on purpose too,
// adds and compares only with Minutes, and reads as its count with count().
//
// Plain values; thread-compatible, like std::string and int64_t.
#ifndef TIMELEDGER_LEDGER_CORE_IDS_H_
#define TIMELEDGER_LEDGER_CORE_IDS_H_

#include <compare>
#include <cstdint>
#include <ostream>
#include <string>
#include <utility>

#include "absl/strings/string_view.h"

namespace timeledger::ledger {

template <typename Tag>
class Id {
 public:
  Id() = default;
  explicit Id(std::string value) : value_(std::move(value)) {}
  explicit Id(absl::string_view value) : value_(value) {}
  explicit Id(const char* value) : value_(value) {}

  const std::string& value() const { return value_; }
  bool empty() const { return value_.empty(); }

  // Reads as its string where one is wanted: a map key, a message, an encoder's argument.
  operator const std::string&() const { return value_; }  // NOLINT(google-explicit-constructor)
  operator absl::string_view() const { return value_; }   // NOLINT(google-explicit-constructor)

  friend bool operator==(const Id& a, const Id& b) = default;
  friend auto operator<=>(const Id& a, const Id& b) = default;

  template <typename H>
  friend H AbslHashValue(H h, const Id& id) {
    return H::combine(std::move(h), id.value_);
  }
  friend std::ostream& operator<<(std::ostream& out, const Id& id) { return out << id.value_; }

 private:
  std::string value_;
};

// A bank: one time bank (a community centre), its own zero-sum ledger. validate.h ValidateId.
using BankId = Id<struct BankIdTag>;
// An account of one bank: a member, volunteer, member of staff, organisation or pool.
using AccountId = Id<struct AccountIdTag>;
// The caller's id of an entry, unique in its bank, and its idempotency key.
using EntryId = Id<struct EntryIdTag>;

class Minutes {
 public:
  constexpr Minutes() = default;
  constexpr explicit Minutes(int64_t count) : count_(count) {}

  constexpr int64_t count() const { return count_; }

  friend constexpr bool operator==(Minutes a, Minutes b) = default;
  friend constexpr auto operator<=>(Minutes a, Minutes b) = default;
  friend constexpr Minutes operator+(Minutes a, Minutes b) { return Minutes(a.count_ + b.count_); }
  friend constexpr Minutes operator-(Minutes a, Minutes b) { return Minutes(a.count_ - b.count_); }
  constexpr Minutes operator-() const { return Minutes(-count_); }
  constexpr Minutes& operator+=(Minutes other) {
    count_ += other.count_;
    return *this;
  }
  constexpr Minutes& operator-=(Minutes other) {
    count_ -= other.count_;
    return *this;
  }
  friend std::ostream& operator<<(std::ostream& out, Minutes m) { return out << m.count_ << "min"; }

 private:
  int64_t count_ = 0;
};

}  // namespace timeledger::ledger

#endif  // TIMELEDGER_LEDGER_CORE_IDS_H_
