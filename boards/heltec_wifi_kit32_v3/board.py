"""Heltec WiFi Kit 32 V3 (ESP32-S3): 0.96" SSD1306 128x64 OLED on its own I2C bus (GPIO17 SDA, GPIO18 SCL,
reset GPIO21), powered through Vext (GPIO36 low = on), one PRG key (GPIO0), LiPo connector, and a DS3231
module wired by hand to the header's GPIO41 (SDA) / GPIO42 (SCL), 3V3 and GND.

One key: a short press is "A", a long one "A long". Battery: GPIO1 behind a 390k/100k divider, switched on
by ADC_Ctrl (GPIO37) only while measuring: low on the V3/V3.1 schematics. Heltec's V3.2 boards of the LoRa
line switch it with high instead; if a board always reports no battery, set _ADC_CTRL_ON to 1.
"""

import select
import sys
import time

import esp32
import machine
import usbport
from app import DISPLAY_OFF_S, SLEEP_S
from battery import Battery
from buttons import Buttons
from drivers.ds3231 import DS3231
from drivers.ssd1306 import SSD1306_I2C
from machine import ADC, I2C, Pin, Signal
from micropython import const

_OLED_SDA = const(17)
_OLED_SCL = const(18)
_OLED_RST = const(21)
_VEXT = const(36)
_KEY = const(0)
_RTC_SDA = const(41)
_RTC_SCL = const(42)
_BATTERY = const(1)
_ADC_CTRL = const(37)
_ADC_CTRL_ON = const(0)
_DIVIDER = 4.9  # (390k + 100k) / 100k
_I2C_HZ = const(400_000)
_POWER_UP_MS = const(20)  # Vext's switch and the OLED supply settle
_RESET_MS = const(5)  # the SSD1306 needs a few microseconds low, then a moment before the first command


class Board:
    name = "heltec_wifi_kit32_v3"
    display_off_s = DISPLAY_OFF_S  # the app's idle times: display dark, then deep sleep
    sleep_s = SLEEP_S

    def __init__(self):
        # hold=False lets go of the holds sleep() left on these pads.
        self._vext = Pin(_VEXT, Pin.OUT, value=0, hold=False)  # type: ignore[call-arg]
        time.sleep_ms(_POWER_UP_MS)
        reset = Pin(_OLED_RST, Pin.OUT, value=0)
        time.sleep_ms(_RESET_MS)
        reset.value(1)
        time.sleep_ms(_RESET_MS)
        self.display = SSD1306_I2C(128, 64, I2C(0, scl=Pin(_OLED_SCL), sda=Pin(_OLED_SDA), freq=_I2C_HZ))
        self.rtc = DS3231(I2C(1, scl=Pin(_RTC_SCL), sda=Pin(_RTC_SDA), freq=_I2C_HZ))
        self.port = usbport.Port()
        self._wake_key = Pin(_KEY, Pin.IN, Pin.PULL_UP)
        self._buttons = Buttons({"A": self._wake_key})
        self._adc_ctrl = Pin(_ADC_CTRL, Pin.OUT, value=1 - _ADC_CTRL_ON, hold=False)  # type: ignore[call-arg]
        divider = Signal(self._adc_ctrl, invert=_ADC_CTRL_ON == 0)
        self._battery = Battery(ADC(Pin(_BATTERY), atten=ADC.ATTN_2_5DB), ratio=_DIVIDER, enable=divider)
        self._poll = select.poll()
        self._poll.register(sys.stdin, select.POLLIN)

    def button(self):
        """None | "A" | "A long" (one key)."""
        return self._buttons.event()

    def idle(self, ms):
        """Wait up to `ms` for a byte from USB; key presses are caught by interrupt meanwhile."""
        self._poll.poll(ms)

    def battery(self):
        """Charge in percent, or None when the line reads no cell (none fitted; USB then reads above one)."""
        return self._battery.percent()

    def restart(self):
        machine.reset()

    def open_repl(self):
        """Nothing to do: main.py ends and the REPL opens on the USB line."""

    def sleep(self):
        """Deep sleep with the OLED unpowered, until the key is pressed; the wake boots main.py again."""
        self._buttons.wait_release("A")  # held down, the level-triggered wake would fire at once
        self.display.poweroff()
        # Vext and the divider off and held there: GPIO36/37 are not RTC pads on the S3, so their hold
        # lasts through deep sleep only with gpio_deep_sleep_hold.
        self._vext.init(value=1, hold=True)  # type: ignore[call-arg]
        self._adc_ctrl.init(value=1 - _ADC_CTRL_ON, hold=True)  # type: ignore[call-arg]
        esp32.gpio_deep_sleep_hold(True)  # type: ignore[attr-defined]  # in the ESP32 port, not the stubs
        esp32.wake_on_ext0(self._wake_key, esp32.WAKEUP_ALL_LOW)
        machine.deepsleep()


def setup():
    return Board()
