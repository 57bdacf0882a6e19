// RocksDbStore's reads of the latest committed state (store.h says what each returns). Each read
// holds the instance it reads until it is done (RocksDbStore::Latest).
#include <string>
#include <utility>
#include <vector>

#include "ledger/core/coding.h"
#include "ledger/store/keys.h"
#include "ledger/store/rocksdb_store.h"

namespace timeledger::ledger {

absl::Status RocksDbStore::ForEachBank(
    const std::function<absl::Status(const Bank&, const ChainHead&, const Policy&)>& visit) {
  return Latest().reads.ForEachBank(visit);
}

absl::Status RocksDbStore::ForEachOpenPending(
    absl::string_view bank_id, const std::function<absl::Status(const PendingEntry&)>& visit) {
  return Latest().reads.ForEachDecoded<PendingEntry>(
      keys::ScopedPrefix(KeyTag::kOpenPending, bank_id), &DecodePendingEntry, visit);
}

absl::StatusOr<std::optional<PendingEntry>> RocksDbStore::GetPending(absl::string_view bank_id,
                                                                     absl::string_view entry_id) {
  const Committed latest = Latest();
  for (KeyTag tag : {KeyTag::kOpenPending, KeyTag::kResolvedPending}) {
    auto pending = latest.reads.GetDecoded<PendingEntry>(keys::ScopedKey(tag, bank_id, entry_id),
                                                         &DecodePendingEntry);
    if (!pending.ok() || pending->has_value()) return pending;
  }
  return std::optional<PendingEntry>();
}

absl::StatusOr<std::vector<std::pair<Policy, Policy>>> RocksDbStore::ListPolicyChanges(
    absl::string_view bank_id) {
  std::vector<std::pair<Policy, Policy>> changes;
  auto status =
      Latest().reads.ScanPrefix(keys::ScopedPrefix(KeyTag::kPolicyChange, bank_id),
                                [&](absl::string_view, absl::string_view value) -> absl::Status {
                                  Reader reader(value);
                                  std::string old_bytes, new_bytes;
                                  if (!reader.ReadLengthPrefixed(&old_bytes, 1 << 16) ||
                                      !reader.ReadLengthPrefixed(&new_bytes, 1 << 16)) {
                                    return Corrupt("policy change");
                                  }
                                  auto old_policy = DecodePolicy(old_bytes);
                                  auto new_policy = DecodePolicy(new_bytes);
                                  if (!old_policy.ok()) return old_policy.status();
                                  if (!new_policy.ok()) return new_policy.status();
                                  changes.emplace_back(*old_policy, *new_policy);
                                  return absl::OkStatus();
                                });
  if (!status.ok()) return status;
  return changes;
}

absl::Status RocksDbStore::ForEachAccount(
    absl::string_view bank_id, const std::function<absl::Status(const Account&)>& visit) {
  return Latest().reads.ForEachDecoded<Account>(keys::ScopedPrefix(KeyTag::kAccount, bank_id),
                                                &DecodeAccount, visit);
}

absl::Status RocksDbStore::ForEachToken(
    const std::function<absl::Status(const TokenRecord&)>& visit) {
  return Latest().reads.ForEachDecoded<TokenRecord>(keys::TagPrefix(KeyTag::kToken),
                                                    &DecodeTokenRecord, visit);
}

absl::Status RocksDbStore::ForEachPrincipalBinding(
    const std::function<absl::Status(const PrincipalBinding&)>& visit) {
  return Latest().reads.ScanPrefix(
      keys::TagPrefix(KeyTag::kBinding),
      [&](absl::string_view key, absl::string_view value) -> absl::Status {
        auto binding = DecodePrincipalBinding(value);
        if (!binding.ok()) return binding.status();
        if (key != keys::BindingKey(binding->principal.name, binding->version)) {
          return Corrupt("principal binding");
        }
        return visit(*binding);
      });
}

absl::StatusOr<std::optional<Entry>> RocksDbStore::GetEntry(absl::string_view bank_id,
                                                            uint64_t seq) {
  auto entry =
      Latest().reads.GetDecoded<Entry>(keys::SeqKey(KeyTag::kEntry, bank_id, seq), &DecodeEntry);
  if (!entry.ok() || !entry->has_value()) return entry;
  auto reversed_by = GetReversedBy(bank_id, seq);
  if (!reversed_by.ok()) return reversed_by.status();
  (*entry)->reversed_by_seq = *reversed_by;
  return entry;
}

absl::StatusOr<std::optional<EntryIdRecord>> RocksDbStore::GetEntryId(absl::string_view bank_id,
                                                                      absl::string_view entry_id) {
  return Latest().reads.GetDecoded<EntryIdRecord>(keys::EntryIdKey(bank_id, entry_id),
                                                  &DecodeEntryIdRecord);
}

absl::StatusOr<uint64_t> RocksDbStore::GetReversedBy(absl::string_view bank_id, uint64_t seq) {
  auto value = Latest().reads.Get(keys::SeqKey(KeyTag::kReversal, bank_id, seq));
  if (!value.ok()) return value.status();
  if (!value->has_value()) return uint64_t{0};
  if ((*value)->size() != 8) return Corrupt("reversal marker");
  return DecodeFixed64BigEndian((*value)->data());
}

absl::StatusOr<std::optional<MemberCard>> RocksDbStore::GetMemberCard(
    absl::string_view bank_id, absl::string_view account_id) {
  return Latest().reads.GetDecoded<MemberCard>(
      keys::ScopedKey(KeyTag::kMemberCard, bank_id, account_id), &DecodeMemberCard);
}

absl::StatusOr<std::optional<std::string>> RocksDbStore::FindCardHolder(
    absl::string_view bank_id, absl::string_view card_number) {
  return Latest().reads.Get(keys::ScopedKey(KeyTag::kCardNumber, bank_id, card_number));
}

absl::StatusOr<CardAttempts> RocksDbStore::GetCardAttempts(absl::string_view bank_id,
                                                           absl::string_view card_number) {
  auto attempts = Latest().reads.GetDecoded<CardAttempts>(
      keys::ScopedKey(KeyTag::kCardAttempts, bank_id, card_number), &DecodeCardAttempts);
  if (!attempts.ok()) return attempts.status();
  return attempts->value_or(CardAttempts{});
}

absl::StatusOr<std::vector<EntryRow>> RocksDbStore::ListEntries(absl::string_view bank_id,
                                                                uint64_t after_seq, size_t limit) {
  std::vector<EntryRow> rows;
  auto status = Latest().reads.Scan(
      keys::SeqKey(KeyTag::kEntry, bank_id, after_seq + 1),
      keys::PrefixEnd(keys::ScopedPrefix(KeyTag::kEntry, bank_id)),
      [&](absl::string_view, absl::string_view value) -> absl::Status {
        auto entry = DecodeEntry(value);
        if (!entry.ok()) return entry.status();
        rows.push_back(EntryRow{std::move(*entry), 0});
        return absl::OkStatus();
      },
      limit);
  if (!status.ok()) return status;
  if (auto s = FillReversals(bank_id, &rows); !s.ok()) return s;
  return rows;
}

absl::StatusOr<std::vector<EntryRow>> RocksDbStore::ListAccountEntries(absl::string_view bank_id,
                                                                       absl::string_view account_id,
                                                                       uint64_t after_seq,
                                                                       size_t limit) {
  std::vector<EntryRow> rows;
  const std::string prefix = keys::PostingPrefix(bank_id, account_id);
  auto status = Latest().reads.Scan(
      keys::PostingKey(bank_id, account_id, after_seq + 1), keys::PrefixEnd(prefix),
      [&](absl::string_view key, absl::string_view value) -> absl::Status {
        if (value.size() != 8 || key.size() != prefix.size() + 8) return Corrupt("posting");
        EntryRow row;
        row.entry.seq = DecodeFixed64BigEndian(key.data() + prefix.size());
        row.running_balance_minutes = static_cast<int64_t>(DecodeFixed64BigEndian(value.data()));
        rows.push_back(std::move(row));
        return absl::OkStatus();
      },
      limit);
  if (!status.ok()) return status;
  for (EntryRow& row : rows) {
    auto entry = GetEntry(bank_id, row.entry.seq);
    if (!entry.ok()) return entry.status();
    if (!entry->has_value()) return Corrupt("posting without its entry");
    row.entry = std::move(**entry);
  }
  return rows;
}

absl::StatusOr<std::vector<Account>> RocksDbStore::ListAccounts(absl::string_view bank_id,
                                                                absl::string_view after_account_id,
                                                                size_t limit) {
  const std::string prefix = keys::ScopedPrefix(KeyTag::kAccount, bank_id);
  return Latest().reads.ListDecoded<Account>(prefix, keys::StartAfter(prefix, after_account_id),
                                             limit, &DecodeAccount);
}

absl::StatusOr<std::optional<CatalogueItem>> RocksDbStore::GetCatalogueItem(
    absl::string_view bank_id, CatalogueKind kind, absl::string_view code) {
  return Latest().reads.GetDecoded<CatalogueItem>(keys::CatalogueKey(bank_id, kind, code),
                                                  &DecodeCatalogueItem);
}

absl::StatusOr<std::vector<CatalogueItem>> RocksDbStore::ListCatalogue(absl::string_view bank_id,
                                                                       CatalogueKind kind,
                                                                       absl::string_view after_code,
                                                                       size_t limit) {
  const std::string prefix = keys::CataloguePrefix(bank_id, kind);
  return Latest().reads.ListDecoded<CatalogueItem>(prefix, keys::StartAfter(prefix, after_code),
                                                   limit, &DecodeCatalogueItem);
}

absl::StatusOr<std::optional<Holding>> RocksDbStore::GetHolding(absl::string_view bank_id,
                                                                absl::string_view account_id,
                                                                absl::string_view code) {
  return Latest().reads.GetDecoded<Holding>(
      keys::PairKey(KeyTag::kHolding, bank_id, account_id, code), &DecodeHolding);
}

absl::StatusOr<std::vector<Holding>> RocksDbStore::ListHoldings(absl::string_view bank_id,
                                                                absl::string_view account_id,
                                                                absl::string_view after_code,
                                                                size_t limit) {
  const std::string prefix = keys::PairKey(KeyTag::kHolding, bank_id, account_id, "");
  return Latest().reads.ListDecoded<Holding>(prefix, keys::StartAfter(prefix, after_code), limit,
                                             &DecodeHolding);
}

absl::StatusOr<std::vector<Holding>> RocksDbStore::ListHolders(absl::string_view bank_id,
                                                               absl::string_view code,
                                                               absl::string_view after_account_id,
                                                               size_t limit) {
  const std::string prefix = keys::PairKey(KeyTag::kHolder, bank_id, code, "");
  std::vector<std::string> account_ids;
  auto status = Latest().reads.Scan(
      keys::StartAfter(prefix, after_account_id), keys::PrefixEnd(prefix),
      [&](absl::string_view key, absl::string_view) -> absl::Status {
        account_ids.emplace_back(key.substr(prefix.size()));
        return absl::OkStatus();
      },
      limit);
  if (!status.ok()) return status;
  std::vector<Holding> holdings;
  for (const std::string& account_id : account_ids) {
    auto holding = GetHolding(bank_id, account_id, code);
    if (!holding.ok()) return holding.status();
    if (!holding->has_value()) return Corrupt("holder index entry");
    holdings.push_back(**std::move(holding));
  }
  return holdings;
}

absl::StatusOr<std::optional<Award>> RocksDbStore::GetAward(absl::string_view bank_id,
                                                            absl::string_view award_id) {
  return Latest().reads.GetDecoded<Award>(keys::AwardKey(bank_id, award_id), &DecodeAward);
}

absl::StatusOr<std::vector<JournalRecord>> RocksDbStore::ListJournal(absl::string_view bank_id,
                                                                     uint64_t from_position,
                                                                     size_t limit) {
  std::vector<JournalRecord> records;
  const std::string prefix = keys::ScopedPrefix(KeyTag::kJournal, bank_id);
  auto status = Latest().reads.Scan(
      keys::SeqKey(KeyTag::kJournal, bank_id, from_position), keys::PrefixEnd(prefix),
      [&](absl::string_view key, absl::string_view value) -> absl::Status {
        JournalRecord record;
        if (!keys::ParseJournal(key.substr(prefix.size()), value, &record)) {
          return Corrupt("journal record");
        }
        records.push_back(std::move(record));
        return absl::OkStatus();
      },
      limit);
  if (!status.ok()) return status;
  return records;
}

absl::StatusOr<std::optional<uint64_t>> RocksDbStore::GetEntryPosition(absl::string_view bank_id,
                                                                       uint64_t seq) {
  auto value = Latest().reads.Get(keys::SeqKey(KeyTag::kEntryPosition, bank_id, seq));
  if (!value.ok()) return value.status();
  if (!value->has_value()) return std::optional<uint64_t>();
  if ((*value)->size() != 8) return Corrupt("entry position");
  return std::optional<uint64_t>(DecodeFixed64BigEndian((*value)->data()));
}

absl::Status RocksDbStore::FillReversals(absl::string_view bank_id, std::vector<EntryRow>* rows) {
  for (EntryRow& row : *rows) {
    auto reversed_by = GetReversedBy(bank_id, row.entry.seq);
    if (!reversed_by.ok()) return reversed_by.status();
    row.entry.reversed_by_seq = *reversed_by;
  }
  return absl::OkStatus();
}

}  // namespace timeledger::ledger
