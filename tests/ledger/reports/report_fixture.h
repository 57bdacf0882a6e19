// ReportTest: a Ledger on a real RocksDB in a fresh directory, with a clock the test moves, for
// period reports and statements. Days and times are in Europe/London, the bank's time zone.
#ifndef TIMELEDGER_TESTS_LEDGER_REPORTS_REPORT_FIXTURE_H_
#define TIMELEDGER_TESTS_LEDGER_REPORTS_REPORT_FIXTURE_H_

#include <atomic>
#include <memory>
#include <string>

#include "absl/time/civil_time.h"
#include "absl/time/time.h"
#include <gtest/gtest.h>

#include "ledger/engine/ledger.h"
#include "ledger/reports/report.h"
#include "tests/support/temp_dir.h"

namespace timeledger::ledger {

inline constexpr char kBank[] = "hcct";

class ReportTest : public ::testing::Test {
 protected:
  void SetUp() override {
    ASSERT_TRUE(absl::LoadTimeZone("Europe/London", &london_));
    now_ = At(absl::CivilDay(2026, 3, 10));
    LedgerOptions options;
    options.data_dir = dir_.path();
    options.sync = false;  // these tests are about figures, not durability
    options.clock = [this] { return now_.load(); };
    auto opened = Ledger::Open(options);
    ASSERT_TRUE(opened.ok()) << opened.status();
    ledger_ = *std::move(opened);
    auto bank = Await<Bank>([&](auto done) {
      ledger_->CreateBank(Bank{kBank, "Holy Cross Centre", "Europe/London", {}}, AdminNamed("test"),
                          std::move(done));
    });
    ASSERT_TRUE(bank.ok()) << bank.status();
  }

  // `day` at hh:mm in London.
  absl::Time At(absl::CivilDay day, int hour = 12, int minute = 0) const {
    return absl::FromCivil(absl::CivilMinute(day.year(), day.month(), day.day(), hour, minute),
                           london_);
  }

  void SetClock(absl::CivilDay day, int hour = 12, int minute = 0) { now_ = At(day, hour, minute); }

  absl::Status SetPolicy(const Policy& policy) {
    return Await<Policy>([&](auto done) {
             ledger_->SetPolicy(BankId(kBank), policy, 0, AdminNamed("coordinator"),
                                std::move(done));
           })
        .status();
  }

  absl::Status Open(const std::string& id, AccountKind kind) {
    Account account;
    account.bank_id = kBank;
    account.account_id = id;
    account.kind = kind;
    account.display_name = "Name of " + id;
    return Await<Account>([&](auto done) {
             ledger_->OpenAccount(account, AdminNamed("test"), std::move(done));
           })
        .status();
  }

  // Records an entry that occurred at `occurred_at` (now if InfinitePast), as `principal`.
  absl::StatusOr<Receipt> Record(const std::string& entry_id, EntryKind kind,
                                 const std::string& from, const std::string& to, int64_t minutes,
                                 const std::string& activity,
                                 absl::Time occurred_at = absl::InfinitePast(),
                                 const std::string& principal = "coordinator") {
    EntrySpec spec;
    spec.bank_id = kBank;
    spec.entry_id = entry_id;
    spec.kind = kind;
    spec.from_account_id = from;
    spec.to_account_id = to;
    spec.minutes = minutes;
    spec.activity = activity;
    spec.occurred_at = occurred_at;
    return Await<Receipt>([&](auto done) {
      ledger_->RecordEntry(spec, ledger::AdminNamed(principal), std::move(done));
    });
  }

  absl::StatusOr<Receipt> Reverse(uint64_t seq) {
    return Await<Receipt>([&](auto done) {
      ledger_->ReverseEntry(BankId(kBank), seq, EntryId(), "a mistake",
                            ledger::AdminNamed("coordinator"), std::move(done));
    });
  }

  absl::StatusOr<PeriodReport> Report(absl::CivilDay first, absl::CivilDay last,
                                      bool compare = false) {
    auto view = ledger_->NewReadView();
    ReportOptions options;
    options.now = now_.load();
    return BuildPeriodReport(*view, PeriodReportRequest{BankId(kBank), first, last, compare},
                             options);
  }

  absl::StatusOr<Statement> StatementOf(const std::string& account_id, absl::CivilDay first,
                                        absl::CivilDay last) {
    auto view = ledger_->NewReadView();
    return BuildStatement(
        *view, StatementRequest{BankId(kBank), AccountId(account_id), first, last}, now_.load());
  }

  absl::TimeZone london_;
  timeledger::testing::TempDir dir_;
  std::atomic<absl::Time> now_{absl::UnixEpoch()};
  std::unique_ptr<Ledger> ledger_;
};

}  // namespace timeledger::ledger

#endif  // TIMELEDGER_TESTS_LEDGER_REPORTS_REPORT_FIXTURE_H_
