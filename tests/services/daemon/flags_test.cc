// timeledgerd's command line: defaults, every flag, and a bad one refused with its name.
#include "services/daemon/flags.h"

#include <optional>
#include <string>
#include <utility>
#include <vector>

#include <gtest/gtest.h>

#include "tests/support/command_line.h"

namespace timeledger::daemon {
namespace {

// ParseFlags over `words` (after the program name); *error gets what it printed to stderr.
std::optional<int> Parse(std::vector<std::string> words, Flags* flags, std::string* error) {
  return testing::ParseWords(&ParseFlags, "timeledgerd", std::move(words), flags, error);
}

TEST(DaemonFlagsTest, NoFlagsKeepsTheDefaults) {
  Flags flags;
  std::string error;
  EXPECT_EQ(Parse({}, &flags, &error), std::nullopt);
  EXPECT_EQ(flags.listen, "127.0.0.1:50051");
  EXPECT_EQ(flags.data_dir, "./var");
  EXPECT_EQ(flags.expiry_sweep_hours, 24);
  EXPECT_EQ(flags.backups_keep, ledger::kBackupsKeptDefault);
  EXPECT_EQ(flags.backup_id, 0u);
  EXPECT_TRUE(flags.verify_on_start);
  EXPECT_FALSE(flags.demo);
  EXPECT_EQ(flags.metrics_address, "");  // no metrics endpoint unless asked for
  EXPECT_FALSE(flags.metrics_allow_remote);
  EXPECT_EQ(error, "");
}

TEST(DaemonFlagsTest, ReadsEveryFlag) {
  Flags flags;
  std::string error;
  EXPECT_EQ(Parse({"--listen",
                   "0.0.0.0:1",
                   "--data-dir",
                   "d",
                   "--demo",
                   "--expiry-sweep-hours",
                   "0",
                   "--backup-dir",
                   "b",
                   "--restore-from",
                   "r",
                   "--serve",
                   "--backup-id",
                   "7",
                   "--backups-keep",
                   "010",
                   "--no-verify-on-start",
                   "--tls-cert",
                   "c",
                   "--tls-key",
                   "k",
                   "--tls-client-ca",
                   "ca",
                   "--tls-require-client-cert",
                   "--insecure-plaintext",
                   "--metrics-address",
                   "0.0.0.0:9464",
                   "--metrics-allow-remote"},
                  &flags, &error),
            std::nullopt)
      << error;
  EXPECT_EQ(flags.listen, "0.0.0.0:1");
  EXPECT_EQ(flags.data_dir, "d");
  EXPECT_TRUE(flags.demo);
  EXPECT_EQ(flags.expiry_sweep_hours, 0);
  EXPECT_EQ(flags.backup_dir, "b");
  EXPECT_EQ(flags.restore_from, "r");
  EXPECT_TRUE(flags.serve_restored);
  EXPECT_EQ(flags.backup_id, 7u);
  EXPECT_EQ(flags.backups_keep, 10u);  // decimal, not octal
  EXPECT_FALSE(flags.verify_on_start);
  EXPECT_EQ(flags.tls_cert, "c");
  EXPECT_EQ(flags.tls_key, "k");
  EXPECT_EQ(flags.tls_client_ca, "ca");
  EXPECT_TRUE(flags.tls_require_client_cert);
  EXPECT_TRUE(flags.insecure_plaintext);
  EXPECT_EQ(flags.metrics_address, "0.0.0.0:9464");
  EXPECT_TRUE(flags.metrics_allow_remote);
  EXPECT_EQ(ServerOptionsOf(flags).metrics_address, "0.0.0.0:9464");
}

TEST(DaemonFlagsTest, MetricsListenOnLoopbackUnlessRemoteIsAllowed) {
  for (const std::string address : {"127.0.0.1:9464", "localhost:0", "[::1]:9464"}) {
    Flags flags;
    std::string error;
    EXPECT_EQ(Parse({"--metrics-address", address}, &flags, &error), std::nullopt) << error;
    EXPECT_EQ(flags.metrics_address, address);
  }
  Flags flags;
  std::string error;
  EXPECT_EQ(Parse({"--metrics-address", "0.0.0.0:9464"}, &flags, &error), kExitUsage);
  EXPECT_EQ(error.rfind("timeledgerd: --metrics-address 0.0.0.0:9464 is not a loopback", 0), 0u)
      << error;
  EXPECT_NE(error.find("--metrics-allow-remote"), std::string::npos) << error;
  EXPECT_EQ(Parse({"--metrics-address", "10.0.0.5:9464", "--metrics-allow-remote"}, &flags, &error),
            std::nullopt)
      << error;
}

TEST(DaemonFlagsTest, ABadMetricsAddressIsRefusedNamingTheFlag) {
  for (const std::string address :
       {"9464", "127.0.0.1:65536", "127.0.0.1:", "prometheus:9464", ":9464", "127.0.0.1:http"}) {
    Flags flags;
    std::string error;
    EXPECT_EQ(Parse({"--metrics-address", address}, &flags, &error), kExitUsage) << address;
    EXPECT_EQ(error.rfind("timeledgerd: --metrics-address", 0), 0u) << error;
  }
  const std::string config = testing::ConfigFile("metrics.conf",
                                                 "metrics-address = \"127.0.0.1:9999\"\n"
                                                 "metrics-allow-remote = false\n");
  Flags flags;
  std::string error;
  EXPECT_EQ(Parse({"--config", config}, &flags, &error), std::nullopt) << error;
  EXPECT_EQ(flags.metrics_address, "127.0.0.1:9999");
  const std::string remote =
      testing::ConfigFile("remote.conf", "metrics-address = \"0.0.0.0:9999\"\n");
  EXPECT_EQ(Parse({"--config", remote}, &flags, &error), kExitUsage);
  EXPECT_NE(error.find("--metrics-address 0.0.0.0:9999"), std::string::npos) << error;
}

TEST(DaemonFlagsTest, AFlagGivenTwiceTakesItsLastValue) {
  Flags flags;
  std::string error;
  EXPECT_EQ(Parse({"--data-dir", "first", "--data-dir", "second"}, &flags, &error), std::nullopt);
  EXPECT_EQ(flags.data_dir, "second");
}

TEST(DaemonFlagsTest, HelpExitsZero) {
  Flags flags;
  std::string error;
  EXPECT_EQ(Parse({"--help"}, &flags, &error), 0);
  EXPECT_EQ(Parse({"-h"}, &flags, &error), 0);
}

TEST(DaemonFlagsTest, ABadCommandLineExitsTwoNamingWhatIsWrong) {
  const std::vector<std::pair<std::vector<std::string>, std::string>> cases = {
      {{"--bogus"}, "--bogus"},
      {{"extra"}, "extra"},
      {{"--listen"}, "--listen"},
      {{"--expiry-sweep-hours", "8785"},
       "--expiry-sweep-hours: takes a number of hours from 0 to 8784"},
      {{"--expiry-sweep-hours", "-1"}, "--expiry-sweep-hours"},
      {{"--backup-id", "0"}, "--backup-id: takes a number from 1 to 100000"},
      {{"--backups-keep", "ten"}, "--backups-keep: takes a number from 1 to 100000"},
      {{"--serve"}, "--serve requires --restore-from"},
  };
  for (const auto& [words, named] : cases) {
    Flags flags;
    std::string error;
    EXPECT_EQ(Parse(words, &flags, &error), kExitUsage) << words[0];
    EXPECT_EQ(error.rfind("timeledgerd: ", 0), 0u) << error;
    EXPECT_NE(error.find(named), std::string::npos) << error;
  }
}

TEST(DaemonFlagsTest, AConfigFileSetsWhatTheFlagsSetAndTheCommandLineWins) {
  const std::string config = testing::ConfigFile("settings.conf",
                                                 "# the centre's server\n"
                                                 "data-dir = \"/var/lib/timeledger\"\n"
                                                 "listen = \"0.0.0.0:50051\"\n"
                                                 "backups-keep = 14\n"
                                                 "backup-every = \"6h\"\n"
                                                 "expiry-sweep-hours = 6\n"
                                                 "no-verify-on-start = true\n"
                                                 "tls-require-client-cert = true\n");
  Flags flags;
  std::string error;
  EXPECT_EQ(Parse({"--config", config, "--listen", "127.0.0.1:1"}, &flags, &error), std::nullopt)
      << error;
  EXPECT_EQ(flags.data_dir, "/var/lib/timeledger");
  EXPECT_EQ(flags.listen, "127.0.0.1:1");  // the command line wins
  EXPECT_EQ(flags.backups_keep, 14u);
  EXPECT_EQ(flags.backup_every, absl::Hours(6));
  EXPECT_EQ(flags.expiry_sweep_hours, 6);
  EXPECT_FALSE(flags.verify_on_start);
  EXPECT_TRUE(flags.tls_require_client_cert);
}

TEST(DaemonFlagsTest, AConfigFileIsCheckedAsTheCommandLineIs) {
  const std::vector<std::pair<std::string, std::string>> cases = {
      {"listne = \"0.0.0.0:1\"\n", "a setting it does not know: listne"},
      {"backups-keep = 0\n", "--backups-keep: takes a number from 1 to 100000"},
      {"expiry-sweep-hours = \"often\"\n", "--expiry-sweep-hours"},
      {"backup-every = \"10ms\"\n", "--backup-every: takes a duration of at least 1s"},
  };
  for (const auto& [text, named] : cases) {
    const std::string config = testing::ConfigFile("bad.conf", text);
    Flags flags;
    std::string error;
    EXPECT_EQ(Parse({"--config", config}, &flags, &error), kExitUsage) << text;
    EXPECT_EQ(error.rfind("timeledgerd: ", 0), 0u) << error;
    EXPECT_NE(error.find(named), std::string::npos) << error;
  }
  Flags flags;
  std::string error;
  EXPECT_EQ(Parse({"--config", ::testing::TempDir() + "missing.conf"}, &flags, &error), kExitUsage);
  EXPECT_NE(error.find("missing.conf"), std::string::npos) << error;
}

// The example the package installs as /etc/timeledger/timeledgerd.conf parses, and so does every
// setting it shows commented out: the example never teaches a name timeledgerd refuses.
TEST(DaemonFlagsTest, ThePackagedConfigFileAndEveryCommentedSettingParse) {
  const std::string example = testing::FileText(TIMELEDGER_DAEMON_CONFIG_EXAMPLE);
  ASSERT_NE(example.find("data-dir = "), std::string::npos);
  Flags flags;
  std::string error;
  EXPECT_EQ(Parse({"--config", TIMELEDGER_DAEMON_CONFIG_EXAMPLE}, &flags, &error), std::nullopt)
      << error;
  EXPECT_EQ(flags.data_dir, "/var/lib/timeledger");
  EXPECT_EQ(flags.listen, "127.0.0.1:50051");
  EXPECT_EQ(flags.backup_every, absl::Hours(24));

  int settings = 0;
  const std::string uncommented = testing::Uncommented(example, &settings);
  EXPECT_GE(settings, 9);
  Flags every;
  EXPECT_EQ(Parse({"--config", testing::ConfigFile("every.conf", uncommented)}, &every, &error),
            std::nullopt)
      << error;
  EXPECT_EQ(every.backup_dir, "/var/lib/timeledger/backups");
  EXPECT_EQ(every.backups_keep, 10u);
  EXPECT_TRUE(every.verify_on_start);  // "no-verify-on-start = false"
  EXPECT_FALSE(every.demo);
}

TEST(DaemonFlagsTest, AFullVerificationAtStartIsAskedForAndCannotBeSkippedAtOnce) {
  Flags flags;
  std::string error;
  EXPECT_EQ(Parse({"--full-verify-on-start"}, &flags, &error), std::nullopt) << error;
  EXPECT_TRUE(flags.full_verify_on_start);
  EXPECT_TRUE(LedgerOptionsOf(flags).full_verify_on_open);
  EXPECT_TRUE(LedgerOptionsOf(flags).verify_on_open);
  Flags both;
  EXPECT_EQ(Parse({"--full-verify-on-start", "--no-verify-on-start"}, &both, &error), kExitUsage);
  EXPECT_NE(error.find("--no-verify-on-start"), std::string::npos) << error;
  Flags plain;
  EXPECT_EQ(Parse({}, &plain, &error), std::nullopt) << error;
  EXPECT_FALSE(LedgerOptionsOf(plain).full_verify_on_open);
}

TEST(DaemonFlagsTest, TheAccountCacheIsBoundedByAFlag) {
  Flags flags;
  std::string error;
  EXPECT_EQ(Parse({}, &flags, &error), std::nullopt) << error;
  EXPECT_EQ(LedgerOptionsOf(flags).account_cache_max, ledger::LedgerOptions().account_cache_max);
  EXPECT_EQ(Parse({"--account-cache", "1000"}, &flags, &error), std::nullopt) << error;
  EXPECT_EQ(LedgerOptionsOf(flags).account_cache_max, 1000u);
  for (const char* bad : {"0", "-5", "lots", "100000001"}) {
    Flags refused;
    EXPECT_EQ(Parse({"--account-cache", bad}, &refused, &error), kExitUsage) << bad;
    EXPECT_NE(error.find("--account-cache"), std::string::npos) << error;
  }
}

TEST(DaemonFlagsTest, OneOfflineRunAtATime) {
  const std::vector<std::vector<std::string>> pairs = {{"--migrate", "--verify-only"},
                                                       {"--restore-from", "b", "--migrate"},
                                                       {"--restore-from", "b", "--verify-only"}};
  for (const auto& words : pairs) {
    Flags flags;
    std::string error;
    EXPECT_EQ(Parse(words, &flags, &error), kExitUsage) << words[0];
    EXPECT_NE(error.find("excludes"), std::string::npos) << error;
  }
  Flags alone;
  std::string error;
  EXPECT_EQ(Parse({"--migrate"}, &alone, &error), std::nullopt) << error;
  EXPECT_TRUE(alone.migrate);
}

TEST(DaemonFlagsTest, VersionExitsZero) {
  Flags flags;
  std::string error;
  EXPECT_EQ(Parse({"--version"}, &flags, &error), 0);
}

}  // namespace
}  // namespace timeledger::daemon
