"""DS3231 RTC at register level (address 0x68), on the crystal model of rtc.py.

The crystal runs at drift_ppm - 0.1 * aging parts per million off (a positive aging offset adds load
capacitance and slows the crystal).
"""

from .rtc import CrystalRTC, Timekeeper, bcd, century_bit, date_to_days, to_bcd

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


class DS3231(CrystalRTC):
    """DS3231 registers 00h..12h: BCD time with 12/24 h and century bits, alarms, control, status (OSF),
    aging offset (changes the rate at once; the chip applies it at its next temperature conversion) and a
    fixed 25.00 degC temperature. Writing the seconds register restarts the current second."""

    ADDRESS = 0x68

    def __init__(self, now=None, offset_s=0, drift_ppm=0, lost=False):
        # A chip whose coin cell was removed powers up at 2000-01-01 00:00:00 with OSF set.
        CrystalRTC.__init__(self, _SIZE, now, offset_s, drift_ppm, lost)
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
