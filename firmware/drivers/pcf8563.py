"""PCF8563 / BM8563 RTC (I2C 0x51): UTC time and the voltage-low flag (e.g. in the M5StickC Plus2)."""

from micropython import const

from drivers import bcd, to_bcd, weekday

_ADDRESS = const(0x51)
_CONTROL_1 = const(0x00)
_TIME = const(0x02)  # seconds (+ VL), minutes, hours, days, weekdays, months (+ century), years
_STOP = const(0x20)  # control 1: hold the prescaler in reset
_VL = const(0x80)  # seconds: the supply dropped too low, so the time is not to be trusted
_CENTURY = const(0x80)  # months: set for 21xx


class PCF8563:
    """A PCF8563 (or BM8563) on a ready machine.I2C-compatible bus. Bus errors surface as OSError."""

    # set_datetime() releases STOP last; the datasheet puts the first tick 0.507813 s after that.
    FIRST_TICK_S = 0.507813

    def __init__(self, i2c, address=_ADDRESS):
        self._i2c = i2c
        self._address = address
        self._buf = bytearray(7)
        self._one = memoryview(self._buf)[0:1]

    def datetime(self):
        """(year, month, day, hour, minute, second), UTC, as the chip counts it.

        Raises ValueError when a register holds no BCD number (the range of each field is the caller's to check).
        """
        b = self._buf
        self._i2c.readfrom_mem_into(self._address, _TIME, b)
        year = 2000 + bcd(b[6]) + (100 if b[5] & _CENTURY else 0)
        return (year, bcd(b[5] & 0x1F), bcd(b[3] & 0x3F), bcd(b[2] & 0x3F), bcd(b[1] & 0x7F),
                bcd(b[0] & 0x7F))

    def set_datetime(self, when):
        """Set the time (2000..2199) and clear the voltage-low flag.

        The prescaler is stopped while the time is written, so the first tick comes FIRST_TICK_S
        after this returns: call it that long before the second you write ends.
        """
        year, month, day, hour, minute, second = when
        if not (2000 <= year <= 2199 and 1 <= month <= 12 and 1 <= day <= 31 and 0 <= hour <= 23
                and 0 <= minute <= 59 and 0 <= second <= 59):
            raise ValueError("date/time out of range")
        self._control(_STOP)
        b = self._buf
        b[0] = to_bcd(second)  # VL = 0
        b[1] = to_bcd(minute)
        b[2] = to_bcd(hour)
        b[3] = to_bcd(day)
        b[4] = weekday(year, month, day)  # Sunday = 0, as in the datasheet's example
        b[5] = to_bcd(month) | (_CENTURY if year >= 2100 else 0)
        b[6] = to_bcd(year % 100)
        self._i2c.writeto_mem(self._address, _TIME, b)
        self._control(0)

    def time_lost(self):
        """True when the supply dropped low enough that the time may be wrong (e.g. battery removed)."""
        self._i2c.readfrom_mem_into(self._address, _TIME, self._one)
        return bool(self._one[0] & _VL)

    def _control(self, bits):
        # Control 1 holds only test bits (kept 0 in normal operation) besides STOP.
        self._one[0] = bits
        self._i2c.writeto_mem(self._address, _CONTROL_1, self._one)
