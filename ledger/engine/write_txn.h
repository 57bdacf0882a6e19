// WriteTxn: the state that one group commit builds on top of the committed ledger.
//
// The single writer thread owns a WriteTxn for the duration of one batch. Reads see committed
// state overlaid with what earlier commands of the batch did, so rules are checked against the
// batch's own effects (two spends in one batch cannot both pass a limit only one fits). Every
// mutation is undoable back to a savepoint. Finalize() writes the overlay's final accounts and
// chain heads into the StoreBatch; ApplyTo() then makes the overlay the writer's decided state,
// which the next group is decided against while this one is still being committed. Not
// thread-safe: the writer thread only (a transaction whose group is in flight is only read).
#ifndef TIMELEDGER_LEDGER_WRITE_TXN_H_
#define TIMELEDGER_LEDGER_WRITE_TXN_H_

#include <deque>
#include <functional>
#include <memory>
#include <optional>
#include <set>
#include <string>
#include <utility>
#include <vector>

#include "absl/container/btree_map.h"
#include "absl/container/flat_hash_map.h"
#include "absl/functional/function_ref.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "absl/time/time.h"

#include "ledger/core/records.h"
#include "ledger/core/types.h"
#include "ledger/engine/account_cache.h"
#include "ledger/journal/journal.h"
#include "ledger/rules/kiosk.h"
#include "ledger/rules/policy.h"
#include "ledger/rules/qualifications.h"
#include "ledger/store/store.h"

namespace timeledger::ledger {

// A bank as the ledger keeps it in memory: its record, chain head, policy and accounts, and its
// open pending entries ordered by when they expire.
struct BankState {
  Bank bank;
  ChainHead head;
  Policy policy;
  absl::TimeZone zone;
  // Not OK if the bank failed verification (at open, or by Verify): its reads and writes are
  // refused with this status (DataLoss) rather than served from damaged records.
  absl::Status damage;
  // Not OK if the bank's time zone could not be loaded at start (FailedPrecondition
  // TIME_ZONE_MISSING): its writes are refused with this status, its reads are served (dates in
  // UTC), and the other banks are not affected. Installing the zone and restarting ends it.
  absl::Status degraded;
  // How many accounts the bank has; the accounts themselves are in the store, and some in the
  // writer's AccountCache.
  size_t account_count = 0;
  std::set<std::pair<absl::Time, std::string>> pending_by_expiry;  // (expires_at, entry_id)
};

using BankMap = absl::btree_map<std::string, std::unique_ptr<BankState>>;

// A bank's header as a batch changes it.
struct BankHeader {
  Bank bank;
  ChainHead head;
  size_t account_count = 0;
  Policy policy;
  absl::TimeZone zone;
  absl::Status damage;    // see BankState
  absl::Status degraded;  // see BankState
};

class WriteTxn {
 public:
  // `committed` is read, never written, until ApplyTo. `batch` receives the writes. `earlier`:
  // the transactions of groups decided before this one and not yet committed (so not yet in the
  // store), newest first, which `committed` already includes (ApplyTo): this batch reads their
  // staged records before the store's. They outlive this transaction and do not change.
  // `accounts` (may be null): the writer's cached accounts, read after `earlier` and before the
  // store; it does not change while this transaction is open.
  WriteTxn(const BankMap& committed, Store* store, StoreBatch* batch, absl::Time now,
           std::vector<const WriteTxn*> earlier = {}, const AccountCache* accounts = nullptr);

  absl::Time now() const { return now_; }
  size_t bank_count() const;

  // Returns the bank as this batch sees it, or nullptr.
  const BankHeader* GetBank(const std::string& bank_id);
  void PutBank(const BankHeader& header, bool is_new);

  // Returns the account as this batch sees it, or nullptr. The pointer is valid until the next
  // PutAccount. If the store cannot be read, returns nullptr and keeps the error: the command
  // that read takes it (TakeReadFailure) and is undone, or else Finalize refuses the batch, so
  // no decision taken on the missing account is written.
  const Account* GetAccount(const std::string& bank_id, const std::string& account_id);
  // The first store read that failed since the last call, or OK; clears it.
  absl::Status TakeReadFailure() { return std::exchange(read_failure_, absl::OkStatus()); }
  void PutAccount(const Account& account);
  void PutAccount(Account&& account);

  absl::StatusOr<std::optional<EntryIdRecord>> GetEntryId(const std::string& bank_id,
                                                          const std::string& entry_id);
  void PutEntryId(const std::string& bank_id, const std::string& entry_id,
                  const EntryIdRecord& record);

  absl::StatusOr<std::optional<Entry>> GetEntry(const std::string& bank_id, uint64_t seq);
  void PutEntry(const Entry& entry, int64_t from_balance_after, int64_t to_balance_after);

  absl::StatusOr<std::optional<PendingEntry>> GetPending(const std::string& bank_id,
                                                         const std::string& entry_id);
  void PutPending(const PendingEntry& pending);

  // A member's card and PIN, or nullopt; the account holding a card number, or nullopt.
  absl::StatusOr<std::optional<MemberCard>> GetMemberCard(const std::string& bank_id,
                                                          const std::string& account_id);
  absl::StatusOr<std::optional<std::string>> FindCardHolder(const std::string& bank_id,
                                                            const std::string& card_number);
  // Writes `card`; `old_card_number` (if another) no longer names the account.
  void PutMemberCard(const MemberCard& card, const std::string& old_card_number);
  // A card's wrong PINs and lock (kiosk.h), as this batch sees them: operational state, written
  // in the batch but outside the journal.
  absl::StatusOr<CardAttempts> GetCardAttempts(const std::string& bank_id,
                                               const std::string& card_number);
  void PutCardAttempts(const std::string& bank_id, const std::string& card_number,
                       const CardAttempts& attempts);
  // Qualifications (ledger/rules/qualifications.h), as this batch sees them.
  absl::StatusOr<std::optional<CatalogueItem>> GetCatalogueItem(const std::string& bank_id,
                                                                CatalogueKind kind,
                                                                const std::string& code);
  void PutCatalogueItem(const CatalogueItem& item);
  // The bank's items of `kind`, committed and new in this batch (at most kCatalogueItemsMax + 1
  // committed ones are counted).
  absl::StatusOr<size_t> CatalogueCount(const std::string& bank_id, CatalogueKind kind);
  absl::StatusOr<std::optional<Holding>> GetHolding(const std::string& bank_id,
                                                    const std::string& account_id,
                                                    const std::string& code);
  void PutHolding(const Holding& holding);
  absl::StatusOr<std::optional<Award>> GetAward(const std::string& bank_id,
                                                const std::string& award_id);
  void PutAward(const Award& award);

  absl::StatusOr<uint64_t> GetReversedBy(const std::string& bank_id, uint64_t seq);
  void PutReversal(const std::string& bank_id, uint64_t seq, uint64_t reversed_by_seq);

  // Appends `fact` to its bank's journal (ledger/journal/journal.h): gives it the next position and
  // the batch's time, seals its personal values (SealPersonalData: a commitment in the fact, the
  // value and its salt in a personal record of the same batch), hashes and chains it, adds its leaf
  // to the bank's Merkle frontier in header->head, and stages the journal record, the Merkle nodes
  // the leaf completes and, for an entry, the entry's position. The caller then PutBank()s *header.
  void AppendFact(Fact fact, BankHeader* header);
  // The same for a fact that changes nothing else of its bank's header.
  void AppendFact(Fact fact);
  // Appends the fact of `entry`, whose seq is its bank's next and whose hash chains to the bank's
  // last (`canonical_entry`: its CanonicalEntryBytes, which the fact embeds as they are), and
  // moves the bank's head on in place: next seq, last hash, journal. Byte for byte what
  // AppendFact(EntryFact(entry), ...) writes, without a Fact or a copy of the header.
  void AppendEntryFact(const Entry& entry, absl::string_view canonical_entry);

  // The ids of a bank's accounts whose stored record `may_match` (a scan of the store, which
  // reads each record without keeping it), and of every account this batch or a group in flight
  // changed, in order: a superset of the accounts that match, for the caller to read and check.
  // A failed scan is kept as in GetAccount.
  std::vector<std::string> AccountIds(const std::string& bank_id,
                                      absl::FunctionRef<bool(const Account&)> may_match);
  // The store as committed, for the rare command that must scan what no overlay indexes (an
  // erasure's personal records): what this batch and the groups in flight staged is not in it.
  StoreReader& CommittedStore() { return *store_; }
  // Whether this batch or a group in flight staged a personal record not yet committed.
  bool PersonalRecordsInFlight() const;
  // Every account this batch changed, as it left them (what Finalize writes): for the publisher,
  // once the batch is committed.
  template <typename F>
  void ForEachChangedAccount(F&& f) const {
    for (const auto& [key, account] : accounts_) f(account);
  }
  // Makes room for `entries` more entries in the overlays (a batch of RecordEntries knows how
  // many it brings): growing them one rehash at a time moved every staged entry again.
  void ReserveEntries(size_t entries);
  // For writes that have no overlay of their own (policy records); undone by savepoints.
  StoreBatch* Batch() { return batch_; }

  void SetSavePoint();
  void RollbackToSavePoint();
  void ReleaseSavePoint();

  // Checks that the batch moved minutes only between accounts of one bank, summing to zero per
  // bank, and writes final account records and chain heads into the batch. Returns Internal if
  // the zero-sum invariant would break, or the store's error if a read failed (nothing is then
  // committed).
  absl::Status Finalize();
  // Applies the overlay to `committed` (the writer's decided state, which the next group is
  // decided against) and to `accounts` (if not null: the accounts this batch read or wrote are
  // kept there, most recently used, then it is trimmed to its bound). Returns the ids of the
  // banks it changed.
  std::vector<std::string> ApplyTo(BankMap* committed, AccountCache* accounts = nullptr);

 private:
  static std::string AccountKey(const std::string& bank_id, const std::string& account_id);
  // The account under `key` (AccountKey) as it was before this batch: in an earlier
  // transaction, the cache or the store; nullptr if none. Remembered in seen_.
  const Account* Before(const std::string& bank_id, const std::string& account_id,
                        const std::string& key);
  // The head of a bank this batch knows, to change in place; savepoints restore it.
  ChainHead* MutableHead(const std::string& bank_id);
  // Stages the personal records of a sealed fact's held values (journal.h PersonalRecordsOf).
  void StagePersonal(const Fact& fact);
  // Counts one personal record staged (undone by savepoints).
  void CountPersonalStaged();
  // What every AppendFact shares: hashes the fact's `bytes` into `head`'s journal and stages
  // its record, its Merkle nodes and, if `entry_seq` is not 0, the entry's position.
  void StageFact(const std::string& bank_id, uint64_t position, const std::string& bytes,
                 uint64_t entry_seq, ChainHead* head);
  // `key` in this batch's overlay `map`, or else in the same overlay of an earlier transaction,
  // newest first; nullptr if none staged it.
  template <typename T>
  const T* FindStaged(absl::flat_hash_map<std::string, T> WriteTxn::*map,
                      absl::string_view key) const;

  const BankMap& committed_;
  Store* store_;
  StoreBatch* batch_;
  absl::Time now_;
  const std::vector<const WriteTxn*> earlier_;
  const AccountCache* const account_cache_;

  absl::flat_hash_map<std::string, BankHeader> banks_;
  absl::flat_hash_map<std::string, bool> new_banks_;
  absl::flat_hash_map<std::string, Account> accounts_;  // key: bank_id 0x00 account_id
  // Each account this batch read, as it was before the batch (nullptr: none), and the ones read
  // from the store, owned here. The pointers are into earlier transactions, the cache (which
  // does not change while this batch is open) or accounts_read_ (a deque: stable).
  absl::flat_hash_map<std::string, const Account*> seen_;
  std::deque<Account> accounts_read_;
  absl::Status read_failure_;  // the first failed store read, which spoils the batch
  absl::flat_hash_map<std::string, EntryIdRecord> entry_ids_;
  absl::flat_hash_map<std::string, Entry> entries_;  // key: bank_id 0x00 seq
  absl::flat_hash_map<std::string, uint64_t> reversals_;
  absl::flat_hash_map<std::string, PendingEntry> pending_;  // key: bank_id 0x00 entry_id
  absl::flat_hash_map<std::string, MemberCard> cards_;      // key: bank_id 0x00 account_id
  // key: bank_id 0x00 card_number; value: the account, or "" once the card was taken away
  absl::flat_hash_map<std::string, std::string> card_holders_;
  absl::flat_hash_map<std::string, CardAttempts> card_attempts_;  // key: bank_id 0x00 card_number
  // key: bank_id 0x00 kind 0x00 code; with whether this batch created it
  absl::flat_hash_map<std::string, std::pair<CatalogueItem, bool>> catalogue_;
  // Committed catalogue items as the store gave them (nullopt: none), read once per batch.
  absl::flat_hash_map<std::string, std::optional<CatalogueItem>> catalogue_reads_;
  absl::flat_hash_map<std::string, Holding> holdings_;  // key: bank_id 0x00 account 0x00 code
  absl::flat_hash_map<std::string, Award> awards_;      // key: bank_id 0x00 award_id
  std::vector<std::function<void()>> undo_;
  size_t personal_staged_ = 0;  // personal records this batch staged (PersonalRecordsInFlight)
  std::vector<size_t> savepoints_;
  std::vector<MerkleNode> completed_nodes_;  // StageFact's, kept for its capacity
};

}  // namespace timeledger::ledger

#endif  // TIMELEDGER_LEDGER_WRITE_TXN_H_
