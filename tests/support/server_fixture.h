// ServerTest: timeledgerd inside a test, as the service tests need it: a Ledger on a real RocksDB
// in a fresh temporary directory, the real gRPC services on a free loopback port, and a channel
// that carries an admin token. A test fixture derives from it, calls StartServer() in its SetUp
// (under ASSERT_NO_FATAL_FAILURE) and makes its stubs from admin_channel_ or target_; the bank and
// accounts most tests begin with are made by CreateBank and OpenAccount.
#ifndef TIMELEDGER_TESTS_SUPPORT_SERVER_FIXTURE_H_
#define TIMELEDGER_TESTS_SUPPORT_SERVER_FIXTURE_H_

#include <memory>
#include <string>
#include <utility>
#include <vector>

#include <grpcpp/grpcpp.h>
#include <gtest/gtest.h>

#include "ledger/engine/ledger.h"
#include "services/server.h"
#include "tests/support/access.h"
#include "tests/support/temp_dir.h"
#include "timeledger/v1/accounts.grpc.pb.h"
#include "timeledger/v1/banks.grpc.pb.h"

namespace timeledger::testing {

class ServerTest : public ::testing::Test {
 protected:
  // Opens a ledger on dir_ with `options` (their data_dir set here) and serves it with
  // `server_options` (listen_address set to a free loopback port here). Fails the test fatally
  // if either does not start.
  void StartServer(ledger::LedgerOptions options = {},
                   services::ServerOptions server_options = {}) {
    options.data_dir = dir_.path();
    auto opened = ledger::Ledger::Open(options);
    ASSERT_TRUE(opened.ok()) << opened.status();
    ledger_ = *std::move(opened);
    server_options.listen_address = "127.0.0.1:0";
    auto started = services::Server::Start(ledger_.get(), server_options);
    ASSERT_TRUE(started.ok()) << started.status();
    server_ = *std::move(started);
    target_ = "127.0.0.1:" + std::to_string(server_->port());
    admin_token_ = AdminToken(*ledger_);
    admin_channel_ = AuthorizedChannel(target_, admin_token_);
  }

  // Creates bank `bank_id` called `name` (in `time_zone` if given) as the admin.
  grpc::Status CreateBank(const std::string& bank_id, const std::string& name,
                          const std::string& time_zone = "") {
    v1::CreateBankRequest request;
    request.set_bank_id(bank_id);
    request.set_name(name);
    if (!time_zone.empty()) request.set_time_zone(time_zone);
    v1::Bank created;
    grpc::ClientContext context;
    return v1::Banks::NewStub(admin_channel_)->CreateBank(&context, request, &created);
  }

  // Opens `account_id` of `kind` in `bank_id` with `roles`, shown as `display_name` (default
  // "Name of <account_id>"), as the admin.
  grpc::Status OpenAccount(const std::string& bank_id, const std::string& account_id,
                           v1::AccountKind kind, const std::vector<v1::Role>& roles = {},
                           const std::string& display_name = "") {
    v1::OpenAccountRequest request;
    request.set_bank_id(bank_id);
    request.set_account_id(account_id);
    request.set_kind(kind);
    request.set_display_name(display_name.empty() ? "Name of " + account_id : display_name);
    for (v1::Role role : roles) request.add_roles(role);
    v1::Account account;
    grpc::ClientContext context;
    return v1::Accounts::NewStub(admin_channel_)->OpenAccount(&context, request, &account);
  }

  // The server stops before the ledger it borrows closes.
  void TearDown() override {
    server_.reset();
    ledger_.reset();
  }

  TempDir dir_;
  std::unique_ptr<ledger::Ledger> ledger_;
  std::unique_ptr<services::Server> server_;
  std::string target_;                            // "127.0.0.1:PORT"
  std::string admin_token_;                       // an admin's bearer token
  std::shared_ptr<grpc::Channel> admin_channel_;  // sends admin_token_ with every call
};

}  // namespace timeledger::testing

#endif  // TIMELEDGER_TESTS_SUPPORT_SERVER_FIXTURE_H_
