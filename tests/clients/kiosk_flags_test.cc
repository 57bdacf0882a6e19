// timeledger-kiosk's command line and config file: the settings an operator gives in
// /etc/timeledger/timeledger-kiosk.conf, the command line winning, and a wrong name refused.
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include <gtest/gtest.h>

#include "clients/kiosk/flags.h"
#include "tests/support/command_line.h"

namespace timeledger::kiosk {
namespace {

std::optional<int> Parse(std::vector<std::string> words, Flags* flags, std::string* error) {
  return testing::ParseWords(&ParseFlags, "timeledger-kiosk", std::move(words), flags, error);
}

TEST(KioskFlagsTest, AConfigFileSetsThePageAndTheLedgerAndTheCommandLineWins) {
  const std::string config =
      testing::ConfigFile("kiosk.conf",
                          "bank = \"hall\"\n"
                          "listen = \"0.0.0.0:8443\"\n"
                          "host = [\"kiosk.hall.example\", \"192.168.1.20\"]\n"
                          "server = \"ledger.hall.example:50051\"\n"
                          "tls = true\n");
  Flags flags;
  std::string error;
  EXPECT_EQ(Parse({"--config", config, "--bank", "riverside"}, &flags, &error), std::nullopt)
      << error;
  EXPECT_EQ(flags.bank, "riverside");  // the command line wins
  EXPECT_EQ(flags.listen, "0.0.0.0:8443");
  EXPECT_EQ(flags.hosts, (std::vector<std::string>{"kiosk.hall.example", "192.168.1.20"}));
  EXPECT_EQ(flags.server, "ledger.hall.example:50051");
  EXPECT_TRUE(flags.security.tls);
}

TEST(KioskFlagsTest, AnUnknownSettingIsRefusedByName) {
  Flags flags;
  std::string error;
  EXPECT_EQ(
      Parse({"--config", testing::ConfigFile("typo.conf", "bnak = \"hall\"\n")}, &flags, &error),
      kExitUsage);
  EXPECT_EQ(error.rfind("timeledger-kiosk: ", 0), 0u) << error;
  EXPECT_NE(error.find("a setting it does not know: bnak"), std::string::npos) << error;
}

// The example the package installs, and every setting it shows commented out, parse.
TEST(KioskFlagsTest, ThePackagedConfigFileAndEveryCommentedSettingParse) {
  int settings = 0;
  const std::string uncommented =
      testing::Uncommented(testing::FileText(TIMELEDGER_KIOSK_CONFIG_EXAMPLE), &settings);
  EXPECT_GE(settings, 8);
  Flags packaged;
  std::string error;
  EXPECT_EQ(Parse({"--config", TIMELEDGER_KIOSK_CONFIG_EXAMPLE}, &packaged, &error), std::nullopt)
      << error;
  EXPECT_EQ(packaged.bank, "holy-cross");
  EXPECT_EQ(packaged.listen, "127.0.0.1:8080");
  Flags every;
  EXPECT_EQ(Parse({"--config", testing::ConfigFile("every.conf", uncommented)}, &every, &error),
            std::nullopt)
      << error;
  EXPECT_EQ(every.https_key, "/etc/timeledger/tls/kiosk.key");
}

}  // namespace
}  // namespace timeledger::kiosk
