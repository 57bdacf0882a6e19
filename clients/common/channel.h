// The channel from a client to timeledgerd: plaintext, TLS that checks the server's certificate,
// or mutual TLS in which the client presents a certificate of its own (partners).
//
// The PEM files are read and checked with OpenSSL before the channel is made, so that a wrong
// file is reported at once, naming the file, instead of as "cannot reach the server" at the
// first call. Pure apart from reading the files and the environment; thread-safe.
#ifndef TIMELEDGER_CLIENTS_COMMON_CHANNEL_H_
#define TIMELEDGER_CLIENTS_COMMON_CHANNEL_H_

#include <cstddef>
#include <memory>
#include <string>

#include "absl/status/statusor.h"
#include <grpcpp/grpcpp.h>

namespace timeledger::clients {

// Where ChannelSecurityFromEnvironment looks for the files.
inline constexpr char kTlsCaEnvironment[] = "TIMELEDGER_TLS_CA";
inline constexpr char kTlsCertEnvironment[] = "TIMELEDGER_TLS_CERT";
inline constexpr char kTlsKeyEnvironment[] = "TIMELEDGER_TLS_KEY";

// How a channel is secured. Empty (the default) is plaintext; any field set means TLS. Every
// field has an initializer, so that ChannelSecurity{.ca_file = path} names only what it sets.
struct ChannelSecurity {
  bool tls = false;          // TLS even without ca_file: the server is checked against system roots
  std::string ca_file = "";  // the PEM CAs trusted to sign the server's certificate
  std::string cert_file = "";  // this client's PEM certificate, for a server that asks (mTLS)
  std::string key_file = "";   // its unencrypted PEM private key; given exactly with cert_file

  // True if the channel is TLS.
  bool UsesTls() const {
    return tls || !ca_file.empty() || !cert_file.empty() || !key_file.empty();
  }
};

// The files named by $TIMELEDGER_TLS_CA, $TIMELEDGER_TLS_CERT and $TIMELEDGER_TLS_KEY (unset
// or empty: none); a command line's options then override them one by one.
ChannelSecurity ChannelSecurityFromEnvironment();

// Returns the credentials for `security`: insecure ones, or TLS with its files read and checked.
// Returns InvalidArgument for a certificate without its key or a key without its certificate,
// FailedPrecondition for a file that cannot be read, holds no PEM certificate or unencrypted
// key, or a key that does not match the certificate. Each message names the file.
absl::StatusOr<std::shared_ptr<grpc::ChannelCredentials>> MakeChannelCredentials(
    const ChannelSecurity& security);

// Returns a channel to `target` (e.g. "127.0.0.1:50051") secured as `security` says, with
// `arguments`; or the errors of MakeChannelCredentials. No I/O towards the server: the channel
// connects at its first call.
absl::StatusOr<std::shared_ptr<grpc::Channel>> MakeChannel(
    const std::string& target, const ChannelSecurity& security,
    const grpc::ChannelArguments& arguments = grpc::ChannelArguments());

}  // namespace timeledger::clients

#endif  // TIMELEDGER_CLIENTS_COMMON_CHANNEL_H_
