"""The LiPo cell's charge, from its voltage behind the board's resistor divider (no pin numbers here).

A percentage from the voltage is a rough guide (the discharge curve is flat in the middle and load moves it),
good enough for "charge me soon". Readings outside what a cell on its own can show mean there is nothing
to report: near zero, no cell is fitted; above a full cell, the charger or USB is driving the line.
"""

import time

from micropython import const

_SAMPLES = const(8)  # the ESP32 ADC is noisy: average a few readings
_SETTLE_MS = const(10)  # the divider's switch and the ADC input capacitance settle in a few ms
_ABSENT_MV = const(2500)  # below any LiPo that still powers the board: no cell on the line
_USB_MV = const(4350)  # above a full LiPo (4.2 V): the charger output, not a cell


class Battery:
    """`adc` is a machine.ADC on the divider's tap; `ratio` = (R_top + R_bottom) / R_bottom; `enable`, when
    the board switches the divider (to stop it draining the cell), has on() and off() (a Pin or a Signal)."""

    def __init__(self, adc, ratio=2.0, empty_mv=3300, full_mv=4150, enable=None):
        self._adc = adc
        self._ratio = ratio
        self._empty_mv = empty_mv
        self._full_mv = full_mv
        self._enable = enable

    def millivolts(self):
        """The cell voltage in mV (averaged), as measured: see percent() for what it means."""
        enable = self._enable
        if enable is not None:
            enable.on()
            time.sleep_ms(_SETTLE_MS)
        total = 0
        for _ in range(_SAMPLES):
            total += self._adc.read_uv()
        if enable is not None:
            enable.off()
        return int(total * self._ratio) // (_SAMPLES * 1000)

    def percent(self):
        """Charge 0..100 on a straight line from empty_mv to full_mv; None when no cell is read (absent,
        or USB/charger holding the line above a full cell)."""
        mv = self.millivolts()
        if mv < _ABSENT_MV or mv > _USB_MV:
            return None
        if mv <= self._empty_mv:
            return 0
        if mv >= self._full_mv:
            return 100
        return (mv - self._empty_mv) * 100 // (self._full_mv - self._empty_mv)
