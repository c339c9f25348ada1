"""What the two RTC models share: a crystal counting seconds since 2000-01-01, its calendar, BCD bytes, and the
power-on set-up (time, drift, a lost coin cell).

Emulated time = time at the last set + host seconds since then * (1 + ppm / 1e6). `now` is injectable, so a
test can let a month pass in no time. The calendar is the platform's own (time.gmtime) and a day count by
month lengths, not the firmware's formula: the models are an independent check of firmware/clock.py.
"""

import time

from .i2c import RegisterFile

EPOCH_2000 = 946684800  # unix time of 2000-01-01 00:00:00 UTC, where both chips' calendars start

# Days before the first of each month in a common year.
_DAYS_BEFORE_MONTH = (0, 31, 59, 90, 120, 151, 181, 212, 243, 273, 304, 334)


def bcd(value):
    """Binary-coded decimal byte -> int."""
    return (value >> 4) * 10 + (value & 0x0F)


def to_bcd(number):
    """int 0..99 -> binary-coded decimal byte."""
    return ((number // 10) << 4) | (number % 10)


def _leap_years_through(year):
    """Leap years among 1..year (Gregorian rule)."""
    return year // 4 - year // 100 + year // 400


def date_to_days(year, month, day):
    """Days from 2000-01-01 to the given Gregorian date (year 2000 and later)."""
    leap = year % 4 == 0 and (year % 100 != 0 or year % 400 == 0)
    return (365 * (year - 2000) + _leap_years_through(year - 1) - _leap_years_through(1999)
            + _DAYS_BEFORE_MONTH[month - 1] + (1 if leap and month > 2 else 0) + day - 1)


def days_to_date(days):
    """Inverse of date_to_days: (year, month, day), from the platform's UTC calendar."""
    return tuple(time.gmtime(EPOCH_2000 + days * 86400)[:3])


class Timekeeper:
    """A crystal counting seconds since 2000-01-01, (1 + ppm/1e6) times as fast as the host clock."""

    def __init__(self, now, seconds, ppm=0.0, since=None):
        self.now = now
        self._since = now() if since is None else since
        self._seconds = seconds
        self._ppm = ppm
        self.running = True

    def seconds(self):
        """Emulated seconds since 2000-01-01 (float)."""
        if not self.running:
            return self._seconds
        return self._seconds + (self.now() - self._since) * (1.0 + self._ppm / 1e6)

    def set(self, seconds):
        """Count on from `seconds`, starting now."""
        self._since = self.now()
        self._seconds = seconds

    def set_ppm(self, ppm):
        """Change the rate from now on without a jump."""
        self.set(self.seconds())
        self._ppm = ppm

    def stop(self):
        """Hold the count at its current whole second (the prescaler is held in reset)."""
        self._seconds = float(int(self.seconds() // 1))
        self.running = False

    def start(self, first_tick_s):
        """Release a stopped count; the first increment comes `first_tick_s` later."""
        self.running = True
        self.set(self._seconds + 1.0 - first_tick_s)

    def fields(self):
        """(year, month, day, hour, minute, second, days since 2000, fraction) of the current time."""
        now = self.seconds()
        whole = int(now // 1)
        days, second_of_day = divmod(whole, 86400)
        year, month, day = days_to_date(days)
        return (year, month, day, second_of_day // 3600, second_of_day // 60 % 60, second_of_day % 60,
                days, now - whole)

    def state(self):
        """JSON-able snapshot; `since` is host time, so the count keeps running while the sim is off."""
        return {"since": self.now(), "seconds": self.seconds(), "running": self.running}

    @classmethod
    def from_state(cls, now, state, ppm):
        """Rebuild a snapshot taken by state(), as if the crystal had run on meanwhile."""
        keeper = cls(now, state["seconds"], ppm, since=state["since"])
        keeper.running = state["running"]
        return keeper


def century_bit(year):
    """Bit 7 of the month register for `year` (2000..2199 and on, repeating every 200 years)."""
    # Both chips toggle the century bit when the year register rolls over from 99 to 00.
    return 0x80 if (year - 2000) // 100 % 2 else 0


class CrystalRTC(RegisterFile):
    """An RTC chip of `size` registers on a Timekeeper: at power-on it counts from the host's time plus
    `offset_s`, or from 2000-01-01 00:00:00 when its coin cell was removed (`lost`)."""

    def __init__(self, size, now=None, offset_s=0, drift_ppm=0, lost=False):
        RegisterFile.__init__(self, size)
        self.now = now or time.time
        self.drift_ppm = drift_ppm
        start = 0.0 if lost else self.now() - EPOCH_2000 + offset_s
        self.clock = Timekeeper(self.now, start, drift_ppm)

    def unix_time(self):
        """The emulated time as unix seconds (float)."""
        return self.clock.seconds() + EPOCH_2000
