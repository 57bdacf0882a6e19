#include "ledger/core/records.h"

#include <cstring>

#include "ledger/core/check.h"
#include "ledger/core/coding.h"
#include "ledger/core/errors.h"
#include "ledger/core/sha256.h"

namespace timeledger::ledger {
namespace {

constexpr uint8_t kRecordVersion = 1;
// An account whose member's personal data was erased, or with contact details: version 1's
// fields, then u8(flags): kAccountErasedFlag, and kAccountContactFlag followed by str(phone)
// str(email).
constexpr uint8_t kAccountErasedVersion = 2;
constexpr uint8_t kAccountErasedFlag = 0x01;
constexpr uint8_t kAccountContactFlag = 0x02;
constexpr uint8_t kChainHeadVersion = 2;         // with the journal head
constexpr uint8_t kChainHeadCountedVersion = 3;  // and the number of accounts

absl::Status Malformed(absl::string_view what) {
  return Refuse(Reason::kCorruptRecord,
                std::string("a stored ") + std::string(what) + " record is damaged");
}

void PutI64(std::string* out, int64_t value) {
  PutFixed64BigEndian(out, static_cast<uint64_t>(value));
}

bool ReadI64(Reader* reader, int64_t* value) {
  uint64_t raw = 0;
  if (!reader->ReadFixed64BigEndian(&raw)) return false;
  *value = static_cast<int64_t>(raw);
  return true;
}

bool ReadTime(Reader* reader, absl::Time* time) {
  int64_t micros = 0;
  if (!ReadI64(reader, &micros)) return false;
  *time = FromMicros(micros);
  return true;
}

bool ValidKind(uint8_t kind) { return kind >= 1 && kind <= 7; }

bool ReadDigest(Reader* reader, Digest* digest) {
  absl::string_view bytes;
  if (!reader->ReadBytes(digest->size(), &bytes)) return false;
  std::memcpy(digest->data(), bytes.data(), digest->size());
  return true;
}

void PutDigest(std::string* out, const Digest& digest) {
  out->append(reinterpret_cast<const char*>(digest.data()), digest.size());
}

// Reads an entry's note: in version 1 the note itself; in version 2 nothing (no note) or its
// commitment, whose note reads as erased until its personal record is joined (journal.h).
bool ReadNote(Reader* reader, uint8_t version, Entry* entry) {
  entry->note_seal = PersonalSeal();
  if (version == kEntryVersionInline)
    return reader->ReadLengthPrefixed(&entry->note, kNoteLengthMax);
  absl::string_view commitment;
  if (!reader->ReadLengthPrefixedView(&commitment, kDigestBytes)) return false;
  entry->note.clear();
  if (commitment.empty()) return true;
  if (commitment.size() != kDigestBytes) return false;
  entry->note_seal.state = PersonalState::kErased;
  std::memcpy(entry->note_seal.commitment.data(), commitment.data(), kDigestBytes);
  return true;
}

// Reads the canonical part of an entry (see records.h).
bool ReadCanonicalEntry(Reader* reader, Entry* entry) {
  uint8_t version = 0, kind = 0;
  if (!reader->ReadByte(&version) || version < kEntryVersionInline ||
      version > kEntryVersionFlagged) {
    return false;
  }
  entry->version = version;
  entry->imported = false;
  if (!reader->ReadLengthPrefixed(&entry->bank_id, kIdLengthMax)) return false;
  if (!reader->ReadFixed64BigEndian(&entry->seq)) return false;
  if (!reader->ReadLengthPrefixed(&entry->entry_id, kEntryIdLengthMax)) return false;
  if (!reader->ReadByte(&kind) || !ValidKind(kind)) return false;
  entry->kind = static_cast<EntryKind>(kind);
  if (!reader->ReadLengthPrefixed(&entry->from_account_id, kIdLengthMax)) return false;
  if (!reader->ReadLengthPrefixed(&entry->to_account_id, kIdLengthMax)) return false;
  if (!ReadI64(reader, &entry->minutes)) return false;
  if (!reader->ReadLengthPrefixed(&entry->activity, kActivityLengthMax)) return false;
  if (!ReadNote(reader, version, entry)) return false;
  if (!ReadTime(reader, &entry->occurred_at) || !ReadTime(reader, &entry->recorded_at))
    return false;
  if (!reader->ReadLengthPrefixed(&entry->recorded_by, kIdLengthMax * 2)) return false;
  if (!reader->ReadFixed64BigEndian(&entry->reverses_seq)) return false;
  if (version != kEntryVersionFlagged) return true;
  // A version 3 entry has a flag set, and only flags that exist.
  uint8_t flags = 0;
  if (!reader->ReadByte(&flags) || flags != kEntryFlagImported) return false;
  entry->imported = true;
  return true;
}

// Writes an entry's note as its version says (ReadNote). A version 2 entry's note is never
// hashed as it is: it must be sealed, or empty.
void PutNote(std::string* out, const Entry& entry) {
  TL_CHECK(entry.version >= kEntryVersionInline && entry.version <= kEntryVersionFlagged);
  if (entry.version == kEntryVersionInline) {
    PutLengthPrefixed(out, entry.note);
    return;
  }
  if (!entry.note_seal.committed()) {
    TL_CHECK(entry.note.empty());
    PutLengthPrefixed(out, "");
    return;
  }
  PutVarint64(out, kDigestBytes);
  PutDigest(out, entry.note_seal.commitment);
}

}  // namespace

int64_t ToMicros(absl::Time time) {
  return time == absl::InfinitePast() ? INT64_MIN : absl::ToUnixMicros(time);
}
absl::Time FromMicros(int64_t micros) {
  return micros == INT64_MIN ? absl::InfinitePast() : absl::FromUnixMicros(micros);
}

namespace {
// One hasher per thread: OpenSSL 3 fetches the algorithm once per context, not per hash.
Sha256& ThreadHasher() {
  thread_local Sha256 hasher;
  return hasher;
}
}  // namespace

Digest Sha256Of(absl::string_view bytes) {
  return ThreadHasher().Update(std::string_view(bytes.data(), bytes.size())).Finish();
}

std::string EncodeBank(const Bank& bank) {
  std::string out;
  out.push_back(static_cast<char>(kRecordVersion));
  PutLengthPrefixed(&out, bank.bank_id);
  PutLengthPrefixed(&out, bank.name);
  PutLengthPrefixed(&out, bank.time_zone);
  PutI64(&out, ToMicros(bank.created_at));
  return out;
}

absl::StatusOr<Bank> DecodeBank(absl::string_view bytes) {
  Reader reader(bytes);
  Bank bank;
  uint8_t version = 0;
  if (!reader.ReadByte(&version) || version != kRecordVersion ||
      !reader.ReadLengthPrefixed(&bank.bank_id, kIdLengthMax) ||
      !reader.ReadLengthPrefixed(&bank.name, kNameLengthMax) ||
      !reader.ReadLengthPrefixed(&bank.time_zone, kTimeZoneLengthMax) ||
      !ReadTime(&reader, &bank.created_at) || !reader.done()) {
    return Malformed("bank");
  }
  return bank;
}

std::string EncodeAccount(const Account& account) {
  std::string out;
  // Version 2 only for an erased member or one with contact details, so every other account
  // keeps its version 1 bytes.
  const bool contact = !account.phone.empty() || !account.email.empty();
  const uint8_t flags =
      (account.personal_data_erased ? kAccountErasedFlag : 0) | (contact ? kAccountContactFlag : 0);
  out.push_back(static_cast<char>(flags != 0 ? kAccountErasedVersion : kRecordVersion));
  PutLengthPrefixed(&out, account.bank_id);
  PutLengthPrefixed(&out, account.account_id);
  out.push_back(static_cast<char>(account.kind));
  out.push_back(static_cast<char>(account.roles.size()));
  for (Role role : account.roles) out.push_back(static_cast<char>(role));
  PutLengthPrefixed(&out, account.display_name);
  out.push_back(static_cast<char>(account.status));
  PutI64(&out, ToMicros(account.opened_at));
  PutVarsint64(&out, account.balance_minutes);
  PutVarsint64(&out, account.earned_minutes);
  PutVarsint64(&out, account.spent_minutes);
  PutVarint64(&out, account.entry_count);
  PutVarsint64(&out, account.held_minutes);
  PutVarsint64(&out, account.pending_in_minutes);
  PutI64(&out, ToMicros(account.last_activity_at));
  PutVarint64(&out, account.recent_days.size());
  for (const DayActivity& day : account.recent_days) {
    PutVarsint64(&out, day.day);
    PutVarsint64(&out, day.given_minutes);
    PutVarsint64(&out, day.received_minutes);
  }
  if (flags != 0) out.push_back(static_cast<char>(flags));
  if (contact) {
    PutLengthPrefixed(&out, account.phone);
    PutLengthPrefixed(&out, account.email);
  }
  return out;
}

absl::StatusOr<Account> DecodeAccount(absl::string_view bytes) {
  Reader reader(bytes);
  Account account;
  uint8_t version = 0, kind = 0, role_count = 0, status = 0;
  if (!reader.ReadByte(&version) ||
      (version != kRecordVersion && version != kAccountErasedVersion) ||
      !reader.ReadLengthPrefixed(&account.bank_id, kIdLengthMax) ||
      !reader.ReadLengthPrefixed(&account.account_id, kIdLengthMax) || !reader.ReadByte(&kind) ||
      kind < 1 || kind > 3 || !reader.ReadByte(&role_count) || role_count > kRolesMax) {
    return Malformed("account");
  }
  account.kind = static_cast<AccountKind>(kind);
  for (uint8_t i = 0; i < role_count; ++i) {
    uint8_t role = 0;
    if (!reader.ReadByte(&role) || role < 1 || role > 3) return Malformed("account");
    account.roles.push_back(static_cast<Role>(role));
  }
  if (!reader.ReadLengthPrefixed(&account.display_name, kNameLengthMax) ||
      !reader.ReadByte(&status) || status < 1 || status > 3 ||
      !ReadTime(&reader, &account.opened_at) || !reader.ReadVarsint64(&account.balance_minutes) ||
      !reader.ReadVarsint64(&account.earned_minutes) ||
      !reader.ReadVarsint64(&account.spent_minutes) || !reader.ReadVarint64(&account.entry_count) ||
      !reader.ReadVarsint64(&account.held_minutes) ||
      !reader.ReadVarsint64(&account.pending_in_minutes) ||
      !ReadTime(&reader, &account.last_activity_at)) {
    return Malformed("account");
  }
  uint64_t day_count = 0;
  if (!reader.ReadVarint64(&day_count) || day_count > kRecentDaysMax) return Malformed("account");
  for (uint64_t i = 0; i < day_count; ++i) {
    DayActivity day;
    int64_t day_number = 0;
    if (!reader.ReadVarsint64(&day_number) || !reader.ReadVarsint64(&day.given_minutes) ||
        !reader.ReadVarsint64(&day.received_minutes)) {
      return Malformed("account");
    }
    day.day = static_cast<int32_t>(day_number);
    account.recent_days.push_back(day);
  }
  if (version == kAccountErasedVersion) {
    uint8_t flags = 0;
    if (!reader.ReadByte(&flags) || flags == 0 ||
        (flags & ~(kAccountErasedFlag | kAccountContactFlag)) != 0) {
      return Malformed("account");
    }
    account.personal_data_erased = (flags & kAccountErasedFlag) != 0;
    if ((flags & kAccountContactFlag) != 0 &&
        (!reader.ReadLengthPrefixed(&account.phone, kPhoneLengthMax) ||
         !reader.ReadLengthPrefixed(&account.email, kEmailLengthMax) ||
         (account.phone.empty() && account.email.empty()))) {
      return Malformed("account");
    }
  }
  if (!reader.done()) return Malformed("account");
  account.status = static_cast<AccountStatus>(status);
  return account;
}

std::string CanonicalEntryBytes(const Entry& entry) {
  std::string out;
  out.reserve(96 + entry.note.size() + entry.activity.size());
  out.push_back(static_cast<char>(entry.version));
  PutLengthPrefixed(&out, entry.bank_id);
  PutFixed64BigEndian(&out, entry.seq);
  PutLengthPrefixed(&out, entry.entry_id);
  out.push_back(static_cast<char>(entry.kind));
  PutLengthPrefixed(&out, entry.from_account_id);
  PutLengthPrefixed(&out, entry.to_account_id);
  PutI64(&out, entry.minutes);
  PutLengthPrefixed(&out, entry.activity);
  PutNote(&out, entry);
  PutI64(&out, ToMicros(entry.occurred_at));
  PutI64(&out, ToMicros(entry.recorded_at));
  PutLengthPrefixed(&out, entry.recorded_by);
  PutFixed64BigEndian(&out, entry.reverses_seq);
  // Only version 3 has flags, and only a flagged entry is version 3 (SealEntryNote).
  TL_CHECK((entry.version == kEntryVersionFlagged) == entry.imported);
  if (entry.imported) out.push_back(static_cast<char>(kEntryFlagImported));
  return out;
}

absl::StatusOr<Entry> DecodeCanonicalEntry(absl::string_view bytes) {
  Reader reader(bytes);
  Entry entry;
  if (!ReadCanonicalEntry(&reader, &entry) || !reader.done()) return Malformed("entry");
  return entry;
}

Digest ChainHash(const Digest& previous_hash, const Entry& entry) {
  return ChainHashOfBytes(previous_hash, CanonicalEntryBytes(entry));
}

Digest ChainHashOfBytes(const Digest& previous_hash, absl::string_view canonical_bytes) {
  return ThreadHasher()
      .Update(absl::Span<const uint8_t>(previous_hash))
      .Update(std::string_view(canonical_bytes.data(), canonical_bytes.size()))
      .Finish();
}

std::string EncodeEntry(const Entry& entry) {
  std::string out = CanonicalEntryBytes(entry);
  PutDigest(&out, entry.hash);
  return out;
}

absl::StatusOr<Entry> DecodeEntry(absl::string_view bytes) {
  Entry entry;
  if (auto status = DecodeEntryInto(bytes, &entry); !status.ok()) return status;
  return entry;
}

absl::Status DecodeEntryInto(absl::string_view bytes, Entry* entry) {
  Reader reader(bytes);
  if (!ReadCanonicalEntry(&reader, entry) || !ReadDigest(&reader, &entry->hash) || !reader.done()) {
    return Malformed("entry");
  }
  return absl::OkStatus();
}

std::string EncodeChainHead(const ChainHead& head) {
  std::string out;
  out.push_back(
      static_cast<char>(head.has_account_count ? kChainHeadCountedVersion : kChainHeadVersion));
  PutFixed64BigEndian(&out, head.next_seq);
  PutDigest(&out, head.last_hash);
  PutDigest(&out, head.journal_hash);
  if (head.has_account_count) PutFixed64BigEndian(&out, head.account_count);
  out += head.journal_tree.Encode();
  return out;
}

absl::StatusOr<ChainHead> DecodeChainHead(absl::string_view bytes) {
  Reader reader(bytes);
  ChainHead head;
  uint8_t version = 0;
  if (!reader.ReadByte(&version) ||
      (version != kRecordVersion && version != kChainHeadVersion &&
       version != kChainHeadCountedVersion) ||
      !reader.ReadFixed64BigEndian(&head.next_seq) || head.next_seq == 0 ||
      !ReadDigest(&reader, &head.last_hash)) {
    return Malformed("chain head");
  }
  if (version == kRecordVersion) {
    if (!reader.done()) return Malformed("chain head");
    head.has_journal = false;
    return head;
  }
  if (!ReadDigest(&reader, &head.journal_hash)) return Malformed("chain head");
  size_t tree_at = 1 + 8 + 2 * kDigestBytes;
  if (version == kChainHeadCountedVersion) {
    if (!reader.ReadFixed64BigEndian(&head.account_count)) return Malformed("chain head");
    head.has_account_count = true;
    tree_at += 8;
  }
  const absl::string_view tree_bytes = bytes.substr(tree_at);
  auto tree = CompactMerkleTree::Decode(std::string_view(tree_bytes.data(), tree_bytes.size()));
  if (!tree.ok()) return Malformed("chain head");
  head.journal_tree = *std::move(tree);
  return head;
}

std::string EncodeEntryIdRecord(const EntryIdRecord& record) {
  std::string out;
  PutFixed64BigEndian(&out, record.seq);
  PutFixed64BigEndian(&out, record.fingerprint);
  return out;
}

absl::StatusOr<EntryIdRecord> DecodeEntryIdRecord(absl::string_view bytes) {
  Reader reader(bytes);
  EntryIdRecord record;
  // 16 bytes since layout 4; 40 (the whole hash) before, of which the first 8 are the fingerprint.
  const bool whole_hash = bytes.size() == 8 + kDigestBytes;
  absl::string_view rest_of_hash;
  if (!reader.ReadFixed64BigEndian(&record.seq) ||
      !reader.ReadFixed64BigEndian(&record.fingerprint) ||
      (whole_hash && !reader.ReadBytes(kDigestBytes - 8, &rest_of_hash)) || !reader.done()) {
    return Malformed("idempotency");
  }
  return record;
}

std::string EncodePendingEntry(const PendingEntry& pending) {
  std::string out;
  PutLengthPrefixed(&out, EncodeEntry(pending.entry));
  out.push_back(static_cast<char>(pending.state));
  PutLengthPrefixed(&out, pending.confirm_by);
  PutI64(&out, ToMicros(pending.expires_at));
  PutI64(&out, ToMicros(pending.resolved_at));
  PutLengthPrefixed(&out, pending.resolved_by);
  PutLengthPrefixed(&out, pending.reason);
  return out;
}

absl::StatusOr<PendingEntry> DecodePendingEntry(absl::string_view bytes) {
  Reader reader(bytes);
  PendingEntry pending;
  std::string entry_bytes;
  uint8_t state = 0;
  if (!reader.ReadLengthPrefixed(&entry_bytes, 4096) || !reader.ReadByte(&state) || state < 1 ||
      state > 4 || !reader.ReadLengthPrefixed(&pending.confirm_by, kIdLengthMax) ||
      !ReadTime(&reader, &pending.expires_at) || !ReadTime(&reader, &pending.resolved_at) ||
      !reader.ReadLengthPrefixed(&pending.resolved_by, kIdLengthMax * 2) ||
      !reader.ReadLengthPrefixed(&pending.reason, kReasonLengthMax) || !reader.done()) {
    return Malformed("pending entry");
  }
  auto entry = DecodeEntry(entry_bytes);
  if (!entry.ok()) return entry.status();
  pending.entry = *std::move(entry);
  pending.state = static_cast<PendingState>(state);
  return pending;
}

RequestFingerprint SpecFingerprint(const EntrySpec& spec) {
  thread_local std::string out;  // one per entry the writer decides: kept for its capacity
  out.clear();
  PutLengthPrefixed(&out, spec.bank_id);
  PutLengthPrefixed(&out, spec.entry_id);
  out.push_back(static_cast<char>(spec.kind));
  PutLengthPrefixed(&out, spec.from_account_id);
  PutLengthPrefixed(&out, spec.to_account_id);
  PutI64(&out, spec.minutes);
  PutLengthPrefixed(&out, spec.activity);
  PutLengthPrefixed(&out, spec.note);
  const bool has_time = spec.occurred_at != absl::InfinitePast();
  PutI64(&out, has_time ? ToMicros(spec.occurred_at) : 0);
  // Only an imported request adds bytes, so the fingerprints of every other request stay.
  if (spec.imported) {
    out.push_back(static_cast<char>(kEntryFlagImported));
    PutFixed64BigEndian(&out, spec.reverses_seq);
  }
  const Digest hash = Sha256Of(out);
  const RequestFingerprint fingerprint =
      DecodeFixed64BigEndian(reinterpret_cast<const char*>(hash.data()));
  return fingerprint == kFingerprintErased ? kFingerprintErased + 1 : fingerprint;
}

}  // namespace timeledger::ledger
