// QualificationReplay: the verifier's model of a bank's qualifications, rebuilt from its journal.
//
// Fed every fact in journal order (catalogue changes, awards, offers redeemed, and every entry),
// it rebuilds the catalogue, every holding and every award with the same pure functions the
// writer uses (ledger/rules/qualifications.h), and checks as it goes that each award paid exactly
// what the catalogue and the member's holding called for, by the QUALIFICATION_REWARD entry that
// follows it and points at it; that no reward entry is without its award; and that each offer
// redeemed is the SPEND entry before it, at the offer's price, to the offer's organisation.
// Compare() then checks the stored catalogue, holdings and awards against the model.
//
// Used by ledger/verify/verify.cc on one thread. Not thread-safe.
#ifndef TIMELEDGER_LEDGER_QUALIFICATION_REPLAY_H_
#define TIMELEDGER_LEDGER_QUALIFICATION_REPLAY_H_

#include <map>
#include <optional>
#include <string>
#include <utility>

#include "ledger/core/reasons.h"
#include "ledger/journal/journal.h"
#include "ledger/rules/qualifications.h"
#include "ledger/store/store.h"

namespace timeledger::ledger {

// An inconsistency, in the terms of verify.h's findings.
struct ReplayProblem {
  Reason reason = Reason::kAwardMismatch;
  std::string what;  // a sentence
  std::string expected;
  std::string found;
  uint64_t seq = 0;
  std::string account_id;
};

class QualificationReplay {
 public:
  // A catalogue_item, qualification_awarded or offer_redeemed fact.
  std::optional<ReplayProblem> Apply(const Fact& fact);
  // Every entry fact, in order.
  std::optional<ReplayProblem> OnEntry(const Entry& entry);
  // At the end of the journal: no award may still wait for its reward.
  std::optional<ReplayProblem> Finish() const;
  // The stored records against the model. A read error is returned as the status.
  absl::StatusOr<std::optional<ReplayProblem>> Compare(StoreReader& snapshot,
                                                       const std::string& bank_id) const;

 private:
  std::optional<ReplayProblem> ApplyItem(const Fact& fact);
  std::optional<ReplayProblem> ApplyAwardFact(const Award& award);
  std::optional<ReplayProblem> ApplyRedeemed(const Fact& fact);
  Holding& HoldingOf(const std::string& bank_id, const std::string& account_id,
                     const std::string& code);

  std::map<std::pair<CatalogueKind, std::string>, CatalogueItem> catalogue_;
  std::map<std::pair<std::string, std::string>, Holding> holdings_;  // (account, code)
  std::map<std::string, Award> awards_;
  std::optional<Award> awaiting_reward_;
  std::optional<Entry> last_entry_;
};

}  // namespace timeledger::ledger

#endif  // TIMELEDGER_LEDGER_QUALIFICATION_REPLAY_H_
