// Tokens bound to a client certificate (docs/SECURITY.md): a real in-process server over mTLS
// with certificates made at test time, tokens made over the wire, and calls through the clients'
// MakeChannel with the bound certificate, another one of the same CA, and none.
#include <chrono>
#include <memory>
#include <string>

#include <grpcpp/grpcpp.h>
#include <gtest/gtest.h>

#include "clients/common/channel.h"
#include "clients/common/error_info.h"
#include "common/pem_files.h"
#include "ledger/engine/ledger.h"
#include "services/server.h"
#include "tests/services/tls_fixture.h"
#include "tests/support/access.h"
#include "tests/support/test_certs.h"
#include "timeledger/v1/access.grpc.pb.h"
#include "timeledger/v1/accounts.grpc.pb.h"
#include "timeledger/v1/banks.grpc.pb.h"
#include "timeledger/v1/ledger.grpc.pb.h"

namespace timeledger::services {
namespace {

using clients::ChannelSecurity;

class TlsBindingTest : public TlsLedgerTest {
 protected:
  // TLS on a free loopback port; with `client_ca`, client certificates are asked for and
  // verified, but not required, so that a call without one reaches the gate.
  void StartServer(bool client_ca) {
    ServerOptions options{"127.0.0.1:0"};
    options.tls_cert_file = files_.server_cert;
    options.tls_key_file = files_.server_key;
    if (client_ca) options.tls_client_ca_file = files_.ca;
    auto started = Server::Start(ledger_.get(), options);
    ASSERT_TRUE(started.ok()) << started.status();
    server_ = *std::move(started);
    v1::CreateBankRequest bank;
    bank.set_bank_id("hcct");
    bank.set_name("Holy Cross");
    v1::Bank created;
    ASSERT_TRUE(
        Stub<v1::Banks>(Anonymous())->CreateBank(Context(admin_token_).get(), bank, &created).ok());
    v1::OpenAccountRequest cafe;
    cafe.set_bank_id("hcct");
    cafe.set_account_id("cafe");
    cafe.set_kind(v1::ORGANISATION);
    cafe.set_display_name("Holy Cross Cafe");
    v1::Account opened;
    ASSERT_TRUE(Stub<v1::Accounts>(Anonymous())
                    ->OpenAccount(Context(admin_token_).get(), cafe, &opened)
                    .ok());
  }

  ChannelSecurity Anonymous() const { return ChannelSecurity{.ca_file = files_.ca}; }
  ChannelSecurity As(const std::string& cert, const std::string& key) const {
    return ChannelSecurity{.ca_file = files_.ca, .cert_file = cert, .key_file = key};
  }
  ChannelSecurity PartnerA() const { return As(files_.client_cert, files_.client_key); }
  ChannelSecurity PartnerB() const {
    return As(files_.second_client_cert, files_.second_client_key);
  }

  template <typename Service>
  std::unique_ptr<typename Service::Stub> Stub(const ChannelSecurity& security) {
    grpc::ChannelArguments arguments;
    arguments.SetSslTargetNameOverride("localhost");
    auto channel =
        clients::MakeChannel("127.0.0.1:" + std::to_string(server_->port()), security, arguments);
    EXPECT_TRUE(channel.ok()) << channel.status();
    return Service::NewStub(*channel);
  }

  static std::unique_ptr<grpc::ClientContext> Context(const std::string& token) {
    auto context = std::make_unique<grpc::ClientContext>();
    context->set_deadline(std::chrono::system_clock::now() + std::chrono::seconds(10));
    testing::Authorize(context.get(), token);
    return context;
  }

  // The subject of a certificate file, as the CLI's --bind-cert reads it.
  static std::string SubjectOfFile(const std::string& path) {
    auto pem = common::ReadPemFile("certificate", path);
    EXPECT_TRUE(pem.ok()) << pem.status();
    auto cert = common::FirstCertificate("certificate", path, *pem);
    EXPECT_TRUE(cert.ok()) << cert.status();
    return common::SubjectOf(cert->get());
  }

  // A partner token of the cafe made over the wire by the admin, bound to `subject` ("" none).
  grpc::Status MakePartnerToken(const std::string& subject, v1::CreateTokenResponse* made) {
    v1::CreateTokenRequest request;
    request.mutable_principal()->set_name("cafe-till");
    request.mutable_principal()->set_role(v1::PRINCIPAL_ROLE_PARTNER);
    request.mutable_principal()->set_bank_id("hcct");
    request.mutable_principal()->set_account_id("cafe");
    request.set_client_certificate_subject(subject);
    return Stub<v1::Access>(Anonymous())->CreateToken(Context(admin_token_).get(), request, made);
  }

  // A partner's everyday read: the entries of its own account.
  grpc::Status ListEntries(const std::string& token, const ChannelSecurity& security) {
    v1::ListEntriesRequest request;
    request.set_bank_id("hcct");
    v1::ListEntriesResponse response;
    return Stub<v1::Ledger>(security)->ListEntries(Context(token).get(), request, &response);
  }
};

TEST_F(TlsBindingTest, ABoundTokenWorksOnlyWithACertificateOfItsSubject) {
  StartServer(/*client_ca=*/true);
  const std::string subject = SubjectOfFile(files_.client_cert);
  EXPECT_EQ(subject, "CN=partner-a");
  v1::CreateTokenResponse made;
  ASSERT_TRUE(MakePartnerToken(subject, &made).ok());
  EXPECT_EQ(made.token().client_certificate_subject(), subject);

  const grpc::Status mine = ListEntries(made.bearer(), PartnerA());
  EXPECT_TRUE(mine.ok()) << mine.error_message();

  for (const auto& [security, presented] : {std::pair{PartnerB(), std::string("CN=partner-b")},
                                            std::pair{Anonymous(), std::string()}}) {
    const grpc::Status refused = ListEntries(made.bearer(), security);
    EXPECT_EQ(refused.error_code(), grpc::StatusCode::PERMISSION_DENIED) << presented;
    auto info = clients::FindErrorInfo(refused);
    ASSERT_TRUE(info.has_value()) << refused.error_message();
    EXPECT_EQ(info->reason(), "CERTIFICATE_MISMATCH");
    EXPECT_EQ(info->metadata().at("token_id"), made.token().token_id());
    EXPECT_EQ(info->metadata().count("presented_subject") == 0
                  ? std::string()
                  : info->metadata().at("presented_subject"),
              presented);
    // The subject the token wants is not told to whoever holds a copy of it.
    EXPECT_EQ(refused.error_message().find("partner-a"), std::string::npos);
    EXPECT_EQ(refused.error_details().find("partner-a"), std::string::npos);
    EXPECT_NE(refused.error_message().find("partner"), std::string::npos);
  }

  v1::ListTokensRequest list;
  list.set_bank_id("hcct");
  v1::ListTokensResponse listed;
  ASSERT_TRUE(
      Stub<v1::Access>(PartnerA())->ListTokens(Context(admin_token_).get(), list, &listed).ok());
  ASSERT_EQ(listed.tokens_size(), 1);
  EXPECT_EQ(listed.tokens(0).client_certificate_subject(), "CN=partner-a");
}

// Binding is for new tokens: an unbound partner token keeps working under mTLS, with any
// verified certificate and with none, so that turning client certificates on breaks no partner.
TEST_F(TlsBindingTest, AnUnboundTokenStillWorksWithAnyCertificateOrNone) {
  StartServer(/*client_ca=*/true);
  v1::CreateTokenResponse made;
  ASSERT_TRUE(MakePartnerToken("", &made).ok());
  EXPECT_EQ(made.token().client_certificate_subject(), "");
  for (const ChannelSecurity& security : {PartnerA(), PartnerB(), Anonymous()}) {
    const grpc::Status status = ListEntries(made.bearer(), security);
    EXPECT_TRUE(status.ok()) << status.error_message();
  }
}

// A server that asks for no client certificate never sees one: a bound token works nowhere there.
TEST_F(TlsBindingTest, ABoundTokenIsRefusedByAServerThatAsksForNoCertificate) {
  StartServer(/*client_ca=*/false);
  v1::CreateTokenResponse made;
  ASSERT_TRUE(MakePartnerToken("CN=partner-a", &made).ok());
  const grpc::Status status = ListEntries(made.bearer(), PartnerA());
  EXPECT_EQ(status.error_code(), grpc::StatusCode::PERMISSION_DENIED);
  auto info = clients::FindErrorInfo(status);
  ASSERT_TRUE(info.has_value());
  EXPECT_EQ(info->reason(), "CERTIFICATE_MISMATCH");
}

TEST_F(TlsBindingTest, CreateTokenRefusesASubjectThatIsNoSubject) {
  StartServer(/*client_ca=*/true);
  for (const std::string& subject :
       {std::string("CN=partner\na"), std::string(ledger::kClientSubjectBytesMax + 1, 'a')}) {
    v1::CreateTokenResponse made;
    const grpc::Status status = MakePartnerToken(subject, &made);
    EXPECT_EQ(status.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
    auto info = clients::FindErrorInfo(status);
    ASSERT_TRUE(info.has_value());
    EXPECT_EQ(info->reason(), "INVALID_TEXT");
    EXPECT_EQ(info->metadata().at("field"), "client_certificate_subject");
  }
}

}  // namespace
}  // namespace timeledger::services
