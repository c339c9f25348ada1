"""RTC driver on its emulated chip, over the emulated bus: prints one JSON line per case.

Usage: chips_rtc.py ds3231|pcf8563, with {"dates": [[y, mo, d, h, mi, s], ...]} on stdin.
Time is a fake host clock, so months pass instantly.
"""

import json
import sys

from simchips.i2c import Bus
from vmcase import emit

if sys.argv[1] == "ds3231":
    from drivers.ds3231 import DS3231 as Driver
    from simchips.ds3231 import DS3231 as Model
    WEEKDAY_REG, MONTH_REG = 0x03, 0x05
else:
    from drivers.pcf8563 import PCF8563 as Driver
    from simchips.pcf8563 import PCF8563 as Model
    WEEKDAY_REG, MONTH_REG = 0x06, 0x07

HOST_START = 1767225600.0  # 2026-01-01 00:00:00 UTC
DAY = 86400


class FakeClock:
    def __init__(self, t=HOST_START):
        self.t = t

    def __call__(self):
        return self.t


def token(chip):
    bus = Bus()
    bus.attach(Model.ADDRESS, chip)
    return bus, Driver(bus)


def round_trip(dates):
    clock = FakeClock()
    bus, rtc = token(Model(now=clock))
    now, later, tomorrow, weekdays, months = [], [], [], [], []
    for date in dates:
        rtc.set_datetime(tuple(date))
        now.append(rtc.datetime())
        weekdays.append(bus.readfrom_mem(Model.ADDRESS, WEEKDAY_REG, 1)[0])
        months.append(bus.readfrom_mem(Model.ADDRESS, MONTH_REG, 1)[0])
        clock.t += 1.2  # either chip has ticked once by then
        later.append(rtc.datetime())
        clock.t += DAY
        tomorrow.append(rtc.datetime())
    emit("round_trip", now=now, later=later, tomorrow=tomorrow, weekdays=weekdays, months=months)


def lost():
    clock = FakeClock()
    bus, rtc = token(Model(now=clock, lost=True))
    flags = [rtc.time_lost()]
    clock.t += 5.0
    flags.append(rtc.time_lost())
    counting = rtc.datetime()
    rtc.set_datetime((2026, 3, 14, 15, 9, 26))
    flags.append(rtc.time_lost())
    clock.t += 3600
    flags.append(rtc.time_lost())
    emit("lost", flags=flags, counting=counting, after_set=rtc.datetime())


def tick_edge(rtc, clock, step=0.002):
    """Host time just after the chip's seconds change, and the reading then."""
    first = rtc.datetime()
    start = clock.t
    while True:
        clock.t += step
        reading = rtc.datetime()
        if reading != first:
            return clock.t, reading
        if clock.t - start > 1.5:
            raise RuntimeError("no tick")


def set_at_edge(rtc, clock, date):
    # Write at the moment that makes the chip's first tick fall on the next whole host second.
    clock.t = HOST_START + 1.0 - rtc.FIRST_TICK_S
    rtc.set_datetime(date)


def drift(ppm, aging, days):
    clock = FakeClock()
    model = Model(now=clock, drift_ppm=ppm)
    bus, rtc = token(model)
    if aging is not None:
        rtc.set_aging(aging)
    set_at_edge(rtc, clock, (2026, 1, 1, 0, 0, 0))
    clock.t = HOST_START + days * DAY
    host, reading = tick_edge(rtc, clock)
    emit("drift", ppm=ppm, aging=aging, days=days, host=host, reading=reading,
         model_ahead=model.unix_time() - clock.t, aging_read=rtc.aging() if aging is not None else None)


def second_restart(fraction):
    """Set the time at a host time with the given fraction; read it at offsets after the write."""
    clock = FakeClock(HOST_START + 7.0 + fraction)
    bus, rtc = token(Model(now=clock))
    written = clock.t
    rtc.set_datetime((2030, 6, 15, 12, 0, 0))
    readings = []
    for offset in (0.0, 0.49, 0.52, 0.99, 1.01, 1.49, 1.52, 1.99, 2.01):
        clock.t = written + offset
        readings.append([offset, rtc.datetime()[5]])
    emit("second_restart", fraction=fraction, readings=readings)


def state_round_trip(lost_chip):
    clock = FakeClock()
    model = Model(now=clock, drift_ppm=10, lost=lost_chip)
    bus, rtc = token(model)
    if not lost_chip:
        set_at_edge(rtc, clock, (2026, 1, 1, 0, 0, 0))
        if hasattr(rtc, "set_aging"):
            rtc.set_aging(-7)
    clock.t = HOST_START + 100.25
    before = rtc.datetime()
    saved = json.dumps(model.state())
    clock.t += 3600.0  # the sim is off for an hour; the chip runs on its coin cell
    restored = Model.from_state(json.loads(saved), now=clock)
    bus2, rtc2 = token(restored)
    emit("state", lost=lost_chip, before=before, after=rtc2.datetime(), time_lost=rtc2.time_lost(),
         aging=rtc2.aging() if hasattr(rtc2, "aging") else None)


def ds3231_registers():
    """12-hour mode as another driver may leave it, clear-only flags, temperature."""
    clock = FakeClock()
    bus, rtc = token(Model(now=clock))
    hours = []
    for raw in (0x40 | 0x20 | 0x12, 0x40 | 0x12, 0x40 | 0x20 | 0x01, 0x40 | 0x11):
        bus.writeto_mem(0x68, 0x02, bytes([raw]))
        hours.append(rtc.datetime()[3])
    rtc.set_datetime((2026, 1, 1, 13, 0, 0))
    hours_reg = bus.readfrom_mem(0x68, 0x02, 1)[0]
    bus.writeto_mem(0x68, 0x0F, b"\x80")  # software cannot set OSF
    emit("ds3231_registers", hours=hours, hours_reg=hours_reg, time_lost=rtc.time_lost(),
         temperature=rtc.temperature())


def main():
    dates = json.loads(sys.stdin.read())["dates"]
    round_trip(dates)
    lost()
    drift(20, None, 30)
    drift(-15, None, 30)
    if sys.argv[1] == "ds3231":
        drift(0, 100, 30)
        drift(20, -50, 30)
        ds3231_registers()
    for fraction in (0.0, 0.3, 0.8):
        second_restart(fraction)
    state_round_trip(False)
    state_round_trip(True)


main()
