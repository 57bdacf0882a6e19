#include "clients/common/channel.h"

#include <cstdlib>
#include <memory>
#include <string>
#include <utility>

#include "absl/status/status.h"
#include "absl/strings/str_cat.h"

#include "common/pem_files.h"

namespace timeledger::clients {
namespace {

// What each file is called in messages.
constexpr char kCaWhat[] = "TLS CA file";
constexpr char kCertWhat[] = "TLS client certificate file";
constexpr char kKeyWhat[] = "TLS client key file";

std::string FromEnvironment(const char* name) {
  const char* value = std::getenv(name);
  return value != nullptr ? value : "";
}

// The client's certificate and key, checked to belong together, into `ssl`.
absl::Status AddClientIdentity(const ChannelSecurity& security, grpc::SslCredentialsOptions* ssl) {
  if (security.key_file.empty()) {
    return absl::InvalidArgumentError(absl::StrCat("the ", kCertWhat, " ", security.cert_file,
                                                   " needs its private key: give --tls-key (or $",
                                                   kTlsKeyEnvironment, ") too"));
  }
  auto pair = common::LoadKeyPair({.cert_what = kCertWhat,
                                   .cert_file = security.cert_file,
                                   .key_what = kKeyWhat,
                                   .key_file = security.key_file,
                                   .cert_name = "client certificate"});
  if (!pair.ok()) return pair.status();
  ssl->pem_cert_chain = std::move(pair->cert_pem);
  ssl->pem_private_key = std::move(pair->key_pem);
  return absl::OkStatus();
}

}  // namespace

ChannelSecurity ChannelSecurityFromEnvironment() {
  ChannelSecurity security;
  security.ca_file = FromEnvironment(kTlsCaEnvironment);
  security.cert_file = FromEnvironment(kTlsCertEnvironment);
  security.key_file = FromEnvironment(kTlsKeyEnvironment);
  return security;
}

absl::StatusOr<std::shared_ptr<grpc::ChannelCredentials>> MakeChannelCredentials(
    const ChannelSecurity& security) {
  if (!security.UsesTls()) return grpc::InsecureChannelCredentials();
  grpc::SslCredentialsOptions ssl;  // pem_root_certs empty: gRPC's default roots
  if (!security.ca_file.empty()) {
    auto ca_pem = common::ReadPemFile(kCaWhat, security.ca_file);
    if (!ca_pem.ok()) return ca_pem.status();
    auto ca = common::FirstCertificate(kCaWhat, security.ca_file, *ca_pem);
    if (!ca.ok()) return ca.status();
    ssl.pem_root_certs = *std::move(ca_pem);
  }
  if (!security.cert_file.empty()) {
    if (auto added = AddClientIdentity(security, &ssl); !added.ok()) return added;
  } else if (!security.key_file.empty()) {
    return absl::InvalidArgumentError(absl::StrCat("the ", kKeyWhat, " ", security.key_file,
                                                   " needs its certificate: give --tls-cert (or $",
                                                   kTlsCertEnvironment, ") too"));
  }
  return grpc::SslCredentials(ssl);
}

absl::StatusOr<std::shared_ptr<grpc::Channel>> MakeChannel(
    const std::string& target, const ChannelSecurity& security,
    const grpc::ChannelArguments& arguments) {
  auto credentials = MakeChannelCredentials(security);
  if (!credentials.ok()) return credentials.status();
  return grpc::CreateCustomChannel(target, *credentials, arguments);
}

}  // namespace timeledger::clients
