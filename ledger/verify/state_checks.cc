#include "ledger/verify/state_checks.h"

#include <array>
#include <vector>

#include "absl/strings/str_cat.h"

#include "ledger/core/errors.h"
#include "ledger/verify/findings.h"

namespace timeledger::ledger::verify_internal {
namespace {

// "card '1001' with a PIN in bn": what a finding shows of a member card.
std::string CardWords(const std::string& card_number, bool has_pin, const std::string& language) {
  return absl::StrCat("card '", card_number, "'", has_pin ? " with a PIN" : "",
                      language.empty() ? "" : absl::StrCat(" in ", language));
}

// Compares the stored member cards with the card_set, pin_set and language_set facts: each card
// number, whether a PIN is set (its hash is not in the journal) and the member's language, and
// that no card is stored without them.
absl::Status CompareCards(StoreReader& snapshot, const std::string& id,
                          const AccountModels& accounts) {
  size_t stored_count = 0;
  auto status = snapshot.ForEachMemberCard(id, [&](const MemberCard& stored) -> absl::Status {
    const Where where{kNoPosition, 0, stored.account_id};
    const uint32_t index = accounts.Find(stored.account_id);
    const AccountModel* m = index == AccountModels::kNone ? nullptr : &accounts.model(index);
    const std::string expected =
        m == nullptr ? "no card" : CardWords(m->card_number, m->has_pin, m->language);
    const std::string found = CardWords(stored.card_number, stored.has_pin(), stored.language);
    if (m == nullptr || m->card_number != stored.card_number || m->has_pin != stored.has_pin() ||
        m->language != stored.language) {
      return Finding(id, Reason::kCardMismatch, where,
                     "the stored member card differs from the journal's card, PIN and language "
                     "facts",
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
  for (uint32_t index = 0; index < accounts.size(); ++index) {
    const AccountModel& m = accounts.model(index);
    expected_count += (!m.card_number.empty() || m.has_pin || !m.language.empty()) ? 1 : 0;
  }
  if (stored_count < expected_count) {
    return Finding(id, Reason::kCardMismatch, Where{},
                   "the journal gave members cards or PINs that are not stored",
                   absl::StrCat(expected_count, " cards"), absl::StrCat(stored_count, " cards"));
  }
  return absl::OkStatus();
}

// Compares the stored accounts with the journal's model, in key order: each one, none missing,
// and their balances' zero sum. Each is compared a few accounts after it is read, so that the
// lookups of its model, which miss the CPU's caches in a bank of a million accounts, are
// prefetched meanwhile.
class AccountComparison {
 public:
  AccountComparison(const std::string& id, const AccountModels& accounts)
      : id_(id),
        accounts_(accounts),
        behind_(accounts.size() >= kPrefetchAccountsMin),
        seen_(accounts.size(), false) {}

  // Takes the next stored account; returns the finding of the one kBehind before it (or of
  // this one, in a small bank), if any.
  absl::Status Take(const Account& stored) {
    if (!behind_) return Found(Compare(stored, accounts_.Find(stored.account_id)));
    Behind& slot = ring_[read_ % kBehind];
    absl::Status status =
        read_ >= kBehind ? Found(Compare(slot.account, slot.index)) : absl::OkStatus();
    slot.account = stored;
    accounts_.Prefetch(slot.account.account_id);
    Behind& half = ring_[(read_ + kBehind - kBehind / 2) % kBehind];
    if (read_ >= kBehind / 2) {
      half.index = accounts_.Find(half.account.account_id);
      accounts_.PrefetchFigures(half.index);
    }
    ++read_;
    return status;
  }

  // Whether Take returned a finding (rather than the read failing).
  bool found() const { return found_; }

  // Compares the accounts still waiting, then (if `all_read`) what holds for all of them.
  absl::Status Finish(bool all_read) {
    for (uint64_t n = read_ > kBehind ? read_ - kBehind : 0; n < read_; ++n) {
      Behind& slot = ring_[n % kBehind];
      if (n + kBehind / 2 >= read_) slot.index = accounts_.Find(slot.account.account_id);
      if (auto s = Compare(slot.account, slot.index); !s.ok()) return s;
    }
    if (!all_read) return absl::OkStatus();
    if (seen_count_ != accounts_.size()) {
      for (uint32_t index = 0; index < accounts_.size(); ++index) {
        if (!seen_[index]) {
          return Finding(id_, Reason::kAccountMissing, Where{kNoPosition, 0, accounts_.id(index)},
                         "the journal opened the account but it is not stored");
        }
      }
    }
    if (sum_ != 0) {
      return Finding(id_, Reason::kZeroSumBroken, Where{}, "the stored balances do not sum to zero",
                     "0 minutes", absl::StrCat(sum_, " minutes"));
    }
    return absl::OkStatus();
  }

 private:
  // Banks of at least this many accounts miss the CPU's caches in their lookups.
  static constexpr size_t kPrefetchAccountsMin = size_t{1} << 15;
  static constexpr uint64_t kBehind = 8;
  struct Behind {
    Account account;
    uint32_t index = AccountModels::kNone;
  };

  absl::Status Found(absl::Status status) {
    found_ = !status.ok();
    return status;
  }

  absl::Status Compare(const Account& stored, uint32_t index) {
    const std::string& id = id_;
    const Where where{kNoPosition, 0, stored.account_id};
    if (index == AccountModels::kNone) {
      return Finding(id, Reason::kAccountNotInJournal, where,
                     "the stored account was never opened in the journal");
    }
    if (!seen_[index]) ++seen_count_;
    seen_[index] = true;
    sum_ += stored.balance_minutes;
    const AccountModel& m = accounts_.model(index);
    const AccountFigures& f = accounts_.figures(index);
    if (stored.kind != m.kind || stored.display_name != m.display_name || stored.roles != m.roles ||
        stored.personal_data_erased != m.personal_data_erased || stored.phone != m.phone ||
        stored.email != m.email) {
      return Finding(id, Reason::kAccountMismatch, where,
                     "the stored account's kind, roles, name or contact details differ from its "
                     "journal",
                     absl::StrCat(AccountKindName(m.kind), " ", m.display_name),
                     absl::StrCat(AccountKindName(stored.kind), " ", stored.display_name));
    }
    if (stored.status != m.status) {
      return Finding(id, Reason::kStatusMismatch, where,
                     "the stored status differs from the journal", AccountStatusName(m.status),
                     AccountStatusName(stored.status));
    }
    if (stored.balance_minutes != f.balance) {
      return Finding(id, Reason::kBalanceMismatch, where,
                     "the stored balance differs from the balance its entries add up to",
                     absl::StrCat(f.balance, " minutes"),
                     absl::StrCat(stored.balance_minutes, " minutes"));
    }
    if (stored.earned_minutes != f.earned || stored.spent_minutes != f.spent ||
        stored.entry_count != f.entry_count) {
      return Finding(
          id, Reason::kTotalMismatch, where,
          "the stored earned, spent or entry count differ from its entries",
          absl::StrCat("earned ", f.earned, " spent ", f.spent, " entries ", f.entry_count),
          absl::StrCat("earned ", stored.earned_minutes, " spent ", stored.spent_minutes,
                       " entries ", stored.entry_count));
    }
    if (stored.held_minutes != f.held || stored.pending_in_minutes != f.pending_in) {
      return Finding(
          id, Reason::kHoldMismatch, where,
          "the stored held or pending-in minutes differ from the open pending entries",
          absl::StrCat("held ", f.held, " pending in ", f.pending_in),
          absl::StrCat("held ", stored.held_minutes, " pending in ", stored.pending_in_minutes));
    }
    return absl::OkStatus();
  }

  const std::string& id_;
  const AccountModels& accounts_;
  const bool behind_;  // compare each account kBehind after it is read, prefetching meanwhile
  bool found_ = false;
  std::array<Behind, kBehind> ring_;
  uint64_t read_ = 0;
  std::vector<bool> seen_;
  size_t seen_count_ = 0;
  int64_t sum_ = 0;
};

absl::Status CompareAccounts(StoreReader& snapshot, const std::string& id,
                             const AccountModels& accounts) {
  AccountComparison comparison(id, accounts);
  auto status = snapshot.ForEachAccount(
      id, [&](const Account& stored) -> absl::Status { return comparison.Take(stored); });
  if (!status.ok()) {
    if (comparison.found()) return status;
    // The accounts read before the read failed come first.
    if (auto s = comparison.Finish(false); !s.ok()) return s;
    if (HasReason(status, Reason::kCorruptRecord) || HasReason(status, Reason::kStoreCorrupt)) {
      return ReadFailed(id, Where{}, "the accounts", status);
    }
    return status;
  }
  return comparison.Finish(true);
}

// Compares the stored open pending entries with those the journal leaves open.
absl::Status ComparePending(StoreReader& snapshot, const std::string& id,
                            const JournalWalker& journal) {
  size_t open = 0;
  auto status = snapshot.ForEachOpenPending(id, [&](const PendingEntry& stored) -> absl::Status {
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
  return absl::OkStatus();
}

}  // namespace

absl::Status CompareState(StoreReader& snapshot, const std::string& id,
                          const JournalWalker& journal, const Policy& stored_policy,
                          size_t* account_count) {
  const auto& model = journal.accounts();
  if (auto s = CompareAccounts(snapshot, id, model); !s.ok()) return s;
  if (auto s = ComparePending(snapshot, id, journal); !s.ok()) return s;
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

}  // namespace timeledger::ledger::verify_internal
