"""`totpfob import` and `--backup` end to end: the real CLI against virtual tokens.

What a user relies on: the accounts of a phone app's export land on the token with the codes every authenticator
computes; the preview says what will happen to each entry before anything is written; bad input, a wrong password
or a full token change nothing; a backup made while adding opens in a second program and makes a second token that
shows the same codes; and no key is ever printed.
"""

import base64
import hashlib
import json
import os
import stat
import subprocess
import time
from contextlib import contextmanager

import import_encoders as enc
import pytest
import qrgen
import reference
from virtual_token import TOTPFOB, VirtualToken

UGY = "Ügyfélkapu+"
UGY_KEY = bytes.fromhex("31c0ffee5eed0000a1b2")  # 80 bits
KEY_256 = bytes.fromhex("2b7e151628aed2a6abf7158809cf4f3c762e7160")
KEY_512 = hashlib.sha512(b"import test").digest()
OLD_KEY = bytes.fromhex("0123456789abcdef0123")
NEW_KEY = bytes.fromhex("fedcba9876543210fedc")
HOTP_KEY = bytes.fromhex("55aa55aa55aa55aa55aa")
SECRETS = [UGY_KEY, KEY_256, KEY_512, OLD_KEY, NEW_KEY, HOTP_KEY]
PASSWORD = "jelszó 2026"
ACCOUNTS = [(UGY_KEY, "demo.user@ugyfelkapu.gov.hu", UGY, "SHA1", 6, 30),
            (KEY_256, "james", "SPDX", "SHA256", 7, 20),
            (KEY_512, "elijah", "Airbnb", "SHA512", 8, 50)]


def pyotp_codes(key, t, algorithm, digits, period) -> set:
    """pyotp's codes for a screen drawn at host time t (the step may turn while it is drawn)."""
    return reference.codes_around(key, t, algorithm, digits, period)


OUTPUTS: list = []  # everything the CLI printed in this file's tests: the leak scan reads it


def run(token, *args):
    proc = token.cli(*args, stdin=open(os.devnull))
    OUTPUTS.append(proc.stdout + proc.stderr)
    return proc


def listed(token) -> list:
    proc = run(token, "list", "--json")
    assert proc.returncode == 0, proc.stderr
    return [(a["issuer"], a["label"]) for a in json.loads(proc.stdout)]


def one_line_error(proc, *words):
    assert proc.returncode != 0, proc.stdout
    assert "Traceback" not in proc.stdout + proc.stderr
    lines = proc.stderr.splitlines()
    assert len(lines) == 1 and lines[0].startswith("totpfob: "), proc.stderr
    for word in words:
        assert word in lines[0], lines[0]


def show_code(token, label, issuer) -> dict:
    """Press A until the token shows this account; its latest screen."""
    screen = token.show(label, issuer, presses=12)
    assert screen is not None, "the token never showed %s:%s" % (issuer, label)
    return screen


def assert_codes(token, accounts):
    for key, label, issuer, algorithm, digits, period in accounts:
        screen = show_code(token, label, issuer)
        assert screen["code"] in pyotp_codes(key, screen["t"], algorithm, digits, period), (label, screen)


@pytest.fixture(scope="module")
def password_file(tmp_path_factory):
    path = tmp_path_factory.mktemp("pw") / "password.txt"
    path.write_text(PASSWORD + "\n", encoding="utf-8")
    return str(path)


@contextmanager
def started(workdir):
    """A virtual token, up and answering, stopped at the end."""
    token = VirtualToken(workdir)
    try:
        yield token.start()
    finally:
        token.stop()


@pytest.fixture
def token(tmp_path):
    with started(tmp_path / "token") as one:
        yield one


def write(tmp_path, name, blob) -> str:
    path = tmp_path / name
    path.write_bytes(blob)
    return str(path)


def test_an_encrypted_aegis_export_lands_with_pyotps_codes(token, tmp_path, password_file):
    items = [enc.aegis_entry(*account) for account in ACCOUNTS]
    items.append(enc.aegis_entry(HOTP_KEY, "counter", "Bank", kind="hotp"))
    export = write(tmp_path, "aegis-export.json", enc.aegis_encrypted(enc.aegis_db(items), PASSWORD))
    proc = run(token, "import", "--yes", "--password-file", password_file, export)
    assert proc.returncode == 0, proc.stderr
    assert "skip: a counter-based (HOTP) key" in proc.stdout
    assert "wrote 3 accounts" in proc.stdout and "code matches" in proc.stdout
    assert listed(token) == [(issuer, label) for _, label, issuer, *_ in ACCOUNTS]
    assert_codes(token, ACCOUNTS)


def test_preview_selection_duplicates_and_replace(token, tmp_path):
    run(token, "add", "--uri", enc.uri(OLD_KEY, "me", "Bank"))
    lines = [enc.uri(NEW_KEY, "me", "Bank"),  # on the token already, with another key
             enc.uri(UGY_KEY, "demo.user@ugyfelkapu.gov.hu", UGY),
             enc.uri(UGY_KEY, "demo.user@ugyfelkapu.gov.hu", UGY),  # twice in the export
             enc.uri(KEY_256, "james", "SPDX", "SHA256", 7, 20),
             enc.uri(HOTP_KEY, "counter", "Bank", kind="hotp")]
    export = write(tmp_path, "keys.txt", "\n".join(lines).encode())

    proc = run(token, "import", "--json", "--dry-run", export)
    assert proc.returncode == 0, proc.stderr
    rows = json.loads(proc.stdout)
    assert [(r["issuer"], r["label"], r["action"]) for r in rows] == [
        ("Bank", "me", "exists"), (UGY, "demo.user@ugyfelkapu.gov.hu", "add"),
        (UGY, "demo.user@ugyfelkapu.gov.hu", "skip"), ("SPDX", "james", "add"), ("Bank", "counter", "skip")]
    assert rows[3] == {"issuer": "SPDX", "label": "james", "algorithm": "sha256", "digits": 7, "period": 20,
                       "action": "add", "reason": ""}
    assert "HOTP" in rows[4]["reason"]
    assert listed(token) == [("Bank", "me")]  # a dry run writes nothing

    proc = run(token, "import", export)  # no terminal to confirm on
    one_line_error(proc, "--yes")
    assert listed(token) == [("Bank", "me")]

    proc = run(token, "import", "--yes", "--exclude", "spdx", export)
    assert proc.returncode == 0, proc.stderr
    assert listed(token) == [("Bank", "me"), (UGY, "demo.user@ugyfelkapu.gov.hu")]
    assert_codes(token, [(OLD_KEY, "me", "Bank", "SHA1", 6, 30)])  # left alone without --replace

    # A replaced key is allowed by the person holding the token (a 3 s hold of A), as `add --replace` is.
    proc = token.asked("import", "--yes", "--replace", "--only", "bank:", export, stdin=subprocess.DEVNULL)
    OUTPUTS.append(proc.stdout + proc.stderr)
    assert proc.returncode == 0, proc.stderr
    assert "hold its key A" in proc.stdout
    assert listed(token) == [("Bank", "me"), (UGY, "demo.user@ugyfelkapu.gov.hu")]
    assert_codes(token, [(NEW_KEY, "me", "Bank", "SHA1", 6, 30)])


@pytest.fixture(scope="module")
def stocked(tmp_path_factory):
    """One token holding one account, for the bad inputs (each must leave it as it is)."""
    with started(tmp_path_factory.mktemp("bad")) as one:
        run(one, "add", "--uri", enc.uri(OLD_KEY, "me", "Bank"))
        yield one


def bad_inputs(tmp_path) -> dict:
    aegis = enc.aegis_encrypted(enc.aegis_db([enc.aegis_entry(*ACCOUNTS[0])]), PASSWORD)
    doc = json.loads(aegis)
    sealed = bytearray(base64.b64decode(doc["db"]))
    sealed[-1] ^= 0x40
    doc["db"] = base64.b64encode(sealed).decode()
    part = [enc.ga_uri([enc.ga_account(KEY_256, "a%d" % i, "Batch")], index=i, size=3) for i in range(3)]
    many = "\n".join(enc.uri(KEY_256, "user%03d" % i, "Many") for i in range(200))
    return {
        "unknown": ([write(tmp_path, "notes.txt", b"Dear diary, today I changed phones.\n")], "not an export"),
        "corrupt protobuf": (["otpauth-migration://offline?data=CgoKBA%3D%3D"], "damaged"),
        "tampered": ([write(tmp_path, "tampered.json", json.dumps(doc).encode())], "changed or damaged"),
        "wrong password": ([write(tmp_path, "other.json", enc.aegis_encrypted(
            enc.aegis_db([enc.aegis_entry(*ACCOUNTS[0])]), "something else"))], "password"),
        "empty": ([write(tmp_path, "empty.2fas", enc.twofas([]))], "no accounts"),
        "missing part": ([part[0], part[2]], "part 2 of 3"),
        "doubled part": ([part[0], part[1], part[1], part[2]], "part 2 of 3"),
        "no qr": ([str(qrgen.no_code(tmp_path))], "no QR code"),
        "mixed qr": ([str(qrgen.two_codes(tmp_path, part[0], enc.uri(UGY_KEY, "x", "Y")))], "crop"),
        "full": ([write(tmp_path, "many.txt", many.encode())], "room for 99"),
        "no such file": ([str(tmp_path / "nothing-here.json")], "no such file"),
    }


@pytest.mark.parametrize("case", ["unknown", "corrupt protobuf", "tampered", "wrong password", "empty",
                                  "missing part", "doubled part", "no qr", "mixed qr", "full", "no such file"])
def test_bad_input_is_one_line_and_writes_nothing(stocked, tmp_path, password_file, case):
    sources, words = bad_inputs(tmp_path)[case]
    proc = run(stocked, "import", "--yes", "--password-file", password_file, *sources)
    one_line_error(proc, words)
    assert listed(stocked) == [("Bank", "me")]


def test_a_google_export_over_several_qr_pictures(token, tmp_path):
    accounts = [[enc.ga_account(UGY_KEY, "%s:demo.user@ugyfelkapu.gov.hu" % UGY, UGY)],
                [enc.ga_account(KEY_256, "james", "SPDX", "sha256", 8)]]
    pictures = [str(qrgen.small(tmp_path, enc.ga_uri(part, index=i, size=2), "part%d.png" % i))
                for i, part in enumerate(accounts)]
    one_line_error(run(token, "import", "--yes", pictures[1]), "part 1 of 2", "missing")
    proc = run(token, "import", "--yes", pictures[1], pictures[0])
    assert proc.returncode == 0, proc.stderr
    assert listed(token) == [(UGY, "demo.user@ugyfelkapu.gov.hu"), ("SPDX", "james")]
    assert_codes(token, [(UGY_KEY, "demo.user@ugyfelkapu.gov.hu", UGY, "SHA1", 6, 30),
                         (KEY_256, "james", "SPDX", "SHA256", 8, 30)])


def test_room_is_checked_on_every_token_before_any_write(tmp_path):
    with started(tmp_path / "a") as first, started(tmp_path / "b") as second:
        hundred = "\n".join(enc.uri(KEY_256, "user%03d" % i, "Many") for i in range(100))
        proc = run(second, "import", "--yes", write(tmp_path, "hundred.txt", hundred.encode()))
        assert proc.returncode == 0, proc.stderr
        assert len(listed(second)) == 100
        one = write(tmp_path, "one.txt", enc.uri(UGY_KEY, "x", "One").encode())
        proc = first.cli("--port", str(second.link), "import", "--yes", one, stdin=open(os.devnull))
        OUTPUTS.append(proc.stdout + proc.stderr)
        one_line_error(proc, "room for 0")
        assert listed(first) == []


def test_backup_round_trip_to_a_second_token(tmp_path, password_file):
    backup = tmp_path / "keys-backup.json"
    with started(tmp_path / "first") as first:
        proc = run(first, "add", "--uri", enc.uri(*ACCOUNTS[0]), "--backup", str(backup),
                   "--password-file", password_file)
        assert proc.returncode == 0, proc.stderr
        assert "created the encrypted backup" in proc.stdout and "whoever has this file" in proc.stdout
        assert stat.S_IMODE(backup.stat().st_mode) == 0o600
        export = write(tmp_path, "2fas.2fas", enc.twofas([enc.twofas_service(*a) for a in ACCOUNTS[1:]],
                                                         password=PASSWORD))
        proc = run(first, "import", "--yes", "--password-file", password_file, "--backup", str(backup), export)
        assert proc.returncode == 0, proc.stderr
        assert "added 2 accounts to the encrypted backup" in proc.stdout
        wrong = tmp_path / "wrong.txt"
        wrong.write_text("not the password\n")
        proc = run(first, "add", "--uri", enc.uri(OLD_KEY, "me", "Bank"), "--backup", str(backup),
                   "--password-file", str(wrong))
        one_line_error(proc, "password")
        assert ("Bank", "me") not in listed(first)  # the backup is opened before the token is touched

    raw = backup.read_bytes()
    assert not [form for secret in SECRETS for form in leak_forms(secret) if form.encode() in raw]  # encrypted
    # A second program reads it as Aegis does.
    db = enc.aegis_open(backup.read_bytes(), PASSWORD)
    assert [(e["issuer"], e["name"], e["type"], e["info"]["algo"], e["info"]["digits"], e["info"]["period"],
             e["info"]["secret"]) for e in db["entries"]] == \
        [(issuer, label, "totp", algorithm, digits, period, enc.b32(key))
         for key, label, issuer, algorithm, digits, period in ACCOUNTS]

    with started(tmp_path / "second") as second:
        proc = run(second, "import", "--yes", "--password-file", password_file, str(backup))
        assert proc.returncode == 0, proc.stderr
        assert listed(second) == [(issuer, label) for _, label, issuer, *_ in ACCOUNTS]
        assert_codes(second, ACCOUNTS)


def leak_forms(secret: bytes) -> list:
    padded = base64.b32encode(secret).decode()
    return [secret.hex(), padded.rstrip("="), padded.rstrip("=").lower(), repr(secret)]


def on_terminal(token, args, answers, timeout=60) -> tuple:
    """Run the CLI on a pseudo-terminal of its own (a person at the keyboard): each (prompt, answer) is typed
    when the prompt shows. (exit status, everything the terminal showed)."""
    import pty
    import select

    pid, fd = pty.fork()
    if pid == 0:  # the child: the pty is its controlling terminal, as a console is a person's
        os.environ["TZ"] = "UTC"
        os.execv(TOTPFOB, [TOTPFOB, "--port", str(token.link), *args])
    shown, pending, deadline = b"", list(answers), time.monotonic() + timeout
    while time.monotonic() < deadline:
        ready, _, _ = select.select([fd], [], [], 0.5)
        if ready:
            try:
                chunk = os.read(fd, 4096)
            except OSError:
                break  # the child closed the terminal
            if not chunk:
                break
            shown += chunk
        if pending and pending[0][0].encode() in shown:
            os.write(fd, pending.pop(0)[1].encode() + b"\r")
            shown += b"\n"
    _, status = os.waitpid(pid, 0)
    os.close(fd)
    text = shown.decode("utf-8", "replace")
    OUTPUTS.append(text)
    return os.waitstatus_to_exitcode(status), text


def test_questions_on_a_terminal(token, tmp_path):
    export = write(tmp_path, "keys.txt", enc.uri(UGY_KEY, "me", "Q").encode())
    backup = tmp_path / "backup.json"
    status, shown = on_terminal(token, ["import", export], [("[y/N]", "n")])
    assert status != 0 and "nothing was written" in shown
    assert listed(token) == []
    status, shown = on_terminal(token, ["import", "--backup", str(backup), export],
                                [("[y/N]", "y"), ("new password", "titok 1"), ("again", "titok 2")])
    assert status != 0 and "the two passwords differ" in shown
    assert listed(token) == [] and not backup.exists()
    status, shown = on_terminal(token, ["import", "--backup", str(backup), export],
                                [("[y/N]", "igen"), ("new password", "titok 1"), ("again", "titok 1")])
    assert status == 0, shown
    assert "titok" not in shown  # a password is not echoed
    assert listed(token) == [("Q", "me")]
    assert [e["name"] for e in enc.aegis_open(backup.read_bytes(), "titok 1")["entries"]] == ["me"]


@pytest.mark.parametrize("prompt, typed, status", [("[y/N]", "\x04", 2), ("[y/N]", "\x03", 130),
                                                    ("new password", "\x04", 2), ("new password", "\x03", 130)])
def test_ctrl_d_or_ctrl_c_at_a_question_changes_nothing(token, tmp_path, prompt, typed, status):
    export = write(tmp_path, "keys.txt", enc.uri(UGY_KEY, "me", "Q").encode())
    backup = tmp_path / "backup.json"
    answers = [("[y/N]", "y")] if prompt != "[y/N]" else []
    got, shown = on_terminal(token, ["import", "--backup", str(backup), export], answers + [(prompt, typed)])
    assert got == status, shown
    assert "nothing was changed" in shown and "Traceback" not in shown
    assert listed(token) == [] and not backup.exists()


def test_the_preview_shows_names_from_a_file_neutralised(token, tmp_path):
    uri = "otpauth://totp/Bank%1B%5B2J:me%E2%80%AE?secret=" + enc.b32(UGY_KEY)
    proc = run(token, "import", "--dry-run", write(tmp_path, "keys.txt", uri.encode()))
    assert proc.returncode == 0, proc.stderr
    assert "\x1b" not in proc.stdout and "\u202e" not in proc.stdout
    assert "Bank\\x1b[2J" in proc.stdout and "me\\u202e" in proc.stdout


def test_a_backup_that_cannot_be_written_is_found_before_the_token_is(token, tmp_path, password_file):
    proc = run(token, "add", "--uri", enc.uri(*ACCOUNTS[0]), "--backup", str(tmp_path / "gone" / "backup.json"),
               "--password-file", password_file)
    one_line_error(proc, "cannot be written", "nothing was changed")
    assert listed(token) == []


def test_a_closed_pipe_fails_a_writing_command_but_not_a_reading_one(token):
    def piped(*args):
        reader, writer = os.pipe()
        os.close(reader)  # the reader is gone before a word is written (`| head -0`)
        try:
            return subprocess.run([TOTPFOB, "--port", str(token.link), *args], stdout=writer,
                                  stderr=subprocess.PIPE, stdin=subprocess.DEVNULL, text=True, timeout=60,
                                  env=dict(os.environ, TZ="UTC"))
        finally:
            os.close(writer)

    proc = piped("add", "--uri", enc.uri(UGY_KEY, "me", "Pipe"))
    assert proc.returncode != 0
    assert proc.stderr.count("\n") == 1 and "the output was cut off" in proc.stderr, proc.stderr
    assert listed(token) == [("Pipe", "me")]
    assert piped("list").returncode == 0


def test_an_add_in_flight_when_the_import_stopped_is_asked_about(token):
    from totpfob.account import Account
    from totpfob.link import Link
    from totpfob.ops import imports
    from totpfob.token import Token

    account = Account("me", "Flight", UGY_KEY)
    run(token, "add", "--uri", enc.uri(UGY_KEY, "me", "Flight"))  # the ADD reached the token, its answer did not
    port = str(token.link)
    tokens = [imports.OnToken(port, frozenset(), 10)]
    for stored, expected in ((True, "written before it stopped: 1 of 1 on %s" % port),
                             (False, "nothing was written")):
        if not stored:
            account = Account("other", "Flight", UGY_KEY)
        done = imports.Imported(written={port: []})
        with Link(port) as link:
            said = imports._so_far(tokens, {port: [account]}, done, (Token(link), port, account, False))
        assert said.startswith(expected), said


def test_no_key_was_printed(tmp_path, password_file):
    """Everything this file's tests printed, and (so the test stands alone) the commands that handle keys."""
    with started(tmp_path / "own") as own:
        export = write(tmp_path, "keys.txt", "\n".join(enc.uri(*a) for a in ACCOUNTS).encode())
        outputs = [run(own, "import", "--yes", export), run(own, "import", "--dry-run", export),
                   run(own, "add", "--uri", enc.uri(OLD_KEY, "me", "Bank")),
                   run(own, "add", "--secret", enc.b32(NEW_KEY), "--label", "me", "--issuer", "Bank"),
                   run(own, "add", "--secret", enc.b32(NEW_KEY), "--label", "x", "--digits", "3"),
                   run(own, "list"), run(own, "info")]
    assert all(proc.stdout + proc.stderr for proc in outputs)
    for output in OUTPUTS:
        for secret in SECRETS:
            for form in leak_forms(secret):
                assert form not in output, output
