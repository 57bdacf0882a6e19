#include "ledger/core/coding.h"

namespace timeledger::ledger {

void PutFixed64Signed(std::string* out, int64_t value) {
  PutFixed64BigEndian(out, static_cast<uint64_t>(value));
}

void PutLongVarint64(std::string* out, uint64_t value) {
  while (value >= 0x80) {
    out->push_back(static_cast<char>((value & 0x7f) | 0x80));
    value >>= 7;
  }
  out->push_back(static_cast<char>(value));
}

void PutVarsint64(std::string* out, int64_t value) {
  const uint64_t zigzag = (static_cast<uint64_t>(value) << 1) ^ static_cast<uint64_t>(value >> 63);
  PutVarint64(out, zigzag);
}

bool Reader::ReadLongVarint64(uint64_t* value) {
  uint64_t result = 0;
  for (int shift = 0; shift <= 63; shift += 7) {
    if (input_.empty()) return false;
    const uint8_t byte = static_cast<uint8_t>(input_[0]);
    input_.remove_prefix(1);
    if (shift == 63 && byte > 1) return false;  // overflows 64 bits
    result |= static_cast<uint64_t>(byte & 0x7f) << shift;
    if ((byte & 0x80) == 0) {
      // Only the shortest form: a final zero byte after others is an overlong encoding, and
      // accepting it would give one value two encodings (tests/fuzz/records_fuzz).
      if (byte == 0 && shift > 0) return false;
      *value = result;
      return true;
    }
  }
  return false;
}

bool Reader::ReadVarsint64(int64_t* value) {
  uint64_t zigzag = 0;
  if (!ReadVarint64(&zigzag)) return false;
  *value = static_cast<int64_t>((zigzag >> 1) ^ (~(zigzag & 1) + 1));
  return true;
}

bool Reader::ReadLengthPrefixedView(absl::string_view* value, size_t length_max) {
  uint64_t length = 0;
  if (!ReadVarint64(&length) || length > length_max || length > input_.size()) return false;
  *value = input_.substr(0, length);
  input_.remove_prefix(length);
  return true;
}

bool Reader::ReadBytes(size_t count, absl::string_view* value) {
  if (count > input_.size()) return false;
  *value = input_.substr(0, count);
  input_.remove_prefix(count);
  return true;
}

}  // namespace timeledger::ledger
