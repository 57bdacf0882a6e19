#include "ledger/journal/journal.h"

#include <array>
#include <cstdint>
#include <cstring>
#include <vector>

#include "ledger/core/check.h"
#include "ledger/core/coding.h"
#include "ledger/core/errors.h"
#include "ledger/core/records.h"
#include "ledger/core/sha256.h"

namespace timeledger::ledger {
namespace {

constexpr size_t kPrincipalLengthMax = kIdLengthMax * 2;

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

// Writes a body in the canonical encoding (VisitBody's table).
class BodyEncoder {
 public:
  BodyEncoder(uint8_t version, std::string* out) : version_(version), out_(out) {}

  void Name(const char*) {}
  void Str(const char*, const std::string& value, size_t) { PutLengthPrefixed(out_, value); }
  void U64(const char*, uint64_t value) { PutFixed64BigEndian(out_, value); }
  void Time(const char*, absl::Time value) { PutI64(out_, ToMicros(value)); }
  bool Optional(bool present) { return present; }
  template <class E>
  void Enum(const char*, E value, E, E) {
    out_->push_back(static_cast<char>(value));
  }
  template <class E>
  void Enums(const char*, const std::vector<E>& values, E, E, size_t) {
    out_->push_back(static_cast<char>(values.size()));
    for (E value : values) out_->push_back(static_cast<char>(value));
  }
  template <class T, class R>
  void Record(const char*, const T& value, R) {
    PutLengthPrefixed(out_, R::Encode(value));
  }
  // A sealed fact never hashes a personal value as it is: it must have been sealed, or be empty.
  void Personal(const char*, const std::string& value, const PersonalSeal& seal, size_t,
                PersonalField) {
    if (version_ == kFactVersionInline) {
      TL_CHECK(!seal.committed());
      PutLengthPrefixed(out_, value);
    } else if (!seal.committed()) {
      TL_CHECK(value.empty());
      PutLengthPrefixed(out_, "");
    } else {
      PutVarint64(out_, kDigestBytes);
      out_->append(reinterpret_cast<const char*>(seal.commitment.data()), kDigestBytes);
    }
  }

 private:
  const uint8_t version_;
  std::string* out_;
};

// Reads a body in the canonical encoding into a fact whose header is read. Stops at the first
// field that is not valid; ok() says whether all were.
class BodyDecoder {
 public:
  BodyDecoder(Reader* reader, Fact* fact) : reader_(reader), fact_(fact) {}

  bool ok() const { return ok_; }

  void Name(const char*) {}
  void Str(const char*, std::string& value, size_t length_max) {
    ok_ = ok_ && reader_->ReadLengthPrefixed(&value, length_max);
  }
  void U64(const char*, uint64_t& value) { ok_ = ok_ && reader_->ReadFixed64BigEndian(&value); }
  void Time(const char*, absl::Time& value) {
    ok_ = ok_ && ReadTime(reader_, &value);
    // An optional time that is there has a value: written without one, it is left out.
    ok_ = ok_ && !(optional_ && value == absl::InfinitePast());
    optional_ = false;
  }
  bool Optional(bool) {
    optional_ = ok_ && !reader_->done();
    return optional_;
  }
  template <class E>
  void Enum(const char*, E& value, E low, E high) {
    ok_ = ok_ && ReadEnum(low, high, &value);
  }
  template <class E>
  void Enums(const char*, std::vector<E>& values, E low, E high, size_t count_max) {
    uint8_t count = 0;
    ok_ = ok_ && reader_->ReadByte(&count) && count <= count_max;
    values.clear();
    for (uint8_t i = 0; ok_ && i < count; ++i) {
      ok_ = ReadEnum(low, high, &values.emplace_back());
    }
  }
  template <class T, class R>
  void Record(const char*, T& value, R) {
    absl::string_view bytes;
    ok_ = ok_ && reader_->ReadLengthPrefixedView(&bytes, R::kBytesMax) &&
          R::Decode(bytes, *fact_, &value);
  }
  // In a sealed fact a commitment decodes as an erased value: JoinPersonal gives it its value.
  void Personal(const char*, std::string& value, PersonalSeal& seal, size_t length_max,
                PersonalField) {
    seal = PersonalSeal();
    if (fact_->version == kFactVersionInline) {
      ok_ = ok_ && reader_->ReadLengthPrefixed(&value, length_max);
      return;
    }
    absl::string_view commitment;
    ok_ = ok_ && reader_->ReadLengthPrefixedView(&commitment, kDigestBytes) &&
          (commitment.empty() || commitment.size() == kDigestBytes);
    value.clear();
    if (!ok_ || commitment.empty()) return;
    seal.state = PersonalState::kErased;
    std::memcpy(seal.commitment.data(), commitment.data(), kDigestBytes);
  }

 private:
  template <class E>
  bool ReadEnum(E low, E high, E* value) {
    uint8_t byte = 0;
    if (!reader_->ReadByte(&byte) || byte < static_cast<uint8_t>(low) ||
        byte > static_cast<uint8_t>(high)) {
      return false;
    }
    *value = static_cast<E>(byte);
    return true;
  }

  Reader* reader_;
  Fact* fact_;
  bool ok_ = true;
  bool optional_ = false;  // the field being read is an optional one that is there
};

// Keeps the name VisitBody gives a type.
struct NameOf {
  const char* name = "unknown";
  void Name(const char* type_name) { name = type_name; }
  void Str(const char*, const std::string&, size_t) {}
  void U64(const char*, uint64_t) {}
  void Time(const char*, absl::Time) {}
  bool Optional(bool present) { return present; }
  template <class E>
  void Enum(const char*, E, E, E) {}
  template <class E>
  void Enums(const char*, const std::vector<E>&, E, E, size_t) {}
  template <class T, class R>
  void Record(const char*, const T&, R) {}
  void Personal(const char*, const std::string&, const PersonalSeal&, size_t, PersonalField) {}
};

// The part of every fact before its body (journal.h).
void PutFactHeader(std::string* out, uint8_t version, FactType type, absl::string_view bank_id,
                   uint64_t position, absl::Time at, absl::string_view principal) {
  out->push_back(static_cast<char>(version));
  out->push_back(static_cast<char>(type));
  PutLengthPrefixed(out, bank_id);
  PutFixed64BigEndian(out, position);
  PutI64(out, ToMicros(at));
  PutLengthPrefixed(out, principal);
}

// An entry fact is as sealed as its entry: a sealed entry (layout 4) in a sealed fact.
uint8_t EntryFactVersion(const Entry& entry) {
  return entry.version == kEntryVersionInline ? kFactVersionInline : kFactVersionSealed;
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
  Fact fact;
  fact.type = type;
  NameOf name_of;
  VisitBody(fact, name_of);
  return name_of.name;
}

const std::vector<FactType>& FactTypes() {
  static const std::vector<FactType>* const types = [] {
    auto* list = new std::vector<FactType>;
    Fact fact;
    NameOf name_of;
    for (int number = 0; number <= UINT8_MAX; ++number) {
      fact.type = static_cast<FactType>(number);
      if (VisitBody(fact, name_of)) list->push_back(fact.type);
    }
    return list;
  }();
  return *types;
}

std::string PolicyRecord::Encode(const Policy& policy) { return EncodePolicy(policy); }

bool PolicyRecord::Decode(absl::string_view bytes, const Fact&, Policy* policy) {
  auto decoded = DecodePolicy(bytes);
  // The version before the record is already in *policy and must be the record's own. A fact is
  // hashed as it is written, so it has exactly one encoding: the policy record in it must be
  // byte for byte what EncodePolicy writes (tests/fuzz/records_fuzz found one that was not,
  // through an overlong varint; the policy record is not the place to define what "canonical"
  // means, so the fact checks it here).
  if (!decoded.ok() || decoded->version != policy->version) return false;
  if (EncodePolicy(*decoded) != bytes) return false;
  *policy = *std::move(decoded);
  return true;
}

std::string StoredEntryRecord::Encode(const Entry& entry) { return EncodeEntry(entry); }

bool StoredEntryRecord::Decode(absl::string_view bytes, const Fact& fact, Entry* entry) {
  // Into the entry of the fact before, when that was an entry too: its strings are reused.
  return DecodeEntryInto(bytes, entry).ok() && entry->bank_id == fact.bank_id;
}

std::string CanonicalEntryRecord::Encode(const Entry& entry) { return CanonicalEntryBytes(entry); }

bool CanonicalEntryRecord::Decode(absl::string_view bytes, const Fact& fact, Entry* entry) {
  auto decoded = DecodeCanonicalEntry(bytes);
  if (!decoded.ok() || decoded->bank_id != fact.bank_id) return false;
  *entry = *std::move(decoded);
  return true;
}

std::string CatalogueItemRecord::Encode(const CatalogueItem& item) {
  return EncodeCatalogueItem(item);
}

bool CatalogueItemRecord::Decode(absl::string_view bytes, const Fact& fact, CatalogueItem* item) {
  auto decoded = DecodeCatalogueItem(bytes);
  if (!decoded.ok() || decoded->bank_id != fact.bank_id) return false;
  *item = *std::move(decoded);
  return true;
}

std::string AwardRecord::Encode(const Award& award) { return EncodeAward(award); }

bool AwardRecord::Decode(absl::string_view bytes, const Fact& fact, Award* award) {
  auto decoded = DecodeAward(bytes);
  if (!decoded.ok() || decoded->bank_id != fact.bank_id) return false;
  *award = *std::move(decoded);
  return true;
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

Fact AccountChangedFact(const Account& account, const std::string& principal) {
  Fact fact = NewFact(FactType::kAccountChanged, account.bank_id, principal);
  fact.account_id = account.account_id;
  fact.roles = account.roles;
  fact.display_name = account.display_name;
  return fact;
}

Fact ContactSetFact(const Account& account, const std::string& principal) {
  Fact fact = NewFact(FactType::kContactSet, account.bank_id, principal);
  fact.account_id = account.account_id;
  fact.phone = account.phone;
  fact.email = account.email;
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
  fact.version = EntryFactVersion(entry);
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

Fact LanguageSetFact(const std::string& bank_id, const std::string& account_id,
                     const std::string& language, const std::string& principal) {
  Fact fact = NewFact(FactType::kLanguageSet, bank_id, principal);
  fact.account_id = account_id;
  fact.language = language;
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

Fact PersonalDataErasedFact(const std::string& bank_id, const std::string& account_id,
                            std::vector<PersonalField> fields, const std::string& reason,
                            const std::string& principal) {
  Fact fact = NewFact(FactType::kPersonalDataErased, bank_id, principal);
  fact.version = kFactVersionSealed;  // its reason is only encoded sealed (fact.h)
  fact.account_id = account_id;
  fact.personal_fields = std::move(fields);
  fact.reason = reason;
  return fact;
}

void SealEntryNote(Entry* entry) {
  entry->version = entry->imported ? kEntryVersionFlagged : kEntryVersionSealed;
  if (!entry->note_seal.committed()) entry->note_seal = SealPersonal(entry->note);
  TL_CHECK(entry->note.empty() || entry->note_seal.state == PersonalState::kHeld);
}

void SealPersonalData(Fact* fact) {
  TL_CHECK(fact->type != FactType::kEntry || fact->entry.version != kEntryVersionInline);
  fact->version = kFactVersionSealed;
  if (fact->type == FactType::kPendingCreated) fact->entry.version = kEntryVersionSealed;
  ForEachPersonal(*fact, [](PersonalField, std::string& value, PersonalSeal& seal, size_t) {
    if (!seal.committed()) seal = SealPersonal(value);
    TL_CHECK(value.empty() || seal.state == PersonalState::kHeld);
  });
}

std::vector<PersonalRecord> PersonalRecordsOf(const Fact& fact) {
  std::vector<PersonalRecord> records;
  ForEachPersonal(
      fact, [&](PersonalField field, const std::string& value, const PersonalSeal& seal, size_t) {
        if (seal.state != PersonalState::kHeld) return;
        records.push_back(PersonalRecord{fact.position, field, seal.salt, value});
      });
  return records;
}

namespace {

void JoinValue(absl::Span<const PersonalRecord> records, PersonalField field, std::string* value,
               PersonalSeal* seal) {
  if (seal->state != PersonalState::kErased) return;
  for (const PersonalRecord& record : records) {
    if (record.field != field || !MatchesCommitment(record, *seal)) continue;
    *value = record.value;
    seal->salt = record.salt;
    seal->state = PersonalState::kHeld;
    return;
  }
}

}  // namespace

void JoinPersonal(absl::Span<const PersonalRecord> records, Fact* fact) {
  if (records.empty()) return;
  ForEachPersonal(*fact, [&](PersonalField field, std::string& value, PersonalSeal& seal, size_t) {
    JoinValue(records, field, &value, &seal);
  });
}

void JoinPersonal(absl::Span<const PersonalRecord> records, Entry* entry) {
  JoinValue(records, PersonalField::kNote, &entry->note, &entry->note_seal);
}

absl::Status DecodeJoinedFactInto(absl::string_view bytes, absl::Span<const PersonalRecord> records,
                                  Fact* fact) {
  if (auto status = DecodeFactInto(bytes, fact); !status.ok()) return status;
  JoinPersonal(records, fact);
  return absl::OkStatus();
}

absl::StatusOr<Fact> DecodeJoinedFact(absl::string_view bytes,
                                      absl::Span<const PersonalRecord> records) {
  Fact fact;
  if (auto status = DecodeJoinedFactInto(bytes, records, &fact); !status.ok()) return status;
  return fact;
}

std::string EncodeFact(const Fact& fact) {
  std::string out;
  out.reserve(256);
  PutFactHeader(&out, fact.version, fact.type, fact.bank_id, fact.position, fact.at,
                fact.principal);
  BodyEncoder encoder(fact.version, &out);
  TL_CHECK(VisitBody(fact, encoder));
  return out;
}

std::string EncodeEntryFact(const Entry& entry, absl::string_view canonical_entry,
                            uint64_t position, absl::Time at) {
  // The body of an entry fact is one StoredEntryRecord: str(canonical bytes || hash).
  std::string out;
  out.reserve(32 + entry.bank_id.size() + entry.recorded_by.size() + canonical_entry.size() +
              kDigestBytes);
  PutFactHeader(&out, EntryFactVersion(entry), FactType::kEntry, entry.bank_id, position, at,
                entry.recorded_by);
  PutVarint64(&out, canonical_entry.size() + kDigestBytes);
  out.append(canonical_entry.data(), canonical_entry.size());
  out.append(reinterpret_cast<const char*>(entry.hash.data()), kDigestBytes);
  return out;
}

namespace {

// DecodeFactInto without the reset after an error.
bool DecodeFactFields(absl::string_view bytes, Fact* fact) {
  if (bytes.size() > kFactBytesMax) return false;
  Reader reader(bytes);
  uint8_t version = 0, type = 0;
  if (!reader.ReadByte(&version) ||
      (version != kFactVersionInline && version != kFactVersionSealed) || !reader.ReadByte(&type)) {
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
  fact->version = version;
  fact->type = static_cast<FactType>(type);
  BodyDecoder decoder(&reader, fact);
  return VisitBody(*fact, decoder) && decoder.ok() && reader.done();
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
