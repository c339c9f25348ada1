"""On the MicroPython VM: what booting the token costs, step by step, as main.py does it.

Argument: the modules main.py pulls in, comma-separated, dependencies first (the host works the order out).
Each is imported alone: the heap it keeps (gc.mem_alloc after a collection) and the microseconds it took. Then
the sim board is set up on emulated chips, the app is built and draws its first screen, which must be a code
(the current directory holds a vault with one account). The I2C traffic is counted as it would go on the wire:
the host turns it into transfer time on a real bus. One JSON line per step.

On the virtual token the chips are emulated by the simulator, outside the VM (simhw is only an I2C shim). Here
they run in this VM instead, on the counting bus below, created before anything is measured: no simulator is
needed, and the time spent in them is measured to the microsecond and taken out of the firmware's.
"""

import gc
import json
import sys
import time

_RTC = 0x68
_OLED = 0x3C


def emit(**fields):
    print(json.dumps(fields))


def measured(step, action, bus=None):
    """Run action() after a collection; emit the heap it kept, the time it took and (given the bus) the I2C
    bytes it sent and the time spent in the emulated chips; return its result."""
    gc.collect()
    before = gc.mem_alloc()
    wire, emulated = (bus.wire, bus.us) if bus is not None else (0, 0)
    start = time.ticks_us()
    result = action()
    took = time.ticks_diff(time.ticks_us(), start)
    gc.collect()
    fields = {"step": step, "us": took, "bytes": gc.mem_alloc() - before}
    if bus is not None:
        fields["wire_bytes"] = bus.wire - wire
        fields["emulated_us"] = bus.us - emulated
    emit(**fields)
    return result


def main():
    for name in sys.argv[1].split(","):
        measured("import " + name, lambda module=name: __import__(module))

    import app
    import board
    import simhw
    from simchips.ds3231 import DS3231
    from simchips.i2c import Bus
    from simchips.ssd1306 import SSD1306

    class CountingBus(Bus):
        """The emulated bus, counting what a real one would carry and the time spent in the emulated chips."""

        def __init__(self):
            super().__init__()
            self.wire = 0  # bytes on the wire, address bytes included
            self.transactions = 0
            self.us = 0

        def _timed(self, call, *args):
            start = time.ticks_us()
            result = call(*args)
            self.us += time.ticks_diff(time.ticks_us(), start)
            return result

        def writeto(self, addr, buf, stop=True):
            self.wire += 1 + len(buf)
            self.transactions += 1
            return self._timed(Bus.writeto, self, addr, buf)

        def writevto(self, addr, vector, stop=True):
            self.wire += 1 + sum(len(part) for part in vector)
            self.transactions += 1
            return self._timed(Bus.writevto, self, addr, vector)

        def readfrom_mem(self, addr, memaddr, nbytes, addrsize=8):
            self.wire += 3 + nbytes  # address+W, register, address+R after a repeated start
            self.transactions += 1
            return self._timed(Bus.readfrom_mem, self, addr, memaddr, nbytes, addrsize)

        def readfrom_mem_into(self, addr, memaddr, buf, addrsize=8):
            self.wire += 3 + len(buf)
            self.transactions += 1
            return self._timed(Bus.readfrom_mem_into, self, addr, memaddr, buf, addrsize)

        def writeto_mem(self, addr, memaddr, buf, addrsize=8):
            self.wire += 2 + len(buf)
            self.transactions += 1
            return self._timed(Bus.writeto_mem, self, addr, memaddr, buf, addrsize)

        def readfrom_into(self, addr, buf, stop=True):
            self.wire += 1 + len(buf)
            self.transactions += 1
            return self._timed(Bus.readfrom_into, self, addr, buf)

    class Hardware:
        """What boards/sim/board.py takes from simhw: a bus with the chips, buttons, idle, shown, and the
        simulator's settings (none: the defaults)."""

        config = {}  # type: dict

        def __init__(self):
            self.i2c = CountingBus()
            self.rtc_chip = DS3231()
            self.oled = SSD1306(128, 64)
            self.i2c.attach(_RTC, self.rtc_chip)
            self.i2c.attach(_OLED, self.oled)
            self.screens = []

        def button(self):
            return None

        def idle(self, ms):
            pass

        def pressed(self, name):
            return False

        def shown(self, info):
            self.screens.append(info.get("screen"))

    hardware = Hardware()
    simhw.hardware = hardware
    bus = hardware.i2c
    token = measured("board.setup()", board.setup, bus)
    the_app = measured("app.App(board)", lambda: app.App(token), bus)
    measured("first draw", the_app.draw, bus)
    emit(screens=hardware.screens, transactions=bus.transactions)


main()
