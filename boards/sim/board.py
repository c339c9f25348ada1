"""Board setup of the virtual token: the same shape as a real board file, with simhw in place of pins."""

import simhw
import usbport
from drivers.ds3231 import DS3231
from drivers.ssd1306 import SSD1306_I2C

REPL_EXIT = 42


class Board:
    name = "sim"

    def __init__(self, hw):
        self.display = SSD1306_I2C(128, 64, hw.i2c)
        self.rtc = DS3231(hw.i2c)
        self.port = usbport.Port()
        self.button = hw.button
        self.idle = hw.idle
        self.shown = hw.shown

    def restart(self):
        """Like machine.reset(): the simulator starts the VM again, which boots from the flash image."""
        raise SystemExit(3)

    def open_repl(self):
        """Maintenance was allowed: the simulator restarts the VM with its REPL open on the USB line."""
        raise SystemExit(REPL_EXIT)


def setup():
    return Board(simhw.hardware)
