// The refusal reasons of the ledger: one exhaustive enum and one table to the wire.
//
// Every refusal the server gives carries one Reason. Its wire string (google.rpc.ErrorInfo's
// `reason`, e.g. "ACCOUNT_SUSPENDED") and its status code are in the one table of reasons.cc;
// docs/API.md lists the same reasons, and tests/ledger/core/reasons_test.cc holds both to it.
// A verification finding (verify.h) is a reason too: it names what the verifier found damaged.
// The reasons are in alphabetical order of their wire strings. Functions here are pure and
// thread-safe.
#ifndef TIMELEDGER_LEDGER_CORE_REASONS_H_
#define TIMELEDGER_LEDGER_CORE_REASONS_H_

#include <cstddef>
#include <cstdint>
#include <optional>

#include "absl/status/status.h"
#include "absl/strings/string_view.h"
#include "absl/types/span.h"

namespace timeledger::ledger {

enum class Reason : uint16_t {
  kAccountClosed,
  kAccountErased,
  kAccountExists,
  kAccountHeld,
  kAccountLimit,
  kAccountMismatch,
  kAccountMissing,
  kAccountNotClosed,
  kAccountNotFound,
  kAccountNotInJournal,
  kAccountSuspended,
  kActivityNotFound,
  kActivityRetired,
  kAddressInUse,
  kAlreadyReversed,
  kAttainedInFuture,
  kAwardIdReused,
  kAwardMismatch,
  kAwardOutOfOrder,
  kBackdated,
  kBackupCorrupt,
  kBackupFailed,
  kBackupNotFound,
  kBalanceCap,
  kBalanceMismatch,
  kBalanceNotZero,
  kBankDamaged,
  kBankExists,
  kBankLimit,
  kBankMismatch,
  kBankNotFound,
  kBusy,
  kCannotReverseReversal,
  kCardInUse,
  kCardLocked,
  kCardMismatch,
  kCardOrPinWrong,
  kCatalogueLimit,
  kCatalogueMismatch,
  kCatalogueVersionMismatch,
  kCertificateMismatch,
  kChainBroken,
  kChainHeadMismatch,
  kColleagueAccountRequired,
  kCompactTreeFormat,
  kCompactTreeLength,
  kConsistencyNewRootMismatch,
  kConsistencyOldRootMismatch,
  kConsistencyProofLength,
  kCorruptRecord,
  kDailyLimit,
  kDigestHexCharacter,
  kDigestHexLength,
  kEntryDamaged,
  kEntryIdReused,
  kEntryMaximum,
  kEntryMismatch,
  kEntryMisplaced,
  kEntryMissing,
  kEntryNotFound,
  kEntryNotInJournal,
  kEntryPositionMismatch,
  kEntrySeqGap,
  kFactDamaged,
  kFactInvalid,
  kFactMisplaced,
  kFileMode,
  kGranularity,
  kHoldingMismatch,
  kHoldMismatch,
  kInclusionProofLength,
  kInclusionRootMismatch,
  kInvalidArgument,
  kInvalidAttainedAt,
  kInvalidBackupDir,
  kInvalidBatchSize,
  kInvalidCardNumber,
  kInvalidDate,
  kInvalidEnum,
  kInvalidExpiringWithin,
  kInvalidId,
  kInvalidKind,
  kInvalidLanguage,
  kInvalidMinutes,
  kInvalidOccurredAt,
  kInvalidPageSize,
  kInvalidPageToken,
  kInvalidPeriod,
  kInvalidPin,
  kInvalidPolicy,
  kInvalidPrincipal,
  kInvalidRequirements,
  kInvalidRole,
  kInvalidRoles,
  kInvalidSeq,
  kInvalidText,
  kInvalidTimestamp,
  kInvalidTimeZone,
  kInvalidValidity,
  kJournalChainBroken,
  kJournalGap,
  kJournalHeadMismatch,
  kJournalMissing,
  kKindMismatch,
  kListenFailed,
  kMemberConsentRequired,
  kMemoryMismatch,
  kMerkleError,
  kMerkleIndexRange,
  kMerkleLevel,
  kMerkleNodeExtra,
  kMerkleNodeMismatch,
  kMerkleNodeMissing,
  kMerkleNodeOrder,
  kMerkleProofLengthLimit,
  kMerkleSizeOrder,
  kMerkleTreeFull,
  kMerkleTreeSizeLimit,
  kMerkleUnalignedRange,
  kMissingDetails,
  kNothingToChange,
  kNotInDigest,
  kNotPayersCard,
  kNotYoursToManage,
  kOccurredInFuture,
  kOfferNotFound,
  kOfferRetired,
  kOutOfScope,
  kOverdraftLimit,
  kPartnerOwnAccountOnly,
  kPartnerSpendOnly,
  kPendingEntries,
  kPendingMismatch,
  kPendingNotFound,
  kPendingResolved,
  kPersonalDataMismatch,
  kPinNotSet,
  kPlaintextNotLoopback,
  kPolicyMismatch,
  kPolicyVersionMismatch,
  kPoolNotClosable,
  kPostingMismatch,
  kPostingMissing,
  kPrerequisiteMissing,
  kPrincipalConflict,
  kQualificationsMissing,
  kQualificationNotFound,
  kQualificationRequired,
  kQualificationRetired,
  kRateLimited,
  kReciprocity,
  kRedemptionMismatch,
  kRefused,
  kRenewalLimit,
  kReportTooLarge,
  kReservedEntryId,
  kRestoreFailed,
  kRestoreTargetNotEmpty,
  kReversalMismatch,
  kReversalNotRecordable,
  kRewardNotRecordable,
  kRoleNotAllowed,
  kSelfAward,
  kSelfConfirmation,
  kSelfCredit,
  kSelfTransfer,
  kSessionEnded,
  kSessionOfAnotherKiosk,
  kShuttingDown,
  kStaffOnly,
  kStaffOnDuty,
  kStatementTooLong,
  kStatusMismatch,
  kStoreCorrupt,
  kStoreFailed,
  kStoreFull,
  kStoreLocked,
  kStoreLostWrites,
  kStoreNotFound,
  kStoreOpenFailed,
  kStoreUnavailable,
  kSummaryTooLong,
  kTimeZoneMissing,
  kTlsCertificateExpired,
  kTlsCertificateMissing,
  kTlsCertificateNotYetValid,
  kTlsClientCaMissing,
  kTlsFileTooLarge,
  kTlsFileUnreadable,
  kTlsKeyMismatch,
  kTlsKeyMissing,
  kTlsNoCertificate,
  kTlsNoKey,
  kTokenNotFound,
  kTokenRevoked,
  kTooManyRequirements,
  kTooManyStreams,
  kTooManyTokens,
  kTotalMismatch,
  kTreeSizeAhead,
  kTreeSizeOrder,
  kUnauthenticated,
  kWrongAccountKind,
  kZeroSumBroken,
};

// The last reason above: a reason added after it moves this too (reasons.cc asserts the table).
inline constexpr Reason kLastReason = Reason::kZeroSumBroken;
inline constexpr size_t kReasonCount = static_cast<size_t>(kLastReason) + 1;

// One row of the table: the reason, its wire string and the status code it is given with.
struct ReasonRow {
  Reason reason;
  absl::string_view name;
  absl::StatusCode code;
};

// Returns the wire string of `reason`, e.g. "ACCOUNT_SUSPENDED".
absl::string_view ReasonName(Reason reason);

// Returns the status code a refusal for `reason` has unless its site says otherwise.
absl::StatusCode ReasonCode(Reason reason);

// Returns the reason whose wire string is `name`, or nullopt if there is none.
std::optional<Reason> ParseReason(absl::string_view name);

// Returns every row of the table, in the order of the enum.
absl::Span<const ReasonRow> AllReasons();

}  // namespace timeledger::ledger

#endif  // TIMELEDGER_LEDGER_CORE_REASONS_H_
