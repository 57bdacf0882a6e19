// timeledger-audit-bench: the figures of the audit (docs/PERFORMANCE.md, "Audit: verify, proofs,
// hashing"). A plain timed program on the ledger library and a real RocksDB; it prints figures
// and asserts nothing.
//
//   1. builds one bank of --accounts accounts (default 1,000) and --entries entries (default
//      1,000,000) through Ledger::OpenAccount and RecordEntries, unsynced (the build is not what
//      is measured);
//   2. verify: the full offline verification of the closed store, and Ledger::Verify online,
//      in entries per second;
//   3. proofs at that size: inclusion proofs of random facts against the current tree, and
//      consistency proofs from random older sizes, each read from the stored nodes;
//   4. the cost of hashing and the Merkle tree on the durable write path: the CPU time per entry
//      of the journal work that a commit does (canonical fact, leaf hash, chain hashes, Merkle
//      append, chain head, staging the records), against the time per entry of synced writes
//      from concurrent clients.
//
// --dir DIR keeps the data there afterwards (DIR/big is a data directory for timeledger-verify);
// --verify-only then measures the offline verification of that kept ledger again, and nothing
// else. Each verification prints its wall time and the process's CPU time during it: on a
// shared machine the wall time is the load's, the CPU time the work's.
#include <algorithm>
#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdio>
#include <cstdlib>
#include <ctime>
#include <filesystem>
#include <mutex>
#include <random>
#include <string>
#include <vector>

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"

#include "ledger/core/merkle.h"
#include "ledger/core/records.h"
#include "ledger/engine/ledger.h"
#include "ledger/journal/journal.h"
#include "ledger/store/store.h"
#include "ledger/verify/verify.h"

namespace timeledger::ledger {
namespace {

using Clock = std::chrono::steady_clock;

double Seconds(Clock::duration duration) { return std::chrono::duration<double>(duration).count(); }

struct Flags {
  uint64_t entries = 1'000'000;
  int accounts = 1000;
  int verify_runs = 3;
  bool verify_only = false;
  int proofs = 20'000;
  double durable_seconds = 5;
  std::string dir;
};

Flags ParseFlags(int argc, char** argv) {
  Flags flags;
  for (int i = 1; i < argc; i += 2) {
    const std::string name = argv[i], value = i + 1 < argc ? argv[i + 1] : "";
    bool ok = true;
    if (name == "--verify-only") {  // a flag without a value
      flags.verify_only = true;
      --i;
    } else if (name == "--entries") {
      ok = absl::SimpleAtoi(value, &flags.entries);
    } else if (name == "--accounts") {
      ok = absl::SimpleAtoi(value, &flags.accounts) && flags.accounts >= 2;
    } else if (name == "--verify-runs") {
      ok = absl::SimpleAtoi(value, &flags.verify_runs) && flags.verify_runs >= 1;
    } else if (name == "--proofs") {
      ok = absl::SimpleAtoi(value, &flags.proofs);
    } else if (name == "--durable-seconds") {
      ok = absl::SimpleAtod(value, &flags.durable_seconds);
    } else if (name == "--dir") {
      flags.dir = value;
    } else {
      ok = false;
    }
    if (!ok) {
      std::fprintf(stderr,
                   "usage: timeledger-audit-bench [--entries N] [--accounts N] [--proofs N] "
                   "[--durable-seconds S] [--verify-runs N] [--dir DIR [--verify-only]]\n");
      std::exit(2);
    }
  }
  return flags;
}

Policy RulesOff() {
  Policy policy;
  policy.granularity_enabled = policy.entry_maximum_enabled = policy.floors_enabled = false;
  policy.balance_cap_enabled = policy.daily_limit_enabled = policy.backdating_enabled = false;
  policy.reciprocity_enabled = policy.staff_duty_enabled = false;
  policy.self_recorded_needs_confirmation = false;
  return policy;
}

std::string Person(int i) { return absl::StrCat("p", i); }

void Check(const absl::Status& status, const char* what) {
  if (!status.ok()) {
    std::fprintf(stderr, "%s: %s\n", what, std::string(status.message()).c_str());
    std::exit(1);
  }
}

// Calls kept in flight, at most `max` at a time.
class InFlight {
 public:
  explicit InFlight(int max) : max_(max) {}
  void Begin() {
    std::unique_lock<std::mutex> lock(mu_);
    cv_.wait(lock, [&] { return count_ < max_; });
    ++count_;
  }
  void End() {
    std::lock_guard<std::mutex> lock(mu_);
    --count_;
    cv_.notify_all();
  }
  void Drain() {
    std::unique_lock<std::mutex> lock(mu_);
    cv_.wait(lock, [&] { return count_ == 0; });
  }

 private:
  const int max_;
  std::mutex mu_;
  std::condition_variable cv_;
  int count_ = 0;
};

// The bank, its policy with every rule off, and `people` accounts, opened 64 at a time.
void CreateBank(Ledger& ledger, const std::string& bank_id, int people) {
  Check(Await<Bank>([&](auto done) {
          ledger.CreateBank(Bank{bank_id, "Bench", "Europe/London", {}}, AdminNamed("bench"),
                            std::move(done));
        }).status(),
        "create bank");
  Check(Await<Policy>([&](auto done) {
          ledger.SetPolicy(BankId(bank_id), RulesOff(), 0, AdminNamed("bench"), std::move(done));
        }).status(),
        "policy");
  InFlight in_flight(64);
  for (int i = 0; i < people; ++i) {
    Account account;
    account.bank_id = bank_id;
    account.account_id = Person(i);
    account.display_name = "Person " + std::to_string(i);
    in_flight.Begin();
    ledger.OpenAccount(account, AdminNamed("bench"), [&](absl::StatusOr<Account> opened) {
      Check(opened.status(), "open account");
      in_flight.End();
    });
  }
  in_flight.Drain();
}

EntrySpec Spec(const std::string& bank_id, uint64_t n, int people, std::mt19937& random) {
  EntrySpec spec;
  spec.bank_id = bank_id;
  spec.entry_id = absl::StrCat("e", n);
  const int from = static_cast<int>(random() % people);
  spec.from_account_id = Person(from);
  spec.to_account_id = Person((from + 1 + static_cast<int>(random() % (people - 1))) % people);
  spec.minutes = 15 + static_cast<int64_t>(random() % 8) * 15;
  spec.activity = "gardening";
  spec.note = "a typical note of a few words";
  return spec;
}

// 1. The bank's entries, recorded unsynced in batches of 1000, 8 batches in flight.
void Build(Ledger& ledger, uint64_t entries, int people) {
  std::mt19937 random(1);
  const auto start = Clock::now();
  InFlight in_flight(8);
  for (uint64_t n = 0; n < entries;) {
    std::vector<EntrySpec> batch;
    for (; batch.size() < kBatchSizeMax && n < entries; ++n) {
      batch.push_back(Spec("big", n, people, random));
    }
    in_flight.Begin();
    ledger.RecordEntries(std::move(batch), false, AdminNamed("bench"),
                         [&](absl::StatusOr<std::vector<absl::StatusOr<Receipt>>> result) {
                           Check(result.status(), "record");
                           in_flight.End();
                         });
  }
  in_flight.Drain();
  const double seconds = Seconds(Clock::now() - start);
  std::printf("build: %llu entries in %.1f s (%.0f entries/s, unsynced, through the ledger)\n",
              static_cast<unsigned long long>(entries), seconds, entries / seconds);
}

// The CPU time of the whole process (every thread) so far, in seconds.
double ProcessCpuSeconds() {
  timespec now{};
  clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &now);
  return static_cast<double>(now.tv_sec) + now.tv_nsec / 1e9;
}

// A verification and the process's CPU time during it.
struct Measured {
  VerifyReport report;
  double cpu_seconds = 0;
};

template <typename Verify>
Measured Measure(Verify verify) {
  const double cpu = ProcessCpuSeconds();
  Measured measured{verify(), 0};
  measured.cpu_seconds = ProcessCpuSeconds() - cpu;
  return measured;
}

void PrintVerify(const char* how, const Measured& measured) {
  const VerifyReport& report = measured.report;
  Check(report.status, "verify");
  const double seconds = absl::ToDoubleSeconds(report.elapsed);
  std::printf(
      "verify %s: %llu entries, %llu facts in %.2f s: %.2f M entries/s, %.2f M facts/s "
      "(CPU %.2f s, %.2f us per entry)\n",
      how, static_cast<unsigned long long>(report.entries),
      static_cast<unsigned long long>(report.facts), seconds, report.entries / seconds / 1e6,
      report.facts / seconds / 1e6, measured.cpu_seconds,
      report.entries == 0 ? 0.0 : measured.cpu_seconds * 1e6 / report.entries);
}

// The offline verification of the ledger in `data_dir`, the best of `runs`.
void VerifyOffline(const std::string& data_dir, int runs) {
  StoreOptions offline;
  offline.path = data_dir + "/ledger";
  Measured best;
  for (int run = 0; run < runs; ++run) {
    Measured measured = Measure([&] { return VerifyStoreOffline(offline); });
    if (run == 0 || measured.report.elapsed < best.report.elapsed) best = std::move(measured);
  }
  const std::string how = "offline (timeledger-verify, best of " + std::to_string(runs) + ")";
  PrintVerify(how.c_str(), best);
}

struct Latency {
  std::vector<double> micros;
  void Print(const char* what) {
    std::sort(micros.begin(), micros.end());
    double sum = 0;
    for (double m : micros) sum += m;
    std::printf("%s: %zu proofs, mean %.1f us, p50 %.1f us, p99 %.1f us, max %.1f us\n", what,
                micros.size(), sum / micros.size(), micros[micros.size() / 2],
                micros[micros.size() * 99 / 100], micros.back());
  }
};

// 3. Proofs from the stored nodes, at the bank's full size.
void Proofs(Ledger& ledger, int count) {
  const JournalDigest digest = *ledger.GetDigest(BankId("big"));
  std::mt19937_64 random(3);
  Latency inclusion, consistency;
  for (int i = 0; i < count; ++i) {
    const uint64_t position = random() % digest.tree_size;
    const auto start = Clock::now();
    auto proof = ledger.GetInclusionProof(BankId("big"), 0, position, digest.tree_size);
    inclusion.micros.push_back(Seconds(Clock::now() - start) * 1e6);
    Check(proof.status(), "inclusion proof");
    if (i % 100 == 0) {
      Check(VerifyInclusion(proof->leaf_hash, position, digest.tree_size, proof->path,
                            digest.root_hash),
            "inclusion proof verifies");
    }
  }
  for (int i = 0; i < count; ++i) {
    const uint64_t old_size = 1 + random() % digest.tree_size;
    const auto start = Clock::now();
    auto proof = ledger.GetConsistencyProof(BankId("big"), old_size, digest.tree_size);
    consistency.micros.push_back(Seconds(Clock::now() - start) * 1e6);
    Check(proof.status(), "consistency proof");
  }
  std::printf("proofs at %llu facts:\n", static_cast<unsigned long long>(digest.tree_size));
  inclusion.Print("  inclusion (fact bytes + audit path + root)");
  consistency.Print("  consistency (proof + both roots)");
}

// 4a. The journal work of one entry's commit, as WriteTxn::AppendFact and AppendEntry do it.
double JournalMicrosPerEntry(const std::string& dir) {
  StoreOptions options;
  options.path = dir + "/hashing";
  auto store = OpenRocksDbStore(options);
  Check(store.status(), "open");
  std::mt19937 random(4);
  ChainHead head;
  constexpr int kEntries = 200'000;
  std::vector<Entry> entries;
  for (int i = 0; i < kEntries; ++i) {
    const EntrySpec spec = Spec("big", i, 1000, random);
    Entry entry;
    entry.bank_id = spec.bank_id;
    entry.seq = i + 1;
    entry.entry_id = spec.entry_id;
    entry.from_account_id = spec.from_account_id;
    entry.to_account_id = spec.to_account_id;
    entry.minutes = spec.minutes;
    entry.activity = spec.activity;
    entry.note = spec.note;
    entry.occurred_at = entry.recorded_at = absl::Now();
    entry.recorded_by = "coordinator";
    entries.push_back(entry);
  }
  auto batch = (*store)->NewBatch();
  std::vector<MerkleNode> completed;
  size_t bytes = 0;
  const auto start = Clock::now();
  for (Entry& entry : entries) {
    entry.hash = ChainHash(head.last_hash, entry);  // the entry chain (there before the journal)
    head.last_hash = entry.hash;
    Fact fact = EntryFact(entry);
    fact.position = head.journal_size();
    const std::string fact_bytes = EncodeFact(fact);
    const Digest leaf = MerkleLeafHash(fact_bytes);
    head.journal_hash = JournalChainHash(head.journal_hash, leaf);
    completed.clear();
    head.journal_tree.Append(leaf, &completed).IgnoreError();
    batch->PutJournalRecord("big", fact.position, fact_bytes, head.journal_hash);
    for (const MerkleNode& node : completed) {
      if (node.level >= kMerkleStoredLevelMin) batch->PutMerkleNode("big", node);
    }
    batch->PutEntryPosition("big", entry.seq, fact.position);
    bytes += EncodeChainHead(head).size();  // the head is re-encoded with every group
    if (batch->empty()) std::abort();
    if (entry.seq % 1000 == 0) batch = (*store)->NewBatch();
  }
  const double micros = Seconds(Clock::now() - start) * 1e6 / kEntries;
  std::printf(
      "journal work per entry (entry chain hash, canonical fact, leaf hash, journal chain "
      "hash, Merkle append, staging records, head encoding): %.2f us (head %zu bytes)\n",
      micros, bytes / kEntries);
  return micros;
}

// 4b. Synced writes from many concurrent callers: what the durable write path costs per entry.
double DurableMicrosPerEntry(const std::string& dir, double seconds) {
  LedgerOptions options;
  options.data_dir = dir + "/durable";
  options.sync = true;
  auto ledger = Ledger::Open(options);
  Check(ledger.status(), "open");
  CreateBank(**ledger, "big", 1000);
  std::mt19937 random(5);
  std::mutex mu;
  std::condition_variable cv;
  int in_flight = 0;
  uint64_t done = 0;
  constexpr int kInFlightMax = 256;  // concurrent callers
  const auto start = Clock::now();
  uint64_t n = 0;
  while (Seconds(Clock::now() - start) < seconds) {
    {
      std::unique_lock<std::mutex> lock(mu);
      cv.wait(lock, [&] { return in_flight < kInFlightMax; });
      ++in_flight;
    }
    (*ledger)->RecordEntry(Spec("big", n++, 1000, random), AdminNamed("bench"),
                           [&](absl::StatusOr<Receipt> r) {
                             Check(r.status(), "durable record");
                             std::lock_guard<std::mutex> lock(mu);
                             --in_flight;
                             ++done;
                             cv.notify_all();
                           });
  }
  std::unique_lock<std::mutex> lock(mu);
  cv.wait(lock, [&] { return in_flight == 0; });
  const double elapsed = Seconds(Clock::now() - start);
  const double micros = elapsed * 1e6 / done;
  std::printf(
      "durable writes: %llu synced entries in %.1f s from %d concurrent callers: "
      "%.0f entries/s, %.1f us per entry\n",
      static_cast<unsigned long long>(done), elapsed, kInFlightMax, done / elapsed, micros);
  return micros;
}

int Main(int argc, char** argv) {
  std::setvbuf(stdout, nullptr, _IOLBF, 0);  // each figure as soon as it is known
  const Flags flags = ParseFlags(argc, argv);
  const std::string dir =
      flags.dir.empty()
          ? (std::filesystem::temp_directory_path() / "timeledger-audit-bench").string()
          : flags.dir;
  if (flags.verify_only) {
    if (flags.dir.empty()) {
      std::fprintf(stderr, "--verify-only measures the ledger a run with --dir DIR kept\n");
      return 2;
    }
    VerifyOffline(dir + "/big", flags.verify_runs);
    return 0;
  }
  std::filesystem::remove_all(dir);
  std::filesystem::create_directories(dir);
  {
    LedgerOptions options;
    options.data_dir = dir + "/big";
    options.sync = false;
    options.verify_on_open = false;
    auto ledger = Ledger::Open(options);
    Check(ledger.status(), "open");
    const auto start = Clock::now();
    CreateBank(**ledger, "big", flags.accounts);
    std::printf("accounts: %d opened in %.1f s\n", flags.accounts, Seconds(Clock::now() - start));
    Build(**ledger, flags.entries, flags.accounts);
    PrintVerify("online (Ledger::Verify, snapshot)", Measure([&] { return (*ledger)->Verify(); }));
    Proofs(**ledger, flags.proofs);
  }
  {
    // As a server's store is: reopening recovers the WAL into table files.
    LedgerOptions options;
    options.data_dir = dir + "/big";
    options.verify_on_open = false;
    auto reopened = Ledger::Open(options);
    Check(reopened.status(), "reopen");
    // What `timeledger audit verify` asks of a running server whose memtables are flushed: the
    // first figure above also reads the memtables and unflushed files of the build.
    PrintVerify("online at rest (reopened, Ledger::Verify)",
                Measure([&] { return (*reopened)->Verify(); }));
  }
  VerifyOffline(dir + "/big", flags.verify_runs);
  const double journal = JournalMicrosPerEntry(dir);
  const double durable = DurableMicrosPerEntry(dir, flags.durable_seconds);
  std::printf(
      "hashing + Merkle share of the durable write path: %.1f%% (%.2f us of %.1f us "
      "per entry)\n",
      100 * journal / durable, journal, durable);
  if (flags.dir.empty()) std::filesystem::remove_all(dir);  // --dir: kept, for timeledger-verify
  return 0;
}

}  // namespace
}  // namespace timeledger::ledger

int main(int argc, char** argv) { return timeledger::ledger::Main(argc, argv); }
