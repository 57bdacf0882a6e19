// How a property test's worker thread sends its attempts to the ledger and keeps their results:
// single entries, batches, reversals and status changes, a bounded number in flight.
#include "tests/ledger/engine/ledger_property_model.h"

namespace timeledger::ledger::property {

void Worker::Run() {
  for (int i = 0; i < kOpsPerThread; ++i) {
    const int dice = Uniform(0, 99);
    if (dice < 40) {
      Submit(FreshValid(RandomBank()));
    } else if (dice < 48) {
      Submit(Invalid());
    } else if (dice < 52) {
      Submit(Mismatch());
    } else if (dice < 57) {
      Submit(RetrySame());
    } else if (dice < 60) {
      Submit(RetryOther());
    } else if (dice < 64) {
      Submit(Contested());
    } else if (dice < 71) {
      SubmitAtomicBatch();
    } else if (dice < 77) {
      SubmitLooseBatch();
    } else if (dice < 90) {
      SubmitReversal();
    } else if (dice < 97) {
      SubmitOwnStatusChange();
    } else {
      SubmitRefusedStatusChange();
    }
  }
  window_.Drain();
}

void Worker::NoteAcked(const EntrySpec& spec, const absl::StatusOr<Receipt>& result) {
  if (!result.ok()) return;
  if (spec.bank_id == kBank) RaiseTo(acked_seq_max_, result->entry.seq);
  if (result->replayed) return;
  std::lock_guard<std::mutex> lock(acked_mu_);
  acked_.push_back(Acked{spec, result->entry.seq});
}

void Worker::Submit(EntryAttempt attempt) {
  EntryAttempt* record = &singles_.emplace_back(std::move(attempt));
  window_.Acquire();
  ledger_->RecordEntry(record->spec, AdminNamed(principal_),
                       [this, record](absl::StatusOr<Receipt> result) {
                         NoteAcked(record->spec, result);
                         record->result = std::move(result);
                         window_.Release();
                       });
}

void Worker::SubmitAtomicBatch() {
  BatchAttempt batch;
  batch.atomic = true;
  batch.risky = Chance(25);
  const int size = Uniform(1, 12);
  for (int i = 0; i < size; ++i) {
    EntryAttempt item;
    item.spec = batch.risky ? ValidSpec(kBank, false) : SafeSpec();
    item.expect.ok_allowed = true;
    item.expect.fresh_id = true;
    batch.items.push_back(std::move(item));
  }
  if (batch.risky) return SubmitBatch(std::move(batch));
  if (size > 1 && Chance(30)) {
    const int position = Uniform(1, size);
    EntryAttempt repeat;
    repeat.spec = batch.items[static_cast<size_t>(Uniform(0, position - 1))].spec;
    repeat.expect.ok_allowed = true;
    repeat.expect.must_replay = true;  // its seq: the repeated item's, checked in CheckBatch
    batch.items.insert(batch.items.begin() + position, std::move(repeat));
  }
  if (Chance(40)) {
    EntryAttempt bad = Chance(50) ? Invalid() : Mismatch();
    batch.bad_reason = *bad.expect.reasons.begin();
    batch.bad_index = Uniform(0, static_cast<int>(batch.items.size()));
    batch.items.insert(batch.items.begin() + batch.bad_index, std::move(bad));
  }
  SubmitBatch(std::move(batch));
}

void Worker::SubmitLooseBatch() {
  BatchAttempt batch;
  const int size = Uniform(1, 12);
  for (int i = 0; i < size; ++i) {
    const int dice = Uniform(0, 9);
    if (dice < 5) {
      batch.items.push_back(FreshValid(RandomBank()));
    } else if (dice < 6) {
      batch.items.push_back(Invalid());
    } else if (dice < 7) {
      batch.items.push_back(Mismatch());
    } else if (dice < 8) {
      batch.items.push_back(RetrySame());
    } else if (dice < 9) {
      batch.items.push_back(RetryOther());
    } else {
      batch.items.push_back(Contested());
    }
  }
  if (Chance(30)) {
    EntryAttempt original;
    original.spec = SafeSpec();
    original.expect.ok_allowed = true;
    original.expect.fresh_id = true;
    EntryAttempt repeat;
    repeat.spec = original.spec;
    repeat.spec.note += " (changed)";
    repeat.expect.reasons.insert("ENTRY_ID_REUSED");
    batch.items.push_back(std::move(original));
    batch.items.push_back(std::move(repeat));
  }
  SubmitBatch(std::move(batch));
}

void Worker::SubmitBatch(BatchAttempt batch) {
  BatchAttempt* record = &batches_.emplace_back(std::move(batch));
  std::vector<EntrySpec> specs;
  for (const EntryAttempt& item : record->items) specs.push_back(item.spec);
  window_.Acquire();
  ledger_->RecordEntries(
      std::move(specs), record->atomic, AdminNamed(principal_),
      [this, record](absl::StatusOr<std::vector<absl::StatusOr<Receipt>>> result) {
        record->status = result.status();
        if (result.ok() && result->size() == record->items.size()) {
          for (size_t i = 0; i < result->size(); ++i) {
            NoteAcked(record->items[i].spec, (*result)[i]);
            record->items[i].result = std::move((*result)[i]);
          }
        }
        window_.Release();
      });
}

void Worker::SubmitReversal() {
  ReversalAttempt attempt;
  std::optional<AckedReversal> earlier;
  if (Chance(15)) {
    std::lock_guard<std::mutex> lock(acked_mu_);
    if (!acked_reversals_.empty()) earlier = OneOf(acked_reversals_);
  }
  if (earlier) {
    attempt.seq = earlier->reversed_seq;
    attempt.entry_id = earlier->entry_id;
    attempt.note = earlier->note;
    attempt.original_seq = earlier->seq;
    if (Chance(50)) {
      attempt.retry_same = true;
    } else {
      attempt.note += " (again)";
      attempt.retry_other = true;
    }
  } else {
    const uint64_t head = acked_seq_max_->load();
    attempt.seq = std::uniform_int_distribution<uint64_t>(1, head + 8)(rng_);
    attempt.entry_id = Chance(50) ? "" : absl::StrCat("t", index_, "-rev-", next_id_++);
    attempt.note = Chance(85) ? "recorded twice" : "wrong person";
  }
  attempt.acked_seq_max = acked_seq_max_->load();
  ReversalAttempt* record = &reversals_.emplace_back(std::move(attempt));
  window_.Acquire();
  ledger_->ReverseEntry(BankId(kBank), record->seq, EntryId(record->entry_id), record->note,
                        AdminNamed(principal_), [this, record](absl::StatusOr<Receipt> result) {
                          if (result.ok()) {
                            RaiseTo(acked_seq_max_, result->entry.seq);
                            if (!result->replayed) {
                              std::lock_guard<std::mutex> lock(acked_mu_);
                              acked_reversals_.push_back(AckedReversal{
                                  record->seq, record->entry_id, record->note, result->entry.seq});
                            }
                          }
                          record->result = std::move(result);
                          window_.Release();
                        });
}

void Worker::SubmitStatus(StatusAttempt attempt) {
  StatusAttempt* record = &statuses_.emplace_back(std::move(attempt));
  window_.Acquire();
  ledger_->SetAccountStatus(BankId(record->bank_id), AccountId(record->account_id), record->status,
                            "property test",
                            /*donate_balance_to_pool=*/false, AdminNamed(principal_),
                            [this, record](absl::StatusOr<Account> result) {
                              record->result = std::move(result);
                              window_.Release();
                            });
}

void Worker::SubmitOwnStatusChange() {
  std::vector<std::string> owned;
  for (int i = index_; i < kVolatile; i += kThreads) owned.push_back(PersonId(i));
  if (owned.empty()) return SubmitRefusedStatusChange();
  StatusAttempt attempt;
  attempt.bank_id = kBank;
  attempt.account_id = OneOf(owned);
  attempt.status = Chance(50) ? AccountStatus::kSuspended : AccountStatus::kActive;
  last_status_[attempt.account_id] = attempt.status;
  SubmitStatus(std::move(attempt));
}

void Worker::SubmitRefusedStatusChange() {
  StatusAttempt attempt;
  attempt.bank_id = kBank;
  switch (Uniform(0, 3)) {
    case 0:
      attempt.account_id = kPoolAccountId;
      attempt.status = AccountStatus::kClosed;
      attempt.expected_reason = "POOL_NOT_CLOSABLE";
      break;
    case 1:
      attempt.account_id = kClosed;
      attempt.status = Chance(50) ? AccountStatus::kActive : AccountStatus::kSuspended;
      attempt.expected_reason = "ACCOUNT_CLOSED";
      break;
    case 2:
      attempt.account_id = "nobody";
      attempt.status = AccountStatus::kSuspended;
      attempt.expected_reason = "ACCOUNT_NOT_FOUND";
      break;
    default:
      attempt.bank_id = kOtherBank;
      attempt.account_id = PersonId(kPersons - 1);  // exists in hcct only
      attempt.status = AccountStatus::kSuspended;
      attempt.expected_reason = "ACCOUNT_NOT_FOUND";
      break;
  }
  SubmitStatus(std::move(attempt));
}

}  // namespace timeledger::ledger::property
