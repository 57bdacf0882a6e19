#include "ledger/verify/journal_walker.h"

#include "absl/strings/str_cat.h"

#include "ledger/core/coding.h"
#include "ledger/core/errors.h"
#include "ledger/core/records.h"

namespace timeledger::ledger::verify_internal {
namespace {

// Accounts beyond which their lookups miss the CPU's caches: then the walk prefetches them.
constexpr size_t kPrefetchAccountsMin = size_t{1} << 15;
// How many records ahead the walk prefetches an entry's accounts' table slots, and their
// figures (found through the slots prefetched before).
constexpr size_t kSlotsAhead = 16;
constexpr size_t kFiguresAhead = 8;

// The accounts an entry moves minutes between, read from its stored bytes (records.h: 0x01
// str(bank_id) u64(seq) str(entry_id) u8(kind) str(from) str(to) ...) without decoding the rest.
bool MoveOf(std::string_view entry, absl::string_view* from, absl::string_view* to) {
  Reader reader(absl::string_view(entry.data(), entry.size()));
  uint8_t byte = 0;
  uint64_t seq = 0;
  absl::string_view skipped;
  return reader.ReadByte(&byte) && reader.ReadLengthPrefixedView(&skipped, kIdLengthMax) &&
         reader.ReadFixed64BigEndian(&seq) &&
         reader.ReadLengthPrefixedView(&skipped, kEntryIdLengthMax) && reader.ReadByte(&byte) &&
         reader.ReadLengthPrefixedView(from, kIdLengthMax) &&
         reader.ReadLengthPrefixedView(to, kIdLengthMax);
}

// The account an account_opened fact opens (journal.h: 0x01 u8(2) str(bank_id) u64(position)
// i64(at_us) str(principal) str(account_id) ...), read without decoding the rest.
bool OpenedAccountOf(const std::string& fact, absl::string_view* account_id) {
  if (fact.size() < 2 || fact[1] != static_cast<char>(FactType::kAccountOpened)) return false;
  Reader reader(absl::string_view(fact).substr(2));
  absl::string_view skipped;
  uint64_t number = 0;
  return reader.ReadLengthPrefixedView(&skipped, kIdLengthMax) &&
         reader.ReadFixed64BigEndian(&number) && reader.ReadFixed64BigEndian(&number) &&
         reader.ReadLengthPrefixedView(&skipped, kFactBytesMax) &&
         reader.ReadLengthPrefixedView(account_id, kIdLengthMax);
}

}  // namespace

JournalWalker::JournalWalker(StoreReader& snapshot, const Bank& bank, const ChainHead& head,
                             const PostingPrint& print)
    : snapshot_(snapshot),
      bank_(bank),
      id_(bank.bank_id),
      head_(head),
      print_(print),
      positions_(snapshot.EntryPositions(bank.bank_id)) {
  // Sized once from the head's count (bounded: the head is what is being checked), rather
  // than rehashed a million accounts at a time as they are opened.
  if (head.has_account_count) {
    accounts_.Reserve(std::min<uint64_t>(head.account_count, kAccountsPerBankMax));
  }
}

void JournalWalker::Refuse(absl::Status probe) {
  running_ = false;
  failed_at_ = 0;
  status_ = std::move(probe);
}

void JournalWalker::Take(const JournalChunk& chunk, size_t index) {
  const ReadRecord& read = chunk.records[index];
  const uint64_t expected = chunk.first_position + index;
  failed_at_ = expected;
  took_entry_ = false;
  if (index == chunk.failed_index) return StopAt(chunk, index, chunk.failed);
  if (auto s = DecodeAt(id_, read.record, expected, &fact_); !s.ok()) {
    return StopAt(chunk, index, std::move(s));
  }
  if (auto s = CheckPersonal(&fact_, Where{expected}); !s.ok()) {
    return StopAt(chunk, index, std::move(s));
  }
  took_entry_ = fact_.type == FactType::kEntry;
  if (accounts_.size() >= kPrefetchAccountsMin) PrefetchAhead(chunk, index);
  if (auto s = Apply(fact_, Where{expected}); !s.ok()) StopAt(chunk, index, std::move(s));
}

void JournalWalker::PrefetchAhead(const JournalChunk& chunk, size_t index) const {
  absl::string_view from, to;
  if (index + kSlotsAhead < chunk.count) {
    const ReadRecord& ahead = chunk.records[index + kSlotsAhead];
    if (ahead.entry == ReadRecord::EntryShape::kEntry && MoveOf(ahead.entry_bytes(), &from, &to)) {
      accounts_.Prefetch(from);
      accounts_.Prefetch(to);
    } else if (OpenedAccountOf(ahead.record.fact, &from)) {
      accounts_.Prefetch(from);  // where it will be added
    }
  }
  if (index + kFiguresAhead < chunk.count) {
    const ReadRecord& ahead = chunk.records[index + kFiguresAhead];
    if (ahead.entry == ReadRecord::EntryShape::kEntry && MoveOf(ahead.entry_bytes(), &from, &to)) {
      accounts_.PrefetchFigures(accounts_.Find(from));
      accounts_.PrefetchFigures(accounts_.Find(to));
    }
  }
}

void JournalWalker::StopAt(const JournalChunk& chunk, size_t index, absl::Status finding) {
  running_ = false;
  status_ = std::move(finding);
  // The reader is ahead of the walk: the tree and chain hash as they were at this record.
  tree_ = chunk.tree_before;
  for (size_t i = 0; i <= index; ++i) {
    if (chunk.records[i].appended) tree_.Append(chunk.records[i].leaf_hash).IgnoreError();
  }
  chain_hash_ = chunk.records[index].chain_after;
}

void JournalWalker::Finish(const absl::Status& read_status, const JournalReader& reader) {
  if (!running_) return;
  running_ = false;
  tree_ = reader.tree();
  chain_hash_ = reader.chain_hash();
  const uint64_t size = tree_.size();
  failed_at_ = size;
  if (!read_status.ok()) {
    status_ = ReadFailed(id_, Where{size}, "the journal", read_status);
    return;
  }
  status_ = Replayed(qualifications_.Finish(), Where{size});
  if (!status_.ok()) return;
  status_ = CheckNoMorePersonal(Where{size});
  if (!status_.ok()) return;
  // At the end: the positions stored beyond the journal's entries come first, then the ends.
  status_ = CheckNoMorePositions();
  if (!status_.ok()) return;
  status_ = CheckEnds(reader);
}

absl::Status JournalWalker::CheckPosition(const Where& at) {
  if (!out_of_order_.has_value() && !positions_ended_) {
    SeqMapping stored;
    if (positions_->Next(&stored)) {
      if (stored.seq == at.seq) {
        if (stored.value == at.position) return absl::OkStatus();
        return WrongPosition(at, stored);
      }
      out_of_order_ = stored;
    } else {
      positions_ended_ = true;
    }
  }
  if (out_of_order_.has_value()) return WrongPosition(at, *out_of_order_);
  if (!positions_->status().ok()) {
    return ReadFailed(id_, at, "the entry positions", positions_->status());
  }
  return Finding(id_, Reason::kEntryPositionMismatch, at,
                 "the entry's journal position is not stored");
}

absl::Status JournalWalker::CheckNoMorePositions() {
  SeqMapping extra;
  if (!out_of_order_.has_value() && !positions_ended_ && positions_->Next(&extra)) {
    return Finding(id_, Reason::kEntryPositionMismatch, Where{kNoPosition, extra.seq},
                   "the entry has a journal position but the journal does not hold it",
                   "no position", absl::StrCat("position ", extra.value));
  }
  if (out_of_order_.has_value()) {
    return Finding(id_, Reason::kEntryPositionMismatch, Where{kNoPosition, out_of_order_->seq},
                   "the entry has a journal position but the journal does not hold it",
                   "no position", absl::StrCat("position ", out_of_order_->value));
  }
  if (!positions_->status().ok()) {
    return ReadFailed(id_, Where{tree_.size()}, "the entry positions", positions_->status());
  }
  return absl::OkStatus();
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

absl::Status JournalWalker::WrongPosition(const Where& at, const SeqMapping& stored) {
  return Finding(id_, Reason::kEntryPositionMismatch, at,
                 "the stored journal position of the entry is wrong",
                 absl::StrCat("seq ", at.seq, " at ", at.position),
                 absl::StrCat("seq ", stored.seq, " at ", stored.value));
}

absl::Status JournalWalker::CheckEnds(const JournalReader& reader) {
  const uint64_t size = tree_.size();
  const Where end{size};
  if (!reader.merkle_ends().ok()) return reader.merkle_ends();
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

absl::StatusOr<uint32_t> JournalWalker::FindAccount(const std::string& account_id,
                                                    const Where& where) {
  const uint32_t index = accounts_.Find(account_id);
  if (index == AccountModels::kNone) {
    Where at = where;
    at.account_id = account_id;
    return Finding(id_, Reason::kFactInvalid, at, "the fact refers to an account never opened");
  }
  return index;
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
    case FactType::kAccountChanged:
      return ApplyChanged(fact, where);
    case FactType::kContactSet:
      return ApplyContact(fact, where);
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
  if (!accounts_.Add(fact.account_id, std::move(model))) {
    Where at = where;
    at.account_id = fact.account_id;
    return Finding(id_, Reason::kFactInvalid, at, "the account is opened a second time");
  }
  return absl::OkStatus();
}

absl::Status JournalWalker::ApplyMemberCard(const Fact& fact, const Where& where) {
  auto account = FindAccount(fact.account_id, where);
  if (!account.ok()) return account.status();
  AccountModel& model = accounts_.model(*account);
  if (fact.type == FactType::kCardSet) {
    model.card_number = fact.card_number;
  } else if (fact.type == FactType::kLanguageSet) {
    model.language = fact.language;
  } else {
    model.has_pin = true;
  }
  return absl::OkStatus();
}

absl::Status JournalWalker::ApplyChanged(const Fact& fact, const Where& where) {
  auto account = FindAccount(fact.account_id, where);
  if (!account.ok()) return account.status();
  AccountModel& model = accounts_.model(*account);
  model.display_name = fact.display_name;  // "" if erased since
  model.roles = fact.roles;
  return absl::OkStatus();
}

absl::Status JournalWalker::ApplyContact(const Fact& fact, const Where& where) {
  auto account = FindAccount(fact.account_id, where);
  if (!account.ok()) return account.status();
  AccountModel& model = accounts_.model(*account);
  model.phone = fact.phone;  // "" if erased since
  model.email = fact.email;
  return absl::OkStatus();
}

absl::Status JournalWalker::ApplyErased(const Fact& fact, const Where& where) {
  auto account = FindAccount(fact.account_id, where);
  if (!account.ok()) return account.status();
  AccountModel& model = accounts_.model(*account);
  // What the erasure rewrote of the derived state (ledger/engine EraseMemberData): the name, and
  // the member's card with its PIN and language.
  model.display_name.clear();
  model.phone.clear();
  model.email.clear();
  model.personal_data_erased = true;
  model.card_number.clear();
  model.has_pin = false;
  model.language.clear();
  return absl::OkStatus();
}

absl::Status JournalWalker::ApplyStatus(const Fact& fact, const Where& where) {
  auto account = FindAccount(fact.account_id, where);
  if (!account.ok()) return account.status();
  AccountModel& model = accounts_.model(*account);
  if (model.status != fact.from_status) {
    Where at = where;
    at.account_id = fact.account_id;
    return Finding(id_, Reason::kFactInvalid, at, "the status change starts from another status",
                   AccountStatusName(model.status), AccountStatusName(fact.from_status));
  }
  model.status = fact.to_status;
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
  AccountFigures& payer = accounts_.figures(*from);
  AccountFigures& payee = accounts_.figures(*to);
  payer.balance -= entry.minutes;
  payer.spent += entry.minutes;
  ++payer.entry_count;
  payee.balance += entry.minutes;
  payee.earned += entry.minutes;
  ++payee.entry_count;
  // The postings it implies, one on each side, with the balance after it.
  ++payer.postings;
  ++payee.postings;
  if (*from == *to) {
    payer.posted_to_itself = true;
  } else {
    payer.postings_print += print_(entry.seq, payer.balance);
    payee.postings_print += print_(entry.seq, payee.balance);
  }
  ++applied_;
  last_entry_hash_ = entry.hash;
  if (auto s = CheckPosition(at); !s.ok()) return s;
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
  accounts_.figures(*from).held += fact.entry.minutes;
  accounts_.figures(*to).pending_in += fact.entry.minutes;
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
  accounts_.figures(*from).held -= it->second.minutes;
  accounts_.figures(*to).pending_in -= it->second.minutes;
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
