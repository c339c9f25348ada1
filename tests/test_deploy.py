"""`totpfob deploy` onto the virtual token, through real mpremote.

What a user relies on: a freshly flashed board (the REPL on its port) gets the firmware and boots it; the token
then computes the codes every authenticator does, also after a power cycle; deploying again to a running token
needs a 3 s hold of its A button (a press refuses), copies nothing that is already there and keeps the accounts; a refusal or a dead
port is one line, never a traceback.
"""

import base64
import os
import subprocess
import sys
import threading
import time
from pathlib import Path

import reference
from totpfob.build import compile_mpy, firmware_files
from virtual_token import TOTPFOB, VirtualToken

os.environ["TZ"] = "UTC"  # pyotp's TOTP.at() goes through local time
time.tzset()

MPREMOTE = str(Path(sys.executable).parent / "mpremote")
KEY = bytes.fromhex("9f3c51d0a2b8e4476c15")  # 80 bits, like Ügyfélkapu+
LABEL = "deployed@example.com"


def assert_code_right(screen: dict) -> None:
    """The screen shows pyotp's code for the second it was drawn in (the countdown fixes that second)."""
    assert screen["screen"] == "code" and screen["account"] == LABEL, screen
    phase = (30 - screen["remaining"]) % 30
    second = phase + 30 * round((screen["t"] - phase) / 30)
    assert -0.5 <= screen["t"] - second <= 2.0, "the token's clock is off: %r" % screen
    assert screen["code"] == reference.code(KEY, second), screen


def flash_names() -> list:
    """What the board should hold after a deploy, as deploy names the files."""
    return [t if t == "main.py" else t[:-3] + ".mpy" for _, t in firmware_files("sim")]


def press_when_asked(vt: VirtualToken, button: str, since: float) -> threading.Thread:
    """A person who presses `button` once the token shows its maintenance question."""
    def person():
        vt.wait_screen(lambda s: s["screen"] == "maintenance", timeout=30, after=since)
        vt.press(button)
    thread = threading.Thread(target=person, daemon=True)
    thread.start()
    return thread


def one_line_error(proc: subprocess.CompletedProcess) -> str:
    assert proc.returncode != 0, proc.stdout
    assert "Traceback" not in proc.stdout + proc.stderr
    assert proc.stderr.count("\n") == 1 and proc.stderr.startswith("totpfob: "), proc.stderr
    return proc.stderr


def test_deploy_to_a_fresh_board_then_again_to_the_running_token(tmp_path):
    vt = VirtualToken(tmp_path / "sim")
    try:
        vt.start("--blank")
        # What an earlier, half-finished install might have left: one module already right, and a source file
        # that would shadow the new precompiled module (this one would make every code wrong).
        wire_mpy = dict((t, s) for s, t in compile_mpy(firmware_files("sim"), tmp_path / "build"))["wire.mpy"]
        stale = tmp_path / "otp.py"
        stale.write_text("def totp(*args, **kw):\n    return '000000'\n")
        for source, target in ((wire_mpy, "wire.mpy"), (stale, "otp.py")):
            subprocess.run([MPREMOTE, "connect", str(vt.link), "resume", "fs", "cp", str(source), ":" + target],
                           check=True, capture_output=True, timeout=30)

        started = time.time()
        first = vt.cli("deploy", "--board", "sim", check=True)
        lines = first.stdout.splitlines()
        assert "  up to date  wire.mpy" in lines
        assert "  removed     otp.py (replaced by otp.mpy)" in lines
        assert sorted(line.split()[1] for line in lines if line.startswith("  copied ")) == \
            sorted(n for n in flash_names() if n != "wire.mpy")
        vt.wait_screen(lambda s: s["screen"] == "empty", timeout=15, after=started)

        vt.cli("add", "--secret", base64.b32encode(KEY).decode(), "--label", LABEL, check=True)
        added = time.time()
        assert_code_right(vt.wait_screen(lambda s: s["screen"] == "code", after=added))

        vt.stop()
        restarted = time.time()
        vt.start("--keep")
        assert_code_right(vt.wait_screen(lambda s: s["screen"] == "code", after=restarted))

        asked = time.time()
        press_when_asked(vt, "B", asked)
        refused = vt.cli("deploy", "--board", "sim")
        assert "Hold key A on the token for 3 s" in refused.stdout
        assert "refused" in one_line_error(refused)
        assert LABEL in vt.cli("list", check=True).stdout  # still the running token, unchanged

        asked = time.time()
        person = press_when_asked(vt, "A hold 3.5", asked)
        again = vt.cli("deploy", "--board", "sim", check=True)
        person.join(1)
        lines = again.stdout.splitlines()
        current = sorted(line.split()[-1] for line in lines if line.startswith("  up to date "))
        assert current == sorted(flash_names()), again.stdout  # (fails too if a source file changed meanwhile)
        assert not [line for line in lines if line.startswith(("  copied", "  removed"))], again.stdout
        assert_code_right(vt.wait_screen(lambda s: s["screen"] == "code", timeout=15, after=asked + 0.5))
        assert LABEL in vt.cli("list", check=True).stdout
    finally:
        vt.stop()


def test_deploy_to_a_port_where_nothing_answers_is_one_line(tmp_path):
    controller, silent = os.openpty()  # a serial line with nobody on the other end
    try:
        proc = subprocess.run([TOTPFOB, "deploy", "--board", "sim", "--port", os.ttyname(silent)],
                              capture_output=True, text=True, timeout=60)
    finally:
        os.close(silent)
        os.close(controller)
    assert "nothing answers" in one_line_error(proc)


def test_deploy_of_an_unknown_board_is_one_line():
    proc = subprocess.run([TOTPFOB, "deploy", "--board", "no_such_board", "--port", "/dev/null"],
                          capture_output=True, text=True, timeout=60)
    error = one_line_error(proc)
    assert "unknown board 'no_such_board'" in error and "sim" in error

