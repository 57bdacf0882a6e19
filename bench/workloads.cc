#include "bench/workloads.h"

#include <array>
#include <functional>
#include <optional>
#include <random>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "google/rpc/error_details.pb.h"
#include "google/rpc/status.pb.h"

#include "grpc/health/v1/health.grpc.pb.h"
#include "timeledger/v1/accounts.grpc.pb.h"
#include "timeledger/v1/ledger.grpc.pb.h"

namespace timeledger::bench {
namespace {

namespace v1 = ::timeledger::v1;
namespace health = ::grpc::health::v1;

const char* CodeName(grpc::StatusCode code) {
  // Indexed by the numeric code, 0 to 16, as google.rpc.Code numbers them.
  // clang-format off
  static constexpr std::array<const char*, 17> kNames = {
      "OK", "CANCELLED", "UNKNOWN", "INVALID_ARGUMENT", "DEADLINE_EXCEEDED", "NOT_FOUND",
      "ALREADY_EXISTS", "PERMISSION_DENIED", "RESOURCE_EXHAUSTED", "FAILED_PRECONDITION",
      "ABORTED", "OUT_OF_RANGE", "UNIMPLEMENTED", "INTERNAL", "UNAVAILABLE", "DATA_LOSS",
      "UNAUTHENTICATED"};
  // clang-format on
  const auto i = static_cast<size_t>(code);
  return i < kNames.size() ? kNames[i] : "UNKNOWN_CODE";
}

// The outcome of `count` operations that all succeeded.
Outcome Succeeded(int64_t count) {
  Outcome outcome;
  outcome.ops_ok = count;
  return outcome;
}

// The outcome of `count` operations that all failed for `reason`.
Outcome Failed(std::string reason, int64_t count, std::string message) {
  Outcome outcome;
  outcome.ops_failed = count;
  outcome.failures[std::move(reason)] = count;
  outcome.error_message = std::move(message);
  return outcome;
}

// Fills a request for operation `index`; the request object is reused from call to call, so
// strings keep their capacity and the steady state allocates little.
template <typename Request>
using FillFn = std::function<void(int64_t index, std::mt19937_64& rng, Request* request)>;

// Turns a finished RPC into an outcome.
template <typename Response>
using TallyFn = std::function<Outcome(const grpc::Status& status, const Response& response)>;

// One slot's unary RPC of any method of any stub.
template <typename Stub, typename Request, typename Response>
class UnaryCall final : public Call {
 public:
  using PrepareFn = std::unique_ptr<grpc::ClientAsyncResponseReader<Response>> (Stub::*)(
      grpc::ClientContext*, const Request&, grpc::CompletionQueue*);

  UnaryCall(std::shared_ptr<const WorkloadConfig> config, std::unique_ptr<Stub> stub,
            PrepareFn prepare, FillFn<Request> fill, TallyFn<Response> tally, uint64_t seed)
      : config_(std::move(config)),
        stub_(std::move(stub)),
        prepare_(prepare),
        fill_(std::move(fill)),
        tally_(std::move(tally)),
        rng_(seed) {}

  void Start(grpc::CompletionQueue* cq, void* tag, int64_t index,
             std::chrono::system_clock::time_point deadline) override {
    // The previous RPC's reader lives in its call's arena, which its context frees: drop the
    // reader first.
    reader_.reset();
    context_.emplace();
    context_->set_deadline(deadline);
    for (const auto& [key, value] : config_->metadata) context_->AddMetadata(key, value);
    fill_(index, rng_, &request_);
    response_.Clear();
    reader_ = ((*stub_).*prepare_)(&*context_, request_, cq);
    reader_->StartCall();
    reader_->Finish(&response_, &status_, tag);
  }

  Outcome Finish(bool ok) override {
    if (!ok) {
      return Failed("CQ_NOT_OK", 1, "the completion queue reported failure");
    }
    return tally_(status_, response_);
  }

 private:
  std::shared_ptr<const WorkloadConfig> config_;
  std::unique_ptr<Stub> stub_;
  PrepareFn prepare_;
  FillFn<Request> fill_;
  TallyFn<Response> tally_;
  std::mt19937_64 rng_;
  std::optional<grpc::ClientContext> context_;  // a context serves one RPC only
  Request request_;
  Response response_;
  grpc::Status status_;
  // Declared after context_, so destroyed before it.
  std::unique_ptr<grpc::ClientAsyncResponseReader<Response>> reader_;
};

// The outcome of a call that does one operation: ok, or failed for ReasonOf(status).
template <typename Response>
Outcome SingleOutcome(const grpc::Status& status, const Response& /*response*/) {
  if (status.ok()) return Succeeded(1);
  return Failed(ReasonOf(status), 1, status.error_message());
}

const std::string& RandomAccount(const WorkloadConfig& config, std::mt19937_64& rng) {
  std::uniform_int_distribution<size_t> pick(0, config.account_ids.size() - 1);
  return config.account_ids[pick(rng)];
}

// Fills the plan's entry `entry_index` (counted from config.first_entry) as an EXCHANGE.
void FillExchange(const WorkloadConfig& config, int64_t entry_index,
                  v1::RecordEntryRequest* request) {
  constexpr int64_t kSecondsPerDay = 24 * 60 * 60;
  const int64_t plan_index = config.first_entry + entry_index;
  const PlannedExchange exchange = config.plan.At(plan_index);
  request->set_bank_id(config.bank_id);
  std::string* entry_id = request->mutable_entry_id();
  entry_id->assign(config.run_id);
  absl::StrAppend(entry_id, "-", plan_index);
  request->set_kind(v1::EXCHANGE);
  request->set_from_account_id(config.account_ids[static_cast<size_t>(exchange.from)]);
  request->set_to_account_id(config.account_ids[static_cast<size_t>(exchange.to)]);
  request->set_minutes(exchange.minutes);
  request->set_activity("gardening");
  request->mutable_occurred_at()->set_seconds(
      config.anchor_unix_seconds - exchange.days_back * kSecondsPerDay + kSecondsPerDay / 2);
}

std::unique_ptr<Call> MakeHealthCall(std::shared_ptr<const WorkloadConfig> config, int slot) {
  using C =
      UnaryCall<health::Health::Stub, health::HealthCheckRequest, health::HealthCheckResponse>;
  const auto& channel = config->channels[static_cast<size_t>(slot) % config->channels.size()];
  return std::make_unique<C>(
      config, health::Health::NewStub(channel), &health::Health::Stub::PrepareAsyncCheck,
      [](int64_t, std::mt19937_64&, health::HealthCheckRequest* request) {
        request->set_service("");
      },
      [](const grpc::Status& status, const health::HealthCheckResponse& response) {
        if (status.ok() && response.status() != health::HealthCheckResponse::SERVING) {
          return Failed("NOT_SERVING", 1, "health status is not SERVING");
        }
        return SingleOutcome(status, response);
      },
      config->seed + static_cast<uint64_t>(slot));
}

std::unique_ptr<Call> MakeRecordCall(std::shared_ptr<const WorkloadConfig> config, int slot) {
  using C = UnaryCall<v1::Ledger::Stub, v1::RecordEntryRequest, v1::RecordEntryResponse>;
  const auto& channel = config->channels[static_cast<size_t>(slot) % config->channels.size()];
  const WorkloadConfig* raw = config.get();
  return std::make_unique<C>(
      config, v1::Ledger::NewStub(channel), &v1::Ledger::Stub::PrepareAsyncRecordEntry,
      [raw](int64_t index, std::mt19937_64&, v1::RecordEntryRequest* request) {
        FillExchange(*raw, index, request);
      },
      [raw](const grpc::Status& status, const v1::RecordEntryResponse& response) {
        if (status.ok() && raw->on_recorded) raw->on_recorded(response.entry().seq());
        return SingleOutcome(status, response);
      },
      config->seed + static_cast<uint64_t>(slot));
}

// The outcome of a batch: one operation per item, failed items by their problem's reason.
Outcome BatchOutcome(const grpc::Status& status, const v1::RecordEntriesResponse& response,
                     int batch_size) {
  if (!status.ok()) return Failed(ReasonOf(status), batch_size, status.error_message());
  Outcome outcome;
  for (const v1::EntryResult& result : response.results()) {
    if (result.has_receipt() && !result.has_problem()) {
      ++outcome.ops_ok;
      continue;
    }
    const v1::Problem& problem = result.problem();
    ++outcome.ops_failed;
    ++outcome.failures[absl::StrCat(
        "ITEM/", CodeName(static_cast<grpc::StatusCode>(problem.code())), "/", problem.reason())];
    if (outcome.error_message.empty()) outcome.error_message = problem.message();
  }
  const int64_t missing = batch_size - response.results_size();
  if (missing > 0) {
    outcome.ops_failed += missing;
    outcome.failures["MISSING_RESULTS"] += missing;
    if (outcome.error_message.empty()) {
      outcome.error_message = "the response has fewer results than the batch has entries";
    }
  }
  return outcome;
}

std::unique_ptr<Call> MakeRecordBatchCall(std::shared_ptr<const WorkloadConfig> config, int slot) {
  using C = UnaryCall<v1::Ledger::Stub, v1::RecordEntriesRequest, v1::RecordEntriesResponse>;
  const auto& channel = config->channels[static_cast<size_t>(slot) % config->channels.size()];
  const WorkloadConfig* raw = config.get();
  const int batch_size = raw->batch_size;
  return std::make_unique<C>(
      config, v1::Ledger::NewStub(channel), &v1::Ledger::Stub::PrepareAsyncRecordEntries,
      [raw, batch_size](int64_t index, std::mt19937_64&, v1::RecordEntriesRequest* request) {
        request->set_atomic(false);
        while (request->entries_size() < batch_size) request->add_entries();
        for (int i = 0; i < batch_size; ++i) {
          FillExchange(*raw, index * batch_size + i, request->mutable_entries(i));
        }
      },
      [batch_size](const grpc::Status& status, const v1::RecordEntriesResponse& response) {
        return BatchOutcome(status, response, batch_size);
      },
      config->seed + static_cast<uint64_t>(slot));
}

std::unique_ptr<Call> MakeGetAccountCall(std::shared_ptr<const WorkloadConfig> config, int slot) {
  using C = UnaryCall<v1::Accounts::Stub, v1::GetAccountRequest, v1::Account>;
  const auto& channel = config->channels[static_cast<size_t>(slot) % config->channels.size()];
  const WorkloadConfig* raw = config.get();
  return std::make_unique<C>(
      config, v1::Accounts::NewStub(channel), &v1::Accounts::Stub::PrepareAsyncGetAccount,
      [raw](int64_t, std::mt19937_64& rng, v1::GetAccountRequest* request) {
        request->set_bank_id(raw->bank_id);
        request->set_account_id(RandomAccount(*raw, rng));
      },
      SingleOutcome<v1::Account>, config->seed + static_cast<uint64_t>(slot));
}

std::unique_ptr<Call> MakeOpenAccountCall(std::shared_ptr<const WorkloadConfig> config, int slot) {
  using C = UnaryCall<v1::Accounts::Stub, v1::OpenAccountRequest, v1::Account>;
  const auto& channel = config->channels[static_cast<size_t>(slot) % config->channels.size()];
  const WorkloadConfig* raw = config.get();
  return std::make_unique<C>(
      config, v1::Accounts::NewStub(channel), &v1::Accounts::Stub::PrepareAsyncOpenAccount,
      [raw](int64_t index, std::mt19937_64&, v1::OpenAccountRequest* request) {
        const auto i = static_cast<size_t>(index) % raw->account_ids.size();
        request->set_bank_id(raw->bank_id);
        request->set_account_id(raw->account_ids[i]);
        request->set_kind(v1::PERSON);
        if (request->roles_size() == 0) request->add_roles(v1::MEMBER);
        request->set_display_name(absl::StrCat("Bench member ", i));
      },
      [](const grpc::Status& status, const v1::Account& account) {
        // Setup may be re-run against a server that has the accounts already.
        if (status.error_code() == grpc::StatusCode::ALREADY_EXISTS) return Succeeded(1);
        return SingleOutcome(status, account);
      },
      config->seed + static_cast<uint64_t>(slot));
}

}  // namespace

std::vector<std::string> AccountIds(const std::string& prefix, int64_t count) {
  std::vector<std::string> ids;
  ids.reserve(static_cast<size_t>(count));
  for (int64_t i = 0; i < count; ++i) ids.push_back(absl::StrFormat("%s%07d", prefix, i));
  return ids;
}

std::string ReasonOf(const grpc::Status& status) {
  std::string reason = CodeName(status.error_code());
  google::rpc::Status details;
  if (status.error_details().empty() || !details.ParseFromString(status.error_details())) {
    return reason;
  }
  for (const google::protobuf::Any& detail : details.details()) {
    google::rpc::ErrorInfo info;
    if (detail.Is<google::rpc::ErrorInfo>() && detail.UnpackTo(&info)) {
      absl::StrAppend(&reason, "/", info.reason());
      break;
    }
  }
  return reason;
}

CallFactory MakeWorkload(const std::string& name, std::shared_ptr<const WorkloadConfig> config) {
  using Maker = std::unique_ptr<Call> (*)(std::shared_ptr<const WorkloadConfig>, int);
  Maker maker = nullptr;
  if (name == "health") maker = MakeHealthCall;
  if (name == "record") maker = MakeRecordCall;
  if (name == "record-batch") maker = MakeRecordBatchCall;
  if (name == "get-account") maker = MakeGetAccountCall;
  if (name == "open-account") maker = MakeOpenAccountCall;
  if (maker == nullptr) return nullptr;
  return [maker, config](int slot) { return maker(config, slot); };
}

}  // namespace timeledger::bench
