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
#include <sys/mman.h>

#include "ledger/core/types.h"
#include "ledger/journal/journal.h"
#include "ledger/store/store.h"

namespace timeledger::ledger::verify_internal {

constexpr uint64_t kNoPosition = UINT64_MAX;
// The two sides keep about 100 bytes per entry until both have finished (verify.h). Room for as
// many entries as the chain head announces is reserved up front, up to this many, so that a
// damaged head cannot make it reserve gigabytes; beyond it the vectors grow.
constexpr uint64_t kReservedEntriesMax = uint64_t{1} << 21;
// Entries a confirmation may follow in the journal: the confirmed entry and its cap donation.
constexpr size_t kRecentEntries = 4;

// Reserves room for `count` elements in `values` and asks the kernel to back it with huge pages
// where it can: a million entries take about 100 MB in these vectors, and touching them first in
// 4 KiB pages cost about 5 % of a verification in page faults.
template <typename T>
void ReserveHuge(std::vector<T>* values, size_t count) {
  values->reserve(count);
  constexpr uintptr_t kHugePageBytes = uintptr_t{2} << 20;
  const auto begin = reinterpret_cast<uintptr_t>(values->data());
  const uintptr_t end = begin + values->capacity() * sizeof(T);
  const uintptr_t first = (begin + kHugePageBytes - 1) & ~(kHugePageBytes - 1);
  const uintptr_t last = end & ~(kHugePageBytes - 1);
  // Only advice: without transparent huge pages the vectors work as before.
  if (first < last) madvise(reinterpret_cast<void*>(first), last - first, MADV_HUGEPAGE);
}

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

// An entry as the journal holds it (at index seq - 1), for comparison with the stored entry.
struct EntryRef {
  uint64_t position = 0;
  Digest hash{};
};

// The stored seq -> journal position index, read by the entry side for the journal side.
struct StoredPositions {
  std::vector<uint64_t> positions;         // of seqs 1, 2, ... by seq - 1, as far as they run
  std::optional<SeqMapping> out_of_order;  // the mapping after them if it is not the next seq
  absl::Status status;                     // the read error after them, if any
};

// A finding of the entry side about one entry, whose journal position the entry side reads from
// 'x' after the walk: Finding()'s arguments but the position.
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

// The entries to reserve room for: as many as the chain head says there are, within the limit.
inline size_t ReservedEntries(const ChainHead& head) {
  return static_cast<size_t>(std::min(head.next_seq - 1, kReservedEntriesMax));
}

// An account as the journal's facts make it.
struct AccountModel {
  AccountKind kind = AccountKind::kPerson;
  std::vector<Role> roles;
  std::string display_name;           // "" if erased
  bool personal_data_erased = false;  // a personal_data_erased fact was recorded
  AccountStatus status = AccountStatus::kActive;
  int64_t balance = 0;
  int64_t earned = 0;
  int64_t spent = 0;
  uint64_t entry_count = 0;
  int64_t held = 0;
  int64_t pending_in = 0;
  std::string card_number;  // the last card_set fact's ("" if none)
  bool has_pin = false;     // a pin_set fact was recorded
  std::string language;     // the last language_set fact's ("" if none)
};

struct PendingModel {
  std::string from;
  std::string to;
  int64_t minutes = 0;
};

}  // namespace timeledger::ledger::verify_internal

#endif  // TIMELEDGER_LEDGER_VERIFY_FINDINGS_H_
