// Ledger: the check of every bank at open, and the checkpoints that keep it short
// (ledger/verify/tail.h): a bank with a checkpoint has the facts since it walked; one without
// (its first open by this version), or every bank when options ask for it, is verified in full.
#include <string>
#include <vector>

#include "ledger/engine/audit.h"
#include "ledger/engine/ledger.h"
#include "ledger/verify/tail.h"
#include "ledger/verify/verify.h"

namespace timeledger::ledger {

absl::Status Ledger::CheckOnOpen(BankMap* banks) const {
  auto snapshot = store_->NewSnapshot(BlockCache::kBypass);
  std::vector<std::string> in_full;
  for (auto& [bank_id, state] : *banks) {
    if (!state->damage.ok()) continue;  // its heads already failed: nothing more to learn
    std::optional<ChainHead> checkpoint;
    if (!options_.full_verify_on_open) {
      auto read = snapshot->GetCheckpoint(bank_id);
      if (!read.ok()) {
        state->damage = BankDamaged(bank_id, read.status());
        continue;
      }
      checkpoint = *std::move(read);
    }
    if (!checkpoint.has_value()) {
      in_full.push_back(bank_id);
      continue;
    }
    const TailCheck tail = VerifyTail(*snapshot, bank_id, *checkpoint, state->head);
    if (!tail.status.ok()) state->damage = BankDamaged(bank_id, tail.status);
  }
  for (const std::string& bank_id : in_full) {
    VerifyOptions only;
    only.bank_id = BankId(bank_id);
    const VerifyReport report = VerifySnapshot(*snapshot, only);
    if (report.banks.empty() && !report.status.ok()) return report.status;  // banks unreadable
    for (const BankVerification& bank : report.banks) {
      if (!bank.status.ok())
        (*banks)[bank.bank_id]->damage = BankDamaged(bank.bank_id, bank.status);
    }
  }
  WriteCheckpoints(*banks);
  return absl::OkStatus();
}

void Ledger::WriteCheckpoints(const BankMap& banks) const {
  if (!store_->WriteStatus().ok()) return;
  auto batch = store_->NewBatch();
  for (const auto& [bank_id, state] : banks) {
    if (state->damage.ok()) batch->PutCheckpoint(bank_id, state->head);
  }
  if (batch->empty()) return;
  // Best effort: without it the next open walks a longer tail, and checks no less.
  store_->Commit(batch.get()).IgnoreError();
}

}  // namespace timeledger::ledger
