"""One running virtual token, driven from outside as a user drives one: `totpfob sim --headless` in its own
process, its serial port used through the real `totpfob` CLI, its buttons through the control FIFO, its screens
read from the dump and the PNG snapshot. The demo, the tests and the bench all start the token through this.
"""

import json
import os
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path
from typing import Optional

from ..i18n import _
from ..paths import tool
from . import lock, render
from .chips import OLED_SIZE
from .config import SimConfig


class SimError(RuntimeError):
    """The virtual token stopped or did not come up; the message is one line."""


def totpfob() -> list:
    """The command that runs the `totpfob` CLI installed beside this Python."""
    try:
        return [tool("totpfob")]
    except FileNotFoundError:
        return [sys.executable, "-m", "totpfob.cli"]


class VirtualToken:
    """`totpfob sim` on the flash and RTC in `state` (default workdir/state), with its link, screen dump, serial
    log, control FIFO, snapshot (unless snapshot=False) and its own output in `workdir`; `flags` are added to
    every start. flash_timing: "typical" (as a real token's flash), "worst" or "none"; by default
    TOTPFOB_SIM_FLASH_TIMING's, else typical (a whole test run at another timing: measuring what it costs).
    TOTPFOB_SIM_FLASH_BLOCKS, when set, is the flash size in 4 KiB blocks of every token started (the test suite
    gives its tokens a smaller flash than a board's 2 MiB: the erase after each delete takes time in proportion
    to the free flash, and hundreds of deletes would otherwise spend most of the run erasing)."""

    def __init__(self, workdir, *flags: str, state=None, snapshot: bool = True, flash_timing: Optional[str] = None):
        flash_timing = flash_timing or os.environ.get("TOTPFOB_SIM_FLASH_TIMING") or "typical"
        self.dir = Path(workdir)
        self.dir.mkdir(parents=True, exist_ok=True)
        self.state = Path(state) if state else self.dir / "state"
        self.link = self.dir / "tty"
        self.dump = self.dir / "screens.jsonl"
        self.serial_log = self.dir / "serial.log"
        self.control = self.dir / "buttons"
        self.snapshot = self.dir / "screen.png"
        self.output = self.dir / "sim.log"
        self.config = SimConfig(headless=True, link=str(self.link), state=str(self.state),
                                screen_dump=str(self.dump), serial_log=str(self.serial_log),
                                control=str(self.control), snapshot=str(self.snapshot) if snapshot else None,
                                flash_timing=flash_timing,
                                flash_blocks=int(os.environ.get("TOTPFOB_SIM_FLASH_BLOCKS") or 0) or None)
        self.flags = list(flags)
        self.proc: Optional[subprocess.Popen] = None
        self.launched = 0.0  # host time.time() just before the simulator was started
        self._read = 0
        self.last = None  # the latest screen new_screens() saw
        self._answer: Optional[str] = None  # what the person of answer_questions() does
        self._person: Optional[threading.Thread] = None

    # -- the process ---------------------------------------------------------------------------------------
    def launch(self, *flags: str) -> "VirtualToken":
        """Start the simulator and return at once (the bench times what follows)."""
        # A link a killed simulator left behind goes (start() waits for the new one); a live one's stays: the
        # new simulator is refused and says so.
        if self.link.is_symlink() and not lock.held(lock.link_lock(self.link)):
            self.link.unlink()
        command = totpfob() + ["sim", *self.config.argv(), *self.flags, *flags]
        self.launched = time.time()
        with open(self.output, "ab") as output:
            # Its own session: a Ctrl-C meant for the caller does not cut the token's power behind its back.
            self.proc = subprocess.Popen(command, stdin=subprocess.DEVNULL, stdout=output, stderr=subprocess.STDOUT,
                                         env=dict(os.environ, TZ="UTC"), start_new_session=True)
        return self

    def start(self, *flags: str, timeout: float = 20) -> "VirtualToken":
        """Start the simulator and wait for its port and this boot's first screen (with --blank: the port)."""
        seen = len(self.screens())  # a restart in the same workdir: wait for this boot's first screen
        self.launch(*flags)
        blank = "--blank" in self.flags + list(flags)
        deadline = time.monotonic() + timeout
        while not (self.link.exists() and (blank or len(self.screens()) > seen)):
            self.check_running()
            if time.monotonic() > deadline:
                raise SimError(_("the virtual token did not come up within %g s") % timeout)
            time.sleep(0.05)
        return self

    def restart(self, *flags: str, timeout: float = 20) -> "VirtualToken":
        """Stop it in order and start it again on the same state (the flash and the RTC carry over)."""
        self.stop()
        return self.start(*flags, timeout=timeout)

    def alive(self) -> bool:
        return self.proc is not None and self.proc.poll() is None

    def check_running(self) -> None:
        """SimError, with the simulator's last words, if it has stopped."""
        if self.proc is not None and self.proc.poll() is not None:
            said = self.output.read_text(errors="replace").strip().splitlines()
            started = (_("virtual token: serial port %s%s").partition("%s")[0], "virtual token: serial port")
            said = [line for line in said if not line.startswith(started)]
            raise SimError(_("the virtual token stopped (exit %d)%s")
                           % (self.proc.returncode, ": " + said[-1] if said else ""))

    def kill9(self) -> None:
        """A power cut: the simulator and its VM die at once."""
        if self.proc is not None:
            os.kill(self.proc.pid, signal.SIGKILL)
            self.proc.wait()

    def stop(self) -> None:
        """SIGTERM: the simulator kills its VM and removes its link and temporary files."""
        if self.proc is not None and self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(5)
            except subprocess.TimeoutExpired:
                self.kill9()

    def vm_pid(self):
        """The pid of the MicroPython VM the simulator runs now (after its exec), or None."""
        try:
            children = Path("/proc/%d/task/%d/children" % (self.proc.pid, self.proc.pid)).read_text().split()
        except OSError:
            return None
        for pid in children:
            try:
                argv = Path("/proc/%s/cmdline" % pid).read_bytes().split(b"\0")
            except OSError:
                continue
            if any(arg.startswith(b"heapsize=") for arg in argv):
                return int(pid)
        return None

    def __enter__(self):
        return self.launch()

    def __exit__(self, *exc):
        self.stop()

    # -- using it ------------------------------------------------------------------------------------------
    def cli(self, *args: str, check: bool = False, timeout: float = 60, **kw) -> subprocess.CompletedProcess:
        """Run `totpfob --port <link> ARGS` and return the finished process (text output)."""
        env = dict(os.environ, TZ="UTC", **kw.pop("env", {}))
        proc = subprocess.run(totpfob() + ["--port", str(self.link), *args], capture_output=True, text=True,
                              timeout=timeout, env=env, **kw)
        if check and proc.returncode != 0:
            raise AssertionError("totpfob %s failed: %s%s" % (" ".join(args), proc.stdout, proc.stderr))
        return proc

    def asked(self, *args: str, answer: Optional[str] = "A hold 3.5", timeout: float = 60,
              **kw) -> subprocess.CompletedProcess:
        """Run `totpfob --port <link> ARGS`, a command the token asks the person holding it about (wipe, delete,
        rename, --replace, a clock jump, maintenance), and answer the question once it shows with `answer` (a
        control line: by default the hold that allows it; None: nobody answers, it times out). AssertionError
        when the token asks nothing."""
        env = dict(os.environ, TZ="UTC", **kw.pop("env", {}))
        asked_at = time.time()
        proc = subprocess.Popen(totpfob() + ["--port", str(self.link), *args], stdout=subprocess.PIPE,
                                stderr=subprocess.PIPE, text=True, env=env, **kw)
        try:
            question = self.find_screen(lambda s: s["screen"] in ("confirm", "maintenance"), 20, after=asked_at)
            if question is None:
                proc.kill()
                out, err = proc.communicate()
                raise AssertionError("the token asked nothing for totpfob %s: %s%s" % (" ".join(args), out, err))
            if answer is not None:
                self.press(answer)
            out, err = proc.communicate(timeout=timeout)
        finally:
            if proc.poll() is None:
                proc.kill()
                proc.wait()
        return subprocess.CompletedProcess(proc.args, proc.returncode, out, err)

    def answer_questions(self, answer: Optional[str] = "A hold 3.5") -> "VirtualToken":
        """From now on a person beside the token answers each question it asks (wipe, delete, rename, replace, a
        clock jump, maintenance) with the control line `answer`: by default the hold that allows it; None: nobody
        answers any more."""
        self._answer = answer
        if answer is not None and self._person is None:
            self._person = threading.Thread(target=self._answering, daemon=True, name="sim-person")
            self._person.start()
        return self

    def _answering(self) -> None:
        try:
            read = self.dump.stat().st_size
        except FileNotFoundError:
            read = 0
        while self._answer is not None:
            try:
                with open(self.dump, "rb") as dump:
                    dump.seek(read)
                    data = dump.read()
            except FileNotFoundError:
                data = b""
            complete = data[:data.rfind(b"\n") + 1]
            read += len(complete)
            for line in complete.splitlines():
                screen = json.loads(line)
                # A question's first drawing shows its whole time left ("30 s", "30 mp"); the later ones count down.
                if screen["screen"] in ("confirm", "maintenance") and screen.get("lines", [""])[-1][:3] == "30 ":
                    answer = self._answer
                    if answer is not None:
                        self.press(answer)
            time.sleep(0.05)
        self._person = None

    def press(self, button: str) -> None:
        """A control line: "A", "B", "A long", "B long", "A hold S" or "warp S"."""
        with open(self.control, "w") as fifo:
            fifo.write(button + "\n")

    def serial_text(self) -> str:
        """Everything the token has sent on its serial line."""
        try:
            return self.serial_log.read_bytes().decode(errors="replace")
        except FileNotFoundError:
            return ""

    # -- what it shows -------------------------------------------------------------------------------------
    def screens(self) -> list:
        """Every screen reported in this workdir so far (complete dump lines)."""
        try:
            lines = self.dump.read_text().splitlines()
        except FileNotFoundError:
            return []
        out = []
        for line in lines:
            try:
                out.append(json.loads(line))
            except ValueError:
                pass  # a line being written
        return out

    def new_screens(self) -> list:
        """Screens drawn since the last call (complete dump lines only); the latest is kept in .last."""
        try:
            with open(self.dump, "rb") as dump:
                dump.seek(self._read)
                data = dump.read()
        except FileNotFoundError:
            return []
        complete = data[:data.rfind(b"\n") + 1]
        self._read += len(complete)
        screens = [json.loads(line) for line in complete.splitlines() if line.strip()]
        if screens:
            self.last = screens[-1]
        return screens

    def find_screen(self, predicate, timeout: float, after: float = 0.0):
        """The first screen (drawn after host time `after`) for which predicate holds; None when the time ran
        out or the simulator stopped."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            for screen in self.screens():
                if screen["t"] >= after and predicate(screen):
                    return screen
            if not self.alive():
                return None
            time.sleep(0.02)
        return None

    def wait_screen(self, predicate, timeout: float = 10, after: float = 0.0) -> dict:
        """As find_screen(), but an AssertionError naming the last screen when there is none."""
        screen = self.find_screen(predicate, timeout, after)
        if screen is None:
            raise AssertionError("no such screen; last: %r" % (self.screens()[-1:],))
        return screen

    def show(self, label: str, issuer: str = "", presses: int = 101) -> Optional[dict]:
        """Press A, as a person does, until the token shows this account; its screen, or None if it never did
        (a token holds at most 100 accounts: 101 presses go round them all)."""
        for _press in range(presses):
            time.sleep(0.3)  # let the screen settle after the last request or press
            shown = self.screens()
            latest = shown[-1] if shown else {}
            if latest.get("account") == label and latest.get("issuer", "") == issuer:
                return latest
            before, was = time.time(), latest.get("account")
            self.press("A")
            self.find_screen(lambda s, was=was: s.get("account") != was, timeout=3, after=before)
        return None

    def wait_link(self, timeout: float = 10) -> None:
        deadline = time.monotonic() + timeout
        while not self.link.exists():
            if time.monotonic() > deadline or not self.alive():
                raise SimError(_("the virtual token's serial port did not appear"))
            time.sleep(0.02)

    def picture(self) -> list:
        """The display as the last snapshot shows it: rows of (r, g, b); dark before the first screen."""
        try:
            return render.read_png(self.snapshot)
        except (OSError, ValueError):
            return render.dark(*OLED_SIZE)
