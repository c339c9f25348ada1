"""ST7789 driver and emulated controller over the emulated SPI bus: prints one JSON line per case.

Panels are reported in the emulator's portrait coordinates, as rows of palette letters; the expectations
(landscape-to-portrait mapping, framebuf's own text rendering) are worked out by the pytest side.
"""

import sys
import time

try:
    import framebuf
except ImportError:  # CPython: emu's stand-in, which knows the MONO_HLSB layout the driver's glyphs use
    from emu import fbuf as framebuf

    sys.modules["framebuf"] = framebuf

if not hasattr(time, "ticks_ms"):  # CPython: a virtual millisecond clock that only sleeping advances
    _now = [0]

    def _sleep_ms(ms):
        _now[0] += ms

    time.sleep_ms = _sleep_ms
    time.ticks_ms = lambda: _now[0]
    time.ticks_diff = lambda a, b: a - b
    time.ticks_add = lambda a, b: a + b

import ui  # noqa: E402
from drivers.st7789 import ST7789, rgb565  # noqa: E402
from simchips.st7789 import DCPin, SPIBus, ST7789Model  # noqa: E402
from vmcase import emit

RED = rgb565(255, 0, 0)
GREEN = rgb565(0, 255, 0)
BLUE = rgb565(0, 0, 255)
ORANGE = rgb565(200, 100, 50)  # both bytes differ and neither is zero: byte order shows


def panel_rows(model):
    """The lit panel as rows of letters plus the palette (list of RGB565 values) they index."""
    palette = []
    letters = {}
    rows = []
    for y in range(model.height):
        row = []
        for x in range(model.width):
            colour = model.pixel(x, y)
            letter = letters.get(colour)
            if letter is None:
                letter = chr(97 + len(palette))
                letters[colour] = letter
                palette.append(colour)
            row.append(letter)
        rows.append("".join(row))
    return {"rows": rows, "palette": palette}


def mono_rows(fb, width, height):
    return ["".join("1" if fb.pixel(x, y) else "0" for x in range(width)) for y in range(height)]


def glyphs(s):
    """framebuf's own rendering of `s` at scale 1: rows of 0/1."""
    width = 8 * len(s)
    fb = framebuf.FrameBuffer(bytearray(width), width, 8, framebuf.MONO_HLSB)
    fb.fill(0)
    fb.text(s, 0, 0, 1)
    return mono_rows(fb, width, 8)


class Reference:
    """A plain 1-bit FrameBuffer display of the same size, to show what the UI means to draw."""

    fg = 1  # the colours a display driver gives ui.Screen
    bg = 0

    def __init__(self, width, height):
        self.width = width
        self.height = height
        self._fb = framebuf.FrameBuffer(bytearray(((width + 7) // 8) * height), width, height,
                                        framebuf.MONO_HLSB)
        self.fill = self._fb.fill
        self.fill_rect = self._fb.fill_rect

    def text(self, s, x, y, c, scale=1):
        """framebuf's text, each pixel made a scale x scale square."""
        for row, bits in enumerate(glyphs(s)):
            for column, bit in enumerate(bits):
                if bit == "1":
                    self._fb.fill_rect(x + column * scale, y + row * scale, scale, scale, c)

    def show(self):
        pass

    def rows(self):
        return mono_rows(self._fb, self.width, self.height)


def landscape(**options):
    """A driver on a model, lit: the first show() lights the panel, as after the first screen a board draws."""
    model = ST7789Model(clock=time.ticks_ms)
    bus = SPIBus(model)
    display = ST7789(bus, bus.dc, bus.cs, bus.rst, **options)
    display.show()
    return model, bus, display


def init_case():
    for powered_up in (False, True):  # a restart (the controller may have been awake); the board was off
        model = ST7789Model(clock=time.ticks_ms)
        bus = SPIBus(model)
        display = ST7789(bus, bus.dc, bus.cs, bus.rst, powered_up=powered_up)
        before_show = {"on": model.on, "asleep": model.asleep}
        display.show()
        emit("init", powered_up=powered_up, panel=panel_rows(model), on=model.on, asleep=model.asleep,
             inverted=model.inverted, madctl=model.madctl, colmod=model.colmod, violations=model.violations,
             size=[display.width, display.height], before_show=before_show)


def corners_case():
    model, bus, display = landscape()
    w, h = display.width, display.height
    display.fill_rect(0, 0, 3, 2, RED)
    display.fill_rect(w - 3, 0, 3, 2, GREEN)
    display.fill_rect(w - 3, h - 2, 3, 2, BLUE)
    display.fill_rect(0, h - 2, 3, 2, ORANGE)
    out = {"panel": panel_rows(model), "colours": [RED, GREEN, BLUE, ORANGE]}
    display.fill(ORANGE)
    out["full"] = panel_rows(model)
    emit("corners", **out)


def clip_case():
    model, bus, display = landscape()
    w, h = display.width, display.height
    display.fill_rect(-5, -3, 10, 8, RED)
    display.fill_rect(w - 4, h - 2, 10, 10, GREEN)
    before = model.pixels
    for x, y, rw, rh in ((w, 0, 5, 5), (0, h, 5, 5), (-10, -10, 5, 5), (10, 10, 0, 5), (10, 10, -3, 5)):
        display.fill_rect(x, y, rw, rh, BLUE)
    outside = model.pixels - before
    display.text("XY", w - 12, -3, ORANGE)  # the Y cell is cut at the right, both at the top
    display.text("Z", -5, h - 5, ORANGE)  # cut at the left and the bottom
    display.text("Q", 0, h, ORANGE)  # wholly below
    emit("clip", panel=panel_rows(model), outside=outside, colours=[RED, GREEN, ORANGE],
         glyphs={"XY": glyphs("XY"), "Z": glyphs("Z")}, origin={"XY": [w - 12, -3], "Z": [-5, h - 5]})


def text_case():
    model, bus, display = landscape()
    display.fill_rect(0, 96, display.width, 30, GREEN)
    texts = [["TOTP 123456 !~", 3, 7, 1], ["Ab9", 100, 60, 2], ["hi", 50, 100, 1], ["%", 200, 20, 3]]
    for s, x, y, scale in texts:
        display.text(s, x, y, RED, scale)
    emit("text", panel=panel_rows(model), texts=texts, glyphs={t[0]: glyphs(t[0]) for t in texts},
         colours=[RED, GREEN])


def power_case():
    model, bus, display = landscape()
    display.fill_rect(10, 10, 50, 20, RED)
    before = panel_rows(model)
    display.poweroff()
    off = {"on": model.on, "asleep": model.asleep, "lit": sum(
        1 for y in range(model.height) for x in range(model.width) if model.pixel(x, y))}
    display.poweron()
    emit("power", before=before, off=off, after=panel_rows(model), on=model.on, asleep=model.asleep,
         violations=model.violations)


def code_case():
    model, bus, display = landscape()
    screen = ui.Screen(display)
    for remaining in (20, 10):  # a new code, then the next second: only the bar moves
        sent, writes = bus.sent, bus.writes
        screen.code("label", "123456", remaining, 30)
        sent, writes = bus.sent - sent, bus.writes - writes
        reference = Reference(display.width, display.height)
        ui.Screen(reference).code("label", "123456", remaining, 30)
        emit("code", remaining=remaining, panel=panel_rows(model), reference=reference.rows(), bytes=sent,
             writes=writes, fg=display.fg, bg=display.bg)


def backlight_run(start):
    """The board's backlight line, at level `start`, handed to the driver: each edge with whether the panel
    was lit then and whether its memory was clear of the power-up noise."""
    model = ST7789Model(clock=time.ticks_ms)
    bus = SPIBus(model)
    edges = []

    def lit():
        return model.on and not model.asleep

    def edge(level):
        cleared = all(model.stored(x, y) == 0 for y in range(model.height) for x in range(model.width))
        edges.append([level, lit(), cleared])

    backlight = DCPin(start, edge)
    display = ST7789(bus, bus.dc, bus.cs, bus.rst, backlight=backlight)
    display.show()  # the first screen's show() lights it
    out = {"start": start, "init": edges[:]}
    display.fill_rect(10, 10, 50, 20, RED)
    del edges[:]
    display.poweroff()
    out["off"] = [[level, was_lit] for level, was_lit, _ in edges]
    out["after_off"] = [backlight.level, lit()]
    del edges[:]
    display.poweron()
    out["on"] = [[level, was_lit] for level, was_lit, _ in edges]
    out["after_on"] = [backlight.level, lit()]
    out["violations"] = model.violations
    return out


def backlight_case():
    for start in (0, 1):  # off as a board sets it up; on, as a warm restart may leave it
        emit("backlight", **backlight_run(start))


class _Quiet:
    """A bus and lines that take everything and do nothing: only the driver's own allocations remain."""

    def write(self, buf):
        pass

    def value(self, level=None):
        pass


def alloc_case():
    """Heap bytes taken by fill_rect calls (MicroPython only: CPython has no gc.mem_alloc)."""
    import gc

    quiet = _Quiet()
    display = ST7789(quiet, quiet, quiet, quiet)
    display.fill_rect(0, 0, 1, 1, RED)  # warm up: first calls may intern names
    taken = None
    if hasattr(gc, "mem_alloc"):
        gc.collect()
        gc.disable()
        before = gc.mem_alloc()
        for n in range(40):
            display.fill_rect(n - 3, n, 7 * n + 1, n + 2, RED if n & 1 else GREEN)
        display.fill(0)
        taken = gc.mem_alloc() - before
        gc.enable()
    emit("alloc", taken=taken)


def rotations_case():
    """Each rotation with its offsets: a full fill covers the panel exactly; markers show the axes."""
    setups = [[0x00, 135, 240, 52, 40], [0x60, 240, 135, 40, 53], [0xC0, 135, 240, 53, 40],
              [0xA0, 240, 135, 40, 52], [0x60, 240, 135, 40, 52]]  # the last one a row off
    for madctl, width, height, xstart, ystart in setups:
        model, bus, display = landscape(width=width, height=height, xstart=xstart, ystart=ystart,
                                        madctl=madctl)
        display.fill(ORANGE)
        covered = sum(1 for y in range(model.height) for x in range(model.width)
                      if model.pixel(x, y) == ORANGE)
        display.fill(0)
        display.fill_rect(0, 0, 1, 1, RED)
        display.fill_rect(1, 0, 1, 1, GREEN)
        display.fill_rect(0, 1, 1, 1, BLUE)
        marks = {}
        for y in range(model.height):
            for x in range(model.width):
                colour = model.pixel(x, y)
                if colour:
                    marks.setdefault(str(colour), []).append([x, y])
        emit("rotation", setup=[madctl, width, height, xstart, ystart], covered=covered,
             origin=marks.get(str(RED)), right=marks.get(str(GREEN)), down=marks.get(str(BLUE)))


def command(model, code, *arguments):
    model.write(bytes([code]), 0)
    if arguments:
        model.write(bytes(arguments), 1)


def awake(madctl=0x00, colmod=0x55):
    model = ST7789Model()
    command(model, 0x11)
    command(model, 0x3A, colmod)
    command(model, 0x36, madctl)
    command(model, 0x21)
    command(model, 0x29)
    return model


def window(model, x0, x1, y0, y1):
    command(model, 0x2A, x0 >> 8, x0 & 0xFF, x1 >> 8, x1 & 0xFF)
    command(model, 0x2B, y0 >> 8, y0 & 0xFF, y1 >> 8, y1 & 0xFF)


def pixels(*colours):
    return b"".join(bytes((c >> 8, c & 0xFF)) for c in colours)


def model_case():
    out = {}
    model = awake()
    window(model, 52, 54, 40, 41)  # panel (0..2, 0..1)
    command(model, 0x2C)
    model.write(pixels(1, 2, 3, 4, 5, 6, 7), 1)  # the seventh wraps to the window's start
    out["wrap"] = [[model.pixel(x, y) for x in range(4)] for y in range(3)]
    command(model, 0x2C)
    model.write(pixels(8), 1)  # a new RAMWR starts over at the window's start
    command(model, 0x3C)
    for byte in pixels(9):  # memory write continue goes on; a pixel may come a byte at a time
        model.write(bytes([byte]), 1)
    out["restart"] = [model.pixel(x, 0) for x in range(3)]

    placed = {}
    for madctl in (0x00, 0x20, 0x40, 0x80, 0x60, 0xA0, 0xC0, 0xE0, 0x10, 0x04):
        model = awake(madctl)
        window(model, 60, 60, 70, 70)  # MCU x 60, y 70
        command(model, 0x2C)
        model.write(pixels(RED), 1)
        placed[str(madctl)] = [[x, y] for y in range(model.height) for x in range(model.width)
                               if model.stored(x, y) == RED]
    out["placed"] = placed

    model = awake(colmod=0x66)
    window(model, 52, 53, 40, 40)
    command(model, 0x2C)
    model.write(b"\xfc\x00\x84\x00\xfc\x00", 1)
    out["bits18"] = [model.pixel(0, 0), model.pixel(1, 0)]
    model = awake(colmod=0x53)
    window(model, 52, 53, 40, 40)
    command(model, 0x2C)
    model.write(b"\xf0\x80\x0f", 1)
    out["bits12"] = [model.pixel(0, 0), model.pixel(1, 0)]

    model = awake()
    window(model, 52, 52, 40, 40)
    command(model, 0x2C)
    model.write(pixels(ORANGE), 1)
    states = {"on": model.pixel(0, 0)}
    command(model, 0x20)
    states["invoff"] = model.pixel(0, 0)
    command(model, 0x21)
    command(model, 0x36, 0x08)
    states["bgr"] = model.pixel(0, 0)
    command(model, 0x36, 0x00)
    command(model, 0x28)
    states["dispoff"] = model.pixel(0, 0)
    command(model, 0x29)
    command(model, 0x10)
    states["slpin"] = model.pixel(0, 0)
    command(model, 0x11)
    states["slpout"] = model.pixel(0, 0)
    command(model, 0x36, 0x60)
    command(model, 0x3A, 0x55)
    command(model, 0x01)
    states["swreset"] = [model.on, model.asleep, model.inverted, model.madctl, model.colmod]
    command(model, 0x11)
    command(model, 0x29)
    states["kept"] = model.stored(0, 0)
    out["states"] = states

    model = awake(madctl=0x60)
    bus = SPIBus(model)
    bus.cs.value(1)
    bus.write(b"\x28")  # not selected: lost
    unselected = model.on
    bus.cs.value(0)
    bus.rst.value(0)
    bus.write(b"\x28")  # held in reset: lost
    bus.rst.value(1)  # released: the reset values
    out["lines"] = {"unselected_on": unselected,
                    "after_reset": [model.on, model.asleep, model.madctl, model.colmod],
                    "sent": bus.sent, "writes": bus.writes}

    now = [0]
    model = ST7789Model(clock=lambda: now[0])
    now[0] += 200  # long enough after power-on
    command(model, 0x01)
    now[0] += 2
    command(model, 0x11)  # 2 ms after a software reset
    now[0] += 100
    command(model, 0x10)  # 100 ms after sleep out
    now[0] += 200
    command(model, 0x11)  # in time
    now[0] += 10
    command(model, 0x29)
    out["violations"] = model.violations
    emit("model", **out)


CASES = {"alloc": alloc_case, "backlight": backlight_case, "init": init_case, "corners": corners_case,
         "clip": clip_case, "text": text_case, "power": power_case, "code": code_case, "rotations": rotations_case, "model": model_case}
for name in sys.argv[1:] or sorted(CASES):
    CASES[name]()
