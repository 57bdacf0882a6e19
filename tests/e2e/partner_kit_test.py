#!/usr/bin/env python3
"""The partner kit (clients/python) against real servers, as docs/API.md's "Partner guide" runs it.

Usage: partner_kit_test.py SOURCE_DIR STUBS_DIR timeledgerd timeledger make_test_certs

1. The guide's ```sh blocks, in order and as written (the machinery of readme_test.py), in a
   fresh directory laid out as a clone after `./scripts/run.sh`: build/... holds the binaries
   and the stubs, clients/ is the source tree's, a timeledgerd serves var/ with the demo bank.
   `python3` is the interpreter running this test (Debian's, with python3-grpcio). Then what the
   examples printed is checked: the receipts, replay, balances, pages, the refusal's code and
   reason, and the feed's positions: the resumed runs together are the full run, each position
   once, and the digest agrees.
2. The feed across a server's restart: a follower waiting for facts, the server stopped (its
   stream ends UNAVAILABLE SHUTTING_DOWN) and started again on the same address and data; the
   follower reconnects by itself and gets the facts recorded since, each once.
3. The kit's verified records are the export's facts (clients/verify_export.py checks the export),
   and a call with an unknown token raises LedgerError with its code, reason and figures.
4. The guide's block marked `<!-- partner-kit-test: mtls -->` against a timeledgerd that asks for
   client certificates (make_test_certs): a token bound to the partner's certificate works with
   it and is refused with another.
Prints one line per check and a count line; exits 0 only if every check passed.
"""

import json
import os
import re
import shutil
import signal
import subprocess
import sys
import tempfile
import time

sys.dont_write_bytecode = True  # nothing written into the source tree
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import readme_test  # noqa: E402  (its command runner and server start)

COMMANDS_WAIT_S = 120  # how long one block's commands together may take
MARKER = re.compile(r"^<!--\s*partner-kit-test:\s*(\w+)\s*-->\s*$")
FACT_LINE = re.compile(r"^position (\d+): ", re.M)


class Checks:
    def __init__(self):
        self.passed = self.failed = 0

    def check(self, ok, description, detail=""):
        if ok:
            self.passed += 1
            print(f"ok   - {description}")
        else:
            self.failed += 1
            print(f"FAIL - {description}")
            for line in str(detail).splitlines()[:40]:
                print(f"       {line}")
        return ok

    def matches(self, text, patterns, description):
        missing = [p for p in patterns if not re.search(p, text, re.M)]
        return self.check(not missing, description,
                          "no line matches: " + " | ".join(missing) + "\n" + text)


def guide_blocks(api_md):
    """The ```sh blocks of the "Partner guide" section: [(marker or "", [readme_test.Command])]."""
    lines = open(api_md, encoding="utf-8").read().splitlines()
    begin = lines.index("## Partner guide")
    blocks, marker = [], ""
    for i in range(begin, len(lines)):
        if MARKER.match(lines[i]):
            marker = MARKER.match(lines[i]).group(1)
        elif readme_test.FENCE_OPEN.match(lines[i]):
            end = next(j for j in range(i + 1, len(lines)) if readme_test.FENCE_CLOSE.match(lines[j]))
            commands, _ = readme_test.commands_of(lines[i:end + 1])
            for command in commands:
                command.line += i
            blocks.append((marker, commands))
            marker = ""
        elif lines[i].strip():
            marker = ""
    return blocks


def lay_out(work, source_dir, stubs_dir, binaries):
    """WORK as a clone after the build: build/... and clients/; a bin dir whose python3 is ours."""
    for name, place in (("timeledgerd", "build/services/timeledgerd"),
                        ("timeledger", "build/clients/cli/timeledger"),
                        ("stubs", "build/clients/python/stubs")):
        path = os.path.join(work, place)
        os.makedirs(os.path.dirname(path), exist_ok=True)
        os.symlink(stubs_dir if name == "stubs" else binaries[name], path)
    os.symlink(os.path.join(source_dir, "clients"), os.path.join(work, "clients"))
    bin_dir = os.path.join(work, ".partner-kit-test-bin")
    os.makedirs(bin_dir)
    os.symlink(sys.executable, os.path.join(bin_dir, "python3"))
    return bin_dir


def run_block(checks, commands, work, env, name):
    """Runs COMMANDS in one bash in WORK; checks each as readme_test does; returns their
    outputs, {command text: (stdout, stderr)}."""
    results = os.path.join(work, f".results-{name}")
    os.makedirs(results)
    script = os.path.join(work, f".{name}.sh")
    with open(script, "w") as f:
        f.write(readme_test.script_of(commands, results))
    shell = subprocess.Popen(["bash", script], cwd=work, env=env, stdin=subprocess.DEVNULL,
                             start_new_session=True)
    try:
        shell.wait(timeout=COMMANDS_WAIT_S)
    except subprocess.TimeoutExpired:
        os.killpg(shell.pid, signal.SIGKILL)
        shell.wait()
    outputs = {}
    for n, command in enumerate(commands):
        ok, why = readme_test.judge(command, results, n)
        out = readme_test.read(os.path.join(results, f"{n}.out")) or ""
        err = readme_test.read(os.path.join(results, f"{n}.err")) or ""
        checks.check(ok, f"API.md:{command.line}: {readme_test.first_line(command.text)}",
                     f"it {why}\nstdout: {out}\nstderr: {err}")
        outputs[command.text] = (out, err)
    return outputs


def output_of(outputs, fragment, stream=0):
    """What the one command of the guide that ends with FRAGMENT (or else holds it) printed."""
    found = ([both for text, both in outputs.items() if text.endswith(fragment)] or
             [both for text, both in outputs.items() if fragment in text])
    if len(found) != 1:
        sys.exit(f"Bail out! {len(found)} commands of the guide hold {fragment!r}")
    return found[0][stream]


def check_tour(checks, outputs):
    first = output_of(outputs, "partner_tour.py --token-file cafe-till.token")
    checks.matches(first, [
        r"^Connected to 127\.0\.0\.1:\d+ as cafe-till, partner of holy-cross, account cafe\.$",
        r"^Recorded till-0001: alice spends 60 minutes at cafe, pending until alice confirms it\.$",
        r"^Sent till-0001 again: replayed=True, nothing recorded twice\.$",
        r"^Sent till-0001 with other minutes: refused, ALREADY_EXISTS ENTRY_ID_REUSED\.$",
        r"^Balance of cafe: 60 minutes; 60 minutes waiting for members to confirm; 1 entry\.$",
        r"^  page 1: seq \d+ SPEND 60 minutes bob -> cafe \(demo-3\), balance after it 60 minutes$",
        r"^1 entry in 1 page\.$",
        r"^A refused call, reading alice's account: code PERMISSION_DENIED, reason "
        r"PARTNER_OWN_ACCOUNT_ONLY, figures \{account_id=cafe, principal=cafe-till\}: ",
    ], "the tour records a pending spend once, replays it, reads 60 minutes, and is refused")
    second = output_of(outputs, "--id till-0002")
    checks.matches(second, [
        r"^Recorded till-0002: dev spends 30 minutes at cafe, pending until dev confirms it\.$",
        r"^Sent till-0002 again: replayed=True",
        r"^Balance of cafe: 120 minutes; 30 minutes waiting for members to confirm; 2 entries\.$",
        r"^  page 1: seq \d+ SPEND 60 minutes bob -> cafe \(demo-3\)",
        r"^  page 2: seq \d+ SPEND 60 minutes alice -> cafe \(till-0001\), balance after it "
        r"120 minutes$",
        r"^2 entries in 2 pages\.$",
    ], "after alice confirmed, the tour reads 120 minutes and pages 2 entries one a page")


def positions(text):
    return [int(p) for p in FACT_LINE.findall(text)]


def check_feed(checks, outputs, tree_size):
    stopped = output_of(outputs, "--position-file cafe.position --stop-after 3")
    resumed = output_of(outputs, "--position-file cafe.position --until-caught-up")
    full = output_of(outputs, "--position-file all.position --until-caught-up")
    a, b, c = positions(stopped), positions(resumed), positions(full)
    checks.check(len(a) == 3 and re.search(rf"^Chain verified: 3 facts, positions {a[0]} to "
                                          rf"{a[2]}; next position {a[2] + 1}, ", stopped, re.M),
                 "the feed stops after 3 facts, verified, and keeps the position after them",
                 stopped)
    checks.check(b and b[0] > a[-1] and a + b == c and len(set(c)) == len(c) and c == sorted(c),
                 "resumed, the feed gives the rest: each position once, the two runs the full "
                 f"run ({a} + {b} == {c})", resumed + full)
    checks.matches(resumed, [
        r"^Following holy-cross for cafe from position %d\.$" % (a[-1] + 1),
        r"^position \d+: PENDING_CREATED 30 minutes dev -> cafe \(till-0002\), waiting for dev$",
        r"^position \d+: ENTRY seq \d+, 30 minutes dev -> cafe \(till-0002\)$",
        r"^position \d+: PENDING_RESOLVED till-0002 CONFIRMED$",
        rf"^The bank's digest agrees: {tree_size} facts, journal hash [0-9a-f]{{16}}\.$",
    ], "the resumed feed shows dev's spend pending and confirmed, and agrees with the digest")
    checks.matches(full, [rf"^Chain verified: {len(c)} facts, positions {c[0]} to {c[-1]}; "
                          rf"next position {tree_size}, kept in all\.position\.$"],
                   "from the beginning the feed verifies every fact up to the digest's size")


def cli(work, env, *args):
    return subprocess.run(["build/clients/cli/timeledger", *args], cwd=work, env=env,
                          capture_output=True, text=True, timeout=60)


def start_at(work, server_bin, address, extra=()):
    """Starts timeledgerd on WORK/var at ADDRESS (a restart); returns it once it listens."""
    log_path = os.path.join(work, f".server-{time.monotonic_ns()}.log")
    with open(log_path, "w") as log:
        server = subprocess.Popen([server_bin, "--listen", address, "--data-dir", "var", *extra],
                                  cwd=work, stdout=log, stderr=subprocess.STDOUT)
    deadline = time.monotonic() + readme_test.START_WAIT_S
    while time.monotonic() < deadline and server.poll() is None:
        if "listening on" in open(log_path).read():
            return server
        time.sleep(0.1)
    server.kill()
    sys.exit(f"Bail out! timeledgerd did not start again on {address}: {open(log_path).read()}")


def check_restart(checks, work, env, server, address, binaries):
    """A follower waiting at the end of the feed while the server restarts."""
    out_path = os.path.join(work, ".follower.out")
    with open(out_path, "w") as out_file:
        follower = subprocess.Popen(
            ["python3", "clients/python/examples/follow_feed.py", "--token-file",
             "cafe-till.token", "--position-file", "cafe.position", "--stop-after", "2"],
            cwd=work, env=env, stdout=out_file, stderr=subprocess.STDOUT, text=True)
    deadline = time.monotonic() + 30
    while "Following" not in open(out_path).read() and time.monotonic() < deadline:
        time.sleep(0.1)
    time.sleep(1)  # it has connected, been told where the feed stands, and waits for facts
    checks.check(readme_test.stop_server(server) == 0, "timeledgerd stops cleanly under a watcher")
    server = start_at(work, binaries["timeledgerd"], address)
    for n in (1, 2):
        cli(work, env, "entry", "record", "holy-cross", "--kind", "spend", "--from", "alice",
            "--to", "cafe", "--minutes", "15m", "--activity", "tea", "--id", f"tea-{n}")
    try:
        follower.wait(timeout=60)
    except subprocess.TimeoutExpired:
        follower.kill()
        follower.wait()
    out = open(out_path).read()
    checks.matches(out, [
        r"^Reconnecting in 0\.5 s from position \d+: UNAVAILABLE SHUTTING_DOWN: ",
        r"^position \d+: ENTRY seq \d+, 15 minutes alice -> cafe \(tea-1\)$",
        r"^position \d+: ENTRY seq \d+, 15 minutes alice -> cafe \(tea-2\)$",
        r"^Chain verified: 2 facts, ",
    ], "across a restart of the server the follower reconnects and gets both new facts, once")
    checks.check(follower.returncode == 0 and len(positions(out)) == 2,
                 "the follower exits 0 after exactly the 2 facts", out)
    return server


def check_revoked(checks, work, env):
    """A follower whose token is revoked is told why and does not reconnect."""
    token_id = open(os.path.join(work, "cafe-till.token")).read().split("_")[1]
    follower = subprocess.Popen(
        ["python3", "clients/python/examples/follow_feed.py", "--token-file", "cafe-till.token",
         "--position-file", "cafe.position"],
        cwd=work, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    time.sleep(2)
    revoked = cli(work, env, "token", "revoke", token_id)
    try:
        out, _ = follower.communicate(timeout=30)
    except subprocess.TimeoutExpired:
        follower.kill()
        out, _ = follower.communicate()
    checks.check(revoked.returncode == 0 and follower.returncode == 1 and
                 "Reconnecting" not in out and
                 re.search(r"^error: .*\(TOKEN_REVOKED\)\n  gRPC code PERMISSION_DENIED", out, re.M),
                 "a revoked token's feed ends with PERMISSION_DENIED TOKEN_REVOKED, no reconnect",
                 revoked.stdout + revoked.stderr + out)


def check_tampering(checks, ledger):
    """The kit's checks refuse a changed fact, a position sent twice and a broken chain."""
    from timeledger_partner import ChainError, Cursor, check_message
    batch = next(ledger.follow(Cursor()))
    records = [type(r).FromString(r.SerializeToString()) for r in batch.records[:3]]
    priors = [bytes(32)] + [bytes(r.chain_hash) for r in records[:2]]

    def refused(cursor, records, why):
        try:
            check_message(cursor, records, priors[:len(records)], records[-1].position + 1,
                          records[-1].chain_hash, ledger.bank_id)
            checks.check(False, f"the kit refuses {why}")
        except ChainError as error:
            checks.check(True, f"the kit refuses {why} ({error})")

    check_message(Cursor(), records, priors, records[-1].position + 1, records[-1].chain_hash,
                  ledger.bank_id)
    changed = [type(r).FromString(r.SerializeToString()) for r in records]
    changed[1].fact = changed[1].fact[:-1] + bytes([changed[1].fact[-1] ^ 1])
    refused(Cursor(), changed, "a fact changed by one bit")
    refused(Cursor(records[1].position + 1, bytes(records[1].chain_hash)), records,
            "positions it already processed")
    refused(Cursor(0, bytes([1]) * 32), records, "a chain that does not continue its own")


def check_kit(checks, work, env, address, source_dir):
    """The kit's own records against the export, and a refusal's fields."""
    sys.path.insert(0, os.path.join(source_dir, "clients", "python"))
    os.environ["TIMELEDGER_PYTHON_STUBS"] = os.path.join(work, "build/clients/python/stubs")
    import grpc
    from timeledger_partner import Cursor, LedgerError, PartnerClient
    export = cli(work, env, "export", "journal", "holy-cross")
    with open(os.path.join(work, "holy-cross.jsonl"), "w") as f:
        f.write(export.stdout)
    verified = subprocess.run([sys.executable, "clients/verify_export.py", "holy-cross.jsonl"],
                              cwd=work, capture_output=True, text=True)
    checks.check(verified.returncode == 0, "verify_export.py accepts the bank's export",
                 verified.stdout + verified.stderr)
    chain = {line["position"]: line["chain_hash"]
             for line in map(json.loads, export.stdout.splitlines()[1:])}
    for token, what in (("var/admin.token", "every fact (the admin's feed)"),
                        ("cafe-till.token", "the partner's facts")):
        with PartnerClient.connect(address, token_file=os.path.join(work, token),
                                   bank_id="holy-cross") as ledger:
            got = {}
            for batch in ledger.follow(Cursor()):
                got.update((r.position, bytes(r.chain_hash).hex()) for r in batch.records)
                if batch.caught_up:
                    break
            if what.startswith("every"):
                check_tampering(checks, ledger)
        checks.check(got and all(chain[p] == h for p, h in got.items()) and
                     (what.startswith("the partner") or sorted(got) == sorted(chain)),
                     f"the kit verifies {what}, hash for hash the export's ({len(got)} facts)")
    try:
        PartnerClient.connect(address, token="tl_0000000000000000_nope")
        checks.check(False, "an unknown token is refused")
    except LedgerError as error:
        checks.check(error.code == grpc.StatusCode.UNAUTHENTICATED and
                     error.reason == "UNAUTHENTICATED" and "expected" in error.metadata and
                     error.domain == "timeledger.v1",
                     "an unknown token raises LedgerError UNAUTHENTICATED with its figures",
                     f"{error!r} {error.code} {error.reason} {error.metadata}")


def check_mtls(checks, blocks, source_dir, stubs_dir, binaries, certs_bin):
    with tempfile.TemporaryDirectory(prefix="timeledger-partner-mtls-") as work:
        env = environment(work, source_dir, stubs_dir, binaries)
        subprocess.run([certs_bin, work], check=True)
        for ours, theirs in (("client", "cafe-till"), ("second-client", "other-till")):
            shutil.copy(os.path.join(work, f"{ours}.pem"), os.path.join(work, f"{theirs}.pem"))
            shutil.copy(os.path.join(work, f"{ours}.key"), os.path.join(work, f"{theirs}.key"))
        address = f"127.0.0.1:{readme_test.free_port()}"
        server = start_at(work, binaries["timeledgerd"], address,
                          ("--demo", "--tls-cert", "server.pem", "--tls-key", "server.key",
                           "--tls-client-ca", "ca.pem"))
        env.update(TIMELEDGER_SERVER=address, TIMELEDGER_TLS_CA="ca.pem")
        try:
            outputs = run_block(checks, blocks, work, env, "mtls")
        finally:
            readme_test.stop_server(server)
        bound = output_of(outputs, "--tls-cert cafe-till.pem")
        refused = output_of(outputs, "--tls-cert other-till.pem", stream=1)
        checks.matches(bound, [r"^Connected to .* as cafe-till, partner of holy-cross, account "
                               r"cafe\.$", r"^Balance of cafe: "],
                       "over mTLS the kit works with the certificate its token is bound to")
        checks.matches(refused, [r"^error: .*\(CERTIFICATE_MISMATCH\)$",
                                 r"^  gRPC code PERMISSION_DENIED, figures \{.*presented_subject="
                                 r"CN=partner-b"],
                       "with another certificate it is refused: code, reason and figures")


def environment(work, source_dir, stubs_dir, binaries):
    bin_dir = lay_out(work, source_dir, stubs_dir, binaries)
    env = {k: v for k, v in os.environ.items()
           if not k.startswith("TIMELEDGER_") and k != "PYTHONPATH"}
    env["PATH"] = bin_dir + os.pathsep + env.get("PATH", "/usr/bin:/bin")
    env["PYTHONDONTWRITEBYTECODE"] = "1"  # clients/ is the source tree's
    return env


def main():
    if len(sys.argv) != 6:
        print(__doc__.splitlines()[2], file=sys.stderr)
        return 2
    try:
        import grpc  # noqa: F401
        import google.protobuf  # noqa: F401
    except ImportError as error:
        print(f"Bail out! {sys.executable} lacks {error.name}: scripts/setup.sh installs "
              "python3-grpcio and python3-protobuf")
        return 1
    source_dir, stubs_dir = (os.path.realpath(p) for p in sys.argv[1:3])
    binaries = {"timeledgerd": os.path.realpath(sys.argv[3]),
                "timeledger": os.path.realpath(sys.argv[4])}
    blocks = guide_blocks(os.path.join(source_dir, "docs", "API.md"))
    plain = [c for marker, commands in blocks if not marker for c in commands]
    # The guide's alias of the CLI comes first, as the reader has it from the first block.
    mtls = ([c for c in plain if c.text.startswith("alias timeledger=")] +
            [c for marker, commands in blocks if marker == "mtls" for c in commands])
    checks = Checks()
    with tempfile.TemporaryDirectory(prefix="timeledger-partner-kit-") as work:
        env = environment(work, source_dir, stubs_dir, binaries)
        server, address, _ = readme_test.start_server(work, binaries["timeledgerd"])
        env["TIMELEDGER_SERVER"] = address
        try:
            outputs = run_block(checks, plain, work, env, "guide")
            check_tour(checks, outputs)
            digest = cli(work, env, "audit", "digest", "holy-cross")
            tree_size = int(re.search(r"holy-cross: (\d+) facts", digest.stdout).group(1))
            check_feed(checks, outputs, tree_size)
            server = check_restart(checks, work, env, server, address, binaries)
            check_kit(checks, work, env, address, source_dir)
            check_revoked(checks, work, env)
        finally:
            status = readme_test.stop_server(server)
        checks.check(status == 0, "timeledgerd stops cleanly on SIGTERM")
    check_mtls(checks, mtls, source_dir, stubs_dir, binaries, os.path.realpath(sys.argv[5]))
    print(f"partner_kit_test: {checks.passed} passed, {checks.failed} failed")
    return 0 if checks.failed == 0 and checks.passed > 0 else 1


if __name__ == "__main__":
    sys.exit(main())
