// ServerMetrics: every metric family timeledgerd serves at --metrics-address, in one registry
// (common/metrics.h). Calls are counted as they finish (services/call_log.h); the rest is read
// at each scrape from where it lives: the writer's WriterStats, the store's StoreStats (RocksDB),
// the kiosk desk's KioskDeskStats and the ledger's serving status (services/health.h reports the
// same). docs/OPERATIONS.md, "Metrics", lists the families and what each means.
//
// Borrows the ledger and the desk, which must outlive it. Thread-safe.
#ifndef TIMELEDGER_SERVICES_SERVER_METRICS_H_
#define TIMELEDGER_SERVICES_SERVER_METRICS_H_

#include <string>

#include "common/metrics.h"
#include "ledger/engine/ledger.h"
#include "services/call_log.h"
#include "services/kiosk_desk.h"

namespace timeledger::services {

class ServerMetrics {
 public:
  ServerMetrics(const ledger::Ledger* ledger, const ledger::KioskDesk* desk);
  ServerMetrics(const ServerMetrics&) = delete;
  ServerMetrics& operator=(const ServerMetrics&) = delete;

  // Where the call log counts each call.
  RpcCounters rpc_counters() const { return rpc_; }
  // Every family in the text format (version 0.0.4).
  std::string Render() const { return registry_.Render(); }

 private:
  void AddWriterFamilies();
  void AddStoreFamilies();
  void AddKioskFamilies();
  void AddServingFamilies();

  const ledger::Ledger* ledger_;
  const ledger::KioskDesk* desk_;
  common::Registry registry_;
  RpcCounters rpc_;
};

}  // namespace timeledger::services

#endif  // TIMELEDGER_SERVICES_SERVER_METRICS_H_
