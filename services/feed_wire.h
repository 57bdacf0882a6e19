// The change feed's messages on the wire, built from records encoded once.
//
// A WatchJournalResponse is written by hand from its parts (the proto's field numbers, below), so
// that a JournalRecord serialised once (journal_record_convert.h) can go into the messages of
// every stream that is sent it: the feed's streams are written as raw bytes (AuditService's WatchJournal is a raw method), and
// a watcher parses exactly the message the proto describes.
#ifndef TIMELEDGER_SERVICES_FEED_WIRE_H_
#define TIMELEDGER_SERVICES_FEED_WIRE_H_

#include <cstddef>
#include <cstdint>
#include <string>

#include "absl/strings/string_view.h"
#include <grpcpp/support/byte_buffer.h>

#include "ledger/core/types.h"
#include "ledger/journal/journal.h"
#include "ledger/store/store.h"
#include "timeledger/v1/audit.pb.h"

namespace timeledger::services {

// A feed message holds facts of at most this many bytes (one more fact is sent alone). Each
// stream holds at most its one message in flight, released once gRPC has taken it, and the
// kFeedMessagesAheadMax streams that read ahead (journal_feed.h) one more each, so the messages
// of a server's streams stay within (kFeedStreamsMax + kFeedMessagesAheadMax) x this (514 MiB),
// watchers that stop reading included.
inline constexpr size_t kFeedMessageBytesMax = 128 << 10;

// One WatchJournalResponse being built: its records and their prior hashes, a record and its
// hash after another (a parser gathers each repeated field in order, wherever its values are),
// then the trailer. Reused: Clear between messages keeps a small buffer's memory.
class FeedMessage {
 public:
  // Makes room for about `bytes` of records (a page read from the store: it saves regrowing).
  void Reserve(size_t bytes) { bytes_.reserve(bytes); }
  // Adds a record (a serialised v1::JournalRecord) and the chain hash of the fact before it.
  void Add(absl::string_view record, const ledger::Digest& prior_chain_hash);
  size_t records() const { return records_count_; }
  // The bytes of the records added, with their hashes (what kFeedMessageBytesMax bounds).
  size_t record_bytes() const { return bytes_.size(); }
  // The whole message with its trailer, as one slice: a large message's buffer is handed over,
  // not copied. The message is cleared, and keeps only a small buffer (an idle stream holds
  // little).
  grpc::ByteBuffer Finish(uint64_t next_position, const ledger::Digest& journal_hash,
                          uint64_t tree_size);
  void Clear();

 private:
  std::string bytes_;
  size_t records_count_ = 0;
};

}  // namespace timeledger::services

#endif  // TIMELEDGER_SERVICES_FEED_WIRE_H_
