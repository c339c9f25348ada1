"""SSD1306 driver and emulated controller over the emulated bus: prints one JSON line per case."""

import sys

try:
    import framebuf  # noqa: F401  (MicroPython has it)
except ImportError:  # CPython: a stand-in with the same memory layout
    import chips_framebuf

    sys.modules["framebuf"] = chips_framebuf

from drivers.ssd1306 import SSD1306_I2C
from simchips.i2c import Bus
from simchips.ssd1306 import SSD1306
from vmcase import emit

ADDRESS = 0x3C


def panel_rows(panel):
    return ["".join("1" if v else "0" for v in row) for row in panel.rows()]


def buffer_rows(display):
    return ["".join("1" if display.pixel(x, y) else "0" for x in range(display.width))
            for y in range(display.height)]


def lit(panel):
    return [[x, y] for y in range(panel.height) for x in range(panel.width) if panel.pixel(x, y)]


def driver(width, height):
    bus = Bus()
    panel = SSD1306(width, height)
    bus.attach(ADDRESS, panel)
    display = SSD1306_I2C(width, height, bus)
    display.fill_rect(3, 5, 20, 10, 1)
    display.text("TOTP 123456", 2, height - 12, 1)
    display.pixel(0, 0, 1)
    display.pixel(width - 1, height - 1, 1)
    display.hline(30, 1, 60, 1)
    display.show()
    out = {"width": width, "height": height, "buffer": buffer_rows(display), "panel": panel_rows(panel),
           "frames": panel.frames, "is_on": panel.is_on}
    display.invert(True)
    out["inverted"] = panel_rows(panel)
    display.invert(False)
    display.contrast(0x10)
    out["contrast"] = panel.contrast
    display.poweroff()
    out["off_is_on"] = panel.is_on
    out["off_lit"] = len(lit(panel))
    display.poweron()
    out["on_again"] = panel_rows(panel)
    # Segment remap only acts on later writes; COM scan direction acts at once.
    bus.writeto(ADDRESS, b"\x00\xa0\xc0")
    display.show()
    out["rotated"] = panel_rows(panel)
    out["frames_after"] = panel.frames
    emit("driver", **out)


def first_frame():
    """A panel whose RAM holds noise, as at power-up: what is lit from the driver's start to its first frame."""
    bus = Bus()
    panel = SSD1306(128, 64)
    for i in range(len(panel.gddram)):
        panel.gddram[i] = (i * 167 + 91) & 0xFF  # any pattern: real RAM comes up random
    bus.attach(ADDRESS, panel)
    display = SSD1306_I2C(128, 64, bus)
    out = {"after_init": len(lit(panel)), "init_writes": panel.data_writes}
    display.poweron()  # the app lights the display on a press: with nothing drawn yet, it must stay dark
    out["poweron_before_frame"] = len(lit(panel))
    display.text("123 456", 10, 20, 1)
    display.show()
    out["is_on"] = panel.is_on
    out["panel"] = panel_rows(panel)
    out["buffer"] = buffer_rows(display)
    out["frames"] = panel.frames
    emit("first_frame", **out)

    # Switched off before anything was drawn (a board going to sleep at once): drawing does not light it.
    bus = Bus()
    panel = SSD1306(128, 64)
    bus.attach(ADDRESS, panel)
    display = SSD1306_I2C(128, 64, bus)
    display.poweroff()
    display.fill(1)
    display.show()
    dark = len(lit(panel))
    display.poweron()
    emit("off_first", dark=dark, lit_after_poweron=len(lit(panel)))


def started(height=64):
    """A panel lit with the usual upright orientation, page addressing (the reset mode)."""
    bus = Bus()
    panel = SSD1306(128, height)
    bus.attach(ADDRESS, panel)
    bus.writeto(ADDRESS, b"\x00\xa1\xc8\x8d\x14\xaf")
    return bus, panel


def page_mode():
    bus, panel = started()
    bus.writeto(ADDRESS, b"\x00\xb3\x05\x11")  # page 3, column 0x15
    bus.writeto(ADDRESS, b"\x40\xff\x81")
    bus.writeto(ADDRESS, b"\x00\xb6\x0f\x17")  # page 6, column 127: the next bytes wrap to column 0
    bus.writeto(ADDRESS, b"\x40\x01\x02\x04")
    emit("page_mode", lit=lit(panel), frames=panel.frames, data_writes=panel.data_writes)


def vertical_mode():
    bus, panel = started()
    # Vertical addressing in a window of columns 10..11 and pages 2..3; the fifth byte wraps to the start.
    bus.writeto(ADDRESS, b"\x00\x20\x01\x21\x0a\x0b\x22\x02\x03")
    bus.writeto(ADDRESS, b"\x40\x01\x02\x04\x08\x10")
    emit("vertical_mode", lit=lit(panel), frames=panel.frames)


def control_bytes():
    bus, panel = started()
    states = []
    bus.writeto(ADDRESS, b"\x80\x81\x80\x42")  # Co = 1: a control byte before each command byte
    states.append(panel.contrast)
    bus.writeto(ADDRESS, b"\x80\x81")  # the argument may come in the next transaction
    bus.writeto(ADDRESS, b"\x80\x33")
    states.append(panel.contrast)
    bus.writeto(ADDRESS, b"\x80\xae\xc0\x12")  # one command, then data byte 0x12 (D/C# = 1, Co = 1)
    states.append(panel.is_on)
    bus.writeto(ADDRESS, b"\x00\xaf\xa5")
    states.append(panel.is_on)
    emit("control_bytes", states=states, lit=len(lit(panel)), ram127=panel.frame_bytes()[127],
         data_writes=panel.data_writes)


def small_panel_offsets():
    """COM pin configuration and display offset on a 32-row panel."""
    bus, panel = started(32)
    bus.writeto(ADDRESS, b"\x00\xa8\x1f\xda\x02\xb0\x00\x10")
    bus.writeto(ADDRESS, b"\x40\x22")  # rows 1 and 5 of column 0
    right = lit(panel)
    bus.writeto(ADDRESS, b"\x00\xda\x12")
    wrong = lit(panel)
    bus.writeto(ADDRESS, b"\x00\xda\x02\xd3\x04")  # display offset: shift the picture up 4 rows
    shifted = lit(panel)
    emit("small_panel", right=right, wrong=wrong, shifted=shifted)


driver(128, 64)
driver(128, 32)
first_frame()
page_mode()
vertical_mode()
control_bytes()
small_panel_offsets()
