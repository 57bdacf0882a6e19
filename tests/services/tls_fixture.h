// TlsLedgerTest: what the transport security tests share: certificates made at test time in a
// fresh directory (tests/support/test_certs.h), a ledger beside them with an admin token, and the
// server a test starts on them (stopped before the ledger closes).
#ifndef TIMELEDGER_TESTS_SERVICES_TLS_FIXTURE_H_
#define TIMELEDGER_TESTS_SERVICES_TLS_FIXTURE_H_

#include <memory>
#include <string>

#include <gtest/gtest.h>

#include "ledger/engine/ledger.h"
#include "services/server.h"
#include "tests/support/access.h"
#include "tests/support/temp_dir.h"
#include "tests/support/test_certs.h"

namespace timeledger::services {

class TlsLedgerTest : public ::testing::Test {
 protected:
  void SetUp() override {
    files_ = timeledger::testing::WriteTestCertificates(dir_.path());
    ledger::LedgerOptions options;
    options.data_dir = dir_.path() + "/ledger";
    auto opened = ledger::Ledger::Open(options);
    ASSERT_TRUE(opened.ok()) << opened.status();
    ledger_ = *std::move(opened);
    admin_token_ = testing::AdminToken(*ledger_);
  }

  void TearDown() override {
    server_.reset();
    ledger_.reset();
  }

  timeledger::testing::TempDir dir_;
  timeledger::testing::TestCertFiles files_;
  std::unique_ptr<ledger::Ledger> ledger_;
  std::string admin_token_;
  std::unique_ptr<Server> server_;
};

}  // namespace timeledger::services

#endif  // TIMELEDGER_TESTS_SERVICES_TLS_FIXTURE_H_
