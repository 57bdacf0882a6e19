#include "services/feed_wire.h"

#include <algorithm>
#include <utility>

#include "ledger/core/check.h"

namespace timeledger::services {
namespace {

// WatchJournalResponse's fields (audit.proto), as wire tags: (number << 3) | wire type.
constexpr uint8_t kRecordsTag = (1 << 3) | 2;
constexpr uint8_t kPriorChainHashesTag = (2 << 3) | 2;
constexpr uint8_t kNextPositionTag = (3 << 3) | 0;
constexpr uint8_t kJournalHashTag = (4 << 3) | 2;
constexpr uint8_t kTreeSizeTag = (5 << 3) | 0;

// A message's buffers kept between messages at most; larger ones are given back.
constexpr size_t kKeptBytesMax = 1 << 10;

void AppendVarint(uint64_t value, std::string* out) {
  while (value >= 0x80) {
    out->push_back(static_cast<char>((value & 0x7f) | 0x80));
    value >>= 7;
  }
  out->push_back(static_cast<char>(value));
}

void AppendBytesField(uint8_t tag, absl::string_view bytes, std::string* out) {
  out->push_back(static_cast<char>(tag));
  AppendVarint(bytes.size(), out);
  out->append(bytes.data(), bytes.size());
}

absl::string_view View(const ledger::Digest& digest) {
  return absl::string_view(reinterpret_cast<const char*>(digest.data()), digest.size());
}

}  // namespace

void FeedMessage::Add(absl::string_view record, const ledger::Digest& prior_chain_hash) {
  AppendBytesField(kRecordsTag, record, &bytes_);
  AppendBytesField(kPriorChainHashesTag, View(prior_chain_hash), &bytes_);
  ++records_count_;
}

grpc::ByteBuffer FeedMessage::Finish(uint64_t next_position, const ledger::Digest& journal_hash,
                                     uint64_t tree_size) {
  // proto3 leaves out a scalar that holds its default; journal_hash is always 32 bytes.
  if (next_position != 0) {
    bytes_.push_back(static_cast<char>(kNextPositionTag));
    AppendVarint(next_position, &bytes_);
  }
  AppendBytesField(kJournalHashTag, View(journal_hash), &bytes_);
  if (tree_size != 0) {
    bytes_.push_back(static_cast<char>(kTreeSizeTag));
    AppendVarint(tree_size, &bytes_);
  }
  // A buffer that grew by doubling may be nearly twice its bytes: gRPC holds the bytes exactly,
  // copied, unless the buffer fits them closely (a page read from the store reserves its room).
  if (bytes_.size() <= kKeptBytesMax || bytes_.capacity() - bytes_.size() > bytes_.size() / 8) {
    grpc::Slice copy(bytes_.data(), bytes_.size());
    Clear();
    return grpc::ByteBuffer(&copy, 1);
  }
  // gRPC frees the buffer once it has sent it: no copy.
  auto* owned = new std::string(std::move(bytes_));
  grpc::Slice handed(
      owned->data(), owned->size(), [](void* buffer) { delete static_cast<std::string*>(buffer); },
      owned);
  Clear();
  return grpc::ByteBuffer(&handed, 1);
}

void FeedMessage::Clear() {
  if (bytes_.capacity() > kKeptBytesMax) {
    std::string().swap(bytes_);
  } else {
    bytes_.clear();
  }
  records_count_ = 0;
}

}  // namespace timeledger::services
