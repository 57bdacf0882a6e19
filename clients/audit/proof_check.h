// Client-side checks of the proofs timeledgerd serves (proto/timeledger/v1/audit.proto), written
// again from RFC 9162 section 2.1 so that a client trusts neither the server nor the server's
// code: the leaf hash of a fact, inclusion and consistency proof verification, and the header
// of a canonical fact (docs/ARCHITECTURE.md, "The journal").
//
// Deliberately independent of ledger/ (clients depend on proto/ only): a verifier that shared
// the prover's code could share its bugs. tests/clients/proof_check_test.cc checks it against
// hand-computed trees and against the server's proofs.
//
// Pure functions; thread-safe.
#ifndef TIMELEDGER_CLIENTS_AUDIT_PROOF_CHECK_H_
#define TIMELEDGER_CLIENTS_AUDIT_PROOF_CHECK_H_

#include <array>
#include <cstdint>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"

namespace timeledger::audit {

using Hash = std::array<uint8_t, 32>;

// The most hashes a proof may hold (a tree of 2^63 leaves needs 64).
inline constexpr size_t kProofHashesMax = 64;

// SHA-256(bytes).
Hash Sha256(absl::string_view bytes);
// RFC 6962 leaf hash: SHA-256(0x00 || leaf).
Hash LeafHash(absl::string_view leaf);
// RFC 6962 interior node: SHA-256(0x01 || left || right).
Hash NodeHash(const Hash& left, const Hash& right);
// The root of the empty tree, SHA-256("").
Hash EmptyRoot();

std::string ToHex(const Hash& hash);
// Parses 64 hex digits. InvalidArgument otherwise.
absl::StatusOr<Hash> FromHex(absl::string_view hex);
// Takes exactly 32 bytes (as they come in a proto bytes field). InvalidArgument otherwise.
absl::StatusOr<Hash> FromBytes(absl::string_view bytes);

// RFC 9162 2.1.3.2: OK if `leaf_hash` is leaf `index` of the tree of `tree_size` leaves with
// root `root`, by the audit `path`; InvalidArgument for an impossible index or path length,
// DataLoss if the path leads to another root.
absl::Status VerifyInclusion(const Hash& leaf_hash, uint64_t index, uint64_t tree_size,
                             const std::vector<Hash>& path, const Hash& root);

// RFC 9162 2.1.4.2: OK if the tree of `old_size` leaves with `old_root` is a prefix of the tree
// of `new_size` leaves with `new_root`; InvalidArgument for impossible sizes or proof length,
// DataLoss if the proof does not lead to both roots.
absl::Status VerifyConsistency(uint64_t old_size, uint64_t new_size, const Hash& old_root,
                               const Hash& new_root, const std::vector<Hash>& proof);

// A personal value that a proof carries beside a version 2 fact (audit.proto PersonalValue): OK if
// its commitment SHA-256(0x50 || salt || value) is one the fact's bytes hold, as the 32-byte str
// of a personal field (in the fact, or in the entry it embeds). InvalidArgument for a salt that
// is not 16 bytes, DataLoss if the fact commits to no such value.
absl::Status VerifyPersonalValue(absl::string_view fact, absl::string_view salt,
                                 absl::string_view value);

// The header of a canonical fact: version 1 or 2, type, bank, position; for an entry fact, its
// seq.
struct FactHeader {
  uint8_t type = 0;  // 5 = entry
  std::string bank_id;
  uint64_t position = 0;
  uint64_t entry_seq = 0;  // set for an entry fact
};
// Parses the header of canonical fact bytes (and the seq of an entry). InvalidArgument if they
// are not a version 1 or 2 fact.
absl::StatusOr<FactHeader> ParseFactHeader(absl::string_view fact);

}  // namespace timeledger::audit

#endif  // TIMELEDGER_CLIENTS_AUDIT_PROOF_CHECK_H_
