#include "clients/kiosk/kiosk_api.h"

#include <sodium.h>

#include <algorithm>
#include <cstdlib>
#include <fstream>
#include <map>
#include <optional>

#include "absl/strings/ascii.h"
#include "absl/strings/escaping.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_replace.h"
#include "absl/time/time.h"
#include "google/protobuf/struct.pb.h"
#include "google/protobuf/util/json_util.h"

#include "clients/common/error_info.h"
#include "clients/kiosk/member_words.h"
#include "grpc/health/v1/health.grpc.pb.h"
#include "timeledger/v1/banks.grpc.pb.h"

namespace timeledger::kiosk {
namespace {

using google::protobuf::Struct;
using google::protobuf::Value;

constexpr std::chrono::seconds kCallDeadline{5};
constexpr std::chrono::seconds kSignInDeadline{15};  // PIN checks are slow on purpose
constexpr std::chrono::seconds kStatusDeadline{2};
constexpr size_t kSessionIdLength = 64;
constexpr char kSessionHeader[] = "X-Kiosk-Session";

Value Str(const std::string& text) {
  Value value;
  value.set_string_value(text);
  return value;
}
Value Num(int64_t number) {
  Value value;
  value.set_number_value(static_cast<double>(number));
  return value;
}
Value Bool(bool flag) {
  Value value;
  value.set_bool_value(flag);
  return value;
}
Value Obj(Struct object) {
  Value value;
  *value.mutable_struct_value() = std::move(object);
  return value;
}

std::string ToJson(const Struct& object) {
  std::string json;
  if (!google::protobuf::util::MessageToJsonString(object, &json).ok()) return "{}";
  return json;
}

Response Json(http::status status, const Struct& object, const Request& request) {
  return JsonResponse(status, ToJson(object), request.version(), request.keep_alive());
}

Response Error(http::status status, const std::string& reason, const std::string& message,
               const Request& request, std::optional<int64_t> attempts_left = std::nullopt) {
  Struct body;
  (*body.mutable_fields())["error"] = Str(reason);
  (*body.mutable_fields())["message"] = Str(message);
  if (attempts_left.has_value()) (*body.mutable_fields())["attempts_left"] = Num(*attempts_left);
  return Json(status, body, request);
}

using clients::Refusal;
using clients::RefusalOf;

bool Unreachable(const grpc::Status& status) {
  return (status.error_code() == grpc::StatusCode::UNAVAILABLE &&
          RefusalOf(status).reason != "BUSY") ||
         status.error_code() == grpc::StatusCode::DEADLINE_EXCEEDED;
}

// The member-facing answer to a failed call to the ledger.
Response Failure(const grpc::Status& status, const Request& request) {
  if (Unreachable(status)) {
    return Error(http::status::service_unavailable, "LEDGER_UNREACHABLE",
                 "We can't reach the time bank just now. It will be back soon; please try again "
                 "in a minute.",
                 request);
  }
  const Refusal refusal = RefusalOf(status);
  const std::string& reason = refusal.reason;
  if (reason == "CARD_OR_PIN_WRONG") {
    std::optional<int64_t> left;
    if (auto it = refusal.figures.find("attempts_left"); it != refusal.figures.end()) {
      left = std::atoll(it->second.c_str());
    }
    std::string message = "That card number and PIN don't match. Please try again.";
    if (left.has_value() && *left == 1) message += " You can try once more before the card rests.";
    return Error(http::status::unauthorized, reason, message, request, left);
  }
  if (reason == "CARD_LOCKED") {
    return Error(http::status::locked, reason,
                 "This card is resting for 15 minutes after too many tries. Please come back "
                 "later, or ask a member of staff to help.",
                 request);
  }
  if (reason == "PIN_NOT_SET" || reason == "ACCOUNT_CLOSED") {
    return Error(http::status::forbidden, reason,
                 "This card can't be used here yet. Please ask a member of staff to help.",
                 request);
  }
  if (reason == "INVALID_CARD_NUMBER" || reason == "INVALID_PIN") {
    return Error(http::status::bad_request, reason,
                 "A card number has 4 to 32 digits and a PIN has 4 to 8 digits. Please try again.",
                 request);
  }
  if (reason == "SESSION_ENDED" || reason == "SESSION_OF_ANOTHER_KIOSK") {
    return Error(http::status::unauthorized, "SESSION_ENDED",
                 "You have been signed out. Please sign in again.", request);
  }
  if (reason == "PENDING_NOT_FOUND" || reason == "PENDING_RESOLVED") {
    return Error(http::status::conflict, reason, "This has already been dealt with.", request);
  }
  if (status.error_code() == grpc::StatusCode::FAILED_PRECONDITION) {
    return Error(http::status::conflict, reason.empty() ? "REFUSED" : reason,
                 "This can't be done here right now. Please ask a member of staff to help.",
                 request);
  }
  if (reason == "BUSY") {
    return Error(http::status::service_unavailable, reason,
                 "The time bank is busy. Please try again in a moment.", request);
  }
  return Error(http::status::internal_server_error, reason.empty() ? "INTERNAL" : reason,
               "Something went wrong. Please ask a member of staff to help.", request);
}

// Parses a JSON object whose values are all strings. nullopt (and *problem) if it is not one.
std::optional<std::map<std::string, std::string>> ParseBody(const Request& request,
                                                            std::string* problem) {
  const auto type = request[http::field::content_type];
  if (!absl::StartsWith(absl::string_view(type.data(), type.size()), "application/json")) {
    *problem = "The request must be JSON (Content-Type: application/json).";
    return std::nullopt;
  }
  Struct object;
  const auto parsed = google::protobuf::util::JsonStringToMessage(request.body(), &object);
  if (!parsed.ok()) {
    *problem = "The request is not a JSON object.";
    return std::nullopt;
  }
  std::map<std::string, std::string> fields;
  for (const auto& [name, value] : object.fields()) {
    if (value.kind_case() != Value::kStringValue) {
      *problem = absl::StrCat("\"", name, "\" must be a string.");
      return std::nullopt;
    }
    fields[name] = value.string_value();
  }
  return fields;
}

std::string FirstName(const std::string& display_name) {
  const size_t space = display_name.find(' ');
  return space == std::string::npos ? display_name : display_name.substr(0, space);
}

absl::Time FromTimestamp(const google::protobuf::Timestamp& timestamp) {
  return absl::FromUnixSeconds(timestamp.seconds()) + absl::Nanoseconds(timestamp.nanos());
}

Struct BalanceJson(int64_t minutes) {
  Struct balance;
  auto& fields = *balance.mutable_fields();
  fields["minutes"] = Num(minutes);
  fields["words"] = Str(BalanceWords(minutes));
  fields["note"] = Str(BalanceNote(minutes));
  fields["below_zero"] = Bool(minutes < 0);
  return balance;
}

Struct MonthJson(const v1::MonthGiveTake& month) {
  Struct out;
  auto& fields = *out.mutable_fields();
  fields["short"] = Str(MonthShortWords(month.month()));
  fields["long"] = Str(MonthWords(month.year(), month.month(), /*with_year=*/true));
  fields["name"] = Str(MonthWords(month.year(), month.month(), /*with_year=*/false));
  fields["given_minutes"] = Num(std::max<int64_t>(0, month.given_minutes()));
  fields["received_minutes"] = Num(std::max<int64_t>(0, month.received_minutes()));
  fields["given_words"] = Str(TimeWords(std::max<int64_t>(0, month.given_minutes())));
  fields["received_words"] = Str(TimeWords(std::max<int64_t>(0, month.received_minutes())));
  // Time spent on offers is said apart from time received from people.
  const int64_t received = std::max<int64_t>(0, month.received_minutes());
  const int64_t spent = std::clamp<int64_t>(month.spent_minutes(), 0, received);
  fields["from_people_words"] = Str(TimeWords(received - spent));
  fields["spent_sentence"] = Str(MonthSpentWords(spent));
  return out;
}

// The member's summary as the page shows it: every figure also in words.
Struct SummaryJson(const v1::MemberSummary& summary) {
  absl::TimeZone zone;
  if (!absl::LoadTimeZone(summary.time_zone(), &zone)) zone = absl::UTCTimeZone();
  const absl::Time now = FromTimestamp(summary.as_of());
  Struct out;
  auto& fields = *out.mutable_fields();
  fields["bank"] = Str(summary.bank_name());
  fields["name"] = Str(summary.account().display_name());
  fields["first_name"] = Str(FirstName(summary.account().display_name()));
  fields["balance"] = Obj(BalanceJson(summary.account().balance_minutes()));
  fields["session_seconds_left"] =
      Num(absl::ToInt64Seconds(FromTimestamp(summary.session_expires_at()) - now));
  if (summary.months_size() > 0) {
    fields["this_month"] = Obj(MonthJson(summary.months(summary.months_size() - 1)));
  }
  auto* months = fields["months"].mutable_list_value();
  for (const auto& month : summary.months()) *months->add_values() = Obj(MonthJson(month));
  auto* recent = fields["recent"].mutable_list_value();
  for (const auto& line : summary.recent()) {
    Struct row;
    auto& r = *row.mutable_fields();
    const std::string when = DayWords(FromTimestamp(line.entry().occurred_at()), now, zone);
    r["sentence"] = Str(EntrySentence(line));
    r["amount"] = Str(TimeWords(line.entry().minutes()));
    r["when"] = Str(when);
    r["words"] = Str(EntryLineWords(line, when));
    r["earned"] = Bool(line.earned());
    *recent->add_values() = Obj(std::move(row));
  }
  auto* awaiting = fields["awaiting"].mutable_list_value();
  for (const auto& item : summary.awaiting()) {
    Struct row;
    auto& r = *row.mutable_fields();
    r["entry_id"] = Str(item.pending().entry().entry_id());
    r["sentence"] = Str(AwaitingSentence(item));
    r["amount"] = Str(TimeWords(item.pending().entry().minutes()));
    r["when"] = Str(DayWords(FromTimestamp(item.pending().entry().occurred_at()), now, zone));
    r["consequence"] = Str(AwaitingConsequence(item));
    *awaiting->add_values() = Obj(std::move(row));
  }
  // The page shows its qualifications section only when the list has something in it.
  if (summary.qualifications_size() > 0) {
    auto* qualifications = fields["qualifications"].mutable_list_value();
    for (const auto& held : summary.qualifications()) {
      Struct row;
      auto& r = *row.mutable_fields();
      r["name"] = Str(held.title());
      if (held.has_valid_until()) {
        r["until"] = Str(DateWords(FromTimestamp(held.valid_until()), zone));
      }
      r["expires_soon"] = Bool(held.status() == "expiring");
      r["in_progress"] = Bool(held.status() == "in_progress");
      *qualifications->add_values() = Obj(std::move(row));
    }
  }
  return out;
}

std::string SessionOf(const Request& request) {
  const auto header = request[kSessionHeader];
  const std::string session(header.data(), header.size());
  if (session.size() != kSessionIdLength) return "";
  for (char c : session) {
    if (!absl::ascii_isxdigit(static_cast<unsigned char>(c))) return "";
  }
  return session;
}

std::string NewNonce() {
  unsigned char bytes[16];
  randombytes_buf(bytes, sizeof bytes);
  return absl::BytesToHexString(absl::string_view(reinterpret_cast<char*>(bytes), sizeof bytes));
}

}  // namespace

KioskApi::KioskApi(std::shared_ptr<grpc::Channel> channel, KioskOptions options)
    : channel_(std::move(channel)),
      stub_(v1::Kiosk::NewStub(channel_)),
      options_(std::move(options)) {
  if (sodium_init() < 0) std::abort();
}

std::unique_ptr<grpc::ClientContext> KioskApi::NewContext(std::chrono::seconds deadline) const {
  auto context = std::make_unique<grpc::ClientContext>();
  context->set_deadline(std::chrono::system_clock::now() + deadline);
  std::ifstream in(options_.token_file);
  std::string token;
  if (in && std::getline(in, token)) {
    token = std::string(absl::StripAsciiWhitespace(token));
    if (!token.empty()) context->AddMetadata("authorization", "Bearer " + token);
  }
  return context;
}

Response KioskApi::Handle(const Request& request) {
  const std::string target(request.target());
  const bool get = request.method() == http::verb::get;
  const bool post = request.method() == http::verb::post;
  if (target == "/" && get) return Page(request);
  if (target == "/api/status" && get) return Status(request);
  if (target == "/api/me" && get) return Me(request);
  if (target == "/api/sign-in" && post) return SignIn(request);
  if (target == "/api/pending/confirm" && post) return Resolve(request, /*confirm=*/true);
  if (target == "/api/pending/reject" && post) return Resolve(request, /*confirm=*/false);
  if (target == "/api/sign-out" && post) return SignOut(request);
  if (target == "/" || absl::StartsWith(target, "/api/")) {
    return Error(http::status::method_not_allowed, "METHOD_NOT_ALLOWED",
                 "That method is not allowed here.", request);
  }
  return Error(http::status::not_found, "NOT_FOUND", "There is nothing here.", request);
}

Response KioskApi::Page(const Request& request) const {
  const std::string nonce = NewNonce();
  Response response(http::status::ok, request.version());
  response.set(http::field::content_type, "text/html; charset=utf-8");
  AddSecurityHeaders(&response, nonce);
  response.keep_alive(request.keep_alive());
  response.body() = absl::StrReplaceAll(options_.page_html, {{"__NONCE__", nonce}});
  return response;
}

Response KioskApi::Status(const Request& request) {
  grpc::health::v1::HealthCheckRequest check;
  grpc::health::v1::HealthCheckResponse answer;
  auto context = NewContext(kStatusDeadline);
  auto health = grpc::health::v1::Health::NewStub(channel_);
  const grpc::Status status = health->Check(context.get(), check, &answer);
  const bool ok = status.ok() && answer.status() == grpc::health::v1::HealthCheckResponse::SERVING;
  Struct body;
  (*body.mutable_fields())["ledger"] = Str(ok ? "ok" : "unreachable");
  // The name once known is kept while the ledger is away, so the page never falls back to a
  // generic title.
  const std::string bank = ok ? BankName() : KnownBankName();
  if (!bank.empty()) (*body.mutable_fields())["bank"] = Str(bank);
  return Json(http::status::ok, body, request);
}

std::string KioskApi::KnownBankName() {
  absl::MutexLock lock(&bank_name_mu_);
  return bank_name_;
}

std::string KioskApi::BankName() {
  {
    absl::MutexLock lock(&bank_name_mu_);
    if (!bank_name_.empty()) return bank_name_;
  }
  v1::GetBankRequest get;
  get.set_bank_id(options_.bank_id);
  v1::Bank bank;
  auto context = NewContext(kStatusDeadline);
  if (!v1::Banks::NewStub(channel_)->GetBank(context.get(), get, &bank).ok()) return "";
  absl::MutexLock lock(&bank_name_mu_);
  bank_name_ = bank.name();
  return bank_name_;
}

Response KioskApi::SignIn(const Request& request) {
  std::string problem;
  auto fields = ParseBody(request, &problem);
  if (!fields.has_value()) return Error(http::status::bad_request, "BAD_JSON", problem, request);
  v1::SignInRequest sign_in;
  sign_in.set_bank_id(options_.bank_id);
  sign_in.set_card_number((*fields)["card"]);
  sign_in.set_pin((*fields)["pin"]);
  v1::KioskSession session;
  auto context = NewContext(kSignInDeadline);
  const grpc::Status status = stub_->SignIn(context.get(), sign_in, &session);
  if (!status.ok()) return Failure(status, request);
  Struct body;
  (*body.mutable_fields())["session"] = Str(session.session_id());
  (*body.mutable_fields())["name"] = Str(session.display_name());
  return Json(http::status::ok, body, request);
}

Response KioskApi::Me(const Request& request) {
  v1::GetMemberSummaryRequest get;
  get.set_session_id(SessionOf(request));
  if (get.session_id().empty()) {
    return Error(http::status::unauthorized, "SESSION_ENDED", "Please sign in.", request);
  }
  v1::MemberSummary summary;
  auto context = NewContext(kCallDeadline);
  const grpc::Status status = stub_->GetMemberSummary(context.get(), get, &summary);
  if (!status.ok()) return Failure(status, request);
  return Json(http::status::ok, SummaryJson(summary), request);
}

Response KioskApi::Resolve(const Request& request, bool confirm) {
  std::string problem;
  auto fields = ParseBody(request, &problem);
  if (!fields.has_value()) return Error(http::status::bad_request, "BAD_JSON", problem, request);
  v1::MemberEntryRequest resolve;
  resolve.set_session_id(SessionOf(request));
  resolve.set_entry_id((*fields)["entry_id"]);
  if (resolve.session_id().empty()) {
    return Error(http::status::unauthorized, "SESSION_ENDED", "Please sign in.", request);
  }
  auto context = NewContext(kCallDeadline);
  grpc::Status status;
  if (confirm) {
    v1::RecordEntryResponse receipt;
    status = stub_->ConfirmMemberEntry(context.get(), resolve, &receipt);
  } else {
    v1::PendingEntry pending;
    status = stub_->RejectMemberEntry(context.get(), resolve, &pending);
  }
  if (!status.ok()) return Failure(status, request);
  Struct body;
  (*body.mutable_fields())["message"] =
      Str(confirm ? "Thank you. It is confirmed." : "Thank you. It has been turned down.");
  return Json(http::status::ok, body, request);
}

Response KioskApi::SignOut(const Request& request) {
  v1::SignOutRequest sign_out;
  sign_out.set_session_id(SessionOf(request));
  if (!sign_out.session_id().empty()) {
    v1::SignOutResponse ignored;
    auto context = NewContext(kCallDeadline);
    // Signing out always succeeds for the member: an unreachable ledger ends the session itself.
    stub_->SignOut(context.get(), sign_out, &ignored);
  }
  Struct body;
  (*body.mutable_fields())["message"] = Str("Goodbye.");
  return Json(http::status::ok, body, request);
}

}  // namespace timeledger::kiosk
