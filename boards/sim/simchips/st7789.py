"""ST7789V TFT controller at the SPI level (bytes plus the D/CX line), with the panel it drives.

The controller holds a 240x320 frame memory; the panel shows a `width` x `height` part of it from
(xstart, ystart), in its native portrait orientation: 135x240 from column 52, row 40 on the T-Display and
M5StickC Plus2 modules. Only that part is stored.

Writing pixels: CASET sets the window of the MCU's x counter, RASET that of its y counter; RAMWR starts at
the window's first corner and streams, x first, wrapping inside the window. MADCTL then maps the counters to
memory, as in the datasheet's address-control figures: MV gives x to the memory rows and y to the columns
(CASET then reaches 319), MX runs the memory column backwards (239 - c), MY the row (319 - r). ML and MH only
change the refresh order, not the picture; the RGB bit swaps red and blue on the panel. COLMOD picks 12, 16
or 18 bits per pixel (the reset value is 18); the memory here keeps RGB565.

What the panel shows (`pixel()`): 0 while the display is off or the controller asleep. These IPS panels are
normally inverted: they show the colour written only with inversion on (INVON); with INVOFF `pixel()`
returns the complement. Resets: a hardware reset (RESX low) puts everything to its reset value; SWRESET keeps
MADCTL and COLMOD ("no change" in the reset table); neither clears the memory. At power-on the memory holds
noise (a fixed pattern here), which a driver must clear before lighting the panel.

With a `clock` (a function returning milliseconds) the model also checks the datasheet's waits: 5 ms after
a reset, SLPIN or SLPOUT before the next command (120 ms after a hardware reset of an awake chip), and
120 ms between sleep in and sleep out; breaches are listed in `violations`.
"""

_SWRESET = 0x01
_SLPIN = 0x10
_SLPOUT = 0x11
_INVOFF = 0x20
_INVON = 0x21
_DISPOFF = 0x28
_DISPON = 0x29
_CASET = 0x2A
_RASET = 0x2B
_RAMWR = 0x2C
_MADCTL = 0x36
_COLMOD = 0x3A
_RAMWRC = 0x3C  # memory write continue: goes on from where the last write stopped
_ARGUMENTS = {_CASET: 4, _RASET: 4, _MADCTL: 1, _COLMOD: 1}  # other commands' arguments are ignored
_COLUMNS = 240
_ROWS = 320
_MY = 0x80
_MX = 0x40
_MV = 0x20
_BGR = 0x08
# Bytes per group and pixels per group on the MCU interface, by COLMOD's low three bits.
_GROUPS = {3: (3, 2), 5: (2, 1), 6: (3, 1)}
_QUIET_MS = 5
_SLEEP_CHANGE_MS = 120


class ST7789Model:
    """The controller after power-on, driving the panel mounted at (xstart, ystart) of its memory."""

    COLOUR = True  # pixel() gives RGB565 (a picture of the panel needs no palette)

    def __init__(self, width=135, height=240, xstart=52, ystart=40, clock=None):
        self.width = width
        self.height = height
        self.xstart = xstart
        self.ystart = ystart
        self.gram = bytearray(width * height * 2)
        for i in range(len(self.gram)):
            self.gram[i] = (i * 151 + 17) & 0xFF
        self.violations = []
        self.commands = 0
        self.pixels = 0
        self._clock = clock
        self._busy_until = 0
        self._sleep_changed = -_SLEEP_CHANGE_MS
        self._pending = bytearray(4)
        self.asleep = True
        self.reset()

    def reset(self):
        """Hardware reset (RESX pulsed low): every register to its reset value; the memory is kept."""
        was_awake = not self.asleep
        self.madctl = 0
        self.colmod = 0x66
        self._software_reset()
        if self._clock is not None:
            now = self._clock()
            self._busy_until = now + (_SLEEP_CHANGE_MS if was_awake else _QUIET_MS)
            self._sleep_changed = now

    def _software_reset(self):
        self.on = False
        self.asleep = True
        self.inverted = False
        self._x_window = (0, _COLUMNS - 1)
        self._y_window = (0, _ROWS - 1)
        self._x = 0
        self._y = 0
        self._command = 0
        self._got = 0
        self._have = 0  # bytes of an incomplete pixel group

    def write(self, data, dc):
        """Bytes clocked in while chip select is low; `dc` is the D/CX level: 0 command(s), 1 data."""
        if not dc:
            for byte in data:
                self._command_byte(byte)
            return
        command = self._command
        if command == _RAMWR or command == _RAMWRC:
            self._pixel_bytes(data)
        elif command in _ARGUMENTS:
            needed = _ARGUMENTS[command]
            for byte in data:
                if self._got < needed:
                    self._pending[self._got] = byte
                    self._got += 1
                    if self._got == needed:
                        self._apply(command, self._pending)

    def _command_byte(self, command):
        self.commands += 1
        if self._clock is not None:
            now = self._clock()
            if now < self._busy_until:
                self.violations.append("command %02Xh %d ms early" % (command, self._busy_until - now))
            if command in (_SLPIN, _SLPOUT):
                early = self._sleep_changed + _SLEEP_CHANGE_MS - now
                if early > 0:
                    self.violations.append("command %02Xh %d ms after a sleep change" % (
                        command, _SLEEP_CHANGE_MS - early))
                self._sleep_changed = now
            if command in (_SWRESET, _SLPIN, _SLPOUT):
                self._busy_until = now + _QUIET_MS
            if command == _SWRESET and not self.asleep:
                self._sleep_changed = now
        self._command = command
        self._got = 0
        self._have = 0
        if command == _SWRESET:
            self._software_reset()
        elif command == _SLPIN:
            self.asleep = True
        elif command == _SLPOUT:
            self.asleep = False
        elif command == _INVOFF:
            self.inverted = False
        elif command == _INVON:
            self.inverted = True
        elif command == _DISPOFF:
            self.on = False
        elif command == _DISPON:
            self.on = True
        elif command == _RAMWR:
            self._x = self._x_window[0]
            self._y = self._y_window[0]
        # Anything else (NOP, the panel-tuning commands B0h..) changes nothing seen here.

    def _apply(self, command, arg):
        if command == _CASET:
            self._x_window = (arg[0] << 8 | arg[1], arg[2] << 8 | arg[3])
        elif command == _RASET:
            self._y_window = (arg[0] << 8 | arg[1], arg[2] << 8 | arg[3])
        elif command == _MADCTL:
            self.madctl = arg[0]
        elif command == _COLMOD:
            self.colmod = arg[0]

    def _pixel_bytes(self, data):
        group = _GROUPS.get(self.colmod & 0x07)
        if group is None:
            raise NotImplementedError("COLMOD %02Xh" % self.colmod)
        size, count = group
        pending = self._pending
        have = self._have
        for byte in data:
            pending[have] = byte
            have += 1
            if have == size:
                have = 0
                if size == 2:  # RGB565, high byte first
                    self._store(pending[0] << 8 | pending[1])
                elif count == 1:  # 18 bits: six per colour, in the top of each byte
                    self._store((pending[0] & 0xF8) << 8 | (pending[1] & 0xFC) << 3 | pending[2] >> 3)
                else:  # 12 bits: two pixels of three nibbles in three bytes
                    first = pending[0] << 4 | pending[1] >> 4
                    second = (pending[1] & 0x0F) << 8 | pending[2]
                    self._store(_from444(first))
                    self._store(_from444(second))
        self._have = have

    def _store(self, colour):
        self.pixels += 1
        x = self._x
        y = self._y
        madctl = self.madctl
        column, row = (y, x) if madctl & _MV else (x, y)
        if madctl & _MX:
            column = _COLUMNS - 1 - column
        if madctl & _MY:
            row = _ROWS - 1 - row
        column -= self.xstart
        row -= self.ystart
        if 0 <= column < self.width and 0 <= row < self.height:
            i = (row * self.width + column) * 2
            self.gram[i] = colour >> 8
            self.gram[i + 1] = colour & 0xFF
        x += 1
        if x > self._x_window[1]:
            x = self._x_window[0]
            y += 1
            if y > self._y_window[1]:
                y = self._y_window[0]
        self._x = x
        self._y = y

    def stored(self, x, y):
        """RGB565 held in memory for panel pixel (x, y), whatever the panel shows."""
        i = (y * self.width + x) * 2
        return self.gram[i] << 8 | self.gram[i + 1]

    def pixel(self, x, y):
        """RGB565 colour lit at panel pixel (x, y), portrait, (0, 0) top left; 0 when dark."""
        if not self.on or self.asleep:
            return 0
        colour = self.stored(x, y)
        if self.madctl & _BGR:
            colour = (colour & 0x1F) << 11 | (colour & 0x07E0) | colour >> 11
        return colour if self.inverted else colour ^ 0xFFFF


def _from444(colour):
    # Each 4-bit channel to the top of its RGB565 field.
    return (colour & 0xF00) << 4 | (colour & 0x0F0) << 3 | (colour & 0x00F) << 1


class DCPin:
    """A machine.Pin-like output line (value(v), pin(v), on(), off()); `changed(level)` hears every edge."""

    def __init__(self, level=1, changed=None):
        self.level = level
        self._changed = changed

    def value(self, level=None):
        """Read the level, or drive it to `level`."""
        if level is None:
            return self.level
        level = 1 if level else 0
        if level != self.level:
            self.level = level
            if self._changed is not None:
                self._changed(level)
        return None

    def __call__(self, level=None):
        return self.value(level)

    def on(self):
        self.value(1)

    def off(self):
        self.value(0)


class SPIBus:
    """A machine.SPI-like bus with the model on it, plus the lines a driver needs: `dc`, `cs` (bytes only
    count while it is low) and `rst` (low holds the chip in reset). `sent` counts bytes the chip took."""

    def __init__(self, model):
        self.model = model
        self.sent = 0
        self.writes = 0
        self.dc = DCPin(1)
        self.cs = DCPin(1)
        self.rst = DCPin(1, self._reset_line)

    def _reset_line(self, level):
        if level:
            self.model.reset()

    def write(self, buf):
        """Clock `buf` out (as machine.SPI.write); lost unless the chip is selected and out of reset."""
        self.writes += 1
        if self.cs.level or not self.rst.level:
            return
        self.sent += len(buf)
        self.model.write(buf, self.dc.level)
