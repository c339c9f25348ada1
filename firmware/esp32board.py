"""What every ESP32 board of the token does alike; a board file (boards/*/board.py) extends Esp32Board with
only what is its own: pins, chips, keys and any power switching of its own.

The USB line is MicroPython's stdin/stdout. Key A wakes the board from deep sleep (ext0, pressed = low): the
wake boots main.py again, straight to the code. The contract the app relies on is boardbase.Board's.
"""

import select
import sys

import esp32
import machine
import usbport
from boardbase import Board
from buttons import Buttons
from micropython import const

# Idle seconds before the display goes dark: long enough to read a code and type it (the next code joins the
# screen for its last seconds), short because a lit display is most of a look's charge (bench/battery.py).
_DISPLAY_OFF_S = const(20)
# Then at once deep sleep, until key A wakes it (straight to the code, ~0.2 s): awake and dark, the board drew
# nearly as much as lit for nothing a press after the wake does not also give.
_SLEEP_S = const(20)
_REPL_IDLE_MS = const(60000)  # an allowed maintenance closes again after this long without host traffic
# The CPU clock: full speed from the wake to the first code (the time a person waits), then 80 MHz, which
# does everything the rest of a look needs and draws about a quarter less (bench/battery.py's sources).
_WAKE_HZ = const(240_000_000)
_AWAKE_HZ = const(80_000_000)

# At import: the board file imports this before building its parts, and the app follows. MicroPython starts
# the ESP32 at ESP-IDF's default, 160 MHz; a chip rated for no more keeps it.
try:
    machine.freq(_WAKE_HZ)
except ValueError:  # noqa: S110
    pass


def woke_from_sleep():
    """True when this boot is a wake from deep sleep: chips that stayed powered need no cold start."""
    return machine.reset_cause() == machine.DEEPSLEEP_RESET


def powered_up():
    """True when this boot follows a power-up (the board was off): its chips start from their reset state,
    asleep, rather than from whatever a restart left them in."""
    return machine.reset_cause() == machine.PWRON_RESET


class Esp32Board(Board):
    """The board object app.run() drives, for an ESP32 whose board file built the parts and hands over:
    `display`; `rtc`; `keys`, {"A": pin, ...} input pins pulled up (pressed = low), A the one that wakes;
    `battery`, a Battery, or None where the board cannot measure; `held`, (pin, level) pairs to keep
    through deep sleep by pad hold (a power latch, a backlight, a switched divider). The board file's
    class sets `name`; `hold_digital_pads` where a held pad is no RTC pad."""

    display_off_s = _DISPLAY_OFF_S
    sleep_s = _SLEEP_S
    hold_digital_pads = False  # a pad hold lasts through deep sleep by itself only on RTC pads

    def __init__(self, display, rtc, keys, battery=None, held=()):
        super().__init__(display, rtc, usbport.Port())
        self._wake_key = keys["A"]
        self._buttons = Buttons(keys)
        self._battery = battery
        self._held = held
        self._poll = select.poll()
        self._poll.register(sys.stdin, select.POLLIN)
        self._slowed = False

    def button(self):
        """None | "A" | "B" | "A long" | "B long" (the board's keys by the names it gave them)."""
        return self._buttons.event()

    def pressed(self, name):
        """True while the key called `name` is down (read now)."""
        return self._buttons.held(name)

    def idle(self, ms):
        """Wait up to `ms` for a byte from USB; key presses are caught by interrupt meanwhile. The first idle
        comes after the first screen: from then on the CPU runs at _AWAKE_HZ."""
        if not self._slowed:
            self._slowed = True
            machine.freq(_AWAKE_HZ)
        self._poll.poll(ms)

    def battery(self):
        """Charge in percent, or None: nothing to measure with, or no cell on the line (none fitted, or USB
        and the charger holding it above a full cell)."""
        if self._battery is None:
            return None
        return self._battery.percent()

    def open_repl(self):
        """Maintenance was allowed: the REPL opens when main.py ends, and closes again (a reset: back to the
        codes) after _REPL_IDLE_MS without host traffic. The REPL answers everything the host sends it (echo,
        raw REPL "OK"s), so its output, seen through os.dupterm, is the traffic; a soft timer watches it."""
        import io
        import os
        import time

        class Watch(io.IOBase):  # dupterm takes only io.IOBase subclasses
            at = time.ticks_ms()

            def write(self, data):
                Watch.at = time.ticks_ms()
                return len(data)

            def readinto(self, buf):
                return None  # adds no input: the USB line is the REPL's own

        def check(timer):
            if time.ticks_diff(time.ticks_ms(), Watch.at) > _REPL_IDLE_MS:
                machine.reset()

        os.dupterm(Watch())  # type: ignore[attr-defined]  # in the ESP32 port, not the stubs
        machine.Timer(0).init(period=1000, callback=check)

    def sleep(self):
        """Deep sleep, display off, until key A is pressed; the wake boots main.py again."""
        self._buttons.wait_release("A")  # held down, the level-triggered wake would fire at once
        display = self.display
        # Blank, so that the panel's memory holds bg only when the wake draws on it (a panel that stays
        # powered through the sleep is not cleared again then: drivers/st7789.py).
        display.fill(display.bg)
        display.show()
        self.display.poweroff()
        self.display.settle()  # a TFT asleep long enough now may be woken at once by the next boot
        for pin, level in self._held:
            pin.init(value=level, hold=True)  # type: ignore[call-arg]  # hold= is ESP32-only, not in the stubs
        if self.hold_digital_pads:
            esp32.gpio_deep_sleep_hold(True)  # type: ignore[attr-defined]  # in the ESP32 port, not the stubs
        esp32.wake_on_ext0(self._wake_key, esp32.WAKEUP_ALL_LOW)
        machine.deepsleep()
