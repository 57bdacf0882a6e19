#include "ledger/verify/tail.h"

#include <algorithm>
#include <vector>

#include "absl/strings/str_cat.h"

#include "ledger/core/merkle.h"
#include "ledger/journal/journal.h"
#include "ledger/verify/findings.h"

namespace timeledger::ledger {
namespace {

using verify_internal::DecodeAt;
using verify_internal::Finding;
using verify_internal::FollowChain;
using verify_internal::Hex;
using verify_internal::ReadFailed;
using verify_internal::Where;

// Facts read at a time: a page of the tail, so that a long tail does not sit in memory at once.
constexpr size_t kTailPageFacts = 4096;

// The walk from the checkpoint: what it has recomputed so far.
class TailWalk {
 public:
  TailWalk(const std::string& bank_id, const ChainHead& checkpoint)
      : bank_id_(bank_id),
        tree_(checkpoint.journal_tree),
        chain_hash_(checkpoint.journal_hash),
        next_seq_(checkpoint.next_seq),
        entry_hash_(checkpoint.last_hash),
        counts_accounts_(checkpoint.has_account_count),
        account_count_(checkpoint.account_count) {}

  absl::Status Take(const JournalRecord& record, TailCheck* check) {
    const uint64_t expected = tree_.size();
    const Where where{expected};
    Digest leaf_hash;
    if (auto s = FollowChain(bank_id_, record, expected, &chain_hash_, &leaf_hash); !s.ok()) {
      return s;
    }
    if (auto s = tree_.Append(leaf_hash); !s.ok()) {
      return Finding(bank_id_, Reason::kMerkleTreeFull, where, s.message());
    }
    if (auto s = DecodeAt(bank_id_, record, expected, &fact_); !s.ok()) return s;
    ++check->facts;
    if (fact_.type == FactType::kAccountOpened) ++account_count_;
    if (fact_.type != FactType::kEntry) return absl::OkStatus();
    ++check->entries;
    return TakeEntry(fact_.entry, where);
  }

  // The walk ended where the stored head says the bank is.
  absl::Status Reached(const ChainHead& head) const {
    const Where at{tree_.size()};
    if (!(tree_ == head.journal_tree) || chain_hash_ != head.journal_hash) {
      return Finding(bank_id_, Reason::kJournalHeadMismatch, at,
                     "the journal head does not match the facts after the checkpoint",
                     absl::StrCat(tree_.size(), " facts, chain ", Hex(chain_hash_)),
                     absl::StrCat(head.journal_size(), " facts, chain ", Hex(head.journal_hash)));
    }
    if (next_seq_ != head.next_seq || entry_hash_ != head.last_hash) {
      return Finding(bank_id_, Reason::kChainHeadMismatch, at,
                     "the chain head does not match the entries after the checkpoint",
                     absl::StrCat("next seq ", next_seq_, " hash ", Hex(entry_hash_)),
                     absl::StrCat("next seq ", head.next_seq, " hash ", Hex(head.last_hash)));
    }
    // Opening takes the head's count of accounts on trust: it is the checkpoint's and one for
    // each account opened since (a checkpoint of layout 2 had none to start from).
    if (counts_accounts_ && head.has_account_count && account_count_ != head.account_count) {
      return Finding(bank_id_, Reason::kChainHeadMismatch, at,
                     "the chain head's number of accounts does not match the accounts opened "
                     "after the checkpoint",
                     absl::StrCat(account_count_, " accounts"),
                     absl::StrCat(head.account_count, " accounts"));
    }
    return absl::OkStatus();
  }

 private:
  absl::Status TakeEntry(const Entry& entry, const Where& where) {
    const Where at{where.position, entry.seq};
    if (entry.seq != next_seq_) {
      return Finding(bank_id_, Reason::kEntrySeqGap, at,
                     "the journal's entries skip or repeat a seq", std::to_string(next_seq_),
                     std::to_string(entry.seq));
    }
    const Digest hash = ChainHash(entry_hash_, entry);
    if (hash != entry.hash) {
      return Finding(bank_id_, Reason::kChainBroken, at,
                     "the entry's hash does not follow from the entries before it", Hex(hash),
                     Hex(entry.hash));
    }
    entry_hash_ = hash;
    ++next_seq_;
    return absl::OkStatus();
  }

  const std::string& bank_id_;
  CompactMerkleTree tree_;
  Digest chain_hash_;
  uint64_t next_seq_;
  Digest entry_hash_;
  const bool counts_accounts_;
  uint64_t account_count_;
  Fact fact_;
};

}  // namespace

TailCheck VerifyTail(StoreReader& reader, const std::string& bank_id, const ChainHead& checkpoint,
                     const ChainHead& head) {
  TailCheck check;
  const uint64_t from = checkpoint.journal_size();
  if (head.journal_size() < from || head.next_seq < checkpoint.next_seq) {
    check.status =
        Finding(bank_id, Reason::kJournalHeadMismatch, Where{head.journal_size()},
                "the bank's head is behind its checkpoint: facts were removed",
                absl::StrCat(from, " facts or more"), absl::StrCat(head.journal_size(), " facts"));
    return check;
  }
  // The checkpoint still names the fact it was taken after: the journal before it was not cut
  // back and written again.
  if (from > 0) {
    auto last = reader.ListJournal(bank_id, from - 1, 1, std::nullopt);
    if (!last.ok()) {
      check.status = ReadFailed(bank_id, Where{from - 1}, "the journal", last.status());
      return check;
    }
    if (last->size() != 1 || (*last)[0].position != from - 1 ||
        !StoredChainHashIs((*last)[0], checkpoint.journal_hash)) {
      check.status = Finding(bank_id, Reason::kJournalChainBroken, Where{from - 1},
                             "the fact the checkpoint was taken after is not the one stored",
                             Hex(checkpoint.journal_hash),
                             last->empty() ? "nothing" : Hex((*last)[0].chain_hash));
      return check;
    }
  }
  TailWalk walk(bank_id, checkpoint);
  uint64_t position = from;
  while (position < head.journal_size()) {
    const size_t limit =
        static_cast<size_t>(std::min<uint64_t>(kTailPageFacts, head.journal_size() - position));
    auto page = reader.ListJournal(bank_id, position, limit, std::nullopt);
    if (!page.ok()) {
      check.status = ReadFailed(bank_id, Where{position}, "the journal", page.status());
      return check;
    }
    if (page->empty()) break;  // Reached() names what is missing
    for (const JournalRecord& record : *page) {
      if (auto s = walk.Take(record, &check); !s.ok()) {
        check.status = s;
        return check;
      }
    }
    position += page->size();
  }
  check.status = walk.Reached(head);
  return check;
}

}  // namespace timeledger::ledger
