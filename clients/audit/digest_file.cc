#include "clients/audit/digest_file.h"

#include <cmath>
#include <fstream>
#include <sstream>

#include "absl/strings/str_cat.h"
#include <google/protobuf/struct.pb.h>
#include <google/protobuf/util/json_util.h>

#include "common/log.h"

namespace timeledger::audit {
namespace {

// The largest integer a JSON number carries exactly.
constexpr double kJsonIntegerMax = 9007199254740992.0;  // 2^53

absl::StatusOr<std::string> StringField(const google::protobuf::Struct& object,
                                        const std::string& key) {
  auto it = object.fields().find(key);
  if (it == object.fields().end() || !it->second.has_string_value()) {
    return absl::InvalidArgumentError(absl::StrCat("the digest file has no \"", key, "\""));
  }
  return it->second.string_value();
}

absl::StatusOr<uint64_t> NumberField(const google::protobuf::Struct& object,
                                     const std::string& key) {
  auto it = object.fields().find(key);
  if (it == object.fields().end() || !it->second.has_number_value()) {
    return absl::InvalidArgumentError(absl::StrCat("the digest file has no number \"", key, "\""));
  }
  const double value = it->second.number_value();
  if (value < 0 || value > kJsonIntegerMax || std::floor(value) != value) {
    return absl::InvalidArgumentError(absl::StrCat("\"", key, "\" is not a count"));
  }
  return static_cast<uint64_t>(value);
}

absl::StatusOr<Hash> HashField(const google::protobuf::Struct& object, const std::string& key) {
  auto text = StringField(object, key);
  if (!text.ok()) return text.status();
  auto hash = FromHex(*text);
  if (!hash.ok())
    return absl::InvalidArgumentError(absl::StrCat("\"", key, "\": ", hash.status().message()));
  return hash;
}

}  // namespace

std::string JsonString(absl::string_view text) { return common::JsonQuoted(text); }

std::string FormatDigestFile(const DigestFile& digest) {
  return absl::StrCat(
      "{\"format\": ", JsonString(kDigestFormat), ", \"server\": ", JsonString(digest.server),
      ", \"bank_id\": ", JsonString(digest.bank_id), ", \"tree_size\": ", digest.tree_size,
      ", \"root_hash\": ", JsonString(ToHex(digest.root_hash)),
      ", \"journal_hash\": ", JsonString(ToHex(digest.journal_hash)),
      ", \"entry_count\": ", digest.entry_count, ", \"issued_at\": ", JsonString(digest.issued_at),
      "}\n");
}

absl::StatusOr<DigestFile> ParseDigestFile(absl::string_view text) {
  if (text.size() > kDigestFileBytesMax) {
    return absl::InvalidArgumentError("a digest file is a few hundred bytes; this is too long");
  }
  google::protobuf::Struct object;
  const auto parsed = google::protobuf::util::JsonStringToMessage(
      google::protobuf::StringPiece(text.data(), text.size()), &object);
  if (!parsed.ok()) {
    return absl::InvalidArgumentError(
        absl::StrCat("not a digest file (JSON): ", std::string(parsed.message())));
  }
  auto format = StringField(object, "format");
  if (!format.ok()) return format.status();
  if (*format != kDigestFormat) {
    return absl::InvalidArgumentError(absl::StrCat("unknown digest format ", *format));
  }
  DigestFile digest;
  auto bank_id = StringField(object, "bank_id");
  auto tree_size = NumberField(object, "tree_size");
  auto root_hash = HashField(object, "root_hash");
  if (!bank_id.ok()) return bank_id.status();
  if (!tree_size.ok()) return tree_size.status();
  if (!root_hash.ok()) return root_hash.status();
  digest.bank_id = *bank_id;
  digest.tree_size = *tree_size;
  digest.root_hash = *root_hash;
  // Informational fields: kept if present.
  if (auto server = StringField(object, "server"); server.ok()) digest.server = *server;
  if (auto issued = StringField(object, "issued_at"); issued.ok()) digest.issued_at = *issued;
  if (auto hash = HashField(object, "journal_hash"); hash.ok()) digest.journal_hash = *hash;
  if (auto count = NumberField(object, "entry_count"); count.ok()) digest.entry_count = *count;
  return digest;
}

absl::StatusOr<DigestFile> ReadDigestFile(const std::string& path) {
  std::ifstream in(path);
  if (!in) return absl::NotFoundError(absl::StrCat("cannot read the digest file ", path));
  std::string text(kDigestFileBytesMax + 1, '\0');
  in.read(text.data(), static_cast<std::streamsize>(text.size()));
  text.resize(static_cast<size_t>(in.gcount()));
  auto digest = ParseDigestFile(text);
  if (!digest.ok()) {
    return absl::InvalidArgumentError(absl::StrCat(path, ": ", digest.status().message()));
  }
  return digest;
}

}  // namespace timeledger::audit
