#include "ledger/core/given_received.h"

namespace timeledger::ledger {

bool IsTimeGiven(EntryKind kind) {
  return kind == EntryKind::kExchange || kind == EntryKind::kAward;
}

bool IsTimeReceived(EntryKind kind) {
  return kind == EntryKind::kExchange || kind == EntryKind::kSpend;
}

GivenReceived GivenReceivedBy(const Entry& entry, const Entry* original,
                              absl::string_view account_id) {
  const Entry& counted = original != nullptr ? *original : entry;
  const int64_t minutes = original != nullptr ? -entry.minutes : entry.minutes;
  GivenReceived sums;
  if (counted.to_account_id == account_id && IsTimeGiven(counted.kind)) {
    sums.given_minutes = minutes;
  }
  if (counted.from_account_id == account_id && IsTimeReceived(counted.kind)) {
    sums.received_minutes = minutes;
  }
  return sums;
}

}  // namespace timeledger::ledger
