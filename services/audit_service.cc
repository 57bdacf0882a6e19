#include "services/audit_service.h"

#include <string>
#include <utility>
#include <vector>


#include "ledger/core/check.h"
#include "ledger/core/errors.h"
#include "services/convert.h"
#include "services/reply.h"

namespace timeledger::services {
namespace {

void SetDigest(const ledger::Digest& digest, std::string* out) {
  out->assign(reinterpret_cast<const char*>(digest.data()), digest.size());
}

std::string Bytes(const ledger::Digest& digest) {
  return std::string(reinterpret_cast<const char*>(digest.data()), digest.size());
}

void FillBackup(const ledger::BackupInfo& info, const std::string& dir, size_t kept,
                v1::Backup* out) {
  out->set_backup_id(info.backup_id);
  out->set_dir(dir);
  ToProto(info.created_at, out->mutable_created_at());
  out->set_size_bytes(info.size_bytes);
  out->set_file_count(info.file_count);
  out->set_backups_kept(static_cast<uint32_t>(kept));
}

absl::Status Busy() {
  return ledger::Refuse(ledger::Reason::kBusy,
                        "the server is already running verifications or backups; try again "
                        "shortly");
}

}  // namespace

void ToProto(const ledger::VerifyReport& report, v1::VerifyResponse* out) {
  out->set_ok(report.ok());
  if (!report.ok()) ToProblem(report.status, out->mutable_problem());
  for (const ledger::BankVerification& bank : report.banks) {
    auto* item = out->add_banks();
    item->set_bank_id(bank.bank_id);
    item->set_ok(bank.status.ok());
    if (!bank.status.ok()) ToProblem(bank.status, item->mutable_problem());
    item->set_tree_size(bank.journal_size);
    SetDigest(bank.root_hash, item->mutable_root_hash());
    item->set_entry_count(bank.entry_count);
    item->set_account_count(bank.account_count);
  }
  out->set_facts_checked(report.facts);
  out->set_entries_checked(report.entries);
  out->set_elapsed_ms(absl::ToInt64Milliseconds(report.elapsed));
}

grpc::ServerUnaryReactor* AuditService::GetDigest(grpc::CallbackServerContext* context,
                                                  const v1::GetDigestRequest* request,
                                                  v1::Digest* response) {
  auto* reactor = context->DefaultReactor();
  auto caller = gate_->Admit(context, "Audit/GetDigest", request->bank_id());
  if (!caller.ok()) return Refuse(reactor, caller.status());
  Reply(reactor, ledger_->GetDigest(ledger::BankId(request->bank_id())),
        [response](const ledger::JournalDigest& digest) {
          response->set_bank_id(digest.bank_id);
          response->set_tree_size(digest.tree_size);
          SetDigest(digest.root_hash, response->mutable_root_hash());
          SetDigest(digest.journal_hash, response->mutable_journal_hash());
          response->set_entry_count(digest.entry_count);
          ToProto(digest.issued_at, response->mutable_issued_at());
        });
  return reactor;
}

grpc::ServerUnaryReactor* AuditService::GetInclusionProof(
    grpc::CallbackServerContext* context, const v1::GetInclusionProofRequest* request,
    v1::InclusionProof* response) {
  auto* reactor = context->DefaultReactor();
  auto caller = gate_->Admit(context, "Audit/GetInclusionProof", request->bank_id());
  if (!caller.ok()) return Refuse(reactor, caller.status());
  uint64_t seq = 0;
  std::optional<uint64_t> position;
  switch (request->leaf_case()) {
    case v1::GetInclusionProofRequest::kSeq:
      seq = request->seq();
      break;
    case v1::GetInclusionProofRequest::kPosition:
      position = request->position();
      break;
    default:
      reactor->Finish(ToGrpcStatus(ledger::Refuse(ledger::Reason::kInvalidArgument,
                                                  "give the entry's seq or the fact's position",
                                                  {{"field", "seq"}})));
      return reactor;
  }
  Reply(reactor,
        ledger_->GetInclusionProof(ledger::BankId(request->bank_id()), seq, position,
                                   request->tree_size()),
        [response](const ledger::EntryInclusionProof& proof) {
          response->set_bank_id(proof.bank_id);
          response->set_tree_size(proof.tree_size);
          ToProto(proof.record, proof.fact, response->mutable_record());
          for (const ledger::Digest& hash : proof.path) response->add_audit_path(Bytes(hash));
          SetDigest(proof.root_hash, response->mutable_root_hash());
        });
  return reactor;
}

grpc::ServerUnaryReactor* AuditService::GetConsistencyProof(
    grpc::CallbackServerContext* context, const v1::GetConsistencyProofRequest* request,
    v1::ConsistencyProof* response) {
  auto* reactor = context->DefaultReactor();
  auto caller = gate_->Admit(context, "Audit/GetConsistencyProof", request->bank_id());
  if (!caller.ok()) return Refuse(reactor, caller.status());
  Reply(reactor,
        ledger_->GetConsistencyProof(ledger::BankId(request->bank_id()), request->old_size(),
                                     request->new_size()),
        [response](const ledger::JournalConsistencyProof& proof) {
          response->set_bank_id(proof.bank_id);
          response->set_old_size(proof.old_size);
          response->set_new_size(proof.new_size);
          for (const ledger::Digest& hash : proof.path) response->add_proof(Bytes(hash));
          SetDigest(proof.old_root, response->mutable_old_root());
          SetDigest(proof.new_root, response->mutable_new_root());
        });
  return reactor;
}

grpc::ServerUnaryReactor* AuditService::Verify(grpc::CallbackServerContext* context,
                                               const v1::VerifyRequest* request,
                                               v1::VerifyResponse* response) {
  auto* reactor = context->DefaultReactor();
  auto caller = gate_->Admit(context, "Audit/Verify", request->bank_id());
  if (!caller.ok()) return Refuse(reactor, caller.status());
  const bool queued = worker_.Submit([this, reactor, response, bank_id = request->bank_id()] {
    const ledger::VerifyReport report = ledger_->Verify(ledger::BankId(bank_id));
    // A report that found damage is an answer; only a failure to run (e.g. an unknown bank) is
    // an error of the call.
    if (report.banks.empty() && !report.ok()) {
      reactor->Finish(ToGrpcStatus(report.status));
      return;
    }
    ToProto(report, response);
    reactor->Finish(grpc::Status::OK);
  });
  if (!queued) reactor->Finish(ToGrpcStatus(Busy()));
  return reactor;
}

grpc::ServerUnaryReactor* AuditService::ListJournal(grpc::CallbackServerContext* context,
                                                    const v1::ListJournalRequest* request,
                                                    v1::ListJournalResponse* response) {
  auto* reactor = context->DefaultReactor();
  auto caller = gate_->Admit(context, "Audit/ListJournal", request->bank_id());
  if (!caller.ok()) return Refuse(reactor, caller.status());
  Reply(reactor,
        ledger_->ListJournal(ledger::BankId(request->bank_id()), request->start_position(),
                             request->end_position(), request->page_size()),
        [response](const ledger::JournalPage& page) {
          for (size_t i = 0; i < page.records.size(); ++i) {
            ToProto(page.records[i], page.facts[i], response->add_records());
          }
          response->set_next_position(page.next_position);
          response->set_done(page.done);
          response->set_tree_size(page.tree_size);
        });
  return reactor;
}

grpc::ServerUnaryReactor* BackupsService::CreateBackup(grpc::CallbackServerContext* context,
                                                       const v1::CreateBackupRequest* request,
                                                       v1::Backup* response) {
  auto* reactor = context->DefaultReactor();
  auto caller = gate_->Admit(context, "Backups/CreateBackup", "");
  if (!caller.ok()) return Refuse(reactor, caller.status());
  const bool queued = worker_.Submit([this, reactor, response, dir = request->dir()] {
    Reply(reactor, ledger_->CreateBackup(dir), [this, response](const ledger::BackupMade& made) {
      FillBackup(made.info, made.dir, ledger_->backups_keep(), response);
    });
  });
  if (!queued) reactor->Finish(ToGrpcStatus(Busy()));
  return reactor;
}

grpc::ServerUnaryReactor* BackupsService::ListBackups(grpc::CallbackServerContext* context,
                                                      const v1::ListBackupsRequest* request,
                                                      v1::ListBackupsResponse* response) {
  auto* reactor = context->DefaultReactor();
  auto caller = gate_->Admit(context, "Backups/ListBackups", "");
  if (!caller.ok()) return Refuse(reactor, caller.status());
  Reply(reactor, ledger_->ListBackups(request->dir()),
        [this, response](const ledger::BackupList& list) {
          for (const auto& info : list.backups) {
            FillBackup(info, list.dir, ledger_->backups_keep(), response->add_backups());
          }
        });
  return reactor;
}

}  // namespace timeledger::services
