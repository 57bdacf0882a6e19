// The canonical bytes of one fact of every type, with every field set, as the encoder wrote them
// before the fact bodies were declared once (ledger/journal/fact.h). They are hashed into every
// chain and Merkle root already written, so they may never change by a single bit.
#include <fstream>
#include <iterator>
#include <set>
#include <string>

#include "absl/strings/escaping.h"
#include "absl/strings/str_cat.h"
#include <gtest/gtest.h>

#include "ledger/core/records.h"
#include "ledger/journal/journal.h"
#include "tests/support/every_fact.h"

namespace timeledger::ledger {
namespace {

// Hex of EncodeFact(EveryFact()[i]), in the same order.
const char* const kGoldenFactHex[] = {
    "01010663616d64656e000000000000000000065bfeda27c240056361726f6c1043616d64656e2074696d6520"
    "62616e6b0d4575726f70652f4c6f6e646f6e",
    "01020663616d64656e000000000000000100065bfeda370480056361726f6c05616c69636502030102030c41"
    "6c696365204d656e736168",
    "01030663616d64656e000000000000000200065bfeda4646c0056361726f6c05616c69636502030a6d6f7665"
    "642061776179",
    "01040663616d64656e000000000000000300065bfeda558900056361726f6c000000000000000348010380f9"
    "a0b9c0ffad06056361726f6c013c01c00701d704ffb5dc05000101e05d0101a00b017801b401e01201010209"
    "726563657074696f6e08636c65616e696e67010160001802",
    "01050663616d64656e000000000000000400065bfeda64cb40056361726f6c8401010663616d64656e000000"
    "000000000709736c69702d303030370303626f620463616665000000000000005a0967617264656e696e670f"
    "74686520726169736564206265647300065be90f291a4000065bfecf6d2d40056361726f6c00000000000000"
    "05a0a1a2a3a4a5a6a7a8a9aaabacadaeafb0b1b2b3b4b5b6b7b8b9babbbcbdbebf",
    "01060663616d64656e000000000000000500065bfeda740d80056361726f6c64010663616d64656e00000000"
    "0000000009736c69702d303030370303626f620463616665000000000000005a0967617264656e696e670f74"
    "686520726169736564206265647300065be90f291a4000065bfecf6d2d40056361726f6c0000000000000005"
    "03626f6200065c8bab0b62400c434f4e4649524d4154494f4e",
    "01070663616d64656e000000000000000600065bfeda834fc0056361726f6c09736c69702d30303037030000"
    "000000000008066e6f74206d65",
    "01080663616d64656e000000000000000700065bfeda929200056361726f6c880101010663616d64656e0e66"
    "6f6f642d68796769656e652d3215466f6f642068796769656e652c206c6576656c2032000000000000000002"
    "00065bfeda27c240056361726f6c09486967686669656c6401320663656e7472650000000000000078000000"
    "0000000447000000000000003c010966697273742d61696400000000000000000000000000",
    "01090663616d64656e000000000000000800065bfedaa1d440056361726f6c9901010663616d64656e066365"
    "72742d3105616c6963650e666f6f642d68796769656e652d3200065bd69e7902400006b20a7e636240126365"
    "727469666963617465203230343531380b4361726f6c204a6f6e657302000000000000003c0663656e747265"
    "000000000000000900065bfeda27c240056361726f6c000102030405060708090a0b0c0d0e0f101112131415"
    "161718191a1b1c1d1e1f",
    "010a0663616d64656e000000000000000900065bfedab11680056361726f6c0e68796769656e652d636f7572"
    "7365000000000000000b05616c6963650e666f6f642d68796769656e652d32",
    "01100663616d64656e000000000000000a00065bfedac058c0056361726f6c05616c69636507343431303032"
    "31",
    "01110663616d64656e000000000000000b00065bfedacf9b00056361726f6c05616c696365",
    "01120663616d64656e000000000000000c00065bfedadedd40056361726f6c05616c69636502626e",
    "01130663616d64656e000000000000000d00065bfedaee1f80056361726f6c05616c696365020103",
    "01140663616d64656e000000000000000e00065bfedafd61c0056361726f6c03626f620a426f62204f6b61666f"
    "72020103",
    // A member who moved in: account_opened with joined_at (i64) after the name.
    "01020663616d64656e000000000000000f00065bfedb0ca400056361726f6c056d617269610101010d4d617269"
    "61204f274e65696c6c00060d6a48d8c240",
    // An imported entry: a sealed fact of a version 3 entry, whose last byte before the hash is
    // its flags, 0x01.
    "02050663616d64656e000000000000001000065bfedb1be640056361726f6c76030663616d64656e0000000000"
    "00000709736c69702d303030370303626f620463616665000000000000005a0967617264656e696e670000065b"
    "e90f291a4000065bfecf6d2d40056361726f6c000000000000000501a0a1a2a3a4a5a6a7a8a9aaabacadaeafb0"
    "b1b2b3b4b5b6b7b8b9babbbcbdbebf",
    // Contact details: contact_set (version 1, its values inline).
    "01150663616d64656e000000000000001100065bfedb2b2880056361726f6c05616c696365102b343420323020"
    "37393436203030303011616c696365406578616d706c652e6f7267",
};

TEST(FactGoldenTest, EveryTypeEncodesToItsGoldenBytes) {
  const std::vector<Fact> facts = testing::EveryFact();
  EXPECT_EQ(facts.size(), std::size(kGoldenFactHex));
  for (size_t i = 0; i < facts.size(); ++i) {
    const std::string hex = absl::BytesToHexString(EncodeFact(facts[i]));
    if (i >= std::size(kGoldenFactHex)) {
      ADD_FAILURE() << "no golden bytes for " << FactTypeName(facts[i].type) << ": " << hex;
      continue;
    }
    EXPECT_EQ(hex, kGoldenFactHex[i]) << FactTypeName(facts[i].type);
  }
}

// The writer encodes an entry's fact from the entry's canonical bytes (EncodeEntryFact), without
// a Fact: the same golden bytes, and the same bytes as EncodeFact for texts whose lengths take
// varints of two bytes.
TEST(FactGoldenTest, EntryFactFromCanonicalBytesIsTheGoldenFact) {
  const std::vector<Fact> facts = testing::EveryFact();
  for (size_t i = 0; i < facts.size() && i < std::size(kGoldenFactHex); ++i) {
    const Fact& fact = facts[i];
    if (fact.type != FactType::kEntry) continue;
    const std::string bytes =
        EncodeEntryFact(fact.entry, CanonicalEntryBytes(fact.entry), fact.position, fact.at);
    EXPECT_EQ(bytes, EncodeFact(fact));
    EXPECT_EQ(absl::BytesToHexString(bytes), kGoldenFactHex[i]);
  }
  Fact fact = EntryFact(testing::EveryFieldEntry());
  fact.position = 1'000'000;
  fact.at = testing::kEveryFactAt;
  fact.entry.note = std::string(kNoteLengthMax, 'n');
  fact.entry.recorded_by = fact.principal = std::string(200, 'r');
  EXPECT_EQ(EncodeEntryFact(fact.entry, CanonicalEntryBytes(fact.entry), fact.position, fact.at),
            EncodeFact(fact));
}

TEST(FactGoldenTest, GoldenBytesDecodeAndEncodeBackUnchanged) {
  for (const char* hex : kGoldenFactHex) {
    const std::string bytes = absl::HexStringToBytes(hex);
    auto fact = DecodeFact(bytes);
    ASSERT_TRUE(fact.ok()) << hex << ": " << fact.status();
    EXPECT_EQ(EncodeFact(*fact), bytes) << FactTypeName(fact->type);
  }
}

TEST(FactGoldenTest, EveryFactTypeHasAGoldenFact) {
  std::set<FactType> sampled;
  for (const Fact& fact : testing::EveryFact()) sampled.insert(fact.type);
  EXPECT_EQ(sampled, std::set<FactType>(FactTypes().begin(), FactTypes().end()));
}

// docs/ARCHITECTURE.md spells out each body for verifiers outside: one line per type.
TEST(FactGoldenTest, ArchitectureHasAGrammarLinePerType) {
  std::ifstream in(std::string(TIMELEDGER_SOURCE_DIR) + "/docs/ARCHITECTURE.md");
  ASSERT_TRUE(in.good());
  const std::string text((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  for (FactType type : FactTypes()) {
    const std::string line = absl::StrCat("\n", static_cast<int>(type), " ", FactTypeName(type));
    EXPECT_NE(text.find(absl::StrCat(line, " ")), std::string::npos) << line;
  }
}

}  // namespace
}  // namespace timeledger::ledger
