"""On the MicroPython VM: what an ST7789 board's wake costs in its display driver, for figure 7's per-board
estimates. Argument: "warm" (woken from deep sleep: the panel stayed powered), "restart" (a reset: the
controller may have been awake) or "powered" (the board was off: the controller starts asleep).

The driver runs on a counting SPI bus and stand-in pins (built-in functions, as cheap as the board's); `time`
is replaced by a module whose milliseconds pass only when the driver asks to wait (sleep_ms adds them up
instead of sleeping), so the microseconds measured are the driver's own work and the waits are the datasheet's,
as the driver counts them without the firmware's time between its steps (which the host adds).
One JSON line per step (init, the first code screen): us, SPI bytes, SPI writes, ms of waits asked for (and,
for the first code screen, those of the waits made by its show(), which lights the panel: sleep out).
"""

import json
import sys
import time as _time


class _Time:
    """time, with a clock that only the waits the driver asks for move."""

    waited = 0

    @staticmethod
    def sleep_ms(ms):
        _Time.waited += ms

    @staticmethod
    def ticks_ms():
        return _Time.waited

    @staticmethod
    def ticks_add(a, b):
        return a + b

    @staticmethod
    def ticks_diff(a, b):
        return a - b


sys.modules["time"] = _Time

import ui  # noqa: E402
from drivers.st7789 import ST7789  # noqa: E402


class Pin:
    """A pin whose value() is a built-in (abs): as cheap as machine.Pin's, so its time is not the driver's."""

    def __init__(self):
        self.value = abs


class SPI:
    """Counts what machine.SPI would send; write() is a built-in (list.append) for the same reason."""

    def __init__(self):
        self._sent = []
        self.write = self._sent.append

    @property
    def bytes(self):
        return sum(len(part) for part in self._sent)

    @property
    def writes(self):
        return len(self._sent)


def measured(step, action, spi):
    before, writes, waited = spi.bytes, spi.writes, _Time.waited
    start = _time.ticks_us()
    result = action()
    took = _time.ticks_diff(_time.ticks_us(), start)
    print(json.dumps({"step": step, "us": took, "spi_bytes": spi.bytes - before, "spi_writes": spi.writes - writes,
                      "waits_ms": _Time.waited - waited}))
    return result


def main():
    spi = SPI()
    mode = sys.argv[1]
    # As the board files build it: landscape 240x135, backlight and reset pins.
    display = measured("init", lambda: ST7789(spi, Pin(), cs=Pin(), rst=Pin(), width=240, height=135, xstart=40,
                                               ystart=53, madctl=0x60, backlight=Pin(), cold=mode != "warm",
                                               powered_up=mode == "powered"), spi)
    show = display.show

    def counted_show():
        before = _Time.waited
        show()
        print(json.dumps({"show_waits_ms": _Time.waited - before}))

    display.show = counted_show
    screen = ui.Screen(display)
    # A typical first screen: issuer and an e-mail label, a 6-digit code, the bar, the battery.
    measured("first code", lambda: screen.code("demo.user@example.com", "492039", 17, 30, "", None, 80,
                                               "Example"), spi)


main()
