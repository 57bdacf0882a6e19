#include "ledger/engine/token_registry.h"

#include <sodium.h>

#include <algorithm>
#include <tuple>
#include <utility>

#include "absl/strings/escaping.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include <openssl/crypto.h>

#include "ledger/core/check.h"
#include "ledger/core/coding.h"
#include "ledger/core/errors.h"
#include "ledger/core/records.h"
#include "ledger/core/validate.h"
#include "ledger/store/store.h"

namespace timeledger::ledger {
namespace {

constexpr char kBearerPrefix[] = "tl_";

absl::Status Malformed() {
  return ledger::Refuse(Reason::kCorruptRecord,
                        "a stored token or principal binding record is damaged");
}

absl::Status NotAuthenticated(absl::string_view message) {
  return ledger::Refuse(Reason::kUnauthenticated, message);
}

std::string RandomHex(size_t bytes_count) {
  std::string bytes(bytes_count, '\0');
  randombytes_buf(bytes.data(), bytes.size());
  return absl::BytesToHexString(bytes);
}

bool IsLowerHex(absl::string_view text) {
  return std::all_of(text.begin(), text.end(),
                     [](char c) { return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'); });
}

absl::Status Conflict(const Principal& principal, const PrincipalBinding& bound,
                      absl::string_view why) {
  return ledger::Refuse(
      Reason::kPrincipalConflict,
      absl::StrCat(principal.name, " is already ", Describe(bound.principal),
                   bound.principal.account_id.empty()
                       ? std::string()
                       : absl::StrCat(", bound to account ", bound.principal.account_id),
                   " (set by ", bound.set_by, "); ", why),
      {{"name", principal.name}, {"bound_by", bound.set_by}});
}

}  // namespace

absl::Status TokenRegistry::Load() {
  absl::MutexLock lock(&mu_);
  std::vector<TokenRecord> records;
  auto status = store_->ForEachToken([&](const TokenRecord& record) {
    records.push_back(record);
    return absl::OkStatus();
  });
  if (!status.ok()) return status;
  absl::flat_hash_map<std::string, std::vector<PrincipalBinding>> bindings;
  status = store_->ForEachPrincipalBinding([&](const PrincipalBinding& binding) {
    auto& versions = bindings[binding.principal.name];
    // Keys order a name's versions; they count up from 1 without a gap.
    if (binding.version != versions.size() + 1) return Malformed();
    versions.push_back(binding);
    return absl::OkStatus();
  });
  if (!status.ok()) return status;
  bindings_ = std::move(bindings);
  std::sort(records.begin(), records.end(), [](const TokenRecord& a, const TokenRecord& b) {
    return std::tie(a.created_at, a.token_id) < std::tie(b.created_at, b.token_id);
  });
  // A store written before bindings existed: each name is bound as its newest live token (else
  // its newest token) was issued, by whoever issued it. A token of the name made for another role
  // or bank no longer authenticates (Authenticate): it never silently changes scope.
  absl::flat_hash_map<std::string, const TokenRecord*> newest;
  for (const auto& record : records) {
    if (bindings_.contains(record.principal.name)) continue;
    const TokenRecord*& kept = newest[record.principal.name];
    if (kept == nullptr || !record.revoked() || kept->revoked()) kept = &record;
  }
  if (!newest.empty()) {
    auto batch = store_->NewBatch();
    for (const auto& [name, record] : newest) {
      PrincipalBinding binding{record->principal, 1, record->created_at, record->created_by};
      batch->PutPrincipalBinding(binding);
      bindings_[name].push_back(std::move(binding));
    }
    if (auto s = store_->Commit(batch.get()); !s.ok()) return s;
  }
  for (auto& record : records) {
    TL_CHECK(bindings_.contains(record.principal.name));
    order_.push_back(record.token_id);
    tokens_.emplace(record.token_id, std::move(record));
  }
  return absl::OkStatus();
}

const PrincipalBinding* TokenRegistry::Current(absl::string_view name) const {
  auto it = bindings_.find(name);
  if (it == bindings_.end() || it->second.empty()) return nullptr;
  return &it->second.back();
}

bool TokenRegistry::HoldsLiveTokens(absl::string_view name) const {
  return std::any_of(tokens_.begin(), tokens_.end(), [&](const auto& id_and_record) {
    const TokenRecord& record = id_and_record.second;
    return !record.revoked() && record.principal.name == name;
  });
}

absl::Status TokenRegistry::CheckMayBind(const Principal& principal, const Principal& by,
                                         const Account* account) const {
  const PrincipalBinding* bound = Current(principal.name);
  if (bound != nullptr && !SamePrincipal(bound->principal, principal)) {
    if (by.role != PrincipalRole::kAdmin) {
      return Conflict(principal, *bound,
                      "only an admin changes what a name is bound to: ask for a token of it as it "
                      "is, or choose another name");
    }
    if ((bound->principal.role != principal.role ||
         bound->principal.bank_id != principal.bank_id) &&
        HoldsLiveTokens(principal.name)) {
      return Conflict(principal, *bound,
                      "it holds live tokens: revoke them first, or choose another name");
    }
  }
  if (by.role == PrincipalRole::kAdmin || principal.role != PrincipalRole::kCoordinator) {
    return absl::OkStatus();
  }
  // A coordinator's coordinator: another token of their own, or a colleague new here.
  if (bound != nullptr) {
    if (principal.name == by.name) return absl::OkStatus();
    return Refuse(
        Reason::kAccountHeld,
        absl::StrCat(principal.name, " is already a coordinator of bank ", principal.bank_id,
                     ": only they hold their tokens, and an admin "
                     "makes them new ones"),
        {{"name", principal.name}, {"held_by", principal.name}});
  }
  const bool colleague = !principal.account_id.empty() && principal.account_id == principal.name &&
                         account != nullptr && account->bank_id == principal.bank_id &&
                         account->account_id == principal.account_id &&
                         account->kind == AccountKind::kPerson && account->HasRole(Role::kStaff) &&
                         account->status == AccountStatus::kActive;
  if (!colleague) {
    return Refuse(
        Reason::kColleagueAccountRequired,
        absl::StrCat(
            by.name,
            " may make a coordinator only for a colleague with their "
            "own active staff person account of bank ",
            principal.bank_id, ", named as that account (--name ID --account ID); ",
            principal.account_id.empty()
                ? std::string("this one has no account")
                : absl::StrCat(principal.name, " bound to ", principal.account_id, " is not one")),
        {{"principal", by.name}, {"name", principal.name}, {"account_id", principal.account_id}});
  }
  for (const auto& [name, versions] : bindings_) {
    const Principal& holder = versions.back().principal;
    if (holder.bank_id == principal.bank_id && holder.Owns(principal.account_id)) {
      return ledger::Refuse(
          Reason::kAccountHeld,
          absl::StrCat("account ", principal.account_id, " of bank ", principal.bank_id,
                       " is already held by ", Describe(holder),
                       ": one person, one principal a coordinator can make"),
          {{"account_id", principal.account_id}, {"held_by", holder.name}});
    }
  }
  if (by.Owns(principal.account_id)) {
    return ledger::Refuse(
        Reason::kAccountHeld,
        absl::StrCat("account ", principal.account_id, " is ", by.name,
                     "'s own: a coordinator makes no second identity for themselves"),
        {{"account_id", principal.account_id}, {"held_by", by.name}});
  }
  return absl::OkStatus();
}

absl::StatusOr<IssuedToken> TokenRegistry::Issue(const Principal& principal, const Principal& by,
                                                 absl::Time now, const Account* account,
                                                 absl::string_view client_subject) {
  if (auto s = ValidatePrincipal(principal); !s.ok()) return s;
  if (auto s = ValidateClientSubject(client_subject); !s.ok()) return s;
  if (auto s = CheckMayManage(by, principal); !s.ok()) return s;
  absl::MutexLock writing(&write_mu_);
  IssuedToken issued;
  TokenRecord& record = issued.record;
  std::optional<PrincipalBinding> rebound;
  std::string secret;
  {
    absl::ReaderMutexLock reading(&mu_);
    if (tokens_.size() >= kTokensMax) {
      return ledger::Refuse(Reason::kTooManyTokens,
                            absl::StrCat("this installation already keeps ", kTokensMax,
                                         " token records, revoked ones included"),
                            {{"limit", std::to_string(kTokensMax)}});
    }
    if (auto s = CheckMayBind(principal, by, account); !s.ok()) return s;
    const PrincipalBinding* bound = Current(principal.name);
    if (bound == nullptr || !SamePrincipal(bound->principal, principal)) {
      rebound =
          PrincipalBinding{principal, bound == nullptr ? 1 : bound->version + 1, now, by.name};
    }
    do {
      record.token_id = RandomHex(kTokenIdHexChars / 2);
    } while (tokens_.contains(record.token_id));
    secret = RandomHex(kTokenSecretHexChars / 2);
    record.principal = principal;
    record.secret_hash = Sha256::Hash(secret);
    record.created_at = now;
    record.created_by = by.name;
    record.client_subject = std::string(client_subject);
  }
  auto batch = store_->NewBatch();
  batch->PutToken(record);
  if (rebound.has_value()) batch->PutPrincipalBinding(*rebound);
  if (auto s = store_->Commit(batch.get()); !s.ok()) return s;
  issued.bearer = absl::StrCat(kBearerPrefix, record.token_id, "_", secret);
  absl::MutexLock changing(&mu_);
  if (rebound.has_value()) bindings_[principal.name].push_back(*std::move(rebound));
  order_.push_back(record.token_id);
  tokens_.emplace(record.token_id, record);
  // Every token of the name carries the binding just issued.
  issued.binding = *Current(principal.name);
  TL_CHECK(SamePrincipal(issued.binding.principal, principal));
  TL_CHECK(bindings_.size() <= tokens_.size());
  return issued;
}

absl::StatusOr<TokenRecord> TokenRegistry::Revoke(absl::string_view token_id, const Principal& by,
                                                  absl::Time now) {
  absl::MutexLock writing(&write_mu_);
  TokenRecord revoked;
  {
    absl::ReaderMutexLock reading(&mu_);
    auto it = tokens_.find(token_id);
    if (it == tokens_.end()) {
      return ledger::Refuse(Reason::kTokenNotFound, absl::StrCat("there is no token ", token_id),
                            {{"token_id", std::string(token_id)}});
    }
    const PrincipalBinding* bound = Current(it->second.principal.name);
    TL_CHECK(bound != nullptr);
    if (auto s = CheckMayManage(by, bound->principal); !s.ok()) return s;
    if (it->second.revoked()) return it->second;
    revoked = it->second;
    revoked.revoked_at = now;
    revoked.revoked_by = by.name;
  }
  auto batch = store_->NewBatch();
  batch->PutToken(revoked);
  if (auto s = store_->Commit(batch.get()); !s.ok()) return s;
  absl::MutexLock changing(&mu_);
  tokens_.find(token_id)->second = revoked;  // still there: only this writer changes the map
  return revoked;
}

absl::StatusOr<std::vector<TokenView>> TokenRegistry::List(const Principal& by,
                                                           absl::string_view bank_id,
                                                           bool include_revoked) const {
  if (auto s = CheckMayList(by, bank_id); !s.ok()) return s;
  absl::ReaderMutexLock lock(&mu_);
  std::vector<TokenView> out;
  for (const auto& id : order_) {
    const TokenRecord& record = tokens_.at(id);
    if (!include_revoked && record.revoked()) continue;
    const PrincipalBinding* bound = Current(record.principal.name);
    TL_CHECK(bound != nullptr);
    if (!bank_id.empty() && bound->principal.bank_id != bank_id) continue;
    if (!CheckMayManage(by, bound->principal).ok()) continue;
    out.push_back(TokenView{record, *bound});
  }
  return out;
}

std::optional<PrincipalBinding> TokenRegistry::BindingOf(absl::string_view name) const {
  absl::ReaderMutexLock lock(&mu_);
  const PrincipalBinding* bound = Current(name);
  if (bound == nullptr) return std::nullopt;
  return *bound;
}

std::vector<PrincipalBinding> TokenRegistry::BindingHistory(absl::string_view name) const {
  absl::ReaderMutexLock lock(&mu_);
  auto it = bindings_.find(name);
  return it == bindings_.end() ? std::vector<PrincipalBinding>() : it->second;
}

absl::StatusOr<Principal> TokenRegistry::Authenticate(absl::string_view bearer) const {
  auto credential = AuthenticateToken(bearer);
  if (!credential.ok()) return credential.status();
  return std::move(credential->principal);
}

absl::StatusOr<Credential> TokenRegistry::AuthenticateToken(absl::string_view bearer) const {
  // tl_<16 hex>_<64 hex>
  constexpr size_t kPrefix = sizeof(kBearerPrefix) - 1;
  if (bearer.size() != kPrefix + kTokenIdHexChars + 1 + kTokenSecretHexChars ||
      !absl::StartsWith(bearer, kBearerPrefix) || bearer[kPrefix + kTokenIdHexChars] != '_') {
    return NotAuthenticated("the bearer token is not a Timeledger token (tl_<id>_<secret>)");
  }
  const absl::string_view token_id = bearer.substr(kPrefix, kTokenIdHexChars);
  const absl::string_view secret = bearer.substr(kPrefix + kTokenIdHexChars + 1);
  if (!IsLowerHex(token_id) || !IsLowerHex(secret)) {
    return NotAuthenticated("the bearer token is not a Timeledger token (tl_<id>_<secret>)");
  }
  const Digest hash = Sha256::Hash(std::string_view(secret.data(), secret.size()));
  absl::ReaderMutexLock lock(&mu_);
  auto it = tokens_.find(token_id);
  // The same answer for an unknown id and a wrong secret; the secret compared in constant time.
  if (it == tokens_.end() ||
      CRYPTO_memcmp(hash.data(), it->second.secret_hash.data(), hash.size()) != 0) {
    return NotAuthenticated("the bearer token is not known here");
  }
  if (it->second.revoked()) {
    return NotAuthenticated(absl::StrCat("token ", token_id, " was revoked"));
  }
  // The person's binding, not the token's copy of it: an admin's change reaches every token. A
  // token made for another role or bank than its name now has proves nothing.
  const PrincipalBinding* bound = Current(it->second.principal.name);
  if (bound == nullptr || bound->principal.role != it->second.principal.role ||
      bound->principal.bank_id != it->second.principal.bank_id) {
    return NotAuthenticated(absl::StrCat("token ", token_id, " was made for ",
                                         Describe(it->second.principal),
                                         ", and that name is no longer one"));
  }
  return Credential{bound->principal, it->second.token_id, it->second.client_subject};
}

}  // namespace timeledger::ledger
