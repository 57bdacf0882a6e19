// Tells systemd how a service started with Type=notify stands: "READY=1" once it serves,
// "STOPPING=1" when it begins to stop, "STATUS=..." in words for `systemctl status`. The protocol
// is sd_notify(3)'s: one datagram to the AF_UNIX socket that $NOTIFY_SOCKET names (a leading '@'
// is the abstract namespace). Written here rather than linking libsystemd, which timeledger's
// programs need for nothing else.
//
// Thread-safe: each call opens, sends and closes its own socket.
#ifndef TIMELEDGER_COMMON_SYSTEMD_NOTIFY_H_
#define TIMELEDGER_COMMON_SYSTEMD_NOTIFY_H_

#include "absl/status/status.h"
#include "absl/strings/string_view.h"

namespace timeledger::common {

// Sends `state` (newline-separated KEY=VALUE assignments) to systemd. Without $NOTIFY_SOCKET (a
// program not started by systemd, or by a unit of another Type) it does nothing and returns OK.
// Returns an error naming the socket if the message could not be sent; systemd then goes on
// waiting, and the unit's start times out, which is the failure an operator sees.
absl::Status NotifySystemd(absl::string_view state);

}  // namespace timeledger::common

#endif  // TIMELEDGER_COMMON_SYSTEMD_NOTIFY_H_
