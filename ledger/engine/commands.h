// The write operations of the ledger, as commands that the writer thread executes against a
// WriteTxn. Each Execute either stages all of its writes or none (it rolls back to its own
// savepoint). The functions are called only on the writer thread.
//
// Every decision a write needs is made here, against the state that the group commits: the
// caller's rights that depend on ledger state (ledger/rules/access.h: a coordinator's own credit
// under the policy in force, confirming or reversing what touches their own account, a member at
// a kiosk and the entries that wait for them) as well as the rules. The services only translate.
//
// Files: commands.cc (banks, accounts, policies, cards, the expiry sweep), entry_commands.cc
// (record, confirm, reject, reverse), qualification_commands.cc, postings.h (posting entries).
#ifndef TIMELEDGER_LEDGER_COMMANDS_H_
#define TIMELEDGER_LEDGER_COMMANDS_H_

#include <functional>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "absl/functional/function_ref.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"

#include "ledger/engine/ledger.h"
#include "ledger/engine/write_txn.h"
#include "ledger/rules/access.h"

namespace timeledger::ledger {

class Command {
 public:
  virtual ~Command() = default;
  // Stages this command's writes in `txn`, or none of them, and keeps its result.
  virtual void Execute(WriteTxn& txn) = 0;
  // Delivers the result; `commit` is the status of the group's write. If the write failed, that
  // failure is delivered instead, even of a refusal: the command was decided on a state that was
  // never stored (this group's, or an earlier one in flight), so its refusal may not hold.
  virtual void Finish(const absl::Status& commit) = 0;
  // Delivers `why` instead of a result: the command was refused before it ran (the ledger is
  // busy or stopping, or the store takes no writes).
  virtual void Refuse(const absl::Status& why) = 0;
};

// A command with a result of type T, delivered to a callback.
template <typename T>
class TypedCommand : public Command {
 public:
  explicit TypedCommand(Callback<T> done) : done_(std::move(done)) {}

  void Finish(const absl::Status& commit) override {
    if (!commit.ok()) {
      std::move(done_)(commit);
    } else {
      std::move(done_)(std::move(result_));
    }
  }

  void Refuse(const absl::Status& why) override { std::move(done_)(why); }

 protected:
  // Runs `body` inside a savepoint: its writes stay only if it succeeds. If the store could not
  // be read meanwhile, the body decided on a missing record: it is undone and refused with the
  // store's error, and the rest of the group goes on.
  template <typename Body>
  void Guarded(WriteTxn& txn, Body body) {
    txn.SetSavePoint();
    result_ = body();
    if (absl::Status failed = txn.TakeReadFailure(); !failed.ok()) result_ = std::move(failed);
    if (result_.ok()) {
      txn.ReleaseSavePoint();
      wrote_ = true;
    } else {
      txn.RollbackToSavePoint();
    }
  }

  absl::StatusOr<T> result_ = absl::UnknownError("command not executed");
  bool wrote_ = false;

 private:
  Callback<T> done_;
};

// Every fact a command records is appended to its bank's journal (WriteTxn::AppendFact) in the
// same batch, and the caller's name is recorded with it. Each first decides the caller's rights:
// creating a bank is an admin's (CheckAdmin); the other writes of this file but entries are
// staff's, in their own bank (CheckStaffOf: ROLE_NOT_ALLOWED, OUT_OF_SCOPE).
absl::StatusOr<Bank> ExecuteCreateBank(WriteTxn& txn, Bank bank, const Principal& caller);
// `joined_at`: a member moved in (Ledger::MoveInAccount).
absl::StatusOr<Account> ExecuteOpenAccount(WriteTxn& txn, Account account, const Principal& caller,
                                           std::optional<absl::Time> joined_at = std::nullopt);
// The principal a recorded name is bound to now, or nullopt if the token registry does not know
// the name (ledger/engine/token_registry.h).
using BindingLookup = absl::FunctionRef<std::optional<Principal>(absl::string_view name)>;

// `binding_of`: required for a close that writes a debt off under a policy of four eyes (the
// second coordinator confirms the first's request, as ConfirmEntry would).
absl::StatusOr<Account> ExecuteSetAccountStatus(WriteTxn& txn, const std::string& bank_id,
                                                const std::string& account_id, AccountStatus status,
                                                const std::string& reason,
                                                ClosingSettlement settlement,
                                                const Principal& caller,
                                                const BindingLookup* binding_of = nullptr);
// Changes an account's name, (a person's) roles and contact details (Ledger::ChangeAccount says
// how).
absl::StatusOr<Account> ExecuteChangeAccount(
    WriteTxn& txn, const std::string& bank_id, const std::string& account_id,
    const std::optional<std::string>& display_name, const std::optional<std::vector<Role>>& roles,
    const Principal& caller, const std::optional<std::string>& phone = std::nullopt,
    const std::optional<std::string>& email = std::nullopt);
// Reopens a closed account (closed by mistake): a status fact closed -> active with `reason`,
// which is required. FailedPrecondition ACCOUNT_NOT_CLOSED unless it is closed.
absl::StatusOr<Account> ExecuteReopenAccount(WriteTxn& txn, const std::string& bank_id,
                                             const std::string& account_id,
                                             const std::string& reason, const Principal& caller);
absl::StatusOr<Policy> ExecuteSetPolicy(WriteTxn& txn, const std::string& bank_id, Policy policy,
                                        uint64_t expected_version, const Principal& caller);

// Posts a pending entry. Refuses a caller who recorded it (SELF_CONFIRMATION), a coordinator whom
// it credits or who recorded it under another name (CheckMayConfirm, with `binding_of` the
// recorder's binding), and a member at a kiosk for an entry that does not wait for them
// (PENDING_NOT_FOUND).
// `closing_account`: the account a four-eyes write-off closes, which may be suspended.
absl::StatusOr<Receipt> ExecuteConfirmEntry(WriteTxn& txn, const std::string& bank_id,
                                            const std::string& entry_id, const Principal& caller,
                                            BindingLookup binding_of,
                                            const std::string* closing_account = nullptr);
// Rejects (state kRejected) or expires (kExpired) a pending entry, releasing its hold. A member
// at a kiosk rejects only an entry that waits for them (PENDING_NOT_FOUND).
absl::StatusOr<PendingEntry> ExecuteReleasePending(WriteTxn& txn, const std::string& bank_id,
                                                   const std::string& entry_id,
                                                   PendingState outcome, const Principal& caller,
                                                   const std::string& reason);

// Returns credits of persons untouched for the policy's expiry months to the pool.
absl::StatusOr<ExpirySweepResult> ExecuteExpirySweep(WriteTxn& txn, const std::string& bank_id,
                                                     const Principal& caller);

// Gives a person's account a card number (empty: takes the card away), or a PIN already hashed
// (kiosk.h); each is a journal fact. AlreadyExists CARD_IN_USE if another account has the card.
absl::StatusOr<MemberCard> ExecuteSetMemberCard(WriteTxn& txn, const std::string& bank_id,
                                                const std::string& account_id,
                                                const std::string& card_number,
                                                const Principal& caller);
absl::StatusOr<MemberCard> ExecuteSetMemberPin(WriteTxn& txn, const std::string& bank_id,
                                               const std::string& account_id,
                                               const std::string& pin_hash,
                                               const Principal& caller);

// Sets the language a member reads at the kiosk after signing in (one of kKioskLanguages; empty
// clears it), a journal fact. InvalidArgument INVALID_LANGUAGE for a language the kiosk does not
// ship; the refusals of a card otherwise (not a person, account closed).
absl::StatusOr<MemberCard> ExecuteSetMemberLanguage(WriteTxn& txn, const std::string& bank_id,
                                                    const std::string& account_id,
                                                    const std::string& language,
                                                    const Principal& caller);

// Erases a member's personal data (erasure.cc; Ledger::ErasePersonalData says what).
absl::StatusOr<ErasureReceipt> ExecuteErasePersonalData(WriteTxn& txn, const std::string& bank_id,
                                                        const std::string& account_id,
                                                        const std::string& reason,
                                                        const Principal& caller);

// A member signing in with card and PIN (a kiosk, a partner's till), decided in one write: the
// card's holder, its lock, its PIN and the holder's account, then a wrong PIN counted towards the
// lockout (kiosk.h) or the count cleared by a right one. `check` is the PIN as checked against
// the hash the card had. Returns the holder's account; `counted` says whether the attempts were
// written (a refusal of a wrong PIN keeps them). Errors: Unauthenticated CARD_OR_PIN_WRONG
// (figure attempts_left for a known card), FailedPrecondition CARD_LOCKED, PIN_NOT_SET,
// ACCOUNT_CLOSED.
absl::StatusOr<Account> ExecuteCheckMemberPin(WriteTxn& txn, const std::string& bank_id,
                                              const std::string& card_number, const PinCheck& check,
                                              bool* counted);
// Unauthenticated CARD_OR_PIN_WRONG, without figures.
absl::Status CardOrPinWrong();

// Records an entry for `caller`: first the caller's rights (CheckMayActIn, then CheckMayRecord
// with the policy of this very batch deciding whether a coordinator's own credit goes to
// confirmation), then RecordCheckedEntry.
absl::StatusOr<Receipt> ExecuteRecordEntry(WriteTxn& txn, const EntrySpec& spec,
                                           const Principal& caller);
// The caller's rights over `spec` alone, as ExecuteRecordEntry decides them; writes nothing.
absl::Status CheckCallerMayRecord(WriteTxn& txn, const Principal& caller, const EntrySpec& spec);
// Records an entry under every rule, with `recorded_by` as its principal and no check of the
// caller's rights (a command that made its own, e.g. RedeemOffer).
absl::StatusOr<Receipt> RecordCheckedEntry(WriteTxn& txn, const EntrySpec& spec,
                                           const std::string& recorded_by);
// Qualifications, activities and offers (qualification_commands.cc).
// Defines or changes a catalogue item (version 1, then one more each time); expected_version,
// if not 0, must be the current version. A retired item stays retired.
absl::StatusOr<CatalogueItem> ExecutePutCatalogueItem(WriteTxn& txn, CatalogueItem item,
                                                      uint64_t expected_version,
                                                      const Principal& caller);
absl::StatusOr<CatalogueItem> ExecuteRetireCatalogueItem(WriteTxn& txn, const std::string& bank_id,
                                                         CatalogueKind kind,
                                                         const std::string& code,
                                                         const Principal& caller);
absl::StatusOr<AwardReceipt> ExecuteAwardQualification(WriteTxn& txn, const AwardSpec& spec,
                                                       const Principal& caller);
absl::StatusOr<Redemption> ExecuteRedeemOffer(WriteTxn& txn, const RedeemSpec& spec,
                                              const Principal& caller);

// The catalogue's activity of an entry (if it has one) and what the earner holds of the
// qualifications it requires, for the rule engine. FailedPrecondition ACTIVITY_RETIRED.
struct ActivityRules {
  std::optional<CatalogueItem> item;
  std::vector<Holding> earner_holdings;
};
absl::StatusOr<ActivityRules> LoadActivityRules(WriteTxn& txn, const Entry& entry,
                                                const Account& earner);

// Shared by the commands (commands.cc).
absl::StatusOr<const BankHeader*> FindBank(WriteTxn& txn, const std::string& bank_id);
absl::StatusOr<Account> FindAccount(WriteTxn& txn, const std::string& bank_id,
                                    const std::string& account_id);
// Suspended and closed accounts neither earn nor pay: FailedPrecondition.
absl::Status CheckActive(const Account& account);
// Each kind of entry moves minutes between the kinds of account it is meant for.
absl::Status CheckKindFits(EntryKind kind, const Account& from, const Account& to);
// FailedPrecondition KIND_MISMATCH with `message`.
absl::Status KindMismatch(const std::string& message);

// Reverses entry `seq`. Refuses a coordinator whom the reversal would credit (CheckMayReverse).
absl::StatusOr<Receipt> ExecuteReverseEntry(WriteTxn& txn, const std::string& bank_id, uint64_t seq,
                                            const std::string& entry_id, const std::string& note,
                                            const Principal& caller);

}  // namespace timeledger::ledger

#endif  // TIMELEDGER_LEDGER_COMMANDS_H_
