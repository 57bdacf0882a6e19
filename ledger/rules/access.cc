#include "ledger/rules/access.h"

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

namespace timeledger::ledger {
namespace {

constexpr uint8_t kTokenRecordVersion = 1;
constexpr uint8_t kBoundTokenRecordVersion = 2;  // version 1, then the client subject
constexpr uint8_t kBindingRecordVersion = 1;
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
  return Refuse(Reason::kCorruptRecord, "a stored token or principal binding record is damaged");
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

}  // namespace

bool SamePrincipal(const Principal& a, const Principal& b) {
  return a.name == b.name && a.role == b.role && a.bank_id == b.bank_id &&
         a.account_id == b.account_id;
}

std::string Describe(const Principal& principal) {
  if (principal.role == PrincipalRole::kAdmin) return absl::StrCat(principal.name, " (admin)");
  return absl::StrCat(principal.name, " (", PrincipalRoleName(principal.role), " of ",
                      principal.bank_id, ")");
}

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

Principal AdminNamed(std::string name) {
  Principal principal;
  principal.name = std::move(name);
  principal.role = PrincipalRole::kAdmin;
  return principal;
}

Principal MemberAtKiosk(std::string bank_id, std::string account_id) {
  Principal principal;
  principal.name = account_id;
  principal.role = PrincipalRole::kKiosk;
  principal.bank_id = std::move(bank_id);
  principal.account_id = std::move(account_id);
  return principal;
}

bool SamePerson(const Principal& a, const Principal& b) {
  if (a.name == b.name) return true;
  const absl::string_view account = a.PersonAccount();
  return !account.empty() && a.bank_id == b.bank_id && b.Owns(account);
}

std::string EncodeTokenRecord(const TokenRecord& record) {
  std::string out;
  const bool bound = !record.client_subject.empty();
  out.push_back(static_cast<char>(bound ? kBoundTokenRecordVersion : kTokenRecordVersion));
  PutLengthPrefixed(&out, record.token_id);
  PutPrincipal(&out, record.principal);
  out.append(reinterpret_cast<const char*>(record.secret_hash.data()), record.secret_hash.size());
  PutTime(&out, record.created_at);
  PutLengthPrefixed(&out, record.created_by);
  PutTime(&out, record.revoked_at);
  PutLengthPrefixed(&out, record.revoked_by);
  if (bound) PutLengthPrefixed(&out, record.client_subject);
  return out;
}

absl::StatusOr<TokenRecord> DecodeTokenRecord(absl::string_view bytes) {
  Reader reader(bytes);
  TokenRecord record;
  uint8_t version = 0;
  absl::string_view hash;
  if (!reader.ReadByte(&version) ||
      (version != kTokenRecordVersion && version != kBoundTokenRecordVersion) ||
      !reader.ReadLengthPrefixed(&record.token_id, kTokenIdHexChars) ||
      !ReadPrincipal(&reader, &record.principal) || !reader.ReadBytes(kDigestBytes, &hash) ||
      !ReadTime(&reader, &record.created_at) ||
      !reader.ReadLengthPrefixed(&record.created_by, kNameBytesMax) ||
      !ReadTime(&reader, &record.revoked_at) ||
      !reader.ReadLengthPrefixed(&record.revoked_by, kNameBytesMax)) {
    return Malformed();
  }
  // A bound record carries a subject, and only a bound one is written as version 2.
  if (version == kBoundTokenRecordVersion &&
      (!reader.ReadLengthPrefixed(&record.client_subject, kClientSubjectBytesMax) ||
       record.client_subject.empty())) {
    return Malformed();
  }
  if (!reader.done()) return Malformed();
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
    return Refuse(Reason::kInvalidPrincipal,
                  "an admin is of the whole installation: it takes no bank and no account");
  }
  if (!admin) {
    if (auto s = ValidateId("bank_id", principal.bank_id); !s.ok()) return s;
  }
  if (principal.role == PrincipalRole::kPartner) {
    if (auto s = ValidateId("account_id", principal.account_id); !s.ok()) {
      return Refuse(Reason::kInvalidPrincipal,
                    "a partner is bound to one organisation account: give its account id",
                    {{"field", "account_id"}});
    }
  }
  if (principal.role == PrincipalRole::kKiosk && !principal.account_id.empty()) {
    return Refuse(Reason::kInvalidPrincipal,
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
  return Refuse(Reason::kNotYoursToManage,
                absl::StrCat(Describe(by), " may not manage the tokens of ", Describe(principal),
                             ": an admin manages every token, a coordinator those of their own "
                             "bank's coordinators, kiosks and partners"),
                {{"principal", by.name}, {"role", PrincipalRoleName(by.role)}});
}

absl::Status CheckMayList(const Principal& by, absl::string_view bank_id) {
  if (by.role == PrincipalRole::kAdmin || bank_id.empty() || bank_id == by.bank_id) {
    return absl::OkStatus();
  }
  return Refuse(Reason::kNotYoursToManage,
                absl::StrCat(Describe(by), " may not list the tokens of bank ", bank_id,
                             ": a coordinator lists those of their own bank"),
                {{"principal", by.name}, {"role", PrincipalRoleName(by.role)}});
}

absl::Status CheckMayActIn(const Principal& by, absl::string_view bank_id) {
  if (by.MayActIn(bank_id)) return absl::OkStatus();
  return Refuse(Reason::kOutOfScope,
                absl::StrCat(by.name, " acts in bank ", by.bank_id, " only, not in ",
                             bank_id.empty() ? "every bank" : absl::StrCat("bank ", bank_id)),
                {{"principal", by.name}, {"bank_id", by.bank_id}});
}

namespace {

absl::Status RoleNotAllowed(const Principal& by, absl::string_view roles) {
  return Refuse(Reason::kRoleNotAllowed,
                absl::StrCat(by.name, " is a ", PrincipalRoleName(by.role),
                             ", and this write is for ", roles),
                {{"principal", by.name}, {"role", PrincipalRoleName(by.role)}});
}

}  // namespace

absl::Status CheckStaffOf(const Principal& by, absl::string_view bank_id) {
  if (by.role != PrincipalRole::kAdmin && by.role != PrincipalRole::kCoordinator) {
    return RoleNotAllowed(by, "admin, coordinator");
  }
  return CheckMayActIn(by, bank_id);
}

absl::Status CheckAdmin(const Principal& by) {
  if (by.role == PrincipalRole::kAdmin) return absl::OkStatus();
  return RoleNotAllowed(by, "admin");
}

absl::Status CheckMayRecord(const Principal& by, const EntrySpec& spec,
                            bool self_credit_needs_confirmation) {
  // History moved in passes by the rules of the present (no confirmation, floor or cap): only
  // the installation's admin moves a bank in, or a coordinator could credit anyone, themselves
  // included, past every rule.
  if (spec.imported && by.role != PrincipalRole::kAdmin) {
    return Refuse(Reason::kRoleNotAllowed,
                  absl::StrCat(by.name,
                               " may not import entries: moving a bank's history in is "
                               "the admin's"),
                  {{"principal", by.name}});
  }
  if (by.role == PrincipalRole::kPartner) {
    if (spec.kind != EntryKind::kSpend || spec.to_account_id != by.account_id) {
      return Refuse(Reason::kPartnerSpendOnly,
                    absl::StrCat("partner ", by.name,
                                 " records only SPEND entries paid into its "
                                 "own account ",
                                 by.account_id, "; this one is ", EntryKindName(spec.kind), " to ",
                                 spec.to_account_id),
                    {{"principal", by.name}, {"account_id", by.account_id}});
    }
  }
  if (by.role == PrincipalRole::kCoordinator && by.Owns(spec.to_account_id) &&
      !self_credit_needs_confirmation) {
    return Refuse(Reason::kSelfCredit,
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
  return Refuse(Reason::kSelfCredit,
                absl::StrCat(by.name, " may not reverse entry ", original.seq, ": it would credit ",
                             "their own account ", original.from_account_id,
                             "; another coordinator reverses it"),
                {{"principal", by.name},
                 {"account_id", original.from_account_id},
                 {"seq", std::to_string(original.seq)}});
}

absl::Status CheckMayConfirm(const Principal& by, const Entry& entry,
                             const std::optional<Principal>& recorder) {
  if (by.role != PrincipalRole::kCoordinator) return absl::OkStatus();
  if (recorder.has_value() && recorder->name != by.name && SamePerson(by, *recorder)) {
    return Refuse(
        Reason::kSelfConfirmation,
        absl::StrCat("entry ", entry.entry_id, " was recorded by ", recorder->name,
                     ", the same person as ", by.name, " (account ", by.PersonAccount(),
                     "); someone else must confirm it"),
        {{"entry_id", entry.entry_id}, {"principal", by.name}, {"recorded_by", recorder->name}});
  }
  if (by.Owns(entry.to_account_id)) {
    return Refuse(Reason::kSelfCredit,
                  absl::StrCat(by.name, " may not confirm an entry that credits their own account ",
                               entry.to_account_id, ": the payer or another coordinator does"),
                  {{"principal", by.name}, {"account_id", entry.to_account_id}});
  }
  return absl::OkStatus();
}

absl::Status ValidateClientSubject(absl::string_view subject) {
  const bool printable =
      std::all_of(subject.begin(), subject.end(), [](char c) { return c >= 0x20 && c < 0x7f; });
  if (subject.size() <= kClientSubjectBytesMax && printable) return absl::OkStatus();
  return Refuse(
      Reason::kInvalidText,
      absl::StrCat("a client certificate subject is at most ", kClientSubjectBytesMax,
                   " bytes of printable ASCII, as RFC 2253 writes it (CN=...,O=...)"),
      {{"field", "client_certificate_subject"}, {"limit", std::to_string(kClientSubjectBytesMax)}});
}

absl::Status CheckClientCertificate(const Credential& credential, absl::string_view presented) {
  if (credential.client_subject.empty() || presented == credential.client_subject) {
    return absl::OkStatus();
  }
  return Refuse(Reason::kCertificateMismatch,
                absl::StrCat("token ", credential.token_id, " of a ",
                             PrincipalRoleName(credential.principal.role),
                             " is bound to a client certificate, and this call came with ",
                             presented.empty() ? "none" : "a certificate of another subject",
                             ": call over TLS with the certificate the token was made for"),
                {{"token_id", credential.token_id}, {"presented_subject", EchoOf(presented)}});
}

absl::Status CheckMayReadAccount(const Principal& by, absl::string_view account_id) {
  if (by.role != PrincipalRole::kPartner || account_id == by.account_id) return absl::OkStatus();
  return Refuse(Reason::kPartnerOwnAccountOnly,
                absl::StrCat("partner ", by.name, " reads only its own account ", by.account_id),
                {{"principal", by.name}, {"account_id", by.account_id}});
}

absl::Status CheckMayReadEntry(const Principal& by, const Entry& entry) {
  if (by.role != PrincipalRole::kPartner || entry.from_account_id == by.account_id ||
      entry.to_account_id == by.account_id) {
    return absl::OkStatus();
  }
  return Refuse(Reason::kPartnerOwnAccountOnly,
                absl::StrCat("partner ", by.name, " reads only the entries that touch its account ",
                             by.account_id),
                {{"principal", by.name}, {"account_id", by.account_id}});
}

absl::StatusOr<std::string> AccountToList(const Principal& by, absl::string_view requested) {
  if (by.role == PrincipalRole::kPartner && requested.empty()) return by.account_id;
  if (auto s = CheckMayReadAccount(by, requested); !s.ok()) return s;
  return std::string(requested);
}

}  // namespace timeledger::ledger
