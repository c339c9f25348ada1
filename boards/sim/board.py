"""Board setup of the virtual token: the same shape as a real board file, with simhw in place of pins. Its screen
also tells the simulator what each drawn screen means (`totpfob sim --screen-dump`, the tests' wait_screen)."""

import simhw
import ui
import usbport
from boardbase import Board as BoardBase
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


class ReportingScreen(ui.Screen):
    """ui.Screen that reports each screen it draws to the simulator, as one JSON line (see simhw.shown)."""

    def __init__(self, display, shown):
        super().__init__(display)
        self._shown = shown

    def code(self, label, code, remaining, period, position="", next_code=None, battery=None, issuer=""):
        super().code(label, code, remaining, period, position, next_code, battery, issuer)
        self._shown({"screen": "code", "account": label, "issuer": issuer, "code": code, "remaining": remaining,
                     "position": position, "next": next_code, "battery": battery, "lines": list(self.lines)})

    def message(self, screen, *lines):
        super().message(screen, *lines)
        # With their text: the questions (confirm, maintenance: their last line is the countdown), the status,
        # and the words of "empty", "clock-lost"... in the token's language.
        self._shown({"screen": screen, "lines": list(lines)})

    def off(self, screen="off"):
        super().off(screen)
        self._shown({"screen": screen})


class Board(BoardBase):
    name = "sim"

    def __init__(self, hw):
        super().__init__(SSD1306_I2C(128, 64, hw.i2c), _rtc(hw.i2c), usbport.Port())
        self.button = hw.button
        self.pressed = hw.pressed
        self.idle = hw.idle
        self._shown = hw.shown
        # Idle times: the simulator's --display-off and --sleep (0, never, unless asked for).
        self.display_off_s = hw.config.get("display_off_s", 0)
        self.sleep_s = hw.config.get("sleep_s", 0)

    def screen(self, display):
        return ReportingScreen(display, self._shown)

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
    if simhw.hardware.config.get("fail_setup"):  # the simulator's hidden --fail-setup: a chip that does not answer
        raise OSError(19)
    return Board(simhw.hardware)
