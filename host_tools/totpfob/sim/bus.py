"""The virtual token's I2C chips, emulated in the simulator rather than in the MicroPython VM.

On a board the RTC and the OLED are silicon outside the ESP32; here they are the register-level models of
boards/sim/simchips (loaded by chips.py), run on CPython, on a bus the VM reaches through boards/sim/simhw.py
(its I2C shim) over a pair of pipes. So the VM's heap holds only what a board's does, and the chips behave as chips do across an MCU
reset: the OLED keeps its RAM, the RTC runs on. The RTC's state is saved after each register write (its coin
cell), with `warp_s`, the real time let pass at once for it; the OLED lives as long as the simulator (power).

Each VM gets its own pipe pair, served by a thread until the VM exits: transactions are answered at once, whatever
the simulator's main loop is busy with (`time sync` times the RTC's second edge to a few milliseconds).
"""

import copy
import json
import os
import sys
import threading
import time
from pathlib import Path

from .chips import OLED_ADDRESS, OLED_SIZE, chip_module, protocol, rtc_model

_STATE_SIZE = 512  # bytes of rtc.json: JSON padded with spaces


class _Saving:
    """Passes a chip's I2C traffic through and saves its state after each register write (its coin cell)."""

    def __init__(self, chip, save):
        self.chip = chip
        self.save = save

    def write(self, data):
        self.chip.write(data)
        if len(data) > 1:
            self.save()

    def read(self, n):
        return self.chip.read(n)


def _read_exactly(fd: int, n: int):
    """n bytes from a pipe, or None at its end (the VM exited)."""
    data = b""
    while len(data) < n:
        chunk = os.read(fd, n - len(data))
        if not chunk:
            return None
        data += chunk
    return data


class SimBus:
    """The board's I2C bus with its chips: an RTC (DS3231 at 0x68 or PCF8563/BM8563 at 0x51) and an SSD1306.

    rtc_state: the file the RTC is kept in across runs. chip: "ds3231" or "pcf8563", else the one the file
    holds, else a DS3231. reset (or another chip than the file holds): a new chip, `offset_s` off the true time,
    running `drift_ppm` fast, or `lost` (as with its coin cell removed)."""

    def __init__(self, rtc_state: Path, chip=None, offset_s=0.0, drift_ppm=0.0, lost=False, reset=False):
        self._lock = threading.Lock()  # the VM's thread and the main loop (warp) both touch the RTC
        # Rewritten in place, not replaced: a rename over the old file can stall for tens of milliseconds
        # (ext4 flushes the new data first), and a `time sync` writes the chip at a second's edge.
        self._state = os.open(rtc_state, os.O_RDWR | os.O_CREAT, 0o644)
        saved = os.pread(self._state, 65536, 0).rstrip(b"\x00 \n")
        state = json.loads(saved) if saved else None
        chip = chip or (state["chip"].lower() if state else "ds3231")
        model = rtc_model(chip)
        if state and state["chip"].lower() == chip and not reset:
            self.warp_s = state.get("warp_s", 0.0)
            self.rtc = model.from_state(state, now=self.rtc_host_time)
        else:  # a new chip (or another one soldered in)
            self.warp_s = 0.0
            self.rtc = model(now=self.rtc_host_time, offset_s=offset_s, drift_ppm=drift_ppm, lost=lost)
            self._save()
        self.oled = chip_module("ssd1306").SSD1306(*OLED_SIZE)
        self.bus = chip_module("i2c").Bus()
        self.bus.attach(model.ADDRESS, _Saving(self.rtc, self._save))
        self.bus.attach(OLED_ADDRESS, self.oled)

    def rtc_host_time(self) -> float:
        """The real time as the RTC's crystal lives it: the host's clock plus every warp so far."""
        return time.time() + self.warp_s

    def warp(self, seconds: float) -> None:
        """Let `seconds` of real time pass for the RTC at once."""
        with self._lock:
            self.warp_s += seconds
            self._save()

    def _save(self) -> None:
        state = self.rtc.state()
        state["warp_s"] = self.warp_s  # "since" in the state is on the warped clock
        # One write of a fixed size (padded with spaces), straight to the OS: a kill -9 loses nothing.
        os.pwrite(self._state, json.dumps(state).encode().ljust(_STATE_SIZE), 0)

    def close(self) -> None:
        """Let go of the state file (the chips are powered off)."""
        os.close(self._state)

    def panel(self):
        """A copy of the OLED as it stands (its RAM and settings): what the panel shows at this moment."""
        panel = copy.copy(self.oled)
        panel.gddram = bytes(self.oled.gddram)
        return panel

    def transaction(self, op: int, addr: int, register: int, length: int, data: bytes) -> bytes:
        """One request of the VM's shim (boards/sim/simhw.py), carried out; the answer to send back."""
        p = protocol
        try:
            with self._lock:
                if op == p.WRITE:
                    self.bus.writeto(addr, data)
                    return b"\x00"
                if op == p.WRITE_MEM:
                    self.bus.writeto_mem(addr, register, data)
                    return b"\x00"
                if op == p.READ_MEM:
                    return b"\x00" + self.bus.readfrom_mem(addr, register, length)
                if op == p.SCAN:
                    found = self.bus.scan()
                    return bytes([len(found)] + found)
        except OSError as exc:  # no chip at the address: a NACK, with the errno machine.I2C raises
            return bytes([exc.args[0]])
        raise ValueError("unknown bus request %d" % op)

    def serve(self, requests: int, answers: int, shown) -> None:
        """Answer one VM's requests until it exits; call shown(info, panel) for each screen it reports."""
        p = protocol
        try:
            while True:
                head = _read_exactly(requests, p.HEADER)
                if head is None:
                    return
                op, addr, register, length = head[0], head[1], head[2], head[3] | head[4] << 8
                data = b""
                if op in (p.WRITE, p.WRITE_MEM, p.SHOWN):
                    data = _read_exactly(requests, length)
                    if data is None:
                        return
                if op == p.SHOWN:
                    shown(json.loads(data), self.panel())
                    continue
                os.write(answers, self.transaction(op, addr, register, length, data))
        except (BrokenPipeError, ValueError) as exc:  # the VM died mid-request, or spoke nonsense: drop it
            if isinstance(exc, ValueError):
                print("totpfob sim: bus: %s" % exc, file=sys.stderr)
        finally:
            os.close(requests)
            os.close(answers)

    @staticmethod
    def connect() -> tuple:
        """A new pipe pair for a VM: (the ends to pass to the VM, ours for serve()). Start serve() in a thread
        once the VM runs (forking while a thread runs is asking for trouble) and close the VM's ends then."""
        requests, vm_requests = os.pipe()
        vm_answers, answers = os.pipe()
        return (vm_requests, vm_answers), (requests, answers)

