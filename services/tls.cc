#include "services/tls.h"

#include <arpa/inet.h>
#include <grpcpp/security/server_credentials.h>
#include <netinet/in.h>
#include <openssl/bio.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/x509.h>

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <memory>
#include <string>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/strip.h"
#include "ledger/core/errors.h"
#include "services/server.h"

namespace timeledger::services {
namespace {

struct BioFree {
  void operator()(BIO* bio) const { BIO_free(bio); }
};
struct X509Free {
  void operator()(X509* cert) const { X509_free(cert); }
};
struct PkeyFree {
  void operator()(EVP_PKEY* key) const { EVP_PKEY_free(key); }
};
struct FileClose {
  void operator()(FILE* file) const { std::fclose(file); }
};
using BioPtr = std::unique_ptr<BIO, BioFree>;
using X509Ptr = std::unique_ptr<X509, X509Free>;
using PkeyPtr = std::unique_ptr<EVP_PKEY, PkeyFree>;

// What each file is called in messages.
constexpr char kCertWhat[] = "TLS certificate file";
constexpr char kKeyWhat[] = "TLS key file";
constexpr char kClientCaWhat[] = "client CA file";

// The whole of a file of at most kPemFileBytesMax bytes, or FailedPrecondition naming it.
absl::StatusOr<std::string> ReadPemFile(absl::string_view what, const std::string& path) {
  std::unique_ptr<FILE, FileClose> file(std::fopen(path.c_str(), "rb"));
  if (file == nullptr) {
    return ledger::Refuse(
        ledger::Reason::kTlsFileUnreadable,
        absl::StrCat("cannot read the ", what, " ", path, ": ", std::strerror(errno)));
  }
  std::string pem(kPemFileBytesMax + 1, '\0');
  pem.resize(std::fread(pem.data(), 1, pem.size(), file.get()));
  if (std::ferror(file.get())) {
    return ledger::Refuse(
        ledger::Reason::kTlsFileUnreadable,
        absl::StrCat("cannot read the ", what, " ", path, ": ", std::strerror(errno)));
  }
  if (pem.size() > kPemFileBytesMax) {
    return ledger::Refuse(ledger::Reason::kTlsFileTooLarge,
                          absl::StrCat("the ", what, " ", path, " is larger than ",
                                       kPemFileBytesMax, " bytes; is it the right file?"));
  }
  return pem;
}

BioPtr MemoryBio(const std::string& bytes) {
  return BioPtr(BIO_new_mem_buf(bytes.data(), static_cast<int>(bytes.size())));
}

// The first certificate of a PEM text, or FailedPrecondition naming the file.
absl::StatusOr<X509Ptr> FirstCertificate(absl::string_view what, const std::string& path,
                                         const std::string& pem) {
  BioPtr bio = MemoryBio(pem);
  X509Ptr cert(PEM_read_bio_X509(bio.get(), nullptr, nullptr, nullptr));
  ERR_clear_error();
  if (cert == nullptr) {
    return ledger::Refuse(ledger::Reason::kTlsNoCertificate,
                          absl::StrCat("the ", what, " ", path,
                                       " holds no PEM certificate (-----BEGIN CERTIFICATE-----)"));
  }
  return cert;
}

// Refuses to ask for a passphrase: a server that starts by itself cannot type one.
int NoPassphrase(char*, int, int, void*) { return -1; }

absl::StatusOr<PkeyPtr> PrivateKey(const std::string& path, const std::string& pem) {
  BioPtr bio = MemoryBio(pem);
  PkeyPtr key(PEM_read_bio_PrivateKey(bio.get(), nullptr, &NoPassphrase, nullptr));
  ERR_clear_error();
  if (key == nullptr) {
    return ledger::Refuse(
        ledger::Reason::kTlsNoKey,
        absl::StrCat("the ", kKeyWhat, " ", path,
                     " holds no unencrypted PEM private key (-----BEGIN PRIVATE "
                     "KEY-----); a key protected by a passphrase cannot be used"));
  }
  return key;
}

std::string TimeText(const ASN1_TIME* time) {
  BioPtr bio(BIO_new(BIO_s_mem()));
  ASN1_TIME_print(bio.get(), time);
  char* data = nullptr;
  const long size = BIO_get_mem_data(bio.get(), &data);
  return std::string(data, size > 0 ? static_cast<size_t>(size) : 0);
}

// FailedPrecondition if `cert` has expired or is not valid yet.
absl::Status CheckValidNow(const std::string& path, const X509* cert) {
  if (X509_cmp_current_time(X509_get0_notAfter(cert)) < 0) {
    return ledger::Refuse(
        ledger::Reason::kTlsCertificateExpired,
        absl::StrCat("the certificate in ", path, " expired on ",
                     TimeText(X509_get0_notAfter(cert)), "; clients would refuse it"));
  }
  if (X509_cmp_current_time(X509_get0_notBefore(cert)) > 0) {
    return ledger::Refuse(
        ledger::Reason::kTlsCertificateNotYetValid,
        absl::StrCat("the certificate in ", path, " is not valid before ",
                     TimeText(X509_get0_notBefore(cert)), "; is this machine's clock right?"));
  }
  return absl::OkStatus();
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
  auto pem = ReadPemFile(kClientCaWhat, options.tls_client_ca_file);
  if (!pem.ok()) return pem.status();
  auto cert = FirstCertificate(kClientCaWhat, options.tls_client_ca_file, *pem);
  if (!cert.ok()) return cert.status();
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
  auto cert_pem = ReadPemFile(kCertWhat, options.tls_cert_file);
  if (!cert_pem.ok()) return cert_pem.status();
  auto key_pem = ReadPemFile(kKeyWhat, options.tls_key_file);
  if (!key_pem.ok()) return key_pem.status();
  auto cert = FirstCertificate(kCertWhat, options.tls_cert_file, *cert_pem);
  if (!cert.ok()) return cert.status();
  auto key = PrivateKey(options.tls_key_file, *key_pem);
  if (!key.ok()) return key.status();
  if (X509_check_private_key(cert->get(), key->get()) != 1) {
    ERR_clear_error();
    return ledger::Refuse(
        ledger::Reason::kTlsKeyMismatch,
        absl::StrCat("the private key in ", options.tls_key_file,
                     " does not match the certificate in ", options.tls_cert_file));
  }
  if (auto valid = CheckValidNow(options.tls_cert_file, cert->get()); !valid.ok()) return valid;
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
  ssl.pem_key_cert_pairs.push_back({*std::move(key_pem), *std::move(cert_pem)});
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
