#include "clients/common/pem_files.h"

#include <openssl/bio.h>
#include <openssl/err.h>
#include <openssl/pem.h>

#include <cerrno>
#include <cstdio>
#include <cstring>

#include "absl/status/status.h"
#include "absl/strings/str_cat.h"

namespace timeledger::clients {
namespace {

struct FileClose {
  void operator()(FILE* file) const { std::fclose(file); }
};
struct BioFree {
  void operator()(BIO* bio) const { BIO_free(bio); }
};
using BioPtr = std::unique_ptr<BIO, BioFree>;

absl::Status Unreadable(absl::string_view what, const std::string& path) {
  return absl::FailedPreconditionError(
      absl::StrCat("cannot read the ", what, " ", path, ": ", std::strerror(errno)));
}

BioPtr MemoryBio(const std::string& bytes) {
  return BioPtr(BIO_new_mem_buf(bytes.data(), static_cast<int>(bytes.size())));
}

// Refuses to ask for a passphrase on the terminal: neither gRPC nor an unattended kiosk could
// use such a key.
int NoPassphrase(char*, int, int, void*) { return -1; }

}  // namespace

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

absl::StatusOr<PkeyPtr> PrivateKey(absl::string_view what, const std::string& path,
                                   const std::string& pem) {
  BioPtr bio = MemoryBio(pem);
  PkeyPtr key(PEM_read_bio_PrivateKey(bio.get(), nullptr, &NoPassphrase, nullptr));
  ERR_clear_error();
  if (key == nullptr) {
    return absl::FailedPreconditionError(
        absl::StrCat("the ", what, " ", path,
                     " holds no unencrypted PEM private key (-----BEGIN PRIVATE KEY-----)"));
  }
  return key;
}

}  // namespace timeledger::clients
