// Who may do what, over a real server on a loopback port: every call of every service made by
// each role that may not make it is refused and leaves no trace; the checks beyond the role
// (a partner's own account, a coordinator's own credit, scopes); tokens made, listed and revoked;
// the rate limit; and the permission table against the services and the docs.
#include "tests/services/access_service_fixture.h"

namespace timeledger::services {
namespace {

using ledger::PrincipalRole;

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

// A partner's program, not the CLI, is told what to send: the metadata and its form, first in
// words and then as figures; the CLI's sources of a token come second.
TEST_F(AccessTest, UnauthenticatedSaysWhatACallerOfTheApiMustSend) {
  std::string forged = partner_;
  forged.back() = forged.back() == '0' ? '1' : '0';
  for (const std::string& token : {std::string(), std::string("not-a-token"), forged}) {
    const grpc::Status status = CallGeneric("Ledger/ListEntries", token);
    ASSERT_EQ(status.error_code(), grpc::StatusCode::UNAUTHENTICATED) << token;
    auto info = clients::FindErrorInfo(status);
    ASSERT_TRUE(info.has_value()) << token;
    EXPECT_EQ(info->reason(), "UNAUTHENTICATED");
    EXPECT_EQ(info->metadata().at("metadata"), "authorization") << token;
    EXPECT_EQ(info->metadata().at("expected"), "Bearer tl_<token_id>_<secret>") << token;
  }
  const grpc::Status none = CallGeneric("Ledger/ListEntries", "");
  const std::string& message = none.error_message();
  const size_t header = message.find("\"authorization: Bearer <token>\"");
  const size_t cli = message.find("./var/admin.token");
  ASSERT_NE(header, std::string::npos) << message;
  ASSERT_NE(cli, std::string::npos) << message;
  EXPECT_LT(header, cli) << message;
  EXPECT_NE(message.find("CreateToken"), std::string::npos) << message;
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
