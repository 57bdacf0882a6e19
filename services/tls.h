// Transport security of timeledgerd: TLS from a certificate and key in PEM files, client
// certificates (mTLS) for partners, and the rule that plaintext is served only on loopback
// unless the operator explicitly allows it.
//
// The files are read and checked with OpenSSL when the credentials are made, so that a wrong
// file stops the server at start with a sentence naming the file and the problem, not at the
// first handshake. The functions keep no state and are thread-safe.
#ifndef TIMELEDGER_SERVICES_TLS_H_
#define TIMELEDGER_SERVICES_TLS_H_

#include <memory>
#include <string>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include <grpcpp/security/server_credentials.h>

namespace timeledger::services {

struct ServerOptions;

// Returns the credentials to listen with on options.listen_address:
//   - TLS when tls_cert_file is set (tls_key_file then too). With tls_client_ca_file, clients
//     are asked for a certificate and one they present is verified against those CAs; with
//     tls_require_client_cert as well, a client without a valid certificate is refused (mTLS).
//   - plaintext otherwise, but only on a loopback address (IsLoopbackAddress) or with
//     allow_insecure_plaintext.
// Returns InvalidArgument for an inconsistent combination (a certificate without its key, a
// client CA without TLS, ...), FailedPrecondition for a file that cannot be read, holds no
// certificate or key, a key that does not match the certificate, a certificate out of its
// validity period, and for plaintext on an address that is not loopback. Each message names the
// file or address and says what to do.
absl::StatusOr<std::shared_ptr<grpc::ServerCredentials>> MakeServerCredentials(
    const ServerOptions& options);

// True if `listen_address` ("HOST:PORT") can only be reached from this machine: 127.0.0.0/8,
// [::1], localhost, or a unix: socket. False for the wildcards 0.0.0.0 and [::], for every
// other address and for anything it cannot parse.
bool IsLoopbackAddress(absl::string_view listen_address);

// True if `options` serve plaintext on an address that is not loopback: allowed only with
// allow_insecure_plaintext, and worth a warning every time.
bool IsInsecurePlaintext(const ServerOptions& options);

// How the server talks, for the log: "TLS", "TLS, client certificates verified when
// presented", "TLS, client certificates required (mTLS)", "plaintext" or
// "INSECURE plaintext".
std::string DescribeTransport(const ServerOptions& options);

}  // namespace timeledger::services

#endif  // TIMELEDGER_SERVICES_TLS_H_
