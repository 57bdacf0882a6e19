#include "clients/audit/proof_check.h"

#include <cstring>

#include "absl/strings/str_cat.h"
#include <openssl/evp.h>

namespace timeledger::audit {
namespace {

// Version 2 (layout 4) hashes personal values as commitments; the header is the same.
constexpr uint8_t kFactVersionMin = 1;
constexpr uint8_t kFactVersionMax = 2;
// Entries: 1 (note inline), 2 (note sealed), 3 (sealed, with flags: imported).
constexpr uint8_t kEntryVersionMin = 1;
constexpr uint8_t kEntryVersionMax = 3;
constexpr uint8_t kEntryFact = 5;
// The largest tree a digest may name, as the ledger's (RFC 9162 trees of up to 2^63 leaves): a
// digest beyond it is malformed, whatever its proof. Found by tests/fuzz/proofs_fuzz, where the
// ledger's verifier refused such a size and this one accepted it.
constexpr uint64_t kTreeSizeMax = uint64_t{1} << 63;

absl::Status TreeTooLarge(uint64_t tree_size) {
  return absl::InvalidArgumentError(
      absl::StrCat("a tree of ", tree_size, " leaves is larger than any ledger's (2^63)"));
}

bool IsOdd(uint64_t n) { return (n & 1) != 0; }

// Shifts fn and sn right until fn is odd or zero.
void ShiftWhileEven(uint64_t* fn, uint64_t* sn) {
  while (*fn != 0 && !IsOdd(*fn)) {
    *fn >>= 1;
    *sn >>= 1;
  }
}

// A cursor over canonical bytes: LEB128 varints, big-endian u64, length-prefixed strings.
class Bytes {
 public:
  explicit Bytes(absl::string_view in) : in_(in) {}
  bool Byte(uint8_t* out) {
    if (in_.empty()) return false;
    *out = static_cast<uint8_t>(in_[0]);
    in_.remove_prefix(1);
    return true;
  }
  bool U64(uint64_t* out) {
    if (in_.size() < 8) return false;
    *out = 0;
    for (int i = 0; i < 8; ++i) *out = (*out << 8) | static_cast<uint8_t>(in_[i]);
    in_.remove_prefix(8);
    return true;
  }
  bool Str(absl::string_view* out) {
    uint64_t length = 0;
    for (int shift = 0;; shift += 7) {
      uint8_t byte = 0;
      if (shift > 63 || !Byte(&byte)) return false;
      length |= static_cast<uint64_t>(byte & 0x7f) << shift;
      if ((byte & 0x80) == 0) break;
    }
    if (length > in_.size()) return false;
    *out = in_.substr(0, length);
    in_.remove_prefix(length);
    return true;
  }

 private:
  absl::string_view in_;
};

absl::Status TooManyHashes(size_t count) {
  return absl::InvalidArgumentError(
      absl::StrCat("a proof of ", count, " hashes is longer than any tree needs"));
}

}  // namespace

Hash Sha256(absl::string_view bytes) {
  Hash hash{};
  unsigned int length = 0;
  EVP_Digest(bytes.data(), bytes.size(), hash.data(), &length, EVP_sha256(), nullptr);
  return hash;
}

Hash LeafHash(absl::string_view leaf) {
  std::string message(1, '\0');
  message.append(leaf.data(), leaf.size());
  return Sha256(message);
}

Hash NodeHash(const Hash& left, const Hash& right) {
  char message[1 + 64];
  message[0] = 0x01;
  std::memcpy(message + 1, left.data(), 32);
  std::memcpy(message + 33, right.data(), 32);
  return Sha256(absl::string_view(message, sizeof(message)));
}

Hash EmptyRoot() { return Sha256(""); }

std::string ToHex(const Hash& hash) {
  static constexpr char kDigits[] = "0123456789abcdef";
  std::string hex;
  for (uint8_t byte : hash) {
    hex.push_back(kDigits[byte >> 4]);
    hex.push_back(kDigits[byte & 0xf]);
  }
  return hex;
}

absl::StatusOr<Hash> FromHex(absl::string_view hex) {
  auto digit = [](char c) -> int {
    if (c >= '0' && c <= '9') return c - '0';
    if (c >= 'a' && c <= 'f') return c - 'a' + 10;
    if (c >= 'A' && c <= 'F') return c - 'A' + 10;
    return -1;
  };
  Hash hash{};
  if (hex.size() != 64) return absl::InvalidArgumentError("a hash is 64 hex digits");
  for (size_t i = 0; i < 32; ++i) {
    const int high = digit(hex[2 * i]), low = digit(hex[2 * i + 1]);
    if (high < 0 || low < 0) return absl::InvalidArgumentError("a hash is 64 hex digits");
    hash[i] = static_cast<uint8_t>(high * 16 + low);
  }
  return hash;
}

absl::StatusOr<Hash> FromBytes(absl::string_view bytes) {
  if (bytes.size() != 32) {
    return absl::InvalidArgumentError(absl::StrCat("a hash is 32 bytes, not ", bytes.size()));
  }
  Hash hash;
  std::memcpy(hash.data(), bytes.data(), 32);
  return hash;
}

absl::Status VerifyInclusion(const Hash& leaf_hash, uint64_t index, uint64_t tree_size,
                             const std::vector<Hash>& path, const Hash& root) {
  if (tree_size > kTreeSizeMax) return TreeTooLarge(tree_size);
  if (index >= tree_size) {
    return absl::InvalidArgumentError(
        absl::StrCat("leaf ", index, " is not in a tree of ", tree_size, " leaves"));
  }
  if (path.size() > kProofHashesMax) return TooManyHashes(path.size());
  uint64_t fn = index;
  uint64_t sn = tree_size - 1;
  Hash r = leaf_hash;
  for (const Hash& p : path) {
    if (sn == 0) return absl::InvalidArgumentError("the audit path is too long");
    if (IsOdd(fn) || fn == sn) {
      r = NodeHash(p, r);
      ShiftWhileEven(&fn, &sn);
    } else {
      r = NodeHash(r, p);
    }
    fn >>= 1;
    sn >>= 1;
  }
  if (sn != 0) return absl::InvalidArgumentError("the audit path is too short");
  if (r != root) {
    return absl::DataLossError(absl::StrCat("the audit path leads to root ", ToHex(r),
                                            ", not to the digest's root ", ToHex(root)));
  }
  return absl::OkStatus();
}

absl::Status VerifyConsistency(uint64_t old_size, uint64_t new_size, const Hash& old_root,
                               const Hash& new_root, const std::vector<Hash>& proof) {
  if (new_size > kTreeSizeMax) return TreeTooLarge(new_size);
  if (old_size > new_size) {
    return absl::InvalidArgumentError(
        absl::StrCat("the old tree (", old_size, ") is larger than the new (", new_size, ")"));
  }
  if (proof.size() > kProofHashesMax) return TooManyHashes(proof.size());
  if (old_size == 0 || old_size == new_size) {
    if (!proof.empty()) return absl::InvalidArgumentError("the proof should be empty");
    const Hash expected = old_size == 0 ? EmptyRoot() : new_root;
    if (old_root != expected) {
      return absl::DataLossError(
          absl::StrCat("the old root ", ToHex(old_root), " should be ", ToHex(expected)));
    }
    return absl::OkStatus();
  }
  if (proof.empty()) return absl::InvalidArgumentError("the proof is empty");
  std::vector<Hash> path;
  if ((old_size & (old_size - 1)) == 0) path.push_back(old_root);  // a power of two
  path.insert(path.end(), proof.begin(), proof.end());
  uint64_t fn = old_size - 1;
  uint64_t sn = new_size - 1;
  while (IsOdd(fn)) {
    fn >>= 1;
    sn >>= 1;
  }
  Hash fr = path[0];
  Hash sr = path[0];
  for (size_t i = 1; i < path.size(); ++i) {
    const Hash& c = path[i];
    if (sn == 0) return absl::InvalidArgumentError("the consistency proof is too long");
    if (IsOdd(fn) || fn == sn) {
      fr = NodeHash(c, fr);
      sr = NodeHash(c, sr);
      ShiftWhileEven(&fn, &sn);
    } else {
      sr = NodeHash(sr, c);
    }
    fn >>= 1;
    sn >>= 1;
  }
  if (sn != 0) return absl::InvalidArgumentError("the consistency proof is too short");
  if (fr != old_root) {
    return absl::DataLossError(absl::StrCat("the proof leads to old root ", ToHex(fr),
                                            ", not to the old digest's ", ToHex(old_root)));
  }
  if (sr != new_root) {
    return absl::DataLossError(absl::StrCat("the proof leads to new root ", ToHex(sr),
                                            ", not to the new digest's ", ToHex(new_root)));
  }
  return absl::OkStatus();
}

absl::Status VerifyPersonalValue(absl::string_view fact, absl::string_view salt,
                                 absl::string_view value) {
  if (salt.size() != 16) return absl::InvalidArgumentError("a personal value's salt is 16 bytes");
  const Hash commitment = Sha256(absl::StrCat("P", salt, value));
  std::string framed(1, '\x20');  // str(): the varint length 32, then the commitment
  framed.append(reinterpret_cast<const char*>(commitment.data()), commitment.size());
  if (fact.find(framed) == absl::string_view::npos) {
    return absl::DataLossError("the fact does not commit to this personal value");
  }
  return absl::OkStatus();
}

absl::StatusOr<FactHeader> ParseFactHeader(absl::string_view fact) {
  Bytes in(fact);
  FactHeader header;
  uint8_t version = 0;
  uint64_t at = 0;
  absl::string_view bank_id, principal;
  // Every type of fact has this header, so any type from 1 up is read: the journal has grown
  // new types (8-10 qualifications, 16-17 kiosk cards) and will again, and a client that knew
  // only the first seven refused facts the server proves (found by tests/fuzz/proofs_fuzz).
  if (!in.Byte(&version) || version < kFactVersionMin || version > kFactVersionMax ||
      !in.Byte(&header.type) || header.type < 1 || !in.Str(&bank_id) || !in.U64(&header.position) ||
      !in.U64(&at) || !in.Str(&principal)) {
    return absl::InvalidArgumentError("not a version 1 or 2 journal fact");
  }
  header.bank_id = std::string(bank_id);
  if (header.type == kEntryFact) {
    absl::string_view entry, entry_bank;
    uint8_t entry_version = 0;
    if (!in.Str(&entry)) return absl::InvalidArgumentError("an entry fact without its entry");
    Bytes entry_in(entry);
    if (!entry_in.Byte(&entry_version) || entry_version < kEntryVersionMin ||
        entry_version > kEntryVersionMax || !entry_in.Str(&entry_bank) || entry_bank != bank_id ||
        !entry_in.U64(&header.entry_seq)) {
      return absl::InvalidArgumentError("an entry fact with a malformed entry");
    }
  }
  return header;
}

}  // namespace timeledger::audit
