"""The emulated I2C bus as drivers see it: prints one JSON line per case."""


from drivers.ds3231 import DS3231 as Rtc
from simchips.ds3231 import DS3231
from simchips.i2c import Bus
from simchips.pcf8563 import PCF8563
from simchips.ssd1306 import SSD1306
from vmcase import emit, errno_of


def missing():
    bus = Bus()
    bus.attach(0x68, DS3231())
    buf = bytearray(2)
    calls = {
        "writeto": lambda: bus.writeto(0x3C, b"\x00\xaf"),
        "writevto": lambda: bus.writevto(0x3C, [b"\x40", b"\x00"]),
        "readfrom": lambda: bus.readfrom(0x51, 1),
        "readfrom_into": lambda: bus.readfrom_into(0x51, buf),
        "readfrom_mem": lambda: bus.readfrom_mem(0x51, 0x02, 7),
        "readfrom_mem_into": lambda: bus.readfrom_mem_into(0x51, 0x02, buf),
        "writeto_mem": lambda: bus.writeto_mem(0x51, 0x02, b"\x00"),
        "present": lambda: bus.readfrom_mem(0x68, 0x00, 7),
    }
    errors = {}
    for name in calls:
        errors[name] = errno_of(calls[name])
    rtc = Rtc(bus)
    before = errno_of(rtc.datetime)
    bus.detach(0x68)
    after = errno_of(rtc.datetime)
    emit("missing", errors=errors, driver_before=before, driver_after=after, scan=bus.scan())


def scan():
    bus = Bus()
    bus.attach(0x68, DS3231())
    bus.attach(0x3C, SSD1306())
    bus.attach(0x51, PCF8563())
    emit("scan", scan=bus.scan())


def pointer():
    """Register pointer: auto-increment, wrap at the last register, reads continue where they stopped."""
    bus = Bus()
    bus.attach(0x68, DS3231(now=lambda: 946684800.0 + 3725))  # 2000-01-01 01:02:05
    bus.writeto_mem(0x68, 0x07, b"\x11\x22\x33")  # alarm 1 registers
    wrapped = list(bus.readfrom_mem(0x68, 0x12, 3))  # temperature LSB, then seconds and minutes
    bus.writeto(0x68, b"\x07")
    first = list(bus.readfrom(0x68, 2))
    then = list(bus.readfrom(0x68, 1))
    emit("pointer", wrapped=wrapped, first=first, then=then)


missing()
scan()
pointer()
