"""LILYGO T-Display (ESP32): 1.14" ST7789 135x240 TFT (used in landscape), two keys, LiPo connector, and a
DS3231 module wired by hand to the header's GPIO21 (SDA) / GPIO22 (SCL), 3V3 and GND.

Keys (USB port down): A = the right key, GPIO35; B = the left key, GPIO0 (BOOT). Both are pulled up on the
board (GPIO35 has no internal pull-up). A wakes the token from deep sleep: it is not a strapping pin.
Battery: GPIO34 behind a 1:1 divider that GPIO14 (ADC_EN) switches on only while measuring.
"""

from battery import Battery
from drivers.ds3231 import DS3231
from drivers.st7789 import ST7789
from esp32board import Esp32Board, powered_up, woke_from_sleep
from machine import ADC, I2C, SPI, Pin
from micropython import const

_MOSI = const(19)
_SCLK = const(18)
_CS = const(5)
_DC = const(16)
_RST = const(23)
_BACKLIGHT = const(4)
_KEY_A = const(35)
_KEY_B = const(0)
_BATTERY = const(34)
_ADC_EN = const(14)
_SDA = const(21)
_SCL = const(22)
_DIVIDER = 2.0  # two 100 kOhm resistors: the pin sees half the cell voltage
_SPI_ID = const(1)  # SPI(1)'s default MISO, GPIO12, is a free header pin; SPI(2)'s, GPIO19, is the TFT's MOSI
_SPI_HZ = const(26_000_000)  # the most a full-duplex bus routed through the GPIO matrix is specified for
_I2C_HZ = const(400_000)


class Board(Esp32Board):
    name = "lilygo_tdisplay"

    def __init__(self):
        # hold=False lets go of the holds sleep() left on these pads; both start low: backlight dark until
        # the panel is cleared, divider off but while measuring (else it drains the cell all the time).
        backlight = Pin(_BACKLIGHT, Pin.OUT, value=0, hold=False)  # type: ignore[call-arg]
        adc_en = Pin(_ADC_EN, Pin.OUT, value=0, hold=False)  # type: ignore[call-arg]
        spi = SPI(_SPI_ID, baudrate=_SPI_HZ, sck=Pin(_SCLK), mosi=Pin(_MOSI))
        display = ST7789(spi, Pin(_DC, Pin.OUT), cs=Pin(_CS, Pin.OUT), rst=Pin(_RST, Pin.OUT, value=1), width=240,
                         height=135, xstart=40, ystart=53, madctl=0x60, backlight=backlight,
                         cold=not woke_from_sleep(), powered_up=powered_up())
        rtc = DS3231(I2C(0, scl=Pin(_SCL), sda=Pin(_SDA), freq=_I2C_HZ))
        battery = Battery(ADC(Pin(_BATTERY), atten=ADC.ATTN_11DB), ratio=_DIVIDER, enable=adc_en)
        # RTC pads, held low through deep sleep instead of floating: the backlight and the divider stay off.
        super().__init__(display, rtc, {"A": Pin(_KEY_A, Pin.IN), "B": Pin(_KEY_B, Pin.IN)}, battery,
                         held=((backlight, 0), (adc_en, 0)))


def setup():
    return Board()
