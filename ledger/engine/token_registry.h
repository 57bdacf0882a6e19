// TokenRegistry keeps the token records and the bindings (ledger/rules/access.h) in the store
// (keys 'T' and 'W', outside the per-bank journal: they are credentials of the installation, and
// an admin is of no bank) and in memory for authentication. Neither is ever deleted: a token
// record keeps who made and who revoked it and when, a binding who set it and when, so together
// they show who could act as whom at any time. Thread-safe.
#ifndef TIMELEDGER_LEDGER_ENGINE_TOKEN_REGISTRY_H_
#define TIMELEDGER_LEDGER_ENGINE_TOKEN_REGISTRY_H_

#include <optional>
#include <string>
#include <vector>

#include "absl/base/thread_annotations.h"
#include "absl/container/flat_hash_map.h"
#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/time.h"

#include "ledger/rules/access.h"

namespace timeledger::ledger {

class Store;

class TokenRegistry {
 public:
  // Borrows the store, which must outlive the registry.
  explicit TokenRegistry(Store* store) : store_(store) {}

  TokenRegistry(const TokenRegistry&) = delete;
  TokenRegistry& operator=(const TokenRegistry&) = delete;

  // Reads every token record into memory. Call once, before anything else.
  absl::Status Load() ABSL_LOCKS_EXCLUDED(mu_);

  // Makes a new token for `principal` (validated, and allowed to `by`), durable before it
  // returns, with the name's binding if it is new or changed. `account` is the account
  // `principal` is bound to, as the ledger has it (nullptr if none, or not looked up). Refuses
  // (PRINCIPAL_CONFLICT) a name that holds live tokens as another role or scope, and a
  // coordinator any name already bound otherwise: only an admin changes a binding. Refuses a
  // coordinator's new coordinator unless it is named as its own active staff person account
  // (COLLEAGUE_ACCOUNT_REQUIRED) that no other principal holds (ACCOUNT_HELD). A token with a
  // `client_subject` (ValidateClientSubject) is bound to client certificates of that subject.
  absl::StatusOr<IssuedToken> Issue(const Principal& principal, const Principal& by, absl::Time now,
                                    const Account* account = nullptr,
                                    absl::string_view client_subject = "")
      ABSL_LOCKS_EXCLUDED(write_mu_, mu_);
  // Ends a token at once. Revoking a revoked token changes nothing and returns it.
  absl::StatusOr<TokenRecord> Revoke(absl::string_view token_id, const Principal& by,
                                     absl::Time now) ABSL_LOCKS_EXCLUDED(write_mu_, mu_);
  // The tokens `by` may manage, of `bank_id` if not empty, oldest first, with the binding each
  // carries now; NOT_YOURS_TO_MANAGE for another bank's (CheckMayList).
  absl::StatusOr<std::vector<TokenView>> List(const Principal& by, absl::string_view bank_id,
                                              bool include_revoked) const ABSL_LOCKS_EXCLUDED(mu_);
  // The principal whose live token `bearer` is, as its name is bound now; UNAUTHENTICATED for
  // anything else.
  absl::StatusOr<Principal> Authenticate(absl::string_view bearer) const ABSL_LOCKS_EXCLUDED(mu_);
  // The same with the token's id and the client certificate it must come with, which the caller
  // checks against the call's (CheckClientCertificate).
  absl::StatusOr<Credential> AuthenticateToken(absl::string_view bearer) const
      ABSL_LOCKS_EXCLUDED(mu_);
  // The binding of `name` in force, or nullopt if the name was never made.
  std::optional<PrincipalBinding> BindingOf(absl::string_view name) const ABSL_LOCKS_EXCLUDED(mu_);
  // Every binding `name` has had, oldest first (empty if none).
  std::vector<PrincipalBinding> BindingHistory(absl::string_view name) const
      ABSL_LOCKS_EXCLUDED(mu_);

 private:
  Store* store_;
  // Issue and Revoke one at a time, the synced commit included; they change the map only under
  // an exclusive lock of mu_, after the commit, so that authentication (a shared lock) never
  // waits for a disk.
  absl::Mutex write_mu_ ABSL_ACQUIRED_BEFORE(mu_);
  mutable absl::Mutex mu_;
  absl::Status CheckMayBind(const Principal& principal, const Principal& by,
                            const Account* account) const ABSL_SHARED_LOCKS_REQUIRED(mu_);
  bool HoldsLiveTokens(absl::string_view name) const ABSL_SHARED_LOCKS_REQUIRED(mu_);
  const PrincipalBinding* Current(absl::string_view name) const ABSL_SHARED_LOCKS_REQUIRED(mu_);

  absl::flat_hash_map<std::string, TokenRecord> tokens_ ABSL_GUARDED_BY(mu_);  // by token_id
  std::vector<std::string> order_ ABSL_GUARDED_BY(mu_);  // token ids, oldest first
  // Every binding of each name, oldest first; at most one per token issued, so bounded by
  // kTokensMax.
  absl::flat_hash_map<std::string, std::vector<PrincipalBinding>> bindings_ ABSL_GUARDED_BY(mu_);
};

}  // namespace timeledger::ledger

#endif  // TIMELEDGER_LEDGER_ENGINE_TOKEN_REGISTRY_H_
