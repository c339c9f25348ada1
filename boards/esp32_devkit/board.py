"""Generic ESP32 DevKit with a 0.96" SSD1306 128x64 OLED (0x3C) and a DS3231 module (0x68) on one I2C bus.

Key A is the DevKit's BOOT key (GPIO0, pulled up on the board); key B is a push button wired from GPIO32 to
GND (internal pull-up). No battery measurement: the DevKit has no divider to read. Deep sleep wakes on A.
"""

import select
import sys

import esp32
import machine
import usbport
from app import DISPLAY_OFF_S, SLEEP_S
from buttons import Buttons
from drivers.ds3231 import DS3231
from drivers.ssd1306 import SSD1306_I2C
from machine import I2C, Pin
from micropython import const

_SDA = const(21)
_SCL = const(22)
_KEY_A = const(0)  # BOOT: a strapping pin, harmless once running (its pull-up keeps it high at reset)
_KEY_B = const(32)  # not a strapping pin, has an internal pull-up, and is an RTC pin (could wake too)
_I2C_HZ = const(400_000)


class Board:
    name = "esp32_devkit"
    display_off_s = DISPLAY_OFF_S  # the app's idle times: display dark, then deep sleep
    sleep_s = SLEEP_S

    def __init__(self):
        i2c = I2C(0, scl=Pin(_SCL), sda=Pin(_SDA), freq=_I2C_HZ)
        self.display = SSD1306_I2C(128, 64, i2c)
        self.rtc = DS3231(i2c)
        self.port = usbport.Port()
        self._wake_key = Pin(_KEY_A, Pin.IN, Pin.PULL_UP)
        self._buttons = Buttons({"A": self._wake_key, "B": Pin(_KEY_B, Pin.IN, Pin.PULL_UP)})
        self._poll = select.poll()
        self._poll.register(sys.stdin, select.POLLIN)

    def button(self):
        """None | "A" | "B" | "A long" | "B long"."""
        return self._buttons.event()

    def idle(self, ms):
        """Wait up to `ms` for a byte from USB; key presses are caught by interrupt meanwhile."""
        self._poll.poll(ms)

    def battery(self):
        """No divider to read on this board."""
        return None

    def restart(self):
        machine.reset()

    def open_repl(self):
        """Nothing to do: main.py ends and the REPL opens on the USB line."""

    def sleep(self):
        """Deep sleep, display off, until key A is pressed; the wake boots main.py again."""
        self._buttons.wait_release("A")  # held down, the level-triggered wake would fire at once
        self.display.poweroff()
        esp32.wake_on_ext0(self._wake_key, esp32.WAKEUP_ALL_LOW)
        machine.deepsleep()


def setup():
    return Board()
