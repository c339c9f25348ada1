"""Board setup of the virtual token: the same shape as a real board file, with simhw in place of pins."""

import simhw
import usbport
from drivers.ssd1306 import SSD1306_I2C

REPL_EXIT = 42
SLEEP_EXIT = 4
_PCF8563 = 0x51
_DS3231 = 0x68


def _rtc(i2c):
    """A driver for the RTC chip that answers on the bus, as a board with either chip fitted would pick it."""
    if _PCF8563 in i2c.scan():
        from drivers.pcf8563 import PCF8563

        return PCF8563(i2c, _PCF8563)
    from drivers.ds3231 import DS3231

    return DS3231(i2c, _DS3231)  # also with no chip found: reads then fail, and the token shows "clock lost"


class Board:
    name = "sim"

    def __init__(self, hw):
        self.display = SSD1306_I2C(128, 64, hw.i2c)
        self.rtc = _rtc(hw.i2c)
        self.port = usbport.Port()
        self.button = hw.button
        self.idle = hw.idle
        self.shown = hw.shown
        # Idle times: the simulator's --display-off and --sleep (0, never, unless asked for).
        self.display_off_s = hw.config.get("display_off_s", 0)
        self.sleep_s = hw.config.get("sleep_s", 0)

    def restart(self):
        """Like machine.reset(): the simulator starts the VM again, which boots from the flash image."""
        raise SystemExit(3)

    def sleep(self):
        """Deep sleep: the simulator stops the VM and boots it again when button A is pressed, as an ESP32
        wakes (RAM lost, main.py from the start)."""
        raise SystemExit(SLEEP_EXIT)

    def open_repl(self):
        """Maintenance was allowed: the simulator restarts the VM with its REPL open on the USB line."""
        raise SystemExit(REPL_EXIT)


def setup():
    return Board(simhw.hardware)
