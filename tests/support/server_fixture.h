// ServerTest: timeledgerd inside a test, as the service tests need it: a Ledger on a real RocksDB
// in a fresh temporary directory, the real gRPC services on a free loopback port, and a channel
// that carries an admin token. A test fixture derives from it, calls StartServer() in its SetUp
// (under ASSERT_NO_FATAL_FAILURE) and makes its stubs from admin_channel_ or target_.
#ifndef TIMELEDGER_TESTS_SUPPORT_SERVER_FIXTURE_H_
#define TIMELEDGER_TESTS_SUPPORT_SERVER_FIXTURE_H_

#include <grpcpp/grpcpp.h>
#include <gtest/gtest.h>

#include <memory>
#include <string>
#include <utility>

#include "ledger/engine/ledger.h"
#include "services/server.h"
#include "tests/support/access.h"
#include "tests/support/temp_dir.h"

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

  // The server stops before the ledger it borrows closes.
  void TearDown() override {
    server_.reset();
    ledger_.reset();
  }

  TempDir dir_;
  std::unique_ptr<ledger::Ledger> ledger_;
  std::unique_ptr<services::Server> server_;
  std::string target_;       // "127.0.0.1:PORT"
  std::string admin_token_;  // an admin's bearer token
  std::shared_ptr<grpc::Channel> admin_channel_;  // sends admin_token_ with every call
};

}  // namespace timeledger::testing

#endif  // TIMELEDGER_TESTS_SUPPORT_SERVER_FIXTURE_H_
