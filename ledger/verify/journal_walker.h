// JournalWalker: the journal side of a bank's verification (verify.h), defined in
// journal_walker.cc. Internal to ledger/verify/.
#ifndef TIMELEDGER_LEDGER_VERIFY_JOURNAL_WALKER_H_
#define TIMELEDGER_LEDGER_VERIFY_JOURNAL_WALKER_H_

#include <algorithm>
#include <array>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "absl/container/flat_hash_map.h"
#include "absl/status/status.h"
#include "absl/status/statusor.h"

#include "ledger/core/merkle.h"
#include "ledger/core/types.h"
#include "ledger/journal/journal.h"
#include "ledger/store/store.h"
#include "ledger/verify/account_models.h"
#include "ledger/verify/findings.h"
#include "ledger/verify/journal_reader.h"
#include "ledger/verify/qualification_replay.h"

namespace timeledger::ledger::verify_internal {

// The journal side: takes the facts in order from the reader (which checked their chain hashes
// and Merkle nodes), decodes each, replays it into a model of the bank, and checks each entry's
// stored journal position ('x') as it applies the entry, reading 'x' in step. After the first
// inconsistency it takes no more.
class JournalWalker {
 public:
  JournalWalker(StoreReader& snapshot, const Bank& bank, const ChainHead& head,
                const PostingPrint& print);

  bool running() const { return running_; }
  // A failed probe of the stored Merkle levels: the walk stops before the first fact.
  void Refuse(absl::Status probe);
  // Takes record `index` of `chunk`, at position chunk.first_position + index.
  void Take(const JournalChunk& chunk, size_t index);
  // Whether the record last taken decoded as an entry fact: then fact().entry is its entry.
  bool took_entry() const { return took_entry_; }
  const Fact& fact() const { return fact_; }
  // The journal ended after the records taken: `read_status` is why, `reader` holds what the
  // reading thread checked at the end. Checks what must hold at the journal's end.
  void Finish(const absl::Status& read_status, const JournalReader& reader);

  // OK, or the journal side's first inconsistency.
  const absl::Status& status() const { return status_; }
  // The position of that inconsistency (or the journal's size).
  uint64_t failed_at() const { return failed_at_; }
  uint64_t size() const { return tree_.size(); }
  const CompactMerkleTree& tree() const { return tree_; }
  const Digest& chain_hash() const { return chain_hash_; }
  // The entries applied (each to the balances, though the last may have failed a later check),
  // and the hash of the last of them.
  uint64_t entries() const { return applied_; }
  const Digest& last_entry_hash() const { return last_entry_hash_; }
  const AccountModels& accounts() const { return accounts_; }
  const absl::flat_hash_map<std::string, PendingModel>& open_pending() const { return pending_; }
  const Policy& policy() const { return policy_; }
  const QualificationReplay& qualifications() const { return qualifications_; }

 private:
  // Stops the walk with `finding` at the record `index` of `chunk` (size and hashes as far as
  // the walk got: the reader may be ahead).
  void StopAt(const JournalChunk& chunk, size_t index, absl::Status finding);
  absl::Status CheckEnds(const JournalReader& reader);
  // The stored position of the entry just applied (seq, at `where`) against the journal's; at the
  // end, that nothing more is stored ('x' read in step, as far as the entries go).
  absl::Status CheckPosition(const Where& where);
  absl::Status CheckNoMorePositions();
  absl::Status WrongPosition(const Where& at, const SeqMapping& stored);
  // Checks the personal records of the fact at where.position against its commitments, and joins
  // them to it: one that does not match, or that no fact commits to, is PERSONAL_DATA_MISMATCH;
  // a missing one is an erased value, not a finding. `end`: after the last fact, nothing is left.
  absl::Status CheckPersonal(Fact* fact, const Where& where);
  absl::Status CheckNoMorePersonal(const Where& end);

  // The replay of one fact into the model of the bank, by type.
  absl::Status Apply(const Fact& fact, const Where& where);
  absl::Status ApplyOpen(const Fact& fact, const Where& where);
  absl::Status ApplyMemberCard(const Fact& fact, const Where& where);
  absl::Status ApplyErased(const Fact& fact, const Where& where);
  absl::Status ApplyChanged(const Fact& fact, const Where& where);
  absl::Status ApplyContact(const Fact& fact, const Where& where);
  absl::Status ApplyStatus(const Fact& fact, const Where& where);
  absl::Status ApplyEntry(const Entry& entry, const Where& where);
  absl::Status ApplyPendingCreated(const Fact& fact, const Where& where);
  absl::Status ApplyPendingResolved(const Fact& fact, const Where& where);
  absl::StatusOr<uint32_t> FindAccount(const std::string& account_id, const Where& where);
  // A problem the qualification replay found, as a finding at `where`.
  absl::Status Replayed(const std::optional<ReplayProblem>& problem, const Where& where);
  // Brings the accounts of the entry facts a few records ahead towards the CPU.
  void PrefetchAhead(const JournalChunk& chunk, size_t index) const;

  StoreReader& snapshot_;
  const Bank& bank_;
  const std::string id_;
  const ChainHead& head_;
  const PostingPrint& print_;

  bool running_ = true;
  absl::Status status_;
  uint64_t failed_at_ = 0;
  Fact fact_;
  bool took_entry_ = false;

  // The stored positions, read in step with the entries: how many matched, the mapping after
  // them if it is not the next seq, and whether they ended.
  std::unique_ptr<Cursor<SeqMapping>> positions_;
  std::optional<SeqMapping> out_of_order_;
  bool positions_ended_ = false;
  // The bank's personal records, read in step with the facts, and the one read but not checked.
  std::unique_ptr<Cursor<PersonalRecord>> personal_;
  std::optional<PersonalRecord> next_personal_;

  Digest chain_hash_{};
  CompactMerkleTree tree_;
  uint64_t next_seq_ = 1;
  uint64_t applied_ = 0;
  Digest last_entry_hash_{};
  std::array<std::pair<uint64_t, std::string>, kRecentEntries> recent_;
  AccountModels accounts_;
  absl::flat_hash_map<std::string, PendingModel> pending_;
  Policy policy_;
  QualificationReplay qualifications_;
};

}  // namespace timeledger::ledger::verify_internal

#endif  // TIMELEDGER_LEDGER_VERIFY_JOURNAL_WALKER_H_
