// The ledger's directories on disk: owner-only modes of the data directory, backups and restores
// whatever the umask (issue 16, finding 3).
#include "ledger/data_dir.h"

#include <sys/stat.h>
#include <unistd.h>

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>

#include "ledger/verify.h"
#include "tests/ledger/ledger_fixture.h"

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

  timeledger::testing::TempDir restored;
  const fs::path target = fs::path(restored.path()) / "var";
  auto report = RestoreVerified(root().string(), 0, target.string());
  ASSERT_TRUE(report.ok()) << report.status();
  ASSERT_TRUE(report->ok()) << report->status;
  EXPECT_EQ(NotPrivate(target), std::vector<std::string>());
}

}  // namespace
}  // namespace timeledger::ledger
