"""Generic ESP32 DevKit with a 0.96" SSD1306 128x64 OLED (0x3C) and a DS3231 module (0x68) on one I2C bus.

Key A is the DevKit's BOOT key (GPIO0, pulled up on the board); key B is a push button wired from GPIO32 to
GND (internal pull-up). No battery measurement: the DevKit has no divider to read. Deep sleep wakes on A.
"""

from drivers.ds3231 import DS3231
from drivers.ssd1306 import SSD1306_I2C
from esp32board import Esp32Board
from machine import I2C, Pin
from micropython import const

_SDA = const(21)
_SCL = const(22)
_KEY_A = const(0)  # BOOT: a strapping pin, harmless once running (its pull-up keeps it high at reset)
_KEY_B = const(32)  # not a strapping pin, has an internal pull-up, and is an RTC pin (could wake too)
_I2C_HZ = const(400_000)


class Board(Esp32Board):
    name = "esp32_devkit"

    def __init__(self):
        i2c = I2C(0, scl=Pin(_SCL), sda=Pin(_SDA), freq=_I2C_HZ)
        keys = {"A": Pin(_KEY_A, Pin.IN, Pin.PULL_UP), "B": Pin(_KEY_B, Pin.IN, Pin.PULL_UP)}
        super().__init__(SSD1306_I2C(128, 64, i2c), DS3231(i2c), keys)


def setup():
    return Board()
