// AccountModels: the accounts of one bank as its journal's facts make them, for the verifier
// (internal to ledger/verify/).
//
// Each account opened gets a dense index, in the order of opening; its figures (balance, totals,
// holds, what its postings must be) lie in one flat vector by index and its descriptive fields
// (kind, roles, name, status, card) in another. An entry then costs two lookups of a short id in
// one open-addressed table (prefetched ahead by the walk) and two small records, where a map of
// strings to whole accounts missed the CPU's caches several times an entry once a bank had a
// million accounts.
//
// Memory: about 350 bytes per account (the table, the id, both records): bounded by the number
// of accounts the journal opens (kAccountsPerBankMax), whatever the number of entries.
// Not thread-safe; const members may be called from several threads when nothing writes.
#ifndef TIMELEDGER_LEDGER_VERIFY_ACCOUNT_MODELS_H_
#define TIMELEDGER_LEDGER_VERIFY_ACCOUNT_MODELS_H_

#include <cstdint>
#include <string>
#include <vector>

#include "absl/container/flat_hash_map.h"
#include "absl/strings/string_view.h"

#include "ledger/core/types.h"

namespace timeledger::ledger::verify_internal {

// An account's descriptive fields as the journal's facts make them.
struct AccountModel {
  AccountKind kind = AccountKind::kPerson;
  std::vector<Role> roles;
  std::string display_name;           // "" if erased
  std::string phone, email;           // the last contact_set fact's ("" if none, or erased)
  bool personal_data_erased = false;  // a personal_data_erased fact was recorded
  AccountStatus status = AccountStatus::kActive;
  std::string card_number;  // the last card_set fact's ("" if none)
  bool has_pin = false;     // a pin_set fact was recorded
  std::string language;     // the last language_set fact's ("" if none)
};

// An account's figures as the journal's facts make them, and what its postings must be.
struct AccountFigures {
  int64_t balance = 0;
  int64_t earned = 0;
  int64_t spent = 0;
  int64_t held = 0;
  int64_t pending_in = 0;
  uint64_t entry_count = 0;
  // The postings its entries imply (one per side of an entry it is on) and the sum of the
  // PostingPrint of each (seq, balance after): posting_scan.h compares the stored ones with it.
  uint64_t postings = 0;
  uint64_t postings_print = 0;
  // An entry from the account to itself: only the exact check tells what is wrong with it.
  bool posted_to_itself = false;
};

class AccountModels {
 public:
  static constexpr uint32_t kNone = UINT32_MAX;

  void Reserve(size_t count);

  // Gives `account_id` the next index; false if it has one already (opened before).
  bool Add(const std::string& account_id, AccountModel model);
  // The index of `account_id`, or kNone if it was never opened.
  uint32_t Find(absl::string_view account_id) const {
    auto it = index_.find(account_id);
    return it == index_.end() ? kNone : it->second;
  }
  // Brings the table's slot for `account_id` towards the CPU, for a Find a little later.
  void Prefetch(absl::string_view account_id) const { index_.prefetch(account_id); }
  void PrefetchFigures(uint32_t index) const {
    if (index < figures_.size()) __builtin_prefetch(&figures_[index]);
  }

  size_t size() const { return ids_.size(); }
  const std::string& id(uint32_t index) const { return ids_[index]; }
  AccountModel& model(uint32_t index) { return models_[index]; }
  const AccountModel& model(uint32_t index) const { return models_[index]; }
  AccountFigures& figures(uint32_t index) { return figures_[index]; }
  const AccountFigures& figures(uint32_t index) const { return figures_[index]; }

 private:
  absl::flat_hash_map<std::string, uint32_t> index_;
  std::vector<std::string> ids_;  // by index
  std::vector<AccountModel> models_;
  std::vector<AccountFigures> figures_;
};

// A keyed pseudo-random function of a posting (seq, balance after): SipHash-2-4 of the two
// values under a key drawn for each verification. Summed per account, it compares the postings
// stored with those the journal implies without keeping either (a sum of values no one can
// predict without the key: a tamperer cannot make two different sets of postings agree, and a
// chance agreement has odds of 2^-64 per account). Thread-safe (const).
class PostingPrint {
 public:
  PostingPrint();  // a fresh random key
  uint64_t operator()(uint64_t seq, int64_t balance_after) const;

 private:
  uint64_t k0_;
  uint64_t k1_;
};

}  // namespace timeledger::ledger::verify_internal

#endif  // TIMELEDGER_LEDGER_VERIFY_ACCOUNT_MODELS_H_
