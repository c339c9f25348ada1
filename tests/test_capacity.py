"""A token holds at least 100 accounts on the default heap, says clearly when it is full, and deleting frees room."""

import hashlib
import hmac
import struct
import time

import pytest
from totpfob.account import Account
from totpfob.link import Link
from totpfob.token import Token
from virtual_token import VirtualToken

CAPACITY = 100


def expected_code(secret: bytes, unix: int, period: int = 30, digits: int = 6) -> str:
    """RFC 6238 with the standard library's HMAC: an oracle independent of the firmware."""
    mac = hmac.new(secret, struct.pack(">Q", unix // period), hashlib.sha1).digest()
    offset = mac[-1] & 0x0F
    value = struct.unpack(">I", mac[offset:offset + 4])[0] & 0x7FFFFFFF
    return str(value % 10 ** digits).zfill(digits)


@pytest.fixture(scope="module")
def full_token(tmp_path_factory):
    """A token filled to capacity; secrets maps each label on it to (issuer, key) (tests keep it up to date)."""
    token = VirtualToken(tmp_path_factory.mktemp("full")).start().answer_questions()  # holds A when asked
    secrets = {}
    with Link(str(token.link)) as link:
        device = Token(link)
        for i in range(CAPACITY):
            label = "user%03d@example.org" % i
            secrets[label] = ("Service %d" % (i % 7), bytes((i, 7, 42, i ^ 0x5A)) * 5)
            device.add(Account(label, *secrets[label]).record())
    yield token, secrets
    token.stop()


def assert_every_code_right(token, secrets):
    """The token computes the right code for every account it holds (asked one by one over the link)."""
    with Link(str(token.link)) as link:
        device = Token(link)
        assert sorted((e.issuer, e.label) for e in device.accounts()) == \
            sorted((issuer, label) for label, (issuer, _) in secrets.items())
        wrong = []
        for label, (issuer, key) in secrets.items():
            match, _ = device.check(issuer, label, expected_code(key, int(time.time())))
            if not match:
                wrong.append(label)
    assert wrong == [], "the token computes wrong codes for %d accounts, e.g. %s" % (len(wrong), wrong[:3])


def assert_screens_right(token, secrets, presses=4):
    """The code on screen is right for the account shown now and the next few (button A)."""
    for _ in range(presses):
        before = token.screens()[-1]
        screen = token.wait_screen(lambda s: s.get("screen") == "code", after=before["t"])
        key = secrets[screen["account"]][1]
        # The token reads whole seconds and reports just after drawing: the second is t or the one before.
        assert screen["code"] in (expected_code(key, int(screen["t"])), expected_code(key, int(screen["t"]) - 1))
        pressed, shown = time.time(), screen["account"]
        token.press("A")
        token.wait_screen(lambda s, shown=shown: s.get("account") != shown, timeout=5, after=pressed)


def test_hundred_accounts_fit_and_the_next_is_refused_clearly_while_existing_codes_stay_right(full_token):
    token, secrets = full_token
    info = token.cli("info", "--json", check=True)
    assert '"accounts": 100' in info.stdout and '"free": 0' in info.stdout
    extra = token.cli("add", "--secret", "JBSWY3DPEHPK3PXP", "--label", "one-too-many")
    assert extra.returncode != 0
    assert "full" in extra.stderr and extra.stderr.count("\n") == 1 and "Traceback" not in extra.stderr
    assert "one-too-many" not in token.cli("list").stdout
    assert_every_code_right(token, secrets)
    assert_screens_right(token, secrets)
    assert "Traceback" not in token.serial_log.read_text(errors="replace")


def test_deleting_frees_room_and_codes_stay_right(full_token):
    token, secrets = full_token
    token.cli("delete", "--yes", "user050@example.org", check=True)
    del secrets["user050@example.org"]
    added = token.cli("add", "--secret", "JBSWY3DPEHPK3PXP", "--label", "fits-again", check=True)
    secrets["fits-again"] = ("", b"Hello!\xde\xad\xbe\xef")  # JBSWY3DPEHPK3PXP
    assert "100 accounts on it" in added.stdout
    assert_every_code_right(token, secrets)
    assert_screens_right(token, secrets)
    assert "Traceback" not in token.serial_log.read_text(errors="replace")
