"""The virtual token's MCU: the MicroPython unix port running boards/sim/boot.py, started again when the
firmware resets (as a board boots again), stopped while it deep-sleeps, killed with the simulator (power)."""

import ctypes
import json
import os
import signal
import subprocess
import threading
import time
from typing import Optional

from ..build import compile_mpy, firmware_files
from ..paths import BOARDS, tool
from .config import FLASH_TIMINGS, REPL_IDLE_S

REPL_EXIT = 42  # boards/sim/board.py exits with this when maintenance was allowed
SLEEP_EXIT = 4  # ... and with this to deep-sleep: the next press of A boots it again
_PR_SET_PDEATHSIG = 1


def _die_with_parent() -> None:
    """Runs in the VM's process before exec: the kernel kills it the moment the simulator dies."""
    libc = ctypes.CDLL(None, use_errno=True)
    libc.prctl(_PR_SET_PDEATHSIG, signal.SIGKILL)


class VM:
    """One board's MCU. `tty`: the VM's end of the USB line; `shown(info, panel)`: called on the bus thread for
    each screen the firmware reports."""

    def __init__(self, config, runtime, chips, flash, control, tty: int, shown):
        self.config = config
        self.chips = chips
        self.flash = flash
        self.control = control
        self.tty = tty
        self.shown = shown
        self.mode = config.mode
        self.install = compile_mpy(firmware_files(), runtime / "flash")
        # The VM's side of the hardware (the I2C shim, buttons) is precompiled too: it shares the firmware's heap.
        self.hardware = runtime / "hardware"
        compile_mpy([(str(BOARDS / "sim" / "simhw.py"), "simhw.py")], self.hardware)
        self.proc: Optional[subprocess.Popen] = None
        self.asleep = False
        self.maintenance = False  # the REPL is open because a person allowed maintenance (not a blank board)
        self.heard = 0.0  # monotonic time of the last byte from the host
        self.bus_thread: Optional[threading.Thread] = None
        self.starts: list = []

    def start(self) -> None:
        now = time.monotonic()
        self.starts = [t for t in self.starts if now - t < 10] + [now]
        if len(self.starts) > 5:
            raise SystemExit("totpfob sim: the firmware keeps crashing; see the serial output")
        vm_ends, ours = self.chips.connect()
        settings = {
            "flash": str(self.flash), "control": str(self.control), "mode": self.mode,
            "bus": ["/dev/fd/%d" % fd for fd in vm_ends],
            "display_off_s": self.config.display_off or 0, "sleep_s": self.config.sleep or 0,
        }
        if self.config.flash_blocks:
            settings["blocks"] = self.config.flash_blocks
        timing = FLASH_TIMINGS[self.config.flash_timing]
        if timing:
            settings["flash_timing"] = list(timing)
        if self.config.fail_setup:
            settings["fail_setup"] = True
        if self.mode == "install":  # the list is heap the VM needs only then
            settings["install"] = self.install
        command = [tool("micropython"), "-X", "heapsize=" + self.config.heap]
        if self.mode == "repl":
            command.append("-i")
        command.append(str(BOARDS / "sim" / "boot.py"))
        env = dict(os.environ, TOTPFOB_SIM=json.dumps(settings),
                   MICROPYPATH=os.pathsep.join([str(self.hardware), ".frozen"]))
        try:
            self.proc = subprocess.Popen(command, stdin=self.tty, stdout=self.tty, stderr=self.tty, env=env,
                                         preexec_fn=_die_with_parent, pass_fds=vm_ends)
        except BaseException:
            for fd in ours:
                os.close(fd)
            raise
        finally:
            for fd in vm_ends:
                os.close(fd)  # the VM holds them now: its exit ends the pipes, and with them the thread
        bus_thread = threading.Thread(target=self.chips.serve, args=(*ours, self.shown), daemon=True,
                                      name="sim-bus")
        bus_thread.start()
        self.bus_thread = bus_thread

    def poll(self) -> None:
        """If the VM exited: the firmware reset (or maintenance opened the REPL): boot again, as a board
        would; or it went to deep sleep: nothing runs until wake()."""
        code = self.proc.poll() if self.proc else None
        if code is None:
            return
        self.mode = "repl" if code == REPL_EXIT else "boot"
        self.maintenance = code == REPL_EXIT
        self.heard = time.monotonic()
        if self.bus_thread is not None:
            # The VM is gone, so its pipes end: its last reports are queued before the next VM says anything.
            self.bus_thread.join(2)
            self.bus_thread = None
        self.proc = None
        if code == SLEEP_EXIT:
            self.asleep = True
            return
        self.start()

    def close_idle_repl(self) -> None:
        """An allowed maintenance that heard nothing from the host for the timeout closes: the board resets and
        shows its codes again (on a board, esp32board.open_repl's timer does this)."""
        idle = self.config.repl_idle if self.config.repl_idle is not None else REPL_IDLE_S
        if self.maintenance and self.proc is not None and time.monotonic() - self.heard > idle:
            self.stop()
            self.proc = None
            self.maintenance = False
            self.mode = "boot"
            if self.bus_thread is not None:
                self.bus_thread.join(2)
                self.bus_thread = None
            self.start()

    def wake(self) -> None:
        """Button A on a sleeping board: it boots again."""
        self.asleep = False
        self.start()

    def stop(self) -> None:
        if self.proc and self.proc.poll() is None:
            self.proc.kill()
            self.proc.wait()
