#include "ledger/core/page_token.h"

#include "absl/strings/escaping.h"

#include "ledger/core/check.h"
#include "ledger/core/coding.h"
#include "ledger/core/errors.h"
#include "ledger/core/sha256.h"
#include "ledger/core/types.h"
#include "ledger/core/validate.h"

namespace timeledger::ledger {
namespace {

constexpr size_t kFiltersHashBytes = 8;
constexpr size_t kHeadBytes = 2 + kFiltersHashBytes;  // version, listing, filters
constexpr size_t kAfterIdBytesMax = kIdLengthMax;     // ValidateId's longest
// The longest record, encoded (4 characters per 3 bytes, unpadded), fits the bound callers see.
static_assert((kHeadBytes + 1 + kAfterIdBytesMax + 2) / 3 * 4 <= kPageTokenCharsMax);

std::string FiltersHash(PageFilters filters) {
  std::string record;
  for (absl::string_view filter : filters) PutLengthPrefixed(&record, filter);
  const Digest digest = Sha256::Hash(record);
  return std::string(reinterpret_cast<const char*>(digest.data()), kFiltersHashBytes);
}

// The record up to its position, which the caller appends.
std::string Head(PageListing listing, PageFilters filters) {
  std::string record;
  record.push_back(static_cast<char>(kPageTokenVersion));
  record.push_back(static_cast<char>(listing));
  record.append(FiltersHash(filters));
  return record;
}

std::string Encoded(const std::string& record) {
  std::string token = absl::WebSafeBase64Escape(record);
  TL_CHECK(token.size() <= kPageTokenCharsMax);
  return token;
}

absl::Status NotGiven() {
  return Refuse(Reason::kInvalidPageToken,
                "page_token is not one this server gave; start again without it",
                {{"field", "page_token"}});
}

absl::Status OfAnotherListing() {
  return Refuse(Reason::kInvalidPageToken,
                "page_token was given for another listing or other filters: send the same "
                "filters as for the first page, or start again without it",
                {{"field", "page_token"}});
}

// The position `token` carries, after checking that it is a token of `listing` and `filters`.
absl::StatusOr<std::string> PositionOf(absl::string_view token, PageListing listing,
                                       PageFilters filters) {
  std::string record;
  if (token.size() > kPageTokenCharsMax || !absl::WebSafeBase64Unescape(token, &record)) {
    return NotGiven();
  }
  Reader reader(record);
  uint8_t version = 0;
  uint8_t listed = 0;
  absl::string_view hash;
  if (!reader.ReadByte(&version) || version != kPageTokenVersion || !reader.ReadByte(&listed) ||
      !reader.ReadBytes(kFiltersHashBytes, &hash)) {
    return NotGiven();
  }
  if (listed != static_cast<uint8_t>(listing) || hash != FiltersHash(filters)) {
    return OfAnotherListing();
  }
  return record.substr(kHeadBytes);
}

}  // namespace

std::string PageTokenAfterId(PageListing listing, PageFilters filters, absl::string_view after_id) {
  TL_CHECK(!after_id.empty() && after_id.size() <= kAfterIdBytesMax);
  std::string record = Head(listing, filters);
  PutLengthPrefixed(&record, after_id);
  return Encoded(record);
}

std::string PageTokenAfterSeq(PageListing listing, PageFilters filters, uint64_t after_seq) {
  TL_CHECK(after_seq > 0);
  std::string record = Head(listing, filters);
  PutVarint64(&record, after_seq);
  return Encoded(record);
}

absl::StatusOr<std::string> PageAfterId(absl::string_view token, PageListing listing,
                                        PageFilters filters) {
  if (token.empty()) return std::string();
  auto position = PositionOf(token, listing, filters);
  if (!position.ok()) return position.status();
  Reader reader(*position);
  std::string after;
  if (!reader.ReadLengthPrefixed(&after, kAfterIdBytesMax) || !reader.done() ||
      !ValidateId("page_token", after).ok()) {
    return NotGiven();
  }
  return after;
}

absl::StatusOr<uint64_t> PageAfterSeq(absl::string_view token, PageListing listing,
                                      PageFilters filters) {
  if (token.empty()) return uint64_t{0};
  auto position = PositionOf(token, listing, filters);
  if (!position.ok()) return position.status();
  Reader reader(*position);
  uint64_t after = 0;
  if (!reader.ReadVarint64(&after) || !reader.done() || after == 0) return NotGiven();
  return after;
}

}  // namespace timeledger::ledger
