"""The virtual token's I2C shim (boards/sim/simhw.py) on the MicroPython VM, talking to chips the test emulates
outside the VM (totpfob.simbus). MicroPython only: the shim is board code (unbuffered files, heap_lock).

Arguments: the request and answer FIFOs, then the cases to run (comma-separated). One JSON line per case.
"""

import json
import sys
import time

import micropython
import simhw
from drivers.ds3231 import DS3231
from drivers.ssd1306 import SSD1306_I2C
from vmcase import emit, errno_of

_RTC = 0x68
_ABSENT = 0x51


def rtc(bus):
    chip = DS3231(bus)
    before = chip.datetime()
    lost = chip.time_lost()
    chip.set_datetime((2031, 5, 6, 7, 8, 9))
    emit("rtc", before=list(before), lost=lost, after=list(chip.datetime()), lost_after=chip.time_lost())


def absent(bus):
    buf = bytearray(2)
    calls = {
        "writeto": lambda: bus.writeto(_ABSENT, b"\x00"),
        "writevto": lambda: bus.writevto(_ABSENT, [b"\x40", b"\x00"]),
        "readfrom_mem_into": lambda: bus.readfrom_mem_into(_ABSENT, 2, buf),
        "writeto_mem": lambda: bus.writeto_mem(_ABSENT, 2, b"\x00"),
        "present": lambda: bus.readfrom_mem_into(_RTC, 0, buf),
    }
    errors = {}
    for name in calls:
        errors[name] = errno_of(calls[name])
    emit("absent", errors=errors, scan=bus.scan())


def picture(fb, width, height):
    """The frame buffer as hex, row by row, MSB first (as the simulator reports a panel)."""
    row = bytearray(width // 8)
    out = []
    for y in range(height):
        for i in range(len(row)):
            v = 0
            for x in range(i * 8, i * 8 + 8):
                v = v << 1 | (1 if fb.pixel(x, y) else 0)
            row[i] = v
        out.append("".join("%02x" % b for b in row))
    return "".join(out)


def screens(bus):
    """Two drawings, each reported after its show(); a third shown but never reported."""
    oled = SSD1306_I2C(128, 64, bus)
    drawn = []
    for n, text in enumerate(("123456", "987654", "000000")):
        oled.fill(0)
        oled.text(text, 8 * n, 20 + 8 * n, 1)
        oled.rect(0, 0, 128, 64, 1)
        oled.show()
        drawn.append(picture(oled, 128, 64))
        if n < 2:
            bus.report(json.dumps({"screen": "code", "code": text}).encode())
    emit("screens", drawn=drawn)


def init_only(bus):
    """A reset: the driver sets the OLED up again, and draws nothing."""
    SSD1306_I2C(128, 64, bus)
    emit("init_only")


def garbage(bus):
    """Transactions the token makes every tick allocate nothing (the heap is locked while they run)."""
    one = memoryview(bytearray(7))[0:1]
    seven = bytearray(7)
    frame = [b"\x40", bytearray(1024)]
    command = bytes((0x00, 0xAF))
    micropython.heap_lock()
    try:
        for _ in range(20):
            bus.readfrom_mem_into(_RTC, 0x0F, one)
            bus.readfrom_mem_into(_RTC, 0x00, seven)
            bus.writeto(0x3C, command)
            bus.writevto(0x3C, frame)
            bus.writeto_mem(_RTC, 0x10, one)
        failed = None
    except MemoryError:
        failed = "allocated"
    finally:
        micropython.heap_unlock()
    emit("garbage", failed=failed)


def latency(bus):
    seven = bytearray(7)
    count = 200
    start = time.ticks_us()
    for _ in range(count):
        bus.readfrom_mem_into(_RTC, 0x00, seven)
    emit("latency", us=time.ticks_diff(time.ticks_us(), start) / count)


CASES = {"rtc": rtc, "absent": absent, "screens": screens, "init_only": init_only, "garbage": garbage,
         "latency": latency}


def main():
    bus = simhw.I2C(sys.argv[1], sys.argv[2])
    for name in sys.argv[3].split(","):
        CASES[name](bus)


main()
