// What the verifier's checks share (internal to ledger/verify/): where an inconsistency is, how
// a finding is worded, and the models the journal's facts are replayed into.
#ifndef TIMELEDGER_LEDGER_VERIFY_FINDINGS_H_
#define TIMELEDGER_LEDGER_VERIFY_FINDINGS_H_

#include <algorithm>
#include <cstdint>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "absl/status/status.h"
#include "absl/strings/string_view.h"

#include "ledger/core/types.h"
#include "ledger/journal/journal.h"
#include "ledger/store/store.h"

namespace timeledger::ledger::verify_internal {

constexpr uint64_t kNoPosition = UINT64_MAX;
// Entries a confirmation may follow in the journal: the confirmed entry and its cap donation.
constexpr size_t kRecentEntries = 4;

// Where an inconsistency is: a journal position and/or an entry seq and/or an account.
struct Where {
  Where() = default;
  explicit Where(uint64_t position_in, uint64_t seq_in = 0, std::string account_id_in = "")
      : position(position_in), seq(seq_in), account_id(std::move(account_id_in)) {}

  uint64_t position = kNoPosition;
  uint64_t seq = 0;
  std::string account_id;
};

// Returns the finding: DataLoss, `reason`, a sentence naming the place and what differs, and the
// figures bank_id, position, seq, account_id, expected, found (those that apply).
absl::Status Finding(const std::string& bank_id, Reason reason, const Where& where,
                     absl::string_view what, const std::string& expected = "",
                     const std::string& found = "");

// A read of the store failed (a damaged record, a failed read): keeps its reason.
absl::Status ReadFailed(const std::string& bank_id, const Where& where, absl::string_view what,
                        const absl::Status& cause);

// The first two checks every walk of a journal makes of the record it expects at `expected`:
// it is there, and its chain hash follows from *chain_hash, which it advances. Sets *leaf_hash,
// the record's Merkle leaf.
absl::Status FollowChain(const std::string& bank_id, const JournalRecord& record, uint64_t expected,
                         Digest* chain_hash, Digest* leaf_hash);

// The record's fact, decoded into *fact (DecodeFactInto: reuse one Fact across a walk), in the
// canonical encoding and naming the position `expected`.
absl::Status DecodeAt(const std::string& bank_id, const JournalRecord& record, uint64_t expected,
                      Fact* fact);

std::string Hex(const Digest& digest);
std::string Num(int64_t value);

// A finding of the entry side about one entry, whose journal position the entry side reads from
// 'x' afterwards: Finding()'s arguments but the position.
struct EntryFinding {
  Reason reason = Reason::kEntryMismatch;
  uint64_t seq = 0;
  std::string what;
  std::string expected;
  std::string found;
  // The seq whose stored journal position places the finding, if not `seq`: a seq gap shows at
  // the entry read instead of the one expected.
  uint64_t placed_by_seq = 0;
};

struct PendingModel {
  std::string from;
  std::string to;
  int64_t minutes = 0;
};

}  // namespace timeledger::ledger::verify_internal

#endif  // TIMELEDGER_LEDGER_VERIFY_FINDINGS_H_
