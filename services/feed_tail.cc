#include "services/feed_tail.h"

#include <algorithm>
#include <utility>

#include "ledger/core/check.h"
#include "ledger/engine/journal_feed.h"
#include "services/journal_record_convert.h"

namespace timeledger::services {

FeedTail::FeedTail(const ledger::Ledger* ledger, ledger::BankId bank_id, uint64_t position,
                   size_t facts_max, size_t bytes_max)
    : ledger_(ledger),
      bank_id_(std::move(bank_id)),
      facts_max_(facts_max),
      bytes_max_(bytes_max),
      begin_(position) {
  TL_CHECK(facts_max_ > 0);
}

uint64_t FeedTail::begin() const {
  absl::ReaderMutexLock lock(&mu_);
  return begin_;
}

uint64_t FeedTail::end() const {
  absl::ReaderMutexLock lock(&mu_);
  return End();
}

absl::Status FeedTail::CatchUp(uint64_t published) {
  absl::MutexLock fill(&fill_mu_);
  uint64_t from = 0;
  {
    absl::MutexLock lock(&mu_);
    from = End();
    if (from >= published) return absl::OkStatus();
    if (published - from > facts_max_) {
      from = published - facts_max_;
      Restart(from);
    }
  }
  // Read and encoded outside mu_: streams are served from what the tail holds meanwhile.
  const ledger::FeedFilter everything;
  while (from < published) {
    auto page = ledger_->ReadFeed(bank_id_, from, everything, ledger::kJournalPageSizeMax);
    if (!page.ok()) return page.status();
    if (page->next_position == from) break;  // nothing more is readable yet
    std::deque<Record> encoded;
    for (size_t i = 0; i < page->records.size(); ++i) {
      const ledger::JournalRecord& record = page->records[i];
      const ledger::Fact& fact = page->facts[i];
      Record& out = encoded.emplace_back();
      out.position = record.position;
      out.type = fact.type;
      out.chain_hash = record.chain_hash;
      std::optional<ledger::PendingEntry> resolved;
      if (fact.type == ledger::FactType::kPendingResolved) {
        // Unreadable (damage): only a stream filtered by account needs it, and it reads the
        // store for this fact, which tells it why.
        auto pending = ledger_->GetPending(bank_id_, ledger::EntryId(fact.entry_id));
        if (pending.ok()) {
          resolved = *std::move(pending);
        } else {
          out.accounts_known = false;
        }
      }
      const ledger::AccountsTouched touched =
          ledger::AccountsTouchedBy(fact, resolved.has_value() ? &*resolved : nullptr);
      for (size_t a = 0; a < touched.count; ++a) out.accounts[a] = std::string(touched.ids[a]);
      AppendJournalRecord(record, fact, &out.wire);
    }
    absl::MutexLock lock(&mu_);
    Append(std::move(encoded), *page);
    from = page->next_position;
  }
  return absl::OkStatus();
}

void FeedTail::Append(std::deque<Record> encoded, const ledger::FeedPage& page) {
  for (size_t i = 0; i < encoded.size(); ++i) {
    Record& record = encoded[i];
    TL_CHECK(record.position == End());  // a page without a filter holds every fact
    if (records_.empty()) before_begin_ = page.prior_hashes[i];
    if (record.type == ledger::FactType::kPersonalDataErased) {
      // Records before it may hold what it erased: those who need them read the store.
      Restart(record.position + 1);
      before_begin_ = record.chain_hash;
      continue;
    }
    bytes_ += BytesOf(record);
    records_.push_back(std::move(record));
  }
  while (!records_.empty() && (records_.size() > facts_max_ || bytes_ > bytes_max_)) {
    before_begin_ = records_.front().chain_hash;
    bytes_ -= BytesOf(records_.front());
    records_.pop_front();
    ++begin_;
  }
}

void FeedTail::Restart(uint64_t position) {
  records_.clear();
  bytes_ = 0;
  begin_ = position;
  before_begin_.reset();
}

size_t FeedTail::BytesOf(const Record& record) {
  return sizeof(Record) + record.wire.capacity() + record.accounts[0].capacity() +
         record.accounts[1].capacity();
}

bool FeedTail::Passes(const Record& record, const ledger::FeedFilter& filter) const {
  if (!filter.types.empty() &&
      std::find(filter.types.begin(), filter.types.end(), record.type) == filter.types.end()) {
    return false;
  }
  return filter.account_id.empty() || record.accounts[0] == filter.account_id ||
         record.accounts[1] == filter.account_id;
}

std::optional<FeedTail::Served> FeedTail::Serve(uint64_t position, const ledger::FeedFilter& filter,
                                                size_t records_max, FeedMessage* message) const {
  absl::ReaderMutexLock lock(&mu_);
  if (position < begin_ || position > End() || !before_begin_.has_value()) return std::nullopt;
  size_t i = position - begin_;
  ledger::Digest prior = i == 0 ? *before_begin_ : records_[i - 1].chain_hash;
  Served served;
  served.next_position = position;
  served.tree_size = End();
  for (; i < records_.size(); ++i) {
    if (message->records() >= records_max || message->record_bytes() > kFeedMessageBytesMax) {
      break;
    }
    const Record& record = records_[i];
    if (!record.accounts_known && !filter.account_id.empty()) {
      if (served.next_position == position) return std::nullopt;  // the store's read says why
      break;
    }
    if (Passes(record, filter)) message->Add(record.wire, prior);
    prior = record.chain_hash;
    served.next_position = record.position + 1;
  }
  served.journal_hash = prior;
  return served;
}

}  // namespace timeledger::services
