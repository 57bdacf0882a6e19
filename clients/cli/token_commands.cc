// token create | list | revoke, and whoami: the principals that may call timeledgerd and their
// bearer tokens (proto access.proto, docs/SECURITY.md).
#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"

#include "clients/cli/command_line.h"
#include "clients/cli/commands.h"
#include "clients/cli/connection.h"
#include "clients/cli/exit_code.h"
#include "clients/cli/table.h"
#include "clients/cli/words.h"
#include "common/pem_files.h"
#include "timeledger/v1/access.grpc.pb.h"

namespace timeledger::cli {
namespace {

constexpr char kRoleNames[] = "admin, coordinator, kiosk or partner";

std::string RoleName(v1::PrincipalRole role) {
  switch (role) {
    case v1::PRINCIPAL_ROLE_ADMIN:
      return "admin";
    case v1::PRINCIPAL_ROLE_COORDINATOR:
      return "coordinator";
    case v1::PRINCIPAL_ROLE_KIOSK:
      return "kiosk";
    case v1::PRINCIPAL_ROLE_PARTNER:
      return "partner";
    default:
      return "unknown";
  }
}

bool ParseRole(const std::string& text, v1::PrincipalRole* role) {
  for (v1::PrincipalRole candidate : {v1::PRINCIPAL_ROLE_ADMIN, v1::PRINCIPAL_ROLE_COORDINATOR,
                                      v1::PRINCIPAL_ROLE_KIOSK, v1::PRINCIPAL_ROLE_PARTNER}) {
    if (text == RoleName(candidate)) {
      *role = candidate;
      return true;
    }
  }
  return false;
}

// "carol, coordinator of hcct (account carol)".
std::string Describe(const v1::Principal& principal) {
  if (principal.role() == v1::PRINCIPAL_ROLE_ADMIN) {
    return absl::StrCat(principal.name(), ", an admin of the whole installation");
  }
  std::string out = absl::StrCat(principal.name(), ", ", RoleName(principal.role()));
  if (!principal.bank_id().empty()) absl::StrAppend(&out, " of ", principal.bank_id());
  if (!principal.account_id().empty())
    absl::StrAppend(&out, " (account ", principal.account_id(), ")");
  return out;
}

// Writes the bearer token to a new file of mode 0600; refuses to overwrite one.
bool WriteNewTokenFile(const std::string& path, const std::string& bearer, std::string* error) {
  const int fd = open(path.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0600);
  if (fd < 0) {
    *error = absl::StrCat("cannot create ", path, ": ", std::strerror(errno),
                          errno == EEXIST ? " (it is not overwritten; remove it first)" : "");
    return false;
  }
  const std::string line = bearer + "\n";
  const bool written =
      write(fd, line.data(), line.size()) == static_cast<ssize_t>(line.size()) && fsync(fd) == 0;
  if (!written) *error = absl::StrCat("cannot write ", path, ": ", std::strerror(errno));
  close(fd);
  return written;
}

// The client certificate subject the token is bound to: --bind-subject as given, or the subject
// of the certificate in --bind-cert as gRPC will name it to the server; "" for neither. Returns
// kExitOk, or the exit code of a usage error it reported.
int BoundSubject(const ParsedArgs& args, std::string* subject) {
  const std::string cert_file = args.Value("bind-cert");
  *subject = args.Value("bind-subject");
  if (cert_file.empty()) return kExitOk;
  if (!subject->empty())
    return args.ReportUsageError("give --bind-cert or --bind-subject, not both");
  auto pem = common::ReadPemFile("client certificate file", cert_file);
  if (!pem.ok()) return args.ReportUsageError(std::string(pem.status().message()));
  auto cert = common::FirstCertificate("client certificate file", cert_file, *pem);
  if (!cert.ok()) return args.ReportUsageError(std::string(cert.status().message()));
  *subject = common::SubjectOf(cert->get());
  return kExitOk;
}

int RunCreate(const ParsedArgs& args, Connection& connection) {
  v1::CreateTokenRequest request;
  v1::Principal* principal = request.mutable_principal();
  v1::PrincipalRole role = v1::PRINCIPAL_ROLE_UNSPECIFIED;
  if (!ParseRole(args.Value("role"), &role)) {
    return args.ReportUsageError(
        absl::StrCat("--role must be ", kRoleNames, "; got '", args.Value("role"), "'"));
  }
  principal->set_role(role);
  principal->set_name(args.Value("name"));
  principal->set_bank_id(args.Value("bank"));
  principal->set_account_id(args.Value("account"));
  if (principal->name().empty()) return args.ReportUsageError("give the principal's --name");
  std::string subject;
  if (const int refused = BoundSubject(args, &subject); refused != kExitOk) return refused;
  request.set_client_certificate_subject(subject);
  std::error_code error;
  if (!args.Value("out").empty() && std::filesystem::exists(args.Value("out"), error)) {
    return args.ReportUsageError(
        absl::StrCat(args.Value("out"), " exists; a token is never written over a file"));
  }
  v1::CreateTokenResponse response;
  const grpc::Status status = connection.Call(&v1::Access::Stub::CreateToken, request, &response);
  if (!status.ok()) return connection.ReportFailure(status);
  const std::string out = args.Value("out");
  if (!out.empty()) {
    std::string error;
    if (!WriteNewTokenFile(out, response.bearer(), &error)) {
      std::fprintf(stderr,
                   "error: %s\n  The token %s was made; revoke it with "
                   "'timeledger token revoke %s'.\n",
                   error.c_str(), response.token().token_id().c_str(),
                   response.token().token_id().c_str());
      return kExitRefused;
    }
  }
  if (connection.json()) {
    if (!out.empty()) response.clear_bearer();
    return connection.PrintJson(response);
  }
  std::printf("Token %s for %s.\n", response.token().token_id().c_str(),
              Describe(response.token().principal()).c_str());
  if (!response.token().client_certificate_subject().empty()) {
    std::printf("Bound to client certificates of subject %s.\n",
                response.token().client_certificate_subject().c_str());
  }
  if (!out.empty()) {
    std::printf("Written to %s (mode 0600); use it with --token-file %s.\n", out.c_str(),
                out.c_str());
  } else {
    std::printf("%s\n", response.bearer().c_str());
    std::fprintf(stderr,
                 "This is the only time the token is shown; keep it in a file of mode "
                 "0600 (or use --out FILE).\n");
  }
  return kExitOk;
}

int RunList(const ParsedArgs& args, Connection& connection) {
  v1::ListTokensRequest request;
  request.set_bank_id(args.Value("bank"));
  request.set_include_revoked(args.Has("all"));
  v1::ListTokensResponse response;
  const grpc::Status status = connection.Call(&v1::Access::Stub::ListTokens, request, &response);
  if (!status.ok()) return connection.ReportFailure(status);
  if (connection.json()) return connection.PrintJson(response);
  if (response.tokens().empty()) {
    std::printf("No tokens%s.\n", args.Has("all") ? "" : " in force");
    return kExitOk;
  }
  Table table({"token", "name", "role", "bank", "account", "bound by", "created", "by", "state",
               "certificate"});
  for (const v1::Token& token : response.tokens()) {
    table.AddRow(
        {token.token_id(), token.principal().name(), RoleName(token.principal().role()),
         token.principal().bank_id(), token.principal().account_id(), token.principal().bound_by(),
         FormatDateTime(token.created_at(), absl::UTCTimeZone()), token.created_by(),
         token.has_revoked_at() ? absl::StrCat("revoked by ", token.revoked_by()) : "in force",
         token.client_certificate_subject().empty() ? "any" : token.client_certificate_subject()});
  }
  std::fputs(table.Render().c_str(), stdout);
  return kExitOk;
}

int RunRevoke(const ParsedArgs& args, Connection& connection) {
  v1::RevokeTokenRequest request;
  request.set_token_id(args.Positional(0));
  v1::Token token;
  const grpc::Status status = connection.Call(&v1::Access::Stub::RevokeToken, request, &token);
  if (!status.ok()) return connection.ReportFailure(status);
  if (connection.json()) return connection.PrintJson(token);
  std::printf("Token %s of %s is revoked (by %s); it is refused from now on.\n",
              token.token_id().c_str(), Describe(token.principal()).c_str(),
              token.revoked_by().c_str());
  return kExitOk;
}

int RunWhoAmI(const ParsedArgs& /*args*/, Connection& connection) {
  v1::Principal principal;
  const grpc::Status status =
      connection.Call(&v1::Access::Stub::WhoAmI, v1::WhoAmIRequest(), &principal);
  if (!status.ok()) return connection.ReportFailure(status);
  if (connection.json()) return connection.PrintJson(principal);
  std::printf("You are %s.\n", Describe(principal).c_str());
  return kExitOk;
}

}  // namespace

std::vector<CommandSpec> TokenCommands() {
  return {
      {
          .group = "token",
          .verb = "create",
          .summary = "make a token for a coordinator, a kiosk, a partner or an admin",
          .description =
              "Makes a bearer token for a principal: a coordinator (staff of a bank; best named\n"
              "as their staff account), a kiosk (a device in a centre), a partner (an outside\n"
              "system bound to one organisation account, which it may only record SPEND entries\n"
              "into), or an admin (the whole installation). An admin makes any token. A\n"
              "coordinator makes kiosk and partner tokens of their own bank, more tokens of\n"
              "their own, and a coordinator for a colleague new here, named as their own staff\n"
              "account (--name tina --account tina). A name keeps its role, bank and account\n"
              "for all its tokens; only an admin changes them. The token is shown once: write\n"
              "it to a file with --out (mode 0600).",
          .flags = {{"role", "ROLE", "admin, coordinator, kiosk or partner"},
                    {"name", "NAME", "the principal's name, recorded with all it does"},
                    {"bank", "BANK", "the bank it belongs to (every role but admin)"},
                    {"account", "ACCOUNT",
                     "a partner's organisation account (required); a coordinator's own person "
                     "account (required when a coordinator makes one)"},
                    {"out", "FILE", "write the token to this new file (mode 0600)"},
                    {"bind-cert", "FILE",
                     "bind the token to the subject of this client certificate (PEM): calls "
                     "with it must come over mTLS with a certificate of that subject"},
                    {"bind-subject", "SUBJECT",
                     "the same with the subject as RFC 2253 writes it (CN=cafe-till,O=Cafe)"}},
          .examples = "  timeledger token create --role coordinator --bank hcct --name sam --out "
                      "sam.token\n"
                      "  timeledger token create --role kiosk --bank hcct --name kiosk-2 --out "
                      "kiosk-2.token\n"
                      "  timeledger token create --role partner --bank hcct --name cafe-till "
                      "--account cafe \\\n"
                      "      --bind-cert cafe-till.pem --out cafe-till.token\n",
          .run = RunCreate,
      },
      {
          .group = "token",
          .verb = "list",
          .summary = "list the tokens you may manage",
          .description = "Lists tokens in force, oldest first; --all shows revoked ones too. "
                         "Secrets are\nnever shown: the server keeps only their hashes.",
          .flags = {{"bank", "BANK", "only this bank's tokens"},
                    {"all", "", "also the revoked tokens"}},
          .examples = "  timeledger token list --bank hcct\n",
          .run = RunList,
      },
      {
          .group = "token",
          .verb = "revoke",
          .summary = "end a token at once",
          .description = "Revokes a token: the server refuses it from the next call on.",
          .positionals = {{"TOKEN", "the token's id (16 hex digits), from token list"}},
          .examples = "  timeledger token revoke 3f2a9c0b1d4e5f60\n",
          .run = RunRevoke,
      },
      {
          .group = "whoami",
          .summary = "say who the server takes you to be",
          .description = "Shows the principal of the token this CLI sends.",
          .examples = "  timeledger whoami\n",
          .run = RunWhoAmI,
      },
  };
}

}  // namespace timeledger::cli
