#include "ledger/verify/state_checks.h"

#include "absl/container/flat_hash_map.h"
#include "absl/container/flat_hash_set.h"
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
                          const absl::flat_hash_map<std::string, AccountModel>& model) {
  size_t stored_count = 0;
  auto status = snapshot.ForEachMemberCard(id, [&](const MemberCard& stored) -> absl::Status {
    const Where where{kNoPosition, 0, stored.account_id};
    auto it = model.find(stored.account_id);
    const std::string expected =
        it == model.end()
            ? "no card"
            : CardWords(it->second.card_number, it->second.has_pin, it->second.language);
    const std::string found = CardWords(stored.card_number, stored.has_pin(), stored.language);
    if (it == model.end() || it->second.card_number != stored.card_number ||
        it->second.has_pin != stored.has_pin() || it->second.language != stored.language) {
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
  for (const auto& [account_id, m] : model) {
    expected_count += (!m.card_number.empty() || m.has_pin || !m.language.empty()) ? 1 : 0;
  }
  if (stored_count < expected_count) {
    return Finding(id, Reason::kCardMismatch, Where{},
                   "the journal gave members cards or PINs that are not stored",
                   absl::StrCat(expected_count, " cards"), absl::StrCat(stored_count, " cards"));
  }
  return absl::OkStatus();
}

// Compares the stored accounts with the journal's model: each one, none missing, and their
// balances' zero sum.
absl::Status CompareAccounts(StoreReader& snapshot, const std::string& id,
                             const absl::flat_hash_map<std::string, AccountModel>& model) {
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
    if (stored.kind != m.kind || stored.display_name != m.display_name || stored.roles != m.roles ||
        stored.personal_data_erased != m.personal_data_erased) {
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
  return absl::OkStatus();
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
