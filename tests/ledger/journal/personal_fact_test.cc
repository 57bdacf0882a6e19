// The sealed encoding of facts and entries (version 2, layout 4): a personal value is hashed as
// its commitment, decodes as erased, and is joined back only from a record that matches it; the
// version 1 encoding of layout 3 reads and writes as it always did.
#include <string>
#include <vector>

#include <gtest/gtest.h>

#include "ledger/core/personal.h"
#include "ledger/core/records.h"
#include "ledger/journal/entry_fact.h"
#include "ledger/journal/journal.h"
#include "tests/support/every_fact.h"

namespace timeledger::ledger {
namespace {

Fact OpenedFact(const std::string& name) {
  Fact fact;
  fact.type = FactType::kAccountOpened;
  fact.bank_id = "camden";
  fact.principal = "carol";
  fact.position = 3;
  fact.account_id = "alice";
  fact.roles = {Role::kMember};
  fact.display_name = name;
  return fact;
}

TEST(PersonalFactTest, ACommitmentIsTheHashOfDomainSaltAndValue) {
  PersonalSalt salt;
  for (size_t i = 0; i < salt.size(); ++i) salt[i] = static_cast<uint8_t>(i);
  std::string message = "P";
  message.append(reinterpret_cast<const char*>(salt.data()), salt.size());
  message += "Alice Brown";
  EXPECT_EQ(PersonalCommitment(salt, "Alice Brown"), Sha256Of(message));
  EXPECT_NE(DrawPersonalSalt(), DrawPersonalSalt());
  EXPECT_EQ(SealPersonal("").state, PersonalState::kInFact);
}

TEST(PersonalFactTest, ASealedFactHashesTheCommitmentAndDecodesAsErased) {
  Fact fact = OpenedFact("Alice Brown");
  SealPersonalData(&fact);
  ASSERT_EQ(fact.version, kFactVersionSealed);
  ASSERT_EQ(fact.display_name_seal.state, PersonalState::kHeld);
  const std::string bytes = EncodeFact(fact);
  EXPECT_EQ(bytes[0], static_cast<char>(kFactVersionSealed));
  EXPECT_EQ(bytes.find("Alice Brown"), std::string::npos);

  auto decoded = DecodeFact(bytes);
  ASSERT_TRUE(decoded.ok()) << decoded.status();
  EXPECT_EQ(decoded->display_name, "");
  EXPECT_EQ(decoded->display_name_seal.state, PersonalState::kErased);
  EXPECT_EQ(decoded->display_name_seal.commitment, fact.display_name_seal.commitment);
  EXPECT_EQ(EncodeFact(*decoded), bytes);  // canonical, with or without the value

  const std::vector<PersonalRecord> records = PersonalRecordsOf(fact);
  ASSERT_EQ(records.size(), 1u);
  EXPECT_EQ(records[0].position, 3u);
  EXPECT_EQ(records[0].field, PersonalField::kDisplayName);
  auto joined = DecodeJoinedFact(bytes, records);
  ASSERT_TRUE(joined.ok());
  EXPECT_EQ(joined->display_name, "Alice Brown");
  EXPECT_EQ(joined->display_name_seal.state, PersonalState::kHeld);

  PersonalRecord forged = records[0];
  forged.value = "Mallory";
  auto refused = DecodeJoinedFact(bytes, {forged});
  ASSERT_TRUE(refused.ok());
  EXPECT_EQ(refused->display_name, "");
  EXPECT_EQ(refused->display_name_seal.state, PersonalState::kErased);
}

TEST(PersonalFactTest, AnEmptyValueIsNotCommittedAndHasNoRecord) {
  Fact fact;
  fact.type = FactType::kCardSet;
  fact.bank_id = "camden";
  fact.account_id = "alice";
  SealPersonalData(&fact);
  EXPECT_TRUE(PersonalRecordsOf(fact).empty());
  auto decoded = DecodeFact(EncodeFact(fact));
  ASSERT_TRUE(decoded.ok());
  EXPECT_EQ(decoded->card_number_seal.state, PersonalState::kInFact);
  EXPECT_EQ(EncodeFact(*decoded), EncodeFact(fact));
}

TEST(PersonalFactTest, ASealedEntryCommitsToItsNoteInItsOwnHash) {
  Entry entry = testing::EveryFieldEntry();
  const std::string note = entry.note;
  ASSERT_FALSE(note.empty());
  SealEntryNote(&entry);
  const std::string canonical = CanonicalEntryBytes(entry);
  EXPECT_EQ(canonical[0], static_cast<char>(kEntryVersionSealed));
  EXPECT_EQ(canonical.find(note), std::string::npos);
  auto decoded = DecodeCanonicalEntry(canonical);
  ASSERT_TRUE(decoded.ok()) << decoded.status();
  EXPECT_EQ(decoded->note_seal.state, PersonalState::kErased);
  EXPECT_EQ(CanonicalEntryBytes(*decoded), canonical);
  EXPECT_EQ(ChainHash(Digest{}, *decoded), ChainHash(Digest{}, entry));

  Fact fact = EntryFact(entry);
  EXPECT_EQ(fact.version, kFactVersionSealed);
  const std::string bytes = EncodeEntryFact(entry, canonical, 7, testing::kEveryFactAt);
  fact.position = 7;
  fact.at = testing::kEveryFactAt;
  EXPECT_EQ(bytes, EncodeFact(fact));
  absl::string_view stored;
  uint64_t position = 0;
  ASSERT_TRUE(EntryInFact(bytes, &stored, &position));
  EXPECT_EQ(SeqOfStoredEntry(stored), entry.seq);
  auto joined = DecodeJoinedFact(bytes, PersonalRecordsOf(fact));
  ASSERT_TRUE(joined.ok()) << joined.status();
  EXPECT_EQ(joined->entry.note, note);
}

TEST(PersonalFactTest, VersionOneFactsKeepTheirValuesInTheirBytes) {
  for (const Fact& fact : testing::EveryFact()) {
    if (fact.version != kFactVersionInline) continue;  // the imported entry's fact is sealed
    const std::string bytes = EncodeFact(fact);
    auto decoded = DecodeFact(bytes);
    ASSERT_TRUE(decoded.ok()) << FactTypeName(fact.type);
    ForEachPersonal(*decoded, [](PersonalField, const std::string&, const PersonalSeal& seal,
                                 size_t) { EXPECT_EQ(seal.state, PersonalState::kInFact); });
    EXPECT_TRUE(PersonalRecordsOf(*decoded).empty());
  }
  const Fact layout3 = OpenedFact("Alice Brown");
  EXPECT_NE(EncodeFact(layout3).find("Alice Brown"), std::string::npos);
}

}  // namespace
}  // namespace timeledger::ledger
