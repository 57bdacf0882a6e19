#include "ledger/journal/journal.h"

#include <array>
#include <cstring>

#include "ledger/core/coding.h"
#include "ledger/core/errors.h"
#include "ledger/core/records.h"
#include "ledger/core/sha256.h"

namespace timeledger::ledger {
namespace {

constexpr uint8_t kFactVersion = 1;
constexpr size_t kPrincipalLengthMax = kIdLengthMax * 2;
constexpr size_t kPolicyBytesMax = 1 << 14;
constexpr size_t kEntryBytesMax = 4096;
constexpr size_t kRecordBytesMax = 8192;  // a catalogue item or an award

absl::Status Malformed() {
  return Refuse(Reason::kCorruptRecord,
                "a journal fact is damaged or not in the canonical encoding");
}

void PutI64(std::string* out, int64_t value) {
  PutFixed64BigEndian(out, static_cast<uint64_t>(value));
}

bool ReadTime(Reader* reader, absl::Time* time) {
  uint64_t raw = 0;
  if (!reader->ReadFixed64BigEndian(&raw)) return false;
  *time = FromMicros(static_cast<int64_t>(raw));
  return true;
}

bool ReadEnum(Reader* reader, uint8_t low, uint8_t high, uint8_t* value) {
  return reader->ReadByte(value) && *value >= low && *value <= high;
}

bool ReadFactType(Reader* reader, uint8_t* type) {
  return reader->ReadByte(type) &&
         ((*type >= static_cast<uint8_t>(FactType::kBankCreated) &&
           *type <= static_cast<uint8_t>(FactType::kOfferRedeemed)) ||
          *type == static_cast<uint8_t>(FactType::kCardSet) ||
          *type == static_cast<uint8_t>(FactType::kPinSet));
}

void EncodeBody(const Fact& fact, std::string* out) {
  switch (fact.type) {
    case FactType::kBankCreated:
      PutLengthPrefixed(out, fact.bank_name);
      PutLengthPrefixed(out, fact.time_zone);
      return;
    case FactType::kAccountOpened:
      PutLengthPrefixed(out, fact.account_id);
      out->push_back(static_cast<char>(fact.account_kind));
      out->push_back(static_cast<char>(fact.roles.size()));
      for (Role role : fact.roles) out->push_back(static_cast<char>(role));
      PutLengthPrefixed(out, fact.display_name);
      return;
    case FactType::kAccountStatus:
      PutLengthPrefixed(out, fact.account_id);
      out->push_back(static_cast<char>(fact.from_status));
      out->push_back(static_cast<char>(fact.to_status));
      PutLengthPrefixed(out, fact.reason);
      return;
    case FactType::kPolicySet:
      PutFixed64BigEndian(out, fact.policy.version);
      PutLengthPrefixed(out, EncodePolicy(fact.policy));
      return;
    case FactType::kEntry:
      PutLengthPrefixed(out, EncodeEntry(fact.entry));
      return;
    case FactType::kPendingCreated:
      PutLengthPrefixed(out, CanonicalEntryBytes(fact.entry));
      PutLengthPrefixed(out, fact.confirm_by);
      PutI64(out, ToMicros(fact.expires_at));
      PutLengthPrefixed(out, fact.reason);
      return;
    case FactType::kPendingResolved:
      PutLengthPrefixed(out, fact.entry_id);
      out->push_back(static_cast<char>(fact.state));
      PutFixed64BigEndian(out, fact.seq);
      PutLengthPrefixed(out, fact.reason);
      return;
    case FactType::kCardSet:
      PutLengthPrefixed(out, fact.account_id);
      PutLengthPrefixed(out, fact.card_number);
      return;
    case FactType::kPinSet:
      PutLengthPrefixed(out, fact.account_id);
      return;
    case FactType::kCatalogueItem:
      PutLengthPrefixed(out, EncodeCatalogueItem(fact.catalogue_item));
      return;
    case FactType::kQualificationAwarded:
      PutLengthPrefixed(out, EncodeAward(fact.award));
      return;
    case FactType::kOfferRedeemed:
      PutLengthPrefixed(out, fact.offer_code);
      PutFixed64BigEndian(out, fact.seq);
      PutLengthPrefixed(out, fact.account_id);
      PutLengthPrefixed(out, fact.qualification_code);
      return;
  }
}

bool DecodeBody(Reader* reader, Fact* fact) {
  uint8_t byte = 0;
  switch (fact->type) {
    case FactType::kBankCreated:
      return reader->ReadLengthPrefixed(&fact->bank_name, kNameLengthMax) &&
             reader->ReadLengthPrefixed(&fact->time_zone, kTimeZoneLengthMax);
    case FactType::kAccountOpened: {
      uint8_t role_count = 0;
      if (!reader->ReadLengthPrefixed(&fact->account_id, kIdLengthMax) ||
          !ReadEnum(reader, 1, 3, &byte) || !reader->ReadByte(&role_count) ||
          role_count > kRolesMax) {
        return false;
      }
      fact->account_kind = static_cast<AccountKind>(byte);
      for (uint8_t i = 0; i < role_count; ++i) {
        if (!ReadEnum(reader, 1, 3, &byte)) return false;
        fact->roles.push_back(static_cast<Role>(byte));
      }
      return reader->ReadLengthPrefixed(&fact->display_name, kNameLengthMax);
    }
    case FactType::kAccountStatus: {
      uint8_t from = 0, to = 0;
      if (!reader->ReadLengthPrefixed(&fact->account_id, kIdLengthMax) ||
          !ReadEnum(reader, 1, 3, &from) || !ReadEnum(reader, 1, 3, &to)) {
        return false;
      }
      fact->from_status = static_cast<AccountStatus>(from);
      fact->to_status = static_cast<AccountStatus>(to);
      return reader->ReadLengthPrefixed(&fact->reason, kReasonLengthMax);
    }
    case FactType::kPolicySet: {
      uint64_t version = 0;
      std::string bytes;
      if (!reader->ReadFixed64BigEndian(&version) ||
          !reader->ReadLengthPrefixed(&bytes, kPolicyBytesMax)) {
        return false;
      }
      auto policy = DecodePolicy(bytes);
      if (!policy.ok() || policy->version != version) return false;
      // A fact is hashed as it is written, so it has exactly one encoding: the policy record in
      // it must be byte for byte what EncodePolicy writes (tests/fuzz/records_fuzz found one
      // that was not, through an overlong varint; the policy record is not the place to define
      // what "canonical" means, so the fact checks it here).
      if (EncodePolicy(*policy) != bytes) return false;
      fact->policy = *std::move(policy);
      return true;
    }
    case FactType::kEntry: {
      absl::string_view bytes;
      if (!reader->ReadLengthPrefixedView(&bytes, kEntryBytesMax)) return false;
      return DecodeEntryInto(bytes, &fact->entry).ok() && fact->entry.bank_id == fact->bank_id;
    }
    case FactType::kPendingCreated: {
      std::string bytes;
      if (!reader->ReadLengthPrefixed(&bytes, kEntryBytesMax)) return false;
      auto entry = DecodeCanonicalEntry(bytes);
      if (!entry.ok() || entry->bank_id != fact->bank_id) return false;
      fact->entry = *std::move(entry);
      return reader->ReadLengthPrefixed(&fact->confirm_by, kIdLengthMax) &&
             ReadTime(reader, &fact->expires_at) &&
             reader->ReadLengthPrefixed(&fact->reason, kReasonLengthMax);
    }
    case FactType::kPendingResolved:
      if (!reader->ReadLengthPrefixed(&fact->entry_id, kEntryIdLengthMax) ||
          !ReadEnum(reader, 2, 4, &byte)) {
        return false;
      }
      fact->state = static_cast<PendingState>(byte);
      return reader->ReadFixed64BigEndian(&fact->seq) &&
             reader->ReadLengthPrefixed(&fact->reason, kReasonLengthMax);
    case FactType::kCardSet:
      return reader->ReadLengthPrefixed(&fact->account_id, kIdLengthMax) &&
             reader->ReadLengthPrefixed(&fact->card_number, kCardNumberLengthMax);
    case FactType::kPinSet:
      return reader->ReadLengthPrefixed(&fact->account_id, kIdLengthMax);
    case FactType::kCatalogueItem: {
      std::string bytes;
      if (!reader->ReadLengthPrefixed(&bytes, kRecordBytesMax)) return false;
      auto item = DecodeCatalogueItem(bytes);
      if (!item.ok() || item->bank_id != fact->bank_id) return false;
      fact->catalogue_item = *std::move(item);
      return true;
    }
    case FactType::kQualificationAwarded: {
      std::string bytes;
      if (!reader->ReadLengthPrefixed(&bytes, kRecordBytesMax)) return false;
      auto award = DecodeAward(bytes);
      if (!award.ok() || award->bank_id != fact->bank_id) return false;
      fact->award = *std::move(award);
      return true;
    }
    case FactType::kOfferRedeemed:
      return reader->ReadLengthPrefixed(&fact->offer_code, kIdLengthMax) &&
             reader->ReadFixed64BigEndian(&fact->seq) &&
             reader->ReadLengthPrefixed(&fact->account_id, kIdLengthMax) &&
             reader->ReadLengthPrefixed(&fact->qualification_code, kIdLengthMax);
  }
  return false;
}

Fact NewFact(FactType type, const std::string& bank_id, const std::string& principal) {
  Fact fact;
  fact.type = type;
  fact.bank_id = bank_id;
  fact.principal = principal;
  return fact;
}

}  // namespace

const char* FactTypeName(FactType type) {
  switch (type) {
    case FactType::kBankCreated:
      return "bank_created";
    case FactType::kAccountOpened:
      return "account_opened";
    case FactType::kAccountStatus:
      return "account_status";
    case FactType::kPolicySet:
      return "policy_set";
    case FactType::kEntry:
      return "entry";
    case FactType::kPendingCreated:
      return "pending_created";
    case FactType::kPendingResolved:
      return "pending_resolved";
    case FactType::kCardSet:
      return "card_set";
    case FactType::kPinSet:
      return "pin_set";
    case FactType::kCatalogueItem:
      return "catalogue_item";
    case FactType::kQualificationAwarded:
      return "qualification_awarded";
    case FactType::kOfferRedeemed:
      return "offer_redeemed";
  }
  return "unknown";
}

Fact BankCreatedFact(const Bank& bank, const std::string& principal) {
  Fact fact = NewFact(FactType::kBankCreated, bank.bank_id, principal);
  fact.bank_name = bank.name;
  fact.time_zone = bank.time_zone;
  return fact;
}

Fact AccountOpenedFact(const Account& account, const std::string& principal) {
  Fact fact = NewFact(FactType::kAccountOpened, account.bank_id, principal);
  fact.account_id = account.account_id;
  fact.account_kind = account.kind;
  fact.roles = account.roles;
  fact.display_name = account.display_name;
  return fact;
}

Fact AccountStatusFact(const Account& account, AccountStatus from, AccountStatus to,
                       const std::string& reason, const std::string& principal) {
  Fact fact = NewFact(FactType::kAccountStatus, account.bank_id, principal);
  fact.account_id = account.account_id;
  fact.from_status = from;
  fact.to_status = to;
  fact.reason = reason;
  return fact;
}

Fact PolicySetFact(const std::string& bank_id, const Policy& policy, const std::string& principal) {
  Fact fact = NewFact(FactType::kPolicySet, bank_id, principal);
  fact.policy = policy;
  return fact;
}

Fact EntryFact(const Entry& entry) {
  Fact fact = NewFact(FactType::kEntry, entry.bank_id, entry.recorded_by);
  fact.entry = entry;
  fact.entry.reversed_by_seq = 0;
  return fact;
}

Fact PendingCreatedFact(const PendingEntry& pending) {
  Fact fact = NewFact(FactType::kPendingCreated, pending.entry.bank_id, pending.entry.recorded_by);
  fact.entry = pending.entry;
  fact.entry.hash = Digest{};
  fact.confirm_by = pending.confirm_by;
  fact.expires_at = pending.expires_at;
  fact.reason = pending.reason;
  return fact;
}

Fact PendingResolvedFact(const PendingEntry& pending) {
  Fact fact = NewFact(FactType::kPendingResolved, pending.entry.bank_id, pending.resolved_by);
  fact.entry_id = pending.entry.entry_id;
  fact.state = pending.state;
  fact.seq = pending.state == PendingState::kConfirmed ? pending.entry.seq : 0;
  fact.reason = pending.state == PendingState::kConfirmed ? "" : pending.reason;
  return fact;
}

Fact CardSetFact(const std::string& bank_id, const std::string& account_id,
                 const std::string& card_number, const std::string& principal) {
  Fact fact = NewFact(FactType::kCardSet, bank_id, principal);
  fact.account_id = account_id;
  fact.card_number = card_number;
  return fact;
}

Fact PinSetFact(const std::string& bank_id, const std::string& account_id,
                const std::string& principal) {
  Fact fact = NewFact(FactType::kPinSet, bank_id, principal);
  fact.account_id = account_id;
  return fact;
}

Fact CatalogueItemFact(const CatalogueItem& item) {
  Fact fact = NewFact(FactType::kCatalogueItem, item.bank_id, item.changed_by);
  fact.catalogue_item = item;
  return fact;
}

Fact QualificationAwardedFact(const Award& award) {
  Fact fact = NewFact(FactType::kQualificationAwarded, award.bank_id, award.recorded_by);
  fact.award = award;
  return fact;
}

Fact OfferRedeemedFact(const Entry& spend, const CatalogueItem& offer) {
  Fact fact = NewFact(FactType::kOfferRedeemed, spend.bank_id, spend.recorded_by);
  fact.offer_code = offer.code;
  fact.seq = spend.seq;
  fact.account_id = spend.from_account_id;
  fact.qualification_code = offer.leads_to_qualification;
  return fact;
}

std::string EncodeFact(const Fact& fact) {
  std::string out;
  out.reserve(256);
  out.push_back(static_cast<char>(kFactVersion));
  out.push_back(static_cast<char>(fact.type));
  PutLengthPrefixed(&out, fact.bank_id);
  PutFixed64BigEndian(&out, fact.position);
  PutI64(&out, ToMicros(fact.at));
  PutLengthPrefixed(&out, fact.principal);
  EncodeBody(fact, &out);
  return out;
}

namespace {

// DecodeFactInto without the reset after an error.
bool DecodeFactFields(absl::string_view bytes, Fact* fact) {
  if (bytes.size() > kFactBytesMax) return false;
  Reader reader(bytes);
  uint8_t version = 0, type = 0;
  if (!reader.ReadByte(&version) || version != kFactVersion || !ReadFactType(&reader, &type)) {
    return false;
  }
  // Decoding writes every field of an entry fact, none of the others': those must be defaults.
  const bool entry_after_entry =
      type == static_cast<uint8_t>(FactType::kEntry) && fact->type == FactType::kEntry;
  if (!entry_after_entry) *fact = Fact();
  if (!reader.ReadLengthPrefixed(&fact->bank_id, kIdLengthMax) ||
      !reader.ReadFixed64BigEndian(&fact->position) || !ReadTime(&reader, &fact->at) ||
      !reader.ReadLengthPrefixed(&fact->principal, kPrincipalLengthMax)) {
    return false;
  }
  fact->type = static_cast<FactType>(type);
  return DecodeBody(&reader, fact) && reader.done();
}

}  // namespace

absl::StatusOr<Fact> DecodeFact(absl::string_view bytes) {
  Fact fact;
  if (auto status = DecodeFactInto(bytes, &fact); !status.ok()) return status;
  return fact;
}

absl::Status DecodeFactInto(absl::string_view bytes, Fact* fact) {
  if (DecodeFactFields(bytes, fact)) return absl::OkStatus();
  *fact = Fact();
  return Malformed();
}

Digest JournalChainHash(const Digest& previous_chain_hash, const Digest& leaf_hash) {
  std::array<uint8_t, 2 * kDigestBytes> message;
  std::memcpy(message.data(), previous_chain_hash.data(), kDigestBytes);
  std::memcpy(message.data() + kDigestBytes, leaf_hash.data(), kDigestBytes);
  thread_local Sha256 hasher;
  return hasher.Update(absl::Span<const uint8_t>(message)).Finish();
}

}  // namespace timeledger::ledger
