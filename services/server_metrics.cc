#include "services/server_metrics.h"

#include <vector>

#include "absl/time/clock.h"
#include "absl/time/time.h"

#include "common/version.h"
#include "ledger/core/errors.h"

namespace timeledger::services {
namespace {

using common::MetricsText;

// Durations of calls, in seconds: half a millisecond to ten seconds.
const std::vector<double>& RpcSecondsBounds() {
  static const auto* bounds = new std::vector<double>{
      0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10};
  return *bounds;
}

// A histogram from the ledger's powers-of-two counts (ledger/engine/writer_stats.h), each bound
// and the sum multiplied by `scale` (1e-6 turns microseconds into seconds).
template <size_t kBuckets>
void WriteLog2(MetricsText& text, const std::string& name, const std::string& help,
               const ledger::Log2Counts<kBuckets>& counts, double scale) {
  std::vector<double> bounds;
  std::vector<uint64_t> per_bucket;
  for (size_t i = 0; i < kBuckets; ++i) {
    if (i + 1 < kBuckets) bounds.push_back(static_cast<double>(counts.UpperBound(i)) * scale);
    per_bucket.push_back(counts.buckets[i].load(std::memory_order_relaxed));
  }
  text.Family(name, help, "histogram");
  text.Histogram(name, {}, bounds, per_bucket,
                 static_cast<double>(counts.sum.load(std::memory_order_relaxed)) * scale);
}

void WriteGauge(MetricsText& text, const std::string& name, const std::string& help, double value) {
  text.Family(name, help, "gauge");
  text.Sample(name, {}, value);
}

void WriteCounter(MetricsText& text, const std::string& name, const std::string& help,
                  uint64_t value) {
  text.Family(name, help, "counter");
  text.Sample(name, {}, value);
}

uint64_t Load(const std::atomic<uint64_t>& value) { return value.load(std::memory_order_relaxed); }

}  // namespace

ServerMetrics::ServerMetrics(const ledger::Ledger* ledger, const ledger::KioskDesk* desk)
    : ledger_(ledger), desk_(desk) {
  const absl::Time started = absl::Now();
  registry_.AddCollector([started](MetricsText& text) {
    text.Family("timeledger_build_info", "the version of this timeledgerd; always 1", "gauge");
    text.Sample("timeledger_build_info", {{"version", common::kVersion}}, 1.0);
    WriteGauge(text, "timeledger_start_time_seconds", "when this timeledgerd started, Unix time",
               absl::ToDoubleSeconds(started - absl::UnixEpoch()));
  });
  AddServingFamilies();
  rpc_.calls = &registry_.AddCounterFamily(
      "timeledger_rpcs_total", "gRPC calls answered, by method and status code", {"rpc", "code"});
  rpc_.refusals = &registry_.AddCounterFamily(
      "timeledger_rpc_refusals_total",
      "gRPC calls answered with an error, by method and refusal reason (docs/API.md)",
      {"rpc", "reason"});
  rpc_.seconds =
      &registry_.AddHistogram("timeledger_rpc_duration_seconds",
                              "time from a call's arrival to its answer", RpcSecondsBounds());
  AddWriterFamilies();
  AddStoreFamilies();
  AddKioskFamilies();
}

void ServerMetrics::AddServingFamilies() {
  registry_.AddCollector([this](MetricsText& text) {
    const absl::Status serving = ledger_->ServingStatus();
    text.Family("timeledger_serving",
                "1 while the ledger serves everything (gRPC health SERVING); 0 while it does not, "
                "with the reason (a store that refuses writes, a damaged or degraded bank)",
                "gauge");
    text.Sample("timeledger_serving", {{"reason", serving.ok() ? "" : ledger::ReasonOf(serving)}},
                serving.ok() ? 1.0 : 0.0);
  });
}

void ServerMetrics::AddWriterFamilies() {
  registry_.AddCollector([this](MetricsText& text) {
    const ledger::WriterStats& writer = ledger_->writer_stats();
    WriteGauge(text, "timeledger_writer_queue_depth",
               "writes queued for the ledger's writer, not yet taken into a group",
               static_cast<double>(writer.queue_depth.load(std::memory_order_relaxed)));
    WriteLog2(text, "timeledger_writer_group_size",
              "writes the writer took as one group (one synced commit)", writer.group_sizes, 1.0);
    WriteLog2(text, "timeledger_store_commit_seconds",
              "time of one group's synced commit to the store (the fsync included)",
              writer.commit_micros, 1e-6);
  });
}

void ServerMetrics::AddStoreFamilies() {
  registry_.AddCollector([this](MetricsText& text) {
    const ledger::StoreStats store = ledger_->StoreStatistics();
    WriteCounter(text, "timeledger_rocksdb_stall_micros_total",
                 "microseconds RocksDB delayed or stopped writes (write stalls) since it opened",
                 store.stall_micros);
    WriteGauge(text, "timeledger_rocksdb_writes_stopped", "1 while RocksDB stops writes",
               store.writes_stopped ? 1.0 : 0.0);
    WriteGauge(text, "timeledger_rocksdb_pending_compaction_bytes",
               "bytes compaction must rewrite to settle the levels (compaction debt)",
               static_cast<double>(store.pending_compaction_bytes));
    WriteGauge(text, "timeledger_rocksdb_running_compactions", "compactions running now",
               static_cast<double>(store.running_compactions));
    WriteCounter(text, "timeledger_rocksdb_block_cache_hits_total",
                 "reads of a block found in the block cache since RocksDB opened",
                 store.block_cache_hits);
    WriteCounter(text, "timeledger_rocksdb_block_cache_misses_total",
                 "reads of a block not in the block cache since RocksDB opened",
                 store.block_cache_misses);
    WriteGauge(text, "timeledger_rocksdb_block_cache_bytes", "bytes the block cache holds",
               static_cast<double>(store.block_cache_bytes));
    WriteGauge(text, "timeledger_rocksdb_memtable_bytes",
               "bytes of the memtables, active and waiting to be flushed",
               static_cast<double>(store.memtable_bytes));
    WriteGauge(text, "timeledger_rocksdb_live_table_bytes",
               "bytes of the table files of the current version",
               static_cast<double>(store.live_table_bytes));
  });
}

void ServerMetrics::AddKioskFamilies() {
  registry_.AddCollector([this](MetricsText& text) {
    const ledger::KioskDeskStats& kiosk = desk_->stats();
    const std::string sign_ins = "timeledger_kiosk_sign_ins_total";
    text.Family(sign_ins, "members' sign-ins at a kiosk, by result", "counter");
    text.Sample(sign_ins, {{"result", "signed_in"}}, Load(kiosk.signed_in));
    text.Sample(sign_ins, {{"result", "card_or_pin_wrong"}}, Load(kiosk.card_or_pin_wrong));
    text.Sample(sign_ins, {{"result", "card_locked"}}, Load(kiosk.card_locked));
    text.Sample(sign_ins, {{"result", "refused"}}, Load(kiosk.refused_other));
    WriteCounter(text, "timeledger_kiosk_lockouts_total",
                 "card checks (a kiosk sign-in or a payer's card at a till) refused because the "
                 "card is locked: the wrong PIN that locks it, and each try while it stays locked",
                 Load(kiosk.lockouts));
  });
}

}  // namespace timeledger::services
