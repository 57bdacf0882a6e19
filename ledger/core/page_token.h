// Page tokens: where the next page of a listing begins, bound to that listing and to the fields
// of the request that choose its rows, and opaque to callers.
//
// A token is the unpadded base64url of a small record:
//   version  1 byte, kPageTokenVersion
//   listing  1 byte, a PageListing
//   filters  8 bytes: the first 8 bytes of SHA-256 over the filters, each length-prefixed
//   after    the key of the last row of the page before: an id, length-prefixed, or a seq, as a
//            varint
// A token names a position in the order of the rows, not anything the server keeps: it stays
// good across restarts and for as long as the caller keeps it, and rows written meanwhile after
// that position are on the next pages. It is not signed: a caller that builds one only starts its
// own listing somewhere else, where paging would have taken it too. A token of another listing,
// of other filters, or of no listing at all is refused, so that a page is never silently of
// something else than the caller asked for.
//
// Functions here are pure and thread-safe.
#ifndef TIMELEDGER_LEDGER_CORE_PAGE_TOKEN_H_
#define TIMELEDGER_LEDGER_CORE_PAGE_TOKEN_H_

#include <cstddef>
#include <cstdint>
#include <initializer_list>
#include <string>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"

namespace timeledger::ledger {

inline constexpr uint8_t kPageTokenVersion = 1;
// The longest token this server gives (an id of 64 bytes, encoded) and reads.
inline constexpr size_t kPageTokenCharsMax = 128;

// The listings that page; the byte each token carries. Never renumber one.
enum class PageListing : uint8_t {
  kBanks = 1,
  kAccounts = 2,
  kEntries = 3,
  kCatalogue = 4,
  kQualifications = 5,
  kHolders = 6,
};

// The values of the request's fields that choose the rows, in an order fixed per listing (e.g.
// bank_id, account_id); the page size is not one of them.
using PageFilters = std::initializer_list<absl::string_view>;

// The token of the page after the row keyed `after_id` / `after_seq`.
std::string PageTokenAfterId(PageListing listing, PageFilters filters, absl::string_view after_id);
std::string PageTokenAfterSeq(PageListing listing, PageFilters filters, uint64_t after_seq);

// The key of the row the page of `token` begins after: "" / 0 for an empty token (the first
// page). INVALID_ARGUMENT INVALID_PAGE_TOKEN for a token this server did not give, or gave for
// another listing or other filters.
absl::StatusOr<std::string> PageAfterId(absl::string_view token, PageListing listing,
                                        PageFilters filters);
absl::StatusOr<uint64_t> PageAfterSeq(absl::string_view token, PageListing listing,
                                      PageFilters filters);

}  // namespace timeledger::ledger

#endif  // TIMELEDGER_LEDGER_CORE_PAGE_TOKEN_H_
