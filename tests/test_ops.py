"""The operations layer (totpfob.ops) called as Python functions, as a GUI will call it: against a running virtual
token, each returns what it did or raises one UserError line, and prints nothing."""

import base64
import hmac
import json
import os
import pty
import re
import select
import struct
import threading
from dataclasses import replace
from pathlib import Path

import pytest
import totpfob
from totpfob import cli, ops, otpauth
from totpfob.account import Account
from totpfob.errors import UserError
from totpfob.link import frames, wire
from virtual_token import VirtualToken

KEY = bytes.fromhex("3132333435363738393031323334353637383930")


def b32(key: bytes) -> str:
    return base64.b32encode(key).decode()


def rfc_code(key: bytes, unix: int, algorithm: str, digits: int, period: int) -> str:
    """RFC 6238 written out with the hmac module: an oracle apart from the firmware's otp.py."""
    mac = hmac.new(key, (unix // period).to_bytes(8, "big"), algorithm).digest()
    at = mac[-1] & 0x0F
    return "%0*d" % (digits, (int.from_bytes(mac[at:at + 4], "big") & 0x7FFFFFFF) % 10 ** digits)


@pytest.fixture(scope="module")
def port(tmp_path_factory):
    token = VirtualToken(tmp_path_factory.mktemp("ops"), snapshot=False).start().answer_questions()
    yield str(token.link)
    token.stop()


def test_accounts_go_in_and_come_back_as_python_calls(port, capfd):
    ops.wipe(port)
    assert ops.accounts(port) == []
    account = otpauth.from_secret(b32(KEY), "alice", "Shop", "sha256", 8, 60)
    notes = []
    added = ops.add([port], account, note=notes.append)
    assert added.stored == {port: 1}
    assert ("added Shop:alice to the token on %s (1 account on it); its code matches this computer's" % port
            in notes)
    # A token never given a language takes this computer's at its first account, and the user is told how to
    # change it.
    assert any("totpfob language" in note for note in notes)
    assert added.code == rfc_code(KEY, added.at, "sha256", 8, 60)
    assert 0 < added.remaining <= 60

    listed = ops.accounts(port)
    assert listed == [replace(account, secret=None)]  # the same Account, without its key
    with pytest.raises(UserError, match="already has Shop:alice; .* add --replace"):
        ops.add([port], account)

    assert ops.rename(port, "Shop:alice", "bob") == listed[0]
    assert [a.name for a in ops.accounts(port)] == ["Shop:bob"]
    with pytest.raises(UserError, match="no account 'alice' on the token"):
        ops.delete(port, "alice")
    assert ops.delete(port, "bob").name == "Shop:bob"
    info = ops.info(port)
    assert (info["accounts"], info["protocol"], info["board"]) == (0, wire.PROTOCOL, "sim")
    assert capfd.readouterr() == ("", "")  # nothing printed: the caller decides what to show


def test_the_clock_as_python_calls(port, capfd):
    notes = []
    (synced,) = ops.time_sync([port], note=notes.append)
    assert synced.port == port and abs(synced.after.offset_s) < 0.5
    assert any(note.startswith("token on %s " % port) for note in notes)
    status = ops.time_status(port)
    assert not status.lost and abs(status.offset_s) < 0.5 and status.last_sync
    assert capfd.readouterr() == ("", "")


def test_an_account_the_token_cannot_hold_gets_its_reason(port):
    """A record with five digits, made by hand (account.encode refuses it): the token's own check answers
    E_INVALID with its reason, and the host says so in one sentence, not "versions differ"."""
    before = ops.accounts(port)
    record = struct.pack("<BBI", 0, 5, 30) + b"\x04Shop" + b"\x01x" + bytes((len(KEY),)) + KEY
    with pytest.raises(UserError) as caught:
        with ops.connect(port) as token:
            token.add(record)
    assert str(caught.value) == "the token cannot hold this account: digits must be 6 to 10"
    assert ops.accounts(port) == before
    with pytest.raises(UserError, match="^the token cannot hold this account: digits must be 6 to 10$"):
        ops.add([port], Account("x", "Shop", KEY, digits=5))  # built without otpauth: refused before sending


def test_add_sets_a_lost_clock_first_and_check_needs_the_clock(tmp_path):
    token = VirtualToken(tmp_path, "--rtc-lost", snapshot=False).start().answer_questions()  # allows the replace
    try:
        port = str(token.link)
        account = otpauth.from_secret(b32(KEY), "lost")
        with pytest.raises(UserError, match="^the token's clock is lost: run `totpfob time sync`$"):
            with ops.connect(port) as device:
                device.add(account.record())
                device.check("", "lost", "123456")
        notes = []
        ops.add([port], account, replace=True, note=notes.append)
        # (after a warning, if this computer says its own clock is not synchronised)
        assert any(n.startswith("token clock was not set; set to this computer's time (now ") for n in notes)
        assert not ops.time_status(port).lost
    finally:
        token.stop()


class OtherFirmware:
    """A stand-in for a token whose firmware speaks a later protocol, on a pty of its own: it answers HELLO (all the
    host asks before it gives up) through the frames codec and nothing else."""

    def __init__(self):
        self.master, self.slave = pty.openpty()
        self.path = os.ttyname(self.slave)
        self.stop = threading.Event()
        self.thread = threading.Thread(target=self.serve, daemon=True)
        self.thread.start()

    def serve(self):
        deframer = frames.Deframer()
        hello = json.dumps({"protocol": wire.PROTOCOL + 1, "board": "esp32_devkit", "firmware": "9.9"}).encode()
        while not self.stop.is_set():
            if select.select([self.master], [], [], 0.05)[0]:
                for kind, rid, _ in deframer.feed(os.read(self.master, 512)):
                    if kind == wire.HELLO:
                        os.write(self.master, frames.frame(wire.OK, rid, hello))

    def close(self):
        self.stop.set()
        self.thread.join()
        os.close(self.master)
        os.close(self.slave)


def test_a_token_with_firmware_of_another_version_is_one_line(capsys):
    other = OtherFirmware()
    try:
        expected = ("the token runs firmware of another version (protocol %d); update it with "
                    "`totpfob deploy --board esp32_devkit`" % (wire.PROTOCOL + 1))
        with pytest.raises(UserError) as caught:
            ops.accounts(other.path)
        assert str(caught.value) == expected
        assert cli.main(["--port", other.path, "list"]) == 2
        assert capsys.readouterr().err == "totpfob: %s\n" % expected
    finally:
        other.close()


# What a limit is (how long a name, how many digits, which algorithms) is written in firmware/account.py; on the
# host only otpauth (the user's words for it) and account (the record) use it.
LIMIT_KNOWLEDGE = [r'"sha1",\s*"sha256"', r"\b6 to 10\b", r"\bfrom 6 to\b", r"\b64 bytes\b", r"\b64-byte",
                   r"\b(MIN|MAX)_(DIGITS|NAME|SECRET|PERIOD)", r"0xFFFFFFFF|1 << 32|2 \*\* 32",
                   r"\bALGORITHMS\s*=", r"range\(6,\s*11\)", r"(<=|<)\s*10\b.*digits|digits.*(<=|<)\s*10\b"]


def test_only_otpauth_and_account_know_the_limits():
    package = Path(totpfob.__file__).parent
    checked = 0
    for path in sorted(package.rglob("*.py")):
        if path.relative_to(package).as_posix() in ("otpauth.py", "account.py"):
            continue
        text = path.read_text()
        for pattern in LIMIT_KNOWLEDGE:
            assert not re.search(pattern, text), "%s knows a limit (%s)" % (path.name, pattern)
        checked += 1
    assert checked > 10
    # The patterns do find a copy where one is: the firmware's own module.
    firmware_account = (package.parents[1] / "firmware" / "account.py").read_text()
    assert sum(bool(re.search(p, firmware_account)) for p in LIMIT_KNOWLEDGE) >= 4
