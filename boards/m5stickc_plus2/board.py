"""M5StickC Plus2: ESP32-PICO-V3-02, 1.14" ST7789v2 135x240 TFT (used in landscape), BM8563 RTC, 200 mAh LiPo.

On battery the board stays powered only while GPIO4 (HOLD) is high: it is driven high when this module is
imported, before anything slow, and pad hold keeps it high through deep sleep. Keys: A = the front "M5" key,
B = the side key, both pulled up on the board. The power key (GPIO35) switches the token off, and so does the
idle timer after a look: HOLD low cuts the supply on battery; on USB, where it cannot, the token goes to deep
sleep instead. The power key turns it on again; from deep sleep, key A wakes it. Battery: GPIO38 behind a 1:1 divider.
"""

import time

from machine import ADC, I2C, SPI, Pin
from micropython import const

_HOLD = const(4)
# Before the other imports: on battery every millisecond without HOLD counts.
_hold = Pin(_HOLD, Pin.OUT, value=1, hold=True)  # type: ignore[call-arg]  # hold= is ESP32-only, not in the stubs

from battery import Battery  # noqa: E402
from drivers.pcf8563 import PCF8563  # noqa: E402
from drivers.st7789 import ST7789  # noqa: E402
from esp32board import Esp32Board, powered_up, woke_from_sleep  # noqa: E402

_SDA = const(21)
_SCL = const(22)
_MOSI = const(15)
_SCK = const(13)
_DC = const(14)
_CS = const(5)
_RST = const(12)
_BACKLIGHT = const(27)
_KEY_A = const(37)
_KEY_B = const(39)
_KEY_POWER = const(35)
_BATTERY = const(38)
_DIVIDER = 2.0  # two equal resistors: the pin sees half the cell voltage
_SPI_ID = const(2)  # SPI(1)'s default MISO is GPIO12, this board's display reset; SPI(2)'s is GPIO19 (IR LED)
_SPI_HZ = const(26_000_000)  # the most a full-duplex bus routed through the GPIO matrix is specified for
_I2C_HZ = const(400_000)
_POWER_DOWN_MS = const(500)  # on battery the supply has died well within this after HOLD goes low


class Board(Esp32Board):
    name = "m5stickc_plus2"
    # Between looks the supply is cut (HOLD low), not only the ESP32 put to sleep: the board then draws about
    # 40 µA instead of 1 mA (the BM8563 keeps the time from the cell), 25 times longer on a charge when idle.
    # The power key starts it again, straight to the code (a cold start of the panel: ~0.15 s more than a wake).
    power_off_between_looks = True

    def __init__(self):
        self._hold = _hold
        _hold.init(value=1, hold=True)  # type: ignore[call-arg]  # already so, unless switched off meanwhile
        # Dark until the panel is cleared; hold=False lets go of the hold sleep() left on it.
        backlight = Pin(_BACKLIGHT, Pin.OUT, value=0, hold=False)  # type: ignore[call-arg]
        spi = SPI(_SPI_ID, baudrate=_SPI_HZ, sck=Pin(_SCK), mosi=Pin(_MOSI))
        display = ST7789(spi, Pin(_DC, Pin.OUT), cs=Pin(_CS, Pin.OUT), rst=Pin(_RST, Pin.OUT, value=1), width=240,
                         height=135, xstart=40, ystart=53, madctl=0x60, backlight=backlight,
                         cold=not woke_from_sleep(), powered_up=powered_up())
        rtc = PCF8563(I2C(0, scl=Pin(_SCL), sda=Pin(_SDA), freq=_I2C_HZ))  # BM8563: same registers
        # GPIO34..39 have no internal pulls: the board's resistors hold the keys up.
        keys = {"A": Pin(_KEY_A, Pin.IN), "B": Pin(_KEY_B, Pin.IN), "power": Pin(_KEY_POWER, Pin.IN)}
        battery = Battery(ADC(Pin(_BATTERY), atten=ADC.ATTN_11DB), ratio=_DIVIDER)
        # GPIO4 and GPIO27 are RTC pads: a pad hold on them lasts through deep sleep by itself.
        super().__init__(display, rtc, keys, battery, held=((backlight, 0), (_hold, 1)))

    def button(self):
        """None | "A" | "B" | "A long" | "B long"; the power key switches the token off instead."""
        event = super().button()
        if event == "power" or event == "power long":
            self.power_off()
            return None
        return event

    def power_off(self):
        """Switch off (the power key): as between looks."""
        self.sleep()

    def sleep(self):
        """Off until the power key: HOLD low cuts the supply on battery. Still running means USB (which feeds
        the board whatever HOLD says): deep sleep instead, until key A, as the other boards."""
        display = self.display
        display.fill(display.bg)  # blank first: on USB the deep sleep follows, whose wake draws on it as it is
        display.poweroff()
        self._hold.init(value=0, hold=False)  # type: ignore[call-arg]
        time.sleep_ms(_POWER_DOWN_MS)
        self._hold.init(value=1, hold=True)  # type: ignore[call-arg]
        super().sleep()


def setup():
    return Board()
