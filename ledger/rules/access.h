// Who may call: principals, their roles and scopes, the tokens that prove them, and the checks of
// one request that depend on who makes it.
//
// A principal is a name with one role:
//   admin        the installation: every bank, every call;
//   coordinator  staff of one bank: runs that bank, but never credits their own account;
//   kiosk        a device in one bank's centre: only members signed in on it with card and PIN;
//   partner      an outside system bound to one organisation account of one bank: records SPEND
//                entries into that account and reads the entries that touch it.
// The name is what the ledger records as the principal of every entry and fact it makes.
//
// Rights belong to the person, not the token. A principal is a person (or a kiosk, a partner),
// and the registry keeps one binding per name: its role, bank and account, set when the principal
// is made, with who set it and when. Every token of the name carries that binding; only an admin
// changes it, and each change is a new version beside the old ones, never written over. A
// person's account is their account_id, or for a coordinator without one their name (a
// coordinator is best named as their staff account); all principals bound to one account are one
// person, and "never credit yourself, never confirm your own" is asked of that person.
//
// A coordinator makes tokens only for kiosks and partners of their bank, for themselves, and for
// a colleague not yet known here: a coordinator named as their own active staff person account of
// the bank, which no other principal holds. So a coordinator can never make a second identity for
// themselves (one without an account, or bound to their own or a member's account).
//
// A principal proves itself with a bearer token "tl_<id>_<secret>": <id> is 16 hex digits naming
// the token's record, <secret> 64 hex digits (256 random bits) of which only the SHA-256 is
// stored. A principal may hold several tokens (rotation); revoking one ends it at once.
//
// The token registry that keeps them is ledger/engine/token_registry.h. Everything here is a
// plain value or a pure function; thread-safe.
#ifndef TIMELEDGER_LEDGER_ACCESS_H_
#define TIMELEDGER_LEDGER_ACCESS_H_

#include <cstdint>
#include <mutex>
#include <optional>
#include <shared_mutex>
#include <string>
#include <vector>

#include "absl/base/thread_annotations.h"
#include "absl/container/flat_hash_map.h"
#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "absl/time/time.h"

#include "ledger/core/sha256.h"
#include "ledger/core/types.h"

namespace timeledger::ledger {

enum class PrincipalRole : uint8_t { kAdmin = 1, kCoordinator = 2, kKiosk = 3, kPartner = 4 };

// "admin", "coordinator", "kiosk", "partner".
const char* PrincipalRoleName(PrincipalRole role);
std::optional<PrincipalRole> ParsePrincipalRole(absl::string_view name);

struct Principal {
  std::string name;
  PrincipalRole role = PrincipalRole::kCoordinator;
  std::string bank_id;     // empty for an admin: every bank
  std::string account_id;  // a partner's organisation; a coordinator's own account, if any

  // True if the principal may act in `bank_id` at all (an admin everywhere, others in theirs).
  bool MayActIn(absl::string_view bank_id) const;
  // The account of the person behind the principal: account_id, or a coordinator's name where
  // no account is given; "" for an admin and a kiosk.
  absl::string_view PersonAccount() const;
  // True if `account_id` of the principal's bank is the principal's own account.
  bool Owns(absl::string_view account_id) const;
};

// The installation itself acting under `name`: an admin, bound by no role's limits. For the
// in-process writers (the demo, tools, tests) that record a name but act for nobody in particular.
Principal AdminNamed(std::string name);

// A member signed in at a kiosk of `bank_id` (ledger/rules/kiosk.h): the kiosk acts for the member
// alone, under the member's account as its name, and only on what waits for that member.
Principal MemberAtKiosk(std::string bank_id, std::string account_id);

// "carol (coordinator of camden)", for messages.
std::string Describe(const Principal& principal);
// The same name, role, bank and account.
bool SamePrincipal(const Principal& a, const Principal& b);

// True if `a` and `b` are the same person: the same name, or bound to the same account of the
// same bank.
bool SamePerson(const Principal& a, const Principal& b);

// The recorded name of timeledgerd itself, e.g. for the admin token it makes on first start.
inline constexpr char kServerPrincipal[] = "timeledgerd";

inline constexpr size_t kTokenIdHexChars = 16;
inline constexpr size_t kTokenSecretHexChars = 64;
// Token records kept, revoked ones included: a bound on memory and on ListTokens' answer.
inline constexpr size_t kTokensMax = 4096;

struct TokenRecord {
  std::string token_id;
  Principal principal;
  Digest secret_hash{};  // SHA-256 of the secret's 64 hex characters
  absl::Time created_at = absl::InfinitePast();
  std::string created_by;
  absl::Time revoked_at = absl::InfinitePast();  // InfinitePast: in force
  std::string revoked_by;
  // The subject of the client certificate (RFC 2253, "CN=cafe-till,O=Cafe") every call with the
  // token must come with; "" if the token may come with any certificate or none.
  std::string client_subject;

  bool revoked() const { return revoked_at != absl::InfinitePast(); }
};

// The longest client certificate subject a token is bound to.
inline constexpr size_t kClientSubjectBytesMax = 256;

// What a live bearer token proves: the principal, as its name is bound now, and the client
// certificate the token must come with.
struct Credential {
  Principal principal;
  std::string token_id;
  std::string client_subject;  // as TokenRecord's
};

// What a name is bound to: the principal every token of the name carries, as set by `set_by` at
// `set_at`. Version 1 is the name's first binding; a change is the next version, and the earlier
// ones stay.
struct PrincipalBinding {
  Principal principal;
  uint64_t version = 0;
  absl::Time set_at = absl::InfinitePast();
  std::string set_by;
};

// A token as issued: its record, and the bearer token itself, which is shown once and never
// stored.
struct IssuedToken {
  TokenRecord record;
  PrincipalBinding binding;  // what the token carries
  std::string bearer;
};

// Version 1 of a token record has no client subject; version 2, written only for a token bound to
// one, ends with it. Both are read.
std::string EncodeTokenRecord(const TokenRecord& record);
absl::StatusOr<TokenRecord> DecodeTokenRecord(absl::string_view bytes);
std::string EncodePrincipalBinding(const PrincipalBinding& binding);
absl::StatusOr<PrincipalBinding> DecodePrincipalBinding(absl::string_view bytes);

// A token and the binding it carries now.
struct TokenView {
  TokenRecord record;
  PrincipalBinding binding;
};

// InvalidArgument unless the principal's fields fit its role: a name that is an id; a bank for
// every role but admin, and none for an admin; an account for a partner, and for a kiosk none.
absl::Status ValidatePrincipal(const Principal& principal);

// PERMISSION_DENIED (NOT_YOURS_TO_MANAGE) unless `by` may issue, list or revoke tokens of
// `principal`: an admin any; a coordinator only kiosk, partner and coordinator tokens of their own
// bank (TokenRegistry::Issue asks more of a coordinator's new coordinator). It reads nothing, so
// a bank outside the caller's scope is refused alike whether it exists or not.
absl::Status CheckMayManage(const Principal& by, const Principal& principal);

// PERMISSION_DENIED (NOT_YOURS_TO_MANAGE) unless `by` may list the tokens of `bank_id` ("" for
// every bank `by` may manage).
absl::Status CheckMayList(const Principal& by, absl::string_view bank_id);

// INVALID_TEXT unless `subject` may be a token's client subject: at most kClientSubjectBytesMax
// bytes of printable ASCII (RFC 2253 escapes everything else), "" for none.
absl::Status ValidateClientSubject(absl::string_view subject);

// PERMISSION_DENIED (CERTIFICATE_MISMATCH) unless a call that came with a client certificate of
// subject `presented` ("" for none) may use `credential`: any call if the token is bound to no
// certificate, else only one with a certificate of that subject. The refusal names the token and
// what was presented, never the subject the token is bound to.
absl::Status CheckClientCertificate(const Credential& credential, absl::string_view presented);

// PERMISSION_DENIED (OUT_OF_SCOPE) unless the principal may act in `bank_id` at all.
absl::Status CheckMayActIn(const Principal& by, absl::string_view bank_id);

// The checks of a write that only staff make (accounts, policies, cards and PINs, the catalogue,
// awards, offers, the expiry sweep): PERMISSION_DENIED ROLE_NOT_ALLOWED for a kiosk or a partner,
// then OUT_OF_SCOPE (CheckMayActIn) outside the principal's bank.
absl::Status CheckStaffOf(const Principal& by, absl::string_view bank_id);
// PERMISSION_DENIED ROLE_NOT_ALLOWED unless `by` is an admin (creating a bank).
absl::Status CheckAdmin(const Principal& by);

// The checks of an entry that depend on who records it (the role's table has already allowed
// the call):
// - a partner records only SPEND entries paid into its own organisation account;
// - a coordinator does not credit their own account, unless `self_credit_needs_confirmation`
//   (the bank's policy sends self-recorded entries to the payer for confirmation).
absl::Status CheckMayRecord(const Principal& by, const EntrySpec& spec,
                            bool self_credit_needs_confirmation);

// A coordinator does not confirm an entry that credits their own account (SELF_CREDIT), nor one
// that they recorded as another principal of the same person (SELF_CONFIRMATION); `recorder` is
// the binding of the name that recorded it, if the registry knows the name.
absl::Status CheckMayConfirm(const Principal& by, const Entry& entry,
                             const std::optional<Principal>& recorder);

// A coordinator does not reverse an entry that they paid (SELF_CREDIT): the reversal would credit
// their own account, which another coordinator must do.
absl::Status CheckMayReverse(const Principal& by, const Entry& original);

// A partner reads only its own account, and the entries that touch it.
absl::Status CheckMayReadAccount(const Principal& by, absl::string_view account_id);
absl::Status CheckMayReadEntry(const Principal& by, const Entry& entry);

// The account whose entries a listing by `by` shows: `requested` ("" for every account), but for
// a partner, which may see no other, its own account where none is named, and
// PARTNER_OWN_ACCOUNT_ONLY for another.
absl::StatusOr<std::string> AccountToList(const Principal& by, absl::string_view requested);

}  // namespace timeledger::ledger

#endif  // TIMELEDGER_LEDGER_ACCESS_H_
