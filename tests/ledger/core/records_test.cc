// Stored record encodings: round trips, and damaged bytes refused without crashing.
#include "ledger/core/records.h"

#include <random>

#include "absl/strings/escaping.h"
#include <gtest/gtest.h>

#include "ledger/core/coding.h"

namespace timeledger::ledger {
namespace {

Entry SampleEntry() {
  Entry entry;
  entry.bank_id = "hcct";
  entry.seq = 42;
  entry.entry_id = "slip:2026-11-20:7";
  entry.kind = EntryKind::kSpend;
  entry.from_account_id = "bob";
  entry.to_account_id = "cafe";
  entry.minutes = 60;
  entry.activity = "lunch";
  entry.note = "soup of the day — thank you";
  entry.occurred_at = absl::FromUnixMicros(1'790'000'000'123'456);
  entry.recorded_at = absl::FromUnixMicros(1'790'000'100'000'000);
  entry.recorded_by = "coordinator";
  entry.reverses_seq = 0;
  entry.hash = ChainHash(Digest{}, entry);
  return entry;
}

TEST(RecordsTest, EntryRoundTrips) {
  const Entry entry = SampleEntry();
  auto decoded = DecodeEntry(EncodeEntry(entry));
  ASSERT_TRUE(decoded.ok()) << decoded.status();
  EXPECT_EQ(decoded->entry_id, entry.entry_id);
  EXPECT_EQ(decoded->note, entry.note);
  EXPECT_EQ(decoded->occurred_at, entry.occurred_at);
  EXPECT_EQ(decoded->hash, entry.hash);
  EXPECT_EQ(CanonicalEntryBytes(*decoded), CanonicalEntryBytes(entry));
}

TEST(RecordsTest, CanonicalBytesFollowTheDocumentedLayout) {
  Entry entry;
  entry.bank_id = "b";
  entry.seq = 1;
  entry.entry_id = "e";
  entry.kind = EntryKind::kExchange;
  entry.from_account_id = "x";
  entry.to_account_id = "y";
  entry.minutes = 15;
  entry.occurred_at = absl::FromUnixMicros(0);
  entry.recorded_at = absl::FromUnixMicros(0);
  entry.recorded_by = "r";
  const std::string expected = std::string(
                                   "\x01\x01"
                                   "b",
                                   3) +
                               std::string("\0\0\0\0\0\0\0\x01", 8) +
                               "\x01"
                               "e" +
                               "\x01" +
                               "\x01"
                               "x"
                               "\x01"
                               "y" +
                               std::string("\0\0\0\0\0\0\0\x0f", 8) + std::string("\0\0", 2) +
                               std::string(16, '\0') +
                               "\x01"
                               "r" +
                               std::string(8, '\0');
  EXPECT_EQ(CanonicalEntryBytes(entry), expected);
}

TEST(RecordsTest, ChangingAnyFieldChangesTheHash) {
  const Entry entry = SampleEntry();
  Entry changed = entry;
  changed.minutes = 61;
  EXPECT_NE(ChainHash(Digest{}, changed), entry.hash);
  changed = entry;
  changed.note += ".";
  EXPECT_NE(ChainHash(Digest{}, changed), entry.hash);
  Digest other_previous{};
  other_previous[0] = 1;
  EXPECT_NE(ChainHash(other_previous, entry), entry.hash);
}

TEST(RecordsTest, AccountAndBankRoundTrip) {
  Account account;
  account.bank_id = "hcct";
  account.account_id = "alice";
  account.kind = AccountKind::kPerson;
  account.roles = {Role::kMember, Role::kStaff};
  account.display_name = "Alice Brown";
  account.status = AccountStatus::kSuspended;
  account.opened_at = absl::FromUnixSeconds(1'700'000'000);
  account.balance_minutes = -600;
  account.earned_minutes = 30;
  account.spent_minutes = 630;
  account.entry_count = 9;
  auto decoded = DecodeAccount(EncodeAccount(account));
  ASSERT_TRUE(decoded.ok());
  EXPECT_EQ(decoded->roles, account.roles);
  EXPECT_EQ(decoded->balance_minutes, -600);
  EXPECT_EQ(decoded->status, AccountStatus::kSuspended);
  EXPECT_EQ(decoded->entry_count, 9u);

  Bank bank{"hcct", "Holy Cross", "Europe/London", absl::FromUnixSeconds(1'700'000'000)};
  auto bank_decoded = DecodeBank(EncodeBank(bank));
  ASSERT_TRUE(bank_decoded.ok());
  EXPECT_EQ(bank_decoded->time_zone, "Europe/London");
}

TEST(RecordsTest, TruncatedOrFlippedBytesAreDataLossNotACrash) {
  const std::string bytes = EncodeEntry(SampleEntry());
  for (size_t length = 0; length < bytes.size(); ++length) {
    auto decoded = DecodeEntry(bytes.substr(0, length));
    EXPECT_EQ(decoded.status().code(), absl::StatusCode::kDataLoss) << length;
  }
  std::mt19937 random(7);
  for (int i = 0; i < 2000; ++i) {
    std::string damaged = bytes;
    damaged[random() % damaged.size()] ^= static_cast<char>(1 + random() % 255);
    (void)DecodeEntry(damaged);  // may decode or not; must never read out of bounds
    (void)DecodeAccount(damaged);
    (void)DecodeBank(damaged);
    (void)DecodeChainHead(damaged);
  }
  EXPECT_FALSE(DecodeEntry(bytes + "x").ok());
}

TEST(RecordsTest, AnIdempotencyRecordKeeps8BytesOfTheRequestsHashAndReadsTheOldWholeOne) {
  EntrySpec spec;
  spec.bank_id = "hcct";
  spec.entry_id = "e-1";
  spec.from_account_id = "bob";
  spec.to_account_id = "dev";
  spec.minutes = 60;
  const RequestFingerprint fingerprint = SpecFingerprint(spec);
  const std::string bytes = EncodeEntryIdRecord({7, fingerprint});
  EXPECT_EQ(bytes.size(), 16u);
  auto decoded = DecodeEntryIdRecord(bytes);
  ASSERT_TRUE(decoded.ok()) << decoded.status();
  EXPECT_EQ(decoded->seq, 7u);
  EXPECT_EQ(decoded->fingerprint, fingerprint);

  EntrySpec other = spec;
  other.minutes = 61;
  EXPECT_NE(SpecFingerprint(other), fingerprint);

  // Layout 3 stored the whole SHA-256: its first 8 bytes, big-endian, are the fingerprint.
  std::string whole;
  PutFixed64BigEndian(&whole, 7);
  PutFixed64BigEndian(&whole, fingerprint);
  whole.append(kDigestBytes - 8, '\x42');
  auto old = DecodeEntryIdRecord(whole);
  ASSERT_TRUE(old.ok()) << old.status();
  EXPECT_EQ(old->seq, 7u);
  EXPECT_EQ(old->fingerprint, fingerprint);
  for (const size_t size : {size_t{0}, size_t{8}, size_t{15}, size_t{17}, size_t{39}, size_t{41}}) {
    EXPECT_FALSE(DecodeEntryIdRecord(whole.substr(0, std::min(size, whole.size())) +
                                     std::string(size > whole.size() ? 1 : 0, 'x'))
                     .ok())
        << size;
  }
}

TEST(CodingTest, VarintsRoundTripAndRejectOverflow) {
  for (int64_t value :
       {int64_t{0}, int64_t{1}, int64_t{-1}, int64_t{63}, int64_t{-64}, INT64_MAX, INT64_MIN}) {
    std::string out;
    PutVarsint64(&out, value);
    Reader reader(out);
    int64_t decoded = 0;
    ASSERT_TRUE(reader.ReadVarsint64(&decoded));
    EXPECT_EQ(decoded, value);
    EXPECT_TRUE(reader.done());
  }
  const std::string too_long = std::string(10, '\xff') + "\x01";
  Reader overflow(too_long);
  uint64_t value = 0;
  EXPECT_FALSE(overflow.ReadVarint64(&value));
}

// One value, one encoding: an overlong varint (a final zero byte after continuation bytes) is
// refused, so a length prefix cannot be written two ways inside hashed bytes (found by
// tests/fuzz/records_fuzz).
TEST(CodingTest, VarintsRejectOverlongForms) {
  for (const std::string overlong :
       {std::string("\x80\x00", 2), std::string("\x86\x00", 2), std::string("\xff\x80\x00", 3)}) {
    Reader reader(overlong);
    uint64_t value = 0;
    EXPECT_FALSE(reader.ReadVarint64(&value)) << absl::CEscape(overlong);
  }
  const std::string zero_byte(1, '\0');
  Reader zero(zero_byte);
  uint64_t value = 1;
  ASSERT_TRUE(zero.ReadVarint64(&value));
  EXPECT_EQ(value, 0u);

  // The same through a decoder of hashed bytes: the entry id's length written overlong.
  Entry entry;
  entry.bank_id = "hcct";
  entry.seq = 1;
  entry.entry_id = "slip-1";
  entry.from_account_id = "bob";
  entry.to_account_id = "alice";
  entry.minutes = 60;
  const std::string bytes = CanonicalEntryBytes(entry);
  ASSERT_TRUE(DecodeCanonicalEntry(bytes).ok());
  // 0x01 str(bank_id) u64(seq) str(entry_id): the entry id's length byte is at 1 + 1 + 4 + 8.
  const size_t at = 1 + 1 + entry.bank_id.size() + 8;
  ASSERT_EQ(bytes[at], static_cast<char>(entry.entry_id.size()));
  std::string overlong = bytes;
  overlong.replace(at, 1, std::string("\x86\x00", 2));
  EXPECT_FALSE(DecodeCanonicalEntry(overlong).ok());
}

}  // namespace
}  // namespace timeledger::ledger
