"""LILYGO T-Display (ESP32): 1.14" ST7789 135x240 TFT (used in landscape), two keys, LiPo connector, and a
DS3231 module wired by hand to the header's GPIO21 (SDA) / GPIO22 (SCL), 3V3 and GND.

Keys (USB port down): A = the right key, GPIO35; B = the left key, GPIO0 (BOOT). Both are pulled up on the
board (GPIO35 has no internal pull-up). A wakes the token from deep sleep: it is not a strapping pin.
Battery: GPIO34 behind a 1:1 divider that GPIO14 (ADC_EN) switches on only while measuring.
"""

import select
import sys

import esp32
import machine
import usbport
from app import DISPLAY_OFF_S, SLEEP_S
from battery import Battery
from buttons import Buttons
from drivers.ds3231 import DS3231
from drivers.st7789 import ST7789
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


class _TFT(ST7789):
    """The TFT and its backlight as one display: ui's off()/on() darken and light both."""

    def __init__(self, backlight, *args, **kwargs):
        self._backlight = backlight
        super().__init__(*args, **kwargs)
        backlight.value(1)  # only now: the panel memory held noise until the driver cleared it

    def poweroff(self):
        self._backlight.value(0)
        super().poweroff()

    def poweron(self):
        super().poweron()
        self._backlight.value(1)


class Board:
    name = "lilygo_tdisplay"
    display_off_s = DISPLAY_OFF_S  # the app's idle times: display dark, then deep sleep
    sleep_s = SLEEP_S

    def __init__(self):
        # Dark until the panel is cleared; hold=False lets go of the hold sleep() left on it.
        self._backlight = Pin(_BACKLIGHT, Pin.OUT, value=0, hold=False)  # type: ignore[call-arg]
        spi = SPI(_SPI_ID, baudrate=_SPI_HZ, sck=Pin(_SCLK), mosi=Pin(_MOSI))
        self.display = _TFT(self._backlight, spi, Pin(_DC, Pin.OUT), cs=Pin(_CS, Pin.OUT),
                            rst=Pin(_RST, Pin.OUT), width=240, height=135, xstart=40, ystart=53, madctl=0x60)
        self.rtc = DS3231(I2C(0, scl=Pin(_SCL), sda=Pin(_SDA), freq=_I2C_HZ))
        self.port = usbport.Port()
        self._wake_key = Pin(_KEY_A, Pin.IN)
        self._buttons = Buttons({"A": self._wake_key, "B": Pin(_KEY_B, Pin.IN)})
        # Off but while measuring: the divider would drain the cell all the time.
        self._adc_en = Pin(_ADC_EN, Pin.OUT, value=0, hold=False)  # type: ignore[call-arg]
        self._battery = Battery(ADC(Pin(_BATTERY), atten=ADC.ATTN_11DB), ratio=_DIVIDER, enable=self._adc_en)
        self._poll = select.poll()
        self._poll.register(sys.stdin, select.POLLIN)

    def button(self):
        """None | "A" | "B" | "A long" | "B long"."""
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
        """Deep sleep, screen dark, until key A is pressed; the wake boots main.py again."""
        self._buttons.wait_release("A")  # held down, the level-triggered wake would fire at once
        self.display.poweroff()
        # RTC pads, held low through deep sleep instead of floating: the backlight and the divider stay off.
        self._backlight.init(value=0, hold=True)  # type: ignore[call-arg]
        self._adc_en.init(value=0, hold=True)  # type: ignore[call-arg]
        esp32.wake_on_ext0(self._wake_key, esp32.WAKEUP_ALL_LOW)
        machine.deepsleep()


def setup():
    return Board()
