"""ST7789 colour TFT on SPI (the 135x240 IPS panels of the LILYGO T-Display and M5StickC Plus2), drawn directly.

There is no frame buffer in RAM: a 240x135 RGB565 frame is 64 KiB, more than half the ESP32's heap. Every
fill_rect() and text() opens a window on the controller and streams its pixels at once, so show() has
nothing left to do. Pixels go out as RGB565, high byte first, as the controller's 16-bit mode expects.
"""

import time

import framebuf
from micropython import const

_SWRESET = const(0x01)
_SLPIN = const(0x10)
_SLPOUT = const(0x11)
_INVON = const(0x21)
_DISPOFF = const(0x28)
_DISPON = const(0x29)
_CASET = const(0x2A)  # column window (the MCU's x, whatever MADCTL maps it to)
_RASET = const(0x2B)  # row window
_RAMWR = const(0x2C)
_MADCTL = const(0x36)
_COLMOD = const(0x3A)
_RGB565 = const(0x55)  # 16 bits per pixel on the MCU interface
_CHUNK = const(512)  # bytes of the reusable pixel buffer: 256 pixels per SPI write
_SLEEP_CHANGE_MS = const(120)  # datasheet: sleep in <-> sleep out no closer together than this
_COMMAND_MS = const(5)  # datasheet: quiet time after reset, sleep in and sleep out


def rgb565(r, g, b):
    """The RGB565 colour nearest below the 8-bit-per-channel colour (r, g, b)."""
    return (r & 0xF8) << 8 | (g & 0xFC) << 3 | b >> 3


class ST7789:
    """135x240 (or other) ST7789 panel over SPI. `xstart`/`ystart` place the panel in the controller's
    240x320 memory for the rotation `madctl` selects (MX|MV = 0x60: landscape, x along the long side).
    `backlight`, an output pin (high = lit) where the board switches the LEDs, goes dark and lit with the
    panel in poweroff() and poweron()."""

    fg = 0xFFFF
    bg = 0x0000

    def __init__(self, spi, dc, cs=None, rst=None, width=240, height=135, xstart=40, ystart=53,
                 madctl=0x60, backlight=None, cold=True, powered_up=False):
        self._backlight = backlight
        if backlight is not None:
            backlight.value(0)  # dark while the panel memory holds power-up noise: lit at the first show()
        self.width = width
        self.height = height
        self._spi = spi
        self._dc = dc
        self._cs = cs
        self._xstart = xstart
        self._ystart = ystart
        self._buf = bytearray(_CHUNK)
        # Views of the buffer's first 2, 4 ... 256 bytes: any even tail of a solid fill goes out
        # through a few of them without slicing (a slice would allocate on every call).
        self._heads = [memoryview(self._buf)[: 1 << n] for n in range(1, 9)]
        self._colour = -1  # the colour the whole buffer holds, -1 when it holds something else
        self._command_byte = bytearray(1)
        self._argument = bytearray(4)
        self._argument1 = memoryview(self._argument)[:1]
        self._glyph = bytearray(8)
        self._glyph_fb = framebuf.FrameBuffer(self._glyph, 8, 8, framebuf.MONO_HLSB)
        self._view = memoryview(self._buf)
        self._runs = None  # see _nibbles(): made with the first text, for its colour and scale
        self._runs_for = (0, 0)
        if cs is not None:
            cs.value(1)
        # True while the whole panel shows bg and nothing else: a fill with bg then sends nothing. The first
        # screen of every wake starts with one, and a 240x135 fill is 64 KiB on the bus (20 ms at 26 MHz).
        self._blank = False
        if not cold:
            # Woken from deep sleep: the panel stayed powered and asleep (poweroff() put it there seconds
            # ago at least), so no reset and none of its 120 ms waits; everything is set again below anyway,
            # in case the reset line drooped meanwhile. Saves ~125 ms of every wake. Its memory holds bg only:
            # the board blanks the panel before it sleeps (esp32board), so it is not cleared again here.
            if rst is not None:
                rst.value(1)
            self._sleep_changed = time.ticks_add(time.ticks_ms(), -_SLEEP_CHANGE_MS)
        else:
            # Sleep out no sooner than 120 ms after the reset: counted by _sleep(), at the first show(). A
            # controller that was asleep (powered_up: the board was off) takes its other commands and the
            # memory writes after 5 ms, so the firmware draws the first screen meanwhile: ~120 ms less wake.
            if rst is not None:
                rst.value(0)
                time.sleep_ms(1)  # the reset pulse needs only 10 us
                rst.value(1)
                self._sleep_changed = time.ticks_ms()
                if not powered_up:
                    time.sleep_ms(_SLEEP_CHANGE_MS)  # reset may have come while awake: the long wait
            else:
                self._send(_SWRESET)
                self._sleep_changed = time.ticks_ms()
        time.sleep_ms(_COMMAND_MS)
        self._send(_COLMOD, _RGB565)
        self._send(_MADCTL, madctl)
        self._send(_INVON)  # these IPS panels show true colours with inversion on
        if cold:
            self.fill(self.bg)  # the memory holds noise after power-up: clear it before lighting the panel
        self._blank = True
        # Asleep and dark until the first show(): the panel lights with the first screen on it. (The memory
        # takes writes while the controller sleeps; only the display needs it awake.)
        self._pending = True

    def fill(self, colour):
        """Paint the whole panel in `colour` (RGB565); nothing to send when it shows only bg and bg is asked."""
        if self._blank and colour == self.bg:
            return
        self.fill_rect(0, 0, self.width, self.height, colour)
        self._blank = colour == self.bg

    def fill_rect(self, x, y, w, h, colour):
        """Paint a w x h rectangle at (x, y); the parts outside the panel are left out."""
        if x < 0:
            w += x
            x = 0
        if y < 0:
            h += y
            y = 0
        w = min(w, self.width - x)
        h = min(h, self.height - y)
        if w <= 0 or h <= 0:
            return
        if colour != self.bg:
            self._blank = False
        elif self._blank:
            return  # bg on a panel showing only bg
        if colour != self._colour:
            buf = self._buf
            high = colour >> 8 & 0xFF
            low = colour & 0xFF
            for i in range(0, _CHUNK, 2):
                buf[i] = high
                buf[i + 1] = low
            self._colour = colour
        self._open(x, y, w, h)
        left = w * h * 2
        spi = self._spi
        while left >= _CHUNK:
            spi.write(self._buf)
            left -= _CHUNK
        n = 7
        while left:
            if left & (2 << n):
                spi.write(self._heads[n])
                left -= 2 << n
            n -= 1
        self._close()

    def text(self, s, x, y, colour, scale=1):
        """Write `s` in framebuf's 8x8 font at (x, y), each font pixel a scale x scale square; the cells'
        background is self.bg. Each character is one window: rendered by framebuf into an 8x8 bitmap,
        then sent as pixels. Characters outside ASCII take one cell each."""
        size = 8 * scale
        buf = self._buf
        fg_high = colour >> 8 & 0xFF
        fg_low = colour & 0xFF
        bg_high = self.bg >> 8 & 0xFF
        bg_low = self.bg & 0xFF
        # Rows of one cell that fit the buffer: with scale 1 a whole character goes out in one write.
        batch = max(1, _CHUNK // (2 * size))
        top = max(0, -y)
        bottom = min(size, self.height - y)
        if top >= bottom:
            return
        self._blank = False
        whole = top == 0 and bottom == size and 2 * size * scale <= _CHUNK  # a cell's pixel row fits
        for ch in s:
            left = max(0, -x)
            right = min(size, self.width - x)
            if whole and left == 0 and right == size:
                self._cell(ch, x, y, colour, scale)
            elif left < right:
                self._colour = -1
                self._glyph_fb.fill(0)
                self._glyph_fb.text(ch, 0, 0, 1)
                self._open(x + left, y + top, right - left, bottom - top)
                i = 0
                rows = 0
                for row in range(top, bottom):
                    bits = self._glyph[row // scale]
                    for column in range(left, right):
                        if bits & (0x80 >> (column // scale)):
                            buf[i] = fg_high
                            buf[i + 1] = fg_low
                        else:
                            buf[i] = bg_high
                            buf[i + 1] = bg_low
                        i += 2
                    rows += 1
                    if rows == batch or row == bottom - 1:
                        self._write_head(i)
                        i = 0
                        rows = 0
                self._close()
            x += size

    def _nibbles(self, colour, scale):
        """The 16 runs of 4 font pixels (one for each nibble of a glyph row, its high bit leftmost) as RGB565
        bytes at `scale`, fg where a bit is set: a glyph row is then two copies, not a loop over its pixels."""
        if self._runs is None or self._runs_for != (colour, scale):
            run = 8 * scale
            runs = bytearray(16 * run)
            fg = (colour >> 8 & 0xFF, colour & 0xFF)
            bg = (self.bg >> 8 & 0xFF, self.bg & 0xFF)
            i = 0
            for nibble in range(16):
                for bit in range(4):
                    high, low = fg if nibble & (8 >> bit) else bg
                    for _ in range(scale):
                        runs[i] = high
                        runs[i + 1] = low
                        i += 2
            self._runs = memoryview(runs)
            self._runs_for = (colour, scale)
        return self._runs

    def _cell(self, ch, x, y, colour, scale):
        """One character whose whole cell is on the panel: rows built from _nibbles() runs, each pixel row
        copied `scale` times, sent in as few writes as the buffer allows (one at scales 1 and 2)."""
        runs = self._nibbles(colour, scale)
        view = self._view
        glyph = self._glyph
        self._colour = -1
        self._glyph_fb.fill(0)
        self._glyph_fb.text(ch, 0, 0, 1)
        size = 8 * scale
        self._open(x, y, size, size)
        run = 8 * scale  # bytes of 4 font pixels
        line = 2 * run  # bytes of one pixel row of the cell
        i = 0
        for row in range(8):
            bits = glyph[row]
            high = (bits >> 4) * run
            low = (bits & 0x0F) * run
            view[i:i + run] = runs[high:high + run]
            view[i + run:i + line] = runs[low:low + run]
            j = i + line
            for _ in range(scale - 1):
                view[j:j + line] = view[i:i + line]
                j += line
            i = j
            if row == 7 or i + line * scale > _CHUNK:
                self._write_head(i)
                i = 0
        self._close()

    def show(self):
        """Nothing to flush: every drawing call has already reached the panel. The first show() since the start
        lights it (see __init__)."""
        if self._pending:
            self.poweron()

    def poweroff(self):
        """Darken the backlight, blank the panel and put the controller to sleep (memory kept)."""
        self._pending = False
        if self._backlight is not None:
            self._backlight.value(0)
        self._send(_DISPOFF)
        self._sleep(_SLPIN)

    def poweron(self):
        """Wake the controller and light the panel (and the backlight) again with what its memory holds."""
        self._pending = False
        self._sleep(_SLPOUT)
        self._send(_DISPON)
        if self._backlight is not None:
            self._backlight.value(1)

    def settle(self):
        """Wait until the controller may change sleep mode again (120 ms after the last change). Called before
        the board's deep sleep, so that the warm start after a wake (cold=False) may send sleep out at once."""
        wait = _SLEEP_CHANGE_MS - time.ticks_diff(time.ticks_ms(), self._sleep_changed)
        if wait > 0:
            time.sleep_ms(wait)

    def _sleep(self, command):
        # Sleep in and sleep out each need 120 ms since the last change, and 5 ms of quiet after.
        wait = _SLEEP_CHANGE_MS - time.ticks_diff(time.ticks_ms(), self._sleep_changed)
        if wait > 0:
            time.sleep_ms(wait)
        self._send(command)
        self._sleep_changed = time.ticks_ms()
        time.sleep_ms(_COMMAND_MS)

    def _write_head(self, n):
        # The first n bytes of the buffer: a prepared view when there is one, else a slice (rare scales).
        if n == _CHUNK:
            self._spi.write(self._buf)
            return
        for head in self._heads:
            if len(head) == n:
                self._spi.write(head)
                return
        self._spi.write(memoryview(self._buf)[:n])

    def _send(self, command, argument=-1):
        """One command with an optional one-byte argument, in its own chip-select frame."""
        if self._cs is not None:
            self._cs.value(0)
        self._dc.value(0)
        self._command_byte[0] = command
        self._spi.write(self._command_byte)
        if argument >= 0:
            self._dc.value(1)
            self._argument1[0] = argument
            self._spi.write(self._argument1)
        if self._cs is not None:
            self._cs.value(1)

    def _open(self, x, y, w, h):
        """Set the window to w x h at (x, y) and start a memory write; chip select stays low for the pixels."""
        if self._cs is not None:
            self._cs.value(0)
        self._window(_CASET, x + self._xstart, w)
        self._window(_RASET, y + self._ystart, h)
        self._dc.value(0)
        self._command_byte[0] = _RAMWR
        self._spi.write(self._command_byte)
        self._dc.value(1)

    def _window(self, command, start, size):
        argument = self._argument
        end = start + size - 1
        argument[0] = start >> 8
        argument[1] = start & 0xFF
        argument[2] = end >> 8
        argument[3] = end & 0xFF
        self._dc.value(0)
        self._command_byte[0] = command
        self._spi.write(self._command_byte)
        self._dc.value(1)
        self._spi.write(argument)

    def _close(self):
        if self._cs is not None:
            self._cs.value(1)
