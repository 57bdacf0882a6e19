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
#include "absl/strings/str_split.h"
#include "absl/strings/strip.h"
#include "absl/time/time.h"
#include "google/protobuf/struct.pb.h"
#include "google/protobuf/util/json_util.h"

#include "clients/common/error_info.h"
#include "clients/kiosk/json_values.h"
#include "clients/kiosk/member_words.h"
#include "clients/kiosk/summary_json.h"
#include "grpc/health/v1/health.grpc.pb.h"
#include "timeledger/v1/banks.grpc.pb.h"

namespace timeledger::kiosk {
namespace {

using google::protobuf::Struct;
using google::protobuf::Value;
using json::Num;
using json::Str;

constexpr std::chrono::seconds kCallDeadline{5};
constexpr std::chrono::seconds kSignInDeadline{15};  // PIN checks are slow on purpose
constexpr std::chrono::seconds kStatusDeadline{2};
constexpr size_t kSessionIdLength = 64;
constexpr char kSessionHeader[] = "X-Kiosk-Session";
// The language the page speaks, sent with each call; "?lang=" on the page and its words.
constexpr char kLanguageHeader[] = "X-Kiosk-Language";
constexpr char kLanguageQuery[] = "lang=";
constexpr size_t kLanguageLengthMax = 35;

std::string ToJson(const Struct& object) {
  std::string json;
  if (!google::protobuf::util::MessageToJsonString(object, &json).ok()) return "{}";
  return json;
}

Response Json(http::status status, const Struct& object, const Request& request) {
  return JsonResponse(status, ToJson(object), request.version(), request.keep_alive());
}

// An error: its reason, and the member's words for it from the catalogue `key`.
Response Error(http::status status, const std::string& reason, const std::string& key,
               const MemberWords& words, const Request& request,
               std::optional<int64_t> attempts_left = std::nullopt) {
  Struct body;
  (*body.mutable_fields())["error"] = Str(reason);
  (*body.mutable_fields())["message"] = Str(words.Say(key));
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

// The member-facing answer to a refused sign-in: a wrong PIN, a resting card, a card not ready.
std::optional<Response> CardFailure(const Refusal& refusal, const MemberWords& words,
                                    const Request& request) {
  const std::string& reason = refusal.reason;
  if (reason == "CARD_OR_PIN_WRONG") {
    std::optional<int64_t> left;
    if (auto it = refusal.figures.find("attempts_left"); it != refusal.figures.end()) {
      left = std::atoll(it->second.c_str());
    }
    const bool last = left.has_value() && *left == 1;
    return Error(http::status::unauthorized, reason,
                 last ? "error.last_try" : "error.card_or_pin_wrong", words, request, left);
  }
  if (reason == "CARD_LOCKED") {
    return Error(http::status::locked, reason, "error.card_locked", words, request);
  }
  if (reason == "PIN_NOT_SET" || reason == "ACCOUNT_CLOSED") {
    return Error(http::status::forbidden, reason, "error.card_not_ready", words, request);
  }
  if (reason == "INVALID_CARD_NUMBER" || reason == "INVALID_PIN") {
    return Error(http::status::bad_request, reason, "error.card_or_pin_form", words, request);
  }
  return std::nullopt;
}

// The member-facing answer to a failed call to the ledger.
Response Failure(const grpc::Status& status, const MemberWords& words, const Request& request) {
  if (Unreachable(status)) {
    return Error(http::status::service_unavailable, "LEDGER_UNREACHABLE",
                 "error.ledger_unreachable", words, request);
  }
  const Refusal refusal = RefusalOf(status);
  const std::string& reason = refusal.reason;
  if (auto card = CardFailure(refusal, words, request); card.has_value()) return *std::move(card);
  if (reason == "SESSION_ENDED" || reason == "SESSION_OF_ANOTHER_KIOSK") {
    return Error(http::status::unauthorized, "SESSION_ENDED", "error.signed_out", words, request);
  }
  if (reason == "PENDING_NOT_FOUND" || reason == "PENDING_RESOLVED") {
    return Error(http::status::conflict, reason, "error.already_done", words, request);
  }
  if (status.error_code() == grpc::StatusCode::FAILED_PRECONDITION) {
    return Error(http::status::conflict, reason.empty() ? "REFUSED" : reason, "error.not_here",
                 words, request);
  }
  if (reason == "BUSY") {
    return Error(http::status::service_unavailable, reason, "error.busy", words, request);
  }
  return Error(http::status::internal_server_error, reason.empty() ? "INTERNAL" : reason,
               "error.went_wrong", words, request);
}

// Parses a JSON object whose values are all strings. nullopt if it is not one, and in *problem
// what is wrong, for whoever reads the answer's "detail" (no member does: the page sends JSON).
std::optional<std::map<std::string, std::string>> ParseBody(const Request& request,
                                                            std::string* problem) {
  const auto type = request[http::field::content_type];
  if (!absl::StartsWith(absl::string_view(type.data(), type.size()), "application/json")) {
    *problem = "content_type";
    return std::nullopt;
  }
  Struct object;
  const auto parsed = google::protobuf::util::JsonStringToMessage(request.body(), &object);
  if (!parsed.ok()) {
    *problem = "not_an_object";
    return std::nullopt;
  }
  std::map<std::string, std::string> fields;
  for (const auto& [name, value] : object.fields()) {
    if (value.kind_case() != Value::kStringValue) {
      *problem = absl::StrCat("not_a_string:", name);
      return std::nullopt;
    }
    fields[name] = value.string_value();
  }
  return fields;
}

Response BadJson(const std::string& problem, const MemberWords& words, const Request& request) {
  Struct body;
  (*body.mutable_fields())["error"] = Str("BAD_JSON");
  (*body.mutable_fields())["detail"] = Str(problem);
  (*body.mutable_fields())["message"] = Str(words.Say("error.went_wrong"));
  return Json(http::status::bad_request, body, request);
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

// The request's path without its query.
std::string PathOf(const Request& request) {
  const std::string target(request.target());
  return target.substr(0, target.find('?'));
}

// The language a request asks for: its "lang" query parameter, else its language header.
std::string AskedLanguage(const Request& request) {
  const std::string target(request.target());
  const size_t query = target.find('?');
  if (query != std::string::npos) {
    for (absl::string_view part : absl::StrSplit(target.substr(query + 1), '&')) {
      if (absl::ConsumePrefix(&part, kLanguageQuery)) {
        return std::string(part.substr(0, kLanguageLengthMax));
      }
    }
  }
  const auto header = request[kLanguageHeader];
  return std::string(header.data(), std::min(header.size(), kLanguageLengthMax));
}

std::string NewNonce() {
  unsigned char bytes[16];
  randombytes_buf(bytes, sizeof bytes);
  return absl::BytesToHexString(absl::string_view(reinterpret_cast<char*>(bytes), sizeof bytes));
}

// JSON inside the page's <script type="application/json">: "</" could end the element.
std::string JsonForScript(const Struct& object) {
  return absl::StrReplaceAll(ToJson(object), {{"</", "<\\/"}});
}

// Text for the page's <title>, escaped for HTML.
std::string HtmlText(const std::string& text) {
  return absl::StrReplaceAll(text, {{"&", "&amp;"}, {"<", "&lt;"}, {">", "&gt;"}});
}

}  // namespace

KioskApi::KioskApi(std::shared_ptr<grpc::Channel> channel, KioskOptions options)
    : channel_(std::move(channel)),
      stub_(v1::Kiosk::NewStub(channel_)),
      options_(std::move(options)) {
  if (sodium_init() < 0) std::abort();
  if (options_.messages == nullptr) std::abort();  // main loads them before anything listens
}

MemberWords KioskApi::WordsFor(const Request& request) const {
  return MemberWords(*options_.messages,
                     SpokenLanguage(*options_.messages, AskedLanguage(request)));
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
  const std::string path = PathOf(request);
  const bool get = request.method() == http::verb::get;
  const bool post = request.method() == http::verb::post;
  if (path == "/" && get) return Page(request);
  if (path == "/api/words" && get) return Words(request);
  if (path == "/api/status" && get) return Status(request);
  if (path == "/api/me" && get) return Me(request);
  if (path == "/api/sign-in" && post) return SignIn(request);
  if (path == "/api/pending/confirm" && post) return Resolve(request, /*confirm=*/true);
  if (path == "/api/pending/reject" && post) return Resolve(request, /*confirm=*/false);
  if (path == "/api/sign-out" && post) return SignOut(request);
  if (path == "/" || absl::StartsWith(path, "/api/")) {
    return Error(http::status::method_not_allowed, "METHOD_NOT_ALLOWED", "error.nothing_here",
                 WordsFor(request), request);
  }
  return Error(http::status::not_found, "NOT_FOUND", "error.nothing_here", WordsFor(request),
               request);
}

Response KioskApi::Page(const Request& request) const {
  const std::string nonce = NewNonce();
  const MemberWords words = WordsFor(request);
  const Struct page_words = WordsJson(*options_.messages, words.language());
  Response response(http::status::ok, request.version());
  response.set(http::field::content_type, "text/html; charset=utf-8");
  AddSecurityHeaders(&response, nonce);
  response.keep_alive(request.keep_alive());
  response.body() = absl::StrReplaceAll(options_.page_html,
                                        {{"__NONCE__", nonce},
                                         {"__LANG__", words.language()},
                                         {"__DIR__", page_words.fields().at("dir").string_value()},
                                         {"__TITLE__", HtmlText(words.Say("page.title"))},
                                         {"__WORDS__", JsonForScript(page_words)}});
  return response;
}

Response KioskApi::Words(const Request& request) const {
  return Json(http::status::ok, WordsJson(*options_.messages, AskedLanguage(request)), request);
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
  const MemberWords words = WordsFor(request);
  std::string problem;
  auto fields = ParseBody(request, &problem);
  if (!fields.has_value()) return BadJson(problem, words, request);
  v1::SignInRequest sign_in;
  sign_in.set_bank_id(options_.bank_id);
  sign_in.set_card_number((*fields)["card"]);
  sign_in.set_pin((*fields)["pin"]);
  v1::KioskSession session;
  auto context = NewContext(kSignInDeadline);
  const grpc::Status status = stub_->SignIn(context.get(), sign_in, &session);
  if (!status.ok()) return Failure(status, words, request);
  Struct body;
  (*body.mutable_fields())["session"] = Str(session.session_id());
  (*body.mutable_fields())["name"] = Str(session.display_name());
  return Json(http::status::ok, body, request);
}

Response KioskApi::Me(const Request& request) {
  const MemberWords asked = WordsFor(request);
  v1::GetMemberSummaryRequest get;
  get.set_session_id(SessionOf(request));
  if (get.session_id().empty()) {
    return Error(http::status::unauthorized, "SESSION_ENDED", "error.sign_in_first", asked,
                 request);
  }
  v1::MemberSummary summary;
  auto context = NewContext(kCallDeadline);
  const grpc::Status status = stub_->GetMemberSummary(context.get(), get, &summary);
  if (!status.ok()) return Failure(status, asked, request);
  // A member's own language, set by a coordinator, comes before the one picked on the screen.
  if (summary.language().empty() || !options_.messages->Has(summary.language())) {
    return Json(http::status::ok, SummaryJson(summary, asked), request);
  }
  return Json(http::status::ok,
              SummaryJson(summary, MemberWords(*options_.messages, summary.language())), request);
}

Response KioskApi::Resolve(const Request& request, bool confirm) {
  const MemberWords words = WordsFor(request);
  std::string problem;
  auto fields = ParseBody(request, &problem);
  if (!fields.has_value()) return BadJson(problem, words, request);
  v1::MemberEntryRequest resolve;
  resolve.set_session_id(SessionOf(request));
  resolve.set_entry_id((*fields)["entry_id"]);
  if (resolve.session_id().empty()) {
    return Error(http::status::unauthorized, "SESSION_ENDED", "error.sign_in_first", words,
                 request);
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
  if (!status.ok()) return Failure(status, words, request);
  Struct body;
  (*body.mutable_fields())["message"] =
      Str(words.Say(confirm ? "awaiting.confirmed" : "awaiting.turned_down"));
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
  (*body.mutable_fields())["message"] = Str(WordsFor(request).Say("goodbye.short"));
  return Json(http::status::ok, body, request);
}

}  // namespace timeledger::kiosk
