"""Unix time from the board's RTC chip: refused when the chip cannot be trusted, corrected for its drift.

Epoch, in this module only: the chip keeps a UTC calendar date, turned into unix seconds here by arithmetic
(never time.mktime), so every port gets the same number. Whatever needs the port's own time.time() as unix time
goes through unix_from_port(): the ESP32 counts from 2000-01-01, the unix port from 1970.

Drift: a crystal runs a steady few ppm fast or slow. Each sync sets the chip to the true second (last_sync);
the host, seeing how far the chip had run off since the sync before, tells the token the chip's drift as surplus
seconds per 10^9 of the chip's own seconds (drift_ppb, positive = fast). now() takes off
round(chip seconds since last_sync * drift_ppb / 10^9). Counted in the chip's own seconds the correction is exact
(no 1 + drift factor to approximate). The integers stay exact on the ESP32 too: unix seconds already exceed its
31-bit small ints and MicroPython carries on in arbitrary-precision ints (no overflow, no rounding), and the
correction is worked out once per chip second, not per call. (The DS3231's aging register could trim the
crystal instead, but in ~0.1 ppm steps, on one chip type only: the software correction serves every chip.)
"""

import os
import struct
import time
from binascii import crc32

from micropython import const

try:
    from time import sleep_ms as _sleep_ms
except ImportError:  # CPython
    def _sleep_ms(ms):  # type: ignore[misc]
        time.sleep(ms / 1000)

# A reading before this year means the coin cell ran out and the chip restarted from its reset date.
BUILD_YEAR = const(2026)
# 1000 ppm: ten times a poor watch crystal. A larger "drift" is a measuring mistake, not a chip.
MAX_DRIFT_PPB = const(1000000)
_BILLION = const(1000000000)
_SETTINGS = "clock.cfg"
_FORMAT = "<qi"  # unix time of the last sync, drift correction in ppb
_MONTH_DAYS = b"\x1f\x1c\x1f\x1e\x1f\x1e\x1f\x1f\x1e\x1f\x1e\x1f"


def days_from_civil(year, month, day):
    """Days from 1970-01-01 to a proleptic Gregorian date (the usual era-based formula)."""
    year -= month <= 2
    era = year // 400
    yoe = year - era * 400
    doy = (153 * (month + (-3 if month > 2 else 9)) + 2) // 5 + day - 1
    doe = yoe * 365 + yoe // 4 - yoe // 100 + doy
    return era * 146097 + doe - 719468


def to_unix(dt):
    """(year, month, day, hour, minute, second) in UTC -> unix seconds."""
    return days_from_civil(dt[0], dt[1], dt[2]) * 86400 + dt[3] * 3600 + dt[4] * 60 + dt[5]


def from_unix(seconds):
    """Unix seconds -> (year, month, day, hour, minute, second) in UTC."""
    days, rest = divmod(seconds, 86400)
    days += 719468
    era = days // 146097
    doe = days - era * 146097
    yoe = (doe - doe // 1460 + doe // 36524 - doe // 146096) // 365
    doy = doe - (365 * yoe + yoe // 4 - yoe // 100)
    mp = (5 * doy + 2) // 153
    day = doy - (153 * mp + 2) // 5 + 1
    month = mp + 3 if mp < 10 else mp - 9
    year = yoe + era * 400 + (month <= 2)
    return year, month, day, rest // 3600, rest // 60 % 60, rest % 60


def port_epoch(gmtime=time.gmtime):
    """Unix time at which this port's time.time() is 0: 946684800 on the ESP32 (2000-01-01), 0 on unix."""
    return to_unix(gmtime(0))


def unix_from_port(seconds, gmtime=time.gmtime):
    """Seconds counted from this port's epoch (time.time(), machine.RTC) as unix seconds."""
    return seconds + port_epoch(gmtime)


def plausible(dt):
    """True for a reading that is a real date and time from BUILD_YEAR to 2199 (the chips' last year)."""
    year, month, day = dt[0], dt[1], dt[2]
    if not (BUILD_YEAR <= year <= 2199 and 1 <= month <= 12 and 0 <= dt[3] <= 23 and 0 <= dt[4] <= 59
            and 0 <= dt[5] <= 59):
        return False
    leap = month == 2 and year % 4 == 0 and (year % 100 != 0 or year % 400 == 0)
    return 1 <= day <= _MONTH_DAYS[month - 1] + leap


def correction(elapsed, drift_ppb):
    """Whole seconds (nearest, halves up) a chip drifting drift_ppb gained in `elapsed` of its own seconds."""
    if not drift_ppb:
        return 0
    return (elapsed * drift_ppb + _BILLION // 2) // _BILLION


class Clock:
    """The token's idea of the time: None whenever it cannot be trusted, so no wrong code is ever shown."""

    def __init__(self, rtc, settings=_SETTINGS, sleep_ms=_sleep_ms):
        self.rtc = rtc
        self.settings = settings
        self._sleep_ms = sleep_ms
        self.last_sync = 0
        self.drift_ppb = 0
        self._raw = -1  # the last chip second seen, and its corrected value
        self._now = 0
        try:
            with open(settings, "rb") as f:
                data = f.read()
            if len(data) == 16 and crc32(data[:12]) & 0xFFFFFFFF == struct.unpack("<I", data[12:])[0]:
                self.last_sync, self.drift_ppb = struct.unpack(_FORMAT, data[:12])
        except OSError:
            pass  # never synced: no correction

    def raw(self):
        """The chip's own reading in unix seconds; None if its flag says the time is lost, if it does not
        answer, or if the reading is no plausible date (before BUILD_YEAR, month 13, not BCD...)."""
        try:
            if self.rtc.time_lost():
                return None
            dt = self.rtc.datetime()
        except (OSError, ValueError):
            return None
        return to_unix(dt) if plausible(dt) else None

    def now(self):
        """Corrected unix seconds, or None when the time is not known."""
        raw = self.raw()
        if raw is None:
            return None
        if raw != self._raw:
            self._now = raw - correction(raw - self.last_sync, self.drift_ppb) if self.last_sync else raw
            self._raw = raw
        return self._now

    def set(self, unix, drift_ppb=None):
        """Make `unix` the second that begins now: set the chip (clearing its lost flag) and remember the sync.

        drift_ppb, if given, is the correction from now on (see the module docstring); else the old one stays.
        """
        if drift_ppb is not None and not -MAX_DRIFT_PPB <= drift_ppb <= MAX_DRIFT_PPB:
            raise ValueError("drift out of range")
        when = from_unix(unix)
        # A chip whose first tick comes sooner than a second after the write (PCF8563: 0.51 s) is written that
        # much later, so that its seconds turn over with the true ones.
        early = 1000 - int(self.rtc.FIRST_TICK_S * 1000 + 0.5)
        if early > 0:
            self._sleep_ms(early)
        self.rtc.set_datetime(when)
        if drift_ppb is not None:
            self.drift_ppb = drift_ppb
        self.last_sync = unix
        self._raw = -1
        data = struct.pack(_FORMAT, unix, self.drift_ppb)
        temp = self.settings + ".tmp"
        with open(temp, "wb") as f:
            f.write(data + struct.pack("<I", crc32(data) & 0xFFFFFFFF))
        os.rename(temp, self.settings)
