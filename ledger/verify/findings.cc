#include "ledger/verify/findings.h"

#include "absl/strings/str_cat.h"

#include "ledger/core/errors.h"
#include "ledger/core/sha256.h"

namespace timeledger::ledger::verify_internal {

absl::Status Finding(const std::string& bank_id, Reason reason, const Where& where,
                     absl::string_view what, const std::string& expected,
                     const std::string& found) {
  std::string message = absl::StrCat("bank ", bank_id);
  if (where.position != kNoPosition)
    absl::StrAppend(&message, ", journal position ", where.position);
  if (where.seq != 0) absl::StrAppend(&message, ", entry seq ", where.seq);
  if (!where.account_id.empty()) absl::StrAppend(&message, ", account ", where.account_id);
  absl::StrAppend(&message, ": ", what);
  if (!expected.empty() || !found.empty()) {
    absl::StrAppend(&message, " (expected ", expected, ", found ", found, ")");
  }
  absl::Status status =
      Refusal(absl::StatusCode::kDataLoss, reason, message, {{"bank_id", bank_id}});
  if (where.position != kNoPosition) {
    status = WithFigure(status, "position", std::to_string(where.position));
  }
  if (where.seq != 0) status = WithFigure(status, "seq", std::to_string(where.seq));
  if (!where.account_id.empty()) status = WithFigure(status, "account_id", where.account_id);
  if (!expected.empty()) status = WithFigure(status, "expected", expected);
  if (!found.empty()) status = WithFigure(status, "found", found);
  return status;
}

absl::Status ReadFailed(const std::string& bank_id, const Where& where, absl::string_view what,
                        const absl::Status& cause) {
  const Reason reason = ParseReason(ReasonOf(cause)).value_or(Reason::kStoreCorrupt);
  return Finding(bank_id, reason, where, absl::StrCat("cannot read ", what, ": ", cause.message()));
}

std::string Hex(const Digest& digest) { return DigestToHex(digest); }
std::string Num(int64_t value) { return std::to_string(value); }

}  // namespace timeledger::ledger::verify_internal
