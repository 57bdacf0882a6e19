// Posting entries inside a WriteTxn: what every command that moves minutes shares. Each function
// stages its writes in the transaction and leaves undoing them to the caller's savepoint. Writer
// thread only.
#ifndef TIMELEDGER_LEDGER_ENGINE_POSTINGS_H_
#define TIMELEDGER_LEDGER_ENGINE_POSTINGS_H_

#include <optional>
#include <string>

#include "absl/status/statusor.h"

#include "ledger/core/types.h"
#include "ledger/engine/write_txn.h"
#include "ledger/rules/rules.h"

namespace timeledger::ledger {

// Appends `entry` (seq, hash and recorded_at assigned here) moving its minutes from `from` to
// `to`, and returns the receipt. `reversed`: the entry a reversal undoes. The new entry's hash
// chains to the bank's head, and the bank's sequence moves on by exactly one. `bank` must be
// txn.GetBank()'s header of the entry's bank: the append moves its head on in place.
Receipt AppendEntry(WriteTxn& txn, const BankHeader& bank, Entry entry, Account from, Account to,
                    const Entry* reversed = nullptr);

// The idempotency fingerprint of an entry the ledger makes itself (a reward, a cap excess, a
// donation on closing, an expiry): its parties, kind, minutes and activity under its id.
RequestFingerprint MadeEntryFingerprint(const Entry& entry);

// Appends an entry the ledger makes itself (cap excess, closing donation, expiry) under its
// deterministic id. Returns nullopt if that id already holds the same entry (a replay writes
// nothing twice); AlreadyExists ENTRY_ID_REUSED if it holds another.
absl::StatusOr<std::optional<Receipt>> AppendDerivedEntry(WriteTxn& txn, Entry entry, Account from,
                                                          Account to);

// Sends `minutes` of what `account_id` just earned on to the pool, by a DONATION entry, and
// notes it in `receipt`.
absl::Status DonateExcess(WriteTxn& txn, const std::string& bank_id, const std::string& account_id,
                          int64_t minutes, Receipt* receipt);

// Puts `entry` on hold until `verdict.confirm_by` confirms it.
Receipt HoldPending(WriteTxn& txn, const BankHeader& bank, Entry entry, Account from, Account to,
                    const RuleVerdict& verdict);

// Balances after releasing a pending entry's hold.
void ReleaseHold(const Entry& entry, Account* from, Account* to);

// The receipt of an earlier recording of the same idempotency key (seq 0: a pending entry):
// the original entry and today's balances. DataLoss CORRUPT_RECORD if the key points at nothing.
absl::StatusOr<Receipt> Replay(WriteTxn& txn, const std::string& bank_id,
                               const std::string& entry_id, uint64_t seq);

// Looks spec.entry_id up: a replayed receipt, AlreadyExists ENTRY_ID_REUSED, or nullopt if it is
// new. A request is the same as the recorded one if its fingerprint is; where an erasure forgot
// the fingerprint (kFingerprintErased), if it asks for what the entry recorded, the note aside.
absl::StatusOr<std::optional<Receipt>> CheckIdempotency(WriteTxn& txn, const EntrySpec& spec,
                                                        RequestFingerprint fingerprint);

}  // namespace timeledger::ledger

#endif  // TIMELEDGER_LEDGER_ENGINE_POSTINGS_H_
