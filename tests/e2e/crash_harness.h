// The crash test's harness (crash_test.cc): its sizes and limits, a timeledgerd child process,
// the client's record of each call, the entry chain recomputed as an outside verifier would, and
// a bound on the calls in flight.
#ifndef TIMELEDGER_TESTS_E2E_CRASH_HARNESS_H_
#define TIMELEDGER_TESTS_E2E_CRASH_HARNESS_H_

#include <fcntl.h>
#include <signal.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdint>
#include <cstdlib>
#include <deque>
#include <fstream>
#include <iostream>
#include <map>
#include <memory>
#include <mutex>
#include <random>
#include <regex>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include "google/rpc/error_details.pb.h"
#include "google/rpc/status.pb.h"
#include <google/protobuf/util/message_differencer.h>
#include <grpcpp/grpcpp.h>
#include <gtest/gtest.h>
#include <openssl/sha.h>
#include <sys/prctl.h>
#include <sys/types.h>
#include <sys/wait.h>

#include "tests/support/access.h"
#include "tests/support/in_flight_window.h"
#include "tests/support/temp_dir.h"
#include "timeledger/v1/accounts.grpc.pb.h"
#include "timeledger/v1/banks.grpc.pb.h"
#include "timeledger/v1/ledger.grpc.pb.h"

namespace timeledger::crash_test {

namespace v1 = ::timeledger::v1;
using google::protobuf::util::MessageDifferencer;

inline constexpr uint64_t kSeed = 424242;
inline constexpr int kCycles = 5;
inline constexpr int kClientThreads = 8;
inline constexpr int kInFlightPerThread = 16;
inline constexpr int kKillAfterMinMs = 200;
inline constexpr int kKillAfterMaxMs = 1500;
inline constexpr int kPersons = 198;  // + "centre" and "cafe" = 200 accounts, + the pool
inline constexpr int kPageSize = 1000;
inline constexpr char kBank[] = "crash";
inline constexpr auto kStartTimeout = std::chrono::seconds(30);
inline constexpr auto kCallTimeout = std::chrono::seconds(10);
// Acknowledged entries read back by seq and by entry_id after each restart: this many of the
// cycle's, half as many of earlier cycles'.
inline constexpr size_t kReadBacks = 1000;

inline std::string PersonId(int i) {
  char id[16];
  std::snprintf(id, sizeof(id), "m%03d", i);
  return id;
}

inline std::chrono::system_clock::time_point Deadline() {
  return std::chrono::system_clock::now() + kCallTimeout;
}

inline std::string ReadFile(const std::string& path) {
  std::ifstream in(path);
  std::stringstream text;
  text << in.rdbuf();
  return text.str();
}

// The reason in a refusal's google.rpc.ErrorInfo, or "" if it has none.
inline std::string ReasonOf(const grpc::Status& status) {
  google::rpc::Status details;
  if (!details.ParseFromString(status.error_details())) return "";
  for (const auto& any : details.details()) {
    google::rpc::ErrorInfo info;
    if (any.UnpackTo(&info)) return info.reason();
  }
  return "";
}

inline std::string Describe(const grpc::Status& status) {
  return "code " + std::to_string(status.error_code()) + " " + ReasonOf(status) + ": " +
         status.error_message();
}

// One timeledgerd child process. Killed with SIGKILL when the object goes, so a failing test
// never leaves a server behind.
class ServerProcess {
 public:
  ServerProcess() = default;
  ServerProcess(const ServerProcess&) = delete;
  ServerProcess& operator=(const ServerProcess&) = delete;
  ~ServerProcess() { Kill(); }

  // Starts `binary` on a free loopback port with `data_dir`, its output going to `log_path`, and
  // waits until it says it is listening. Returns "" or why it could not.
  std::string Start(const std::string& binary, const std::string& data_dir,
                    const std::string& log_path) {
    log_path_ = log_path;
    std::vector<std::string> args = {binary, "--listen", "127.0.0.1:0", "--data-dir", data_dir};
    std::vector<char*> argv;
    for (std::string& arg : args) argv.push_back(arg.data());
    argv.push_back(nullptr);
    const int log_fd = open(log_path.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
    if (log_fd < 0) return "cannot create " + log_path;
    pid_ = fork();
    if (pid_ == 0) {
      // The child: only async-signal-safe calls until exec. It dies with the test, too.
      prctl(PR_SET_PDEATHSIG, SIGKILL);
      dup2(log_fd, STDOUT_FILENO);
      dup2(log_fd, STDERR_FILENO);
      execv(argv[0], argv.data());
      _exit(127);
    }
    close(log_fd);
    if (pid_ < 0) return "fork failed";
    const std::regex listening(R"(listening on .*\(port (\d+)\))");
    const auto give_up = std::chrono::steady_clock::now() + kStartTimeout;
    while (std::chrono::steady_clock::now() < give_up) {
      std::smatch match;
      const std::string log = ReadFile(log_path);
      if (std::regex_search(log, match, listening)) {
        port_ = std::stoi(match[1]);
        return "";
      }
      int status = 0;
      if (waitpid(pid_, &status, WNOHANG) == pid_) {
        pid_ = -1;
        return "timeledgerd exited before listening (status " + std::to_string(status) + "):\n" +
               log;
      }
      std::this_thread::sleep_for(std::chrono::milliseconds(20));
    }
    return "timeledgerd did not say it was listening within 30 s:\n" + ReadFile(log_path);
  }

  // SIGKILL, and reap. Returns whether the server was still running until then.
  bool Kill() {
    if (pid_ <= 0) return false;
    kill(pid_, SIGKILL);
    int status = 0;
    waitpid(pid_, &status, 0);
    pid_ = -1;
    return WIFSIGNALED(status) && WTERMSIG(status) == SIGKILL;
  }

  // SIGTERM, and waits up to `grace` for a clean exit. Returns the exit status, or -1.
  int Terminate(std::chrono::seconds grace) {
    if (pid_ <= 0) return -1;
    kill(pid_, SIGTERM);
    const auto give_up = std::chrono::steady_clock::now() + grace;
    while (std::chrono::steady_clock::now() < give_up) {
      int status = 0;
      if (waitpid(pid_, &status, WNOHANG) == pid_) {
        pid_ = -1;
        return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
      }
      std::this_thread::sleep_for(std::chrono::milliseconds(20));
    }
    Kill();
    return -1;
  }

  std::string address() const { return "127.0.0.1:" + std::to_string(port_); }
  std::string log() const { return ReadFile(log_path_); }

 private:
  pid_t pid_ = -1;
  int port_ = 0;
  std::string log_path_;
};

// One RecordEntry call and what came of it.
struct Attempt {
  v1::RecordEntryRequest request;
  v1::RecordEntryResponse response;
  grpc::Status status;
  bool answered_before_kill = false;  // the answer arrived before the kill was ordered
  int cycle = 0;
};

// An acknowledged entry: the receipt the client holds.
struct Ack {
  v1::RecordEntryRequest request;
  v1::RecordEntryResponse response;
  int cycle = 0;
};

// Recomputes an entry's SHA-256 chain hash from its canonical encoding (ledger/core/records.h,
// version 1, or 2 with the note's commitment, itself recomputed from the note and its salt),
// independently of the server's code.
class ChainVerifier {
 public:
  static std::string Hash(const std::string& previous, const v1::Entry& entry) {
    const bool sealed = entry.encoding() == 2;
    std::string bytes = previous;
    bytes.push_back(sealed ? 2 : 1);  // version
    PutString(&bytes, entry.bank_id());
    PutU64(&bytes, entry.seq());
    PutString(&bytes, entry.entry_id());
    bytes.push_back(static_cast<char>(entry.kind()));
    PutString(&bytes, entry.from_account_id());
    PutString(&bytes, entry.to_account_id());
    PutU64(&bytes, static_cast<uint64_t>(entry.minutes()));
    PutString(&bytes, entry.activity());
    PutString(&bytes, sealed ? NoteCommitment(entry) : entry.note());
    PutU64(&bytes, static_cast<uint64_t>(Micros(entry.occurred_at())));
    PutU64(&bytes, static_cast<uint64_t>(Micros(entry.recorded_at())));
    PutString(&bytes, entry.recorded_by());
    PutU64(&bytes, entry.reverses_seq());
    return Sha256(bytes);
  }

 private:
  static std::string Sha256(const std::string& bytes) {
    unsigned char digest[SHA256_DIGEST_LENGTH];
    SHA256(reinterpret_cast<const unsigned char*>(bytes.data()), bytes.size(), digest);
    return std::string(reinterpret_cast<const char*>(digest), sizeof(digest));
  }
  // A sealed entry's note field: "" without a note, else SHA-256(0x50 || salt || note), which
  // must be the commitment the server sent (an erased note has only the commitment).
  static std::string NoteCommitment(const v1::Entry& entry) {
    if (entry.note().empty() && entry.note_commitment().empty()) return "";
    if (entry.note_erased()) return entry.note_commitment();
    const std::string opened = Sha256("P" + entry.note_salt() + entry.note());
    return opened == entry.note_commitment() ? opened : std::string("not the commitment");
  }

  static int64_t Micros(const google::protobuf::Timestamp& time) {
    return time.seconds() * 1'000'000 + time.nanos() / 1000;
  }
  static void PutU64(std::string* out, uint64_t value) {
    for (int shift = 56; shift >= 0; shift -= 8) out->push_back(static_cast<char>(value >> shift));
  }
  static void PutString(std::string* out, const std::string& value) {
    uint64_t length = value.size();
    while (length >= 0x80) {
      out->push_back(static_cast<char>((length & 0x7f) | 0x80));
      length >>= 7;
    }
    out->push_back(static_cast<char>(length));
    out->append(value);
  }
};

// The ledger as read back after a restart.
struct Snapshot {
  std::vector<v1::Entry> entries;          // entries[i].seq == i + 1
  std::map<std::string, uint64_t> seq_of;  // entry_id -> seq
  std::map<std::string, v1::Account> accounts;
  std::map<std::string, int64_t> replayed;         // balances from the entries
  std::vector<std::pair<int64_t, int64_t>> after;  // (from, to) balances after each seq
};

// Bounds the calls one client thread has in flight; Release runs on gRPC's threads.
using Window = ::timeledger::testing::InFlightWindow;

}  // namespace timeledger::crash_test

#endif  // TIMELEDGER_TESTS_E2E_CRASH_HARNESS_H_
