// The ledger's directories on disk: owner-only modes of the data directory, backups and restores
// whatever the umask, and backups confined to the backup directory (issue 16, findings 3 and 4).
#include "ledger/store/data_dir.h"

#include <unistd.h>

#include <filesystem>
#include <fstream>

#include <gtest/gtest.h>
#include <sys/stat.h>

#include "ledger/verify/verify.h"
#include "tests/support/ledger_fixture.h"

namespace timeledger::ledger {
namespace {

namespace fs = std::filesystem;

mode_t ModeOf(const fs::path& path) {
  struct stat info;
  if (lstat(path.c_str(), &info) != 0) return 0;
  return info.st_mode & 07777;
}

// Every path below `dir` (and `dir` itself) that others may read, write or enter.
std::vector<std::string> NotPrivate(const fs::path& dir) {
  std::vector<std::string> open;
  if (ModeOf(dir) & 077) open.push_back(dir.string());
  for (const auto& entry : fs::recursive_directory_iterator(dir)) {
    if (!entry.is_symlink() && (ModeOf(entry.path()) & 077) != 0) {
      open.push_back(entry.path().string());
    }
  }
  return open;
}

void WriteFile(const fs::path& path, mode_t mode) {
  std::ofstream(path) << "secret\n";
  chmod(path.c_str(), mode);
}

// Sets the process umask for one test, as an operator's shell would have it.
class ScopedUmask {
 public:
  explicit ScopedUmask(mode_t mask) : old_(umask(mask)) {}
  ~ScopedUmask() { umask(old_); }

 private:
  const mode_t old_;
};

std::string RuleOf(const absl::Status& status) {
  const auto figures = FiguresOf(status);
  auto it = figures.find("rule");
  return it == figures.end() ? "" : it->second;
}

TEST(DataDirTest, MakePrivateClearsGroupAndOtherBitsAndFollowsNoLink) {
  timeledger::testing::TempDir dir;
  timeledger::testing::TempDir outside;
  const fs::path root(dir.path());
  chmod(root.c_str(), 0755);
  fs::create_directory(root / "ledger");
  chmod((root / "ledger").c_str(), 0755);
  WriteFile(root / "ledger" / "000001.log", 0644);
  WriteFile(root / "admin.token", 0600);
  WriteFile(fs::path(outside.path()) / "other", 0644);
  fs::create_symlink(fs::path(outside.path()) / "other", root / "link");

  auto changed = MakePrivate(root.string());
  ASSERT_TRUE(changed.ok()) << changed.status();
  EXPECT_EQ(*changed, 3u);
  EXPECT_EQ(ModeOf(root), 0700u);
  EXPECT_EQ(ModeOf(root / "ledger"), 0700u);
  EXPECT_EQ(ModeOf(root / "ledger" / "000001.log"), 0600u);
  EXPECT_EQ(ModeOf(root / "admin.token"), 0600u);
  EXPECT_EQ(ModeOf(fs::path(outside.path()) / "other"), 0644u) << "a link is not followed";
  EXPECT_EQ(*MakePrivate(root.string()), 0u);
}

TEST(DataDirTest, CreatePrivateDirMakesOwnerOnlyDirectoriesUnderUmask022) {
  ScopedUmask umask022(022);
  timeledger::testing::TempDir dir;
  const fs::path made = fs::path(dir.path()) / "srv" / "timeledger";
  ASSERT_TRUE(CreatePrivateDir(made.string()).ok());
  EXPECT_EQ(ModeOf(made), 0700u);
  EXPECT_EQ(ModeOf(made.parent_path()), 0700u);
  chmod(made.c_str(), 0755);
  ASSERT_TRUE(CreatePrivateDir(made.string()).ok());
  EXPECT_EQ(ModeOf(made), 0700u);
}

TEST(DataDirTest, OpeningAWorldReadableDataDirMakesItPrivateAndSaysHowMuch) {
  ScopedUmask umask022(022);
  timeledger::testing::TempDir dir;
  const fs::path root(dir.path());
  chmod(root.c_str(), 0755);
  WriteFile(root / "admin.token", 0644);
  LedgerOptions options;
  options.data_dir = root.string();
  {
    auto ledger = Ledger::Open(options);
    ASSERT_TRUE(ledger.ok()) << ledger.status();
    // The directory and the token, and whatever RocksDB made at open under umask 022.
    EXPECT_GE((*ledger)->paths_made_private(), 2u);
    EXPECT_EQ(NotPrivate(root), std::vector<std::string>());
  }
  auto again = Ledger::Open(options);
  ASSERT_TRUE(again.ok()) << again.status();
  EXPECT_EQ(ModeOf(root), 0700u);
  EXPECT_EQ(ModeOf(root / "admin.token"), 0600u);
}

TEST(DataDirTest, ABackupDirThatIsOrHoldsTheLiveLedgerIsRefusedAtOpen) {
  timeledger::testing::TempDir dir;
  const fs::path data = fs::path(dir.path()) / "var";
  for (const fs::path& backup_dir : {data, data / "ledger" / "b", fs::path(dir.path())}) {
    LedgerOptions options;
    options.data_dir = data.string();
    options.backup_dir = backup_dir.string();
    auto ledger = Ledger::Open(options);
    EXPECT_EQ(ReasonOf(ledger.status()), "INVALID_BACKUP_DIR") << backup_dir;
    EXPECT_TRUE(absl::IsInvalidArgument(ledger.status())) << backup_dir;
  }
  timeledger::testing::TempDir elsewhere;
  LedgerOptions options;
  options.data_dir = data.string();
  options.backup_dir = (fs::path(elsewhere.path()) / "timeledger").string();
  auto ledger = Ledger::Open(options);
  ASSERT_TRUE(ledger.ok()) << ledger.status();
  EXPECT_EQ((*ledger)->DefaultBackupDir(), options.backup_dir);
  auto made = (*ledger)->CreateBackup("");
  ASSERT_TRUE(made.ok()) << made.status();
  EXPECT_EQ(made->dir, options.backup_dir);
  EXPECT_EQ(ModeOf(options.backup_dir), 0700u);
}

class BackupDirTest : public LedgerTest {
 protected:
  fs::path root() const { return ledger_->DefaultBackupDir(); }

  absl::Status Backup(const std::string& dir) { return ledger_->CreateBackup(dir).status(); }
};

TEST_F(BackupDirTest, BackupsAndRestoresAreOwnerOnlyUnderUmask022) {
  ScopedUmask umask022(022);
  ASSERT_TRUE(Record(Spec("e1", "bob", "alice", 60)).ok());
  ASSERT_TRUE(Backup("").ok());
  EXPECT_EQ(ModeOf(root()), 0700u);
  EXPECT_EQ(NotPrivate(root()), std::vector<std::string>());
  ASSERT_TRUE(Backup("weekly/monday").ok());
  EXPECT_EQ(ModeOf(root() / "weekly"), 0700u);
  EXPECT_EQ(NotPrivate(root()), std::vector<std::string>());

  timeledger::testing::TempDir restored;
  const fs::path target = fs::path(restored.path()) / "var";
  auto report = RestoreVerified(root().string(), 0, target.string());
  ASSERT_TRUE(report.ok()) << report.status();
  ASSERT_TRUE(report->ok()) << report->status;
  EXPECT_EQ(NotPrivate(target), std::vector<std::string>());
}

TEST_F(BackupDirTest, ARelativeOrAbsolutePathInsideTheBackupDirIsUsed) {
  ASSERT_TRUE(Backup("nightly").ok());
  auto absolute = ledger_->CreateBackup((root() / "nightly").string());
  ASSERT_TRUE(absolute.ok()) << absolute.status();
  EXPECT_EQ(absolute->dir, (root() / "nightly").string());
  EXPECT_EQ(absolute->info.backup_id, 2u) << "the same directory as 'nightly'";
  auto listed = ledger_->ListBackups("nightly");
  ASSERT_TRUE(listed.ok()) << listed.status();
  EXPECT_EQ(listed->backups.size(), 2u);
  EXPECT_EQ(listed->dir, (root() / "nightly").string());
}

TEST_F(BackupDirTest, DotDotIsRefusedAndNothingIsWritten) {
  for (const char* dir : {"../escape", "weekly/../../escape", "..", "a/.."}) {
    const absl::Status status = Backup(dir);
    EXPECT_TRUE(absl::IsInvalidArgument(status)) << dir << ": " << status;
    EXPECT_EQ(ReasonOf(status), "INVALID_BACKUP_DIR") << dir;
    EXPECT_EQ(RuleOf(status), "dot_dot") << dir;
  }
  EXPECT_FALSE(fs::exists(fs::path(dir_.path()) / "escape"));
  EXPECT_FALSE(fs::exists(root() / "weekly"));
}

TEST_F(BackupDirTest, ASymlinkLeavingTheBackupDirIsRefusedAndNothingIsWritten) {
  timeledger::testing::TempDir outside;
  ASSERT_TRUE(Backup("").ok());  // makes the backup directory
  fs::create_symlink(outside.path(), root() / "link");
  fs::create_directory(root() / "real");
  fs::create_directory_symlink(root() / "real", root() / "inner-link");
  for (const std::string& dir : {std::string("link"), std::string("link/sub"),
                                 (root() / "link").string(), std::string("inner-link")}) {
    const absl::Status status = Backup(dir);
    EXPECT_TRUE(absl::IsInvalidArgument(status)) << dir << ": " << status;
    EXPECT_EQ(RuleOf(status), "symlink") << dir;
  }
  EXPECT_TRUE(fs::is_empty(outside.path()));
}

TEST_F(BackupDirTest, ABackupDirThatIsALinkItselfIsRefused) {
  timeledger::testing::TempDir outside;
  fs::create_directory_symlink(outside.path(), root());  // made before the first backup
  const absl::Status status = Backup("");
  EXPECT_EQ(RuleOf(status), "symlink") << status;
  EXPECT_TRUE(fs::is_empty(outside.path()));
}

TEST_F(BackupDirTest, AnAbsolutePathOutsideTheBackupDirIsRefused) {
  timeledger::testing::TempDir outside;
  for (const std::string& dir :
       {outside.path(), (fs::path(outside.path()) / "new").string(), std::string("/"),
        (fs::path(dir_.path()) / "elsewhere").string()}) {
    const absl::Status status = Backup(dir);
    EXPECT_TRUE(absl::IsInvalidArgument(status)) << dir << ": " << status;
    EXPECT_EQ(ReasonOf(status), "INVALID_BACKUP_DIR") << dir;
    EXPECT_NE(RuleOf(status), "") << dir;
  }
  EXPECT_TRUE(fs::is_empty(outside.path()));
  EXPECT_FALSE(fs::exists(fs::path(dir_.path()) / "elsewhere"));
}

TEST_F(BackupDirTest, TheLiveDataDirAndItsStoreAreRefused) {
  for (const fs::path& dir : {fs::path(dir_.path()), fs::path(dir_.path()) / "ledger",
                              fs::path(dir_.path()) / "ledger" / "backups"}) {
    const absl::Status status = Backup(dir.string());
    EXPECT_TRUE(absl::IsInvalidArgument(status)) << dir << ": " << status;
    EXPECT_EQ(RuleOf(status), "data_dir") << dir;
  }
  EXPECT_FALSE(fs::exists(fs::path(dir_.path()) / "meta"));
  EXPECT_FALSE(fs::exists(fs::path(dir_.path()) / "ledger" / "meta"));
}

TEST_F(BackupDirTest, AFileIsNotABackupDirAndIsInvalidArgument) {
  ASSERT_TRUE(Backup("").ok());
  WriteFile(root() / "notes.txt", 0600);
  for (const char* dir : {"notes.txt", "notes.txt/sub"}) {
    const absl::Status status = Backup(dir);
    EXPECT_TRUE(absl::IsInvalidArgument(status)) << dir << ": " << status;
    EXPECT_EQ(RuleOf(status), "not_a_directory") << dir;
  }
}

TEST_F(BackupDirTest, ALongPathIsRefusedWithABoundedMessage) {
  const std::string long_dir(10'000, 'a');
  const absl::Status status = Backup(long_dir);
  EXPECT_TRUE(absl::IsInvalidArgument(status)) << status.message().substr(0, 200);
  EXPECT_EQ(RuleOf(status), "too_long");
  EXPECT_LT(status.message().size(), 200u);
  EXPECT_EQ(FiguresOf(status).at("length_max"), std::to_string(kBackupDirLengthMax));
  EXPECT_EQ(RuleOf(Backup(std::string(kBackupDirNameLengthMax + 1, 'b'))), "too_long");
  const std::string name(kBackupDirNameLengthMax, 'c');
  EXPECT_TRUE(Backup(name + "/" + name + "/" + name).ok()) << "names of 255 bytes";
  // An input quoted back in a message is cut short.
  const std::string deep = "x/../" + std::string(900, 'y');
  EXPECT_LT(Backup(deep).message().size(), 200u);
}

TEST_F(BackupDirTest, ControlCharactersAreRefused) {
  for (const std::string& dir : {std::string("a\nb"), std::string("a\0b", 3)}) {
    EXPECT_EQ(RuleOf(Backup(dir)), "control_character");
  }
}

TEST_F(BackupDirTest, ListingFollowsTheSameRules) {
  auto none = ledger_->ListBackups("");
  ASSERT_TRUE(none.ok()) << none.status();
  EXPECT_TRUE(none->backups.empty());
  EXPECT_EQ(ReasonOf(ledger_->ListBackups("missing").status()), "BACKUP_NOT_FOUND");
  EXPECT_EQ(RuleOf(ledger_->ListBackups("../ledger").status()), "dot_dot");
  EXPECT_EQ(RuleOf(ledger_->ListBackups(dir_.path()).status()), "data_dir");
  EXPECT_FALSE(fs::exists(root() / "missing"));
}

}  // namespace
}  // namespace timeledger::ledger
