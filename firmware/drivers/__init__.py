"""Drivers for the chips the boards carry; here, what the two RTC drivers share: the chips count in BCD and
keep a weekday register of their own."""


def bcd(value):
    """A BCD register byte as a number; ValueError for a byte that is no BCD (bus noise, a chip in an undefined
    state)."""
    if (value & 0x0F) > 9 or value > 0x99:
        raise ValueError("RTC reading is not BCD")
    return (value >> 4) * 10 + (value & 0x0F)


def to_bcd(number):
    """0..99 as a BCD register byte."""
    return ((number // 10) << 4) | (number % 10)


def weekday(year, month, day):
    """Sunday = 0 .. Saturday = 6 (Sakamoto's method); the chips only count it, so the meaning is the driver's."""
    offsets = (0, 3, 2, 5, 0, 3, 5, 1, 4, 6, 2, 4)
    if month < 3:
        year -= 1
    return (year + year // 4 - year // 100 + year // 400 + offsets[month - 1] + day) % 7
