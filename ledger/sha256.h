// Sha256 is an incremental SHA-256 hasher over OpenSSL 3's EVP interface,
// and Digest is the 32-byte value it produces. The ledger hashes its entries,
// its hash chain and its Merkle tree with it.
//
// Ownership: a Sha256 owns one OpenSSL digest context, freed by its
// destructor; it is neither copyable nor movable. The SHA-256 algorithm
// object is fetched from OpenSSL once per process and shared.
//
// Thread-safety: a Sha256 is not thread-safe; use one per thread. The free
// functions here are thread-safe.
//
// Failure: OpenSSL can fail to hash only if the process cannot allocate or
// the default provider is missing. Such a process cannot keep a verifiable
// ledger, so these failures abort with a message rather than return a status.

#ifndef TIMELEDGER_LEDGER_SHA256_H_
#define TIMELEDGER_LEDGER_SHA256_H_

#include <array>
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "absl/status/statusor.h"
#include "absl/types/span.h"

// OpenSSL's digest context, declared here so that callers need not include
// OpenSSL headers (openssl/types.h: typedef struct evp_md_ctx_st EVP_MD_CTX).
struct evp_md_ctx_st;

namespace timeledger::ledger {

inline constexpr size_t kDigestBytes = 32;
inline constexpr size_t kDigestHexChars = 2 * kDigestBytes;

// A SHA-256 digest.
using Digest = std::array<uint8_t, kDigestBytes>;

class Sha256 {
 public:
  Sha256();
  ~Sha256();

  Sha256(const Sha256&) = delete;
  Sha256& operator=(const Sha256&) = delete;

  // Feeds more bytes into the hash. Returns *this, so calls chain.
  Sha256& Update(std::string_view data);
  Sha256& Update(absl::Span<const uint8_t> data);

  // Returns the digest of every byte fed since construction or the last
  // Finish(), and resets the hasher so it can be reused for a new message.
  Digest Finish();

  // Returns SHA-256(data) in one call.
  static Digest Hash(std::string_view data);

 private:
  evp_md_ctx_st* ctx_;  // Owned.
};

// Returns the 64-character lowercase hexadecimal form of `digest`.
std::string DigestToHex(const Digest& digest);

// Parses 64 hexadecimal characters (either case) into a digest.
// Returns InvalidArgument if `hex` has another length or a non-hex character.
absl::StatusOr<Digest> DigestFromHex(std::string_view hex);

}  // namespace timeledger::ledger

#endif  // TIMELEDGER_LEDGER_SHA256_H_
