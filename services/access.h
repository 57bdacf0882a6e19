// The gate every call passes before it reaches the ledger: who is calling (the bearer token in
// the "authorization" metadata), whether the permission table lets that role make this call in
// this bank, and whether the principal is within its rate.
//
// The permission table below is the one place that says which role may make which call; the
// handlers ask the gate first. The checks that depend on the request's content (a partner's own
// account, a coordinator's own credit, a kiosk's own session) follow: those of a write in the
// ledger's writer, against the state it commits (ledger/engine/commands.h), those of a read in the
// handler, with the functions of ledger/rules/access.h. docs/SECURITY.md prints the table (a test
// keeps the two equal).
// Thread-safe.
#ifndef TIMELEDGER_SERVICES_ACCESS_H_
#define TIMELEDGER_SERVICES_ACCESS_H_

#include <cstdint>
#include <string>

#include "absl/base/thread_annotations.h"
#include "absl/container/flat_hash_map.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/time.h"
#include "absl/types/span.h"
#include <grpcpp/grpcpp.h>

#include "ledger/engine/ledger.h"
#include "ledger/rules/access.h"
#include "services/call_log.h"

namespace timeledger::services {

inline constexpr char kAuthorizationMetadata[] = "authorization";

// A set of roles, one bit per ledger::PrincipalRole.
using RoleSet = uint8_t;
constexpr RoleSet RoleBit(ledger::PrincipalRole role) {
  return static_cast<RoleSet>(1u << static_cast<unsigned>(role));
}
inline constexpr RoleSet kAdmin = RoleBit(ledger::PrincipalRole::kAdmin);
inline constexpr RoleSet kCoordinator = RoleBit(ledger::PrincipalRole::kCoordinator);
inline constexpr RoleSet kKiosk = RoleBit(ledger::PrincipalRole::kKiosk);
inline constexpr RoleSet kPartner = RoleBit(ledger::PrincipalRole::kPartner);
inline constexpr RoleSet kAnyRole = kAdmin | kCoordinator | kKiosk | kPartner;

// Whether a call is about one bank, which the caller must be a principal of (an admin is of
// every bank), or about none (the handler itself limits what it shows).
enum class Scope : uint8_t { kBank, kNone };

struct Permission {
  const char* method;  // "Service/Method", e.g. "Ledger/RecordEntry"
  RoleSet roles;
  Scope scope;
  const char* note;  // what the handler checks beyond the role, for the docs; "" if nothing
};

// Every call of every timeledger.v1 service, in the order of the docs.
absl::Span<const Permission> PermissionTable();

// The table as the Markdown that docs/SECURITY.md holds.
std::string PermissionTableMarkdown();

// Calls per second, and the burst allowed above it, of one principal.
struct RateLimit {
  double per_second = 0;  // 0: no limit
  double burst = 0;
};

struct GateOptions {
  // Admins are not limited. A kiosk's limit also bounds PIN guessing beyond the card lock.
  RateLimit coordinator{100, 400};
  RateLimit partner{100, 400};
  RateLimit kiosk{10, 60};
};

class Gate {
 public:
  // Borrows the ledger (its token registry), which must outlive the gate, and `principals`
  // (null: none), where each call's authenticated principal is named for its log line.
  Gate(ledger::Ledger* ledger, GateOptions options, CallPrincipals* principals = nullptr)
      : ledger_(ledger), options_(options), principals_(principals) {}

  Gate(const Gate&) = delete;
  Gate& operator=(const Gate&) = delete;

  // The principal making `method` about `bank_id` ("" for Scope::kNone), or the refusal:
  // UNAUTHENTICATED without a live token, PERMISSION_DENIED outside the table or the bank,
  // RESOURCE_EXHAUSTED beyond the principal's rate.
  absl::StatusOr<ledger::Principal> Admit(const grpc::CallbackServerContext* context,
                                          absl::string_view method, absl::string_view bank_id);

 private:
  struct Bucket {
    double tokens = 0;
    absl::Time refilled = absl::InfinitePast();
  };
  absl::Status Spend(const ledger::Principal& principal) ABSL_LOCKS_EXCLUDED(mu_);

  ledger::Ledger* ledger_;
  const GateOptions options_;
  CallPrincipals* const principals_;
  absl::Mutex mu_;
  // One bucket per principal ("name@bank"); principals come from tokens, so at most kTokensMax.
  absl::flat_hash_map<std::string, Bucket> buckets_ ABSL_GUARDED_BY(mu_);
};

}  // namespace timeledger::services

#endif  // TIMELEDGER_SERVICES_ACCESS_H_
