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
#include "ledger/errors.h"
#include "ledger/records.h"
#include "ledger/store.h"
#include "ledger/validate.h"

namespace timeledger::ledger {
namespace {

constexpr uint8_t kTokenRecordVersion = 1;
constexpr char kBearerPrefix[] = "tl_";
constexpr size_t kNameBytesMax = 128;

absl::Status Malformed() {
  return Refusal(absl::StatusCode::kDataLoss, "CORRUPT_RECORD",
                 "a stored token record is damaged");
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

bool Principal::Owns(absl::string_view account) const {
  if (account.empty() || role == PrincipalRole::kAdmin) return false;
  return account == account_id || (role == PrincipalRole::kCoordinator && account == name);
}

std::string EncodeTokenRecord(const TokenRecord& record) {
  std::string out;
  out.push_back(static_cast<char>(kTokenRecordVersion));
  PutLengthPrefixed(&out, record.token_id);
  PutLengthPrefixed(&out, record.principal.name);
  out.push_back(static_cast<char>(record.principal.role));
  PutLengthPrefixed(&out, record.principal.bank_id);
  PutLengthPrefixed(&out, record.principal.account_id);
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
  uint8_t role = 0;
  absl::string_view hash;
  if (!reader.ReadByte(&version) || version != kTokenRecordVersion ||
      !reader.ReadLengthPrefixed(&record.token_id, kTokenIdHexChars) ||
      !reader.ReadLengthPrefixed(&record.principal.name, kNameBytesMax) ||
      !reader.ReadByte(&role) || role < 1 || role > 4 ||
      !reader.ReadLengthPrefixed(&record.principal.bank_id, kNameBytesMax) ||
      !reader.ReadLengthPrefixed(&record.principal.account_id, kNameBytesMax) ||
      !reader.ReadBytes(kDigestBytes, &hash) || !ReadTime(&reader, &record.created_at) ||
      !reader.ReadLengthPrefixed(&record.created_by, kNameBytesMax) ||
      !ReadTime(&reader, &record.revoked_at) ||
      !reader.ReadLengthPrefixed(&record.revoked_by, kNameBytesMax) || !reader.done()) {
    return Malformed();
  }
  record.principal.role = static_cast<PrincipalRole>(role);
  std::copy(hash.begin(), hash.end(), record.secret_hash.begin());
  return record;
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

absl::Status CheckMayConfirm(const Principal& by, const Entry& entry) {
  if (by.role == PrincipalRole::kCoordinator && by.Owns(entry.to_account_id)) {
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
  std::sort(records.begin(), records.end(), [](const TokenRecord& a, const TokenRecord& b) {
    return std::tie(a.created_at, a.token_id) < std::tie(b.created_at, b.token_id);
  });
  for (auto& record : records) {
    order_.push_back(record.token_id);
    tokens_.emplace(record.token_id, std::move(record));
  }
  return absl::OkStatus();
}

absl::StatusOr<IssuedToken> TokenRegistry::Issue(const Principal& principal, const Principal& by,
                                                 absl::Time now) {
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
  for (const auto& [id, record] : tokens_) {
    if (!record.revoked() && record.principal.name == principal.name &&
        (record.principal.bank_id == principal.bank_id ||
         record.principal.role == PrincipalRole::kAdmin ||
         principal.role == PrincipalRole::kAdmin) &&
        !SamePrincipal(record.principal, principal)) {
      return AlreadyExists(
          "PRINCIPAL_CONFLICT",
          absl::StrCat(principal.name, " already holds live tokens as ", Describe(record.principal),
                       "; revoke them first, or choose another name"),
          {{"name", principal.name}, {"token_id", record.token_id}});
    }
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
  if (auto s = store_->Commit(batch.get()); !s.ok()) return s;
  issued.bearer = absl::StrCat(kBearerPrefix, record.token_id, "_", secret);
  std::unique_lock<std::shared_mutex> changing(mu_);
  order_.push_back(record.token_id);
  tokens_.emplace(record.token_id, record);
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
  if (auto s = CheckMayManage(by, it->second.principal); !s.ok()) return s;
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

std::vector<TokenRecord> TokenRegistry::List(const Principal& by, absl::string_view bank_id,
                                             bool include_revoked) const {
  std::shared_lock<std::shared_mutex> lock(mu_);
  std::vector<TokenRecord> out;
  for (const auto& id : order_) {
    const TokenRecord& record = tokens_.at(id);
    if (!include_revoked && record.revoked()) continue;
    if (!bank_id.empty() && record.principal.bank_id != bank_id) continue;
    if (!CheckMayManage(by, record.principal).ok()) continue;
    out.push_back(record);
  }
  return out;
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
  return it->second.principal;
}

}  // namespace timeledger::ledger
