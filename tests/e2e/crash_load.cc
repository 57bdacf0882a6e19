// The crash test's server, bank and load: timeledgerd started and killed, the bank and its
// accounts, entries recorded from many threads until the kill, and the ledger read back.
#include <algorithm>
#include <atomic>
#include <chrono>
#include <iostream>
#include <map>
#include <memory>
#include <random>
#include <string>
#include <thread>
#include <vector>

#include "tests/e2e/crash_fixture.h"
#include "tests/support/access.h"

namespace timeledger::crash_test {

void CrashTest::SetUp() {
  const char* binary = std::getenv("TIMELEDGERD");
  ASSERT_NE(binary, nullptr)
      << "set TIMELEDGERD to the timeledgerd binary (ctest does: see crash_test.cmake.txt)";
  binary_ = binary;
  ASSERT_EQ(access(binary_.c_str(), X_OK), 0) << binary_ << " is not an executable";
  data_dir_ = dir_.path() + "/data";
}

void CrashTest::StartServer(const std::string& what) {
  server_ = std::make_unique<ServerProcess>();
  const std::string log = dir_.path() + "/" + what + ".log";
  const std::string error = server_->Start(binary_, data_dir_, log);
  ASSERT_EQ(error, "") << what;
  auto channel = testing::AuthorizedChannel(server_->address(), testing::ReadAdminToken(data_dir_));
  ASSERT_TRUE(channel->WaitForConnected(Deadline())) << what << ": cannot connect";
  banks_ = v1::Banks::NewStub(channel);
  accounts_ = v1::Accounts::NewStub(channel);
  ledger_ = v1::Ledger::NewStub(channel);
}

void CrashTest::CreateBankAndAccounts() {
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

void CrashTest::OpenAccount(const std::string& id, v1::AccountKind kind) {
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
v1::RecordEntryRequest CrashTest::RandomRequest(std::mt19937_64& rng, const std::string& entry_id) {
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
std::vector<std::unique_ptr<Attempt>> CrashTest::LoadAndKill(int cycle, std::mt19937_64& rng) {
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
            RandomRequest(thread_rng, "c" + std::to_string(cycle) + "-t" + std::to_string(t) + "-" +
                                          std::to_string(n));
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

Snapshot CrashTest::ReadBack() {
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

}  // namespace timeledger::crash_test
