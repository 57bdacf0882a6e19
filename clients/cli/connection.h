// Connection: the CLI's one channel to timeledgerd and what every command shares through it.
//
// It owns the gRPC channel, makes a stub of whichever timeledger.v1 service a call needs, puts
// the same deadline and the caller's token on every call, turns a failed call into the message and
// exit code the user sees, prints answers as JSON in --json mode, and remembers account names and
// bank time zones that it has looked up so that tables show "Alice Brown (alice)" and local dates.
//
// Not thread-safe: the CLI makes one Connection per run and uses it from main's thread only.
#ifndef TIMELEDGER_CLIENTS_CLI_CONNECTION_H_
#define TIMELEDGER_CLIENTS_CLI_CONNECTION_H_

#include <chrono>
#include <map>
#include <memory>
#include <string>
#include <type_traits>
#include <utility>

#include "absl/strings/string_view.h"
#include "absl/time/time.h"
#include "google/protobuf/message.h"
#include <grpcpp/grpcpp.h>

#include "clients/cli/words.h"
#include "timeledger/v1/accounts.grpc.pb.h"
#include "timeledger/v1/banks.grpc.pb.h"
#include "timeledger/v1/ledger.grpc.pb.h"

namespace timeledger::cli {

namespace v1 = ::timeledger::v1;

// Every call gives up after this long, and the CLI says the server cannot be reached.
inline constexpr std::chrono::seconds kCallTimeout{10};

// The most account names one run looks up for display; past it, tables show bare ids.
inline constexpr int kNameLookupsMax = 256;

class Connection {
 public:
  // `server` is the gRPC target such as "127.0.0.1:50051" that `channel` leads to (made with
  // clients::MakeChannel and ChannelArguments(), plaintext or TLS); `token` is the caller's bearer
  // token (sent as "authorization: Bearer ..."; empty sends none). No I/O until the first call.
  Connection(std::string server, std::shared_ptr<grpc::Channel> channel, bool json,
             std::string token = "");

  // The arguments the CLI's channel is made with: its user agent.
  static grpc::ChannelArguments ChannelArguments();

  Connection(const Connection&) = delete;
  Connection& operator=(const Connection&) = delete;

  const std::string& server() const { return server_; }

  // True in --json mode: commands print the server's messages with PrintJson, nothing else.
  bool json() const { return json_; }

  // Calls one unary method of any service, e.g. Call(&v1::Banks::Stub::GetBank, request, &bank),
  // with the deadline kCallTimeout. Returns the call's status; the response is set only if OK.
  // Stubs are cheap views of the one channel, so each call makes its own.
  template <typename Stub, typename Request, typename Response>
  grpc::Status Call(grpc::Status (Stub::*method)(grpc::ClientContext*, const Request&, Response*),
                    const Request& request, Response* response) {
    grpc::ClientContext context;
    context.set_deadline(std::chrono::system_clock::now() + kCallTimeout);
    Authorize(&context);
    Stub stub(channel_);
    return (stub.*method)(&context, request, response);
  }

  // The channel, for calls that need their own deadline; give each call's context to Authorize.
  const std::shared_ptr<grpc::Channel>& channel() const { return channel_; }
  void Authorize(grpc::ClientContext* context) const {
    if (!token_.empty()) context->AddMetadata("authorization", "Bearer " + token_);
  }

  // Prints why a call failed to stderr: "error: <message> (<REASON>)" and the figures that the
  // server attached, or that the server cannot be reached. Returns kExitUnreachable for
  // UNAVAILABLE and DEADLINE_EXCEEDED, kExitRefused for every other failure.
  int ReportFailure(const grpc::Status& status) const;

  // Prints `message` to stdout as JSON (proto3 JSON mapping, every field shown). Returns kExitOk,
  // or kExitRefused if the message cannot be converted.
  int PrintJson(const google::protobuf::Message& message) const;

  // "Alice Brown (alice)", from an account already seen or from GetAccount; the bare id if the
  // account cannot be read or kNameLookupsMax lookups have been made; "an erased member
  // (m-0042)", with `erased` for the words, for a member whose personal data was erased.
  std::string LabelOf(const std::string& bank_id, const std::string& account_id,
                      absl::string_view erased = kErasedMemberWords);

  // Remembers an account's display name for LabelOf, e.g. after OpenAccount or GetAccount.
  void Remember(const v1::Account& account);

  // The bank's time zone, from GetBank and remembered; UTC if the bank cannot be read or its
  // zone is not known on this machine.
  absl::TimeZone BankTimeZone(const std::string& bank_id);

 private:
  const std::string server_;
  const bool json_;
  const std::string token_;
  std::shared_ptr<grpc::Channel> channel_;

  // An account's name as LabelOf knows it: "" when the account could not be read.
  struct KnownName {
    std::string display_name;
    bool erased = false;
  };
  std::map<std::pair<std::string, std::string>, KnownName> names_;
  const KnownName& Known(const std::string& bank_id, const std::string& account_id);
  int name_lookups_ = 0;
  std::map<std::string, absl::TimeZone> time_zones_;
};

}  // namespace timeledger::cli

#endif  // TIMELEDGER_CLIENTS_CLI_CONNECTION_H_
