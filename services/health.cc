#include "services/health.h"

#include <iostream>
#include <utility>

#include "ledger/core/errors.h"

namespace timeledger::services {

HealthReporter::HealthReporter(const ledger::Ledger* ledger,
                               grpc::HealthCheckServiceInterface* health,
                               std::vector<std::string> service_names, absl::Duration period)
    : ledger_(ledger), health_(health), service_names_(std::move(service_names)) {
  Update();
  worker_ = std::make_unique<ledger::Worker>(
      /*waiting_max=*/0, absl::ToChronoMilliseconds(period), [this] { Update(); });
}

absl::Status HealthReporter::Update() {
  const absl::Status status = ledger_->ServingStatus();
  const bool serving = status.ok();
  health_->SetServingStatus(serving);
  for (const std::string& name : service_names_) health_->SetServingStatus(name, serving);
  if (!last_.has_value() || last_->ok() != serving || last_->message() != status.message()) {
    if (!serving) {
      std::cerr << "timeledgerd: health: NOT_SERVING: " << ledger::ReasonOf(status) << ": "
                << status.message() << std::endl;
    } else if (last_.has_value()) {
      std::cerr << "timeledgerd: health: SERVING again" << std::endl;
    }
  }
  last_ = status;
  return status;
}

}  // namespace timeledger::services
