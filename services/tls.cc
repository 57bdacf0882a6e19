#include "services/tls.h"

#include <memory>
#include <optional>
#include <string>
#include <utility>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/strip.h"
#include <arpa/inet.h>
#include <grpcpp/security/server_credentials.h>
#include <netinet/in.h>

#include "common/pem_files.h"
#include "ledger/core/errors.h"
#include "services/server.h"

namespace timeledger::services {
namespace {

// What each file is called in messages.
constexpr char kCertWhat[] = "TLS certificate file";
constexpr char kKeyWhat[] = "TLS key file";
constexpr char kClientCaWhat[] = "client CA file";

// `status` from common/pem_files.h with the reason a caller of timeledgerd can branch on.
absl::Status WithReason(const absl::Status& status) {
  const std::optional<common::PemProblem> problem = common::PemProblemOf(status);
  if (!problem.has_value()) return status;
  ledger::Reason reason = ledger::Reason::kTlsFileUnreadable;
  switch (*problem) {
    case common::PemProblem::kUnreadable:
      reason = ledger::Reason::kTlsFileUnreadable;
      break;
    case common::PemProblem::kTooLarge:
      reason = ledger::Reason::kTlsFileTooLarge;
      break;
    case common::PemProblem::kNoCertificate:
      reason = ledger::Reason::kTlsNoCertificate;
      break;
    case common::PemProblem::kNoKey:
      reason = ledger::Reason::kTlsNoKey;
      break;
    case common::PemProblem::kKeyMismatch:
      reason = ledger::Reason::kTlsKeyMismatch;
      break;
    case common::PemProblem::kExpired:
      reason = ledger::Reason::kTlsCertificateExpired;
      break;
    case common::PemProblem::kNotYetValid:
      reason = ledger::Reason::kTlsCertificateNotYetValid;
      break;
  }
  return ledger::Refuse(reason, status.message());
}

// The options without a certificate: a key or client CA alone is a mistake, and plaintext is
// served only on loopback unless explicitly allowed.
absl::StatusOr<std::shared_ptr<grpc::ServerCredentials>> PlaintextCredentials(
    const ServerOptions& options) {
  if (!options.tls_key_file.empty()) {
    return ledger::Refuse(ledger::Reason::kTlsCertificateMissing,
                          absl::StrCat("the ", kKeyWhat, " ", options.tls_key_file,
                                       " needs its certificate: give --tls-cert too"));
  }
  if (!options.tls_client_ca_file.empty() || options.tls_require_client_cert) {
    return ledger::Refuse(ledger::Reason::kTlsCertificateMissing,
                          "client certificates need TLS: give --tls-cert and --tls-key as well");
  }
  if (IsInsecurePlaintext(options) && !options.allow_insecure_plaintext) {
    return ledger::Refuse(
        ledger::Reason::kPlaintextNotLoopback,
        absl::StrCat("refusing to serve plaintext on ", options.listen_address,
                     ", which other machines can reach: give --tls-cert and --tls-key to serve "
                     "TLS, listen on 127.0.0.1, or give --insecure-plaintext if the network is "
                     "trusted (e.g. behind a proxy that terminates TLS)"));
  }
  return grpc::InsecureServerCredentials();
}

// The CAs that sign the clients' certificates, checked to hold at least one certificate.
absl::StatusOr<std::string> ClientCaPem(const ServerOptions& options) {
  if (options.tls_client_ca_file.empty()) {
    if (options.tls_require_client_cert) {
      return ledger::Refuse(
          ledger::Reason::kTlsClientCaMissing,
          "requiring client certificates needs the CAs that sign them: give --tls-client-ca");
    }
    return std::string();
  }
  auto pem = common::ReadPemFile(kClientCaWhat, options.tls_client_ca_file);
  if (!pem.ok()) return WithReason(pem.status());
  auto cert = common::FirstCertificate(kClientCaWhat, options.tls_client_ca_file, *pem);
  if (!cert.ok()) return WithReason(cert.status());
  return pem;
}

}  // namespace

absl::StatusOr<std::shared_ptr<grpc::ServerCredentials>> MakeServerCredentials(
    const ServerOptions& options) {
  if (options.tls_cert_file.empty()) return PlaintextCredentials(options);
  if (options.tls_key_file.empty()) {
    return ledger::Refuse(ledger::Reason::kTlsKeyMissing,
                          absl::StrCat("the ", kCertWhat, " ", options.tls_cert_file,
                                       " needs its private key: give --tls-key too"));
  }
  auto pair =
      common::LoadKeyPair({kCertWhat, options.tls_cert_file, kKeyWhat, options.tls_key_file});
  if (!pair.ok()) return WithReason(pair.status());
  if (auto valid = common::CheckValidNow(options.tls_cert_file, pair->cert.get(), "clients");
      !valid.ok()) {
    return WithReason(valid);
  }
  auto client_ca_pem = ClientCaPem(options);
  if (!client_ca_pem.ok()) return client_ca_pem.status();

  grpc_ssl_client_certificate_request_type request = GRPC_SSL_DONT_REQUEST_CLIENT_CERTIFICATE;
  if (!client_ca_pem->empty()) {
    request = options.tls_require_client_cert
                  ? GRPC_SSL_REQUEST_AND_REQUIRE_CLIENT_CERTIFICATE_AND_VERIFY
                  : GRPC_SSL_REQUEST_CLIENT_CERTIFICATE_AND_VERIFY;
  }
  grpc::SslServerCredentialsOptions ssl(request);
  ssl.pem_root_certs = *std::move(client_ca_pem);
  ssl.pem_key_cert_pairs.push_back({std::move(pair->key_pem), std::move(pair->cert_pem)});
  return grpc::SslServerCredentials(ssl);
}

bool IsLoopbackAddress(absl::string_view listen_address) {
  if (absl::StartsWith(listen_address, "unix:") ||
      absl::StartsWith(listen_address, "unix-abstract:")) {
    return true;
  }
  std::string host;
  if (absl::ConsumePrefix(&listen_address, "[")) {
    const size_t close = listen_address.find(']');
    if (close == absl::string_view::npos) return false;
    host = std::string(listen_address.substr(0, close));
  } else {
    host = std::string(listen_address.substr(0, listen_address.rfind(':')));
  }
  if (absl::EqualsIgnoreCase(host, "localhost")) return true;
  in_addr v4;
  if (inet_pton(AF_INET, host.c_str(), &v4) == 1) return (ntohl(v4.s_addr) >> 24) == 127;
  in6_addr v6;
  if (inet_pton(AF_INET6, host.c_str(), &v6) == 1) {
    return IN6_IS_ADDR_LOOPBACK(&v6) || (IN6_IS_ADDR_V4MAPPED(&v6) && v6.s6_addr[12] == 127);
  }
  return false;
}

bool IsInsecurePlaintext(const ServerOptions& options) {
  return options.tls_cert_file.empty() && !IsLoopbackAddress(options.listen_address);
}

std::string DescribeTransport(const ServerOptions& options) {
  if (options.tls_cert_file.empty()) {
    return IsInsecurePlaintext(options) ? "INSECURE plaintext" : "plaintext";
  }
  if (options.tls_client_ca_file.empty()) return "TLS";
  return options.tls_require_client_cert ? "TLS, client certificates required (mTLS)"
                                         : "TLS, client certificates verified when presented";
}

}  // namespace timeledger::services
