// Byte encoding primitives for stored records, in the manner of LevelDB's util/coding.h.
//
// Writers append to a std::string. A Reader consumes a string_view and never reads past its end:
// every Read* returns false on truncated or malformed input, so decoding untrusted bytes is safe.
// Fixed-width integers are big-endian, so that encoded keys sort in numeric order.
#ifndef TIMELEDGER_LEDGER_CODING_H_
#define TIMELEDGER_LEDGER_CODING_H_

#include <cstdint>
#include <string>

#include "absl/strings/string_view.h"

namespace timeledger::ledger {

// The writers are inline: the writer thread encodes every entry with them, a dozen calls each.
inline void PutFixed64BigEndian(std::string* out, uint64_t value) {
  char bytes[8];
  for (int i = 7; i >= 0; --i) {
    bytes[i] = static_cast<char>(value & 0xff);
    value >>= 8;
  }
  out->append(bytes, sizeof(bytes));  // one append, not eight
}

// A signed value as its two's complement, in the same 8 big-endian bytes.
void PutFixed64Signed(std::string* out, int64_t value);

// PutVarint64 of a value of 0x80 or more: two bytes or more.
void PutLongVarint64(std::string* out, uint64_t value);

inline void PutVarint64(std::string* out, uint64_t value) {
  if (value < 0x80) {  // one byte: most lengths
    out->push_back(static_cast<char>(value));
    return;
  }
  PutLongVarint64(out, value);
}

// Signed values are zig-zag encoded so small negatives stay short.
void PutVarsint64(std::string* out, int64_t value);

inline void PutLengthPrefixed(std::string* out, absl::string_view value) {
  PutVarint64(out, value.size());
  out->append(value.data(), value.size());
}

// Decodes a big-endian fixed64 from exactly 8 bytes.
inline uint64_t DecodeFixed64BigEndian(const char* bytes) {
  uint64_t value = 0;
  for (int i = 0; i < 8; ++i) value = (value << 8) | static_cast<uint8_t>(bytes[i]);
  return value;
}

class Reader {
 public:
  explicit Reader(absl::string_view input) : input_(input) {}

  // The small readers are defined here, inline: decoding a million journal records and entries
  // called them tens of millions of times (7 % of a verification, docs/PERFORMANCE.md).
  [[nodiscard]] bool ReadByte(uint8_t* value) {
    if (input_.empty()) return false;
    *value = static_cast<uint8_t>(input_[0]);
    input_.remove_prefix(1);
    return true;
  }
  [[nodiscard]] bool ReadFixed64BigEndian(uint64_t* value) {
    if (input_.size() < 8) return false;
    *value = DecodeFixed64BigEndian(input_.data());
    input_.remove_prefix(8);
    return true;
  }
  [[nodiscard]] bool ReadFixed64Signed(int64_t* value) {
    uint64_t raw = 0;
    if (!ReadFixed64BigEndian(&raw)) return false;
    *value = static_cast<int64_t>(raw);
    return true;
  }
  // A LEB128 varint in its shortest form only (what PutVarint64 writes): overlong forms fail.
  [[nodiscard]] bool ReadVarint64(uint64_t* value) {
    if (!input_.empty() && static_cast<uint8_t>(input_[0]) < 0x80) {  // one byte: most of them
      *value = static_cast<uint8_t>(input_[0]);
      input_.remove_prefix(1);
      return true;
    }
    return ReadLongVarint64(value);
  }
  [[nodiscard]] bool ReadVarsint64(int64_t* value);
  // Reads a length-prefixed string of at most `length_max` bytes.
  [[nodiscard]] bool ReadLengthPrefixed(std::string* value, size_t length_max) {
    uint64_t length = 0;
    if (!ReadVarint64(&length) || length > length_max || length > input_.size()) return false;
    value->assign(input_.data(), length);
    input_.remove_prefix(length);
    return true;
  }
  [[nodiscard]] bool ReadBytes(size_t count, absl::string_view* value);
  // The same as ReadLengthPrefixed, as a view into the input: no copy.
  [[nodiscard]] bool ReadLengthPrefixedView(absl::string_view* value, size_t length_max);

  bool done() const { return input_.empty(); }

 private:
  // ReadVarint64 of two bytes or more.
  [[nodiscard]] bool ReadLongVarint64(uint64_t* value);

  absl::string_view input_;
};

}  // namespace timeledger::ledger

#endif  // TIMELEDGER_LEDGER_CODING_H_
