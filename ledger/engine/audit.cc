// The audit reads of Ledger (ledger.h): digests, proofs, journal pages, verification, damage
// and backups.
#include "ledger/engine/audit.h"

#include <algorithm>
#include <filesystem>
#include <future>
#include <map>

#include "absl/strings/str_cat.h"
#include "absl/synchronization/mutex.h"

#include "ledger/core/errors.h"
#include "ledger/core/merkle.h"
#include "ledger/core/validate.h"
#include "ledger/engine/commands.h"
#include "ledger/engine/ledger.h"
#include "ledger/store/data_dir.h"

namespace timeledger::ledger {

absl::Status BankDamaged(const std::string& bank_id, const absl::Status& finding) {
  if (HasReason(finding, Reason::kBankDamaged)) return finding;
  absl::Status status =
      ledger::Refuse(Reason::kBankDamaged,
                     absl::StrCat("bank ", bank_id,
                                  " is damaged and is not served until it is restored from a "
                                  "backup: ",
                                  finding.message()),
                     {{"bank_id", bank_id}, {"finding", ReasonOf(finding)}});
  for (const auto& [name, value] : FiguresOf(finding)) {
    if (name != "bank_id") status = WithFigure(status, name, value);
  }
  return status;
}

namespace {

absl::Status TreeSizeAhead(const std::string& bank_id, uint64_t tree_size, uint64_t size) {
  return Refuse(
      Reason::kTreeSizeAhead,
      absl::StrCat("bank ", bank_id, "'s journal holds ", size, " facts, fewer than ", tree_size,
                   ": the digest is from another ledger, or facts it "
                   "covered are no longer here"),
      {{"bank_id", bank_id},
       {"tree_size", std::to_string(tree_size)},
       {"journal_size", std::to_string(size)}});
}

// The journal of `bank_id` lacks the fact at `position` (a damaged store).
absl::Status JournalGap(const BankId& bank_id, uint64_t position) {
  return Refuse(Reason::kJournalGap,
                absl::StrCat("bank ", bank_id.value(), " lacks its journal fact ", position),
                {{"bank_id", bank_id}, {"position", std::to_string(position)}});
}

// Merkle's own errors carry their reason as a message prefix ("MERKLE_...: "); as refusals,
// with the code merkle.cc gave. Every prefix is a reason of the table (reasons_test holds it).
absl::Status FromMerkle(const absl::Status& status) {
  if (status.ok() || !ReasonOf(status).empty()) return status;
  const std::string message(status.message());
  const size_t colon = message.find(':');
  const Reason reason = colon == std::string::npos
                            ? Reason::kMerkleError
                            : ParseReason(message.substr(0, colon)).value_or(Reason::kMerkleError);
  return Refusal(status.code(), reason, message);
}

// Sets the damage of banks, on the writer thread; reports back through `done`.
class MarkDamagedCommand : public Command {
 public:
  MarkDamagedCommand(absl::AnyInvocable<void()> mark, std::promise<void>* done)
      : mark_(std::move(mark)), done_(done) {}

  void Execute(WriteTxn&) override { mark_(); }
  void Finish(const absl::Status&) override { done_->set_value(); }
  // Writes nothing to the store, so a store that takes no writes does not stop it.
  void Refuse(const absl::Status&) override {
    mark_();
    done_->set_value();
  }

 private:
  absl::AnyInvocable<void()> mark_;
  std::promise<void>* done_;
};

}  // namespace

absl::Status Ledger::CheckBankServable(const BankId& bank_id) const {
  if (auto s = ValidateId("bank_id", bank_id); !s.ok()) return s;
  const std::shared_ptr<const LedgerView> view = View();
  auto it = view->find(bank_id);
  if (it == view->end()) {
    return BankNotFound(bank_id);
  }
  if (!it->second->damage.ok()) return BankDamaged(bank_id, it->second->damage);
  return absl::OkStatus();
}

absl::Status Ledger::CheckHeads(const std::string& bank_id, const ChainHead& head) const {
  auto damaged = [&](Reason reason, const std::string& what) {
    return Refusal(absl::StatusCode::kDataLoss, reason, absl::StrCat("bank ", bank_id, ": ", what),
                   {{"bank_id", bank_id}});
  };
  if (!head.has_journal) {
    return ledger::Refuse(Reason::kJournalMissing,
                          absl::StrCat("bank ", bank_id,
                                       " was written before the journal existed and "
                                       "cannot be verified or served by this version"),
                          {{"bank_id", bank_id}});
  }
  if (head.next_seq > 1) {
    auto last = store_->GetEntry(bank_id, head.next_seq - 1);
    if (!last.ok()) return last.status();
    if (!last->has_value() || (*last)->hash != head.last_hash) {
      return damaged(Reason::kChainHeadMismatch,
                     absl::StrCat("the chain head does not match entry ", head.next_seq - 1));
    }
  }
  auto beyond = store_->GetEntry(bank_id, head.next_seq);
  if (!beyond.ok()) return beyond.status();
  if (beyond->has_value()) {
    return damaged(Reason::kChainHeadMismatch,
                   absl::StrCat("entry ", head.next_seq, " is stored beyond the chain head"));
  }
  const uint64_t size = head.journal_size();
  auto last_facts = store_->ListJournal(bank_id, size == 0 ? 0 : size - 1, 2, std::nullopt);
  if (!last_facts.ok()) return last_facts.status();
  const size_t expected = size == 0 ? 0 : 1;
  if (last_facts->size() != expected ||
      (size > 0 && ((*last_facts)[0].position != size - 1 ||
                    !StoredChainHashIs((*last_facts)[0], head.journal_hash)))) {
    return damaged(
        Reason::kJournalHeadMismatch,
        absl::StrCat("the journal head (", size, " facts) does not match the last stored fact"));
  }
  return absl::OkStatus();
}

absl::Status Ledger::CheckConsistency() const {
  auto snapshot = store_->NewSnapshot(BlockCache::kBypass);
  VerifyReport report = VerifySnapshot(*snapshot);
  if (report.ok()) CompareMemory(*snapshot, &report);
  return report.status;
}

VerifyReport Ledger::Verify(const BankId& bank_id) {
  if (!bank_id.empty()) {
    if (auto s = ValidateId("bank_id", bank_id); !s.ok()) {
      VerifyReport report;
      report.status = s;
      return report;
    }
  }
  auto snapshot = store_->NewSnapshot(BlockCache::kBypass);
  VerifyOptions options;
  options.bank_id = bank_id;
  VerifyReport report = VerifySnapshot(*snapshot, options);
  CompareMemory(*snapshot, &report);
  MarkDamaged(report);
  return report;
}

void Ledger::CompareMemory(StoreReader& snapshot, VerifyReport* report) const {
  for (BankVerification& bank : report->banks) {
    if (!bank.status.ok()) continue;
    bool moved = false;
    auto status = snapshot.ForEachAccount(bank.bank_id, [&](const Account& stored) -> absl::Status {
      absl::ReaderMutexLock lock(&state_mu_);
      auto state = banks_.find(bank.bank_id);
      if (state == banks_.end() || state->second->head.journal_size() != bank.journal_size) {
        moved = true;  // memory is behind or ahead of the snapshot: nothing to compare
        return absl::CancelledError();
      }
      // Only the accounts the writer keeps in memory: the others it reads from the store.
      const Account* live = accounts_.Find(AccountCache::KeyOf(bank.bank_id, stored.account_id));
      if (live == nullptr) return absl::OkStatus();
      if (live->balance_minutes != stored.balance_minutes ||
          live->earned_minutes != stored.earned_minutes ||
          live->spent_minutes != stored.spent_minutes ||
          live->held_minutes != stored.held_minutes ||
          live->pending_in_minutes != stored.pending_in_minutes || live->status != stored.status) {
        return ledger::Refuse(
            Reason::kMemoryMismatch,
            absl::StrCat("bank ", bank.bank_id, ", account ", stored.account_id,
                         ": the account served from memory differs from the store"),
            {{"bank_id", bank.bank_id}, {"account_id", stored.account_id}});
      }
      return absl::OkStatus();
    });
    if (!moved && !status.ok()) {
      bank.status = status;
      if (report->status.ok()) report->status = status;
    }
  }
}

void Ledger::MarkDamaged(const VerifyReport& report) {
  std::map<std::string, absl::Status> found;
  for (const BankVerification& bank : report.banks) {
    if (!bank.status.ok()) found.emplace(bank.bank_id, BankDamaged(bank.bank_id, bank.status));
  }
  if (found.empty()) return;
  // The writer thread reads banks_ without the lock, so the mark is made there (under the lock,
  // for Verify), as a command of its own; and in the view, for the readers.
  auto mark = [this, found = std::move(found)] {
    {
      absl::MutexLock lock(&state_mu_);
      for (const auto& [bank_id, damage] : found) {
        auto it = banks_.find(bank_id);
        if (it != banks_.end() && it->second->damage.ok()) it->second->damage = damage;
      }
    }
    PublishDamage(found);
  };
  std::promise<void> marked;
  Submit(std::make_unique<MarkDamagedCommand>(std::move(mark), &marked));
  marked.get_future().wait();
}

absl::StatusOr<JournalTip> Ledger::GetJournalTip(const BankId& bank_id) const {
  if (auto s = CheckBankServable(bank_id); !s.ok()) return s;
  const std::shared_ptr<const LedgerView> view = View();
  const ChainHead& head = ServedBank(*view, bank_id).head;
  return JournalTip{head.journal_size(), head.journal_hash};
}

absl::StatusOr<JournalDigest> Ledger::GetDigest(const BankId& bank_id) const {
  if (auto s = CheckBankServable(bank_id); !s.ok()) return s;
  const std::shared_ptr<const LedgerView> view = View();
  const ChainHead& head = ServedBank(*view, bank_id).head;
  JournalDigest digest;
  digest.bank_id = bank_id;
  digest.tree_size = head.journal_size();
  digest.root_hash = head.journal_tree.Root();
  digest.journal_hash = head.journal_hash;
  digest.entry_count = head.next_seq - 1;
  digest.issued_at = clock_();
  return digest;
}

absl::StatusOr<EntryInclusionProof> Ledger::GetInclusionProof(const BankId& bank_id, uint64_t seq,
                                                              std::optional<uint64_t> position,
                                                              uint64_t tree_size) const {
  auto digest = GetDigest(bank_id);
  if (!digest.ok()) return digest.status();
  if (tree_size == 0) tree_size = digest->tree_size;
  if (tree_size > digest->tree_size) return TreeSizeAhead(bank_id, tree_size, digest->tree_size);
  if (!position.has_value()) {
    if (seq == 0) {
      return ledger::Refuse(Reason::kInvalidSeq, "give the entry's seq (1 or more) or a position",
                            {{"field", "seq"}});
    }
    auto found = store_->GetEntryPosition(bank_id, seq);
    if (!found.ok()) return found.status();
    if (!found->has_value() || seq > digest->entry_count) {
      return ledger::Refuse(Reason::kEntryNotFound,
                            absl::StrCat("bank ", bank_id.value(), " has no entry ", seq),
                            {{"seq", std::to_string(seq)}});
    }
    position = **found;
  }
  if (*position >= tree_size) {
    return Refuse(
        Reason::kNotInDigest,
        absl::StrCat("journal position ", *position, " is not among the ", tree_size,
                     " facts of the digest; take a newer digest"),
        {{"position", std::to_string(*position)}, {"tree_size", std::to_string(tree_size)}});
  }
  auto records = store_->ListJournal(bank_id, *position, 1, std::nullopt);
  if (!records.ok()) return records.status();
  if (records->empty() || (*records)[0].position != *position) {
    return JournalGap(bank_id, *position);
  }
  EntryInclusionProof proof;
  proof.bank_id = bank_id;
  proof.tree_size = tree_size;
  proof.record = std::move((*records)[0]);
  auto personal = store_->ListPersonal(bank_id, *position, *position + 1);
  if (!personal.ok()) return personal.status();
  auto fact = DecodeJoinedFact(proof.record.fact, *personal);
  if (!fact.ok()) return fact.status();
  proof.fact = *std::move(fact);
  proof.leaf_hash = MerkleLeafHash(proof.record.fact);
  auto nodes = store_->MerkleNodes(bank_id);
  auto path = InclusionProof(*position, tree_size, *nodes);
  if (!path.ok()) return FromMerkle(path.status());
  proof.path = *std::move(path);
  auto root = MerkleRootAt(tree_size, *nodes);
  if (!root.ok()) return FromMerkle(root.status());
  proof.root_hash = *root;
  return proof;
}

absl::StatusOr<JournalConsistencyProof> Ledger::GetConsistencyProof(const BankId& bank_id,
                                                                    uint64_t old_size,
                                                                    uint64_t new_size) const {
  auto digest = GetDigest(bank_id);
  if (!digest.ok()) return digest.status();
  if (new_size == 0) new_size = digest->tree_size;
  // An old digest bigger than the journal is evidence of lost facts, whatever the new size.
  if (old_size > digest->tree_size) return TreeSizeAhead(bank_id, old_size, digest->tree_size);
  if (new_size > digest->tree_size) return TreeSizeAhead(bank_id, new_size, digest->tree_size);
  if (old_size > new_size) {
    return ledger::Refuse(
        Reason::kTreeSizeOrder,
        absl::StrCat("the old size ", old_size, " exceeds the new size ", new_size),
        {{"field", "old_size"}});
  }
  auto nodes = store_->MerkleNodes(bank_id);
  JournalConsistencyProof proof;
  proof.bank_id = bank_id;
  proof.old_size = old_size;
  proof.new_size = new_size;
  auto path = ConsistencyProof(old_size, new_size, *nodes);
  if (!path.ok()) return FromMerkle(path.status());
  proof.path = *std::move(path);
  auto old_root = MerkleRootAt(old_size, *nodes);
  if (!old_root.ok()) return FromMerkle(old_root.status());
  auto new_root = MerkleRootAt(new_size, *nodes);
  if (!new_root.ok()) return FromMerkle(new_root.status());
  proof.old_root = *old_root;
  proof.new_root = *new_root;
  return proof;
}

absl::StatusOr<JournalPage> Ledger::ListJournal(const BankId& bank_id, uint64_t from_position,
                                                uint64_t end_position, int64_t page_size,
                                                std::optional<Digest> chain_before) const {
  JournalPage page;
  if (auto s = ListJournalInto(bank_id, from_position, end_position, page_size, chain_before,
                               &page);
      !s.ok()) {
    return s;
  }
  return page;
}

absl::Status Ledger::ListJournalInto(const BankId& bank_id, uint64_t from_position,
                                     uint64_t end_position, int64_t page_size,
                                     std::optional<Digest> chain_before, JournalPage* out) const {
  if (page_size < 0 || page_size > static_cast<int64_t>(kJournalPageSizeMax)) {
    return ledger::Refuse(Reason::kInvalidPageSize,
                          absl::StrCat("page_size is at most ", kJournalPageSizeMax),
                          {{"field", "page_size"}, {"limit", std::to_string(kJournalPageSizeMax)}});
  }
  const size_t limit = page_size == 0 ? kPageSizeDefault : static_cast<size_t>(page_size);
  auto digest = GetJournalTip(bank_id);
  if (!digest.ok()) return digest.status();
  if (end_position == 0) end_position = digest->tree_size;
  if (end_position > digest->tree_size) {
    return TreeSizeAhead(bank_id, end_position, digest->tree_size);
  }
  JournalPage& page = *out;
  page.records.clear();
  page.tree_size = digest->tree_size;
  page.next_position = from_position;
  size_t facts_decoded = 0;  // page.facts from there on are a last page's, decoded into again
  if (from_position < end_position) {
    const size_t wanted =
        static_cast<size_t>(std::min<uint64_t>(limit, end_position - from_position));
    auto records = store_->ListJournal(bank_id, from_position, wanted, chain_before);
    if (!records.ok()) return records.status();
    auto personal = store_->ListPersonal(bank_id, from_position, from_position + wanted);
    if (!personal.ok()) return personal.status();
    // A Fact's move may throw, so a growing vector would copy every one (the feed's profile).
    page.facts.reserve(records->size());
    page.records.reserve(records->size());
    // Decoding into a Fact resets what the fact read does not write (DecodeFactInto).
    const auto next_fact = [&page, &facts_decoded]() -> Fact* {
      Fact* fact = facts_decoded < page.facts.size() ? &page.facts[facts_decoded]
                                                     : &page.facts.emplace_back();
      ++facts_decoded;
      return fact;
    };
    size_t next_personal = 0;  // the records are in position order, as the facts
    size_t bytes = 0;
    bool cut_by_bytes = false;
    for (JournalRecord& record : *records) {
      // A store missing a fact before from_position scans past `wanted` (damage): no more.
      if (page.records.size() == wanted) break;
      if (record.position != page.next_position) {
        return JournalGap(bank_id, page.next_position);
      }
      bytes += record.fact.size() + kDigestBytes;
      if (!page.records.empty() && bytes > kJournalPageBytesMax) {
        cut_by_bytes = true;
        break;
      }
      // This fact's records are the run at its position.
      while (next_personal < personal->size() &&
             (*personal)[next_personal].position < record.position) {
        ++next_personal;
      }
      size_t run_end = next_personal;
      while (run_end < personal->size() && (*personal)[run_end].position == record.position) {
        ++run_end;
      }
      auto decoded = DecodeJoinedFactInto(
          record.fact,
          absl::MakeConstSpan(*personal).subspan(next_personal, run_end - next_personal),
          next_fact());
      if (!decoded.ok()) return decoded;
      page.records.push_back(std::move(record));
      ++page.next_position;
    }
    // Every fact below end_position is stored: fewer than wanted means the next is gone.
    if (!cut_by_bytes && page.records.size() < wanted) {
      return JournalGap(bank_id, page.next_position);
    }
  }
  page.facts.resize(facts_decoded);
  page.done = page.next_position >= end_position;
  return absl::OkStatus();
}

absl::StatusOr<BackupMade> Ledger::CreateBackup(const std::string& dir) const {
  auto resolved = ResolveBackupDir(backup_root_, options_.data_dir, dir, /*create=*/true);
  if (!resolved.ok()) return resolved.status();
  auto info = store_->CreateBackup(*resolved, options_.backups_keep);
  if (!info.ok()) return info.status();
  // RocksDB makes its files as the umask says; a backup holds what the data directory holds.
  if (auto made = MakePrivate(*resolved); !made.ok()) return made.status();
  return BackupMade{*std::move(resolved), *std::move(info)};
}

absl::Status Ledger::CompactErased(const BankId& bank_id) {
  return store_->CompactPersonal(bank_id.value());
}

absl::StatusOr<BackupList> Ledger::ListBackups(const std::string& dir) const {
  auto resolved = ResolveBackupDir(backup_root_, options_.data_dir, dir, /*create=*/false);
  if (dir.empty() && absl::IsNotFound(resolved.status())) return BackupList{backup_root_, {}};
  if (!resolved.ok()) return resolved.status();
  auto backups = ledger::ListBackups(*resolved);
  if (!backups.ok()) return backups.status();
  return BackupList{*std::move(resolved), *std::move(backups)};
}

}  // namespace timeledger::ledger
