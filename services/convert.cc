#include "services/convert.h"

#include "google/rpc/error_details.pb.h"
#include "google/rpc/status.pb.h"
#include "ledger/errors.h"

namespace timeledger::services {
namespace {

constexpr char kErrorDomain[] = "timeledger.v1";
// Timestamps the wire may carry: 0001-01-01 to 9999-12-31, as google.protobuf.Timestamp says.
constexpr int64_t kTimestampSecondsMin = -62135596800;
constexpr int64_t kTimestampSecondsMax = 253402300799;

absl::Status BadEnum(const char* field, int value) {
  return ledger::InvalidArgument("INVALID_ENUM",
                                 std::string(field) + " has an unknown value " +
                                     std::to_string(value),
                                 {{"field", field}});
}

// A reason for errors that carry none (e.g. a cancelled call), so every error has one.
std::string ReasonOrCode(const absl::Status& status) {
  std::string reason = ledger::ReasonOf(status);
  return reason.empty() ? absl::StatusCodeToString(status.code()) : reason;
}

}  // namespace

grpc::Status ToGrpcStatus(const absl::Status& status) {
  if (status.ok()) return grpc::Status::OK;
  google::rpc::ErrorInfo info;
  info.set_reason(ReasonOrCode(status));
  info.set_domain(kErrorDomain);
  for (const auto& [name, value] : ledger::FiguresOf(status)) {
    (*info.mutable_metadata())[name] = value;
  }
  google::rpc::Status details;
  details.set_code(static_cast<int>(status.code()));
  details.set_message(std::string(status.message()));
  details.add_details()->PackFrom(info);
  return grpc::Status(static_cast<grpc::StatusCode>(status.code()), std::string(status.message()),
                      details.SerializeAsString());
}

void ToProblem(const absl::Status& status, v1::Problem* problem) {
  problem->set_code(static_cast<int>(status.code()));
  problem->set_reason(ReasonOrCode(status));
  problem->set_message(std::string(status.message()));
  for (const auto& [name, value] : ledger::FiguresOf(status)) {
    (*problem->mutable_metadata())[name] = value;
  }
}

absl::StatusOr<absl::Time> FromProto(const google::protobuf::Timestamp& timestamp) {
  if (timestamp.seconds() < kTimestampSecondsMin || timestamp.seconds() > kTimestampSecondsMax ||
      timestamp.nanos() < 0 || timestamp.nanos() > 999'999'999) {
    return ledger::InvalidArgument("INVALID_TIMESTAMP", "a timestamp is out of range",
                                   {{"field", "timestamp"}});
  }
  return absl::FromUnixSeconds(timestamp.seconds()) + absl::Nanoseconds(timestamp.nanos());
}

void ToProto(absl::Time time, google::protobuf::Timestamp* timestamp) {
  const int64_t micros = absl::ToUnixMicros(time);
  int64_t seconds = micros / 1'000'000;
  int64_t rest = micros % 1'000'000;
  if (rest < 0) {
    rest += 1'000'000;
    --seconds;
  }
  timestamp->set_seconds(seconds);
  timestamp->set_nanos(static_cast<int32_t>(rest * 1000));
}

absl::StatusOr<ledger::AccountKind> FromProto(v1::AccountKind kind) {
  switch (kind) {
    case v1::PERSON: return ledger::AccountKind::kPerson;
    case v1::ORGANISATION: return ledger::AccountKind::kOrganisation;
    case v1::POOL: return ledger::AccountKind::kPool;
    case v1::ACCOUNT_KIND_UNSPECIFIED:
      return ledger::InvalidArgument("INVALID_KIND",
                                     "kind is missing: PERSON, ORGANISATION or POOL",
                                     {{"field", "kind"}});
    default: return BadEnum("kind", kind);
  }
}

absl::StatusOr<ledger::Role> FromProto(v1::Role role) {
  switch (role) {
    case v1::MEMBER: return ledger::Role::kMember;
    case v1::VOLUNTEER: return ledger::Role::kVolunteer;
    case v1::STAFF: return ledger::Role::kStaff;
    default: return BadEnum("roles", role);
  }
}

absl::StatusOr<ledger::EntryKind> FromProto(v1::EntryKind kind) {
  switch (kind) {
    case v1::ENTRY_KIND_UNSPECIFIED:
    case v1::EXCHANGE: return ledger::EntryKind::kExchange;
    case v1::AWARD: return ledger::EntryKind::kAward;
    case v1::SPEND: return ledger::EntryKind::kSpend;
    case v1::DONATION: return ledger::EntryKind::kDonation;
    case v1::GRANT: return ledger::EntryKind::kGrant;
    case v1::REVERSAL: return ledger::EntryKind::kReversal;
    default: return BadEnum("kind", kind);
  }
}

absl::StatusOr<ledger::Account> FromProto(const v1::OpenAccountRequest& request) {
  ledger::Account account;
  account.bank_id = request.bank_id();
  account.account_id = request.account_id();
  account.display_name = request.display_name();
  auto kind = FromProto(request.kind());
  if (!kind.ok()) return kind.status();
  account.kind = *kind;
  if (request.roles_size() > static_cast<int>(ledger::kRolesMax)) {
    return ledger::InvalidArgument("INVALID_ROLES", "roles must not repeat", {{"field", "roles"}});
  }
  for (int role_value : request.roles()) {
    auto role = FromProto(static_cast<v1::Role>(role_value));
    if (!role.ok()) return role.status();
    account.roles.push_back(*role);
  }
  return account;
}

absl::StatusOr<ledger::EntrySpec> FromProto(const v1::RecordEntryRequest& request) {
  ledger::EntrySpec spec;
  spec.bank_id = request.bank_id();
  spec.entry_id = request.entry_id();
  auto kind = FromProto(request.kind());
  if (!kind.ok()) return kind.status();
  spec.kind = *kind;
  spec.from_account_id = request.from_account_id();
  spec.to_account_id = request.to_account_id();
  spec.minutes = request.minutes();
  spec.activity = request.activity();
  spec.note = request.note();
  if (request.has_occurred_at()) {
    auto occurred_at = FromProto(request.occurred_at());
    if (!occurred_at.ok()) return ledger::WithFigure(occurred_at.status(), "field", "occurred_at");
    spec.occurred_at = *occurred_at;
  }
  return spec;
}

void ToProto(const ledger::BankSummary& summary, v1::Bank* bank) {
  bank->set_bank_id(summary.bank.bank_id);
  bank->set_name(summary.bank.name);
  bank->set_time_zone(summary.bank.time_zone);
  ToProto(summary.bank.created_at, bank->mutable_created_at());
  bank->set_account_count(static_cast<int64_t>(summary.account_count));
  bank->set_entry_count(summary.entry_count);
  bank->set_pool_account_id(ledger::kPoolAccountId);
}

void ToProto(const ledger::Account& account, v1::Account* out) {
  out->set_bank_id(account.bank_id);
  out->set_account_id(account.account_id);
  out->set_kind(static_cast<v1::AccountKind>(account.kind));
  for (ledger::Role role : account.roles) out->add_roles(static_cast<v1::Role>(role));
  out->set_display_name(account.display_name);
  out->set_status(static_cast<v1::AccountStatus>(account.status));
  out->set_balance_minutes(account.balance_minutes);
  out->set_earned_minutes(account.earned_minutes);
  out->set_spent_minutes(account.spent_minutes);
  ToProto(account.opened_at, out->mutable_opened_at());
  out->set_entry_count(account.entry_count);
}

void ToProto(const ledger::Entry& entry, v1::Entry* out) {
  out->set_bank_id(entry.bank_id);
  out->set_entry_id(entry.entry_id);
  out->set_kind(static_cast<v1::EntryKind>(entry.kind));
  out->set_from_account_id(entry.from_account_id);
  out->set_to_account_id(entry.to_account_id);
  out->set_minutes(entry.minutes);
  out->set_activity(entry.activity);
  out->set_note(entry.note);
  ToProto(entry.occurred_at, out->mutable_occurred_at());
  out->set_seq(entry.seq);
  ToProto(entry.recorded_at, out->mutable_recorded_at());
  out->set_recorded_by(entry.recorded_by);
  out->set_reverses_seq(entry.reverses_seq);
  out->set_hash(entry.hash.data(), entry.hash.size());
  out->set_reversed_by_seq(entry.reversed_by_seq);
}

void ToProto(const ledger::Receipt& receipt, v1::RecordEntryResponse* out) {
  ToProto(receipt.entry, out->mutable_entry());
  out->set_replayed(receipt.replayed);
  out->set_from_balance_minutes(receipt.from_balance_minutes);
  out->set_to_balance_minutes(receipt.to_balance_minutes);
}

}  // namespace timeledger::services
