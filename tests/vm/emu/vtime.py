"""`time` for the code under test: the wall clock is the host's, but ticks and sleep_ms() run on the emulated
board's virtual clock (a sleep returns at once, having moved the clock on), so a test can hold a key for a
second in no time. Ticks wrap as MicroPython's do.
test-only: the virtual token runs on real time.
"""

import time as _host

from emu import hardware

_PERIOD = hardware.TICKS_PERIOD
_HALF = _PERIOD // 2

time = _host.time
gmtime = _host.gmtime
localtime = _host.localtime
mktime = _host.mktime


def time_ns():
    return int(_host.time() * 1000000000)


def ticks_ms():
    return hardware.current.ticks_ms()


def ticks_us():
    return hardware.current.ticks_us()


def ticks_cpu():
    return hardware.current.ticks_us()


def ticks_add(ticks, delta):
    return (ticks + delta) % _PERIOD


def ticks_diff(end, start):
    return (end - start + _HALF) % _PERIOD - _HALF


def sleep_ms(ms):
    hardware.current.advance(ms)


def sleep_us(us):
    hardware.current.advance(us / 1000)


def sleep(seconds):
    hardware.current.advance(seconds * 1000)
