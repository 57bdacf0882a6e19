// Ledger: the time bank's state machine over a durable Store.
//
// Writes are asynchronous. Each write method queues a command and returns at once; one writer
// thread takes every queued command (up to group_commit_max) and decides them as one group:
// checks each against the state that the group has built so far, on top of the groups decided
// before it. A commit thread (commit_pipeline.h) writes the group as one synced WriteBatch while
// the writer decides the next group, then publishes it to readers and runs each command's
// callback. So one fsync serves many callers, no caller's thread waits, deciding overlaps the
// fsync, and a callback's OK means "durable". A lone write at an idle writer is committed by the
// writer itself, with no hand-off (docs/ARCHITECTURE.md, "The writer").
//
// Reads are synchronous and thread-safe. They see only committed (synced) state, and never wait
// for the writer: bank headers come from the published view, accounts and records from the store.
//
// Every write takes its caller as a Principal (ledger/rules/access.h) and decides the caller's
// rights on the writer thread, against the state it commits (commands.h): a check made before the
// write was queued could be overtaken by another write. The caller's name is what the ledger
// records. In-process writers that act for no one in particular pass AdminNamed(name).
//
// The Ledger owns its Store, its writer thread and its commit pipeline. Destroying it drains the
// queue and the pipeline first.
#ifndef TIMELEDGER_LEDGER_LEDGER_H_
#define TIMELEDGER_LEDGER_LEDGER_H_

#include <cstdint>
#include <deque>
#include <functional>
#include <future>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include "absl/base/thread_annotations.h"
#include "absl/functional/any_invocable.h"
#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/time.h"

#include "ledger/core/ids.h"
#include "ledger/core/types.h"
#include "ledger/engine/audit.h"
#include "ledger/engine/commit_pipeline.h"
#include "ledger/engine/journal_feed.h"
#include "ledger/engine/journal_notifier.h"
#include "ledger/engine/published_accounts.h"
#include "ledger/engine/token_registry.h"
#include "ledger/engine/write_txn.h"
#include "ledger/engine/writer_stats.h"
#include "ledger/rules/access.h"
#include "ledger/rules/kiosk.h"
#include "ledger/rules/policy.h"
#include "ledger/rules/qualifications.h"
#include "ledger/store/store.h"
#include "ledger/verify/verify.h"

namespace timeledger::ledger {

struct LedgerOptions {
  std::string data_dir;
  // Off only in tests that do not test durability; timeledgerd always syncs.
  bool sync = true;
  // Where "now" comes from; absl::Now if empty. Tests set a fixed clock.
  std::function<absl::Time()> clock;
  // Commands written by one group commit at most.
  size_t group_commit_max = 8192;
  // Commands waiting at most; beyond it writes are refused with UNAVAILABLE (BUSY).
  size_t queue_depth_max = 100'000;
  // Accounts the writer keeps in memory at most (AccountCache; about 1 KB each); the others are
  // read from the store when a write needs them. Memory does not grow with the ledger.
  size_t account_cache_max = 65'536;
  // Accounts kept for readers as the last synced groups left them (PublishedAccounts; about
  // 0.5 KB each): GetAccount reads the others from the store. 0: none.
  size_t published_accounts_max = 16'384;
  // Check every bank when opening; a bank that fails is not served. A bank with a checkpoint
  // (ledger/verify/tail.h: its head when it was last checked or cleanly shut down) has its
  // journal since then walked; one without is verified in full (ledger/verify/verify.h). Cheap
  // checks of every bank's heads run at open regardless.
  bool verify_on_open = true;
  // With verify_on_open: verify every bank in full, checkpoint or not.
  bool full_verify_on_open = false;
  // Backups kept by CreateBackup; older ones are deleted.
  size_t backups_keep = kBackupsKeptDefault;
  // The only directory backups go to (and below); empty: <data_dir>/backups. It may not be the
  // data directory, hold it, or lie inside its store (ledger/store/data_dir.h).
  std::string backup_dir;
  // After a failed write, how often the writer tries to make the store writable again
  // (Store::Recover).
  absl::Duration store_recovery_interval = absl::Seconds(1);
  // Tests only (ledger/store/store_test_hooks.h: a file system that injects faults); null
  // otherwise.
  std::shared_ptr<const StoreTestHooks> store_test_hooks;
  // Tests only: runs on the writer thread once each group is decided, before its commit (so a
  // test sees the writer decide a group while an earlier one is still being synced).
  std::function<void()> on_group_decided;
};

// A bank with its counts.
struct BankSummary {
  Bank bank;
  size_t account_count = 0;
  uint64_t entry_count = 0;
};

// An account with what the policy makes of it, for kiosks and coordinators.
struct AccountStanding {
  Account account;
  Minutes floor_minutes;      // the lowest balance allowed now
  Minutes cap_minutes;        // the highest balance allowed; 0 if no cap applies
  Minutes available_minutes;  // what it can still pay: balance - held - floor
  ReciprocityFigure reciprocity;
};

// A closing account's balance settled with the pool in the same write (Ledger::CloseAccount).
struct ClosingSettlement {
  bool donate_positive = false;     // a positive balance goes to the pool (a DONATION)
  bool write_off_negative = false;  // the pool takes on a debt (a GRANT, "debt written off")
};

// What an erasure of a member's personal data did (Ledger::ErasePersonalData).
struct ErasureReceipt {
  Account account;                    // as it now stands: no name, personal_data_erased
  std::vector<PersonalField> fields;  // what was erased (the personal_data_erased fact's fields)
  // The bank has facts written before layout 4, which hash their values as they are: any value
  // of the member in them stays in the journal, and only the derived state was blanked
  // (docs/PRIVACY.md).
  bool values_in_old_facts = false;
};

struct ExpirySweepResult {
  size_t accounts_expired = 0;
  Minutes minutes_returned;
  bool more = false;  // the sweep stopped at its per-run limit; run it again
};
inline constexpr size_t kExpiriesPerSweepMax = 10'000;
// Pending entries expired by one group commit at most (the rest wait for the next).
inline constexpr size_t kExpiriesPerGroupMax = 1000;

template <typename T>
using Callback = absl::AnyInvocable<void(absl::StatusOr<T>) &&>;

class Command;

class Ledger {
 public:
  // Opens the ledger in options.data_dir, loading banks and accounts into memory and checking
  // each bank: its balances sum to zero, its chain heads match its last entry and last journal
  // fact, and (verify_on_open) a full verification. A bank that fails is kept but marked
  // damaged: its reads and writes are refused with DataLoss BANK_DAMAGED naming the finding.
  // Creates the data directory (0700) if it is missing, and clears the group and other bits of
  // it and of everything in it (paths_made_private() says how many it changed).
  // Returns Unavailable if the store cannot be opened, DataLoss if a bank record is unreadable,
  // InvalidArgument (INVALID_BACKUP_DIR) if options.backup_dir is the data directory, holds it,
  // or lies inside its store.
  static absl::StatusOr<std::unique_ptr<Ledger>> Open(LedgerOptions options);

  Ledger(const Ledger&) = delete;
  Ledger& operator=(const Ledger&) = delete;
  ~Ledger();

  // Writes. `done` runs once, on the writer or the commit thread, with the result once it is
  // durable, or with the refusal. Errors: InvalidArgument (malformed), NotFound (bank, account or
  // entry), AlreadyExists (id taken; idempotency key reused with other content), FailedPrecondition
  // (a rule refuses), Unavailable (busy, shutting down, or the disk failed: STORE_FULL,
  // STORE_FAILED). After a failed write, sync, flush or compaction every write is refused with
  // that reason, and reads are served, until the writer has reopened the store and reloaded every
  // bank from it (checking each bank's heads again); it tries at most once per
  // store_recovery_interval, when a write arrives or once a second without them.
  // PermissionDenied if the caller may not make the write: CreateBank is an admin's; the writes
  // of accounts, policies, cards, the catalogue, awards, offers and the sweep are staff's in their
  // own bank (ROLE_NOT_ALLOWED, OUT_OF_SCOPE).
  void CreateBank(Bank bank, const Principal& caller, Callback<Bank> done);
  void OpenAccount(Account account, const Principal& caller, Callback<Account> done);
  // Opens the account of a member who moved in from another system (an import): as OpenAccount,
  // but the account's opened_at is `joined_at`, the day they joined their bank there (kept in
  // the account_opened fact), so reports count them as members since then, not as new.
  // InvalidArgument INVALID_DATE for a day before 1980 or in the future.
  void MoveInAccount(Account account, absl::Time joined_at, const Principal& caller,
                     Callback<Account> done);
  // Closing with donate_balance_to_pool gives a positive balance to the pool in the same write.
  void SetAccountStatus(BankId bank_id, AccountId account_id, AccountStatus status,
                        std::string reason, bool donate_balance_to_pool, const Principal& caller,
                        Callback<Account> done);
  // Closes an account, settling its balance with the pool in the same write as `settlement`
  // allows: a positive one donated, a debt written off (a GRANT from the pool, "debt written
  // off", with `reason` as its note: required then; OVERDRAFT_LIMIT if the pool's floor would not
  // allow it). BALANCE_NOT_ZERO if a balance is left. Where the policy asks for four eyes on a
  // write-off (write_off_needs_second_coordinator), the first such close leaves the account open
  // with the write-off pending (a GRANT from the pool waiting, reason WRITE_OFF), and a second
  // coordinator's close confirms it and closes (SELF_CONFIRMATION for the one who asked).
  void CloseAccount(BankId bank_id, AccountId account_id, std::string reason,
                    ClosingSettlement settlement, const Principal& caller, Callback<Account> done);
  // Changes an account's display name (if `display_name` is set) and a person's roles (if
  // `roles` is set), as a coordinator corrects them: an account_changed fact with both as they
  // now are. InvalidArgument for a name or roles OpenAccount would refuse, or for nothing to
  // change (NOTHING_TO_CHANGE); FailedPrecondition ACCOUNT_ERASED for a new name of a member
  // whose personal data was erased. Making a person staff is an admin's (ROLE_NOT_ALLOWED for a
  // coordinator): a staff account may be bound to a coordinator's token.
  void ChangeAccount(BankId bank_id, AccountId account_id, std::optional<std::string> display_name,
                     std::optional<std::vector<Role>> roles, const Principal& caller,
                     Callback<Account> done);
  // The same, and the account's phone and email (each if set; "" takes it away): a contact_set
  // fact with both as they now are, their values personal data (docs/PRIVACY.md). InvalidArgument
  // INVALID_CONTACT for a phone or email that is none; ACCOUNT_ERASED for an erased member's.
  // OpenAccount takes them too (Account::phone, Account::email).
  void ChangeAccount(BankId bank_id, AccountId account_id, std::optional<std::string> display_name,
                     std::optional<std::vector<Role>> roles, std::optional<std::string> phone,
                     std::optional<std::string> email, const Principal& caller,
                     Callback<Account> done);
  // Reopens an account closed by mistake (a coordinator's, with a reason): ACCOUNT_NOT_CLOSED if
  // it is not closed.
  void ReopenAccount(BankId bank_id, AccountId account_id, std::string reason,
                     const Principal& caller, Callback<Account> done);
  // Replaces a bank's policy (InvalidArgument INVALID_POLICY listing every problem). With
  // expected_version != 0, refuses if the policy changed meanwhile.
  void SetPolicy(BankId bank_id, Policy policy, uint64_t expected_version, const Principal& caller,
                 Callback<Policy> done);
  // Whether `spec` would be recorded now for `caller`, and how (pending, warnings, cap); writes
  // nothing.
  void CheckEntry(EntrySpec spec, const Principal& caller, Callback<Receipt> done);
  // Posts a pending entry. The caller must not be the one who recorded it, nor (a coordinator)
  // the same person under another name or the one it credits (CheckMayConfirm); a member at a
  // kiosk (MemberAtKiosk) confirms only what waits for them (NotFound PENDING_NOT_FOUND).
  void ConfirmEntry(BankId bank_id, EntryId entry_id, const Principal& caller,
                    Callback<Receipt> done);
  // Rejects a pending entry, releasing its hold; a member at a kiosk only what waits for them.
  void RejectEntry(BankId bank_id, EntryId entry_id, std::string reason, const Principal& caller,
                   Callback<PendingEntry> done);
  // Returns credits untouched for the policy's expiry months to the pool (if expiry is on).
  void RunExpirySweep(BankId bank_id, const Principal& caller, Callback<ExpirySweepResult> done);
  // Records an entry under `caller`'s name. PermissionDenied if the caller may not record it:
  // OUT_OF_SCOPE, PARTNER_SPEND_ONLY, or SELF_CREDIT for a coordinator's own credit unless the
  // policy in force at this write sends self-recorded entries to confirmation.
  void RecordEntry(EntrySpec spec, const Principal& caller, Callback<Receipt> done);
  // atomic: all or none; the first refusal fails the call with figure "index". Otherwise each
  // item stands alone and the result holds one status per item. An item the caller may not
  // record fails the whole call (figure "index"), atomic or not.
  void RecordEntries(std::vector<EntrySpec> specs, bool atomic, const Principal& caller,
                     Callback<std::vector<absl::StatusOr<Receipt>>> done);
  // entry_id: the reversal's idempotency key; "reversal-of-<seq>" if empty. A coordinator does
  // not reverse an entry that they paid (SELF_CREDIT).
  void ReverseEntry(BankId bank_id, uint64_t seq, EntryId entry_id, std::string note,
                    const Principal& caller, Callback<Receipt> done);

  // Members at a kiosk (ledger/rules/kiosk.h). SetMemberCard gives a person's account a card number
  // (empty: takes it away); SetMemberPin stores a PIN already hashed (KioskDesk hashes it, off
  // the writer thread) and lifts any lock. Each is a journal fact; the hash stays out of it.
  void SetMemberCard(BankId bank_id, AccountId account_id, std::string card_number,
                     const Principal& caller, Callback<MemberCard> done);
  void SetMemberPin(BankId bank_id, AccountId account_id, std::string pin_hash,
                    const Principal& caller, Callback<MemberCard> done);
  // SetMemberLanguage sets the language the member reads at the kiosk after signing in (one of
  // kKioskLanguages in kiosk.h, or empty to clear it): a journal fact; InvalidArgument
  // INVALID_LANGUAGE for one the kiosk does not ship.
  void SetMemberLanguage(BankId bank_id, AccountId account_id, std::string language,
                         const Principal& caller, Callback<MemberCard> done);

  // Erases a member's personal data (docs/PRIVACY.md): deletes their personal records (names,
  // card numbers, notes and reasons held beside the journal), blanks the derived state that
  // repeats them (the account's name, the card with its PIN and language, the notes of their
  // pending entries) and records a personal_data_erased fact with `reason` (required: why, as a
  // request's reference), in one batch. Staff of the bank only. Unavailable BUSY while a group
  // in flight holds personal data not yet committed. The store's files still hold the values
  // until CompactErased has run.
  void ErasePersonalData(BankId bank_id, AccountId account_id, std::string reason,
                         const Principal& caller, Callback<ErasureReceipt> done);
  // After ErasePersonalData: makes the store's files drop the erased values of `bank_id`
  // (Store::CompactPersonal: the memtables flushed, the write-ahead log holding the values
  // retired, the ranges with personal data compacted). Runs on the caller's thread for as long
  // as that rewrite takes; run it off the writer's and gRPC's threads. Writes continue meanwhile.
  absl::Status CompactErased(const BankId& bank_id);
  // Signs a member's card in (at a kiosk, or as a payer's consent at a partner's till) in one
  // write, so that concurrent wrong PINs are each counted: finds the card's holder, refuses a
  // locked card, a card without a PIN and a closed account, then counts a wrong PIN towards the
  // lockout (kiosk.h; outside the journal) or clears the count after a right one. `check` is the
  // PIN checked against the hash the card had (KioskDesk does it off the writer thread); if the
  // card's PIN changed since, the PIN is wrong and nothing is counted. `done` gets the holder's
  // account. Errors: InvalidArgument INVALID_CARD_NUMBER, NotFound for an unknown bank,
  // Unauthenticated CARD_OR_PIN_WRONG (figure attempts_left for a known card), FailedPrecondition
  // CARD_LOCKED (figures locked_until, retry_after_seconds), PIN_NOT_SET, ACCOUNT_CLOSED.
  void CheckMemberPin(BankId bank_id, std::string card_number, PinCheck check,
                      Callback<Account> done);
  // An account's card and PIN hash, or nullopt; the account a card belongs to, or nullopt.
  // NotFound for an unknown bank, DataLoss BANK_DAMAGED.
  absl::StatusOr<std::optional<MemberCard>> GetMemberCard(const BankId& bank_id,
                                                          const AccountId& account_id) const;
  absl::StatusOr<std::optional<AccountId>> FindCardHolder(const BankId& bank_id,
                                                          const std::string& card_number) const;

  // Qualifications, activities and offers (ledger/rules/qualifications.h).
  // Defines an item, or changes it to a new version (with expected_version != 0, only if that is
  // the current one). Errors: InvalidArgument naming the field, NotFound for an account or
  // qualification it names, FailedPrecondition (retired, KIND_MISMATCH, CATALOGUE_LIMIT,
  // CATALOGUE_VERSION_MISMATCH).
  void PutCatalogueItem(CatalogueItem item, uint64_t expected_version, const Principal& caller,
                        Callback<CatalogueItem> done);
  // Retires an item for good: kept for the record, no longer used. Retiring twice is a no-op.
  void RetireCatalogueItem(BankId bank_id, CatalogueKind kind, std::string code,
                           const Principal& caller, Callback<CatalogueItem> done);
  // Records an attainment and, in the same write, pays its reward (QUALIFICATION_REWARD from the
  // qualification's reward account) under the policy's rules. Idempotent by award_id. An award
  // of a qualification valid on attained_at pays nothing (outcome already_valid); one after it
  // expired pays the renewal reward. Errors: PermissionDenied STAFF_ONLY, SELF_AWARD;
  // FailedPrecondition PREREQUISITE_MISSING, QUALIFICATION_RETIRED, a rule's refusal of the
  // reward (OVERDRAFT_LIMIT of the paying organisation, ...); AlreadyExists AWARD_ID_REUSED.
  void AwardQualification(AwardSpec spec, const Principal& caller, Callback<AwardReceipt> done);
  // A member spends the offer's price on it: a SPEND entry to the offer's organisation under
  // every rule. A course marks the qualification it leads to as in progress.
  void RedeemOffer(RedeemSpec spec, const Principal& caller, Callback<Redemption> done);

  absl::StatusOr<CatalogueItem> GetCatalogueItem(const BankId& bank_id, CatalogueKind kind,
                                                 const std::string& code) const;
  // Items of one kind in code order; retired ones only if include_retired.
  absl::StatusOr<Page<CatalogueItem>> ListCatalogue(const BankId& bank_id, CatalogueKind kind,
                                                    bool include_retired, int64_t page_size,
                                                    const std::string& page_token) const;
  // What a member holds, in qualification code order, each with its status now (expiring:
  // valid but ending within expiring_within_days; 0 means kExpiringWithinDaysDefault).
  absl::StatusOr<Page<HoldingView>> ListQualifications(const BankId& bank_id,
                                                       const AccountId& account_id,
                                                       int64_t expiring_within_days,
                                                       int64_t page_size,
                                                       const std::string& page_token) const;
  // Who holds (or is on a course towards) a qualification, in account id order.
  absl::StatusOr<Page<HoldingView>> ListHolders(const BankId& bank_id,
                                                const std::string& qualification_code,
                                                int64_t expiring_within_days, int64_t page_size,
                                                const std::string& page_token) const;

  // Reads. NotFound for an unknown bank, account or entry; InvalidArgument for a bad page size
  // or token. They take strong ids (ledger/core/ids.h), so one kind cannot stand for another.
  absl::StatusOr<BankSummary> GetBank(const BankId& bank_id) const;
  // Why banks are served in part, one status each (e.g. FailedPrecondition TIME_ZONE_MISSING: reads
  // only): for the operator at start. Damaged banks are reported by verification instead.
  std::vector<absl::Status> DegradedBanks() const;
  // Whether the ledger serves as it should: OK, or the first reason it does not, for health
  // checks (gRPC health, `timeledger status`): writes refused by the store (Unavailable
  // STORE_FULL, STORE_FAILED; it recovers by itself), or a bank damaged (DataLoss BANK_DAMAGED) or
  // served in part (FailedPrecondition, e.g. TIME_ZONE_MISSING). Thread-safe; cheap.
  absl::Status ServingStatus() const ABSL_LOCKS_EXCLUDED(state_mu_);
  absl::StatusOr<Page<BankSummary>> ListBanks(int64_t page_size,
                                              const std::string& page_token) const;
  absl::StatusOr<Account> GetAccount(const BankId& bank_id, const AccountId& account_id) const;
  absl::StatusOr<AccountStanding> GetAccountStanding(const BankId& bank_id,
                                                     const AccountId& account_id) const;
  absl::StatusOr<Policy> GetPolicy(const BankId& bank_id) const;
  // Every change of a bank's policy, oldest first, as (old, new).
  absl::StatusOr<std::vector<std::pair<Policy, Policy>>> ListPolicyChanges(
      const BankId& bank_id) const;
  // A bank's open pending entries (of one account, if account_id is set), at most `limit`.
  absl::StatusOr<std::vector<PendingEntry>> ListPending(const BankId& bank_id,
                                                        const AccountId& account_id,
                                                        size_t limit) const;
  absl::StatusOr<PendingEntry> GetPending(const BankId& bank_id, const EntryId& entry_id) const;
  absl::StatusOr<Page<Account>> ListAccounts(const BankId& bank_id, int64_t page_size,
                                             const std::string& page_token) const;
  absl::StatusOr<Entry> GetEntry(const BankId& bank_id, uint64_t seq) const;
  absl::StatusOr<Entry> GetEntryById(const BankId& bank_id, const EntryId& entry_id) const;
  // account_id empty: the whole bank. Otherwise that account's entries with running balances.
  absl::StatusOr<Page<EntryRow>> ListEntries(const BankId& bank_id, const AccountId& account_id,
                                             int64_t page_size,
                                             const std::string& page_token) const;

  // Verifies every bank in full from a consistent snapshot (ledger/verify/verify.h) and checks the
  // balances the writer keeps in memory (its cached accounts) against the stored ones. Returns
  // DataLoss naming the first difference. Marks nothing; see Verify.
  absl::Status CheckConsistency() const;

  // Audit (ledger/engine/audit.cc). Errors: NotFound (bank, entry), DataLoss BANK_DAMAGED for a
  // damaged bank, OutOfRange TREE_SIZE_AHEAD for a tree size beyond the journal's, InvalidArgument
  // for a bad size or page size. The bank's journal as it stands: size, Merkle root, chain hash,
  // entries, time.
  absl::StatusOr<JournalDigest> GetDigest(const BankId& bank_id) const;
  // Its size and chain hash only, without the Merkle root.
  absl::StatusOr<JournalTip> GetJournalTip(const BankId& bank_id) const;
  // Proves that a fact is leaf `position` of the tree of `tree_size` facts (0: the current size).
  // Without a position, the fact of entry `seq`.
  absl::StatusOr<EntryInclusionProof> GetInclusionProof(const BankId& bank_id, uint64_t seq,
                                                        std::optional<uint64_t> position,
                                                        uint64_t tree_size) const;
  // Proves that the tree of old_size facts is a prefix of the tree of new_size (0: current).
  absl::StatusOr<JournalConsistencyProof> GetConsistencyProof(const BankId& bank_id,
                                                              uint64_t old_size,
                                                              uint64_t new_size) const;
  // Journal records from `from_position`, below end_position (0: the current size), at most
  // page_size (0: 100; at most kJournalPageSizeMax) and kJournalPageBytesMax bytes.
  // `chain_before`: the chain hash of fact from_position - 1, if the caller carries it (Store's
  // ListJournal).
  absl::StatusOr<JournalPage> ListJournal(const BankId& bank_id, uint64_t from_position,
                                          uint64_t end_position, int64_t page_size,
                                          std::optional<Digest> chain_before = std::nullopt) const;
  // ListJournal into `page`, whose storage is reused: its facts are decoded where the last
  // page's were (DecodeFactInto), not made and freed again. Unspecified after an error.
  absl::Status ListJournalInto(const BankId& bank_id, uint64_t from_position, uint64_t end_position,
                               int64_t page_size, std::optional<Digest> chain_before,
                               JournalPage* page) const;
  // Verifies every bank (or one) as CheckConsistency does, and marks each bank found damaged so
  // that from then on its reads and writes are refused (DataLoss BANK_DAMAGED). Runs on the
  // caller's thread (and one more per bank); writes continue meanwhile.
  VerifyReport Verify(const BankId& bank_id = BankId());
  // Makes an online, consistent backup into `dir` (relative to DefaultBackupDir(), or absolute
  // inside it; empty: DefaultBackupDir() itself), creating it (0700) if missing, and keeps the
  // newest options.backups_keep there; its files are made 0600. Writes continue meanwhile.
  // InvalidArgument (INVALID_BACKUP_DIR, figure `rule`) for a directory ResolveBackupDir refuses
  // (ledger/store/data_dir.h); Unavailable (BACKUP_FAILED) if the backup cannot be written.
  absl::StatusOr<BackupMade> CreateBackup(const std::string& dir) const;
  // The backups in `dir` (as CreateBackup names it), oldest first: none if `dir` is empty and
  // no backup was made yet; NotFound (BACKUP_NOT_FOUND) if a named one is missing.
  absl::StatusOr<BackupList> ListBackups(const std::string& dir) const;
  // The backup directory: options.backup_dir or <data_dir>/backups, absolute, links resolved.
  const std::string& DefaultBackupDir() const { return backup_root_; }
  // How many paths of the data directory Open found readable by others and made private.
  size_t paths_made_private() const { return paths_made_private_; }
  size_t backups_keep() const { return options_.backups_keep; }

  // OK if the bank exists and is served; NotFound, or DataLoss BANK_DAMAGED.
  absl::Status CheckBankServable(const BankId& bank_id) const;

  // A snapshot of everything committed, for reports (ledger/reports/report.h): a StoreReader
  // that sees no later write. Thread-safe. Destroy it before the Ledger.
  std::unique_ptr<StoreReader> NewReadView() const;

  absl::Time Now() const { return clock_(); }

  // Told the new journal size of each bank after every group is published (journal_notifier.h),
  // for the change feed. Thread-safe.
  JournalNotifier& journal_notifier() const { return notifier_; }
  // The change feed's read (journal_feed.cc): the facts of `bank_id` from `from_position` that
  // `filter` lets through, reading at most `facts_max` facts (kJournalPageSizeMax at most) below
  // the journal's size. Errors as ListJournal's; OutOfRange TREE_SIZE_AHEAD for a start beyond
  // the journal. `chain_before`: the chain hash of fact from_position - 1 if the caller carries
  // it from its last page (its journal_hash), which spares reading the facts before.
  absl::StatusOr<FeedPage> ReadFeed(const BankId& bank_id, uint64_t from_position,
                                    const FeedFilter& filter, size_t facts_max,
                                    std::optional<Digest> chain_before = std::nullopt) const;
  // ReadFeed into `page`, whose storage is reused (ListJournalInto): a stream reading page
  // after page. Unspecified after an error.
  absl::Status ReadFeedInto(const BankId& bank_id, uint64_t from_position, const FeedFilter& filter,
                            size_t facts_max, std::optional<Digest> chain_before,
                            FeedPage* page) const;

  // The tokens that prove principals (ledger/rules/access.h), loaded when the ledger opens.
  TokenRegistry& tokens() { return tokens_; }
  const TokenRegistry& tokens() const { return tokens_; }

  // What the writer counts about itself (queue, groups, commit times), for metrics.
  const WriterStats& writer_stats() const { return writer_stats_; }
  // RocksDB's own figures (stalls, compaction debt, block cache), for metrics. Thread-safe.
  StoreStats StoreStatistics() const { return store_->Stats(); }

  // Issues a token after checking that its bank exists and that its account is one the role
  // may be bound to (a partner's an organisation of the bank; a coordinator's a person of it).
  // `client_subject`, if not empty, binds the token to client certificates of that subject.
  absl::StatusOr<IssuedToken> IssueToken(const Principal& principal, const Principal& by,
                                         absl::string_view client_subject = "");

 private:
  Ledger(LedgerOptions options, std::unique_ptr<Store> store);
  // Before the writer starts: fills banks_ and publishes them.
  absl::Status Load() ABSL_LOCKS_EXCLUDED(state_mu_);
  // Reads every bank from the store into `banks`, checking its heads, its open pending entries
  // and its zero sum; with `verify`, a full verification too. A bank that fails is marked damaged.
  absl::Status LoadBanks(BankMap* banks, bool verify) const;
  // The check at open of each loaded bank (verify_on_open), then its new checkpoint
  // (ledger/engine/open_check.cc).
  absl::Status CheckOnOpen(BankMap* banks) const;
  // Records each undamaged bank's head as its checkpoint. Best effort.
  void WriteCheckpoints(const BankMap& banks) const;
  // On the writer thread: OK if the store takes writes. After a failure (a commit, or the store
  // itself), waits for the groups in flight to finish (refused), tries Store::Recover and, once
  // it succeeds, reloads every bank (a refused write may have become durable, and the decided
  // state holds refused groups) and publishes them before anything is written. Returns the
  // store's refusal meanwhile.
  absl::Status EnsureWritable() ABSL_LOCKS_EXCLUDED(state_mu_);
  // Cheap checks of a bank's heads against its last entry and last journal fact.
  absl::Status CheckHeads(const std::string& bank_id, const ChainHead& head) const;
  // Compares the accounts the writer keeps in memory (its AccountCache: not every account) with
  // the snapshot's, for each bank verified OK whose journal has not moved since.
  void CompareMemory(StoreReader& snapshot, VerifyReport* report) const;
  // Marks banks damaged, on the writer thread, and publishes them so.
  void MarkDamaged(const VerifyReport& report) ABSL_LOCKS_EXCLUDED(queue_mu_, state_mu_);
  void Submit(std::unique_ptr<Command> command) ABSL_LOCKS_EXCLUDED(queue_mu_);
  void WriterLoop() ABSL_LOCKS_EXCLUDED(queue_mu_, state_mu_);
  // What the writer waits for: a command, the stop, or (with a group open) the commit thread
  // becoming free to take that group.
  bool WriterHasWork() const ABSL_EXCLUSIVE_LOCKS_REQUIRED(queue_mu_) {
    return stopping_ || !queue_.empty() || (group_open_ && groups_in_pipeline_ == 0);
  }
  bool QueueEmpty() ABSL_LOCKS_EXCLUDED(queue_mu_);
  // The commit thread finished a group handed over (called by the pipeline).
  void GroupFinished() ABSL_LOCKS_EXCLUDED(queue_mu_);
  // The functions below run on the writer thread, the only one that writes banks_: they read it
  // through WriterBanks, and take state_mu_ exclusively only to change it.
  const BankMap& WriterBanks() const ABSL_NO_THREAD_SAFETY_ANALYSIS { return banks_; }
  const AccountCache& WriterAccounts() const ABSL_NO_THREAD_SAFETY_ANALYSIS { return accounts_; }
  // Opens a group (open_): a transaction on the decided state and the groups in flight, with
  // the pending entries that are due expired in it. False, with `taken` refused, if the store
  // takes no writes.
  bool OpenGroup(std::vector<std::unique_ptr<Command>>* taken) ABSL_LOCKS_EXCLUDED(state_mu_);
  // Runs the commands `taken` in the open group (opening one if needed).
  void DecideInto(std::vector<std::unique_ptr<Command>>* taken) ABSL_LOCKS_EXCLUDED(state_mu_);
  // Finalizes the open group and applies it to banks_, then commits it at once (a lone call at
  // an idle writer) or hands it to the pipeline. If Finalize refuses it, its commands are
  // finished with that refusal and nothing is applied.
  void CloseGroup() ABSL_LOCKS_EXCLUDED(state_mu_, queue_mu_);
  // Forgets the groups in flight that are finished, keeping their batches for reuse.
  void RetireFinished();
  // The transactions of the groups in flight, newest first.
  std::vector<const WriteTxn*> Earlier() const;
  // Expires pending entries that are due, inside the group's transaction.
  void ExpireDuePending(WriteTxn& txn) ABSL_LOCKS_EXCLUDED(state_mu_);
  bool HasDuePending() ABSL_LOCKS_EXCLUDED(state_mu_);
  // The banks readers see (commit_pipeline.h): taken under a lock only long enough to copy a
  // pointer, and read without one.
  std::shared_ptr<const LedgerView> View() const ABSL_LOCKS_EXCLUDED(view_mu_);
  // A bank of View() that GetBank found.
  static const BankView& ServedBank(const LedgerView& view, const std::string& bank_id);
  // Publishes the banks a group changed (damage already found stays found), or all of the
  // writer's banks (at open, after a reload).
  void PublishBanks(const std::vector<std::shared_ptr<const BankView>>& changed)
      ABSL_LOCKS_EXCLUDED(publish_mu_, view_mu_);
  void PublishAll() ABSL_LOCKS_EXCLUDED(publish_mu_, view_mu_);
  // Publishes the damage Verify found, changing nothing else of the banks.
  void PublishDamage(const std::map<std::string, absl::Status>& found)
      ABSL_LOCKS_EXCLUDED(publish_mu_, view_mu_);
  // The principal `name` is bound to now (token registry), for the writer's decisions.
  std::optional<Principal> BoundPrincipal(absl::string_view name) const;

  LedgerOptions options_;
  std::string backup_root_;  // set by Open, then constant
  size_t paths_made_private_ = 0;
  std::function<absl::Time()> clock_;
  std::unique_ptr<Store> store_;
  TokenRegistry tokens_{store_.get()};

  // The writer's decided state: every group decided so far, including those not yet committed.
  // Written by the writer thread under an exclusive lock, read by it without one (WriterBanks)
  // and by Verify's comparison under a shared one. Readers read View() instead.
  mutable absl::Mutex state_mu_;
  BankMap banks_ ABSL_GUARDED_BY(state_mu_);
  // The writer's accounts, as far as it keeps them: changed by the writer under state_mu_, read
  // by it without the lock (WriterAccounts) and by Verify's comparison under a shared one.
  AccountCache accounts_ ABSL_GUARDED_BY(state_mu_){options_.account_cache_max};
  // The accounts readers see, in front of the store (GetAccount, a const read, fills it).
  mutable PublishedAccounts published_accounts_{options_.published_accounts_max};

  // What readers see. publish_mu_ orders the publishers (the commit thread, the writer).
  absl::Mutex publish_mu_ ABSL_ACQUIRED_BEFORE(view_mu_);
  mutable absl::Mutex view_mu_;
  std::shared_ptr<const LedgerView> view_ ABSL_GUARDED_BY(view_mu_);

  // The writer waits on queue_mu_ (Await) for WriterHasWork: no condition variable to notify.
  absl::Mutex queue_mu_;
  std::deque<std::unique_ptr<Command>> queue_ ABSL_GUARDED_BY(queue_mu_);
  bool stopping_ ABSL_GUARDED_BY(queue_mu_) = false;
  // Whether the writer waits with a group open (its copy of open_ != nullptr, for the wait).
  bool group_open_ ABSL_GUARDED_BY(queue_mu_) = false;
  // Groups handed to the pipeline and not yet finished.
  size_t groups_in_pipeline_ ABSL_GUARDED_BY(queue_mu_) = 0;
  // The group being decided: commands join it until the commit thread is free or it is full.
  // Writer thread only.
  std::shared_ptr<DecidedGroup> open_;
  // The groups handed to the pipeline that later groups may still read, oldest first, and the
  // batches of finished ones, cleared for reuse. Writer thread only.
  std::deque<std::shared_ptr<DecidedGroup>> in_flight_;
  std::vector<std::unique_ptr<StoreBatch>> spare_batches_;
  std::unique_ptr<CommitPipeline> pipeline_;
  std::thread writer_;
  // A write failed and the banks have not been reloaded since. Writer thread only.
  bool store_failed_ = false;
  WriterStats writer_stats_;
  mutable JournalNotifier notifier_;
};

// Runs an asynchronous Ledger write and waits for its result. For tools and tests.
template <typename T, typename Start>
absl::StatusOr<T> Await(Start start) {
  std::promise<absl::StatusOr<T>> promise;
  auto future = promise.get_future();
  start([&promise](absl::StatusOr<T> result) { promise.set_value(std::move(result)); });
  return future.get();
}

}  // namespace timeledger::ledger

#endif  // TIMELEDGER_LEDGER_LEDGER_H_
