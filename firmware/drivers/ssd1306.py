"""SSD1306 monochrome OLED on I2C (128x64 or 128x32 at 0x3C): a FrameBuffer plus show()."""

import framebuf
from micropython import const

_COMMANDS = const(0x00)  # control byte: the rest of the transaction is commands
_DATA = const(0x40)  # control byte: the rest of the transaction is display RAM data
_DISPLAY_OFF = const(0xAE)
_DISPLAY_ON = const(0xAF)
_CONTRAST = const(0x81)
_NORMAL = const(0xA6)  # | 1 = inverted
_COLUMN_WINDOW = const(0x21)
_PAGE_WINDOW = const(0x22)


def _init_sequence(width, height, external_vcc):
    return bytes((
        _COMMANDS,
        _DISPLAY_OFF,
        0xD5, 0x80,  # oscillator frequency / clock divide: datasheet default
        0xA8, height - 1,  # multiplex ratio = panel rows
        0xD3, 0x00,  # no vertical offset
        0x40,  # RAM row 0 is the top line
        0x8D, 0x10 if external_vcc else 0x14,  # charge pump: needed when the module runs from 3.3 V
        0x20, 0x00,  # horizontal addressing: show() streams the buffer in one go
        0xA1,  # column 127 -> SEG0 and
        0xC8,  # scan COM from the bottom: together an upright image on the usual modules
        0xDA, 0x02 if width > 2 * height else 0x12,  # COM pins: sequential on 128x32, alternative on 128x64
        0x81, 0x9F if external_vcc else 0xCF,
        0xD9, 0x22 if external_vcc else 0xF1,  # pre-charge periods
        0xDB, 0x40,  # VCOMH deselect level
        0xA4,  # show RAM content
        _NORMAL,
        0x2E,  # no scrolling
    ))  # and the panel stays dark: see SSD1306_I2C


class SSD1306_I2C(framebuf.FrameBuffer):
    """Draw with the FrameBuffer methods, then show(). One buffer; show() allocates nothing.

    The panel stays dark until the first show(): at power-up the display RAM holds noise (after a reset or a
    deep sleep, the last picture), and blanking it first would cost a whole frame on the bus (1 KiB, ~23 ms at
    400 kHz) that the first drawing overwrites anyway. So the first show() lights it, with that drawing.
    """

    fg = 1  # a lit pixel
    bg = 0

    def __init__(self, width, height, i2c, addr=0x3C, external_vcc=False):
        self.width = width
        self.height = height
        self._i2c = i2c
        self._addr = addr
        self.buffer = bytearray(width * (height // 8))
        super().__init__(self.buffer, width, height, framebuf.MONO_VLSB)
        self._data = [bytes((_DATA,)), self.buffer]
        first = (128 - width) // 2  # narrower panels sit on the middle columns
        self._window = bytes((_COMMANDS, _COLUMN_WINDOW, first, first + width - 1,
                              _PAGE_WINDOW, 0, height // 8 - 1))
        self._command = bytearray((_COMMANDS, 0, 0))
        self._command1 = memoryview(self._command)[0:2]
        self._fresh = True  # display RAM not written since the start: what it holds must never be lit
        self._lit = True  # lit unless poweroff(); the first show() carries this out
        i2c.writeto(addr, _init_sequence(width, height, external_vcc))

    def show(self):
        """Copy the buffer to the display (and light the panel, the first time, unless it was powered off)."""
        self._i2c.writeto(self._addr, self._window)
        self._i2c.writevto(self._addr, self._data)
        if self._fresh:
            self._fresh = False
            if self._lit:
                self._send(_DISPLAY_ON)

    def poweroff(self):
        """Blank the panel (RAM is kept; draws nearly nothing)."""
        self._lit = False
        self._send(_DISPLAY_OFF)

    def poweron(self):
        """Light the panel again with what RAM holds (before the first show(): with that frame)."""
        self._lit = True
        if not self._fresh:
            self._send(_DISPLAY_ON)

    def settle(self):
        """Nothing to wait for: the controller takes power commands at once (see ST7789.settle)."""

    def contrast(self, value):
        """Brightness 0..255."""
        self._send(_CONTRAST, value & 0xFF)

    def invert(self, inverted):
        """Swap lit and dark pixels."""
        self._send(_NORMAL | (1 if inverted else 0))

    def _send(self, command, argument=-1):
        self._command[1] = command
        if argument < 0:
            self._i2c.writeto(self._addr, self._command1)
        else:
            self._command[2] = argument
            self._i2c.writeto(self._addr, self._command)
