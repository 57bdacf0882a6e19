#include "ledger/rules/partner_view.h"

#include <string>
#include <utility>

#include "absl/strings/string_view.h"

#include "ledger/core/errors.h"

namespace timeledger::ledger {
namespace {

// Figures that describe the partner's own request, never another account: what it tried to
// record, which item of a batch, which field, and when to try again.
bool IsFigureOfTheRequest(absl::string_view name) {
  return name == "attempted_minutes" || name == "index" || name == "field" ||
         name == "retry_after_ms" || name == "retry_after_seconds";
}

struct PlainReason {
  Reason reason;
  const char* sentence;
};

// Sentences for the refusals a partner's SPEND meets; each names no one and gives no figure.
constexpr PlainReason kPlainReasons[] = {
    {Reason::kOverdraftLimit, "the member does not have enough time for this"},
    {Reason::kReciprocity, "the member cannot spend more time until they have given some"},
    {Reason::kBalanceCap, "the receiving account cannot hold this much time"},
    {Reason::kDailyLimit, "this is more time than one day allows"},
    {Reason::kStaffOnDuty, "this activity cannot earn time for this account"},
    {Reason::kQualificationRequired,
     "this activity needs a qualification the account does not have"},
    {Reason::kAccountClosed, "one of the accounts is closed"},
    {Reason::kAccountSuspended, "one of the accounts is suspended"},
    {Reason::kAccountNotFound, "no such account in this bank"},
    {Reason::kKindMismatch, "these accounts cannot take part in this kind of entry"},
    {Reason::kEntryIdReused, "this entry_id was already used for a different entry"},
    {Reason::kGranularity, "the minutes are not a whole number of the bank's unit"},
    {Reason::kEntryMaximum, "this is more time than one entry may hold"},
    {Reason::kBackdated, "this entry is dated too far back"},
    {Reason::kMemberConsentRequired, "this bank asks for the member's card and PIN with a spend"},
    {Reason::kNotPayersCard, "the card given is not the paying member's"},
    {Reason::kCardOrPinWrong, "that card number and PIN do not match"},
    {Reason::kCardLocked, "this card is locked for a while after too many wrong PINs"},
    {Reason::kPinNotSet, "this card has no PIN yet; the centre's staff set one"},
    {Reason::kBusy, "the ledger is busy; try again in a moment"},
};

bool IsPartner(const Principal& by) { return by.role == PrincipalRole::kPartner; }

// Refusals of the partner's own rights (ledger/rules/access.h), which the writer decides: they
// name only the partner, its bank and account and what it asked for, so they pass whole.
bool IsAboutThePartnerOnly(absl::string_view reason) {
  return reason == ReasonName(Reason::kOutOfScope) ||
         reason == ReasonName(Reason::kPartnerSpendOnly);
}

}  // namespace

const char* PlainReasonForPartner(absl::string_view reason) {
  for (const PlainReason& plain : kPlainReasons) {
    if (ReasonName(plain.reason) == reason) return plain.sentence;
  }
  return "the ledger refused this entry";
}

Receipt ReceiptAsSeenBy(const Principal& by, Receipt receipt) {
  if (!IsPartner(by)) return receipt;
  const bool pays = by.Owns(receipt.entry.from_account_id);
  const bool earns = by.Owns(receipt.entry.to_account_id);
  if (!pays) {
    receipt.from_balance_minutes = 0;
    receipt.payer_reciprocity = ReciprocityFigure{};
  }
  if (!earns) {
    receipt.to_balance_minutes = 0;
    receipt.excess_to_pool_minutes = 0;
    receipt.excess_entry_seq = 0;
  }
  for (Warning& warning : receipt.warnings) {
    warning.message = PlainReasonForPartner(warning.reason);
    std::erase_if(warning.figures,
                  [](const auto& figure) { return !IsFigureOfTheRequest(figure.first); });
  }
  return receipt;
}

absl::Status RefusalAsSeenBy(const Principal& by, const absl::Status& refusal) {
  if (refusal.ok() || !IsPartner(by)) return refusal;
  if (refusal.code() == absl::StatusCode::kInvalidArgument) return refusal;
  const std::string reason = ReasonOf(refusal);
  if (IsAboutThePartnerOnly(reason)) return refusal;
  absl::Status plain = Refusal(refusal.code(), ParseReason(reason).value_or(Reason::kRefused),
                               PlainReasonForPartner(reason));
  for (auto& [name, value] : FiguresOf(refusal)) {
    if (IsFigureOfTheRequest(name)) plain = WithFigure(std::move(plain), name, std::move(value));
  }
  return plain;
}

absl::StatusOr<Receipt> AsSeenBy(const Principal& by, absl::StatusOr<Receipt> result) {
  if (!result.ok()) return RefusalAsSeenBy(by, result.status());
  return ReceiptAsSeenBy(by, *std::move(result));
}

}  // namespace timeledger::ledger
