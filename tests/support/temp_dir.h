// TempDir: a fresh directory under $TMPDIR (or /tmp) for one test, removed with everything in it
// when the object is destroyed. Not thread-safe; one per test.
#ifndef TIMELEDGER_TESTS_SUPPORT_TEMP_DIR_H_
#define TIMELEDGER_TESTS_SUPPORT_TEMP_DIR_H_

#include <cstdlib>
#include <filesystem>
#include <string>

namespace timeledger::testing {

class TempDir {
 public:
  TempDir() {
    const char* base = std::getenv("TMPDIR");
    std::string pattern = std::string(base ? base : "/tmp") + "/timeledger-test-XXXXXX";
    path_ = mkdtemp(pattern.data());
  }
  ~TempDir() {
    std::error_code ignored;
    std::filesystem::remove_all(path_, ignored);
  }
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;

  const std::string& path() const { return path_; }

 private:
  std::string path_;
};

}  // namespace timeledger::testing

#endif  // TIMELEDGER_TESTS_SUPPORT_TEMP_DIR_H_
