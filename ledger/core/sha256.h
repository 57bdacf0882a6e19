// Sha256 is an incremental SHA-256 hasher over OpenSSL's SHA256_* functions,
// and Digest is the 32-byte value it produces. The ledger hashes its entries,
// its hash chain and its Merkle tree with it.
//
// The ledger's messages are short (a 64- or 65-byte Merkle or chain node, a
// fact or an entry of a few hundred bytes), so the cost of a hash is largely
// per call. With OpenSSL 3.0 (SHA-NI) a 64- or 65-byte message took 20-40 %
// longer through the EVP interface (a context reset and a cleanse per digest)
// than through SHA256_Init/Update/Final, about 250 against 330 ns on the
// loaded 2-core machine; at 300 bytes the two were within the noise. OpenSSL 3
// deprecates these functions but still ships them, over the same assembly.
// The EVP version is in the git history should a later OpenSSL drop them.
//
// Ownership: a Sha256 owns one OpenSSL SHA-256 context, freed by its
// destructor; it is neither copyable nor movable.
//
// Thread-safety: a Sha256 is not thread-safe; use one per thread. The free
// functions here are thread-safe.
//
// Failure: OpenSSL's SHA256_* functions fail only on a null argument, which
// would be a bug here; such a process cannot keep a verifiable ledger, so a
// failure aborts with a message rather than return a status.

#ifndef TIMELEDGER_LEDGER_SHA256_H_
#define TIMELEDGER_LEDGER_SHA256_H_

#include <array>
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "absl/status/statusor.h"
#include "absl/types/span.h"

// OpenSSL's SHA-256 context, declared here so that callers need not include
// OpenSSL headers (openssl/sha.h: typedef struct SHA256state_st SHA256_CTX).
struct SHA256state_st;

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
  SHA256state_st* ctx_;  // Owned.
};

// Returns the 64-character lowercase hexadecimal form of `digest`.
std::string DigestToHex(const Digest& digest);

// Parses 64 hexadecimal characters (either case) into a digest.
// Returns InvalidArgument if `hex` has another length or a non-hex character.
absl::StatusOr<Digest> DigestFromHex(std::string_view hex);

}  // namespace timeledger::ledger

#endif  // TIMELEDGER_LEDGER_SHA256_H_
