// A digest file: what `timeledger audit digest --out FILE` saves and the verify commands read. A
// small JSON object, so that a person (or clients/verify_export.py) can read it:
//
//   {"format": "timeledger-digest/1", "server": "127.0.0.1:50051", "bank_id": "hcct",
//    "tree_size": 1200, "root_hash": "<64 hex>", "journal_hash": "<64 hex>",
//    "entry_count": 1000, "issued_at": "2026-09-21T10:00:00Z"}
//
// Pure functions; thread-safe.
#ifndef TIMELEDGER_CLIENTS_AUDIT_DIGEST_FILE_H_
#define TIMELEDGER_CLIENTS_AUDIT_DIGEST_FILE_H_

#include <cstdint>
#include <string>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"

#include "clients/audit/proof_check.h"

namespace timeledger::audit {

inline constexpr char kDigestFormat[] = "timeledger-digest/1";
// A digest file larger than this is not one.
inline constexpr size_t kDigestFileBytesMax = 64 * 1024;

struct DigestFile {
  std::string server;
  std::string bank_id;
  uint64_t tree_size = 0;
  Hash root_hash{};
  Hash journal_hash{};
  uint64_t entry_count = 0;
  std::string issued_at;  // RFC 3339
};

// The JSON text, one line, ending in a newline.
std::string FormatDigestFile(const DigestFile& digest);
// Parses FormatDigestFile's output (keys in any order, unknown keys ignored). InvalidArgument
// naming what is missing or malformed.
absl::StatusOr<DigestFile> ParseDigestFile(absl::string_view text);

// Reads and parses a file. NotFound / InvalidArgument.
absl::StatusOr<DigestFile> ReadDigestFile(const std::string& path);

// Escapes a string for a JSON string literal (quotes included).
std::string JsonString(absl::string_view text);

}  // namespace timeledger::audit

#endif  // TIMELEDGER_CLIENTS_AUDIT_DIGEST_FILE_H_
