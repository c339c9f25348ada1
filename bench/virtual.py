"""The virtual token as the bench drives it: `totpfob sim --headless` in its own process, seen through its
screen dump, its serial log and its process tree."""

import base64
import json
import os
import shutil
import subprocess
import sys
import time
from pathlib import Path

from totpfob.paths import FIRMWARE, tool
from totpfob.samples import DEMO_ISSUER, DEMO_KEY, DEMO_URI


class VirtualToken:
    """One run of `totpfob sim` in `workdir` (link, screen dump and serial log there) on the flash in `state`."""

    def __init__(self, workdir: Path, state: Path, *flags: str):
        self.dir = Path(workdir)
        self.dir.mkdir(parents=True, exist_ok=True)
        self.state = Path(state)
        self.link = self.dir / "tty"
        self.dump = self.dir / "screens.jsonl"
        self.serial_log = self.dir / "serial.log"
        self.flags = list(flags)
        self.proc = None
        self.launched = 0.0  # host time.time() just before the simulator was started

    def start(self) -> "VirtualToken":
        for stale in (self.dump, self.serial_log):
            if stale.exists():
                stale.unlink()
        command = [tool("totpfob"), "sim", "--headless", "--link", str(self.link), "--state", str(self.state),
                   "--screen-dump", str(self.dump), "--serial-log", str(self.serial_log), *self.flags]
        self.launched = time.time()
        self.proc = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                                     env=dict(os.environ, TZ="UTC"), start_new_session=True)
        return self

    def alive(self) -> bool:
        return self.proc is not None and self.proc.poll() is None

    def screens(self) -> list:
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

    def wait_screen(self, predicate, timeout: float):
        """The first screen for which predicate holds, or None when the sim gave up or the time ran out."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            for screen in self.screens():
                if predicate(screen):
                    return screen
            if not self.alive():
                return None
            time.sleep(0.02)
        return None

    def wait_link(self, timeout: float = 10) -> None:
        deadline = time.monotonic() + timeout
        while not self.link.exists():
            if time.monotonic() > deadline or not self.alive():
                raise RuntimeError("the virtual token's serial port did not appear")
            time.sleep(0.02)

    def serial_text(self) -> str:
        try:
            return self.serial_log.read_bytes().decode(errors="replace")
        except FileNotFoundError:
            return ""

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

    def cli(self, *args: str, timeout: float = 60) -> subprocess.CompletedProcess:
        """`totpfob --port LINK ARGS`, finished."""
        return subprocess.run([tool("totpfob"), "--port", str(self.link), *args], capture_output=True, text=True,
                              timeout=timeout, env=dict(os.environ, TZ="UTC"))

    def stop(self) -> None:
        """SIGTERM: the simulator kills its VM and removes its link and temporary files."""
        if self.alive():
            self.proc.terminate()
            try:
                self.proc.wait(5)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()

    def __enter__(self):
        return self.start()

    def __exit__(self, *exc):
        self.stop()


def provisioned_state(workdir: Path) -> Path:
    """A state dir (flash image + RTC) of a token that holds the repo's firmware and the demo account."""
    state = workdir / "provisioned"
    with VirtualToken(workdir / "provisioning", state) as token:
        if token.wait_screen(lambda s: True, timeout=20) is None:
            raise RuntimeError("the virtual token did not boot: %s" % token.serial_text()[-400:])
        added = token.cli("add", "--uri", DEMO_URI)
        if added.returncode != 0:
            raise RuntimeError("provisioning failed: %s" % (added.stderr or added.stdout).strip())
    return state


def copy_state(state: Path, target: Path) -> Path:
    if target.exists():
        shutil.rmtree(target)
    shutil.copytree(state, target)
    return target


def write_vault(path: Path, label: str) -> Path:
    """A vault file, as the firmware writes it, holding the demo key (80-bit SHA-1/6/30) under `label`."""
    if str(FIRMWARE) not in sys.path:
        sys.path.append(str(FIRMWARE))  # vault.py imports wire by its bare name, as on the board
    import vault

    record = vault.encode_account("sha1", 6, 30, DEMO_ISSUER, label, base64.b32decode(DEMO_KEY))
    vault.write_records(str(path), [record])
    return path
