// status: whether timeledgerd serves as it should, for a person at a terminal (and a script: the
// exit status says it too). Asks the server's standard gRPC health service, which timeledgerd
// keeps true to the ledger (services/health.h).
#include <cstdio>
#include <vector>

#include "clients/cli/command_line.h"
#include "clients/cli/commands.h"
#include "clients/cli/connection.h"
#include "clients/cli/exit_code.h"
#include "grpc/health/v1/health.grpc.pb.h"

namespace timeledger::cli {
namespace {

namespace health = ::grpc::health::v1;

int RunStatus(const ParsedArgs&, Connection& connection) {
  health::HealthCheckResponse response;
  const grpc::Status status =
      connection.Call(&health::Health::Stub::Check, health::HealthCheckRequest(), &response);
  if (!status.ok()) return connection.ReportFailure(status);
  if (connection.json()) {
    const int printed = connection.PrintJson(response);
    if (printed != kExitOk) return printed;
    return response.status() == health::HealthCheckResponse::SERVING ? kExitOk : kExitRefused;
  }
  if (response.status() == health::HealthCheckResponse::SERVING) {
    std::printf("timeledgerd at %s is serving: it takes entries and answers reads.\n",
                connection.server().c_str());
    return kExitOk;
  }
  std::fprintf(
      stderr,
      "timeledgerd at %s is NOT serving as it should: it refuses writes (a full or failing disk; "
      "it recovers by itself once the disk takes writes again), or a bank is damaged or served "
      "in part. Reads go on. Its log says which (journalctl -u timeledgerd, or the terminal it "
      "runs in).\n",
      connection.server().c_str());
  return kExitRefused;
}

}  // namespace

std::vector<CommandSpec> StatusCommands() {
  return {
      {
          .group = "status",
          .summary = "whether the server serves as it should",
          .description =
              "Asks timeledgerd whether it serves as it should: it takes entries and answers\n"
              "reads. It does not while its disk refuses writes (full or failing) or while a\n"
              "bank is damaged or served in part; its log says which.\n"
              "Exit status 0 if it serves, 1 if it does not, 3 if it cannot be reached.",
          .examples = "  timeledger status\n",
          .run = RunStatus,
      },
  };
}

}  // namespace timeledger::cli
