// report_bench: how long a period report takes over a ledger of a million entries, and whether
// its cost grows with the entries in the period rather than with the whole ledger.
//
// Builds the ledger directly through ledger::Ledger (no gRPC) in a temporary directory: one bank,
// 1000 persons and 10 organisations, entries spread over two years with one in twenty backdated
// by up to 30 days and about one in a thousand reversed. The build runs with sync off: what is
// measured is reading, and an fsync per group would only make the setup take longer. The ledger
// is then closed and opened again, so that reports read from SST files as they would on a
// running server, and each report is timed (best and median of --runs).
//
// Usage: report_bench [--entries N] [--runs N] [--dir PATH] [--keep]
//   --dir PATH  build the ledger there (kept); if it already holds one, measure that one again
// Prints a table; timings are printed, never asserted.
#include <time.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <memory>
#include <mutex>
#include <random>
#include <string>
#include <thread>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/time/civil_time.h"
#include "absl/time/time.h"

#include "ledger/engine/ledger.h"
#include "ledger/reports/report.h"

namespace timeledger::bench {
namespace {

using ledger::Await;

constexpr char kBank[] = "bench";
constexpr int kPersons = 1000;
constexpr int kOrganisations = 10;
constexpr size_t kBatch = 1000;      // entries per RecordEntries call
constexpr int kBatchesInFlight = 4;  // calls queued at once
constexpr int kDays = 730;           // the ledger's span

struct Flags {
  size_t entries = 1'000'000;
  int runs = 5;
  std::string dir;
  bool keep = false;
};

Flags ParseFlags(int argc, char** argv) {
  Flags flags;
  for (int i = 1; i < argc; ++i) {
    const std::string arg = argv[i];
    auto value = [&]() -> std::string {
      if (i + 1 >= argc) {
        std::fprintf(stderr, "report_bench: %s needs a value\n", arg.c_str());
        std::exit(2);
      }
      return argv[++i];
    };
    if (arg == "--entries") {
      flags.entries = std::stoull(value());
    } else if (arg == "--runs") {
      flags.runs = std::max(1, std::stoi(value()));
    } else if (arg == "--dir") {
      flags.dir = value();
    } else if (arg == "--keep") {
      flags.keep = true;
    } else {
      std::fprintf(stderr, "usage: report_bench [--entries N] [--runs N] [--dir PATH] [--keep]\n");
      std::exit(2);
    }
  }
  return flags;
}

ledger::Policy RulesOff() {
  ledger::Policy policy;
  policy.granularity_enabled = policy.entry_maximum_enabled = policy.floors_enabled = false;
  policy.balance_cap_enabled = policy.daily_limit_enabled = policy.backdating_enabled = false;
  policy.reciprocity_enabled = policy.staff_duty_enabled = false;
  policy.self_recorded_needs_confirmation = false;
  return policy;
}

std::string Person(int i) { return absl::StrCat("p", i); }
std::string Organisation(int i) { return absl::StrCat("org", i); }

double Seconds(std::chrono::steady_clock::duration d) {
  return std::chrono::duration<double>(d).count();
}

void Check(const absl::Status& status, const char* what) {
  if (status.ok()) return;
  std::fprintf(stderr, "report_bench: %s: %s\n", what, status.ToString().c_str());
  std::exit(1);
}

// Opens the ledger with a clock the bench moves.
std::unique_ptr<ledger::Ledger> OpenLedger(const std::string& dir, std::atomic<absl::Time>* now) {
  ledger::LedgerOptions options;
  options.data_dir = dir;
  options.sync = false;
  options.clock = [now] { return now->load(); };
  auto opened = ledger::Ledger::Open(options);
  Check(opened.status(), "open");
  return *std::move(opened);
}

// Creates the bank with every rule off, then its persons and organisations.
void OpenBankAndAccounts(ledger::Ledger& ledger) {
  Check(Await<ledger::Bank>([&](auto done) {
          ledger.CreateBank({kBank, "Bench time bank", "Europe/London", {}},
                            ledger::AdminNamed("bench"), std::move(done));
        }).status(),
        "create bank");
  Check(Await<ledger::Policy>([&](auto done) {
          ledger.SetPolicy(ledger::BankId(kBank), RulesOff(), 0, ledger::AdminNamed("bench"),
                           std::move(done));
        }).status(),
        "policy");
  for (int i = 0; i < kPersons + kOrganisations; ++i) {
    ledger::Account account;
    account.bank_id = kBank;
    account.account_id = i < kPersons ? Person(i) : Organisation(i - kPersons);
    account.kind = i < kPersons ? ledger::AccountKind::kPerson : ledger::AccountKind::kOrganisation;
    account.display_name = account.account_id;
    Check(Await<ledger::Account>([&](auto done) {
            ledger.OpenAccount(account, ledger::AdminNamed("bench"), std::move(done));
          }).status(),
          "open account");
  }
}

// Entry number `index`, recorded at `at`: 70 % exchanges between two persons, then awards,
// spends, donations and grants; one in twenty backdated by up to 30 days.
ledger::EntrySpec RandomEntry(std::mt19937_64& random, size_t index, absl::Time at) {
  static const char* kActivities[] = {"gardening",     "cooking lunch", "mentoring",
                                      "computer help", "film night",    "lunch",
                                      "befriending",   "transport",     "reading group",
                                      "DIY",           "shopping",      "language class"};
  auto pick = [&](uint64_t n) { return random() % n; };
  ledger::EntrySpec spec;
  spec.bank_id = kBank;
  spec.entry_id = absl::StrCat("b", index);
  spec.minutes = 15 * static_cast<int64_t>(1 + pick(12));
  spec.activity = kActivities[pick(12)];
  spec.occurred_at = pick(20) == 0 ? at - absl::Minutes(static_cast<int64_t>(pick(30 * 1440))) : at;
  const int a = static_cast<int>(pick(kPersons));
  int b = static_cast<int>(pick(kPersons));
  if (b == a) b = (a + 1) % kPersons;
  const std::string org = Organisation(static_cast<int>(pick(kOrganisations)));
  const uint64_t roll = pick(100);
  spec.kind = roll < 70   ? ledger::EntryKind::kExchange
              : roll < 82 ? ledger::EntryKind::kAward
              : roll < 92 ? ledger::EntryKind::kSpend
              : roll < 96 ? ledger::EntryKind::kDonation
                          : ledger::EntryKind::kGrant;
  spec.from_account_id = Person(a);
  spec.to_account_id = Person(b);
  if (spec.kind == ledger::EntryKind::kAward) spec.from_account_id = org;
  if (spec.kind == ledger::EntryKind::kSpend) spec.to_account_id = org;
  if (spec.kind == ledger::EntryKind::kDonation) spec.to_account_id = ledger::kPoolAccountId;
  if (spec.kind == ledger::EntryKind::kGrant) spec.from_account_id = ledger::kPoolAccountId;
  return spec;
}

// Lets at most kBatchesInFlight calls be queued at once, and waits for the last of them.
class InFlight {
 public:
  void WaitForRoom() {
    std::unique_lock<std::mutex> lock(mu_);
    cv_.wait(lock, [&] { return calls_ < kBatchesInFlight; });
    ++calls_;
  }
  void Done() {
    std::lock_guard<std::mutex> lock(mu_);
    --calls_;
    cv_.notify_all();
  }
  void WaitForAll() {
    std::unique_lock<std::mutex> lock(mu_);
    cv_.wait(lock, [&] { return calls_ == 0; });
  }

 private:
  std::mutex mu_;
  std::condition_variable cv_;
  int calls_ = 0;
};

// Records `count` entries over kDays days ending at `end`, the clock moving with them.
void Build(ledger::Ledger& ledger, std::atomic<absl::Time>* now, absl::Time end, size_t count) {
  const absl::Time start = end - absl::Hours(24 * kDays);
  *now = start - absl::Hours(24);
  OpenBankAndAccounts(ledger);
  std::mt19937_64 random(42);
  InFlight in_flight;
  const absl::Duration step = absl::Hours(24 * kDays) / static_cast<double>(count);
  for (size_t done = 0; done < count;) {
    std::vector<ledger::EntrySpec> batch;
    for (; batch.size() < kBatch && done < count; ++done) {
      batch.push_back(RandomEntry(random, done, start + step * static_cast<double>(done)));
    }
    *now = start + step * static_cast<double>(done);
    in_flight.WaitForRoom();
    ledger.RecordEntries(std::move(batch), /*atomic=*/false, ledger::AdminNamed("bench"),
                         [&](absl::StatusOr<std::vector<absl::StatusOr<ledger::Receipt>>> r) {
                           Check(r.status(), "record");
                           for (const auto& item : *r) Check(item.status(), "record item");
                           in_flight.Done();
                         });
    // About one entry in a thousand is reversed, a little while after it was recorded.
    if (done % kBatch == 0 && done > 6 * kBatch) {
      const uint64_t seq = 1 + random() % (done - 5 * kBatch);
      ledger.ReverseEntry(ledger::BankId(kBank), seq, ledger::EntryId(), "bench",
                          ledger::AdminNamed("bench"),
                          [](absl::StatusOr<ledger::Receipt>) {});  // already reversed: fine
    }
    if (done % 100'000 == 0) std::fprintf(stderr, "  %zu entries\n", done);
  }
  in_flight.WaitForAll();
}

struct Timing {
  double best_s = 0;
  double median_s = 0;
  double cpu_s = 0;  // the calling thread's CPU time, median: less disturbed by other load
};

double ThreadCpuSeconds() {
  timespec now{};
  clock_gettime(CLOCK_THREAD_CPUTIME_ID, &now);
  return static_cast<double>(now.tv_sec) + static_cast<double>(now.tv_nsec) * 1e-9;
}

template <typename F>
Timing Time(int runs, F run) {
  std::vector<double> seconds, cpu;
  for (int i = 0; i < runs; ++i) {
    const auto started = std::chrono::steady_clock::now();
    const double cpu_started = ThreadCpuSeconds();
    run();
    cpu.push_back(ThreadCpuSeconds() - cpu_started);
    seconds.push_back(Seconds(std::chrono::steady_clock::now() - started));
  }
  std::sort(seconds.begin(), seconds.end());
  std::sort(cpu.begin(), cpu.end());
  return {seconds.front(), seconds[seconds.size() / 2], cpu[cpu.size() / 2]};
}

// The machine's load average over the last minute, from /proc/loadavg (0 if unreadable).
double LoadAverage() {
  double load = 0;
  if (FILE* file = std::fopen("/proc/loadavg", "r")) {
    if (std::fscanf(file, "%lf", &load) != 1) load = 0;
    std::fclose(file);
  }
  return load;
}

void ReportRow(ledger::Ledger& ledger, const char* name, absl::CivilDay first, absl::CivilDay last,
               int runs, absl::Time now) {
  ledger::PeriodReport report;
  const Timing timing = Time(runs, [&] {
    auto view = ledger.NewReadView();
    ledger::ReportOptions options;
    options.now = now;
    auto built =
        ledger::BuildPeriodReport(*view, {ledger::BankId(kBank), first, last, false}, options);
    Check(built.status(), "report");
    report = *std::move(built);
  });
  // The report reads its period and the previous one (for returning members).
  const int64_t in_range = report.current.entry_count + report.current.reversal_count;
  std::printf("%-26s %-23s %10lld %9.3f %9.3f %8.3f %8.2f\n", name,
              absl::StrCat(absl::FormatCivilTime(first), "..", absl::FormatCivilTime(last)).c_str(),
              static_cast<long long>(in_range), timing.best_s, timing.median_s, timing.cpu_s,
              in_range > 0 ? timing.median_s * 1e6 / static_cast<double>(in_range) : 0.0);
}

void StatementRow(ledger::Ledger& ledger, const std::string& account_id, absl::CivilDay first,
                  absl::CivilDay last, int runs, absl::Time now) {
  size_t lines = 0;
  const Timing timing = Time(runs, [&] {
    auto view = ledger.NewReadView();
    auto statement = ledger::BuildStatement(
        *view, {ledger::BankId(kBank), ledger::AccountId(account_id), first, last}, now);
    Check(statement.status(), "statement");
    lines = statement->lines.size();
  });
  std::printf("%-26s %-23s %10zu %9.3f %9.3f %8.3f %8.2f\n",
              absl::StrCat("statement of ", account_id).c_str(),
              absl::StrCat(absl::FormatCivilTime(first), "..", absl::FormatCivilTime(last)).c_str(),
              lines, timing.best_s, timing.median_s, timing.cpu_s,
              lines > 0 ? timing.median_s * 1e6 / static_cast<double>(lines) : 0.0);
}

int Main(int argc, char** argv) {
  const Flags flags = ParseFlags(argc, argv);
  std::string dir = flags.dir;
  if (dir.empty()) {
    std::string pattern = (std::filesystem::temp_directory_path() / "report-bench-XXXXXX").string();
    dir = mkdtemp(pattern.data());
  }
  const absl::TimeZone london = [] {
    absl::TimeZone zone;
    absl::LoadTimeZone("Europe/London", &zone);
    return zone;
  }();
  const absl::Time end = absl::FromCivil(absl::CivilSecond(2026, 10, 1, 0, 0, 0), london);
  std::atomic<absl::Time> now{end};

  std::printf("report_bench: %zu entries, %d persons, %d organisations, %d days; in %s\n",
              flags.entries, kPersons, kOrganisations, kDays, dir.c_str());
  const auto build_started = std::chrono::steady_clock::now();
  bool built = false;
  {
    auto ledger = OpenLedger(dir, &now);
    if (!ledger->GetBank(ledger::BankId(kBank)).ok()) {
      Build(*ledger, &now, end, flags.entries);
      built = true;
    }
  }
  const double build_s = Seconds(std::chrono::steady_clock::now() - build_started);
  now = end;
  auto ledger = OpenLedger(dir, &now);  // reopened: reports read SST files
  auto bank = ledger->GetBank(ledger::BankId(kBank));
  Check(bank.status(), "bank");
  if (built) {
    std::printf("built %llu entries (with reversals) in %.1f s (sync off), reopened\n\n",
                static_cast<unsigned long long>(bank->entry_count), build_s);
  } else {
    std::printf("reusing the %llu entries already in %s\n\n",
                static_cast<unsigned long long>(bank->entry_count), dir.c_str());
  }

  const absl::CivilDay last_day = absl::CivilDay(absl::ToCivilDay(end, london)) - 1;
  const absl::CivilDay first_day = last_day - (kDays + 40);
  const int tenth = kDays / 10;
  std::printf("load average %.1f on %u cores\n\n", LoadAverage(),
              std::thread::hardware_concurrency());
  std::printf("%-26s %-23s %10s %9s %9s %8s %8s\n", "what", "days", "entries", "best s", "median s",
              "cpu s", "us/entry");
  ReportRow(*ledger, "report, whole ledger", first_day, last_day, flags.runs, end);
  ReportRow(*ledger, "report, latest 10%", last_day - tenth + 1, last_day, flags.runs, end);
  ReportRow(*ledger, "report, middle 10%", last_day - kDays / 2 - tenth + 1, last_day - kDays / 2,
            flags.runs, end);
  ReportRow(*ledger, "report, first 10%", last_day - kDays + 1, last_day - kDays + tenth,
            flags.runs, end);
  ReportRow(*ledger, "report, one month", absl::CivilDay(2026, 7, 1), absl::CivilDay(2026, 7, 31),
            flags.runs, end);
  ReportRow(*ledger, "report, one quarter", absl::CivilDay(2026, 7, 1), absl::CivilDay(2026, 9, 30),
            flags.runs, end);
  StatementRow(*ledger, Person(7), first_day, last_day, flags.runs, end);
  StatementRow(*ledger, Organisation(3), absl::CivilDay(2026, 7, 1), absl::CivilDay(2026, 9, 30),
               flags.runs, end);
  std::printf(
      "\nentries: in the period (each report also reads the period before it, for "
      "returning members); cpu s: the reporting thread's CPU time (median); us/entry: "
      "median wall time over the entries\nload average at the end: %.1f\n",
      LoadAverage());
  ledger.reset();
  if (!flags.keep && flags.dir.empty()) std::filesystem::remove_all(dir);
  return 0;
}

}  // namespace
}  // namespace timeledger::bench

int main(int argc, char** argv) { return timeledger::bench::Main(argc, argv); }
