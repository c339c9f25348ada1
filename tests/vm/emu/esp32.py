"""`esp32` as the board files use it: wake sources and pad hold in deep sleep, on emu's Hardware.
test-only: for the real boards' tests (the virtual token has no esp32 module).
"""

from emu import hardware

WAKEUP_ALL_LOW = False
WAKEUP_ANY_HIGH = True


def wake_on_ext0(pin, level):
    if pin is None:
        hardware.current.wake = None
    else:
        hardware.current.arm_ext0(pin.id, level)


def wake_on_touch(wake):
    pass


def wake_on_ulp(wake):
    pass


def gpio_deep_sleep_hold(enable):
    hardware.current.deep_sleep_hold = bool(enable)
