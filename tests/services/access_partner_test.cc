// What a partner may do, over a real server: record only SPEND into its own account, read only
// that, never see another account's balance or name, and wait for the member's consent where the
// bank's policy asks for it.
#include "tests/services/access_service_fixture.h"

namespace timeledger::services {
namespace {

TEST_F(AccessTest, APartnerRecordsOnlySpendIntoItsOwnAccountAndReadsOnlyThat) {
  SetPartnerSpendConsent(v1::Policy::NOT_ASKED);  // what it reads, not how members agree
  ASSERT_TRUE(Record(admin_, "gift-1", v1::EXCHANGE, "bob", "alice").ok());
  v1::RecordEntryResponse spent;
  ASSERT_TRUE(Record(partner_, "lunch-1", v1::SPEND, "alice", "cafe", &spent).ok());
  EXPECT_EQ(spent.entry().recorded_by(), "cafe-till");

  const std::string before = Trace();
  grpc::Status status = Record(partner_, "lunch-2", v1::EXCHANGE, "alice", "cafe");
  EXPECT_EQ(ReasonOf(status), "PARTNER_SPEND_ONLY");
  status = Record(partner_, "lunch-3", v1::SPEND, "alice", "library");
  EXPECT_EQ(ReasonOf(status), "PARTNER_SPEND_ONLY");
  v1::RecordEntriesRequest batch;
  auto* first = batch.add_entries();
  first->set_bank_id("hcct");
  first->set_entry_id("lunch-4");
  first->set_kind(v1::SPEND);
  first->set_from_account_id("alice");
  first->set_to_account_id("cafe");
  first->set_minutes(30);
  *batch.add_entries() = *first;
  batch.mutable_entries(1)->set_entry_id("lunch-5");
  batch.mutable_entries(1)->set_to_account_id("library");
  v1::RecordEntriesResponse recorded;
  status = Stub<v1::Ledger>(partner_)->RecordEntries(Context().get(), batch, &recorded);
  EXPECT_EQ(ReasonOf(status), "PARTNER_SPEND_ONLY");
  EXPECT_EQ(Trace(), before);  // not even the good half of the batch

  v1::GetAccountRequest mine;
  mine.set_bank_id("hcct");
  mine.set_account_id("cafe");
  v1::Account account;
  EXPECT_TRUE(Stub<v1::Accounts>(partner_)->GetAccount(Context().get(), mine, &account).ok());
  v1::GetAccountRequest theirs = mine;
  theirs.set_account_id("alice");
  status = Stub<v1::Accounts>(partner_)->GetAccount(Context().get(), theirs, &account);
  EXPECT_EQ(ReasonOf(status), "PARTNER_OWN_ACCOUNT_ONLY");

  v1::ListEntriesRequest list;
  list.set_bank_id("hcct");
  list.set_account_id("alice");
  v1::ListEntriesResponse entries;
  status = Stub<v1::Ledger>(partner_)->ListEntries(Context().get(), list, &entries);
  EXPECT_EQ(ReasonOf(status), "PARTNER_OWN_ACCOUNT_ONLY");
  list.set_account_id("cafe");
  ASSERT_TRUE(Stub<v1::Ledger>(partner_)->ListEntries(Context().get(), list, &entries).ok());
  EXPECT_EQ(entries.rows_size(), 1);
  // Without an account a partner is given its own, the only one it may see, with its running
  // balance; gift-1 (bob to alice) stays out.
  list.clear_account_id();
  v1::ListEntriesResponse defaulted;
  ASSERT_TRUE(Stub<v1::Ledger>(partner_)->ListEntries(Context().get(), list, &defaulted).ok());
  ASSERT_EQ(defaulted.rows_size(), 1);
  EXPECT_EQ(defaulted.rows(0).entry().entry_id(), "lunch-1");
  EXPECT_EQ(defaulted.rows(0).running_balance_minutes(), 60);

  v1::GetEntryRequest get;
  get.set_bank_id("hcct");
  get.set_entry_id("lunch-1");
  v1::Entry entry;
  EXPECT_TRUE(Stub<v1::Ledger>(partner_)->GetEntry(Context().get(), get, &entry).ok());
  get.set_entry_id("gift-1");
  status = Stub<v1::Ledger>(partner_)->GetEntry(Context().get(), get, &entry);
  EXPECT_EQ(ReasonOf(status), "PARTNER_OWN_ACCOUNT_ONLY");
}

// The member's balance after a partner's SPEND as a coordinator would be told it; a partner must
// never see it, nor the member's name.
TEST_F(AccessTest, APartnerSeesNoOtherAccountsBalanceOrNameInReceiptsRefusalsOrListings) {
  SetPartnerSpendConsent(v1::Policy::NOT_ASKED);  // what it reads, not how members agree
  ASSERT_TRUE(Record(admin_, "gift-1", v1::EXCHANGE, "bob", "alice").ok());
  ASSERT_TRUE(Record(admin_, "gift-2", v1::EXCHANGE, "bob", "alice").ok());  // alice: 120
  auto spend = [](const std::string& id, int64_t minutes) {
    v1::RecordEntryRequest request;
    request.set_bank_id("hcct");
    request.set_entry_id(id);
    request.set_kind(v1::SPEND);
    request.set_from_account_id("alice");
    request.set_to_account_id("cafe");
    request.set_minutes(minutes);
    return request;
  };
  auto tells_nothing_of_alice = [](const std::string& bytes) {
    return bytes.find("Name of alice") == std::string::npos;
  };

  v1::RecordEntryResponse receipt;
  ASSERT_TRUE(Stub<v1::Ledger>(partner_)
                  ->RecordEntry(Context().get(), spend("lunch-1", 30), &receipt)
                  .ok());
  EXPECT_EQ(receipt.to_balance_minutes(), 30);   // the cafe's own side
  EXPECT_EQ(receipt.from_balance_minutes(), 0);  // alice's 90 is not the cafe's business
  EXPECT_FALSE(receipt.has_payer_reciprocity() &&
               (receipt.payer_reciprocity().given_minutes() != 0 ||
                receipt.payer_reciprocity().received_minutes() != 0));
  EXPECT_TRUE(tells_nothing_of_alice(receipt.SerializeAsString()));
  ASSERT_TRUE(
      Stub<v1::Ledger>(partner_)->CheckEntry(Context().get(), spend("lunch-2", 60), &receipt).ok());
  EXPECT_EQ(receipt.from_balance_minutes(), 0);
  ASSERT_TRUE(
      Stub<v1::Ledger>(partner_)->RecordEntry(Context().get(), spend("big-1", 480), &receipt).ok());
  EXPECT_EQ(receipt.from_balance_minutes(), 0);  // alice: -390 now, her floor is -600

  // Over her floor: the reason, a plain sentence, and only what the till asked for.
  grpc::Status refused =
      Stub<v1::Ledger>(partner_)->RecordEntry(Context().get(), spend("big-2", 480), &receipt);
  EXPECT_EQ(refused.error_code(), grpc::StatusCode::FAILED_PRECONDITION);
  EXPECT_EQ(ReasonOf(refused), "OVERDRAFT_LIMIT");
  EXPECT_EQ(refused.error_message(), "the member does not have enough time for this");
  auto info = clients::FindErrorInfo(refused);
  ASSERT_TRUE(info.has_value());
  ASSERT_EQ(info->metadata_size(), 1);
  EXPECT_EQ(info->metadata().at("attempted_minutes"), "480");
  EXPECT_TRUE(tells_nothing_of_alice(refused.error_details()));
  refused = Stub<v1::Ledger>(partner_)->CheckEntry(Context().get(), spend("big-2", 480), &receipt);
  EXPECT_EQ(refused.error_message(), "the member does not have enough time for this");
  EXPECT_EQ(clients::FindErrorInfo(refused)->metadata_size(), 1);

  // The same in a batch's problems.
  v1::RecordEntriesRequest batch;
  *batch.add_entries() = spend("big-3", 480);
  v1::RecordEntriesResponse recorded;
  ASSERT_TRUE(Stub<v1::Ledger>(partner_)->RecordEntries(Context().get(), batch, &recorded).ok());
  ASSERT_EQ(recorded.results_size(), 1);
  const v1::Problem& problem = recorded.results(0).problem();
  EXPECT_EQ(problem.reason(), "OVERDRAFT_LIMIT");
  EXPECT_EQ(problem.message(), "the member does not have enough time for this");
  ASSERT_EQ(problem.metadata_size(), 1);
  EXPECT_EQ(problem.metadata().at("attempted_minutes"), "480");
  batch.set_atomic(true);  // an atomic batch answers with the item's refusal
  refused = Stub<v1::Ledger>(partner_)->RecordEntries(Context().get(), batch, &recorded);
  EXPECT_EQ(ReasonOf(refused), "OVERDRAFT_LIMIT");
  EXPECT_EQ(refused.error_message(), "the member does not have enough time for this");
  EXPECT_EQ(clients::FindErrorInfo(refused)->metadata_size(), 2);  // attempted_minutes, index
  EXPECT_TRUE(tells_nothing_of_alice(refused.error_details()));

  // A coordinator is still told the member's figures.
  refused =
      Stub<v1::Ledger>(coordinator_)->CheckEntry(Context().get(), spend("big-2", 480), &receipt);
  EXPECT_EQ(ReasonOf(refused), "OVERDRAFT_LIMIT");
  EXPECT_EQ(clients::FindErrorInfo(refused)->metadata().at("balance_minutes"), "-390");

  // Listings: the entries that touch the cafe, with the cafe's running balance only.
  v1::ListEntriesRequest list;
  list.set_bank_id("hcct");
  list.set_account_id("cafe");
  v1::ListEntriesResponse entries;
  ASSERT_TRUE(Stub<v1::Ledger>(partner_)->ListEntries(Context().get(), list, &entries).ok());
  ASSERT_EQ(entries.rows_size(), 2);
  EXPECT_EQ(entries.rows(1).running_balance_minutes(), 30 + 480);
  EXPECT_TRUE(tells_nothing_of_alice(entries.SerializeAsString()));
  v1::GetEntryRequest get;
  get.set_bank_id("hcct");
  get.set_entry_id("big-1");
  v1::Entry entry;
  ASSERT_TRUE(Stub<v1::Ledger>(partner_)->GetEntry(Context().get(), get, &entry).ok());
  EXPECT_TRUE(tells_nothing_of_alice(entry.SerializeAsString()));
  v1::GetAccountRequest mine;
  mine.set_bank_id("hcct");
  mine.set_account_id("cafe");
  v1::Account account;
  ASSERT_TRUE(Stub<v1::Accounts>(partner_)->GetAccount(Context().get(), mine, &account).ok());
  EXPECT_TRUE(tells_nothing_of_alice(account.SerializeAsString()));
}

// A partner's SPEND from a member needs the member's consent, as the bank's policy says. By
// default it waits until the member confirms it at the kiosk.
TEST_F(AccessTest, APartnersSpendWaitsForTheMembersConfirmationByDefault) {
  ASSERT_TRUE(Record(admin_, "gift-1", v1::EXCHANGE, "bob", "alice").ok());
  v1::RecordEntryResponse receipt;
  ASSERT_TRUE(Record(partner_, "lunch-1", v1::SPEND, "alice", "cafe", &receipt).ok());
  EXPECT_TRUE(receipt.pending());
  EXPECT_EQ(receipt.confirm_by(), "alice");
  EXPECT_EQ(receipt.entry().seq(), 0u);
  EXPECT_EQ(PendingCount(), 1);

  // Alice signs in at the kiosk with her card and PIN and agrees.
  GiveCard("alice", "4001", "2468");
  v1::SignInRequest sign_in;
  sign_in.set_bank_id("hcct");
  sign_in.set_card_number("4001");
  sign_in.set_pin("2468");
  v1::KioskSession session;
  ASSERT_TRUE(Stub<v1::Kiosk>(kiosk_)->SignIn(Context().get(), sign_in, &session).ok());
  v1::MemberEntryRequest confirm;
  confirm.set_session_id(session.session_id());
  confirm.set_entry_id("lunch-1");
  v1::RecordEntryResponse confirmed;
  ASSERT_TRUE(
      Stub<v1::Kiosk>(kiosk_)->ConfirmMemberEntry(Context().get(), confirm, &confirmed).ok());
  EXPECT_NE(confirmed.entry().seq(), 0u);
  EXPECT_EQ(PendingCount(), 0);
}

TEST_F(AccessTest, APartnersSpendWithoutTheMembersCardAndPinIsRefusedWhereThePolicyAsksForThem) {
  SetPartnerSpendConsent(v1::Policy::CARD_AND_PIN);
  ASSERT_TRUE(Record(admin_, "gift-1", v1::EXCHANGE, "bob", "alice").ok());
  GiveCard("alice", "4001", "2468");
  GiveCard("bob", "4002", "1357");
  const std::string before = Trace();

  grpc::Status refused = Record(partner_, "lunch-1", v1::SPEND, "alice", "cafe");
  EXPECT_EQ(refused.error_code(), grpc::StatusCode::FAILED_PRECONDITION);
  EXPECT_EQ(ReasonOf(refused), "MEMBER_CONSENT_REQUIRED");
  refused = SpendWithCard("lunch-1", "4002", "1357");  // bob's card for alice's lunch
  EXPECT_EQ(refused.error_code(), grpc::StatusCode::PERMISSION_DENIED);
  EXPECT_EQ(ReasonOf(refused), "NOT_PAYERS_CARD");
  refused = SpendWithCard("lunch-1", "4001", "9999");
  EXPECT_EQ(ReasonOf(refused), "CARD_OR_PIN_WRONG");
  EXPECT_EQ(clients::FindErrorInfo(refused)->metadata_size(), 0);  // nothing of alice's card
  v1::RecordEntriesRequest batch;                                  // a batch carries no cards
  auto* item = batch.add_entries();
  item->set_bank_id("hcct");
  item->set_entry_id("lunch-2");
  item->set_kind(v1::SPEND);
  item->set_from_account_id("alice");
  item->set_to_account_id("cafe");
  item->set_minutes(60);
  v1::RecordEntriesResponse results;
  ASSERT_TRUE(Stub<v1::Ledger>(partner_)->RecordEntries(Context().get(), batch, &results).ok());
  EXPECT_EQ(results.results(0).problem().reason(), "MEMBER_CONSENT_REQUIRED");
  EXPECT_EQ(Trace(), before);

  v1::RecordEntryResponse receipt;
  ASSERT_TRUE(SpendWithCard("lunch-1", "4001", "2468", &receipt).ok());
  EXPECT_FALSE(receipt.pending());
  EXPECT_NE(receipt.entry().seq(), 0u);
  EXPECT_EQ(receipt.to_balance_minutes(), 60);
  EXPECT_EQ(receipt.from_balance_minutes(), 0);  // still none of the cafe's business

  // A coordinator's SPEND is the bank's own and needs no card.
  EXPECT_TRUE(Record(coordinator_, "lunch-3", v1::SPEND, "bob", "cafe").ok());
}

TEST_F(AccessTest, APartnersSpendIsRecordedAtOnceWhereThePolicyDoesNotAsk) {
  SetPartnerSpendConsent(v1::Policy::NOT_ASKED);
  v1::RecordEntryResponse receipt;
  ASSERT_TRUE(Record(partner_, "lunch-1", v1::SPEND, "alice", "cafe", &receipt).ok());
  EXPECT_FALSE(receipt.pending());
  EXPECT_NE(receipt.entry().seq(), 0u);
}

}  // namespace
}  // namespace timeledger::services
