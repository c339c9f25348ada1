"""A running virtual token for tests: `totpfob sim` in its own process, driven through the real CLI."""

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

BIN = Path(sys.executable).parent
TOTPFOB = str(BIN / "totpfob")


class VirtualToken:
    """`totpfob sim --headless` with a link, a state dir, a screen dump, a serial log and a control FIFO."""

    def __init__(self, workdir: Path, *flags: str, state: Path | None = None):
        self.dir = Path(workdir)
        self.dir.mkdir(parents=True, exist_ok=True)
        self.state = state or self.dir / "state"
        self.link = self.dir / "tty"
        self.dump = self.dir / "screens.jsonl"
        self.serial_log = self.dir / "serial.log"
        self.control = self.dir / "buttons"
        self.snapshot = self.dir / "screen.png"
        self.flags = list(flags)
        self.proc = None

    def start(self, *flags: str, timeout: float = 20) -> "VirtualToken":
        if self.link.is_symlink():
            self.link.unlink()
        cmd = [TOTPFOB, "sim", "--headless", "--link", str(self.link), "--state", str(self.state),
               "--screen-dump", str(self.dump), "--serial-log", str(self.serial_log),
               "--control", str(self.control), "--snapshot", str(self.snapshot), *self.flags, *flags]
        self.proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                                     env=dict(os.environ, TZ="UTC"), start_new_session=True)
        seen = len(self.screens())  # a restart in the same workdir: wait for this boot's first screen
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.link.exists() and ("--blank" in flags + tuple(self.flags) or len(self.screens()) > seen):
                return self
            if self.proc.poll() is not None:
                raise RuntimeError("sim exited: %s" % self.proc.stdout.read().decode(errors="replace"))
            time.sleep(0.05)
        raise RuntimeError("virtual token did not come up")

    def cli(self, *args: str, check: bool = False, timeout: float = 60, **kw) -> subprocess.CompletedProcess:
        """Run `totpfob --port <link> ARGS` and return the finished process (text output)."""
        env = dict(os.environ, TZ="UTC", **kw.pop("env", {}))
        proc = subprocess.run([TOTPFOB, "--port", str(self.link), *args], capture_output=True, text=True,
                              timeout=timeout, env=env, **kw)
        if check and proc.returncode != 0:
            raise AssertionError("totpfob %s failed: %s%s" % (" ".join(args), proc.stdout, proc.stderr))
        return proc

    def screens(self) -> list:
        if not self.dump.exists():
            return []
        out = []
        for line in self.dump.read_text().splitlines():
            try:
                out.append(json.loads(line))
            except ValueError:
                pass  # a line being written
        return out

    def wait_screen(self, predicate, timeout: float = 10, after: float = 0.0) -> dict:
        """The first reported screen (drawn after host time `after`) for which predicate holds."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            for screen in self.screens():
                if screen["t"] >= after and predicate(screen):
                    return screen
            time.sleep(0.05)
        raise AssertionError("no such screen; last: %r" % (self.screens()[-1:],))

    def press(self, button: str) -> None:
        with open(self.control, "w") as fifo:
            fifo.write(button + "\n")

    def kill9(self) -> None:
        """A power cut: the simulator and its VM die at once."""
        os.kill(self.proc.pid, signal.SIGKILL)
        self.proc.wait()

    def stop(self) -> None:
        if self.proc and self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(5)
            except subprocess.TimeoutExpired:
                self.kill9()


def with_account(workdir: Path, add_args: list, *flags: str) -> VirtualToken:
    """A virtual token started with `flags` that already holds the account `totpfob add add_args` stores."""
    token = VirtualToken(workdir, *flags).start()
    token.cli("add", *add_args, check=True)
    return token
