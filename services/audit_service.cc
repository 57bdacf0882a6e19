#include "services/audit_service.h"

#include <string>
#include <utility>
#include <vector>

#include "google/protobuf/descriptor.h"
#include "google/protobuf/message.h"
#include "google/protobuf/timestamp.pb.h"

#include "ledger/core/check.h"
#include "ledger/core/errors.h"
#include "ledger/core/merkle.h"
#include "ledger/core/sha256.h"
#include "services/catalogue_convert.h"
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

void FillEntryFact(const ledger::Entry& entry, v1::EntryFact* out) {
  out->set_seq(entry.seq);
  out->set_entry_id(entry.entry_id);
  out->set_kind(static_cast<v1::EntryKind>(entry.kind));
  out->set_from_account_id(entry.from_account_id);
  out->set_to_account_id(entry.to_account_id);
  out->set_minutes(entry.minutes);
  out->set_activity(entry.activity);
  out->set_note(entry.note);
  ToProto(entry.occurred_at, out->mutable_occurred_at());
  ToProto(entry.recorded_at, out->mutable_recorded_at());
  out->set_recorded_by(entry.recorded_by);
  out->set_reverses_seq(entry.reverses_seq);
}

// The generated message `message` is, as an M.
template <class M>
M* As(google::protobuf::Message* message) {
  auto* typed = dynamic_cast<M*>(message);
  TL_CHECK(typed != nullptr);
  return typed;
}

// The records nested in facts, each into the message audit.proto gives it.
void FillRecord(const ledger::Policy& policy, ledger::PolicyRecord,
                google::protobuf::Message* out) {
  ToProto(policy, As<v1::Policy>(out));
}
void FillRecord(const ledger::Entry& entry, ledger::StoredEntryRecord,
                google::protobuf::Message* out) {
  auto* fact = As<v1::EntryFact>(out);
  FillEntryFact(entry, fact);
  SetDigest(entry.hash, fact->mutable_hash());
}
void FillRecord(const ledger::Entry& entry, ledger::CanonicalEntryRecord,
                google::protobuf::Message* out) {
  FillEntryFact(entry, As<v1::EntryFact>(out));
}
void FillRecord(const ledger::CatalogueItem& item, ledger::CatalogueItemRecord,
                google::protobuf::Message* out) {
  ToProto(item, As<v1::CatalogueItem>(out));
}
void FillRecord(const ledger::Award& award, ledger::AwardRecord, google::protobuf::Message* out) {
  ToProto(award, As<v1::Award>(out));
}

// Sets the body of a fact as the JournalRecord.body field named after its type, each field of the
// body into the field of the same name (ledger/journal/fact.h VisitBody), through reflection: a
// new type of fact needs nothing here, only its message in audit.proto.
class BodyToProto {
 public:
  using FieldDescriptor = google::protobuf::FieldDescriptor;

  explicit BodyToProto(v1::JournalRecord* record) : record_(record) {}

  void Name(const char* type_name) {
    const FieldDescriptor* field = record_->GetDescriptor()->FindFieldByName(type_name);
    TL_CHECK(field != nullptr && field->containing_oneof() != nullptr);
    body_ = record_->GetReflection()->MutableMessage(record_, field);
  }
  void Str(const char* name, const std::string& value, size_t) {
    body_->GetReflection()->SetString(body_, Field(name, FieldDescriptor::CPPTYPE_STRING), value);
  }
  void U64(const char* name, uint64_t value) {
    body_->GetReflection()->SetUInt64(body_, Field(name, FieldDescriptor::CPPTYPE_UINT64), value);
  }
  void Time(const char* name, absl::Time value) {
    ToProto(value, As<google::protobuf::Timestamp>(Message(name)));
  }
  template <class E>
  void Enum(const char* name, E value, E, E) {
    body_->GetReflection()->SetEnumValue(body_, Field(name, FieldDescriptor::CPPTYPE_ENUM),
                                         static_cast<int>(value));
  }
  template <class E>
  void Enums(const char* name, const std::vector<E>& values, E, E, size_t) {
    const FieldDescriptor* field = Field(name, FieldDescriptor::CPPTYPE_ENUM);
    TL_CHECK(field->is_repeated());
    for (E value : values) {
      body_->GetReflection()->AddEnumValue(body_, field, static_cast<int>(value));
    }
  }
  template <class T, class R>
  void Record(const char* name, const T& value, R codec) {
    FillRecord(value, codec, *name == '\0' ? body_ : Message(name));
  }
  void Personal(const char* name, const std::string& value, const ledger::PersonalSeal&, size_t,
                ledger::PersonalField) {
    Str(name, value, 0);
  }

 private:
  const FieldDescriptor* Field(const char* name, FieldDescriptor::CppType type) const {
    TL_CHECK(body_ != nullptr);
    const FieldDescriptor* field = body_->GetDescriptor()->FindFieldByName(name);
    TL_CHECK(field != nullptr && field->cpp_type() == type);
    return field;
  }
  google::protobuf::Message* Message(const char* name) {
    return body_->GetReflection()->MutableMessage(body_,
                                                  Field(name, FieldDescriptor::CPPTYPE_MESSAGE));
  }

  v1::JournalRecord* record_;
  google::protobuf::Message* body_ = nullptr;
};

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

void ToProto(const ledger::JournalRecord& record, const ledger::Fact& fact,
             v1::JournalRecord* out) {
  out->set_position(record.position);
  out->set_type(static_cast<v1::FactType>(fact.type));
  out->set_bank_id(fact.bank_id);
  ToProto(fact.at, out->mutable_at());
  out->set_principal(fact.principal);
  out->set_fact(record.fact);
  SetDigest(record.leaf_hash.has_value() ? *record.leaf_hash : ledger::MerkleLeafHash(record.fact),
            out->mutable_leaf_hash());
  SetDigest(record.chain_hash, out->mutable_chain_hash());
  BodyToProto body(out);
  TL_CHECK(ledger::VisitBody(fact, body));
  ledger::ForEachPersonal(fact, [out](ledger::PersonalField field, const std::string& value,
                                      const ledger::PersonalSeal& seal, size_t) {
    if (!seal.committed()) return;
    auto* personal = out->add_personal();
    personal->set_field(static_cast<v1::PersonalField>(field));
    personal->set_erased(seal.state == ledger::PersonalState::kErased);
    if (personal->erased()) return;
    personal->set_salt(reinterpret_cast<const char*>(seal.salt.data()), seal.salt.size());
    personal->set_value(value);
  });
}

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
