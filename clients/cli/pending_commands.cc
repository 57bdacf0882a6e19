// entry confirm | reject | pending, and expiry run: entries that wait for a member's
// confirmation, and the sweep that returns long-untouched credits to the pool.
#include <cstdio>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"

#include "clients/cli/command_line.h"
#include "clients/cli/commands.h"
#include "clients/cli/connection.h"
#include "clients/cli/duration.h"
#include "clients/cli/entry_text.h"
#include "clients/cli/exit_code.h"
#include "clients/cli/receipt.h"
#include "clients/cli/table.h"
#include "clients/cli/words.h"

namespace timeledger::cli {
namespace {

constexpr PositionalSpec kBankArg = {"BANK", "the bank's id"};
constexpr PositionalSpec kEntryIdArg = {"ENTRY_ID", "the key the entry was recorded with"};

int RunConfirm(const ParsedArgs& args, Connection& connection) {
  v1::ConfirmEntryRequest request;
  request.set_bank_id(args.Positional(0));
  request.set_entry_id(args.Positional(1));
  v1::RecordEntryResponse receipt;
  const grpc::Status status = connection.Call(&v1::Ledger::Stub::ConfirmEntry, request, &receipt);
  if (!status.ok()) return connection.ReportFailure(status);
  if (connection.json()) return connection.PrintJson(receipt);
  PrintReceipt(receipt,
               receipt.replayed()
                   ? absl::StrCat("Entry ", request.entry_id(), " was already confirmed as entry ",
                                  receipt.entry().seq(), "; nothing new was written.")
                   : absl::StrCat("Confirmed: recorded as entry ", receipt.entry().seq(), "."),
               connection);
  return kExitOk;
}

int RunReject(const ParsedArgs& args, Connection& connection) {
  v1::RejectEntryRequest request;
  request.set_bank_id(args.Positional(0));
  request.set_entry_id(args.Positional(1));
  request.set_reason(args.Value("reason"));
  v1::PendingEntry pending;
  const grpc::Status status = connection.Call(&v1::Ledger::Stub::RejectEntry, request, &pending);
  if (!status.ok()) return connection.ReportFailure(status);
  if (connection.json()) return connection.PrintJson(pending);
  const v1::Entry& entry = pending.entry();
  std::printf("Rejected entry %s; it will not be recorded and its hold is released.\n%s\n",
              entry.entry_id().c_str(),
              DescribeEntry(entry, connection.LabelOf(entry.bank_id(), entry.from_account_id()),
                            connection.LabelOf(entry.bank_id(), entry.to_account_id()))
                  .c_str());
  return kExitOk;
}

int RunPending(const ParsedArgs& args, Connection& connection) {
  v1::ListPendingEntriesRequest request;
  request.set_bank_id(args.Positional(0));
  request.set_account_id(args.Value("account"));
  request.set_page_size(1000);
  v1::ListPendingEntriesResponse response;
  const grpc::Status status =
      connection.Call(&v1::Ledger::Stub::ListPendingEntries, request, &response);
  if (!status.ok()) return connection.ReportFailure(status);
  if (connection.json()) return connection.PrintJson(response);
  if (response.pending().empty()) {
    std::printf("No entries are waiting for confirmation.\n");
    return kExitOk;
  }
  const absl::TimeZone zone = connection.BankTimeZone(request.bank_id());
  Table table({"Entry key", "Gave time", "Received", "Amount", "Waits for", "Expires"});
  table.AlignRight(3);
  for (const v1::PendingEntry& pending : response.pending()) {
    const v1::Entry& entry = pending.entry();
    table.AddRow({entry.entry_id(), connection.LabelOf(entry.bank_id(), entry.to_account_id()),
                  connection.LabelOf(entry.bank_id(), entry.from_account_id()),
                  FormatMinutes(entry.minutes()),
                  connection.LabelOf(entry.bank_id(), pending.confirm_by()),
                  FormatDateTime(pending.expires_at(), zone)});
  }
  std::fputs(table.Render().c_str(), stdout);
  std::printf("%d waiting. Confirm with 'timeledger entry confirm %s ENTRY_ID'.\n",
              response.pending_size(), request.bank_id().c_str());
  return kExitOk;
}

int RunExpiry(const ParsedArgs& args, Connection& connection) {
  v1::RunExpirySweepRequest request;
  request.set_bank_id(args.Positional(0));
  v1::RunExpirySweepResponse response;
  const grpc::Status status =
      connection.Call(&v1::Ledger::Stub::RunExpirySweep, request, &response);
  if (!status.ok()) return connection.ReportFailure(status);
  if (connection.json()) return connection.PrintJson(response);
  std::printf("%lld account%s had credits untouched long enough; %s went back to the pool.\n",
              static_cast<long long>(response.accounts_expired()),
              response.accounts_expired() == 1 ? "" : "s",
              FormatMinutes(response.minutes_returned()).c_str());
  if (response.more()) std::printf("There are more: run the same command again.\n");
  return kExitOk;
}

}  // namespace

std::vector<CommandSpec> PendingCommands() {
  return {
      {
          .group = "entry",
          .verb = "confirm",
          .summary = "confirm an entry that waits for confirmation",
          .description =
              "Records a pending entry in the ledger. Anyone but whoever recorded it may confirm\n"
              "it: the member who pays (at a kiosk), or a coordinator other than the one it\n"
              "credits. Your token (--token-file) says who you are.",
          .positionals = {kBankArg, kEntryIdArg},
          .examples = "  timeledger --token-file sam.token entry confirm hcct slip-0042\n",
          .run = RunConfirm,
      },
      {
          .group = "entry",
          .verb = "reject",
          .summary = "reject an entry that waits for confirmation",
          .description = "Drops a pending entry: it is never recorded, and its hold is released.",
          .positionals = {kBankArg, kEntryIdArg},
          .flags = {{"reason", "TEXT", "why, for the record"}},
          .examples = "  timeledger entry reject hcct slip-0042 --reason \"did not happen\"\n",
          .run = RunReject,
      },
      {
          .group = "entry",
          .verb = "pending",
          .summary = "list entries waiting for confirmation",
          .description = "Lists a bank's entries that wait for confirmation, with whom they wait\n"
                         "for and when they expire.",
          .positionals = {kBankArg},
          .flags = {{"account", "ACCOUNT", "only those this account pays or earns"}},
          .examples = "  timeledger entry pending hcct --account bob\n",
          .run = RunPending,
      },
      {
          .group = "expiry",
          .verb = "run",
          .summary = "return long-untouched credits to the pool",
          .description =
              "When the bank's policy has expiry on, gives the balance of every person whose\n"
              "account has had no entry for the policy's months to the community pool. Running\n"
              "it twice changes nothing. timeledgerd also runs it once a day.",
          .positionals = {kBankArg},
          .examples = "  timeledger expiry run hcct\n",
          .run = RunExpiry,
      },
  };
}

}  // namespace timeledger::cli
