// The Ledger's reads take strong ids (ledger/core/ids.h): a call that passes one kind of id where
// another belongs, or a bare string, does not compile. Checked here at compile time, with a
// concept per read: a requires-expression is only allowed to fail inside a template.
#include <string>
#include <type_traits>

#include "ledger/core/ids.h"
#include "ledger/engine/ledger.h"
#include "ledger/reports/report.h"
#include "ledger/verify/verify.h"

namespace timeledger::ledger {
namespace {

template <typename L, typename Bank, typename Account>
concept CanGetAccount = requires(const L& ledger, const Bank& bank, const Account& account) {
  ledger.GetAccount(bank, account);
};
template <typename L, typename Bank>
concept CanGetBank = requires(const L& ledger, const Bank& bank) {
  ledger.GetBank(bank);
};
template <typename L, typename Bank, typename Entry>
concept CanGetPending = requires(const L& ledger, const Bank& bank, const Entry& entry) {
  ledger.GetPending(bank, entry);
};
template <typename L, typename Bank, typename Account>
concept CanListEntries = requires(const L& ledger, const Bank& bank, const Account& account) {
  ledger.ListEntries(bank, account, int64_t{0}, std::string());
};
template <typename L, typename Bank>
concept CanVerify = requires(L& ledger, const Bank& bank) {
  ledger.Verify(bank);
};

static_assert(CanGetAccount<Ledger, BankId, AccountId>);
static_assert(!CanGetAccount<Ledger, AccountId, BankId>);  // swapped
static_assert(!CanGetAccount<Ledger, BankId, EntryId>);
static_assert(!CanGetAccount<Ledger, std::string, std::string>);  // unsaid: which is which
static_assert(!CanGetAccount<Ledger, const char*, const char*>);

static_assert(CanGetBank<Ledger, BankId>);
static_assert(!CanGetBank<Ledger, AccountId>);
static_assert(!CanGetBank<Ledger, std::string>);

static_assert(CanGetPending<Ledger, BankId, EntryId>);
static_assert(!CanGetPending<Ledger, BankId, AccountId>);

static_assert(CanListEntries<Ledger, BankId, AccountId>);
static_assert(!CanListEntries<Ledger, BankId, EntryId>);

static_assert(CanVerify<Ledger, BankId>);
static_assert(!CanVerify<Ledger, AccountId>);

// Amounts of time in what the reads return are Minutes, not bare numbers.
static_assert(std::is_same_v<decltype(AccountStanding::floor_minutes), Minutes>);
static_assert(std::is_same_v<decltype(AccountStanding::cap_minutes), Minutes>);
static_assert(std::is_same_v<decltype(AccountStanding::available_minutes), Minutes>);
static_assert(std::is_same_v<decltype(ExpirySweepResult::minutes_returned), Minutes>);

// What the report and verification entry points are asked for.
static_assert(std::is_same_v<decltype(PeriodReportRequest::bank_id), BankId>);
static_assert(std::is_same_v<decltype(StatementRequest::bank_id), BankId>);
static_assert(std::is_same_v<decltype(StatementRequest::account_id), AccountId>);
static_assert(std::is_same_v<decltype(VerifyOptions::bank_id), BankId>);

}  // namespace
}  // namespace timeledger::ledger
