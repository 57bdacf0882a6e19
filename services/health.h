// The gRPC health service of timeledgerd (grpc.health.v1.Health), kept true to the ledger: the
// server ("" and every timeledger.v1 service) is SERVING only while Ledger::ServingStatus is OK.
// While the store refuses writes (a full or failing disk) or a bank is damaged or served in part,
// it is NOT_SERVING, so that a load balancer, a kiosk's health probe or `timeledger status` sees
// it; each change is said once on stderr with its reason. The store recovers by itself, and health
// follows within a period.
//
// Borrows the Ledger and the server's health service, which must outlive it; destroying it stops
// the checks.
#ifndef TIMELEDGER_SERVICES_HEALTH_H_
#define TIMELEDGER_SERVICES_HEALTH_H_

#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/time/time.h"
#include <grpcpp/health_check_service_interface.h>

#include "ledger/core/worker.h"
#include "ledger/engine/ledger.h"

namespace timeledger::services {

// How often the ledger's serving status is checked.
inline constexpr absl::Duration kHealthPeriod = absl::Seconds(1);

class HealthReporter {
 public:
  // Sets the health of `service_names` (and "") from the ledger now, then every `period`.
  HealthReporter(const ledger::Ledger* ledger, grpc::HealthCheckServiceInterface* health,
                 std::vector<std::string> service_names, absl::Duration period = kHealthPeriod);

  // Checks the ledger and sets the health now. Returns the serving status it set.
  absl::Status Update();

 private:
  const ledger::Ledger* ledger_;
  grpc::HealthCheckServiceInterface* health_;
  const std::vector<std::string> service_names_;
  // What was last set; only the worker's thread (and the constructor, before it starts) use it.
  std::optional<absl::Status> last_;
  std::unique_ptr<ledger::Worker> worker_;  // last: started once the rest is ready
};

}  // namespace timeledger::services

#endif  // TIMELEDGER_SERVICES_HEALTH_H_
