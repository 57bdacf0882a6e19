// account set-card | set-pin | set-language: the card number and PIN a member signs in with at a
// kiosk, and the language it speaks to them in.
#include <cstdio>
#include <iostream>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/strings/strip.h"

#include "clients/cli/command_line.h"
#include "clients/cli/commands.h"
#include "clients/cli/connection.h"
#include "clients/cli/exit_code.h"
#include "timeledger/v1/kiosk.grpc.pb.h"

namespace timeledger::cli {
namespace {

constexpr PositionalSpec kBankArg = {"BANK", "the bank's id, e.g. hcct"};
constexpr PositionalSpec kAccountArg = {"ACCOUNT", "the member's account id, e.g. alice"};

int ShowCard(const v1::MemberCard& card, const std::string& headline, Connection& connection) {
  if (connection.json()) return connection.PrintJson(card);
  std::printf("%s\n", headline.c_str());
  std::printf("Card: %s. PIN: %s.\n",
              card.card_number().empty() ? "none" : card.card_number().c_str(),
              card.has_pin() ? "set" : "not set yet");
  return kExitOk;
}

int RunSetCard(const ParsedArgs& args, Connection& connection) {
  v1::SetMemberCardRequest request;
  request.set_bank_id(args.Positional(0));
  request.set_account_id(args.Positional(1));
  request.set_card_number(args.Has("remove") ? "" : args.Value("number"));
  if (!args.Has("remove") && request.card_number().empty()) {
    return args.ReportUsageError("give the card's --number, or --remove to take the card away");
  }
  v1::MemberCard card;
  const grpc::Status status = connection.Call(&v1::Kiosk::Stub::SetMemberCard, request, &card);
  if (!status.ok()) return connection.ReportFailure(status);
  const std::string label = connection.LabelOf(card.bank_id(), card.account_id());
  return ShowCard(
      card,
      card.card_number().empty()
          ? absl::StrCat(label, " has no kiosk card now.")
          : absl::StrCat(label, " signs in at the kiosk with card ", card.card_number(), "."),
      connection);
}

// The PIN from --pin, or else the first line of standard input (so that it stays out of the
// shell's history and the process list).
std::string PinFrom(const ParsedArgs& args) {
  if (args.Has("pin")) return args.Value("pin");
  std::string line;
  std::getline(std::cin, line);
  return std::string(absl::StripAsciiWhitespace(line));
}

int RunSetPin(const ParsedArgs& args, Connection& connection) {
  v1::SetMemberPinRequest request;
  request.set_bank_id(args.Positional(0));
  request.set_account_id(args.Positional(1));
  request.set_pin(PinFrom(args));
  v1::MemberCard card;
  const grpc::Status status = connection.Call(&v1::Kiosk::Stub::SetMemberPin, request, &card);
  if (!status.ok()) return connection.ReportFailure(status);
  return ShowCard(
      card,
      absl::StrCat("The kiosk PIN of ", connection.LabelOf(card.bank_id(), card.account_id()),
                   " is set; a lock on the card is lifted."),
      connection);
}

int RunSetLanguage(const ParsedArgs& args, Connection& connection) {
  v1::SetMemberLanguageRequest request;
  request.set_bank_id(args.Positional(0));
  request.set_account_id(args.Positional(1));
  request.set_language(args.Has("clear") ? "" : args.Value("language"));
  if (!args.Has("clear") && request.language().empty()) {
    return args.ReportUsageError(
        "give the member's --language (en, bn, ar or pl), or --clear to let them pick one");
  }
  v1::MemberCard card;
  const grpc::Status status = connection.Call(&v1::Kiosk::Stub::SetMemberLanguage, request, &card);
  if (!status.ok()) return connection.ReportFailure(status);
  if (connection.json()) return connection.PrintJson(card);
  const std::string label = connection.LabelOf(card.bank_id(), card.account_id());
  if (card.language().empty()) {
    std::printf("%s picks a language on the kiosk's first screen.\n", label.c_str());
  } else {
    std::printf("The kiosk speaks %s to %s after they sign in.\n", card.language().c_str(),
                label.c_str());
  }
  return kExitOk;
}

}  // namespace

std::vector<CommandSpec> CardCommands() {
  return {
      {
          .group = "account",
          .verb = "set-card",
          .summary = "give a member the card number they sign in with at the kiosk",
          .description =
              "Gives a person's account a kiosk card number (4 to 32 digits, one member per\n"
              "card in a bank), or takes the card away with --remove. Recorded in the journal.",
          .positionals = {kBankArg, kAccountArg},
          .flags = {{"number", "DIGITS", "the number printed on the card (what a scanner types)"},
                    {"remove", "", "take the member's card away"}},
          .examples = "  timeledger account set-card hcct alice --number 1001\n",
          .run = RunSetCard,
      },
      {
          .group = "account",
          .verb = "set-pin",
          .summary = "set the PIN a member signs in with at the kiosk (and unlock the card)",
          .description =
              "Sets a member's kiosk PIN: 4 to 8 digits, read from the first line of standard\n"
              "input unless --pin is given. The server keeps only a slow, salted hash\n"
              "(Argon2id). Five wrong PINs lock a card for 15 minutes; a new PIN lifts the lock.",
          .positionals = {kBankArg, kAccountArg},
          .flags = {{"pin", "DIGITS", "the PIN (default: read from standard input)"}},
          .examples = "  echo 1234 | timeledger account set-pin hcct alice\n",
          .run = RunSetPin,
      },
      {
          .group = "account",
          .verb = "set-language",
          .summary = "set the language the kiosk speaks to a member after they sign in",
          .description =
              "Sets a member's kiosk language, a tag of a language the kiosk ships: en (English),\n"
              "bn (Bengali), ar (Arabic) or pl (Polish); another is refused (INVALID_LANGUAGE).\n"
              "--clear lets the member use the language they pick on the first screen.\n"
              "Recorded in the journal.",
          .positionals = {kBankArg, kAccountArg},
          .flags = {{"language", "TAG", "the language's tag: en, bn, ar or pl"},
                    {"clear", "", "clear the member's language"}},
          .examples = "  timeledger account set-language hcct alice --language bn\n",
          .run = RunSetLanguage,
      },
  };
}

}  // namespace timeledger::cli
