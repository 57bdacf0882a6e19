#include "services/journal_feed.h"

#include <algorithm>
#include <optional>
#include <utility>

#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/string_view.h"
#include "google/protobuf/arena.h"

#include "ledger/core/check.h"
#include "ledger/core/errors.h"
#include "ledger/core/validate.h"
#include "services/audit_service.h"
#include "services/convert.h"

namespace timeledger::services {
namespace {

using Reactor = grpc::ServerWriteReactor<v1::WatchJournalResponse>;

// Fact types one request may name at most (there are fewer).
constexpr int kFactTypesMax = 32;
// Reads one turn of a stream makes at most when every fact read is filtered out; it then yields
// the pump thread to the other streams and continues at its next turn.
constexpr int kReadsPerTurnMax = 8;

// The bearer token of the call, read as the gate reads it (access.cc), to check it again while
// the stream lasts. "" if there is none (the gate refused the call then).
std::string BearerOf(const grpc::CallbackServerContext* context) {
  const auto& metadata = context->client_metadata();
  auto it = metadata.find(kAuthorizationMetadata);
  if (it == metadata.end()) return "";
  absl::string_view value(it->second.data(), it->second.size());
  constexpr absl::string_view kScheme = "bearer ";
  if (value.size() <= kScheme.size() || !absl::StartsWithIgnoreCase(value, kScheme)) return "";
  return std::string(absl::StripAsciiWhitespace(value.substr(kScheme.size())));
}

// The public part of a token, "tl_<id>" (ledger/rules/access.h), which streams are counted by.
std::string TokenKey(absl::string_view bearer) {
  return std::string(bearer.substr(0, bearer.find('_', 3)));
}

absl::Status ShuttingDown() {
  return ledger::Refuse(ledger::Reason::kShuttingDown,
                        "the server is shutting down; reconnect and resume from the last "
                        "next_position processed");
}

// A call refused before it streams anything: finished at once.
class Refused final : public Reactor {
 public:
  explicit Refused(const absl::Status& status) { Finish(ToGrpcStatus(status)); }
  void OnDone() override { delete this; }
};

absl::StatusOr<ledger::FeedFilter> FilterOf(const v1::WatchJournalRequest& request) {
  ledger::FeedFilter filter;
  if (request.types_size() > kFactTypesMax) {
    return ledger::Refuse(ledger::Reason::kInvalidArgument,
                          absl::StrCat("name at most ", kFactTypesMax, " fact types"),
                          {{"field", "types"}});
  }
  for (int type : request.types()) {
    if (type == v1::FACT_TYPE_UNSPECIFIED || !v1::FactType_IsValid(type)) {
      return ledger::Refuse(ledger::Reason::kInvalidEnum, absl::StrCat(type, " is not a fact type"),
                            {{"field", "types"}});
    }
    filter.types.push_back(static_cast<ledger::FactType>(type));
  }
  if (!request.account_id().empty()) {
    if (auto s = ledger::ValidateId("account_id", request.account_id()); !s.ok()) return s;
    filter.account_id = request.account_id();
  }
  return filter;
}

}  // namespace

// One WatchJournal stream. Its "turn" (busy_) is held by whoever may act on the call: a pump
// thread reading, then the write it started until OnWriteDone. Only the holder starts a write or
// finishes the call; anyone else who wants it ended records why (end_) and, if the stream is
// idle, takes the turn and queues it, so the pump finishes it.
class JournalFeed::Stream final : public Reactor {
 public:
  struct Spec {
    ledger::BankId bank_id;
    ledger::FeedFilter filter;
    uint64_t position = 0;
    std::string bearer;
    std::string token_key;
    // As the gate admitted the call: the filter was fixed for it (a partner's account).
    ledger::Principal principal;
  };

  Stream(JournalFeed* feed, grpc::CallbackServerContext* context, Spec spec)
      : feed_(feed), spec_(std::move(spec)), context_(context), position_(spec_.position) {}

  const Spec& spec() const { return spec_; }

  // Cancels the call from the server's side unless OnDone came: gRPC frees the context once
  // OnDone returns, and a pin keeps only the stream. gRPC runs no OnDone of this (not inlineable)
  // reactor on the thread that cancels, so holding context_mu_ across TryCancel cannot deadlock.
  void CancelIfOpen() ABSL_LOCKS_EXCLUDED(context_mu_) {
    absl::MutexLock lock(&context_mu_);
    if (!call_done_) context_->TryCancel();
  }

  // The dispatcher: takes the turn if the stream is idle and has something to do: facts
  // published beyond its position, a check or a keepalive due. True if it took it.
  bool TakeTurnIfDue(uint64_t published, absl::Time now) ABSL_LOCKS_EXCLUDED(mu_) {
    absl::MutexLock lock(&mu_);
    if (busy_ || end_.has_value()) return false;
    if (position_ >= published && now < next_check_ &&
        now < last_sent_ + feed_->options_.keepalive) {
      return false;
    }
    busy_ = true;
    return true;
  }

  // Records why the stream ends. True if the caller took the turn and must queue the stream.
  bool RequestEnd(const absl::Status& why) ABSL_LOCKS_EXCLUDED(mu_) {
    absl::MutexLock lock(&mu_);
    if (!end_.has_value()) end_ = ToGrpcStatus(why);
    if (busy_) return false;
    busy_ = true;
    return true;
  }

  // A pump thread, holding the turn: checks, reads and starts one write, or finishes the call.
  // Touches nothing of the stream after starting the write or finishing (it may be gone).
  void Pump() ABSL_LOCKS_EXCLUDED(mu_);

  void OnWriteDone(bool ok) override ABSL_LOCKS_EXCLUDED(mu_) {
    // gRPC has taken the message: an idle stream holds no facts (the bound of
    // kFeedMessageBytesMax).
    response_ = nullptr;
    arena_.Reset();
    if (!ok) {
      FinishWithTurn(grpc::Status(grpc::StatusCode::CANCELLED, "the watcher went away"));
      return;
    }
    ReleaseTurn();
  }

  void OnCancel() override {
    if (RequestEnd(absl::CancelledError("the call was cancelled"))) feed_->Enqueue(this);
  }

  void OnDone() override {
    {
      absl::MutexLock lock(&context_mu_);
      call_done_ = true;  // the context is freed once this returns
    }
    if (feed_->Forget(this)) delete this;
  }

 private:
  friend class JournalFeed;

  // OK while the token is live and the bank served; otherwise why the stream ends.
  absl::Status CheckStillAllowed() const;
  // Fills response_ from `page`, at most kFeedMessageBytesMax of facts; returns its next_position.
  uint64_t Fill(const ledger::FeedPage& page);
  // With the turn: finishes the call with end_ if one was asked for, else `status`.
  void FinishWithTurn(grpc::Status status) ABSL_LOCKS_EXCLUDED(mu_);
  // With the turn, after a write: queues the stream again if facts were published beyond its
  // position meanwhile (the dispatcher skipped it while busy), else gives the turn up.
  void ReleaseTurn() ABSL_LOCKS_EXCLUDED(mu_);

  JournalFeed* const feed_;
  const Spec spec_;

  // Not the feed's mu_: cancelling may run OnCancel, which takes it (Enqueue).
  absl::Mutex context_mu_;
  grpc::CallbackServerContext* const context_ ABSL_PT_GUARDED_BY(context_mu_);
  bool call_done_ ABSL_GUARDED_BY(context_mu_) = false;

  // The message in flight, on an arena (fewer allocations per fact) reset once it is written:
  // the turn's holder's only.
  google::protobuf::Arena arena_;
  v1::WatchJournalResponse* response_ = nullptr;
  bool sent_any_ = false;                // the turn's holder's only
  absl::Time last_check_ = absl::Now();  // the turn's holder's only

  absl::Mutex mu_;
  bool busy_ ABSL_GUARDED_BY(mu_) = true;  // it starts with the turn: its first message is due
  std::optional<grpc::Status> end_ ABSL_GUARDED_BY(mu_);
  uint64_t position_ ABSL_GUARDED_BY(mu_);
  absl::Time last_sent_ ABSL_GUARDED_BY(mu_) = absl::Now();
  absl::Time next_check_ ABSL_GUARDED_BY(mu_) = absl::Now();

  // Under the feed's mu_: threads that hold a pointer without the turn, and whether OnDone came.
  size_t pins_ = 0;
  bool done_ = false;
};

absl::Status JournalFeed::Stream::CheckStillAllowed() const {
  auto now_as = feed_->ledger_->tokens().Authenticate(spec_.bearer);
  if (!now_as.ok()) {
    return ledger::Refuse(ledger::Reason::kTokenRevoked,
                          "the token of this stream was revoked: the stream ends");
  }
  // An admin may bind the token's name to another account (a partner's filter is its account's,
  // fixed at the start) without revoking the token.
  const ledger::Principal& was = spec_.principal;
  if (now_as->role != was.role || now_as->bank_id != was.bank_id ||
      now_as->account_id != was.account_id) {
    return ledger::Refuse(ledger::Reason::kTokenRevoked,
                          "the token of this stream is now bound to another role, bank or "
                          "account: the stream ends; watch again to follow the new binding");
  }
  return feed_->ledger_->CheckBankServable(spec_.bank_id);
}

uint64_t JournalFeed::Stream::Fill(const ledger::FeedPage& page) {
  response_ = nullptr;
  arena_.Reset();
  response_ = google::protobuf::Arena::CreateMessage<v1::WatchJournalResponse>(&arena_);
  response_->set_tree_size(page.tree_size);
  uint64_t next_position = page.next_position;
  const ledger::Digest* journal_hash = &page.journal_hash;
  size_t bytes = 0;
  for (size_t i = 0; i < page.records.size(); ++i) {
    if (bytes > kFeedMessageBytesMax) {  // the rest at the next turn
      next_position = page.records[i].position;
      journal_hash = &page.prior_hashes[i];
      break;
    }
    v1::JournalRecord* record = response_->add_records();
    ToProto(page.records[i], page.facts[i], record);
    bytes += record->ByteSizeLong();
    response_->add_prior_chain_hashes(reinterpret_cast<const char*>(page.prior_hashes[i].data()),
                                      page.prior_hashes[i].size());
  }
  response_->set_next_position(next_position);
  response_->set_journal_hash(reinterpret_cast<const char*>(journal_hash->data()),
                              journal_hash->size());
  return next_position;
}

void JournalFeed::Stream::Pump() {
  const FeedOptions& options = feed_->options_;
  uint64_t position = 0;
  bool ending = false;
  {
    absl::MutexLock lock(&mu_);
    ending = end_.has_value();
    position = position_;
  }
  const absl::Time now = absl::Now();
  if (!ending && (now - last_check_ >= options.check_interval || !sent_any_)) {
    last_check_ = now;
    if (auto s = CheckStillAllowed(); !s.ok()) {
      RequestEnd(s);  // the turn is this thread's already
      ending = true;
    }
  }
  bool send = !sent_any_;
  for (int reads = 0; !ending && reads < kReadsPerTurnMax; ++reads) {
    auto page = feed_->ledger_->ReadFeed(spec_.bank_id, position, spec_.filter,
                                         options.records_per_message_max);
    if (!page.ok()) {
      ending = !RequestEnd(page.status());
      break;
    }
    position = Fill(*page);
    if (response_->records_size() > 0) send = true;
    if (send || position >= page->tree_size) break;
  }
  enum class Next { kWrite, kRelease, kFinish } next = Next::kRelease;
  {
    absl::MutexLock lock(&mu_);
    if (end_.has_value()) {
      next = Next::kFinish;
    } else {
      position_ = position;
      next_check_ = last_check_ + options.check_interval;
      if (send || now >= last_sent_ + options.keepalive) {
        next = Next::kWrite;
        last_sent_ = now;
      }
    }
  }
  // The stream may be gone once the call below returns.
  switch (next) {
    case Next::kWrite:
      sent_any_ = true;
      StartWrite(response_);
      return;
    case Next::kRelease:
      ReleaseTurn();
      return;
    case Next::kFinish:
      FinishWithTurn(grpc::Status::OK);
      return;
  }
}

void JournalFeed::Stream::FinishWithTurn(grpc::Status status) {
  {
    absl::MutexLock lock(&mu_);
    if (end_.has_value()) status = *end_;
  }
  Finish(std::move(status));
}

void JournalFeed::Stream::ReleaseTurn() {
  bool finish = false;
  bool again = false;
  {
    absl::MutexLock lock(&mu_);
    if (end_.has_value()) {
      finish = true;
    } else {
      again = feed_->ledger_->journal_notifier().PublishedSize(spec_.bank_id.value()) > position_;
      if (!again) busy_ = false;
    }
  }
  if (finish) {
    FinishWithTurn(grpc::Status::OK);
  } else if (again) {
    feed_->Enqueue(this);
  }
}

JournalFeed::JournalFeed(ledger::Ledger* ledger, Gate* gate, FeedOptions options)
    : ledger_(ledger), gate_(gate), options_(options) {
  TL_CHECK(options_.records_per_message_max > 0 &&
           options_.records_per_message_max <= ledger::kJournalPageSizeMax);
  TL_CHECK(options_.pump_threads > 0 && options_.streams_per_token_max > 0);
  threads_.emplace_back([this] { DispatchLoop(); });
  for (size_t i = 0; i < options_.pump_threads; ++i) threads_.emplace_back([this] { PumpLoop(); });
}

JournalFeed::~JournalFeed() {
  Shutdown(absl::Seconds(5));
  StopThreads();
}

grpc::ServerWriteReactor<v1::WatchJournalResponse>* JournalFeed::Watch(
    grpc::CallbackServerContext* context, const v1::WatchJournalRequest* request) {
  auto caller = gate_->Admit(context, "Audit/WatchJournal", request->bank_id());
  if (!caller.ok()) return new Refused(caller.status());
  auto asked = FilterOf(*request);
  if (!asked.ok()) return new Refused(asked.status());
  auto filter = ledger::FeedFilterFor(*caller, *std::move(asked));
  if (!filter.ok()) return new Refused(filter.status());
  Stream::Spec spec;
  spec.bank_id = ledger::BankId(request->bank_id());
  spec.filter = *std::move(filter);
  spec.position = request->start_position();
  if (request->from_now()) {
    auto digest = ledger_->GetDigest(spec.bank_id);
    if (!digest.ok()) return new Refused(digest.status());
    spec.position = digest->tree_size;
  }
  spec.bearer = BearerOf(context);
  spec.token_key = TokenKey(spec.bearer);
  spec.principal = *std::move(caller);
  absl::MutexLock lock(&mu_);
  if (shutting_down_) return new Refused(ShuttingDown());
  size_t& count = streams_of_token_[spec.token_key];
  if (count >= options_.streams_per_token_max || streams_.size() >= kFeedStreamsMax) {
    const size_t limit =
        count >= options_.streams_per_token_max ? options_.streams_per_token_max : kFeedStreamsMax;
    if (count == 0) streams_of_token_.erase(spec.token_key);
    return new Refused(ledger::Refuse(
        ledger::Reason::kTooManyStreams,
        absl::StrCat("at most ", limit,
                     " journal streams are open at once (per token, and on the server); end "
                     "one first"),
        {{"limit", std::to_string(limit)}}));
  }
  ++count;
  auto* stream = new Stream(this, context, std::move(spec));
  streams_.insert(stream);
  ready_.push_back(stream);  // it starts with the turn: its first message tells where it stands
  return stream;
}

void JournalFeed::Enqueue(Stream* stream) {
  absl::MutexLock lock(&mu_);
  ready_.push_back(stream);
}

bool JournalFeed::Forget(Stream* stream) {
  absl::MutexLock lock(&mu_);
  TL_CHECK(streams_.erase(stream) == 1);
  auto it = streams_of_token_.find(stream->spec().token_key);
  TL_CHECK(it != streams_of_token_.end() && it->second > 0);
  if (--it->second == 0) streams_of_token_.erase(it);
  stream->done_ = true;
  return stream->pins_ == 0;
}

std::vector<JournalFeed::Stream*> JournalFeed::PinAll() {
  absl::MutexLock lock(&mu_);
  std::vector<Stream*> pinned(streams_.begin(), streams_.end());
  for (Stream* stream : pinned) ++stream->pins_;
  return pinned;
}

void JournalFeed::Unpin(const std::vector<Stream*>& pinned) {
  std::vector<Stream*> gone;
  {
    absl::MutexLock lock(&mu_);
    for (Stream* stream : pinned) {
      if (--stream->pins_ == 0 && stream->done_) gone.push_back(stream);
    }
  }
  for (Stream* stream : gone) delete stream;
}

void JournalFeed::CancelAll() {
  // Cancelling may run a stream's reactions on this thread: only the stream's context_mu_ is held
  // across it, which no reaction but OnDone takes.
  const std::vector<Stream*> pinned = PinAll();
  for (Stream* stream : pinned) stream->CancelIfOpen();
  Unpin(pinned);
}

void JournalFeed::CancelAllForTest() { CancelAll(); }

void JournalFeed::Shutdown(absl::Duration grace) {
  const absl::Time deadline = absl::Now() + grace;
  {
    absl::MutexLock lock(&mu_);
    shutting_down_ = true;
    for (Stream* stream : streams_) {
      if (stream->RequestEnd(ShuttingDown())) ready_.push_back(stream);
    }
    // A watcher that does not read never takes its last message, nor the status after it.
    mu_.AwaitWithDeadline(absl::Condition(this, &JournalFeed::NoStreams),
                          std::min(deadline, absl::Now() + kFeedDrainWait));
    if (streams_.empty()) return;
  }
  CancelAll();
  absl::MutexLock lock(&mu_);
  mu_.AwaitWithDeadline(absl::Condition(this, &JournalFeed::NoStreams), deadline);
}

size_t JournalFeed::open_streams() const {
  absl::MutexLock lock(&mu_);
  return streams_.size();
}

void JournalFeed::DispatchLoop() {
  ledger::JournalNotifier& notifier = ledger_->journal_notifier();
  const absl::Duration tick =
      std::max(absl::Milliseconds(10), std::min(options_.check_interval, options_.keepalive) / 4);
  uint64_t seen = notifier.generation();
  while (true) {
    seen = notifier.WaitForChange(seen, tick);
    const absl::Time now = absl::Now();
    absl::MutexLock lock(&mu_);
    if (threads_stopping_) return;
    for (Stream* stream : streams_) {
      const uint64_t published = notifier.PublishedSize(stream->spec().bank_id.value());
      if (stream->TakeTurnIfDue(published, now)) ready_.push_back(stream);
    }
  }
}

void JournalFeed::PumpLoop() {
  while (true) {
    Stream* stream = nullptr;
    {
      absl::MutexLock lock(&mu_);
      mu_.Await(absl::Condition(this, &JournalFeed::PumpReady));
      if (ready_.empty()) return;  // stopping
      stream = ready_.front();
      ready_.pop_front();
    }
    stream->Pump();
  }
}

void JournalFeed::StopThreads() {
  {
    absl::MutexLock lock(&mu_);
    threads_stopping_ = true;
  }
  ledger_->journal_notifier().Interrupt();
  for (std::thread& thread : threads_) thread.join();
  threads_.clear();
}

}  // namespace timeledger::services
