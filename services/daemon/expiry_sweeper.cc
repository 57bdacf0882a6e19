#include "services/daemon/expiry_sweeper.h"

#include <chrono>
#include <iostream>
#include <string>

namespace timeledger::daemon {

ExpirySweeper::ExpirySweeper(ledger::Ledger* ledger, int hours) : ledger_(ledger) {
  if (hours > 0) {
    worker_ = std::make_unique<ledger::Worker>(
        /*waiting_max=*/0, std::chrono::hours(hours), [this] { SweepAll(); });
  }
}

void ExpirySweeper::SweepAll() {
  std::string token;
  do {
    auto page = ledger_->ListBanks(0, token);
    if (!page.ok()) return;
    for (const auto& summary : page->items) {
      auto result = ledger::Await<ledger::ExpirySweepResult>([&](auto done) {
        ledger_->RunExpirySweep(ledger::BankId(summary.bank.bank_id),
                                ledger::AdminNamed(ledger::kServerPrincipal), std::move(done));
      });
      if (result.ok() && result->accounts_expired > 0) {
        std::cout << "timeledgerd: expiry sweep of " << summary.bank.bank_id << " returned "
                  << result->minutes_returned.count() << " minutes from "
                  << result->accounts_expired << " accounts to the pool" << std::endl;
      }
    }
    token = page->next_page_token;
  } while (!token.empty());
}

}  // namespace timeledger::daemon
