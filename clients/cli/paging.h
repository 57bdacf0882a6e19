// Following a paged List method to its last page.
//
// The List methods of the wire contract return a page of rows and a next_page_token ("" on the
// last page). ForEachPage asks for page after page with the same request and hands each page to
// a callback. A token is opaque and bound to its request's filters (docs/API.md, "Paging"): it is
// sent back as it came, with the request unchanged. Header-only; no state of its own.
#ifndef TIMELEDGER_CLIENTS_CLI_PAGING_H_
#define TIMELEDGER_CLIENTS_CLI_PAGING_H_

#include <cstdint>
#include <string>

#include <grpcpp/grpcpp.h>

#include "clients/cli/connection.h"

namespace timeledger::cli {

// Rows asked for per page; the server's maximum.
inline constexpr int32_t kPageSize = 1000;

// The most pages one command follows (a million rows at kPageSize), so that a server that
// never says "last page" cannot keep the CLI running for ever.
inline constexpr int kPagesMax = 1000;

// Calls `method` with `request` page after page, until the server sends an empty
// next_page_token or `on_page(response)` returns false. Returns the first failed call's status,
// or INTERNAL if the server repeats a page token or sends more than kPagesMax pages.
template <typename Stub, typename Request, typename Response, typename OnPage>
grpc::Status ForEachPage(Connection& connection,
                         grpc::Status (Stub::*method)(grpc::ClientContext*, const Request&,
                                                      Response*),
                         Request request, OnPage on_page) {
  request.set_page_size(kPageSize);
  request.set_page_token("");
  for (int page = 0; page < kPagesMax; ++page) {
    Response response;
    grpc::Status status = connection.Call(method, request, &response);
    if (!status.ok()) return status;
    if (!on_page(response) || response.next_page_token().empty()) return grpc::Status::OK;
    if (response.next_page_token() == request.page_token()) {
      return grpc::Status(grpc::StatusCode::INTERNAL,
                          "the server sent the same page twice; the list is incomplete");
    }
    request.set_page_token(response.next_page_token());
  }
  return grpc::Status(grpc::StatusCode::INTERNAL,
                      "the list has more pages than this tool follows; it is incomplete");
}

}  // namespace timeledger::cli

#endif  // TIMELEDGER_CLIENTS_CLI_PAGING_H_
