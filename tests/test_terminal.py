"""`make demo` and `totpfob sim` as a person sees them: in a real terminal (tmux) of 80x24, 100x30 and 200x60.

What the screen holds is read back with tmux capture-pane (-J joins lines the terminal wrapped, so a line wider
than the terminal shows as one): nothing wider than the terminal, the label on screen, the code shown equal to
pyotp's, and a resize drawn again at the new size. Also the simulator's locks: one per --state and per --link,
a second refused in one line naming the first, and a lock left by kill -9 taken over.
"""

import base64
import os
import re
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import pytest
import reference
from totpfob.samples import DEMO_ISSUER, DEMO_KEY, DEMO_LABEL
from totpfob.sim import render
from virtual_token import TOTPFOB, VirtualToken

pytestmark = pytest.mark.skipif(shutil.which("tmux") is None,
                                reason="tmux is not installed (make system-packages)")

SIZES = [(80, 24), (100, 30), (200, 60)]
BRAILLE = re.compile("[\u2801-\u28ff]")
HALF_BLOCKS = re.compile("[\u2580\u2584\u2588]")


def codes_around(now: float, key: bytes = base64.b32decode(DEMO_KEY)) -> set:
    """pyotp's codes for the last few seconds (a screen drawn then may still stand)."""
    return reference.codes_around(key, now, back=3)


class Terminal:
    """One tmux server of its own with one window of a set size, running `command`."""

    def __init__(self, command: list, size: tuple, cwd: Path):
        self.dir = Path(tempfile.mkdtemp(prefix="tmux"))  # short: a socket path has ~100 characters
        self.base = ["tmux", "-u", "-S", str(self.dir / "s"), "-f", "/dev/null"]
        env = dict(os.environ, TZ="UTC", LANG="C.UTF-8", LC_ALL="C.UTF-8")
        self.tmux("new-session", "-d", "-s", "t", "-x", str(size[0]), "-y", str(size[1]),
                  "-c", str(cwd), *command, env=env)
        self.tmux("set-option", "-g", "remain-on-exit", "on")
        self.size = size

    def tmux(self, *args: str, env=None) -> str:
        return subprocess.run(self.base + list(args), capture_output=True, text=True, check=True, env=env,
                              timeout=30).stdout

    def lines(self) -> list:
        """The screen as it stands, wrapped lines joined back (trailing blanks dropped)."""
        return [line.rstrip() for line in self.tmux("capture-pane", "-p", "-J", "-t", "t").splitlines()]

    def resize(self, size: tuple) -> None:
        self.tmux("resize-window", "-t", "t", "-x", str(size[0]), "-y", str(size[1]))
        self.size = size

    def wait(self, predicate, timeout: float = 60) -> list:
        """The first capture for which predicate(lines) holds; an AssertionError showing the last one."""
        deadline = time.monotonic() + timeout
        while True:
            lines = self.lines()
            if predicate(lines):
                return lines
            if time.monotonic() > deadline:
                raise AssertionError("the terminal never showed it; last capture:\n" + "\n".join(lines))
            time.sleep(0.25)

    def send(self, *keys: str) -> None:
        self.tmux("send-keys", "-t", "t", *keys)

    def pane_dead(self) -> bool:
        return self.tmux("display-message", "-p", "-t", "t", "#{pane_dead}").strip() == "1"

    def close(self, *keys: str) -> None:
        """Stop the program with `keys` as a user would (it stops its token), then the tmux server."""
        try:
            if keys:
                self.send(*keys)
                deadline = time.monotonic() + 15
                while not self.pane_dead() and time.monotonic() < deadline:
                    time.sleep(0.2)
        finally:
            subprocess.run(self.base + ["kill-server"], capture_output=True, timeout=30)
            shutil.rmtree(self.dir, ignore_errors=True)


def fits(lines: list, size: tuple) -> bool:
    return all(render.cells(line) <= size[0] for line in lines) and len(lines) <= size[1]


def drawn_for(size: tuple, lines: list) -> bool:
    """The 128x64 display drawn as a terminal of `size` allows: half blocks when 130x34 and the text fit,
    braille otherwise (at 80x24 and 100x30)."""
    text = "\n".join(lines)
    framed = any(line.startswith("\u250c\u2500") for line in lines)
    if size[0] >= 130 and size[1] >= 40:
        return framed and bool(HALF_BLOCKS.search(text)) and not BRAILLE.search(text)
    return framed and bool(BRAILLE.search(text))


def demo_shows(lines: list) -> dict:
    """The demo's comparison lines, as {"token": code, "pyotp": code, "verdict": ...}, or {}."""
    text = "\n".join(lines)
    token = re.search(r"token shows\s+(\d{3}) (\d{3})", text)
    pyotp_line = re.search(r"pyotp says\s+(\d{3}) (\d{3})\s+(match|MISMATCH)", text)
    if not (token and pyotp_line):
        return {}
    return {"token": "".join(token.groups()), "pyotp": "".join(pyotp_line.groups()[:2]),
            "verdict": pyotp_line.group(3)}


@pytest.mark.parametrize("size", SIZES, ids=["%dx%d" % s for s in SIZES])
def test_the_demo_fits_the_terminal_shows_pyotps_code_and_redraws_on_a_resize(size, tmp_path):
    term = Terminal([sys.executable, "-m", "totpfob.demo"], size, tmp_path)
    try:
        lines = term.wait(lambda ls: bool(demo_shows(ls)) and drawn_for(size, ls), timeout=90)
        seen = time.time()
        assert fits(lines, size), "\n".join(lines)
        shown = demo_shows(lines)
        assert shown["token"] in codes_around(seen) and shown["verdict"] == "match", shown
        assert any(DEMO_LABEL in line for line in lines) and any(DEMO_ISSUER in line for line in lines)
        # Another size: the demo draws again for it, and nothing of the old drawing is left to wrap.
        other = SIZES[(SIZES.index(size) + 1) % len(SIZES)]
        term.resize(other)
        lines = term.wait(lambda ls: fits(ls, other) and drawn_for(other, ls) and bool(demo_shows(ls)), timeout=20)
        assert any(DEMO_LABEL in line for line in lines)
        assert demo_shows(lines)["token"] in codes_around(time.time())
    finally:
        term.close("C-c")


def test_a_terminal_too_small_for_any_drawing_says_how_to_see_it(tmp_path):
    term = Terminal([sys.executable, "-m", "totpfob.demo"], (60, 12), tmp_path)
    try:
        lines = term.wait(lambda ls: bool(demo_shows(ls)), timeout=90)
        assert fits(lines, (60, 12)), "\n".join(lines)
        assert lines[0].startswith("Make this terminal at least 34x")
        term.resize((80, 24))
        term.wait(lambda ls: drawn_for((80, 24), ls) and fits(ls, (80, 24)), timeout=20)
    finally:
        term.close("C-c")


@pytest.fixture
def sim_terminal(tmp_path):
    """`totpfob sim` (not headless) in an 80x24 tmux window, on a --state and --link a harness can take over,
    holding the demo account."""
    work = tmp_path / "token"
    work.mkdir()
    token = VirtualToken(work)  # for its paths and its CLI
    term = Terminal([TOTPFOB, "sim", "--state", str(token.state), "--link", str(token.link)], (80, 24), tmp_path)
    try:
        term.wait(lambda ls: token.link.exists() and any("empty" in line for line in ls), timeout=60)
        # The empty screen stands still: only the resize itself (SIGWINCH) can have it drawn again, larger.
        term.resize((200, 60))
        term.wait(lambda ls: drawn_for((200, 60), ls) and any("empty" in line for line in ls), timeout=20)
        term.resize((80, 24))
        token.cli("add", "--secret", DEMO_KEY, "--label", DEMO_LABEL, "--issuer", DEMO_ISSUER, check=True)
        yield term, token
    finally:
        term.close("q")


def sim_code(lines: list):
    match = re.search(r"code (\d{6})\s+(\d+) s left", "\n".join(lines))
    return match.group(1) if match else None


def test_the_simulator_fits_each_size_with_label_code_and_countdown_as_text(sim_terminal):
    term, _ = sim_terminal
    for size in SIZES + [SIZES[0]]:  # from 80x24 up, and back down
        term.resize(size)
        lines = term.wait(lambda ls, size=size: fits(ls, size) and drawn_for(size, ls) and bool(sim_code(ls)),
                          timeout=20)
        assert sim_code(lines) in codes_around(time.time())
        assert any(DEMO_LABEL in line for line in lines)
        assert any("serial port:" in line for line in lines)


def refusal(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run([TOTPFOB, "sim", "--headless", *args], capture_output=True, text=True, timeout=30,
                          env=dict(os.environ, TZ="UTC"))


def simulator_pid(said: str) -> int:
    pid = int(re.search(r"\(pid (\d+)", said).group(1))
    assert b"sim" in Path("/proc/%d/cmdline" % pid).read_bytes().split(b"\0")
    return pid


def test_a_second_simulator_on_the_same_state_or_link_is_refused_and_a_killed_ones_lock_is_taken_over(
        sim_terminal, tmp_path):
    term, token = sim_terminal
    same_state = refusal("--state", str(token.state), "--link", str(tmp_path / "other-tty"))
    assert same_state.returncode != 0 and same_state.stdout == ""
    said = same_state.stderr.strip()
    assert "\n" not in said and "Traceback" not in said
    assert "state directory %s" % token.state in said and "serial port %s" % token.link in said
    first = simulator_pid(said)
    same_link = refusal("--state", str(tmp_path / "other-state"), "--link", str(token.link))
    assert same_link.returncode != 0 and "\n" not in same_link.stderr.strip()
    assert "link %s" % token.link in same_link.stderr and simulator_pid(same_link.stderr) == first
    # The first one was left alone: still reachable through its link, still holding the account.
    assert DEMO_LABEL in token.cli("list", check=True).stdout
    # A power cut: its locks die with it, and the next simulator on the same state and link takes them over.
    os.kill(first, signal.SIGKILL)
    term.wait(lambda ls: term.pane_dead(), timeout=15)
    try:
        token.start("--keep", timeout=60)
        listed = token.cli("list", check=True).stdout
        assert DEMO_LABEL in listed
        assert refusal("--state", str(token.state)).returncode != 0  # and it holds them now
    finally:
        token.stop()
