// How the kiosk serves its page: HTTPS from a certificate and key in PEM files, or plain HTTP,
// which is allowed only on a loopback address unless the operator says --insecure-plaintext.
// The same rule as timeledgerd's (services/tls.h): card numbers and PINs cross this connection.
//
// The files are read and checked when the TLS context is made, so that a wrong file stops the
// kiosk at start with a sentence naming the file, before anything listens. The functions keep no
// state and are thread-safe; a context they return may be shared by every connection.
#ifndef TIMELEDGER_CLIENTS_KIOSK_TRANSPORT_H_
#define TIMELEDGER_CLIENTS_KIOSK_TRANSPORT_H_

#include <memory>
#include <string>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include <boost/asio/ssl/context.hpp>

namespace timeledger::kiosk {

struct TransportOptions {
  std::string listen_host;     // the host part of --listen: "127.0.0.1", "0.0.0.0", "[::1]"
  std::string listen = "";     // --listen as given, for messages
  std::string cert_file = "";  // --https-cert: serve HTTPS with this PEM certificate (and chain)
  std::string key_file = "";   // --https-key: its unencrypted PEM private key
  bool allow_insecure_plaintext = false;  // --insecure-plaintext

  bool UsesTls() const { return !cert_file.empty() || !key_file.empty(); }
};

// True if `host` can only be reached from this machine: 127.0.0.0/8, ::1 (with or without
// brackets), localhost. False for the wildcards 0.0.0.0 and ::, for every other address and for
// anything it cannot parse.
bool IsLoopbackHost(absl::string_view host);

// True if `options` serve plain HTTP on an address that is not loopback: allowed only with
// allow_insecure_plaintext, and worth a warning at every start.
bool IsInsecurePlaintext(const TransportOptions& options);

// OK if `options` may serve plain HTTP; FailedPrecondition for plain HTTP on an address that is
// not loopback without allow_insecure_plaintext, saying what to do. Only for options without TLS.
absl::Status CheckPlaintextAllowed(const TransportOptions& options);

// The TLS context to serve with: TLS 1.2 or later, the certificate chain and key of `options`.
// Returns InvalidArgument for a certificate without its key or a key without its certificate;
// FailedPrecondition for a file that cannot be read, holds no certificate or no unencrypted key,
// a key that does not match the certificate, or a certificate out of its validity period. Each
// message names the file.
absl::StatusOr<std::shared_ptr<boost::asio::ssl::context>> MakeTlsContext(
    const TransportOptions& options);

}  // namespace timeledger::kiosk

#endif  // TIMELEDGER_CLIENTS_KIOSK_TRANSPORT_H_
