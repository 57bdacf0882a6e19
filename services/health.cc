#include "services/health.h"

#include <utility>

#include "absl/strings/str_cat.h"

#include "common/log.h"
#include "ledger/core/errors.h"

namespace timeledger::services {

HealthReporter::HealthReporter(const ledger::Ledger* ledger,
                               grpc::HealthCheckServiceInterface* health,
                               std::vector<std::string> service_names, absl::Duration period)
    : ledger_(ledger), health_(health), service_names_(std::move(service_names)) {
  // The status is set and logged by Update; no one here acts on it.
  Update().IgnoreError();
  worker_ = std::make_unique<ledger::Worker>(
      /*waiting_max=*/0, absl::ToChronoMilliseconds(period), [this] { Update().IgnoreError(); });
}

absl::Status HealthReporter::Update() {
  const absl::Status status = ledger_->ServingStatus();
  const bool serving = status.ok();
  health_->SetServingStatus(serving);
  for (const std::string& name : service_names_) health_->SetServingStatus(name, serving);
  if (!last_.has_value() || last_->ok() != serving || last_->message() != status.message()) {
    if (!serving) {
      common::LogLine(common::LogLevel::kWarn, "health")
          .Add("serving", false)
          .Add("reason", ledger::ReasonOf(status))
          .Add("msg", absl::StrCat("health: NOT_SERVING: ", ledger::ReasonOf(status), ": ",
                                   status.message()))
          .Write();
    } else if (last_.has_value()) {
      common::LogLine(common::LogLevel::kInfo, "health")
          .Add("serving", true)
          .Add("msg", "health: SERVING again")
          .Write();
    }
  }
  last_ = status;
  return status;
}

}  // namespace timeledger::services
