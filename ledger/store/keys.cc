#include "ledger/store/keys.h"

#include <cstring>

#include "absl/strings/str_cat.h"

#include "ledger/core/coding.h"

namespace timeledger::ledger::keys {

std::optional<KeyTag> TagOf(absl::string_view key) {
  if (key.empty()) return std::nullopt;
  for (KeyTag tag : kAllKeyTags) {
    if (static_cast<char>(tag) == key[0]) return tag;
  }
  return std::nullopt;
}

std::string TagPrefix(KeyTag tag) { return std::string(1, static_cast<char>(tag)); }

std::string UnscopedKey(KeyTag tag, absl::string_view id) {
  return absl::StrCat(TagPrefix(tag), id);
}

std::string ScopedPrefix(KeyTag tag, absl::string_view bank_id) {
  std::string key = TagPrefix(tag);
  key.append(bank_id.data(), bank_id.size());
  key.push_back(kSeparator);
  return key;
}

std::string ScopedKey(KeyTag tag, absl::string_view bank_id, absl::string_view id) {
  return absl::StrCat(ScopedPrefix(tag, bank_id), id);
}

std::string SeqKey(KeyTag tag, absl::string_view bank_id, uint64_t seq) {
  std::string key = ScopedPrefix(tag, bank_id);
  PutFixed64BigEndian(&key, seq);
  return key;
}

std::string BankKey(absl::string_view bank_id) { return UnscopedKey(KeyTag::kBank, bank_id); }

std::string ChainKey(absl::string_view bank_id) { return UnscopedKey(KeyTag::kChainHead, bank_id); }

std::string CheckpointKey(absl::string_view bank_id) {
  return UnscopedKey(KeyTag::kCheckpoint, bank_id);
}

std::string PolicyKey(absl::string_view bank_id) { return UnscopedKey(KeyTag::kPolicy, bank_id); }

std::string AccountKey(absl::string_view bank_id, absl::string_view account_id) {
  return ScopedKey(KeyTag::kAccount, bank_id, account_id);
}

std::string EntryIdKey(absl::string_view bank_id, absl::string_view entry_id) {
  return ScopedKey(KeyTag::kEntryId, bank_id, entry_id);
}

std::string PostingPrefix(absl::string_view bank_id, absl::string_view account_id) {
  std::string key = ScopedKey(KeyTag::kPosting, bank_id, account_id);
  key.push_back(kSeparator);
  return key;
}

std::string PostingKey(absl::string_view bank_id, absl::string_view account_id, uint64_t seq) {
  std::string key = PostingPrefix(bank_id, account_id);
  PutFixed64BigEndian(&key, seq);
  return key;
}

std::string MerkleLevelPrefix(absl::string_view bank_id, int level) {
  std::string key = ScopedPrefix(KeyTag::kMerkleNode, bank_id);
  key.push_back(static_cast<char>(level));
  return key;
}

std::string MerkleKey(absl::string_view bank_id, int level, uint64_t index) {
  std::string key = MerkleLevelPrefix(bank_id, level);
  PutFixed64BigEndian(&key, index);
  return key;
}

std::string Biased(absl::Time time) {
  std::string bytes;
  PutFixed64BigEndian(&bytes, static_cast<uint64_t>(ToMicros(time)) ^ (uint64_t{1} << 63));
  return bytes;
}

std::string OccurredBound(absl::string_view bank_id, absl::Time time) {
  return absl::StrCat(ScopedPrefix(KeyTag::kOccurred, bank_id), Biased(time));
}

std::string OccurredKey(absl::string_view bank_id, absl::Time occurred_at, uint64_t seq) {
  std::string key = OccurredBound(bank_id, occurred_at);
  PutFixed64BigEndian(&key, seq);
  return key;
}

std::string TimeIndexMarkerKey() { return TagPrefix(KeyTag::kTimeIndexMarker); }

std::string CataloguePrefix(absl::string_view bank_id, CatalogueKind kind) {
  std::string key = ScopedPrefix(KeyTag::kCatalogue, bank_id);
  key.push_back(static_cast<char>(kind));
  return key;
}

std::string CatalogueKey(absl::string_view bank_id, CatalogueKind kind, absl::string_view code) {
  return absl::StrCat(CataloguePrefix(bank_id, kind), code);
}

std::string PairKey(KeyTag tag, absl::string_view bank_id, absl::string_view first,
                    absl::string_view second) {
  std::string key = ScopedKey(tag, bank_id, first);
  key.push_back(kSeparator);
  key.append(second.data(), second.size());
  return key;
}

std::string AwardKey(absl::string_view bank_id, absl::string_view award_id) {
  return ScopedKey(KeyTag::kAward, bank_id, award_id);
}

std::string AwardTimeKey(absl::string_view bank_id, absl::Time attained_at,
                         absl::string_view award_id) {
  return absl::StrCat(ScopedPrefix(KeyTag::kAwardTime, bank_id), Biased(attained_at), award_id);
}

std::string TokenKey(absl::string_view token_id) { return UnscopedKey(KeyTag::kToken, token_id); }

std::string BindingKey(absl::string_view name, uint64_t version) {
  return SeqKey(KeyTag::kBinding, name, version);
}

std::string LayoutVersionKey() { return TagPrefix(KeyTag::kLayoutVersion); }

std::string PersonalKey(absl::string_view bank_id, uint64_t position, PersonalField field) {
  std::string key = SeqKey(KeyTag::kPersonal, bank_id, position);
  key.push_back(static_cast<char>(field));
  return key;
}

std::string PrefixEnd(std::string prefix) {
  while (!prefix.empty() && static_cast<uint8_t>(prefix.back()) == 0xff) prefix.pop_back();
  if (!prefix.empty()) prefix.back() = static_cast<char>(prefix.back() + 1);
  return prefix;
}

std::string StartAfter(const std::string& prefix, absl::string_view after) {
  if (after.empty()) return prefix;
  return absl::StrCat(prefix, after, absl::string_view("\0", 1));
}

void CopyDigest(absl::string_view bytes, Digest* digest) {
  std::memcpy(digest->data(), bytes.data(), digest->size());
}

bool StoresChainHash(uint64_t position) {
  return position % kChainHashStride == kChainHashStride - 1;
}

std::string JournalValue(uint64_t position, absl::string_view fact, const Digest& chain_hash) {
  std::string value;
  value.reserve(fact.size() + kDigestBytes);
  if (StoresChainHash(position)) {
    value.append(fact.data(), fact.size());
    value.append(reinterpret_cast<const char*>(chain_hash.data()), kDigestBytes);
  } else {
    value.push_back(kJournalValueWithChainHashPrefix);
    value.append(reinterpret_cast<const char*>(chain_hash.data()), kChainHashPrefixBytes);
    value.append(fact.data(), fact.size());
  }
  return value;
}

bool SplitJournalValue(absl::string_view value, absl::string_view* fact,
                       absl::string_view* chain_hash) {
  if (!value.empty() && value[0] == kJournalValueWithChainHashPrefix) {
    if (value.size() <= 1 + kChainHashPrefixBytes) return false;
    *chain_hash = value.substr(1, kChainHashPrefixBytes);
    *fact = value.substr(1 + kChainHashPrefixBytes);
    return true;
  }
  if (value.size() <= kDigestBytes) return false;
  *fact = value.substr(0, value.size() - kDigestBytes);
  *chain_hash = value.substr(value.size() - kDigestBytes);
  return true;
}

std::optional<uint64_t> ChainHashCheckpointBefore(uint64_t position) {
  if (position < kChainHashStride) return std::nullopt;
  return position - position % kChainHashStride - 1;
}

bool ParseJournal(absl::string_view key, absl::string_view value, JournalRecord* record) {
  absl::string_view fact, chain_hash;
  if (key.size() != 8 || !SplitJournalValue(value, &fact, &chain_hash)) return false;
  record->position = DecodeFixed64BigEndian(key.data());
  record->fact.assign(fact.data(), fact.size());
  record->chain_hash = Digest{};
  std::memcpy(record->chain_hash.data(), chain_hash.data(), chain_hash.size());
  record->chain_hash_stored_bytes = chain_hash.size();
  return true;
}

bool ParseEntry(absl::string_view key, absl::string_view value, EntryRecord* record) {
  if (key.size() != 8) return false;
  record->seq = DecodeFixed64BigEndian(key.data());
  record->bytes.assign(value.data(), value.size());
  return true;
}

bool ParsePosting(absl::string_view key, absl::string_view value, PostingRecord* record) {
  if (key.size() < 10 || key[key.size() - 9] != kSeparator || value.size() != 8) return false;
  record->account_id.assign(key.data(), key.size() - 9);
  record->seq = DecodeFixed64BigEndian(key.data() + key.size() - 8);
  record->balance_after_minutes = static_cast<int64_t>(DecodeFixed64BigEndian(value.data()));
  return true;
}

bool ParseSeqMapping(absl::string_view key, absl::string_view value, SeqMapping* record) {
  if (key.size() != 8 || value.size() != 8) return false;
  record->seq = DecodeFixed64BigEndian(key.data());
  record->value = DecodeFixed64BigEndian(value.data());
  return true;
}

bool ParseMerkleNode(absl::string_view key, absl::string_view value, MerkleNode* node) {
  if (key.size() != 9 || value.size() != kDigestBytes) return false;
  node->level = static_cast<uint8_t>(key[0]);
  node->index = DecodeFixed64BigEndian(key.data() + 1);
  CopyDigest(value, &node->hash);
  return true;
}

namespace {

// The longest value of each field, as its fact's VisitBody bounds it.
size_t PersonalLengthMax(PersonalField field) {
  switch (field) {
    case PersonalField::kDisplayName:
      return kNameLengthMax;
    case PersonalField::kCardNumber:
      return kCardNumberLengthMax;
    case PersonalField::kNote:
      return kNoteLengthMax;
    case PersonalField::kReason:
      return kReasonLengthMax;
    case PersonalField::kPhone:
      return kPhoneLengthMax;
    case PersonalField::kEmail:
      return kEmailLengthMax;
  }
  return 0;
}

}  // namespace

bool ParsePersonal(absl::string_view key, absl::string_view value, PersonalRecord* record) {
  if (key.size() != 9) return false;
  const auto field = static_cast<uint8_t>(key[8]);
  if (field < static_cast<uint8_t>(kPersonalFieldLow) ||
      field > static_cast<uint8_t>(kPersonalFieldHigh)) {
    return false;
  }
  record->position = DecodeFixed64BigEndian(key.data());
  record->field = static_cast<PersonalField>(field);
  return DecodePersonalValue(value, PersonalLengthMax(record->field), record).ok();
}

std::optional<uint64_t> SeqAfter(absl::string_view key, size_t prefix_size) {
  if (key.size() != prefix_size + 8) return std::nullopt;
  return DecodeFixed64BigEndian(key.data() + prefix_size);
}

}  // namespace timeledger::ledger::keys
