"""The virtual token's hardware, as the MicroPython VM sees it: an I2C bus with an emulated RTC (DS3231 at 0x68
or PCF8563/BM8563 at 0x51) and SSD1306 OLED, two buttons fed from a FIFO, and the USB serial line (the VM's
stdin/stdout, a pseudo-terminal).

It plays the part of the ESP32's built-in `machine` module: boards/sim/board.py builds the board from it exactly
as a real board file builds one from pins. It is loaded from the host before the flash is mounted.

The control FIFO also takes `warp SECONDS`: that much real time passes for the RTC at once (its crystal runs it
at its own rate), so a test can let a month go by. The warp is kept with the chip's state across runs.
"""

import json
import select
import sys
import time
from binascii import hexlify

from simchips.ds3231 import DS3231
from simchips.i2c import Bus
from simchips.ssd1306 import SSD1306

OLED_ADDRESS = 0x3C
_STATE_SIZE = 512  # the RTC state is rewritten in place: the file stays open after the host FS is unmounted


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


def _rtc_model(name):
    """The emulator class of an RTC chip, by its lower-case name."""
    if name == "pcf8563":
        from simchips.pcf8563 import PCF8563  # only when asked for: the emulators share the token's heap

        return PCF8563
    if name != "ds3231":
        raise ValueError("unknown RTC chip %r" % name)
    return DS3231


class Hardware:
    def __init__(self, config):
        self.config = config
        self._state = open(config["rtc_state"], "r+b")
        saved = self._state.read().rstrip(b"\x00 \n")
        state = json.loads(saved) if saved else None
        rtc = config.get("rtc", {})
        # The chip asked for; else the one the state file holds (--keep), else a DS3231.
        chip = rtc.get("chip") or (state["chip"].lower() if state else "ds3231")
        model = _rtc_model(chip)
        if state and state["chip"].lower() == chip and not rtc.get("reset"):
            self.warp_s = state.get("warp_s", 0.0)
            self.rtc_chip = model.from_state(state, now=self.rtc_host_time)
        else:  # a new chip (or another one soldered in)
            self.warp_s = 0.0
            self.rtc_chip = model(now=self.rtc_host_time, offset_s=rtc.get("offset_s", 0),
                                  drift_ppm=rtc.get("drift_ppm", 0), lost=rtc.get("lost", False))
            self.save_rtc()
        self.oled = SSD1306(128, 64)
        self.i2c = Bus()
        self.i2c.attach(model.ADDRESS, _Saving(self.rtc_chip, self.save_rtc))
        self.i2c.attach(OLED_ADDRESS, self.oled)
        self._control = open(config["control"], "rb")
        self._frames = open(config["frames"], "wb")
        self._poll = select.poll()
        self._poll.register(sys.stdin, select.POLLIN)
        self._poll.register(self._control, select.POLLIN)
        self._control_poll = select.poll()
        self._control_poll.register(self._control, select.POLLIN)
        self._pending = []
        self._row = bytearray(16)

    def rtc_host_time(self):
        """The real time as the RTC's crystal lives it: the host's clock plus every warp so far."""
        return time.time() + self.warp_s

    def warp(self, seconds):
        """Let `seconds` of real time pass for the RTC at once."""
        self.warp_s += seconds
        self.save_rtc()

    def save_rtc(self):
        state = self.rtc_chip.state()
        state["warp_s"] = self.warp_s  # "since" in the state is on the warped clock
        data = json.dumps(state).encode()
        self._state.seek(0)
        self._state.write(data + b" " * (_STATE_SIZE - len(data)))

    def _read_control(self):
        while self._control_poll.poll(0):
            line = self._control.readline().strip().decode()
            if line.startswith("warp "):
                try:
                    self.warp(float(line[5:]))
                except ValueError:
                    pass  # a mistyped line must not crash the token
            elif line:
                self._pending.append(line)

    def button(self):
        """The next button event from the control FIFO: "A", "B", "A long" or "B long"; None if none."""
        self._read_control()
        return self._pending.pop(0) if self._pending else None

    def idle(self, ms):
        """Light sleep: until a byte on the USB line, a button, or ms pass."""
        if not self._pending:
            self._poll.poll(ms)

    def shown(self, info):
        """Report a drawn screen to the simulator: what it means, and the pixels as the panel lights them
        (read back through the emulated chip, so remap, scan direction, inversion and power all count).

        Written row by row: the emulator shares the firmware's small heap and must not crowd it."""
        info["t"] = time.time()
        out = self._frames
        out.write(json.dumps(info)[:-1].encode())
        out.write(b', "px": "')
        row = self._row
        pixel = self.oled.pixel
        for y in range(64):
            for x in range(16):
                v = 0
                for i in range(x * 8, x * 8 + 8):
                    v = v << 1 | pixel(i, y)
                row[x] = v
            out.write(hexlify(row))
        out.write(b'"}\n')  # MicroPython files are unbuffered: no flush (it would fsync, and FIFOs refuse that)


hardware = None


def start(config):
    global hardware
    hardware = Hardware(config)
    return hardware
