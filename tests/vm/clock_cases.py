"""firmware/clock.py on its own and over the RTC drivers and emulated chips: prints one JSON line per case.

Usage: clock_cases.py SETTINGS_DIR, with {"dates", "seconds", "readings", "corrections", "garbage", "drifts"}
on stdin (see tests/test_clock.py). The chips' host time is a fake clock, so a month passes at once, and the
Clock's wait before setting a chip advances that fake clock.
"""

import json
import sys
import time

import clock
from simchips.i2c import Bus
from vmcase import emit

HOST_START = 1767225600  # 2026-01-01 00:00:00 UTC, a second edge
DAY = 86400
SETTINGS_DIR = sys.argv[1]
_settings = [0]


def settings_path():
    """A fresh settings file for each Clock that should start never synced."""
    _settings[0] += 1
    return "%s/clock%d.cfg" % (SETTINGS_DIR, _settings[0])


class FakeClock:
    def __init__(self, t=HOST_START):
        self.t = t

    def __call__(self):
        return self.t

    def sleep_ms(self, ms):
        self.t += ms / 1000


class Garbled:
    """A chip as a noisy bus or a confused chip delivers it: some registers read back as the given bytes."""

    def __init__(self, chip, registers):
        self.chip = chip
        self.registers = registers

    def write(self, data):
        self.chip.write(data)

    def read(self, n):
        start = self.chip.pointer
        data = bytearray(self.chip.read(n))
        for register, value in self.registers:
            if 0 <= register - start < n:
                data[register - start] = value
        return bytes(data)


def chip_kit(name):
    """(driver class, model class, first time register) for an RTC chip."""
    if name == "ds3231":
        from drivers.ds3231 import DS3231 as Driver
        from simchips.ds3231 import DS3231 as Model
        return Driver, Model, 0x00
    from drivers.pcf8563 import PCF8563 as Driver
    from simchips.pcf8563 import PCF8563 as Model
    return Driver, Model, 0x02


def register_of(name, field):
    # Both chips keep seconds to years in a row; the DS3231 has the weekday before the day, the PCF8563 after.
    if name == "ds3231":
        order = ("second", "minute", "hour", "weekday", "day", "month", "year")
    else:
        order = ("second", "minute", "hour", "day", "weekday", "month", "year")
    return chip_kit(name)[2] + order.index(field)


def token(name, fake, **chip_args):
    """(bus, model, driver, Clock) with the chip at its address."""
    Driver, Model, _ = chip_kit(name)
    model = Model(now=fake, **chip_args)
    bus = Bus()
    bus.attach(Model.ADDRESS, model)
    rtc = Driver(bus)
    return bus, model, rtc, clock.Clock(rtc, settings_path(), sleep_ms=fake.sleep_ms)


def pure(data):
    emit("calendar", to_unix=[clock.to_unix(d) for d in data["dates"]],
         from_unix=[list(clock.from_unix(s)) for s in data["seconds"]])
    emit("plausible", results=[clock.plausible(r) for r in data["readings"]])
    emit("correction", results=[clock.correction(e, p) for e, p in data["corrections"]])


def epoch():
    def gmtime_2000(seconds):  # a port counting from 2000-01-01, as the ESP32 does
        return (2000, 1, 1, 0, 0, 0, 5, 1)

    def gmtime_1970(seconds):
        return (1970, 1, 1, 0, 0, 0, 3, 1)

    counts = [0, 1, 86399, 820454400, 1000000000]
    emit("epoch", port_year=time.gmtime(0)[0], port_epoch=clock.port_epoch(),
         port_unix=clock.unix_from_port(time.time()),
         epoch_2000=clock.port_epoch(gmtime_2000), epoch_1970=clock.port_epoch(gmtime_1970),
         from_2000=[clock.unix_from_port(c, gmtime_2000) for c in counts],
         from_1970=[clock.unix_from_port(c, gmtime_1970) for c in counts], counts=counts)


def lost_until_set(name):
    """A chip that lost its time: no time until the host sets it, then the right one, ticking on time."""
    fake = FakeClock()
    bus, model, rtc, clk = token(name, fake, lost=True)
    before = [clk.now(), clk.raw()]
    fake.t = HOST_START + 7  # the host sets the time at a second edge: "HOST_START + 7 begins now"
    clk.set(HOST_START + 7)
    set_at = HOST_START + 7
    readings = []
    for after in (0.99, 1.01, 1.99, 2.01, 100.5):
        fake.t = set_at + after
        readings.append([after, clk.now()])
    kept = clock.Clock(rtc, clk.settings)
    emit("lost_until_set", chip=name, before=before, flag=rtc.time_lost(), readings=readings,
         set_at=set_at, last_sync=kept.last_sync)


def bad_drift(name):
    """A drift no crystal has is refused before the chip is touched."""
    fake = FakeClock()
    bus, model, rtc, clk = token(name, fake, lost=True)
    refused = []
    for drift_ppb in (clock.MAX_DRIFT_PPB + 1, -clock.MAX_DRIFT_PPB - 1):
        try:
            clk.set(HOST_START, drift_ppb)
            refused.append(False)
        except ValueError:
            refused.append(True)
    still_lost = rtc.time_lost()
    clk.set(HOST_START, clock.MAX_DRIFT_PPB)
    emit("bad_drift", chip=name, refused=refused, still_lost=still_lost, accepted=clk.drift_ppb)


def flag_alone(name):
    """The chip's lost flag (DS3231 OSF, PCF8563 VL) with a time that still looks fine."""
    start = HOST_START + 10 * DAY
    fake = FakeClock(start + 0.25)
    bus, model, rtc, clk = token(name, fake)
    good = clk.now()
    model.stop_oscillator(3.0)
    reading = rtc.datetime()
    stopped = [clk.now(), clk.raw(), clock.plausible(reading)]
    fake.t = start + 20
    clk.set(start + 20)
    fake.t += 0.5
    emit("flag_alone", chip=name, good=good, host=start, stopped=stopped, after_set=clk.now(),
         after_set_host=start + 20)


def old_year(name):
    """A reading before BUILD_YEAR is refused; the same chip a few seconds later, in BUILD_YEAR, is not."""
    fake = FakeClock()
    bus, model, rtc, clk = token(name, fake)
    rtc.set_datetime((clock.BUILD_YEAR - 1, 12, 31, 23, 59, 58))
    results = []
    for after in (0.1, 3.2):
        fake.t = HOST_START + after
        results.append([clk.now(), list(rtc.datetime())])
    emit("old_year", chip=name, results=results)


def missing(name):
    """The chip stops answering (unplugged, dead bus) and comes back."""
    fake = FakeClock()
    bus, model, rtc, clk = token(name, fake)
    fake.t += 0.25
    results = [clk.now()]
    bus.detach(model.ADDRESS)
    results += [clk.now(), clk.raw()]
    bus.attach(model.ADDRESS, model)
    results.append(clk.now())
    emit("missing", chip=name, results=results, host=HOST_START)


def garbage(name, cases):
    """Readings no chip keeping time could give: each replaces some time registers as read."""
    results = []
    for fields in cases:
        fake = FakeClock()
        bus, model, rtc, clk = token(name, fake)
        fake.t += 0.25
        registers = [(register_of(name, field), value) for field, value in sorted(fields.items())]
        bus.attach(model.ADDRESS, Garbled(model, registers))
        results.append(clk.now())
    emit("garbage", chip=name, results=results, host=HOST_START)


def drift(name, ppm, drift_ppb, days):
    """A chip running ppm fast, synced with drift_ppb: its raw and corrected time `days` later, and again
    from a Clock that reads its settings afresh (a restart)."""
    fake = FakeClock()
    bus, model, rtc, clk = token(name, fake, drift_ppm=ppm)
    clk.set(HOST_START, drift_ppb)
    fake.t = HOST_START + days * DAY + 0.5
    again = clock.Clock(rtc, clk.settings)
    emit("drift", chip=name, ppm=ppm, drift_ppb=drift_ppb, days=days, true=fake.t, raw=clk.raw(),
         now=clk.now(), restarted=again.now(), uncorrected=clock.Clock(rtc, settings_path()).now())


def main():
    data = json.loads(sys.stdin.read())
    pure(data)
    epoch()
    for name in ("ds3231", "pcf8563"):
        lost_until_set(name)
        bad_drift(name)
        flag_alone(name)
        old_year(name)
        missing(name)
        garbage(name, data["garbage"])
        for ppm, drift_ppb, days in data["drifts"]:
            drift(name, ppm, drift_ppb, days)


main()
