"""No habit gives the token away: maintenance (the REPL, which can read every key) and whatever destroys or moves
something (wipe, delete, rename, replace, a clock jump) happen only when the person holding the token holds A for
3 s while it asks. A short press of any key, or nobody answering, refuses and changes nothing; an allowed
maintenance closes again after a minute without traffic; a board that fails before the token runs keeps the REPL
closed. All on the virtual token, through the real CLI, mpremote and the control FIFO."""

import json
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest
from totpfob.link import DeviceError, Link, wire
from totpfob.sim.config import REPL_IDLE_S, SimConfig
from totpfob.token import Token
from virtual_token import VirtualToken

MPREMOTE = str(Path(sys.executable).parent / "mpremote")
KEY = "JBSWY3DPEHPK3PXP"
REFUSED = "refused on the token (a short press, or nobody held A for 3 s in time): nothing was changed"
QUESTION = "confirm on the token: hold its key A for 3 s"


def repl_answers(vt: VirtualToken) -> bool:
    """Whether mpremote reaches a Python prompt on the token's port and runs code there."""
    try:
        proc = subprocess.run([MPREMOTE, "connect", str(vt.link), "resume", "exec", "print(6 * 7)"],
                              capture_output=True, text=True, timeout=20)
    except subprocess.TimeoutExpired:
        return False
    return proc.returncode == 0 and "42" in proc.stdout


def ask_maintenance(vt: VirtualToken) -> tuple:
    """Any program on the PC asking for maintenance (as `totpfob deploy` does): (thread, outcome list)."""
    outcome: list = []

    def program():
        try:
            with Link(str(vt.link)) as link:
                Token(link).maintenance()
            outcome.append("allowed")
        except DeviceError as exc:
            outcome.append(exc.code)

    thread = threading.Thread(target=program, daemon=True)
    asked = time.time()
    thread.start()
    vt.wait_screen(lambda s: s["screen"] == "maintenance", timeout=20, after=asked)
    return thread, outcome


def names(vt: VirtualToken) -> list:
    return [a["label"] for a in json.loads(vt.cli("list", "--json", check=True).stdout)]


@pytest.fixture
def token(tmp_path):
    # The gesture and its answers, not the flash: no half minute of erasing after each allowed delete or wipe
    # (tests/test_erase.py and tests/test_flash_timing.py run those at a real flash's speed).
    vt = VirtualToken(tmp_path, "--repl-idle=5", flash_timing="none").start()
    vt.cli("add", "--secret", KEY, "--label", "alice", check=True)
    vt.cli("add", "--secret", KEY, "--label", "bob", check=True)
    yield vt
    vt.stop()


@pytest.mark.parametrize("press", ["A", "B", "A long"])
def test_the_habitual_press_refuses_maintenance_and_the_repl_stays_closed(token, press):
    thread, outcome = ask_maintenance(token)
    token.press(press)
    thread.join(15)
    assert outcome == [wire.E_DENIED]
    assert not repl_answers(token)
    assert names(token) == ["alice", "bob"]  # the token goes on as a token


def test_the_hold_allows_maintenance_and_a_minute_without_traffic_closes_it(token):
    thread, outcome = ask_maintenance(token)
    shown = [s for s in token.screens() if s["screen"] == "maintenance"][-1]
    assert shown["lines"][-2:] == ["Hold A 3 s", "30 s"]  # the question counts down
    token.press("A hold 3.5")
    thread.join(15)
    assert outcome == ["allowed"]
    assert repl_answers(token)
    # The host goes quiet: after the (here shortened) idle time the token boots back to its codes.
    quiet = time.time()
    token.wait_screen(lambda s: s["screen"] == "code", timeout=30, after=quiet)
    assert names(token) == ["alice", "bob"]
    assert not repl_answers(token)


def test_an_allowed_maintenance_closes_after_60_s_by_default():
    assert REPL_IDLE_S == 60
    assert SimConfig().repl_idle is None  # the simulator without --repl-idle uses REPL_IDLE_S
    board = (Path(__file__).parents[1] / "firmware" / "esp32board.py").read_text()
    assert "_REPL_IDLE_MS = const(60000)" in board  # and a board closes its REPL after the same minute


def test_nobody_answering_refuses_maintenance(token):
    thread, outcome = ask_maintenance(token)
    thread.join(45)
    assert outcome == [wire.E_DENIED]
    assert not repl_answers(token)


def test_a_board_whose_setup_fails_keeps_the_repl_closed(tmp_path):
    vt = VirtualToken(tmp_path, "--fail-setup")
    vt.launch()
    try:
        vt.wait_link(20)
        time.sleep(2)  # the firmware has long failed by now
        assert not repl_answers(vt)
        vt.check_running()  # the token is stuck showing its error, not restarting in a loop
        for ctrl in (b"\x03", b"\x01", b"\x02", b"\x04", b"\x05"):  # Ctrl-C/A/B/D/E do not open it either
            with open(vt.link, "wb", buffering=0) as port:
                port.write(ctrl * 3)
        assert not repl_answers(vt)
    finally:
        vt.stop()


CHANGES = {
    "wipe": (["wipe", "--yes"], "Wipe all 2"),
    "delete": (["delete", "--yes", "alice"], "Delete"),
    "rename": (["rename", "alice", "carol"], "Rename"),
    "replace": (["add", "--replace", "--secret", "JBSWY3DPEHPK3PXQ", "--label", "alice"], "Replace key of"),
}


def delete_takes_yes(vt: VirtualToken) -> list:
    """`delete --yes` where this totpfob has it (the host asks too), else plain `delete`."""
    return [] if "--yes" in vt.cli("delete", "--help").stdout else ["--yes"]


def command(vt: VirtualToken, name: str) -> list:
    args = CHANGES[name][0]
    return [a for a in args if a not in delete_takes_yes(vt)] if name == "delete" else args


@pytest.mark.parametrize("name", sorted(CHANGES))
@pytest.mark.parametrize("answer", ["A", "B"])
def test_a_short_press_refuses_what_destroys_and_nothing_changes(token, name, answer):
    before = token.cli("list", "--json", check=True).stdout
    proc = token.asked(*command(token, name), answer=answer)
    assert proc.returncode != 0 and "Traceback" not in proc.stderr
    assert proc.stderr.strip() == "totpfob: " + REFUSED
    assert QUESTION in proc.stdout
    question = [s for s in token.screens() if s["screen"] == "confirm"][-1]["lines"]
    assert question[0].startswith(CHANGES[name][1]) and question[-2] == "Hold A 3 s"
    assert token.cli("list", "--json", check=True).stdout == before


def test_nobody_answering_refuses_a_wipe(token):
    proc = token.asked("wipe", "--yes", answer=None)
    assert proc.stderr.strip() == "totpfob: " + REFUSED
    assert names(token) == ["alice", "bob"]


@pytest.mark.parametrize("name", sorted(CHANGES))
def test_the_hold_allows_what_destroys(token, name):
    proc = token.asked(*command(token, name))
    assert proc.returncode == 0, proc.stderr
    assert QUESTION in proc.stdout
    expected = {"wipe": [], "delete": ["bob"], "rename": ["carol", "bob"], "replace": ["alice", "bob"]}[name]
    assert names(token) == expected


def test_a_new_account_needs_no_press(token):
    asked = time.time()
    token.cli("add", "--secret", KEY, "--label", "carol", check=True)
    assert token.find_screen(lambda s: s["screen"] == "confirm", 0.5, after=asked) is None


def offset(vt: VirtualToken) -> float:
    return json.loads(vt.cli("time", "status", "--json", check=True).stdout)["offset_s"]


def test_a_clock_jump_on_a_valid_clock_needs_the_hold(tmp_path):
    vt = VirtualToken(tmp_path, "--rtc-offset=600").start()
    try:
        assert 599 < offset(vt) < 601
        refused = vt.asked("time", "sync", answer="A")
        assert refused.stderr.strip() == "totpfob: " + REFUSED
        assert 599 < offset(vt) < 601  # unchanged
        question = [s for s in vt.screens() if s["screen"] == "confirm"][-1]["lines"]
        assert question[:2] == ["Move the clock", "by -10 min?"]
        allowed = vt.asked("time", "sync")
        assert allowed.returncode == 0, allowed.stderr
        assert abs(offset(vt)) < 1.0
    finally:
        vt.stop()


def test_a_lost_clock_is_set_without_a_press(tmp_path):
    vt = VirtualToken(tmp_path, "--rtc-lost").start()
    try:
        asked = time.time()
        vt.cli("time", "sync", check=True)
        assert abs(offset(vt)) < 1.0
        assert vt.find_screen(lambda s: s["screen"] == "confirm", 0.5, after=asked) is None
    finally:
        vt.stop()
