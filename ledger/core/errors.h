// Refusals that carry a stable reason and the figures behind it.
//
// Every error the ledger returns is an absl::Status whose payloads hold a machine-readable reason
// (a Reason of reasons.h, e.g. ACCOUNT_SUSPENDED) and named figures (e.g. balance_minutes).
// services/ turns them into google.rpc.ErrorInfo in exactly one place. Functions here are pure and
// thread-safe.
#ifndef TIMELEDGER_LEDGER_ERRORS_H_
#define TIMELEDGER_LEDGER_ERRORS_H_

#include <cstddef>
#include <initializer_list>
#include <map>
#include <string>
#include <utility>

#include "absl/status/status.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/string_view.h"

#include "ledger/core/reasons.h"

namespace timeledger::ledger {

using Figures = std::initializer_list<std::pair<absl::string_view, std::string>>;

// Returns a refusal for `reason` with the code of its row in the table (reasons.cc), a
// sentence a coordinator can read, and the figures behind it.
absl::Status Refuse(Reason reason, absl::string_view message, Figures figures = {});

// Returns a refusal for `reason` with another code than its row's. The sites that need it:
// a verification finding is DATA_LOSS whatever its reason (verify.cc); ZERO_SUM_BROKEN is
// INTERNAL when the writer catches its own batch before it is written, DATA_LOSS when found in
// the store (write_txn.cc); a reason carried over from another status keeps that status's code
// (FromMerkle in audit.cc, partner_view.cc).
absl::Status Refusal(absl::StatusCode code, Reason reason, absl::string_view message,
                     Figures figures = {});

// The same with a message that begins "REASON: ", as the Merkle tree's and the digests' errors
// are written (ledger/core/merkle.h): a caller that keeps only the message still has the reason.
template <typename... Parts>
absl::Status RefusalSaying(absl::StatusCode code, Reason reason, const Parts&... parts) {
  return Refusal(code, reason, absl::StrCat(ReasonName(reason), ": ", parts...));
}

// Returns BANK_NOT_FOUND for `bank_id` (NOT_FOUND, figure bank_id).
absl::Status BankNotFound(absl::string_view bank_id);

// Returns the wire string of the reason of a status made by Refuse, or "" if it has none.
std::string ReasonOf(const absl::Status& status);

// Returns whether `status` is a refusal for `reason`.
bool HasReason(const absl::Status& status, Reason reason);

// Returns the figures of a status made by Refuse (empty if none).
std::map<std::string, std::string> FiguresOf(const absl::Status& status);

// Returns a copy of `status` with one more figure (e.g. the index of a batch item).
absl::Status WithFigure(absl::Status status, absl::string_view name, std::string value);

// Bytes of a request's input that a message quotes back, at most: a message names what it
// refuses without echoing a 10 kB field.
inline constexpr size_t kEchoBytesMax = 64;

// Returns `text` cut to at most `bytes_max` bytes on a UTF-8 character boundary, ending in "..."
// if it was cut (`bytes_max` of at least 3 bytes).
std::string Truncated(absl::string_view text, size_t bytes_max);

// Returns a request's input as a message may quote it: Truncated to kEchoBytesMax.
std::string EchoOf(absl::string_view input);

}  // namespace timeledger::ledger

#endif  // TIMELEDGER_LEDGER_ERRORS_H_
