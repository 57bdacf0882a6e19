// The erasure of a member's personal data (docs/PRIVACY.md; issue 23 adds the commands that call
// it): their personal records are deleted, the derived state that repeats them is blanked, and a
// personal_data_erased fact says what was erased. The facts keep their commitments, so every
// chain, digest and proof stays valid.
#include <set>
#include <string>
#include <utility>
#include <vector>

#include "absl/strings/str_cat.h"

#include "ledger/core/check.h"
#include "ledger/core/errors.h"
#include "ledger/core/validate.h"
#include "ledger/engine/commands.h"
#include "ledger/journal/journal.h"

namespace timeledger::ledger {
namespace {

bool Involves(const Entry& entry, const std::string& account_id) {
  return entry.from_account_id == account_id || entry.to_account_id == account_id;
}

// Whether the personal values of `fact` are the member's: their own account's facts, and the
// notes and reasons of the entries and pending entries they gave or received in.
absl::StatusOr<bool> Concerns(WriteTxn& txn, const Fact& fact, const std::string& account_id) {
  switch (fact.type) {
    case FactType::kAccountOpened:
    case FactType::kAccountChanged:
    case FactType::kAccountStatus:
    case FactType::kCardSet:
    case FactType::kContactSet:
      return fact.account_id == account_id;
    case FactType::kEntry:
    case FactType::kPendingCreated:
      return Involves(fact.entry, account_id);
    case FactType::kPendingResolved: {
      auto pending = txn.GetPending(fact.bank_id, fact.entry_id);
      if (!pending.ok()) return pending.status();
      return pending->has_value() && Involves((*pending)->entry, account_id);
    }
    default:
      return false;
  }
}

// The idempotency record of `entry_id` keeps the entry it names but not the fingerprint of the
// request, which covered the note (kFingerprintErased).
absl::Status ForgetFingerprint(WriteTxn& txn, const std::string& bank_id,
                               const std::string& entry_id) {
  auto record = txn.GetEntryId(bank_id, entry_id);
  if (!record.ok()) return record.status();
  if (!record->has_value() || (*record)->fingerprint == kFingerprintErased) {
    return absl::OkStatus();
  }
  txn.PutEntryId(bank_id, entry_id, EntryIdRecord{(*record)->seq, kFingerprintErased});
  return absl::OkStatus();
}

// Deletes the member's personal records (and forgets the fingerprints of the requests that
// held their notes); returns the fields they held.
absl::StatusOr<std::set<PersonalField>> DeleteRecords(WriteTxn& txn, const std::string& bank_id,
                                                      const std::string& account_id) {
  std::set<PersonalField> fields;
  StoreReader& store = txn.CommittedStore();
  auto records = store.PersonalRecords(bank_id);
  PersonalRecord record;
  uint64_t fact_position = UINT64_MAX;
  Fact fact;
  bool concerns = false;
  while (records->Next(&record)) {
    if (record.position != fact_position) {  // a fact's records are one run: read it once
      fact_position = record.position;
      auto stored = store.GetFact(bank_id, fact_position);
      if (!stored.ok()) return stored.status();
      if (!stored->has_value()) {
        return Refuse(Reason::kJournalGap, absl::StrCat("bank ", bank_id, " lacks fact ",
                                                        fact_position, " of a personal record"));
      }
      if (auto s = DecodeFactInto(**stored, &fact); !s.ok()) return s;
      auto found = Concerns(txn, fact, account_id);
      if (!found.ok()) return found.status();
      concerns = *found;
    }
    if (!concerns) continue;
    txn.Batch()->DeletePersonal(bank_id, record.position, record.field);
    fields.insert(record.field);
    if (record.field == PersonalField::kNote) {
      if (auto s = ForgetFingerprint(txn, bank_id, fact.entry.entry_id); !s.ok()) return s;
    }
  }
  if (!records->status().ok()) return records->status();
  return fields;
}

// Blanks the notes (and a rejection's reason) that the pending entries of the member repeat.
absl::Status BlankPending(WriteTxn& txn, const std::string& bank_id,
                          const std::string& account_id) {
  std::vector<PendingEntry> blanked;
  auto blank = [&](const PendingEntry& pending) {
    if (!Involves(pending.entry, account_id)) return absl::OkStatus();
    const bool rejected = pending.state == PendingState::kRejected;
    if (pending.entry.note.empty() && !(rejected && !pending.reason.empty())) {
      return absl::OkStatus();
    }
    PendingEntry copy = pending;
    copy.entry.note.clear();
    if (rejected) copy.reason.clear();
    blanked.push_back(std::move(copy));
    return absl::OkStatus();
  };
  StoreReader& store = txn.CommittedStore();
  if (auto s = store.ForEachOpenPending(bank_id, blank); !s.ok()) return s;
  if (auto s = store.ForEachResolvedPending(bank_id, blank); !s.ok()) return s;
  for (const PendingEntry& pending : blanked) txn.PutPending(pending);
  return absl::OkStatus();
}

// Whether the bank has facts of layout 3 or before, whose values are hashed as they are and so
// stay in the journal: its first fact, its creation, is older than layout 4.
absl::StatusOr<bool> HasInlineFacts(WriteTxn& txn, const std::string& bank_id) {
  auto first = txn.CommittedStore().GetFact(bank_id, 0);
  if (!first.ok()) return first.status();
  return first->has_value() && !(*first)->empty() &&
         static_cast<uint8_t>((**first)[0]) == kFactVersionInline;
}

}  // namespace

absl::StatusOr<ErasureReceipt> ExecuteErasePersonalData(WriteTxn& txn, const std::string& bank_id,
                                                        const std::string& account_id,
                                                        const std::string& reason,
                                                        const Principal& caller) {
  if (auto s = CheckStaffOf(caller, bank_id); !s.ok()) return s;
  if (auto s = ValidateText("reason", reason, kReasonLengthMax, true); !s.ok()) return s;
  auto bank = FindBank(txn, bank_id);
  if (!bank.ok()) return bank.status();
  auto account = FindAccount(txn, bank_id, account_id);
  if (!account.ok()) return account.status();
  // The records a group in flight staged are not in the store yet: erasing now could miss them.
  if (txn.PersonalRecordsInFlight()) {
    return Refuse(Reason::kBusy, "personal data is being written; try the erasure again");
  }
  auto fields = DeleteRecords(txn, bank_id, account_id);
  if (!fields.ok()) return fields.status();
  if (auto s = BlankPending(txn, bank_id, account_id); !s.ok()) return s;
  auto inline_facts = HasInlineFacts(txn, bank_id);
  if (!inline_facts.ok()) return inline_facts.status();

  auto card = txn.GetMemberCard(bank_id, account_id);
  if (!card.ok()) return card.status();
  if (card->has_value()) {
    const std::string old_number = (*card)->card_number;
    if (!old_number.empty()) fields->insert(PersonalField::kCardNumber);
    MemberCard blank = **card;
    blank.card_number.clear();
    blank.pin_hash.clear();
    blank.language.clear();
    txn.PutMemberCard(blank, old_number);
    if (!old_number.empty()) txn.PutCardAttempts(bank_id, old_number, CardAttempts{});
  }
  if (!account->display_name.empty()) fields->insert(PersonalField::kDisplayName);
  if (!account->phone.empty()) fields->insert(PersonalField::kPhone);
  if (!account->email.empty()) fields->insert(PersonalField::kEmail);
  account->display_name.clear();
  account->phone.clear();
  account->email.clear();
  account->personal_data_erased = true;
  txn.PutAccount(*account);

  ErasureReceipt receipt;
  receipt.fields.assign(fields->begin(), fields->end());
  txn.AppendFact(PersonalDataErasedFact(bank_id, account_id, receipt.fields, reason, caller.name));
  receipt.account = *std::move(account);
  receipt.values_in_old_facts = *inline_facts;
  TL_CHECK(receipt.account.personal_data_erased && receipt.account.display_name.empty() &&
           receipt.account.phone.empty() && receipt.account.email.empty());
  return receipt;
}

}  // namespace timeledger::ledger
