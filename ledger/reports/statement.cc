#include <algorithm>
#include <cstdlib>
#include <memory>
#include <optional>

#include "absl/container/flat_hash_map.h"
#include "absl/container/flat_hash_set.h"
#include "absl/strings/str_cat.h"

#include "ledger/core/errors.h"
#include "ledger/core/given_received.h"
#include "ledger/core/validate.h"
#include "ledger/reports/report.h"
#include "ledger/reports/report_reads.h"
#include "ledger/rules/policy.h"

namespace timeledger::ledger {
namespace {

using report_internal::CorruptStore;
using report_internal::FindBank;
using report_internal::LastSeqRecordedBefore;
using report_internal::ValidatePeriod;
using report_internal::ZoneOf;

// Adds one entry to `statement`: its line, and its minutes to the totals. A reversal counts
// against the kind of the entry it undoes, from the other side.
absl::Status AddStatementLine(StoreReader& view, const Entry& entry, int64_t balance_after,
                              Statement* statement) {
  if (statement->lines.size() == kStatementLinesMax) {
    return Refuse(Reason::kStatementTooLong,
                  absl::StrCat("the statement would have more than ", kStatementLinesMax,
                               " lines; choose a shorter period"),
                  {{"limit", std::to_string(kStatementLinesMax)}});
  }
  const std::string& account_id = statement->account.account_id;
  const bool earns = entry.to_account_id == account_id;
  (earns ? statement->earned_minutes : statement->paid_minutes) += entry.minutes;
  std::optional<Entry> original;
  if (entry.kind == EntryKind::kReversal) {
    auto read = view.GetEntry(entry.bank_id, entry.reverses_seq);
    if (!read.ok()) return read.status();
    if (!read->has_value()) {
      return CorruptStore(absl::StrCat("reversal ", entry.seq, " points at no entry"));
    }
    original = **std::move(read);
  }
  const GivenReceived sums =
      GivenReceivedBy(entry, original.has_value() ? &*original : nullptr, account_id);
  statement->given_minutes += sums.given_minutes;
  statement->received_minutes += sums.received_minutes;
  StatementLine line;
  line.entry = entry;
  line.signed_minutes = earns ? entry.minutes : -entry.minutes;
  line.balance_after_minutes = balance_after;
  line.other_account_id = earns ? entry.from_account_id : entry.to_account_id;
  statement->lines.push_back(std::move(line));
  return absl::OkStatus();
}

}  // namespace

absl::StatusOr<Statement> BuildStatement(StoreReader& view, const StatementRequest& request,
                                         absl::Time now) {
  if (auto s = ValidateId("bank_id", request.bank_id); !s.ok()) return s;
  if (auto s = ValidateId("account_id", request.account_id); !s.ok()) return s;
  if (auto s = ValidatePeriod(request.first_day, request.last_day); !s.ok()) return s;
  auto bank = FindBank(view, request.bank_id);
  if (!bank.ok()) return bank.status();
  auto zone = ZoneOf(*bank);
  if (!zone.ok()) return zone.status();
  auto account = view.GetAccount(request.bank_id, request.account_id);
  if (!account.ok()) return account.status();
  if (!account->has_value()) {
    return Refuse(Reason::kAccountNotFound,
                  absl::StrCat("there is no account ", request.account_id.value(), " in bank ",
                               request.bank_id.value()),
                  {{"bank_id", request.bank_id}, {"account_id", request.account_id}});
  }
  auto head = view.GetChainHead(request.bank_id);
  if (!head.ok()) return head.status();

  Statement statement;
  statement.bank = *std::move(bank);
  statement.account = **std::move(account);
  statement.first_day = request.first_day;
  statement.last_day = request.last_day;
  statement.generated_at = now;
  statement.through_seq = head->next_seq - 1;
  // The range in seqs: the entries recorded from the first day's start to the last day's end.
  const absl::Time from = absl::FromCivil(request.first_day, *zone);
  const absl::Time to = absl::FromCivil(request.last_day + 1, *zone);
  auto after_seq = LastSeqRecordedBefore(view, request.bank_id, statement.through_seq, from);
  if (!after_seq.ok()) return after_seq.status();
  auto through_seq = LastSeqRecordedBefore(view, request.bank_id, statement.through_seq, to);
  if (!through_seq.ok()) return through_seq.status();

  const std::vector<std::string> ids = {request.account_id};
  auto opening = view.BalancesAfter(request.bank_id, ids, *after_seq);
  if (!opening.ok()) return opening.status();
  statement.opening_balance_minutes = (*opening)[0];
  auto status =
      view.ForEachPosting(request.bank_id, request.account_id, *after_seq, *through_seq,
                          [&](const Entry& entry, int64_t balance_after) {
                            return AddStatementLine(view, entry, balance_after, &statement);
                          });
  if (!status.ok()) return status;
  auto closing = view.BalancesAfter(request.bank_id, ids, *through_seq);
  if (!closing.ok()) return closing.status();
  statement.closing_balance_minutes = (*closing)[0];
  // The postings must add up: a running balance that does not is a damaged store.
  if (statement.opening_balance_minutes + statement.earned_minutes - statement.paid_minutes !=
      statement.closing_balance_minutes) {
    return CorruptStore(
        absl::StrCat("the postings of ", request.account_id.value(), " do not add up"));
  }
  return statement;
}

}  // namespace timeledger::ledger
