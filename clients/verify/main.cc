// timeledger-verify: the offline audit. Opens a stopped ledger's data directory, or a backup in
// place, read-only, verifies every bank (ledger/verify/verify.h) and prints the result. Needs no
// server and writes nothing.
//
// Exit codes: 0 every bank verified; 1 a bank is damaged, or the store cannot be read; 2 the
// command line is wrong.
#include <cstdint>
#include <iostream>
#include <string>

#include "absl/strings/numbers.h"

#include "ledger/core/errors.h"
#include "ledger/store/data_dir.h"
#include "ledger/verify/verify.h"

namespace {

constexpr char kUsage[] =
    "usage: timeledger-verify (--data-dir DIR | --backup-dir DIR [--backup-id N]) [--bank BANK]\n"
    "\n"
    "Verifies a Timeledger ledger with the server stopped: every bank's journal, hash chains,\n"
    "Merkle tree, balances, totals, holds and zero sum, recomputed from what is stored.\n"
    "\n"
    "  --data-dir DIR    a timeledgerd data directory (or its ledger/ store directly)\n"
    "  --backup-dir DIR  a backup directory (timeledger backup); verifies a backup in place\n"
    "  --backup-id N     which backup (default: the newest)\n"
    "  --bank BANK       only this bank\n"
    "\n"
    "Exit status: 0 consistent; 1 damaged or unreadable (the first inconsistency is named);\n"
    "2 usage.\n";

}  // namespace

int main(int argc, char** argv) {
  timeledger::ledger::StoreOptions store;
  timeledger::ledger::VerifyOptions verify;
  std::string data_dir;
  for (int i = 1; i < argc; ++i) {
    const std::string arg = argv[i];
    if (arg == "--help" || arg == "-h") {
      std::cout << kUsage;
      return 0;
    }
    if (i + 1 >= argc) {
      std::cerr << "timeledger-verify: " << arg << " needs a value\n" << kUsage;
      return 2;
    }
    const std::string value = argv[++i];
    if (arg == "--data-dir") {
      data_dir = value;
    } else if (arg == "--backup-dir") {
      store.backup_dir = value;
    } else if (arg == "--backup-id") {
      if (!absl::SimpleAtoi(value, &store.backup_id) || store.backup_id == 0) {
        std::cerr << "timeledger-verify: --backup-id takes a backup number (1 or more)\n";
        return 2;
      }
    } else if (arg == "--bank") {
      verify.bank_id = timeledger::ledger::BankId(value);
    } else {
      std::cerr << "timeledger-verify: unknown argument " << arg << "\n" << kUsage;
      return 2;
    }
  }
  if (data_dir.empty() == store.backup_dir.empty()) {
    std::cerr << "timeledger-verify: give either --data-dir or --backup-dir\n" << kUsage;
    return 2;
  }
  if (!data_dir.empty()) store.path = timeledger::ledger::StorePathOf(data_dir);
  const timeledger::ledger::VerifyReport report =
      timeledger::ledger::VerifyStoreOffline(store, verify);
  std::cout << timeledger::ledger::FormatVerifyReport(report);
  return report.ok() ? 0 : 1;
}
