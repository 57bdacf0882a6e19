// The rule engine: whether an entry may be committed under a bank's policy, and how.
//
// Pure functions over values; thread-safe. The writer calls CheckEntryRules with the accounts as
// the current batch has left them, so every check sees the effects of the entries before it.
// Which rules apply to which kinds of entry (docs/POLICY.md has the same table):
//
//   granularity, entry maximum, daily limit, staff duty  time given: EXCHANGE, AWARD (earner)
//   qualifications required by the activity              time given, a person who earns
//   backdating                                           every kind but REVERSAL
//   overdraft floor (with pending holds)                 the payer of every kind (a reversal's
//                                                        payer is the original earner;
//                                                        QUALIFICATION_REWARD included)
//   balance cap                                          a person who earns, every kind
//   reciprocity                                          a person who receives: EXCHANGE, SPEND
//   confirmation                                         EXCHANGE between persons
//   self-recorded                                        the recorder is the earning account
#ifndef TIMELEDGER_LEDGER_RULES_H_
#define TIMELEDGER_LEDGER_RULES_H_

#include <string>
#include <string_view>
#include <vector>

#include "absl/status/status.h"
#include "absl/time/time.h"

#include "ledger/core/types.h"
#include "ledger/rules/policy.h"
#include "ledger/rules/qualifications.h"

namespace timeledger::ledger {

// Everything a rule may look at.
struct RuleInput {
  const Policy& policy;
  absl::TimeZone zone;  // the bank's
  absl::Time now;
  const Entry& entry;   // kind, minutes, activity, occurred_at and recorded_by are set
  const Account& from;  // pays
  const Account& to;    // earns
  // The catalogue's activity named by entry.activity, if there is one, and what the earner holds
  // of the qualifications it requires.
  const CatalogueItem* activity = nullptr;
  const std::vector<Holding>* earner_holdings = nullptr;
  // Recorded by a partner; the account whose card and PIN came with it ("" if none did).
  bool recorded_by_partner = false;
  std::string_view payer_card_holder = {};
};

struct RuleVerdict {
  absl::Status refusal;  // OK, or FailedPrecondition with the rule's reason and figures
  bool needs_confirmation = false;
  std::string confirm_by;      // the account whose confirmation is awaited
  std::string pending_reason;  // CONFIRMATION, SELF_RECORDED or PARTNER_SPEND
  int64_t excess_to_pool_minutes = 0;
  std::vector<Warning> warnings;
  ReciprocityFigure payer_reciprocity;
};

RuleVerdict CheckEntryRules(const RuleInput& input);

// The balance cap on posting minutes to `to`: OK, a refusal, or (cap to pool) the excess.
absl::Status CheckCap(const Policy& policy, const Account& to, int64_t minutes,
                      int64_t* excess_to_pool);

// Days since 1970-01-01 in `zone`.
int32_t DayOf(absl::Time time, absl::TimeZone zone);

// Adds (or with a negative sign, removes) activity on `day` to the account's recent days, and
// forgets days before `oldest_day`.
void RecordActivity(Account* account, int32_t day, int64_t given_minutes, int64_t received_minutes,
                    int32_t oldest_day);

ReciprocityFigure ReciprocityOf(const Account& account, const Policy& policy, int32_t today);

}  // namespace timeledger::ledger

#endif  // TIMELEDGER_LEDGER_RULES_H_
