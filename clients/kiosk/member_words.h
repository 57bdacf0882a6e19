// The plain words a member reads at the kiosk, in their language: amounts of time, the balance
// (kindly, when it is below zero), each entry as a sentence, days and months. One place for all
// of them, so that they read the same everywhere and can be tested. Every word comes from the
// kiosk's message catalogues (clients/kiosk/kiosk_messages.h); this file holds keys and the
// choice between them, never words (tests/clients/kiosk_literals_test.cc holds it to that).
//
// A MemberWords refers to Messages it does not own, which must outlive it. Const; thread-safe.
#ifndef TIMELEDGER_CLIENTS_KIOSK_MEMBER_WORDS_H_
#define TIMELEDGER_CLIENTS_KIOSK_MEMBER_WORDS_H_

#include <cstdint>
#include <string>

#include "absl/strings/string_view.h"
#include "absl/time/civil_time.h"
#include "absl/time/time.h"

#include "clients/common/messages.h"
#include "timeledger/v1/kiosk.pb.h"

namespace timeledger::kiosk {

namespace v1 = ::timeledger::v1;

class MemberWords {
 public:
  // Words in `language`; a language without a catalogue reads English.
  MemberWords(const clients::Messages& messages, std::string language);

  const std::string& language() const { return language_; }
  // The message of `key` with `args`, in this language (Messages::Format).
  std::string Say(absl::string_view key, const clients::MessageArgs& args = {}) const;

  // "1 hour 30 minutes", "12 hours", "45 minutes", "no time" (for 0); the sign is ignored.
  std::string TimeWords(int64_t minutes) const;

  // The headline: "You have 12 hours 30 minutes." or, below zero, "You have received 2 hours
  // more than you have given."
  std::string BalanceWords(int64_t balance_minutes) const;
  // A kind word to go with a balance below zero (empty otherwise).
  std::string BalanceNote(int64_t balance_minutes) const;

  // "today", "yesterday", "Tuesday" (within the last week), "3 March", "3 March 2025" (another
  // year), as `when` falls in `zone` seen from `now`.
  std::string DayWords(absl::Time when, absl::Time now, absl::TimeZone zone) const;
  // "3 March 2027": a date in full, for when something ends.
  std::string DateWords(absl::Time when, absl::TimeZone zone) const;
  // "November" and "Nov"; the year is added to the long form ("November 2025").
  std::string MonthWords(int year, int month, bool with_year) const;
  std::string MonthShortWords(int month) const;

  // "You helped Bob Okafor with gardening", "Alice Brown helped you with shopping", "You used
  // your time at Community café for lunch", ...: what happened, from the member's side, without
  // amount. What it was for is the catalogue's title when the line has one, else the activity.
  std::string EntrySentence(const v1::MemberEntryLine& line) const;
  // The whole line as the kiosk lists it, `when` from DayWords: "You helped Bob Okafor with
  // gardening — 1 hour 30 minutes, today.", and for an offer bought: "You spent 3 hours on the
  // Food hygiene course, today."
  std::string EntryLineWords(const v1::MemberEntryLine& line, const std::string& when) const;
  // "You spent 3 hours on courses and offers." for a month's spending; empty for none.
  std::string MonthSpentWords(int64_t spent_minutes) const;
  // For a pending entry: "Alice Brown says they helped you with shopping", from the member's
  // side, and what confirming would do: "If you confirm, 1 hour goes from your time to Alice
  // Brown."
  std::string AwaitingSentence(const v1::AwaitingEntry& awaiting) const;
  std::string AwaitingConsequence(const v1::AwaitingEntry& awaiting) const;

 private:
  // The message of `key` with the other party, or of `key_with` if there is an activity too.
  std::string WithOrWithout(absl::string_view key, absl::string_view key_with,
                            const std::string& other, const std::string& activity) const;
  std::string Day(absl::CivilDay day, absl::string_view skeleton) const;

  const clients::Messages& messages_;
  std::string language_;
};

}  // namespace timeledger::kiosk

#endif  // TIMELEDGER_CLIENTS_KIOSK_MEMBER_WORDS_H_
