#include "ledger/engine/write_txn.h"

#include <algorithm>

#include "absl/container/btree_set.h"
#include "absl/container/flat_hash_set.h"
#include "absl/strings/str_cat.h"

#include "ledger/core/check.h"
#include "ledger/core/errors.h"
#include "ledger/core/merkle.h"

namespace timeledger::ledger {
namespace {

std::string SeqKey(const std::string& bank_id, uint64_t seq) {
  return absl::StrCat(bank_id, absl::string_view("\0", 1), seq);
}

// Records how to restore `map[key]` to what it holds now.
template <typename Map>
std::function<void()> UndoFor(Map* map, const std::string& key) {
  auto it = map->find(key);
  if (it == map->end()) {
    return [map, key] { map->erase(key); };
  }
  return [map, key, old = it->second] { (*map)[key] = old; };
}

// The same, taking the value out of the map rather than copying it: the caller overwrites
// `map[key]` next.
template <typename Map>
std::function<void()> UndoTakingOut(Map* map, const std::string& key) {
  auto it = map->find(key);
  if (it == map->end()) {
    return [map, key] { map->erase(key); };
  }
  return [map, key, old = std::move(it->second)]() mutable { (*map)[key] = std::move(old); };
}

// bank_id 0x00 id, as AccountKey makes it, in this thread's buffer: the writer looks up an
// entry's accounts and id several times per entry, and a key over 15 bytes would be allocated.
absl::string_view LookupKey(const std::string& bank_id, const std::string& id) {
  thread_local std::string buffer;
  buffer.assign(bank_id);
  buffer.push_back('\0');
  buffer.append(id);
  return buffer;
}

// Appends the parts joined by 0x00, which no id contains, to an empty *key.
void AppendJoined(std::string* key, std::initializer_list<absl::string_view> parts) {
  for (absl::string_view part : parts) {
    if (!key->empty()) key->push_back('\0');
    key->append(part.data(), part.size());
  }
}

std::string JoinedKey(std::initializer_list<absl::string_view> parts) {
  std::string key;
  AppendJoined(&key, parts);
  return key;
}

std::string KindPart(CatalogueKind kind) { return std::string(1, static_cast<char>(kind)); }

}  // namespace

WriteTxn::WriteTxn(const BankMap& committed, Store* store, StoreBatch* batch, absl::Time now,
                   std::vector<const WriteTxn*> earlier, const AccountCache* accounts)
    : committed_(committed),
      store_(store),
      batch_(batch),
      now_(now),
      earlier_(std::move(earlier)),
      account_cache_(accounts) {}

template <typename T>
const T* WriteTxn::FindStaged(absl::flat_hash_map<std::string, T> WriteTxn::*map,
                              absl::string_view key) const {
  if (auto it = (this->*map).find(key); it != (this->*map).end()) return &it->second;
  for (const WriteTxn* earlier : earlier_) {
    if (auto it = (earlier->*map).find(key); it != (earlier->*map).end()) return &it->second;
  }
  return nullptr;
}

std::string WriteTxn::AccountKey(const std::string& bank_id, const std::string& account_id) {
  return absl::StrCat(bank_id, absl::string_view("\0", 1), account_id);
}

size_t WriteTxn::bank_count() const {
  size_t count = committed_.size();
  for (const auto& [id, is_new] : new_banks_) count += is_new ? 1 : 0;
  return count;
}

const BankHeader* WriteTxn::GetBank(const std::string& bank_id) {
  if (auto it = banks_.find(bank_id); it != banks_.end()) return &it->second;
  auto it = committed_.find(bank_id);
  if (it == committed_.end()) return nullptr;
  // First sight in this batch: copy the header in. No undo needed: it equals committed state.
  BankHeader header{it->second->bank,    it->second->head, it->second->account_count,
                    it->second->policy,  it->second->zone, it->second->damage,
                    it->second->degraded};
  return &banks_.emplace(bank_id, std::move(header)).first->second;
}

void WriteTxn::PutBank(const BankHeader& header, bool is_new) {
  BankHeader copy = header;  // first, as `header` may be the one in banks_
  const std::string& bank_id = copy.bank.bank_id;
  if (is_new) {
    undo_.push_back(UndoFor(&new_banks_, bank_id));
    new_banks_[bank_id] = true;
    batch_->PutBank(copy.bank);
  }
  undo_.push_back(UndoTakingOut(&banks_, bank_id));
  banks_[bank_id] = std::move(copy);
}

const Account* WriteTxn::GetAccount(const std::string& bank_id, const std::string& account_id) {
  if (auto it = accounts_.find(LookupKey(bank_id, account_id)); it != accounts_.end()) {
    return &it->second;
  }
  return Before(bank_id, account_id, AccountKey(bank_id, account_id));
}

const Account* WriteTxn::Before(const std::string& bank_id, const std::string& account_id,
                                const std::string& key) {
  if (auto it = seen_.find(key); it != seen_.end()) return it->second;
  const Account* before = nullptr;
  for (const WriteTxn* earlier : earlier_) {
    if (auto it = earlier->accounts_.find(key); it != earlier->accounts_.end()) {
      before = &it->second;
      break;
    }
  }
  if (before == nullptr && account_cache_ != nullptr) before = account_cache_->Find(key);
  // A bank created in this batch has nothing stored yet.
  if (before == nullptr && committed_.find(bank_id) != committed_.end()) {
    auto read = store_->GetAccount(bank_id, account_id);
    if (!read.ok()) {
      if (read_failure_.ok()) read_failure_ = read.status();
      return nullptr;  // not remembered: nothing is decided on it (Finalize refuses)
    }
    if (read->has_value()) before = &accounts_read_.emplace_back(**std::move(read));
  }
  seen_.emplace(key, before);
  return before;
}

void WriteTxn::PutAccount(const Account& account) { PutAccount(Account(account)); }

void WriteTxn::PutAccount(Account&& account) {
  const std::string key = AccountKey(account.bank_id, account.account_id);
  undo_.push_back(UndoTakingOut(&accounts_, key));
  accounts_[key] = std::move(account);
}

absl::StatusOr<std::optional<EntryIdRecord>> WriteTxn::GetEntryId(const std::string& bank_id,
                                                                  const std::string& entry_id) {
  if (auto found = FindStaged(&WriteTxn::entry_ids_, LookupKey(bank_id, entry_id))) {
    return std::optional<EntryIdRecord>(*found);
  }
  // A bank created in this batch has nothing stored yet.
  if (committed_.find(bank_id) == committed_.end()) return std::optional<EntryIdRecord>();
  return store_->GetEntryId(bank_id, entry_id);
}

void WriteTxn::PutEntryId(const std::string& bank_id, const std::string& entry_id,
                          const EntryIdRecord& record) {
  std::string key = AccountKey(bank_id, entry_id);
  auto [it, inserted] = entry_ids_.try_emplace(key, record);
  if (inserted) {
    // The usual case, a new key: its undo owns the key, no second copy.
    undo_.push_back([map = &entry_ids_, key = std::move(key)] { map->erase(key); });
  } else {
    undo_.push_back(
        [map = &entry_ids_, key = std::move(key), old = it->second] { (*map)[key] = old; });
    it->second = record;
  }
  batch_->PutEntryId(bank_id, entry_id, record);
}

absl::StatusOr<std::optional<Entry>> WriteTxn::GetEntry(const std::string& bank_id, uint64_t seq) {
  if (auto found = FindStaged(&WriteTxn::entries_, SeqKey(bank_id, seq))) {
    return std::optional<Entry>(*found);
  }
  if (committed_.find(bank_id) == committed_.end()) return std::optional<Entry>();
  return store_->GetEntry(bank_id, seq);
}

void WriteTxn::ReserveEntries(size_t entries) {
  entries_.reserve(entries_.size() + entries);
  entry_ids_.reserve(entry_ids_.size() + entries);
  // Two accounts an entry, often the same ones again: room for the first group's worth.
  accounts_.reserve(accounts_.size() + entries);
  seen_.reserve(seen_.size() + entries);
  undo_.reserve(undo_.size() + 4 * entries);
}

void WriteTxn::PutEntry(const Entry& entry, int64_t from_balance_after, int64_t to_balance_after) {
  const std::string key = SeqKey(entry.bank_id, entry.seq);
  undo_.push_back(UndoFor(&entries_, key));
  entries_[key] = entry;
  batch_->PutEntry(entry, from_balance_after, to_balance_after);
}

absl::StatusOr<std::optional<PendingEntry>> WriteTxn::GetPending(const std::string& bank_id,
                                                                 const std::string& entry_id) {
  if (auto found = FindStaged(&WriteTxn::pending_, AccountKey(bank_id, entry_id))) {
    return std::optional<PendingEntry>(*found);
  }
  if (committed_.find(bank_id) == committed_.end()) return std::optional<PendingEntry>();
  return store_->GetPending(bank_id, entry_id);
}

void WriteTxn::PutPending(const PendingEntry& pending) {
  const std::string key = AccountKey(pending.entry.bank_id, pending.entry.entry_id);
  undo_.push_back(UndoFor(&pending_, key));
  pending_[key] = pending;
  batch_->PutPending(pending);
}

absl::StatusOr<std::optional<MemberCard>> WriteTxn::GetMemberCard(const std::string& bank_id,
                                                                  const std::string& account_id) {
  if (auto found = FindStaged(&WriteTxn::cards_, AccountKey(bank_id, account_id))) {
    return std::optional<MemberCard>(*found);
  }
  if (committed_.find(bank_id) == committed_.end()) return std::optional<MemberCard>();
  return store_->GetMemberCard(bank_id, account_id);
}

absl::StatusOr<std::optional<std::string>> WriteTxn::FindCardHolder(
    const std::string& bank_id, const std::string& card_number) {
  if (auto found = FindStaged(&WriteTxn::card_holders_, AccountKey(bank_id, card_number))) {
    if (found->empty()) return std::optional<std::string>();
    return std::optional<std::string>(*found);
  }
  if (committed_.find(bank_id) == committed_.end()) return std::optional<std::string>();
  return store_->FindCardHolder(bank_id, card_number);
}

void WriteTxn::PutMemberCard(const MemberCard& card, const std::string& old_card_number) {
  const std::string key = AccountKey(card.bank_id, card.account_id);
  undo_.push_back(UndoFor(&cards_, key));
  cards_[key] = card;
  if (!old_card_number.empty() && old_card_number != card.card_number) {
    const std::string old_key = AccountKey(card.bank_id, old_card_number);
    undo_.push_back(UndoFor(&card_holders_, old_key));
    card_holders_[old_key] = "";
  }
  if (!card.card_number.empty()) {
    const std::string new_key = AccountKey(card.bank_id, card.card_number);
    undo_.push_back(UndoFor(&card_holders_, new_key));
    card_holders_[new_key] = card.account_id;
  }
  batch_->PutMemberCard(card, old_card_number);
}

absl::StatusOr<CardAttempts> WriteTxn::GetCardAttempts(const std::string& bank_id,
                                                       const std::string& card_number) {
  if (auto found = FindStaged(&WriteTxn::card_attempts_, AccountKey(bank_id, card_number))) {
    return *found;
  }
  if (committed_.find(bank_id) == committed_.end()) return CardAttempts{};
  return store_->GetCardAttempts(bank_id, card_number);
}

void WriteTxn::PutCardAttempts(const std::string& bank_id, const std::string& card_number,
                               const CardAttempts& attempts) {
  const std::string key = AccountKey(bank_id, card_number);
  undo_.push_back(UndoFor(&card_attempts_, key));
  card_attempts_[key] = attempts;
  batch_->PutCardAttempts(bank_id, card_number, attempts);
}

absl::StatusOr<std::optional<CatalogueItem>> WriteTxn::GetCatalogueItem(const std::string& bank_id,
                                                                        CatalogueKind kind,
                                                                        const std::string& code) {
  thread_local std::string key;  // a lookup per entry of an activity: no allocation for it
  key.clear();
  AppendJoined(&key, {bank_id, KindPart(kind), code});
  if (auto found = FindStaged(&WriteTxn::catalogue_, key)) {
    return std::optional<CatalogueItem>(found->first);
  }
  if (committed_.find(bank_id) == committed_.end()) return std::optional<CatalogueItem>();
  // Every entry of an activity looks its item up (LoadActivityRules): the batch reads the store
  // once per item, known or not. What it read stays true until the batch commits, and the
  // batch's own changes are found above first.
  if (auto it = catalogue_reads_.find(key); it != catalogue_reads_.end()) return it->second;
  auto read = store_->GetCatalogueItem(bank_id, kind, code);
  if (read.ok()) catalogue_reads_.emplace(key, *read);
  return read;
}

void WriteTxn::PutCatalogueItem(const CatalogueItem& item) {
  const std::string key = JoinedKey({item.bank_id, KindPart(item.kind), item.code});
  bool created = item.version == 1;
  if (auto it = catalogue_.find(key); it != catalogue_.end()) created = it->second.second;
  undo_.push_back(UndoFor(&catalogue_, key));
  catalogue_[key] = {item, created};
  batch_->PutCatalogueItem(item);
}

absl::StatusOr<size_t> WriteTxn::CatalogueCount(const std::string& bank_id, CatalogueKind kind) {
  absl::flat_hash_set<std::string> codes;
  if (committed_.find(bank_id) != committed_.end()) {
    auto committed = store_->ListCatalogue(bank_id, kind, "", kCatalogueItemsMax + 1);
    if (!committed.ok()) return committed.status();
    for (const CatalogueItem& item : *committed) codes.insert(item.code);
  }
  // An earlier group's item may be in the store already (its commit ended meanwhile) and in its
  // overlay too: counted once, by code.
  auto count_created = [&](const WriteTxn& txn) {
    for (const auto& [key, item] : txn.catalogue_) {
      if (item.second && item.first.bank_id == bank_id && item.first.kind == kind) {
        codes.insert(item.first.code);
      }
    }
  };
  count_created(*this);
  for (const WriteTxn* earlier : earlier_) count_created(*earlier);
  return codes.size();
}

absl::StatusOr<std::optional<Holding>> WriteTxn::GetHolding(const std::string& bank_id,
                                                            const std::string& account_id,
                                                            const std::string& code) {
  if (auto found = FindStaged(&WriteTxn::holdings_, JoinedKey({bank_id, account_id, code}))) {
    return std::optional<Holding>(*found);
  }
  if (committed_.find(bank_id) == committed_.end()) return std::optional<Holding>();
  return store_->GetHolding(bank_id, account_id, code);
}

void WriteTxn::PutHolding(const Holding& holding) {
  const std::string key =
      JoinedKey({holding.bank_id, holding.account_id, holding.qualification_code});
  undo_.push_back(UndoFor(&holdings_, key));
  holdings_[key] = holding;
  batch_->PutHolding(holding);
}

absl::StatusOr<std::optional<Award>> WriteTxn::GetAward(const std::string& bank_id,
                                                        const std::string& award_id) {
  if (auto found = FindStaged(&WriteTxn::awards_, JoinedKey({bank_id, award_id}))) {
    return std::optional<Award>(*found);
  }
  if (committed_.find(bank_id) == committed_.end()) return std::optional<Award>();
  return store_->GetAward(bank_id, award_id);
}

void WriteTxn::PutAward(const Award& award) {
  const std::string key = JoinedKey({award.bank_id, award.award_id});
  undo_.push_back(UndoFor(&awards_, key));
  awards_[key] = award;
  batch_->PutAward(award);
}

absl::StatusOr<uint64_t> WriteTxn::GetReversedBy(const std::string& bank_id, uint64_t seq) {
  if (auto found = FindStaged(&WriteTxn::reversals_, SeqKey(bank_id, seq))) return *found;
  if (committed_.find(bank_id) == committed_.end()) return uint64_t{0};
  return store_->GetReversedBy(bank_id, seq);
}

void WriteTxn::PutReversal(const std::string& bank_id, uint64_t seq, uint64_t reversed_by_seq) {
  const std::string key = SeqKey(bank_id, seq);
  undo_.push_back(UndoFor(&reversals_, key));
  reversals_[key] = reversed_by_seq;
  batch_->PutReversal(bank_id, seq, reversed_by_seq);
}

void WriteTxn::AppendFact(Fact fact, BankHeader* header) {
  TL_CHECK(fact.bank_id == header->bank.bank_id);
  fact.position = header->head.journal_size();
  fact.at = now_;
  SealPersonalData(&fact);
  const uint64_t entry_seq = fact.type == FactType::kEntry ? fact.entry.seq : 0;
  StageFact(fact.bank_id, fact.position, EncodeFact(fact), entry_seq, &header->head);
  StagePersonal(fact);
}

void WriteTxn::StagePersonal(const Fact& fact) {
  TL_CHECK(fact.version == kFactVersionSealed);
  for (const PersonalRecord& record : PersonalRecordsOf(fact)) {
    batch_->PutPersonal(fact.bank_id, record);
    CountPersonalStaged();
  }
}

void WriteTxn::CountPersonalStaged() {
  ++personal_staged_;
  undo_.push_back([this] { --personal_staged_; });
}

bool WriteTxn::PersonalRecordsInFlight() const {
  if (personal_staged_ != 0) return true;
  for (const WriteTxn* earlier : earlier_) {
    if (earlier->personal_staged_ != 0) return true;
  }
  return false;
}

void WriteTxn::AppendEntryFact(const Entry& entry, absl::string_view canonical_entry) {
  ChainHead& head = *MutableHead(entry.bank_id);
  // The entry takes the next seq and chains to the last entry's hash (its hash is computed
  // from the head the caller read, which is this one).
  TL_CHECK(entry.seq == head.next_seq);
  head.next_seq = entry.seq + 1;
  head.last_hash = entry.hash;
  const uint64_t position = head.journal_size();
  StageFact(entry.bank_id, position, EncodeEntryFact(entry, canonical_entry, position, now_),
            entry.seq, &head);
  // A new entry is sealed (SealEntryNote): its note, if any, is held beside it, one key more.
  TL_CHECK(entry.version != kEntryVersionInline);
  if (entry.note_seal.state == PersonalState::kHeld) {
    batch_->PutPersonal(entry.bank_id, PersonalRecord{position, PersonalField::kNote,
                                                      entry.note_seal.salt, entry.note});
    CountPersonalStaged();
  }
  TL_CHECK(head.next_seq == entry.seq + 1 && head.last_hash == entry.hash);
}

void WriteTxn::StageFact(const std::string& bank_id, uint64_t position, const std::string& bytes,
                         uint64_t entry_seq, ChainHead* head) {
  TL_CHECK(position == head->journal_size());
  const Digest leaf_hash = MerkleLeafHash(bytes);
  head->journal_hash = JournalChainHash(head->journal_hash, leaf_hash);
  completed_nodes_.clear();
  // Append fails only past 2^63 facts, which no bank reaches (a fact a nanosecond for 292 years).
  head->journal_tree.Append(leaf_hash, &completed_nodes_).IgnoreError();
  batch_->PutJournalRecord(bank_id, position, bytes, head->journal_hash);
  // The nodes below kMerkleStoredLevelMin (the leaf hashes and the subtrees of up to 8 leaves):
  // the store computes them from the journal records.
  for (const MerkleNode& node : completed_nodes_) {
    if (node.level >= kMerkleStoredLevelMin) batch_->PutMerkleNode(bank_id, node);
  }
  if (entry_seq != 0) batch_->PutEntryPosition(bank_id, entry_seq, position);
  // The fact took the next position, no gap. (That the chain runs through it from the head it
  // had is the assignment above: checking it hashed everything a second time.)
  TL_CHECK(head->journal_size() == position + 1);
}

void WriteTxn::AppendFact(Fact fact) {
  ChainHead* head = MutableHead(fact.bank_id);
  fact.position = head->journal_size();
  fact.at = now_;
  SealPersonalData(&fact);
  const uint64_t entry_seq = fact.type == FactType::kEntry ? fact.entry.seq : 0;
  StageFact(fact.bank_id, fact.position, EncodeFact(fact), entry_seq, head);
  StagePersonal(fact);
}

ChainHead* WriteTxn::MutableHead(const std::string& bank_id) {
  TL_CHECK(GetBank(bank_id) != nullptr);
  ChainHead& head = banks_.find(bank_id)->second.head;
  // The head alone is saved, not the header with its policy: an append changes nothing else.
  undo_.push_back(
      [map = &banks_, bank_id, old = head]() mutable { (*map)[bank_id].head = std::move(old); });
  return &head;
}

std::vector<std::string> WriteTxn::AccountIds(const std::string& bank_id,
                                              absl::FunctionRef<bool(const Account&)> may_match) {
  absl::btree_set<std::string> ids;
  if (committed_.find(bank_id) != committed_.end()) {
    auto stored = store_->ForEachAccount(bank_id, [&](const Account& account) {
      if (may_match(account)) ids.insert(account.account_id);
      return absl::OkStatus();
    });
    if (!stored.ok() && read_failure_.ok()) read_failure_ = stored;
  }
  // Accounts changed by groups not yet in the store, and by this one: their stored records may
  // be out of date or missing.
  auto add_opened = [&](const WriteTxn& txn) {
    for (const auto& [key, account] : txn.accounts_) {
      if (account.bank_id == bank_id) ids.insert(account.account_id);
    }
  };
  for (const WriteTxn* earlier : earlier_) add_opened(*earlier);
  add_opened(*this);
  return std::vector<std::string>(ids.begin(), ids.end());
}

void WriteTxn::SetSavePoint() {
  savepoints_.push_back(undo_.size());
  batch_->SetSavePoint();
}

void WriteTxn::RollbackToSavePoint() {
  const size_t mark = savepoints_.back();
  savepoints_.pop_back();
  while (undo_.size() > mark) {
    undo_.back()();
    undo_.pop_back();
  }
  batch_->RollbackToSavePoint();
}

void WriteTxn::ReleaseSavePoint() {
  savepoints_.pop_back();
  batch_->ReleaseSavePoint();
}

absl::Status WriteTxn::Finalize() {
  TL_CHECK(savepoints_.empty());  // every command released or rolled back its own
  if (!read_failure_.ok()) return read_failure_;
  absl::flat_hash_map<std::string, int64_t> balance_change;  // per bank
  for (const auto& [key, account] : accounts_) {
    // Every account the batch touched is of a bank it knows.
    TL_CHECK(banks_.contains(account.bank_id) || committed_.contains(account.bank_id));
    Account before;
    if (const Account* was = Before(account.bank_id, account.account_id, key)) before = *was;
    if (!read_failure_.ok()) return read_failure_;
    // A balance moves only by postings: what it earned less what it paid.
    TL_CHECK(account.balance_minutes - before.balance_minutes ==
             (account.earned_minutes - before.earned_minutes) -
                 (account.spent_minutes - before.spent_minutes));
    balance_change[account.bank_id] += account.balance_minutes - before.balance_minutes;
  }
  for (const auto& [bank_id, change] : balance_change) {
    if (change != 0) {
      return Refusal(absl::StatusCode::kInternal, Reason::kZeroSumBroken,
                     absl::StrCat("refusing a write that would leave bank ", bank_id,
                                  "'s balances summing to ", change, " minutes, not zero"));
    }
  }
  for (const auto& [key, account] : accounts_) batch_->PutAccount(account);
  for (auto& [bank_id, header] : banks_) {
    // The head carries the count, so that opening reads no account (records.h).
    header.head.account_count = header.account_count;
    header.head.has_account_count = true;
    batch_->PutChainHead(bank_id, header.head);
  }
  return absl::OkStatus();
}

std::vector<std::string> WriteTxn::ApplyTo(BankMap* committed, AccountCache* accounts) {
  absl::flat_hash_set<std::string> changed;
  for (auto& [bank_id, header] : banks_) {
    auto& state = (*committed)[bank_id];
    if (!state) state = std::make_unique<BankState>();
    // A bank's sequence and journal only grow.
    TL_CHECK(header.head.next_seq >= state->head.next_seq);
    TL_CHECK(header.head.journal_size() >= state->head.journal_size());
    state->bank = header.bank;
    state->head = header.head;
    state->account_count = header.account_count;
    state->policy = header.policy;
    state->zone = header.zone;
    changed.insert(bank_id);
  }
  for (auto& [key, pending] : pending_) {
    auto& index = (*committed)[pending.entry.bank_id]->pending_by_expiry;
    const auto item = std::make_pair(pending.expires_at, pending.entry.entry_id);
    if (pending.state == PendingState::kPending) {
      index.insert(item);
    } else {
      index.erase(item);
    }
  }
  for (const auto& [key, account] : accounts_) changed.insert(account.bank_id);
  if (accounts != nullptr) {
    // What was read stays, most recently used; what was written replaces it. The overlay is
    // copied, not moved: later groups read it (earlier_) until this one is committed.
    for (const auto& [key, was] : seen_) {
      if (accounts->Find(key) != nullptr) {
        accounts->Touch(key);
      } else if (was != nullptr) {
        accounts->Put(*was);
      }
    }
    for (const auto& [key, account] : accounts_) accounts->Put(account);
    accounts->Trim();
  }
  return std::vector<std::string>(changed.begin(), changed.end());
}

}  // namespace timeledger::ledger
