"""SSD1306 OLED controller at the I2C command/data level (address 0x3C), with the panel it drives.

Each write transaction starts with a control byte: Co (bit 7) = 1 means one byte follows and then another
control byte; Co = 0 means the rest of the transaction is one stream. D/C# (bit 6) picks data (GDDRAM)
or commands. Multi-byte commands collect their arguments across transactions, as the chip does
(drivers often send each byte in its own transaction).

The panel is modelled like the common modules, mounted so that segment remap (A1h) and reversed COM scan
(C8h) show the image upright. `frames` counts completed address windows (horizontal or vertical mode:
the pointer wrapped back to the window start), i.e. one per full-screen show(); `data_writes` counts
data transactions in any mode.
"""

_GDDRAM = 1024  # 128 columns x 8 pages
_HORIZONTAL = 0
_VERTICAL = 1
_PAGE = 2
# Argument bytes of the multi-byte commands; every other byte is a one-byte command.
_ARGUMENTS = {
    0x20: 1, 0x21: 2, 0x22: 2, 0x26: 6, 0x27: 6, 0x29: 5, 0x2A: 5, 0x81: 1, 0x8D: 1, 0xA3: 2,
    0xA8: 1, 0xD3: 1, 0xD5: 1, 0xD9: 1, 0xDA: 1, 0xDB: 1,
}


def _advance(fast, slow, fast_first, fast_last, slow_first, slow_last):
    """One step of the address counter in horizontal or vertical mode: (fast, slow, 1 if the window wrapped)."""
    if fast < fast_last:
        return fast + 1, slow, 0
    if slow < slow_last:
        return fast_first, slow + 1, 0
    return fast_first, slow_first, 1


class SSD1306:
    """The controller in its power-on reset state, driving a `width` x `height` panel."""

    ADDRESS = 0x3C
    COLOUR = False  # pixel() gives 0 or 1: the panel's one colour is the OLED's

    def __init__(self, width=128, height=64):
        self.width = width
        self.height = height
        self.gddram = bytearray(_GDDRAM)
        self.frames = 0
        self.data_writes = 0
        self._pending = 0  # command byte waiting for arguments
        self._arguments = bytearray(6)
        self._needed = 0
        self._got = 0
        self._display_on = False
        self.contrast = 0x7F
        self._entire_on = False
        self._inverted = False
        self._mode = _PAGE
        self._column_window = (0, 127)
        self._page_window = (0, 7)
        self._column = 0
        self._page = 0
        self._start_line = 0
        self._offset = 0
        self._segment_remap = False
        self._com_reversed = False
        self._mux_lines = 64
        self.com_pins = 0x12
        self.clock_divide = 0x80
        self.precharge = 0x22
        self.vcomh = 0x20
        self.charge_pump = False
        self.scrolling = False

    @property
    def is_on(self):
        """True when the panel is lit: display on and (modules run from 3.3 V) the charge pump enabled."""
        return self._display_on and self.charge_pump

    def write(self, data):
        """One I2C write transaction (the bytes after the address)."""
        i = 0
        end = len(data)
        while i < end:
            control = data[i]
            i += 1
            if control & 0x80:
                stop = min(i + 1, end)
            else:
                stop = end
            if control & 0x40:
                if stop > i:
                    self.data_writes += 1
                    self._write_ram(data, i, stop)
            else:
                for k in range(i, stop):
                    self._command_byte(data[k])
            i = stop

    def writev(self, parts):
        """One write transaction given in pieces; a data-stream control byte followed by a frame buffer is
        taken without joining them (the emulator shares the firmware's small heap)."""
        if len(parts) == 2 and len(parts[0]) == 1 and parts[0][0] & 0xC0 == 0x40:
            if len(parts[1]):
                self.data_writes += 1
                self._write_ram(parts[1], 0, len(parts[1]))
        else:
            self.write(b"".join(bytes(part) for part in parts))
        return sum(len(part) for part in parts)

    def read(self, nbytes):
        """Reading: I2C SSD1306 modules return the status byte (bit 6 = display off)."""
        return bytes([0x00 if self._display_on else 0x40]) * nbytes

    def _command_byte(self, byte):
        if self._needed:
            self._arguments[self._got] = byte
            self._got += 1
            if self._got == self._needed:
                self._needed = 0
                self._command(self._pending, self._arguments)
            return
        needed = _ARGUMENTS.get(byte, 0)
        if needed:
            self._pending = byte
            self._needed = needed
            self._got = 0
        else:
            self._command(byte, self._arguments)

    def _command(self, command, arg):
        if command < 0x10:  # lower nibble of the page-mode column start
            self._column = (self._column & 0x70) | command
        elif command < 0x20:
            self._column = ((command & 0x07) << 4) | (self._column & 0x0F)
        elif command == 0x20:
            if arg[0] & 0x03 != 0x03:  # 11b is an invalid mode
                self._mode = arg[0] & 0x03
        elif command == 0x21:
            self._column_window = (arg[0] & 0x7F, arg[1] & 0x7F)
            self._column = arg[0] & 0x7F
        elif command == 0x22:
            self._page_window = (arg[0] & 0x07, arg[1] & 0x07)
            self._page = arg[0] & 0x07
        elif command in (0x26, 0x27, 0x29, 0x2A, 0x2E, 0x2F):
            self.scrolling = command == 0x2F
        elif 0x40 <= command < 0x80:
            self._start_line = command & 0x3F
        elif command == 0x81:
            self.contrast = arg[0]
        elif command == 0x8D:
            self.charge_pump = bool(arg[0] & 0x04)
        elif command in (0xA0, 0xA1):
            self._segment_remap = command == 0xA1
        elif command in (0xA4, 0xA5):
            self._entire_on = command == 0xA5
        elif command in (0xA6, 0xA7):
            self._inverted = command == 0xA7
        elif command == 0xA8:
            self._mux_lines = max(arg[0] & 0x3F, 15) + 1
        elif command in (0xAE, 0xAF):
            self._display_on = command == 0xAF
        elif 0xB0 <= command < 0xB8:
            self._page = command & 0x07
        elif 0xC0 <= command < 0xD0:
            self._com_reversed = bool(command & 0x08)
        elif command == 0xD3:
            self._offset = arg[0] & 0x3F
        elif command == 0xD5:
            self.clock_divide = arg[0]
        elif command == 0xD9:
            self.precharge = arg[0]
        elif command == 0xDA:
            self.com_pins = arg[0]
        elif command == 0xDB:
            self.vcomh = arg[0]
        # Anything else (E3h NOP, unknown codes) is ignored, as by the chip.

    def _write_ram(self, data, start, stop):
        ram = self.gddram
        remap = self._segment_remap
        first_column, last_column = self._column_window
        first_page, last_page = self._page_window
        column = self._column
        page = self._page
        mode = self._mode
        for i in range(start, stop):
            # Segment remap acts as data is written: column c lands in RAM column 127 - c.
            ram[page * 128 + (127 - column if remap else column)] = data[i]
            # Horizontal mode runs along the columns of a page, then on to the next page; vertical mode down
            # the pages of a column, then on to the next column. Wrapping past the window's end completes a frame.
            if mode == _HORIZONTAL:
                column, page, wrapped = _advance(column, page, first_column, last_column, first_page, last_page)
                self.frames += wrapped
            elif mode == _VERTICAL:
                page, column, wrapped = _advance(page, column, first_page, last_page, first_column, last_column)
                self.frames += wrapped
            else:  # page mode: the column wraps within the page
                column = (column + 1) & 0x7F
        self._column = column
        self._page = page

    def frame_bytes(self):
        """A copy of the 1024-byte GDDRAM (page-major, bit 0 = top row of each page)."""
        return bytes(self.gddram)

    def _ram_row(self, y):
        # The panel rows are wired for its COM pin configuration (alternative on 64-row panels,
        # sequential on 32-row ones); set the other one and the rows come out interleaved.
        if bool(self.com_pins & 0x10) != (self.height > 32):
            y = y // 2 + (y % 2) * (self.height // 2)
        scan = y if self._com_reversed else self._mux_lines - 1 - y
        if not 0 <= scan < self._mux_lines:
            return -1
        return (scan + self._start_line + self._offset) % 64

    def _ram_column(self, x):
        # Narrower panels sit on the middle segments; an upright image is written with remap on.
        return 127 - (128 - self.width) // 2 - x

    def pixel(self, x, y):
        """1 if the panel pixel at (x, y) is lit."""
        if not self.is_on:
            return 0
        if self._entire_on:
            return 1
        ram_row = self._ram_row(y)
        if ram_row < 0:  # beyond the multiplex ratio: the row is not driven at all
            return 0
        bit = (self.gddram[(ram_row >> 3) * 128 + self._ram_column(x)] >> (ram_row & 7)) & 1
        return bit ^ 1 if self._inverted else bit

    def row(self, y):
        """Panel row `y` as shown: a bytearray of `width` values 0/1."""
        return bytearray([self.pixel(x, y) for x in range(self.width)])

    def rows(self):
        """All panel rows as shown (see row())."""
        return [self.row(y) for y in range(self.height)]
