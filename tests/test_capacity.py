"""A token holds at least 100 accounts on the default heap, says clearly when it is full, and deleting frees room."""

import hashlib
import hmac
import struct

import pytest
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
    token = VirtualToken(tmp_path_factory.mktemp("full")).start()
    secrets = {}
    with Link(str(token.link)) as link:
        device = Token(link)
        for i in range(CAPACITY):
            label = "user%03d@example.org" % i
            secrets[label] = bytes((i, 7, 42, i ^ 0x5A)) * 5
            device.add(label, "Service %d" % (i % 7), secrets[label], "sha1", 6, 30)
    yield token, secrets
    token.stop()


def test_hundred_accounts_fit_and_the_next_is_refused_clearly(full_token):
    token, _ = full_token
    info = token.cli("info", "--json", check=True)
    assert '"accounts": 100' in info.stdout and '"free": 0' in info.stdout
    extra = token.cli("add", "--secret", "JBSWY3DPEHPK3PXP", "--label", "one-too-many")
    assert extra.returncode != 0
    assert "full" in extra.stderr and extra.stderr.count("\n") == 1 and "Traceback" not in extra.stderr
    assert "one-too-many" not in token.cli("list").stdout


def test_codes_stay_right_when_full_and_deleting_frees_room(full_token):
    token, secrets = full_token
    screen = token.wait_screen(lambda s: s.get("screen") == "code")
    assert screen["code"] == expected_code(secrets[screen["account"]], int(screen["t"]) - 0) or \
        screen["code"] == expected_code(secrets[screen["account"]], int(screen["t"]) - 1)
    assert "Traceback" not in token.serial_log.read_text(errors="replace")
    token.cli("delete", "user050@example.org", check=True)
    added = token.cli("add", "--secret", "JBSWY3DPEHPK3PXP", "--label", "fits-again", check=True)
    assert "100 accounts on it" in added.stdout
