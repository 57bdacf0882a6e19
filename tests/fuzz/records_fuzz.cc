// Fuzz target: the decoding of stored records. A stored record is read back from disk, a backup or
// an export, so its decoder must take any bytes: fail cleanly or return a value, never crash.
//
// The first byte picks the decoder; the rest is the record. Beyond not crashing it checks that
// decoding is exact: whatever a decoder accepts re-encodes to the very bytes it was given, for the
// encodings that are hashed (the canonical entry, the stored entry, the journal fact: two byte
// strings must never decode to the same entry, or a hash would not pin it down), and to a fixed
// point for the others (decode, encode, decode again, encode again: the same bytes). Catalogue
// items and awards are held to exactness too: facts embed their records.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string>

#include "absl/strings/string_view.h"

#include "ledger/core/records.h"
#include "ledger/journal/journal.h"
#include "ledger/rules/access.h"
#include "ledger/rules/kiosk.h"
#include "ledger/rules/policy.h"
#include "ledger/rules/qualifications.h"

namespace timeledger::ledger {
namespace {

[[noreturn]] void Fail(const char* what) {
  std::fprintf(stderr, "records_fuzz: %s\n", what);
  std::abort();
}

// Exact: the accepted bytes are the one encoding of what they decode to.
template <typename T, typename Decode, typename Encode>
void CheckExact(absl::string_view bytes, Decode decode, Encode encode, const char* name) {
  const absl::StatusOr<T> decoded = decode(bytes);
  if (!decoded.ok()) return;
  if (encode(*decoded) != bytes) Fail(name);
}

// Stable: decoding what was encoded gives back a value that encodes the same.
template <typename T, typename Decode, typename Encode>
void CheckStable(absl::string_view bytes, Decode decode, Encode encode, const char* name) {
  const absl::StatusOr<T> decoded = decode(bytes);
  if (!decoded.ok()) return;
  const std::string once = encode(*decoded);
  const absl::StatusOr<T> again = decode(once);
  if (!again.ok()) Fail(name);
  if (encode(*again) != once) Fail(name);
}

}  // namespace
}  // namespace timeledger::ledger

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace timeledger::ledger;
  if (size == 0) return 0;
  const absl::string_view bytes(reinterpret_cast<const char*>(data) + 1, size - 1);
  switch (data[0] % 16) {
    case 0:
      CheckExact<Entry>(bytes, DecodeCanonicalEntry, CanonicalEntryBytes,
                        "a canonical entry is not exactly its own encoding");
      break;
    case 1:
      CheckExact<Entry>(bytes, DecodeEntry, EncodeEntry,
                        "a stored entry is not exactly its own encoding");
      break;
    case 2:
      CheckExact<Fact>(bytes, DecodeFact, EncodeFact, "a fact is not exactly its own encoding");
      break;
    case 3:
      CheckStable<Bank>(bytes, DecodeBank, EncodeBank, "a bank record does not round-trip");
      break;
    case 4:
      CheckStable<Account>(bytes, DecodeAccount, EncodeAccount,
                           "an account record does not round-trip");
      break;
    case 5:
      CheckStable<ChainHead>(bytes, DecodeChainHead, EncodeChainHead,
                             "a chain head does not round-trip");
      break;
    case 6:
      CheckStable<EntryIdRecord>(bytes, DecodeEntryIdRecord, EncodeEntryIdRecord,
                                 "an entry id record does not round-trip");
      break;
    case 7:
      CheckStable<PendingEntry>(bytes, DecodePendingEntry, EncodePendingEntry,
                                "a pending entry does not round-trip");
      break;
    case 8:
      CheckStable<Policy>(bytes, DecodePolicy, EncodePolicy, "a policy does not round-trip");
      break;
    case 9:
      CheckExact<CatalogueItem>(bytes, DecodeCatalogueItem, EncodeCatalogueItem,
                                "a catalogue item (inside facts) is not exactly its encoding");
      break;
    case 10:
      CheckExact<Award>(bytes, DecodeAward, EncodeAward,
                        "an award (inside facts) is not exactly its encoding");
      break;
    case 11:
      CheckStable<Holding>(bytes, DecodeHolding, EncodeHolding, "a holding does not round-trip");
      break;
    case 12:
      CheckStable<MemberCard>(bytes, DecodeMemberCard, EncodeMemberCard,
                              "a member card does not round-trip");
      break;
    case 13:
      CheckStable<CardAttempts>(bytes, DecodeCardAttempts, EncodeCardAttempts,
                                "a card's wrong PINs do not round-trip");
      break;
    case 14:
      CheckStable<TokenRecord>(bytes, DecodeTokenRecord, EncodeTokenRecord,
                               "a token record does not round-trip");
      break;
    case 15:
      CheckStable<PrincipalBinding>(bytes, DecodePrincipalBinding, EncodePrincipalBinding,
                                    "a principal binding does not round-trip");
      break;
  }
  return 0;
}
