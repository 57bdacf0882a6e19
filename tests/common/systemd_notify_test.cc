// NotifySystemd sends what systemd's $NOTIFY_SOCKET expects, to a path or an abstract name, does
// nothing without $NOTIFY_SOCKET, and names a socket it cannot reach.
#include "common/systemd_notify.h"

#include <stdlib.h>
#include <unistd.h>

#include <cstring>
#include <string>

#include <gtest/gtest.h>
#include <sys/socket.h>
#include <sys/un.h>

namespace timeledger::common {
namespace {

// A datagram socket bound to `name` (a path, or '@' then an abstract name), as systemd makes one.
class FakeSystemd {
 public:
  explicit FakeSystemd(const std::string& name) {
    fd_ = socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0);
    sockaddr_un address{};
    address.sun_family = AF_UNIX;
    std::memcpy(address.sun_path, name.data(), name.size());
    if (name[0] == '@') address.sun_path[0] = '\0';
    bound_ = bind(fd_, reinterpret_cast<const sockaddr*>(&address),
                  static_cast<socklen_t>(offsetof(sockaddr_un, sun_path) + name.size())) == 0;
    setenv("NOTIFY_SOCKET", name.c_str(), 1);
  }
  ~FakeSystemd() {
    close(fd_);
    unsetenv("NOTIFY_SOCKET");
  }
  bool bound() const { return bound_; }

  // The next datagram, or "" if none came within a second.
  std::string Receive() {
    timeval wait{.tv_sec = 1, .tv_usec = 0};
    setsockopt(fd_, SOL_SOCKET, SO_RCVTIMEO, &wait, sizeof(wait));
    char buffer[512];
    const ssize_t got = recv(fd_, buffer, sizeof(buffer), 0);
    return got > 0 ? std::string(buffer, static_cast<size_t>(got)) : "";
  }

 private:
  int fd_ = -1;
  bool bound_ = false;
};

TEST(SystemdNotifyTest, SendsTheStateToTheSocketPath) {
  const std::string path = ::testing::TempDir() + "notify-" + std::to_string(getpid());
  unlink(path.c_str());
  FakeSystemd systemd(path);
  ASSERT_TRUE(systemd.bound());
  ASSERT_TRUE(NotifySystemd("READY=1\nSTATUS=serving on 127.0.0.1:50051").ok());
  EXPECT_EQ(systemd.Receive(), "READY=1\nSTATUS=serving on 127.0.0.1:50051");
  ASSERT_TRUE(NotifySystemd("STOPPING=1").ok());
  EXPECT_EQ(systemd.Receive(), "STOPPING=1");
  unlink(path.c_str());
}

TEST(SystemdNotifyTest, SendsToAnAbstractName) {
  FakeSystemd systemd("@timeledger-notify-test-" + std::to_string(getpid()));
  ASSERT_TRUE(systemd.bound());
  ASSERT_TRUE(NotifySystemd("READY=1").ok());
  EXPECT_EQ(systemd.Receive(), "READY=1");
}

TEST(SystemdNotifyTest, DoesNothingWithoutNotifySocket) {
  unsetenv("NOTIFY_SOCKET");
  EXPECT_TRUE(NotifySystemd("READY=1").ok());
}

TEST(SystemdNotifyTest, NamesASocketItCannotReach) {
  setenv("NOTIFY_SOCKET", "/nonexistent/notify", 1);
  const absl::Status told = NotifySystemd("READY=1");
  EXPECT_FALSE(told.ok());
  EXPECT_NE(told.message().find("/nonexistent/notify"), absl::string_view::npos) << told;
  setenv("NOTIFY_SOCKET", "relative/notify", 1);
  EXPECT_EQ(NotifySystemd("READY=1").code(), absl::StatusCode::kInvalidArgument);
  unsetenv("NOTIFY_SOCKET");
}

}  // namespace
}  // namespace timeledger::common
