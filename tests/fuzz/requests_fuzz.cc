// Fuzz target: what every write request goes through before it reaches the ledger: the protobuf
// parse, the conversion to the domain (services/convert.h) and the domain's validation
// (ledger/core/validate.h, ledger/rules/policy.h), exactly as the handlers and commands run them.
//
// The first byte picks the request; the rest is its wire bytes. Beyond not crashing it checks
// that what validation accepts can be stored and read back (and that card numbers and PINs it
// accepts are digits): an accepted entry's canonical bytes
// decode to the same entry, an accepted account and bank round-trip through their records, an
// accepted policy through its encoding.
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>

#include "absl/time/time.h"

#include "ledger/core/records.h"
#include "ledger/core/validate.h"
#include "ledger/engine/token_registry.h"
#include "ledger/rules/access.h"
#include "ledger/rules/kiosk.h"
#include "ledger/rules/policy.h"
#include "services/catalogue_convert.h"
#include "services/convert.h"
#include "services/report_convert.h"
#include "timeledger/v1/access.pb.h"
#include "timeledger/v1/accounts.pb.h"
#include "timeledger/v1/banks.pb.h"
#include "timeledger/v1/catalogue.pb.h"
#include "timeledger/v1/kiosk.pb.h"
#include "timeledger/v1/ledger.pb.h"
#include "timeledger/v1/policies.pb.h"
#include "timeledger/v1/reports.pb.h"

namespace {

namespace ledger = timeledger::ledger;
namespace v1 = timeledger::v1;
using timeledger::services::FromProto;

// A fixed "now", so that a crash found once is found again from the same input.
const absl::Time kNow = absl::FromUnixSeconds(1795000000);  // 2026-11-18

[[noreturn]] void Fail(const char* what) {
  std::fprintf(stderr, "requests_fuzz: %s\n", what);
  std::abort();
}

void RecordEntry(const v1::RecordEntryRequest& request) {
  auto spec = FromProto(request);
  if (!spec.ok() || !ledger::ValidateEntrySpec(*spec, kNow).ok()) return;
  ledger::Entry entry;
  entry.bank_id = spec->bank_id;
  entry.seq = 1;
  entry.entry_id = spec->entry_id;
  entry.kind = spec->kind;
  entry.from_account_id = spec->from_account_id;
  entry.to_account_id = spec->to_account_id;
  entry.minutes = spec->minutes;
  entry.activity = spec->activity;
  entry.note = spec->note;
  entry.occurred_at = ledger::FromMicros(
      ledger::ToMicros(spec->occurred_at == absl::InfinitePast() ? kNow : spec->occurred_at));
  entry.recorded_at = kNow;
  entry.recorded_by = "fuzz";
  const std::string bytes = ledger::CanonicalEntryBytes(entry);
  auto decoded = ledger::DecodeCanonicalEntry(bytes);
  if (!decoded.ok()) Fail("an accepted entry's canonical bytes do not decode");
  if (ledger::CanonicalEntryBytes(*decoded) != bytes || decoded->entry_id != entry.entry_id ||
      decoded->note != entry.note || decoded->minutes != entry.minutes ||
      decoded->occurred_at != entry.occurred_at) {
    Fail("an accepted entry does not read back as it was");
  }
}

void OpenAccount(const v1::OpenAccountRequest& request) {
  auto account = FromProto(request);
  if (!account.ok() || !ledger::ValidateNewAccount(*account).ok()) return;
  const std::string bytes = ledger::EncodeAccount(*account);
  auto decoded = ledger::DecodeAccount(bytes);
  if (!decoded.ok()) Fail("an accepted account's record does not decode");
  if (ledger::EncodeAccount(*decoded) != bytes || decoded->display_name != account->display_name ||
      decoded->roles != account->roles) {
    Fail("an accepted account does not read back as it was");
  }
}

void CreateBank(const v1::CreateBankRequest& request) {
  ledger::Bank bank;
  bank.bank_id = request.bank_id();
  bank.name = request.name();
  bank.time_zone = request.time_zone().empty() ? "Europe/London" : request.time_zone();
  bank.created_at = kNow;
  if (!ledger::ValidateBank(bank).ok()) return;
  auto decoded = ledger::DecodeBank(ledger::EncodeBank(bank));
  if (!decoded.ok() || decoded->name != bank.name || decoded->time_zone != bank.time_zone) {
    Fail("an accepted bank does not read back as it was");
  }
}

void SetPolicy(const v1::SetPolicyRequest& request) {
  auto policy = FromProto(request.policy());
  if (!policy.ok() || !ledger::PolicyProblems(*policy).empty()) return;
  const std::string bytes = ledger::EncodePolicy(*policy);
  auto decoded = ledger::DecodePolicy(bytes);
  if (!decoded.ok()) Fail("an accepted policy does not decode");
  if (ledger::EncodePolicy(*decoded) != bytes) Fail("an accepted policy does not read back");
}

void Reports(const v1::GetPeriodReportRequest& period, const v1::GetStatementRequest& statement) {
  // The conversions check dates and ranges; nothing to compare, only nothing to crash.
  (void)FromProto(period);
  (void)FromProto(statement);
}

void Catalogue(const v1::PutCatalogueItemRequest& put, const v1::AwardQualificationRequest& award) {
  // The conversions name a bad kind or time; the commands check the rest on the writer.
  auto item = FromProto(put.item());
  if (item.ok()) {
    auto decoded = ledger::DecodeCatalogueItem(ledger::EncodeCatalogueItem(*item));
    if (!decoded.ok()) Fail("a converted catalogue item does not read back");
  }
  (void)FromProto(award);
}

void Kiosk(const v1::SignInRequest& sign_in) {
  // A card number and PIN that validation accepts are digits only, within their lengths.
  const bool card_ok = ledger::ValidateCardNumber(sign_in.card_number(), false).ok();
  const bool pin_ok = ledger::ValidatePin(sign_in.pin()).ok();
  for (const auto& [ok, text] :
       {std::pair{card_ok, &sign_in.card_number()}, std::pair{pin_ok, &sign_in.pin()}}) {
    if (!ok) continue;
    for (char c : *text) {
      if (c < '0' || c > '9') Fail("validation accepted a card number or PIN that is not digits");
    }
  }
}

void Access(const v1::CreateTokenRequest& create) {
  ledger::Principal principal;
  principal.name = create.principal().name();
  principal.role = static_cast<ledger::PrincipalRole>(create.principal().role());
  principal.bank_id = create.principal().bank_id();
  principal.account_id = create.principal().account_id();
  const bool known_role = create.principal().role() >= v1::PRINCIPAL_ROLE_ADMIN &&
                          create.principal().role() <= v1::PRINCIPAL_ROLE_PARTNER;
  if (known_role && ledger::ValidatePrincipal(principal).ok()) {
    if (principal.role != ledger::PrincipalRole::kAdmin && principal.bank_id.empty()) {
      Fail("validation accepted a principal of no bank that is not an admin");
    }
    ledger::Principal coordinator{"sam", ledger::PrincipalRole::kCoordinator, "camden", ""};
    if (ledger::CheckMayManage(coordinator, principal).ok() &&
        (principal.role == ledger::PrincipalRole::kAdmin || principal.bank_id != "camden")) {
      Fail("a coordinator may manage a token outside their bank");
    }
  }
  // The name as a bearer token: an empty registry knows none, and says so without crashing.
  static ledger::TokenRegistry* const registry = new ledger::TokenRegistry(nullptr);
  if (registry->Authenticate(principal.name).status().code() !=
      absl::StatusCode::kUnauthenticated) {
    Fail("an empty registry did not refuse a bearer token");
  }
}

template <typename Message>
bool Parse(const uint8_t* data, size_t size, Message* message) {
  return message->ParseFromArray(data, static_cast<int>(size));
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size == 0 || size > (1 << 20)) return 0;
  const uint8_t* body = data + 1;
  const size_t body_size = size - 1;
  switch (data[0] % 8) {
    case 0: {
      v1::RecordEntryRequest request;
      if (Parse(body, body_size, &request)) RecordEntry(request);
      break;
    }
    case 1: {
      v1::OpenAccountRequest request;
      if (Parse(body, body_size, &request)) OpenAccount(request);
      break;
    }
    case 2: {
      v1::CreateBankRequest request;
      if (Parse(body, body_size, &request)) CreateBank(request);
      break;
    }
    case 3: {
      v1::SetPolicyRequest request;
      if (Parse(body, body_size, &request)) SetPolicy(request);
      break;
    }
    case 4: {
      v1::GetPeriodReportRequest period;
      v1::GetStatementRequest statement;
      if (Parse(body, body_size, &period)) Reports(period, v1::GetStatementRequest());
      if (Parse(body, body_size, &statement)) Reports(v1::GetPeriodReportRequest(), statement);
      break;
    }
    case 5: {
      v1::PutCatalogueItemRequest put;
      v1::AwardQualificationRequest award;
      if (Parse(body, body_size, &put)) Catalogue(put, v1::AwardQualificationRequest());
      if (Parse(body, body_size, &award)) Catalogue(v1::PutCatalogueItemRequest(), award);
      break;
    }
    case 6: {
      v1::SignInRequest sign_in;
      if (Parse(body, body_size, &sign_in)) Kiosk(sign_in);
      break;
    }
    case 7: {
      v1::CreateTokenRequest create;
      if (Parse(body, body_size, &create)) Access(create);
      break;
    }
  }
  return 0;
}
