// The gRPC services against a real server on a loopback port, over a real channel.
#include <atomic>
#include <filesystem>
#include <map>
#include <string>
#include <thread>
#include <vector>

#include "absl/strings/cord.h"
#include "google/protobuf/descriptor.h"
#include "google/rpc/error_details.pb.h"
#include "google/rpc/status.pb.h"
#include <grpcpp/grpcpp.h>
#include <gtest/gtest.h>

#include "grpc/health/v1/health.grpc.pb.h"
#include "ledger/core/errors.h"
#include "ledger/engine/ledger.h"
#include "ledger/journal/journal.h"
#include "services/convert.h"
#include "services/server.h"
#include "tests/support/access.h"
#include "tests/support/server_fixture.h"
#include "timeledger/v1/accounts.grpc.pb.h"
#include "timeledger/v1/banks.grpc.pb.h"
#include "timeledger/v1/ledger.grpc.pb.h"
#include "timeledger/v1/policies.grpc.pb.h"

namespace timeledger::services {
namespace {

class ServicesTest : public testing::ServerTest {
 protected:
  void SetUp() override {
    ASSERT_NO_FATAL_FAILURE(StartServer());
    const auto& channel = admin_channel_;
    banks_ = v1::Banks::NewStub(channel);
    accounts_ = v1::Accounts::NewStub(channel);
    ledger_stub_ = v1::Ledger::NewStub(channel);
    health_ = grpc::health::v1::Health::NewStub(channel);
    policies_ = v1::Policies::NewStub(channel);

    ASSERT_TRUE(CreateBank("hcct", "Holy Cross Centre").ok());
    ASSERT_TRUE(Open("alice", v1::PERSON).ok());
    ASSERT_TRUE(Open("bob", v1::PERSON).ok());
  }

  grpc::Status Open(const std::string& id, v1::AccountKind kind) {
    return OpenAccount("hcct", id, kind);
  }

  static v1::RecordEntryRequest Entry(const std::string& entry_id, const std::string& from,
                                      const std::string& to, int64_t minutes) {
    v1::RecordEntryRequest request;
    request.set_bank_id("hcct");
    request.set_entry_id(entry_id);
    request.set_from_account_id(from);
    request.set_to_account_id(to);
    request.set_minutes(minutes);
    request.set_activity("gardening");
    return request;
  }

  grpc::Status Record(const v1::RecordEntryRequest& request, v1::RecordEntryResponse* response) {
    grpc::ClientContext context;
    return ledger_stub_->RecordEntry(&context, request, response);
  }

  static google::rpc::ErrorInfo InfoOf(const grpc::Status& status) {
    google::rpc::Status details;
    google::rpc::ErrorInfo info;
    EXPECT_TRUE(details.ParseFromString(status.error_details()));
    EXPECT_EQ(details.details_size(), 1);
    if (details.details_size() == 1) {
      EXPECT_TRUE(details.details(0).UnpackTo(&info));
    }
    EXPECT_EQ(details.code(), status.error_code());
    return info;
  }

  int64_t Balance(const std::string& id) {
    v1::GetAccountRequest request;
    request.set_bank_id("hcct");
    request.set_account_id(id);
    v1::Account account;
    grpc::ClientContext context;
    EXPECT_TRUE(accounts_->GetAccount(&context, request, &account).ok());
    return account.balance_minutes();
  }

  std::unique_ptr<v1::Banks::Stub> banks_;
  std::unique_ptr<v1::Accounts::Stub> accounts_;
  std::unique_ptr<v1::Ledger::Stub> ledger_stub_;
  std::unique_ptr<grpc::health::v1::Health::Stub> health_;
  std::unique_ptr<v1::Policies::Stub> policies_;
};

TEST_F(ServicesTest, RecordEntryReturnsReceiptWithBothBalances) {
  v1::RecordEntryResponse response;
  auto status = Record(Entry("e1", "bob", "alice", 90), &response);
  ASSERT_TRUE(status.ok()) << status.error_message();
  EXPECT_EQ(response.entry().seq(), 1u);
  EXPECT_EQ(response.entry().kind(), v1::EXCHANGE);
  EXPECT_EQ(response.entry().hash().size(), 32u);
  EXPECT_EQ(response.entry().recorded_by(), "admin");
  EXPECT_GT(response.entry().occurred_at().seconds(), 0);
  EXPECT_EQ(response.from_balance_minutes(), -90);
  EXPECT_EQ(response.to_balance_minutes(), 90);
  EXPECT_FALSE(response.replayed());
  EXPECT_EQ(Balance("alice"), 90);
}

TEST_F(ServicesTest, RefusalCarriesErrorInfoWithReasonAndFigures) {
  v1::RecordEntryResponse response;
  auto status = Record(Entry("e1", "bob", "alice", 0), &response);
  EXPECT_EQ(status.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  auto info = InfoOf(status);
  EXPECT_EQ(info.reason(), "INVALID_MINUTES");
  EXPECT_EQ(info.domain(), "timeledger.v1");
  EXPECT_EQ(info.metadata().at("limit_minutes"), "1440");
  EXPECT_EQ(info.metadata().at("attempted_minutes"), "0");

  status = Record(Entry("e1", "bob", "zoe", 30), &response);
  EXPECT_EQ(status.error_code(), grpc::StatusCode::NOT_FOUND);
  EXPECT_EQ(InfoOf(status).reason(), "ACCOUNT_NOT_FOUND");
  EXPECT_EQ(InfoOf(status).metadata().at("account_id"), "zoe");

  ASSERT_TRUE(Record(Entry("e1", "bob", "alice", 30), &response).ok());
  status = Record(Entry("e1", "bob", "alice", 45), &response);
  EXPECT_EQ(status.error_code(), grpc::StatusCode::ALREADY_EXISTS);
  EXPECT_EQ(InfoOf(status).reason(), "ENTRY_ID_REUSED");
}

TEST(TruncatedTest, CutsOnACharacterBoundaryAndSaysItCut) {
  EXPECT_EQ(ledger::Truncated("short", 10), "short");
  EXPECT_EQ(ledger::Truncated("abcdefghij", 8), "abcde...");
  // "é" is two bytes: it is kept whole or dropped whole.
  EXPECT_EQ(ledger::Truncated("abcd\xc3\xa9xyz", 8), "abcd...");
  EXPECT_EQ(ledger::Truncated("abc\xc3\xa9xyzw", 8), "abc\xc3\xa9...");
  EXPECT_LE(ledger::EchoOf(std::string(10'000, 'a')).size(), ledger::kEchoBytesMax);
}

TEST(ToGrpcStatusTest, EveryPartOfAnErrorIsBoundedToFitTheMetadata) {
  absl::Status huge =
      ledger::Refuse(ledger::Reason::kInvalidId, "caf\xc3\xa9 " + std::string(100'000, 'm'));
  // No reason of the table is this long, but the bound holds whatever the payload says
  // (errors.cc keeps the reason under this URL).
  huge.SetPayload("timeledger/reason", absl::Cord(std::string(10'000, 'R')));
  for (int i = 0; i < 40; ++i) {
    huge = ledger::WithFigure(huge, std::to_string(i) + std::string(1000, 'n'),
                              std::string(10'000, 'v'));
  }
  const grpc::Status status = ToGrpcStatus(huge);
  EXPECT_EQ(status.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  EXPECT_LE(status.error_message().size(), kErrorMessageBytesMax);
  EXPECT_EQ(status.error_message().substr(0, 6), "caf\xc3\xa9 ");
  google::rpc::Status details;
  ASSERT_TRUE(details.ParseFromString(status.error_details()));
  EXPECT_EQ(details.message(), status.error_message());
  google::rpc::ErrorInfo info;
  ASSERT_TRUE(details.details(0).UnpackTo(&info));
  EXPECT_LE(info.reason().size(), kErrorFigureBytesMax);
  EXPECT_EQ(static_cast<size_t>(info.metadata_size()), kErrorFiguresMax);
  for (const auto& [name, value] : info.metadata()) {
    EXPECT_LE(name.size(), kErrorFigureNameBytesMax);
    EXPECT_LE(value.size(), kErrorFigureBytesMax);
  }
  // gRPC's 8 KiB of metadata, with room for the other headers: the message percent-encoded
  // (3 bytes a byte at worst) and the details in base64.
  EXPECT_LT(3 * status.error_message().size() + 4 * (status.error_details().size() + 2) / 3,
            size_t{6 * 1024});

  v1::Problem problem;
  ToProblem(huge, &problem);
  EXPECT_LE(problem.message().size(), kErrorMessageBytesMax);
  EXPECT_LE(problem.reason().size(), kErrorFigureBytesMax);
  EXPECT_EQ(static_cast<size_t>(problem.metadata_size()), kErrorFiguresMax);
}

TEST_F(ServicesTest, ARefusalOfAHugeInputComesBackWithItsOwnCode) {
  v1::RecordEntryResponse response;
  for (const auto& request : {Entry(std::string(10'000, 'e'), "bob", "alice", 30),
                              Entry("e1", "bob", std::string(10'000, 'z'), 30)}) {
    const grpc::Status status = Record(request, &response);
    EXPECT_NE(status.error_code(), grpc::StatusCode::RESOURCE_EXHAUSTED)
        << status.error_message().substr(0, 200);
    EXPECT_NE(status.error_code(), grpc::StatusCode::OK);
    EXPECT_LE(status.error_message().size(), kErrorMessageBytesMax);
    EXPECT_FALSE(InfoOf(status).reason().empty());
  }
}

TEST_F(ServicesTest, MalformedWireValuesAreInvalidArgument) {
  v1::RecordEntryResponse response;
  auto request = Entry("e1", "bob", "alice", 30);
  request.set_kind(static_cast<v1::EntryKind>(99));
  EXPECT_EQ(InfoOf(Record(request, &response)).reason(), "INVALID_ENUM");
  request = Entry("e1", "bob", "alice", 30);
  request.mutable_occurred_at()->set_nanos(-5);
  EXPECT_EQ(InfoOf(Record(request, &response)).reason(), "INVALID_TIMESTAMP");
  request = Entry("e1", "bob", "alice", 30);
  request.set_kind(v1::REVERSAL);
  EXPECT_EQ(InfoOf(Record(request, &response)).reason(), "REVERSAL_NOT_RECORDABLE");

  v1::OpenAccountRequest open;
  open.set_bank_id("hcct");
  open.set_account_id("carol");
  open.set_display_name("Carol");
  v1::Account account;
  grpc::ClientContext context;
  auto status = accounts_->OpenAccount(&context, open, &account);
  EXPECT_EQ(InfoOf(status).reason(), "INVALID_KIND");
  EXPECT_EQ(Balance("alice"), 0);
}

TEST_F(ServicesTest, OversizedMessageIsRefusedBeforeReachingTheLedger) {
  auto request = Entry("e1", "bob", "alice", 30);
  request.set_note(std::string(kMessageBytesMax + 1, 'x'));
  v1::RecordEntryResponse response;
  auto status = Record(request, &response);
  EXPECT_EQ(status.error_code(), grpc::StatusCode::RESOURCE_EXHAUSTED);
  EXPECT_EQ(Balance("alice"), 0);
}

TEST_F(ServicesTest, RecordEntriesGivesAResultPerItem) {
  v1::RecordEntriesRequest request;
  *request.add_entries() = Entry("b1", "bob", "alice", 30);
  *request.add_entries() = Entry("b2", "bob", "bob", 30);
  *request.add_entries() = Entry("b3", "alice", "bob", 15);
  v1::RecordEntriesResponse response;
  grpc::ClientContext context;
  ASSERT_TRUE(ledger_stub_->RecordEntries(&context, request, &response).ok());
  ASSERT_EQ(response.results_size(), 3);
  EXPECT_TRUE(response.results(0).has_receipt());
  EXPECT_EQ(response.results(1).problem().reason(), "SELF_TRANSFER");
  EXPECT_EQ(response.results(1).problem().code(), grpc::StatusCode::INVALID_ARGUMENT);
  EXPECT_EQ(response.results(2).receipt().entry().seq(), 2u);
  EXPECT_EQ(Balance("alice"), 15);

  request.set_atomic(true);
  grpc::ClientContext atomic_context;
  auto status = ledger_stub_->RecordEntries(&atomic_context, request, &response);
  EXPECT_EQ(InfoOf(status).reason(), "SELF_TRANSFER");
  EXPECT_EQ(InfoOf(status).metadata().at("index"), "1");

  v1::RecordEntriesRequest empty;
  grpc::ClientContext empty_context;
  EXPECT_EQ(InfoOf(ledger_stub_->RecordEntries(&empty_context, empty, &response)).reason(),
            "INVALID_BATCH_SIZE");
}

TEST_F(ServicesTest, StatementAndReversalOverTheWire) {
  v1::RecordEntryResponse response;
  ASSERT_TRUE(Record(Entry("e1", "bob", "alice", 90), &response).ok());
  ASSERT_TRUE(Record(Entry("e2", "alice", "bob", 30), &response).ok());

  v1::ReverseEntryRequest reverse;
  reverse.set_bank_id("hcct");
  reverse.set_seq(1);
  reverse.set_note("recorded by mistake");
  grpc::ClientContext reverse_context;
  ASSERT_TRUE(ledger_stub_->ReverseEntry(&reverse_context, reverse, &response).ok());
  EXPECT_EQ(response.entry().kind(), v1::REVERSAL);
  EXPECT_EQ(response.entry().reverses_seq(), 1u);
  grpc::ClientContext again_context;
  auto status = ledger_stub_->ReverseEntry(&again_context, reverse, &response);
  EXPECT_TRUE(status.ok());  // same key, same content: a replay
  EXPECT_TRUE(response.replayed());

  v1::ListEntriesRequest list;
  list.set_bank_id("hcct");
  list.set_account_id("alice");
  v1::ListEntriesResponse rows;
  grpc::ClientContext list_context;
  ASSERT_TRUE(ledger_stub_->ListEntries(&list_context, list, &rows).ok());
  ASSERT_EQ(rows.rows_size(), 3);
  EXPECT_EQ(rows.rows(0).running_balance_minutes(), 90);
  EXPECT_EQ(rows.rows(1).running_balance_minutes(), 60);
  EXPECT_EQ(rows.rows(2).running_balance_minutes(), -30);
  EXPECT_EQ(rows.rows(0).entry().reversed_by_seq(), 3u);

  v1::GetEntryRequest get;
  get.set_bank_id("hcct");
  get.set_entry_id("e2");
  v1::Entry entry;
  grpc::ClientContext get_context;
  ASSERT_TRUE(ledger_stub_->GetEntry(&get_context, get, &entry).ok());
  EXPECT_EQ(entry.seq(), 2u);
}

TEST_F(ServicesTest, AccountsAreListedInPages) {
  for (int i = 0; i < 5; ++i) ASSERT_TRUE(Open("member-" + std::to_string(i), v1::PERSON).ok());
  std::vector<std::string> ids;
  std::string token;
  do {
    v1::ListAccountsRequest request;
    request.set_bank_id("hcct");
    request.set_page_size(3);
    request.set_page_token(token);
    v1::ListAccountsResponse response;
    grpc::ClientContext context;
    ASSERT_TRUE(accounts_->ListAccounts(&context, request, &response).ok());
    for (const auto& account : response.accounts()) ids.push_back(account.account_id());
    token = response.next_page_token();
  } while (!token.empty());
  EXPECT_EQ(ids, (std::vector<std::string>{"alice", "bob", "member-0", "member-1", "member-2",
                                           "member-3", "member-4", "pool"}));
}

// Over the wire a page token is opaque and bound to its listing: one of ListAccounts is refused by
// ListEntries, and so is a bare seq, with the reason and the field.
TEST_F(ServicesTest, PageTokensAreOpaqueAndBoundToTheirListing) {
  for (int i = 0; i < 3; ++i) ASSERT_TRUE(Open("member-" + std::to_string(i), v1::PERSON).ok());
  v1::ListAccountsRequest accounts;
  accounts.set_bank_id("hcct");
  accounts.set_page_size(2);
  v1::ListAccountsResponse page;
  grpc::ClientContext accounts_context;
  ASSERT_TRUE(accounts_->ListAccounts(&accounts_context, accounts, &page).ok());
  ASSERT_FALSE(page.next_page_token().empty());
  EXPECT_EQ(page.next_page_token().find(page.accounts(1).account_id()), std::string::npos);
  for (const std::string& token : {page.next_page_token(), std::string("1")}) {
    v1::ListEntriesRequest entries;
    entries.set_bank_id("hcct");
    entries.set_page_token(token);
    v1::ListEntriesResponse rows;
    grpc::ClientContext context;
    const grpc::Status status = ledger_stub_->ListEntries(&context, entries, &rows);
    EXPECT_EQ(status.error_code(), grpc::StatusCode::INVALID_ARGUMENT) << token;
    EXPECT_EQ(InfoOf(status).reason(), "INVALID_PAGE_TOKEN") << token;
    EXPECT_EQ(InfoOf(status).metadata().at("field"), "page_token") << token;
  }
}

TEST_F(ServicesTest, SuspendReactivateAndCloseOverTheWire) {
  v1::SuspendAccountRequest suspend;
  suspend.set_bank_id("hcct");
  suspend.set_account_id("bob");
  suspend.set_reason("on holiday");
  v1::Account account;
  grpc::ClientContext context;
  ASSERT_TRUE(accounts_->SuspendAccount(&context, suspend, &account).ok());
  EXPECT_EQ(account.status(), v1::SUSPENDED);
  v1::RecordEntryResponse response;
  EXPECT_EQ(InfoOf(Record(Entry("e1", "bob", "alice", 30), &response)).reason(),
            "ACCOUNT_SUSPENDED");

  v1::ReactivateAccountRequest reactivate;
  reactivate.set_bank_id("hcct");
  reactivate.set_account_id("bob");
  grpc::ClientContext reactivate_context;
  ASSERT_TRUE(accounts_->ReactivateAccount(&reactivate_context, reactivate, &account).ok());
  EXPECT_EQ(account.status(), v1::ACTIVE);

  v1::CloseAccountRequest close;
  close.set_bank_id("hcct");
  close.set_account_id("bob");
  grpc::ClientContext close_context;
  ASSERT_TRUE(accounts_->CloseAccount(&close_context, close, &account).ok());
  EXPECT_EQ(account.status(), v1::CLOSED);
}

TEST_F(ServicesTest, UnknownBankIsNotFoundEverywhere) {
  v1::GetBankRequest get;
  get.set_bank_id("nowhere");
  v1::Bank bank;
  grpc::ClientContext context;
  auto status = banks_->GetBank(&context, get, &bank);
  EXPECT_EQ(status.error_code(), grpc::StatusCode::NOT_FOUND);
  EXPECT_EQ(InfoOf(status).reason(), "BANK_NOT_FOUND");

  v1::ListEntriesRequest list;
  list.set_bank_id("nowhere");
  v1::ListEntriesResponse rows;
  grpc::ClientContext list_context;
  EXPECT_EQ(ledger_stub_->ListEntries(&list_context, list, &rows).error_code(),
            grpc::StatusCode::NOT_FOUND);
}

TEST_F(ServicesTest, HealthCheckServes) {
  grpc::health::v1::HealthCheckRequest request;
  grpc::health::v1::HealthCheckResponse response;
  grpc::ClientContext context;
  ASSERT_TRUE(health_->Check(&context, request, &response).ok());
  EXPECT_EQ(response.status(), grpc::health::v1::HealthCheckResponse::SERVING);
}

// Every service of proto/timeledger/v1, as the descriptors of its files name it, since a health
// probe may ask for the service it uses rather than for "".
std::vector<std::string> ProtoServiceNames() {
  std::vector<std::string> names;
  const auto* pool = google::protobuf::DescriptorPool::generated_pool();
  const std::filesystem::path dir = std::filesystem::path(TIMELEDGER_SOURCE_DIR) / "proto";
  for (const auto& item : std::filesystem::directory_iterator(dir / "timeledger/v1")) {
    if (item.path().extension() != ".proto") continue;
    const std::string file = "timeledger/v1/" + item.path().filename().string();
    const auto* descriptor = pool->FindFileByName(file);
    EXPECT_NE(descriptor, nullptr) << file;
    if (descriptor == nullptr) continue;
    for (int i = 0; i < descriptor->service_count(); ++i) {
      names.push_back(descriptor->service(i)->full_name());
    }
  }
  return names;
}

TEST_F(ServicesTest, HealthCheckServesEveryServiceByNameAndNoOther) {
  const std::vector<std::string> names = ProtoServiceNames();
  ASSERT_GE(names.size(), 11u);
  for (const std::string& name : names) {
    grpc::health::v1::HealthCheckRequest request;
    request.set_service(name);
    grpc::health::v1::HealthCheckResponse response;
    grpc::ClientContext context;
    const grpc::Status status = health_->Check(&context, request, &response);
    ASSERT_TRUE(status.ok()) << name << ": " << status.error_message();
    EXPECT_EQ(response.status(), grpc::health::v1::HealthCheckResponse::SERVING) << name;
  }
  grpc::health::v1::HealthCheckRequest unknown;
  unknown.set_service("timeledger.v1.NoSuchService");
  grpc::health::v1::HealthCheckResponse response;
  grpc::ClientContext context;
  EXPECT_EQ(health_->Check(&context, unknown, &response).error_code(), grpc::StatusCode::NOT_FOUND);
}

// A coordinator's own credit is decided by the policy in force at the write, not at the call:
// with the policy turned on and off over the wire while carol records her own credits, no credit
// to carol is ever posted outright, and each that waits for confirmation was written under a
// policy that asks for it. (When the service read the policy before submitting, an entry
// allowed under "on" could be written under "off", and posted.)
TEST_F(ServicesTest, AnOwnCreditFollowsThePolicyInForceAtItsWriteNotAtTheCall) {
  ASSERT_TRUE(Open("carol", v1::PERSON).ok());
  std::map<std::string, std::string> tokens;
  auto carol_channel =
      testing::AuthorizedChannel("127.0.0.1:" + std::to_string(server_->port()),
                                 testing::TokenOf(*ledger_, "hcct", "carol", &tokens));
  auto carol = v1::Ledger::NewStub(carol_channel);
  constexpr int kRecords = 200;
  std::atomic<bool> records_done{false};
  std::thread policies([&] {
    for (int i = 0; !records_done.load(); ++i) {
      v1::SetPolicyRequest set;
      set.set_bank_id("hcct");
      set.mutable_policy()->mutable_floors()->set_enabled(false);
      set.mutable_policy()->mutable_balance_cap()->set_enabled(false);
      set.mutable_policy()->mutable_daily_limit()->set_enabled(false);
      set.mutable_policy()->mutable_reciprocity()->set_enabled(false);
      set.mutable_policy()->mutable_confirmation()->set_enabled(false);
      set.mutable_policy()->mutable_confirmation()->set_expiry_hours(24);
      set.mutable_policy()->mutable_staff_duty()->set_self_recorded_needs_confirmation(i % 2 == 0);
      v1::Policy policy;
      grpc::ClientContext context;
      EXPECT_TRUE(policies_->SetPolicy(&context, set, &policy).ok());
    }
  });
  int accepted = 0;
  int refused = 0;
  for (int i = 0; i < kRecords; ++i) {
    v1::RecordEntryResponse response;
    grpc::ClientContext context;
    const grpc::Status status = carol->RecordEntry(
        &context, Entry("own-" + std::to_string(i), "bob", "carol", 15), &response);
    if (status.ok()) {
      EXPECT_TRUE(response.pending()) << i;
      ++accepted;
    } else {
      EXPECT_EQ(status.error_code(), grpc::StatusCode::PERMISSION_DENIED) << status.error_message();
      EXPECT_EQ(InfoOf(status).reason(), "SELF_CREDIT");
      ++refused;
    }
  }
  records_done = true;
  policies.join();

  bool self_recorded_on = ledger::Policy().self_recorded_needs_confirmation;  // before any change
  int pending = 0;
  for (uint64_t from = 0;;) {
    auto page = ledger_->ListJournal(ledger::BankId("hcct"), from, 0, 1000);
    ASSERT_TRUE(page.ok()) << page.status();
    for (const ledger::Fact& fact : page->facts) {
      if (fact.type == ledger::FactType::kPolicySet) {
        self_recorded_on = fact.policy.self_recorded_needs_confirmation;
      } else if (fact.type == ledger::FactType::kPendingCreated) {
        EXPECT_TRUE(self_recorded_on) << fact.entry.entry_id << " at " << fact.position;
        ++pending;
      } else if (fact.type == ledger::FactType::kEntry) {
        EXPECT_NE(fact.entry.to_account_id, "carol") << fact.entry.entry_id;
      }
    }
    if (page->done) break;
    from = page->next_position;
  }
  EXPECT_EQ(pending, accepted);
  EXPECT_EQ(accepted + refused, kRecords);
  // Both outcomes occurred, so the policy did change under the records.
  EXPECT_GT(accepted, 0);
  EXPECT_GT(refused, 0);
}

TEST_F(ServicesTest, ManyConcurrentAsyncCallsAllComplete) {
  // One payer pays for all 500: switch the floor and cap off for this test of the transport.
  v1::SetPolicyRequest set;
  set.set_bank_id("hcct");
  set.mutable_policy()->mutable_floors()->set_enabled(false);
  set.mutable_policy()->mutable_balance_cap()->set_enabled(false);
  set.mutable_policy()->mutable_daily_limit()->set_enabled(false);
  v1::Policy policy;
  grpc::ClientContext policy_context;
  ASSERT_TRUE(policies_->SetPolicy(&policy_context, set, &policy).ok());
  ASSERT_EQ(policy.version(), 1u);
  ASSERT_TRUE(policy.granularity().enabled());  // sections left out keep their defaults
  constexpr int kCalls = 500;
  grpc::CompletionQueue queue;
  std::vector<v1::RecordEntryResponse> responses(kCalls);
  std::vector<grpc::Status> statuses(kCalls);
  std::vector<std::unique_ptr<grpc::ClientContext>> contexts;
  for (int i = 0; i < kCalls; ++i) {
    contexts.push_back(std::make_unique<grpc::ClientContext>());
    auto call = ledger_stub_->AsyncRecordEntry(
        contexts.back().get(), Entry("c" + std::to_string(i), "bob", "alice", 15), &queue);
    call->Finish(&responses[i], &statuses[i], reinterpret_cast<void*>(static_cast<intptr_t>(i)));
  }
  std::set<uint64_t> seqs;
  for (int i = 0; i < kCalls; ++i) {
    void* tag = nullptr;
    bool ok = false;
    ASSERT_TRUE(queue.Next(&tag, &ok));
    const auto index = reinterpret_cast<intptr_t>(tag);
    ASSERT_TRUE(statuses[index].ok()) << statuses[index].error_message();
    seqs.insert(responses[index].entry().seq());
  }
  EXPECT_EQ(seqs.size(), static_cast<size_t>(kCalls));
  EXPECT_EQ(*seqs.rbegin(), static_cast<uint64_t>(kCalls));
  EXPECT_EQ(Balance("alice"), kCalls * 15);
  EXPECT_TRUE(ledger_->CheckConsistency().ok());
  queue.Shutdown();
}

}  // namespace
}  // namespace timeledger::services
