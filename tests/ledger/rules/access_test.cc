// The pure checks of ledger/rules/access.h: who may record, confirm, reverse and read, which
// principals are well formed, who is the same person, and the token records' encoding.
#include "ledger/rules/access.h"

#include <string>

#include "absl/strings/escaping.h"
#include "absl/time/time.h"
#include <gtest/gtest.h>

#include "ledger/core/errors.h"

namespace timeledger::ledger {
namespace {

Principal Admin() { return {"root", PrincipalRole::kAdmin, "", ""}; }
Principal Coordinator(std::string name = "carol", std::string account = "carol-acct") {
  return {std::move(name), PrincipalRole::kCoordinator, "camden", std::move(account)};
}
Principal Kiosk() { return {"kiosk-1", PrincipalRole::kKiosk, "camden", ""}; }
Principal Partner() { return {"cafe-app", PrincipalRole::kPartner, "camden", "cafe"}; }

EntrySpec Spec(EntryKind kind, std::string from, std::string to) {
  EntrySpec spec;
  spec.bank_id = "camden";
  spec.entry_id = "e-1";
  spec.kind = kind;
  spec.from_account_id = std::move(from);
  spec.to_account_id = std::move(to);
  spec.minutes = 60;
  return spec;
}

Entry EntryOf(std::string from, std::string to) {
  Entry entry;
  entry.bank_id = "camden";
  entry.seq = 7;
  entry.entry_id = "e-7";
  entry.from_account_id = std::move(from);
  entry.to_account_id = std::move(to);
  entry.minutes = 60;
  return entry;
}

TEST(CheckMayRecordTest, PartnerRecordsOnlySpendIntoItsOwnAccount) {
  EXPECT_TRUE(CheckMayRecord(Partner(), Spec(EntryKind::kSpend, "ann", "cafe"), false).ok());
  absl::Status exchange =
      CheckMayRecord(Partner(), Spec(EntryKind::kExchange, "ann", "cafe"), false);
  EXPECT_TRUE(HasReason(exchange, Reason::kPartnerSpendOnly));
  EXPECT_EQ(exchange.code(), absl::StatusCode::kPermissionDenied);
  EXPECT_EQ(FiguresOf(exchange).at("account_id"), "cafe");
  EXPECT_TRUE(HasReason(CheckMayRecord(Partner(), Spec(EntryKind::kSpend, "ann", "bakery"), true),
                        Reason::kPartnerSpendOnly));
}

TEST(CheckMayRecordTest, CoordinatorCreditsThemselvesOnlyWhereThePayerConfirms) {
  const EntrySpec to_self = Spec(EntryKind::kExchange, "ann", "carol-acct");
  absl::Status refused = CheckMayRecord(Coordinator(), to_self, false);
  EXPECT_TRUE(HasReason(refused, Reason::kSelfCredit));
  EXPECT_EQ(refused.code(), absl::StatusCode::kPermissionDenied);
  EXPECT_TRUE(CheckMayRecord(Coordinator(), to_self, true).ok());
  // Without an account, a coordinator's own account is the one named as they are.
  EXPECT_TRUE(HasReason(
      CheckMayRecord(Coordinator("carol", ""), Spec(EntryKind::kExchange, "ann", "carol"), false),
      Reason::kSelfCredit));
  EXPECT_TRUE(
      CheckMayRecord(Coordinator(), Spec(EntryKind::kExchange, "carol-acct", "ann"), false).ok());
  EXPECT_TRUE(CheckMayRecord(Admin(), Spec(EntryKind::kExchange, "ann", "carol-acct"), false).ok());
}

TEST(CheckMayConfirmTest, NotOnesOwnRecordingUnderAnotherName) {
  const Entry entry = EntryOf("ann", "bob");
  const Principal other_name_same_account = Coordinator("carol-laptop", "carol-acct");
  absl::Status refused = CheckMayConfirm(Coordinator(), entry, other_name_same_account);
  EXPECT_TRUE(HasReason(refused, Reason::kSelfConfirmation));
  EXPECT_EQ(refused.code(), absl::StatusCode::kFailedPrecondition);
  EXPECT_EQ(FiguresOf(refused).at("recorded_by"), "carol-laptop");
  // Recorded under the very same name: the service's own check, not this one.
  EXPECT_TRUE(CheckMayConfirm(Coordinator(), entry, Coordinator()).ok());
  EXPECT_TRUE(CheckMayConfirm(Coordinator(), entry, Coordinator("dave", "dave-acct")).ok());
  EXPECT_TRUE(CheckMayConfirm(Coordinator(), entry, std::nullopt).ok());
}

TEST(CheckMayConfirmTest, NotAnEntryThatCreditsOneself) {
  absl::Status refused = CheckMayConfirm(Coordinator(), EntryOf("ann", "carol-acct"), std::nullopt);
  EXPECT_TRUE(HasReason(refused, Reason::kSelfCredit));
  EXPECT_EQ(refused.code(), absl::StatusCode::kPermissionDenied);
  EXPECT_TRUE(CheckMayConfirm(Admin(), EntryOf("ann", "carol-acct"), Coordinator()).ok());
  EXPECT_TRUE(CheckMayConfirm(Kiosk(), EntryOf("ann", "carol-acct"), std::nullopt).ok());
}

TEST(CheckMayReverseTest, NotAnEntryOnePaid) {
  absl::Status refused = CheckMayReverse(Coordinator(), EntryOf("carol-acct", "ann"));
  EXPECT_TRUE(HasReason(refused, Reason::kSelfCredit));
  EXPECT_EQ(FiguresOf(refused).at("seq"), "7");
  EXPECT_TRUE(CheckMayReverse(Coordinator(), EntryOf("ann", "carol-acct")).ok());
  EXPECT_TRUE(CheckMayReverse(Admin(), EntryOf("carol-acct", "ann")).ok());
}

TEST(CheckMayReadTest, PartnerReadsOnlyItsOwnAccountAndItsEntries) {
  EXPECT_TRUE(CheckMayReadAccount(Partner(), "cafe").ok());
  absl::Status other = CheckMayReadAccount(Partner(), "ann");
  EXPECT_TRUE(HasReason(other, Reason::kPartnerOwnAccountOnly));
  EXPECT_EQ(other.code(), absl::StatusCode::kPermissionDenied);
  EXPECT_TRUE(CheckMayReadAccount(Coordinator(), "ann").ok());

  EXPECT_TRUE(CheckMayReadEntry(Partner(), EntryOf("ann", "cafe")).ok());
  EXPECT_TRUE(CheckMayReadEntry(Partner(), EntryOf("cafe", "ann")).ok());
  EXPECT_TRUE(HasReason(CheckMayReadEntry(Partner(), EntryOf("ann", "bob")),
                        Reason::kPartnerOwnAccountOnly));
  EXPECT_TRUE(CheckMayReadEntry(Kiosk(), EntryOf("ann", "bob")).ok());
}

TEST(CheckMayManageTest, CoordinatorManagesTokensOfTheirBankOnly) {
  EXPECT_TRUE(CheckMayManage(Admin(), Admin()).ok());
  EXPECT_TRUE(CheckMayManage(Coordinator(), Kiosk()).ok());
  EXPECT_TRUE(HasReason(CheckMayManage(Coordinator(), Admin()), Reason::kNotYoursToManage));
  Principal elsewhere = Partner();
  elsewhere.bank_id = "hackney";
  EXPECT_TRUE(HasReason(CheckMayManage(Coordinator(), elsewhere), Reason::kNotYoursToManage));
  EXPECT_TRUE(HasReason(CheckMayList(Coordinator(), "hackney"), Reason::kNotYoursToManage));
  EXPECT_TRUE(CheckMayList(Coordinator(), "").ok());
  EXPECT_TRUE(HasReason(CheckMayActIn(Partner(), "hackney"), Reason::kOutOfScope));
  EXPECT_TRUE(CheckMayActIn(Admin(), "hackney").ok());
}

TEST(SamePersonTest, SameNameOrSameAccountOfTheSameBank) {
  EXPECT_TRUE(SamePerson(Coordinator(), Coordinator()));
  EXPECT_TRUE(SamePerson(Coordinator("carol-laptop", "carol-acct"), Coordinator()));
  EXPECT_TRUE(SamePerson(Coordinator("carol", ""), Coordinator("carol-2", "carol")));
  EXPECT_FALSE(SamePerson(Coordinator(), Coordinator("dave", "dave-acct")));
  Principal other_bank = Coordinator("carol-h", "carol-acct");
  other_bank.bank_id = "hackney";
  EXPECT_FALSE(SamePerson(Coordinator(), other_bank));
  // A kiosk has no person account: it is the same person only as itself.
  EXPECT_FALSE(SamePerson(Kiosk(), {"kiosk-2", PrincipalRole::kKiosk, "camden", ""}));
}

TEST(ValidatePrincipalTest, FieldsFitTheRole) {
  EXPECT_TRUE(ValidatePrincipal(Admin()).ok());
  EXPECT_TRUE(ValidatePrincipal(Coordinator()).ok());
  EXPECT_TRUE(ValidatePrincipal(Coordinator("carol", "")).ok());
  EXPECT_TRUE(ValidatePrincipal(Kiosk()).ok());
  EXPECT_TRUE(ValidatePrincipal(Partner()).ok());

  Principal admin_with_bank = Admin();
  admin_with_bank.bank_id = "camden";
  absl::Status refused = ValidatePrincipal(admin_with_bank);
  EXPECT_TRUE(HasReason(refused, Reason::kInvalidPrincipal));
  EXPECT_EQ(refused.code(), absl::StatusCode::kInvalidArgument);
  Principal partner = Partner();
  partner.account_id = "";
  EXPECT_TRUE(HasReason(ValidatePrincipal(partner), Reason::kInvalidPrincipal));
  Principal kiosk = Kiosk();
  kiosk.account_id = "ann";
  EXPECT_TRUE(HasReason(ValidatePrincipal(kiosk), Reason::kInvalidPrincipal));
  Principal no_bank = Coordinator();
  no_bank.bank_id = "";
  EXPECT_TRUE(HasReason(ValidatePrincipal(no_bank), Reason::kInvalidId));
  Principal bad_name = Coordinator("carol smith");
  EXPECT_TRUE(HasReason(ValidatePrincipal(bad_name), Reason::kInvalidId));
}

TokenRecord SampleRecord() {
  TokenRecord record;
  record.token_id = "0123456789abcdef";
  record.principal = Partner();
  for (size_t i = 0; i < record.secret_hash.size(); ++i) record.secret_hash[i] = uint8_t(i * 7);
  record.created_at = absl::FromUnixSeconds(1700000000);
  record.created_by = "root";
  return record;
}

TEST(TokenRecordTest, RoundTrips) {
  for (bool revoked : {false, true}) {
    TokenRecord record = SampleRecord();
    if (revoked) {
      record.revoked_at = absl::FromUnixMicros(1700000100123456);
      record.revoked_by = "carol";
    }
    auto decoded = DecodeTokenRecord(EncodeTokenRecord(record));
    ASSERT_TRUE(decoded.ok()) << decoded.status();
    EXPECT_EQ(decoded->token_id, record.token_id);
    EXPECT_TRUE(SamePrincipal(decoded->principal, record.principal));
    EXPECT_EQ(decoded->secret_hash, record.secret_hash);
    EXPECT_EQ(decoded->created_at, record.created_at);
    EXPECT_EQ(decoded->created_by, record.created_by);
    EXPECT_EQ(decoded->revoked_at, record.revoked_at);
    EXPECT_EQ(decoded->revoked_by, record.revoked_by);
    EXPECT_EQ(decoded->revoked(), revoked);
  }
}

TEST(TokenRecordTest, DamagedBytesAreCorruptRecord) {
  const std::string bytes = EncodeTokenRecord(SampleRecord());
  // Every cut and one byte more.
  for (size_t length = 0; length < bytes.size(); ++length) {
    absl::Status status = DecodeTokenRecord(bytes.substr(0, length)).status();
    EXPECT_TRUE(HasReason(status, Reason::kCorruptRecord)) << length;
    EXPECT_EQ(status.code(), absl::StatusCode::kDataLoss);
  }
  EXPECT_TRUE(HasReason(DecodeTokenRecord(bytes + "x").status(), Reason::kCorruptRecord));
  std::string wrong_version = bytes;
  wrong_version[0] = static_cast<char>(wrong_version[0] + 1);
  EXPECT_TRUE(HasReason(DecodeTokenRecord(wrong_version).status(), Reason::kCorruptRecord));
}

// SampleRecord as the code before client certificates wrote it (version 1): such records are in
// every store, and are still read, and an unbound token is still written so.
constexpr char kVersion1SampleRecordHex[] =
    "01103031323334353637383961626364656608636166652d617070040663616d64656e0463616665"
    "00070e151c232a31383f464d545b626970777e858c939aa1a8afb6bdc4cbd2d900060a24181e4000"
    "04726f6f74800000000000000000";

TEST(TokenRecordTest, ReadsAndWritesVersion1ForAnUnboundToken) {
  const std::string bytes = absl::HexStringToBytes(kVersion1SampleRecordHex);
  auto decoded = DecodeTokenRecord(bytes);
  ASSERT_TRUE(decoded.ok()) << decoded.status();
  EXPECT_EQ(decoded->token_id, "0123456789abcdef");
  EXPECT_TRUE(SamePrincipal(decoded->principal, Partner()));
  EXPECT_EQ(decoded->created_by, "root");
  EXPECT_FALSE(decoded->revoked());
  EXPECT_EQ(decoded->client_subject, "");
  EXPECT_EQ(EncodeTokenRecord(SampleRecord()), bytes);
}

TEST(TokenRecordTest, ABoundTokenRoundTripsAsVersion2) {
  TokenRecord record = SampleRecord();
  record.client_subject = "CN=cafe-till,O=Holy Cross Cafe";
  const std::string bytes = EncodeTokenRecord(record);
  EXPECT_EQ(bytes[0], 2);
  auto decoded = DecodeTokenRecord(bytes);
  ASSERT_TRUE(decoded.ok()) << decoded.status();
  EXPECT_EQ(decoded->client_subject, record.client_subject);
  EXPECT_EQ(decoded->token_id, record.token_id);
  for (size_t length = 0; length < bytes.size(); ++length) {
    EXPECT_TRUE(
        HasReason(DecodeTokenRecord(bytes.substr(0, length)).status(), Reason::kCorruptRecord))
        << length;
  }
  // Version 2 with an empty subject is never written, so it is damage: one encoding per record.
  std::string unbound_v2 = EncodeTokenRecord(SampleRecord()) + std::string(1, '\0');
  unbound_v2[0] = 2;
  EXPECT_TRUE(HasReason(DecodeTokenRecord(unbound_v2).status(), Reason::kCorruptRecord));
}

TEST(ClientCertificateTest, ABoundTokenNeedsACertificateOfItsSubject) {
  Credential bound{Partner(), "0123456789abcdef", "CN=cafe-till"};
  EXPECT_TRUE(CheckClientCertificate(bound, "CN=cafe-till").ok());
  for (absl::string_view presented : {"", "CN=intruder", "CN=cafe-till,O=Other"}) {
    const absl::Status status = CheckClientCertificate(bound, presented);
    EXPECT_EQ(status.code(), absl::StatusCode::kPermissionDenied) << presented;
    EXPECT_TRUE(HasReason(status, Reason::kCertificateMismatch)) << presented;
    EXPECT_EQ(FiguresOf(status).at("presented_subject"), presented);
    EXPECT_EQ(FiguresOf(status).at("token_id"), "0123456789abcdef");
    // Neither the subject it wants nor the principal's name: a copied token learns nothing.
    EXPECT_EQ(status.message().find("cafe-till"), std::string::npos) << status.message();
    EXPECT_EQ(status.message().find("cafe-app"), std::string::npos) << status.message();
    EXPECT_NE(status.message().find("partner"), std::string::npos) << status.message();
  }
  const Credential unbound{Partner(), "0123456789abcdef", ""};
  EXPECT_TRUE(CheckClientCertificate(unbound, "").ok());
  EXPECT_TRUE(CheckClientCertificate(unbound, "CN=anyone").ok());
}

TEST(ClientCertificateTest, ASubjectIsBoundedPrintableAscii) {
  EXPECT_TRUE(ValidateClientSubject("").ok());
  EXPECT_TRUE(ValidateClientSubject("CN=cafe-till,O=Holy Cross Cafe\\, Ltd").ok());
  EXPECT_TRUE(ValidateClientSubject(std::string(kClientSubjectBytesMax, 'a')).ok());
  for (const std::string& bad : {std::string(kClientSubjectBytesMax + 1, 'a'),
                                 std::string("CN=a\nb"), std::string("CN=caf\xc3\xa9")}) {
    EXPECT_TRUE(HasReason(ValidateClientSubject(bad), Reason::kInvalidText)) << bad;
  }
}

TEST(PrincipalBindingTest, RoundTripsAndRefusesDamage) {
  PrincipalBinding binding;
  binding.principal = Coordinator();
  binding.version = 3;
  binding.set_at = absl::FromUnixSeconds(1700000000);
  binding.set_by = "root";
  const std::string bytes = EncodePrincipalBinding(binding);
  auto decoded = DecodePrincipalBinding(bytes);
  ASSERT_TRUE(decoded.ok()) << decoded.status();
  EXPECT_TRUE(SamePrincipal(decoded->principal, binding.principal));
  EXPECT_EQ(decoded->version, 3u);
  EXPECT_EQ(decoded->set_at, binding.set_at);
  EXPECT_EQ(decoded->set_by, "root");
  EXPECT_TRUE(HasReason(DecodePrincipalBinding(bytes.substr(0, bytes.size() - 1)).status(),
                        Reason::kCorruptRecord));
  binding.version = 0;  // versions count from 1
  EXPECT_TRUE(HasReason(DecodePrincipalBinding(EncodePrincipalBinding(binding)).status(),
                        Reason::kCorruptRecord));
}

}  // namespace
}  // namespace timeledger::ledger
