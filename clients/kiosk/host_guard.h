// HostGuard: which names the kiosk answers to, and which pages may change anything through it.
//
// A page on another site can reach a kiosk on 127.0.0.1 by DNS rebinding (its own name, resolved
// to 127.0.0.1 after the page has loaded) and then sign in, read a member's data, guess PINs or
// lock cards, all as "same origin" to the browser. Such a request still carries the attacker's
// name in its Host header, and a cross-site POST carries the attacker's Origin. So every request
// must name an allowed host in Host, and every request that is not GET or HEAD must come from an
// allowed host's origin (scheme://host:port), or it is refused before it reaches the handler.
//
// An allowed host is a name or address (`localhost`, `kiosk.hall.example`, `192.0.2.7`, `[::1]`)
// with a port. Names compare without regard to case. Immutable after construction; thread-safe.
#ifndef TIMELEDGER_CLIENTS_KIOSK_HOST_GUARD_H_
#define TIMELEDGER_CLIENTS_KIOSK_HOST_GUARD_H_

#include <cstddef>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"

#include "clients/kiosk/http_server.h"

namespace timeledger::kiosk {

// A --host value longer than this is refused; a Host or Origin header longer than this is not
// allowed (DNS names are at most 253 characters, plus a port and a scheme).
inline constexpr size_t kHostNameBytesMax = 300;
// At most this many --host values.
inline constexpr size_t kAllowedHostsMax = 32;

// A host and port as HostGuard compares them: the name in lower case, an IPv6 address in
// brackets.
struct HostAndPort {
  std::string name;
  unsigned short port = 0;

  bool operator==(const HostAndPort&) const = default;
};

// Parses "NAME", "NAME:PORT", "[IPV6]" or "[IPV6]:PORT" (a Host header, a --host value, the part
// of an Origin after the scheme); without a port, `default_port`. Returns nullopt for anything
// else: an empty name, characters a host name cannot hold, a port that is not 1-65535, an
// unbracketed IPv6 address, a path, user info.
std::optional<HostAndPort> ParseHostAndPort(absl::string_view text, unsigned short default_port);

class HostGuard {
 public:
  // `hosts` are --host values ("NAME" or "NAME:PORT"; without a port, `port`); when empty, the
  // defaults: `listen_host` (unless it is a wildcard such as 0.0.0.0) and localhost, with `port`.
  // `https` says which scheme the pages' origins have. Returns InvalidArgument naming a --host
  // value that is not a host name, and for more than kAllowedHostsMax of them.
  static absl::StatusOr<HostGuard> Make(const std::vector<std::string>& hosts,
                                        const std::string& listen_host, unsigned short port,
                                        bool https);

  // True if the Host header `host` names an allowed host (without a port: the scheme's own, 80
  // or 443).
  bool HostAllowed(absl::string_view host) const;
  // True if the Origin header `origin` is the origin of an allowed host: this guard's scheme and
  // an allowed host and port. False for "null", for an absent (empty) one, and for a path.
  bool OriginAllowed(absl::string_view origin) const;

  // The refusal for `request`, or nullopt if the handler may have it: 421 Misdirected Request
  // for a Host not allowed (or none), 403 for a request that is not GET or HEAD without an
  // allowed Origin. A short plain-text message, the usual security headers, connection closed.
  std::optional<Response> Refusal(const Request& request) const;

  // The allowed origins, for the log: "http://localhost:8080, http://127.0.0.1:8080".
  std::string Describe() const;

 private:
  HostGuard(std::vector<HostAndPort> allowed, bool https)
      : allowed_(std::move(allowed)), https_(https) {}

  unsigned short DefaultPort() const { return https_ ? 443 : 80; }

  std::vector<HostAndPort> allowed_;
  bool https_;
};

// `inner` behind `guard`: a refused request never reaches `inner`.
Handler Guarded(std::shared_ptr<const HostGuard> guard, Handler inner);

}  // namespace timeledger::kiosk

#endif  // TIMELEDGER_CLIENTS_KIOSK_HOST_GUARD_H_
