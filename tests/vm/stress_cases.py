"""The code path that runs every second on the token, many thousands of times: no heap lost, codes still right.

argv: "codes" ALGORITHM DIGITS PERIOD KEYHEX FIRST_TIME COUNT, or "screen" COUNT. Runs on CPython and MicroPython;
only MicroPython has gc.mem_free(), so CPython reports "lost": null and just computes.
Prints one JSON line: {"lost": heap bytes gone after the run (after gc.collect()), "checksum": ..., ...}
where checksum = fold of every code (c = (c * 1000003 + int(code)) % (2**31 - 1)), so the test can check all of
them. The fold stays a small int (no heap) on the 64-bit unix port, and each loop runs in its own function: the
garbage collector scans a running frame's value stack conservatively, so stale temporaries in the measuring
frame would look like lost heap. What "lost" counts is what the code path keeps.
"""

import gc
import json
import sys
from binascii import unhexlify

import otp

_MOD = (1 << 31) - 1


def heap_free():
    return gc.mem_free() if hasattr(gc, "mem_free") else None


def lost(before, after):
    return None if before is None else before - after


def _spin(generator, first, period, count):
    checksum = 0
    for i in range(count):
        checksum = (checksum * 1000003 + int(generator.code(first + i * period))) % _MOD
    return checksum


def codes(algorithm, digits, period, key, first, count):
    """The generator the app keeps for the account on screen, asked for `count` consecutive steps."""
    generator = otp.CodeGenerator(key, algorithm, digits, period)
    _spin(generator, first, period, 1)  # first use may set things up once (SHA-512 loads its module)
    gc.collect()
    before = heap_free()
    checksum = _spin(generator, first, period, count)
    gc.collect()
    after = heap_free()
    sample = {}
    for i in (0, 1, count // 3, count // 2, count - 1):
        sample[str(i)] = generator.code(first + i * period)
    return {"lost": lost(before, after), "checksum": checksum, "sample": sample}


def _show(view, generator, label, first, count):
    """What the app does each second for the account on screen: its code, drawn with the countdown."""
    checksum = 0
    for now in range(first, first + count):
        code = generator.code(now)
        view.code(label, code, 30 - now % 30, 30, "1/3")
        checksum = (checksum * 1000003 + int(code)) % _MOD
    return checksum


def screen(count):
    """Screen.code on an SSD1306 driver over the emulated I2C bus, once per second of `count` seconds."""
    try:
        import framebuf  # noqa: F401  (MicroPython has it)
    except ImportError:  # CPython: a stand-in with the same memory layout
        import chips_framebuf

        sys.modules["framebuf"] = chips_framebuf
    import ui
    from drivers.ssd1306 import SSD1306_I2C
    from simchips.i2c import Bus
    from simchips.ssd1306 import SSD1306

    bus = Bus()
    panel = SSD1306(128, 64)
    bus.attach(0x3C, panel)
    display = SSD1306_I2C(128, 64, bus)
    view = ui.Screen(display)
    generator = otp.CodeGenerator(b"12345678901234567890", "sha1", 6, 30)
    label = "demo.user@ugyfelkapu.gov.hu"
    first = 1767225600
    # Warm up with the same loop: native code (otp's hot path) leaves pointers on the C stack, which the
    # collector scans conservatively; the "before" and "after" stacks must look alike to compare the heaps.
    _show(view, generator, label, first - 100, 100)
    gc.collect()
    frames = panel.frames
    before = heap_free()
    checksum = _show(view, generator, label, first, count)
    gc.collect()
    after = heap_free()
    # The panel shows exactly what the driver drew last (nothing lost or shifted on the way).
    same = all(panel.pixel(x, y) == bool(display.pixel(x, y)) for y in range(64) for x in range(128))
    return {"lost": lost(before, after), "checksum": checksum, "frames": panel.frames - frames,
            "panel_matches": same, "lit": sum(panel.pixel(x, y) for y in range(64) for x in range(128))}


def main():
    if sys.argv[1] == "codes":
        algorithm, digits, period, key, first, count = sys.argv[2:8]
        out = codes(algorithm, int(digits), int(period), unhexlify(key), int(first), int(count))
    else:
        out = screen(int(sys.argv[2]))
    print(json.dumps(out))


main()
