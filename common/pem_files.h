// PEM files as timeledgerd and its clients read them: a certificate or key file read whole
// (bounded in size) and parsed with OpenSSL, a certificate and its key checked to belong together
// and to be valid now, each failure a sentence that names the file. Used by timeledgerd's TLS
// (services/tls.cc), the clients' channel to it (clients/common/channel.cc) and the kiosk's own
// HTTPS (clients/kiosk/transport.cc).
//
// Every failure is FailedPrecondition; PemProblemOf says which problem it was, for a caller that
// gives each its own reason. Pure apart from reading the files; thread-safe.
#ifndef TIMELEDGER_COMMON_PEM_FILES_H_
#define TIMELEDGER_COMMON_PEM_FILES_H_

#include <cstddef>
#include <memory>
#include <optional>
#include <string>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include <openssl/evp.h>
#include <openssl/x509.h>

namespace timeledger::common {

// A PEM file larger than this is refused: certificates, chains and keys are a few kilobytes.
inline constexpr size_t kPemFileBytesMax = 1 << 20;

struct X509Free {
  void operator()(X509* cert) const { X509_free(cert); }
};
struct PkeyFree {
  void operator()(EVP_PKEY* key) const { EVP_PKEY_free(key); }
};
using X509Ptr = std::unique_ptr<X509, X509Free>;
using PkeyPtr = std::unique_ptr<EVP_PKEY, PkeyFree>;

// What went wrong with a PEM file.
enum class PemProblem {
  kUnreadable,
  kTooLarge,
  kNoCertificate,
  kNoKey,
  kKeyMismatch,
  kExpired,
  kNotYetValid,
};

// The problem behind a status returned here, or nothing for any other status.
std::optional<PemProblem> PemProblemOf(const absl::Status& status);

// Returns the whole of the file at `path`, at most kPemFileBytesMax bytes; "cannot read the
// <what> <path>: <reason>" or "the <what> <path> is larger than ...".
absl::StatusOr<std::string> ReadPemFile(absl::string_view what, const std::string& path);

// Returns the first certificate of `pem`; "the <what> <path> holds no PEM certificate" if there
// is none.
absl::StatusOr<X509Ptr> FirstCertificate(absl::string_view what, const std::string& path,
                                         const std::string& pem);

// Returns the subject of `cert` as RFC 2253 writes it, most specific part first
// ("CN=cafe-till,O=Holy Cross Cafe"): how gRPC names a client's certificate to timeledgerd, and
// so what a token is bound to (docs/SECURITY.md).
std::string SubjectOf(const X509* cert);

// Returns the unencrypted private key of `pem` (a key that needs a passphrase is refused, never
// asked for); "the <what> <path> holds no unencrypted PEM private key".
absl::StatusOr<PkeyPtr> PrivateKey(absl::string_view what, const std::string& path,
                                   const std::string& pem);

// Where a certificate chain and its key are, and what each is called in messages
// ("TLS certificate file", "HTTPS key file", ...).
struct KeyPairFiles {
  absl::string_view cert_what;
  std::string cert_file;
  absl::string_view key_what;
  std::string key_file;
  // What a key that does not belong says it does not match: "client certificate", ...
  absl::string_view cert_name = "certificate";
};

// A certificate chain and its private key, as PEM text and parsed.
struct KeyPair {
  std::string cert_pem;  // the certificate, then any intermediates
  std::string key_pem;
  X509Ptr cert;  // the first certificate of cert_pem
  PkeyPtr key;
};

// Reads and parses both files and checks that the key is the certificate's: the errors of
// ReadPemFile, FirstCertificate and PrivateKey, or "the private key in <key_file> does not match
// the <cert_name> in <cert_file>".
absl::StatusOr<KeyPair> LoadKeyPair(const KeyPairFiles& files);

// Checks that `cert`, from `path`, is valid now: "the certificate in <path> has expired (on
// <date>); <refusers> would refuse it", or "... is not valid before <date>; is this machine's
// clock right?".
absl::Status CheckValidNow(const std::string& path, const X509* cert, absl::string_view refusers);

}  // namespace timeledger::common

#endif  // TIMELEDGER_COMMON_PEM_FILES_H_
