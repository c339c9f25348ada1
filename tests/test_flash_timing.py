"""A token whose flash is as slow as the slowest real one (`totpfob sim --flash-timing worst`: every erase and
program at its datasheet maximum) still never makes totpfob report a failure for a change it made: each command
ends with the truth (exit 0 when it was applied; a clear line when not), a command that meets a busy token
waits for it, and a power cut in the middle of a slow operation leaves the old or the new accounts.

The token holds 90 to 100 long accounts (a vault of some 20 KiB: seconds to write at worst). Its flash is 384 KiB
(--flash-blocks) rather than a board's 2 MiB, so that the erase after a delete or a wipe scrubs ~50 free blocks
(~25 s at worst) rather than ~500 (~4 min); the per-operation timing is the board's.
"""

import base64
import hashlib
import json
import shutil
import signal
import subprocess
import time

import pytest
from totpfob.sim.harness import totpfob
from virtual_token import VirtualToken

BLOCKS = "--flash-blocks=96"
BASE = 90  # long accounts on the token at the start of each test


def long_account(i: int) -> tuple:
    """(issuer, label, key) of the longest account the token holds: 64-byte issuer and label, 64-byte key."""
    issuer = ("Issuer %02d " % i).ljust(64, "i")
    label = ("user%02d@" % i).ljust(60, "l") + ".hu"
    key = hashlib.sha512(b"key %d" % i).digest()  # unlike any other: a piece found on the flash is this key's
    return issuer, label, key


def typed(key: bytes) -> str:
    return base64.b32encode(key).decode().rstrip("=")


def uri(i: int) -> str:
    issuer, label, key = long_account(i)
    return "otpauth://totp/%s:%s?secret=%s&issuer=%s" % (issuer.replace(" ", "%20"), label, typed(key),
                                                        issuer.replace(" ", "%20"))


def listed(token: VirtualToken) -> list:
    proc = token.cli("list", "--json", timeout=600)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    return [entry["label"] for entry in json.loads(proc.stdout)]


def on_flash(token: VirtualToken, key: bytes) -> bool:
    """Whether the flash image holds the key, or any 16-byte piece of it."""
    image = (token.state / "flash.img").read_bytes()
    return any(key[at:at + 16] in image for at in range(0, len(key) - 15, 8))


@pytest.fixture(scope="module")
def base_state(tmp_path_factory):
    """A token's state (flash image, RTC) holding BASE long accounts, written at no flash timing (fast)."""
    work = tmp_path_factory.mktemp("flash-timing-base")
    token = VirtualToken(work, BLOCKS, flash_timing="none")
    token.start(timeout=60)
    try:
        (work / "accounts.txt").write_text("".join(uri(i) + "\n" for i in range(BASE)))
        proc = token.cli("import", str(work / "accounts.txt"), "--yes", timeout=600)
        assert proc.returncode == 0, proc.stdout + proc.stderr
        assert len(listed(token)) == BASE
    finally:
        token.stop()
    return work / "state"


@pytest.fixture
def token(tmp_path, base_state):
    shutil.copytree(base_state, tmp_path / "state")
    token = VirtualToken(tmp_path, BLOCKS, flash_timing="worst")
    token.start(timeout=300)
    yield token
    token.stop()


def test_an_import_add_rename_and_time_sync_on_a_full_slow_token_end_with_exit_0(token, tmp_path):
    """Each write rewrites the whole vault (~20 KiB, seconds at worst): the token says how far it is, the host
    shows it and waits; every command ends with exit 0 and the token holds what it said."""
    (tmp_path / "more.txt").write_text("".join(uri(i) + "\n" for i in range(BASE, 99)))
    proc = token.cli("import", str(tmp_path / "more.txt"), "--yes", timeout=600)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert "writing account 1 of 9" in proc.stderr  # the import said how far it was (a log: every 5 s)
    issuer, label, key = long_account(99)
    proc = token.cli("add", "--secret", typed(key), "--issuer", issuer, "--label", label, timeout=600)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert "its code matches this computer's" in proc.stdout  # the token computes this computer's code
    assert "the token is writing its accounts to its flash" in proc.stderr  # seconds: shown as they pass
    assert len(listed(token)) == 100

    renamed = "renamed@example.hu"
    proc = token.asked("rename", long_account(5)[1], renamed, timeout=600)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    labels = listed(token)
    assert renamed in labels and long_account(5)[1] not in labels and len(labels) == 100

    proc = token.cli("time", "sync", timeout=600)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    status = token.cli("time", "status", timeout=600)
    assert status.returncode == 0 and "lost" not in status.stdout, status.stdout + status.stderr


def test_a_replace_and_a_delete_with_their_erase_end_with_exit_0_and_the_key_gone(token):
    issuer, label, old_key = long_account(3)
    new_key = hashlib.sha512(b"new key").digest()
    proc = token.asked("add", "--replace", "--secret", typed(new_key), "--issuer", issuer, "--label", label,
                       timeout=600)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert "replaced" in proc.stdout and "its code matches this computer's" in proc.stdout
    assert "erasing the freed flash" in proc.stderr  # the token's progress, shown
    assert not on_flash(token, old_key)
    time.sleep(1)  # the person lets go of A before the next question

    gone = long_account(7)
    proc = token.asked("delete", "--yes", gone[1], timeout=600)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    labels = listed(token)
    assert gone[1] not in labels and label in labels and len(labels) == BASE - 1
    assert not on_flash(token, gone[2])


def test_a_wipe_with_its_scrub_ends_with_exit_0_and_no_key_on_the_flash(token):
    proc = token.asked("wipe", "--yes", timeout=900)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert listed(token) == []
    assert not any(on_flash(token, long_account(i)[2]) for i in range(BASE))


def test_two_commands_for_one_busy_token_both_end_with_the_truth(token):
    """A second totpfob waits for the first to let go of the port; one that comes while the token still erases
    after a Ctrl-C'd wipe is told "busy" by the token and asks again until it can: neither fails."""
    deleted = long_account(1)[1]
    first = subprocess.Popen(totpfob() + ["--port", str(token.link), "delete", "--yes", deleted],
                             stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    asked = time.time()
    assert token.find_screen(lambda s: s["screen"] == "confirm", 30, after=asked) is not None  # it has the port
    second = subprocess.Popen(totpfob() + ["--port", str(token.link), "list", "--json"], stdout=subprocess.PIPE,
                              stderr=subprocess.PIPE, text=True)
    time.sleep(1)
    token.press("A hold 3.5")
    out, err = first.communicate(timeout=600)
    listing, waited = second.communicate(timeout=600)
    assert first.returncode == 0, out + err
    assert second.returncode == 0, listing + waited
    assert "in use by another totpfob; waiting" in waited
    assert deleted not in [entry["label"] for entry in json.loads(listing)]  # it ran after the delete

    time.sleep(1)
    wipe = subprocess.Popen(totpfob() + ["--port", str(token.link), "wipe", "--yes"], stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, text=True)
    asked = time.time()
    assert token.find_screen(lambda s: s["screen"] == "confirm", 30, after=asked) is not None
    token.press("A hold 3.5")
    assert token.find_screen(lambda s: s["screen"] == "erasing", 30, after=asked) is not None
    time.sleep(3)  # the vault is written; the erase goes on
    wipe.send_signal(signal.SIGINT)
    out, err = wipe.communicate(timeout=60)
    assert wipe.returncode != 0 and "every account was deleted" in out + err, out + err
    assert "Traceback" not in err
    busy = token.cli("list", "--json", timeout=600)  # the token is still erasing: it answers "busy"
    assert busy.returncode == 0, busy.stdout + busy.stderr
    assert json.loads(busy.stdout) == []
    assert "busy with another request" in busy.stderr


def test_power_cuts_during_slow_writes_and_erases_leave_the_old_or_the_new_accounts(token):
    before = listed(token)
    issuer, label, key = long_account(95)
    add = subprocess.Popen(totpfob() + ["--port", str(token.link), "add", "--secret", typed(key), "--issuer",
                                        issuer, "--label", label], stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                           text=True)
    said = add.stderr.readline()  # the first progress line: the vault has been written for half a second
    assert "writing its accounts" in said, said
    token.kill9()
    out, err = add.communicate(timeout=120)
    err = said + err
    assert add.returncode != 0 and "Traceback" not in err, out + err
    token.start(timeout=300)
    after = listed(token)
    assert after in (before, before + [label]), after[-3:]
    if after == before:
        assert "was stored" not in out + err, out + err  # it did not claim a change it did not make

    gone = long_account(2)
    delete = subprocess.Popen(totpfob() + ["--port", str(token.link), "delete", "--yes", gone[1]],
                              stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    asked = time.time()
    assert token.find_screen(lambda s: s["screen"] == "confirm", 30, after=asked) is not None
    token.press("A hold 3.5")
    assert token.find_screen(lambda s: s["screen"] == "erasing", 30, after=asked) is not None
    time.sleep(4)  # in the middle of the erase
    token.kill9()
    delete.communicate(timeout=120)
    token.start(timeout=300)  # the erase a power cut interrupted is finished at power-on, saying so
    proc = token.cli("list", "--json", timeout=600)  # meanwhile the token answers "busy": asked again, no failure
    assert proc.returncode == 0 and "busy with another request" in proc.stderr, proc.stdout + proc.stderr
    labels = [entry["label"] for entry in json.loads(proc.stdout)]
    assert gone[1] not in labels and len(labels) == len(after) - 1
    assert not on_flash(token, gone[2])
