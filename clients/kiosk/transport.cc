#include "clients/kiosk/transport.h"

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/strip.h"
#include <arpa/inet.h>
#include <boost/asio/buffer.hpp>
#include <boost/system/system_error.hpp>
#include <netinet/in.h>
#include <openssl/err.h>
#include <openssl/ssl.h>

#include "common/pem_files.h"

namespace timeledger::kiosk {
namespace {

namespace ssl = boost::asio::ssl;

// What each file is called in messages.
constexpr char kCertWhat[] = "HTTPS certificate file";
constexpr char kKeyWhat[] = "HTTPS key file";

}  // namespace

bool IsLoopbackHost(absl::string_view host) {
  if (absl::EqualsIgnoreCase(host, "localhost")) return true;
  if (absl::ConsumePrefix(&host, "[") && !absl::ConsumeSuffix(&host, "]")) return false;
  const std::string address(host);
  in_addr v4;
  if (inet_pton(AF_INET, address.c_str(), &v4) == 1) return (ntohl(v4.s_addr) >> 24) == 127;
  in6_addr v6;
  if (inet_pton(AF_INET6, address.c_str(), &v6) == 1) {
    return IN6_IS_ADDR_LOOPBACK(&v6) || (IN6_IS_ADDR_V4MAPPED(&v6) && v6.s6_addr[12] == 127);
  }
  return false;
}

bool IsInsecurePlaintext(const TransportOptions& options) {
  return !options.UsesTls() && !IsLoopbackHost(options.listen_host);
}

absl::Status CheckPlaintextAllowed(const TransportOptions& options) {
  if (!IsInsecurePlaintext(options) || options.allow_insecure_plaintext) {
    return absl::OkStatus();
  }
  return absl::FailedPreconditionError(absl::StrCat(
      "refusing to serve plain HTTP on ", options.listen,
      ", which other machines can reach (card numbers and PINs would cross the network "
      "unencrypted): give --https-cert and --https-key to serve HTTPS, listen on 127.0.0.1, or "
      "give --insecure-plaintext if the network is trusted (e.g. behind a proxy that "
      "terminates TLS)"));
}

absl::StatusOr<std::shared_ptr<ssl::context>> MakeTlsContext(const TransportOptions& options) {
  if (options.key_file.empty()) {
    return absl::InvalidArgumentError(absl::StrCat("the ", kCertWhat, " ", options.cert_file,
                                                   " needs its private key: give --https-key too"));
  }
  if (options.cert_file.empty()) {
    return absl::InvalidArgumentError(absl::StrCat(
        "the ", kKeyWhat, " ", options.key_file, " needs its certificate: give --https-cert too"));
  }
  auto pair = common::LoadKeyPair({kCertWhat, options.cert_file, kKeyWhat, options.key_file});
  if (!pair.ok()) return pair.status();
  if (auto valid = common::CheckValidNow(options.cert_file, pair->cert.get(), "browsers");
      !valid.ok()) {
    return valid;
  }

  auto context = std::make_shared<ssl::context>(ssl::context::tls_server);
  SSL_CTX_set_min_proto_version(context->native_handle(), TLS1_2_VERSION);
  context->set_options(ssl::context::default_workarounds | ssl::context::no_compression |
                       ssl::context::single_dh_use);
  try {
    context->use_certificate_chain(boost::asio::buffer(pair->cert_pem));
    context->use_private_key(boost::asio::buffer(pair->key_pem), ssl::context::pem);
  } catch (const boost::system::system_error& e) {
    // Checked above, so this is a chain that OpenSSL reads differently from its first
    // certificate: say so, naming the file.
    ERR_clear_error();
    return absl::FailedPreconditionError(absl::StrCat("cannot use the certificate chain in ",
                                                      options.cert_file, " with the key in ",
                                                      options.key_file, ": ", e.code().message()));
  }
  return context;
}

}  // namespace timeledger::kiosk
