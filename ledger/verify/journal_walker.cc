#include "ledger/verify/journal_walker.h"

#include "absl/strings/str_cat.h"

#include "ledger/core/errors.h"
#include "ledger/core/records.h"

namespace timeledger::ledger::verify_internal {

absl::Status JournalWalker::Settle(absl::Status walk_status, const StoredPositions& stored) {
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

absl::Status JournalWalker::Walk() {
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
    Digest leaf_hash;
    if (auto s = FollowChain(id_, record, expected, &chain_hash_, &leaf_hash); !s.ok()) return s;
    completed.clear();
    tree_.Append(leaf_hash, &completed).IgnoreError();
    for (const MerkleNode& node : completed) {
      // The leaf itself and the small subtrees are not stored (store.h), but in a store
      // written before that was so.
      if (node.level < (legacy_levels_ ? 1 : kMerkleStoredLevelMin)) continue;
      if (auto s = CheckNode(node, where); !s.ok()) return s;
    }
    if (auto s = DecodeAt(id_, record, expected, &fact); !s.ok()) return s;
    if (auto s = CheckPersonal(&fact, where); !s.ok()) return s;
    if (auto s = Apply(fact, where); !s.ok()) return s;
    ++expected;
  }
  failed_at_ = expected;
  if (!journal->status().ok()) {
    return ReadFailed(id_, Where{expected}, "the journal", journal->status());
  }
  if (auto s = Replayed(qualifications_.Finish(), Where{expected}); !s.ok()) return s;
  if (auto s = CheckNoMorePersonal(Where{expected}); !s.ok()) return s;
  return CheckEnds(expected);
}

absl::Status JournalWalker::CheckPersonal(Fact* fact, const Where& where) {
  if (personal_ == nullptr) personal_ = snapshot_.PersonalRecords(id_);
  std::vector<PersonalRecord> records;
  while (true) {
    if (!next_personal_.has_value()) {
      PersonalRecord record;
      if (!personal_->Next(&record)) break;
      next_personal_ = std::move(record);
    }
    if (next_personal_->position > where.position) break;
    records.push_back(*std::move(next_personal_));
    next_personal_.reset();
  }
  if (!personal_->status().ok()) {
    return ReadFailed(id_, where, "the personal records", personal_->status());
  }
  for (const PersonalRecord& record : records) {
    bool matched = false;
    ForEachPersonal(
        *fact, [&](PersonalField field, const std::string&, const PersonalSeal& seal, size_t) {
          matched = matched || (field == record.field && record.position == where.position &&
                                MatchesCommitment(record, seal));
        });
    if (!matched) {
      return Finding(id_, Reason::kPersonalDataMismatch, Where{record.position},
                     absl::StrCat("the personal record (", PersonalFieldName(record.field),
                                  ") does not match a commitment of its fact"));
    }
  }
  JoinPersonal(records, fact);
  return absl::OkStatus();
}

absl::Status JournalWalker::CheckNoMorePersonal(const Where& end) {
  if (personal_ == nullptr) return absl::OkStatus();  // no fact was read
  PersonalRecord record;
  if (next_personal_.has_value() || personal_->Next(&record)) {
    if (next_personal_.has_value()) record = *next_personal_;
    return Finding(id_, Reason::kPersonalDataMismatch, end,
                   absl::StrCat("a personal record (position ", record.position, ", ",
                                PersonalFieldName(record.field), ") lies beyond the journal"));
  }
  if (!personal_->status().ok()) {
    return ReadFailed(id_, end, "the personal records", personal_->status());
  }
  return absl::OkStatus();
}

absl::Status JournalWalker::ProbeLegacyLevels() {
  auto stored = snapshot_.MerkleNodesFrom(id_, 1);
  MerkleNode first;
  if (stored->Next(&first)) {
    legacy_levels_ = first.level < kMerkleStoredLevelMin;
  } else if (!stored->status().ok()) {
    return ReadFailed(id_, Where{0}, "the Merkle nodes", stored->status());
  }
  return absl::OkStatus();
}

absl::Status JournalWalker::WrongPosition(const Where& at, const SeqMapping& stored) {
  return Finding(id_, Reason::kEntryPositionMismatch, at,
                 "the stored journal position of the entry is wrong",
                 absl::StrCat("seq ", at.seq, " at ", at.position),
                 absl::StrCat("seq ", stored.seq, " at ", stored.value));
}

absl::Status JournalWalker::CheckNode(const MerkleNode& node, const Where& where) {
  auto& cursor = levels_[node.level];
  if (cursor == nullptr) cursor = snapshot_.MerkleLevel(id_, node.level);
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

absl::Status JournalWalker::CheckEnds(uint64_t size) {
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
                   "the journal head's Merkle tree differs from the facts' tree", Hex(tree_.Root()),
                   Hex(head_.journal_tree.Root()));
  }
  return absl::OkStatus();
}

absl::Status JournalWalker::ExpectNoMoreNodes(Cursor<MerkleNode>& cursor, const Where& end) {
  MerkleNode node;
  if (cursor.Next(&node)) {
    return Finding(id_, Reason::kMerkleNodeExtra, end,
                   absl::StrCat("a Merkle node (level ", node.level, " index ", node.index,
                                ") is stored beyond the journal's tree"));
  }
  if (!cursor.status().ok()) return ReadFailed(id_, end, "the Merkle nodes", cursor.status());
  return absl::OkStatus();
}

absl::StatusOr<AccountModel*> JournalWalker::FindAccount(const std::string& account_id,
                                                         const Where& where) {
  auto it = accounts_.find(account_id);
  if (it == accounts_.end()) {
    Where at = where;
    at.account_id = account_id;
    return Finding(id_, Reason::kFactInvalid, at, "the fact refers to an account never opened");
  }
  return &it->second;
}

absl::Status JournalWalker::Apply(const Fact& fact, const Where& where) {
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
    case FactType::kLanguageSet:
      return ApplyMemberCard(fact, where);
    case FactType::kPersonalDataErased:
      return ApplyErased(fact, where);
    case FactType::kCatalogueItem:
    case FactType::kQualificationAwarded:
    case FactType::kOfferRedeemed:
      return Replayed(qualifications_.Apply(fact), where);
  }
  return absl::OkStatus();
}

absl::Status JournalWalker::Replayed(const std::optional<ReplayProblem>& problem,
                                     const Where& where) {
  if (!problem.has_value()) return absl::OkStatus();
  Where at = where;
  if (problem->seq != 0) at.seq = problem->seq;
  if (!problem->account_id.empty()) at.account_id = problem->account_id;
  return Finding(id_, problem->reason, at, problem->what, problem->expected, problem->found);
}

absl::Status JournalWalker::ApplyOpen(const Fact& fact, const Where& where) {
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

absl::Status JournalWalker::ApplyMemberCard(const Fact& fact, const Where& where) {
  auto account = FindAccount(fact.account_id, where);
  if (!account.ok()) return account.status();
  if (fact.type == FactType::kCardSet) {
    (*account)->card_number = fact.card_number;
  } else if (fact.type == FactType::kLanguageSet) {
    (*account)->language = fact.language;
  } else {
    (*account)->has_pin = true;
  }
  return absl::OkStatus();
}

absl::Status JournalWalker::ApplyErased(const Fact& fact, const Where& where) {
  auto account = FindAccount(fact.account_id, where);
  if (!account.ok()) return account.status();
  // What the erasure rewrote of the derived state (ledger/engine EraseMemberData): the name, and
  // the member's card with its PIN and language.
  (*account)->display_name.clear();
  (*account)->personal_data_erased = true;
  (*account)->card_number.clear();
  (*account)->has_pin = false;
  (*account)->language.clear();
  return absl::OkStatus();
}

absl::Status JournalWalker::ApplyStatus(const Fact& fact, const Where& where) {
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

absl::Status JournalWalker::ApplyEntry(const Entry& entry, const Where& where) {
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

absl::Status JournalWalker::ApplyPendingCreated(const Fact& fact, const Where& where) {
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

absl::Status JournalWalker::ApplyPendingResolved(const Fact& fact, const Where& where) {
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

}  // namespace timeledger::ledger::verify_internal
