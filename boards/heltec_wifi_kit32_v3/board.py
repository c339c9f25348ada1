"""Heltec WiFi Kit 32 V3 (ESP32-S3): 0.96" SSD1306 128x64 OLED on its own I2C bus (GPIO17 SDA, GPIO18 SCL,
reset GPIO21), powered through Vext (GPIO36 low = on), one PRG key (GPIO0), LiPo connector, and a DS3231
module wired by hand to the header's GPIO41 (SDA) / GPIO42 (SCL), 3V3 and GND.

One key: a short press is "A", a long one "A long". Battery: GPIO1 behind a 390k/100k divider, switched on
by ADC_Ctrl (GPIO37) only while measuring: low on the V3/V3.1 schematics. Heltec's V3.2 boards of the LoRa
line switch it with high instead; if a board always reports no battery, set _ADC_CTRL_ON to 1.
"""

import time

from battery import Battery
from drivers.ds3231 import DS3231
from drivers.ssd1306 import SSD1306_I2C
from esp32board import Esp32Board
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


class Board(Esp32Board):
    name = "heltec_wifi_kit32_v3"
    # GPIO36/37 are not RTC pads on the S3: their hold lasts through deep sleep only with gpio_deep_sleep_hold.
    hold_digital_pads = True

    def __init__(self):
        # hold=False lets go of the holds sleep() left on these pads.
        vext = Pin(_VEXT, Pin.OUT, value=0, hold=False)  # type: ignore[call-arg]
        time.sleep_ms(_POWER_UP_MS)
        reset = Pin(_OLED_RST, Pin.OUT, value=0)
        time.sleep_ms(_RESET_MS)
        reset.value(1)
        time.sleep_ms(_RESET_MS)
        display = SSD1306_I2C(128, 64, I2C(0, scl=Pin(_OLED_SCL), sda=Pin(_OLED_SDA), freq=_I2C_HZ))
        rtc = DS3231(I2C(1, scl=Pin(_RTC_SCL), sda=Pin(_RTC_SDA), freq=_I2C_HZ))
        adc_ctrl = Pin(_ADC_CTRL, Pin.OUT, value=1 - _ADC_CTRL_ON, hold=False)  # type: ignore[call-arg]
        divider = Signal(adc_ctrl, invert=_ADC_CTRL_ON == 0)
        battery = Battery(ADC(Pin(_BATTERY), atten=ADC.ATTN_2_5DB), ratio=_DIVIDER, enable=divider)
        # Asleep: Vext off (the OLED unpowered) and the divider off, held there.
        super().__init__(display, rtc, {"A": Pin(_KEY, Pin.IN, Pin.PULL_UP)}, battery,
                         held=((vext, 1), (adc_ctrl, 1 - _ADC_CTRL_ON)))


def setup():
    return Board()
