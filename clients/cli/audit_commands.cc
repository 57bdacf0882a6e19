// audit digest | verify-entry | verify-consistency | verify, export, backup: checking a bank's
// ledger without trusting the server, and keeping copies of it.
//
// Proofs are verified here, on the client, with clients/audit/proof_check.h (RFC 9162), against
// the roots of digest files the user kept: the server only supplies the proof hashes.
#include <cctype>
#include <chrono>
#include <cstdio>
#include <memory>
#include <string>
#include <vector>

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/time/time.h"
#include <google/protobuf/descriptor.h>
#include <google/protobuf/util/json_util.h>

#include "clients/audit/digest_file.h"
#include "clients/audit/proof_check.h"
#include "clients/cli/command_line.h"
#include "clients/cli/commands.h"
#include "clients/cli/connection.h"
#include "clients/cli/exit_code.h"
#include "clients/cli/journal_export.h"
#include "clients/cli/words.h"
#include "timeledger/v1/audit.grpc.pb.h"

namespace timeledger::cli {
namespace {

namespace audit = ::timeledger::audit;

// Verification and backups read the whole ledger: they get longer than other calls.
constexpr std::chrono::minutes kLongCallTimeout{30};
constexpr std::chrono::seconds kPageCallTimeout{60};
constexpr int32_t kJournalPageSize = 1000;
constexpr char kJournalFormat[] = "timeledger-journal/1";

constexpr PositionalSpec kBankArg = {"BANK_ID", "the bank"};

// The Audit and Backups stubs on the connection's channel, with deadlines of their own.
class AuditStubs {
 public:
  explicit AuditStubs(const Connection& connection)
      : connection_(&connection),
        audit_(v1::Audit::NewStub(connection.channel())),
        backups_(v1::Backups::NewStub(connection.channel())) {}

  template <typename Stub, typename Request, typename Response, typename Duration>
  grpc::Status Call(Stub& stub,
                    grpc::Status (Stub::*method)(grpc::ClientContext*, const Request&, Response*),
                    const Request& request, Response* response, Duration timeout) {
    grpc::ClientContext context;
    context.set_deadline(std::chrono::system_clock::now() + timeout);
    connection_->Authorize(&context);
    return (stub.*method)(&context, request, response);
  }

  v1::Audit::Stub& audit() { return *audit_; }
  v1::Backups::Stub& backups() { return *backups_; }

 private:
  const Connection* connection_;
  std::unique_ptr<v1::Audit::Stub> audit_;
  std::unique_ptr<v1::Backups::Stub> backups_;
};

std::string Rfc3339(const google::protobuf::Timestamp& timestamp) {
  const absl::Time time =
      absl::FromUnixSeconds(timestamp.seconds()) + absl::Nanoseconds(timestamp.nanos());
  return absl::FormatTime("%Y-%m-%dT%H:%M:%E6SZ", time, absl::UTCTimeZone());
}

std::string Hex(absl::string_view bytes) {
  static constexpr char kDigits[] = "0123456789abcdef";
  std::string hex;
  hex.reserve(bytes.size() * 2);
  for (unsigned char c : bytes) {
    hex.push_back(kDigits[c >> 4]);
    hex.push_back(kDigits[c & 0xf]);
  }
  return hex;
}

// Prints a finding of the client-side checks; returns kExitRefused.
int ReportCheckFailure(absl::string_view what, const absl::Status& status) {
  std::fprintf(stderr, "error: %s: %s\n", std::string(what).c_str(),
               std::string(status.message()).c_str());
  return kExitRefused;
}

bool WriteFile(const std::string& path, const std::string& text) {
  std::FILE* file = std::fopen(path.c_str(), "w");
  if (file == nullptr) return false;
  const bool written = std::fwrite(text.data(), 1, text.size(), file) == text.size();
  return std::fclose(file) == 0 && written;
}

audit::DigestFile ToDigestFile(const Connection& connection, const v1::Digest& digest) {
  audit::DigestFile file;
  file.server = connection.server();
  file.bank_id = digest.bank_id();
  file.tree_size = digest.tree_size();
  file.root_hash = audit::FromBytes(digest.root_hash()).value_or(audit::Hash{});
  file.journal_hash = audit::FromBytes(digest.journal_hash()).value_or(audit::Hash{});
  file.entry_count = digest.entry_count();
  file.issued_at = Rfc3339(digest.issued_at());
  return file;
}

int RunDigest(const ParsedArgs& args, Connection& connection) {
  AuditStubs stubs(connection);
  v1::GetDigestRequest request;
  request.set_bank_id(args.Positional(0));
  v1::Digest digest;
  const grpc::Status status =
      stubs.Call(stubs.audit(), &v1::Audit::Stub::GetDigest, request, &digest, kCallTimeout);
  if (!status.ok()) return connection.ReportFailure(status);
  const std::string text = audit::FormatDigestFile(ToDigestFile(connection, digest));
  const std::string out = args.Value("out");
  if (!out.empty() && !WriteFile(out, text)) {
    std::fprintf(stderr, "error: cannot write the digest to %s\n", out.c_str());
    return kExitRefused;
  }
  if (connection.json()) return connection.PrintJson(digest);
  std::printf("Bank %s: %llu facts (%llu entries), Merkle root %s\n", digest.bank_id().c_str(),
              static_cast<unsigned long long>(digest.tree_size()),
              static_cast<unsigned long long>(digest.entry_count()),
              Hex(digest.root_hash()).c_str());
  if (!out.empty()) {
    std::printf(
        "Saved to %s. Keep it: later, 'timeledger audit verify-consistency %s NEWER' "
        "proves that nothing before it was changed.\n",
        out.c_str(), out.c_str());
  } else {
    std::fputs(text.c_str(), stdout);
  }
  return kExitOk;
}

// Decodes the hashes of a proof.
absl::StatusOr<std::vector<audit::Hash>> Hashes(
    const google::protobuf::RepeatedPtrField<std::string>& bytes) {
  if (bytes.size() > static_cast<int>(audit::kProofHashesMax)) {
    return absl::InvalidArgumentError("the proof has more hashes than any tree needs");
  }
  std::vector<audit::Hash> hashes;
  for (const std::string& one : bytes) {
    auto hash = audit::FromBytes(one);
    if (!hash.ok()) return hash.status();
    hashes.push_back(*hash);
  }
  return hashes;
}

int RunVerifyEntry(const ParsedArgs& args, Connection& connection) {
  const std::string bank_id = args.Positional(0);
  uint64_t seq = 0;
  if (!absl::SimpleAtoi(args.Positional(1), &seq) || seq == 0) {
    return args.ReportUsageError("SEQ is an entry's number, 1 or more");
  }
  auto digest = audit::ReadDigestFile(args.Value("digest"));
  if (!digest.ok()) return ReportCheckFailure("the digest", digest.status());
  if (digest->bank_id != bank_id) {
    std::fprintf(stderr, "error: the digest is of bank %s, not %s\n", digest->bank_id.c_str(),
                 bank_id.c_str());
    return kExitRefused;
  }
  AuditStubs stubs(connection);
  v1::GetInclusionProofRequest request;
  request.set_bank_id(bank_id);
  request.set_seq(seq);
  request.set_tree_size(digest->tree_size);
  v1::InclusionProof proof;
  const grpc::Status status =
      stubs.Call(stubs.audit(), &v1::Audit::Stub::GetInclusionProof, request, &proof, kCallTimeout);
  if (!status.ok()) return connection.ReportFailure(status);

  // Everything below is checked here, from the fact's bytes and the digest's root.
  const std::string& fact = proof.record().fact();
  auto header = audit::ParseFactHeader(fact);
  if (!header.ok()) return ReportCheckFailure("the proved fact", header.status());
  if (header->bank_id != bank_id || header->entry_seq != seq ||
      header->position != proof.record().position()) {
    std::fprintf(stderr, "error: the server proved another fact than entry %llu of %s\n",
                 static_cast<unsigned long long>(seq), bank_id.c_str());
    return kExitRefused;
  }
  auto path = Hashes(proof.audit_path());
  if (!path.ok()) return ReportCheckFailure("the proof", path.status());
  const audit::Hash leaf = audit::LeafHash(fact);
  const absl::Status verified =
      audit::VerifyInclusion(leaf, header->position, digest->tree_size, *path, digest->root_hash);
  if (!verified.ok()) {
    return ReportCheckFailure(
        absl::StrCat("entry ", seq, " is NOT proved to be in the digest's ledger"), verified);
  }
  // The personal values the proof carries (layout 4) must open the fact's commitments.
  for (const v1::PersonalValue& personal : proof.record().personal()) {
    if (personal.erased()) continue;
    const absl::Status opened = audit::VerifyPersonalValue(fact, personal.salt(), personal.value());
    if (!opened.ok()) return ReportCheckFailure("a personal value of the fact", opened);
  }
  if (connection.json()) return connection.PrintJson(proof);
  const v1::EntryFact& entry = proof.record().entry();
  std::printf(
      "Verified: entry %llu of bank %s is fact %llu of the %llu facts that the digest's "
      "root %s commits to.\n",
      static_cast<unsigned long long>(seq), bank_id.c_str(),
      static_cast<unsigned long long>(header->position),
      static_cast<unsigned long long>(digest->tree_size), audit::ToHex(digest->root_hash).c_str());
  std::printf(
      "  %s -> %s, %lld minutes, %s, recorded %s by %s\n  leaf hash %s, audit path "
      "of %zu hashes\n",
      entry.from_account_id().c_str(), entry.to_account_id().c_str(),
      static_cast<long long>(entry.minutes()), entry.activity().c_str(),
      Rfc3339(entry.recorded_at()).c_str(), entry.recorded_by().c_str(), audit::ToHex(leaf).c_str(),
      path->size());
  return kExitOk;
}

int RunVerifyConsistency(const ParsedArgs& args, Connection& connection) {
  auto old_digest = audit::ReadDigestFile(args.Positional(0));
  if (!old_digest.ok()) return ReportCheckFailure("the old digest", old_digest.status());
  auto new_digest = audit::ReadDigestFile(args.Positional(1));
  if (!new_digest.ok()) return ReportCheckFailure("the new digest", new_digest.status());
  if (old_digest->bank_id != new_digest->bank_id) {
    std::fprintf(stderr, "error: the digests are of different banks (%s, %s)\n",
                 old_digest->bank_id.c_str(), new_digest->bank_id.c_str());
    return kExitRefused;
  }
  if (old_digest->tree_size > new_digest->tree_size) {
    std::fprintf(stderr,
                 "error: OLD covers %llu facts, NEW only %llu: give the older digest first (if "
                 "NEW is really newer, facts were lost)\n",
                 static_cast<unsigned long long>(old_digest->tree_size),
                 static_cast<unsigned long long>(new_digest->tree_size));
    return kExitRefused;
  }
  AuditStubs stubs(connection);
  v1::GetConsistencyProofRequest request;
  request.set_bank_id(old_digest->bank_id);
  request.set_old_size(old_digest->tree_size);
  request.set_new_size(new_digest->tree_size);
  v1::ConsistencyProof proof;
  const grpc::Status status = stubs.Call(stubs.audit(), &v1::Audit::Stub::GetConsistencyProof,
                                         request, &proof, kCallTimeout);
  if (!status.ok()) return connection.ReportFailure(status);
  auto hashes = Hashes(proof.proof());
  if (!hashes.ok()) return ReportCheckFailure("the proof", hashes.status());
  const absl::Status verified =
      audit::VerifyConsistency(old_digest->tree_size, new_digest->tree_size, old_digest->root_hash,
                               new_digest->root_hash, *hashes);
  if (!verified.ok()) {
    return ReportCheckFailure(
        "the newer ledger does NOT extend the older one: history was "
        "rewritten, or the digests are from different ledgers",
        verified);
  }
  if (connection.json()) return connection.PrintJson(proof);
  std::printf(
      "Verified: bank %s's ledger of %llu facts (root %s) extends the one of %llu facts "
      "(root %s); nothing before it was changed or removed.\n",
      old_digest->bank_id.c_str(), static_cast<unsigned long long>(new_digest->tree_size),
      audit::ToHex(new_digest->root_hash).c_str(),
      static_cast<unsigned long long>(old_digest->tree_size),
      audit::ToHex(old_digest->root_hash).c_str());
  return kExitOk;
}

int RunVerify(const ParsedArgs& args, Connection& connection) {
  AuditStubs stubs(connection);
  v1::VerifyRequest request;
  request.set_bank_id(args.Positional(0));
  v1::VerifyResponse response;
  const grpc::Status status =
      stubs.Call(stubs.audit(), &v1::Audit::Stub::Verify, request, &response, kLongCallTimeout);
  if (!status.ok()) return connection.ReportFailure(status);
  if (connection.json()) {
    connection.PrintJson(response);
    return response.ok() ? kExitOk : kExitRefused;
  }
  for (const v1::BankVerification& bank : response.banks()) {
    if (bank.ok()) {
      std::printf("Bank %s: OK. %llu facts, %llu entries, %llu accounts; Merkle root %s\n",
                  bank.bank_id().c_str(), static_cast<unsigned long long>(bank.tree_size()),
                  static_cast<unsigned long long>(bank.entry_count()),
                  static_cast<unsigned long long>(bank.account_count()),
                  Hex(bank.root_hash()).c_str());
    } else {
      std::printf("Bank %s: DAMAGED (%s): %s\n", bank.bank_id().c_str(),
                  bank.problem().reason().c_str(), bank.problem().message().c_str());
    }
  }
  std::printf("%s: %llu facts and %llu entries recomputed in %lld ms.\n",
              response.ok() ? "Everything verifies" : "Verification FAILED",
              static_cast<unsigned long long>(response.facts_checked()),
              static_cast<unsigned long long>(response.entries_checked()),
              static_cast<long long>(response.elapsed_ms()));
  return response.ok() ? kExitOk : kExitRefused;
}

// The body of a journal record as JSON (proto3 JSON mapping, field names as in audit.proto).
std::string BodyJson(const v1::JournalRecord& record) {
  google::protobuf::util::JsonPrintOptions options;
  options.preserve_proto_field_names = true;
  options.always_print_primitive_fields = true;
  // Whichever field of the oneof is set: a new type of fact needs nothing here.
  const google::protobuf::FieldDescriptor* field = record.GetReflection()->GetOneofFieldDescriptor(
      record, record.GetDescriptor()->FindOneofByName("body"));
  if (field == nullptr) return "{}";
  const google::protobuf::Message& body = record.GetReflection()->GetMessage(record, field);
  std::string json;
  if (!google::protobuf::util::MessageToJsonString(body, &json, options).ok()) return "{}";
  return json;
}

std::string FactTypeWord(v1::FactType type) {
  std::string name = v1::FactType_Name(type);
  for (char& c : name) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return name;
}

int RunExport(const ParsedArgs& args, Connection& connection) {
  const std::string bank_id = args.Positional(0);
  const std::string out_path = args.Value("out");
  std::FILE* out = out_path.empty() ? stdout : std::fopen(out_path.c_str(), "w");
  if (out == nullptr) {
    std::fprintf(stderr, "error: cannot write %s\n", out_path.c_str());
    return kExitRefused;
  }
  uint64_t written = 0;
  v1::Digest digest;
  const grpc::Status status = ForEachJournalRecord(
      connection, bank_id, &digest,
      [&](const v1::Digest& read_to) {
        // The header is the digest the export ends at, in the digest file's form.
        std::string header = audit::FormatDigestFile(ToDigestFile(connection, read_to));
        header.replace(header.find(audit::kDigestFormat), std::string(audit::kDigestFormat).size(),
                       kJournalFormat);
        std::fputs(header.c_str(), out);
      },
      [&](const v1::JournalRecord& record) {
        std::fputs(JournalExportLine(record).c_str(), out);
        ++written;
      });
  const bool closed = out == stdout ? std::fflush(out) == 0 : std::fclose(out) == 0;
  if (!status.ok()) return connection.ReportFailure(status);
  if (!closed) {
    std::fprintf(stderr, "error: cannot finish writing the export\n");
    return kExitRefused;
  }
  std::fprintf(stderr, "Exported %llu facts of bank %s (Merkle root %s).\n",
               static_cast<unsigned long long>(written), bank_id.c_str(),
               Hex(digest.root_hash()).c_str());
  return kExitOk;
}

int RunBackup(const ParsedArgs& args, Connection& connection) {
  AuditStubs stubs(connection);
  if (args.Has("list")) {
    v1::ListBackupsRequest request;
    request.set_dir(args.Value("dir"));
    v1::ListBackupsResponse response;
    const grpc::Status status = stubs.Call(stubs.backups(), &v1::Backups::Stub::ListBackups,
                                           request, &response, kCallTimeout);
    if (!status.ok()) return connection.ReportFailure(status);
    if (connection.json()) return connection.PrintJson(response);
    if (response.backups().empty()) std::printf("No backups yet.\n");
    for (const v1::Backup& backup : response.backups()) {
      std::printf("Backup %u  %s  %llu bytes  %s\n", backup.backup_id(),
                  Rfc3339(backup.created_at()).c_str(),
                  static_cast<unsigned long long>(backup.size_bytes()), backup.dir().c_str());
    }
    return kExitOk;
  }
  v1::CreateBackupRequest request;
  request.set_dir(args.Value("dir"));
  v1::Backup backup;
  const grpc::Status status = stubs.Call(stubs.backups(), &v1::Backups::Stub::CreateBackup, request,
                                         &backup, kLongCallTimeout);
  if (!status.ok()) return connection.ReportFailure(status);
  if (connection.json()) return connection.PrintJson(backup);
  std::printf(
      "Backup %u made in %s on the server (%llu bytes; the newest %u are kept).\n"
      "Restore it with: timeledgerd --restore-from %s --data-dir NEW_DIR\n",
      backup.backup_id(), backup.dir().c_str(),
      static_cast<unsigned long long>(backup.size_bytes()), backup.backups_kept(),
      backup.dir().c_str());
  return kExitOk;
}

}  // namespace

std::string JournalExportLine(const v1::JournalRecord& record) {
  return absl::StrCat("{\"position\": ", record.position(),
                      ", \"type\": ", audit::JsonString(FactTypeWord(record.type())),
                      ", \"bank_id\": ", audit::JsonString(record.bank_id()),
                      ", \"at\": ", audit::JsonString(Rfc3339(record.at())),
                      ", \"principal\": ", audit::JsonString(record.principal()),
                      ", \"fact\": ", BodyJson(record),
                      ", \"fact_hex\": ", audit::JsonString(Hex(record.fact())),
                      ", \"leaf_hash\": ", audit::JsonString(Hex(record.leaf_hash())),
                      ", \"chain_hash\": ", audit::JsonString(Hex(record.chain_hash())), "}\n");
}

grpc::Status ForEachJournalRecord(const Connection& connection, const std::string& bank_id,
                                  v1::Digest* digest,
                                  absl::FunctionRef<void(const v1::Digest&)> on_digest,
                                  absl::FunctionRef<void(const v1::JournalRecord&)> on_record) {
  AuditStubs stubs(connection);
  v1::GetDigestRequest digest_request;
  digest_request.set_bank_id(bank_id);
  grpc::Status status =
      stubs.Call(stubs.audit(), &v1::Audit::Stub::GetDigest, digest_request, digest, kCallTimeout);
  if (!status.ok()) return status;
  on_digest(*digest);
  v1::ListJournalRequest request;
  request.set_bank_id(bank_id);
  request.set_end_position(digest->tree_size());
  request.set_page_size(kJournalPageSize);
  uint64_t read = 0;
  // Each page holds at least one fact, so tree_size + 1 pages is the most there can be.
  for (uint64_t page = 0; page <= digest->tree_size(); ++page) {
    v1::ListJournalResponse response;
    status = stubs.Call(stubs.audit(), &v1::Audit::Stub::ListJournal, request, &response,
                        kPageCallTimeout);
    if (!status.ok()) return status;
    for (const v1::JournalRecord& record : response.records()) {
      on_record(record);
      ++read;
    }
    if (response.done()) break;
    if (response.next_position() <= request.start_position()) {
      return grpc::Status(grpc::StatusCode::INTERNAL, "the server's journal pages do not advance");
    }
    request.set_start_position(response.next_position());
  }
  if (read != digest->tree_size()) {
    return grpc::Status(
        grpc::StatusCode::DATA_LOSS,
        absl::StrCat("the server sent ", read, " facts, not the digest's ", digest->tree_size()));
  }
  return grpc::Status::OK;
}

std::vector<CommandSpec> AuditCommands() {
  return {
      {
          .group = "audit",
          .verb = "digest",
          .summary = "show (and save) the bank's digest: its journal's size and Merkle root",
          .description =
              "Asks for the bank's digest: how many facts its journal holds and the Merkle root\n"
              "over them. Save it with --out and keep it: a later digest can be checked against\n"
              "it with 'audit verify-consistency', and entries with 'audit verify-entry'.",
          .positionals = {kBankArg},
          .flags = {{"out", "FILE", "save the digest to FILE (JSON)"}},
          .examples = "  timeledger audit digest hcct --out hcct-2026-09-21.digest\n",
          .run = RunDigest,
      },
      {
          .group = "audit",
          .verb = "verify-entry",
          .summary = "prove, here, that an entry is in the ledger of a saved digest",
          .description =
              "Fetches the inclusion proof of entry SEQ against the digest in FILE and checks it\n"
              "on this computer (RFC 9162): the entry's bytes, hashed up the proof's path, must\n"
              "give the root saved in the digest. Exit status 1 if it does not.",
          .positionals = {kBankArg, {"SEQ", "the entry's number"}},
          .flags = {{"digest", "FILE", "a digest saved with 'audit digest --out'", true}},
          .examples = "  timeledger audit verify-entry hcct 42 --digest hcct-2026-09-21.digest\n",
          .run = RunVerifyEntry,
      },
      {
          .group = "audit",
          .verb = "verify-consistency",
          .summary = "prove, here, that a newer digest only added to an older one",
          .description =
              "Fetches the consistency proof between two saved digests of one bank and checks it\n"
              "on this computer (RFC 9162): the older ledger must be exactly the beginning of the\n"
              "newer one, so nothing was changed or removed in between. Exit status 1 if not.",
          .positionals = {{"OLD_DIGEST_FILE", "the older digest"},
                          {"NEW_DIGEST_FILE", "the newer digest"}},
          .examples = "  timeledger audit digest hcct --out today.digest\n"
                      "  timeledger audit verify-consistency yesterday.digest today.digest\n",
          .run = RunVerifyConsistency,
      },
      {
          .group = "audit",
          .verb = "verify",
          .summary = "have the server recompute and check everything (one bank or all)",
          .description =
              "The server recomputes every hash chain, the Merkle root, every balance, total and\n"
              "hold, and each bank's zero sum from what it stores, and names the first thing that\n"
              "differs. A bank found damaged is no longer served. Exit status 1 if any is.",
          .positionals = {{"BANK_ID", "only this bank (default: every bank)", true}},
          .examples = "  timeledger audit verify\n  timeledger audit verify hcct\n",
          .run = RunVerify,
      },
      {
          .group = "export",
          .verb = "journal",
          .summary = "write a bank's whole journal as JSON Lines",
          .description =
              "Writes the bank's journal, one fact per line, in the canonical form: the fact's\n"
              "fields, its canonical bytes in hex, its leaf hash and chain hash. The first line "
              "is\n"
              "the digest the export ends at. clients/verify_export.py checks an export without\n"
              "any of this software.",
          .positionals = {kBankArg},
          .flags = {{"out", "FILE", "write to FILE instead of the standard output"}},
          .examples = "  timeledger export journal hcct > hcct.jsonl\n"
                      "  python3 clients/verify_export.py hcct.jsonl\n",
          .run = RunExport,
      },
      {
          .group = "backup",
          .summary = "make an online backup of the whole ledger on the server",
          .description =
              "Makes a consistent backup of every bank while the server keeps taking entries, in\n"
              "the server's backup directory (default: <data dir>/backups), and deletes all but\n"
              "the newest (timeledgerd --backups-keep, default 10). Restore with\n"
              "'timeledgerd --restore-from DIR --data-dir NEW_DIR', which verifies it first.",
          .flags = {{"dir", "DIR", "a folder inside the server's backup directory, relative to it"},
                    {"list", "", "list the backups instead of making one"}},
          .examples =
              "  timeledger backup\n  timeledger backup --list\n  timeledger backup --dir weekly\n",
          .run = RunBackup,
      },
  };
}

}  // namespace timeledger::cli
