#include "clients/common/channel.h"

#include <openssl/bio.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/x509.h>

#include <cerrno>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <memory>
#include <string>

#include "absl/status/status.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/string_view.h"

namespace timeledger::clients {
namespace {

struct FileClose {
  void operator()(FILE* file) const { std::fclose(file); }
};
struct BioFree {
  void operator()(BIO* bio) const { BIO_free(bio); }
};
struct X509Free {
  void operator()(X509* cert) const { X509_free(cert); }
};
struct PkeyFree {
  void operator()(EVP_PKEY* key) const { EVP_PKEY_free(key); }
};
using BioPtr = std::unique_ptr<BIO, BioFree>;
using X509Ptr = std::unique_ptr<X509, X509Free>;
using PkeyPtr = std::unique_ptr<EVP_PKEY, PkeyFree>;

// What each file is called in messages.
constexpr char kCaWhat[] = "TLS CA file";
constexpr char kCertWhat[] = "TLS client certificate file";
constexpr char kKeyWhat[] = "TLS client key file";

std::string FromEnvironment(const char* name) {
  const char* value = std::getenv(name);
  return value != nullptr ? value : "";
}

absl::Status Unreadable(absl::string_view what, const std::string& path) {
  return absl::FailedPreconditionError(
      absl::StrCat("cannot read the ", what, " ", path, ": ", std::strerror(errno)));
}

// The whole of a file of at most kPemFileBytesMax bytes, or FailedPrecondition naming it.
absl::StatusOr<std::string> ReadPemFile(absl::string_view what, const std::string& path) {
  std::unique_ptr<FILE, FileClose> file(std::fopen(path.c_str(), "rb"));
  if (file == nullptr) return Unreadable(what, path);
  std::string pem(kPemFileBytesMax + 1, '\0');
  pem.resize(std::fread(pem.data(), 1, pem.size(), file.get()));
  if (std::ferror(file.get())) return Unreadable(what, path);
  if (pem.size() > kPemFileBytesMax) {
    return absl::FailedPreconditionError(absl::StrCat("the ", what, " ", path, " is larger than ",
                                                      kPemFileBytesMax,
                                                      " bytes; is it the right file?"));
  }
  return pem;
}

BioPtr MemoryBio(const std::string& bytes) {
  return BioPtr(BIO_new_mem_buf(bytes.data(), static_cast<int>(bytes.size())));
}

absl::StatusOr<X509Ptr> FirstCertificate(absl::string_view what, const std::string& path,
                                         const std::string& pem) {
  BioPtr bio = MemoryBio(pem);
  X509Ptr cert(PEM_read_bio_X509(bio.get(), nullptr, nullptr, nullptr));
  ERR_clear_error();
  if (cert == nullptr) {
    return absl::FailedPreconditionError(absl::StrCat(
        "the ", what, " ", path, " holds no PEM certificate (-----BEGIN CERTIFICATE-----)"));
  }
  return cert;
}

// Refuses to ask for a passphrase on the terminal: gRPC could not use such a key anyway.
int NoPassphrase(char*, int, int, void*) { return -1; }

absl::StatusOr<PkeyPtr> PrivateKey(const std::string& path, const std::string& pem) {
  BioPtr bio = MemoryBio(pem);
  PkeyPtr key(PEM_read_bio_PrivateKey(bio.get(), nullptr, &NoPassphrase, nullptr));
  ERR_clear_error();
  if (key == nullptr) {
    return absl::FailedPreconditionError(
        absl::StrCat("the ", kKeyWhat, " ", path,
                     " holds no unencrypted PEM private key (-----BEGIN PRIVATE KEY-----)"));
  }
  return key;
}

// The client's certificate and key, checked to belong together, into `ssl`.
absl::Status AddClientIdentity(const ChannelSecurity& security, grpc::SslCredentialsOptions* ssl) {
  if (security.key_file.empty()) {
    return absl::InvalidArgumentError(absl::StrCat("the ", kCertWhat, " ", security.cert_file,
                                                   " needs its private key: give --tls-key (or $",
                                                   kTlsKeyEnvironment, ") too"));
  }
  auto cert_pem = ReadPemFile(kCertWhat, security.cert_file);
  if (!cert_pem.ok()) return cert_pem.status();
  auto key_pem = ReadPemFile(kKeyWhat, security.key_file);
  if (!key_pem.ok()) return key_pem.status();
  auto cert = FirstCertificate(kCertWhat, security.cert_file, *cert_pem);
  if (!cert.ok()) return cert.status();
  auto key = PrivateKey(security.key_file, *key_pem);
  if (!key.ok()) return key.status();
  if (X509_check_private_key(cert->get(), key->get()) != 1) {
    ERR_clear_error();
    return absl::FailedPreconditionError(absl::StrCat("the private key in ", security.key_file,
                                                      " does not match the client certificate in ",
                                                      security.cert_file));
  }
  ssl->pem_cert_chain = *std::move(cert_pem);
  ssl->pem_private_key = *std::move(key_pem);
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
    auto ca_pem = ReadPemFile(kCaWhat, security.ca_file);
    if (!ca_pem.ok()) return ca_pem.status();
    auto ca = FirstCertificate(kCaWhat, security.ca_file, *ca_pem);
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
