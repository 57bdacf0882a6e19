// Who may do what, over a real server on a loopback port: every call of every service made by
// each role that may not make it is refused and leaves no trace; the checks beyond the role
// (a partner's own account, a coordinator's own credit, scopes); tokens made, listed and revoked;
// the rate limit; and the permission table against the services and the docs.
#include <atomic>
#include <chrono>
#include <fstream>
#include <future>
#include <memory>
#include <mutex>
#include <set>
#include <sstream>
#include <string>
#include <thread>
#include <utility>
#include <vector>

#include "google/protobuf/descriptor.h"
#include "google/protobuf/dynamic_message.h"
#include <grpcpp/generic/generic_stub.h>
#include <grpcpp/grpcpp.h>
#include <gtest/gtest.h>

#include "clients/common/error_info.h"
#include "ledger/core/sha256.h"
#include "ledger/engine/ledger.h"
#include "ledger/store/store.h"
#include "services/access.h"
#include "services/server.h"
#include "tests/support/access.h"
#include "tests/support/server_fixture.h"
#include "timeledger/v1/access.grpc.pb.h"
#include "timeledger/v1/accounts.grpc.pb.h"
#include "timeledger/v1/audit.grpc.pb.h"
#include "timeledger/v1/banks.grpc.pb.h"
#include "timeledger/v1/catalogue.grpc.pb.h"
#include "timeledger/v1/kiosk.grpc.pb.h"
#include "timeledger/v1/ledger.grpc.pb.h"
#include "timeledger/v1/policies.grpc.pb.h"

namespace timeledger::services {
namespace {

using ledger::PrincipalRole;

constexpr const char* kServices[] = {"Access",    "Banks",          "Accounts", "Ledger",
                                     "Policies",  "Audit",          "Backups",  "Reports",
                                     "Catalogue", "Qualifications", "Kiosk"};

std::string ReasonOf(const grpc::Status& status) {
  auto info = clients::FindErrorInfo(status);
  return info.has_value() ? info->reason() : "";
}

class AccessTest : public testing::ServerTest {
 protected:
  void SetUp() override { Start(GateOptions{}); }

  void Start(const GateOptions& gate) {
    ServerOptions server_options;
    server_options.gate = gate;
    ASSERT_NO_FATAL_FAILURE(StartServer({}, server_options));
    admin_ = admin_token_;
    for (const char* bank : {"hcct", "other"}) {
      v1::CreateBankRequest request;
      request.set_bank_id(bank);
      request.set_name(bank);
      v1::Bank created;
      ASSERT_TRUE(Stub<v1::Banks>(admin_)->CreateBank(Context().get(), request, &created).ok());
    }
    ASSERT_TRUE(Open("hcct", "alice", v1::PERSON, v1::MEMBER).ok());
    ASSERT_TRUE(Open("hcct", "bob", v1::PERSON, v1::MEMBER).ok());
    ASSERT_TRUE(Open("hcct", "sam", v1::PERSON, v1::STAFF).ok());
    ASSERT_TRUE(Open("hcct", "cafe", v1::ORGANISATION, v1::ROLE_UNSPECIFIED).ok());
    ASSERT_TRUE(Open("hcct", "library", v1::ORGANISATION, v1::ROLE_UNSPECIFIED).ok());
    ASSERT_TRUE(Open("other", "zoe", v1::PERSON, v1::MEMBER).ok());
    coordinator_ = testing::IssueToken(*ledger_, PrincipalRole::kCoordinator, "sam", "hcct");
    other_coordinator_ =
        testing::IssueToken(*ledger_, PrincipalRole::kCoordinator, "carol", "hcct");
    kiosk_ = testing::IssueToken(*ledger_, PrincipalRole::kKiosk, "kiosk-1", "hcct");
    partner_ = testing::IssueToken(*ledger_, PrincipalRole::kPartner, "cafe-till", "hcct", "cafe");
  }

  template <typename Service>
  std::unique_ptr<typename Service::Stub> Stub(const std::string& token) {
    return Service::NewStub(testing::AuthorizedChannel(target_, token));
  }

  static std::unique_ptr<grpc::ClientContext> Context() {
    auto context = std::make_unique<grpc::ClientContext>();
    context->set_deadline(std::chrono::system_clock::now() + std::chrono::seconds(10));
    return context;
  }

  grpc::Status Open(const std::string& bank, const std::string& id, v1::AccountKind kind,
                    v1::Role role) {
    v1::OpenAccountRequest request;
    request.set_bank_id(bank);
    request.set_account_id(id);
    request.set_kind(kind);
    request.set_display_name("Name of " + id);
    if (role != v1::ROLE_UNSPECIFIED) request.add_roles(role);
    v1::Account account;
    return Stub<v1::Accounts>(admin_)->OpenAccount(Context().get(), request, &account);
  }

  grpc::Status Record(const std::string& token, const std::string& id, v1::EntryKind kind,
                      const std::string& from, const std::string& to,
                      v1::RecordEntryResponse* response = nullptr) {
    v1::RecordEntryRequest request;
    request.set_bank_id("hcct");
    request.set_entry_id(id);
    request.set_kind(kind);
    request.set_from_account_id(from);
    request.set_to_account_id(to);
    request.set_minutes(60);
    v1::RecordEntryResponse ignored;
    return Stub<v1::Ledger>(token)->RecordEntry(Context().get(), request,
                                                response != nullptr ? response : &ignored);
  }

  grpc::Status CreateToken(const std::string& token, const std::string& name,
                           v1::PrincipalRole role, const std::string& bank,
                           const std::string& account = "",
                           v1::CreateTokenResponse* response = nullptr) {
    v1::CreateTokenRequest request;
    request.mutable_principal()->set_name(name);
    request.mutable_principal()->set_role(role);
    request.mutable_principal()->set_bank_id(bank);
    request.mutable_principal()->set_account_id(account);
    v1::CreateTokenResponse ignored;
    return Stub<v1::Access>(token)->CreateToken(Context().get(), request,
                                                response != nullptr ? response : &ignored);
  }

  // Sets whether exchanges between persons wait for the payer, and whether an entry its recorder
  // earns does.
  void SetPolicy(bool confirmation, bool self_recorded_waits) {
    v1::GetPolicyRequest get;
    get.set_bank_id("hcct");
    v1::Policy policy;
    ASSERT_TRUE(Stub<v1::Policies>(admin_)->GetPolicy(Context().get(), get, &policy).ok());
    policy.mutable_confirmation()->set_enabled(confirmation);
    policy.mutable_staff_duty()->set_self_recorded_needs_confirmation(self_recorded_waits);
    v1::SetPolicyRequest set;
    set.set_bank_id("hcct");
    *set.mutable_policy() = policy;
    ASSERT_TRUE(Stub<v1::Policies>(admin_)->SetPolicy(Context().get(), set, &policy).ok());
  }

  // Sets how a member agrees to a partner's SPEND.
  void SetPartnerSpendConsent(v1::Policy::PartnerSpendConsent consent) {
    v1::GetPolicyRequest get;
    get.set_bank_id("hcct");
    v1::Policy policy;
    ASSERT_TRUE(Stub<v1::Policies>(admin_)->GetPolicy(Context().get(), get, &policy).ok());
    policy.mutable_partner_spends()->set_consent(consent);
    v1::SetPolicyRequest set;
    set.set_bank_id("hcct");
    *set.mutable_policy() = policy;
    ASSERT_TRUE(Stub<v1::Policies>(admin_)->SetPolicy(Context().get(), set, &policy).ok());
  }

  // Gives a member a kiosk card and PIN.
  void GiveCard(const std::string& account, const std::string& card, const std::string& pin) {
    v1::SetMemberCardRequest set_card;
    set_card.set_bank_id("hcct");
    set_card.set_account_id(account);
    set_card.set_card_number(card);
    v1::MemberCard made;
    ASSERT_TRUE(Stub<v1::Kiosk>(admin_)->SetMemberCard(Context().get(), set_card, &made).ok());
    v1::SetMemberPinRequest set_pin;
    set_pin.set_bank_id("hcct");
    set_pin.set_account_id(account);
    set_pin.set_pin(pin);
    ASSERT_TRUE(Stub<v1::Kiosk>(admin_)->SetMemberPin(Context().get(), set_pin, &made).ok());
  }

  // The cafe's till charges alice an hour with the card and PIN typed at the till.
  grpc::Status SpendWithCard(const std::string& id, const std::string& card, const std::string& pin,
                             v1::RecordEntryResponse* response = nullptr) {
    v1::RecordEntryRequest request;
    request.set_bank_id("hcct");
    request.set_entry_id(id);
    request.set_kind(v1::SPEND);
    request.set_from_account_id("alice");
    request.set_to_account_id("cafe");
    request.set_minutes(60);
    request.mutable_payer_card()->set_card_number(card);
    request.mutable_payer_card()->set_pin(pin);
    v1::RecordEntryResponse ignored;
    return Stub<v1::Ledger>(partner_)->RecordEntry(Context().get(), request,
                                                   response != nullptr ? response : &ignored);
  }

  grpc::Status Confirm(const std::string& token, const std::string& entry_id) {
    v1::ConfirmEntryRequest request;
    request.set_bank_id("hcct");
    request.set_entry_id(entry_id);
    v1::RecordEntryResponse confirmed;
    return Stub<v1::Ledger>(token)->ConfirmEntry(Context().get(), request, &confirmed);
  }

  int PendingCount() {
    v1::ListPendingEntriesRequest request;
    request.set_bank_id("hcct");
    v1::ListPendingEntriesResponse response;
    EXPECT_TRUE(
        Stub<v1::Ledger>(admin_)->ListPendingEntries(Context().get(), request, &response).ok());
    return response.pending_size();
  }

  // What a refused call must not have changed: each bank's journal and the tokens.
  std::string Trace() {
    std::string trace;
    for (const char* bank : {"hcct", "other"}) {
      v1::GetDigestRequest request;
      request.set_bank_id(bank);
      v1::Digest digest;
      EXPECT_TRUE(Stub<v1::Audit>(admin_)->GetDigest(Context().get(), request, &digest).ok());
      trace += bank + std::string(":") + std::to_string(digest.tree_size()) + ":" +
               digest.root_hash() + ";";
    }
    v1::ListTokensRequest tokens;
    tokens.set_include_revoked(true);
    v1::ListTokensResponse listed;
    EXPECT_TRUE(Stub<v1::Access>(admin_)->ListTokens(Context().get(), tokens, &listed).ok());
    return trace + "tokens:" + std::to_string(listed.tokens_size());
  }

  // Calls "Service/Method" with a request that names bank hcct wherever it can, through the
  // generic stub (so every method of the table can be called alike), with `token` ("" for none).
  grpc::Status CallGeneric(const std::string& method, const std::string& token) {
    const auto* pool = google::protobuf::DescriptorPool::generated_pool();
    const auto slash = method.find('/');
    const auto* service = pool->FindServiceByName("timeledger.v1." + method.substr(0, slash));
    EXPECT_NE(service, nullptr) << method;
    if (service == nullptr) return grpc::Status::CANCELLED;
    const auto* descriptor = service->FindMethodByName(method.substr(slash + 1));
    EXPECT_NE(descriptor, nullptr) << method;
    if (descriptor == nullptr) return grpc::Status::CANCELLED;
    google::protobuf::DynamicMessageFactory factory(pool);
    std::unique_ptr<google::protobuf::Message> request(
        factory.GetPrototype(descriptor->input_type())->New());
    NameBank(request.get());
    std::string bytes;
    request->SerializeToString(&bytes);
    grpc::Slice slice(bytes);
    grpc::ByteBuffer in(&slice, 1);
    grpc::ByteBuffer out;
    auto channel = token.empty() ? grpc::CreateChannel(target_, grpc::InsecureChannelCredentials())
                                 : testing::AuthorizedChannel(target_, token);
    grpc::GenericStub stub(channel);
    auto context = Context();
    std::promise<grpc::Status> done;
    stub.UnaryCall(context.get(), "/timeledger.v1." + method, grpc::StubOptions(), &in, &out,
                   [&done](grpc::Status status) { done.set_value(status); });
    return done.get_future().get();
  }

  // Sets every "bank_id" field of the message, and of its message fields, to hcct.
  static void NameBank(google::protobuf::Message* message) {
    const auto* descriptor = message->GetDescriptor();
    const auto* reflection = message->GetReflection();
    for (int i = 0; i < descriptor->field_count(); ++i) {
      const auto* field = descriptor->field(i);
      if (field->name() == "bank_id" &&
          field->type() == google::protobuf::FieldDescriptor::TYPE_STRING &&
          !field->is_repeated()) {
        reflection->SetString(message, field, "hcct");
      } else if (field->type() == google::protobuf::FieldDescriptor::TYPE_MESSAGE &&
                 !field->is_repeated() &&
                 field->message_type()->full_name().rfind("timeledger.v1.", 0) == 0) {
        NameBank(reflection->MutableMessage(message, field));
      }
    }
  }

  std::string admin_, coordinator_, other_coordinator_, kiosk_, partner_;
};

TEST_F(AccessTest, TheTableNamesEveryMethodOfEveryServiceOnce) {
  const auto* pool = google::protobuf::DescriptorPool::generated_pool();
  std::set<std::string> methods;
  for (const char* name : kServices) {
    const auto* service = pool->FindServiceByName(std::string("timeledger.v1.") + name);
    ASSERT_NE(service, nullptr) << name;
    for (int i = 0; i < service->method_count(); ++i) {
      methods.insert(std::string(name) + "/" + service->method(i)->name());
    }
  }
  std::set<std::string> in_table;
  for (const Permission& permission : PermissionTable()) {
    EXPECT_TRUE(in_table.insert(permission.method).second) << "twice: " << permission.method;
    EXPECT_TRUE(methods.count(permission.method) == 1) << "no such method: " << permission.method;
    EXPECT_NE(permission.roles, 0) << permission.method;
  }
  for (const std::string& method : methods) {
    EXPECT_TRUE(in_table.count(method) == 1) << "not in the permission table: " << method;
  }
}

TEST_F(AccessTest, TheDocsPrintTheTable) {
  std::ifstream in(std::string(TIMELEDGER_SOURCE_DIR) + "/docs/SECURITY.md");
  ASSERT_TRUE(in) << "docs/SECURITY.md";
  std::stringstream text;
  text << in.rdbuf();
  EXPECT_NE(text.str().find(PermissionTableMarkdown()), std::string::npos)
      << "docs/SECURITY.md must hold the table as PermissionTableMarkdown() prints it:\n"
      << PermissionTableMarkdown();
}

TEST_F(AccessTest, EveryCallWithoutALiveTokenIsUnauthenticatedAndLeavesNoTrace) {
  const std::string before = Trace();
  const std::string revoked =
      testing::IssueToken(*ledger_, PrincipalRole::kCoordinator, "gone", "hcct");
  v1::ListTokensRequest list;
  v1::ListTokensResponse listed;
  ASSERT_TRUE(Stub<v1::Access>(admin_)->ListTokens(Context().get(), list, &listed).ok());
  for (const v1::Token& token : listed.tokens()) {
    if (token.principal().name() != "gone") continue;
    v1::RevokeTokenRequest revoke;
    revoke.set_token_id(token.token_id());
    v1::Token out;
    ASSERT_TRUE(Stub<v1::Access>(admin_)->RevokeToken(Context().get(), revoke, &out).ok());
  }
  const std::string after_setup = Trace();
  std::string forged = admin_;
  forged.back() = forged.back() == '0' ? '1' : '0';
  for (const Permission& permission : PermissionTable()) {
    for (const std::string& token : {std::string(), std::string("not-a-token"), forged, revoked}) {
      const grpc::Status status = CallGeneric(permission.method, token);
      EXPECT_EQ(status.error_code(), grpc::StatusCode::UNAUTHENTICATED)
          << permission.method << " with token '" << token << "': " << status.error_message();
    }
  }
  EXPECT_EQ(Trace(), after_setup);
  EXPECT_NE(before, after_setup);  // the revoked token is one more record
}

TEST_F(AccessTest, EachRoleIsRefusedEveryCallItMayNotMakeAndLeavesNoTrace) {
  const std::string before = Trace();
  int refused = 0;
  for (const auto& [role, token] : std::vector<std::pair<PrincipalRole, std::string>>{
           {PrincipalRole::kCoordinator, coordinator_},
           {PrincipalRole::kKiosk, kiosk_},
           {PrincipalRole::kPartner, partner_}}) {
    for (const Permission& permission : PermissionTable()) {
      if ((permission.roles & RoleBit(role)) != 0) continue;
      const grpc::Status status = CallGeneric(permission.method, token);
      EXPECT_EQ(status.error_code(), grpc::StatusCode::PERMISSION_DENIED)
          << ledger::PrincipalRoleName(role) << " " << permission.method << ": "
          << status.error_message();
      EXPECT_EQ(ReasonOf(status), "ROLE_NOT_ALLOWED") << permission.method;
      ++refused;
    }
  }
  EXPECT_GT(refused, 50);  // the kiosk alone may make only nine of the calls
  EXPECT_EQ(Trace(), before);
}

TEST_F(AccessTest, APrincipalOfOneBankIsRefusedInAnother) {
  v1::GetAccountRequest request;
  request.set_bank_id("other");
  request.set_account_id("zoe");
  v1::Account account;
  const grpc::Status status =
      Stub<v1::Accounts>(coordinator_)->GetAccount(Context().get(), request, &account);
  EXPECT_EQ(status.error_code(), grpc::StatusCode::PERMISSION_DENIED);
  EXPECT_EQ(ReasonOf(status), "OUT_OF_SCOPE");
  EXPECT_TRUE(Stub<v1::Accounts>(admin_)->GetAccount(Context().get(), request, &account).ok());

  v1::ListBanksResponse banks;
  ASSERT_TRUE(Stub<v1::Banks>(coordinator_)
                  ->ListBanks(Context().get(), v1::ListBanksRequest(), &banks)
                  .ok());
  ASSERT_EQ(banks.banks_size(), 1);
  EXPECT_EQ(banks.banks(0).bank_id(), "hcct");
  v1::ListBanksResponse every;
  ASSERT_TRUE(
      Stub<v1::Banks>(admin_)->ListBanks(Context().get(), v1::ListBanksRequest(), &every).ok());
  EXPECT_EQ(every.banks_size(), 2);
}

TEST_F(AccessTest, APartnerRecordsOnlySpendIntoItsOwnAccountAndReadsOnlyThat) {
  SetPartnerSpendConsent(v1::Policy::NOT_ASKED);  // what it reads, not how members agree
  ASSERT_TRUE(Record(admin_, "gift-1", v1::EXCHANGE, "bob", "alice").ok());
  v1::RecordEntryResponse spent;
  ASSERT_TRUE(Record(partner_, "lunch-1", v1::SPEND, "alice", "cafe", &spent).ok());
  EXPECT_EQ(spent.entry().recorded_by(), "cafe-till");

  const std::string before = Trace();
  grpc::Status status = Record(partner_, "lunch-2", v1::EXCHANGE, "alice", "cafe");
  EXPECT_EQ(ReasonOf(status), "PARTNER_SPEND_ONLY");
  status = Record(partner_, "lunch-3", v1::SPEND, "alice", "library");
  EXPECT_EQ(ReasonOf(status), "PARTNER_SPEND_ONLY");
  v1::RecordEntriesRequest batch;
  auto* first = batch.add_entries();
  first->set_bank_id("hcct");
  first->set_entry_id("lunch-4");
  first->set_kind(v1::SPEND);
  first->set_from_account_id("alice");
  first->set_to_account_id("cafe");
  first->set_minutes(30);
  *batch.add_entries() = *first;
  batch.mutable_entries(1)->set_entry_id("lunch-5");
  batch.mutable_entries(1)->set_to_account_id("library");
  v1::RecordEntriesResponse recorded;
  status = Stub<v1::Ledger>(partner_)->RecordEntries(Context().get(), batch, &recorded);
  EXPECT_EQ(ReasonOf(status), "PARTNER_SPEND_ONLY");
  EXPECT_EQ(Trace(), before);  // not even the good half of the batch

  v1::GetAccountRequest mine;
  mine.set_bank_id("hcct");
  mine.set_account_id("cafe");
  v1::Account account;
  EXPECT_TRUE(Stub<v1::Accounts>(partner_)->GetAccount(Context().get(), mine, &account).ok());
  v1::GetAccountRequest theirs = mine;
  theirs.set_account_id("alice");
  status = Stub<v1::Accounts>(partner_)->GetAccount(Context().get(), theirs, &account);
  EXPECT_EQ(ReasonOf(status), "PARTNER_OWN_ACCOUNT_ONLY");

  v1::ListEntriesRequest list;
  list.set_bank_id("hcct");
  v1::ListEntriesResponse entries;
  status = Stub<v1::Ledger>(partner_)->ListEntries(Context().get(), list, &entries);
  EXPECT_EQ(ReasonOf(status), "PARTNER_OWN_ACCOUNT_ONLY");
  list.set_account_id("cafe");
  ASSERT_TRUE(Stub<v1::Ledger>(partner_)->ListEntries(Context().get(), list, &entries).ok());
  EXPECT_EQ(entries.rows_size(), 1);

  v1::GetEntryRequest get;
  get.set_bank_id("hcct");
  get.set_entry_id("lunch-1");
  v1::Entry entry;
  EXPECT_TRUE(Stub<v1::Ledger>(partner_)->GetEntry(Context().get(), get, &entry).ok());
  get.set_entry_id("gift-1");
  status = Stub<v1::Ledger>(partner_)->GetEntry(Context().get(), get, &entry);
  EXPECT_EQ(ReasonOf(status), "PARTNER_OWN_ACCOUNT_ONLY");
}

// The member's balance after a partner's SPEND as a coordinator would be told it; a partner must
// never see it, nor the member's name.
TEST_F(AccessTest, APartnerSeesNoOtherAccountsBalanceOrNameInReceiptsRefusalsOrListings) {
  SetPartnerSpendConsent(v1::Policy::NOT_ASKED);  // what it reads, not how members agree
  ASSERT_TRUE(Record(admin_, "gift-1", v1::EXCHANGE, "bob", "alice").ok());
  ASSERT_TRUE(Record(admin_, "gift-2", v1::EXCHANGE, "bob", "alice").ok());  // alice: 120
  auto spend = [](const std::string& id, int64_t minutes) {
    v1::RecordEntryRequest request;
    request.set_bank_id("hcct");
    request.set_entry_id(id);
    request.set_kind(v1::SPEND);
    request.set_from_account_id("alice");
    request.set_to_account_id("cafe");
    request.set_minutes(minutes);
    return request;
  };
  auto tells_nothing_of_alice = [](const std::string& bytes) {
    return bytes.find("Name of alice") == std::string::npos;
  };

  v1::RecordEntryResponse receipt;
  ASSERT_TRUE(Stub<v1::Ledger>(partner_)
                  ->RecordEntry(Context().get(), spend("lunch-1", 30), &receipt)
                  .ok());
  EXPECT_EQ(receipt.to_balance_minutes(), 30);   // the cafe's own side
  EXPECT_EQ(receipt.from_balance_minutes(), 0);  // alice's 90 is not the cafe's business
  EXPECT_FALSE(receipt.has_payer_reciprocity() &&
               (receipt.payer_reciprocity().given_minutes() != 0 ||
                receipt.payer_reciprocity().received_minutes() != 0));
  EXPECT_TRUE(tells_nothing_of_alice(receipt.SerializeAsString()));
  ASSERT_TRUE(
      Stub<v1::Ledger>(partner_)->CheckEntry(Context().get(), spend("lunch-2", 60), &receipt).ok());
  EXPECT_EQ(receipt.from_balance_minutes(), 0);
  ASSERT_TRUE(
      Stub<v1::Ledger>(partner_)->RecordEntry(Context().get(), spend("big-1", 480), &receipt).ok());
  EXPECT_EQ(receipt.from_balance_minutes(), 0);  // alice: -390 now, her floor is -600

  // Over her floor: the reason, a plain sentence, and only what the till asked for.
  grpc::Status refused =
      Stub<v1::Ledger>(partner_)->RecordEntry(Context().get(), spend("big-2", 480), &receipt);
  EXPECT_EQ(refused.error_code(), grpc::StatusCode::FAILED_PRECONDITION);
  EXPECT_EQ(ReasonOf(refused), "OVERDRAFT_LIMIT");
  EXPECT_EQ(refused.error_message(), "the member does not have enough time for this");
  auto info = clients::FindErrorInfo(refused);
  ASSERT_TRUE(info.has_value());
  ASSERT_EQ(info->metadata_size(), 1);
  EXPECT_EQ(info->metadata().at("attempted_minutes"), "480");
  EXPECT_TRUE(tells_nothing_of_alice(refused.error_details()));
  refused = Stub<v1::Ledger>(partner_)->CheckEntry(Context().get(), spend("big-2", 480), &receipt);
  EXPECT_EQ(refused.error_message(), "the member does not have enough time for this");
  EXPECT_EQ(clients::FindErrorInfo(refused)->metadata_size(), 1);

  // The same in a batch's problems.
  v1::RecordEntriesRequest batch;
  *batch.add_entries() = spend("big-3", 480);
  v1::RecordEntriesResponse recorded;
  ASSERT_TRUE(Stub<v1::Ledger>(partner_)->RecordEntries(Context().get(), batch, &recorded).ok());
  ASSERT_EQ(recorded.results_size(), 1);
  const v1::Problem& problem = recorded.results(0).problem();
  EXPECT_EQ(problem.reason(), "OVERDRAFT_LIMIT");
  EXPECT_EQ(problem.message(), "the member does not have enough time for this");
  ASSERT_EQ(problem.metadata_size(), 1);
  EXPECT_EQ(problem.metadata().at("attempted_minutes"), "480");
  batch.set_atomic(true);  // an atomic batch answers with the item's refusal
  refused = Stub<v1::Ledger>(partner_)->RecordEntries(Context().get(), batch, &recorded);
  EXPECT_EQ(ReasonOf(refused), "OVERDRAFT_LIMIT");
  EXPECT_EQ(refused.error_message(), "the member does not have enough time for this");
  EXPECT_EQ(clients::FindErrorInfo(refused)->metadata_size(), 2);  // attempted_minutes, index
  EXPECT_TRUE(tells_nothing_of_alice(refused.error_details()));

  // A coordinator is still told the member's figures.
  refused =
      Stub<v1::Ledger>(coordinator_)->CheckEntry(Context().get(), spend("big-2", 480), &receipt);
  EXPECT_EQ(ReasonOf(refused), "OVERDRAFT_LIMIT");
  EXPECT_EQ(clients::FindErrorInfo(refused)->metadata().at("balance_minutes"), "-390");

  // Listings: the entries that touch the cafe, with the cafe's running balance only.
  v1::ListEntriesRequest list;
  list.set_bank_id("hcct");
  list.set_account_id("cafe");
  v1::ListEntriesResponse entries;
  ASSERT_TRUE(Stub<v1::Ledger>(partner_)->ListEntries(Context().get(), list, &entries).ok());
  ASSERT_EQ(entries.rows_size(), 2);
  EXPECT_EQ(entries.rows(1).running_balance_minutes(), 30 + 480);
  EXPECT_TRUE(tells_nothing_of_alice(entries.SerializeAsString()));
  v1::GetEntryRequest get;
  get.set_bank_id("hcct");
  get.set_entry_id("big-1");
  v1::Entry entry;
  ASSERT_TRUE(Stub<v1::Ledger>(partner_)->GetEntry(Context().get(), get, &entry).ok());
  EXPECT_TRUE(tells_nothing_of_alice(entry.SerializeAsString()));
  v1::GetAccountRequest mine;
  mine.set_bank_id("hcct");
  mine.set_account_id("cafe");
  v1::Account account;
  ASSERT_TRUE(Stub<v1::Accounts>(partner_)->GetAccount(Context().get(), mine, &account).ok());
  EXPECT_TRUE(tells_nothing_of_alice(account.SerializeAsString()));
}

// A partner's SPEND from a member needs the member's consent, as the bank's policy says. By
// default it waits until the member confirms it at the kiosk.
TEST_F(AccessTest, APartnersSpendWaitsForTheMembersConfirmationByDefault) {
  ASSERT_TRUE(Record(admin_, "gift-1", v1::EXCHANGE, "bob", "alice").ok());
  v1::RecordEntryResponse receipt;
  ASSERT_TRUE(Record(partner_, "lunch-1", v1::SPEND, "alice", "cafe", &receipt).ok());
  EXPECT_TRUE(receipt.pending());
  EXPECT_EQ(receipt.confirm_by(), "alice");
  EXPECT_EQ(receipt.entry().seq(), 0u);
  EXPECT_EQ(PendingCount(), 1);

  // Alice signs in at the kiosk with her card and PIN and agrees.
  GiveCard("alice", "4001", "2468");
  v1::SignInRequest sign_in;
  sign_in.set_bank_id("hcct");
  sign_in.set_card_number("4001");
  sign_in.set_pin("2468");
  v1::KioskSession session;
  ASSERT_TRUE(Stub<v1::Kiosk>(kiosk_)->SignIn(Context().get(), sign_in, &session).ok());
  v1::MemberEntryRequest confirm;
  confirm.set_session_id(session.session_id());
  confirm.set_entry_id("lunch-1");
  v1::RecordEntryResponse confirmed;
  ASSERT_TRUE(
      Stub<v1::Kiosk>(kiosk_)->ConfirmMemberEntry(Context().get(), confirm, &confirmed).ok());
  EXPECT_NE(confirmed.entry().seq(), 0u);
  EXPECT_EQ(PendingCount(), 0);
}

TEST_F(AccessTest, APartnersSpendWithoutTheMembersCardAndPinIsRefusedWhereThePolicyAsksForThem) {
  SetPartnerSpendConsent(v1::Policy::CARD_AND_PIN);
  ASSERT_TRUE(Record(admin_, "gift-1", v1::EXCHANGE, "bob", "alice").ok());
  GiveCard("alice", "4001", "2468");
  GiveCard("bob", "4002", "1357");
  const std::string before = Trace();

  grpc::Status refused = Record(partner_, "lunch-1", v1::SPEND, "alice", "cafe");
  EXPECT_EQ(refused.error_code(), grpc::StatusCode::FAILED_PRECONDITION);
  EXPECT_EQ(ReasonOf(refused), "MEMBER_CONSENT_REQUIRED");
  refused = SpendWithCard("lunch-1", "4002", "1357");  // bob's card for alice's lunch
  EXPECT_EQ(refused.error_code(), grpc::StatusCode::PERMISSION_DENIED);
  EXPECT_EQ(ReasonOf(refused), "NOT_PAYERS_CARD");
  refused = SpendWithCard("lunch-1", "4001", "9999");
  EXPECT_EQ(ReasonOf(refused), "CARD_OR_PIN_WRONG");
  EXPECT_EQ(clients::FindErrorInfo(refused)->metadata_size(), 0);  // nothing of alice's card
  v1::RecordEntriesRequest batch;                                  // a batch carries no cards
  auto* item = batch.add_entries();
  item->set_bank_id("hcct");
  item->set_entry_id("lunch-2");
  item->set_kind(v1::SPEND);
  item->set_from_account_id("alice");
  item->set_to_account_id("cafe");
  item->set_minutes(60);
  v1::RecordEntriesResponse results;
  ASSERT_TRUE(Stub<v1::Ledger>(partner_)->RecordEntries(Context().get(), batch, &results).ok());
  EXPECT_EQ(results.results(0).problem().reason(), "MEMBER_CONSENT_REQUIRED");
  EXPECT_EQ(Trace(), before);

  v1::RecordEntryResponse receipt;
  ASSERT_TRUE(SpendWithCard("lunch-1", "4001", "2468", &receipt).ok());
  EXPECT_FALSE(receipt.pending());
  EXPECT_NE(receipt.entry().seq(), 0u);
  EXPECT_EQ(receipt.to_balance_minutes(), 60);
  EXPECT_EQ(receipt.from_balance_minutes(), 0);  // still none of the cafe's business

  // A coordinator's SPEND is the bank's own and needs no card.
  EXPECT_TRUE(Record(coordinator_, "lunch-3", v1::SPEND, "bob", "cafe").ok());
}

TEST_F(AccessTest, APartnersSpendIsRecordedAtOnceWhereThePolicyDoesNotAsk) {
  SetPartnerSpendConsent(v1::Policy::NOT_ASKED);
  v1::RecordEntryResponse receipt;
  ASSERT_TRUE(Record(partner_, "lunch-1", v1::SPEND, "alice", "cafe", &receipt).ok());
  EXPECT_FALSE(receipt.pending());
  EXPECT_NE(receipt.entry().seq(), 0u);
}

TEST_F(AccessTest, ACoordinatorDoesNotCreditThemselves) {
  // The default policy sends an entry its recorder earns to the payer: allowed, and pending.
  // Confirmation of exchanges between persons is switched on as well.
  auto set_policy = [&](bool confirmation, bool self_recorded_waits) {
    v1::GetPolicyRequest get;
    get.set_bank_id("hcct");
    v1::Policy policy;
    ASSERT_TRUE(Stub<v1::Policies>(admin_)->GetPolicy(Context().get(), get, &policy).ok());
    policy.mutable_confirmation()->set_enabled(confirmation);
    policy.mutable_staff_duty()->set_self_recorded_needs_confirmation(self_recorded_waits);
    v1::SetPolicyRequest set;
    set.set_bank_id("hcct");
    *set.mutable_policy() = policy;
    ASSERT_TRUE(Stub<v1::Policies>(admin_)->SetPolicy(Context().get(), set, &policy).ok());
  };
  set_policy(true, true);
  v1::RecordEntryResponse pending;
  ASSERT_TRUE(Record(coordinator_, "sam-1", v1::EXCHANGE, "alice", "sam", &pending).ok());
  EXPECT_TRUE(pending.pending());
  // Another coordinator confirms it; sam could not have.
  v1::ConfirmEntryRequest confirm;
  confirm.set_bank_id("hcct");
  confirm.set_entry_id("sam-1");
  v1::RecordEntryResponse confirmed;
  EXPECT_TRUE(Stub<v1::Ledger>(other_coordinator_)
                  ->ConfirmEntry(Context().get(), confirm, &confirmed)
                  .ok());

  // An entry carol records for sam waits for alice; sam may not confirm what credits him.
  ASSERT_TRUE(Record(other_coordinator_, "sam-2", v1::EXCHANGE, "alice", "sam", &pending).ok());
  ASSERT_TRUE(pending.pending());
  confirm.set_entry_id("sam-2");
  grpc::Status refused =
      Stub<v1::Ledger>(coordinator_)->ConfirmEntry(Context().get(), confirm, &confirmed);
  EXPECT_EQ(refused.error_code(), grpc::StatusCode::PERMISSION_DENIED);
  EXPECT_EQ(ReasonOf(refused), "SELF_CREDIT");
  // What sam recorded himself gets the ledger's own refusal instead.
  ASSERT_TRUE(Record(coordinator_, "sam-5", v1::EXCHANGE, "alice", "sam", &pending).ok());
  confirm.set_entry_id("sam-5");
  refused = Stub<v1::Ledger>(coordinator_)->ConfirmEntry(Context().get(), confirm, &confirmed);
  EXPECT_EQ(ReasonOf(refused), "SELF_CONFIRMATION");

  // With self-recorded entries posted at once, sam's own credit is refused outright.
  set_policy(false, false);
  const std::string before = Trace();
  const grpc::Status status = Record(coordinator_, "sam-3", v1::EXCHANGE, "alice", "sam");
  EXPECT_EQ(status.error_code(), grpc::StatusCode::PERMISSION_DENIED);
  EXPECT_EQ(ReasonOf(status), "SELF_CREDIT");
  EXPECT_EQ(Trace(), before);
  EXPECT_TRUE(Record(other_coordinator_, "sam-4", v1::EXCHANGE, "alice", "sam").ok());
}

// Issue 16: sam pays alice for real work, then reverses that entry, which would credit sam.
TEST_F(AccessTest, ACoordinatorDoesNotReverseWhatTheyPaid) {
  v1::RecordEntryResponse paid;
  ASSERT_TRUE(Record(other_coordinator_, "paid-by-sam", v1::EXCHANGE, "sam", "alice", &paid).ok());
  ASSERT_FALSE(paid.pending());
  v1::ReverseEntryRequest reverse;
  reverse.set_bank_id("hcct");
  reverse.set_seq(paid.entry().seq());
  reverse.set_note("changed my mind");
  v1::RecordEntryResponse reversed;
  const std::string before = Trace();
  grpc::Status refused =
      Stub<v1::Ledger>(coordinator_)->ReverseEntry(Context().get(), reverse, &reversed);
  EXPECT_EQ(refused.error_code(), grpc::StatusCode::PERMISSION_DENIED);
  EXPECT_EQ(ReasonOf(refused), "SELF_CREDIT");
  EXPECT_EQ(Trace(), before);
  // Another coordinator may correct it.
  EXPECT_TRUE(
      Stub<v1::Ledger>(other_coordinator_)->ReverseEntry(Context().get(), reverse, &reversed).ok());
}

TEST_F(AccessTest, TokensAreMadeListedAndRevokedWithinTheirScope) {
  auto access = Stub<v1::Access>(coordinator_);
  v1::CreateTokenRequest create;
  create.mutable_principal()->set_name("kiosk-2");
  create.mutable_principal()->set_role(v1::PRINCIPAL_ROLE_KIOSK);
  create.mutable_principal()->set_bank_id("hcct");
  v1::CreateTokenResponse made;
  ASSERT_TRUE(access->CreateToken(Context().get(), create, &made).ok());
  EXPECT_EQ(made.bearer().rfind("tl_" + made.token().token_id() + "_", 0), 0u);
  EXPECT_EQ(made.token().created_by(), "sam");

  v1::Principal who;
  ASSERT_TRUE(
      Stub<v1::Access>(made.bearer())->WhoAmI(Context().get(), v1::WhoAmIRequest(), &who).ok());
  EXPECT_EQ(who.name(), "kiosk-2");
  EXPECT_EQ(who.role(), v1::PRINCIPAL_ROLE_KIOSK);

  // A coordinator makes no admin and nothing in another bank.
  v1::CreateTokenRequest admin = create;
  admin.mutable_principal()->set_role(v1::PRINCIPAL_ROLE_ADMIN);
  admin.mutable_principal()->clear_bank_id();
  grpc::Status status = access->CreateToken(Context().get(), admin, &made);
  EXPECT_EQ(ReasonOf(status), "NOT_YOURS_TO_MANAGE");
  v1::CreateTokenRequest elsewhere = create;
  elsewhere.mutable_principal()->set_bank_id("other");
  status = access->CreateToken(Context().get(), elsewhere, &made);
  EXPECT_EQ(ReasonOf(status), "NOT_YOURS_TO_MANAGE");
  // A partner is bound to an organisation of the bank.
  v1::CreateTokenRequest partner = create;
  partner.mutable_principal()->set_name("till-2");
  partner.mutable_principal()->set_role(v1::PRINCIPAL_ROLE_PARTNER);
  partner.mutable_principal()->set_account_id("alice");
  status = access->CreateToken(Context().get(), partner, &made);
  EXPECT_EQ(ReasonOf(status), "WRONG_ACCOUNT_KIND");
  partner.mutable_principal()->clear_account_id();
  status = access->CreateToken(Context().get(), partner, &made);
  EXPECT_EQ(status.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  // One name, one principal.
  v1::CreateTokenRequest clash = create;
  clash.mutable_principal()->set_role(v1::PRINCIPAL_ROLE_COORDINATOR);
  status = access->CreateToken(Context().get(), clash, &made);
  EXPECT_EQ(ReasonOf(status), "PRINCIPAL_CONFLICT");

  // The coordinator sees their bank's tokens only; the admin sees every one.
  v1::ListTokensResponse listed;
  ASSERT_TRUE(access->ListTokens(Context().get(), v1::ListTokensRequest(), &listed).ok());
  std::string kiosk_2_id;
  for (const v1::Token& token : listed.tokens()) {
    EXPECT_EQ(token.principal().bank_id(), "hcct");
    if (token.principal().name() == "kiosk-2") kiosk_2_id = token.token_id();
  }
  ASSERT_FALSE(kiosk_2_id.empty());
  v1::ListTokensResponse all;
  ASSERT_TRUE(
      Stub<v1::Access>(admin_)->ListTokens(Context().get(), v1::ListTokensRequest(), &all).ok());
  EXPECT_GT(all.tokens_size(), listed.tokens_size());

  // Revoked: refused from the next call on.
  v1::RevokeTokenRequest revoke;
  revoke.set_token_id(kiosk_2_id);
  v1::Token revoked;
  ASSERT_TRUE(access->RevokeToken(Context().get(), revoke, &revoked).ok());
  EXPECT_EQ(revoked.revoked_by(), "sam");
  status = Stub<v1::Access>(made.bearer())->WhoAmI(Context().get(), v1::WhoAmIRequest(), &who);
  EXPECT_EQ(status.error_code(), grpc::StatusCode::UNAUTHENTICATED);

  // The registry outlives a restart: the revoked token stays refused, the others work.
  server_.reset();
  ledger_.reset();
  ledger::LedgerOptions options;
  options.data_dir = dir_.path();
  auto reopened = ledger::Ledger::Open(options);
  ASSERT_TRUE(reopened.ok()) << reopened.status();
  ledger_ = *std::move(reopened);
  EXPECT_FALSE(ledger_->tokens().Authenticate(made.bearer()).ok());
  auto sam = ledger_->tokens().Authenticate(coordinator_);
  ASSERT_TRUE(sam.ok()) << sam.status();
  EXPECT_EQ(sam->name, "sam");
  EXPECT_EQ(sam->bank_id, "hcct");
}

TEST_F(AccessTest, ARevocationEndsCallsInFlightFromOtherThreadsAtOnce) {
  const std::string token =
      testing::IssueToken(*ledger_, PrincipalRole::kCoordinator, "busy", "hcct");
  std::atomic<bool> stop{false};
  std::mutex mu;
  // Each call: when it started, and whether it was let in.
  std::vector<std::pair<std::chrono::steady_clock::time_point, grpc::StatusCode>> calls;
  std::vector<std::thread> threads;
  for (int t = 0; t < 4; ++t) {
    threads.emplace_back([&] {
      auto banks = Stub<v1::Banks>(token);
      v1::GetBankRequest request;
      request.set_bank_id("hcct");
      while (!stop.load()) {
        const auto started = std::chrono::steady_clock::now();
        v1::Bank bank;
        const grpc::Status status = banks->GetBank(Context().get(), request, &bank);
        std::lock_guard<std::mutex> lock(mu);
        calls.emplace_back(started, status.error_code());
      }
    });
  }
  std::this_thread::sleep_for(std::chrono::milliseconds(300));
  v1::ListTokensRequest list;
  list.set_bank_id("hcct");
  v1::ListTokensResponse listed;
  ASSERT_TRUE(Stub<v1::Access>(admin_)->ListTokens(Context().get(), list, &listed).ok());
  v1::RevokeTokenRequest revoke;
  for (const v1::Token& t : listed.tokens()) {
    if (t.principal().name() == "busy") revoke.set_token_id(t.token_id());
  }
  v1::Token revoked;
  ASSERT_TRUE(Stub<v1::Access>(admin_)->RevokeToken(Context().get(), revoke, &revoked).ok());
  const auto revoked_at = std::chrono::steady_clock::now();
  std::this_thread::sleep_for(std::chrono::milliseconds(300));
  stop = true;
  for (auto& thread : threads) thread.join();
  int before = 0, after = 0;
  for (const auto& [started, code] : calls) {
    if (started > revoked_at) {
      EXPECT_EQ(code, grpc::StatusCode::UNAUTHENTICATED);
      ++after;
    } else if (code == grpc::StatusCode::OK) {
      ++before;
    }
  }
  EXPECT_GT(before, 0);
  EXPECT_GT(after, 0);
}

// Issue 16, finding 1: coordinator sam made a second coordinator token "sam-alt" without an
// account and credited himself with it.
TEST_F(AccessTest, ACoordinatorCannotMakeASecondIdentityForThemselves) {
  SetPolicy(false, false);  // a self-recorded entry would be posted at once
  const std::string before = Trace();
  v1::CreateTokenResponse made;
  grpc::Status status =
      CreateToken(coordinator_, "sam-alt", v1::PRINCIPAL_ROLE_COORDINATOR, "hcct", "", &made);
  EXPECT_EQ(status.error_code(), grpc::StatusCode::PERMISSION_DENIED);
  EXPECT_EQ(ReasonOf(status), "COLLEAGUE_ACCOUNT_REQUIRED");
  if (status.ok()) {  // what the finding did next
    EXPECT_FALSE(Record(made.bearer(), "alt-1", v1::EXCHANGE, "bob", "sam").ok());
  }
  // Nor bound to his own account, under another name or his own.
  status = CreateToken(coordinator_, "sam-alt", v1::PRINCIPAL_ROLE_COORDINATOR, "hcct", "sam");
  EXPECT_EQ(status.error_code(), grpc::StatusCode::PERMISSION_DENIED);
  EXPECT_EQ(ReasonOf(status), "COLLEAGUE_ACCOUNT_REQUIRED");
  status = CreateToken(coordinator_, "sam", v1::PRINCIPAL_ROLE_COORDINATOR, "hcct", "sam");
  EXPECT_EQ(status.error_code(), grpc::StatusCode::ALREADY_EXISTS);
  EXPECT_EQ(ReasonOf(status), "PRINCIPAL_CONFLICT");
  // Carol has no account: she makes no coordinator without one either.
  status = CreateToken(other_coordinator_, "carol-2", v1::PRINCIPAL_ROLE_COORDINATOR, "hcct");
  EXPECT_EQ(ReasonOf(status), "COLLEAGUE_ACCOUNT_REQUIRED");
  EXPECT_EQ(Trace(), before);
  // Another token of his own is still his: it may not credit him either.
  ASSERT_TRUE(
      CreateToken(coordinator_, "sam", v1::PRINCIPAL_ROLE_COORDINATOR, "hcct", "", &made).ok());
  status = Record(made.bearer(), "own-1", v1::EXCHANGE, "bob", "sam");
  EXPECT_EQ(ReasonOf(status), "SELF_CREDIT");
}

// Issue 16, finding 1: sam made a coordinator token bound to member bob's account.
TEST_F(AccessTest, ACoordinatorCannotMakeATokenBoundToAMembersAccount) {
  const std::string before = Trace();
  for (const std::string name : {"sam-bob", "bob"}) {
    const grpc::Status status =
        CreateToken(coordinator_, name, v1::PRINCIPAL_ROLE_COORDINATOR, "hcct", "bob");
    EXPECT_EQ(status.error_code(), grpc::StatusCode::PERMISSION_DENIED) << name;
    EXPECT_EQ(ReasonOf(status), "COLLEAGUE_ACCOUNT_REQUIRED") << name;
  }
  EXPECT_EQ(Trace(), before);
}

// Issue 16, finding 1: sam confirmed his own pending entry with a second token he made.
TEST_F(AccessTest, ACoordinatorCannotConfirmTheirOwnPendingEntryThroughASecondToken) {
  SetPolicy(true, true);
  v1::RecordEntryResponse pending;
  ASSERT_TRUE(Record(coordinator_, "sam-own", v1::EXCHANGE, "alice", "sam", &pending).ok());
  ASSERT_TRUE(pending.pending());
  v1::CreateTokenResponse made;
  const grpc::Status status =
      CreateToken(coordinator_, "sam-alt", v1::PRINCIPAL_ROLE_COORDINATOR, "hcct", "", &made);
  EXPECT_EQ(ReasonOf(status), "COLLEAGUE_ACCOUNT_REQUIRED");
  if (status.ok()) {  // what the finding did next
    EXPECT_FALSE(Confirm(made.bearer(), "sam-own").ok());
  }
  EXPECT_EQ(PendingCount(), 1);
}

// All principals bound to one account are one person: what one of them recorded, another may not
// confirm, even where it does not credit them.
TEST_F(AccessTest, APersonDoesNotConfirmWhatTheyRecordedUnderAnotherName) {
  SetPolicy(true, true);
  const std::string desk =
      testing::IssueToken(*ledger_, PrincipalRole::kCoordinator, "sam-desk", "hcct", "sam");
  v1::RecordEntryResponse pending;
  ASSERT_TRUE(Record(coordinator_, "garden-1", v1::EXCHANGE, "bob", "alice", &pending).ok());
  ASSERT_TRUE(pending.pending());
  grpc::Status status = Confirm(desk, "garden-1");
  EXPECT_EQ(status.error_code(), grpc::StatusCode::FAILED_PRECONDITION);
  EXPECT_EQ(ReasonOf(status), "SELF_CONFIRMATION");
  ASSERT_TRUE(Record(desk, "garden-2", v1::EXCHANGE, "bob", "alice", &pending).ok());
  status = Confirm(coordinator_, "garden-2");
  EXPECT_EQ(ReasonOf(status), "SELF_CONFIRMATION");
  // Nor credit themselves under that other name, where it would be posted at once.
  SetPolicy(false, false);
  status = Record(desk, "desk-1", v1::EXCHANGE, "bob", "sam");
  EXPECT_EQ(ReasonOf(status), "SELF_CREDIT");
  EXPECT_EQ(PendingCount(), 2);
  EXPECT_TRUE(Confirm(other_coordinator_, "garden-1").ok());
}

TEST_F(AccessTest, ACoordinatorMakesAColleagueNamedAsTheirOwnStaffAccountOnce) {
  ASSERT_TRUE(Open("hcct", "tina", v1::PERSON, v1::STAFF).ok());
  v1::CreateTokenResponse made;
  ASSERT_TRUE(
      CreateToken(coordinator_, "tina", v1::PRINCIPAL_ROLE_COORDINATOR, "hcct", "tina", &made)
          .ok());
  EXPECT_EQ(made.token().created_by(), "sam");
  // tina's account is tina's now: sam makes no other token of it, under her name or another.
  grpc::Status status =
      CreateToken(coordinator_, "tina", v1::PRINCIPAL_ROLE_COORDINATOR, "hcct", "tina");
  EXPECT_EQ(status.error_code(), grpc::StatusCode::PERMISSION_DENIED);
  EXPECT_EQ(ReasonOf(status), "ACCOUNT_HELD");
  // An admin may.
  EXPECT_TRUE(CreateToken(admin_, "tina", v1::PRINCIPAL_ROLE_COORDINATOR, "hcct", "tina").ok());
  // Nor of an account another name holds.
  ASSERT_TRUE(Open("hcct", "vic", v1::PERSON, v1::STAFF).ok());
  testing::IssueToken(*ledger_, PrincipalRole::kCoordinator, "vic-desk", "hcct", "vic");
  status = CreateToken(coordinator_, "vic", v1::PRINCIPAL_ROLE_COORDINATOR, "hcct", "vic");
  EXPECT_EQ(ReasonOf(status), "ACCOUNT_HELD");
  // A member is not a colleague.
  ASSERT_TRUE(Open("hcct", "uma", v1::PERSON, v1::MEMBER).ok());
  status = CreateToken(coordinator_, "uma", v1::PRINCIPAL_ROLE_COORDINATOR, "hcct", "uma");
  EXPECT_EQ(ReasonOf(status), "COLLEAGUE_ACCOUNT_REQUIRED");
  // tina does not credit herself.
  SetPolicy(false, false);
  EXPECT_EQ(ReasonOf(Record(made.bearer(), "tina-1", v1::EXCHANGE, "bob", "tina")), "SELF_CREDIT");
}

// Issue 16, finding 8: CreateToken for another bank answered NOT_FOUND when the bank was missing
// and PERMISSION_DENIED when it existed.
TEST_F(AccessTest, ACoordinatorLearnsNothingOfBanksOutsideTheirScope) {
  std::vector<grpc::Status> refusals;
  for (const char* bank : {"other", "nowhere"}) {
    refusals.push_back(CreateToken(coordinator_, "kiosk-9", v1::PRINCIPAL_ROLE_KIOSK, bank));
    refusals.push_back(
        CreateToken(coordinator_, "till-9", v1::PRINCIPAL_ROLE_PARTNER, bank, "cafe"));
    refusals.push_back(
        CreateToken(coordinator_, "zoe", v1::PRINCIPAL_ROLE_COORDINATOR, bank, "zoe"));
    v1::ListTokensRequest list;
    list.set_bank_id(bank);
    v1::ListTokensResponse listed;
    refusals.push_back(Stub<v1::Access>(coordinator_)->ListTokens(Context().get(), list, &listed));
    v1::GetBankRequest get;
    get.set_bank_id(bank);
    v1::Bank got;
    const grpc::Status status = Stub<v1::Banks>(coordinator_)->GetBank(Context().get(), get, &got);
    EXPECT_EQ(status.error_code(), grpc::StatusCode::PERMISSION_DENIED) << bank;
    EXPECT_EQ(ReasonOf(status), "OUT_OF_SCOPE") << bank;
  }
  for (size_t i = 0; i < refusals.size(); ++i) {
    EXPECT_EQ(refusals[i].error_code(), grpc::StatusCode::PERMISSION_DENIED) << i;
    EXPECT_EQ(ReasonOf(refusals[i]), "NOT_YOURS_TO_MANAGE") << i;
  }
}

// Issue 16, finding 8: ListTokens on another bank answered OK with an empty list.
TEST_F(AccessTest, ACoordinatorMayNotListAnotherBanksTokens) {
  testing::IssueToken(*ledger_, PrincipalRole::kKiosk, "kiosk-z", "other");
  v1::ListTokensRequest list;
  list.set_bank_id("other");
  v1::ListTokensResponse listed;
  const grpc::Status status =
      Stub<v1::Access>(coordinator_)->ListTokens(Context().get(), list, &listed);
  EXPECT_EQ(status.error_code(), grpc::StatusCode::PERMISSION_DENIED);
  EXPECT_EQ(ReasonOf(status), "NOT_YOURS_TO_MANAGE");
  EXPECT_EQ(listed.tokens_size(), 0);
  list.set_bank_id("hcct");
  ASSERT_TRUE(Stub<v1::Access>(coordinator_)->ListTokens(Context().get(), list, &listed).ok());
  EXPECT_GT(listed.tokens_size(), 0);
  list.set_bank_id("other");
  ASSERT_TRUE(Stub<v1::Access>(admin_)->ListTokens(Context().get(), list, &listed).ok());
  EXPECT_EQ(listed.tokens(listed.tokens_size() - 1).principal().name(), "kiosk-z");
}

// Issue 16, finding 8: a coordinator of one bank made a principal that already held a token in
// another bank.
TEST_F(AccessTest, ANameIsOnePrincipalAcrossBanks) {
  const std::string olga =
      testing::IssueToken(*ledger_, PrincipalRole::kCoordinator, "olga", "other");
  const std::string before = Trace();
  for (const auto& [name, role] : std::vector<std::pair<std::string, v1::PrincipalRole>>{
           {"kiosk-1", v1::PRINCIPAL_ROLE_KIOSK}, {"sam", v1::PRINCIPAL_ROLE_KIOSK}}) {
    for (const std::string& token : {olga, admin_}) {
      const grpc::Status status = CreateToken(token, name, role, "other");
      EXPECT_EQ(status.error_code(), grpc::StatusCode::ALREADY_EXISTS) << name;
      EXPECT_EQ(ReasonOf(status), "PRINCIPAL_CONFLICT") << name;
    }
  }
  EXPECT_EQ(Trace(), before);
}

// Issue 16, point 10: catalogue edits need a coordinator of that bank, or an admin.
TEST_F(AccessTest, CatalogueEditsNeedACoordinatorOfThatBank) {
  const std::string olga =
      testing::IssueToken(*ledger_, PrincipalRole::kCoordinator, "olga", "other");
  auto put = [&](const std::string& token, const std::string& bank, const std::string& code) {
    v1::PutCatalogueItemRequest request;
    request.mutable_item()->set_bank_id(bank);
    request.mutable_item()->set_code(code);
    request.mutable_item()->set_title("Film night");
    request.mutable_item()->mutable_activity();
    v1::CatalogueItem item;
    return Stub<v1::Catalogue>(token)->PutCatalogueItem(Context().get(), request, &item);
  };
  auto retire = [&](const std::string& token, const std::string& bank, const std::string& code) {
    v1::RetireCatalogueItemRequest request;
    request.set_bank_id(bank);
    request.set_kind(v1::ACTIVITY);
    request.set_code(code);
    v1::CatalogueItem item;
    return Stub<v1::Catalogue>(token)->RetireCatalogueItem(Context().get(), request, &item);
  };
  ASSERT_TRUE(put(coordinator_, "hcct", "film-night").ok());
  const std::string before = Trace();
  for (const char* bank : {"hcct", "nowhere"}) {
    for (const grpc::Status& status :
         {put(olga, bank, "film-night"), retire(olga, bank, "film-night")}) {
      EXPECT_EQ(status.error_code(), grpc::StatusCode::PERMISSION_DENIED) << bank;
      EXPECT_EQ(ReasonOf(status), "OUT_OF_SCOPE") << bank;
    }
  }
  for (const std::string& token : {kiosk_, partner_}) {
    for (const grpc::Status& status :
         {put(token, "hcct", "film-night"), retire(token, "hcct", "film-night")}) {
      EXPECT_EQ(ReasonOf(status), "ROLE_NOT_ALLOWED");
    }
  }
  EXPECT_EQ(Trace(), before);
  EXPECT_TRUE(retire(other_coordinator_, "hcct", "film-night").ok());
  EXPECT_TRUE(put(admin_, "hcct", "quiz-night").ok());
}

// --- Bindings ---

TEST_F(AccessTest, OnlyAnAdminChangesABindingAndEveryTokenOfTheNameFollowsIt) {
  const std::string desk =
      testing::IssueToken(*ledger_, PrincipalRole::kCoordinator, "desk", "hcct");
  v1::Principal who;
  ASSERT_TRUE(Stub<v1::Access>(desk)->WhoAmI(Context().get(), v1::WhoAmIRequest(), &who).ok());
  EXPECT_EQ(who.account_id(), "");
  EXPECT_EQ(who.bound_by(), "test-setup");
  // A coordinator may not re-bind it.
  grpc::Status status =
      CreateToken(coordinator_, "desk", v1::PRINCIPAL_ROLE_COORDINATOR, "hcct", "sam");
  EXPECT_EQ(ReasonOf(status), "PRINCIPAL_CONFLICT");
  // An admin may; the token made before now carries sam's account.
  v1::CreateTokenResponse made;
  ASSERT_TRUE(
      CreateToken(admin_, "desk", v1::PRINCIPAL_ROLE_COORDINATOR, "hcct", "sam", &made).ok());
  EXPECT_EQ(made.token().principal().bound_by(), "admin");
  ASSERT_TRUE(Stub<v1::Access>(desk)->WhoAmI(Context().get(), v1::WhoAmIRequest(), &who).ok());
  EXPECT_EQ(who.account_id(), "sam");
  EXPECT_EQ(who.bound_by(), "admin");
  EXPECT_GT(who.bound_at().seconds(), 0);
  SetPolicy(false, false);
  EXPECT_EQ(ReasonOf(Record(desk, "desk-1", v1::EXCHANGE, "bob", "sam")), "SELF_CREDIT");
  // Another role or bank only once its tokens are revoked.
  status = CreateToken(admin_, "desk", v1::PRINCIPAL_ROLE_KIOSK, "hcct");
  EXPECT_EQ(ReasonOf(status), "PRINCIPAL_CONFLICT");

  // Every binding is kept, with who set it and when, across a restart.
  server_.reset();
  ledger_.reset();
  ledger::LedgerOptions options;
  options.data_dir = dir_.path();
  auto reopened = ledger::Ledger::Open(options);
  ASSERT_TRUE(reopened.ok()) << reopened.status();
  ledger_ = *std::move(reopened);
  const auto history = ledger_->tokens().BindingHistory("desk");
  ASSERT_EQ(history.size(), 2u);
  EXPECT_EQ(history[0].version, 1u);
  EXPECT_EQ(history[0].principal.account_id, "");
  EXPECT_EQ(history[0].set_by, "test-setup");
  EXPECT_EQ(history[1].version, 2u);
  EXPECT_EQ(history[1].principal.account_id, "sam");
  EXPECT_EQ(history[1].set_by, "admin");
  EXPECT_LE(history[0].set_at, history[1].set_at);
  auto principal = ledger_->tokens().Authenticate(desk);
  ASSERT_TRUE(principal.ok()) << principal.status();
  EXPECT_EQ(principal->account_id, "sam");
  // A name made once has one binding, whatever number of tokens it holds.
  EXPECT_EQ(ledger_->tokens().BindingHistory("sam").size(), 1u);
}

// A store written before bindings existed: each name is bound as its newest live token was made,
// by whoever made it, once; a token of the name made for another bank no longer authenticates.
TEST(TokenRegistryUpgradeTest, BindsEachNameOfAnOlderStoreAsItsNewestLiveToken) {
  testing::TempDir dir;
  const std::string secret(ledger::kTokenSecretHexChars, 'a');
  auto token = [&](const std::string& id, const std::string& bank, int minute) {
    ledger::TokenRecord record;
    record.token_id = id;
    record.principal = {"sam", PrincipalRole::kCoordinator, bank, ""};
    record.secret_hash = ledger::Sha256::Hash(secret);
    record.created_at = absl::FromUnixSeconds(1'700'000'000 + 60 * minute);
    record.created_by = "admin";
    return record;
  };
  {
    ledger::StoreOptions options;
    options.path = dir.path() + "/ledger";
    auto store = ledger::OpenRocksDbStore(options);
    ASSERT_TRUE(store.ok()) << store.status();
    auto batch = (*store)->NewBatch();
    batch->PutToken(token("00000000000000a1", "hcct", 1));
    batch->PutToken(token("00000000000000a2", "other", 2));
    ASSERT_TRUE((*store)->Commit(batch.get()).ok());
  }
  for (int open = 0; open < 2; ++open) {
    ledger::LedgerOptions options;
    options.data_dir = dir.path();
    auto ledger = ledger::Ledger::Open(options);
    ASSERT_TRUE(ledger.ok()) << ledger.status();
    const auto history = (*ledger)->tokens().BindingHistory("sam");
    ASSERT_EQ(history.size(), 1u) << "open " << open;
    EXPECT_EQ(history[0].principal.bank_id, "other");
    EXPECT_EQ(history[0].set_by, "admin");
    EXPECT_EQ(history[0].set_at, absl::FromUnixSeconds(1'700'000'000 + 120));
    auto newest = (*ledger)->tokens().Authenticate("tl_00000000000000a2_" + secret);
    ASSERT_TRUE(newest.ok()) << newest.status();
    EXPECT_EQ(newest->bank_id, "other");
    auto older = (*ledger)->tokens().Authenticate("tl_00000000000000a1_" + secret);
    EXPECT_EQ(older.status().code(), absl::StatusCode::kUnauthenticated);
  }
}

// A server whose kiosks may make 3 calls at once and one every two seconds after.
class RateLimitTest : public AccessTest {
 protected:
  void SetUp() override {
    GateOptions gate;
    gate.kiosk = RateLimit{0.5, 3};
    Start(gate);
  }
};

TEST_F(RateLimitTest, APrincipalBeyondItsRateIsToldToWait) {
  auto catalogue = Stub<v1::Banks>(kiosk_);
  v1::GetBankRequest request;
  request.set_bank_id("hcct");
  v1::Bank bank;
  for (int i = 0; i < 3; ++i) {
    EXPECT_TRUE(catalogue->GetBank(Context().get(), request, &bank).ok()) << i;
  }
  const grpc::Status status = catalogue->GetBank(Context().get(), request, &bank);
  EXPECT_EQ(status.error_code(), grpc::StatusCode::RESOURCE_EXHAUSTED);
  EXPECT_EQ(ReasonOf(status), "RATE_LIMITED");
  // Another principal has its own allowance; an admin has no limit.
  for (int i = 0; i < 10; ++i) {
    EXPECT_TRUE(Stub<v1::Banks>(admin_)->GetBank(Context().get(), request, &bank).ok());
  }
}

}  // namespace
}  // namespace timeledger::services
