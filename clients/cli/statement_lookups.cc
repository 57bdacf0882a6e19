#include "clients/cli/statement_lookups.h"

#include <utility>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"

#include "clients/cli/paging.h"
#include "timeledger/v1/catalogue.grpc.pb.h"
#include "timeledger/v1/kiosk.grpc.pb.h"

namespace timeledger::cli {
namespace {

// The language a coordinator set for the member, "" if none. A server from before
// GetMemberCard answers UNIMPLEMENTED, and the statement is written in English.
grpc::Status MemberLanguage(Connection& connection, const std::string& bank_id,
                            const std::string& account_id, std::string* language) {
  v1::GetMemberCardRequest request;
  request.set_bank_id(bank_id);
  request.set_account_id(account_id);
  v1::MemberCard card;
  const grpc::Status status = connection.Call(&v1::Kiosk::Stub::GetMemberCard, request, &card);
  // An older server has no such call, and a partner may read its own account's statement but no
  // member's card: either way the statement is written in English rather than refused.
  if (status.error_code() == grpc::StatusCode::UNIMPLEMENTED ||
      status.error_code() == grpc::StatusCode::PERMISSION_DENIED) {
    return grpc::Status::OK;
  }
  if (status.ok()) *language = card.language();
  return status;
}

// Every title of the bank's catalogue, retired items included: old entries name them too.
grpc::Status FetchTitles(Connection& connection, const std::string& bank_id,
                         CatalogueTitles* titles) {
  for (v1::CatalogueKind kind : {v1::ACTIVITY, v1::OFFER, v1::QUALIFICATION}) {
    v1::ListCatalogueRequest request;
    request.set_bank_id(bank_id);
    request.set_kind(kind);
    request.set_include_retired(true);
    const grpc::Status status =
        ForEachPage(connection, &v1::Catalogue::Stub::ListCatalogue, request,
                    [titles, kind](const v1::ListCatalogueResponse& page) {
                      for (const v1::CatalogueItem& item : page.items()) titles->Add(item, kind);
                      return true;
                    });
    if (!status.ok()) return status;
  }
  return grpc::Status::OK;
}

}  // namespace

std::optional<StatementWords> StatementWordsFor(const ParsedArgs& args, Connection& connection,
                                                const std::string& bank_id,
                                                const std::string& account_id, int* exit_code) {
  std::string language = args.Value(kStatementLanguageFlag.name);
  if (args.Has(kStatementLanguageFlag.name) && !StatementMessages().Has(language)) {
    *exit_code = args.ReportUsageError(
        absl::StrCat("--language '", language, "' is not a language statements are written in: ",
                     absl::StrJoin(StatementMessages().Languages(), ", ")));
    return std::nullopt;
  }
  grpc::Status status = grpc::Status::OK;
  if (!args.Has(kStatementLanguageFlag.name)) {
    status = MemberLanguage(connection, bank_id, account_id, &language);
  }
  CatalogueTitles titles;
  if (status.ok()) status = FetchTitles(connection, bank_id, &titles);
  if (!status.ok()) {
    *exit_code = connection.ReportFailure(status);
    return std::nullopt;
  }
  return StatementWords(std::move(language), std::move(titles));
}

}  // namespace timeledger::cli
