// The crash test: the real timeledgerd, killed with SIGKILL while gRPC writes are in flight, then
// restarted on the same data directory, several times over.
//
// Each cycle starts timeledgerd (the path comes from $TIMELEDGERD) on a loopback port it picks,
// lets client threads record entries with many calls in flight, and kills the server at a random
// moment. After the restart the test checks, over the wire only:
//   - every acknowledged entry is listed exactly as its receipt said, with the balances it gave;
//     retried with the same content (a thousand per RecordEntries call) it replays that entry,
//     so its entry_id still leads to it; a sample is also read back by seq and by entry_id;
//   - seqs run 1..N with no gap, and each entry's hash chains to the one before it (recomputed
//     here from the canonical encoding in ledger/core/records.h, as an outside verifier would);
//   - every balance and total equals a replay of the listed entries; balances sum to zero;
//   - every account statement lists exactly its entries, with running balances that agree;
//   - an entry whose call got no answer is either wholly there (listed, found by entry_id,
//     recording what was asked) or wholly absent; one that a rule refused is absent;
//   - retrying an unanswered entry_id with the same content replays it if it is there, or
//     records it once if it is not.
// The first cycle creates the bank and 200 accounts. The entries mix awards, spends, exchanges,
// donations and grants of sizes that a time bank's default rules accept; if the server's rules
// refuse one anyway (a balance at its floor or cap), that refusal is checked like any answer.
// The last server must then stop cleanly on SIGTERM.
#include <fcntl.h>
#include <signal.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <condition_variable>
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
#include "tests/support/temp_dir.h"
#include "timeledger/v1/accounts.grpc.pb.h"
#include "timeledger/v1/banks.grpc.pb.h"
#include "timeledger/v1/ledger.grpc.pb.h"

namespace timeledger {
namespace {

namespace v1 = ::timeledger::v1;
using google::protobuf::util::MessageDifferencer;

constexpr uint64_t kSeed = 424242;
constexpr int kCycles = 5;
constexpr int kClientThreads = 8;
constexpr int kInFlightPerThread = 16;
constexpr int kKillAfterMinMs = 200;
constexpr int kKillAfterMaxMs = 1500;
constexpr int kPersons = 198;  // + "centre" and "cafe" = 200 accounts, + the pool
constexpr int kPageSize = 1000;
constexpr char kBank[] = "crash";
constexpr auto kStartTimeout = std::chrono::seconds(30);
constexpr auto kCallTimeout = std::chrono::seconds(10);
// Acknowledged entries read back by seq and by entry_id after each restart: this many of the
// cycle's, half as many of earlier cycles'.
constexpr size_t kReadBacks = 1000;

std::string PersonId(int i) {
  char id[16];
  std::snprintf(id, sizeof(id), "m%03d", i);
  return id;
}

std::chrono::system_clock::time_point Deadline() {
  return std::chrono::system_clock::now() + kCallTimeout;
}

std::string ReadFile(const std::string& path) {
  std::ifstream in(path);
  std::stringstream text;
  text << in.rdbuf();
  return text.str();
}

// The reason in a refusal's google.rpc.ErrorInfo, or "" if it has none.
std::string ReasonOf(const grpc::Status& status) {
  google::rpc::Status details;
  if (!details.ParseFromString(status.error_details())) return "";
  for (const auto& any : details.details()) {
    google::rpc::ErrorInfo info;
    if (any.UnpackTo(&info)) return info.reason();
  }
  return "";
}

std::string Describe(const grpc::Status& status) {
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
// version 1), independently of the server's code.
class ChainVerifier {
 public:
  static std::string Hash(const std::string& previous, const v1::Entry& entry) {
    std::string bytes = previous;
    bytes.push_back(1);  // version
    PutString(&bytes, entry.bank_id());
    PutU64(&bytes, entry.seq());
    PutString(&bytes, entry.entry_id());
    bytes.push_back(static_cast<char>(entry.kind()));
    PutString(&bytes, entry.from_account_id());
    PutString(&bytes, entry.to_account_id());
    PutU64(&bytes, static_cast<uint64_t>(entry.minutes()));
    PutString(&bytes, entry.activity());
    PutString(&bytes, entry.note());
    PutU64(&bytes, static_cast<uint64_t>(Micros(entry.occurred_at())));
    PutU64(&bytes, static_cast<uint64_t>(Micros(entry.recorded_at())));
    PutString(&bytes, entry.recorded_by());
    PutU64(&bytes, entry.reverses_seq());
    unsigned char digest[SHA256_DIGEST_LENGTH];
    SHA256(reinterpret_cast<const unsigned char*>(bytes.data()), bytes.size(), digest);
    return std::string(reinterpret_cast<const char*>(digest), sizeof(digest));
  }

 private:
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
class Window {
 public:
  explicit Window(int max) : max_(max) {}
  void Acquire() {
    std::unique_lock<std::mutex> lock(mu_);
    cv_.wait(lock, [&] { return in_flight_ < max_; });
    ++in_flight_;
  }
  void Release() {
    {
      std::lock_guard<std::mutex> lock(mu_);
      --in_flight_;
    }
    cv_.notify_all();
  }
  // Returns false if calls are still in flight after `timeout`.
  bool Drain(std::chrono::seconds timeout) {
    std::unique_lock<std::mutex> lock(mu_);
    return cv_.wait_for(lock, timeout, [&] { return in_flight_ == 0; });
  }

 private:
  const int max_;
  std::mutex mu_;
  std::condition_variable cv_;
  int in_flight_ = 0;
};

class CrashTest : public ::testing::Test {
 protected:
  void SetUp() override {
    const char* binary = std::getenv("TIMELEDGERD");
    ASSERT_NE(binary, nullptr)
        << "set TIMELEDGERD to the timeledgerd binary (ctest does: see crash_test.cmake.txt)";
    binary_ = binary;
    ASSERT_EQ(access(binary_.c_str(), X_OK), 0) << binary_ << " is not an executable";
    data_dir_ = dir_.path() + "/data";
  }

  void StartServer(const std::string& what) {
    server_ = std::make_unique<ServerProcess>();
    const std::string log = dir_.path() + "/" + what + ".log";
    const std::string error = server_->Start(binary_, data_dir_, log);
    ASSERT_EQ(error, "") << what;
    auto channel =
        testing::AuthorizedChannel(server_->address(), testing::ReadAdminToken(data_dir_));
    ASSERT_TRUE(channel->WaitForConnected(Deadline())) << what << ": cannot connect";
    banks_ = v1::Banks::NewStub(channel);
    accounts_ = v1::Accounts::NewStub(channel);
    ledger_ = v1::Ledger::NewStub(channel);
  }

  void CreateBankAndAccounts() {
    v1::CreateBankRequest bank;
    bank.set_bank_id(kBank);
    bank.set_name("Crash test time bank");
    bank.set_time_zone("Europe/London");
    v1::Bank created;
    grpc::ClientContext context;
    context.set_deadline(Deadline());
    const grpc::Status status = banks_->CreateBank(&context, bank, &created);
    ASSERT_TRUE(status.ok()) << Describe(status);
    OpenAccount("centre", v1::ORGANISATION);
    OpenAccount("cafe", v1::ORGANISATION);
    for (int i = 0; i < kPersons; ++i) OpenAccount(PersonId(i), v1::PERSON);
  }

  void OpenAccount(const std::string& id, v1::AccountKind kind) {
    v1::OpenAccountRequest request;
    request.set_bank_id(kBank);
    request.set_account_id(id);
    request.set_kind(kind);
    request.set_display_name("Name of " + id);
    v1::Account account;
    grpc::ClientContext context;
    context.set_deadline(Deadline());
    const grpc::Status status = accounts_->OpenAccount(&context, request, &account);
    ASSERT_TRUE(status.ok()) << id << ": " << Describe(status);
  }

  // A request the default rules of a time bank accept, unless a balance is at its floor or cap.
  v1::RecordEntryRequest RandomRequest(std::mt19937_64& rng, const std::string& entry_id) {
    auto uniform = [&](int low, int high) {
      return std::uniform_int_distribution<int>(low, high)(rng);
    };
    auto person = [&] { return PersonId(uniform(0, kPersons - 1)); };
    v1::RecordEntryRequest request;
    request.set_bank_id(kBank);
    request.set_entry_id(entry_id);
    const int kind = uniform(0, 99);
    if (kind < 30) {
      request.set_kind(v1::AWARD);
      request.set_from_account_id("centre");
      request.set_to_account_id(person());
      request.set_minutes(15 * uniform(1, 8));
    } else if (kind < 60) {
      request.set_kind(v1::SPEND);
      request.set_from_account_id(person());
      request.set_to_account_id("cafe");
      request.set_minutes(uniform(5, 120));
    } else if (kind < 85) {
      request.set_kind(v1::EXCHANGE);
      request.set_from_account_id(person());
      do {
        request.set_to_account_id(person());
      } while (request.to_account_id() == request.from_account_id());
      request.set_minutes(15 * uniform(1, 8));
    } else if (kind < 93) {
      request.set_kind(v1::DONATION);
      request.set_from_account_id(person());
      request.set_to_account_id("pool");
      request.set_minutes(uniform(5, 60));
    } else {
      request.set_kind(v1::GRANT);
      request.set_from_account_id("pool");
      request.set_to_account_id(person());
      request.set_minutes(uniform(5, 60));
    }
    static const char* const kActivities[] = {"gardening", "mentoring", "film night", "minibus"};
    request.set_activity(kActivities[uniform(0, 3)]);
    if (uniform(0, 4) == 0) request.set_note("slip " + entry_id);
    if (uniform(0, 4) != 0) {  // mostly dated in the past weeks, so daily limits rarely bite
      const auto now = std::chrono::system_clock::now();
      const int64_t seconds =
          std::chrono::duration_cast<std::chrono::seconds>(now.time_since_epoch()).count() -
          uniform(0, 50 * 86400);
      request.mutable_occurred_at()->set_seconds(seconds);
      request.mutable_occurred_at()->set_nanos(uniform(0, 999) * 1000);
    }
    return request;
  }

  // Records entries from kClientThreads threads until the server is killed, after a random time.
  // Returns every attempt.
  std::vector<std::unique_ptr<Attempt>> LoadAndKill(int cycle, std::mt19937_64& rng) {
    std::atomic<bool> killed{false};
    std::vector<std::vector<std::unique_ptr<Attempt>>> per_thread(kClientThreads);
    std::vector<std::unique_ptr<Window>> windows;
    for (int t = 0; t < kClientThreads; ++t) {
      windows.push_back(std::make_unique<Window>(kInFlightPerThread));
    }
    std::vector<std::thread> threads;
    for (int t = 0; t < kClientThreads; ++t) {
      const uint64_t thread_seed = rng();
      threads.emplace_back([&, t, thread_seed] {
        std::mt19937_64 thread_rng(thread_seed);
        Window& window = *windows[t];
        for (int n = 0; !killed.load(); ++n) {
          window.Acquire();
          if (killed.load()) {
            window.Release();
            break;
          }
          auto attempt = std::make_unique<Attempt>();
          attempt->cycle = cycle;
          attempt->request =
              RandomRequest(thread_rng, "c" + std::to_string(cycle) + "-t" + std::to_string(t) +
                                            "-" + std::to_string(n));
          Attempt* raw = attempt.get();
          per_thread[t].push_back(std::move(attempt));
          auto context = std::make_shared<grpc::ClientContext>();
          context->set_deadline(Deadline());
          ledger_->async()->RecordEntry(context.get(), &raw->request, &raw->response,
                                        [raw, context, &killed, &window](grpc::Status status) {
                                          raw->answered_before_kill = !killed.load();
                                          raw->status = std::move(status);
                                          window.Release();
                                        });
        }
      });
    }
    const int wait_ms =
        std::uniform_int_distribution<int>(kKillAfterMinMs, kKillAfterMaxMs)(kill_rng_);
    std::this_thread::sleep_for(std::chrono::milliseconds(wait_ms));
    killed.store(true);
    const bool was_running = server_->Kill();
    for (auto& thread : threads) thread.join();
    for (auto& window : windows) {
      EXPECT_TRUE(window->Drain(std::chrono::seconds(30))) << "calls still in flight after 30 s";
    }
    EXPECT_TRUE(was_running) << "timeledgerd had died before the kill:\n" << server_->log();
    std::vector<std::unique_ptr<Attempt>> attempts;
    for (auto& list : per_thread) {
      for (auto& attempt : list) attempts.push_back(std::move(attempt));
    }
    std::cout << "cycle " << cycle << ": killed after " << wait_ms << " ms, " << attempts.size()
              << " calls" << std::endl;
    return attempts;
  }

  Snapshot ReadBack() {
    Snapshot snapshot;
    std::string token;
    for (int pages = 0; pages < 100'000; ++pages) {
      v1::ListEntriesRequest request;
      request.set_bank_id(kBank);
      request.set_page_size(kPageSize);
      request.set_page_token(token);
      v1::ListEntriesResponse response;
      grpc::ClientContext context;
      context.set_deadline(Deadline());
      const grpc::Status status = ledger_->ListEntries(&context, request, &response);
      if (!status.ok()) {
        ADD_FAILURE() << "ListEntries: " << Describe(status);
        break;
      }
      for (const auto& row : response.rows()) snapshot.entries.push_back(row.entry());
      token = response.next_page_token();
      if (token.empty()) break;
    }
    token.clear();
    for (int pages = 0; pages < 1000; ++pages) {
      v1::ListAccountsRequest request;
      request.set_bank_id(kBank);
      request.set_page_size(37);
      request.set_page_token(token);
      v1::ListAccountsResponse response;
      grpc::ClientContext context;
      context.set_deadline(Deadline());
      const grpc::Status status = accounts_->ListAccounts(&context, request, &response);
      if (!status.ok()) {
        ADD_FAILURE() << "ListAccounts: " << Describe(status);
        break;
      }
      for (const auto& account : response.accounts()) {
        snapshot.accounts[account.account_id()] = account;
      }
      token = response.next_page_token();
      if (token.empty()) break;
    }
    for (const auto& [id, account] : snapshot.accounts) snapshot.replayed[id] = 0;
    for (const v1::Entry& entry : snapshot.entries) {
      snapshot.seq_of.emplace(entry.entry_id(), entry.seq());
      const int64_t from = snapshot.replayed[entry.from_account_id()] -= entry.minutes();
      const int64_t to = snapshot.replayed[entry.to_account_id()] += entry.minutes();
      snapshot.after.emplace_back(from, to);
    }
    return snapshot;
  }

  // Seqs dense from 1, entry_ids unique, every hash chained to the previous entry's.
  void CheckJournal(const Snapshot& snapshot) {
    std::string previous(32, '\0');
    int problems = 0;
    for (size_t i = 0; i < snapshot.entries.size() && problems < 10; ++i) {
      const v1::Entry& entry = snapshot.entries[i];
      if (entry.seq() != i + 1) {
        ADD_FAILURE() << "position " << i + 1 << " of the listing holds seq " << entry.seq();
        ++problems;
      }
      if (entry.hash() != ChainVerifier::Hash(previous, entry)) {
        ADD_FAILURE() << "entry " << entry.seq() << " (" << entry.entry_id()
                      << ") does not chain to the entry before it";
        ++problems;
      }
      previous = entry.hash();
    }
    EXPECT_EQ(snapshot.seq_of.size(), snapshot.entries.size()) << "an entry_id was used twice";
    v1::GetBankRequest request;
    request.set_bank_id(kBank);
    v1::Bank bank;
    grpc::ClientContext context;
    context.set_deadline(Deadline());
    const grpc::Status status = banks_->GetBank(&context, request, &bank);
    ASSERT_TRUE(status.ok()) << Describe(status);
    EXPECT_EQ(bank.entry_count(), snapshot.entries.size());
  }

  // Balances and totals equal the replay; they sum to zero.
  void CheckBalances(const Snapshot& snapshot) {
    EXPECT_EQ(snapshot.accounts.size(), static_cast<size_t>(kPersons + 3));
    int64_t sum = 0;
    std::map<std::string, int64_t> earned, spent, count;
    for (const v1::Entry& entry : snapshot.entries) {
      spent[entry.from_account_id()] += entry.minutes();
      earned[entry.to_account_id()] += entry.minutes();
      ++count[entry.from_account_id()];
      ++count[entry.to_account_id()];
    }
    for (const auto& [id, account] : snapshot.accounts) {
      sum += account.balance_minutes();
      EXPECT_EQ(account.balance_minutes(), snapshot.replayed.at(id)) << id;
      EXPECT_EQ(account.earned_minutes(), earned[id]) << id;
      EXPECT_EQ(account.spent_minutes(), spent[id]) << id;
      EXPECT_EQ(account.entry_count(), static_cast<uint64_t>(count[id])) << id;
    }
    EXPECT_EQ(sum, 0) << "the balances do not sum to zero";
    EXPECT_EQ(snapshot.replayed.size(), snapshot.accounts.size()) << "an entry names no account";
  }

  // Each account's statement lists exactly the entries touching it, with running balances.
  void CheckStatements(const Snapshot& snapshot) {
    std::map<std::string, std::vector<uint64_t>> expected;
    for (const v1::Entry& entry : snapshot.entries) {
      expected[entry.from_account_id()].push_back(entry.seq());
      expected[entry.to_account_id()].push_back(entry.seq());
    }
    for (const auto& [id, account] : snapshot.accounts) {
      std::vector<uint64_t> seqs;
      std::string token;
      bool balances_agree = true;
      for (int pages = 0; pages < 10'000; ++pages) {
        v1::ListEntriesRequest request;
        request.set_bank_id(kBank);
        request.set_account_id(id);
        request.set_page_size(kPageSize);
        request.set_page_token(token);
        v1::ListEntriesResponse response;
        grpc::ClientContext context;
        context.set_deadline(Deadline());
        const grpc::Status status = ledger_->ListEntries(&context, request, &response);
        ASSERT_TRUE(status.ok()) << "statement of " << id << ": " << Describe(status);
        for (const auto& row : response.rows()) {
          const uint64_t seq = row.entry().seq();
          seqs.push_back(seq);
          if (seq == 0 || seq > snapshot.after.size()) continue;
          const auto& [from, to] = snapshot.after[seq - 1];
          const int64_t want = row.entry().from_account_id() == id ? from : to;
          balances_agree = balances_agree && row.running_balance_minutes() == want;
        }
        token = response.next_page_token();
        if (token.empty()) break;
      }
      EXPECT_EQ(seqs, expected[id]) << "statement of " << id;
      EXPECT_TRUE(balances_agree) << "statement of " << id << ": running balances disagree";
    }
  }

  grpc::Status GetEntry(uint64_t seq, const std::string& entry_id, v1::Entry* entry) {
    v1::GetEntryRequest request;
    request.set_bank_id(kBank);
    if (seq != 0) request.set_seq(seq);
    if (!entry_id.empty()) request.set_entry_id(entry_id);
    grpc::ClientContext context;
    context.set_deadline(Deadline());
    return ledger_->GetEntry(&context, request, entry);
  }

  // The receipt's entry is in the listing unchanged, and its balances were the accounts'
  // balances right after it.
  void CheckAck(const Snapshot& snapshot, const Ack& ack) {
    const v1::Entry& receipt = ack.response.entry();
    const std::string what = "acknowledged " + ack.request.entry_id() + " (cycle " +
                             std::to_string(ack.cycle) + ", seq " + std::to_string(receipt.seq()) +
                             ")";
    std::string problem;
    if (receipt.seq() == 0 || receipt.seq() > snapshot.entries.size()) {
      problem = " is missing after the restart";
    } else if (const v1::Entry& listed = snapshot.entries[receipt.seq() - 1];
               !MessageDifferencer::Equals(receipt, listed)) {
      problem = " differs:\nreceipt " + receipt.ShortDebugString() + "\nlisted  " +
                listed.ShortDebugString();
    } else if (!ack.response.replayed() &&
               (ack.response.from_balance_minutes() != snapshot.after[receipt.seq() - 1].first ||
                ack.response.to_balance_minutes() != snapshot.after[receipt.seq() - 1].second)) {
      problem = " has receipt balances that are not those right after it";
    }
    if (!problem.empty() && ack_failures_++ < 10) ADD_FAILURE() << what << problem;
  }

  // Records every acknowledged request again, a thousand per RecordEntries call: each must
  // replay its entry, so every entry_id still leads to its entry and nothing is written twice.
  void ReplayAcks(const Snapshot& snapshot) {
    int failures = 0;
    for (size_t start = 0; start < acks_.size(); start += kPageSize) {
      v1::RecordEntriesRequest request;
      const size_t end = std::min(acks_.size(), start + kPageSize);
      for (size_t i = start; i < end; ++i) *request.add_entries() = acks_[i].request;
      v1::RecordEntriesResponse response;
      grpc::ClientContext context;
      context.set_deadline(Deadline());
      const grpc::Status status = ledger_->RecordEntries(&context, request, &response);
      ASSERT_TRUE(status.ok()) << "RecordEntries: " << Describe(status);
      ASSERT_EQ(static_cast<size_t>(response.results_size()), end - start);
      for (size_t i = start; i < end; ++i) {
        const auto& result = response.results(static_cast<int>(i - start));
        const uint64_t seq = acks_[i].response.entry().seq();
        const bool same =
            result.has_receipt() && result.receipt().replayed() && seq >= 1 &&
            seq <= snapshot.entries.size() &&
            MessageDifferencer::Equals(result.receipt().entry(), snapshot.entries[seq - 1]);
        if (!same && failures++ < 10) {
          ADD_FAILURE() << "acknowledged " << acks_[i].request.entry_id() << " (seq " << seq
                        << ") does not replay: " << result.ShortDebugString();
        }
      }
    }
  }

  // Reads each acknowledged entry back by seq and by entry_id, many calls at once, and compares
  // with the listing.
  void ReadBackAcks(const Snapshot& snapshot, const std::vector<const Ack*>& acks) {
    struct Read {
      const Ack* ack;
      bool by_id;
      grpc::ClientContext context;
      v1::GetEntryRequest request;
      v1::Entry entry;
      grpc::Status status;
    };
    std::vector<std::unique_ptr<Read>> reads;
    Window window(64);
    for (const Ack* ack : acks) {
      for (bool by_id : {false, true}) {
        auto read = std::make_unique<Read>();
        read->ack = ack;
        read->by_id = by_id;
        read->request.set_bank_id(kBank);
        if (by_id) {
          read->request.set_entry_id(ack->request.entry_id());
        } else {
          read->request.set_seq(ack->response.entry().seq());
        }
        read->context.set_deadline(Deadline());
        Read* raw = read.get();
        reads.push_back(std::move(read));
        window.Acquire();
        ledger_->async()->GetEntry(&raw->context, &raw->request, &raw->entry,
                                   [raw, &window](grpc::Status status) {
                                     raw->status = std::move(status);
                                     window.Release();
                                   });
      }
    }
    ASSERT_TRUE(window.Drain(std::chrono::seconds(60))) << "reads still in flight after 60 s";
    int failures = 0;
    for (const auto& read : reads) {
      const uint64_t seq = read->ack->response.entry().seq();
      const bool same = read->status.ok() && seq >= 1 && seq <= snapshot.entries.size() &&
                        MessageDifferencer::Equals(read->entry, snapshot.entries[seq - 1]);
      if (!same && failures++ < 10) {
        ADD_FAILURE() << "acknowledged " << read->ack->request.entry_id() << ": GetEntry by "
                      << (read->by_id ? "entry_id" : "seq") << " gives "
                      << (read->status.ok() ? read->entry.ShortDebugString()
                                            : Describe(read->status));
      }
    }
  }

  static bool RecordsRequest(const v1::Entry& entry, const v1::RecordEntryRequest& request) {
    return entry.entry_id() == request.entry_id() && entry.kind() == request.kind() &&
           entry.from_account_id() == request.from_account_id() &&
           entry.to_account_id() == request.to_account_id() &&
           entry.minutes() == request.minutes() && entry.activity() == request.activity() &&
           entry.note() == request.note() &&
           (!request.has_occurred_at() ||
            MessageDifferencer::Equals(entry.occurred_at(), request.occurred_at()));
  }

  // An unanswered call's entry is wholly there (listed, found by entry_id, recording the request)
  // or wholly absent; an entry a rule refused is absent. Returns the unanswered attempts.
  std::vector<const Attempt*> CheckUnacknowledged(
      const Snapshot& snapshot, const std::vector<std::unique_ptr<Attempt>>& attempts) {
    std::vector<const Attempt*> unanswered;
    int present = 0, absent = 0, refused = 0;
    for (const auto& attempt : attempts) {
      if (attempt->status.ok()) continue;
      const std::string& id = attempt->request.entry_id();
      const bool refusal = attempt->status.error_code() == grpc::StatusCode::FAILED_PRECONDITION;
      if (!refusal && (attempt->answered_before_kill || !ReasonOf(attempt->status).empty())) {
        ADD_FAILURE() << id << " failed, and not for the kill: " << Describe(attempt->status);
        continue;
      }
      auto listed = snapshot.seq_of.find(id);
      v1::Entry found;
      const grpc::Status lookup = GetEntry(0, id, &found);
      if (refusal) {
        ++refused;
        EXPECT_EQ(listed, snapshot.seq_of.end()) << "refused " << id << " was written";
        EXPECT_EQ(lookup.error_code(), grpc::StatusCode::NOT_FOUND) << "refused " << id;
        continue;
      }
      unanswered.push_back(attempt.get());
      if (listed == snapshot.seq_of.end()) {
        ++absent;
        EXPECT_EQ(lookup.error_code(), grpc::StatusCode::NOT_FOUND)
            << "unanswered " << id << " is not listed, yet GetEntry gives " << Describe(lookup);
        continue;
      }
      ++present;
      const v1::Entry& entry = snapshot.entries[listed->second - 1];
      EXPECT_TRUE(RecordsRequest(entry, attempt->request))
          << "unanswered " << id << " was recorded as something else: " << entry.ShortDebugString();
      EXPECT_TRUE(lookup.ok() && MessageDifferencer::Equals(found, entry))
          << "unanswered " << id << " is listed but GetEntry gives " << Describe(lookup);
    }
    std::cout << "  unanswered: " << present << " written, " << absent
              << " not written; refused by a rule: " << refused << std::endl;
    return unanswered;
  }

  grpc::Status Record(const v1::RecordEntryRequest& request, v1::RecordEntryResponse* response) {
    grpc::ClientContext context;
    context.set_deadline(Deadline());
    return ledger_->RecordEntry(&context, request, response);
  }

  // Retries each unanswered request with the same content: a written one replays, a missing one
  // is recorded now (or refused by a rule, and stays missing); a second retry replays that.
  void RetryUnanswered(const Snapshot& snapshot, const std::vector<const Attempt*>& unanswered) {
    for (const Attempt* attempt : unanswered) {
      const std::string& id = attempt->request.entry_id();
      auto listed = snapshot.seq_of.find(id);
      v1::RecordEntryResponse first;
      grpc::Status status = Record(attempt->request, &first);
      if (listed != snapshot.seq_of.end()) {
        ASSERT_TRUE(status.ok()) << "retry of written " << id << ": " << Describe(status);
        EXPECT_TRUE(first.replayed()) << "retry of written " << id << " recorded it again";
        EXPECT_EQ(first.entry().seq(), listed->second) << id;
        continue;
      }
      if (!status.ok()) {
        EXPECT_EQ(status.error_code(), grpc::StatusCode::FAILED_PRECONDITION)
            << "retry of missing " << id << ": " << Describe(status);
        continue;
      }
      EXPECT_FALSE(first.replayed()) << "retry of missing " << id << " claims to replay";
      EXPECT_GT(first.entry().seq(), snapshot.entries.size()) << id;
      v1::RecordEntryResponse second;
      status = Record(attempt->request, &second);
      ASSERT_TRUE(status.ok()) << "second retry of " << id << ": " << Describe(status);
      EXPECT_TRUE(second.replayed()) << id;
      EXPECT_EQ(second.entry().seq(), first.entry().seq()) << id << " recorded twice";
      acks_.push_back(Ack{attempt->request, first, attempt->cycle});
    }
  }

  timeledger::testing::TempDir dir_;
  std::string binary_;
  std::string data_dir_;
  std::unique_ptr<ServerProcess> server_;
  std::unique_ptr<v1::Banks::Stub> banks_;
  std::unique_ptr<v1::Accounts::Stub> accounts_;
  std::unique_ptr<v1::Ledger::Stub> ledger_;
  std::deque<Ack> acks_;  // every acknowledged entry so far
  // A generator of its own, so each cycle's kill comes at the same moment in every run.
  std::mt19937_64 kill_rng_{kSeed + 1};
  int ack_failures_ = 0;  // reported in full for the first few only
};

TEST_F(CrashTest, AcknowledgedEntriesSurviveSigkillAndNothingIsHalfWritten) {
  std::mt19937_64 rng(kSeed);
  ASSERT_NO_FATAL_FAILURE(StartServer("start"));
  ASSERT_NO_FATAL_FAILURE(CreateBankAndAccounts());
  for (int cycle = 0; cycle < kCycles; ++cycle) {
    const auto attempts = LoadAndKill(cycle, rng);
    size_t acknowledged = 0;
    for (const auto& attempt : attempts) {
      if (!attempt->status.ok()) continue;
      ++acknowledged;
      EXPECT_NE(attempt->response.entry().seq(), 0u)
          << attempt->request.entry_id() << " was acknowledged as pending";
      EXPECT_FALSE(attempt->response.replayed()) << attempt->request.entry_id();
      acks_.push_back(Ack{attempt->request, attempt->response, cycle});
    }
    ASSERT_GT(acknowledged, 0u) << "cycle " << cycle << " acknowledged nothing";

    ASSERT_NO_FATAL_FAILURE(StartServer("restart-" + std::to_string(cycle)));
    const Snapshot snapshot = ReadBack();
    std::cout << "  " << acknowledged << " acknowledged; " << snapshot.entries.size()
              << " entries after the restart" << std::endl;
    CheckJournal(snapshot);
    CheckBalances(snapshot);
    CheckStatements(snapshot);
    // Every acknowledged entry: against the listing, and retried (it replays); some of this
    // cycle's and earlier cycles' also read back one by one.
    std::vector<const Ack*> current, earlier;
    for (const Ack& ack : acks_) {
      CheckAck(snapshot, ack);
      (ack.cycle == cycle ? current : earlier).push_back(&ack);
    }
    ASSERT_NO_FATAL_FAILURE(ReplayAcks(snapshot));
    std::shuffle(current.begin(), current.end(), rng);
    std::shuffle(earlier.begin(), earlier.end(), rng);
    current.resize(std::min(current.size(), kReadBacks));
    earlier.resize(std::min(earlier.size(), kReadBacks / 2));
    current.insert(current.end(), earlier.begin(), earlier.end());
    ASSERT_NO_FATAL_FAILURE(ReadBackAcks(snapshot, current));
    const auto unanswered = CheckUnacknowledged(snapshot, attempts);
    ASSERT_NO_FATAL_FAILURE(RetryUnanswered(snapshot, unanswered));
    if (HasFailure()) break;  // the first broken cycle says enough
  }

  // The last server stops cleanly on SIGTERM, and what it leaves still adds up.
  const Snapshot last = ReadBack();
  CheckJournal(last);
  CheckBalances(last);
  EXPECT_EQ(server_->Terminate(std::chrono::seconds(20)), 0) << server_->log();
}

}  // namespace
}  // namespace timeledger
