// Members at a kiosk over a real server: cards and PINs set by a coordinator, sign-in with
// Argon2id-hashed PINs, the five-wrong-PINs lockout and its end, sessions bound to one kiosk and
// one member that expire, and confirming only the member's own pending entries. A real RocksDB in
// a fresh directory and a real in-process gRPC server; the clock is the ledger's, moved by hand.
#include <atomic>
#include <map>
#include <tuple>

#include <grpcpp/grpcpp.h>
#include <gtest/gtest.h>

#include "clients/common/error_info.h"
#include "ledger/engine/ledger.h"
#include "ledger/journal/journal.h"
#include "ledger/rules/qualifications.h"
#include "ledger/store/data_dir.h"
#include "ledger/store/store.h"
#include "services/server.h"
#include "tests/support/access.h"
#include "tests/support/server_fixture.h"
#include "timeledger/v1/accounts.grpc.pb.h"
#include "timeledger/v1/banks.grpc.pb.h"
#include "timeledger/v1/kiosk.grpc.pb.h"
#include "timeledger/v1/ledger.grpc.pb.h"

namespace timeledger::services {
namespace {

using clients::RefusalOf;

class KioskServiceTest : public testing::ServerTest {
 protected:
  void SetUp() override {
    ledger::LedgerOptions options;
    options.clock = [this] { return absl::Now() + absl::Seconds(offset_seconds_.load()); };
    ASSERT_NO_FATAL_FAILURE(StartServer(options));
    channel_ = admin_channel_;
    kiosk_ = v1::Kiosk::NewStub(channel_);
    ledger_stub_ = v1::Ledger::NewStub(channel_);

    ASSERT_TRUE(CreateBank("hcct", "Holy Cross Centre", "Europe/London").ok());
    for (const char* id : {"alice", "bob"}) ASSERT_TRUE(Open(id, v1::PERSON).ok());
    ASSERT_TRUE(Open("cafe", v1::ORGANISATION).ok());
    ASSERT_TRUE(SetCard("alice", "1001").ok());
    ASSERT_TRUE(SetPin("alice", "1234").ok());
    ASSERT_TRUE(SetCard("bob", "1002").ok());
    ASSERT_TRUE(SetPin("bob", "2468").ok());
  }

  std::unique_ptr<grpc::ClientContext> As(const std::string& principal) {
    auto context = std::make_unique<grpc::ClientContext>();
    testing::Authorize(context.get(), testing::TokenOf(*ledger_, "hcct", principal, &tokens_));
    return context;
  }

  grpc::Status Open(const std::string& id, v1::AccountKind kind) {
    return OpenAccount("hcct", id, kind, {}, id == "alice" ? "Alice Brown" : "");
  }

  grpc::Status SetCard(const std::string& account_id, const std::string& card) {
    v1::SetMemberCardRequest request;
    request.set_bank_id("hcct");
    request.set_account_id(account_id);
    request.set_card_number(card);
    v1::MemberCard response;
    return kiosk_->SetMemberCard(As("carol").get(), request, &response);
  }

  grpc::Status SetPin(const std::string& account_id, const std::string& pin) {
    v1::SetMemberPinRequest request;
    request.set_bank_id("hcct");
    request.set_account_id(account_id);
    request.set_pin(pin);
    v1::MemberCard response;
    return kiosk_->SetMemberPin(As("carol").get(), request, &response);
  }

  grpc::Status SetLanguage(const std::string& account_id, const std::string& language,
                           v1::MemberCard* response, const std::string& principal = "carol") {
    v1::SetMemberLanguageRequest request;
    request.set_bank_id("hcct");
    request.set_account_id(account_id);
    request.set_language(language);
    return kiosk_->SetMemberLanguage(As(principal).get(), request, response);
  }

  // A card's wrong PINs as the store on disk holds them, read beside the running ledger.
  absl::StatusOr<ledger::CardAttempts> StoredAttempts(const std::string& card) {
    ledger::StoreOptions options;
    options.path = dir_.path() + "/" + ledger::kStoreDirName;
    options.read_only = true;
    auto store = ledger::OpenRocksDbStore(options);
    if (!store.ok()) return store.status();
    return (*store)->GetCardAttempts("hcct", card);
  }

  grpc::Status SignIn(const std::string& card, const std::string& pin, v1::KioskSession* session,
                      const std::string& kiosk = "kiosk-1") {
    v1::SignInRequest request;
    request.set_bank_id("hcct");
    request.set_card_number(card);
    request.set_pin(pin);
    return kiosk_->SignIn(As(kiosk).get(), request, session);
  }

  grpc::Status Summary(const std::string& session_id, v1::MemberSummary* summary,
                       const std::string& kiosk = "kiosk-1") {
    v1::GetMemberSummaryRequest request;
    request.set_session_id(session_id);
    return kiosk_->GetMemberSummary(As(kiosk).get(), request, summary);
  }

  grpc::Status Record(const std::string& entry_id, const std::string& from, const std::string& to,
                      int64_t minutes, const std::string& principal,
                      v1::RecordEntryResponse* response) {
    v1::RecordEntryRequest request;
    request.set_bank_id("hcct");
    request.set_entry_id(entry_id);
    request.set_from_account_id(from);
    request.set_to_account_id(to);
    request.set_minutes(minutes);
    request.set_activity("gardening");
    return ledger_stub_->RecordEntry(As(principal).get(), request, response);
  }

  void Advance(absl::Duration by) { offset_seconds_ += absl::ToInt64Seconds(by); }

  std::atomic<int64_t> offset_seconds_{0};
  std::map<std::string, std::string> tokens_;  // principal -> bearer token
  std::shared_ptr<grpc::Channel> channel_;
  std::unique_ptr<v1::Kiosk::Stub> kiosk_;
  std::unique_ptr<v1::Ledger::Stub> ledger_stub_;
};

TEST_F(KioskServiceTest, SignedInMemberReadsTheirBalanceEntriesAndMonths) {
  v1::RecordEntryResponse receipt;
  ASSERT_TRUE(Record("slip-1", "bob", "alice", 90, "carol", &receipt).ok());
  v1::KioskSession session;
  ASSERT_TRUE(SignIn("1001", "1234", &session).ok());
  EXPECT_EQ(session.account_id(), "alice");
  EXPECT_EQ(session.display_name(), "Alice Brown");
  EXPECT_EQ(session.session_id().size(), 64u);

  v1::MemberSummary summary;
  ASSERT_TRUE(Summary(session.session_id(), &summary).ok());
  EXPECT_EQ(summary.account().balance_minutes(), 90);
  ASSERT_EQ(summary.recent_size(), 1);
  EXPECT_TRUE(summary.recent(0).earned());
  EXPECT_EQ(summary.recent(0).other_display_name(), "Name of bob");
  ASSERT_EQ(summary.months_size(), 12);
  EXPECT_EQ(summary.months(11).given_minutes(), 90);
  EXPECT_EQ(summary.months(11).received_minutes(), 0);
}

// The kiosk names what an entry was for by the catalogue's title, not its code, and tells time
// spent on an offer apart from time received from people.
TEST_F(KioskServiceTest, SummaryNamesActivitiesByTitleAndSetsSpendingApart) {
  v1::RecordEntryResponse receipt;
  ASSERT_TRUE(Record("slip-1", "alice", "bob", 60, "carol", &receipt).ok());
  ASSERT_TRUE(Record("slip-2", "bob", "alice", 240, "carol", &receipt).ok());
  ledger::CatalogueItem gardening;
  gardening.kind = ledger::CatalogueKind::kActivity;
  gardening.bank_id = "hcct";
  gardening.code = "gardening";
  gardening.title = "Help in the garden";
  gardening.category = "outdoors";
  ledger::CatalogueItem course;
  course.kind = ledger::CatalogueKind::kOffer;
  course.bank_id = "hcct";
  course.code = "hygiene-course";
  course.title = "Food hygiene course";
  course.price_minutes = 180;
  course.organisation_account_id = "cafe";
  for (const ledger::CatalogueItem& item : {gardening, course}) {
    auto put = ledger::Await<ledger::CatalogueItem>([&](auto done) {
      ledger_->PutCatalogueItem(item, 0, ledger::AdminNamed("carol"), std::move(done));
    });
    ASSERT_TRUE(put.ok()) << put.status();
  }
  ledger::RedeemSpec spec{"hcct", "buy-1", "alice", "hygiene-course", ""};
  auto bought = ledger::Await<ledger::Redemption>(
      [&](auto done) { ledger_->RedeemOffer(spec, ledger::AdminNamed("alice"), std::move(done)); });
  ASSERT_TRUE(bought.ok()) << bought.status();

  v1::KioskSession session;
  ASSERT_TRUE(SignIn("1001", "1234", &session).ok());
  v1::MemberSummary summary;
  ASSERT_TRUE(Summary(session.session_id(), &summary).ok());
  ASSERT_EQ(summary.recent_size(), 3);
  EXPECT_EQ(summary.recent(0).entry().kind(), v1::SPEND);
  EXPECT_EQ(summary.recent(0).activity_title(), "Food hygiene course");
  EXPECT_EQ(summary.recent(1).activity_title(), "Help in the garden");
  EXPECT_EQ(summary.months(11).received_minutes(), 240);
  EXPECT_EQ(summary.months(11).spent_minutes(), 180);
  EXPECT_EQ(summary.months(11).given_minutes(), 240);
}

TEST_F(KioskServiceTest, PinIsStoredAsArgon2idAndNeverInTheJournal) {
  auto card = ledger_->GetMemberCard(ledger::BankId("hcct"), ledger::AccountId("alice"));
  ASSERT_TRUE(card.ok() && card->has_value());
  EXPECT_EQ((*card)->card_number, "1001");
  EXPECT_EQ((*card)->pin_hash.rfind("$argon2id$", 0), 0u) << (*card)->pin_hash;
  EXPECT_EQ((*card)->pin_hash.find("1234"), std::string::npos);

  auto journal = ledger_->ListJournal(ledger::BankId("hcct"), 0, 0, 100);
  ASSERT_TRUE(journal.ok()) << journal.status();
  int cards = 0, pins = 0;
  for (const auto& record : journal->records) {
    EXPECT_EQ(record.fact.find("$argon2id$"), std::string::npos);
    auto fact = ledger::DecodeFact(record.fact);
    ASSERT_TRUE(fact.ok());
    cards += fact->type == ledger::FactType::kCardSet;
    pins += fact->type == ledger::FactType::kPinSet;
  }
  EXPECT_EQ(cards, 2);
  EXPECT_EQ(pins, 2);
  EXPECT_TRUE(ledger_->CheckConsistency().ok()) << ledger_->CheckConsistency();
}

TEST_F(KioskServiceTest, ACoordinatorSetsAMembersLanguageWhichTheirSummaryCarries) {
  v1::KioskSession session;
  ASSERT_TRUE(SignIn("1001", "1234", &session).ok());
  v1::MemberSummary summary;
  ASSERT_TRUE(Summary(session.session_id(), &summary).ok());
  EXPECT_EQ(summary.language(), "");

  v1::MemberCard card;
  ASSERT_TRUE(SetLanguage("alice", "bn", &card).ok());
  EXPECT_EQ(card.language(), "bn");
  EXPECT_TRUE(card.has_language_set_at());
  EXPECT_EQ(card.card_number(), "1001");
  EXPECT_TRUE(card.has_pin());
  // A change while signed in is read at the next summary.
  ASSERT_TRUE(Summary(session.session_id(), &summary).ok());
  EXPECT_EQ(summary.language(), "bn");

  ASSERT_TRUE(SetLanguage("alice", "", &card).ok());
  EXPECT_EQ(card.language(), "");
  ASSERT_TRUE(Summary(session.session_id(), &summary).ok());
  EXPECT_EQ(summary.language(), "");

  auto journal = ledger_->ListJournal(ledger::BankId("hcct"), 0, 0, 100);
  ASSERT_TRUE(journal.ok()) << journal.status();
  std::vector<std::string> languages;
  for (const auto& record : journal->records) {
    auto fact = ledger::DecodeFact(record.fact);
    ASSERT_TRUE(fact.ok());
    if (fact->type == ledger::FactType::kLanguageSet) languages.push_back(fact->language);
  }
  EXPECT_EQ(languages, (std::vector<std::string>{"bn", ""}));
  EXPECT_TRUE(ledger_->CheckConsistency().ok()) << ledger_->CheckConsistency();
}

TEST_F(KioskServiceTest, ACoordinatorReadsAMembersCardAndLanguageButNeverThePin) {
  v1::MemberCard set;
  ASSERT_TRUE(SetLanguage("alice", "pl", &set).ok());
  const auto get = [this](const std::string& account_id, v1::MemberCard* card,
                          const std::string& principal = "carol") {
    v1::GetMemberCardRequest request;
    request.set_bank_id("hcct");
    request.set_account_id(account_id);
    return kiosk_->GetMemberCard(As(principal).get(), request, card);
  };
  v1::MemberCard card;
  ASSERT_TRUE(get("alice", &card).ok());
  EXPECT_EQ(card.account_id(), "alice");
  EXPECT_EQ(card.card_number(), "1001");
  EXPECT_TRUE(card.has_pin());
  EXPECT_EQ(card.language(), "pl");
  // An account without a card: its ids and nothing else.
  v1::MemberCard none;
  ASSERT_TRUE(get("cafe", &none).ok());
  EXPECT_EQ(none.account_id(), "cafe");
  EXPECT_EQ(none.card_number(), "");
  EXPECT_EQ(none.language(), "");
  EXPECT_EQ(get("nobody", &none).error_code(), grpc::StatusCode::NOT_FOUND);
  EXPECT_EQ(get("alice", &none, "kiosk-1").error_code(), grpc::StatusCode::PERMISSION_DENIED);
}

TEST_F(KioskServiceTest, ALanguageTheKioskDoesNotShipIsRefusedNamingTheShippedOnes) {
  v1::MemberCard card;
  const grpc::Status status = SetLanguage("alice", "so", &card);
  ASSERT_EQ(status.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  EXPECT_EQ(RefusalOf(status).reason, "INVALID_LANGUAGE");
  EXPECT_EQ(RefusalOf(status).figures["language"], "so");
  EXPECT_EQ(RefusalOf(status).figures["shipped"], "en bn ar pl");
  // An organisation has no kiosk card, so no kiosk language either; a kiosk may not set one.
  EXPECT_EQ(SetLanguage("cafe", "pl", &card).error_code(), grpc::StatusCode::FAILED_PRECONDITION);
  EXPECT_EQ(SetLanguage("alice", "pl", &card, "kiosk-1").error_code(),
            grpc::StatusCode::PERMISSION_DENIED);
  auto stored = ledger_->GetMemberCard(ledger::BankId("hcct"), ledger::AccountId("alice"));
  ASSERT_TRUE(stored.ok() && stored->has_value());
  EXPECT_EQ((*stored)->language, "");
}

TEST_F(KioskServiceTest, FiveWrongPinsLockTheCardForFifteenMinutes) {
  v1::KioskSession session;
  for (int left = 4; left >= 1; --left) {
    const grpc::Status status = SignIn("1001", "9999", &session);
    ASSERT_EQ(status.error_code(), grpc::StatusCode::UNAUTHENTICATED);
    EXPECT_EQ(RefusalOf(status).reason, "CARD_OR_PIN_WRONG");
    EXPECT_EQ(RefusalOf(status).figures["attempts_left"], std::to_string(left));
  }
  grpc::Status status = SignIn("1001", "9999", &session);
  ASSERT_EQ(status.error_code(), grpc::StatusCode::FAILED_PRECONDITION);
  EXPECT_EQ(RefusalOf(status).reason, "CARD_LOCKED");
  EXPECT_EQ(RefusalOf(status).figures["retry_after_seconds"], "900");

  // The right PIN does not open a locked card, and the lock is kept on disk, not in memory.
  status = SignIn("1001", "1234", &session);
  EXPECT_EQ(RefusalOf(status).reason, "CARD_LOCKED");
  auto attempts = StoredAttempts("1001");
  ASSERT_TRUE(attempts.ok()) << attempts.status();
  EXPECT_GT(attempts->locked_until, ledger_->Now());

  // Another card is not affected.
  EXPECT_TRUE(SignIn("1002", "2468", &session).ok());

  Advance(absl::Minutes(15) + absl::Seconds(1));
  EXPECT_TRUE(SignIn("1001", "1234", &session).ok());
  attempts = StoredAttempts("1001");
  ASSERT_TRUE(attempts.ok()) << attempts.status();
  EXPECT_EQ(attempts->failed, 0);
}

TEST_F(KioskServiceTest, ARightPinClearsTheWrongOnesBeforeIt) {
  v1::KioskSession session;
  for (int i = 0; i < 4; ++i) ASSERT_FALSE(SignIn("1001", "0000", &session).ok());
  ASSERT_TRUE(SignIn("1001", "1234", &session).ok());
  const grpc::Status status = SignIn("1001", "0000", &session);
  EXPECT_EQ(RefusalOf(status).figures["attempts_left"], "4");
}

TEST_F(KioskServiceTest, ANewPinLiftsTheLock) {
  v1::KioskSession session;
  for (int i = 0; i < 5; ++i) ASSERT_FALSE(SignIn("1001", "0000", &session).ok());
  ASSERT_EQ(RefusalOf(SignIn("1001", "1234", &session)).reason, "CARD_LOCKED");
  ASSERT_TRUE(SetPin("alice", "4321").ok());
  EXPECT_TRUE(SignIn("1001", "4321", &session).ok());
  EXPECT_FALSE(SignIn("1001", "1234", &session).ok());
}

TEST_F(KioskServiceTest, UnknownCardIsRefusedLikeAWrongPin) {
  v1::KioskSession session;
  const grpc::Status status = SignIn("5555", "1234", &session);
  EXPECT_EQ(status.error_code(), grpc::StatusCode::UNAUTHENTICATED);
  EXPECT_EQ(RefusalOf(status).reason, "CARD_OR_PIN_WRONG");
  EXPECT_EQ(RefusalOf(SignIn("12", "1234", &session)).reason, "INVALID_CARD_NUMBER");
  EXPECT_EQ(RefusalOf(SignIn("1001", "12", &session)).reason, "INVALID_PIN");
}

TEST_F(KioskServiceTest, SessionEndsTenMinutesAfterItsLastUseAndAtSignOut) {
  v1::KioskSession session;
  ASSERT_TRUE(SignIn("1001", "1234", &session).ok());
  v1::MemberSummary summary;
  Advance(absl::Minutes(9));
  ASSERT_TRUE(Summary(session.session_id(), &summary).ok());  // kept open by the use
  Advance(absl::Minutes(9));
  ASSERT_TRUE(Summary(session.session_id(), &summary).ok());
  Advance(absl::Minutes(10) + absl::Seconds(1));
  grpc::Status status = Summary(session.session_id(), &summary);
  EXPECT_EQ(status.error_code(), grpc::StatusCode::UNAUTHENTICATED);
  EXPECT_EQ(RefusalOf(status).reason, "SESSION_ENDED");

  ASSERT_TRUE(SignIn("1001", "1234", &session).ok());
  v1::SignOutRequest sign_out;
  sign_out.set_session_id(session.session_id());
  v1::SignOutResponse out;
  ASSERT_TRUE(kiosk_->SignOut(As("kiosk-1").get(), sign_out, &out).ok());
  EXPECT_EQ(RefusalOf(Summary(session.session_id(), &summary)).reason, "SESSION_ENDED");
}

TEST_F(KioskServiceTest, SessionIsBoundToTheKioskThatOpenedIt) {
  v1::KioskSession session;
  ASSERT_TRUE(SignIn("1001", "1234", &session, "kiosk-1").ok());
  v1::MemberSummary summary;
  const grpc::Status status = Summary(session.session_id(), &summary, "kiosk-2");
  EXPECT_EQ(status.error_code(), grpc::StatusCode::PERMISSION_DENIED);
  EXPECT_EQ(RefusalOf(status).reason, "SESSION_OF_ANOTHER_KIOSK");
  // Another kiosk cannot sign it out either.
  v1::SignOutRequest sign_out;
  sign_out.set_session_id(session.session_id());
  v1::SignOutResponse out;
  ASSERT_TRUE(kiosk_->SignOut(As("kiosk-2").get(), sign_out, &out).ok());
  EXPECT_TRUE(Summary(session.session_id(), &summary, "kiosk-1").ok());
}

TEST_F(KioskServiceTest, MemberConfirmsOnlyEntriesWaitingForThem) {
  // Alice records time Bob owes her: it waits for Bob. Alice cannot confirm it at the kiosk.
  v1::RecordEntryResponse receipt;
  ASSERT_TRUE(Record("slip-2", "bob", "alice", 60, "alice", &receipt).ok());
  ASSERT_TRUE(receipt.pending());
  v1::KioskSession alice, bob;
  ASSERT_TRUE(SignIn("1001", "1234", &alice).ok());
  ASSERT_TRUE(SignIn("1002", "2468", &bob).ok());

  v1::MemberSummary summary;
  ASSERT_TRUE(Summary(alice.session_id(), &summary).ok());
  EXPECT_EQ(summary.awaiting_size(), 0);
  v1::MemberEntryRequest request;
  request.set_session_id(alice.session_id());
  request.set_entry_id("slip-2");
  v1::RecordEntryResponse confirmed;
  grpc::Status status = kiosk_->ConfirmMemberEntry(As("kiosk-1").get(), request, &confirmed);
  EXPECT_EQ(status.error_code(), grpc::StatusCode::NOT_FOUND);
  EXPECT_EQ(RefusalOf(status).reason, "PENDING_NOT_FOUND");

  ASSERT_TRUE(Summary(bob.session_id(), &summary).ok());
  ASSERT_EQ(summary.awaiting_size(), 1);
  EXPECT_EQ(summary.awaiting(0).pending().entry().entry_id(), "slip-2");
  EXPECT_FALSE(summary.awaiting(0).earns());
  EXPECT_EQ(summary.awaiting(0).other_display_name(), "Alice Brown");
  request.set_session_id(bob.session_id());
  status = kiosk_->ConfirmMemberEntry(As("kiosk-1").get(), request, &confirmed);
  ASSERT_TRUE(status.ok()) << status.error_message();
  EXPECT_EQ(confirmed.entry().seq(), 1u);
  EXPECT_EQ(confirmed.to_balance_minutes(), 60);

  // Confirmed once; a second time it is no longer waiting.
  status = kiosk_->ConfirmMemberEntry(As("kiosk-1").get(), request, &confirmed);
  EXPECT_EQ(RefusalOf(status).reason, "PENDING_NOT_FOUND");
  ASSERT_TRUE(Summary(bob.session_id(), &summary).ok());
  EXPECT_EQ(summary.awaiting_size(), 0);
  EXPECT_EQ(summary.account().balance_minutes(), -60);
}

TEST_F(KioskServiceTest, MemberTurnsDownAnEntryWaitingForThem) {
  v1::RecordEntryResponse receipt;
  ASSERT_TRUE(Record("slip-3", "bob", "alice", 45, "alice", &receipt).ok());
  ASSERT_TRUE(receipt.pending());
  v1::KioskSession bob;
  ASSERT_TRUE(SignIn("1002", "2468", &bob).ok());
  v1::MemberEntryRequest request;
  request.set_session_id(bob.session_id());
  request.set_entry_id("slip-3");
  v1::PendingEntry rejected;
  const grpc::Status status = kiosk_->RejectMemberEntry(As("kiosk-1").get(), request, &rejected);
  ASSERT_TRUE(status.ok()) << status.error_message();
  EXPECT_EQ(rejected.state(), v1::REJECTED);
  EXPECT_EQ(rejected.resolved_by(), "bob");  // the member, not the kiosk, turned it down
  v1::MemberSummary summary;
  ASSERT_TRUE(Summary(bob.session_id(), &summary).ok());
  EXPECT_EQ(summary.awaiting_size(), 0);
  EXPECT_EQ(summary.account().balance_minutes(), 0);
  EXPECT_EQ(summary.account().held_minutes(), 0);
}

TEST_F(KioskServiceTest, CardsAreUniqueInABankAndOnlyForPersons) {
  grpc::Status status = SetCard("bob", "1001");
  EXPECT_EQ(status.error_code(), grpc::StatusCode::ALREADY_EXISTS);
  EXPECT_EQ(RefusalOf(status).reason, "CARD_IN_USE");
  EXPECT_EQ(RefusalOf(SetCard("cafe", "3003")).reason, "KIND_MISMATCH");
  EXPECT_EQ(RefusalOf(SetCard("bob", "12ab")).reason, "INVALID_CARD_NUMBER");
  EXPECT_EQ(RefusalOf(SetPin("bob", "12345678901")).reason, "INVALID_PIN");

  // A card taken away can be given to someone else, and its old number no longer signs in.
  ASSERT_TRUE(SetCard("alice", "").ok());
  v1::KioskSession session;
  EXPECT_EQ(RefusalOf(SignIn("1001", "1234", &session)).reason, "CARD_OR_PIN_WRONG");
  ASSERT_TRUE(SetCard("bob", "1001").ok());
  EXPECT_TRUE(SignIn("1001", "2468", &session).ok());
  EXPECT_TRUE(ledger_->CheckConsistency().ok()) << ledger_->CheckConsistency();
}

// What the member holds shows at the kiosk: a qualification that never expires, and one ending
// within 60 days ("expiring"), in code order, with its title.
TEST_F(KioskServiceTest, SummaryShowsTheMembersQualifications) {
  ledger::Account carol;
  carol.bank_id = "hcct";
  carol.account_id = "carol";
  carol.roles = {ledger::Role::kMember, ledger::Role::kStaff};
  carol.display_name = "Carol Jones";
  ASSERT_TRUE(ledger::Await<ledger::Account>([&](auto done) {
                ledger_->OpenAccount(carol, ledger::AdminNamed("admin"), std::move(done));
              }).ok());
  for (const auto& [code, title, validity_days] :
       {std::tuple{"first-aid", "First aid at work", 0},
        std::tuple{"food-hygiene-2", "Food hygiene, level 2", 30}}) {
    ledger::CatalogueItem item;
    item.bank_id = "hcct";
    item.code = code;
    item.title = title;
    item.reward_account_id = "cafe";
    item.validity_days = validity_days;
    auto put = ledger::Await<ledger::CatalogueItem>([&](auto done) {
      ledger_->PutCatalogueItem(item, 0, ledger::AdminNamed("carol"), std::move(done));
    });
    ASSERT_TRUE(put.ok()) << put.status();
    ledger::AwardSpec award{"hcct",       std::string("award-") + code, "alice",
                            code,         absl::InfinitePast(),         "certificate 1",
                            "Carol Jones"};
    auto awarded = ledger::Await<ledger::AwardReceipt>([&](auto done) {
      ledger_->AwardQualification(award, ledger::AdminNamed("carol"), std::move(done));
    });
    ASSERT_TRUE(awarded.ok()) << awarded.status();
  }
  v1::KioskSession session;
  ASSERT_TRUE(SignIn("1001", "1234", &session).ok());
  v1::MemberSummary summary;
  ASSERT_TRUE(Summary(session.session_id(), &summary).ok());
  ASSERT_EQ(summary.qualifications_size(), 2);
  EXPECT_EQ(summary.qualifications(0).title(), "First aid at work");
  EXPECT_EQ(summary.qualifications(0).status(), "valid");
  EXPECT_FALSE(summary.qualifications(0).has_valid_until());
  EXPECT_EQ(summary.qualifications(1).code(), "food-hygiene-2");
  EXPECT_EQ(summary.qualifications(1).status(), "expiring");
  EXPECT_TRUE(summary.qualifications(1).has_valid_until());
}

}  // namespace
}  // namespace timeledger::services
