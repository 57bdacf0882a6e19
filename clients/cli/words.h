// The plain words the CLI uses for the wire contract's enums, dates and accounts, and the
// parsing of the words coordinators type for them (--kind person, --roles member,volunteer,
// --occurred-at 2026-11-20).
//
// Pure functions over generated protobuf types; thread-safe.
#ifndef TIMELEDGER_CLIENTS_CLI_WORDS_H_
#define TIMELEDGER_CLIENTS_CLI_WORDS_H_

#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "absl/time/time.h"
#include "google/protobuf/timestamp.pb.h"

#include "timeledger/v1/types.pb.h"

namespace timeledger::cli {

namespace v1 = ::timeledger::v1;

// "person", "organisation", "community pool".
std::string AccountKindWords(v1::AccountKind kind);

// "member", "volunteer", "staff".
std::string RoleWords(v1::Role role);

// "member, volunteer"; empty when there are no roles.
std::string RolesWords(const google::protobuf::RepeatedField<int>& roles);

// "active", "suspended", "closed".
std::string AccountStatusWords(v1::AccountStatus status);

// "exchange", "award", "spend", "donation", "grant", "reversal".
std::string EntryKindWords(v1::EntryKind kind);

// An account whose member's personal data was erased, in English.
inline constexpr absl::string_view kErasedMemberWords = "an erased member";

// "Alice Brown (alice)"; just the id when there is no display name.
std::string AccountLabel(absl::string_view display_name, absl::string_view account_id);
// What to call an account: its display name, or `erased` ("an erased member") once its
// personal data was erased.
std::string DisplayNameOf(const v1::Account& account,
                          absl::string_view erased = kErasedMemberWords);

// "20 Nov 2026" in `zone`; "-" when the timestamp is unset.
std::string FormatDate(const google::protobuf::Timestamp& timestamp, absl::TimeZone zone);

// "20 Nov 2026 10:00" in `zone`; "-" when the timestamp is unset.
std::string FormatDateTime(const google::protobuf::Timestamp& timestamp, absl::TimeZone zone);

// Parses --kind of an account: person, organisation (or organization), pool.
absl::StatusOr<v1::AccountKind> ParseAccountKind(absl::string_view text);

// Parses --roles: a comma-separated list of member, volunteer, staff; no repeats.
absl::StatusOr<std::vector<v1::Role>> ParseRoles(absl::string_view text);

// Parses --kind of an entry: exchange, award, spend, donation, grant. (Reversals are made only
// by `entry reverse`.)
absl::StatusOr<v1::EntryKind> ParseEntryKind(absl::string_view text);

// True if `text` is a bare date such as "2026-11-20", whose meaning depends on a time zone.
bool IsBareDate(absl::string_view text);

// Parses --occurred-at: an RFC 3339 time ("2026-11-20T10:00:00Z", "2026-11-20T10:00:00+01:00")
// or a bare date ("2026-11-20"), which means the start of that day in `zone`.
absl::StatusOr<absl::Time> ParseOccurredAt(absl::string_view text, absl::TimeZone zone);

// The wire form of a point in time.
google::protobuf::Timestamp ToTimestamp(absl::Time time);

}  // namespace timeledger::cli

#endif  // TIMELEDGER_CLIENTS_CLI_WORDS_H_
