"""The virtual token, end to end: what its screen shows, against pyotp, through the real CLI and buttons.

One provisioned token (module scope, 11 accounts) serves the tests that only look and press buttons; tests that
need another start (lost clock, clock offset, restarts) boot a copy of its flash with --keep instead of
provisioning again.
"""

import base64
import json
import os
import random
import shutil
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path

import pytest
import reference
import screen_ocr
from totpfob.samples import DEMO_ISSUER, DEMO_KEY, DEMO_LABEL, DEMO_URI
from totpfob.sim import DEFAULT_HEAP
from virtual_token import VirtualToken

# pyotp's TOTP.at() goes through local time.
os.environ["TZ"] = "UTC"
time.tzset()

ROOT = Path(__file__).resolve().parents[1]
# An ESP32 without PSRAM leaves MicroPython about 110 KiB; the unix port's objects take twice the room (8-byte
# words), so a sim heap above twice that would hide firmware that cannot fit the board.
ESP32_HEAP_ON_UNIX = 2 * 128 * 1024


@dataclass(frozen=True)
class Account:
    label: str
    issuer: str
    key: bytes
    algorithm: str = "sha1"
    digits: int = 6
    period: int = 30

    def add_args(self) -> list:
        """`totpfob add` arguments, the key typed as base32 without padding (as services print it)."""
        args = ["--secret", base64.b32encode(self.key).decode().rstrip("="), "--label", self.label,
                "--algorithm", self.algorithm, "--digits", str(self.digits), "--period", str(self.period)]
        return args + (["--issuer", self.issuer] if self.issuer else [])


_keys = random.Random(2026)


def _key(size: int) -> bytes:
    return bytes(_keys.randrange(256) for _ in range(size))


DEMO = Account(DEMO_LABEL, DEMO_ISSUER, base64.b32decode(DEMO_KEY))  # 80-bit SHA1, as Ügyfélkapu+ issues
ACCOUNTS = [
    DEMO,
    Account("sha256-8", "Example", _key(32), "sha256", 8),
    Account("sha512-60", "", _key(64), "sha512", 6, 60),
    Account("sha1-10digits", "Bank", _key(20), "sha1", 10),
    Account("sha1-15s", "", _key(10), "sha1", 6, 15),
    Account("sha256-7", "Shop", _key(16), "sha256", 7, 45),
    Account("alice@example.com", "Mail", _key(20)),
    Account("bob@example.com", "Mail", _key(10)),
    Account("vpn", "Work", _key(26), "sha1", 8),
    Account("git", "Forge", _key(40), "sha512", 8),
    Account("cloud", "", _key(12), "sha1", 6, 20),
]
LATER = [Account("added-before-restart", "", _key(10)), Account("added-before-power-cut", "", _key(10))]
BY_LABEL = {account.label: account for account in ACCOUNTS + LATER}


def expected_code(account: Account, unix_time: int) -> str:
    return reference.code(account.key, unix_time, account.algorithm, account.digits, account.period)


def token_second(screen: dict, period: int, offset: float = 0.0) -> int:
    """The unix second the token computed a screen's code for. Its countdown fixes that second modulo the
    period; the host time of the report (plus the offset the RTC was started with) picks the nearest one."""
    phase = (period - screen["remaining"]) % period
    return phase + period * round((screen["t"] + offset - phase) / period)


def assert_code_right(screen: dict, offset: float = 0.0) -> int:
    """The screen's code is pyotp's for the second the token showed, and that second is the true time (the
    token reads whole seconds and reports just after drawing: it may lag the host by up to about a second)."""
    assert screen["screen"] == "code", screen
    account = BY_LABEL[screen["account"]]
    second = token_second(screen, account.period, offset)
    lag = screen["t"] + offset - second
    assert -0.5 <= lag <= 2.0, "token time %d is %.2f s off the true time (%r)" % (second, -lag, screen)
    assert screen["code"] == expected_code(account, second), "wrong code at %d on %r" % (second, screen)
    return second


def press_a(token: VirtualToken) -> dict:
    """Press A and return the screen it brings: the next account."""
    before = token.screens()[-1]
    pressed = time.time()
    token.press("A")
    return token.wait_screen(lambda s: s.get("account") != before.get("account"), timeout=5, after=pressed)


def select(token: VirtualToken, label: str) -> dict:
    """Press A until the token shows the account `label`."""
    screen = token.screens()[-1]
    for _ in range(len(BY_LABEL) + 1):
        if screen.get("account") == label:
            return screen
        screen = press_a(token)
    raise AssertionError("A never brought %s" % label)


def boot(token: VirtualToken) -> dict:
    """Start the sim and wait for the first screen of this boot (the dump may hold earlier runs' screens)."""
    started = time.time()
    token.start()
    return token.wait_screen(lambda s: True, timeout=10, after=started)


def labels_on(token: VirtualToken) -> list:
    return [entry["label"] for entry in json.loads(token.cli("list", "--json", check=True).stdout)]


@pytest.fixture(scope="module")
def token(request, tmp_path_factory) -> VirtualToken:
    """A virtual token with the default heap, provisioned with ACCOUNTS through the CLI."""
    vt = VirtualToken(tmp_path_factory.mktemp("token"))
    request.addfinalizer(vt.stop)
    boot(vt)
    vt.cli("add", "--uri", DEMO_URI, check=True)
    for account in ACCOUNTS[1:]:
        vt.cli("add", *account.add_args(), check=True)
    return vt


@pytest.fixture(scope="module")
def saved_state(token, tmp_path_factory) -> Path:
    """The provisioned token's flash image and RTC state, copied (nothing writes them after provisioning)."""
    target = tmp_path_factory.mktemp("saved") / "state"
    shutil.copytree(token.state, target)
    return target


@pytest.fixture
def state_copy(saved_state, tmp_path) -> Path:
    target = tmp_path / "state"
    shutil.copytree(saved_state, target)
    return target


@pytest.fixture
def make_token(request, tmp_path):
    """Build a not yet started VirtualToken in this test's directory; it is stopped when the test ends."""
    def make(*flags: str, state: Path | None = None) -> VirtualToken:
        vt = VirtualToken(tmp_path / "sim", *flags, state=state)
        request.addfinalizer(vt.stop)
        return vt
    return make


def test_codes_match_pyotp_for_every_account(token):
    shown = [press_a(token) for _ in ACCOUNTS]
    assert sorted(s["account"] for s in shown) == sorted(a.label for a in ACCOUNTS)
    for screen in shown:
        assert_code_right(screen)
    # And every code drawn since provisioning began, one per second.
    drawn = [s for s in token.screens() if s["screen"] == "code"]
    assert len(drawn) > len(ACCOUNTS)
    for screen in drawn:
        assert_code_right(screen)


def test_button_a_cycles_through_accounts_in_order_and_wraps(token):
    order = labels_on(token)
    assert order == [a.label for a in ACCOUNTS]  # the order they were added in
    first = order.index(token.screens()[-1]["account"])
    seen = [press_a(token)["account"] for _ in range(len(order) + 2)]
    assert seen == [order[(first + k) % len(order)] for k in range(1, len(order) + 3)]


def read_snapshot(token: VirtualToken, timeout: float = 5) -> tuple:
    """(last reported screen, code read from the PNG snapshot), read while the two belong together."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        last = token.screens()[-1]
        # The simulator writes the PNG just after the screen's dump line; give it that moment.
        if time.time() - last["t"] >= 0.25:
            code = screen_ocr.read_code(token.snapshot)
            if token.screens()[-1] == last:
                return last, code
        time.sleep(0.05)
    raise AssertionError("the token never held still long enough to read its snapshot")


def test_snapshot_png_shows_the_code(token):
    for label in (DEMO_LABEL, "sha256-8", "sha1-10digits"):
        select(token, label)
        screen, read = read_snapshot(token)
        assert screen["account"] == label
        assert read == screen["code"]
        assert len(read) == BY_LABEL[label].digits


def _vm_of(sim_pid: int) -> int:
    """The pid of the MicroPython VM the simulator runs (its child)."""
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            ppid = int(stat.read_text().rsplit(")", 1)[1].split()[1])
        except (OSError, IndexError, ValueError):
            continue
        if ppid == sim_pid:
            return int(stat.parent.name)
    raise AssertionError("the simulator runs no VM")


def _size(text: str) -> int:
    """Bytes in a MicroPython size such as 192k."""
    return int(text.rstrip("kKmM")) * {"k": 1024, "m": 1024 * 1024}.get(text[-1].lower(), 1)


def _heap_of(pid: int) -> int:
    """The heap the MicroPython process `pid` was started with (-X heapsize=...)."""
    args = Path("/proc/%d/cmdline" % pid).read_bytes().decode().split("\0")
    return _size(next(arg.split("=", 1)[1] for arg in args if arg.startswith("heapsize=")))


def test_default_heap_keeps_drawing_codes(token):
    vm = _vm_of(token.proc.pid)
    assert _heap_of(vm) == _size(DEFAULT_HEAP) <= ESP32_HEAP_ON_UNIX
    assert json.loads(token.cli("info", "--json", check=True).stdout)["accounts"] == len(ACCOUNTS) >= 10
    select(token, "sha512-60")  # the heaviest: pure-Python SHA-512 on the token each second
    start = time.time()
    time.sleep(4)
    shown = [s for s in token.screens() if s["t"] >= start]
    times = [start] + [s["t"] for s in shown] + [time.time()]
    assert max(b - a for a, b in zip(times, times[1:])) < 1.6, "the token stopped drawing: %r" % shown
    for screen in shown:
        assert screen["account"] == "sha512-60"
        assert_code_right(screen)
    assert _vm_of(token.proc.pid) == vm  # the firmware did not crash and restart meanwhile
    log = token.serial_log.read_bytes() if token.serial_log.exists() else b""
    assert b"MemoryError" not in log and b"Traceback" not in log


def test_too_small_heap_fails_visibly(make_token):
    vt = make_token("--heap", "8k")
    with pytest.raises(RuntimeError) as failure:
        vt.start(timeout=20)
    assert vt.proc.returncode != 0
    assert "crash" in str(failure.value)
    assert b"MemoryError" in vt.serial_log.read_bytes()
    assert not any("code" in s for s in vt.screens())


def test_code_changes_right_at_the_step_boundary(make_token, state_copy):
    vt = make_token("--keep", state=state_copy)
    lead, boot_s = 3.0, 0.5
    # The emulated clock reads host time + offset: about `lead` s before a 30 s boundary once booted.
    offset = round(-(time.time() + boot_s + lead) % 30, 3)
    vt.start("--rtc-offset", "%.3f" % offset)
    after = vt.wait_screen(lambda s: s.get("remaining") == 30, timeout=lead + 8)
    shown = vt.screens()
    before = shown[shown.index(after) - 1]
    assert before["screen"] == "code", "booted too late to see the step before the boundary: %r" % shown
    assert before["account"] == after["account"] == DEMO.label  # the first account, shown after boot
    assert before["remaining"] <= 2
    first = assert_code_right(before, offset)
    second = assert_code_right(after, offset)
    assert second // 30 == first // 30 + 1
    if expected_code(DEMO, first) != expected_code(DEMO, second):
        assert before["code"] != after["code"]


def test_clock_lost_shows_no_code_until_time_sync(make_token, state_copy):
    vt = make_token("--keep", "--rtc-lost", state=state_copy)
    assert boot(vt)["screen"] == "clock-lost"
    status = json.loads(vt.cli("time", "status", "--json", check=True).stdout)
    assert status["clock"] == "lost" and status["offset_s"] is None
    vt.press("A")  # a button does not bring a code either
    time.sleep(0.5)
    assert all(s["screen"] == "clock-lost" for s in vt.screens())
    vt.cli("time", "sync", check=True)
    first = vt.wait_screen(lambda s: s["screen"] == "code", timeout=5)
    before = [s for s in vt.screens() if s["t"] < first["t"]]
    assert before and all(s["screen"] == "clock-lost" and "code" not in s for s in before)
    assert_code_right(first)
    assert_code_right(vt.wait_screen(lambda s: s["screen"] == "code", timeout=5, after=first["t"] + 1.5))
    status = json.loads(vt.cli("time", "status", "--json", check=True).stdout)
    assert status["clock"] == "ok" and abs(status["offset_s"]) <= 0.5


def test_accounts_survive_restart_and_power_cut(make_token, state_copy):
    labels = [a.label for a in ACCOUNTS]
    vt = make_token("--keep", state=state_copy)
    assert_code_right(boot(vt))
    assert labels_on(vt) == labels
    vt.cli("add", *LATER[0].add_args(), check=True)
    restarted = time.time()
    vt.restart()
    assert_code_right(vt.wait_screen(lambda s: True, after=restarted))
    assert labels_on(vt) == labels + [LATER[0].label]
    vt.cli("add", *LATER[1].add_args(), check=True)
    vt.kill9()  # the moment the add has been confirmed
    assert_code_right(boot(vt))
    assert labels_on(vt) == labels + [LATER[0].label, LATER[1].label]
    assert_code_right(select(vt, LATER[1].label))


def test_a_restart_keeps_the_flash_and_the_rtc(make_token, state_copy):
    vt = make_token("--keep", state=state_copy)
    boot(vt)
    vt.cli("add", *LATER[0].add_args(), check=True)
    labels = [a.label for a in ACCOUNTS] + [LATER[0].label]
    vt.restart("--rtc-offset", "1000")  # this start only: a new RTC, 1000 s ahead

    def offset() -> float:
        return json.loads(vt.cli("time", "status", "--json", check=True).stdout)["offset_s"]

    assert abs(offset() - 1000) <= 1.5 and labels_on(vt) == labels
    restarted = time.time()
    vt.restart()  # the same state dir, no RTC flags: the chip keeps its time (its coin cell)
    assert vt.wait_screen(lambda s: s["screen"] == "code", after=restarted)["account"] == DEMO.label
    assert abs(offset() - 1000) <= 1.5 and labels_on(vt) == labels


def test_demo_shows_matching_codes(tmp_path):
    proc = subprocess.run([sys.executable, "-m", "totpfob.demo", "--seconds", "3"], cwd=tmp_path,
                          capture_output=True, text=True, timeout=90, env=dict(os.environ, TZ="UTC"))
    output = proc.stdout + proc.stderr
    assert proc.returncode == 0, output
    assert "DEMO ACCOUNT" in proc.stdout
    assert "match" in proc.stdout and "MISMATCH" not in output


def test_demo_tells_a_wrong_code_from_a_right_one():
    demo = pytest.importorskip("totpfob.demo")
    now = int(time.time())
    for second in (now, now - 1):  # the token's second, as its countdown tells it
        right = expected_code(DEMO, second)
        wrong = "%06d" % ((int(right) + 1) % 10 ** 6)
        for code, ok in ((right, True), (wrong, False)):
            shown = {"screen": "code", "account": DEMO_LABEL, "code": code, "t": now + 0.01,
                     "remaining": DEMO.period - second % DEMO.period}
            assert demo.compare(shown, demo.reference()) == (right, ok)
    assert demo.compare({"screen": "clock-lost", "t": now}, demo.reference()) is None
