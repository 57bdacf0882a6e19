#!/usr/bin/env python3
"""Runs every ```sh block of README.md, in order and as written, against a fresh server.

Usage: readme_test.py README.md SOURCE_DIR timeledgerd timeledger timeledger-kiosk timeledger-verify

A new user follows the README from a clone, with `./scripts/run.sh` running: a timeledgerd with its
ledger in ./var and the demo bank loaded, the CLI reading ./var/admin.token. This test does the
same in a fresh temporary directory: it starts timeledgerd there (`--data-dir var --demo`) on a
free loopback port (TIMELEDGER_SERVER says which), lays out `build/...` with the binaries under
test where the README says they are, and `clients/` and `docs/` from the source tree, puts timeledger-kiosk
and timeledger-verify on PATH, and runs the blocks in one bash, so the README's own
`alias timeledger=build/clients/cli/timeledger` is what finds the CLI, and files the README
writes (tokens, policies, digests, exports) land in that directory.

Each command must exit 0, except where the README marks it on its last line:
  # refused: REASON                     it must fail, and its error must name (REASON)
  # not run by the README test: WHY     it is not run (it starts a server that runs until stopped)
and a block preceded by `<!-- readme-test: skip: WHY -->` is not run at all. A command that
fails unexpectedly fails the test, naming its README line. Prints one line per command and a
count line; exits 0 only if every command ran as the README says. With README_TEST_SHOW=1 in the
environment it also prints what every command printed (to bring the README's sample output up to
date).
"""

import os
import re
import shlex
import signal
import socket
import subprocess
import sys
import tempfile
import time

START_ATTEMPTS_MAX = 10  # ports tried before giving up
START_WAIT_S = 15  # how long one start of timeledgerd may take
STOP_WAIT_S = 15  # how long SIGTERM may take to stop it
BLOCKS_WAIT_S = 240  # how long all the README's commands together may take
OUTPUT_LINES_MAX = 40  # lines of a command's stdout and of its stderr shown

FENCE_OPEN = re.compile(r"^```sh\s*$")
FENCE_CLOSE = re.compile(r"^```\s*$")
SKIP_BLOCK = re.compile(r"^<!--\s*readme-test:\s*skip\b.*-->\s*$")
REFUSED = re.compile(r"#\s*refused:\s*([A-Z][A-Z_]+)\s*$")
NOT_RUN = re.compile(r"#\s*not run by the README test\b")


class Command:
    """One shell command of the README: its text (continuation lines included), the README
    line it starts on, and what the README says of it."""

    def __init__(self, line, text):
        self.line = line
        self.text = text
        last = text.splitlines()[-1]
        match = REFUSED.search(last)
        self.refused = match.group(1) if match else None
        self.skipped = bool(NOT_RUN.search(last))


def commands_of(readme_lines):
    """Returns (commands, skipped_block_count): the commands of every ```sh block in order."""
    commands = []
    skipped_blocks = 0
    previous = ""
    i = 0
    while i < len(readme_lines):
        if not FENCE_OPEN.match(readme_lines[i]):
            if readme_lines[i].strip():
                previous = readme_lines[i]
            i += 1
            continue
        skip = bool(SKIP_BLOCK.match(previous.strip()))
        skipped_blocks += skip
        i += 1
        pending = None  # [first line number, lines] of a command continued with a backslash
        while i < len(readme_lines) and not FENCE_CLOSE.match(readme_lines[i]):
            line = readme_lines[i]
            number = i + 1
            i += 1
            if skip:
                continue
            if pending is None:
                if not line.strip() or line.lstrip().startswith("#"):
                    continue
                pending = [number, []]
            pending[1].append(line)
            if not line.rstrip().endswith("\\"):
                commands.append(Command(pending[0], "\n".join(pending[1])))
                pending = None
        if pending is not None:
            sys.exit(f"README.md:{pending[0]}: the block ends inside a continued command")
        i += 1
        previous = ""
    return commands, skipped_blocks


def lay_out(work, source_dir, binaries):
    """Makes `build/...`, `clients`, `docs` and a bin directory in WORK; returns that bin
    directory."""
    places = {
        "timeledgerd": "build/services/timeledgerd",
        "timeledger": "build/clients/cli/timeledger",
        "timeledger-kiosk": "build/clients/kiosk/timeledger-kiosk",
        "timeledger-verify": "build/services/timeledger-verify",
    }
    bin_dir = os.path.join(work, ".readme-test-bin")
    os.makedirs(bin_dir)
    for name, place in places.items():
        path = os.path.join(work, place)
        os.makedirs(os.path.dirname(path), exist_ok=True)
        os.symlink(binaries[name], path)
        # Not the CLI: the README's alias must be what finds it.
        if name in ("timeledger-kiosk", "timeledger-verify"):
            os.symlink(binaries[name], os.path.join(bin_dir, name))
    os.symlink(os.path.join(source_dir, "clients"), os.path.join(work, "clients"))
    os.symlink(os.path.join(source_dir, "docs"), os.path.join(work, "docs"))
    return bin_dir


def free_port():
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def start_server(work, server_bin):
    """Starts timeledgerd on WORK/var with the demo bank; returns (process, address, log path)."""
    for attempt in range(1, START_ATTEMPTS_MAX + 1):
        address = f"127.0.0.1:{free_port()}"
        log_path = os.path.join(work, f".readme-test-server-{attempt}.log")
        with open(log_path, "w") as log:
            server = subprocess.Popen(
                [server_bin, "--listen", address, "--data-dir", "var", "--demo"],
                cwd=work, stdout=log, stderr=subprocess.STDOUT)
        deadline = time.monotonic() + START_WAIT_S
        while time.monotonic() < deadline and server.poll() is None:
            with open(log_path) as log:
                if "listening on" in log.read():
                    return server, address, log_path
            time.sleep(0.1)
        # It died (most likely the port was taken meanwhile) or never became ready: try another.
        server.kill()
        server.wait()
        with open(log_path) as log:
            print(f"# timeledgerd did not start on {address}:")
            for line in log:
                print("#   " + line.rstrip())
    print(f"Bail out! could not start timeledgerd after {START_ATTEMPTS_MAX} attempts")
    sys.exit(1)


def stop_server(server):
    server.send_signal(signal.SIGTERM)
    try:
        return server.wait(timeout=STOP_WAIT_S)
    except subprocess.TimeoutExpired:
        server.kill()
        server.wait()
        return None


def script_of(commands, results_dir):
    """One bash script that runs the commands in order, each one's stdout, stderr and exit
    status into RESULTS_DIR/N.out, N.err and N.rc, and N.started before it starts."""
    parts = ["set -o pipefail", "shopt -s expand_aliases"]
    for n, command in enumerate(commands):
        if command.skipped:
            continue
        base = shlex.quote(os.path.join(results_dir, str(n)))
        parts.append(f": >{base}.started")
        # The command on lines of its own, so that a trailing comment ends before the brace.
        parts.append(f"{{\n{command.text}\n}} </dev/null >{base}.out 2>{base}.err")
        parts.append(f"echo $? >{base}.rc")
    return "\n".join(parts) + "\n"


def read(path):
    try:
        with open(path, errors="replace") as f:
            return f.read()
    except FileNotFoundError:
        return None


def judge(command, results_dir, n):
    """Returns (ok, why) for a command that ran."""
    base = os.path.join(results_dir, str(n))
    rc_text = read(base + ".rc")
    if rc_text is None:
        if read(base + ".started") is not None:
            return False, f"did not finish within {BLOCKS_WAIT_S} s of the first command"
        return False, "was not reached"
    rc = int(rc_text)
    err = read(base + ".err") or ""
    if command.refused is None:
        if rc == 0:
            return True, ""
        return False, f"failed with exit status {rc}"
    if rc == 0:
        return False, f"was to be refused with {command.refused}, but succeeded"
    if f"({command.refused})" not in err:
        return False, f"was refused (exit status {rc}), but not with {command.refused}"
    return True, ""


def first_line(text):
    first = text.splitlines()[0]
    return first if "\n" not in text else first.rstrip("\\ ") + " ..."


def main():
    if len(sys.argv) != 7:
        print(__doc__.splitlines()[2], file=sys.stderr)
        return 2
    readme = os.path.realpath(sys.argv[1])
    source_dir = os.path.realpath(sys.argv[2])
    binaries = dict(zip(["timeledgerd", "timeledger", "timeledger-kiosk", "timeledger-verify"],
                        (os.path.realpath(p) for p in sys.argv[3:7])))
    with open(readme) as f:
        readme_lines = f.read().splitlines()
    commands, skipped_blocks = commands_of(readme_lines)

    with tempfile.TemporaryDirectory(prefix="timeledger-readme-") as work:
        bin_dir = lay_out(work, source_dir, binaries)
        results_dir = os.path.join(work, ".readme-test-results")
        os.makedirs(results_dir)
        env = {k: v for k, v in os.environ.items()
               if k not in ("TIMELEDGER_TOKEN", "TIMELEDGER_TOKEN_FILE")}
        env["PATH"] = bin_dir + os.pathsep + env.get("PATH", "/usr/bin:/bin")
        server, address, log_path = start_server(work, binaries["timeledgerd"])
        env["TIMELEDGER_SERVER"] = address
        try:
            script_path = os.path.join(work, ".readme-test.sh")
            with open(script_path, "w") as f:
                f.write(script_of(commands, results_dir))
            shell = subprocess.Popen(["bash", script_path], cwd=work, env=env,
                                     stdin=subprocess.DEVNULL, start_new_session=True)
            try:
                shell.wait(timeout=BLOCKS_WAIT_S)
            except subprocess.TimeoutExpired:
                # The shell and whatever it started, e.g. a server the README should have marked.
                os.killpg(shell.pid, signal.SIGKILL)
                shell.wait()
        finally:
            status = stop_server(server)

        show = os.environ.get("README_TEST_SHOW") == "1"
        passed = failed = skipped = 0
        for n, command in enumerate(commands):
            where = f"README.md:{command.line}"
            if command.skipped:
                skipped += 1
                print(f"skip - {where}: {first_line(command.text)}")
                continue
            ok, why = judge(command, results_dir, n)
            if ok:
                passed += 1
                print(f"ok   - {where}: {first_line(command.text)}")
            else:
                failed += 1
                print(f"FAIL - {where}: {first_line(command.text)}")
                print(f"       it {why}")
            if not ok or show:
                for stream in ("out", "err"):
                    text = read(os.path.join(results_dir, f"{n}.{stream}")) or ""
                    for line in text.splitlines()[:OUTPUT_LINES_MAX]:
                        print(f"       std{stream}| {line}")
        if status != 0:
            failed += 1
            print(f"FAIL - timeledgerd stops cleanly on SIGTERM (exit status {status}); its log:")
            print(read(log_path))
        print(f"readme_test: {passed} passed, {failed} failed, {skipped} commands and "
              f"{skipped_blocks} blocks not run, as the README marks them")
        return 0 if failed == 0 and passed > 0 else 1


if __name__ == "__main__":
    sys.exit(main())
