// The Audit and Backups services on a real server over a real channel, with every proof checked
// by the client's own verification code (clients/audit/proof_check.h), against roots computed
// here by hand for small trees and by a reference tree hash for random ones.
#include <filesystem>
#include <fstream>
#include <functional>
#include <random>

#include "google/rpc/error_details.pb.h"
#include "google/rpc/status.pb.h"
#include <grpcpp/grpcpp.h>
#include <gtest/gtest.h>

#include "clients/audit/proof_check.h"
#include "ledger/engine/ledger.h"
#include "services/convert.h"
#include "services/server.h"
#include "tests/support/access.h"
#include "tests/support/server_fixture.h"
#include "timeledger/v1/audit.grpc.pb.h"

namespace timeledger::services {
namespace {

using audit::Hash;
using audit::LeafHash;
using audit::NodeHash;

// The RFC 6962 tree hash over leaf hashes, by its recursive definition.
Hash ReferenceRoot(const std::vector<Hash>& leaves, size_t begin, size_t end) {
  if (end - begin == 1) return leaves[begin];
  size_t k = 1;
  while (k * 2 < end - begin) k *= 2;
  return NodeHash(ReferenceRoot(leaves, begin, begin + k), ReferenceRoot(leaves, begin + k, end));
}

std::string Reason(const grpc::Status& status) {
  google::rpc::Status details;
  if (!details.ParseFromString(status.error_details())) return "";
  for (const auto& any : details.details()) {
    google::rpc::ErrorInfo info;
    if (any.UnpackTo(&info)) return info.reason();
  }
  return "";
}

std::vector<Hash> Hashes(const google::protobuf::RepeatedPtrField<std::string>& bytes) {
  std::vector<Hash> out;
  for (const auto& one : bytes) out.push_back(*audit::FromBytes(one));
  return out;
}

class AuditServiceTest : public testing::ServerTest {
 protected:
  void SetUp() override {
    ASSERT_NO_FATAL_FAILURE(StartServer());
    const auto& channel = admin_channel_;
    audit_ = v1::Audit::NewStub(channel);
    backups_ = v1::Backups::NewStub(channel);
  }

  void CreateBank(const std::string& bank_id) {
    ASSERT_TRUE(ledger::Await<ledger::Bank>([&](auto done) {
                  ledger_->CreateBank(ledger::Bank{bank_id, "Bank", "Europe/London", {}},
                                      ledger::AdminNamed("t"), std::move(done));
                }).ok());
  }

  void OpenAccount(const std::string& bank_id, const std::string& id) {
    ledger::Account account;
    account.bank_id = bank_id;
    account.account_id = id;
    account.display_name = "Name of " + id;
    ASSERT_TRUE(ledger::Await<ledger::Account>([&](auto done) {
                  ledger_->OpenAccount(account, ledger::AdminNamed("t"), std::move(done));
                }).ok());
  }

  void Exchange(const std::string& bank_id, const std::string& id, const std::string& from,
                const std::string& to) {
    ledger::EntrySpec spec;
    spec.bank_id = bank_id;
    spec.entry_id = id;
    spec.from_account_id = from;
    spec.to_account_id = to;
    spec.minutes = 15;
    ASSERT_TRUE(ledger::Await<ledger::Receipt>([&](auto done) {
                  ledger_->RecordEntry(spec, ledger::AdminNamed("coordinator"), std::move(done));
                }).ok());
  }

  // The leaf hashes of the bank's journal, computed here from the facts' bytes.
  std::vector<Hash> Leaves(const std::string& bank_id) {
    std::vector<Hash> leaves;
    v1::ListJournalRequest request;
    request.set_bank_id(bank_id);
    request.set_page_size(7);
    while (true) {
      v1::ListJournalResponse page;
      grpc::ClientContext context;
      EXPECT_TRUE(audit_->ListJournal(&context, request, &page).ok());
      for (const auto& record : page.records()) {
        EXPECT_EQ(record.position(), leaves.size());
        leaves.push_back(LeafHash(record.fact()));
        EXPECT_EQ(audit::ToHex(leaves.back()), audit::ToHex(*audit::FromBytes(record.leaf_hash())));
      }
      if (page.done() || page.records().empty()) return leaves;
      request.set_start_position(page.next_position());
    }
  }

  grpc::Status Inclusion(const std::string& bank_id, uint64_t position, uint64_t tree_size,
                         v1::InclusionProof* proof) {
    v1::GetInclusionProofRequest request;
    request.set_bank_id(bank_id);
    request.set_position(position);
    request.set_tree_size(tree_size);
    grpc::ClientContext context;
    return audit_->GetInclusionProof(&context, request, proof);
  }

  grpc::Status Consistency(const std::string& bank_id, uint64_t old_size, uint64_t new_size,
                           v1::ConsistencyProof* proof) {
    v1::GetConsistencyProofRequest request;
    request.set_bank_id(bank_id);
    request.set_old_size(old_size);
    request.set_new_size(new_size);
    grpc::ClientContext context;
    return audit_->GetConsistencyProof(&context, request, proof);
  }

  grpc::Status CreateBackup(const std::string& dir, v1::Backup* backup) {
    v1::CreateBackupRequest request;
    request.set_dir(dir);
    grpc::ClientContext context;
    return backups_->CreateBackup(&context, request, backup);
  }

  std::unique_ptr<v1::Audit::Stub> audit_;
  std::unique_ptr<v1::Backups::Stub> backups_;
};

TEST_F(AuditServiceTest, ProofsOfSmallTreesMatchHandComputedOnes) {
  CreateBank("tiny");  // facts 0 (bank) and 1 (pool)
  OpenAccount("tiny", "a");
  OpenAccount("tiny", "b");
  OpenAccount("tiny", "c");  // five facts
  const std::vector<Hash> l = Leaves("tiny");
  ASSERT_EQ(l.size(), 5u);
  const Hash ab = NodeHash(l[0], l[1]), cd = NodeHash(l[2], l[3]);
  const std::vector<Hash> roots = {l[0], ab, NodeHash(ab, l[2]), NodeHash(ab, cd),
                                   NodeHash(NodeHash(ab, cd), l[4])};
  const std::map<std::pair<uint64_t, uint64_t>, std::vector<Hash>> paths = {
      {{4, 5}, {roots[3]}}, {{2, 5}, {l[3], ab, l[4]}}, {{0, 5}, {l[1], cd, l[4]}},
      {{2, 3}, {ab}},       {{1, 2}, {l[0]}},           {{0, 1}, {}}};
  for (const auto& [at, expected] : paths) {
    const auto [position, size] = at;
    v1::InclusionProof proof;
    ASSERT_TRUE(Inclusion("tiny", position, size, &proof).ok());
    const std::vector<Hash> path = Hashes(proof.audit_path());
    EXPECT_EQ(path, expected) << position << " of " << size;
    EXPECT_EQ(*audit::FromBytes(proof.root_hash()), roots[size - 1]);
    EXPECT_TRUE(audit::VerifyInclusion(LeafHash(proof.record().fact()), position, size, path,
                                       roots[size - 1])
                    .ok());
  }
  v1::ConsistencyProof proof;
  ASSERT_TRUE(Consistency("tiny", 3, 5, &proof).ok());
  EXPECT_EQ(Hashes(proof.proof()), (std::vector<Hash>{l[2], l[3], ab, l[4]}));
  EXPECT_TRUE(audit::VerifyConsistency(3, 5, roots[2], roots[4], Hashes(proof.proof())).ok());
  ASSERT_TRUE(Consistency("tiny", 4, 5, &proof).ok());
  EXPECT_EQ(Hashes(proof.proof()), (std::vector<Hash>{l[4]}));
  v1::Digest digest;
  grpc::ClientContext context;
  v1::GetDigestRequest request;
  request.set_bank_id("tiny");
  ASSERT_TRUE(audit_->GetDigest(&context, request, &digest).ok());
  EXPECT_EQ(digest.tree_size(), 5u);
  EXPECT_EQ(*audit::FromBytes(digest.root_hash()), roots[4]);
}

// Property, with a fixed seed: on a random journal, every inclusion proof the server gives
// verifies against the reference root, and an altered leaf, path or root does not.
TEST_F(AuditServiceTest, EveryServedProofVerifiesAndAlteredOnesFail) {
  CreateBank("rnd");
  std::mt19937 random(77);
  const std::vector<std::string> people = {"p0", "p1", "p2", "p3"};
  for (const auto& person : people) OpenAccount("rnd", person);
  for (int i = 0; i < 60; ++i) {
    const auto& from = people[random() % 4];
    std::string to = people[random() % 4];
    if (to == from) to = from == "p0" ? "p1" : "p0";
    Exchange("rnd", "e" + std::to_string(i), from, to);
  }
  const std::vector<Hash> leaves = Leaves("rnd");
  ASSERT_EQ(leaves.size(), 66u);  // the bank, its pool, 4 accounts, 60 entries
  for (int trial = 0; trial < 150; ++trial) {
    const uint64_t size = 1 + random() % leaves.size();
    const uint64_t position = random() % size;
    const Hash root = ReferenceRoot(leaves, 0, size);
    v1::InclusionProof proof;
    ASSERT_TRUE(Inclusion("rnd", position, size, &proof).ok());
    const std::vector<Hash> path = Hashes(proof.audit_path());
    const Hash leaf = LeafHash(proof.record().fact());
    ASSERT_TRUE(audit::VerifyInclusion(leaf, position, size, path, root).ok()) << position;
    std::string altered_fact = proof.record().fact();
    altered_fact[random() % altered_fact.size()] ^= 0x01;
    EXPECT_FALSE(audit::VerifyInclusion(LeafHash(altered_fact), position, size, path, root).ok());
    if (!path.empty()) {
      std::vector<Hash> altered_path = path;
      altered_path[random() % path.size()][random() % 32] ^= 0x10;
      EXPECT_FALSE(audit::VerifyInclusion(leaf, position, size, altered_path, root).ok());
    }
    Hash other_root = root;
    other_root[0] ^= 1;
    EXPECT_FALSE(audit::VerifyInclusion(leaf, position, size, path, other_root).ok());

    const uint64_t old_size = random() % (size + 1);
    v1::ConsistencyProof consistency;
    ASSERT_TRUE(Consistency("rnd", old_size, size, &consistency).ok());
    const Hash old_root = old_size == 0 ? audit::EmptyRoot() : ReferenceRoot(leaves, 0, old_size);
    EXPECT_TRUE(
        audit::VerifyConsistency(old_size, size, old_root, root, Hashes(consistency.proof())).ok());
    if (old_size > 0 && old_size < size) {
      EXPECT_FALSE(
          audit::VerifyConsistency(old_size, size, other_root, root, Hashes(consistency.proof()))
              .ok());
    }
  }
  // By seq: the proof is of the entry's fact.
  v1::GetInclusionProofRequest by_seq;
  by_seq.set_bank_id("rnd");
  by_seq.set_seq(10);
  v1::InclusionProof proof;
  grpc::ClientContext context;
  ASSERT_TRUE(audit_->GetInclusionProof(&context, by_seq, &proof).ok());
  EXPECT_EQ(proof.record().type(), v1::ENTRY);
  EXPECT_EQ(proof.record().entry().seq(), 10u);
  EXPECT_EQ(audit::ParseFactHeader(proof.record().fact())->entry_seq, 10u);
}

TEST_F(AuditServiceTest, RefusalsCarryReasons) {
  CreateBank("hcct");
  v1::InclusionProof proof;
  grpc::Status status = Inclusion("hcct", 0, 99, &proof);
  EXPECT_EQ(status.error_code(), grpc::StatusCode::OUT_OF_RANGE);
  EXPECT_EQ(Reason(status), "TREE_SIZE_AHEAD");
  status = Inclusion("nowhere", 0, 0, &proof);
  EXPECT_EQ(status.error_code(), grpc::StatusCode::NOT_FOUND);
  EXPECT_EQ(Reason(status), "BANK_NOT_FOUND");
  v1::GetInclusionProofRequest neither;
  neither.set_bank_id("hcct");
  grpc::ClientContext context;
  EXPECT_EQ(audit_->GetInclusionProof(&context, neither, &proof).error_code(),
            grpc::StatusCode::INVALID_ARGUMENT);
  v1::ConsistencyProof consistency;
  EXPECT_EQ(Reason(Consistency("hcct", 2, 1, &consistency)), "TREE_SIZE_ORDER");
}

TEST_F(AuditServiceTest, VerifyReportsEveryBank) {
  CreateBank("b1");
  CreateBank("b2");
  OpenAccount("b1", "x");
  OpenAccount("b1", "y");
  Exchange("b1", "e1", "x", "y");
  v1::VerifyRequest request;
  v1::VerifyResponse response;
  grpc::ClientContext context;
  ASSERT_TRUE(audit_->Verify(&context, request, &response).ok());
  EXPECT_TRUE(response.ok());
  ASSERT_EQ(response.banks_size(), 2);
  EXPECT_EQ(response.banks(0).bank_id(), "b1");
  EXPECT_EQ(response.banks(0).entry_count(), 1u);
  EXPECT_EQ(response.banks(0).tree_size(), 5u);
  EXPECT_EQ(response.entries_checked(), 1u);
  request.set_bank_id("nowhere");
  grpc::ClientContext again;
  EXPECT_EQ(Reason(audit_->Verify(&again, request, &response)), "BANK_NOT_FOUND");
}

TEST_F(AuditServiceTest, BackupsAreMadeListedAndBounded) {
  CreateBank("b1");
  v1::CreateBackupRequest request;
  v1::Backup backup;
  grpc::ClientContext context;
  ASSERT_TRUE(backups_->CreateBackup(&context, request, &backup).ok());
  EXPECT_EQ(backup.backup_id(), 1u);
  EXPECT_EQ(backup.dir(), ledger_->DefaultBackupDir());
  EXPECT_EQ(backup.backups_kept(), 10u);
  v1::ListBackupsResponse listed;
  grpc::ClientContext list_context;
  ASSERT_TRUE(backups_->ListBackups(&list_context, v1::ListBackupsRequest(), &listed).ok());
  EXPECT_EQ(listed.backups_size(), 1);
  request.set_dir("weekly");
  grpc::ClientContext relative;
  ASSERT_TRUE(backups_->CreateBackup(&relative, request, &backup).ok());
  EXPECT_EQ(backup.dir(), ledger_->DefaultBackupDir() + "/weekly");
}

TEST_F(AuditServiceTest, BackupsOutsideTheBackupDirAreInvalidArgument) {
  CreateBank("b1");
  timeledger::testing::TempDir outside;
  v1::Backup backup;
  ASSERT_TRUE(CreateBackup("", &backup).ok());
  std::ofstream(ledger_->DefaultBackupDir() + "/a-file") << "not a directory\n";
  std::filesystem::create_directory_symlink(outside.path(), ledger_->DefaultBackupDir() + "/link");
  const std::string root = ledger_->DefaultBackupDir();
  for (const std::string& dir :
       {root + "/../escape", root + "/link", outside.path() + "/backups", dir_.path(),
        dir_.path() + "/ledger", root + "/a-file", std::string("../escape"), std::string("link")}) {
    const grpc::Status status = CreateBackup(dir, &backup);
    EXPECT_EQ(status.error_code(), grpc::StatusCode::INVALID_ARGUMENT)
        << dir << ": " << status.error_message();
    EXPECT_EQ(Reason(status), "INVALID_BACKUP_DIR") << dir;
  }
  EXPECT_TRUE(std::filesystem::is_empty(outside.path()));
  EXPECT_FALSE(std::filesystem::exists(dir_.path() + "/escape"));
  EXPECT_FALSE(std::filesystem::exists(dir_.path() + "/meta"));
}

TEST_F(AuditServiceTest, ATenKilobytePathIsABoundedInvalidArgument) {
  v1::Backup backup;
  const std::string root = ledger_->DefaultBackupDir();
  for (const std::string& dir : {root + "/" + std::string(10'000, 'a'),
                                 "/" + std::string(10'000, 'b'), std::string(10'000, 'c')}) {
    const grpc::Status status = CreateBackup(dir, &backup);
    EXPECT_EQ(status.error_code(), grpc::StatusCode::INVALID_ARGUMENT)
        << status.error_message().substr(0, 200);
    EXPECT_EQ(Reason(status), "INVALID_BACKUP_DIR");
    EXPECT_LE(status.error_message().size(), kErrorMessageBytesMax);
  }
}

TEST_F(AuditServiceTest, ListingOutsideTheBackupDirIsInvalidArgument) {
  v1::ListBackupsRequest request;
  request.set_dir(dir_.path());
  v1::ListBackupsResponse listed;
  grpc::ClientContext context;
  const grpc::Status status = backups_->ListBackups(&context, request, &listed);
  EXPECT_EQ(status.error_code(), grpc::StatusCode::INVALID_ARGUMENT) << status.error_message();
  EXPECT_EQ(Reason(status), "INVALID_BACKUP_DIR");
}

}  // namespace
}  // namespace timeledger::services
