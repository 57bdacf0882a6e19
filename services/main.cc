// timeledgerd: the Timeledger server. Opens (or creates) the ledger in --data-dir, optionally
// loads the demo bank into an empty ledger, serves gRPC on --listen, and on SIGTERM or SIGINT
// stops taking calls, finishes those in flight, and closes the ledger cleanly.
#include <signal.h>

#include <cstdio>
#include <cstring>
#include <iostream>
#include <string>

#include "ledger/demo.h"
#include "ledger/ledger.h"
#include "services/server.h"

namespace {

constexpr char kUsage[] =
    "usage: timeledgerd [--listen HOST:PORT] [--data-dir DIR] [--demo]\n"
    "\n"
    "  --listen HOST:PORT  where to serve gRPC (default 127.0.0.1:50051)\n"
    "  --data-dir DIR      where the ledger lives; created if missing (default ./var)\n"
    "  --demo              load the demo time bank if the ledger is empty\n";

struct Flags {
  std::string listen = "127.0.0.1:50051";
  std::string data_dir = "./var";
  bool demo = false;
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

  int signal_number = 0;
  sigwait(&stop_signals, &signal_number);
  std::cout << "timeledgerd: " << strsignal(signal_number)
            << " received; finishing calls in flight" << std::endl;
  (*server)->Shutdown(absl::Seconds(10));
  server->reset();
  ledger->reset();  // drains the writer: every accepted write is committed or refused
  std::cout << "timeledgerd: stopped cleanly" << std::endl;
  return 0;
}
