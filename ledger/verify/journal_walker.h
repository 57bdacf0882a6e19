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
#include "ledger/verify/findings.h"
#include "ledger/verify/qualification_replay.h"

namespace timeledger::ledger::verify_internal {

// The journal side: walks the facts in order, checks the chain, the Merkle tree and its stored
// nodes and the seq -> position index, and replays the facts into a model of the bank.
class JournalWalker {
 public:
  JournalWalker(StoreReader& snapshot, const Bank& bank, const ChainHead& head)
      : snapshot_(snapshot), bank_(bank), id_(bank.bank_id), head_(head) {
    // Sized once from the head's count (bounded: the head is what is being checked), rather
    // than rehashed a million accounts at a time as they are opened.
    if (head.has_account_count) {
      accounts_.reserve(std::min<uint64_t>(head.account_count, kAccountsPerBankMax));
    }
  }

  // Returns the first inconsistency of the walk, which does not read the entry positions.
  absl::Status Run() { return Walk(); }

  // Returns the journal side's first inconsistency: that of the walk (`walk_status`) unless an
  // entry the walk applied has a wrong or missing stored position, or (after a walk to the end)
  // a position is stored for an entry the journal lacks: where the walk would have read them.
  absl::Status Settle(absl::Status walk_status, const StoredPositions& stored);

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
  // The walk: each fact in position order, its chain hash, the Merkle nodes it completes, then
  // the fact replayed; after the last, what must hold at the journal's end.
  absl::Status Walk();
  // Whether the store keeps the Merkle levels below kMerkleStoredLevelMin, as a ledger written
  // before that constant did until it is opened for writing (a backup, a stopped ledger): then
  // they are checked like the others. Otherwise there is none, which this probe checks.
  absl::Status ProbeLegacyLevels();
  // Checks a Merkle node completed by the walk against the stored one.
  absl::Status CheckNode(const MerkleNode& node, const Where& where);
  // After the last fact: nothing stored beyond the journal, and the head matches the walk.
  absl::Status CheckEnds(uint64_t size);
  absl::Status ExpectNoMoreNodes(Cursor<MerkleNode>& cursor, const Where& end);
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
  absl::Status ApplyStatus(const Fact& fact, const Where& where);
  absl::Status ApplyEntry(const Entry& entry, const Where& where);
  absl::Status ApplyPendingCreated(const Fact& fact, const Where& where);
  absl::Status ApplyPendingResolved(const Fact& fact, const Where& where);
  absl::StatusOr<AccountModel*> FindAccount(const std::string& account_id, const Where& where);
  // A problem the qualification replay found, as a finding at `where`.
  absl::Status Replayed(const std::optional<ReplayProblem>& problem, const Where& where);

  StoreReader& snapshot_;
  const Bank& bank_;
  const std::string id_;
  const ChainHead& head_;

  std::array<std::unique_ptr<Cursor<MerkleNode>>, kMerkleLevelMax + 1> levels_;
  std::unique_ptr<Cursor<PersonalRecord>> personal_;  // the bank's personal records
  std::optional<PersonalRecord> next_personal_;       // read from personal_, not yet checked
  bool legacy_levels_ = false;                        // ProbeLegacyLevels
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

}  // namespace timeledger::ledger::verify_internal

#endif  // TIMELEDGER_LEDGER_VERIFY_JOURNAL_WALKER_H_
