// Transport security: a real in-process Server over TLS and mTLS with certificates made at test
// time, real gRPC calls through the clients' MakeChannel, the plaintext rule, and the messages
// for wrong files on both sides.
#include "services/tls.h"

#include <chrono>
#include <memory>
#include <string>

#include <grpcpp/grpcpp.h>
#include <gtest/gtest.h>

#include "clients/common/channel.h"
#include "ledger/engine/ledger.h"
#include "services/server.h"
#include "tests/services/tls_fixture.h"
#include "tests/support/access.h"
#include "tests/support/test_certs.h"
#include "timeledger/v1/banks.grpc.pb.h"

namespace timeledger::services {
namespace {

using clients::ChannelSecurity;
using timeledger::testing::TestCertFiles;

class TlsTest : public TlsLedgerTest {
 protected:
  // TLS on a free loopback port with the test CA's server certificate.
  ServerOptions TlsOptions() const {
    ServerOptions options{"127.0.0.1:0"};
    options.tls_cert_file = files_.server_cert;
    options.tls_key_file = files_.server_key;
    return options;
  }

  void StartServer(const ServerOptions& options) {
    auto started = Server::Start(ledger_.get(), options);
    ASSERT_TRUE(started.ok()) << started.status();
    server_ = *std::move(started);
  }

  // One real call, Banks.ListBanks, to the server through a channel made as the clients make it.
  // `server_name`, if not empty, is the name the client checks the certificate against (as if it
  // had connected by that name), so that no name needs resolving on the test machine.
  grpc::Status ListBanks(const ChannelSecurity& security, const std::string& server_name = "") {
    grpc::ChannelArguments arguments;
    if (!server_name.empty()) arguments.SetSslTargetNameOverride(server_name);
    auto channel =
        clients::MakeChannel("127.0.0.1:" + std::to_string(server_->port()), security, arguments);
    if (!channel.ok()) {
      ADD_FAILURE() << channel.status();
      return grpc::Status(grpc::StatusCode::INTERNAL, "no channel");
    }
    grpc::ClientContext context;
    context.set_deadline(std::chrono::system_clock::now() + std::chrono::seconds(10));
    testing::Authorize(&context, admin_token_);
    v1::ListBanksRequest request;
    v1::ListBanksResponse response;
    return v1::Banks::NewStub(*channel)->ListBanks(&context, request, &response);
  }

  ChannelSecurity TrustingCa() const { return ChannelSecurity{.ca_file = files_.ca}; }

  ChannelSecurity WithClientCert() const {
    return ChannelSecurity{
        .ca_file = files_.ca, .cert_file = files_.client_cert, .key_file = files_.client_key};
  }

  ChannelSecurity WithOtherCaClientCert() const {
    return ChannelSecurity{.ca_file = files_.ca,
                           .cert_file = files_.other_client_cert,
                           .key_file = files_.other_client_key};
  }
};

TEST_F(TlsTest, ClientTrustingTheCaConnects) {
  StartServer(TlsOptions());
  const grpc::Status status = ListBanks(TrustingCa());
  EXPECT_TRUE(status.ok()) << status.error_message();
}

TEST_F(TlsTest, ClientConnectsByTheServerNameInTheCertificate) {
  StartServer(TlsOptions());
  const grpc::Status status = ListBanks(TrustingCa(), "localhost");
  EXPECT_TRUE(status.ok()) << status.error_message();
}

TEST_F(TlsTest, ClientRefusesACertificateForAnotherName) {
  StartServer(TlsOptions());
  const grpc::Status status = ListBanks(TrustingCa(), "ledger.example.org");
  EXPECT_EQ(status.error_code(), grpc::StatusCode::UNAVAILABLE) << status.error_message();
}

TEST_F(TlsTest, ClientTrustingAnotherCaIsRefused) {
  StartServer(TlsOptions());
  const grpc::Status status = ListBanks(ChannelSecurity{.ca_file = files_.other_ca});
  EXPECT_EQ(status.error_code(), grpc::StatusCode::UNAVAILABLE) << status.error_message();
}

TEST_F(TlsTest, ClientTrustingOnlySystemRootsIsRefused) {
  StartServer(TlsOptions());
  const grpc::Status status = ListBanks(ChannelSecurity{.tls = true});
  EXPECT_EQ(status.error_code(), grpc::StatusCode::UNAVAILABLE) << status.error_message();
}

TEST_F(TlsTest, PlaintextClientIsRefusedByTlsPort) {
  StartServer(TlsOptions());
  const grpc::Status status = ListBanks(ChannelSecurity{});
  EXPECT_EQ(status.error_code(), grpc::StatusCode::UNAVAILABLE) << status.error_message();
}

TEST_F(TlsTest, RequiredClientCertificateRefusesClientWithoutOne) {
  ServerOptions options = TlsOptions();
  options.tls_client_ca_file = files_.ca;
  options.tls_require_client_cert = true;
  StartServer(options);
  const grpc::Status status = ListBanks(TrustingCa());
  EXPECT_EQ(status.error_code(), grpc::StatusCode::UNAVAILABLE) << status.error_message();
}

TEST_F(TlsTest, RequiredClientCertificateAcceptsOneFromTheClientCa) {
  ServerOptions options = TlsOptions();
  options.tls_client_ca_file = files_.ca;
  options.tls_require_client_cert = true;
  StartServer(options);
  const grpc::Status status = ListBanks(WithClientCert());
  EXPECT_TRUE(status.ok()) << status.error_message();
}

TEST_F(TlsTest, RequiredClientCertificateRefusesOneFromAnotherCa) {
  ServerOptions options = TlsOptions();
  options.tls_client_ca_file = files_.ca;
  options.tls_require_client_cert = true;
  StartServer(options);
  const grpc::Status status = ListBanks(WithOtherCaClientCert());
  EXPECT_EQ(status.error_code(), grpc::StatusCode::UNAVAILABLE) << status.error_message();
}

TEST_F(TlsTest, OptionalClientCertificateAcceptsClientWithoutOne) {
  ServerOptions options = TlsOptions();
  options.tls_client_ca_file = files_.ca;
  StartServer(options);
  const grpc::Status status = ListBanks(TrustingCa());
  EXPECT_TRUE(status.ok()) << status.error_message();
}

TEST_F(TlsTest, OptionalClientCertificateAcceptsOneFromTheClientCa) {
  ServerOptions options = TlsOptions();
  options.tls_client_ca_file = files_.ca;
  StartServer(options);
  const grpc::Status status = ListBanks(WithClientCert());
  EXPECT_TRUE(status.ok()) << status.error_message();
}

TEST_F(TlsTest, OptionalClientCertificateStillRefusesOneFromAnotherCa) {
  ServerOptions options = TlsOptions();
  options.tls_client_ca_file = files_.ca;
  StartServer(options);
  const grpc::Status status = ListBanks(WithOtherCaClientCert());
  EXPECT_EQ(status.error_code(), grpc::StatusCode::UNAVAILABLE) << status.error_message();
}

TEST_F(TlsTest, StartRefusesPlaintextOnWildcardAddress) {
  auto started = Server::Start(ledger_.get(), ServerOptions{"0.0.0.0:0"});
  ASSERT_FALSE(started.ok());
  EXPECT_EQ(started.status().code(), absl::StatusCode::kFailedPrecondition);
  EXPECT_NE(started.status().message().find("0.0.0.0:0"), std::string::npos);
  EXPECT_NE(started.status().message().find("--insecure-plaintext"), std::string::npos);
  EXPECT_NE(started.status().message().find("--tls-cert"), std::string::npos);
}

TEST_F(TlsTest, StartServesPlaintextOnWildcardAddressWhenAllowed) {
  ServerOptions options{"0.0.0.0:0"};
  options.allow_insecure_plaintext = true;
  StartServer(options);
  const grpc::Status status = ListBanks(ChannelSecurity{});
  EXPECT_TRUE(status.ok()) << status.error_message();
}

TEST_F(TlsTest, StartServesTlsOnWildcardAddress) {
  ServerOptions options = TlsOptions();
  options.listen_address = "0.0.0.0:0";
  StartServer(options);
  const grpc::Status status = ListBanks(TrustingCa());
  EXPECT_TRUE(status.ok()) << status.error_message();
}

TEST_F(TlsTest, PlaintextOnLoopbackNeedsNoFlag) {
  StartServer(ServerOptions{"127.0.0.1:0"});
  const grpc::Status status = ListBanks(ChannelSecurity{});
  EXPECT_TRUE(status.ok()) << status.error_message();
}

// The message of MakeServerCredentials's error for `options`, checked to have `code`.
std::string ServerError(const ServerOptions& options, absl::StatusCode code) {
  auto credentials = MakeServerCredentials(options);
  EXPECT_FALSE(credentials.ok());
  if (credentials.ok()) return "";
  EXPECT_EQ(credentials.status().code(), code) << credentials.status();
  return std::string(credentials.status().message());
}

TEST_F(TlsTest, MissingCertificateFileIsNamed) {
  ServerOptions options = TlsOptions();
  options.tls_cert_file = dir_.path() + "/absent.pem";
  const std::string message = ServerError(options, absl::StatusCode::kFailedPrecondition);
  EXPECT_NE(message.find(options.tls_cert_file), std::string::npos) << message;
  EXPECT_NE(message.find("No such file"), std::string::npos) << message;
}

TEST_F(TlsTest, KeyNotMatchingTheCertificateIsRefused) {
  ServerOptions options = TlsOptions();
  options.tls_key_file = files_.client_key;
  const std::string message = ServerError(options, absl::StatusCode::kFailedPrecondition);
  EXPECT_NE(message.find("does not match"), std::string::npos) << message;
  EXPECT_NE(message.find(files_.client_key), std::string::npos) << message;
  EXPECT_NE(message.find(files_.server_cert), std::string::npos) << message;
}

TEST_F(TlsTest, CertificateWithoutKeyIsRefused) {
  ServerOptions options = TlsOptions();
  options.tls_key_file = "";
  const std::string message = ServerError(options, absl::StatusCode::kInvalidArgument);
  EXPECT_NE(message.find("--tls-key"), std::string::npos) << message;
}

TEST_F(TlsTest, KeyWithoutCertificateIsRefused) {
  ServerOptions options = TlsOptions();
  options.tls_cert_file = "";
  const std::string message = ServerError(options, absl::StatusCode::kInvalidArgument);
  EXPECT_NE(message.find("--tls-cert"), std::string::npos) << message;
}

TEST_F(TlsTest, FileWithoutCertificateIsRefused) {
  ServerOptions options = TlsOptions();
  options.tls_cert_file = files_.server_key;  // a key where the certificate belongs
  const std::string message = ServerError(options, absl::StatusCode::kFailedPrecondition);
  EXPECT_NE(message.find("holds no PEM certificate"), std::string::npos) << message;
}

TEST_F(TlsTest, FileWithoutKeyIsRefused) {
  ServerOptions options = TlsOptions();
  options.tls_key_file = files_.server_cert;  // a certificate where the key belongs
  const std::string message = ServerError(options, absl::StatusCode::kFailedPrecondition);
  EXPECT_NE(message.find("holds no unencrypted PEM private key"), std::string::npos) << message;
}

TEST_F(TlsTest, ExpiredCertificateIsRefused) {
  timeledger::testing::TestCa ca("Old CA");
  const timeledger::testing::TestIdentity old =
      ca.Issue("old", timeledger::testing::CertUse::kServer, "DNS:localhost", -7200, -3600);
  ServerOptions options{"127.0.0.1:0"};
  options.tls_cert_file = dir_.path() + "/old.pem";
  options.tls_key_file = dir_.path() + "/old.key";
  timeledger::testing::WriteTextFile(options.tls_cert_file, old.cert_pem);
  timeledger::testing::WriteTextFile(options.tls_key_file, old.key_pem);
  const std::string message = ServerError(options, absl::StatusCode::kFailedPrecondition);
  EXPECT_NE(message.find("expired"), std::string::npos) << message;
}

TEST_F(TlsTest, RequiringClientCertificatesNeedsTheirCa) {
  ServerOptions options = TlsOptions();
  options.tls_require_client_cert = true;
  const std::string message = ServerError(options, absl::StatusCode::kInvalidArgument);
  EXPECT_NE(message.find("--tls-client-ca"), std::string::npos) << message;
}

TEST_F(TlsTest, ClientCaWithoutTlsIsRefused) {
  ServerOptions options{"127.0.0.1:0"};
  options.tls_client_ca_file = files_.ca;
  ServerError(options, absl::StatusCode::kInvalidArgument);
}

TEST_F(TlsTest, MissingClientCaFileIsNamed) {
  ServerOptions options = TlsOptions();
  options.tls_client_ca_file = dir_.path() + "/absent-ca.pem";
  const std::string message = ServerError(options, absl::StatusCode::kFailedPrecondition);
  EXPECT_NE(message.find(options.tls_client_ca_file), std::string::npos) << message;
}

TEST_F(TlsTest, StartReportsBadFilesWithoutListening) {
  ServerOptions options = TlsOptions();
  options.tls_key_file = files_.client_key;
  auto started = Server::Start(ledger_.get(), options);
  ASSERT_FALSE(started.ok());
  EXPECT_NE(started.status().message().find("does not match"), std::string::npos);
}

// The message of MakeChannel's error for `security`, checked to have `code`.
std::string ClientError(const ChannelSecurity& security, absl::StatusCode code) {
  auto channel = clients::MakeChannel("127.0.0.1:1", security);
  EXPECT_FALSE(channel.ok());
  if (channel.ok()) return "";
  EXPECT_EQ(channel.status().code(), code) << channel.status();
  return std::string(channel.status().message());
}

TEST_F(TlsTest, ClientMissingCaFileIsNamed) {
  const std::string absent = dir_.path() + "/absent-ca.pem";
  const std::string message =
      ClientError(ChannelSecurity{.ca_file = absent}, absl::StatusCode::kFailedPrecondition);
  EXPECT_NE(message.find(absent), std::string::npos) << message;
  EXPECT_NE(message.find("No such file"), std::string::npos) << message;
}

TEST_F(TlsTest, ClientKeyNotMatchingItsCertificateIsRefused) {
  ChannelSecurity security = WithClientCert();
  security.key_file = files_.other_client_key;
  const std::string message = ClientError(security, absl::StatusCode::kFailedPrecondition);
  EXPECT_NE(message.find("does not match"), std::string::npos) << message;
}

TEST_F(TlsTest, ClientCertificateWithoutKeyIsRefused) {
  ChannelSecurity security = WithClientCert();
  security.key_file = "";
  const std::string message = ClientError(security, absl::StatusCode::kInvalidArgument);
  EXPECT_NE(message.find("--tls-key"), std::string::npos) << message;
}

TEST_F(TlsTest, ClientCaFileWithoutCertificateIsRefused) {
  const std::string message = ClientError(ChannelSecurity{.ca_file = files_.client_key},
                                          absl::StatusCode::kFailedPrecondition);
  EXPECT_NE(message.find("holds no PEM certificate"), std::string::npos) << message;
}

TEST(LoopbackTest, LoopbackAddressesAreLoopback) {
  for (const char* address :
       {"127.0.0.1:50051", "127.0.0.1:0", "127.1.2.3:80", "[::1]:50051", "localhost:50051",
        "LOCALHOST:1", "[::ffff:127.0.0.1]:50051", "unix:/run/timeledger.sock"}) {
    EXPECT_TRUE(IsLoopbackAddress(address)) << address;
  }
}

TEST(LoopbackTest, WildcardAndOtherAddressesAreNotLoopback) {
  for (const char* address :
       {"0.0.0.0:50051", "[::]:50051", ":50051", "10.0.0.5:50051", "192.168.1.10:50051",
        "[2001:db8::1]:50051", "example.org:50051", "localhost.example.org:50051",
        "128.0.0.1:50051", "[::1:50051", "", "127.0.0.1.nip.io:50051"}) {
    EXPECT_FALSE(IsLoopbackAddress(address)) << address;
  }
}

TEST(TransportTest, DescribesTheTransport) {
  ServerOptions options{"127.0.0.1:0"};
  EXPECT_EQ(DescribeTransport(options), "plaintext");
  options.listen_address = "0.0.0.0:0";
  EXPECT_EQ(DescribeTransport(options), "INSECURE plaintext");
  EXPECT_TRUE(IsInsecurePlaintext(options));
  options.tls_cert_file = "cert.pem";
  EXPECT_EQ(DescribeTransport(options), "TLS");
  EXPECT_FALSE(IsInsecurePlaintext(options));
  options.tls_client_ca_file = "ca.pem";
  EXPECT_EQ(DescribeTransport(options), "TLS, client certificates verified when presented");
  options.tls_require_client_cert = true;
  EXPECT_EQ(DescribeTransport(options), "TLS, client certificates required (mTLS)");
}

}  // namespace
}  // namespace timeledger::services
