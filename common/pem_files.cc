#include "common/pem_files.h"

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <utility>

#include "absl/strings/cord.h"
#include "absl/strings/str_cat.h"
#include <openssl/asn1.h>
#include <openssl/bio.h>
#include <openssl/err.h>
#include <openssl/pem.h>

namespace timeledger::common {
namespace {

struct FileClose {
  void operator()(FILE* file) const { std::fclose(file); }
};
struct BioFree {
  void operator()(BIO* bio) const { BIO_free(bio); }
};
using BioPtr = std::unique_ptr<BIO, BioFree>;

// The status payload that carries a PemProblem, as its number.
constexpr char kProblemPayload[] = "timeledger.common/pem-problem";

absl::Status Problem(PemProblem problem, absl::string_view message) {
  absl::Status status = absl::FailedPreconditionError(message);
  status.SetPayload(kProblemPayload, absl::Cord(std::to_string(static_cast<int>(problem))));
  return status;
}

absl::Status Unreadable(absl::string_view what, const std::string& path) {
  return Problem(PemProblem::kUnreadable,
                 absl::StrCat("cannot read the ", what, " ", path, ": ", std::strerror(errno)));
}

BioPtr MemoryBio(const std::string& bytes) {
  return BioPtr(BIO_new_mem_buf(bytes.data(), static_cast<int>(bytes.size())));
}

// Refuses to ask for a passphrase on the terminal: neither a server that starts by itself nor
// an unattended kiosk could type one.
int NoPassphrase(char*, int, int, void*) { return -1; }

std::string TimeText(const ASN1_TIME* time) {
  BioPtr bio(BIO_new(BIO_s_mem()));
  ASN1_TIME_print(bio.get(), time);
  char* data = nullptr;
  const long size = BIO_get_mem_data(bio.get(), &data);
  return std::string(data, size > 0 ? static_cast<size_t>(size) : 0);
}

}  // namespace

std::optional<PemProblem> PemProblemOf(const absl::Status& status) {
  const auto payload = status.GetPayload(kProblemPayload);
  if (!payload.has_value()) return std::nullopt;
  const std::string number(*payload);
  if (number.size() != 1 || number[0] < '0' || number[0] > '6') return std::nullopt;
  return static_cast<PemProblem>(number[0] - '0');
}

absl::StatusOr<std::string> ReadPemFile(absl::string_view what, const std::string& path) {
  std::unique_ptr<FILE, FileClose> file(std::fopen(path.c_str(), "rb"));
  if (file == nullptr) return Unreadable(what, path);
  std::string pem(kPemFileBytesMax + 1, '\0');
  pem.resize(std::fread(pem.data(), 1, pem.size(), file.get()));
  if (std::ferror(file.get())) return Unreadable(what, path);
  if (pem.size() > kPemFileBytesMax) {
    return Problem(PemProblem::kTooLarge,
                   absl::StrCat("the ", what, " ", path, " is larger than ", kPemFileBytesMax,
                                " bytes; is it the right file?"));
  }
  return pem;
}

absl::StatusOr<X509Ptr> FirstCertificate(absl::string_view what, const std::string& path,
                                         const std::string& pem) {
  BioPtr bio = MemoryBio(pem);
  X509Ptr cert(PEM_read_bio_X509(bio.get(), nullptr, nullptr, nullptr));
  ERR_clear_error();
  if (cert == nullptr) {
    return Problem(PemProblem::kNoCertificate,
                   absl::StrCat("the ", what, " ", path,
                                " holds no PEM certificate (-----BEGIN CERTIFICATE-----)"));
  }
  return cert;
}

std::string SubjectOf(const X509* cert) {
  BioPtr bio(BIO_new(BIO_s_mem()));
  X509_NAME_print_ex(bio.get(), X509_get_subject_name(cert), 0, XN_FLAG_RFC2253);
  char* data = nullptr;
  const long size = BIO_get_mem_data(bio.get(), &data);
  return std::string(data, size > 0 ? static_cast<size_t>(size) : 0);
}

absl::StatusOr<PkeyPtr> PrivateKey(absl::string_view what, const std::string& path,
                                   const std::string& pem) {
  BioPtr bio = MemoryBio(pem);
  PkeyPtr key(PEM_read_bio_PrivateKey(bio.get(), nullptr, &NoPassphrase, nullptr));
  ERR_clear_error();
  if (key == nullptr) {
    return Problem(PemProblem::kNoKey,
                   absl::StrCat("the ", what, " ", path,
                                " holds no unencrypted PEM private key (-----BEGIN PRIVATE "
                                "KEY-----); a key protected by a passphrase cannot be used"));
  }
  return key;
}

absl::StatusOr<KeyPair> LoadKeyPair(const KeyPairFiles& files) {
  KeyPair pair;
  auto cert_pem = ReadPemFile(files.cert_what, files.cert_file);
  if (!cert_pem.ok()) return cert_pem.status();
  pair.cert_pem = *std::move(cert_pem);
  auto key_pem = ReadPemFile(files.key_what, files.key_file);
  if (!key_pem.ok()) return key_pem.status();
  pair.key_pem = *std::move(key_pem);
  auto cert = FirstCertificate(files.cert_what, files.cert_file, pair.cert_pem);
  if (!cert.ok()) return cert.status();
  pair.cert = *std::move(cert);
  auto key = PrivateKey(files.key_what, files.key_file, pair.key_pem);
  if (!key.ok()) return key.status();
  pair.key = *std::move(key);
  if (X509_check_private_key(pair.cert.get(), pair.key.get()) != 1) {
    ERR_clear_error();
    return Problem(PemProblem::kKeyMismatch,
                   absl::StrCat("the private key in ", files.key_file, " does not match the ",
                                files.cert_name, " in ", files.cert_file));
  }
  return pair;
}

absl::Status CheckValidNow(const std::string& path, const X509* cert, absl::string_view refusers) {
  if (X509_cmp_current_time(X509_get0_notAfter(cert)) < 0) {
    return Problem(
        PemProblem::kExpired,
        absl::StrCat("the certificate in ", path, " has expired (on ",
                     TimeText(X509_get0_notAfter(cert)), "); ", refusers, " would refuse it"));
  }
  if (X509_cmp_current_time(X509_get0_notBefore(cert)) > 0) {
    return Problem(
        PemProblem::kNotYetValid,
        absl::StrCat("the certificate in ", path, " is not valid before ",
                     TimeText(X509_get0_notBefore(cert)), "; is this machine's clock right?"));
  }
  return absl::OkStatus();
}

}  // namespace timeledger::common
