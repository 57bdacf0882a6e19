#include "ledger/verify/verify.h"

#include <sys/mman.h>

#include <algorithm>
#include <array>
#include <filesystem>
#include <memory>
#include <optional>
#include <thread>
#include <utility>

#include "absl/container/flat_hash_map.h"
#include "absl/container/flat_hash_set.h"
#include "absl/strings/str_cat.h"
#include "ledger/store/data_dir.h"
#include "ledger/core/errors.h"
#include "ledger/journal/journal.h"
#include "ledger/core/merkle.h"
#include "ledger/verify/qualification_replay.h"
#include "ledger/core/records.h"
#include "ledger/core/sha256.h"

namespace timeledger::ledger {
namespace {

constexpr uint64_t kNoPosition = UINT64_MAX;
// The two sides keep about 100 bytes per entry until both have finished (verify.h). Room for as
// many entries as the chain head announces is reserved up front, up to this many, so that a
// damaged head cannot make it reserve gigabytes; beyond it the vectors grow.
constexpr uint64_t kReservedEntriesMax = uint64_t{1} << 21;
// Entries a confirmation may follow in the journal: the confirmed entry and its cap donation.
constexpr size_t kRecentEntries = 4;

// Reserves room for `count` elements in `values` and asks the kernel to back it with huge pages
// where it can: a million entries take about 100 MB in these vectors, and touching them first in
// 4 KiB pages cost about 5 % of a verification in page faults.
template <typename T>
void ReserveHuge(std::vector<T>* values, size_t count) {
  values->reserve(count);
  constexpr uintptr_t kHugePageBytes = uintptr_t{2} << 20;
  const auto begin = reinterpret_cast<uintptr_t>(values->data());
  const uintptr_t end = begin + values->capacity() * sizeof(T);
  const uintptr_t first = (begin + kHugePageBytes - 1) & ~(kHugePageBytes - 1);
  const uintptr_t last = end & ~(kHugePageBytes - 1);
  // Only advice: without transparent huge pages the vectors work as before.
  if (first < last) madvise(reinterpret_cast<void*>(first), last - first, MADV_HUGEPAGE);
}

// Where an inconsistency is: a journal position and/or an entry seq and/or an account.
struct Where {
  Where() = default;
  explicit Where(uint64_t position_in, uint64_t seq_in = 0, std::string account_id_in = "")
      : position(position_in), seq(seq_in), account_id(std::move(account_id_in)) {}

  uint64_t position = kNoPosition;
  uint64_t seq = 0;
  std::string account_id;
};

// Returns the finding: DataLoss, `reason`, a sentence naming the place and what differs, and the
// figures bank_id, position, seq, account_id, expected, found (those that apply). A finding is
// DataLoss whatever the code of its reason's row: JOURNAL_MISSING, say, is FailedPrecondition
// when a bank is served, but damage when the verifier finds it.
absl::Status Finding(const std::string& bank_id, Reason reason, const Where& where,
                     absl::string_view what, const std::string& expected = "",
                     const std::string& found = "") {
  std::string message = absl::StrCat("bank ", bank_id);
  if (where.position != kNoPosition)
    absl::StrAppend(&message, ", journal position ", where.position);
  if (where.seq != 0) absl::StrAppend(&message, ", entry seq ", where.seq);
  if (!where.account_id.empty()) absl::StrAppend(&message, ", account ", where.account_id);
  absl::StrAppend(&message, ": ", what);
  if (!expected.empty() || !found.empty()) {
    absl::StrAppend(&message, " (expected ", expected, ", found ", found, ")");
  }
  absl::Status status =
      Refusal(absl::StatusCode::kDataLoss, reason, message, {{"bank_id", bank_id}});
  if (where.position != kNoPosition) {
    status = WithFigure(status, "position", std::to_string(where.position));
  }
  if (where.seq != 0) status = WithFigure(status, "seq", std::to_string(where.seq));
  if (!where.account_id.empty()) status = WithFigure(status, "account_id", where.account_id);
  if (!expected.empty()) status = WithFigure(status, "expected", expected);
  if (!found.empty()) status = WithFigure(status, "found", found);
  return status;
}

// A read of the store failed (RocksDB corruption, a malformed key): keeps its reason.
absl::Status ReadFailed(const std::string& bank_id, const Where& where, absl::string_view what,
                        const absl::Status& cause) {
  const Reason reason = ParseReason(ReasonOf(cause)).value_or(Reason::kStoreCorrupt);
  return Finding(bank_id, reason, where, absl::StrCat("cannot read ", what, ": ", cause.message()));
}

std::string Hex(const Digest& digest) { return DigestToHex(digest); }
std::string Num(int64_t value) { return std::to_string(value); }

// An entry as the journal holds it (at index seq - 1), for comparison with the stored entry.
struct EntryRef {
  uint64_t position = 0;
  Digest hash{};
};

// The stored seq -> journal position index ('x'), read by the entry side for the journal side.
struct StoredPositions {
  std::vector<uint64_t> positions;         // of seqs 1, 2, ... by seq - 1, as far as they run
  std::optional<SeqMapping> out_of_order;  // the mapping after them if it is not the next seq
  absl::Status status;                     // the read error after them, if any
};

// A finding of the entry side about one stored entry, whose journal position is known only once
// the journal side has finished: Finding()'s arguments but the position.
struct EntryFinding {
  Reason reason = Reason::kEntryMismatch;
  uint64_t seq = 0;
  std::string what;
  std::string expected;
  std::string found;
};

// The entries to reserve room for: as many as the chain head says there are, within the limit.
size_t ReservedEntries(const ChainHead& head) {
  return static_cast<size_t>(std::min(head.next_seq - 1, kReservedEntriesMax));
}

// An account as the journal's facts make it.
struct AccountModel {
  AccountKind kind = AccountKind::kPerson;
  std::vector<Role> roles;
  std::string display_name;
  AccountStatus status = AccountStatus::kActive;
  int64_t balance = 0;
  int64_t earned = 0;
  int64_t spent = 0;
  uint64_t entry_count = 0;
  int64_t held = 0;
  int64_t pending_in = 0;
  std::string card_number;  // the last card_set fact's ("" if none)
  bool has_pin = false;     // a pin_set fact was recorded
};

struct PendingModel {
  std::string from;
  std::string to;
  int64_t minutes = 0;
};

// The journal side: walks the facts in order, checks the chain, the Merkle tree and its stored
// nodes and the seq -> position index, and replays the facts into a model of the bank.
class JournalWalker {
 public:
  JournalWalker(StoreSnapshot& snapshot, const Bank& bank, const ChainHead& head)
      : snapshot_(snapshot), bank_(bank), id_(bank.bank_id), head_(head) {}

  // Returns the first inconsistency of the walk, which does not read the entry positions.
  absl::Status Run() { return Walk(); }

  // Returns the journal side's first inconsistency: that of the walk (`walk_status`) unless an
  // entry the walk applied has a wrong or missing stored position, or (after a walk to the end)
  // a position is stored for an entry the journal lacks: where the walk would have read them.
  absl::Status Settle(absl::Status walk_status, const StoredPositions& stored) {
    for (size_t i = 0; i < refs_.size(); ++i) {
      const uint64_t seq = i + 1;
      const uint64_t position = refs_[i].position;
      if (i < stored.positions.size() && stored.positions[i] == position) continue;
      failed_at_ = position;
      const Where at{position, seq};
      if (i < stored.positions.size()) {
        return WrongPosition(at, SeqMapping{seq, stored.positions[i]});
      }
      if (stored.out_of_order.has_value()) return WrongPosition(at, *stored.out_of_order);
      if (!stored.status.ok()) return ReadFailed(id_, at, "the entry positions", stored.status);
      return Finding(id_, Reason::kEntryPositionMismatch, at,
                     "the entry's journal position is not stored");
    }
    if (!reached_ends_) return walk_status;
    std::optional<SeqMapping> extra = stored.out_of_order;
    if (stored.positions.size() > refs_.size()) {
      extra = SeqMapping{refs_.size() + 1, stored.positions[refs_.size()]};
    }
    if (extra.has_value()) {
      failed_at_ = ends_at_;
      return Finding(id_, Reason::kEntryPositionMismatch, Where{kNoPosition, extra->seq},
                     "the entry has a journal position but the journal does not hold it",
                     "no position", absl::StrCat("position ", extra->value));
    }
    if (!stored.status.ok()) {
      failed_at_ = ends_at_;
      return ReadFailed(id_, Where{ends_at_}, "the entry positions", stored.status);
    }
    return walk_status;
  }

  uint64_t size() const { return tree_.size(); }
  const CompactMerkleTree& tree() const { return tree_; }
  // The entries of the facts checked, by seq - 1.
  const std::vector<EntryRef>& refs() const { return refs_; }
  const Digest& chain_hash() const { return chain_hash_; }
  uint64_t failed_at() const { return failed_at_; }
  const absl::flat_hash_map<std::string, AccountModel>& accounts() const { return accounts_; }
  const absl::flat_hash_map<std::string, PendingModel>& open_pending() const { return pending_; }
  const Policy& policy() const { return policy_; }
  const QualificationReplay& qualifications() const { return qualifications_; }

 private:
  absl::Status Walk() {
    auto journal = snapshot_.Journal(id_);
    ReserveHuge(&refs_, ReservedEntries(head_));
    failed_at_ = 0;  // where a failed probe is placed
    if (auto s = ProbeLegacyLevels(); !s.ok()) return s;
    JournalRecord record;
    Fact fact;
    std::vector<MerkleNode> completed;
    uint64_t expected = 0;
    while (journal->Next(&record)) {
      failed_at_ = expected;
      const Where where{expected};
      if (record.position != expected) {
        return Finding(id_, Reason::kJournalGap, where, "the fact at this position is missing",
                       absl::StrCat("position ", expected),
                       absl::StrCat("position ", record.position));
      }
      const Digest leaf_hash = MerkleLeafHash(record.fact);
      chain_hash_ = JournalChainHash(chain_hash_, leaf_hash);
      if (chain_hash_ != record.chain_hash) {
        return Finding(id_, Reason::kJournalChainBroken, where,
                       "the fact's chain hash does not follow from the facts before it: the "
                       "fact or its hash was altered",
                       Hex(chain_hash_), Hex(record.chain_hash));
      }
      completed.clear();
      tree_.Append(leaf_hash, &completed).IgnoreError();
      for (const MerkleNode& node : completed) {
        // The leaf itself and the small subtrees are not stored (store.h), but in a store
        // written before that was so.
        if (node.level < (legacy_levels_ ? 1 : kMerkleStoredLevelMin)) continue;
        if (auto s = CheckNode(node, where); !s.ok()) return s;
      }
      if (!DecodeFactInto(record.fact, &fact).ok()) {
        return Finding(id_, Reason::kFactDamaged, where,
                       "the fact is not in the canonical encoding");
      }
      if (fact.position != expected) {
        return Finding(id_, Reason::kFactMisplaced, where, "the fact names another position",
                       Num(expected), std::to_string(fact.position));
      }
      if (auto s = Apply(fact, where); !s.ok()) return s;
      ++expected;
    }
    failed_at_ = expected;
    if (!journal->status().ok()) {
      return ReadFailed(id_, Where{expected}, "the journal", journal->status());
    }
    if (auto s = Replayed(qualifications_.Finish(), Where{expected}); !s.ok()) return s;
    return CheckEnds(expected);
  }

  // Whether the store keeps the Merkle levels below kMerkleStoredLevelMin, as a ledger written
  // before that constant did until it is opened for writing (a backup, a stopped ledger): then
  // they are checked like the others. Otherwise there is none, which this probe checks.
  absl::Status ProbeLegacyLevels() {
    auto stored = snapshot_.MerkleNodesFrom(id_, 1);
    MerkleNode first;
    if (stored->Next(&first)) {
      legacy_levels_ = first.level < kMerkleStoredLevelMin;
    } else if (!stored->status().ok()) {
      return ReadFailed(id_, Where{0}, "the Merkle nodes", stored->status());
    }
    return absl::OkStatus();
  }

  absl::Status WrongPosition(const Where& at, const SeqMapping& stored) {
    return Finding(id_, Reason::kEntryPositionMismatch, at,
                   "the stored journal position of the entry is wrong",
                   absl::StrCat("seq ", at.seq, " at ", at.position),
                   absl::StrCat("seq ", stored.seq, " at ", stored.value));
  }

  // Checks a Merkle node completed by the walk against the stored one.
  absl::Status CheckNode(const MerkleNode& node, const Where& where) {
    auto& cursor = levels_[node.level];
    if (cursor == nullptr) cursor = snapshot_.MerkleNodes(id_, node.level);
    const std::string name = absl::StrCat("level ", node.level, " index ", node.index);
    MerkleNode stored;
    if (!cursor->Next(&stored)) {
      if (!cursor->status().ok()) {
        return ReadFailed(id_, where, "the Merkle nodes", cursor->status());
      }
      return Finding(id_, Reason::kMerkleNodeMissing, where,
                     absl::StrCat("the Merkle node ", name, " is not stored"));
    }
    if (stored.index != node.index) {
      return Finding(id_, Reason::kMerkleNodeMissing, where,
                     absl::StrCat("the Merkle node ", name, " is not stored"), name,
                     absl::StrCat("level ", node.level, " index ", stored.index));
    }
    if (stored.hash != node.hash) {
      return Finding(id_, Reason::kMerkleNodeMismatch, where,
                     absl::StrCat("the stored Merkle node ", name, " differs from the facts"),
                     Hex(node.hash), Hex(stored.hash));
    }
    return absl::OkStatus();
  }

  // After the last fact: nothing stored beyond the journal, and the head matches the walk.
  absl::Status CheckEnds(uint64_t size) {
    const Where end{size};
    reached_ends_ = true;  // the stored positions beyond the journal come first (Settle)
    ends_at_ = size;
    // Levels the walk read must hold no more nodes; the levels above, none at all.
    int above = 0;
    for (int level = 0; level <= kMerkleLevelMax; ++level) {
      if (levels_[level] == nullptr) continue;
      above = level + 1;
      if (auto s = ExpectNoMoreNodes(*levels_[level], end); !s.ok()) return s;
    }
    if (above <= kMerkleLevelMax) {
      if (auto s = ExpectNoMoreNodes(*snapshot_.MerkleNodesFrom(id_, above), end); !s.ok()) {
        return s;
      }
    }
    if (!head_.has_journal) {
      return Finding(id_, Reason::kJournalMissing, end,
                     "the chain head was written without a journal");
    }
    if (head_.journal_size() != size) {
      return Finding(id_, Reason::kJournalHeadMismatch, end,
                     "the journal head's size differs from the facts stored",
                     absl::StrCat(size, " facts"), absl::StrCat(head_.journal_size(), " facts"));
    }
    if (head_.journal_hash != chain_hash_) {
      return Finding(id_, Reason::kJournalHeadMismatch, end,
                     "the journal head's chain hash differs from the last fact's", Hex(chain_hash_),
                     Hex(head_.journal_hash));
    }
    if (!(head_.journal_tree == tree_)) {
      return Finding(id_, Reason::kJournalHeadMismatch, end,
                     "the journal head's Merkle tree differs from the facts' tree",
                     Hex(tree_.Root()), Hex(head_.journal_tree.Root()));
    }
    return absl::OkStatus();
  }

  absl::Status ExpectNoMoreNodes(Cursor<MerkleNode>& cursor, const Where& end) {
    MerkleNode node;
    if (cursor.Next(&node)) {
      return Finding(id_, Reason::kMerkleNodeExtra, end,
                     absl::StrCat("a Merkle node (level ", node.level, " index ", node.index,
                                  ") is stored beyond the journal's tree"));
    }
    if (!cursor.status().ok()) return ReadFailed(id_, end, "the Merkle nodes", cursor.status());
    return absl::OkStatus();
  }

  absl::StatusOr<AccountModel*> FindAccount(const std::string& account_id, const Where& where) {
    auto it = accounts_.find(account_id);
    if (it == accounts_.end()) {
      Where at = where;
      at.account_id = account_id;
      return Finding(id_, Reason::kFactInvalid, at, "the fact refers to an account never opened");
    }
    return &it->second;
  }

  absl::Status Apply(const Fact& fact, const Where& where) {
    if ((fact.type == FactType::kBankCreated) != (where.position == 0)) {
      return Finding(id_, Reason::kFactInvalid, where,
                     "the journal must begin with the bank's creation, and only there");
    }
    switch (fact.type) {
      case FactType::kBankCreated:
        if (fact.bank_name != bank_.name || fact.time_zone != bank_.time_zone ||
            fact.at != bank_.created_at) {
          return Finding(id_, Reason::kBankMismatch, where,
                         "the stored bank record differs from its creation in the journal",
                         absl::StrCat(fact.bank_name, " / ", fact.time_zone),
                         absl::StrCat(bank_.name, " / ", bank_.time_zone));
        }
        return absl::OkStatus();
      case FactType::kAccountOpened:
        return ApplyOpen(fact, where);
      case FactType::kAccountStatus:
        return ApplyStatus(fact, where);
      case FactType::kPolicySet:
        if (fact.policy.version != policy_.version + 1) {
          return Finding(id_, Reason::kFactInvalid, where, "policy versions must count up by one",
                         std::to_string(policy_.version + 1), std::to_string(fact.policy.version));
        }
        policy_ = fact.policy;
        return absl::OkStatus();
      case FactType::kEntry:
        return ApplyEntry(fact.entry, where);
      case FactType::kPendingCreated:
        return ApplyPendingCreated(fact, where);
      case FactType::kPendingResolved:
        return ApplyPendingResolved(fact, where);
      case FactType::kCardSet:
      case FactType::kPinSet:
        return ApplyMemberCard(fact, where);
      case FactType::kCatalogueItem:
      case FactType::kQualificationAwarded:
      case FactType::kOfferRedeemed:
        return Replayed(qualifications_.Apply(fact), where);
    }
    return absl::OkStatus();
  }

  // A problem the qualification replay found, as a finding at `where`.
  absl::Status Replayed(const std::optional<ReplayProblem>& problem, const Where& where) {
    if (!problem.has_value()) return absl::OkStatus();
    Where at = where;
    if (problem->seq != 0) at.seq = problem->seq;
    if (!problem->account_id.empty()) at.account_id = problem->account_id;
    return Finding(id_, problem->reason, at, problem->what, problem->expected, problem->found);
  }

  absl::Status ApplyOpen(const Fact& fact, const Where& where) {
    AccountModel model;
    model.kind = fact.account_kind;
    model.roles = fact.roles;
    model.display_name = fact.display_name;
    if (!accounts_.emplace(fact.account_id, std::move(model)).second) {
      Where at = where;
      at.account_id = fact.account_id;
      return Finding(id_, Reason::kFactInvalid, at, "the account is opened a second time");
    }
    return absl::OkStatus();
  }

  absl::Status ApplyMemberCard(const Fact& fact, const Where& where) {
    auto account = FindAccount(fact.account_id, where);
    if (!account.ok()) return account.status();
    if (fact.type == FactType::kCardSet) {
      (*account)->card_number = fact.card_number;
    } else {
      (*account)->has_pin = true;
    }
    return absl::OkStatus();
  }

  absl::Status ApplyStatus(const Fact& fact, const Where& where) {
    auto account = FindAccount(fact.account_id, where);
    if (!account.ok()) return account.status();
    if ((*account)->status != fact.from_status) {
      Where at = where;
      at.account_id = fact.account_id;
      return Finding(id_, Reason::kFactInvalid, at, "the status change starts from another status",
                     AccountStatusName((*account)->status), AccountStatusName(fact.from_status));
    }
    (*account)->status = fact.to_status;
    return absl::OkStatus();
  }

  absl::Status ApplyEntry(const Entry& entry, const Where& where) {
    Where at = where;
    at.seq = entry.seq;
    if (entry.seq != next_seq_) {
      return Finding(id_, Reason::kEntrySeqGap, at, "the journal's entries skip or repeat a seq",
                     std::to_string(next_seq_), std::to_string(entry.seq));
    }
    auto from = FindAccount(entry.from_account_id, at);
    if (!from.ok()) return from.status();
    auto to = FindAccount(entry.to_account_id, at);
    if (!to.ok()) return to.status();
    (*from)->balance -= entry.minutes;
    (*from)->spent += entry.minutes;
    ++(*from)->entry_count;
    (*to)->balance += entry.minutes;
    (*to)->earned += entry.minutes;
    ++(*to)->entry_count;
    // Its stored position is checked here, after the fact (Settle).
    refs_.push_back(EntryRef{where.position, entry.hash});
    if (auto s = Replayed(qualifications_.OnEntry(entry), at); !s.ok()) return s;
    recent_[next_seq_ % kRecentEntries] = {entry.seq, entry.entry_id};
    ++next_seq_;
    return absl::OkStatus();
  }

  absl::Status ApplyPendingCreated(const Fact& fact, const Where& where) {
    auto from = FindAccount(fact.entry.from_account_id, where);
    if (!from.ok()) return from.status();
    auto to = FindAccount(fact.entry.to_account_id, where);
    if (!to.ok()) return to.status();
    PendingModel pending{fact.entry.from_account_id, fact.entry.to_account_id, fact.entry.minutes};
    if (!pending_.emplace(fact.entry.entry_id, std::move(pending)).second) {
      return Finding(id_, Reason::kFactInvalid, where,
                     absl::StrCat("pending entry ", fact.entry.entry_id, " is created twice"));
    }
    (*from)->held += fact.entry.minutes;
    (*to)->pending_in += fact.entry.minutes;
    return absl::OkStatus();
  }

  absl::Status ApplyPendingResolved(const Fact& fact, const Where& where) {
    auto it = pending_.find(fact.entry_id);
    if (it == pending_.end()) {
      return Finding(id_, Reason::kFactInvalid, where,
                     absl::StrCat("pending entry ", fact.entry_id, " is resolved but not open"));
    }
    auto from = FindAccount(it->second.from, where);
    if (!from.ok()) return from.status();
    auto to = FindAccount(it->second.to, where);
    if (!to.ok()) return to.status();
    (*from)->held -= it->second.minutes;
    (*to)->pending_in -= it->second.minutes;
    pending_.erase(it);
    if (fact.state == PendingState::kConfirmed) {
      const auto& recent = recent_[fact.seq % kRecentEntries];
      if (fact.seq == 0 || recent.first != fact.seq || recent.second != fact.entry_id) {
        Where at = where;
        at.seq = fact.seq;
        return Finding(id_, Reason::kFactInvalid, at,
                       absl::StrCat("pending entry ", fact.entry_id,
                                    " is confirmed as an entry that is not it"));
      }
    }
    return absl::OkStatus();
  }

  StoreSnapshot& snapshot_;
  const Bank& bank_;
  const std::string id_;
  const ChainHead& head_;

  std::array<std::unique_ptr<Cursor<MerkleNode>>, kMerkleLevelMax + 1> levels_;
  bool legacy_levels_ = false;  // ProbeLegacyLevels
  std::vector<EntryRef> refs_;
  uint64_t failed_at_ = kNoPosition;
  bool reached_ends_ = false;  // the walk applied every fact and reached CheckEnds
  uint64_t ends_at_ = 0;       // the journal's size there

  Digest chain_hash_{};
  CompactMerkleTree tree_;
  uint64_t next_seq_ = 1;
  std::array<std::pair<uint64_t, std::string>, kRecentEntries> recent_;
  absl::flat_hash_map<std::string, AccountModel> accounts_;
  absl::flat_hash_map<std::string, PendingModel> pending_;
  Policy policy_;
  QualificationReplay qualifications_;
};

// The entry side: walks the stored entries in seq order and checks their hash chain, then the
// postings and reversal markers they imply. It needs nothing from the journal side while it runs,
// so neither side waits for the other: Reconcile() then checks that each stored entry is the
// entry the journal holds, and places the entry side's findings in the journal.
class EntryWalker {
 public:
  EntryWalker(StoreSnapshot& snapshot, const std::string& bank_id, const ChainHead& head)
      : snapshot_(snapshot), id_(bank_id), head_(head) {}

  // Walks the entries and reads their stored journal positions, then (if the entries are in
  // order) walks the postings and reversal markers.
  void Run() {
    WalkEntries();
    ReadPositions();
    if (!entry_finding_.has_value() && read_status_.ok()) tail_status_ = CheckTail();
  }

  // Returns the first inconsistency of the entry side given what the journal holds (`refs`, by
  // seq - 1), and sets failed_at() to the journal position it concerns (kNoPosition if none is
  // known) and count() to the entries that passed every check.
  absl::Status Reconcile(const std::vector<EntryRef>& refs) {
    for (size_t i = 0; i < hashes_.size(); ++i) {
      const uint64_t seq = i + 1;
      if (i >= refs.size()) {
        return Stop(i, kNoPosition,
                    Finding(id_, Reason::kEntryNotInJournal, Where{kNoPosition, seq},
                            "the stored entry is not in the journal"));
      }
      if (refs[i].hash != hashes_[i]) {
        return Stop(i, refs[i].position,
                    Finding(id_, Reason::kEntryMismatch, Where{refs[i].position, seq},
                            "the stored entry differs from the entry in the journal",
                            Hex(refs[i].hash), Hex(hashes_[i])));
      }
    }
    const size_t next = hashes_.size();
    if (entry_finding_.has_value()) {
      const EntryFinding& f = *entry_finding_;
      const uint64_t position = next < refs.size() ? refs[next].position : kNoPosition;
      return Stop(next, position,
                  Finding(id_, f.reason, Where{position, f.seq}, f.what, f.expected, f.found));
    }
    if (!read_status_.ok()) return Stop(next, kNoPosition, read_status_);
    if (next < refs.size()) {
      return Stop(next, refs[next].position,
                  Finding(id_, Reason::kEntryMissing, Where{refs[next].position, next + 1},
                          "the journal holds the entry but the stored entries lack it"));
    }
    const Digest last = next == 0 ? Digest{} : hashes_[next - 1];
    if (head_.next_seq != next + 1 || head_.last_hash != last) {
      return Stop(
          next, kNoPosition,
          Finding(id_, Reason::kChainHeadMismatch, Where{kNoPosition, next},
                  "the chain head does not match the last entry",
                  absl::StrCat("next seq ", next + 1, " hash ", Hex(last)),
                  absl::StrCat("next seq ", head_.next_seq, " hash ", Hex(head_.last_hash))));
    }
    return Stop(next, kNoPosition, tail_status_);
  }

  uint64_t count() const { return checked_; }
  const StoredPositions& positions() const { return positions_; }
  Digest last_hash() const { return checked_ == 0 ? Digest{} : hashes_[checked_ - 1]; }
  uint64_t failed_at() const { return failed_at_; }

 private:
  struct Move {
    uint32_t from = 0;
    uint32_t to = 0;
    int64_t minutes = 0;
  };

  absl::Status Stop(size_t checked, uint64_t failed_at, absl::Status status) {
    checked_ = checked;
    failed_at_ = status.ok() ? kNoPosition : failed_at;
    return status;
  }

  absl::Status CheckTail() {
    absl::Status status = CheckPostings();
    if (status.ok()) status = CheckReversals();
    return status;
  }

  uint32_t Intern(const std::string& account_id) {
    auto [it, added] = ids_.emplace(account_id, static_cast<uint32_t>(ids_.size()));
    if (added) posting_counts_.push_back(0);
    return it->second;
  }

  // Reads the stored journal positions of the entries, for JournalWalker::Settle.
  void ReadPositions() {
    auto cursor = snapshot_.EntryPositions(id_);
    ReserveHuge(&positions_.positions, ReservedEntries(head_));
    SeqMapping mapping;
    while (cursor->Next(&mapping)) {
      if (mapping.seq != positions_.positions.size() + 1) {
        positions_.out_of_order = mapping;
        return;
      }
      positions_.positions.push_back(mapping.value);
    }
    positions_.status = cursor->status();
  }

  // Checks each stored entry on its own and against the one before it, up to the first that
  // fails (entry_finding_) or a read error (read_status_).
  void WalkEntries() {
    auto entries = snapshot_.Entries(id_);
    ReserveHuge(&hashes_, ReservedEntries(head_));
    ReserveHuge(&moves_, ReservedEntries(head_));
    EntryRecord record;
    Entry entry;
    Digest previous{};
    uint64_t expected = 1;
    while (entries->Next(&record)) {
      if (record.seq != expected) {
        entry_finding_ =
            EntryFinding{Reason::kEntrySeqGap, expected, "the stored entry is missing",
                         absl::StrCat("seq ", expected), absl::StrCat("seq ", record.seq)};
        return;
      }
      if (!DecodeEntryInto(record.bytes, &entry).ok()) {
        entry_finding_ = EntryFinding{Reason::kEntryDamaged, expected,
                                      "the stored entry does not decode", "", ""};
        return;
      }
      if (entry.seq != record.seq || entry.bank_id != id_) {
        entry_finding_ = EntryFinding{Reason::kEntryMisplaced, expected,
                                      "the stored entry names another bank or seq",
                                      absl::StrCat(id_, " seq ", record.seq),
                                      absl::StrCat(entry.bank_id, " seq ", entry.seq)};
        return;
      }
      // The chain hash over the stored canonical bytes themselves (ChainHash re-encodes them).
      const Digest hash =
          hasher_.Update(absl::Span<const uint8_t>(previous))
              .Update(std::string_view(record.bytes.data(), record.bytes.size() - kDigestBytes))
              .Finish();
      if (hash != entry.hash) {
        entry_finding_ = EntryFinding{Reason::kChainBroken, expected,
                                      "the stored entry does not hash to its recorded hash after "
                                      "the entry before it: the entry or its hash was altered",
                                      Hex(hash), Hex(entry.hash)};
        return;
      }
      previous = entry.hash;
      hashes_.push_back(entry.hash);
      moves_.push_back(
          Move{Intern(entry.from_account_id), Intern(entry.to_account_id), entry.minutes});
      ++posting_counts_[moves_.back().from];
      ++posting_counts_[moves_.back().to];
      if (entry.kind == EntryKind::kReversal) {
        reversals_.emplace_back(entry.reverses_seq, entry.seq);
      }
      ++expected;
    }
    if (!entries->status().ok()) {
      read_status_ =
          ReadFailed(id_, Where{kNoPosition, expected}, "the entries", entries->status());
    }
  }

  // Reads postings a few ahead of the one checked and prefetches the entries they name: the
  // postings come in account order, the entries they name are scattered over moves_.
  class PostingReader {
   public:
    PostingReader(Cursor<PostingRecord>& cursor, const std::vector<Move>& moves)
        : cursor_(cursor), moves_(moves) {}

    bool Next(PostingRecord* posting) {
      while (more_ && filled_ < kAhead) {
        PostingRecord& slot = ahead_[(first_ + filled_) % kAhead];
        if (!cursor_.Next(&slot)) {
          more_ = false;
          break;
        }
        if (slot.seq - 1 < moves_.size()) __builtin_prefetch(&moves_[slot.seq - 1]);
        ++filled_;
      }
      if (filled_ == 0) return false;
      std::swap(*posting, ahead_[first_]);
      first_ = (first_ + 1) % kAhead;
      --filled_;
      return true;
    }

   private:
    static constexpr size_t kAhead = 16;
    Cursor<PostingRecord>& cursor_;
    const std::vector<Move>& moves_;
    std::array<PostingRecord, kAhead> ahead_;
    size_t first_ = 0;
    size_t filled_ = 0;
    bool more_ = true;
  };

  absl::Status CheckPostings() {
    auto postings = snapshot_.Postings(id_);
    PostingReader reader(*postings, moves_);
    PostingRecord posting;
    std::string current;
    uint32_t index = 0;
    int64_t running = 0;
    uint64_t count = 0, last_seq = 0, accounts_seen = 0;
    std::vector<bool> seen(ids_.size(), false);
    auto close_account = [&]() -> absl::Status {
      if (!current.empty() && count != posting_counts_[index]) {
        return Finding(id_, Reason::kPostingMissing, Where{kNoPosition, 0, current},
                       "the account's postings do not match its entries",
                       absl::StrCat(posting_counts_[index], " postings"),
                       absl::StrCat(count, " postings"));
      }
      return absl::OkStatus();
    };
    while (reader.Next(&posting)) {
      if (posting.account_id != current) {
        if (auto s = close_account(); !s.ok()) return s;
        current = posting.account_id;
        auto it = ids_.find(current);
        if (it == ids_.end()) {
          return Finding(id_, Reason::kPostingMismatch, Where{kNoPosition, posting.seq, current},
                         "a posting exists for an account that no entry touches");
        }
        index = it->second;
        seen[index] = true;
        running = 0;
        count = 0;
        last_seq = 0;
        ++accounts_seen;
      }
      const Where where{kNoPosition, posting.seq, current};
      if (posting.seq == 0 || posting.seq > moves_.size() || posting.seq <= last_seq) {
        return Finding(id_, Reason::kPostingMismatch, where, "the posting is for no stored entry");
      }
      const Move& move = moves_[posting.seq - 1];
      if (move.from == index) {
        running -= move.minutes;
      } else if (move.to == index) {
        running += move.minutes;
      } else {
        return Finding(id_, Reason::kPostingMismatch, where,
                       "the posting is for an entry that does not touch the account");
      }
      if (running != posting.balance_after_minutes) {
        return Finding(id_, Reason::kPostingMismatch, where,
                       "the running balance after the entry differs from the entries",
                       absl::StrCat(running, " minutes"),
                       absl::StrCat(posting.balance_after_minutes, " minutes"));
      }
      ++count;
      last_seq = posting.seq;
    }
    if (!postings->status().ok()) {
      return ReadFailed(id_, Where{}, "the postings", postings->status());
    }
    if (auto s = close_account(); !s.ok()) return s;
    if (accounts_seen != ids_.size()) {
      for (const auto& [account_id, account_index] : ids_) {
        if (!seen[account_index]) {
          return Finding(id_, Reason::kPostingMissing, Where{kNoPosition, 0, account_id},
                         "the account has entries but no postings");
        }
      }
    }
    return absl::OkStatus();
  }

  absl::Status CheckReversals() {
    std::sort(reversals_.begin(), reversals_.end());
    auto markers = snapshot_.Reversals(id_);
    SeqMapping marker;
    size_t next = 0;
    while (markers->Next(&marker)) {
      if (next == reversals_.size() || reversals_[next].first != marker.seq ||
          reversals_[next].second != marker.value) {
        return Finding(id_, Reason::kReversalMismatch, Where{kNoPosition, marker.seq},
                       "the entry's reversal marker differs from the reversal entries",
                       next < reversals_.size()
                           ? absl::StrCat("seq ", reversals_[next].first, " reversed by ",
                                          reversals_[next].second)
                           : "no marker",
                       absl::StrCat("seq ", marker.seq, " reversed by ", marker.value));
      }
      ++next;
    }
    if (!markers->status().ok()) {
      return ReadFailed(id_, Where{}, "the reversal markers", markers->status());
    }
    if (next != reversals_.size()) {
      return Finding(
          id_, Reason::kReversalMismatch, Where{kNoPosition, reversals_[next].second},
          absl::StrCat("the reversal of seq ", reversals_[next].first, " has no reversal marker"));
    }
    return absl::OkStatus();
  }

  StoreSnapshot& snapshot_;
  const std::string id_;
  const ChainHead& head_;

  Sha256 hasher_;
  std::vector<Digest> hashes_;  // of the entries that passed WalkEntries, by seq - 1
  StoredPositions positions_;
  std::optional<EntryFinding> entry_finding_;
  absl::Status read_status_;
  absl::Status tail_status_;  // the postings' and reversal markers' finding
  uint64_t checked_ = 0;
  uint64_t failed_at_ = kNoPosition;
  absl::flat_hash_map<std::string, uint32_t> ids_;
  std::vector<uint64_t> posting_counts_;  // by account index: postings its entries imply
  std::vector<Move> moves_;               // by seq - 1
  std::vector<std::pair<uint64_t, uint64_t>> reversals_;  // (reversed seq, reversal seq)
};

// Compares the stored member cards with the card_set and pin_set facts: each card number, and
// whether a PIN is set (its hash is not in the journal), and that no card is stored without them.
absl::Status CompareCards(StoreSnapshot& snapshot, const std::string& id,
                          const absl::flat_hash_map<std::string, AccountModel>& model) {
  size_t stored_count = 0;
  auto status = snapshot.ForEachMemberCard(id, [&](const MemberCard& stored) -> absl::Status {
    const Where where{kNoPosition, 0, stored.account_id};
    auto it = model.find(stored.account_id);
    const std::string expected =
        it == model.end() ? "no card"
                          : absl::StrCat("card '", it->second.card_number, "'",
                                         it->second.has_pin ? " with a PIN" : "");
    const std::string found =
        absl::StrCat("card '", stored.card_number, "'", stored.has_pin() ? " with a PIN" : "");
    if (it == model.end() || it->second.card_number != stored.card_number ||
        it->second.has_pin != stored.has_pin()) {
      return Finding(id, Reason::kCardMismatch, where,
                     "the stored member card differs from the journal's card and PIN facts",
                     expected, found);
    }
    ++stored_count;
    return absl::OkStatus();
  });
  if (!status.ok()) {
    if (HasReason(status, Reason::kCardMismatch)) return status;
    return ReadFailed(id, Where{}, "the member cards", status);
  }
  size_t expected_count = 0;
  for (const auto& [account_id, m] : model) {
    expected_count += (!m.card_number.empty() || m.has_pin) ? 1 : 0;
  }
  if (stored_count < expected_count) {
    return Finding(id, Reason::kCardMismatch, Where{},
                   "the journal gave members cards or PINs that are not stored",
                   absl::StrCat(expected_count, " cards"), absl::StrCat(stored_count, " cards"));
  }
  return absl::OkStatus();
}

// Compares the stored accounts, open pending entries and policy with the journal's model.
absl::Status CompareState(StoreSnapshot& snapshot, const std::string& id,
                          const JournalWalker& journal, const Policy& stored_policy,
                          size_t* account_count) {
  const auto& model = journal.accounts();
  absl::flat_hash_set<std::string> seen;
  int64_t sum = 0;
  auto status = snapshot.ForEachAccount(id, [&](const Account& stored) -> absl::Status {
    const Where where{kNoPosition, 0, stored.account_id};
    auto it = model.find(stored.account_id);
    if (it == model.end()) {
      return Finding(id, Reason::kAccountNotInJournal, where,
                     "the stored account was never opened in the journal");
    }
    const AccountModel& m = it->second;
    seen.insert(stored.account_id);
    sum += stored.balance_minutes;
    if (stored.kind != m.kind || stored.display_name != m.display_name || stored.roles != m.roles) {
      return Finding(id, Reason::kAccountMismatch, where,
                     "the stored account's kind, roles or name differ from its opening",
                     absl::StrCat(AccountKindName(m.kind), " ", m.display_name),
                     absl::StrCat(AccountKindName(stored.kind), " ", stored.display_name));
    }
    if (stored.status != m.status) {
      return Finding(id, Reason::kStatusMismatch, where,
                     "the stored status differs from the journal", AccountStatusName(m.status),
                     AccountStatusName(stored.status));
    }
    if (stored.balance_minutes != m.balance) {
      return Finding(id, Reason::kBalanceMismatch, where,
                     "the stored balance differs from the balance its entries add up to",
                     absl::StrCat(m.balance, " minutes"),
                     absl::StrCat(stored.balance_minutes, " minutes"));
    }
    if (stored.earned_minutes != m.earned || stored.spent_minutes != m.spent ||
        stored.entry_count != m.entry_count) {
      return Finding(
          id, Reason::kTotalMismatch, where,
          "the stored earned, spent or entry count differ from its entries",
          absl::StrCat("earned ", m.earned, " spent ", m.spent, " entries ", m.entry_count),
          absl::StrCat("earned ", stored.earned_minutes, " spent ", stored.spent_minutes,
                       " entries ", stored.entry_count));
    }
    if (stored.held_minutes != m.held || stored.pending_in_minutes != m.pending_in) {
      return Finding(
          id, Reason::kHoldMismatch, where,
          "the stored held or pending-in minutes differ from the open pending entries",
          absl::StrCat("held ", m.held, " pending in ", m.pending_in),
          absl::StrCat("held ", stored.held_minutes, " pending in ", stored.pending_in_minutes));
    }
    return absl::OkStatus();
  });
  if (!status.ok()) {
    if (HasReason(status, Reason::kCorruptRecord) || HasReason(status, Reason::kStoreCorrupt)) {
      return ReadFailed(id, Where{}, "the accounts", status);
    }
    return status;
  }
  if (seen.size() != model.size()) {
    for (const auto& [account_id, m] : model) {
      if (!seen.contains(account_id)) {
        return Finding(id, Reason::kAccountMissing, Where{kNoPosition, 0, account_id},
                       "the journal opened the account but it is not stored");
      }
    }
  }
  if (sum != 0) {
    return Finding(id, Reason::kZeroSumBroken, Where{}, "the stored balances do not sum to zero",
                   "0 minutes", absl::StrCat(sum, " minutes"));
  }
  size_t open = 0;
  status = snapshot.ForEachOpenPending(id, [&](const PendingEntry& stored) -> absl::Status {
    auto it = journal.open_pending().find(stored.entry.entry_id);
    if (it == journal.open_pending().end() || it->second.from != stored.entry.from_account_id ||
        it->second.to != stored.entry.to_account_id || it->second.minutes != stored.entry.minutes) {
      return Finding(id, Reason::kPendingMismatch, Where{},
                     absl::StrCat("the stored open pending entry ", stored.entry.entry_id,
                                  " is not open in the journal, or differs"));
    }
    ++open;
    return absl::OkStatus();
  });
  if (!status.ok()) {
    if (HasReason(status, Reason::kPendingMismatch)) return status;
    return ReadFailed(id, Where{}, "the pending entries", status);
  }
  if (open != journal.open_pending().size()) {
    return Finding(id, Reason::kPendingMismatch, Where{},
                   "the journal has open pending entries that are not stored",
                   absl::StrCat(journal.open_pending().size(), " open"),
                   absl::StrCat(open, " open"));
  }
  if (EncodePolicy(stored_policy) != EncodePolicy(journal.policy())) {
    return Finding(id, Reason::kPolicyMismatch, Where{},
                   "the policy in force differs from the last policy in the journal",
                   absl::StrCat("version ", journal.policy().version),
                   absl::StrCat("version ", stored_policy.version));
  }
  if (auto s = CompareCards(snapshot, id, model); !s.ok()) return s;
  auto qualifications = journal.qualifications().Compare(snapshot, id);
  if (!qualifications.ok()) {
    return ReadFailed(id, Where{}, "the qualifications", qualifications.status());
  }
  if (qualifications->has_value()) {
    const ReplayProblem& problem = **qualifications;
    return Finding(id, problem.reason, Where{kNoPosition, problem.seq, problem.account_id},
                   problem.what, problem.expected, problem.found);
  }
  *account_count = model.size();
  return absl::OkStatus();
}

BankVerification VerifyBank(StoreSnapshot& snapshot, const Bank& bank, const ChainHead& head,
                            const Policy& policy) {
  BankVerification result;
  result.bank_id = bank.bank_id;
  JournalWalker journal(snapshot, bank, head);
  EntryWalker entries(snapshot, bank.bank_id, head);
  absl::Status journal_status;
  std::thread journal_thread([&] { journal_status = journal.Run(); });
  entries.Run();
  journal_thread.join();
  journal_status = journal.Settle(journal_status, entries.positions());
  const absl::Status entry_status = entries.Reconcile(journal.refs());

  result.journal_size = journal.size();
  result.entry_count = entries.count();
  result.root_hash = journal.tree().Root();
  result.journal_hash = journal.chain_hash();
  result.entry_hash = entries.last_hash();
  // The first inconsistency in journal order: the entry side's counts only where it knows the
  // position; the journal side stops the entry side when it stops, so it comes first otherwise.
  if (!journal_status.ok() && (entry_status.ok() || entries.failed_at() == kNoPosition ||
                               journal.failed_at() <= entries.failed_at())) {
    result.status = journal_status;
  } else if (!entry_status.ok()) {
    result.status = entry_status;
  } else {
    result.status = CompareState(snapshot, bank.bank_id, journal, policy, &result.account_count);
  }
  return result;
}

}  // namespace

VerifyReport VerifySnapshot(StoreSnapshot& snapshot, const VerifyOptions& options) {
  const absl::Time start = absl::Now();
  VerifyReport report;
  struct Listed {
    Bank bank;
    ChainHead head;
    Policy policy;
  };
  std::vector<Listed> banks;
  report.status = snapshot.ForEachBank(
      [&](const Bank& bank, const ChainHead& head, const Policy& policy) -> absl::Status {
        if (options.bank_id.empty() || options.bank_id == bank.bank_id) {
          banks.push_back(Listed{bank, head, policy});
        }
        return absl::OkStatus();
      });
  if (report.status.ok() && !options.bank_id.empty() && banks.empty()) {
    report.status = BankNotFound(options.bank_id);
  }
  if (!report.status.ok()) {
    report.elapsed = absl::Now() - start;
    return report;
  }
  for (const Listed& listed : banks) {
    BankVerification bank = VerifyBank(snapshot, listed.bank, listed.head, listed.policy);
    report.facts += bank.journal_size;
    report.entries += bank.entry_count;
    if (report.status.ok() && !bank.status.ok()) report.status = bank.status;
    report.banks.push_back(std::move(bank));
  }
  report.elapsed = absl::Now() - start;
  return report;
}

VerifyReport VerifyStoreOffline(const StoreOptions& options, const VerifyOptions& verify) {
  StoreOptions read_only = options;
  read_only.read_only = true;
  auto store = OpenRocksDbStore(read_only);
  if (!store.ok()) {
    VerifyReport report;
    report.status = store.status();
    return report;
  }
  auto snapshot = (*store)->NewSnapshot();
  VerifyReport report = VerifySnapshot(*snapshot, verify);
  snapshot.reset();
  return report;
}

std::string StorePathOf(const std::string& data_dir) {
  const std::filesystem::path dir(data_dir);
  std::error_code error;
  if (std::filesystem::exists(dir / "CURRENT", error)) return data_dir;
  return (dir / kStoreDirName).string();
}

absl::StatusOr<VerifyReport> RestoreVerified(const std::string& backup_dir, uint32_t backup_id,
                                             const std::string& data_dir) {
  const std::filesystem::path target = std::filesystem::path(data_dir) / kStoreDirName;
  const std::filesystem::path restoring = target.string() + ".restoring";
  std::error_code error;
  if (std::filesystem::exists(target / "CURRENT", error)) {
    return Refuse(
        Reason::kRestoreTargetNotEmpty,
        absl::StrCat(data_dir, " already holds a ledger; restore into a new data directory"),
        {{"data_dir", data_dir}});
  }
  if (auto s = CreatePrivateDir(data_dir); !s.ok()) return s;
  std::filesystem::remove_all(restoring, error);  // a restore that stopped halfway
  if (error) {
    return Refuse(Reason::kRestoreFailed,
                  absl::StrCat("cannot prepare ", restoring.string(), ": ", error.message()));
  }
  if (auto s = RestoreBackup(backup_dir, backup_id, restoring.string()); !s.ok()) return s;
  // The restored files are as private as the ledger they came from, umask or not.
  if (auto made = MakePrivate(restoring.string()); !made.ok()) return made.status();
  StoreOptions options;
  options.path = restoring.string();
  VerifyReport report = VerifyStoreOffline(options);
  if (!report.ok()) return report;
  std::filesystem::remove_all(target, error);  // an empty directory at most (checked above)
  std::filesystem::rename(restoring, target, error);
  if (error) {
    return Refuse(Reason::kRestoreFailed, absl::StrCat("cannot move the restored ledger to ",
                                                       target.string(), ": ", error.message()));
  }
  return report;
}

std::string FormatVerifyReport(const VerifyReport& report) {
  std::string out;
  for (const BankVerification& bank : report.banks) {
    if (bank.status.ok()) {
      absl::StrAppend(&out, "bank ", bank.bank_id, ": OK, ", bank.journal_size, " facts, ",
                      bank.entry_count, " entries, ", bank.account_count, " accounts, root ",
                      Hex(bank.root_hash), "\n");
    } else {
      absl::StrAppend(&out, "bank ", bank.bank_id, ": DAMAGED ", ReasonOf(bank.status), ": ",
                      bank.status.message(), "\n");
    }
  }
  const double seconds = absl::ToDoubleSeconds(report.elapsed);
  if (report.ok()) {
    absl::StrAppend(&out, "verified ", report.banks.size(), " bank(s), ", report.facts, " facts, ",
                    report.entries, " entries in ", absl::FormatDuration(report.elapsed));
    if (seconds > 0) {
      absl::StrAppend(&out, " (", static_cast<uint64_t>(report.entries / seconds), " entries/s)");
    }
    absl::StrAppend(&out, ": OK\n");
  } else {
    absl::StrAppend(&out, "verification FAILED: ",
                    ReasonOf(report.status).empty() ? absl::StatusCodeToString(report.status.code())
                                                    : ReasonOf(report.status),
                    ": ", report.status.message(), "\n");
  }
  return out;
}

}  // namespace timeledger::ledger
