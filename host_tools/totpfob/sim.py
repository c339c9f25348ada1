"""`totpfob sim`: the virtual token. The real firmware runs on the MicroPython unix port (boards/sim/boot.py),
its USB serial line is a pseudo-terminal, its flash a LittleFS2 image, its chips emulated at register level.

This process is the board's "outside": it emulates the chips on its I2C bus (simbus.py), relays the serial line
between the VM's terminal and the one users open (--link), restarts the VM when the firmware resets, shows the
display and turns keys into button presses. Killing it with -9 kills the VM at once (a power cut).
"""

import ctypes
import json
import os
import queue
import select
import shutil
import signal
import subprocess
import sys
import tempfile
import termios
import threading
import time
import tty
from pathlib import Path

from . import screen, simbus
from .build import compile_mpy, firmware_files
from .paths import BOARDS, tool

# An ESP32 without PSRAM leaves MicroPython about 110 KiB; the unix port's objects are twice as large
# (8-byte words against 4), so the same firmware state needs about 190 KiB here.
DEFAULT_HEAP = "192k"
REPL_EXIT = 42  # boards/sim/board.py exits with this when maintenance was allowed
SLEEP_EXIT = 4  # ... and with this to deep-sleep: the next press of A boots it again
_WAKE = (b"A", b"A long")  # boards arm the wake on button A
_PR_SET_PDEATHSIG = 1


def _die_with_parent() -> None:
    """Runs in the VM's process before exec: the kernel kills it the moment the simulator dies."""
    libc = ctypes.CDLL(None, use_errno=True)
    libc.prctl(_PR_SET_PDEATHSIG, signal.SIGKILL)


class Simulator:
    def __init__(self, args):
        self.args = args
        self.runtime = Path(tempfile.mkdtemp(prefix="totpfob-sim-"))
        self.state = Path(args.state) if args.state else self.runtime / "state"
        self.state.mkdir(parents=True, exist_ok=True)
        self.flash = self.state / "flash.img"
        self.rtc_state = self.state / "rtc.json"
        if args.blank and self.flash.exists():
            self.flash.unlink()  # a freshly flashed board: erased filesystem
        self.mode = "repl" if args.blank else ("boot" if args.keep else "install")
        # The chips: powered as long as this process runs, the RTC kept in the state dir (its coin cell).
        new_rtc = args.rtc_lost or args.rtc_offset is not None or args.rtc_drift_ppm is not None
        self.chips = simbus.SimBus(self.rtc_state, chip=args.rtc_chip, offset_s=args.rtc_offset or 0,
                                   drift_ppm=args.rtc_drift_ppm or 0, lost=args.rtc_lost, reset=new_rtc)
        self.bus_thread = None
        # Screens the VM reports arrive on the bus thread; the main loop draws them, woken through a pipe.
        self.reports = queue.SimpleQueue()
        self.reported, self.report_signal = os.pipe()
        os.set_blocking(self.report_signal, False)
        self.control_path = self.runtime / "control"
        os.mkfifo(self.control_path)
        # Open our end first and non-blocking, so the VM's plain open() never waits.
        self.control = os.open(self.control_path, os.O_RDWR | os.O_NONBLOCK)
        self.user_control = None
        if args.control:
            if not Path(args.control).exists():
                os.mkfifo(args.control)
            self.user_control = os.open(args.control, os.O_RDWR | os.O_NONBLOCK)
        self.vm_master, vm_slave = os.openpty()
        self.user_master, self.user_slave = os.openpty()
        for fd in (vm_slave, self.user_slave):
            tty.setraw(fd)
        self.vm_slave = vm_slave
        self.port = os.ttyname(self.user_slave)
        self.link = Path(args.link) if args.link else None
        if self.link:
            if self.link.is_symlink() or self.link.exists():
                self.link.unlink()
            self.link.symlink_to(self.port)
        self.install = compile_mpy(firmware_files(), self.runtime / "flash")
        # The VM's side of the hardware (the I2C shim, buttons) is precompiled too: it shares the firmware's heap.
        self.hardware = self.runtime / "hardware"
        compile_mpy([(str(BOARDS / "sim" / "simhw.py"), "simhw.py")], self.hardware)
        self.vm = None
        self.asleep = False
        self.control_tail = b""
        self.starts = []

    def start_vm(self) -> None:
        now = time.monotonic()
        self.starts = [t for t in self.starts if now - t < 10] + [now]
        if len(self.starts) > 5:
            raise SystemExit("totpfob sim: the firmware keeps crashing; see the serial output")
        vm_ends, ours = self.chips.connect()
        config = {
            "flash": str(self.flash), "control": str(self.control_path), "mode": self.mode,
            "bus": ["/dev/fd/%d" % fd for fd in vm_ends],
            "display_off_s": self.args.display_off or 0, "sleep_s": self.args.sleep or 0,
        }
        if self.mode == "install":  # the list is heap the VM needs only then
            config["install"] = self.install
        command = [tool("micropython"), "-X", "heapsize=" + (self.args.heap or DEFAULT_HEAP)]
        if self.mode == "repl":
            command.append("-i")
        command.append(str(BOARDS / "sim" / "boot.py"))
        env = dict(os.environ, TOTPFOB_SIM=json.dumps(config),
                   MICROPYPATH=os.pathsep.join([str(self.hardware), ".frozen"]))
        try:
            self.vm = subprocess.Popen(command, stdin=self.vm_slave, stdout=self.vm_slave, stderr=self.vm_slave,
                                       env=env, preexec_fn=_die_with_parent, pass_fds=vm_ends)
        except BaseException:
            for fd in ours:
                os.close(fd)
            raise
        finally:
            for fd in vm_ends:
                os.close(fd)  # the VM holds them now: its exit ends the pipes, and with them the thread
        self.bus_thread = threading.Thread(target=self.chips.serve, args=(*ours, self._reported), daemon=True,
                                           name="sim-bus")
        self.bus_thread.start()

    def _reported(self, info: dict, panel) -> None:
        """On the bus thread: the VM drew a screen; `panel` is the OLED as it stood then."""
        self.reports.put((info, panel))
        try:
            os.write(self.report_signal, b"!")
        except BlockingIOError:
            pass  # the main loop has plenty of wake-ups pending already

    def vm_exited(self, code: int) -> None:
        """The firmware reset (or maintenance opened the REPL): boot again, as a board would; or it went to
        deep sleep: nothing runs until button A."""
        self.mode = "repl" if code == REPL_EXIT else "boot"
        if self.bus_thread is not None:
            # The VM is gone, so its pipes end: its last reports are queued before the next VM says anything.
            self.bus_thread.join(2)
            self.bus_thread = None
        if code == SLEEP_EXIT:
            self.asleep = True
            self.vm = None
            return
        self.start_vm()

    def press(self, line: bytes) -> None:
        """A control line: `warp S` lets S seconds pass for the RTC at once (asleep or not: the world's time
        goes on); anything else is a button for the VM. While asleep, A wakes it and nothing else gets through
        (a sleeping chip sees no other button)."""
        if line.startswith(b"warp "):
            try:
                self.chips.warp(float(line[5:]))
            except ValueError:
                pass  # a mistyped line must not stop the token
        elif not self.asleep:
            os.write(self.control, line + b"\n")
        elif line.strip() in _WAKE:
            self.asleep = False
            self.start_vm()

    def _relay(self, source: int, target: int) -> None:
        try:
            data = os.read(source, 4096)
        except OSError:
            return
        if self.asleep:
            return  # a sleeping chip hears nothing on its serial line
        if source == self.vm_master and self.args.serial_log:
            with open(self.args.serial_log, "ab") as log:
                log.write(data)
        try:
            os.write(target, data)
        except BlockingIOError:
            pass  # nobody reading: a USB line with no host drops bytes too

    def _frames(self) -> None:
        os.read(self.reported, 4096)
        while True:
            try:
                frame, panel = self.reports.get_nowait()
            except queue.Empty:
                return
            if self.args.snapshot or not self.args.headless:  # only pictures need the pixels
                frame["px"] = simbus.panel_hex(panel)
            self.show(frame)

    def show(self, frame: dict) -> None:
        rows = None
        if self.args.snapshot:  # the picture first: a reader who sees the dump line finds its picture
            rows = screen.pixels(frame)
            screen.write_png(rows, self.args.snapshot)
        if self.args.screen_dump:
            record = {k: v for k, v in frame.items() if k != "px"}
            with open(self.args.screen_dump, "a") as f:
                f.write(json.dumps(record) + "\n")
        if not self.args.headless:
            rows = rows or screen.pixels(frame)
            narrow = shutil.get_terminal_size().columns < 2 + screen.WIDTH
            sys.stdout.write("\x1b[H" + screen.halfblocks(rows, narrow) + "\n" + self.status_line(frame) + "\x1b[J")
            sys.stdout.flush()

    def status_line(self, frame: dict) -> str:
        return ("port %s   keys: a/b press, A/B long press, q quit   [%s]"
                % (self.link or self.port, frame.get("screen", "")))

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
        press = {b"a": b"A", b"b": b"B", b"A": b"A long", b"B": b"B long"}.get(key)
        if press:
            self.press(press)
        return key not in (b"q", b"\x03", b"")

    def run(self) -> int:
        interactive = not self.args.headless and sys.stdin.isatty()
        saved = termios.tcgetattr(sys.stdin) if interactive else None
        os.set_blocking(self.user_master, False)
        os.set_blocking(self.vm_master, False)
        print("virtual token: serial port %s%s" % (self.port, " -> %s" % self.link if self.link else ""),
              flush=True)
        signal.signal(signal.SIGTERM, lambda *_: sys.exit(0))  # clean up the link and temp files
        try:
            if interactive:
                tty.setcbreak(sys.stdin.fileno())
                sys.stdout.write("\x1b[2J")
            self.start_vm()
            while True:
                watch = [self.vm_master, self.user_master, self.reported]
                if self.user_control is not None:
                    watch.append(self.user_control)
                if interactive:
                    watch.append(sys.stdin.fileno())
                ready, _, _ = select.select(watch, [], [], 0.2)
                for fd in ready:
                    if fd == self.vm_master:
                        self._relay(self.vm_master, self.user_master)
                    elif fd == self.user_master:
                        self._relay(self.user_master, self.vm_master)
                    elif fd == self.reported:
                        self._frames()
                    elif fd == self.user_control:
                        self._control(fd)
                    elif not self._key():
                        return 0
                code = self.vm.poll() if self.vm else None
                if code is not None:
                    self.vm_exited(code)
        except KeyboardInterrupt:
            return 0
        finally:
            if saved is not None:
                termios.tcsetattr(sys.stdin, termios.TCSADRAIN, saved)
                print()
            self.close()

    def close(self) -> None:
        if self.vm and self.vm.poll() is None:
            self.vm.kill()
            self.vm.wait()
        if self.link and self.link.is_symlink():
            self.link.unlink()
        self.chips.close()
        shutil.rmtree(self.runtime, ignore_errors=True)


def add_parser(subparsers) -> None:
    p = subparsers.add_parser("sim", help="run the virtual token (the firmware on the MicroPython VM)",
                              description="Run the virtual token: the real firmware on the MicroPython unix "
                                          "port with emulated RTC and OLED chips.")
    p.add_argument("--headless", action="store_true", help="do not draw the display in this terminal")
    p.add_argument("--link", metavar="PATH", help="symlink to the token's serial port (use it as --port PATH)")
    p.add_argument("--state", metavar="DIR", help="keep flash.img and the RTC here across runs")
    p.add_argument("--screen-dump", metavar="FILE", help="append one JSON line per drawn screen")
    p.add_argument("--snapshot", metavar="FILE.png", help="keep a PNG of the display up to date")
    p.add_argument("--control", metavar="FIFO", help="button presses, one per line: A, B, A long, B long "
                                                          "(and `warp S`: the world's time jumps S seconds)")
    p.add_argument("--serial-log", metavar="FILE", help="append everything the token sends on its serial line")
    p.add_argument("--display-off", type=float, metavar="S",
                   help="darken the display after S idle seconds, as a board does (default: never)")
    p.add_argument("--sleep", type=float, metavar="S",
                   help="deep-sleep after S idle seconds; button A wakes it (default: never)")
    p.add_argument("--heap", metavar="SIZE", help="MicroPython heap (default %s, like an ESP32)" % DEFAULT_HEAP)
    p.add_argument("--rtc-lost", action="store_true", help="start as if the RTC's coin cell was removed")
    p.add_argument("--rtc-offset", type=float, metavar="S", help="start the RTC S seconds off the true time")
    p.add_argument("--rtc-drift-ppm", type=float, metavar="P", help="make the RTC run fast (+) or slow (-)")
    p.add_argument("--rtc-chip", choices=("ds3231", "pcf8563"),
                   help="the RTC chip: ds3231 (default) or pcf8563 (the BM8563 of the M5StickC); "
                        "without it, the chip the --state holds")
    mode = p.add_mutually_exclusive_group()
    mode.add_argument("--blank", action="store_true",
                      help="a freshly flashed board: erased flash, MicroPython REPL on the port")
    mode.add_argument("--keep", action="store_true", help="boot what the flash image holds (no install)")
    p.set_defaults(run=lambda args: Simulator(args).run())
