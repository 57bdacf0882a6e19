#include "ledger/verify/findings.h"

#include <cstring>

#include "absl/strings/str_cat.h"

#include "ledger/core/errors.h"
#include "ledger/core/merkle.h"
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

absl::Status FollowChain(const std::string& bank_id, const JournalRecord& record, uint64_t expected,
                         Digest* chain_hash, Digest* leaf_hash) {
  const Where where{expected};
  if (record.position != expected) {
    return Finding(bank_id, Reason::kJournalGap, where, "the fact at this position is missing",
                   absl::StrCat("position ", expected), absl::StrCat("position ", record.position));
  }
  *leaf_hash = MerkleLeafHash(record.fact);
  *chain_hash = JournalChainHash(*chain_hash, *leaf_hash);
  // The bytes the store holds are the evidence (all 32, or since layout 4 the first 8 of most).
  if (!StoredChainHashIs(record, *chain_hash)) {
    return Finding(bank_id, Reason::kJournalChainBroken, where,
                   "the fact's chain hash does not follow from the facts before it: the fact or "
                   "its hash was altered",
                   Hex(*chain_hash), Hex(record.chain_hash));
  }
  return absl::OkStatus();
}

absl::Status DecodeAt(const std::string& bank_id, const JournalRecord& record, uint64_t expected,
                      Fact* fact) {
  const Where where{expected};
  if (!DecodeFactInto(record.fact, fact).ok()) {
    return Finding(bank_id, Reason::kFactDamaged, where,
                   "the fact is not in the canonical encoding");
  }
  if (fact->position != expected) {
    return Finding(bank_id, Reason::kFactMisplaced, where, "the fact names another position",
                   Num(expected), std::to_string(fact->position));
  }
  return absl::OkStatus();
}

std::string Hex(const Digest& digest) { return DigestToHex(digest); }
std::string Num(int64_t value) { return std::to_string(value); }

}  // namespace timeledger::ledger::verify_internal
