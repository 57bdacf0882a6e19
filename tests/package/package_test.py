#!/usr/bin/env python3
"""The Debian package, built and checked as an operator would meet it.

Builds timeledger_VERSION_amd64.deb with cpack from the build tree, then checks:
  - its control data: name, version, architecture, dependencies on Debian 12's runtime libraries
    (never a -dev package), conffiles, maintainer scripts;
  - its contents: programs, manual pages, units, sysusers entry, settings, documents;
  - the units with `systemd-analyze verify`;
  - the installed programs, unpacked into a root of their own, run from their units' ExecStart
    lines exactly (paths moved into that root, plus --data-dir and --listen for a test's port):
    timeledgerd reads /etc/timeledger/timeledgerd.conf, tells systemd READY=1 (Type=notify) once
    it serves, answers the packaged CLI, and on SIGTERM says STOPPING=1 and exits 0; the kiosk
    likewise, with its token handed over as systemd's credential.
The installation into a bare Debian 12 root with apt is scripts/package-check.sh (run by hand:
it needs root and a debootstrap).

Usage: package_test.py BUILD_DIR CPACK
"""
import os
import re
import shlex
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request

PASSED = 0
FAILED = 0


def check(condition, what, detail=""):
    global PASSED, FAILED
    if condition:
        PASSED += 1
        print(f"ok   - {what}")
    else:
        FAILED += 1
        print(f"FAIL - {what}")
        for line in str(detail).splitlines():
            print(f"       {line}")


def run(args, **kwargs):
    return subprocess.run(args, capture_output=True, text=True, **kwargs)


def build_package(build_dir, cpack, out_dir):
    result = run([cpack, "--config", os.path.join(build_dir, "CPackConfig.cmake"), "-B", out_dir])
    debs = [f for f in os.listdir(out_dir) if f.endswith(".deb")]
    check(result.returncode == 0 and len(debs) == 1, "cpack makes one .deb",
          result.stdout + result.stderr)
    if len(debs) != 1:
        sys.exit(1)
    return os.path.join(out_dir, debs[0])


def check_control(deb):
    check(re.fullmatch(r"timeledger_\d+\.\d+\.\d+_amd64\.deb", os.path.basename(deb)),
          "it is named timeledger_VERSION_amd64.deb", os.path.basename(deb))
    fields = {}
    for name in ("Package", "Version", "Architecture", "Depends", "Section"):
        fields[name] = run(["dpkg-deb", "-f", deb, name]).stdout.strip()
    check(fields["Package"] == "timeledger", "Package: timeledger", fields)
    check(fields["Architecture"] == "amd64", "Architecture: amd64", fields)
    depends = [d.strip().split(" ")[0] for d in fields["Depends"].split(",")]
    # RocksDB is linked statically (Debian ships librocksdb.a), its compressors are not.
    for library in ("libgrpc++1.51", "libprotobuf32", "libssl3", "libsodium23", "libicu72",
                    "libsnappy1v5", "libzstd1", "tzdata", "passwd"):
        check(library in depends, f"it depends on {library}", fields["Depends"])
    check(not any(d.endswith("-dev") for d in depends), "it depends on no -dev package",
          fields["Depends"])
    recommends = run(["dpkg-deb", "-f", deb, "Recommends"]).stdout.strip()
    check("fonts-noto-core" in recommends,
          "it recommends the fonts of the kiosk's Bengali and Arabic", recommends)
    conffiles = run(["dpkg-deb", "-I", deb, "conffiles"]).stdout.split()
    check(conffiles == ["/etc/timeledger/timeledgerd.conf", "/etc/timeledger/timeledger-kiosk.conf"],
          "the settings are conffiles (an upgrade keeps the operator's edits)", conffiles)
    info = run(["dpkg-deb", "-I", deb]).stdout
    for script in ("postinst", "prerm", "postrm"):
        check(re.search(rf"\b{script}\b.*#!/bin/sh", info) is not None,
              f"it has a {script} script", info)


EXPECTED_FILES = [
    "./usr/bin/timeledgerd", "./usr/bin/timeledger-kiosk", "./usr/bin/timeledger",
    "./usr/bin/timeledger-verify",
    "./usr/share/man/man8/timeledgerd.8.gz", "./usr/share/man/man8/timeledger-kiosk.8.gz",
    "./usr/share/man/man1/timeledger.1.gz", "./usr/share/man/man1/timeledger-verify.1.gz",
    "./usr/lib/systemd/system/timeledgerd.service",
    "./usr/lib/systemd/system/timeledger-kiosk.service",
    "./usr/lib/sysusers.d/timeledger.conf",
    "./etc/timeledger/timeledgerd.conf", "./etc/timeledger/timeledger-kiosk.conf",
    "./usr/share/doc/timeledger/OPERATIONS.md", "./usr/share/doc/timeledger/README.md",
]


def check_contents(deb):
    listing = run(["dpkg-deb", "-c", deb]).stdout
    paths = {line.split()[-1] for line in listing.splitlines() if line}
    for path in EXPECTED_FILES:
        check(path in paths, f"it installs {path[1:]}", "")
    check(not any("/include/" in p or p.endswith(".a") or "test" in os.path.basename(p)
                  for p in paths), "it holds no headers, static libraries or tests",
          "\n".join(sorted(paths)))
    man = run(["sh", "-c", f"dpkg-deb --fsys-tarfile {shlex.quote(deb)} | "
               "tar -xOf - ./usr/share/man/man8/timeledgerd.8.gz | gzip -dc"]).stdout
    check("\\-\\-data\\-dir" in man or "--data-dir" in man,
          "man timeledgerd is its --help (it names --data-dir)", man[:400])


def verify_units(root):
    """systemd-analyze verify on the unpacked units, with the programs the package installed.

    The root has only the package's files: the host's own systemd units (sysinit.target, ...) are
    copied in so that the dependencies resolve there. The manual pages named by Documentation= are
    checked in the package's contents instead (--man=no: `man` would look on the host).
    """
    units_dir = os.path.join(root, "usr/lib/systemd/system")
    host_units = "/usr/lib/systemd/system"
    for name in os.listdir(host_units):
        source, target = os.path.join(host_units, name), os.path.join(units_dir, name)
        if os.path.lexists(target) or not os.path.isfile(source) or os.path.islink(source):
            continue
        shutil.copyfile(source, target)
    units = [os.path.join(units_dir, u) for u in ("timeledgerd.service", "timeledger-kiosk.service")]
    result = run(["systemd-analyze", "verify", "--man=no", f"--root={root}", *units])
    # Only what it says of our units counts: the host's copied units are not ours to judge.
    ours = [l for l in (result.stdout + result.stderr).splitlines() if "timeledger" in l]
    check(result.returncode == 0 and not ours, "systemd-analyze verify passes both units",
          result.stdout + result.stderr)


def exec_start(root, unit):
    """The unit's ExecStart, as a list, with its absolute paths moved into root."""
    text = open(os.path.join(root, "usr/lib/systemd/system", unit)).read()
    line = re.search(r"^ExecStart=(.*)$", text, re.M).group(1)
    args = shlex.split(line)
    return [os.path.join(root, a[1:]) if a.startswith(("/usr/", "/etc/")) else a for a in args]


class Notifications:
    """A socket standing in for systemd's $NOTIFY_SOCKET."""

    def __init__(self, directory):
        self.path = os.path.join(directory, "notify")
        self.sock = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
        self.sock.bind(self.path)

    def wait_for(self, assignment, seconds):
        deadline = time.time() + seconds
        seen = []
        while time.time() < deadline:
            self.sock.settimeout(max(0.1, deadline - time.time()))
            try:
                message = self.sock.recv(4096).decode()
            except socket.timeout:
                break
            seen.append(message)
            if assignment in message.split("\n"):
                return True, seen
        return False, seen


def start(args, notify, log):
    env = dict(os.environ, NOTIFY_SOCKET=notify.path)
    env.pop("TIMELEDGER_TOKEN_FILE", None)
    return subprocess.Popen(args, stdout=log, stderr=subprocess.STDOUT, env=env,
                            start_new_session=True)


def port_of(log_path, pattern):
    text = open(log_path).read()
    match = re.search(pattern, text)
    return match.group(1) if match else None


def stop(process, notify, what):
    process.send_signal(signal.SIGTERM)
    told, seen = notify.wait_for("STOPPING=1", 30)
    check(told, f"{what} tells systemd STOPPING=1 on SIGTERM", seen)
    try:
        status = process.wait(timeout=60)
    except subprocess.TimeoutExpired:
        process.kill()
        status = "still running after 60 s"
    check(status == 0, f"{what} exits 0 after SIGTERM", status)


def run_server(root, work):
    notify = Notifications(work)
    args = exec_start(root, "timeledgerd.service")
    check(args[1:3] == ["--config", os.path.join(root, "etc/timeledger/timeledgerd.conf")],
          "timeledgerd's unit reads /etc/timeledger/timeledgerd.conf", args)
    data_dir = os.path.join(work, "ledger")
    log_path = os.path.join(work, "timeledgerd.log")
    with open(log_path, "w") as log:
        server = start(args + ["--data-dir", data_dir, "--listen", "127.0.0.1:0"], notify, log)
    ready, seen = notify.wait_for("READY=1", 120)
    check(ready, "timeledgerd, run as its unit says, tells systemd READY=1",
          f"{seen}\n{open(log_path).read()}")
    port = port_of(log_path, r"\(port (\d+)\)")
    if not ready or port is None:
        server.kill()
        return
    cli = [os.path.join(root, "usr/bin/timeledger"), "--server", f"127.0.0.1:{port}",
           "--token-file", os.path.join(data_dir, "admin.token")]
    made = run(cli + ["bank", "create", "hall", "--name", "Riverside Hall"])
    listed = run(cli + ["bank", "list"])
    check(made.returncode == 0 and "hall" in listed.stdout,
          "the packaged CLI makes and lists a bank on it", made.stderr + listed.stdout + listed.stderr)
    token_file = os.path.join(work, "credentials", "kiosk.token")
    os.makedirs(os.path.dirname(token_file))
    token = run(cli + ["token", "create", "--role", "kiosk", "--bank", "hall", "--name",
                       "hall-kiosk", "--out", token_file])
    check(token.returncode == 0, "a kiosk token is made for the kiosk's unit", token.stderr)
    if token.returncode == 0:
        run_kiosk(root, work, port, os.path.dirname(token_file))
    stop(server, notify, "timeledgerd")


def run_kiosk(root, work, server_port, credentials):
    notify = Notifications(os.path.join(work, "credentials"))
    args = [a.replace("%d", credentials) for a in exec_start(root, "timeledger-kiosk.service")]
    log_path = os.path.join(work, "kiosk.log")
    with open(log_path, "w") as log:
        kiosk = start(args + ["--server", f"127.0.0.1:{server_port}", "--bank", "hall",
                              "--listen", "127.0.0.1:0"], notify, log)
    ready, seen = notify.wait_for("READY=1", 60)
    check(ready, "timeledger-kiosk, run as its unit says, tells systemd READY=1",
          f"{seen}\n{open(log_path).read()}")
    port = port_of(log_path, r"http://127\.0\.0\.1:(\d+)/")
    if ready and port:
        with urllib.request.urlopen(f"http://127.0.0.1:{port}/", timeout=10) as page:
            body = page.read().decode()
        check(page.status == 200 and "<html" in body.lower(), "the kiosk serves its page",
              body[:200])
    stop(kiosk, notify, "timeledger-kiosk")


def main():
    build_dir, cpack = sys.argv[1], sys.argv[2]
    with tempfile.TemporaryDirectory(prefix="timeledger-package.") as work:
        deb = build_package(build_dir, cpack, os.path.join(work, "out"))
        check_control(deb)
        check_contents(deb)
        root = os.path.join(work, "root")
        unpacked = run(["dpkg-deb", "-x", deb, root])
        check(unpacked.returncode == 0, "the package unpacks", unpacked.stderr)
        verify_units(root)
        run_server(root, work)
    print(f"package_test: {PASSED} passed, {FAILED} failed")
    return 1 if FAILED else 0


if __name__ == "__main__":
    sys.exit(main())
