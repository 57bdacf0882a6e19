#include "bench/watch_bench.h"

#include <atomic>
#include <chrono>
#include <cstdio>
#include <thread>
#include <utility>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/synchronization/mutex.h"

#include "bench/histogram.h"
#include "timeledger/v1/audit.grpc.pb.h"
#include "timeledger/v1/banks.grpc.pb.h"

namespace timeledger::bench {
namespace {

namespace v1 = ::timeledger::v1;
using Clock = std::chrono::steady_clock;

// Entries one watch run follows at most (their acknowledgement times are kept by seq).
constexpr size_t kEntriesFollowedMax = 4'000'000;
// How long deliveries may trail the last acknowledgement before they count as missing.
constexpr auto kDeliveryGrace = std::chrono::seconds(10);

int64_t NowNs() {
  return std::chrono::duration_cast<std::chrono::nanoseconds>(Clock::now().time_since_epoch())
      .count();
}

void Print(const char* key, const std::string& value) {
  std::printf("%s=%s\n", key, value.c_str());
}

std::unique_ptr<grpc::ClientContext> StreamContext(const WorkloadConfig& config) {
  auto context = std::make_unique<grpc::ClientContext>();
  for (const auto& [key, value] : config.metadata) context->AddMetadata(key, value);
  return context;
}

// One stream following the bank's entries from now on, on a thread of its own.
class Watcher {
 public:
  Watcher(const WorkloadConfig& config, const std::shared_ptr<grpc::Channel>& channel)
      : stub_(v1::Audit::NewStub(channel)), context_(StreamContext(config)) {
    v1::WatchJournalRequest request;
    request.set_bank_id(config.bank_id);
    request.set_from_now(true);
    request.add_types(v1::ENTRY);
    reader_ = stub_->WatchJournal(context_.get(), request);
    thread_ = std::thread([this] { Loop(); });
  }

  ~Watcher() {
    if (!thread_.joinable()) return;
    context_->TryCancel();
    thread_.join();
  }

  // Waits until the stream stands (its first message) or ended; true if it stands.
  bool WaitStarted() {
    absl::MutexLock lock(&mu_);
    mu_.Await(absl::Condition(this, &Watcher::StartedOrEnded));
    return !ended_;
  }

  size_t delivered() {
    absl::MutexLock lock(&mu_);
    return deliveries_.size();
  }

  // Cancels the stream and joins its thread; returns its deliveries (seq, time) and end.
  std::vector<std::pair<uint64_t, int64_t>> Stop(grpc::Status* end) {
    context_->TryCancel();
    thread_.join();
    *end = end_;
    return std::move(deliveries_);
  }

 private:
  bool StartedOrEnded() const ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_) { return started_ || ended_; }

  void Loop() {
    v1::WatchJournalResponse message;
    while (reader_->Read(&message)) {
      const int64_t now = NowNs();
      absl::MutexLock lock(&mu_);
      started_ = true;
      for (const auto& record : message.records()) {
        deliveries_.emplace_back(record.entry().seq(), now);
      }
    }
    grpc::Status end = reader_->Finish();
    absl::MutexLock lock(&mu_);
    end_ = std::move(end);
    ended_ = true;
  }

  std::unique_ptr<v1::Audit::Stub> stub_;
  std::unique_ptr<grpc::ClientContext> context_;
  std::unique_ptr<grpc::ClientReader<v1::WatchJournalResponse>> reader_;
  absl::Mutex mu_;
  bool started_ ABSL_GUARDED_BY(mu_) = false;
  bool ended_ ABSL_GUARDED_BY(mu_) = false;
  grpc::Status end_;
  std::vector<std::pair<uint64_t, int64_t>> deliveries_ ABSL_GUARDED_BY(mu_);
  std::thread thread_;  // last: started once the rest is ready
};

// The bank's entry count now, or -1 (having said why).
int64_t EntryCount(const WorkloadConfig& config) {
  v1::GetBankRequest request;
  request.set_bank_id(config.bank_id);
  v1::Bank bank;
  auto context = StreamContext(config);
  const grpc::Status status =
      v1::Banks::NewStub(config.channels.front())->GetBank(context.get(), request, &bank);
  if (!status.ok()) {
    std::fprintf(stderr, "loadgen: GetBank failed: %s\n", status.error_message().c_str());
    return -1;
  }
  return static_cast<int64_t>(bank.entry_count());
}

}  // namespace

int RunWatch(std::shared_ptr<WorkloadConfig> config,
             const std::vector<std::shared_ptr<grpc::Channel>>& watcher_channels,
             const RunOptions& options, const std::function<void(const RunResult&)>& print) {
  const int watchers = static_cast<int>(watcher_channels.size());
  const int64_t base = EntryCount(*config);  // seqs after it are this run's
  if (base < 0) return 2;
  auto acked = std::make_shared<std::vector<std::atomic<int64_t>>>(kEntriesFollowedMax);
  auto acked_count = std::make_shared<std::atomic<size_t>>(0);
  config->on_recorded = [acked, acked_count, base](uint64_t seq) {
    const uint64_t index = seq - static_cast<uint64_t>(base) - 1;
    if (seq <= static_cast<uint64_t>(base) || index >= acked->size()) return;
    (*acked)[index].store(NowNs(), std::memory_order_relaxed);
    acked_count->fetch_add(1, std::memory_order_relaxed);
  };
  std::vector<std::unique_ptr<Watcher>> streams;
  for (int i = 0; i < watchers; ++i) {
    streams.push_back(std::make_unique<Watcher>(*config, watcher_channels[static_cast<size_t>(i)]));
    if (!streams.back()->WaitStarted()) {
      std::fprintf(stderr, "loadgen: watcher %d could not start\n", i);
      return 2;
    }
  }
  const RunResult result = Run(options, MakeWorkload("record", config));
  print(result);
  const auto grace_end = Clock::now() + kDeliveryGrace;
  for (auto& stream : streams) {
    while (stream->delivered() < acked_count->load() && Clock::now() < grace_end) {
      std::this_thread::sleep_for(std::chrono::milliseconds(5));
    }
  }
  LatencyHistogram delays;
  int64_t deliveries = 0, missing = 0, ended = 0;
  for (auto& stream : streams) {
    grpc::Status end;
    const auto delivered = stream->Stop(&end);
    if (end.error_code() != grpc::StatusCode::CANCELLED) ++ended;
    for (const auto& [seq, at] : delivered) {
      if (seq <= static_cast<uint64_t>(base) || seq - base - 1 >= acked->size()) continue;
      const int64_t ack = (*acked)[seq - base - 1].load(std::memory_order_relaxed);
      if (ack == 0) continue;  // its reply was lost or came after the run
      ++deliveries;
      // A delivery may reach the load generator before the reply: no delay then.
      delays.Record(static_cast<uint64_t>(std::max<int64_t>(0, at - ack)));
    }
    missing += static_cast<int64_t>(acked_count->load()) -
               static_cast<int64_t>(std::min(delivered.size(), acked_count->load()));
  }
  const auto us = [](uint64_t ns) {
    return absl::StrFormat("%.1f", static_cast<double>(ns) / 1e3);
  };
  Print("watchers", absl::StrCat(watchers));
  Print("watch_deliveries", absl::StrCat(deliveries));
  Print("watch_missing", absl::StrCat(missing));
  Print("watch_streams_ended", absl::StrCat(ended));
  Print("watch_p50_us", us(delays.QuantileNs(0.50)));
  Print("watch_p99_us", us(delays.QuantileNs(0.99)));
  Print("watch_max_us", us(delays.max_ns()));
  return result.ops_failed == 0 && missing == 0 && ended == 0 ? 0 : 1;
}

int RunFollow(const WorkloadConfig& config,
              const std::vector<std::shared_ptr<grpc::Channel>>& watcher_channels,
              absl::Duration duration) {
  std::vector<std::unique_ptr<Watcher>> streams;
  for (const auto& channel : watcher_channels) {
    streams.push_back(std::make_unique<Watcher>(config, channel));
    if (!streams.back()->WaitStarted()) {
      std::fprintf(stderr, "loadgen: a watcher could not start\n");
      return 2;
    }
  }
  std::printf("following=%zu\n", streams.size());
  std::fflush(stdout);  // the bench starts the writers once it reads this
  std::this_thread::sleep_for(absl::ToChronoNanoseconds(duration));
  int64_t deliveries = 0, ended = 0;
  for (auto& stream : streams) {
    grpc::Status end;
    deliveries += static_cast<int64_t>(stream->Stop(&end).size());
    if (end.error_code() != grpc::StatusCode::CANCELLED) ++ended;
  }
  Print("watchers", absl::StrCat(streams.size()));
  Print("watch_deliveries", absl::StrCat(deliveries));
  Print("watch_streams_ended", absl::StrCat(ended));
  if (deliveries == 0) std::fprintf(stderr, "loadgen: the followers were sent nothing\n");
  return ended == 0 && deliveries > 0 ? 0 : 1;
}

int RunCatchUp(const WorkloadConfig& config, int timeout_ms, const std::string& account_id) {
  v1::GetDigestRequest digest_request;
  digest_request.set_bank_id(config.bank_id);
  v1::Digest digest;
  auto stub = v1::Audit::NewStub(config.channels.front());
  {
    auto context = StreamContext(config);
    context->set_deadline(std::chrono::system_clock::now() + std::chrono::milliseconds(timeout_ms));
    const grpc::Status status = stub->GetDigest(context.get(), digest_request, &digest);
    if (!status.ok()) {
      std::fprintf(stderr, "loadgen: GetDigest failed: %s\n", status.error_message().c_str());
      return 2;
    }
  }
  v1::WatchJournalRequest request;
  request.set_bank_id(config.bank_id);
  request.set_account_id(account_id);
  auto context = StreamContext(config);
  const auto start = Clock::now();
  auto reader = stub->WatchJournal(context.get(), request);
  v1::WatchJournalResponse message;
  uint64_t facts = 0, messages = 0, bytes = 0, reached = 0;
  bool at_end = false;
  while (reader->Read(&message)) {
    reached = message.next_position();
    facts += static_cast<uint64_t>(message.records_size());
    bytes += message.ByteSizeLong();
    ++messages;
    if (message.next_position() >= digest.tree_size()) {
      at_end = true;
      break;
    }
  }
  const double seconds = std::chrono::duration<double>(Clock::now() - start).count();
  // Cancelled only once it has read everything: a stream the server ended keeps its status.
  if (at_end) context->TryCancel();
  while (reader->Read(&message)) {
  }
  const grpc::Status end = reader->Finish();
  Print("catchup_facts", absl::StrCat(facts));
  Print("catchup_messages", absl::StrCat(messages));
  Print("catchup_bytes", absl::StrCat(bytes));
  Print("catchup_seconds", absl::StrFormat("%.3f", seconds));
  Print("catchup_facts_per_s", absl::StrFormat("%.0f", static_cast<double>(facts) / seconds));
  // Filtered by an account, the stream sends that account's facts and passes over the others.
  Print("catchup_read_facts_per_s",
        absl::StrFormat("%.0f", static_cast<double>(reached) / seconds));
  const bool complete =
      account_id.empty() ? facts == digest.tree_size() : reached >= digest.tree_size();
  Print("errors", complete ? "0" : "1");
  if (!complete) {
    std::fprintf(stderr, "loadgen: caught up %llu of %llu facts: %s\n",
                 static_cast<unsigned long long>(facts),
                 static_cast<unsigned long long>(digest.tree_size()), end.error_message().c_str());
  }
  return complete ? 0 : 1;
}

}  // namespace timeledger::bench
