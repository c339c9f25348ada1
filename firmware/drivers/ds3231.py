"""DS3231 temperature-compensated RTC (I2C 0x68): UTC time, oscillator-stop flag, aging offset, temperature."""

from micropython import const

from drivers import bcd, to_bcd, weekday

_ADDRESS = const(0x68)
_TIME = const(0x00)  # seconds, minutes, hours, weekday, date, month (+ century), year: 7 BCD registers
_CONTROL = const(0x0E)
_STATUS = const(0x0F)
_AGING = const(0x10)
_TEMPERATURE = const(0x11)
_OSF = const(0x80)  # status: the oscillator stopped at some point, so the time is not to be trusted
_CONV = const(0x20)  # control: convert temperature now and re-tune the crystal
_BSY = const(0x04)
_CENTURY = const(0x80)
_TWELVE_HOUR = const(0x40)
_PM = const(0x20)


class DS3231:
    """A DS3231 on a ready machine.I2C-compatible bus. Bus errors surface as OSError."""

    # set_datetime() restarts the second, so the next tick comes a full second after the write.
    FIRST_TICK_S = 1.0

    def __init__(self, i2c, address=_ADDRESS):
        self._i2c = i2c
        self._address = address
        self._buf = bytearray(7)
        view = memoryview(self._buf)
        self._one = view[0:1]
        self._two = view[0:2]

    def datetime(self):
        """(year, month, day, hour, minute, second), UTC, as the chip counts it.

        Raises ValueError when a register holds no BCD number (the range of each field is the caller's to check).
        """
        b = self._buf
        self._i2c.readfrom_mem_into(self._address, _TIME, b)
        hours = b[2]
        if hours & _TWELVE_HOUR:  # someone else set it in 12-hour mode: 12 AM is 0 h
            hour = bcd(hours & 0x1F) % 12 + (12 if hours & _PM else 0)
        else:
            hour = bcd(hours & 0x3F)
        year = 2000 + bcd(b[6]) + (100 if b[5] & _CENTURY else 0)
        return (year, bcd(b[5] & 0x1F), bcd(b[4] & 0x3F), hour, bcd(b[1] & 0x7F), bcd(b[0] & 0x7F))

    def set_datetime(self, when):
        """Set the time (24-hour mode, 2000..2199) and clear the oscillator-stop flag.

        Writing the seconds register resets the chip's 1 Hz countdown: call this at a second's edge.
        """
        year, month, day, hour, minute, second = when
        if not (2000 <= year <= 2199 and 1 <= month <= 12 and 1 <= day <= 31 and 0 <= hour <= 23
                and 0 <= minute <= 59 and 0 <= second <= 59):
            raise ValueError("date/time out of range")
        b = self._buf
        b[0] = to_bcd(second)
        b[1] = to_bcd(minute)
        b[2] = to_bcd(hour)
        b[3] = weekday(year, month, day) or 7  # Monday = 1 .. Sunday = 7
        b[4] = to_bcd(day)
        b[5] = to_bcd(month) | (_CENTURY if year >= 2100 else 0)
        b[6] = to_bcd(year % 100)
        self._i2c.writeto_mem(self._address, _TIME, b)
        self._update(_STATUS, _OSF, 0)

    def time_lost(self):
        """True when the oscillator has stopped since the time was last set (e.g. coin cell removed)."""
        self._i2c.readfrom_mem_into(self._address, _STATUS, self._one)
        return bool(self._one[0] & _OSF)

    def aging(self):
        """Aging offset, -128..127; each step is about 0.1 ppm, positive values slow the clock."""
        self._i2c.readfrom_mem_into(self._address, _AGING, self._one)
        value = self._one[0]
        return value - 256 if value & 0x80 else value

    def set_aging(self, offset):
        """Trim the crystal by `offset` steps of ~0.1 ppm (positive = slower) and apply it at once."""
        if not -128 <= offset <= 127:
            raise ValueError("aging offset out of range")
        self._one[0] = offset & 0xFF
        self._i2c.writeto_mem(self._address, _AGING, self._one)
        # The new offset only takes effect at the next temperature conversion; ask for one now
        # unless one is already running.
        self._i2c.readfrom_mem_into(self._address, _STATUS, self._one)
        if not self._one[0] & _BSY:
            self._update(_CONTROL, _CONV, _CONV)

    def temperature(self):
        """Die temperature in degrees Celsius, 0.25 degC steps."""
        two = self._two
        self._i2c.readfrom_mem_into(self._address, _TEMPERATURE, two)
        whole = two[0] - 256 if two[0] & 0x80 else two[0]
        return whole + (two[1] >> 6) * 0.25

    def _update(self, register, mask, bits):
        # Read-modify-write, so the other bits of a control/status register stay as they are.
        one = self._one
        self._i2c.readfrom_mem_into(self._address, register, one)
        one[0] = (one[0] & ~mask) | bits
        self._i2c.writeto_mem(self._address, register, one)
