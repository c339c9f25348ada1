"""A real token, end to end through the `totpfob` CLI, as its owner uses it: deploy, info, time sync, accounts
whose codes are the ones any authenticator computes, a closed REPL, and no key ever coming back out.

Skipped unless a port is given (see conftest.py). The tests run in this order and build on each other; the
deploy needs the person at the board to press A when the token asks (a freshly flashed board does not ask).
"""

import base64
import hashlib
import json
import re
import time

import pytest
import reference
import serial
import wire

pytestmark = pytest.mark.hardware

# Keys of this file only; the leak check at the end looks for each of them in everything that came back.
ACCOUNTS = [  # label, issuer, key, algorithm, digits, period
    ("hwtest-sha1", "Ügyfélkapu+", bytes.fromhex("4c8f0e5d2a71b3c69e04"), "sha1", 6, 30),  # 80 bits
    ("hwtest-sha256", "totpfob", hashlib.sha256(b"hwtest-sha256").digest(), "sha256", 8, 60),
    # SHA-512: on an ESP32 the firmware's own pure-Python hash, not a built-in one.
    ("hwtest-sha512", "totpfob", hashlib.sha512(b"hwtest-sha512").digest(), "sha512", 7, 45),
]
SETTLE_S = 0.5  # the last step of the test clock check: what `time sync` promises


def b32(key: bytes) -> str:
    return base64.b32encode(key).decode()


def pyotp_code(key: bytes, t: float, algorithm: str, digits: int, period: int) -> str:
    return reference.code(key, t, algorithm, digits, period)


def key_forms(key: bytes) -> list:
    """How a key could show up in text: base32 with and without padding, either case, in groups of four; hex."""
    text = b32(key)
    bare = text.rstrip("=")
    grouped = " ".join(bare[i:i + 4] for i in range(0, len(bare), 4))
    return [text, bare, bare.lower(), grouped, grouped.lower(), key.hex(), key.hex().upper()]


def fresh_step(period: int, margin: float = 5) -> None:
    """Wait, if need be, until the current time step has `margin` seconds left, so one step covers an add."""
    left = period - time.time() % period
    if left < margin:
        time.sleep(left + 0.2)


@pytest.fixture(scope="module")
def hwtest_accounts(real_token):
    """The accounts the tests add; removed again at the end (the owner's own accounts are left alone)."""
    added = []
    yield added
    for label in added:
        real_token.cli("delete", label)


def test_deploy_installs_the_firmware_and_it_boots(real_token, board):
    real_token.say("")
    real_token.say("deploying %s firmware to %s: if the token shows 'Maintenance?', press A on it" % (
        board, real_token.port))
    proc = real_token.cli("deploy", "--board", board, timeout=300, echo=True)
    assert proc.returncode == 0, proc.stdout
    assert "Traceback" not in proc.stdout
    assert real_token.wait_ready()["board"] == board


def test_info_names_the_board(real_token, board):
    info = real_token.wait_ready()
    assert info["board"] == board
    assert info["protocol"] == wire.PROTOCOL and info["vault"] == "ok"
    assert 0 <= info["accounts"] <= info["capacity"]
    plain = real_token.cli("info")
    assert plain.returncode == 0 and plain.stdout.startswith("board %s, firmware " % board), plain.stdout


def test_time_sync_sets_the_clock_within_half_a_second(real_token):
    proc = real_token.cli("time", "sync")
    assert proc.returncode == 0, proc.stdout
    status = real_token.cli("time", "status", "--json")
    assert status.returncode == 0, status.stdout
    clock = json.loads(status.stdout)
    assert clock["clock"] == "ok"
    assert abs(clock["offset_s"]) < SETTLE_S, clock


def test_added_accounts_give_the_codes_pyotp_computes(real_token, hwtest_accounts):
    for label, issuer, key, algorithm, digits, period in ACCOUNTS:
        fresh_step(period)
        start = time.time()
        proc = real_token.cli("add", "--secret", b32(key), "--label", label, "--issuer", issuer, "--algorithm",
                              algorithm, "--digits", str(digits), "--period", str(period), "--replace")
        end = time.time()
        assert proc.returncode == 0, proc.stdout
        hwtest_accounts.append(label)
        # The token itself compared its code with the host's (the CHECK request) before add said this.
        assert "its code matches this computer's" in proc.stdout, proc.stdout
        match = re.search(r"^code now: (\d+) (\d+)  \(", proc.stdout, re.M)
        assert match, proc.stdout
        code = match.group(1) + match.group(2)
        assert code in {pyotp_code(key, t, algorithm, digits, period) for t in (start, end)}, (label, code)

    listing = real_token.cli("list", "--json")
    assert listing.returncode == 0, listing.stdout
    stored = {(e["issuer"], e["label"]): e for e in json.loads(listing.stdout)}
    for label, issuer, _, algorithm, digits, period in ACCOUNTS:
        assert stored[(issuer, label)] == {"label": label, "issuer": issuer, "algorithm": algorithm,
                                           "digits": digits, "period": period}


def test_the_repl_stays_closed(real_token):
    """Ctrl-C on the line (what mpremote and a terminal send) neither stops the token nor opens a REPL."""
    port = serial.Serial()
    port.port = real_token.port
    port.baudrate = 115200
    port.timeout = 0.1
    port.dtr = False  # released before opening, as totpfob does: asserted, they reset an ESP32
    port.rts = False
    port.exclusive = True
    port.open()
    try:
        port.reset_input_buffer()
        port.write(b"\x03\x03\r\n")
        port.flush()
        heard = b""
        deadline = time.monotonic() + 2
        while time.monotonic() < deadline:
            heard += port.read(256)
    finally:
        port.close()
    real_token.outputs.append(heard.decode("latin-1"))
    assert b">>>" not in heard and b"KeyboardInterrupt" not in heard, heard
    assert real_token.wait_ready(10)["board"]  # and it still answers


def test_no_key_in_anything_that_came_back(real_token):
    for args in (["list"], ["list", "--json"], ["info", "--json"], ["time", "status", "--json"]):
        real_token.cli(*args)
    everything = "\n".join(real_token.outputs)
    assert everything
    for label, _, key, *_ in ACCOUNTS:
        for form in key_forms(key):
            assert form not in everything, "the key of %s came back from the token" % label
        assert key.decode("latin-1") not in everything, "the raw key of %s came back" % label
