#include "ledger/core/reasons.h"

#include <algorithm>
#include <iterator>

#include "ledger/core/check.h"

namespace timeledger::ledger {
namespace {

// The one table: every reason, its wire string (what clients match on; never changes once
// given) and its code, chosen as STYLE.md says (malformed -> INVALID_ARGUMENT, a rule refuses ->
// FAILED_PRECONDITION, damage found -> DATA_LOSS, ...). A few sites give a reason with another
// code, named at the site with Refusal(code, reason, ...) and in errors.h.
using enum absl::StatusCode;

constexpr ReasonRow kReasons[] = {
    {Reason::kAccountClosed, "ACCOUNT_CLOSED", kFailedPrecondition},
    {Reason::kAccountErased, "ACCOUNT_ERASED", kFailedPrecondition},
    {Reason::kAccountExists, "ACCOUNT_EXISTS", kAlreadyExists},
    {Reason::kAccountHeld, "ACCOUNT_HELD", kPermissionDenied},
    {Reason::kAccountLimit, "ACCOUNT_LIMIT", kFailedPrecondition},
    {Reason::kAccountMismatch, "ACCOUNT_MISMATCH", kDataLoss},
    {Reason::kAccountMissing, "ACCOUNT_MISSING", kDataLoss},
    {Reason::kAccountNotClosed, "ACCOUNT_NOT_CLOSED", kFailedPrecondition},
    {Reason::kAccountNotFound, "ACCOUNT_NOT_FOUND", kNotFound},
    {Reason::kAccountNotInJournal, "ACCOUNT_NOT_IN_JOURNAL", kDataLoss},
    {Reason::kAccountSuspended, "ACCOUNT_SUSPENDED", kFailedPrecondition},
    {Reason::kActivityNotFound, "ACTIVITY_NOT_FOUND", kNotFound},
    {Reason::kActivityRetired, "ACTIVITY_RETIRED", kFailedPrecondition},
    {Reason::kAddressInUse, "ADDRESS_IN_USE", kUnavailable},
    {Reason::kAlreadyReversed, "ALREADY_REVERSED", kFailedPrecondition},
    {Reason::kAttainedInFuture, "ATTAINED_IN_FUTURE", kInvalidArgument},
    {Reason::kAwardIdReused, "AWARD_ID_REUSED", kAlreadyExists},
    {Reason::kAwardMismatch, "AWARD_MISMATCH", kDataLoss},
    {Reason::kAwardOutOfOrder, "AWARD_OUT_OF_ORDER", kFailedPrecondition},
    {Reason::kBackdated, "BACKDATED", kFailedPrecondition},
    {Reason::kBackupCorrupt, "BACKUP_CORRUPT", kDataLoss},
    {Reason::kBackupFailed, "BACKUP_FAILED", kUnavailable},
    {Reason::kBackupNotFound, "BACKUP_NOT_FOUND", kNotFound},
    {Reason::kBalanceCap, "BALANCE_CAP", kFailedPrecondition},
    {Reason::kBalanceMismatch, "BALANCE_MISMATCH", kDataLoss},
    {Reason::kBalanceNotZero, "BALANCE_NOT_ZERO", kFailedPrecondition},
    {Reason::kBankDamaged, "BANK_DAMAGED", kDataLoss},
    {Reason::kBankExists, "BANK_EXISTS", kAlreadyExists},
    {Reason::kBankLimit, "BANK_LIMIT", kFailedPrecondition},
    {Reason::kBankMismatch, "BANK_MISMATCH", kDataLoss},
    {Reason::kBankNotFound, "BANK_NOT_FOUND", kNotFound},
    {Reason::kBusy, "BUSY", kUnavailable},
    {Reason::kCannotReverseReversal, "CANNOT_REVERSE_REVERSAL", kFailedPrecondition},
    {Reason::kCardInUse, "CARD_IN_USE", kAlreadyExists},
    {Reason::kCardLocked, "CARD_LOCKED", kFailedPrecondition},
    {Reason::kCardMismatch, "CARD_MISMATCH", kDataLoss},
    {Reason::kCardOrPinWrong, "CARD_OR_PIN_WRONG", kUnauthenticated},
    {Reason::kCatalogueLimit, "CATALOGUE_LIMIT", kFailedPrecondition},
    {Reason::kCatalogueMismatch, "CATALOGUE_MISMATCH", kDataLoss},
    {Reason::kCatalogueVersionMismatch, "CATALOGUE_VERSION_MISMATCH", kFailedPrecondition},
    {Reason::kCertificateMismatch, "CERTIFICATE_MISMATCH", kPermissionDenied},
    {Reason::kChainBroken, "CHAIN_BROKEN", kDataLoss},
    {Reason::kChainHeadMismatch, "CHAIN_HEAD_MISMATCH", kDataLoss},
    {Reason::kColleagueAccountRequired, "COLLEAGUE_ACCOUNT_REQUIRED", kPermissionDenied},
    {Reason::kCompactTreeFormat, "COMPACT_TREE_FORMAT", kInvalidArgument},
    {Reason::kCompactTreeLength, "COMPACT_TREE_LENGTH", kInvalidArgument},
    {Reason::kConsistencyNewRootMismatch, "CONSISTENCY_NEW_ROOT_MISMATCH", kDataLoss},
    {Reason::kConsistencyOldRootMismatch, "CONSISTENCY_OLD_ROOT_MISMATCH", kDataLoss},
    {Reason::kConsistencyProofLength, "CONSISTENCY_PROOF_LENGTH", kInvalidArgument},
    {Reason::kCorruptRecord, "CORRUPT_RECORD", kDataLoss},
    {Reason::kDailyLimit, "DAILY_LIMIT", kFailedPrecondition},
    {Reason::kDigestHexCharacter, "DIGEST_HEX_CHARACTER", kInvalidArgument},
    {Reason::kDigestHexLength, "DIGEST_HEX_LENGTH", kInvalidArgument},
    {Reason::kEntryDamaged, "ENTRY_DAMAGED", kDataLoss},
    {Reason::kEntryIdReused, "ENTRY_ID_REUSED", kAlreadyExists},
    {Reason::kEntryMaximum, "ENTRY_MAXIMUM", kFailedPrecondition},
    {Reason::kEntryMismatch, "ENTRY_MISMATCH", kDataLoss},
    {Reason::kEntryMisplaced, "ENTRY_MISPLACED", kDataLoss},
    {Reason::kEntryMissing, "ENTRY_MISSING", kDataLoss},
    {Reason::kEntryNotFound, "ENTRY_NOT_FOUND", kNotFound},
    {Reason::kEntryNotInJournal, "ENTRY_NOT_IN_JOURNAL", kDataLoss},
    {Reason::kEntryPositionMismatch, "ENTRY_POSITION_MISMATCH", kDataLoss},
    {Reason::kEntrySeqGap, "ENTRY_SEQ_GAP", kDataLoss},
    {Reason::kFactDamaged, "FACT_DAMAGED", kDataLoss},
    {Reason::kFactInvalid, "FACT_INVALID", kDataLoss},
    {Reason::kFactMisplaced, "FACT_MISPLACED", kDataLoss},
    {Reason::kFileMode, "FILE_MODE", kUnavailable},
    {Reason::kGranularity, "GRANULARITY", kFailedPrecondition},
    {Reason::kHoldingMismatch, "HOLDING_MISMATCH", kDataLoss},
    {Reason::kHoldMismatch, "HOLD_MISMATCH", kDataLoss},
    {Reason::kInclusionProofLength, "INCLUSION_PROOF_LENGTH", kInvalidArgument},
    {Reason::kInclusionRootMismatch, "INCLUSION_ROOT_MISMATCH", kDataLoss},
    {Reason::kInvalidArgument, "INVALID_ARGUMENT", kInvalidArgument},
    {Reason::kInvalidAttainedAt, "INVALID_ATTAINED_AT", kInvalidArgument},
    {Reason::kInvalidBackupDir, "INVALID_BACKUP_DIR", kInvalidArgument},
    {Reason::kInvalidBatchSize, "INVALID_BATCH_SIZE", kInvalidArgument},
    {Reason::kInvalidCardNumber, "INVALID_CARD_NUMBER", kInvalidArgument},
    {Reason::kInvalidContact, "INVALID_CONTACT", kInvalidArgument},
    {Reason::kInvalidDate, "INVALID_DATE", kInvalidArgument},
    {Reason::kInvalidEnum, "INVALID_ENUM", kInvalidArgument},
    {Reason::kInvalidExpiringWithin, "INVALID_EXPIRING_WITHIN", kInvalidArgument},
    {Reason::kInvalidId, "INVALID_ID", kInvalidArgument},
    {Reason::kInvalidKind, "INVALID_KIND", kInvalidArgument},
    {Reason::kInvalidLanguage, "INVALID_LANGUAGE", kInvalidArgument},
    {Reason::kInvalidMinutes, "INVALID_MINUTES", kInvalidArgument},
    {Reason::kInvalidOccurredAt, "INVALID_OCCURRED_AT", kInvalidArgument},
    {Reason::kInvalidPageSize, "INVALID_PAGE_SIZE", kInvalidArgument},
    {Reason::kInvalidPageToken, "INVALID_PAGE_TOKEN", kInvalidArgument},
    {Reason::kInvalidPeriod, "INVALID_PERIOD", kInvalidArgument},
    {Reason::kInvalidPin, "INVALID_PIN", kInvalidArgument},
    {Reason::kInvalidPolicy, "INVALID_POLICY", kInvalidArgument},
    {Reason::kInvalidPrincipal, "INVALID_PRINCIPAL", kInvalidArgument},
    {Reason::kInvalidRequirements, "INVALID_REQUIREMENTS", kInvalidArgument},
    {Reason::kInvalidRole, "INVALID_ROLE", kInvalidArgument},
    {Reason::kInvalidRoles, "INVALID_ROLES", kInvalidArgument},
    {Reason::kInvalidSeq, "INVALID_SEQ", kInvalidArgument},
    {Reason::kInvalidText, "INVALID_TEXT", kInvalidArgument},
    {Reason::kInvalidTimestamp, "INVALID_TIMESTAMP", kInvalidArgument},
    {Reason::kInvalidTimeZone, "INVALID_TIME_ZONE", kInvalidArgument},
    {Reason::kInvalidValidity, "INVALID_VALIDITY", kInvalidArgument},
    {Reason::kJournalChainBroken, "JOURNAL_CHAIN_BROKEN", kDataLoss},
    {Reason::kJournalGap, "JOURNAL_GAP", kDataLoss},
    {Reason::kJournalHeadMismatch, "JOURNAL_HEAD_MISMATCH", kDataLoss},
    {Reason::kJournalMissing, "JOURNAL_MISSING", kFailedPrecondition},
    {Reason::kKindMismatch, "KIND_MISMATCH", kFailedPrecondition},
    {Reason::kListenFailed, "LISTEN_FAILED", kUnavailable},
    {Reason::kMemberConsentRequired, "MEMBER_CONSENT_REQUIRED", kFailedPrecondition},
    {Reason::kMemoryMismatch, "MEMORY_MISMATCH", kDataLoss},
    {Reason::kMerkleError, "MERKLE_ERROR", kInternal},
    {Reason::kMerkleIndexRange, "MERKLE_INDEX_RANGE", kInvalidArgument},
    {Reason::kMerkleLevel, "MERKLE_LEVEL", kInvalidArgument},
    {Reason::kMerkleNodeExtra, "MERKLE_NODE_EXTRA", kDataLoss},
    {Reason::kMerkleNodeMismatch, "MERKLE_NODE_MISMATCH", kDataLoss},
    {Reason::kMerkleNodeMissing, "MERKLE_NODE_MISSING", kDataLoss},
    {Reason::kMerkleNodeOrder, "MERKLE_NODE_ORDER", kFailedPrecondition},
    {Reason::kMerkleProofLengthLimit, "MERKLE_PROOF_LENGTH_LIMIT", kInvalidArgument},
    {Reason::kMerkleSizeOrder, "MERKLE_SIZE_ORDER", kInvalidArgument},
    {Reason::kMerkleTreeFull, "MERKLE_TREE_FULL", kResourceExhausted},
    {Reason::kMerkleTreeSizeLimit, "MERKLE_TREE_SIZE_LIMIT", kInvalidArgument},
    {Reason::kMerkleUnalignedRange, "MERKLE_UNALIGNED_RANGE", kInternal},
    {Reason::kMissingDetails, "MISSING_DETAILS", kInvalidArgument},
    {Reason::kNothingToChange, "NOTHING_TO_CHANGE", kInvalidArgument},
    {Reason::kNotInDigest, "NOT_IN_DIGEST", kOutOfRange},
    {Reason::kNotPayersCard, "NOT_PAYERS_CARD", kPermissionDenied},
    {Reason::kNotYoursToManage, "NOT_YOURS_TO_MANAGE", kPermissionDenied},
    {Reason::kOccurredInFuture, "OCCURRED_IN_FUTURE", kInvalidArgument},
    {Reason::kOfferNotFound, "OFFER_NOT_FOUND", kNotFound},
    {Reason::kOfferRetired, "OFFER_RETIRED", kFailedPrecondition},
    {Reason::kOutOfScope, "OUT_OF_SCOPE", kPermissionDenied},
    {Reason::kOverdraftLimit, "OVERDRAFT_LIMIT", kFailedPrecondition},
    {Reason::kPartnerOwnAccountOnly, "PARTNER_OWN_ACCOUNT_ONLY", kPermissionDenied},
    {Reason::kPartnerSpendOnly, "PARTNER_SPEND_ONLY", kPermissionDenied},
    {Reason::kPendingEntries, "PENDING_ENTRIES", kFailedPrecondition},
    {Reason::kPendingMismatch, "PENDING_MISMATCH", kDataLoss},
    {Reason::kPendingNotFound, "PENDING_NOT_FOUND", kNotFound},
    {Reason::kPendingResolved, "PENDING_RESOLVED", kFailedPrecondition},
    {Reason::kPersonalDataMismatch, "PERSONAL_DATA_MISMATCH", kDataLoss},
    {Reason::kPinNotSet, "PIN_NOT_SET", kFailedPrecondition},
    {Reason::kPlaintextNotLoopback, "PLAINTEXT_NOT_LOOPBACK", kFailedPrecondition},
    {Reason::kPolicyMismatch, "POLICY_MISMATCH", kDataLoss},
    {Reason::kPolicyVersionMismatch, "POLICY_VERSION_MISMATCH", kFailedPrecondition},
    {Reason::kPoolNotClosable, "POOL_NOT_CLOSABLE", kFailedPrecondition},
    {Reason::kPostingMismatch, "POSTING_MISMATCH", kDataLoss},
    {Reason::kPostingMissing, "POSTING_MISSING", kDataLoss},
    {Reason::kPrerequisiteMissing, "PREREQUISITE_MISSING", kFailedPrecondition},
    {Reason::kPrincipalConflict, "PRINCIPAL_CONFLICT", kAlreadyExists},
    {Reason::kQualificationsMissing, "QUALIFICATIONS_MISSING", kDataLoss},
    {Reason::kQualificationNotFound, "QUALIFICATION_NOT_FOUND", kNotFound},
    {Reason::kQualificationRequired, "QUALIFICATION_REQUIRED", kFailedPrecondition},
    {Reason::kQualificationRetired, "QUALIFICATION_RETIRED", kFailedPrecondition},
    {Reason::kRateLimited, "RATE_LIMITED", kResourceExhausted},
    {Reason::kReciprocity, "RECIPROCITY", kFailedPrecondition},
    {Reason::kRedemptionMismatch, "REDEMPTION_MISMATCH", kDataLoss},
    {Reason::kRefused, "REFUSED", kFailedPrecondition},
    {Reason::kRenewalLimit, "RENEWAL_LIMIT", kFailedPrecondition},
    {Reason::kReportTooLarge, "REPORT_TOO_LARGE", kFailedPrecondition},
    {Reason::kReservedEntryId, "RESERVED_ENTRY_ID", kInvalidArgument},
    {Reason::kRestoreFailed, "RESTORE_FAILED", kUnavailable},
    {Reason::kRestoreTargetNotEmpty, "RESTORE_TARGET_NOT_EMPTY", kFailedPrecondition},
    {Reason::kReversalMismatch, "REVERSAL_MISMATCH", kDataLoss},
    {Reason::kReversalNotRecordable, "REVERSAL_NOT_RECORDABLE", kInvalidArgument},
    {Reason::kRewardNotRecordable, "REWARD_NOT_RECORDABLE", kInvalidArgument},
    {Reason::kRoleNotAllowed, "ROLE_NOT_ALLOWED", kPermissionDenied},
    {Reason::kSelfAward, "SELF_AWARD", kPermissionDenied},
    {Reason::kSelfConfirmation, "SELF_CONFIRMATION", kFailedPrecondition},
    {Reason::kSelfCredit, "SELF_CREDIT", kPermissionDenied},
    {Reason::kSelfTransfer, "SELF_TRANSFER", kInvalidArgument},
    {Reason::kSessionEnded, "SESSION_ENDED", kUnauthenticated},
    {Reason::kSessionOfAnotherKiosk, "SESSION_OF_ANOTHER_KIOSK", kPermissionDenied},
    {Reason::kShuttingDown, "SHUTTING_DOWN", kUnavailable},
    {Reason::kStaffOnly, "STAFF_ONLY", kPermissionDenied},
    {Reason::kStaffOnDuty, "STAFF_ON_DUTY", kFailedPrecondition},
    {Reason::kStatementTooLong, "STATEMENT_TOO_LONG", kFailedPrecondition},
    {Reason::kStatusMismatch, "STATUS_MISMATCH", kDataLoss},
    {Reason::kStoreCorrupt, "STORE_CORRUPT", kDataLoss},
    {Reason::kStoreFailed, "STORE_FAILED", kUnavailable},
    {Reason::kStoreFull, "STORE_FULL", kUnavailable},
    {Reason::kStoreLocked, "STORE_LOCKED", kUnavailable},
    {Reason::kStoreLostWrites, "STORE_LOST_WRITES", kDataLoss},
    {Reason::kStoreNotFound, "STORE_NOT_FOUND", kNotFound},
    {Reason::kStoreOpenFailed, "STORE_OPEN_FAILED", kUnavailable},
    {Reason::kStoreUnavailable, "STORE_UNAVAILABLE", kUnavailable},
    {Reason::kSummaryTooLong, "SUMMARY_TOO_LONG", kFailedPrecondition},
    {Reason::kTimeZoneMissing, "TIME_ZONE_MISSING", kFailedPrecondition},
    {Reason::kTlsCertificateExpired, "TLS_CERTIFICATE_EXPIRED", kFailedPrecondition},
    {Reason::kTlsCertificateMissing, "TLS_CERTIFICATE_MISSING", kInvalidArgument},
    {Reason::kTlsCertificateNotYetValid, "TLS_CERTIFICATE_NOT_YET_VALID", kFailedPrecondition},
    {Reason::kTlsClientCaMissing, "TLS_CLIENT_CA_MISSING", kInvalidArgument},
    {Reason::kTlsFileTooLarge, "TLS_FILE_TOO_LARGE", kFailedPrecondition},
    {Reason::kTlsFileUnreadable, "TLS_FILE_UNREADABLE", kFailedPrecondition},
    {Reason::kTlsKeyMismatch, "TLS_KEY_MISMATCH", kFailedPrecondition},
    {Reason::kTlsKeyMissing, "TLS_KEY_MISSING", kInvalidArgument},
    {Reason::kTlsNoCertificate, "TLS_NO_CERTIFICATE", kFailedPrecondition},
    {Reason::kTlsNoKey, "TLS_NO_KEY", kFailedPrecondition},
    {Reason::kTokenNotFound, "TOKEN_NOT_FOUND", kNotFound},
    {Reason::kTokenRevoked, "TOKEN_REVOKED", kPermissionDenied},
    {Reason::kTooManyRequirements, "TOO_MANY_REQUIREMENTS", kInvalidArgument},
    {Reason::kTooManyStreams, "TOO_MANY_STREAMS", kResourceExhausted},
    {Reason::kTooManyTokens, "TOO_MANY_TOKENS", kResourceExhausted},
    {Reason::kTotalMismatch, "TOTAL_MISMATCH", kDataLoss},
    {Reason::kTreeSizeAhead, "TREE_SIZE_AHEAD", kOutOfRange},
    {Reason::kTreeSizeOrder, "TREE_SIZE_ORDER", kInvalidArgument},
    {Reason::kUnauthenticated, "UNAUTHENTICATED", kUnauthenticated},
    {Reason::kWrongAccountKind, "WRONG_ACCOUNT_KIND", kFailedPrecondition},
    {Reason::kZeroSumBroken, "ZERO_SUM_BROKEN", kDataLoss},
};

constexpr bool RowsFollowTheEnum() {
  for (size_t i = 0; i < std::size(kReasons); ++i) {
    if (static_cast<size_t>(kReasons[i].reason) != i) return false;
  }
  return true;
}

constexpr bool NamesAscend() {
  for (size_t i = 1; i < std::size(kReasons); ++i) {
    if (!(kReasons[i - 1].name < kReasons[i].name)) return false;
  }
  return true;
}

static_assert(std::size(kReasons) == kReasonCount, "one row per reason");
static_assert(RowsFollowTheEnum(), "row i is the reason with value i");
static_assert(NamesAscend(), "rows in ascending order of the wire string, without repeats");

const ReasonRow& RowOf(Reason reason) {
  const size_t index = static_cast<size_t>(reason);
  TL_CHECK(index < kReasonCount);
  return kReasons[index];
}

}  // namespace

absl::string_view ReasonName(Reason reason) { return RowOf(reason).name; }

absl::StatusCode ReasonCode(Reason reason) { return RowOf(reason).code; }

std::optional<Reason> ParseReason(absl::string_view name) {
  const auto* row = std::lower_bound(
      std::begin(kReasons), std::end(kReasons), name,
      [](const ReasonRow& row, absl::string_view wanted) { return row.name < wanted; });
  if (row == std::end(kReasons) || row->name != name) return std::nullopt;
  return row->reason;
}

absl::Span<const ReasonRow> AllReasons() { return kReasons; }

}  // namespace timeledger::ledger
