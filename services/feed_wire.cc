#include "services/feed_wire.h"

#include <algorithm>
#include <initializer_list>
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
  AppendBytesField(kRecordsTag, record, &records_);
  AppendBytesField(kPriorChainHashesTag, View(prior_chain_hash), &hashes_);
  ++records_count_;
}

grpc::ByteBuffer FeedMessage::Finish(uint64_t next_position, const ledger::Digest& journal_hash,
                                     uint64_t tree_size) {
  // proto3 leaves out a scalar that holds its default; journal_hash is always 32 bytes.
  std::string trailer;
  if (next_position != 0) {
    trailer.push_back(static_cast<char>(kNextPositionTag));
    AppendVarint(next_position, &trailer);
  }
  AppendBytesField(kJournalHashTag, View(journal_hash), &trailer);
  if (tree_size != 0) {
    trailer.push_back(static_cast<char>(kTreeSizeTag));
    AppendVarint(tree_size, &trailer);
  }
  grpc::Slice slice(records_.size() + hashes_.size() + trailer.size());
  auto* at = const_cast<uint8_t*>(slice.begin());
  for (const std::string* part : {&records_, &hashes_, &trailer}) {
    std::copy(part->begin(), part->end(), at);
    at += part->size();
  }
  Clear();
  return grpc::ByteBuffer(&slice, 1);
}

void FeedMessage::Clear() {
  for (std::string* part : {&records_, &hashes_}) {
    if (part->capacity() > kKeptBytesMax) {
      std::string().swap(*part);
    } else {
      part->clear();
    }
  }
  records_count_ = 0;
}

}  // namespace timeledger::services
