"""The virtual token's hardware, as the MicroPython VM sees it: an I2C bus with an emulated DS3231 RTC and
SSD1306 OLED, two buttons fed from a FIFO, and the USB serial line (the VM's stdin/stdout, a pseudo-terminal).

It plays the part of the ESP32's built-in `machine` module: boards/sim/board.py builds the board from it exactly
as a real board file builds one from pins. It is loaded from the host before the flash is mounted.
"""

import json
import select
import sys
import time
from binascii import hexlify

from simchips.ds3231 import DS3231
from simchips.i2c import Bus
from simchips.ssd1306 import SSD1306

RTC_ADDRESS = 0x68
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


class Hardware:
    def __init__(self, config):
        self.config = config
        self._state = open(config["rtc_state"], "r+b")
        saved = self._state.read().rstrip(b"\x00 \n")
        rtc = config.get("rtc", {})
        if saved and not rtc.get("reset"):
            self.rtc_chip = DS3231.from_state(json.loads(saved))
        else:
            self.rtc_chip = DS3231(offset_s=rtc.get("offset_s", 0), drift_ppm=rtc.get("drift_ppm", 0),
                                   lost=rtc.get("lost", False))
            self.save_rtc()
        self.oled = SSD1306(128, 64)
        self.i2c = Bus()
        self.i2c.attach(RTC_ADDRESS, _Saving(self.rtc_chip, self.save_rtc))
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

    def save_rtc(self):
        data = json.dumps(self.rtc_chip.state()).encode()
        self._state.seek(0)
        self._state.write(data + b" " * (_STATE_SIZE - len(data)))

    def _read_control(self):
        while self._control_poll.poll(0):
            line = self._control.readline().strip().decode()
            if line:
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
