#include "services/journal_feed.h"

#include <algorithm>
#include <chrono>
#include <optional>
#include <utility>

#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/string_view.h"

#include "ledger/core/check.h"
#include "ledger/core/errors.h"
#include "ledger/core/validate.h"
#include "services/audit_service.h"
#include "services/convert.h"
#include "services/journal_record_convert.h"

namespace timeledger::services {
namespace {

using Reactor = grpc::ServerWriteReactor<grpc::ByteBuffer>;

// Fact types one request may name at most (there are fewer).
constexpr int kFactTypesMax = 32;
// Reads one turn of a stream makes at most when every fact read is filtered out; it then yields
// the pump thread to the other streams and continues at its next turn.
constexpr int kReadsPerTurnMax = 8;
// How long after its read the rest of a page is put into messages from memory: a stream that
// comes back to it later reads it again, so that an erasure since is read from the store (a
// message already made may still wait for the watcher to take the one before, as any message
// ahead does).
constexpr std::chrono::steady_clock::duration kFeedPageKeptMax = std::chrono::seconds(1);

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

// One WatchJournal stream. Two roles act on the call: the builder (building_: a pump thread or
// the dispatcher reading and making a message) and the write in flight (writing_, until
// OnWriteDone). The stream is idle when neither is held; only one builder and one write at a
// time. A message is written by its builder if no write is in flight; otherwise it waits as the
// message ahead (ahead_), which OnWriteDone starts. The call is finished by whoever holds the
// builder's role with no write in flight, or by OnWriteDone when no builder is at work; anyone
// else who wants it ended records why (end_) and, if the stream is idle, takes the builder's role
// and queues it, so the pump finishes it.
//
// A stream far behind reads its next message while the last is being sent (a pump thread that
// started a write reads on at once, holding the builder's role, or queues the stream behind
// others waiting), so that reading the store and sending overlap; at most kFeedMessagesAheadMax
// streams of the server do so at once, each holding one message ahead and the storage of its
// last page, which its next read decodes into rather than allocate every fact again.
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
    std::shared_ptr<FeedTail> tail;  // nullptr: every read from the store
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
    if (building_ || writing_ || end_.has_value()) return false;
    if (position_ >= published && now < next_check_ &&
        now < last_sent_ + feed_->options_.keepalive) {
      return false;
    }
    building_ = true;
    return true;
  }

  // Records why the stream ends. True if the caller took the turn and must queue the stream.
  bool RequestEnd(const absl::Status& why) ABSL_LOCKS_EXCLUDED(mu_) {
    absl::MutexLock lock(&mu_);
    if (!end_.has_value()) end_ = ToGrpcStatus(why);
    if (building_ || writing_) return false;  // the builder, or OnWriteDone, finishes the call
    building_ = true;
    return true;
  }

  // Holding the builder's role: checks, reads and writes one message (or leaves it ahead), or
  // finishes the call; on a pump thread (`may_read_ahead`), a stream still behind then reads its
  // next message while the last is sent. Touches nothing of the stream once it has given the
  // role up (it may be gone).
  void Pump(bool may_read_ahead) ABSL_LOCKS_EXCLUDED(mu_);

  // True if the stream's next read is from its bank's tail (it keeps up) and the tail lacks
  // at most one read of what was `published`: the dispatcher serves it itself then, reading the
  // store for the tail at most that once; a longer read goes to a pump thread.
  bool OnTail(uint64_t published) const ABSL_LOCKS_EXCLUDED(mu_) {
    if (spec_.tail == nullptr) return false;
    absl::MutexLock lock(&mu_);
    return position_ >= spec_.tail->begin() &&
           published <= spec_.tail->end() + ledger::kJournalPageSizeMax;
  }

  void OnWriteDone(bool ok) override ABSL_LOCKS_EXCLUDED(mu_) {
    // gRPC has taken the message: an idle stream holds no facts (the bound of
    // kFeedMessageBytesMax).
    out_.Clear();
    enum class Then { kNothing, kWriteAhead, kWriteAheadAndQueue, kQueue, kFinish } then;
    std::unique_ptr<ledger::FeedPage> gone;  // freed once mu_ is let go
    {
      absl::MutexLock lock(&mu_);
      writing_ = false;
      if (!ok && !end_.has_value()) {
        end_ = grpc::Status(grpc::StatusCode::CANCELLED, "the watcher went away");
      }
      if (building_) return;  // the builder writes its message, or finishes the call
      const bool behind = feed_->ledger_->journal_notifier().PublishedSize(
                              spec_.bank_id.value()) > position_;
      if (end_.has_value()) {
        ahead_.reset();
        gone = ReleaseAheadSlot();
        building_ = true;
        then = Then::kFinish;
      } else if (ahead_.has_value()) {
        out_ = *std::move(ahead_);
        ahead_.reset();
        writing_ = true;
        // A stream still behind reads on while this is sent: it keeps its place to read ahead.
        building_ = behind;
        if (!behind) gone = ReleaseAheadSlot();
        then = behind ? Then::kWriteAheadAndQueue : Then::kWriteAhead;
      } else if (behind) {
        building_ = true;
        then = Then::kQueue;
      } else {
        then = Then::kNothing;
      }
    }
    switch (then) {
      case Then::kNothing:
        return;
      case Then::kWriteAhead:
        StartWrite(&out_);  // nothing of the stream after this
        return;
      case Then::kWriteAheadAndQueue:
        StartWrite(&out_);  // the builder's role, taken above, keeps the stream
        feed_->Enqueue(this);
        return;
      case Then::kQueue:
        feed_->Enqueue(this);
        return;
      case Then::kFinish:
        FinishWithTurn(grpc::Status::OK);
        return;
    }
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
  // Where the stream stands after a read, for the message's trailer.
  struct Read {
    uint64_t next_position = 0;
    ledger::Digest journal_hash{};
    uint64_t tree_size = 0;
  };
  // Adds the facts from `position` on to message_: from the tail if it holds them, else read
  // from the store.
  absl::StatusOr<Read> ReadInto(uint64_t position);
  // Adds `page`'s facts from its record `first` on to message_, at most
  // records_per_message_max and kFeedMessageBytesMax of them; `*used`: the records of the page
  // now in a message.
  Read FillFrom(const ledger::FeedPage& page, size_t first, size_t* used);
  // With the builder's role and no write in flight: finishes the call with end_ if one was asked
  // for, else `status`.
  void FinishWithTurn(grpc::Status status) ABSL_LOCKS_EXCLUDED(mu_);
  // One read and its message (Pump's body); true if the builder reads on (its message is being
  // written and the stream is still behind): the caller then queues it, with the role.
  bool PumpOnce(bool may_read_ahead) ABSL_LOCKS_EXCLUDED(mu_);
  // Gives back the stream's place among those reading ahead, if it holds one; returns the
  // storage of its pages (page_), for the caller to free once it has let mu_ go.
  [[nodiscard]] std::unique_ptr<ledger::FeedPage> ReleaseAheadSlot()
      ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);

  JournalFeed* const feed_;
  const Spec spec_;

  // Not the feed's mu_: cancelling may run OnCancel, which takes it (Enqueue).
  absl::Mutex context_mu_;
  grpc::CallbackServerContext* const context_ ABSL_PT_GUARDED_BY(context_mu_);
  bool call_done_ ABSL_GUARDED_BY(context_mu_) = false;

  // While the stream holds a place to read ahead: the last page read from the store, whose
  // storage (2 KB a fact) the next read reuses. The builder's, or OnWriteDone's when no builder
  // is at work.
  std::unique_ptr<ledger::FeedPage> page_;
  size_t page_used_ = 0;  // page_'s records already in a message; the rest is sent from page_
  std::chrono::steady_clock::time_point page_read_at_;  // for kFeedPageKeptMax
  // The message being built (the builder's only), and the one in flight (set by whoever starts
  // the write, before it does; emptied by OnWriteDone).
  FeedMessage message_;
  grpc::ByteBuffer out_;
  bool sent_any_ = false;                // the builder's only
  // Where the last read ended and the chain hash of the fact before (its journal_hash): the next
  // read from the store starts there without reading back to a whole stored hash. The builder's
  // only.
  struct Chain {
    uint64_t position = 0;
    ledger::Digest hash{};
  };
  std::optional<Chain> chain_;
  absl::Time last_check_ = absl::Now();  // the builder's only

  mutable absl::Mutex mu_;
  bool building_ ABSL_GUARDED_BY(mu_) = true;  // it starts so: its first message is due
  bool writing_ ABSL_GUARDED_BY(mu_) = false;
  std::optional<grpc::ByteBuffer> ahead_ ABSL_GUARDED_BY(mu_);  // only while writing_
  // A place among kFeedMessagesAheadMax: reading on (with a message in flight, or queued after a
  // turn its filter let nothing through), or holding ahead_; page_ goes with it.
  bool ahead_slot_ ABSL_GUARDED_BY(mu_) = false;
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

JournalFeed::Stream::Read JournalFeed::Stream::FillFrom(const ledger::FeedPage& page,
                                                        size_t first, size_t* used) {
  TL_CHECK(first <= page.records.size());
  const size_t records_max = feed_->options_.records_per_message_max;
  const size_t end = std::min(page.records.size(), first + records_max);
  Read read{page.next_position, page.journal_hash, page.tree_size};
  // A record on the wire is about its fact's bytes twice (the bytes, and the body's fields) and
  // its hashes with their framing: room for the page saves regrowing the message.
  size_t expected = message_.record_bytes();
  for (size_t i = first; i < end; ++i) {
    expected += 2 * page.records[i].fact.size() + 2 * (ledger::kDigestBytes + 16);
    if (expected > kFeedMessageBytesMax) break;
  }
  message_.Reserve(std::min(expected, kFeedMessageBytesMax) + 1024);
  thread_local std::string wire;
  for (size_t i = first; i < page.records.size(); ++i) {
    if (i == end || message_.record_bytes() > kFeedMessageBytesMax) {  // the rest at the next turn
      read.next_position = page.records[i].position;
      read.journal_hash = page.prior_hashes[i];
      *used = i;
      return read;
    }
    wire.clear();
    AppendJournalRecord(page.records[i], page.facts[i], &wire);
    message_.Add(wire, page.prior_hashes[i]);
  }
  *used = page.records.size();
  return read;
}

absl::StatusOr<JournalFeed::Stream::Read> JournalFeed::Stream::ReadInto(uint64_t position) {
  const FeedOptions& options = feed_->options_;
  if (spec_.tail != nullptr && position >= spec_.tail->begin()) {
    // The view's size, not the notifier's: the view is published first, so a fact the store
    // already shows (an erasure's, with the values it erased gone) is in the tail before a
    // stream is served from it.
    auto tip = feed_->ledger_->GetJournalTip(spec_.bank_id);
    if (!tip.ok()) return tip.status();
    if (auto s = spec_.tail->CatchUp(tip->tree_size); !s.ok()) return s;
    auto served =
        spec_.tail->Serve(position, spec_.filter, options.records_per_message_max, &message_);
    if (served.has_value()) {
      return Read{served->next_position, served->journal_hash,
                  std::max(served->tree_size, tip->tree_size)};
    }
  }
  std::optional<ledger::Digest> chain_before;
  if (chain_.has_value() && chain_->position == position) chain_before = chain_->hash;
  // A stream reading ahead reads a long page, sent over several messages, into its storage.
  if (page_ != nullptr) {
    if (page_used_ < page_->records.size() && page_->records[page_used_].position == position &&
        std::chrono::steady_clock::now() - page_read_at_ < kFeedPageKeptMax) {
      // The rest of the last page; the journal's size as it is now, not as it was then.
      Read read = FillFrom(*page_, page_used_, &page_used_);
      read.tree_size = std::max(read.tree_size, feed_->ledger_->journal_notifier().PublishedSize(
                                                    spec_.bank_id.value()));
      return read;
    }
    page_used_ = 0;
    page_read_at_ = std::chrono::steady_clock::now();
    if (auto s = feed_->ledger_->ReadFeedInto(spec_.bank_id, position, spec_.filter,
                                              kFeedPageFactsMax, chain_before, page_.get());
        !s.ok()) {
      page_->records.clear();  // nothing of a failed read is sent
      return s;
    }
    return FillFrom(*page_, 0, &page_used_);
  }
  ledger::FeedPage page;
  if (auto s = feed_->ledger_->ReadFeedInto(spec_.bank_id, position, spec_.filter,
                                            options.records_per_message_max, chain_before, &page);
      !s.ok()) {
    return s;
  }
  size_t used = 0;
  return FillFrom(page, 0, &used);
}

void JournalFeed::Stream::Pump(bool may_read_ahead) {
  // A stream that reads on goes behind the others in the queue (still holding the builder's
  // role), so that one far behind does not keep a pump thread to itself until it catches up;
  // while none waits it goes on here: handing it to another thread costs two wake-ups a message.
  while (PumpOnce(may_read_ahead)) {
    if (feed_->StreamsWaiting()) {
      feed_->Enqueue(this);
      return;
    }
  }
}

bool JournalFeed::Stream::PumpOnce(bool may_read_ahead) {
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
      RequestEnd(s);  // the builder's role is this thread's already
      ending = true;
    }
  }
  bool send = !sent_any_;
  Read last;
  message_.Clear();
  for (int reads = 0; !ending && reads < kReadsPerTurnMax; ++reads) {
    auto read = ReadInto(position);
    if (!read.ok()) {
      ending = !RequestEnd(read.status());
      break;
    }
    last = *read;
    position = read->next_position;
    chain_ = Chain{last.next_position, last.journal_hash};
    if (message_.records() > 0) send = true;
    if (send || position >= read->tree_size) break;
  }
  enum class Next { kWrite, kNothing, kFinish } next = Next::kNothing;
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
  std::unique_ptr<ledger::FeedPage> gone;  // freed once mu_ is let go
  if (next != Next::kWrite) {
    bool finish = false, queue = false;
    {
      absl::MutexLock lock(&mu_);
      if (writing_) {  // OnWriteDone looks again once the write is done
        gone = ReleaseAheadSlot();
        building_ = false;
        return false;
      }
      if (end_.has_value()) {
        gone = ReleaseAheadSlot();
        finish = true;
      } else {
        // Facts published meanwhile (the dispatcher skipped the stream while it was busy), or
        // a stream far behind whose filter let nothing through: it reads on, and on a pump
        // thread with a place to read ahead and its page, as one that sent a message does.
        queue = feed_->ledger_->journal_notifier().PublishedSize(spec_.bank_id.value()) > position_;
        building_ = queue;
        if (queue && may_read_ahead && (ahead_slot_ || feed_->TakeAheadSlot())) {
          ahead_slot_ = true;
          if (page_ == nullptr) page_ = std::make_unique<ledger::FeedPage>();
        } else {
          gone = ReleaseAheadSlot();
        }
      }
    }
    if (finish) FinishWithTurn(grpc::Status::OK);
    if (queue) feed_->Enqueue(this);
    return false;
  }
  sent_any_ = true;
  grpc::ByteBuffer message = message_.Finish(last.next_position, last.journal_hash, last.tree_size);
  bool read_on = false;
  {
    absl::MutexLock lock(&mu_);
    if (writing_) {  // the last message is still in flight: this one waits for OnWriteDone
      TL_CHECK(!ahead_.has_value() && ahead_slot_);
      ahead_ = std::move(message);
      building_ = false;
      return false;
    }
    writing_ = true;
    // A stream that reads on keeps its place, and with it the storage of its pages.
    read_on = may_read_ahead && position < last.tree_size && !end_.has_value() &&
              (ahead_slot_ || feed_->TakeAheadSlot());
    if (read_on) {
      ahead_slot_ = true;
      if (page_ == nullptr) page_ = std::make_unique<ledger::FeedPage>();
    } else {
      gone = ReleaseAheadSlot();
    }
    building_ = read_on;
  }
  out_ = std::move(message);  // no write is in flight, so none but this thread touches out_
  StartWrite(&out_);          // unless it reads on, nothing of the stream after this
  return read_on;
}

std::unique_ptr<ledger::FeedPage> JournalFeed::Stream::ReleaseAheadSlot() {
  if (!ahead_slot_) return nullptr;
  ahead_slot_ = false;
  feed_->ReleaseAheadSlot();
  return std::move(page_);
}

void JournalFeed::Stream::FinishWithTurn(grpc::Status status) {
  {
    absl::MutexLock lock(&mu_);
    if (end_.has_value()) status = *end_;
  }
  Finish(std::move(status));
}

bool JournalFeed::TakeAheadSlot() {
  size_t taken = aheads_.load();
  do {
    if (taken >= kFeedMessagesAheadMax) return false;
  } while (!aheads_.compare_exchange_weak(taken, taken + 1));
  return true;
}

void JournalFeed::ReleaseAheadSlot() { TL_CHECK(aheads_.fetch_sub(1) > 0); }

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

grpc::ServerWriteReactor<grpc::ByteBuffer>* JournalFeed::Watch(
    grpc::CallbackServerContext* context, const grpc::ByteBuffer* raw_request) {
  v1::WatchJournalRequest parsed;
  grpc::ByteBuffer copy(*raw_request);  // Deserialize consumes it
  if (!grpc::SerializationTraits<v1::WatchJournalRequest>::Deserialize(&copy, &parsed).ok()) {
    return new Refused(ledger::Refuse(ledger::Reason::kInvalidArgument,
                                      "the request is not a WatchJournalRequest"));
  }
  const v1::WatchJournalRequest* request = &parsed;
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
    auto digest = ledger_->GetJournalTip(spec.bank_id);
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
  spec.tail = TailFor(spec.bank_id);
  auto* stream = new Stream(this, context, std::move(spec));
  streams_.insert(stream);
  ready_.push_back(stream);  // it starts with the turn: its first message tells where it stands
  return stream;
}

std::shared_ptr<FeedTail> JournalFeed::TailFor(const ledger::BankId& bank_id) {
  auto it = tails_.find(bank_id.value());
  if (it == tails_.end()) {
    if (tails_.size() >= kFeedTailsMax) return nullptr;
    const uint64_t published = ledger_->journal_notifier().PublishedSize(bank_id.value());
    auto tail = std::make_shared<FeedTail>(ledger_, bank_id, published);
    it = tails_.emplace(bank_id.value(), TailUse{std::move(tail), 0}).first;
  }
  ++it->second.streams;
  return it->second.tail;
}

void JournalFeed::Enqueue(Stream* stream) {
  absl::MutexLock lock(&mu_);
  ready_.push_back(stream);
}

bool JournalFeed::StreamsWaiting() const {
  absl::MutexLock lock(&mu_);
  return !ready_.empty();
}

bool JournalFeed::Forget(Stream* stream) {
  absl::MutexLock lock(&mu_);
  TL_CHECK(streams_.erase(stream) == 1);
  auto it = streams_of_token_.find(stream->spec().token_key);
  TL_CHECK(it != streams_of_token_.end() && it->second > 0);
  if (--it->second == 0) streams_of_token_.erase(it);
  if (stream->spec().tail != nullptr) {
    auto tail = tails_.find(stream->spec().bank_id.value());
    TL_CHECK(tail != tails_.end() && tail->second.streams > 0);
    if (--tail->second.streams == 0) tails_.erase(tail);
  }
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
  std::vector<Stream*> on_tail;
  while (true) {
    seen = notifier.WaitForChange(seen, tick);
    const absl::Time now = absl::Now();
    on_tail.clear();
    {
      absl::MutexLock lock(&mu_);
      if (threads_stopping_) return;
      for (Stream* stream : streams_) {
        const uint64_t published = notifier.PublishedSize(stream->spec().bank_id.value());
        if (!stream->TakeTurnIfDue(published, now)) continue;
        // A stream that keeps up is served here, from memory: no hand-off to a pump thread.
        if (stream->OnTail(published)) {
          on_tail.push_back(stream);
        } else {
          ready_.push_back(stream);
        }
      }
    }
    // Each holds its turn, so none is deleted meanwhile.
    for (Stream* stream : on_tail) stream->Pump(/*may_read_ahead=*/false);
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
    stream->Pump(/*may_read_ahead=*/true);
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
