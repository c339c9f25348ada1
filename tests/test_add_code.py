"""The code `add` prints for the pairing page: with fewer than 10 s of it left there is no time to type it, so
`add` prints the next code too and the moment it becomes valid, as the token shows both (through the real CLI,
against the virtual token, with codes checked against pyotp)."""

import re
import time
from datetime import datetime, timezone

import pyotp
import pytest
from virtual_token import VirtualToken

KEY = "JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP"  # 160 bits: pyotp refuses the 80-bit keys Ügyfélkapu+ uses
CODE = re.compile(r"(code now|next code): (\d{3}) (\d{3})")


@pytest.fixture
def token(tmp_path):
    started = VirtualToken(tmp_path, snapshot=False).start()
    yield started
    started.stop()


def wait_until_second_of_step(first: float, last: float) -> None:
    """Sleep until this computer's clock is between `first` and `last` seconds into a 30 s step."""
    while not first <= time.time() % 30 <= last:
        time.sleep(0.05)


def add(token, label: str):
    before = time.time()
    proc = token.cli("add", "--secret", KEY, "--label", label, check=True)
    return before, proc.stdout


def test_the_next_code_and_when_it_starts_only_when_under_10_s_are_left(token):
    wait_until_second_of_step(1, 8)
    _, out = add(token, "early")
    assert "code now" in out and "next code" not in out

    wait_until_second_of_step(21.5, 24)  # the add itself takes a second or two
    before, out = add(token, "late")
    codes = {kind: a + b for kind, a, b in CODE.findall(out)}
    step_end = (int(before) // 30 + 1) * 30
    assert codes["next code"] == pyotp.TOTP(KEY).at(step_end), out
    assert codes["code now"] == pyotp.TOTP(KEY).at(step_end - 1), out
    starts = datetime.fromtimestamp(step_end, timezone.utc).strftime("%H:%M:%S")  # TZ=UTC: local time is UTC
    assert "from %s" % starts in out, out
