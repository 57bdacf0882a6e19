// JournalFeed: serves Audit.WatchJournal, the change feed (docs/API.md, "The change feed").
//
// Each stream is a grpc::ServerWriteReactor that holds its own position and sends the facts from
// there on, a message of up to FeedOptions::records_per_message_max facts at a time, so a
// watcher far behind catches up in large messages. How the writer is kept out of it: the commit
// thread only tells the ledger's JournalNotifier a bank's new journal size (one store, one
// wake-up, whatever the number of watchers); the feed's dispatcher thread wakes, and serves each
// stream that keeps up and is not already sending from the bank's FeedTail (feed_tail.h): the
// newest facts, read from the store and encoded once for every stream, each message made of
// those bytes (the method is raw: feed_wire.h writes the messages). A stream behind the tail is
// handed to the feed's pump threads, which read the store for it until it reaches the tail. A
// stream has at most one message in flight; one far behind reads its next while the last is sent
// (at most kFeedMessagesAheadMax streams at once, one message ahead each), the others only once
// gRPC has taken the last: that is its whole buffer. A watcher that does not read holds one
// message (two if it was reading ahead) and falls behind; it reads from disk at its own pace once
// it reads again.
//
// A stream ends with a status saying why: PERMISSION_DENIED TOKEN_REVOKED when its token is no
// longer live or its name is bound to another role, bank or account (checked every check_interval),
// the bank's own refusal when it is damaged or gone (DATA_LOSS BANK_DAMAGED, NOT_FOUND),
// UNAVAILABLE SHUTTING_DOWN at Shutdown, CANCELLED when the caller cancels. A token holds at most
// streams_per_token_max streams at once (RESOURCE_EXHAUSTED TOO_MANY_STREAMS beyond). A message
// without facts is sent after `keepalive` of silence.
//
// Borrows the ledger and the gate, which outlive it. Thread-safe. Destroying it shuts it down.
#ifndef TIMELEDGER_SERVICES_JOURNAL_FEED_H_
#define TIMELEDGER_SERVICES_JOURNAL_FEED_H_

#include <atomic>
#include <cstddef>
#include <deque>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include "absl/base/thread_annotations.h"
#include "absl/container/flat_hash_map.h"
#include "absl/container/flat_hash_set.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/time.h"
#include <grpcpp/grpcpp.h>

#include "ledger/engine/ledger.h"
#include "services/access.h"
#include "services/feed_tail.h"
#include "services/feed_wire.h"

namespace timeledger::services {

struct FeedOptions {
  size_t streams_per_token_max = 8;                  // timeledgerd --watch-streams-per-token
  absl::Duration keepalive = absl::Seconds(15);      // an empty message after this much silence
  absl::Duration check_interval = absl::Seconds(1);  // token and bank checked this often
  size_t records_per_message_max = 256;              // also at most kFeedMessageBytesMax
  size_t pump_threads = 2;  // threads that read the store for streams behind, and start writes
};

// Streams open at once on one server, whatever the tokens.
inline constexpr size_t kFeedStreamsMax = 4096;
// Banks whose newest facts are kept in memory (a FeedTail each) at once; streams of more banks
// read the store.
inline constexpr size_t kFeedTailsMax = 16;
// Streams that read on while far behind (their next message while the last is being sent, or
// past facts their filter does not let through), at once on one server: each holds one more
// message (kFeedMessageBytesMax) and the storage of its page while it does.
inline constexpr size_t kFeedMessagesAheadMax = 16;
// Facts a stream reading ahead reads from the store at once, sent in as many messages as they
// need (a stream without a place to read ahead reads one message's worth).
inline constexpr size_t kFeedPageFactsMax = ledger::kJournalPageSizeMax;
// How long Shutdown waits for watchers to take their last message before it cancels them.
inline constexpr absl::Duration kFeedDrainWait = absl::Seconds(1);

class JournalFeed {
 public:
  JournalFeed(ledger::Ledger* ledger, Gate* gate, FeedOptions options);
  ~JournalFeed();
  JournalFeed(const JournalFeed&) = delete;
  JournalFeed& operator=(const JournalFeed&) = delete;

  // The reactor of one WatchJournal call (a serialised v1::WatchJournalRequest in, serialised
  // v1::WatchJournalResponse out): a stream, or one that finishes at once with the refusal (the
  // gate's; INVALID_ARGUMENT; TOO_MANY_STREAMS; SHUTTING_DOWN).
  grpc::ServerWriteReactor<grpc::ByteBuffer>* Watch(grpc::CallbackServerContext* context,
                                                    const grpc::ByteBuffer* request)
      ABSL_LOCKS_EXCLUDED(mu_);

  // Ends every stream with UNAVAILABLE SHUTTING_DOWN and refuses new ones; a stream whose client
  // does not take its last message within a second is cancelled. Returns once every stream has
  // ended, or `grace` passed. Idempotent.
  void Shutdown(absl::Duration grace) ABSL_LOCKS_EXCLUDED(mu_);

  // Tests: cancels every open stream from the server's side (the client sees CANCELLED).
  void CancelAllForTest() ABSL_LOCKS_EXCLUDED(mu_);

  size_t open_streams() const ABSL_LOCKS_EXCLUDED(mu_);

 private:
  class Stream;
  friend class Stream;

  // The tail of `bank_id` a new stream is served from once it reaches it (made, at the size
  // published, if none; nullptr if kFeedTailsMax banks have one).
  std::shared_ptr<FeedTail> TailFor(const ledger::BankId& bank_id)
      ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);
  // A place among the kFeedMessagesAheadMax streams that read ahead; false if none is free.
  bool TakeAheadSlot();
  void ReleaseAheadSlot();
  // Queues a stream that holds the builder's role for a pump thread.
  void Enqueue(Stream* stream) ABSL_LOCKS_EXCLUDED(mu_);
  // True if a stream waits for a pump thread.
  bool StreamsWaiting() const ABSL_LOCKS_EXCLUDED(mu_);
  // A stream is done (OnDone): forgets it; true if it may be deleted now (no one pins it).
  bool Forget(Stream* stream) ABSL_LOCKS_EXCLUDED(mu_);
  void DispatchLoop() ABSL_LOCKS_EXCLUDED(mu_);
  void PumpLoop() ABSL_LOCKS_EXCLUDED(mu_);
  void StopThreads() ABSL_LOCKS_EXCLUDED(mu_);
  // Cancels every open stream whose call is not done; no lock of the feed's is held while
  // cancelling, which may run its reactions.
  void CancelAll() ABSL_LOCKS_EXCLUDED(mu_);
  // Every open stream, each kept from being deleted (if it ends meanwhile) until Unpin.
  std::vector<Stream*> PinAll() ABSL_LOCKS_EXCLUDED(mu_);
  void Unpin(const std::vector<Stream*>& pinned) ABSL_LOCKS_EXCLUDED(mu_);
  bool PumpReady() const ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_) {
    return threads_stopping_ || !ready_.empty();
  }
  bool NoStreams() const ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_) { return streams_.empty(); }

  ledger::Ledger* const ledger_;
  Gate* const gate_;
  const FeedOptions options_;

  mutable absl::Mutex mu_;
  absl::flat_hash_set<Stream*> streams_ ABSL_GUARDED_BY(mu_);
  absl::flat_hash_map<std::string, size_t> streams_of_token_ ABSL_GUARDED_BY(mu_);
  std::deque<Stream*> ready_ ABSL_GUARDED_BY(mu_);
  struct TailUse {
    std::shared_ptr<FeedTail> tail;
    size_t streams = 0;
  };
  absl::flat_hash_map<std::string, TailUse> tails_ ABSL_GUARDED_BY(mu_);
  bool shutting_down_ ABSL_GUARDED_BY(mu_) = false;
  bool threads_stopping_ ABSL_GUARDED_BY(mu_) = false;
  std::atomic<size_t> aheads_{0};  // streams holding a place to read ahead
  std::vector<std::thread> threads_;  // last: started once everything above is ready
};

}  // namespace timeledger::services

#endif  // TIMELEDGER_SERVICES_JOURNAL_FEED_H_
