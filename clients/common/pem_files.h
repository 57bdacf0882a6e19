// PEM files as the clients read them: a certificate or key file read whole (bounded in size) and
// parsed with OpenSSL, each failure a sentence that names the file. Used by the channel to
// timeledgerd (channel.cc) and by the kiosk's own HTTPS (clients/kiosk/transport.cc).
//
// Pure apart from reading the files; thread-safe.
#ifndef TIMELEDGER_CLIENTS_COMMON_PEM_FILES_H_
#define TIMELEDGER_CLIENTS_COMMON_PEM_FILES_H_

#include <openssl/evp.h>
#include <openssl/x509.h>

#include <cstddef>
#include <memory>
#include <string>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"

namespace timeledger::clients {

// A PEM file larger than this is refused: certificates and keys are a few kilobytes.
inline constexpr size_t kPemFileBytesMax = 1 << 20;

struct X509Free {
  void operator()(X509* cert) const { X509_free(cert); }
};
struct PkeyFree {
  void operator()(EVP_PKEY* key) const { EVP_PKEY_free(key); }
};
using X509Ptr = std::unique_ptr<X509, X509Free>;
using PkeyPtr = std::unique_ptr<EVP_PKEY, PkeyFree>;

// Returns the whole of the file at `path`, at most kPemFileBytesMax bytes; FailedPrecondition
// "cannot read the <what> <path>: <reason>" or "... is larger than ...".
absl::StatusOr<std::string> ReadPemFile(absl::string_view what, const std::string& path);

// Returns the first certificate of `pem`; FailedPrecondition "the <what> <path> holds no PEM
// certificate" if there is none.
absl::StatusOr<X509Ptr> FirstCertificate(absl::string_view what, const std::string& path,
                                         const std::string& pem);

// Returns the unencrypted private key of `pem` (a key that needs a passphrase is refused, never
// asked for); FailedPrecondition "the <what> <path> holds no unencrypted PEM private key".
absl::StatusOr<PkeyPtr> PrivateKey(absl::string_view what, const std::string& path,
                                   const std::string& pem);

}  // namespace timeledger::clients

#endif  // TIMELEDGER_CLIENTS_COMMON_PEM_FILES_H_
