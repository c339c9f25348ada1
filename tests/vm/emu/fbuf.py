"""`framebuf` for CPython runs: the shared stand-in (MONO_VLSB, made-up 8x8 glyphs) plus MONO_HLSB, the
layout the ST7789 driver renders its glyphs in. Only the memory layout matters to the tests, not the font.
test-only: MicroPython has framebuf built in.
"""

import chips_framebuf

MONO_VLSB = chips_framebuf.MONO_VLSB
MONO_HLSB = 3


class FrameBuffer(chips_framebuf.FrameBuffer):
    def __init__(self, buf, width, height, fmt):
        self._rows = fmt == MONO_HLSB  # a byte is 8 pixels of one row, bit 7 leftmost
        if not self._rows:
            chips_framebuf.FrameBuffer.__init__(self, buf, width, height, fmt)
            return
        self._fb = buf
        self._w = width
        self._h = height
        self._stride = (width + 7) // 8

    def pixel(self, x, y, c=None):
        if not self._rows:
            return chips_framebuf.FrameBuffer.pixel(self, x, y, c)
        if not (0 <= x < self._w and 0 <= y < self._h):
            return None
        index = y * self._stride + x // 8
        bit = 0x80 >> (x & 7)
        if c is None:
            return 1 if self._fb[index] & bit else 0
        if c:
            self._fb[index] |= bit
        else:
            self._fb[index] &= ~bit & 0xFF
        return None
