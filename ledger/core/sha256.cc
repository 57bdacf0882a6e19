#include "ledger/core/sha256.h"

// SHA256_Init/Update/Final: deprecated by OpenSSL 3, chosen for speed (see the header).
#define OPENSSL_SUPPRESS_DEPRECATED
#include <cstdio>
#include <cstdlib>

#include "absl/status/status.h"
#include "absl/strings/str_cat.h"
#include <openssl/sha.h>

#include "ledger/core/errors.h"

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

// Returns the value of one hexadecimal digit, or -1 if `c` is not one.
int HexValue(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

}  // namespace

Sha256::Sha256() : ctx_(new SHA256_CTX) { CheckOpenSsl(SHA256_Init(ctx_), "SHA256_Init"); }

Sha256::~Sha256() { delete ctx_; }

Sha256& Sha256::Update(std::string_view data) {
  CheckOpenSsl(SHA256_Update(ctx_, data.data(), data.size()), "SHA256_Update");
  return *this;
}

Sha256& Sha256::Update(absl::Span<const uint8_t> data) {
  CheckOpenSsl(SHA256_Update(ctx_, data.data(), data.size()), "SHA256_Update");
  return *this;
}

Digest Sha256::Finish() {
  Digest digest;
  CheckOpenSsl(SHA256_Final(digest.data(), ctx_), "SHA256_Final");
  CheckOpenSsl(SHA256_Init(ctx_), "SHA256_Init");
  return digest;
}

Digest Sha256::Hash(std::string_view data) { return Sha256().Update(data).Finish(); }

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
    return RefusalSaying(absl::StatusCode::kInvalidArgument, Reason::kDigestHexLength,
                         "a SHA-256 digest is ", kDigestHexChars, " hex characters, got ",
                         hex.size());
  }
  Digest digest;
  for (size_t i = 0; i < kDigestBytes; ++i) {
    const int high = HexValue(hex[2 * i]);
    const int low = HexValue(hex[2 * i + 1]);
    if (high < 0 || low < 0) {
      return RefusalSaying(absl::StatusCode::kInvalidArgument, Reason::kDigestHexCharacter,
                           "non-hex character near offset ", 2 * i);
    }
    digest[i] = static_cast<uint8_t>((high << 4) | low);
  }
  return digest;
}

}  // namespace timeledger::ledger
