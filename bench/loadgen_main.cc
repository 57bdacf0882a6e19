// timeledger-loadgen: drives a running timeledgerd with one workload and prints the figures as
// key=value lines (see bench/workloads.h for the workloads; bench/run.sh runs them all).
//
//   timeledger-loadgen --target=127.0.0.1:50051 --workload=record --concurrency=64 --seconds=10
//   timeledger-loadgen --workload=setup --accounts=10000      # the bank and its accounts
//   timeledger-loadgen --workload=stats                       # the bank's entry and account counts
//   timeledger-loadgen --workload=plan-check --accounts=10000 # checks bench/exchange_plan.h
//   timeledger-loadgen --workload=watch --watchers=16 --concurrency=16  # the change feed's delay
//   timeledger-loadgen --workload=catch-up                    # one stream reads the whole journal
//
// Prints ops_per_s (entries per second for record-batch), p50_us / p99_us / p999_us, errors and
// error_reasons, and for record and record-batch entries_issued: the next run against the same
// bank continues the exchange plan with --first_entry=<sum of entries_issued so far>.
//
// Exit status: 0 when every operation succeeded, 1 when any failed (the figures are still
// printed), 2 when the run could not start (bad flag, server unreachable).
#include <unistd.h>

#include <chrono>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <ctime>
#include <fstream>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "absl/flags/flag.h"
#include "absl/flags/parse.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_split.h"
#include "absl/synchronization/mutex.h"

#include "bench/driver.h"
#include "bench/exchange_plan.h"
#include "bench/watch_bench.h"
#include "bench/workloads.h"
#include "timeledger/v1/banks.grpc.pb.h"
#include "timeledger/v1/policies.grpc.pb.h"

ABSL_FLAG(std::string, target, "127.0.0.1:50051", "host:port of timeledgerd");
ABSL_FLAG(std::string, workload, "health",
          "health | record | record-batch | get-account | setup | stats | plan-check | watch | "
          "follow | catch-up");
ABSL_FLAG(int, concurrency, 1, "calls kept in flight");
ABSL_FLAG(int, threads, 1, "client polling threads (completion queues)");
ABSL_FLAG(int, channels, 1, "client channels (TCP connections); slot i uses channel i % channels");
ABSL_FLAG(double, seconds, 10, "length of the measured window");
ABSL_FLAG(double, warmup_seconds, 1, "load run before the measured window and not counted");
ABSL_FLAG(int64_t, count, 0, "> 0: run exactly this many calls instead of a timed window");
ABSL_FLAG(std::string, bank, "bench", "bank id");
ABSL_FLAG(
    std::string, rules, "on",
    "setup: 'on' keeps the bank's default policy, 'off' sets one with every rule switched off");
ABSL_FLAG(int64_t, accounts, 10000, "number of bench accounts (setup opens them)");
ABSL_FLAG(std::string, account_prefix, "m", "bench account ids are <prefix>0000000 ...");
ABSL_FLAG(int, batch_size, 100, "entries per RecordEntries call (record-batch)");
ABSL_FLAG(int, timeout_ms, 10000, "deadline of each call");
ABSL_FLAG(std::string, metadata, "", "key=value[,key=value] sent as metadata on every call");
ABSL_FLAG(std::string, token_file, "",
          "the file holding the bearer token sent on every call (default: $TIMELEDGER_TOKEN_FILE; "
          "timeledgerd writes its admin token to DATA_DIR/admin.token)");
ABSL_FLAG(std::string, run_id, "", "prefix of entry ids; default unique per process");
ABSL_FLAG(uint64_t, seed, 1, "random seed");
ABSL_FLAG(int64_t, first_entry, 0,
          "record, record-batch: index in the exchange plan of the first entry; give the sum of "
          "the entries_issued of earlier runs against the same bank");
ABSL_FLAG(int64_t, anchor_unix_seconds, 0,
          "UTC midnight that planned entries are dated back from; 0: today's");
ABSL_FLAG(int, watchers, 1, "watch: streams that follow the entries while they are recorded");
ABSL_FLAG(std::string, catchup_account, "",
          "catch-up: follow only the facts of this account (as a partner's stream is)");
ABSL_FLAG(int, connect_timeout_s, 10, "how long to wait for the server to accept connections");

namespace timeledger::bench {
namespace {

namespace v1 = ::timeledger::v1;

constexpr int kBatchSizeMax = 1000;  // RecordEntries' own limit
constexpr int kConcurrencyMax = 4096;
constexpr int64_t kAccountsMax = 10'000'000;

void PrintKeyValue(const char* key, const std::string& value) {
  std::printf("%s=%s\n", key, value.c_str());
}

void PrintResult(const RunResult& result) {
  const double seconds = result.seconds > 0 ? result.seconds : 1e-9;
  const auto us = [](uint64_t ns) {
    return absl::StrFormat("%.1f", static_cast<double>(ns) / 1e3);
  };
  PrintKeyValue("seconds", absl::StrFormat("%.3f", result.seconds));
  PrintKeyValue("issued", absl::StrCat(result.issued));
  PrintKeyValue("calls", absl::StrCat(result.calls));
  PrintKeyValue("ops", absl::StrCat(result.ops_ok));
  PrintKeyValue("ops_per_s", absl::StrFormat("%.0f", static_cast<double>(result.ops_ok) / seconds));
  PrintKeyValue("calls_per_s",
                absl::StrFormat("%.0f", static_cast<double>(result.calls) / seconds));
  PrintKeyValue("p50_us", us(result.latency.QuantileNs(0.50)));
  PrintKeyValue("p99_us", us(result.latency.QuantileNs(0.99)));
  PrintKeyValue("p999_us", us(result.latency.QuantileNs(0.999)));
  PrintKeyValue("max_us", us(result.latency.max_ns()));
  PrintKeyValue("errors", absl::StrCat(result.ops_failed));
  std::vector<std::string> reasons;
  for (const auto& [reason, count] : result.errors)
    reasons.push_back(absl::StrCat(reason, ":", count));
  PrintKeyValue("error_reasons", absl::StrJoin(reasons, ","));
  if (!result.first_error_message.empty()) {
    std::fprintf(stderr, "loadgen: first failure: %s\n", result.first_error_message.c_str());
  }
}

std::vector<std::pair<std::string, std::string>> ParseMetadata(const std::string& text) {
  std::vector<std::pair<std::string, std::string>> metadata;
  for (absl::string_view item : absl::StrSplit(text, ',', absl::SkipEmpty())) {
    std::pair<std::string, std::string> kv = absl::StrSplit(item, absl::MaxSplits('=', 1));
    metadata.push_back(std::move(kv));
  }
  return metadata;
}

// Opens `count` channels to the target, each its own TCP connection, and waits until they are
// connected; returns an empty vector if one does not connect in time.
// Channels are numbered from `first`: channels of another number never share a connection.
std::vector<std::shared_ptr<grpc::Channel>> Connect(const std::string& target, int count,
                                                    int connect_timeout_s, int first = 0) {
  std::vector<std::shared_ptr<grpc::Channel>> channels;
  const auto deadline = std::chrono::system_clock::now() + std::chrono::seconds(connect_timeout_s);
  for (int i = first; i < first + count; ++i) {
    grpc::ChannelArguments args;
    args.SetInt("timeledger.bench.channel", i);  // a distinct argument: no shared subchannel
    args.SetMaxReceiveMessageSize(64 << 20);
    auto channel = grpc::CreateCustomChannel(target, grpc::InsecureChannelCredentials(), args);
    if (!channel->WaitForConnected(deadline)) {
      std::fprintf(stderr, "loadgen: cannot connect to %s\n", target.c_str());
      return {};
    }
    channels.push_back(std::move(channel));
  }
  return channels;
}

std::unique_ptr<grpc::ClientContext> NewContext(const WorkloadConfig& config, int timeout_ms) {
  auto context = std::make_unique<grpc::ClientContext>();
  context->set_deadline(std::chrono::system_clock::now() + std::chrono::milliseconds(timeout_ms));
  for (const auto& [key, value] : config.metadata) context->AddMetadata(key, value);
  return context;
}

// Creates the bench bank (an existing one is fine) and opens the accounts with `concurrency`
// calls in flight. Returns the exit status.
int Setup(std::shared_ptr<const WorkloadConfig> config, RunOptions options, int timeout_ms) {
  auto banks = v1::Banks::NewStub(config->channels.front());
  v1::CreateBankRequest request;
  request.set_bank_id(config->bank_id);
  request.set_name("Benchmark time bank");
  v1::Bank bank;
  const grpc::Status status =
      banks->CreateBank(NewContext(*config, timeout_ms).get(), request, &bank);
  if (!status.ok() && status.error_code() != grpc::StatusCode::ALREADY_EXISTS) {
    std::fprintf(stderr, "loadgen: CreateBank failed: %s %s\n", ReasonOf(status).c_str(),
                 status.error_message().c_str());
    PrintKeyValue("errors", "1");
    return 1;
  }
  if (absl::GetFlag(FLAGS_rules) == "off") {
    // Every section given with `enabled` false: a section left out would take its defaults.
    auto policies = v1::Policies::NewStub(config->channels.front());
    v1::SetPolicyRequest set;
    set.set_bank_id(config->bank_id);
    v1::Policy* policy = set.mutable_policy();
    policy->mutable_granularity()->set_enabled(false);
    policy->mutable_entry_maximum()->set_enabled(false);
    policy->mutable_floors()->set_enabled(false);
    policy->mutable_balance_cap()->set_enabled(false);
    policy->mutable_daily_limit()->set_enabled(false);
    policy->mutable_backdating()->set_enabled(false);
    policy->mutable_reciprocity()->set_enabled(false);
    policy->mutable_staff_duty()->set_enabled(false);
    policy->mutable_confirmation()->set_enabled(false);
    policy->mutable_expiry()->set_enabled(false);
    // A partner's spend goes through at once, as staff's do: no member's confirmation to wait for.
    policy->mutable_partner_spends()->set_consent(v1::Policy::NOT_ASKED);
    v1::Policy in_force;
    const grpc::Status set_status =
        policies->SetPolicy(NewContext(*config, timeout_ms).get(), set, &in_force);
    if (!set_status.ok()) {
      std::fprintf(stderr, "loadgen: SetPolicy failed: %s %s\n", ReasonOf(set_status).c_str(),
                   set_status.error_message().c_str());
      PrintKeyValue("errors", "1");
      return 1;
    }
    PrintKeyValue("policy_version", absl::StrCat(in_force.version()));
  }
  options.count = static_cast<int64_t>(config->account_ids.size());
  const RunResult result = Run(options, MakeWorkload("open-account", config));
  PrintKeyValue("accounts", absl::StrCat(result.ops_ok));
  PrintResult(result);
  return result.ops_failed == 0 ? 0 : 1;
}

// Prints the bank's own counts, as the server sees them.
int Stats(const WorkloadConfig& config, int timeout_ms) {
  auto banks = v1::Banks::NewStub(config.channels.front());
  v1::GetBankRequest request;
  request.set_bank_id(config.bank_id);
  v1::Bank bank;
  const grpc::Status status = banks->GetBank(NewContext(config, timeout_ms).get(), request, &bank);
  if (!status.ok()) {
    std::fprintf(stderr, "loadgen: GetBank failed: %s %s\n", ReasonOf(status).c_str(),
                 status.error_message().c_str());
    PrintKeyValue("errors", "1");
    return 1;
  }
  PrintKeyValue("bank_entry_count", absl::StrCat(bank.entry_count()));
  PrintKeyValue("bank_account_count", absl::StrCat(bank.account_count()));
  PrintKeyValue("errors", "0");
  return 0;
}

int64_t TodayUtcMidnight() {
  constexpr int64_t kSecondsPerDay = 24 * 60 * 60;
  const auto now = static_cast<int64_t>(std::time(nullptr));
  return now - now % kSecondsPerDay;
}

// Checks the exchange plan's promises (bench/exchange_plan.h) over its first days; no server
// needed. Returns the exit status.
int PlanCheck(const ExchangePlan& plan) {
  const std::string problem = plan.Check(3 * ExchangePlan::kRoundsPerDay);
  PrintKeyValue("plan_check", problem.empty() ? "ok" : problem);
  PrintKeyValue("plan_capacity_entries", absl::StrCat(plan.Capacity()));
  return problem.empty() ? 0 : 1;
}

// The run's options from the flags; false (having said why) if one is out of range.
bool OptionsFromFlags(RunOptions* options) {
  options->concurrency = absl::GetFlag(FLAGS_concurrency);
  options->threads = absl::GetFlag(FLAGS_threads);
  options->seconds = absl::GetFlag(FLAGS_seconds);
  options->warmup_seconds = absl::GetFlag(FLAGS_warmup_seconds);
  options->count = absl::GetFlag(FLAGS_count);
  const int timeout_ms = absl::GetFlag(FLAGS_timeout_ms);
  options->call_timeout = std::chrono::milliseconds(timeout_ms);
  const int64_t accounts = absl::GetFlag(FLAGS_accounts);
  const int batch_size = absl::GetFlag(FLAGS_batch_size);
  const std::string rules = absl::GetFlag(FLAGS_rules);
  if (rules != "on" && rules != "off") {
    std::fprintf(stderr, "loadgen: --rules must be on or off, not %s\n", rules.c_str());
    return false;
  }
  if (options->concurrency < 1 || options->concurrency > kConcurrencyMax || options->threads < 1 ||
      accounts < 2 || accounts > kAccountsMax || batch_size < 1 || batch_size > kBatchSizeMax ||
      absl::GetFlag(FLAGS_channels) < 1 || timeout_ms < 1 || options->seconds <= 0) {
    std::fprintf(stderr, "loadgen: a flag is out of range (see --help)\n");
    return false;
  }
  return true;
}

// Adds the bearer token from --token_file (or $TIMELEDGER_TOKEN_FILE) to the metadata, if one is
// named; false (having said why) if it cannot be read.
bool AddToken(WorkloadConfig* config) {
  std::string token_file = absl::GetFlag(FLAGS_token_file);
  if (token_file.empty() && std::getenv("TIMELEDGER_TOKEN_FILE") != nullptr) {
    token_file = std::getenv("TIMELEDGER_TOKEN_FILE");
  }
  if (token_file.empty()) return true;
  std::ifstream in(token_file);
  std::string token;
  if (!in || !std::getline(in, token) || token.empty()) {
    std::fprintf(stderr, "loadgen: cannot read a token from %s\n", token_file.c_str());
    return false;
  }
  config->metadata.emplace_back("authorization", "Bearer " + token);
  return true;
}

// The workloads' shared configuration from the flags, without its channels; null (having said
// why) if the token cannot be read.
std::shared_ptr<WorkloadConfig> ConfigFromFlags() {
  const int64_t accounts = absl::GetFlag(FLAGS_accounts);
  auto config = std::make_shared<WorkloadConfig>();
  config->bank_id = absl::GetFlag(FLAGS_bank);
  config->account_ids = AccountIds(absl::GetFlag(FLAGS_account_prefix), accounts);
  config->batch_size = absl::GetFlag(FLAGS_batch_size);
  config->run_id = absl::GetFlag(FLAGS_run_id);
  if (config->run_id.empty()) {
    config->run_id = absl::StrFormat("r%x-%x", static_cast<uint64_t>(std::time(nullptr)),
                                     static_cast<uint64_t>(getpid()));
  }
  config->metadata = ParseMetadata(absl::GetFlag(FLAGS_metadata));
  if (!AddToken(config.get())) return nullptr;
  config->seed = absl::GetFlag(FLAGS_seed);
  config->plan = ExchangePlan(accounts, config->seed);
  config->first_entry = absl::GetFlag(FLAGS_first_entry);
  config->anchor_unix_seconds = absl::GetFlag(FLAGS_anchor_unix_seconds);
  if (config->anchor_unix_seconds == 0) config->anchor_unix_seconds = TodayUtcMidnight();
  return config;
}

// After a record or record-batch run: how many entries it used of the exchange plan, and a
// warning if the plan is spent.
void PrintEntriesIssued(const std::string& workload, const WorkloadConfig& config,
                        const RunResult& result) {
  const int64_t entries_issued = result.issued * (workload == "record" ? 1 : config.batch_size);
  PrintKeyValue("entries_issued", absl::StrCat(entries_issued));
  if (config.first_entry + entries_issued > config.plan.Capacity()) {
    std::fprintf(stderr,
                 "loadgen: the exchange plan holds %lld entries for %lld accounts; entries past "
                 "it are dated too far back and will be refused\n",
                 static_cast<long long>(config.plan.Capacity()),
                 static_cast<long long>(config.account_ids.size()));
  }
}

int Main() {
  const std::string workload = absl::GetFlag(FLAGS_workload);
  RunOptions options;
  if (!OptionsFromFlags(&options)) return 2;
  std::shared_ptr<WorkloadConfig> config = ConfigFromFlags();
  if (config == nullptr) return 2;
  if (workload == "plan-check") return PlanCheck(config->plan);
  config->channels = Connect(absl::GetFlag(FLAGS_target), absl::GetFlag(FLAGS_channels),
                             absl::GetFlag(FLAGS_connect_timeout_s));
  if (config->channels.empty()) return 2;

  PrintKeyValue("workload", workload);
  PrintKeyValue("concurrency", absl::StrCat(options.concurrency));
  const int timeout_ms = absl::GetFlag(FLAGS_timeout_ms);
  if (workload == "setup") return Setup(config, options, timeout_ms);
  if (workload == "stats") return Stats(*config, timeout_ms);
  if (workload == "catch-up") {
    return RunCatchUp(*config, timeout_ms, absl::GetFlag(FLAGS_catchup_account));
  }
  if (workload == "follow") {
    const int watchers = absl::GetFlag(FLAGS_watchers);
    auto watcher_channels =
        Connect(absl::GetFlag(FLAGS_target), watchers, absl::GetFlag(FLAGS_connect_timeout_s),
                absl::GetFlag(FLAGS_channels));
    if (watcher_channels.size() != static_cast<size_t>(watchers)) return 2;
    // Two seconds more than a run of the same length started just after it.
    return RunFollow(*config, watcher_channels,
                     absl::Seconds(options.seconds + options.warmup_seconds + 2));
  }
  if (workload == "watch") {
    // Each watcher stands for a partner system of its own: a connection of its own, not one of
    // the writers'.
    const int watchers = absl::GetFlag(FLAGS_watchers);
    auto watcher_channels =
        Connect(absl::GetFlag(FLAGS_target), watchers, absl::GetFlag(FLAGS_connect_timeout_s),
                absl::GetFlag(FLAGS_channels));
    if (watcher_channels.size() != static_cast<size_t>(watchers)) return 2;
    RunResult recorded;
    const int code =
        RunWatch(config, watcher_channels, options, [&recorded](const RunResult& result) {
          PrintResult(result);
          recorded = result;
        });
    PrintEntriesIssued("record", *config, recorded);
    return code;
  }
  CallFactory factory = MakeWorkload(workload, config);
  if (factory == nullptr || workload == "open-account") {
    std::fprintf(stderr, "loadgen: unknown workload %s\n", workload.c_str());
    return 2;
  }
  if (workload == "record-batch") PrintKeyValue("batch_size", absl::StrCat(config->batch_size));
  const RunResult result = Run(options, factory);
  PrintResult(result);
  if (workload == "record" || workload == "record-batch") {
    PrintEntriesIssued(workload, *config, result);
  }
  return result.ops_failed == 0 ? 0 : 1;
}

}  // namespace
}  // namespace timeledger::bench

int main(int argc, char** argv) {
  absl::ParseCommandLine(argc, argv);
  // Debian builds Abseil without NDEBUG, which leaves absl::Mutex's deadlock detection on: every
  // lock gRPC takes would update a global lock-order graph. The benchmark must not pay for that.
  absl::SetMutexDeadlockDetectionMode(absl::OnDeadlockCycle::kIgnore);
  return timeledger::bench::Main();
}
