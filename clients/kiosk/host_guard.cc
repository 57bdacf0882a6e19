#include "clients/kiosk/host_guard.h"

#include <utility>

#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/strings/strip.h"
#include <arpa/inet.h>
#include <netinet/in.h>

namespace timeledger::kiosk {
namespace {

constexpr absl::string_view kHttpScheme = "http://";
constexpr absl::string_view kHttpsScheme = "https://";

// Letters, digits, '-', '.' and '_' (seen in some local names): what a DNS name or an IPv4
// address is made of.
bool IsHostNameChar(char c) {
  return absl::ascii_isalnum(static_cast<unsigned char>(c)) || c == '-' || c == '.' || c == '_';
}

// "1".."65535", digits only.
std::optional<unsigned short> ParsePort(absl::string_view text) {
  if (text.empty() || text.size() > 5) return std::nullopt;
  for (char c : text) {
    if (!absl::ascii_isdigit(static_cast<unsigned char>(c))) return std::nullopt;
  }
  int port = 0;
  if (!absl::SimpleAtoi(text, &port) || port < 1 || port > 65535) return std::nullopt;
  return static_cast<unsigned short>(port);
}

bool IsWildcard(const std::string& host) {
  return host == "0.0.0.0" || host == "::" || host == "[::]" || host.empty();
}

absl::string_view AsView(boost::beast::string_view view) {
  return absl::string_view(view.data(), view.size());
}

Response PlainRefusal(http::status status, absl::string_view message, unsigned version) {
  Response response(status, version);
  response.set(http::field::content_type, "text/plain; charset=utf-8");
  AddSecurityHeaders(&response, "");
  response.keep_alive(false);
  response.body() = std::string(message);
  return response;
}

}  // namespace

std::optional<HostAndPort> ParseHostAndPort(absl::string_view text, unsigned short default_port) {
  if (text.empty() || text.size() > kHostNameBytesMax) return std::nullopt;
  HostAndPort parsed;
  absl::string_view rest;
  if (absl::ConsumePrefix(&text, "[")) {
    const size_t close = text.find(']');
    if (close == absl::string_view::npos) return std::nullopt;
    const std::string address(text.substr(0, close));
    in6_addr v6;
    if (inet_pton(AF_INET6, address.c_str(), &v6) != 1) return std::nullopt;
    char canonical[INET6_ADDRSTRLEN];
    if (inet_ntop(AF_INET6, &v6, canonical, sizeof canonical) == nullptr) return std::nullopt;
    parsed.name = absl::StrCat("[", canonical, "]");
    rest = text.substr(close + 1);
  } else {
    const size_t colon = text.find(':');
    const absl::string_view name = text.substr(0, colon);
    if (name.empty()) return std::nullopt;
    for (char c : name) {
      if (!IsHostNameChar(c)) return std::nullopt;
    }
    parsed.name = absl::AsciiStrToLower(name);
    rest = colon == absl::string_view::npos ? absl::string_view() : text.substr(colon);
  }
  if (rest.empty()) {
    parsed.port = default_port;
    return parsed;
  }
  if (!absl::ConsumePrefix(&rest, ":")) return std::nullopt;
  const std::optional<unsigned short> port = ParsePort(rest);
  if (!port.has_value()) return std::nullopt;
  parsed.port = *port;
  return parsed;
}

absl::StatusOr<HostGuard> HostGuard::Make(const std::vector<std::string>& hosts,
                                          const std::string& listen_host, unsigned short port,
                                          bool https) {
  if (hosts.size() > kAllowedHostsMax) {
    return absl::InvalidArgumentError(
        absl::StrCat("at most ", kAllowedHostsMax, " --host values, not ", hosts.size()));
  }
  std::vector<HostAndPort> allowed;
  for (const std::string& host : hosts) {
    std::optional<HostAndPort> parsed = ParseHostAndPort(host, port);
    if (!parsed.has_value()) {
      return absl::InvalidArgumentError(absl::StrCat(
          "--host ", host.substr(0, kHostNameBytesMax),
          " is not a host name or address (NAME or NAME:PORT, an IPv6 address in brackets)"));
    }
    allowed.push_back(*std::move(parsed));
  }
  if (hosts.empty()) {
    if (!IsWildcard(listen_host)) {
      std::optional<HostAndPort> own = ParseHostAndPort(
          absl::StrContains(listen_host, ':') && !absl::StartsWith(listen_host, "[")
              ? absl::StrCat("[", listen_host, "]")
              : listen_host,
          port);
      if (own.has_value()) allowed.push_back(*std::move(own));
    }
    allowed.push_back({"localhost", port});
  }
  return HostGuard(std::move(allowed), https);
}

bool HostGuard::HostAllowed(absl::string_view host) const {
  const std::optional<HostAndPort> parsed = ParseHostAndPort(host, DefaultPort());
  if (!parsed.has_value()) return false;
  for (const HostAndPort& allowed : allowed_) {
    if (*parsed == allowed) return true;
  }
  return false;
}

bool HostGuard::OriginAllowed(absl::string_view origin) const {
  if (!absl::ConsumePrefix(&origin, https_ ? kHttpsScheme : kHttpScheme)) return false;
  return HostAllowed(origin);
}

std::optional<Response> HostGuard::Refusal(const Request& request) const {
  const auto host = request.find(http::field::host);
  if (request.count(http::field::host) != 1 || !HostAllowed(AsView(host->value()))) {
    return PlainRefusal(http::status::misdirected_request,
                        "This kiosk does not answer to that host name.\n", request.version());
  }
  const http::verb method = request.method();
  if (method == http::verb::get || method == http::verb::head) return std::nullopt;
  const auto origin = request.find(http::field::origin);
  if (request.count(http::field::origin) != 1 || !OriginAllowed(AsView(origin->value()))) {
    return PlainRefusal(http::status::forbidden,
                        "This kiosk takes changes only from its own page.\n", request.version());
  }
  return std::nullopt;
}

std::string HostGuard::Describe() const {
  return absl::StrJoin(allowed_, ", ", [this](std::string* out, const HostAndPort& allowed) {
    absl::StrAppend(out, https_ ? kHttpsScheme : kHttpScheme, allowed.name, ":", allowed.port);
  });
}

Handler Guarded(std::shared_ptr<const HostGuard> guard, Handler inner) {
  return [guard = std::move(guard), inner = std::move(inner)](const Request& request) {
    if (std::optional<Response> refusal = guard->Refusal(request)) return *std::move(refusal);
    return inner(request);
  };
}

}  // namespace timeledger::kiosk
