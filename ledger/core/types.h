// The vocabulary of the time-bank ledger: identifiers, amounts, accounts and entries, and the
// limits that keep every one of them bounded.
//
// Plain value types: no ownership beyond their own strings, and no thread-safety of their own
// (copy them between threads). Nothing here knows of RocksDB, gRPC or protobuf.
#ifndef TIMELEDGER_LEDGER_TYPES_H_
#define TIMELEDGER_LEDGER_TYPES_H_

#include <array>
#include <cstdint>
#include <string>
#include <utility>
#include <vector>

#include "absl/time/time.h"

#include "ledger/core/personal.h"

namespace timeledger::ledger {

// Limits on everything that grows. Each is enforced where input enters the ledger, and named in
// the refusal when it is hit (docs/API.md lists them).
inline constexpr size_t kIdLengthMax = 64;        // bank and account ids
inline constexpr size_t kEntryIdLengthMax = 128;  // client idempotency keys
inline constexpr size_t kNameLengthMax = 200;     // bank and display names, bytes of UTF-8
inline constexpr size_t kActivityLengthMax = 64;
inline constexpr size_t kNoteLengthMax = 500;
inline constexpr size_t kReasonLengthMax = 500;
inline constexpr size_t kTimeZoneLengthMax = 64;
inline constexpr size_t kPhoneLengthMax = 32;  // digits, spaces and + - ( ) .
inline constexpr size_t kEmailLengthMax = 254;
inline constexpr int64_t kEntryMinutesMax = 24 * 60;  // no single entry exceeds one day
// An imported entry (EntrySpec::imported) may be a member's opening balance: up to 10,000 hours.
inline constexpr int64_t kImportedEntryMinutesMax = 10'000 * 60;

// The ids of the entries the ledger makes itself. Each is registered as an idempotency key like a
// caller's, and a caller's new key may not start with one of these prefixes (RESERVED_ENTRY_ID).
inline constexpr char kCapExcessEntryIdPrefix[] = "cap-excess-of-";            // + the entry's seq
inline constexpr char kClosingDonationEntryIdPrefix[] = "closing-donation-";   // + account id
inline constexpr char kClosingWriteOffEntryIdPrefix[] = "closing-write-off-";  // + account id
// The pending reason of a write-off waiting for a second coordinator (Policy's four eyes).
inline constexpr char kWriteOffPendingReason[] = "WRITE_OFF";
inline constexpr char kExpiryEntryIdPrefix[] = "expiry-";         // + account id "-" + YYYY-MM-DD
inline constexpr char kReversalEntryIdPrefix[] = "reversal-of-";  // + seq: a reversal's default
inline constexpr char kRewardEntryIdPrefix[] = "award-";  // + award id: a qualification reward
inline constexpr size_t kBatchSizeMax = 1000;             // entries in one RecordEntries call
inline constexpr size_t kPageSizeMax = 1000;
inline constexpr size_t kPageSizeDefault = 100;
inline constexpr size_t kBanksMax = 1000;  // banks in one installation
inline constexpr size_t kAccountsPerBankMax = 2'000'000;
inline constexpr size_t kRolesMax = 3;
inline constexpr size_t kRecentDaysMax = 3700;  // days of activity an account remembers
// A client clock may run a little fast; an occurred_at further ahead than this is refused.
inline constexpr absl::Duration kClockSkewMax = absl::Minutes(5);
// Nothing happened in this time bank before this day.
inline constexpr int64_t kOccurredAtMinUnixSeconds = 946684800;  // 2000-01-01T00:00:00Z

// The pool account that every bank is created with.
inline constexpr char kPoolAccountId[] = "pool";

// A SHA-256 digest.
using Digest = std::array<uint8_t, 32>;

enum class AccountKind : uint8_t { kPerson = 1, kOrganisation = 2, kPool = 3 };
enum class Role : uint8_t { kMember = 1, kVolunteer = 2, kStaff = 3 };
enum class AccountStatus : uint8_t { kActive = 1, kSuspended = 2, kClosed = 3 };
enum class EntryKind : uint8_t {
  kExchange = 1,
  kAward = 2,
  kSpend = 3,
  kDonation = 4,
  kGrant = 5,
  kReversal = 6,
  kQualificationReward = 7,  // made only by AwardQualification, pointing at its award
};

// Stable lower-case names, used in messages and canonical encodings.
const char* AccountKindName(AccountKind kind);
const char* RoleName(Role role);
const char* AccountStatusName(AccountStatus status);
const char* EntryKindName(EntryKind kind);

// A time bank: one community of accounts whose balances sum to zero.
struct Bank {
  std::string bank_id;
  std::string name;
  std::string time_zone;  // IANA name
  absl::Time created_at;
};

// What an account gave and received on one day (in its bank's time zone), kept for the days the
// rules look back over (daily limit, reciprocity window). Days count from 1970-01-01.
struct DayActivity {
  int32_t day = 0;
  int64_t given_minutes = 0;     // earned by giving time (exchange, award)
  int64_t received_minutes = 0;  // paid for time or offers received (exchange, spend)
};

// An account with its balance. Minutes are whole minutes of time credit.
struct Account {
  std::string bank_id;
  std::string account_id;
  AccountKind kind = AccountKind::kPerson;
  std::vector<Role> roles;
  std::string display_name;  // "" once the member's personal data was erased
  // The member's personal data was erased (a personal_data_erased fact): shown as "an erased
  // member", not as a member without a name.
  bool personal_data_erased = false;
  // How staff reach the person or organisation ("" if not given, or erased): personal data,
  // held in the account record and, sealed, in contact_set facts (docs/PRIVACY.md).
  std::string phone;
  std::string email;
  AccountStatus status = AccountStatus::kActive;
  absl::Time opened_at;
  int64_t balance_minutes = 0;  // earned_minutes - spent_minutes
  int64_t earned_minutes = 0;
  int64_t spent_minutes = 0;
  uint64_t entry_count = 0;
  int64_t held_minutes = 0;        // promised by pending entries this account pays
  int64_t pending_in_minutes = 0;  // pending entries this account would earn
  absl::Time last_activity_at = absl::InfinitePast();  // last entry that touched it
  std::vector<DayActivity> recent_days;  // oldest first, only days still in a rule's window

  bool HasRole(Role role) const;
};

// What a caller asks to record. The ledger fills in the rest of the Entry.
struct EntrySpec {
  std::string bank_id;
  std::string entry_id;  // idempotency key
  EntryKind kind = EntryKind::kExchange;
  std::string from_account_id;  // pays
  std::string to_account_id;    // earns
  int64_t minutes = 0;
  std::string activity;
  std::string note;
  absl::Time occurred_at = absl::InfinitePast();  // InfinitePast: "now"
  // Who asks, as far as the rules care; set by the service from the caller, never from the wire,
  // and no part of the idempotency fingerprint. A partner's SPEND needs the payer's consent where
  // the bank's policy asks for it (Policy::partner_spend_consent); payer_card_holder is the
  // account whose card and PIN were checked for this very request (KioskDesk::CheckPayerCard),
  // "" if none were given.
  bool recorded_by_partner = false;
  std::string payer_card_holder;
  // History moved in from another system (TigerBeetle's `imported` flag): the entry keeps its
  // own date, the rules that judge the present (policy.h: granularity, entry maximum, daily
  // limit, backdating, floors, caps, reciprocity, confirmation, qualifications) do not judge it,
  // and the entry says so in its hashed bytes. A coordinator's or an admin's only. Part of the
  // fingerprint.
  bool imported = false;
  // Only for an imported REVERSAL: the entry (in this bank) that it undoes.
  uint64_t reverses_seq = 0;
};

// One immutable line of the journal.
// The canonical encodings of an entry (records.h): version 1 hashes its note as it is; version 2,
// written from layout 4 on, hashes the note's commitment (personal.h).
inline constexpr uint8_t kEntryVersionInline = 1;
inline constexpr uint8_t kEntryVersionSealed = 2;
// Version 3: version 2 with a flags byte at the end (only for an entry with a flag set).
inline constexpr uint8_t kEntryVersionFlagged = 3;
inline constexpr uint8_t kEntryFlagImported = 0x01;

struct Entry {
  std::string bank_id;
  uint64_t seq = 0;  // dense per bank, from 1
  std::string entry_id;
  EntryKind kind = EntryKind::kExchange;
  std::string from_account_id;
  std::string to_account_id;
  int64_t minutes = 0;
  std::string activity;
  std::string note;  // "" if none, or if erased (note_seal says which)
  absl::Time occurred_at;
  absl::Time recorded_at;
  std::string recorded_by;
  uint64_t reverses_seq = 0;
  Digest hash{};  // SHA-256(previous hash || canonical bytes of this entry)
  // The canonical encoding (records.h): 1 hashes the note itself, 2 (layout 4) its commitment.
  uint8_t version = kEntryVersionInline;
  PersonalSeal note_seal;  // how the note is held (ledger/core/personal.h)
  // Moved in from another system (EntrySpec::imported); only in version 3.
  bool imported = false;

  // Not part of the entry: filled in on reads once a reversal points at it.
  uint64_t reversed_by_seq = 0;
};

// A rule that let an entry through but wants a coordinator to know (e.g. RECIPROCITY).
struct Warning {
  std::string reason;
  std::string message;
  std::vector<std::pair<std::string, std::string>> figures;
};

// An entry waiting for confirmation: it holds its minutes against the payer's floor but is not in
// the journal until confirmed. Identified by its entry_id.
enum class PendingState : uint8_t { kPending = 1, kConfirmed = 2, kRejected = 3, kExpired = 4 };
const char* PendingStateName(PendingState state);

struct PendingEntry {
  Entry entry;  // seq 0 until confirmed; then the seq of the entry it became
  PendingState state = PendingState::kPending;
  std::string confirm_by;  // the account whose confirmation it waits for
  absl::Time expires_at;
  absl::Time resolved_at = absl::InfinitePast();
  std::string resolved_by;
  std::string reason;  // why it waits (CONFIRMATION or SELF_RECORDED) or was rejected
};

// Given and received over the reciprocity window, for coordinators.
struct ReciprocityFigure {
  int64_t given_minutes = 0;
  int64_t received_minutes = 0;
  int64_t window_days = 0;
};

// What RecordEntry and ReverseEntry give back.
struct Receipt {
  Entry entry;
  bool replayed = false;  // the idempotency key was already recorded with this content
  int64_t from_balance_minutes = 0;
  int64_t to_balance_minutes = 0;
  bool pending = false;  // waiting for confirmation; entry.seq is 0 and nothing moved yet
  std::string confirm_by;
  std::vector<Warning> warnings;
  // Set when the earner's balance cap sent minutes on to the pool, by a second entry.
  int64_t excess_to_pool_minutes = 0;
  uint64_t excess_entry_seq = 0;
  ReciprocityFigure payer_reciprocity;
};

// A line of a listing; running_balance_minutes is set for account statements only.
struct EntryRow {
  Entry entry;
  int64_t running_balance_minutes = 0;
};

template <typename T>
struct Page {
  std::vector<T> items;
  std::string next_page_token;  // empty on the last page
};

}  // namespace timeledger::ledger

#endif  // TIMELEDGER_LEDGER_TYPES_H_
