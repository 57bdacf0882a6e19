#include "clients/cli/connection.h"

#include <cstdint>
#include <cstdio>
#include <map>
#include <optional>
#include <string>
#include <utility>

#include "absl/status/status.h"
#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "google/rpc/error_details.pb.h"
#include "google/rpc/status.pb.h"
#include <google/protobuf/util/json_util.h>

#include "clients/cli/duration.h"
#include "clients/cli/exit_code.h"
#include "clients/cli/words.h"
#include "clients/common/error_info.h"

namespace timeledger::cli {
namespace {

constexpr char kUserAgentPrefix[] = "timeledger-cli/0.1";

using clients::FindErrorInfo;

// "ALREADY_EXISTS" for grpc::StatusCode::ALREADY_EXISTS; gRPC and Abseil number codes alike.
std::string CodeName(grpc::StatusCode code) {
  return absl::StatusCodeToString(static_cast<absl::StatusCode>(code));
}

// "  limit_minutes: -600 (-10 hours)": figures in minutes also in words.
std::string MetadataLine(const std::string& key, const std::string& value) {
  int64_t minutes = 0;
  if (absl::EndsWith(key, "_minutes") && absl::SimpleAtoi(value, &minutes)) {
    return absl::StrCat("  ", key, ": ", value, " (", FormatMinutes(minutes), ")\n");
  }
  return absl::StrCat("  ", key, ": ", value, "\n");
}

bool IsUnreachable(grpc::StatusCode code) {
  return code == grpc::StatusCode::UNAVAILABLE || code == grpc::StatusCode::DEADLINE_EXCEEDED;
}

// True if gRPC's message about a failed connection is about the TLS handshake or certificates.
bool LooksLikeTls(absl::string_view message) {
  const std::string lower = absl::AsciiStrToLower(message);
  return absl::StrContains(lower, "ssl") || absl::StrContains(lower, "handshake") ||
         absl::StrContains(lower, "certificate");
}

}  // namespace

Connection::Connection(std::string server, std::shared_ptr<grpc::Channel> channel, bool json,
                       std::string token)
    : server_(std::move(server)),
      json_(json),
      token_(std::move(token)),
      channel_(std::move(channel)) {}

grpc::ChannelArguments Connection::ChannelArguments() {
  grpc::ChannelArguments arguments;
  arguments.SetUserAgentPrefix(kUserAgentPrefix);
  return arguments;
}

int Connection::ReportFailure(const grpc::Status& status) const {
  const grpc::StatusCode code = status.error_code();
  const std::optional<google::rpc::ErrorInfo> info = FindErrorInfo(status);
  if (IsUnreachable(code) && !info.has_value()) {
    std::string out =
        absl::StrCat("error: cannot reach timeledgerd at ", server_, " \u2014 is it running?\n");
    if (code == grpc::StatusCode::DEADLINE_EXCEEDED) {
      absl::StrAppend(&out, "  (no answer within ", kCallTimeout.count(), " seconds)\n");
    }
    if (LooksLikeTls(status.error_message())) {
      absl::StrAppend(&out, "  (TLS: ", status.error_message(),
                      "; check --tls-ca, --tls-cert and --tls-key)\n");
    }
    std::fputs(out.c_str(), stderr);
    return kExitUnreachable;
  }

  const std::string message =
      status.error_message().empty() ? "the server refused the request" : status.error_message();
  std::string out = absl::StrCat("error: ", message, " (",
                                 info.has_value() ? info->reason() : CodeName(code), ")\n");
  if (info.has_value()) {
    // Sorted, so that the same refusal always reads the same.
    const std::map<std::string, std::string> metadata(info->metadata().begin(),
                                                      info->metadata().end());
    for (const auto& [key, value] : metadata) out += MetadataLine(key, value);
    absl::StrAppend(&out, "  code: ", CodeName(code), "\n");
  }
  std::fputs(out.c_str(), stderr);
  return IsUnreachable(code) ? kExitUnreachable : kExitRefused;
}

int Connection::PrintJson(const google::protobuf::Message& message) const {
  google::protobuf::util::JsonPrintOptions options;
  options.add_whitespace = true;
  options.always_print_primitive_fields = true;
  std::string json;
  const auto status = google::protobuf::util::MessageToJsonString(message, &json, options);
  if (!status.ok()) {
    std::fprintf(stderr, "error: cannot print the answer as JSON: %s\n",
                 std::string(status.message()).c_str());
    return kExitRefused;
  }
  if (json.empty() || json.back() != '\n') json += '\n';
  std::fputs(json.c_str(), stdout);
  return kExitOk;
}

const Connection::KnownName& Connection::Known(const std::string& bank_id,
                                               const std::string& account_id) {
  auto key = std::make_pair(bank_id, account_id);
  auto it = names_.find(key);
  if (it == names_.end()) {
    KnownName name;
    if (name_lookups_ < kNameLookupsMax) {
      ++name_lookups_;
      v1::GetAccountRequest request;
      request.set_bank_id(bank_id);
      request.set_account_id(account_id);
      v1::Account account;
      const grpc::Status status = Call(&v1::Accounts::Stub::GetAccount, request, &account);
      if (status.ok()) name = {account.display_name(), account.personal_data_erased()};
      // Names are a nicety: do not wait out the deadline again for every row.
      if (IsUnreachable(status.error_code())) name_lookups_ = kNameLookupsMax;
    }
    it = names_.emplace(std::move(key), std::move(name)).first;
  }
  return it->second;
}

std::string Connection::LabelOf(const std::string& bank_id, const std::string& account_id,
                                absl::string_view erased) {
  const KnownName& known = Known(bank_id, account_id);
  return AccountLabel(known.erased ? erased : known.display_name, account_id);
}

void Connection::Remember(const v1::Account& account) {
  names_[{account.bank_id(), account.account_id()}] = {account.display_name(),
                                                       account.personal_data_erased()};
}

absl::TimeZone Connection::BankTimeZone(const std::string& bank_id) {
  auto it = time_zones_.find(bank_id);
  if (it != time_zones_.end()) return it->second;
  absl::TimeZone zone = absl::UTCTimeZone();
  v1::GetBankRequest request;
  request.set_bank_id(bank_id);
  v1::Bank bank;
  if (Call(&v1::Banks::Stub::GetBank, request, &bank).ok()) {
    absl::TimeZone loaded;
    if (absl::LoadTimeZone(bank.time_zone(), &loaded)) zone = loaded;
  }
  time_zones_.emplace(bank_id, zone);
  return zone;
}

}  // namespace timeledger::cli
