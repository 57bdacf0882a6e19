// qualification define | award | list | holders, activity define, offer define | redeem, and
// catalogue list | retire: the bank's catalogue, qualifications awarded with their rewards, and
// offers bought with credits (timeledger/v1/catalogue.proto).
#include <cstdio>
#include <string>
#include <vector>

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_split.h"

#include "clients/cli/command_line.h"
#include "clients/cli/commands.h"
#include "clients/cli/connection.h"
#include "clients/cli/duration.h"
#include "clients/cli/exit_code.h"
#include "clients/cli/paging.h"
#include "clients/cli/receipt.h"
#include "clients/cli/table.h"
#include "clients/cli/words.h"
#include "timeledger/v1/catalogue.grpc.pb.h"

namespace timeledger::cli {
namespace {

constexpr PositionalSpec kBankArg = {"BANK", "the bank's id"};
constexpr PositionalSpec kCodeArg = {"CODE", "the item's code, e.g. food-hygiene-2"};
constexpr FlagSpec kTitleFlag = {"title", "TEXT", "what it is called, in plain words", true};

// A comma-separated list of codes; empty for none.
std::vector<std::string> Codes(const std::string& text) {
  return absl::StrSplit(text, ',', absl::SkipWhitespace());
}

// Reads an amount option as minutes into *minutes; false (and a usage error printed) if bad.
bool ReadMinutes(const ParsedArgs& args, absl::string_view flag, int64_t* minutes) {
  if (!args.Has(flag)) return true;
  auto parsed = ParseMinutes(args.Value(flag));
  if (!parsed.ok()) {
    args.ReportUsageError(absl::StrCat("--", flag, ": ", parsed.status().message()));
    return false;
  }
  *minutes = *parsed;
  return true;
}

// Reads a whole number of days; false (and a usage error printed) if bad.
bool ReadDays(const ParsedArgs& args, absl::string_view flag, int64_t* days) {
  if (!args.Has(flag)) return true;
  if (!absl::SimpleAtoi(args.Value(flag), days) || *days < 0) {
    args.ReportUsageError(
        absl::StrCat("--", flag, " must be a whole number of days, not '", args.Value(flag), "'"));
    return false;
  }
  return true;
}

v1::CatalogueItem ItemOf(const ParsedArgs& args) {
  v1::CatalogueItem item;
  item.set_bank_id(args.Positional(0));
  item.set_code(args.Positional(1));
  item.set_title(args.Value("title"));
  return item;
}

int Define(const v1::CatalogueItem& item, Connection& connection) {
  v1::PutCatalogueItemRequest request;
  *request.mutable_item() = item;
  v1::CatalogueItem saved;
  const grpc::Status status =
      connection.Call(&v1::Catalogue::Stub::PutCatalogueItem, request, &saved);
  if (!status.ok()) return connection.ReportFailure(status);
  if (connection.json()) return connection.PrintJson(saved);
  std::printf("%s %s (%s) is now at version %llu.\n",
              saved.has_qualification() ? "Qualification"
              : saved.has_activity()    ? "Activity"
                                        : "Offer",
              saved.code().c_str(), saved.title().c_str(),
              static_cast<unsigned long long>(saved.version()));
  return kExitOk;
}

int RunDefineQualification(const ParsedArgs& args, Connection& connection) {
  v1::CatalogueItem item = ItemOf(args);
  v1::QualificationDetails* q = item.mutable_qualification();
  int64_t reward = 0, renewal = 0, validity = 0;
  if (!ReadMinutes(args, "reward", &reward) || !ReadMinutes(args, "renewal-reward", &renewal) ||
      !ReadDays(args, "valid-days", &validity)) {
    return kExitUsage;
  }
  q->set_awarding_body(args.Value("awarding-body"));
  q->set_level(args.Value("level"));
  q->set_reward_account_id(args.Value("reward-from"));
  q->set_reward_minutes(reward);
  q->set_renewal_reward_minutes(renewal);
  q->set_validity_days(validity);
  for (const std::string& code : Codes(args.Value("prerequisites"))) q->add_prerequisites(code);
  return Define(item, connection);
}

int RunDefineActivity(const ParsedArgs& args, Connection& connection) {
  v1::CatalogueItem item = ItemOf(args);
  v1::ActivityDetails* a = item.mutable_activity();
  a->set_category(args.Value("category"));
  for (const std::string& code : Codes(args.Value("requires")))
    a->add_required_qualifications(code);
  a->set_staff_on_duty_may_earn(args.Has("staff-on-duty-may-earn"));
  return Define(item, connection);
}

int RunDefineOffer(const ParsedArgs& args, Connection& connection) {
  v1::CatalogueItem item = ItemOf(args);
  v1::OfferDetails* o = item.mutable_offer();
  int64_t price = 0;
  if (!ReadMinutes(args, "price", &price)) return kExitUsage;
  o->set_price_minutes(price);
  o->set_organisation_account_id(args.Value("to"));
  o->set_leads_to_qualification(args.Value("leads-to"));
  return Define(item, connection);
}

absl::StatusOr<v1::CatalogueKind> ParseKind(absl::string_view text) {
  if (text == "qualification" || text == "qualifications") return v1::QUALIFICATION;
  if (text == "activity" || text == "activities") return v1::ACTIVITY;
  if (text == "offer" || text == "offers") return v1::OFFER;
  return absl::InvalidArgumentError(
      absl::StrCat("KIND must be qualification, activity or offer, not '", text, "'"));
}

// What an item is, in a few words, for the catalogue table.
std::string Details(const v1::CatalogueItem& item) {
  if (item.has_qualification()) {
    const v1::QualificationDetails& q = item.qualification();
    std::string text = absl::StrCat("reward ", FormatMinutes(q.reward_minutes()));
    if (q.validity_days() > 0) {
      absl::StrAppend(&text, ", valid ", q.validity_days(), " days, renewal ",
                      FormatMinutes(q.renewal_reward_minutes()));
    }
    if (q.prerequisites_size() > 0) {
      absl::StrAppend(&text, ", needs ", absl::StrJoin(q.prerequisites(), ", "));
    }
    return text;
  }
  if (item.has_activity()) {
    const v1::ActivityDetails& a = item.activity();
    std::string text = a.category().empty() ? "" : absl::StrCat("category ", a.category());
    if (a.required_qualifications_size() > 0) {
      absl::StrAppend(&text, text.empty() ? "" : ", ", "needs ",
                      absl::StrJoin(a.required_qualifications(), ", "));
    }
    return text;
  }
  const v1::OfferDetails& o = item.offer();
  std::string text =
      absl::StrCat(FormatMinutes(o.price_minutes()), " to ", o.organisation_account_id());
  if (!o.leads_to_qualification().empty()) {
    absl::StrAppend(&text, ", leads to ", o.leads_to_qualification());
  }
  return text;
}

int RunCatalogueList(const ParsedArgs& args, Connection& connection) {
  auto kind = ParseKind(args.Positional(1));
  if (!kind.ok()) return args.ReportUsageError(kind.status().message());
  v1::ListCatalogueRequest request;
  request.set_bank_id(args.Positional(0));
  request.set_kind(*kind);
  request.set_include_retired(args.Has("retired"));
  v1::ListCatalogueResponse all;
  const grpc::Status status = ForEachPage(connection, &v1::Catalogue::Stub::ListCatalogue, request,
                                          [&all](const v1::ListCatalogueResponse& page) {
                                            all.mutable_items()->MergeFrom(page.items());
                                            return true;
                                          });
  if (!status.ok()) return connection.ReportFailure(status);
  if (connection.json()) return connection.PrintJson(all);
  if (all.items().empty()) {
    std::printf("The catalogue has no %s yet.\n", args.Positional(1).c_str());
    return kExitOk;
  }
  Table table({"Code", "Title", "Details", "Version"});
  for (const v1::CatalogueItem& item : all.items()) {
    table.AddRow({item.code(), item.retired() ? item.title() + " (retired)" : item.title(),
                  Details(item), std::to_string(item.version())});
  }
  std::fputs(table.Render().c_str(), stdout);
  return kExitOk;
}

int RunCatalogueRetire(const ParsedArgs& args, Connection& connection) {
  auto kind = ParseKind(args.Positional(1));
  if (!kind.ok()) return args.ReportUsageError(kind.status().message());
  v1::RetireCatalogueItemRequest request;
  request.set_bank_id(args.Positional(0));
  request.set_kind(*kind);
  request.set_code(args.Positional(2));
  v1::CatalogueItem retired;
  const grpc::Status status =
      connection.Call(&v1::Catalogue::Stub::RetireCatalogueItem, request, &retired);
  if (!status.ok()) return connection.ReportFailure(status);
  if (connection.json()) return connection.PrintJson(retired);
  std::printf("Retired %s (%s). It stays on record and is not used any more.\n",
              retired.code().c_str(), retired.title().c_str());
  return kExitOk;
}

std::string OutcomeWords(const v1::AwardQualificationResponse& response,
                         const std::string& member) {
  const v1::Award& award = response.award();
  switch (award.outcome()) {
    case v1::ATTAINED:
      return absl::StrCat(member, " attained ", award.qualification_code(), ".");
    case v1::RENEWED:
      return absl::StrCat(member, " renewed ", award.qualification_code(), ".");
    case v1::ALREADY_VALID:
      return absl::StrCat(member, " already held ", award.qualification_code(),
                          ", still valid on that day: the award is recorded and pays nothing.");
    default:
      return absl::StrCat(member, ": award recorded.");
  }
}

int RunAward(const ParsedArgs& args, Connection& connection) {
  v1::AwardQualificationRequest request;
  request.set_bank_id(args.Positional(0));
  request.set_account_id(args.Positional(1));
  request.set_qualification_code(args.Positional(2));
  request.set_award_id(args.Value("id"));
  request.set_evidence(args.Value("evidence"));
  request.set_verified_by(args.Value("verified-by"));
  if (args.Has("attained-on")) {
    auto when =
        ParseOccurredAt(args.Value("attained-on"), connection.BankTimeZone(request.bank_id()));
    if (!when.ok()) return args.ReportUsageError(when.status().message());
    *request.mutable_attained_at() = ToTimestamp(*when);
  }
  v1::AwardQualificationResponse response;
  const grpc::Status status =
      connection.Call(&v1::Qualifications::Stub::AwardQualification, request, &response);
  if (!status.ok()) return connection.ReportFailure(status);
  if (connection.json()) return connection.PrintJson(response);
  const std::string member = connection.LabelOf(request.bank_id(), request.account_id());
  if (response.replayed()) {
    std::printf("Award %s was already recorded; nothing new was written.\n",
                request.award_id().c_str());
  }
  std::printf("%s\n", OutcomeWords(response, member).c_str());
  const v1::Award& award = response.award();
  const absl::TimeZone zone = connection.BankTimeZone(request.bank_id());
  if (award.has_expires_at()) {
    std::printf("Valid until %s.\n", FormatDate(award.expires_at(), zone).c_str());
  }
  if (response.has_reward_entry()) {
    std::printf("Reward: %s from %s (entry %llu).\n", FormatMinutes(award.reward_minutes()).c_str(),
                connection.LabelOf(request.bank_id(), award.paid_by()).c_str(),
                static_cast<unsigned long long>(award.reward_seq()));
  }
  std::printf("%s now has %s.\n", member.c_str(),
              FormatMinutes(response.balance_minutes()).c_str());
  return kExitOk;
}

int RunRedeem(const ParsedArgs& args, Connection& connection) {
  v1::RedeemOfferRequest request;
  request.set_bank_id(args.Positional(0));
  request.set_account_id(args.Positional(1));
  request.set_offer_code(args.Positional(2));
  request.set_redemption_id(args.Value("id"));
  request.set_note(args.Value("note"));
  v1::RedeemOfferResponse response;
  const grpc::Status status =
      connection.Call(&v1::Qualifications::Stub::RedeemOffer, request, &response);
  if (!status.ok()) return connection.ReportFailure(status);
  if (connection.json()) return connection.PrintJson(response);
  const v1::RecordEntryResponse& receipt = response.receipt();
  PrintReceipt(receipt,
               receipt.replayed() ? absl::StrCat("Already bought as entry ", receipt.entry().seq(),
                                                 "; nothing new was written.")
                                  : absl::StrCat("Bought ", request.offer_code(), " (entry ",
                                                 receipt.entry().seq(), ")."),
               connection);
  if (!response.qualification_in_progress().empty()) {
    std::printf("%s is now in progress until it is awarded.\n",
                response.qualification_in_progress().c_str());
  }
  return kExitOk;
}

std::string StatusWords(v1::QualificationStatus status) {
  switch (status) {
    case v1::QUALIFICATION_VALID:
      return "valid";
    case v1::QUALIFICATION_EXPIRING:
      return "valid, expiring soon";
    case v1::QUALIFICATION_EXPIRED:
      return "expired";
    case v1::QUALIFICATION_IN_PROGRESS:
      return "in progress";
    default:
      return "-";
  }
}

// "until 21 Sep 2029", "no expiry", or "-" for one never attained.
std::string UntilWords(const v1::Holding& holding, absl::TimeZone zone) {
  if (holding.periods().empty()) return "-";
  const v1::ValidPeriod& last = holding.periods(holding.periods_size() - 1);
  return last.has_until() ? FormatDate(last.until(), zone) : "no expiry";
}

template <typename Request, typename Response, typename Rows>
int ListHoldings(const ParsedArgs& args, Connection& connection, Request request,
                 grpc::Status (v1::Qualifications::Stub::*method)(grpc::ClientContext*,
                                                                  const Request&, Response*),
                 Rows rows, bool by_account) {
  int64_t days = 0;
  if (!ReadDays(args, "expiring-within", &days)) return kExitUsage;
  request.set_expiring_within_days(days);
  Response all;
  const grpc::Status status = ForEachPage(connection, method, request, [&](const Response& page) {
    Response copy = page;
    rows(&all)->MergeFrom(*rows(&copy));
    return true;
  });
  if (!status.ok()) return connection.ReportFailure(status);
  if (connection.json()) return connection.PrintJson(all);
  if (rows(&all)->empty()) {
    std::printf("None.\n");
    return kExitOk;
  }
  const absl::TimeZone zone = connection.BankTimeZone(request.bank_id());
  Table table({by_account ? "Member" : "Qualification", "Status", "Valid until", "Awards"});
  for (const v1::Holding& holding : *rows(&all)) {
    table.AddRow({by_account ? connection.LabelOf(holding.bank_id(), holding.account_id())
                             : holding.qualification_code(),
                  StatusWords(holding.status()), UntilWords(holding, zone),
                  std::to_string(holding.award_count())});
  }
  std::fputs(table.Render().c_str(), stdout);
  return kExitOk;
}

int RunList(const ParsedArgs& args, Connection& connection) {
  v1::ListQualificationsRequest request;
  request.set_bank_id(args.Positional(0));
  request.set_account_id(args.Positional(1));
  return ListHoldings(
      args, connection, request, &v1::Qualifications::Stub::ListQualifications,
      [](v1::ListQualificationsResponse* r) { return r->mutable_qualifications(); },
      /*by_account=*/false);
}

int RunHolders(const ParsedArgs& args, Connection& connection) {
  v1::ListHoldersRequest request;
  request.set_bank_id(args.Positional(0));
  request.set_qualification_code(args.Positional(1));
  return ListHoldings(
      args, connection, request, &v1::Qualifications::Stub::ListHolders,
      [](v1::ListHoldersResponse* r) { return r->mutable_holders(); },
      /*by_account=*/true);
}

constexpr FlagSpec kExpiringFlag = {"expiring-within", "DAYS",
                                    "call one that ends within DAYS 'expiring' (default 30)"};

}  // namespace

std::vector<CommandSpec> QualificationCommands() {
  return {
      {
          .group = "qualification",
          .verb = "define",
          .summary = "add a qualification to the catalogue, or change one",
          .description =
              "Defines a qualification the centre rewards, or changes it (a new version). The\n"
              "reward is paid once on attainment by the --reward-from organisation; one that\n"
              "expires (--valid-days) pays --renewal-reward when attained again after expiry.",
          .positionals = {kBankArg, kCodeArg},
          .flags = {kTitleFlag,
                    {"reward-from", "ACCOUNT", "the organisation that pays its rewards"},
                    {"reward", "AMOUNT", "paid on first attainment, e.g. 2h"},
                    {"valid-days", "DAYS", "how long it stays valid (default: for ever)"},
                    {"renewal-reward", "AMOUNT", "paid when attained again after it expired"},
                    {"prerequisites", "CODES", "qualifications needed first, comma-separated"},
                    {"awarding-body", "TEXT", "who issues it"},
                    {"level", "TEXT", "its level, e.g. 2"}},
          .examples =
              "  timeledger qualification define hcct food-hygiene-2 --title \"Food hygiene, "
              "level 2\" \\\n      --reward-from centre --reward 2h --valid-days 1095 "
              "--renewal-reward 1h\n",
          .run = RunDefineQualification,
      },
      {
          .group = "qualification",
          .verb = "award",
          .summary = "record that a member attained a qualification (staff only)",
          .description =
              "Records the award with its evidence and pays its reward in the same write. Only\n"
              "staff may award (a coordinator whose name is their staff account), and never to\n"
              "themselves. Running the\n"
              "same command again is safe. A qualification still valid pays nothing again.",
          .positionals = {kBankArg,
                          {"ACCOUNT", "the member who attained it"},
                          {"QUALIFICATION", "its code"}},
          .flags = {{"id", "KEY", "the award's key, e.g. the certificate number", true},
                    {"evidence", "TEXT", "what shows it, e.g. certificate 12345", true},
                    {"verified-by", "NAME", "who saw the evidence", true},
                    {"attained-on", "DATE", "when it was attained (default: now)"}},
          .examples = "  timeledger --token-file sam.token qualification award hcct alice "
                      "food-hygiene-2 --id "
                      "cert-123 \\\n      --evidence \"certificate 123\" --verified-by \"Sam\"\n",
          .run = RunAward,
      },
      {
          .group = "qualification",
          .verb = "list",
          .summary = "what a member holds: valid, expiring, expired, in progress",
          .positionals = {kBankArg, {"ACCOUNT", "the member"}},
          .flags = {kExpiringFlag},
          .examples = "  timeledger qualification list hcct alice\n",
          .run = RunList,
      },
      {
          .group = "qualification",
          .verb = "holders",
          .summary = "who holds a qualification, or is on a course towards it",
          .positionals = {kBankArg, {"QUALIFICATION", "its code"}},
          .flags = {kExpiringFlag},
          .examples = "  timeledger qualification holders hcct first-aid --expiring-within 60\n",
          .run = RunHolders,
      },
      {
          .group = "activity",
          .verb = "define",
          .summary = "add an activity to the catalogue, or change one",
          .description =
              "Defines an activity members earn for. Entries for it are refused unless the\n"
              "earner holds every --requires qualification, valid on the day the time was given.",
          .positionals = {kBankArg, kCodeArg},
          .flags = {kTitleFlag,
                    {"category", "TEXT", "for reports"},
                    {"requires", "CODES", "qualifications whoever earns for it must hold"},
                    {"staff-on-duty-may-earn", "", "staff may earn for it under the duty rule"}},
          .examples = "  timeledger activity define hcct cook-lunch --title \"Cooking the lunch\" "
                      "--requires food-hygiene-2\n",
          .run = RunDefineActivity,
      },
      {
          .group = "offer",
          .verb = "define",
          .summary = "add an offer members can spend credits on, or change one",
          .positionals = {kBankArg, kCodeArg},
          .flags = {kTitleFlag,
                    {"price", "AMOUNT", "what it costs, e.g. 3h", true},
                    {"to", "ACCOUNT", "the organisation that receives the credits", true},
                    {"leads-to", "QUALIFICATION", "for a course: the qualification it leads to"}},
          .examples =
              "  timeledger offer define hcct hygiene-course --title \"Food hygiene course\" "
              "--price 3h --to centre \\\n      --leads-to food-hygiene-2\n",
          .run = RunDefineOffer,
      },
      {
          .group = "offer",
          .verb = "redeem",
          .summary = "a member spends credits on an offer",
          .description =
              "Records the spend at the offer's price, under every rule of the bank (the member's\n"
              "floor applies). A course shows its qualification as in progress until awarded.",
          .positionals = {kBankArg, {"ACCOUNT", "who spends"}, {"OFFER", "the offer's code"}},
          .flags = {{"id", "KEY", "the spend's key, so that it is safe to retry", true},
                    {"note", "TEXT", "a note (default: the offer's title)"}},
          .examples = "  timeledger offer redeem hcct alice hygiene-course --id course-alice-1\n",
          .run = RunRedeem,
      },
      {
          .group = "catalogue",
          .verb = "list",
          .summary = "list the qualifications, activities or offers of a bank",
          .positionals = {kBankArg, {"KIND", "qualification, activity or offer"}},
          .flags = {{"retired", "", "include retired items"}},
          .examples = "  timeledger catalogue list hcct offer\n",
          .run = RunCatalogueList,
      },
      {
          .group = "catalogue",
          .verb = "retire",
          .summary = "retire a catalogue item for good (it is never deleted)",
          .positionals = {kBankArg, {"KIND", "qualification, activity or offer"}, kCodeArg},
          .examples = "  timeledger catalogue retire hcct offer summer-trip\n",
          .run = RunCatalogueRetire,
      },
  };
}

}  // namespace timeledger::cli
