// The expiry sweeper of timeledgerd: every N hours it runs the credit expiry sweep of every bank
// (the sweep itself leaves a bank whose policy has expiry off alone) and logs what it returned to
// the pools. Borrows the Ledger, which must outlive it; destroying it stops the sweeps.
#ifndef TIMELEDGER_SERVICES_DAEMON_EXPIRY_SWEEPER_H_
#define TIMELEDGER_SERVICES_DAEMON_EXPIRY_SWEEPER_H_

#include <memory>

#include "ledger/core/worker.h"
#include "ledger/engine/ledger.h"

namespace timeledger::daemon {

class ExpirySweeper {
 public:
  // Sweeps every `hours` hours, the first time `hours` after now; never if `hours` is 0.
  ExpirySweeper(ledger::Ledger* ledger, int hours);

 private:
  // One sweep of every bank, page by page.
  void SweepAll();

  ledger::Ledger* ledger_;
  std::unique_ptr<ledger::Worker> worker_;  // null: no sweeps
};

}  // namespace timeledger::daemon

#endif  // TIMELEDGER_SERVICES_DAEMON_EXPIRY_SWEEPER_H_
