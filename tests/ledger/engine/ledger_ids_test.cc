// The Ledger's reads and writes take strong ids (ledger/core/ids.h): a call that passes one kind of
// id where another belongs, or a bare string, does not compile. Checked here at compile time, with
// a concept per call: a requires-expression is only allowed to fail inside a template.
#include <string>
#include <type_traits>
#include <utility>

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

// The writes, each with the callback it answers; the caller is anyone.
template <typename L, typename Bank, typename AccountKey>
concept CanSetAccountStatus = requires(L& ledger, const Bank& bank, const AccountKey& account) {
  ledger.SetAccountStatus(bank, account, AccountStatus::kSuspended, std::string(), false,
                          std::declval<const Principal&>(), std::declval<Callback<Account>>());
};
template <typename L, typename Bank>
concept CanSetPolicy = requires(L& ledger, const Bank& bank) {
  ledger.SetPolicy(bank, Policy{}, uint64_t{0}, std::declval<const Principal&>(),
                   std::declval<Callback<Policy>>());
};
template <typename L, typename Bank, typename Entry>
concept CanConfirmEntry = requires(L& ledger, const Bank& bank, const Entry& entry) {
  ledger.ConfirmEntry(bank, entry, std::declval<const Principal&>(),
                      std::declval<Callback<Receipt>>());
};
template <typename L, typename Bank, typename Entry>
concept CanReverseEntry = requires(L& ledger, const Bank& bank, const Entry& entry) {
  ledger.ReverseEntry(bank, uint64_t{1}, entry, std::string(), std::declval<const Principal&>(),
                      std::declval<Callback<Receipt>>());
};
template <typename L, typename Bank, typename Account>
concept CanSetMemberCard = requires(L& ledger, const Bank& bank, const Account& account) {
  ledger.SetMemberCard(bank, account, std::string(), std::declval<const Principal&>(),
                       std::declval<Callback<MemberCard>>());
};
template <typename L, typename Bank>
concept CanRunExpirySweep = requires(L& ledger, const Bank& bank) {
  ledger.RunExpirySweep(bank, std::declval<const Principal&>(),
                        std::declval<Callback<ExpirySweepResult>>());
};
template <typename L, typename Bank>
concept CanFindCardHolder = requires(const L& ledger, const Bank& bank) {
  ledger.FindCardHolder(bank, std::string());
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

static_assert(CanSetAccountStatus<Ledger, BankId, AccountId>);
static_assert(!CanSetAccountStatus<Ledger, AccountId, BankId>);  // swapped
static_assert(!CanSetAccountStatus<Ledger, std::string, std::string>);

static_assert(CanSetPolicy<Ledger, BankId>);
static_assert(!CanSetPolicy<Ledger, AccountId>);
static_assert(!CanSetPolicy<Ledger, const char*>);

static_assert(CanConfirmEntry<Ledger, BankId, EntryId>);
static_assert(!CanConfirmEntry<Ledger, EntryId, BankId>);  // swapped
static_assert(!CanConfirmEntry<Ledger, BankId, AccountId>);

static_assert(CanReverseEntry<Ledger, BankId, EntryId>);
static_assert(!CanReverseEntry<Ledger, BankId, AccountId>);
static_assert(!CanReverseEntry<Ledger, std::string, std::string>);

static_assert(CanSetMemberCard<Ledger, BankId, AccountId>);
static_assert(!CanSetMemberCard<Ledger, AccountId, BankId>);  // swapped

static_assert(CanRunExpirySweep<Ledger, BankId>);
static_assert(!CanRunExpirySweep<Ledger, std::string>);

static_assert(CanFindCardHolder<Ledger, BankId>);
static_assert(!CanFindCardHolder<Ledger, AccountId>);
// The holder it finds is an account, not a bare string.
static_assert(
    std::is_same_v<decltype(std::declval<const Ledger&>().FindCardHolder(BankId(), std::string())),
                   absl::StatusOr<std::optional<AccountId>>>);

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
