// policy get | validate | set | history: a bank's reciprocity rules, read and written as a file
// in protobuf text format (docs/policy.example.txtpb) that a coordinator can read and edit.
#include <cstdio>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include <google/protobuf/io/tokenizer.h>
#include <google/protobuf/text_format.h>
#include <google/protobuf/util/message_differencer.h>

#include "clients/cli/command_line.h"
#include "clients/cli/commands.h"
#include "clients/cli/connection.h"
#include "clients/cli/exit_code.h"
#include "clients/cli/table.h"
#include "clients/cli/words.h"
#include "timeledger/v1/policies.grpc.pb.h"

namespace timeledger::cli {
namespace {

constexpr PositionalSpec kBankArg = {"BANK", "the bank's id"};
constexpr PositionalSpec kFileArg = {"FILE", "a policy file in protobuf text format"};
// A policy file is small; anything larger is not one.
constexpr std::streamsize kPolicyFileBytesMax = 64 << 10;

// Collects the parser's complaints as "line L, column C: message".
class ProblemCollector : public google::protobuf::io::ErrorCollector {
 public:
  void AddError(int line, int column, const std::string& message) override {
    problems.push_back(absl::StrCat("line ", line + 1, ", column ", column + 1, ": ", message));
  }
  std::vector<std::string> problems;
};

// Reads a policy file. Returns kExitOk, or reports what is wrong and returns kExitUsage.
int ReadPolicyFile(const ParsedArgs& args, const std::string& path, v1::Policy* policy) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return args.ReportUsageError(absl::StrCat("cannot read the policy file ", path));
  std::string text(kPolicyFileBytesMax + 1, '\0');
  in.read(text.data(), kPolicyFileBytesMax + 1);
  text.resize(static_cast<size_t>(in.gcount()));
  if (static_cast<std::streamsize>(text.size()) > kPolicyFileBytesMax) {
    return args.ReportUsageError(
        absl::StrCat(path, " is larger than a policy file can be (64 KiB)"));
  }
  google::protobuf::TextFormat::Parser parser;
  ProblemCollector problems;
  parser.RecordErrorsTo(&problems);
  if (!parser.ParseFromString(text, policy)) {
    return args.ReportUsageError(
        absl::StrCat(path, " is not a policy file: ", absl::StrJoin(problems.problems, "; ")));
  }
  return kExitOk;
}

std::string PolicyText(const v1::Policy& policy) {
  v1::Policy rules = policy;
  rules.clear_version();
  rules.clear_set_at();
  rules.clear_set_by();
  std::string text;
  google::protobuf::TextFormat::PrintToString(rules, &text);
  return text;
}

std::string VersionLine(const v1::Policy& policy, Connection& connection,
                        const std::string& bank_id) {
  if (policy.version() == 0) return "the defaults (never changed)";
  return absl::StrCat("version ", policy.version(), ", set by ", policy.set_by(), " on ",
                      FormatDateTime(policy.set_at(), connection.BankTimeZone(bank_id)));
}

int RunGet(const ParsedArgs& args, Connection& connection) {
  v1::GetPolicyRequest request;
  request.set_bank_id(args.Positional(0));
  v1::Policy policy;
  const grpc::Status status = connection.Call(&v1::Policies::Stub::GetPolicy, request, &policy);
  if (!status.ok()) return connection.ReportFailure(status);
  if (connection.json()) return connection.PrintJson(policy);
  std::printf(
      "# Policy of bank %s: %s.\n# Edit, check with 'timeledger policy validate FILE', "
      "apply with 'timeledger policy set %s FILE'.\n%s",
      request.bank_id().c_str(), VersionLine(policy, connection, request.bank_id()).c_str(),
      request.bank_id().c_str(), PolicyText(policy).c_str());
  return kExitOk;
}

int RunValidate(const ParsedArgs& args, Connection& connection) {
  v1::ValidatePolicyRequest request;
  if (int code = ReadPolicyFile(args, args.Positional(0), request.mutable_policy()); code != 0) {
    return code;
  }
  v1::ValidatePolicyResponse response;
  const grpc::Status status =
      connection.Call(&v1::Policies::Stub::ValidatePolicy, request, &response);
  if (!status.ok()) return connection.ReportFailure(status);
  if (connection.json()) return connection.PrintJson(response);
  if (response.valid()) {
    std::printf("%s is a valid policy.\n", args.Positional(0).c_str());
    return kExitOk;
  }
  std::fprintf(stderr, "%s has %d problem%s:\n", args.Positional(0).c_str(),
               response.problems_size(), response.problems_size() == 1 ? "" : "s");
  for (const std::string& problem : response.problems()) {
    std::fprintf(stderr, "  - %s\n", problem.c_str());
  }
  return kExitRefused;
}

int RunSet(const ParsedArgs& args, Connection& connection) {
  v1::SetPolicyRequest request;
  request.set_bank_id(args.Positional(0));
  if (int code = ReadPolicyFile(args, args.Positional(1), request.mutable_policy()); code != 0) {
    return code;
  }
  if (args.Has("expected-version")) {
    uint64_t version = 0;
    if (!absl::SimpleAtoi(args.Value("expected-version"), &version)) {
      return args.ReportUsageError("--expected-version must be a version number such as 3");
    }
    request.set_expected_version(version);
  }
  v1::Policy policy;
  const grpc::Status status = connection.Call(&v1::Policies::Stub::SetPolicy, request, &policy);
  if (!status.ok()) return connection.ReportFailure(status);
  if (connection.json()) return connection.PrintJson(policy);
  std::printf(
      "Policy version %llu is now in force for bank %s; it applies to entries recorded "
      "from now on.\n",
      static_cast<unsigned long long>(policy.version()), request.bank_id().c_str());
  return kExitOk;
}

// The fields that differ between two policies, e.g. "granularity.unit_minutes: 15 -> 30".
std::string Differences(const v1::Policy& old_policy, const v1::Policy& new_policy) {
  v1::Policy a = old_policy, b = new_policy;
  for (v1::Policy* p : {&a, &b}) {
    p->clear_version();
    p->clear_set_at();
    p->clear_set_by();
  }
  std::string report;
  google::protobuf::util::MessageDifferencer differencer;
  differencer.ReportDifferencesToString(&report);
  differencer.Compare(a, b);
  if (report.empty()) return "no change";
  std::vector<std::string> lines;
  std::istringstream stream(report);
  for (std::string line; std::getline(stream, line);) lines.push_back(line);
  return absl::StrJoin(lines, "; ");
}

int RunHistory(const ParsedArgs& args, Connection& connection) {
  v1::ListPolicyChangesRequest request;
  request.set_bank_id(args.Positional(0));
  v1::ListPolicyChangesResponse response;
  const grpc::Status status =
      connection.Call(&v1::Policies::Stub::ListPolicyChanges, request, &response);
  if (!status.ok()) return connection.ReportFailure(status);
  if (connection.json()) return connection.PrintJson(response);
  if (response.changes().empty()) {
    std::printf("The policy of bank %s was never changed: the defaults are in force.\n",
                request.bank_id().c_str());
    return kExitOk;
  }
  const absl::TimeZone zone = connection.BankTimeZone(request.bank_id());
  Table table({"Version", "Set on", "By", "What changed"});
  table.AlignRight(0);
  for (const v1::PolicyChange& change : response.changes()) {
    table.AddRow({absl::StrCat(change.new_policy().version()),
                  FormatDateTime(change.new_policy().set_at(), zone), change.new_policy().set_by(),
                  Differences(change.old_policy(), change.new_policy())});
  }
  std::fputs(table.Render().c_str(), stdout);
  return kExitOk;
}

}  // namespace

std::vector<CommandSpec> PolicyCommands() {
  return {
      {
          .group = "policy",
          .verb = "get",
          .summary = "print a bank's policy as a file you can edit",
          .description = "Prints the rules in force, every section written out, in the format\n"
                         "'policy set' reads. docs/POLICY.md explains each rule.",
          .positionals = {kBankArg},
          .examples = "  timeledger policy get hcct > policy.txtpb\n",
          .run = RunGet,
      },
      {
          .group = "policy",
          .verb = "validate",
          .summary = "check a policy file and list every problem",
          .description = "Checks a policy file without applying it. Exit code 1 if it has "
                         "problems.",
          .positionals = {kFileArg},
          .examples = "  timeledger policy validate policy.txtpb\n",
          .run = RunValidate,
      },
      {
          .group = "policy",
          .verb = "set",
          .summary = "put a policy file in force for a bank",
          .description =
              "Replaces the bank's policy. It applies to entries recorded from now on and never\n"
              "changes the past; the change is recorded with who made it and when. A section\n"
              "left out of the file keeps its default.",
          .positionals = {kBankArg, kFileArg},
          .flags = {{"expected-version", "N",
                     "refuse if someone changed the policy since you read version N"}},
          .examples = "  timeledger --token-file carol.token policy set hcct policy.txtpb\n",
          .run = RunSet,
      },
      {
          .group = "policy",
          .verb = "history",
          .summary = "every change of a bank's policy: who, when, what",
          .description = "Lists every version of the bank's policy with what it changed.",
          .positionals = {kBankArg},
          .examples = "  timeledger policy history hcct\n",
          .run = RunHistory,
      },
  };
}

}  // namespace timeledger::cli
