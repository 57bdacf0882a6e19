// timeledgerd: the Timeledger server. Opens (or creates) the ledger in --data-dir, optionally
// loads the demo bank into an empty ledger, serves gRPC on --listen, and on SIGTERM or SIGINT
// stops taking calls, finishes those in flight, and closes the ledger cleanly.
#include <signal.h>

#include <condition_variable>
#include <cstdio>
#include <cstring>
#include <iostream>
#include <memory>
#include <mutex>
#include <string>
#include <thread>

#include "absl/strings/numbers.h"
#include "ledger/demo.h"
#include "ledger/ledger.h"
#include "services/server.h"

namespace {

constexpr char kUsage[] =
    "usage: timeledgerd [--listen HOST:PORT] [--data-dir DIR] [--demo]\n"
    "\n"
    "  --listen HOST:PORT  where to serve gRPC (default 127.0.0.1:50051)\n"
    "  --data-dir DIR      where the ledger lives; created if missing (default ./var)\n"
    "  --demo              load the demo time bank if the ledger is empty\n"
    "  --expiry-sweep-hours N  run the credit expiry sweep of every bank every N hours\n"
    "                      (default 24; 0: never; only banks whose policy has expiry on)\n";

struct Flags {
  std::string listen = "127.0.0.1:50051";
  std::string data_dir = "./var";
  bool demo = false;
  int expiry_sweep_hours = 24;
};

// Returns false (having said why) if the arguments are not understood.
bool ParseFlags(int argc, char** argv, Flags* flags) {
  for (int i = 1; i < argc; ++i) {
    const std::string arg = argv[i];
    auto value = [&](std::string* out) {
      if (i + 1 >= argc) {
        std::cerr << "timeledgerd: " << arg << " needs a value\n";
        return false;
      }
      *out = argv[++i];
      return true;
    };
    if (arg == "--listen") {
      if (!value(&flags->listen)) return false;
    } else if (arg == "--data-dir") {
      if (!value(&flags->data_dir)) return false;
    } else if (arg == "--demo") {
      flags->demo = true;
    } else if (arg == "--expiry-sweep-hours") {
      std::string hours;
      if (!value(&hours)) return false;
      if (!absl::SimpleAtoi(hours, &flags->expiry_sweep_hours) || flags->expiry_sweep_hours < 0 ||
          flags->expiry_sweep_hours > 24 * 366) {
        std::cerr << "timeledgerd: --expiry-sweep-hours takes a number of hours from 0 to 8784\n";
        return false;
      }
    } else if (arg == "--help" || arg == "-h") {
      std::cout << kUsage;
      std::exit(0);
    } else {
      std::cerr << "timeledgerd: unknown argument " << arg << "\n" << kUsage;
      return false;
    }
  }
  return true;
}

// Runs every bank's expiry sweep every `hours` until stopped. A bank whose policy has expiry
// off is left alone by the sweep itself.
class ExpirySweeper {
 public:
  ExpirySweeper(timeledger::ledger::Ledger* ledger, int hours) : ledger_(ledger), hours_(hours) {
    if (hours_ > 0) thread_ = std::thread([this] { Loop(); });
  }
  ~ExpirySweeper() {
    {
      std::lock_guard<std::mutex> lock(mu_);
      stopping_ = true;
    }
    cv_.notify_all();
    if (thread_.joinable()) thread_.join();
  }

 private:
  void Loop() {
    std::unique_lock<std::mutex> lock(mu_);
    while (!cv_.wait_for(lock, std::chrono::hours(hours_), [this] { return stopping_; })) {
      lock.unlock();
      SweepAll();
      lock.lock();
    }
  }

  void SweepAll() {
    std::string token;
    do {
      auto page = ledger_->ListBanks(0, token);
      if (!page.ok()) return;
      for (const auto& summary : page->items) {
        auto result = timeledger::ledger::Await<timeledger::ledger::ExpirySweepResult>(
            [&](auto done) {
              ledger_->RunExpirySweep(summary.bank.bank_id, "timeledgerd", std::move(done));
            });
        if (result.ok() && result->accounts_expired > 0) {
          std::cout << "timeledgerd: expiry sweep of " << summary.bank.bank_id << " returned "
                    << result->minutes_returned << " minutes from " << result->accounts_expired
                    << " accounts to the pool" << std::endl;
        }
      }
      token = page->next_page_token;
    } while (!token.empty());
  }

  timeledger::ledger::Ledger* ledger_;
  const int hours_;
  std::mutex mu_;
  std::condition_variable cv_;
  bool stopping_ = false;
  std::thread thread_;
};

}  // namespace

int main(int argc, char** argv) {
  Flags flags;
  if (!ParseFlags(argc, argv, &flags)) return 2;

  // Block the stop signals in every thread; the main thread waits for them below.
  sigset_t stop_signals;
  sigemptyset(&stop_signals);
  sigaddset(&stop_signals, SIGTERM);
  sigaddset(&stop_signals, SIGINT);
  pthread_sigmask(SIG_BLOCK, &stop_signals, nullptr);

  timeledger::ledger::LedgerOptions options;
  options.data_dir = flags.data_dir;
  auto ledger = timeledger::ledger::Ledger::Open(options);
  if (!ledger.ok()) {
    std::cerr << "timeledgerd: " << ledger.status().message() << "\n";
    return 1;
  }
  if (flags.demo) {
    if (auto s = timeledger::ledger::LoadDemoBankIfEmpty(**ledger); !s.ok()) {
      std::cerr << "timeledgerd: cannot load the demo bank: " << s.message() << "\n";
      return 1;
    }
  }
  timeledger::services::ServerOptions server_options;
  server_options.listen_address = flags.listen;
  auto server = timeledger::services::Server::Start(ledger->get(), server_options);
  if (!server.ok()) {
    std::cerr << "timeledgerd: " << server.status().message() << "\n";
    return 1;
  }
  std::cout << "timeledgerd listening on " << flags.listen << " (port " << (*server)->port()
            << "), ledger in " << flags.data_dir << std::endl;

  auto sweeper = std::make_unique<ExpirySweeper>(ledger->get(), flags.expiry_sweep_hours);
  int signal_number = 0;
  sigwait(&stop_signals, &signal_number);
  sweeper.reset();  // before the ledger goes
  std::cout << "timeledgerd: " << strsignal(signal_number)
            << " received; finishing calls in flight" << std::endl;
  (*server)->Shutdown(absl::Seconds(10));
  server->reset();
  ledger->reset();  // drains the writer: every accepted write is committed or refused
  std::cout << "timeledgerd: stopped cleanly" << std::endl;
  return 0;
}
