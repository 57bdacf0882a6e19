#include "ledger/access.h"

#include <openssl/crypto.h>
#include <sodium.h>

#include <algorithm>
#include <tuple>
#include <utility>

#include "absl/strings/escaping.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "ledger/coding.h"
#include "ledger/check.h"
#include "ledger/errors.h"
#include "ledger/records.h"
#include "ledger/store.h"
#include "ledger/validate.h"

namespace timeledger::ledger {
namespace {

constexpr uint8_t kTokenRecordVersion = 1;
constexpr uint8_t kBindingRecordVersion = 1;
constexpr char kBearerPrefix[] = "tl_";
constexpr size_t kNameBytesMax = 128;

bool ParsePrincipalRoleByte(uint8_t byte, PrincipalRole* role) {
  if (byte < static_cast<uint8_t>(PrincipalRole::kAdmin) ||
      byte > static_cast<uint8_t>(PrincipalRole::kPartner)) {
    return false;
  }
  *role = static_cast<PrincipalRole>(byte);
  return true;
}

absl::Status Malformed() {
  return Refusal(absl::StatusCode::kDataLoss, "CORRUPT_RECORD",
                 "a stored token or principal binding record is damaged");
}

absl::Status Denied(absl::string_view reason, absl::string_view message, Figures figures = {}) {
  return Refusal(absl::StatusCode::kPermissionDenied, reason, message, std::move(figures));
}

absl::Status NotAuthenticated(absl::string_view message) {
  return Refusal(absl::StatusCode::kUnauthenticated, "UNAUTHENTICATED", message);
}

void PutTime(std::string* out, absl::Time time) {
  PutFixed64Signed(out, time == absl::InfinitePast() ? INT64_MIN : absl::ToUnixMicros(time));
}

bool ReadTime(Reader* reader, absl::Time* time) {
  int64_t micros = 0;
  if (!reader->ReadFixed64Signed(&micros)) return false;
  *time = micros == INT64_MIN ? absl::InfinitePast() : absl::FromUnixMicros(micros);
  return true;
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

// "carol (coordinator of camden)", for messages.
std::string Describe(const Principal& principal) {
  if (principal.role == PrincipalRole::kAdmin) return absl::StrCat(principal.name, " (admin)");
  return absl::StrCat(principal.name, " (", PrincipalRoleName(principal.role), " of ",
                      principal.bank_id, ")");
}

bool SamePrincipal(const Principal& a, const Principal& b) {
  return a.name == b.name && a.role == b.role && a.bank_id == b.bank_id &&
         a.account_id == b.account_id;
}

void PutPrincipal(std::string* out, const Principal& principal) {
  PutLengthPrefixed(out, principal.name);
  out->push_back(static_cast<char>(principal.role));
  PutLengthPrefixed(out, principal.bank_id);
  PutLengthPrefixed(out, principal.account_id);
}

bool ReadPrincipal(Reader* reader, Principal* principal) {
  uint8_t role = 0;
  if (!reader->ReadLengthPrefixed(&principal->name, kNameBytesMax) || !reader->ReadByte(&role) ||
      !ParsePrincipalRoleByte(role, &principal->role) ||
      !reader->ReadLengthPrefixed(&principal->bank_id, kNameBytesMax) ||
      !reader->ReadLengthPrefixed(&principal->account_id, kNameBytesMax)) {
    return false;
  }
  return true;
}

absl::Status Conflict(const Principal& principal, const PrincipalBinding& bound,
                      absl::string_view why) {
  return AlreadyExists("PRINCIPAL_CONFLICT",
                       absl::StrCat(principal.name, " is already ", Describe(bound.principal),
                                    bound.principal.account_id.empty()
                                        ? std::string()
                                        : absl::StrCat(", bound to account ",
                                                       bound.principal.account_id),
                                    " (set by ", bound.set_by, "); ", why),
                       {{"name", principal.name}, {"bound_by", bound.set_by}});
}

}  // namespace

const char* PrincipalRoleName(PrincipalRole role) {
  switch (role) {
    case PrincipalRole::kAdmin:
      return "admin";
    case PrincipalRole::kCoordinator:
      return "coordinator";
    case PrincipalRole::kKiosk:
      return "kiosk";
    case PrincipalRole::kPartner:
      return "partner";
  }
  return "unknown";
}

std::optional<PrincipalRole> ParsePrincipalRole(absl::string_view name) {
  for (PrincipalRole role : {PrincipalRole::kAdmin, PrincipalRole::kCoordinator,
                             PrincipalRole::kKiosk, PrincipalRole::kPartner}) {
    if (name == PrincipalRoleName(role)) return role;
  }
  return std::nullopt;
}

bool Principal::MayActIn(absl::string_view bank) const {
  return role == PrincipalRole::kAdmin || (!bank.empty() && bank == bank_id);
}

absl::string_view Principal::PersonAccount() const {
  if (!account_id.empty()) return account_id;
  return role == PrincipalRole::kCoordinator ? absl::string_view(name) : absl::string_view();
}

bool Principal::Owns(absl::string_view account) const {
  if (account.empty() || role == PrincipalRole::kAdmin) return false;
  return account == account_id || (role == PrincipalRole::kCoordinator && account == name);
}

bool SamePerson(const Principal& a, const Principal& b) {
  if (a.name == b.name) return true;
  const absl::string_view account = a.PersonAccount();
  return !account.empty() && a.bank_id == b.bank_id && b.Owns(account);
}

std::string EncodeTokenRecord(const TokenRecord& record) {
  std::string out;
  out.push_back(static_cast<char>(kTokenRecordVersion));
  PutLengthPrefixed(&out, record.token_id);
  PutPrincipal(&out, record.principal);
  out.append(reinterpret_cast<const char*>(record.secret_hash.data()), record.secret_hash.size());
  PutTime(&out, record.created_at);
  PutLengthPrefixed(&out, record.created_by);
  PutTime(&out, record.revoked_at);
  PutLengthPrefixed(&out, record.revoked_by);
  return out;
}

absl::StatusOr<TokenRecord> DecodeTokenRecord(absl::string_view bytes) {
  Reader reader(bytes);
  TokenRecord record;
  uint8_t version = 0;
  absl::string_view hash;
  if (!reader.ReadByte(&version) || version != kTokenRecordVersion ||
      !reader.ReadLengthPrefixed(&record.token_id, kTokenIdHexChars) ||
      !ReadPrincipal(&reader, &record.principal) ||
      !reader.ReadBytes(kDigestBytes, &hash) || !ReadTime(&reader, &record.created_at) ||
      !reader.ReadLengthPrefixed(&record.created_by, kNameBytesMax) ||
      !ReadTime(&reader, &record.revoked_at) ||
      !reader.ReadLengthPrefixed(&record.revoked_by, kNameBytesMax) || !reader.done()) {
    return Malformed();
  }
  std::copy(hash.begin(), hash.end(), record.secret_hash.begin());
  return record;
}

std::string EncodePrincipalBinding(const PrincipalBinding& binding) {
  std::string out;
  out.push_back(static_cast<char>(kBindingRecordVersion));
  PutPrincipal(&out, binding.principal);
  PutFixed64BigEndian(&out, binding.version);
  PutTime(&out, binding.set_at);
  PutLengthPrefixed(&out, binding.set_by);
  return out;
}

absl::StatusOr<PrincipalBinding> DecodePrincipalBinding(absl::string_view bytes) {
  Reader reader(bytes);
  PrincipalBinding binding;
  uint8_t version = 0;
  if (!reader.ReadByte(&version) || version != kBindingRecordVersion ||
      !ReadPrincipal(&reader, &binding.principal) ||
      !reader.ReadFixed64BigEndian(&binding.version) || binding.version == 0 ||
      !ReadTime(&reader, &binding.set_at) ||
      !reader.ReadLengthPrefixed(&binding.set_by, kNameBytesMax) || !reader.done()) {
    return Malformed();
  }
  return binding;
}

absl::Status ValidatePrincipal(const Principal& principal) {
  if (auto s = ValidateId("name", principal.name); !s.ok()) return s;
  const bool admin = principal.role == PrincipalRole::kAdmin;
  if (admin && (!principal.bank_id.empty() || !principal.account_id.empty())) {
    return InvalidArgument("INVALID_PRINCIPAL",
                           "an admin is of the whole installation: it takes no bank and no account");
  }
  if (!admin) {
    if (auto s = ValidateId("bank_id", principal.bank_id); !s.ok()) return s;
  }
  if (principal.role == PrincipalRole::kPartner) {
    if (auto s = ValidateId("account_id", principal.account_id); !s.ok()) {
      return InvalidArgument("INVALID_PRINCIPAL",
                             "a partner is bound to one organisation account: give its account id",
                             {{"field", "account_id"}});
    }
  }
  if (principal.role == PrincipalRole::kKiosk && !principal.account_id.empty()) {
    return InvalidArgument("INVALID_PRINCIPAL",
                           "a kiosk has no account of its own: members sign in on it",
                           {{"field", "account_id"}});
  }
  if (principal.role == PrincipalRole::kCoordinator && !principal.account_id.empty()) {
    if (auto s = ValidateId("account_id", principal.account_id); !s.ok()) return s;
  }
  return absl::OkStatus();
}

absl::Status CheckMayManage(const Principal& by, const Principal& principal) {
  if (by.role == PrincipalRole::kAdmin) return absl::OkStatus();
  if (by.role == PrincipalRole::kCoordinator && principal.role != PrincipalRole::kAdmin &&
      principal.bank_id == by.bank_id) {
    return absl::OkStatus();
  }
  return Denied("NOT_YOURS_TO_MANAGE",
                absl::StrCat(Describe(by), " may not manage the tokens of ", Describe(principal),
                             ": an admin manages every token, a coordinator those of their own "
                             "bank's coordinators, kiosks and partners"),
                {{"principal", by.name}, {"role", PrincipalRoleName(by.role)}});
}

absl::Status CheckMayList(const Principal& by, absl::string_view bank_id) {
  if (by.role == PrincipalRole::kAdmin || bank_id.empty() || bank_id == by.bank_id) {
    return absl::OkStatus();
  }
  return Denied("NOT_YOURS_TO_MANAGE",
                absl::StrCat(Describe(by), " may not list the tokens of bank ", bank_id,
                             ": a coordinator lists those of their own bank"),
                {{"principal", by.name}, {"role", PrincipalRoleName(by.role)}});
}

absl::Status CheckMayActIn(const Principal& by, absl::string_view bank_id) {
  if (by.MayActIn(bank_id)) return absl::OkStatus();
  return Denied("OUT_OF_SCOPE",
                absl::StrCat(by.name, " acts in bank ", by.bank_id, " only, not in ",
                             bank_id.empty() ? "every bank" : absl::StrCat("bank ", bank_id)),
                {{"principal", by.name}, {"bank_id", by.bank_id}});
}

absl::Status CheckMayRecord(const Principal& by, const EntrySpec& spec,
                            bool self_credit_needs_confirmation) {
  if (by.role == PrincipalRole::kPartner) {
    if (spec.kind != EntryKind::kSpend || spec.to_account_id != by.account_id) {
      return Denied("PARTNER_SPEND_ONLY",
                    absl::StrCat("partner ", by.name, " records only SPEND entries paid into its "
                                 "own account ", by.account_id, "; this one is ",
                                 EntryKindName(spec.kind), " to ", spec.to_account_id),
                    {{"principal", by.name}, {"account_id", by.account_id}});
    }
  }
  if (by.role == PrincipalRole::kCoordinator && by.Owns(spec.to_account_id) &&
      !self_credit_needs_confirmation) {
    return Denied("SELF_CREDIT",
                  absl::StrCat(by.name, " may not credit their own account ", spec.to_account_id,
                               ": another coordinator records it (or the bank's policy sends "
                               "self-recorded entries to the payer to confirm)"),
                  {{"principal", by.name}, {"account_id", spec.to_account_id}});
  }
  return absl::OkStatus();
}

absl::Status CheckMayReverse(const Principal& by, const Entry& original) {
  if (by.role != PrincipalRole::kCoordinator || !by.Owns(original.from_account_id)) {
    return absl::OkStatus();
  }
  return Denied("SELF_CREDIT",
                absl::StrCat(by.name, " may not reverse entry ", original.seq, ": it would credit ",
                             "their own account ", original.from_account_id,
                             "; another coordinator reverses it"),
                {{"principal", by.name}, {"account_id", original.from_account_id},
                 {"seq", std::to_string(original.seq)}});
}

absl::Status CheckMayConfirm(const Principal& by, const Entry& entry,
                             const std::optional<Principal>& recorder) {
  if (by.role != PrincipalRole::kCoordinator) return absl::OkStatus();
  if (recorder.has_value() && recorder->name != by.name && SamePerson(by, *recorder)) {
    return FailedPrecondition(
        "SELF_CONFIRMATION",
        absl::StrCat("entry ", entry.entry_id, " was recorded by ", recorder->name,
                     ", the same person as ", by.name, " (account ", by.PersonAccount(),
                     "); someone else must confirm it"),
        {{"entry_id", entry.entry_id}, {"principal", by.name}, {"recorded_by", recorder->name}});
  }
  if (by.Owns(entry.to_account_id)) {
    return Denied("SELF_CREDIT",
                  absl::StrCat(by.name, " may not confirm an entry that credits their own account ",
                               entry.to_account_id, ": the payer or another coordinator does"),
                  {{"principal", by.name}, {"account_id", entry.to_account_id}});
  }
  return absl::OkStatus();
}

absl::Status CheckMayReadAccount(const Principal& by, absl::string_view account_id) {
  if (by.role != PrincipalRole::kPartner || account_id == by.account_id) return absl::OkStatus();
  return Denied("PARTNER_OWN_ACCOUNT_ONLY",
                absl::StrCat("partner ", by.name, " reads only its own account ", by.account_id),
                {{"principal", by.name}, {"account_id", by.account_id}});
}

absl::Status CheckMayReadEntry(const Principal& by, const Entry& entry) {
  if (by.role != PrincipalRole::kPartner || entry.from_account_id == by.account_id ||
      entry.to_account_id == by.account_id) {
    return absl::OkStatus();
  }
  return Denied("PARTNER_OWN_ACCOUNT_ONLY",
                absl::StrCat("partner ", by.name, " reads only the entries that touch its account ",
                             by.account_id),
                {{"principal", by.name}, {"account_id", by.account_id}});
}

absl::Status TokenRegistry::Load() {
  std::unique_lock<std::shared_mutex> lock(mu_);
  std::vector<TokenRecord> records;
  auto status = store_->ForEachToken([&](const TokenRecord& record) {
    records.push_back(record);
    return absl::OkStatus();
  });
  if (!status.ok()) return status;
  status = store_->ForEachPrincipalBinding([&](const PrincipalBinding& binding) {
    auto& versions = bindings_[binding.principal.name];
    // Keys order a name's versions; they count up from 1 without a gap.
    if (binding.version != versions.size() + 1) return Malformed();
    versions.push_back(binding);
    return absl::OkStatus();
  });
  if (!status.ok()) return status;
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
    return Denied("ACCOUNT_HELD",
                  absl::StrCat(principal.name, " is already a coordinator of bank ",
                               principal.bank_id, ": only they hold their tokens, and an admin "
                               "makes them new ones"),
                  {{"name", principal.name}, {"held_by", principal.name}});
  }
  const bool colleague = !principal.account_id.empty() && principal.account_id == principal.name &&
                         account != nullptr && account->bank_id == principal.bank_id &&
                         account->account_id == principal.account_id &&
                         account->kind == AccountKind::kPerson && account->HasRole(Role::kStaff) &&
                         account->status == AccountStatus::kActive;
  if (!colleague) {
    return Denied("COLLEAGUE_ACCOUNT_REQUIRED",
                  absl::StrCat(by.name, " may make a coordinator only for a colleague with their "
                               "own active staff person account of bank ", principal.bank_id,
                               ", named as that account (--name ID --account ID); ",
                               principal.account_id.empty()
                                   ? std::string("this one has no account")
                                   : absl::StrCat(principal.name, " bound to ",
                                                  principal.account_id, " is not one")),
                  {{"principal", by.name}, {"name", principal.name},
                   {"account_id", principal.account_id}});
  }
  for (const auto& [name, versions] : bindings_) {
    const Principal& holder = versions.back().principal;
    if (holder.bank_id == principal.bank_id && holder.Owns(principal.account_id)) {
      return Denied("ACCOUNT_HELD",
                    absl::StrCat("account ", principal.account_id, " of bank ", principal.bank_id,
                                 " is already held by ", Describe(holder),
                                 ": one person, one principal a coordinator can make"),
                    {{"account_id", principal.account_id}, {"held_by", holder.name}});
    }
  }
  if (by.Owns(principal.account_id)) {
    return Denied("ACCOUNT_HELD",
                  absl::StrCat("account ", principal.account_id, " is ", by.name,
                               "'s own: a coordinator makes no second identity for themselves"),
                  {{"account_id", principal.account_id}, {"held_by", by.name}});
  }
  return absl::OkStatus();
}

absl::StatusOr<IssuedToken> TokenRegistry::Issue(const Principal& principal, const Principal& by,
                                                 absl::Time now, const Account* account) {
  if (auto s = ValidatePrincipal(principal); !s.ok()) return s;
  if (auto s = CheckMayManage(by, principal); !s.ok()) return s;
  std::lock_guard<std::mutex> writing(write_mu_);
  std::shared_lock<std::shared_mutex> reading(mu_);
  if (tokens_.size() >= kTokensMax) {
    return Refusal(absl::StatusCode::kResourceExhausted, "TOO_MANY_TOKENS",
                   absl::StrCat("this installation already keeps ", kTokensMax,
                                " token records, revoked ones included"),
                   {{"limit", std::to_string(kTokensMax)}});
  }
  if (auto s = CheckMayBind(principal, by, account); !s.ok()) return s;
  const PrincipalBinding* bound = Current(principal.name);
  std::optional<PrincipalBinding> rebound;
  if (bound == nullptr || !SamePrincipal(bound->principal, principal)) {
    rebound = PrincipalBinding{principal, bound == nullptr ? 1 : bound->version + 1, now, by.name};
  }
  IssuedToken issued;
  TokenRecord& record = issued.record;
  do {
    record.token_id = RandomHex(kTokenIdHexChars / 2);
  } while (tokens_.contains(record.token_id));
  const std::string secret = RandomHex(kTokenSecretHexChars / 2);
  record.principal = principal;
  record.secret_hash = Sha256::Hash(secret);
  record.created_at = now;
  record.created_by = by.name;
  reading.unlock();
  auto batch = store_->NewBatch();
  batch->PutToken(record);
  if (rebound.has_value()) batch->PutPrincipalBinding(*rebound);
  if (auto s = store_->Commit(batch.get()); !s.ok()) return s;
  issued.bearer = absl::StrCat(kBearerPrefix, record.token_id, "_", secret);
  std::unique_lock<std::shared_mutex> changing(mu_);
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
  std::lock_guard<std::mutex> writing(write_mu_);
  std::shared_lock<std::shared_mutex> reading(mu_);
  auto it = tokens_.find(token_id);
  if (it == tokens_.end()) {
    return NotFound("TOKEN_NOT_FOUND", absl::StrCat("there is no token ", token_id),
                    {{"token_id", std::string(token_id)}});
  }
  const PrincipalBinding* bound = Current(it->second.principal.name);
  TL_CHECK(bound != nullptr);
  if (auto s = CheckMayManage(by, bound->principal); !s.ok()) return s;
  if (it->second.revoked()) return it->second;
  TokenRecord revoked = it->second;
  revoked.revoked_at = now;
  revoked.revoked_by = by.name;
  reading.unlock();
  auto batch = store_->NewBatch();
  batch->PutToken(revoked);
  if (auto s = store_->Commit(batch.get()); !s.ok()) return s;
  std::unique_lock<std::shared_mutex> changing(mu_);
  it->second = revoked;  // still valid: only this writer changes the map
  return revoked;
}

absl::StatusOr<std::vector<TokenView>> TokenRegistry::List(const Principal& by,
                                                           absl::string_view bank_id,
                                                           bool include_revoked) const {
  if (auto s = CheckMayList(by, bank_id); !s.ok()) return s;
  std::shared_lock<std::shared_mutex> lock(mu_);
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
  std::shared_lock<std::shared_mutex> lock(mu_);
  const PrincipalBinding* bound = Current(name);
  if (bound == nullptr) return std::nullopt;
  return *bound;
}

std::vector<PrincipalBinding> TokenRegistry::BindingHistory(absl::string_view name) const {
  std::shared_lock<std::shared_mutex> lock(mu_);
  auto it = bindings_.find(name);
  return it == bindings_.end() ? std::vector<PrincipalBinding>() : it->second;
}

absl::StatusOr<Principal> TokenRegistry::Authenticate(absl::string_view bearer) const {
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
  std::shared_lock<std::shared_mutex> lock(mu_);
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
  return bound->principal;
}

}  // namespace timeledger::ledger
