// What a fact of a bank's journal is, and the one place where each type of fact is defined: its
// number, its fields, and its body as an ordered list of named fields (VisitBody). The canonical
// encoding and decoding (journal.cc), the type's name, and its export to proto
// (services/audit_service.cc, by the same names as the fields of its message in audit.proto) all
// follow from that list, so a new type of fact is declared here once. docs/ARCHITECTURE.md
// ("How to add a fact") lists the few other places a new fact goes.
//
// Plain values; thread-safe.
#ifndef TIMELEDGER_LEDGER_JOURNAL_FACT_H_
#define TIMELEDGER_LEDGER_JOURNAL_FACT_H_

#include <cstdint>
#include <string>
#include <type_traits>
#include <vector>

#include "absl/strings/string_view.h"
#include "absl/time/time.h"

#include "ledger/core/personal.h"
#include "ledger/core/types.h"
#include "ledger/rules/kiosk.h"
#include "ledger/rules/policy.h"
#include "ledger/rules/qualifications.h"

namespace timeledger::ledger {

// The number of a type is written in every fact of that type: never reuse or renumber one.
enum class FactType : uint8_t {
  kBankCreated = 1,
  kAccountOpened = 2,
  kAccountStatus = 3,
  kPolicySet = 4,
  kEntry = 5,
  kPendingCreated = 6,
  kPendingResolved = 7,
  kCatalogueItem = 8,
  kQualificationAwarded = 9,
  kOfferRedeemed = 10,
  // Members at a kiosk (ledger/rules/kiosk.h); 11 to 15 are free for other facts of the bank.
  kCardSet = 16,
  kPinSet = 17,
  kLanguageSet = 18,
  // A member's personal data erased (layout 4): the values are gone, the fact says which.
  kPersonalDataErased = 19,
  // An account's name or roles changed (a coordinator's correction): as they now are.
  kAccountChanged = 20,
  // An account's contact details (phone, email) set or changed: both as they now are.
  kContactSet = 21,
};

// The versions of a fact's encoding (journal.h): 1 hashes its personal values as they are; 2,
// written from layout 4 on, hashes their commitments (ledger/core/personal.h), the values being
// held beside the journal.
inline constexpr uint8_t kFactVersionInline = 1;
inline constexpr uint8_t kFactVersionSealed = 2;

// One fact of a bank's journal. Which fields count depends on `type` (VisitBody below); the
// others stay at their defaults and are not encoded.
struct Fact {
  // Decoded facts keep their own; the writer seals each new fact (SealPersonalData, journal.h).
  uint8_t version = kFactVersionInline;
  FactType type = FactType::kEntry;
  std::string bank_id;
  uint64_t position = 0;  // assigned by the journal when appended
  absl::Time at;          // when the ledger recorded it (assigned when appended)
  std::string principal;  // who asked for it

  // kBankCreated
  std::string bank_name;
  std::string time_zone;
  // kAccountOpened, kAccountStatus, kCardSet, kPinSet, kLanguageSet
  std::string account_id;
  AccountKind account_kind = AccountKind::kPerson;
  std::vector<Role> roles;
  std::string display_name;
  PersonalSeal display_name_seal;
  // kAccountOpened: the day a member moved in from another system joined their bank there
  // (the account's opened_at); InfinitePast: joined when the fact was recorded.
  absl::Time joined_at = absl::InfinitePast();
  AccountStatus from_status = AccountStatus::kActive;
  AccountStatus to_status = AccountStatus::kActive;
  // kAccountStatus, kPendingCreated, kPendingResolved
  std::string reason;
  PersonalSeal reason_seal;
  // kPolicySet
  Policy policy;
  // kEntry (with seq and hash), kPendingCreated (seq 0, hash not encoded)
  Entry entry;
  // kPendingCreated
  std::string confirm_by;
  absl::Time expires_at;
  // kPendingResolved
  std::string entry_id;
  PendingState state = PendingState::kPending;
  uint64_t seq = 0;  // also kOfferRedeemed: its SPEND entry
  // kCatalogueItem
  CatalogueItem catalogue_item;
  // kQualificationAwarded
  Award award;
  // kOfferRedeemed (with account_id and seq)
  std::string offer_code;
  std::string qualification_code;
  // kCardSet
  std::string card_number;
  PersonalSeal card_number_seal;
  // kLanguageSet
  std::string language;
  // kContactSet ("": none)
  std::string phone;
  PersonalSeal phone_seal;
  std::string email;
  PersonalSeal email_seal;
  // kPersonalDataErased (with account_id and, sealed, reason)
  std::vector<PersonalField> personal_fields;
};

// Records of their own nested in a fact, each written as str(its own encoding). Decode returns
// false unless the bytes are exactly one valid record that belongs with `fact` (its header is
// already read). Defined in journal.cc.
struct PolicyRecord {  // ledger/rules/policy.h EncodePolicy; its version is the field before it
  static constexpr size_t kBytesMax = 1 << 14;
  static std::string Encode(const Policy& policy);
  static bool Decode(absl::string_view bytes, const Fact& fact, Policy* policy);
};
struct StoredEntryRecord {  // canonical entry bytes || the entry's 32-byte hash (records.h)
  static constexpr size_t kBytesMax = 4096;
  static std::string Encode(const Entry& entry);
  static bool Decode(absl::string_view bytes, const Fact& fact, Entry* entry);
};
struct CanonicalEntryRecord {  // canonical entry bytes, without the hash (records.h)
  static constexpr size_t kBytesMax = 4096;
  static std::string Encode(const Entry& entry);
  static bool Decode(absl::string_view bytes, const Fact& fact, Entry* entry);
};
struct CatalogueItemRecord {  // ledger/rules/qualifications.h EncodeCatalogueItem
  static constexpr size_t kBytesMax = 8192;
  static std::string Encode(const CatalogueItem& item);
  static bool Decode(absl::string_view bytes, const Fact& fact, CatalogueItem* item);
};
struct AwardRecord {  // ledger/rules/qualifications.h EncodeAward
  static constexpr size_t kBytesMax = 8192;
  static std::string Encode(const Award& award);
  static bool Decode(absl::string_view bytes, const Fact& fact, Award* award);
};

// The fields a personal_data_erased fact can name (PersonalField), each at most once.
inline constexpr size_t kPersonalFieldsMax = 6;

// Calls `v` on the body of `fact` (a Fact or a const Fact), field by field in encoding order,
// after v.Name(the type's stable lower-case name, also its field in audit.proto's
// JournalRecord.body). Returns false if fact.type is no type of fact. The calls, and what each
// is in the canonical encoding (str, u8, u64, i64 as in records.h):
//
//   v.Name(name)                          nothing
//   v.Str(name, string, length_max)       str
//   v.U64(name, uint64)                   u64
//   v.Time(name, absl::Time)              i64(microseconds since the epoch)
//   v.Enum(name, enum, low, high)         u8, from low to high
//   v.Enums(name, vector, low, high, max) u8(count, at most max) then u8 each, from low to high
//   v.Record(name, value, R)              str(R::Encode(value)), at most R::kBytesMax bytes
//   v.Personal(name, value, seal, max, f) a personal value (ledger/core/personal.h), field f:
//                                         version 1: str(value); version 2: str("") if empty,
//                                         else str(its 32-byte commitment)
//   v.Optional(present)                   nothing; true if the field after it is there: in
//                                         bytes, if the body goes on (so only the last field
//                                         of a body may be optional)
//
// A name is the field of the type's message in audit.proto; "" is that message itself.
template <class FactRef, class Visitor>
bool VisitBody(FactRef& fact, Visitor& v) {
  static_assert(std::is_same_v<std::remove_const_t<FactRef>, Fact>);
  switch (fact.type) {
    case FactType::kBankCreated:
      v.Name("bank_created");
      v.Str("name", fact.bank_name, kNameLengthMax);
      v.Str("time_zone", fact.time_zone, kTimeZoneLengthMax);
      return true;
    case FactType::kAccountOpened:
      v.Name("account_opened");
      v.Str("account_id", fact.account_id, kIdLengthMax);
      v.Enum("kind", fact.account_kind, AccountKind::kPerson, AccountKind::kPool);
      v.Enums("roles", fact.roles, Role::kMember, Role::kStaff, kRolesMax);
      v.Personal("display_name", fact.display_name, fact.display_name_seal, kNameLengthMax,
                 PersonalField::kDisplayName);
      // Only for a member who moved in (an import): the day they joined, before the fact.
      if (v.Optional(fact.joined_at != absl::InfinitePast())) v.Time("joined_at", fact.joined_at);
      return true;
    case FactType::kAccountChanged:
      v.Name("account_changed");
      v.Str("account_id", fact.account_id, kIdLengthMax);
      v.Personal("display_name", fact.display_name, fact.display_name_seal, kNameLengthMax,
                 PersonalField::kDisplayName);
      v.Enums("roles", fact.roles, Role::kMember, Role::kStaff, kRolesMax);
      return true;
    case FactType::kAccountStatus:
      v.Name("account_status");
      v.Str("account_id", fact.account_id, kIdLengthMax);
      v.Enum("from_status", fact.from_status, AccountStatus::kActive, AccountStatus::kClosed);
      v.Enum("to_status", fact.to_status, AccountStatus::kActive, AccountStatus::kClosed);
      v.Personal("reason", fact.reason, fact.reason_seal, kReasonLengthMax, PersonalField::kReason);
      return true;
    case FactType::kPolicySet:
      v.Name("policy_set");
      v.U64("version", fact.policy.version);
      v.Record("policy", fact.policy, PolicyRecord());
      return true;
    case FactType::kEntry:
      v.Name("entry");
      v.Record("", fact.entry, StoredEntryRecord());
      return true;
    case FactType::kPendingCreated:
      v.Name("pending_created");
      v.Record("entry", fact.entry, CanonicalEntryRecord());
      v.Str("confirm_by", fact.confirm_by, kIdLengthMax);
      v.Time("expires_at", fact.expires_at);
      v.Personal("reason", fact.reason, fact.reason_seal, kReasonLengthMax, PersonalField::kReason);
      return true;
    case FactType::kPendingResolved:
      v.Name("pending_resolved");
      v.Str("entry_id", fact.entry_id, kEntryIdLengthMax);
      v.Enum("state", fact.state, PendingState::kConfirmed, PendingState::kExpired);
      v.U64("seq", fact.seq);  // the entry it became if confirmed, else 0
      v.Personal("reason", fact.reason, fact.reason_seal, kReasonLengthMax, PersonalField::kReason);
      return true;
    case FactType::kCatalogueItem:
      v.Name("catalogue_item");
      v.Record("", fact.catalogue_item, CatalogueItemRecord());
      return true;
    case FactType::kQualificationAwarded:
      // An award that pays is followed by its QUALIFICATION_REWARD entry's fact.
      v.Name("qualification_awarded");
      v.Record("", fact.award, AwardRecord());
      return true;
    case FactType::kOfferRedeemed:
      v.Name("offer_redeemed");
      v.Str("offer_code", fact.offer_code, kIdLengthMax);
      v.U64("seq", fact.seq);  // its SPEND entry, the fact before
      v.Str("account_id", fact.account_id, kIdLengthMax);
      v.Str("qualification_code", fact.qualification_code, kIdLengthMax);  // "" if none
      return true;
    case FactType::kCardSet:
      v.Name("card_set");
      v.Str("account_id", fact.account_id, kIdLengthMax);
      v.Personal("card_number", fact.card_number, fact.card_number_seal,  // "": removed
                 kCardNumberLengthMax, PersonalField::kCardNumber);
      return true;
    case FactType::kPinSet:  // the PIN's hash is never in the journal (kiosk.h)
      v.Name("pin_set");
      v.Str("account_id", fact.account_id, kIdLengthMax);
      return true;
    case FactType::kLanguageSet:
      v.Name("language_set");
      v.Str("account_id", fact.account_id, kIdLengthMax);
      v.Str("language", fact.language, kLanguageLengthMax);  // "": the member's language cleared
      return true;
    case FactType::kContactSet:  // both as they now are; "" for none
      v.Name("contact_set");
      v.Str("account_id", fact.account_id, kIdLengthMax);
      v.Personal("phone", fact.phone, fact.phone_seal, kPhoneLengthMax, PersonalField::kPhone);
      v.Personal("email", fact.email, fact.email_seal, kEmailLengthMax, PersonalField::kEmail);
      return true;
    case FactType::kPersonalDataErased:  // names what was erased, holds none of it
      v.Name("personal_data_erased");
      v.Str("account_id", fact.account_id, kIdLengthMax);
      v.Enums("fields", fact.personal_fields, kPersonalFieldLow, kPersonalFieldHigh,
              kPersonalFieldsMax);
      // Why, as the coordinator gave it (a request's reference, not the member's name). Only
      // in sealed facts: erasures have only ever been written sealed, and the inline form of
      // this fact is fixed by the golden bytes without it.
      if (fact.version == kFactVersionSealed) {
        v.Personal("reason", fact.reason, fact.reason_seal, kReasonLengthMax,
                   PersonalField::kReason);
      }
      return true;
  }
  return false;
}

// Stable lower-case names ("bank_created", ...), used in exports and messages.
const char* FactTypeName(FactType type);

// Every type of fact, in the order of their numbers.
const std::vector<FactType>& FactTypes();

}  // namespace timeledger::ledger

#endif  // TIMELEDGER_LEDGER_JOURNAL_FACT_H_
