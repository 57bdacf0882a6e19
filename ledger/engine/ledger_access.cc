// Ledger: issuing tokens, with the checks that need the bank's accounts (ledger/rules/access.h).
#include "absl/strings/str_cat.h"

#include "ledger/core/errors.h"
#include "ledger/engine/ledger.h"

namespace timeledger::ledger {

absl::StatusOr<IssuedToken> Ledger::IssueToken(const Principal& principal, const Principal& by,
                                               absl::string_view client_subject) {
  if (auto s = ValidatePrincipal(principal); !s.ok()) return s;
  // Scope before existence: a coordinator learns nothing of a bank that is not theirs.
  if (auto s = CheckMayManage(by, principal); !s.ok()) return s;
  if (principal.role != PrincipalRole::kAdmin) {
    if (auto bank = GetBank(BankId(principal.bank_id)); !bank.ok()) return bank.status();
  }
  std::optional<Account> account;
  if (!principal.account_id.empty()) {
    auto found = GetAccount(BankId(principal.bank_id), AccountId(principal.account_id));
    if (!found.ok()) return found.status();
    const AccountKind wanted = principal.role == PrincipalRole::kPartner
                                   ? AccountKind::kOrganisation
                                   : AccountKind::kPerson;
    if (found->kind != wanted) {
      return Refuse(
          Reason::kWrongAccountKind,
          absl::StrCat("a ", PrincipalRoleName(principal.role), " is bound to ",
                       principal.role == PrincipalRole::kPartner ? "an organisation" : "a person",
                       "'s account; ", principal.account_id, " is ", AccountKindName(found->kind)),
          {{"account_id", principal.account_id}});
    }
    account = *std::move(found);
  }
  return tokens_.Issue(principal, by, Now(), account.has_value() ? &*account : nullptr,
                       client_subject);
}

}  // namespace timeledger::ledger
