"""Unix time from the board's RTC chip, refusing to guess when the chip lost its time, corrected for drift.

The RTC chip keeps UTC as a calendar date; converting it here (instead of through time.mktime) makes the result
the same on every port: the ESP32 counts time.time() from 2000, the unix port from 1970.
"""

import os
import struct
from binascii import crc32

try:
    from micropython import const
except ImportError:  # CPython runs the tests of this module too
    def const(value):  # type: ignore[misc]
        return value

# A reading before this year means the coin cell ran out and the chip restarted from its reset date.
BUILD_YEAR = const(2026)
_SETTINGS = "clock.cfg"
_FORMAT = "<qi"  # unix time of the last sync, drift correction in ppb (parts per billion)


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


class Clock:
    """The token's idea of the time: None whenever it cannot be trusted, so no wrong code is ever shown."""

    def __init__(self, rtc, settings=_SETTINGS):
        self.rtc = rtc
        self.settings = settings
        self.last_sync = 0
        self.drift_ppb = 0
        try:
            with open(settings, "rb") as f:
                data = f.read()
            if len(data) == 16 and crc32(data[:12]) & 0xFFFFFFFF == struct.unpack("<I", data[12:])[0]:
                self.last_sync, self.drift_ppb = struct.unpack(_FORMAT, data[:12])
        except OSError:
            pass  # never synced: no correction

    def raw(self):
        """The chip's own reading in unix seconds, or None if it is lost, unreadable or implausible."""
        try:
            if self.rtc.time_lost():
                return None
            dt = self.rtc.datetime()
        except OSError:
            return None
        if dt[0] < BUILD_YEAR:
            return None
        return to_unix(dt)

    def now(self):
        """Corrected unix seconds, or None when the time is not known."""
        raw = self.raw()
        if raw is None:
            return None
        # The chip ran (1 + drift) seconds per real second since it was last set; undo that.
        if not self.last_sync:
            return raw
        return raw - ((raw - self.last_sync) * self.drift_ppb + 500000000) // 1000000000

    def set(self, unix, drift_ppb=None):
        """Set the chip (clearing its lost flag) and remember the sync; keep the drift unless given."""
        self.rtc.set_datetime(from_unix(unix))
        if drift_ppb is not None:
            self.drift_ppb = drift_ppb
        self.last_sync = unix
        data = struct.pack(_FORMAT, unix, self.drift_ppb)
        temp = self.settings + ".tmp"
        with open(temp, "wb") as f:
            f.write(data + struct.pack("<I", crc32(data) & 0xFFFFFFFF))
        os.rename(temp, self.settings)
