"""PCF8563 / BM8563 RTC at register level (address 0x51), on the crystal model of rtc.py.

Registers 00h..0Fh; the voltage-low flag VL is bit 7 of the seconds register 02h, the century bit C is
bit 7 of the months register 07h (C = 1: 21xx). The chip has no aging register. Writing the time does not
touch the prescaler; the STOP bit (00h bit 5) holds it in reset, and after STOP is released the first
increment comes 0.507813 s later (datasheet, "STOP bit function").
"""

from .rtc import CrystalRTC, Timekeeper, bcd, century_bit, date_to_days, to_bcd

_SIZE = 0x10
_CONTROL_1 = 0x00
_SECONDS = 0x02
_WEEKDAY = 0x06
_MONTHS = 0x07
_YEARS = 0x08
_STOP = 0x20
_VL = 0x80
_FIRST_TICK_S = 0.507813


class PCF8563(CrystalRTC):
    """PCF8563 registers: control/status, VL + BCD time with century bit, alarms, CLKOUT, timer
    (the timer and alarms are stored, not run)."""

    ADDRESS = 0x51

    def __init__(self, now=None, offset_s=0, drift_ppm=0, lost=False):
        CrystalRTC.__init__(self, _SIZE, now, offset_s, drift_ppm, lost)
        # Power-on reset values: TESTC set, CLKOUT enabled at 32.768 kHz, timer at 1/60 Hz.
        self.regs[_CONTROL_1] = 0x08 if lost else 0x00
        self.regs[0x0D] = 0x80
        self.regs[0x0E] = 0x03
        self.voltage_low = lost
        # Weekdays count 0..6 at midnight; day 0 (2000-01-01) was a Saturday = 6 with Sunday as 0.
        self._weekday_shift = 6

    @property
    def time_lost(self):
        """True while the VL flag says clock integrity is not guaranteed."""
        return self.voltage_low

    def set_drift_ppm(self, ppm):
        """Make the crystal run `ppm` parts per million fast (negative: slow) from now on."""
        self.drift_ppm = ppm
        self.clock.set_ppm(ppm)

    def stop_oscillator(self, seconds):
        """The supply sagged and the crystal stood still for `seconds`: the time lags, VL is set."""
        self.clock.set(self.clock.seconds() - seconds)
        self.voltage_low = True

    def _latch(self):
        # Time registers are frozen during an access, so a burst read is consistent.
        year, month, day, hour, minute, second, days, fraction = self.clock.fields()
        regs = self.regs
        regs[_SECONDS] = (_VL if self.voltage_low else 0) | to_bcd(second)
        regs[3] = to_bcd(minute)
        regs[4] = to_bcd(hour)
        regs[5] = to_bcd(day)
        regs[_WEEKDAY] = (days + self._weekday_shift) % 7
        regs[_MONTHS] = century_bit(year) | to_bcd(month)
        regs[_YEARS] = to_bcd(year % 100)
        return fraction

    def _begin_read(self):
        self._latch()

    def _begin_write(self):
        self._fraction = self._latch()
        self._time_written = False
        self._stop_before = self.regs[_CONTROL_1] & _STOP

    def _store(self, reg, value):
        self.regs[reg] = value
        if _SECONDS <= reg <= _YEARS:
            self._time_written = True
            if reg == _SECONDS:
                self.voltage_low = bool(value & _VL)

    def _end_write(self):
        regs = self.regs
        stop = regs[_CONTROL_1] & _STOP
        if stop and not self._stop_before:
            self.clock.stop()
            self._fraction = 0.0
        elif self._stop_before and not stop:
            self.clock.start(_FIRST_TICK_S)
            self._fraction = 1.0 - _FIRST_TICK_S
        if self._time_written:
            months = regs[_MONTHS]
            year = 2000 + bcd(regs[_YEARS]) + (100 if months & 0x80 else 0)
            days = date_to_days(year, min(max(bcd(months & 0x1F), 1), 12), max(bcd(regs[5] & 0x3F), 1))
            self._weekday_shift = ((regs[_WEEKDAY] & 0x07) - days) % 7
            whole = (days * 86400 + bcd(regs[4] & 0x3F) * 3600 + bcd(regs[3] & 0x7F) * 60
                     + bcd(regs[_SECONDS] & 0x7F))
            self.clock.set(whole + self._fraction)

    def state(self):
        """JSON-able snapshot for keeping the chip (on its backup cell) across runs of the sim."""
        regs = self.regs
        return {"chip": "PCF8563", "clock": self.clock.state(), "drift_ppm": self.drift_ppm,
                "regs": list(regs[0:2]) + list(regs[9:_SIZE]), "voltage_low": self.voltage_low,
                "weekday_shift": self._weekday_shift}

    @classmethod
    def from_state(cls, state, now=None):
        """The chip as state() left it, its time having run on meanwhile."""
        chip = cls(now=now, drift_ppm=state["drift_ppm"])
        saved = bytes(state["regs"])
        chip.regs[0:2] = saved[0:2]
        chip.regs[9:_SIZE] = saved[2:]
        chip.voltage_low = state["voltage_low"]
        chip._weekday_shift = state["weekday_shift"]
        chip.clock = Timekeeper.from_state(chip.now, state["clock"], chip.drift_ppm)
        return chip
