// Catalogue and Qualifications over a real server on a loopback port: the food-hygiene scenario
// end to end over gRPC, and how refusals and malformed requests come back.
#include <map>
#include <string>

#include "google/rpc/error_details.pb.h"
#include "google/rpc/status.pb.h"
#include <grpcpp/grpcpp.h>
#include <gtest/gtest.h>

#include "ledger/engine/ledger.h"
#include "services/server.h"
#include "tests/support/access.h"
#include "tests/support/server_fixture.h"
#include "timeledger/v1/accounts.grpc.pb.h"
#include "timeledger/v1/banks.grpc.pb.h"
#include "timeledger/v1/catalogue.grpc.pb.h"
#include "timeledger/v1/ledger.grpc.pb.h"

namespace timeledger::services {
namespace {

class CatalogueServiceTest : public testing::ServerTest {
 protected:
  void SetUp() override {
    ASSERT_NO_FATAL_FAILURE(StartServer());
    const auto& channel = admin_channel_;
    banks_ = v1::Banks::NewStub(channel);
    accounts_ = v1::Accounts::NewStub(channel);
    ledger_stub_ = v1::Ledger::NewStub(channel);
    catalogue_ = v1::Catalogue::NewStub(channel);
    qualifications_ = v1::Qualifications::NewStub(channel);

    ASSERT_TRUE(CreateBank("hcct", "Holy Cross Centre").ok());
    ASSERT_TRUE(Open("alice", v1::PERSON, {v1::MEMBER}).ok());
    ASSERT_TRUE(Open("sam", v1::PERSON, {v1::STAFF}).ok());
    ASSERT_TRUE(Open("centre", v1::ORGANISATION, {}).ok());
  }

  grpc::Status Open(const std::string& id, v1::AccountKind kind, std::vector<v1::Role> roles) {
    return OpenAccount("hcct", id, kind, roles);
  }

  // A context that says who is calling.
  std::unique_ptr<grpc::ClientContext> As(const std::string& principal) {
    auto context = std::make_unique<grpc::ClientContext>();
    testing::Authorize(context.get(), testing::TokenOf(*ledger_, "hcct", principal, &tokens_));
    return context;
  }

  grpc::Status Put(const v1::CatalogueItem& item) {
    v1::PutCatalogueItemRequest request;
    *request.mutable_item() = item;
    v1::CatalogueItem response;
    return catalogue_->PutCatalogueItem(As("sam").get(), request, &response);
  }

  void DefineCatalogue() {
    v1::CatalogueItem qualification;
    qualification.set_bank_id("hcct");
    qualification.set_code("food-hygiene-2");
    qualification.set_title("Food hygiene, level 2");
    auto* q = qualification.mutable_qualification();
    q->set_reward_account_id("centre");
    q->set_reward_minutes(120);
    q->set_validity_days(1095);
    ASSERT_TRUE(Put(qualification).ok());
    v1::CatalogueItem activity;
    activity.set_bank_id("hcct");
    activity.set_code("cook-lunch");
    activity.set_title("Cooking the day-centre lunch");
    activity.mutable_activity()->add_required_qualifications("food-hygiene-2");
    ASSERT_TRUE(Put(activity).ok());
    v1::CatalogueItem offer;
    offer.set_bank_id("hcct");
    offer.set_code("hygiene-course");
    offer.set_title("Food hygiene course");
    offer.mutable_offer()->set_price_minutes(180);
    offer.mutable_offer()->set_organisation_account_id("centre");
    offer.mutable_offer()->set_leads_to_qualification("food-hygiene-2");
    ASSERT_TRUE(Put(offer).ok());
  }

  grpc::Status Cook(const std::string& entry_id, v1::RecordEntryResponse* response) {
    v1::RecordEntryRequest request;
    request.set_bank_id("hcct");
    request.set_entry_id(entry_id);
    request.set_kind(v1::AWARD);
    request.set_from_account_id("centre");
    request.set_to_account_id("alice");
    request.set_minutes(120);
    request.set_activity("cook-lunch");
    grpc::ClientContext context;
    return ledger_stub_->RecordEntry(&context, request, response);
  }

  static v1::AwardQualificationRequest AwardRequest(const std::string& award_id) {
    v1::AwardQualificationRequest request;
    request.set_bank_id("hcct");
    request.set_award_id(award_id);
    request.set_account_id("alice");
    request.set_qualification_code("food-hygiene-2");
    request.set_evidence("certificate 123");
    request.set_verified_by("Sam");
    return request;
  }

  static google::rpc::ErrorInfo InfoOf(const grpc::Status& status) {
    google::rpc::Status details;
    google::rpc::ErrorInfo info;
    EXPECT_TRUE(details.ParseFromString(status.error_details()));
    if (details.details_size() == 1) {
      EXPECT_TRUE(details.details(0).UnpackTo(&info));
    }
    return info;
  }

  std::map<std::string, std::string> tokens_;  // principal -> bearer token
  std::unique_ptr<v1::Banks::Stub> banks_;
  std::unique_ptr<v1::Accounts::Stub> accounts_;
  std::unique_ptr<v1::Ledger::Stub> ledger_stub_;
  std::unique_ptr<v1::Catalogue::Stub> catalogue_;
  std::unique_ptr<v1::Qualifications::Stub> qualifications_;
};

TEST_F(CatalogueServiceTest, FoodHygieneScenarioOverGrpc) {
  DefineCatalogue();
  v1::RecordEntryResponse cooked;
  grpc::Status refused = Cook("lunch-1", &cooked);
  EXPECT_EQ(refused.error_code(), grpc::StatusCode::FAILED_PRECONDITION);
  EXPECT_EQ(InfoOf(refused).reason(), "QUALIFICATION_REQUIRED");
  EXPECT_EQ(InfoOf(refused).metadata().at("missing"), "food-hygiene-2");

  v1::RedeemOfferRequest redeem;
  redeem.set_bank_id("hcct");
  redeem.set_redemption_id("course-alice");
  redeem.set_account_id("alice");
  redeem.set_offer_code("hygiene-course");
  v1::RedeemOfferResponse bought;
  grpc::Status status = qualifications_->RedeemOffer(As("alice").get(), redeem, &bought);
  ASSERT_TRUE(status.ok()) << status.error_message();
  EXPECT_EQ(bought.receipt().entry().kind(), v1::SPEND);
  EXPECT_EQ(bought.receipt().from_balance_minutes(), -180);
  EXPECT_EQ(bought.qualification_in_progress(), "food-hygiene-2");

  v1::ListQualificationsRequest list;
  list.set_bank_id("hcct");
  list.set_account_id("alice");
  v1::ListQualificationsResponse held;
  grpc::ClientContext list_context;
  ASSERT_TRUE(qualifications_->ListQualifications(&list_context, list, &held).ok());
  ASSERT_EQ(held.qualifications_size(), 1);
  EXPECT_EQ(held.qualifications(0).status(), v1::QUALIFICATION_IN_PROGRESS);

  v1::AwardQualificationResponse awarded;
  status = qualifications_->AwardQualification(As("sam").get(), AwardRequest("cert-1"), &awarded);
  ASSERT_TRUE(status.ok()) << status.error_message();
  EXPECT_EQ(awarded.award().outcome(), v1::ATTAINED);
  EXPECT_EQ(awarded.reward_entry().kind(), v1::QUALIFICATION_REWARD);
  EXPECT_EQ(awarded.reward_entry().entry_id(), "award-cert-1");
  EXPECT_EQ(awarded.balance_minutes(), -60);
  EXPECT_TRUE(awarded.award().has_expires_at());

  EXPECT_TRUE(Cook("lunch-1", &cooked).ok());
  EXPECT_EQ(cooked.to_balance_minutes(), 60);

  v1::ListHoldersRequest holders_request;
  holders_request.set_bank_id("hcct");
  holders_request.set_qualification_code("food-hygiene-2");
  v1::ListHoldersResponse holders;
  grpc::ClientContext holders_context;
  ASSERT_TRUE(qualifications_->ListHolders(&holders_context, holders_request, &holders).ok());
  ASSERT_EQ(holders.holders_size(), 1);
  EXPECT_EQ(holders.holders(0).status(), v1::QUALIFICATION_VALID);
  EXPECT_TRUE(ledger_->CheckConsistency().ok());
}

TEST_F(CatalogueServiceTest, AwardsAreStaffOnlyAndNeverForOneself) {
  DefineCatalogue();
  v1::AwardQualificationResponse awarded;
  grpc::Status status =
      qualifications_->AwardQualification(As("alice").get(), AwardRequest("cert-1"), &awarded);
  EXPECT_EQ(status.error_code(), grpc::StatusCode::PERMISSION_DENIED);
  EXPECT_EQ(InfoOf(status).reason(), "STAFF_ONLY");
  v1::AwardQualificationRequest self = AwardRequest("cert-2");
  self.set_account_id("sam");
  status = qualifications_->AwardQualification(As("sam").get(), self, &awarded);
  EXPECT_EQ(InfoOf(status).reason(), "SELF_AWARD");
}

TEST_F(CatalogueServiceTest, MalformedRequestsNameTheProblem) {
  v1::CatalogueItem no_details;
  no_details.set_bank_id("hcct");
  no_details.set_code("x");
  no_details.set_title("X");
  grpc::Status status = Put(no_details);
  EXPECT_EQ(status.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  EXPECT_EQ(InfoOf(status).reason(), "MISSING_DETAILS");

  v1::ListCatalogueRequest list;
  list.set_bank_id("hcct");
  v1::ListCatalogueResponse items;
  grpc::ClientContext context;
  status = catalogue_->ListCatalogue(&context, list, &items);
  EXPECT_EQ(InfoOf(status).reason(), "INVALID_ENUM");

  list.set_kind(v1::QUALIFICATION);
  list.set_page_size(1001);
  grpc::ClientContext paged;
  status = catalogue_->ListCatalogue(&paged, list, &items);
  EXPECT_EQ(InfoOf(status).reason(), "INVALID_PAGE_SIZE");

  v1::GetCatalogueItemRequest get;
  get.set_bank_id("hcct");
  get.set_kind(v1::OFFER);
  get.set_code("lunch");
  v1::CatalogueItem item;
  grpc::ClientContext get_context;
  status = catalogue_->GetCatalogueItem(&get_context, get, &item);
  EXPECT_EQ(status.error_code(), grpc::StatusCode::NOT_FOUND);
  EXPECT_EQ(InfoOf(status).reason(), "OFFER_NOT_FOUND");
}

TEST_F(CatalogueServiceTest, CatalogueListsPageAndRetiredItemsStay) {
  DefineCatalogue();
  v1::RetireCatalogueItemRequest retire;
  retire.set_bank_id("hcct");
  retire.set_kind(v1::OFFER);
  retire.set_code("hygiene-course");
  v1::CatalogueItem retired;
  ASSERT_TRUE(catalogue_->RetireCatalogueItem(As("sam").get(), retire, &retired).ok());
  EXPECT_TRUE(retired.retired());
  EXPECT_EQ(retired.version(), 2u);
  EXPECT_EQ(retired.changed_by(), "sam");
  v1::ListCatalogueRequest list;
  list.set_bank_id("hcct");
  list.set_kind(v1::OFFER);
  list.set_include_retired(true);
  v1::ListCatalogueResponse items;
  grpc::ClientContext context;
  ASSERT_TRUE(catalogue_->ListCatalogue(&context, list, &items).ok());
  ASSERT_EQ(items.items_size(), 1);
  EXPECT_TRUE(items.items(0).has_offer());
}

}  // namespace
}  // namespace timeledger::services
