// Checks of what callers send, before anything touches the ledger's state.
//
// Pure functions: each returns OK or an InvalidArgument naming the field and the limit, with a
// stable reason (INVALID_ID, INVALID_MINUTES, SELF_TRANSFER, ...). Thread-safe.
#ifndef TIMELEDGER_LEDGER_VALIDATE_H_
#define TIMELEDGER_LEDGER_VALIDATE_H_

#include "absl/status/status.h"
#include "absl/strings/string_view.h"
#include "absl/time/time.h"

#include "ledger/core/types.h"

namespace timeledger::ledger {

// A bank or account id: 1 to 64 of [A-Za-z0-9._-], starting with a letter or digit.
absl::Status ValidateId(absl::string_view field, absl::string_view id);
// An idempotency key: 1 to 128 of [A-Za-z0-9._:-], starting with a letter or digit.
absl::Status ValidateEntryId(absl::string_view field, absl::string_view id);
// A caller's new idempotency key: as ValidateEntryId, and not in the ledger's own name space
// (cap excess, closing donation, expiry, qualification reward, and, unless
// `reversal_default_allowed`, the default key of a reversal): InvalidArgument RESERVED_ENTRY_ID.
absl::Status ValidateNewEntryId(absl::string_view field, absl::string_view id,
                                bool reversal_default_allowed);
// Free text: valid UTF-8 of at most `length_max` bytes, non-empty if `required`, with no
// character that is invisible and changes how text is shown or read: controls (C0, DEL, C1),
// format characters (bidirectional overrides and isolates, zero-width spaces, soft hyphens, ...),
// line and paragraph separators and noncharacters. A zero-width joiner or non-joiner is allowed
// only right after a visible character, where Bengali, Persian and emoji need it.
absl::Status ValidateText(absl::string_view field, absl::string_view text, size_t length_max,
                          bool required);
// A name (of a bank, an account, a catalogue item, ...): text as above with at least one visible
// character, so that no name is made only of spaces or joiners.
absl::Status ValidateName(absl::string_view field, absl::string_view text, size_t length_max,
                          bool required);
// A time zone by its name in the tz database ("Europe/London"), never a path: the name must be
// one of the database's zones or links (tzdata.zi) and load.
absl::Status ValidateTimeZone(absl::string_view time_zone);

absl::Status ValidateBank(const Bank& bank);
absl::Status ValidateNewAccount(const Account& account);
// Checks an entry request on its own; `now` bounds occurred_at (kClockSkewMax ahead at most).
absl::Status ValidateEntrySpec(const EntrySpec& spec, absl::Time now);
// A phone number and an email as an account may hold them ("" for none): INVALID_CONTACT.
absl::Status ValidateContact(absl::string_view phone, absl::string_view email);
// Checks page_size (0 means the default) and returns the effective size.
absl::Status ValidatePageSize(int64_t page_size, size_t* effective);

}  // namespace timeledger::ledger

#endif  // TIMELEDGER_LEDGER_VALIDATE_H_
