// What a coordinator may do, over a real server: not credit themselves, by an entry, a reversal,
// a confirmation or a second identity; tokens made, listed and revoked within their scope; nothing
// learnt of other banks; catalogue edits only in their own bank.
#include "tests/services/access_service_fixture.h"

namespace timeledger::services {
namespace {

using ledger::PrincipalRole;

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

}  // namespace
}  // namespace timeledger::services
