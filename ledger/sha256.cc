#include "ledger/sha256.h"

#include <openssl/evp.h>

#include <cstdio>
#include <cstdlib>

#include "absl/status/status.h"
#include "absl/strings/str_cat.h"

namespace timeledger::ledger {
namespace {

// Aborts the process if an OpenSSL call failed. See the header: a process
// that cannot hash cannot keep a ledger.
void CheckOpenSsl(int ok, const char* call) {
  if (ok != 1) {
    std::fprintf(stderr, "timeledger: fatal: OpenSSL %s failed\n", call);
    std::abort();
  }
}

// Returns the SHA-256 algorithm, fetched once. Fetching explicitly avoids
// the implicit fetch that EVP_sha256() costs on every OpenSSL 3 init. The
// object lives for the whole process on purpose.
const EVP_MD* Sha256Algorithm() {
  static const EVP_MD* const algorithm = [] {
    EVP_MD* md =
        EVP_MD_fetch(/*ctx=*/nullptr, "SHA256", /*properties=*/nullptr);
    CheckOpenSsl(md != nullptr ? 1 : 0, "EVP_MD_fetch(SHA256)");
    return md;
  }();
  return algorithm;
}

// Returns the value of one hexadecimal digit, or -1 if `c` is not one.
int HexValue(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

}  // namespace

Sha256::Sha256() : ctx_(EVP_MD_CTX_new()) {
  CheckOpenSsl(ctx_ != nullptr ? 1 : 0, "EVP_MD_CTX_new");
  CheckOpenSsl(EVP_DigestInit_ex2(ctx_, Sha256Algorithm(), nullptr),
               "EVP_DigestInit_ex2");
}

Sha256::~Sha256() { EVP_MD_CTX_free(ctx_); }

Sha256& Sha256::Update(std::string_view data) {
  CheckOpenSsl(EVP_DigestUpdate(ctx_, data.data(), data.size()),
               "EVP_DigestUpdate");
  return *this;
}

Sha256& Sha256::Update(absl::Span<const uint8_t> data) {
  CheckOpenSsl(EVP_DigestUpdate(ctx_, data.data(), data.size()),
               "EVP_DigestUpdate");
  return *this;
}

Digest Sha256::Finish() {
  Digest digest;
  unsigned int length = 0;
  CheckOpenSsl(EVP_DigestFinal_ex(ctx_, digest.data(), &length),
               "EVP_DigestFinal_ex");
  CheckOpenSsl(length == kDigestBytes ? 1 : 0, "EVP_DigestFinal_ex length");
  CheckOpenSsl(EVP_DigestInit_ex2(ctx_, Sha256Algorithm(), nullptr),
               "EVP_DigestInit_ex2");
  return digest;
}

Digest Sha256::Hash(std::string_view data) {
  return Sha256().Update(data).Finish();
}

std::string DigestToHex(const Digest& digest) {
  static constexpr char kHexDigits[] = "0123456789abcdef";
  std::string hex(kDigestHexChars, '0');
  for (size_t i = 0; i < kDigestBytes; ++i) {
    hex[2 * i] = kHexDigits[digest[i] >> 4];
    hex[2 * i + 1] = kHexDigits[digest[i] & 0x0f];
  }
  return hex;
}

absl::StatusOr<Digest> DigestFromHex(std::string_view hex) {
  if (hex.size() != kDigestHexChars) {
    return absl::InvalidArgumentError(
        absl::StrCat("DIGEST_HEX_LENGTH: a SHA-256 digest is ", kDigestHexChars,
                     " hex characters, got ", hex.size()));
  }
  Digest digest;
  for (size_t i = 0; i < kDigestBytes; ++i) {
    const int high = HexValue(hex[2 * i]);
    const int low = HexValue(hex[2 * i + 1]);
    if (high < 0 || low < 0) {
      return absl::InvalidArgumentError(absl::StrCat(
          "DIGEST_HEX_CHARACTER: non-hex character near offset ", 2 * i));
    }
    digest[i] = static_cast<uint8_t>((high << 4) | low);
  }
  return digest;
}

}  // namespace timeledger::ledger
