"""CPython stand-in for MicroPython's framebuf (MONO_VLSB only), so the SSD1306 driver runs in CPython tests.

Same memory layout as the real module (byte = 8 rows of one column, bit 0 on top); text() draws a
made-up 8x8 glyph per character, since only the layout matters to these tests, not the font.
test-only: MicroPython has framebuf built in (emu/fbuf.py adds MONO_HLSB to this one).
"""

MONO_VLSB = 0


class FrameBuffer:
    def __init__(self, buf, width, height, fmt):
        if fmt != MONO_VLSB:
            raise ValueError("only MONO_VLSB is emulated")
        self._fb = buf
        self._w = width
        self._h = height

    def pixel(self, x, y, c=None):
        if not (0 <= x < self._w and 0 <= y < self._h):
            return None
        index = (y >> 3) * self._w + x
        if c is None:
            return (self._fb[index] >> (y & 7)) & 1
        if c:
            self._fb[index] |= 1 << (y & 7)
        else:
            self._fb[index] &= ~(1 << (y & 7)) & 0xFF

    def fill(self, c):
        for i in range(len(self._fb)):
            self._fb[i] = 0xFF if c else 0

    def fill_rect(self, x, y, w, h, c):
        for yy in range(y, y + h):
            for xx in range(x, x + w):
                self.pixel(xx, yy, c)

    def hline(self, x, y, w, c):
        self.fill_rect(x, y, w, 1, c)

    def vline(self, x, y, h, c):
        self.fill_rect(x, y, 1, h, c)

    def rect(self, x, y, w, h, c, f=False):
        if f:
            self.fill_rect(x, y, w, h, c)
            return
        self.hline(x, y, w, c)
        self.hline(x, y + h - 1, w, c)
        self.vline(x, y, h, c)
        self.vline(x + w - 1, y, h, c)

    def text(self, s, x, y, c=1):
        for n, ch in enumerate(s):
            for col in range(8):
                bits = (ord(ch) * 37 + col * 11) & 0xFF
                for row in range(8):
                    if bits >> row & 1:
                        self.pixel(x + 8 * n + col, y + row, c)
