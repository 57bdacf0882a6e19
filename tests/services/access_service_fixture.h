// The fixture of the access tests: a real server on a loopback port with a token for each role,
// and short ways to open accounts, record, make tokens, set the policy and call any method.
#ifndef TIMELEDGER_TESTS_SERVICES_ACCESS_SERVICE_FIXTURE_H_
#define TIMELEDGER_TESTS_SERVICES_ACCESS_SERVICE_FIXTURE_H_

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

inline constexpr const char* kServices[] = {"Access",    "Banks",          "Accounts", "Ledger",
                                            "Policies",  "Audit",          "Backups",  "Reports",
                                            "Catalogue", "Qualifications", "Kiosk"};

inline std::string ReasonOf(const grpc::Status& status) {
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
    coordinator_ =
        testing::IssueToken(*ledger_, ledger::PrincipalRole::kCoordinator, "sam", "hcct");
    other_coordinator_ =
        testing::IssueToken(*ledger_, ledger::PrincipalRole::kCoordinator, "carol", "hcct");
    kiosk_ = testing::IssueToken(*ledger_, ledger::PrincipalRole::kKiosk, "kiosk-1", "hcct");
    partner_ =
        testing::IssueToken(*ledger_, ledger::PrincipalRole::kPartner, "cafe-till", "hcct", "cafe");
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

}  // namespace timeledger::services

#endif  // TIMELEDGER_TESTS_SERVICES_ACCESS_SERVICE_FIXTURE_H_
