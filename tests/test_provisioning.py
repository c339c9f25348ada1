"""Provisioning a token end to end: the real `totpfob` CLI over the virtual token's pseudo-terminal.

What a user relies on: accounts go in from a URI, a typed key or a QR screenshot, and the code the CLI prints is
the one the token shows and the one any authenticator computes; bad input is refused in one line and leaves the
token as it was; line noise, a dead or hung token never end in a traceback; and no key ever comes back out.
"""

import base64
import hashlib
import json
import os
import random
import re
import signal
import subprocess
import time
from pathlib import Path
from urllib.parse import quote

import frames
import pytest
import qrgen
import reference
import serial
import wire
from virtual_token import TOTPFOB, VirtualToken

# Every key this file hands to the CLI; the leak scan at the end looks for each of them everywhere.
UGY_KEY = bytes.fromhex("72bb98090958c6096b4e")  # 80 bits, like Ügyfélkapu+
GITHUB_KEY = bytes.fromhex("5e1f0c2a9b77d3e4816fa0c93b2d44e1c7a8f9b6")
BANK_KEY = bytes.fromhex("a3" "17" "c4") + hashlib.sha512(b"bank").digest()[:61]  # 64 bytes for SHA-512
OLD_KEY = bytes.fromhex("c0ffee00badc0de11234")
NEW_KEY = bytes.fromhex("0badf00d5eed1e55b0a7")
SHARED_KEY = bytes.fromhex("d15ea5e0b16b00b5cafe")
STOCK_KEY = bytes.fromhex("6a09e667bb67ae853c6e")
BAD_KEY = bytes.fromhex("510e527f9b05688c1f83")  # valid key inside otherwise bad input
SECRETS = [UGY_KEY, GITHUB_KEY, BANK_KEY, OLD_KEY, NEW_KEY, SHARED_KEY, STOCK_KEY, BAD_KEY]


def b32(key: bytes) -> str:
    return base64.b32encode(key).decode().rstrip("=")


def typed(key: bytes) -> str:
    """A key as people type it from a web page: lower case, in groups of four."""
    text = b32(key).lower()
    return " ".join(text[i:i + 4] for i in range(0, len(text), 4))


UGY = "Ügyfélkapu+"
UGY_URI = "otpauth://totp/%s:demo.user@ugyfelkapu.gov.hu?secret=%s&issuer=%s" % (quote(UGY), b32(UGY_KEY), quote(UGY))
BANK_URI = "otpauth://totp/Bank:savings?secret=%s&issuer=Bank&algorithm=SHA512&digits=7&period=45" % b32(BANK_KEY)


pyotp_code = reference.code


class Session:
    """Runs the CLI and keeps everything that came back: outputs, the trace of replies, the tokens' serial logs."""

    def __init__(self, workdir: Path):
        self.dir = workdir
        self.trace = workdir / "replies.trace"
        self.outputs = []
        self.tokens = []

    def run(self, ports, *args, wait=True):
        cmd = [TOTPFOB, *[x for port in ports for x in ("--port", str(port))], *args]
        env = dict(os.environ, TZ="UTC", TOTPFOB_TRACE=str(self.trace))
        if not wait:
            return subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=env)
        proc = subprocess.run(cmd, capture_output=True, text=True, timeout=60, env=env)
        self.outputs.append(proc.stdout + proc.stderr)
        return proc

    def finish(self, proc: subprocess.Popen, timeout=30) -> subprocess.CompletedProcess:
        out, err = proc.communicate(timeout=timeout)
        self.outputs.append(out + err)
        return subprocess.CompletedProcess(proc.args, proc.returncode, out, err)

    def token(self, workdir: Path, *flags: str) -> VirtualToken:
        token = VirtualToken(workdir, *flags).start().answer_questions()  # a person allows what the token asks
        self.tokens.append(token)
        return token


@pytest.fixture(scope="module")
def session(tmp_path_factory):
    return Session(tmp_path_factory.mktemp("session"))


@pytest.fixture(scope="module")
def token(session, tmp_path_factory):
    token = session.token(tmp_path_factory.mktemp("token"))
    yield token
    token.stop()


@pytest.fixture
def make_token(session, tmp_path):
    """Another virtual token for one test (started with the given sim flags), stopped afterwards."""
    made = []

    def make(*flags):
        made.append(session.token(tmp_path / ("token%d" % len(made)), *flags))
        return made[-1]
    yield make
    for token in made:
        token.stop()


def cli(session, token, *args):
    return session.run([token.link], *args)


def accounts(session, token) -> list:
    proc = cli(session, token, "list", "--json")
    assert proc.returncode == 0, proc.stderr
    return json.loads(proc.stdout)


def entry(label, issuer, algorithm="sha1", digits=6, period=30) -> dict:
    return {"label": label, "issuer": issuer, "algorithm": algorithm, "digits": digits, "period": period}


def assert_one_line_error(proc):
    assert proc.returncode != 0, proc.stdout
    assert "Traceback" not in proc.stdout + proc.stderr
    lines = proc.stderr.splitlines()
    assert len(lines) == 1 and lines[0].startswith("totpfob: "), proc.stderr


def fresh_step(period: int, margin: float = 5) -> None:
    """Wait, if need be, until the current time step has `margin` seconds left, so one step covers a check."""
    left = period - time.time() % period
    if left < margin:
        time.sleep(left + 0.2)


def printed_code(proc) -> str:
    match = re.search(r"^code now: (\d+) (\d+)  \((\d+) s left\)", proc.stdout, re.M)
    assert match, proc.stdout
    return match.group(1) + match.group(2)


def show_account(token, label, issuer) -> dict:
    """Press A on the token until it shows this account; its latest screen."""
    screen = token.show(label, issuer, presses=8)
    assert screen is not None, "the token never showed %s:%s" % (issuer, label)
    return screen


def add_and_check(session, token, args, key, label, issuer, algorithm="sha1", digits=6, period=30):
    """`totpfob add ARGS`: the printed code is pyotp's and the token shows it."""
    fresh_step(period)
    start = time.time()
    proc = cli(session, token, "add", *args)
    end = time.time()
    assert proc.returncode == 0, proc.stderr
    code = printed_code(proc)
    assert len(code) == digits
    assert code in {pyotp_code(key, t, algorithm, digits, period) for t in (start, end)}
    assert show_account(token, label, issuer)["code"] == code
    return proc


def test_life_cycle_of_accounts(session, token, tmp_path):
    assert cli(session, token, "wipe", "--yes").returncode == 0
    assert accounts(session, token) == []

    add_and_check(session, token, ["--uri", UGY_URI], UGY_KEY, "demo.user@ugyfelkapu.gov.hu", UGY)
    add_and_check(session, token, ["--secret", typed(GITHUB_KEY), "--label", "octocat", "--issuer", "GitHub",
                                   "--algorithm", "SHA256", "--digits", "8", "--period", "60"],
                  GITHUB_KEY, "octocat", "GitHub", "sha256", 8, 60)
    shot = qrgen.screenshot(tmp_path, BANK_URI)
    add_and_check(session, token, ["--qr", str(shot)], BANK_KEY, "savings", "Bank", "sha512", 7, 45)

    stored = [entry("demo.user@ugyfelkapu.gov.hu", UGY), entry("octocat", "GitHub", "sha256", 8, 60),
              entry("savings", "Bank", "sha512", 7, 45)]
    assert accounts(session, token) == stored
    listing = cli(session, token, "list")
    assert listing.returncode == 0
    for name in (UGY + ":demo.user@ugyfelkapu.gov.hu", "GitHub:octocat", "Bank:savings"):
        assert name in listing.stdout

    info = json.loads(cli(session, token, "info", "--json").stdout)
    assert info["protocol"] == wire.PROTOCOL and info["board"] == "sim" and info["firmware"]
    assert (info["accounts"], info["capacity"], info["free"]) == (3, 100, 97)
    assert (info["clock"], info["vault"]) == ("ok", "ok")

    assert cli(session, token, "rename", "GitHub:octocat", "hubot").returncode == 0
    stored[1]["label"] = "hubot"
    assert accounts(session, token) == stored
    fresh_step(60)
    screen = show_account(token, "hubot", "GitHub")  # renamed, it keeps its key
    assert screen["code"] == pyotp_code(GITHUB_KEY, screen["t"], "sha256", 8, 60)

    assert cli(session, token, "delete", "--yes", "savings").returncode == 0
    assert accounts(session, token) == stored[:2]
    assert json.loads(cli(session, token, "info", "--json").stdout)["accounts"] == 2

    before = time.time()
    assert cli(session, token, "wipe", "--yes").returncode == 0
    assert accounts(session, token) == []
    token.wait_screen(lambda s: s["screen"] == "empty", after=before)


def test_time_sync_sets_a_wrong_clock_right(session, make_token):
    token = make_token("--rtc-offset", "-40")
    status = json.loads(cli(session, token, "time", "status", "--json").stdout)
    assert status["clock"] == "ok" and abs(status["offset_s"] + 40) < 0.5 and status["sync_advisable"]

    start = time.time()
    assert cli(session, token, "time", "sync").returncode == 0
    status = json.loads(cli(session, token, "time", "status", "--json").stdout)
    assert abs(status["offset_s"]) < 0.5
    assert start - 1 <= status["last_sync"] <= time.time() + 3
    assert not status["sync_advisable"]
    assert cli(session, token, "time", "status").returncode == 0


def test_existing_account_is_replaced_only_when_asked(session, token):
    assert cli(session, token, "wipe", "--yes").returncode == 0
    name = ["--label", "me", "--issuer", UGY]
    add_and_check(session, token, ["--secret", b32(OLD_KEY), *name], OLD_KEY, "me", UGY)
    before = accounts(session, token)

    again = cli(session, token, "add", "--secret", b32(NEW_KEY), *name, "--digits", "8")
    assert_one_line_error(again)
    assert "--replace" in again.stderr and again.stdout == ""
    assert accounts(session, token) == before
    fresh_step(30)
    screen = show_account(token, "me", UGY)
    assert screen["code"] == pyotp_code(OLD_KEY, screen["t"])  # the old key is still the one in use

    add_and_check(session, token, ["--secret", b32(NEW_KEY), *name, "--digits", "8", "--replace"],
                  NEW_KEY, "me", UGY, digits=8)
    assert accounts(session, token) == [entry("me", UGY, digits=8)]


def test_one_add_writes_to_two_tokens(session, token, make_token):
    other = make_token("--rtc-offset", "40")
    cli(session, token, "delete", "--yes", "shared")
    fresh_step(30, margin=10)  # two adds and a clock setting fit in the code's time step
    proc = session.run([token.link, other.link], "add", "--secret", b32(SHARED_KEY), "--label", "shared")
    assert proc.returncode == 0, proc.stderr
    for port in (token.link, other.link):
        assert "added shared to the token on %s" % port in proc.stdout
    assert "token clock was +40" in proc.stdout  # the second token's clock was set before its key went in
    code = printed_code(proc)
    assert code == pyotp_code(SHARED_KEY, time.time())
    for each in (token, other):
        assert entry("shared", "") in accounts(session, each)
        assert show_account(each, "shared", "")["code"] == code


STOCK = [entry("stock", "Shop"), entry("other", "Shop")]


@pytest.fixture
def stocked(session, token):
    """The shared token holding exactly STOCK (set up once, as long as nothing changes it)."""
    if accounts(session, token) != STOCK:
        assert cli(session, token, "wipe", "--yes").returncode == 0
        for account in STOCK:
            proc = cli(session, token, "add", "--secret", b32(STOCK_KEY), "--label", account["label"],
                       "--issuer", "Shop")
            assert proc.returncode == 0, proc.stderr
    return token


@pytest.fixture(scope="module")
def files(tmp_path_factory):
    """Files that are not what `add --qr` needs."""
    folder = tmp_path_factory.mktemp("files")
    notes = folder / "notes.png"
    notes.write_text("my keys are in the safe\n")
    return {
        "missing": str(folder / "no-such-screenshot.png"),
        "notes": str(notes),
        "folder": str(folder),
        "blank": str(qrgen.no_code(folder)),
        "weblink": str(qrgen.small(folder, "https://apps.example.com/authenticator", name="web.png")),
        "hotp": str(qrgen.small(folder, "otpauth://hotp/x?secret=%s&counter=1" % b32(BAD_KEY), name="hotp.png")),
    }


KEY = b32(BAD_KEY)
BAD_INPUT = {
    "uri-not-otpauth": ["add", "--uri", "https://example.com/?secret=" + KEY],
    "uri-plain-text": ["add", "--uri", "not a uri at all"],
    "uri-broken-host": ["add", "--uri", "otpauth://[::1/x?secret=" + KEY],
    "uri-hotp": ["add", "--uri", "otpauth://hotp/Shop:x?secret=%s&counter=0" % KEY],
    "uri-no-secret": ["add", "--uri", "otpauth://totp/Shop:x?issuer=Shop"],
    "uri-empty-secret": ["add", "--uri", "otpauth://totp/Shop:x?secret="],
    "uri-no-label": ["add", "--uri", "otpauth://totp/?secret=" + KEY],
    "uri-secret-twice": ["add", "--uri", "otpauth://totp/x?secret=%s&secret=%s" % (KEY, KEY)],
    "uri-not-utf8": ["add", "--uri", "otpauth://totp/%FF%FE:x?secret=" + KEY],
    "uri-bad-base32": ["add", "--uri", "otpauth://totp/x?secret=01890189ABCDEFGH"],
    "uri-md5": ["add", "--uri", "otpauth://totp/x?secret=%s&algorithm=MD5" % KEY],
    "uri-digits-5": ["add", "--uri", "otpauth://totp/x?secret=%s&digits=5" % KEY],
    "uri-digits-12": ["add", "--uri", "otpauth://totp/x?secret=%s&digits=12" % KEY],
    "uri-period-0": ["add", "--uri", "otpauth://totp/x?secret=%s&period=0" % KEY],
    "uri-period-minus-30": ["add", "--uri", "otpauth://totp/x?secret=%s&period=-30" % KEY],
    "secret-0189": ["add", "--secret", "01890189ABCDEFGH", "--label", "x"],
    "secret-symbols": ["add", "--secret", KEY[:8] + "!" + KEY[9:], "--label", "x"],
    "secret-too-short": ["add", "--secret", KEY[:8], "--label", "x"],
    "secret-17-chars": ["add", "--secret", KEY + "A", "--label", "x"],
    "secret-empty": ["add", "--secret", "", "--label", "x"],
    "secret-without-label": ["add", "--secret", KEY],
    "algorithm-md5": ["add", "--secret", KEY, "--label", "x", "--algorithm", "MD5"],
    "digits-5": ["add", "--secret", KEY, "--label", "x", "--digits", "5"],
    "digits-12": ["add", "--secret", KEY, "--label", "x", "--digits", "12"],
    "period-0": ["add", "--secret", KEY, "--label", "x", "--period", "0"],
    "period-minus-30": ["add", "--secret", KEY, "--label", "x", "--period=-30"],
    "uri-with-bad-override": ["add", "--uri", "otpauth://totp/x?secret=" + KEY, "--digits", "12"],
    "qr-missing-file": ["add", "--qr", "{missing}"],
    "qr-not-an-image": ["add", "--qr", "{notes}"],
    "qr-a-folder": ["add", "--qr", "{folder}"],
    "qr-no-code": ["add", "--qr", "{blank}"],
    "qr-web-link": ["add", "--qr", "{weblink}"],
    "qr-hotp-key": ["add", "--qr", "{hotp}"],
    "same-name-again": ["add", "--secret", KEY, "--label", "stock", "--issuer", "Shop"],
    "rename-unknown": ["rename", "nobody", "x"],
    "rename-onto-another": ["rename", "Shop:stock", "other"],
    "delete-unknown": ["delete", "--yes", "nobody"],
    "delete-without-yes-from-a-script": ["delete", "Shop:stock"],
    "wipe-without-yes": ["wipe"],
}


@pytest.mark.parametrize("args", BAD_INPUT.values(), ids=BAD_INPUT.keys())
def test_bad_input_is_refused_in_one_line_and_changes_nothing(session, stocked, files, args):
    before = accounts(session, stocked)
    proc = cli(session, stocked, *[arg.format(**files) for arg in args])
    assert_one_line_error(proc)
    assert proc.stdout == ""
    assert accounts(session, stocked) == before == STOCK


def test_a_mistyped_option_is_one_line(session, stocked):
    assert_one_line_error(cli(session, stocked, "add", "--secret", KEY, "--label", "x", "--digits", "six"))


def noise(seed: int, size: int) -> bytes:
    """Seeded line noise, thick with the bytes that steer a MicroPython REPL and with frame starts."""
    rng = random.Random(seed)
    steering = [b"\x03", b"\x01", b"\x02", b"\x04", b"\r", b"\n", b"\r\x03\x03", b"\r\x01", b"\x05A\x01",
                b"\xf5\x7e", b"import os\r\n"]
    out = bytearray(b"\r\x03\x03\r\x01\x04\x02")  # what mpremote sends to take over a board
    while len(out) < size:
        out += rng.choice(steering) if rng.random() < 0.3 else rng.randbytes(rng.randrange(1, 40))
    return bytes(out)


def test_line_noise_does_not_open_the_repl_or_hurt_the_accounts(session, stocked):
    before = accounts(session, stocked)
    logged = stocked.serial_log.stat().st_size
    with serial.Serial(str(stocked.link), 115200, timeout=0.2) as line:
        data = noise(seed=7, size=8192)
        for at in range(0, len(data), 256):
            line.write(data[at:at + 256])
            time.sleep(0.01)
        line.flush()
        time.sleep(1.0)  # the token gives up on any half frame after a quiet spell
        line.read(4096)
    assert accounts(session, stocked) == before
    assert cli(session, stocked, "info", "--json").returncode == 0
    with open(stocked.serial_log, "rb") as log:
        log.seek(logged)
        said = log.read()
    for prompt in (b">>>", b"raw REPL", b"Traceback", b"MicroPython"):
        assert prompt not in said


def test_a_port_that_does_not_exist(session, tmp_path):
    assert_one_line_error(session.run([tmp_path / "ttyUSB9"], "list"))


def test_a_token_that_lost_power(session, make_token):
    gone = make_token()
    gone.kill9()
    assert_one_line_error(cli(session, gone, "list"))


def test_a_token_that_dies_while_the_host_waits(session, make_token):
    dying = make_token()
    waiting = session.run([dying.link], "time", "sync", wait=False)  # takes seconds: it waits for a second edge
    time.sleep(0.6)
    dying.kill9()
    assert_one_line_error(session.finish(waiting))


def test_a_token_that_hangs(session, make_token):
    hung = make_token()
    os.kill(hung.proc.pid, signal.SIGSTOP)
    try:
        proc = cli(session, hung, "list")
    finally:
        os.kill(hung.proc.pid, signal.SIGCONT)
    assert_one_line_error(proc)
    assert "does not answer" in proc.stderr


def leak_forms(secret: bytes) -> list:
    """Every way a key could show up: raw, hex in either case, base32 with and without padding, any case."""
    padded = base64.b32encode(secret)
    return [secret, secret.hex().encode(), secret.hex().upper().encode(), padded, padded.rstrip(b"="),
            padded.lower(), padded.rstrip(b"=").lower()]


def leaks(blob: bytes) -> list:
    """(key index, form) of every key found in blob."""
    return [(i, form) for i, secret in enumerate(SECRETS) for form in leak_forms(secret) if form in blob]


def test_the_leak_scanner_would_catch_a_leak():
    for secret in SECRETS:
        for form in leak_forms(secret):
            assert leaks(b"reply: " + form + b" end"), form
        assert leaks(frames.frame(wire.OK, 7, secret))  # a key inside a binary reply
    assert not leaks(b"".join(b32(s).encode()[:-2] + b"\n" for s in SECRETS))  # near misses are no leak


def test_no_secret_ever_leaves_the_token_or_the_cli(session, token, tmp_path):
    # Touch every path once more on this token, so the scan covers them even when this test runs alone.
    cli(session, token, "wipe", "--yes")
    cli(session, token, "add", "--uri", UGY_URI)
    cli(session, token, "add", "--uri", UGY_URI)  # refused: exists
    cli(session, token, "add", "--qr", str(qrgen.small(tmp_path, BANK_URI)))
    for args in (["list"], ["list", "--json"], ["info"], ["info", "--json"], ["time", "status", "--json"],
                 ["rename", "savings", "renamed"], ["delete", "--yes", "renamed"]):
        assert cli(session, token, *args).returncode == 0
    cli(session, token, "wipe", "--yes")

    replies = session.trace.read_bytes()
    assert b'"capacity": 100' in replies and len(replies) > 1000  # the trace did record what came back
    assert len(session.outputs) > 10
    for output in session.outputs:
        assert not leaks(output.encode()), output
    assert not leaks(replies)
    for each in session.tokens:
        said = each.serial_log.read_bytes() if each.serial_log.exists() else b""
        assert not leaks(said), each.serial_log
    assert token.serial_log.stat().st_size > 1000
