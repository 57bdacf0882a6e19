#include "services/access.h"

#include <algorithm>
#include <memory>
#include <optional>
#include <utility>
#include <vector>

#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include <grpc/grpc_security_constants.h>

#include "ledger/core/errors.h"

namespace timeledger::services {
namespace {

using ledger::PrincipalRole;

constexpr RoleSet kStaff = kAdmin | kCoordinator;

// The permission table. A role not named may not make the call; the note says what the handler
// checks beyond the role.
constexpr Permission kPermissions[] = {
    {"Access/CreateToken", kStaff, Scope::kNone,
     "a coordinator: kiosk and partner tokens of their own bank, their own, and a new colleague's "
     "named as their own staff account"},
    {"Access/ListTokens", kStaff, Scope::kNone, "a coordinator: their own bank's tokens"},
    {"Access/RevokeToken", kStaff, Scope::kNone, "a coordinator: their own bank's tokens"},
    {"Access/WhoAmI", kAnyRole, Scope::kNone, ""},

    {"Banks/CreateBank", kAdmin, Scope::kNone, ""},
    {"Banks/GetBank", kAnyRole, Scope::kBank, ""},
    {"Banks/ListBanks", kAnyRole, Scope::kNone, "others than an admin see their own bank only"},

    {"Accounts/OpenAccount", kStaff, Scope::kBank, ""},
    {"Accounts/GetAccount", kStaff | kPartner, Scope::kBank, "a partner: its own account"},
    {"Accounts/ListAccounts", kStaff, Scope::kBank, ""},
    {"Accounts/SuspendAccount", kStaff, Scope::kBank, ""},
    {"Accounts/ReactivateAccount", kStaff, Scope::kBank, ""},
    {"Accounts/CloseAccount", kStaff, Scope::kBank, ""},
    {"Accounts/ReopenAccount", kStaff, Scope::kBank, ""},
    {"Accounts/ChangeAccount", kStaff, Scope::kBank, ""},
    {"Accounts/ErasePersonalData", kStaff, Scope::kBank, ""},

    {"Ledger/RecordEntry", kStaff | kPartner, Scope::kBank,
     "a partner: SPEND into its own account; a coordinator: not to their own account"},
    {"Ledger/RecordEntries", kStaff | kPartner, Scope::kBank, "as RecordEntry, for each entry"},
    {"Ledger/ReverseEntry", kStaff, Scope::kBank, ""},
    {"Ledger/GetEntry", kStaff | kPartner, Scope::kBank,
     "a partner: entries that touch its account"},
    {"Ledger/ListEntries", kStaff | kPartner, Scope::kBank,
     "a partner: its own account's, named or not"},
    {"Ledger/CheckEntry", kStaff | kPartner, Scope::kBank, "as RecordEntry"},
    {"Ledger/ConfirmEntry", kStaff, Scope::kBank,
     "a coordinator: not an entry to their own account, nor one they recorded"},
    {"Ledger/RejectEntry", kStaff, Scope::kBank, ""},
    {"Ledger/ListPendingEntries", kStaff, Scope::kBank, ""},
    {"Ledger/RunExpirySweep", kStaff, Scope::kBank, ""},

    {"Policies/GetPolicy", kStaff | kPartner, Scope::kBank, ""},
    {"Policies/SetPolicy", kStaff, Scope::kBank, ""},
    {"Policies/ValidatePolicy", kStaff, Scope::kNone, ""},
    {"Policies/ListPolicyChanges", kStaff, Scope::kBank, ""},

    {"Audit/GetDigest", kStaff | kPartner, Scope::kBank, ""},
    {"Audit/GetInclusionProof", kStaff, Scope::kBank, ""},
    {"Audit/GetConsistencyProof", kStaff | kPartner, Scope::kBank, ""},
    {"Audit/Verify", kStaff, Scope::kBank, "every bank at once: an admin"},
    {"Audit/ListJournal", kStaff, Scope::kBank, ""},
    {"Audit/WatchJournal", kStaff | kPartner, Scope::kBank,
     "a partner: the facts that touch its own account"},
    {"Backups/CreateBackup", kAdmin, Scope::kNone, ""},
    {"Backups/ListBackups", kAdmin, Scope::kNone, ""},

    {"Reports/GetPeriodReport", kStaff, Scope::kBank, ""},
    {"Reports/GetStatement", kStaff, Scope::kBank, ""},

    {"Catalogue/PutCatalogueItem", kStaff, Scope::kBank, ""},
    {"Catalogue/RetireCatalogueItem", kStaff, Scope::kBank, ""},
    {"Catalogue/GetCatalogueItem", kAnyRole, Scope::kBank, ""},
    {"Catalogue/ListCatalogue", kAnyRole, Scope::kBank, ""},
    {"Qualifications/AwardQualification", kStaff, Scope::kBank,
     "the awarder is active staff of the bank, and not the holder"},
    {"Qualifications/RedeemOffer", kStaff, Scope::kBank, ""},
    {"Qualifications/ListQualifications", kStaff, Scope::kBank, ""},
    {"Qualifications/ListHolders", kStaff, Scope::kBank, ""},

    {"Kiosk/SetMemberCard", kStaff, Scope::kBank, ""},
    {"Kiosk/SetMemberPin", kStaff, Scope::kBank, ""},
    {"Kiosk/SetMemberLanguage", kStaff, Scope::kBank, ""},
    {"Kiosk/GetMemberCard", kStaff, Scope::kBank, ""},
    {"Kiosk/SignIn", kKiosk, Scope::kBank, ""},
    {"Kiosk/SignOut", kKiosk, Scope::kNone, "its own sessions only"},
    {"Kiosk/GetMemberSummary", kKiosk, Scope::kNone, "the member signed in on it"},
    {"Kiosk/ConfirmMemberEntry", kKiosk, Scope::kNone, "the member's entries, for the member"},
    {"Kiosk/RejectMemberEntry", kKiosk, Scope::kNone, "the member's entries, for the member"},
};

const Permission* FindPermission(absl::string_view method) {
  for (const Permission& permission : kPermissions) {
    if (method == permission.method) return &permission;
  }
  return nullptr;
}

std::string RoleWords(RoleSet roles) {
  std::string out;
  for (PrincipalRole role : {PrincipalRole::kAdmin, PrincipalRole::kCoordinator,
                             PrincipalRole::kKiosk, PrincipalRole::kPartner}) {
    if ((roles & RoleBit(role)) == 0) continue;
    absl::StrAppend(&out, out.empty() ? "" : ", ", ledger::PrincipalRoleName(role));
  }
  return out;
}

// The value of the "authorization" metadata, or nullopt if the call has none.
std::optional<absl::string_view> AuthorizationOf(const grpc::CallbackServerContext* context) {
  const auto& metadata = context->client_metadata();
  auto it = metadata.find(kAuthorizationMetadata);
  if (it == metadata.end()) return std::nullopt;
  return absl::string_view(it->second.data(), it->second.size());
}

// The token of "Bearer <token>", or "" if `authorization` is not one.
absl::string_view BearerOf(absl::string_view authorization) {
  constexpr absl::string_view kScheme = "bearer ";
  if (authorization.size() <= kScheme.size() ||
      !absl::StartsWithIgnoreCase(authorization, kScheme)) {
    return "";
  }
  return absl::StripAsciiWhitespace(authorization.substr(kScheme.size()));
}

// The subject of the client certificate the call's connection was made with, as RFC 2253 writes
// it (gRPC takes it from the certificate it verified against --tls-client-ca), or "" for none.
std::string ClientSubjectOf(const grpc::CallbackServerContext* context) {
  const std::shared_ptr<const grpc::AuthContext> auth = context->auth_context();
  if (auth == nullptr) return "";
  const std::vector<grpc::string_ref> subjects =
      auth->FindPropertyValues(GRPC_X509_SUBJECT_PROPERTY_NAME);
  if (subjects.empty()) return "";
  return std::string(subjects.front().data(), subjects.front().size());
}

// `refusal` (UNAUTHENTICATED) with what any caller of the API must send, as figures a program
// can show: partners do not read the CLI's help.
absl::Status SayingWhatToSend(absl::Status refusal) {
  refusal = ledger::WithFigure(std::move(refusal), "metadata", kAuthorizationMetadata);
  return ledger::WithFigure(std::move(refusal), "expected", "Bearer tl_<token_id>_<secret>");
}

// The refusal of a call that carries no bearer token: what to send first, the CLI second.
absl::Status NoBearer(bool has_authorization) {
  return SayingWhatToSend(ledger::Refuse(
      ledger::Reason::kUnauthenticated,
      absl::StrCat(
          "this call needs a token",
          has_authorization ? ", and its \"authorization\" metadata is not a bearer one" : "",
          ": send the metadata \"authorization: Bearer <token>\" with every call, with "
          "a token made for you by the bank (CreateToken). The timeledger CLI reads it "
          "from --token-file, $TIMELEDGER_TOKEN or ./var/admin.token")));
}

}  // namespace

absl::Span<const Permission> PermissionTable() { return kPermissions; }

std::string PermissionTableMarkdown() {
  std::string out =
      "| call | admin | coordinator | kiosk | partner | bank-scoped | beyond the role |\n"
      "|---|---|---|---|---|---|---|\n";
  for (const Permission& p : kPermissions) {
    auto mark = [&](PrincipalRole role) { return (p.roles & RoleBit(role)) != 0 ? "yes" : "-"; };
    absl::StrAppend(&out, "| ", p.method, " | ", mark(PrincipalRole::kAdmin), " | ",
                    mark(PrincipalRole::kCoordinator), " | ", mark(PrincipalRole::kKiosk), " | ",
                    mark(PrincipalRole::kPartner), " | ", p.scope == Scope::kBank ? "yes" : "no",
                    " | ", p.note, " |\n");
  }
  return out;
}

absl::StatusOr<ledger::Principal> Gate::Admit(const grpc::CallbackServerContext* context,
                                              absl::string_view method, absl::string_view bank_id) {
  const std::optional<absl::string_view> authorization = AuthorizationOf(context);
  const absl::string_view bearer = BearerOf(authorization.value_or(""));
  if (bearer.empty()) return NoBearer(authorization.has_value());
  auto credential = ledger_->tokens().AuthenticateToken(bearer);
  if (!credential.ok()) return SayingWhatToSend(credential.status());
  const ledger::Principal* principal = &credential->principal;
  if (principals_ != nullptr) {
    principals_->Name(context, principal->bank_id.empty()
                                   ? principal->name
                                   : absl::StrCat(principal->name, "@", principal->bank_id));
  }
  // Before the role is even looked at: a token copied away from its certificate proves nothing.
  if (auto s = ledger::CheckClientCertificate(*credential, ClientSubjectOf(context)); !s.ok()) {
    return s;
  }
  const Permission* permission = FindPermission(method);
  if (permission == nullptr || (permission->roles & RoleBit(principal->role)) == 0) {
    return ledger::Refuse(
        ledger::Reason::kRoleNotAllowed,
        absl::StrCat(principal->name, " is a ", ledger::PrincipalRoleName(principal->role),
                     ", and ", method, " is for ",
                     permission == nullptr ? "no one" : RoleWords(permission->roles)),
        {{"principal", principal->name},
         {"role", ledger::PrincipalRoleName(principal->role)},
         {"method", std::string(method)}});
  }
  if (permission->scope == Scope::kBank) {
    if (auto s = ledger::CheckMayActIn(*principal, bank_id); !s.ok()) return s;
  }
  if (auto s = Spend(*principal); !s.ok()) return s;
  return *principal;
}

absl::Status Gate::Spend(const ledger::Principal& principal) {
  RateLimit limit;
  switch (principal.role) {
    case PrincipalRole::kAdmin:
      return absl::OkStatus();
    case PrincipalRole::kCoordinator:
      limit = options_.coordinator;
      break;
    case PrincipalRole::kKiosk:
      limit = options_.kiosk;
      break;
    case PrincipalRole::kPartner:
      limit = options_.partner;
      break;
  }
  if (limit.per_second <= 0) return absl::OkStatus();
  const absl::Time now = ledger_->Now();
  absl::MutexLock lock(&mu_);
  Bucket& bucket = buckets_[absl::StrCat(principal.name, "@", principal.bank_id)];
  if (bucket.refilled == absl::InfinitePast()) {
    bucket.tokens = limit.burst;
  } else {
    const double elapsed = std::max(0.0, absl::ToDoubleSeconds(now - bucket.refilled));
    bucket.tokens = std::min(limit.burst, bucket.tokens + elapsed * limit.per_second);
  }
  bucket.refilled = now;
  if (bucket.tokens >= 1) {
    bucket.tokens -= 1;
    return absl::OkStatus();
  }
  const int64_t wait_ms = static_cast<int64_t>((1 - bucket.tokens) / limit.per_second * 1000) + 1;
  return ledger::Refuse(
      ledger::Reason::kRateLimited,
      absl::StrCat(principal.name, " has made more than ", limit.per_second,
                   " calls a second; try again in ", wait_ms, " ms"),
      {{"principal", principal.name}, {"retry_after_ms", std::to_string(wait_ms)}});
}

}  // namespace timeledger::services
