"""`totpfob sim`: the virtual token. The real firmware runs on the MicroPython unix port (vm.py), its USB serial
line is a pseudo-terminal, its flash a LittleFS2 image, its chips emulated at register level (bus.py).

This process is the board's "outside": it emulates the chips, relays the serial line between the VM's terminal
and the one users open (--link), restarts the VM when the firmware resets, shows the display (display.py) and
turns keys and control lines into button presses. Killing it with -9 kills the VM at once (a power cut).
"""

import json
import os
import queue
import select
import shutil
import signal
import sys
import tempfile
import termios
import time
import tty
from pathlib import Path

from ..errors import UserError
from ..i18n import _
from .bus import SimBus
from .config import HOLD_S, SimConfig
from .display import Display
from .lock import Busy, Lock, link_lock, state_lock
from .vm import VM

_WAKE = (b"A", b"A long")  # boards arm the wake on button A (and a hold of it: "A hold S")
_KEYS = {b"a": b"A", b"b": b"B", b"A": b"A long", b"B": b"B long", b"h": b"A hold %g" % HOLD_S}


class Simulator:
    def __init__(self, config: SimConfig):
        self.config = config
        self.locks = self._lock(config)
        self.runtime = Path(tempfile.mkdtemp(prefix="totpfob-sim-"))
        state = Path(config.state) if config.state else self.runtime / "state"
        state.mkdir(parents=True, exist_ok=True)
        flash = state / "flash.img"
        if config.blank and flash.exists():
            flash.unlink()  # a freshly flashed board: erased filesystem
        # The chips: powered as long as this process runs, the RTC kept in the state dir (its coin cell).
        self.chips = SimBus(state / "rtc.json", chip=config.rtc_chip, offset_s=config.rtc_offset or 0,
                            drift_ppm=config.rtc_drift_ppm or 0, lost=config.rtc_lost, reset=config.new_rtc)
        # Screens the VM reports arrive on the bus thread; the main loop draws them, woken through a pipe.
        self.reports: queue.SimpleQueue = queue.SimpleQueue()
        self.reported, self.report_signal = os.pipe()
        os.set_blocking(self.report_signal, False)
        control = self.runtime / "control"
        os.mkfifo(control)
        # Open our end first and non-blocking, so the VM's plain open() never waits.
        self.control = os.open(control, os.O_RDWR | os.O_NONBLOCK)
        self.user_control = None
        if config.control:
            if not Path(config.control).exists():
                os.mkfifo(config.control)
            self.user_control = os.open(config.control, os.O_RDWR | os.O_NONBLOCK)
        self.control_tail = b""
        self.vm_master, vm_slave = os.openpty()
        self.user_master, self.user_slave = os.openpty()
        for fd in (vm_slave, self.user_slave):
            tty.setraw(fd)
        self.port = os.ttyname(self.user_slave)
        self.link = Path(config.link) if config.link else None
        if self.link:
            if self.link.is_symlink() or self.link.exists():
                self.link.unlink()
            self.link.symlink_to(self.port)
        self.display = Display(config, str(self.link or self.port))
        for lock in self.locks:  # the refusal of a second simulator names this one's port
            lock.write(json.dumps({"pid": os.getpid(), "port": str(self.link or self.port)}))
        self.resized = False
        self.vm = VM(config, self.runtime, self.chips, flash, control, vm_slave, self._reported)

    @staticmethod
    def _lock(config: SimConfig) -> list:
        """Take the locks of the --state directory and the --link (one simulator each), or refuse in one line
        naming the simulator that has them. A lock of a killed simulator is free again: it is taken over."""
        locks = []
        holder = json.dumps({"pid": os.getpid()})
        try:
            if config.state:
                Path(config.state).mkdir(parents=True, exist_ok=True)
                locks.append(Lock(state_lock(Path(config.state))).acquire(holder))
            if config.link:
                locks.append(Lock(link_lock(Path(config.link))).acquire(holder))
        except Busy as busy:
            for lock in locks:
                lock.release()
            try:
                first = json.loads(busy.holder)
            except ValueError:
                first = {}
            pid, port = first.get("pid", "?"), first.get("port", "?")
            if config.state and busy.path == state_lock(Path(config.state)):
                raise UserError(_("another virtual token (pid %s, serial port %s) uses the state directory %s: "
                                  "stop it first, or give this one another --state") % (pid, port, config.state)) from None
            raise UserError(_("another virtual token (pid %s) serves the link %s: stop it first, or give this one "
                              "another --link") % (pid, config.link)) from None
        except OSError as exc:
            for lock in locks:
                lock.release()
            raise UserError(_("cannot lock %s: %s") % (exc.filename, exc.strerror)) from None
        return locks

    def _reported(self, info: dict, panel) -> None:
        """On the bus thread: the VM drew a screen; `panel` is the OLED as it stood then."""
        self.reports.put((info, panel))
        try:
            os.write(self.report_signal, b"!")
        except BlockingIOError:
            pass  # the main loop has plenty of wake-ups pending already

    def press(self, line: bytes) -> None:
        """A control line: `warp S` lets S seconds pass for the RTC at once (asleep or not: the world's time
        goes on); anything else is a button for the VM. While asleep, A wakes it and nothing else gets through
        (a sleeping chip sees no other button)."""
        if line.startswith(b"warp "):
            try:
                self.chips.warp(float(line[5:]))
            except ValueError:
                pass  # a mistyped line must not stop the token
        elif not self.vm.asleep:
            os.write(self.control, line + b"\n")
        elif line.strip() in _WAKE or line.startswith(b"A hold "):
            self.vm.wake()

    def _relay(self, source: int, target: int) -> None:
        try:
            data = os.read(source, 4096)
        except OSError:
            return
        if self.vm.asleep:
            return  # a sleeping chip hears nothing on its serial line
        if source == self.user_master:
            self.vm.heard = time.monotonic()  # host traffic keeps an allowed maintenance open
        if source == self.vm_master and self.config.serial_log:
            with open(self.config.serial_log, "ab") as log:
                log.write(data)
        try:
            os.write(target, data)
        except BlockingIOError:
            pass  # nobody reading: a USB line with no host drops bytes too

    def _screens(self) -> None:
        os.read(self.reported, 4096)
        while True:
            try:
                info, panel = self.reports.get_nowait()
            except queue.Empty:
                break
            self.display.show(info, panel)
        if self.resized:
            self.resized = False
            self.display.redraw()

    def _resize(self, *_) -> None:
        """SIGWINCH: the terminal changed size; the main loop draws the screen again, woken through the pipe."""
        self.resized = True
        try:
            os.write(self.report_signal, b"!")
        except BlockingIOError:
            pass

    def _control(self, fd: int) -> None:
        try:
            data = self.control_tail + os.read(fd, 4096)
        except BlockingIOError:
            return
        *lines, self.control_tail = data.split(b"\n")
        for line in lines:
            self.press(line)

    def _key(self) -> bool:
        key = os.read(sys.stdin.fileno(), 1)
        if key in _KEYS:
            self.press(_KEYS[key])
        return key not in (b"q", b"\x03", b"")

    def run(self) -> int:
        interactive = not self.config.headless and sys.stdin.isatty()
        saved = termios.tcgetattr(sys.stdin) if interactive else None
        os.set_blocking(self.user_master, False)
        os.set_blocking(self.vm_master, False)
        print(_("virtual token: serial port %s%s") % (self.port, " -> %s" % self.link if self.link else ""),
              flush=True)
        signal.signal(signal.SIGTERM, lambda *_: sys.exit(0))  # clean up the link and temp files
        if not self.config.headless:
            signal.signal(signal.SIGWINCH, self._resize)
        try:
            if interactive:
                tty.setcbreak(sys.stdin.fileno())
                sys.stdout.write("\x1b[2J")
            self.vm.start()
            while True:
                watch = [self.vm_master, self.user_master, self.reported]
                if self.user_control is not None:
                    watch.append(self.user_control)
                if interactive:
                    watch.append(sys.stdin.fileno())
                ready, _writable, _failed = select.select(watch, [], [], 0.2)
                for fd in ready:
                    if fd == self.vm_master:
                        self._relay(self.vm_master, self.user_master)
                    elif fd == self.user_master:
                        self._relay(self.user_master, self.vm_master)
                    elif fd == self.reported:
                        self._screens()
                    elif fd == self.user_control:
                        self._control(fd)
                    elif not self._key():
                        return 0
                self.vm.poll()
                self.vm.close_idle_repl()
        except KeyboardInterrupt:
            return 0
        finally:
            if saved is not None:
                termios.tcsetattr(sys.stdin, termios.TCSADRAIN, saved)
                print()
            self.close()

    def close(self) -> None:
        self.vm.stop()
        if self.link and self.link.is_symlink():
            self.link.unlink()
        self.chips.close()
        shutil.rmtree(self.runtime, ignore_errors=True)
        for lock in self.locks:
            lock.release()
