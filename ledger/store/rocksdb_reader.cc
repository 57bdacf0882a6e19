// RocksDbReader's reads of records by key (store.h says what each returns), and the snapshot.
#include "ledger/store/rocksdb_reader.h"

#include <string>
#include <utility>
#include <vector>

#include "ledger/core/coding.h"
#include "ledger/store/keys.h"
#include "ledger/store/rocksdb_entries.h"
#include "ledger/store/rocksdb_status.h"

namespace timeledger::ledger {

absl::StatusOr<uint64_t> ReadReversedBy(const RocksReads& reads, absl::string_view bank_id,
                                        uint64_t seq) {
  auto value = reads.Get(keys::SeqKey(KeyTag::kReversal, bank_id, seq));
  if (!value.ok()) return value.status();
  if (!value->has_value()) return uint64_t{0};
  if ((*value)->size() != 8) return Corrupt("reversal marker");
  return DecodeFixed64BigEndian((*value)->data());
}

namespace {

// The (old, new) pair of a policy change record.
absl::StatusOr<std::pair<Policy, Policy>> DecodePolicyChange(absl::string_view value) {
  Reader reader(value);
  std::string old_bytes, new_bytes;
  if (!reader.ReadLengthPrefixed(&old_bytes, 1 << 16) ||
      !reader.ReadLengthPrefixed(&new_bytes, 1 << 16)) {
    return Corrupt("policy change");
  }
  auto old_policy = DecodePolicy(old_bytes);
  if (!old_policy.ok()) return old_policy.status();
  auto new_policy = DecodePolicy(new_bytes);
  if (!new_policy.ok()) return new_policy.status();
  return std::make_pair(*std::move(old_policy), *std::move(new_policy));
}

}  // namespace

absl::Status RocksDbReader::ForEachBank(
    const std::function<absl::Status(const Bank&, const ChainHead&, const Policy&)>& visit) {
  const RocksReads reads = At().reads();
  return reads.ForEachDecoded<Bank>(
      keys::TagPrefix(KeyTag::kBank), &DecodeBank, [&](const Bank& bank) -> absl::Status {
        auto head = reads.GetDecoded<ChainHead>(keys::ChainKey(bank.bank_id), &DecodeChainHead);
        if (!head.ok()) return head.status();
        auto policy = reads.GetDecoded<Policy>(keys::PolicyKey(bank.bank_id), &DecodePolicy);
        if (!policy.ok()) return policy.status();
        return visit(bank, head->value_or(ChainHead{}), policy->value_or(Policy{}));
      });
}

absl::StatusOr<std::optional<Bank>> RocksDbReader::GetBank(absl::string_view bank_id) {
  return At().reads().GetDecoded<Bank>(keys::BankKey(bank_id), &DecodeBank);
}

absl::StatusOr<ChainHead> RocksDbReader::GetChainHead(absl::string_view bank_id) {
  auto head = At().reads().GetDecoded<ChainHead>(keys::ChainKey(bank_id), &DecodeChainHead);
  if (!head.ok()) return head.status();
  return head->value_or(ChainHead{});
}

absl::StatusOr<std::optional<ChainHead>> RocksDbReader::GetCheckpoint(absl::string_view bank_id) {
  return At().reads().GetDecoded<ChainHead>(keys::CheckpointKey(bank_id), &DecodeChainHead);
}

absl::StatusOr<Policy> RocksDbReader::GetPolicy(absl::string_view bank_id) {
  auto policy = At().reads().GetDecoded<Policy>(keys::PolicyKey(bank_id), &DecodePolicy);
  if (!policy.ok()) return policy.status();
  return policy->value_or(Policy{});
}

absl::StatusOr<std::vector<std::pair<Policy, Policy>>> RocksDbReader::ListPolicyChanges(
    absl::string_view bank_id) {
  std::vector<std::pair<Policy, Policy>> changes;
  auto status = At().reads().ForEachDecoded<std::pair<Policy, Policy>>(
      keys::ScopedPrefix(KeyTag::kPolicyChange, bank_id), &DecodePolicyChange,
      [&](const std::pair<Policy, Policy>& change) {
        changes.push_back(change);
        return absl::OkStatus();
      });
  if (!status.ok()) return status;
  return changes;
}

absl::StatusOr<std::optional<Account>> RocksDbReader::GetAccount(absl::string_view bank_id,
                                                                 absl::string_view account_id) {
  return At().reads().GetDecoded<Account>(keys::AccountKey(bank_id, account_id), &DecodeAccount);
}

absl::Status RocksDbReader::ForEachAccount(
    absl::string_view bank_id, const std::function<absl::Status(const Account&)>& visit) {
  return At().reads().ForEachDecoded<Account>(keys::ScopedPrefix(KeyTag::kAccount, bank_id),
                                              &DecodeAccount, visit);
}

absl::StatusOr<std::vector<Account>> RocksDbReader::ListAccounts(absl::string_view bank_id,
                                                                 absl::string_view after_account_id,
                                                                 size_t limit) {
  const std::string prefix = keys::ScopedPrefix(KeyTag::kAccount, bank_id);
  return At().reads().ListDecoded<Account>(prefix, keys::StartAfter(prefix, after_account_id),
                                           limit, &DecodeAccount);
}

absl::StatusOr<std::optional<Entry>> RocksDbReader::GetEntry(absl::string_view bank_id,
                                                             uint64_t seq) {
  const RocksReads reads = At().reads();
  auto entry = ReadEntry(reads, bank_id, seq);
  if (!entry.ok() || !entry->has_value()) return entry;
  auto reversed_by = ReadReversedBy(reads, bank_id, seq);
  if (!reversed_by.ok()) return reversed_by.status();
  (*entry)->reversed_by_seq = *reversed_by;
  return entry;
}

absl::StatusOr<std::optional<EntryIdRecord>> RocksDbReader::GetEntryId(absl::string_view bank_id,
                                                                       absl::string_view entry_id) {
  return At().reads().GetDecoded<EntryIdRecord>(keys::EntryIdKey(bank_id, entry_id),
                                                &DecodeEntryIdRecord);
}

absl::StatusOr<uint64_t> RocksDbReader::GetReversedBy(absl::string_view bank_id, uint64_t seq) {
  return ReadReversedBy(At().reads(), bank_id, seq);
}

absl::StatusOr<std::vector<EntryRow>> RocksDbReader::ListEntries(absl::string_view bank_id,
                                                                 uint64_t after_seq, size_t limit) {
  // The first through 'x', the rest by walking the journal on from it.
  const ReadAt at = At();
  std::vector<EntryRow> rows;
  if (limit == 0) return rows;
  EntryFinder finder(at.db.get(), at.options, bank_id);
  Entry entry;
  auto found = finder.Find(after_seq + 1, &entry);
  while (found.ok() && *found) {
    rows.push_back(EntryRow{entry, 0});
    if (rows.size() == limit) break;
    found = finder.FindNext(&entry);
  }
  if (!found.ok()) return found.status();
  const RocksReads reads = at.reads();
  for (EntryRow& row : rows) {
    auto reversed_by = ReadReversedBy(reads, bank_id, row.entry.seq);
    if (!reversed_by.ok()) return reversed_by.status();
    row.entry.reversed_by_seq = *reversed_by;
  }
  return rows;
}

absl::StatusOr<std::optional<PendingEntry>> RocksDbReader::GetPending(absl::string_view bank_id,
                                                                      absl::string_view entry_id) {
  const RocksReads reads = At().reads();
  for (KeyTag tag : {KeyTag::kOpenPending, KeyTag::kResolvedPending}) {
    auto pending = reads.GetDecoded<PendingEntry>(keys::ScopedKey(tag, bank_id, entry_id),
                                                  &DecodePendingEntry);
    if (!pending.ok() || pending->has_value()) return pending;
  }
  return std::optional<PendingEntry>();
}

absl::Status RocksDbReader::ForEachOpenPending(
    absl::string_view bank_id, const std::function<absl::Status(const PendingEntry&)>& visit) {
  return At().reads().ForEachDecoded<PendingEntry>(
      keys::ScopedPrefix(KeyTag::kOpenPending, bank_id), &DecodePendingEntry, visit);
}

absl::Status RocksDbReader::ForEachResolvedPending(
    absl::string_view bank_id, const std::function<absl::Status(const PendingEntry&)>& visit) {
  return At().reads().ForEachDecoded<PendingEntry>(
      keys::ScopedPrefix(KeyTag::kResolvedPending, bank_id), &DecodePendingEntry, visit);
}

absl::StatusOr<std::optional<MemberCard>> RocksDbReader::GetMemberCard(
    absl::string_view bank_id, absl::string_view account_id) {
  return At().reads().GetDecoded<MemberCard>(
      keys::ScopedKey(KeyTag::kMemberCard, bank_id, account_id), &DecodeMemberCard);
}

absl::StatusOr<std::optional<std::string>> RocksDbReader::FindCardHolder(
    absl::string_view bank_id, absl::string_view card_number) {
  return At().reads().Get(keys::ScopedKey(KeyTag::kCardNumber, bank_id, card_number));
}

absl::StatusOr<CardAttempts> RocksDbReader::GetCardAttempts(absl::string_view bank_id,
                                                            absl::string_view card_number) {
  auto attempts = At().reads().GetDecoded<CardAttempts>(
      keys::ScopedKey(KeyTag::kCardAttempts, bank_id, card_number), &DecodeCardAttempts);
  if (!attempts.ok()) return attempts.status();
  return attempts->value_or(CardAttempts{});
}

absl::Status RocksDbReader::ForEachMemberCard(
    absl::string_view bank_id, const std::function<absl::Status(const MemberCard&)>& visit) {
  return At().reads().ForEachDecoded<MemberCard>(keys::ScopedPrefix(KeyTag::kMemberCard, bank_id),
                                                 &DecodeMemberCard, visit);
}

absl::StatusOr<std::optional<CatalogueItem>> RocksDbReader::GetCatalogueItem(
    absl::string_view bank_id, CatalogueKind kind, absl::string_view code) {
  return At().reads().GetDecoded<CatalogueItem>(keys::CatalogueKey(bank_id, kind, code),
                                                &DecodeCatalogueItem);
}

absl::StatusOr<std::vector<CatalogueItem>> RocksDbReader::ListCatalogue(
    absl::string_view bank_id, CatalogueKind kind, absl::string_view after_code, size_t limit) {
  const std::string prefix = keys::CataloguePrefix(bank_id, kind);
  return At().reads().ListDecoded<CatalogueItem>(prefix, keys::StartAfter(prefix, after_code),
                                                 limit, &DecodeCatalogueItem);
}

absl::Status RocksDbReader::ForEachCatalogueItem(
    absl::string_view bank_id, const std::function<absl::Status(const CatalogueItem&)>& visit) {
  return At().reads().ForEachDecoded<CatalogueItem>(keys::ScopedPrefix(KeyTag::kCatalogue, bank_id),
                                                    &DecodeCatalogueItem, visit);
}

absl::StatusOr<std::optional<Holding>> RocksDbReader::GetHolding(absl::string_view bank_id,
                                                                 absl::string_view account_id,
                                                                 absl::string_view code) {
  return At().reads().GetDecoded<Holding>(
      keys::PairKey(KeyTag::kHolding, bank_id, account_id, code), &DecodeHolding);
}

absl::StatusOr<std::vector<Holding>> RocksDbReader::ListHoldings(absl::string_view bank_id,
                                                                 absl::string_view account_id,
                                                                 absl::string_view after_code,
                                                                 size_t limit) {
  const std::string prefix = keys::PairKey(KeyTag::kHolding, bank_id, account_id, "");
  return At().reads().ListDecoded<Holding>(prefix, keys::StartAfter(prefix, after_code), limit,
                                           &DecodeHolding);
}

absl::StatusOr<std::vector<Holding>> RocksDbReader::ListHolders(absl::string_view bank_id,
                                                                absl::string_view code,
                                                                absl::string_view after_account_id,
                                                                size_t limit) {
  const RocksReads reads = At().reads();
  const std::string prefix = keys::PairKey(KeyTag::kHolder, bank_id, code, "");
  std::vector<std::string> account_ids;
  auto status = reads.Scan(
      keys::StartAfter(prefix, after_account_id), keys::PrefixEnd(prefix),
      [&](absl::string_view key, absl::string_view) -> absl::Status {
        account_ids.emplace_back(key.substr(prefix.size()));
        return absl::OkStatus();
      },
      limit);
  if (!status.ok()) return status;
  std::vector<Holding> holdings;
  for (const std::string& account_id : account_ids) {
    auto holding = reads.GetDecoded<Holding>(
        keys::PairKey(KeyTag::kHolding, bank_id, account_id, code), &DecodeHolding);
    if (!holding.ok()) return holding.status();
    if (!holding->has_value()) return Corrupt("holder index entry");
    holdings.push_back(**std::move(holding));
  }
  return holdings;
}

absl::Status RocksDbReader::ForEachHolding(
    absl::string_view bank_id, const std::function<absl::Status(const Holding&)>& visit) {
  return At().reads().ForEachDecoded<Holding>(keys::ScopedPrefix(KeyTag::kHolding, bank_id),
                                              &DecodeHolding, visit);
}

absl::StatusOr<std::optional<Award>> RocksDbReader::GetAward(absl::string_view bank_id,
                                                             absl::string_view award_id) {
  return At().reads().GetDecoded<Award>(keys::AwardKey(bank_id, award_id), &DecodeAward);
}

absl::Status RocksDbReader::ForEachAward(absl::string_view bank_id,
                                         const std::function<absl::Status(const Award&)>& visit) {
  return At().reads().ForEachDecoded<Award>(keys::ScopedPrefix(KeyTag::kAward, bank_id),
                                            &DecodeAward, visit);
}

absl::Status RocksDbReader::ForEachToken(
    const std::function<absl::Status(const TokenRecord&)>& visit) {
  return At().reads().ForEachDecoded<TokenRecord>(keys::TagPrefix(KeyTag::kToken),
                                                  &DecodeTokenRecord, visit);
}

absl::Status RocksDbReader::ForEachPrincipalBinding(
    const std::function<absl::Status(const PrincipalBinding&)>& visit) {
  return At().reads().ScanPrefix(
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

namespace {

// A RocksDbReader bound to one rocksdb::Snapshot, released with it.
class RocksDbSnapshot final : public RocksDbReader {
 public:
  RocksDbSnapshot(std::shared_ptr<rocksdb::DB> db, BlockCache cache)
      : db_(std::move(db)), snapshot_(db_->GetSnapshot()) {
    options_.snapshot = snapshot_;
    options_.fill_cache = cache == BlockCache::kFill;
    point_ = std::make_unique<KeptIterator>(db_.get(), options_);
  }
  ~RocksDbSnapshot() override {
    point_.reset();  // an iterator goes before its snapshot
    db_->ReleaseSnapshot(snapshot_);
  }

  RocksDbSnapshot(const RocksDbSnapshot&) = delete;
  RocksDbSnapshot& operator=(const RocksDbSnapshot&) = delete;

 protected:
  ReadAt At() const override { return ReadAt{db_, options_, point_.get()}; }

 private:
  const std::shared_ptr<rocksdb::DB> db_;  // keeps the instance open while the snapshot lives
  const rocksdb::Snapshot* const snapshot_;
  rocksdb::ReadOptions options_;
  std::unique_ptr<KeptIterator> point_;
};

}  // namespace

std::unique_ptr<StoreReader> NewRocksDbSnapshot(std::shared_ptr<rocksdb::DB> db, BlockCache cache) {
  return std::make_unique<RocksDbSnapshot>(std::move(db), cache);
}

}  // namespace timeledger::ledger
