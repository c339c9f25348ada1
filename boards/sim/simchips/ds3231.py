"""DS3231 RTC at register level (address 0x68), plus the crystal-and-calendar core both RTC models share.

Emulated time = time at the last set + host seconds since then * (1 + ppm / 1e6), where
ppm = drift_ppm - 0.1 * aging (a positive aging offset adds load capacitance and slows the crystal).
`now` is injectable, so a test can let a month pass in no time.
"""

import time

from .i2c import RegisterFile

EPOCH_2000 = 946684800  # unix time of 2000-01-01 00:00:00 UTC, where both chips' calendars start

_SIZE = 0x13  # registers 00h..12h; the pointer wraps from 12h to 00h
_HOURS = 0x02
_WEEKDAY = 0x03
_MONTH = 0x05
_CONTROL = 0x0E
_STATUS = 0x0F
_AGING = 0x10
_TEMP_MSB = 0x11
_TEMP_LSB = 0x12
_OSF = 0x80
_EN32KHZ = 0x08
_CLEAR_ONLY = 0x83  # OSF, A2F, A1F: software can clear them, never set them
_CONV = 0x20  # conversions are instant here, so the bit is always read back as done


def bcd(value):
    """Binary-coded decimal byte -> int."""
    return (value >> 4) * 10 + (value & 0x0F)


def to_bcd(number):
    """int 0..99 -> binary-coded decimal byte."""
    return ((number // 10) << 4) | (number % 10)


def date_to_days(year, month, day):
    """Days from 2000-01-01 to the given proleptic Gregorian date."""
    # Count years from March so the leap day falls at the end of the counted year.
    if month <= 2:
        year -= 1
    era = year // 400
    year_of_era = year - era * 400
    day_of_year = (153 * (month + (-3 if month > 2 else 9)) + 2) // 5 + day - 1
    day_of_era = year_of_era * 365 + year_of_era // 4 - year_of_era // 100 + day_of_year
    return era * 146097 + day_of_era - 730425  # 730425 = days from 0000-03-01 to 2000-01-01


def days_to_date(days):
    """Inverse of date_to_days: (year, month, day)."""
    days += 730425
    era = days // 146097
    day_of_era = days - era * 146097
    year_of_era = (day_of_era - day_of_era // 1460 + day_of_era // 36524 - day_of_era // 146096) // 365
    day_of_year = day_of_era - (365 * year_of_era + year_of_era // 4 - year_of_era // 100)
    shifted_month = (5 * day_of_year + 2) // 153
    day = day_of_year - (153 * shifted_month + 2) // 5 + 1
    month = shifted_month + (3 if shifted_month < 10 else -9)
    return era * 400 + year_of_era + (1 if month <= 2 else 0), month, day


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


class DS3231(RegisterFile):
    """DS3231 registers 00h..12h: BCD time with 12/24 h and century bits, alarms, control, status (OSF),
    aging offset (changes the rate at once; the chip applies it at its next temperature conversion) and a
    fixed 25.00 degC temperature. Writing the seconds register restarts the current second."""

    ADDRESS = 0x68

    def __init__(self, now=None, offset_s=0, drift_ppm=0, lost=False):
        RegisterFile.__init__(self, _SIZE)
        self.now = now or time.time
        self.drift_ppm = drift_ppm
        # A chip whose coin cell was removed powers up at 2000-01-01 00:00:00 with OSF set.
        start = 0.0 if lost else self.now() - EPOCH_2000 + offset_s
        self.clock = Timekeeper(self.now, start, drift_ppm)
        self.regs[_CONTROL] = 0x1C  # power-on default: INTCN, RS2, RS1
        self.regs[_STATUS] = (_OSF | _EN32KHZ) if lost else _EN32KHZ
        self.regs[_TEMP_MSB] = 25
        self._twelve_hour = False
        # The day-of-week register counts 1..7 at midnight, whatever meaning software gave it.
        # Day 0 (2000-01-01) was a Saturday: 6 if set as ISO weekday; 1 after power-on.
        self._weekday_shift = 0 if lost else 5

    @property
    def time_lost(self):
        """True while the oscillator-stop flag is set."""
        return bool(self.regs[_STATUS] & _OSF)

    def unix_time(self):
        """The emulated time as unix seconds (float)."""
        return self.clock.seconds() + EPOCH_2000

    def set_drift_ppm(self, ppm):
        """Make the crystal run `ppm` parts per million fast (negative: slow) from now on."""
        self.drift_ppm = ppm
        self.clock.set_ppm(self._ppm())

    def stop_oscillator(self, seconds):
        """The crystal stood still for `seconds` (say, a flat coin cell during a power cut): the time lags by
        that much, still a plausible date, and only the set OSF flag tells software it is wrong."""
        self.clock.set(self.clock.seconds() - seconds)
        self.regs[_STATUS] |= _OSF

    def _ppm(self):
        aging = self.regs[_AGING]
        return self.drift_ppm - 0.1 * (aging - 256 if aging & 0x80 else aging)

    def _latch(self):
        # The chip copies the counters to the user registers at each START, so a burst read is consistent.
        year, month, day, hour, minute, second, days, fraction = self.clock.fields()
        regs = self.regs
        regs[0] = to_bcd(second)
        regs[1] = to_bcd(minute)
        if self._twelve_hour:
            regs[_HOURS] = 0x40 | (0x20 if hour >= 12 else 0) | to_bcd((hour + 11) % 12 + 1)
        else:
            regs[_HOURS] = to_bcd(hour)
        regs[_WEEKDAY] = 1 + (days + self._weekday_shift) % 7
        regs[4] = to_bcd(day)
        regs[_MONTH] = to_bcd(month) | century_bit(year)
        regs[6] = to_bcd(year % 100)
        return days, fraction

    def _begin_read(self):
        self._latch()

    def _begin_write(self):
        self._fraction = self._latch()[1]
        self._time_written = False
        self._second_written = False
        self._aging_before = self.regs[_AGING]

    def _store(self, reg, value):
        regs = self.regs
        if reg <= 6:
            regs[reg] = value
            self._time_written = True
            self._second_written = self._second_written or reg == 0
        elif reg == _STATUS:
            regs[reg] = (value & _EN32KHZ) | (regs[reg] & value & _CLEAR_ONLY)
        elif reg == _CONTROL:
            regs[reg] = value & ~_CONV
        elif reg < _TEMP_MSB:
            regs[reg] = value
        # The temperature registers are read-only.

    def _end_write(self):
        regs = self.regs
        if self._time_written:
            hours = regs[_HOURS]
            self._twelve_hour = bool(hours & 0x40)
            if self._twelve_hour:
                hour = bcd(hours & 0x1F) % 12 + (12 if hours & 0x20 else 0)
            else:
                hour = bcd(hours & 0x3F)
            month = regs[_MONTH]
            year = 2000 + bcd(regs[6]) + (100 if month & 0x80 else 0)
            days = date_to_days(year, min(max(bcd(month & 0x1F), 1), 12), max(bcd(regs[4] & 0x3F), 1))
            self._weekday_shift = ((regs[_WEEKDAY] & 0x07) - 1 - days) % 7
            whole = days * 86400 + hour * 3600 + bcd(regs[1] & 0x7F) * 60 + bcd(regs[0] & 0x7F)
            # Writing the seconds register resets the 1 Hz countdown chain: a full second to the next tick.
            self.clock.set(whole + (0.0 if self._second_written else self._fraction))
        if regs[_AGING] != self._aging_before:
            self.clock.set_ppm(self._ppm())

    def state(self):
        """JSON-able snapshot for keeping the chip (on its coin cell) across runs of the sim."""
        return {"chip": "DS3231", "clock": self.clock.state(), "drift_ppm": self.drift_ppm,
                "regs": list(self.regs[7:_TEMP_MSB]), "twelve_hour": self._twelve_hour,
                "weekday_shift": self._weekday_shift}

    @classmethod
    def from_state(cls, state, now=None):
        """The chip as state() left it, its time having run on meanwhile."""
        chip = cls(now=now, drift_ppm=state["drift_ppm"])
        chip.regs[7:_TEMP_MSB] = bytes(state["regs"])
        chip._twelve_hour = state["twelve_hour"]
        chip._weekday_shift = state["weekday_shift"]
        chip.clock = Timekeeper.from_state(chip.now, state["clock"], chip._ppm())
        return chip
