// Who may call: principals, their roles and scopes, the tokens that prove them, and the checks of
// one request that depend on who makes it.
//
// A principal is a name with one role:
//   admin        the installation: every bank, every call;
//   coordinator  staff of one bank: runs that bank, but never credits their own account;
//   kiosk        a device in one bank's centre: only members signed in on it with card and PIN;
//   partner      an outside system bound to one organisation account of one bank: records SPEND
//                entries into that account and reads the entries that touch it.
// The name is what the ledger records as the principal of every entry and fact it makes. A
// coordinator's name is their staff account's id if they have one, so that the rules that compare
// the recorder with the parties (self-recorded entries, awards) see the person.
//
// A principal proves itself with a bearer token "tl_<id>_<secret>": <id> is 16 hex digits naming
// the token's record, <secret> 64 hex digits (256 random bits) of which only the SHA-256 is
// stored. A principal may hold several tokens (rotation); revoking one ends it at once.
//
// TokenRegistry keeps the token records in the store (key 'T', outside the journal: they are
// credentials, not facts of a bank) and in memory for authentication. Thread-safe.
#ifndef TIMELEDGER_LEDGER_ACCESS_H_
#define TIMELEDGER_LEDGER_ACCESS_H_

#include <cstdint>
#include <mutex>
#include <shared_mutex>
#include <optional>
#include <string>
#include <vector>

#include "absl/container/flat_hash_map.h"
#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "absl/time/time.h"
#include "ledger/sha256.h"
#include "ledger/types.h"

namespace timeledger::ledger {

class Store;

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
  // True if `account_id` of the principal's bank is the principal's own account.
  bool Owns(absl::string_view account_id) const;
};

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

  bool revoked() const { return revoked_at != absl::InfinitePast(); }
};

// A token as issued: its record, and the bearer token itself, which is shown once and never
// stored.
struct IssuedToken {
  TokenRecord record;
  std::string bearer;
};

std::string EncodeTokenRecord(const TokenRecord& record);
absl::StatusOr<TokenRecord> DecodeTokenRecord(absl::string_view bytes);

// InvalidArgument unless the principal's fields fit its role: a name that is an id; a bank for
// every role but admin, and none for an admin; an account for a partner, and for a kiosk none.
absl::Status ValidatePrincipal(const Principal& principal);

// PERMISSION_DENIED unless `by` may issue, list or revoke tokens of `principal`: an admin any; a
// coordinator only kiosk, partner and coordinator tokens of their own bank.
absl::Status CheckMayManage(const Principal& by, const Principal& principal);

// PERMISSION_DENIED (OUT_OF_SCOPE) unless the principal may act in `bank_id` at all.
absl::Status CheckMayActIn(const Principal& by, absl::string_view bank_id);

// The checks of an entry that depend on who records it (the role's table has already allowed
// the call):
// - a partner records only SPEND entries paid into its own organisation account;
// - a coordinator does not credit their own account, unless `self_credit_needs_confirmation`
//   (the bank's policy sends self-recorded entries to the payer for confirmation).
absl::Status CheckMayRecord(const Principal& by, const EntrySpec& spec,
                            bool self_credit_needs_confirmation);

// A coordinator does not confirm an entry that credits their own account.
absl::Status CheckMayConfirm(const Principal& by, const Entry& entry);

// A partner reads only its own account, and the entries that touch it.
absl::Status CheckMayReadAccount(const Principal& by, absl::string_view account_id);
absl::Status CheckMayReadEntry(const Principal& by, const Entry& entry);

class TokenRegistry {
 public:
  // Borrows the store, which must outlive the registry.
  explicit TokenRegistry(Store* store) : store_(store) {}

  TokenRegistry(const TokenRegistry&) = delete;
  TokenRegistry& operator=(const TokenRegistry&) = delete;

  // Reads every token record into memory. Call once, before anything else.
  absl::Status Load();

  // Makes a new token for `principal` (validated, and allowed to `by`), durable before it
  // returns. Refuses a name that already holds live tokens of another role or scope.
  absl::StatusOr<IssuedToken> Issue(const Principal& principal, const Principal& by,
                                    absl::Time now);
  // Ends a token at once. Revoking a revoked token changes nothing and returns it.
  absl::StatusOr<TokenRecord> Revoke(absl::string_view token_id, const Principal& by,
                                     absl::Time now);
  // The tokens `by` may manage, of `bank_id` if not empty, oldest first.
  std::vector<TokenRecord> List(const Principal& by, absl::string_view bank_id,
                                bool include_revoked) const;
  // The principal whose live token `bearer` is; UNAUTHENTICATED for anything else.
  absl::StatusOr<Principal> Authenticate(absl::string_view bearer) const;

 private:
  Store* store_;
  // Issue and Revoke one at a time, the synced commit included; they change the map only under
  // an exclusive lock of mu_, after the commit, so that authentication (a shared lock) never
  // waits for a disk.
  std::mutex write_mu_;
  mutable std::shared_mutex mu_;
  absl::flat_hash_map<std::string, TokenRecord> tokens_;  // by token_id
  std::vector<std::string> order_;                         // token ids, oldest first
};

}  // namespace timeledger::ledger

#endif  // TIMELEDGER_LEDGER_ACCESS_H_
