"""Emulated ESP32 hardware for running the real board files in the test VMs (CPython and the MicroPython
unix port alike). It emulates the hardware, not the code under test.

install(chip) puts emu's `machine`, `esp32` and `time` into sys.modules, so the board file's `import
machine` gets them. Both interpreters look in sys.modules before anything else; on the unix port 1.29
that also beats its own built-in `machine` (a machine.py on the path would too there, being an extensible
built-in, but not `time` on CPython). On CPython, a `framebuf` stand-in is added
(its `micropython` is firmware/cpython's, on the path the tests give it).
Import what the test itself needs from the host (json...) before install(): later imports see emu's time.
"""

import sys

from emu import esp32, hardware, machine, vtime
from emu.hardware import DeepSleep, PowerCut, Reset  # noqa: F401  (what tests catch)


def install(chip="esp32"):
    """A fresh emulated board with an ESP32 (`chip` "esp32") or ESP32-S3 ("esp32s3"); returns it."""
    hw = hardware.Hardware(chip)
    hardware.current = hw
    sys.modules["machine"] = machine
    sys.modules["esp32"] = esp32
    sys.modules["time"] = vtime
    try:
        import framebuf  # noqa: F401
    except ImportError:
        from emu import fbuf

        sys.modules["framebuf"] = fbuf
    return hw
