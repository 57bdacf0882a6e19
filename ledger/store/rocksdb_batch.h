// RocksDbBatch: the StoreBatch of the RocksDB store, one rocksdb::WriteBatch that
// RocksDbStore::Commit writes at once, synced. Every key is built by keys.h. Internal to
// ledger/store/; one thread, as StoreBatch.
#ifndef TIMELEDGER_LEDGER_STORE_ROCKSDB_BATCH_H_
#define TIMELEDGER_LEDGER_STORE_ROCKSDB_BATCH_H_

#include <string>
#include <vector>

#include <rocksdb/write_batch.h>

#include "ledger/core/coding.h"
#include "ledger/store/keys.h"
#include "ledger/store/store.h"

namespace timeledger::ledger {

class RocksDbBatch : public StoreBatch {
 public:
  void PutBank(const Bank& bank) override { Put(keys::BankKey(bank.bank_id), EncodeBank(bank)); }

  void PutAccount(const Account& account) override {
    Put(keys::AccountKey(account.bank_id, account.account_id), EncodeAccount(account));
  }

  // The entry itself is stored once, in its journal fact (PutJournalRecord), found through
  // PutEntryPosition: here only its indexes.
  void PutEntry(const Entry& entry, int64_t from_balance_after, int64_t to_balance_after) override {
    Put(keys::OccurredKey(entry.bank_id, entry.occurred_at, entry.seq), std::string());
    PutPosting(entry, entry.from_account_id, from_balance_after);
    PutPosting(entry, entry.to_account_id, to_balance_after);
  }

  void PutEntryId(absl::string_view bank_id, absl::string_view entry_id,
                  const EntryIdRecord& record) override {
    Put(keys::EntryIdKey(bank_id, entry_id), EncodeEntryIdRecord(record));
  }

  void PutReversal(absl::string_view bank_id, uint64_t seq, uint64_t reversed_by_seq) override {
    std::string value;
    PutFixed64BigEndian(&value, reversed_by_seq);
    Put(keys::SeqKey(KeyTag::kReversal, bank_id, seq), value);
  }

  void PutChainHead(absl::string_view bank_id, const ChainHead& head) override {
    Put(keys::ChainKey(bank_id), EncodeChainHead(head));
  }

  void PutCheckpoint(absl::string_view bank_id, const ChainHead& head) override {
    Put(keys::CheckpointKey(bank_id), EncodeChainHead(head));
  }

  void PutPolicy(absl::string_view bank_id, const Policy& policy) override {
    Put(keys::PolicyKey(bank_id), EncodePolicy(policy));
  }

  void PutPolicyChange(absl::string_view bank_id, const Policy& old_policy,
                       const Policy& new_policy) override {
    std::string value;
    PutLengthPrefixed(&value, EncodePolicy(old_policy));
    PutLengthPrefixed(&value, EncodePolicy(new_policy));
    Put(keys::SeqKey(KeyTag::kPolicyChange, bank_id, new_policy.version), value);
  }

  void PutPending(const PendingEntry& pending) override {
    const std::string& bank_id = pending.entry.bank_id;
    const std::string open_key =
        keys::ScopedKey(KeyTag::kOpenPending, bank_id, pending.entry.entry_id);
    if (pending.state == PendingState::kPending) {
      Put(open_key, EncodePendingEntry(pending));
      return;
    }
    batch_.Delete(open_key).PermitUncheckedError();
    ++count_;
    Put(keys::ScopedKey(KeyTag::kResolvedPending, bank_id, pending.entry.entry_id),
        EncodePendingEntry(pending));
  }

  void PutJournalRecord(absl::string_view bank_id, uint64_t position, absl::string_view fact,
                        const Digest& chain_hash) override {
    Put(keys::SeqKey(KeyTag::kJournal, bank_id, position),
        keys::JournalValue(position, fact, chain_hash));
  }

  void PutMerkleNode(absl::string_view bank_id, const MerkleNode& node) override {
    std::string value;
    PutDigest(&value, node.hash);
    Put(keys::MerkleKey(bank_id, node.level, node.index), value);
  }

  void PutEntryPosition(absl::string_view bank_id, uint64_t seq, uint64_t position) override {
    std::string value;
    PutFixed64BigEndian(&value, position);
    Put(keys::SeqKey(KeyTag::kEntryPosition, bank_id, seq), value);
  }

  void PutPersonal(absl::string_view bank_id, const PersonalRecord& record) override {
    Put(keys::PersonalKey(bank_id, record.position, record.field),
        EncodePersonalValue(record.salt, record.value));
  }

  void DeletePersonal(absl::string_view bank_id, uint64_t position, PersonalField field) override {
    batch_.Delete(keys::PersonalKey(bank_id, position, field)).PermitUncheckedError();
    ++count_;
  }

  void PutMemberCard(const MemberCard& card, absl::string_view old_card_number) override {
    if (!old_card_number.empty() && old_card_number != card.card_number) {
      batch_.Delete(keys::ScopedKey(KeyTag::kCardNumber, card.bank_id, old_card_number))
          .PermitUncheckedError();
      ++count_;
    }
    if (!card.card_number.empty()) {
      Put(keys::ScopedKey(KeyTag::kCardNumber, card.bank_id, card.card_number), card.account_id);
    }
    Put(keys::ScopedKey(KeyTag::kMemberCard, card.bank_id, card.account_id),
        EncodeMemberCard(card));
  }

  void PutCardAttempts(absl::string_view bank_id, absl::string_view card_number,
                       const CardAttempts& attempts) override {
    const std::string key = keys::ScopedKey(KeyTag::kCardAttempts, bank_id, card_number);
    if (attempts.failed == 0 && attempts.locked_until == absl::InfinitePast()) {
      batch_.Delete(key).PermitUncheckedError();
      ++count_;
      return;
    }
    Put(key, EncodeCardAttempts(attempts));
  }

  void PutCatalogueItem(const CatalogueItem& item) override {
    Put(keys::CatalogueKey(item.bank_id, item.kind, item.code), EncodeCatalogueItem(item));
  }

  void PutHolding(const Holding& holding) override {
    Put(keys::PairKey(KeyTag::kHolding, holding.bank_id, holding.account_id,
                      holding.qualification_code),
        EncodeHolding(holding));
    Put(keys::PairKey(KeyTag::kHolder, holding.bank_id, holding.qualification_code,
                      holding.account_id),
        std::string());
  }

  void PutAward(const Award& award) override {
    Put(keys::AwardKey(award.bank_id, award.award_id), EncodeAward(award));
    Put(keys::AwardTimeKey(award.bank_id, award.attained_at, award.award_id), std::string());
  }

  void PutToken(const TokenRecord& record) override {
    Put(keys::TokenKey(record.token_id), EncodeTokenRecord(record));
  }

  void PutPrincipalBinding(const PrincipalBinding& binding) override {
    Put(keys::BindingKey(binding.principal.name, binding.version), EncodePrincipalBinding(binding));
  }

  void SetSavePoint() override {
    batch_.SetSavePoint();
    saved_counts_.push_back(count_);
  }

  void RollbackToSavePoint() override {
    batch_.RollbackToSavePoint().PermitUncheckedError();
    count_ = saved_counts_.back();
    saved_counts_.pop_back();
  }

  void ReleaseSavePoint() override {
    batch_.PopSavePoint().PermitUncheckedError();
    saved_counts_.pop_back();
  }

  bool empty() const override { return count_ == 0; }

  void Clear() override {
    batch_.Clear();  // keeps rep_'s capacity
    count_ = 0;
    saved_counts_.clear();
  }

  rocksdb::WriteBatch* batch() { return &batch_; }

  // The same writes in key order (a key written twice keeps its two writes in the order they
  // were made), for the memtable. A group writes its postings, account records and idempotency
  // keys in the order of its entries, which is random across the memtable's skip list: every
  // insert searched it from the top (a third of the server's time under RecordEntries). In key
  // order, each insert starts from where the last one of its range (KeyRangeOf's hint) left
  // off and climbs only as far as the gap to it. Same atomic batch; only the order within
  // it, which nothing reads, changes. Put and Delete only (all this batch writes).
  rocksdb::WriteBatch* SortedByKey();

 private:
  void Put(const std::string& key, const std::string& value) {
    batch_.Put(key, value).PermitUncheckedError();
    ++count_;
  }

  static void PutDigest(std::string* out, const Digest& digest) {
    out->append(reinterpret_cast<const char*>(digest.data()), digest.size());
  }

  void PutPosting(const Entry& entry, absl::string_view account_id, int64_t balance_after) {
    std::string value;
    PutFixed64BigEndian(&value, static_cast<uint64_t>(balance_after));
    Put(keys::PostingKey(entry.bank_id, account_id, entry.seq), value);
  }

  rocksdb::WriteBatch batch_;
  rocksdb::WriteBatch sorted_;  // SortedByKey's, kept for its capacity
  size_t count_ = 0;
  std::vector<size_t> saved_counts_;
};

}  // namespace timeledger::ledger

#endif  // TIMELEDGER_LEDGER_STORE_ROCKSDB_BATCH_H_
