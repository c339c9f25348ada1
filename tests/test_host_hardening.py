"""The host tool under stress (issue 12): adding to several tokens is all or nothing; a token that vanishes, a
Ctrl-C at any moment or a reader that stops reading never gives a traceback, and what the tool then says about
the token is true (checked with `list` afterwards); port trouble is said in plain words.

Everything runs against virtual tokens through the real `totpfob` command line (the harness' VirtualToken).
"""

import json
import os
import signal
import subprocess
import threading
import time

import pytest
from on_terminal import answered
from totpfob import ops, otpauth
from totpfob.errors import UserError
from totpfob.link import Link
from totpfob.sim.harness import totpfob
from virtual_token import VirtualToken

KEY = "JBSWY3DPEHPK3PXP"


@pytest.fixture
def make_token(request, tmp_path):
    made = []

    def make(*flags: str) -> VirtualToken:
        vt = VirtualToken(tmp_path / ("sim%d" % len(made)), *flags, snapshot=False)
        made.append(vt)
        request.addfinalizer(vt.stop)
        return vt.start().answer_questions()
    return make


def labels(vt: VirtualToken) -> list:
    proc = vt.cli("list", "--json", check=True)
    return [entry["label"] for entry in json.loads(proc.stdout)]


def run(ports: list, *args: str, **kw) -> subprocess.CompletedProcess:
    argv = totpfob()
    for port in ports:
        argv += ["--port", str(port)]
    return subprocess.run(argv + list(args), capture_output=True, text=True, timeout=120,
                          env=dict(os.environ, TZ="UTC"), **kw)


def one_line(proc: subprocess.CompletedProcess) -> str:
    """The single line on stderr of a failed command (no traceback)."""
    assert "Traceback" not in proc.stderr and "Exception ignored" not in proc.stderr, proc.stderr
    lines = proc.stderr.strip().splitlines()
    assert len(lines) == 1, proc.stderr
    return lines[0]


# --- all or nothing across --port ------------------------------------------------------------------------------

def test_a_missing_second_port_leaves_the_first_token_unchanged(make_token, tmp_path):
    first = make_token()
    proc = run([first.link, tmp_path / "nope"], "add", "--secret", KEY, "--label", "alice")
    assert proc.returncode == 2
    said = one_line(proc)
    assert "there is no port %s" % (tmp_path / "nope") in said and "nothing was written" in said
    assert "code now" not in proc.stdout
    assert labels(first) == []


def test_the_account_already_on_the_second_token_leaves_the_first_unchanged(make_token):
    first, second = make_token(), make_token()
    second.cli("add", "--secret", KEY, "--label", "alice", check=True)
    proc = run([first.link, second.link], "add", "--secret", KEY, "--label", "alice")
    assert proc.returncode == 2
    said = one_line(proc)
    assert "%s already has alice" % second.link in said and "nothing was written to any token" in said
    assert labels(first) == [] and labels(second) == ["alice"]


def test_the_same_token_named_twice_is_refused(make_token, tmp_path):
    token = make_token()
    alias = tmp_path / "alias"
    alias.symlink_to(os.path.realpath(token.link))
    for ports in ([token.link, token.link], [token.link, alias]):
        proc = run(ports, "add", "--secret", KEY, "--label", "alice")
        assert proc.returncode == 2 and "name each token once" in one_line(proc)
    assert labels(token) == []


def test_both_tokens_get_it_and_replace_says_replaced(make_token):
    first, second = make_token(), make_token()
    proc = run([first.link, second.link], "add", "--secret", KEY, "--label", "alice")
    assert proc.returncode == 0, proc.stderr
    assert labels(first) == labels(second) == ["alice"]
    proc = run([first.link, second.link], "add", "--secret", "GEZDGNBVGY3TQOJQ", "--label", "alice", "--replace")
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.count("replaced alice on the token on") == 2 and "added alice" not in proc.stdout


def test_a_token_lost_midway_names_what_each_token_holds(make_token):
    """The second token dies after both were checked, before its write: the first holds the account, and the
    message says so, and that the second does not."""
    first, second = make_token(), make_token()
    ports = [str(first.link), str(second.link)]

    def note(text: str) -> None:
        if text.startswith("added alice to the token on %s" % first.link):
            second.kill9()

    with pytest.raises(UserError) as failed:
        ops.add(ports, otpauth.from_secret(KEY, "alice"), note=note)
    said = str(failed.value)
    assert "alice was stored on %s" % first.link in said
    assert "it was not stored on %s" % second.link in said
    assert labels(first) == ["alice"]


# --- no traceback, no lie ---------------------------------------------------------------------------------------

KILLS = [("add", after) for after in (0.04, 0.07, 0.09, 0.12)] + [
    ("time sync", after) for after in (0.1, 0.4, 0.8, 1.3, 1.9, 2.6)]


@pytest.mark.parametrize("command,after", KILLS)
def test_a_token_killed_during_a_request_is_one_line(make_token, command, after):
    """A power cut (kill -9 of the virtual token) at many points of an add and of a time sync (which talks for
    seconds): one line, never a traceback (the port's termios.error, OSError, SerialException)."""
    token = make_token()
    args = ["add", "--secret", KEY, "--label", "alice"] if command == "add" else ["time", "sync"]
    proc = subprocess.Popen(totpfob() + ["--port", str(token.link), *args],
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                            env=dict(os.environ, TZ="UTC"))
    time.sleep(after)
    token.kill9()
    out, err = proc.communicate(timeout=60)
    done = subprocess.CompletedProcess(proc.args, proc.returncode, out, err)
    if proc.returncode != 0:
        said = one_line(done)
        assert said.startswith("totpfob: ") and "Errno" not in said and "termios" not in said, said
    else:
        assert "Traceback" not in err


def interrupted_add(token: VirtualToken, label: str, after: float) -> subprocess.CompletedProcess:
    proc = subprocess.Popen(totpfob() + ["--port", str(token.link), "add", "--secret", KEY, "--label", label],
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                            env=dict(os.environ, TZ="UTC"))
    time.sleep(after)
    proc.send_signal(signal.SIGINT)
    out, err = proc.communicate(timeout=60)
    return subprocess.CompletedProcess(proc.args, proc.returncode, out, err)


def test_ctrl_c_at_any_point_of_add_says_the_truth(make_token):
    """SIGINT from 20 ms on (before that, CPython itself is starting and no program can catch it) to past the
    end of a whole add, in 24 steps: one line, exit 130, and what it says the token holds is what `list` shows."""
    token = make_token()
    started = time.monotonic()
    token.cli("add", "--secret", KEY, "--label", "probe", check=True)
    whole = time.monotonic() - started
    said_stored = said_not = 0
    for step, after in enumerate(0.02 + whole * 1.2 * k / 24 for k in range(24)):
        label = "user%02d" % step
        proc = interrupted_add(token, label, after)
        held = label in labels(token)
        if proc.returncode == 0:
            assert held, (after, proc.stdout)
            continue
        line = one_line(proc)
        assert proc.returncode == 130, (after, line)
        if "was stored" in line:
            assert held, (after, line)
            said_stored += 1
        elif "nothing was changed" in line or "not stored" in line:
            assert not held, (after, line)
            said_not += 1
        else:
            assert "unknown" in line and "totpfob" in line and "list" in line, (after, line)
    assert said_not > 0  # the early steps stop it before anything is sent


def test_a_reader_that_stops_reading_ends_it_quietly(make_token):
    """`totpfob list | head -1`: the pipe closes under the tool; no BrokenPipeError, no message."""
    token = make_token()
    for label in ("alice", "bob"):
        token.cli("add", "--secret", KEY, "--label", label, check=True)
    proc = subprocess.Popen(totpfob() + ["--port", str(token.link), "list"], stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, env=dict(os.environ, TZ="UTC"))
    proc.stdout.close()  # the reader is gone before the first line
    err = proc.stderr.read().decode()
    proc.wait(60)
    proc.stderr.close()
    assert err == "" and proc.returncode == 0
    shell = subprocess.run("%s --port %s list | head -1" % (" ".join(totpfob()), token.link), shell=True,
                           capture_output=True, text=True, timeout=60, env=dict(os.environ, TZ="UTC"))
    assert shell.stderr == "" and shell.stdout.count("\n") == 1


# --- port trouble in plain words --------------------------------------------------------------------------------

def test_port_trouble_in_plain_words(make_token, tmp_path):
    token = make_token()
    held = Link(str(token.link))  # another totpfob holds it for two seconds: this one waits, says so, goes on
    threading.Timer(2.0, held.close).start()
    busy = run([token.link], "list")
    assert busy.returncode == 0 and "Traceback" not in busy.stderr, busy.stderr
    assert "the token on %s is in use by another totpfob; waiting for it to finish" % token.link in busy.stderr
    not_serial = tmp_path / "notes.txt"
    not_serial.write_text("hello\n")
    for port, words in ((not_serial, "is not a serial port"), (tmp_path, "is not a serial port"),
                        (tmp_path / "ttyUSB9", "there is no port")):
        proc = run([port], "list")
        line = one_line(proc)
        assert words in line and "Errno" not in line and "ioctl" not in line, line


# --- delete asks ------------------------------------------------------------------------------------------------

def test_delete_from_a_script_needs_yes(make_token):
    token = make_token()
    token.cli("add", "--secret", KEY, "--label", "alice", check=True)
    proc = token.cli("delete", "alice")
    assert proc.returncode == 2 and "--yes" in one_line(proc)
    assert labels(token) == ["alice"]
    assert token.cli("delete", "--yes", "alice").returncode == 0
    assert labels(token) == []


def test_delete_on_a_terminal_asks_and_no_keeps_it(make_token):
    token = make_token()
    token.cli("add", "--secret", KEY, "--label", "alice", check=True)
    for answer, kept in ((b"n\n", True), (b"y\n", False)):
        said = answered(totpfob() + ["--port", str(token.link), "delete", "alice"], b"[y/N]", answer,
                        {"TZ": "UTC"})
        assert "Delete alice from the token for good? [y/N]" in said
        assert (labels(token) == ["alice"]) == kept, said
        assert ("nothing was deleted" in said) == kept
