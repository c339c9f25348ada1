"""What the token draws: big seven-segment digits, the account label and a countdown bar, on any FrameBuffer.

Seven-segment digits are filled rectangles, so they scale to any display, stay sharp, cost no font in RAM and
read at arm's length like a commercial token's LCD.
"""

from micropython import const

# Segments a..g as bits 0..6 for the digits 0..9.
_SEGMENTS = b"\x3f\x06\x5b\x4f\x66\x6d\x7d\x07\x7f\x6f"
_CHAR = const(8)  # framebuf's built-in font is 8x8
# framebuf's font is ASCII. The Hungarian accented letters (and the ellipsis of a shortened label) are drawn from
# 8x8 bitmaps of our own, one byte a row, leftmost pixel in the top bit, in the order of _LETTERS: a constant in
# the code, not a dict, so the boot keeps no table on the heap. The accent takes the two rows above the body
# (lower-case bodies as framebuf's; capitals squeezed to the lower-case height to make room for the accent).
_LETTERS = "áéíóöőúüűÁÉÍÓÖŐÚÜŰ…"
_GLYPHS = (
    b"\x0c\x18\x3c\x06\x3e\x66\x3e\x00"  # á
    b"\x0c\x18\x3c\x66\x7e\x60\x3e\x00"  # é
    b"\x06\x0c\x00\x18\x18\x18\x18\x00"  # í
    b"\x0c\x18\x3c\x66\x66\x66\x3c\x00"  # ó
    b"\x66\x00\x3c\x66\x66\x66\x3c\x00"  # ö
    b"\x36\x6c\x3c\x66\x66\x66\x3c\x00"  # ő
    b"\x0c\x18\x66\x66\x66\x66\x3c\x00"  # ú
    b"\x66\x00\x66\x66\x66\x66\x3c\x00"  # ü
    b"\x36\x6c\x66\x66\x66\x66\x3c\x00"  # ű
    b"\x0c\x18\x18\x3c\x66\x7e\x66\x00"  # Á
    b"\x0c\x18\x7e\x60\x7c\x60\x7e\x00"  # É
    b"\x0c\x18\x3c\x18\x18\x18\x3c\x00"  # Í
    b"\x0c\x18\x3c\x66\x66\x66\x3c\x00"  # Ó
    b"\x66\x00\x3c\x66\x66\x66\x3c\x00"  # Ö
    b"\x36\x6c\x3c\x66\x66\x66\x3c\x00"  # Ő
    b"\x0c\x18\x66\x66\x66\x66\x3c\x00"  # Ú
    b"\x66\x00\x66\x66\x66\x66\x3c\x00"  # Ü
    b"\x36\x6c\x66\x66\x66\x66\x3c\x00"  # Ű
    b"\x00\x00\x00\x00\x00\x00\x49\x00"  # …
)
_ELLIPSIS = "…"


def _cell(ch):
    """What framebuf's text() draws in a character's cell: the letter, a blank where a glyph of ours goes, "?" for
    other letters the font lacks."""
    if ord(ch) < 128:
        return ch
    return " " if _LETTERS.find(ch) >= 0 else "?"


def shorten(text, n):
    """text in at most n characters: whole when it fits, else its start and its end with "…" between.

    Why not cut the end (as once) or scroll: labels are mostly e-mail addresses and names, and two accounts
    differ in the user name (the start) or the domain (the end) far more often than in the middle; cutting the
    end made "demo.user@ugyfelkapu.gov.hu" and "demo.user@ugyfelkapu.gov.hu2" look alike. A scrolling label
    would redraw its line every second, is hard to read at a glance, and starts over on each wake from deep
    sleep. The whole label is in `totpfob list`."""
    if len(text) <= n:
        return text
    if n < 3:
        return text[:n]
    tail = (n - 1) // 2
    return text[: n - 1 - tail] + _ELLIPSIS + text[len(text) - tail:]


class Screen:
    """Draws the token's screens on a FrameBuffer-like display: width, height, fill, fill_rect, text, show, fg
    and bg, poweroff and poweron (the display drivers' shape; see boardbase).

    Panels of 120 rows or more (the 135x240 ST7789 boards) get text at twice the size. The code screen is redrawn
    whole only when what it says changes; each second only the countdown bar moves, so a directly driven panel
    does not flicker and an I2C one sends little."""

    def __init__(self, display):
        self.display = display
        self.width = display.width
        self.height = display.height
        self.fg = display.fg
        self.bg = display.bg
        self.scale = 2 if self.height >= 120 else 1
        self.char = _CHAR * self.scale
        self.bar_h = max(3, self.height // 16)
        self._drawn = None  # what the code screen shows now, minus the bar
        self.lines: tuple = ()  # the text lines the code screen drew on top (for a screen that reports what it shows)
        self.next_word = "next"  # before the next code; the app sets it in the token's language (texts.py)
        self._bar = -1

    def _text(self, text, x, y):
        """text at (x, y): ASCII in one text() call, as fast as framebuf draws; letters of ours drawn after the
        rest (whose cells text() leaves blank: a TFT's text() paints the cells' background)."""
        cells = text
        if not all(ord(ch) < 128 for ch in text):
            cells = "".join(_cell(ch) for ch in text)
        if self.scale > 1:
            self.display.text(cells, x, y, self.fg, self.scale)  # type: ignore[call-arg]
        else:
            self.display.text(cells, x, y, self.fg)
        if cells is not text:
            for ch in text:
                at = _LETTERS.find(ch) if ord(ch) >= 128 else -1
                if at >= 0:
                    self._glyph(at * 8, x, y)
                x += self.char

    def _glyph(self, at, x, y):
        """Our glyph starting at _GLYPHS[at], at (x, y): each row's runs of lit pixels as one fill_rect each
        (works on every display, framebuf or direct-drawing TFT, at any scale)."""
        fill = self.display.fill_rect
        s = self.scale
        for row in range(8):
            bits = _GLYPHS[at + row]
            column = 0
            while bits:
                if bits & 0x80:
                    start = column
                    while bits & 0x80:
                        bits = (bits << 1) & 0xFF
                        column += 1
                    fill(x + start * s, y + row * s, (column - start) * s, s, self.fg)
                else:
                    bits = (bits << 1) & 0xFF
                    column += 1

    def _centred(self, text, y):
        text = shorten(text, self.width // self.char)  # a long label in a question keeps both ends
        self._text(text, (self.width - len(text) * self.char) // 2, y)

    def _digit(self, value, x, y, w, h, t):
        fill = self.display.fill_rect
        seg = _SEGMENTS[value]
        half = h // 2
        if seg & 1:
            fill(x + t, y, w - 2 * t, t, self.fg)
        if seg & 2:
            fill(x + w - t, y + t, t, half - t, self.fg)
        if seg & 4:
            fill(x + w - t, y + half, t, h - half - t, self.fg)
        if seg & 8:
            fill(x + t, y + h - t, w - 2 * t, t, self.fg)
        if seg & 16:
            fill(x, y + half, t, h - half - t, self.fg)
        if seg & 32:
            fill(x, y + t, t, half - t, self.fg)
        if seg & 64:
            fill(x + t, y + half - t // 2, w - 2 * t, t, self.fg)

    def digits(self, code, y, height):
        """Draw a code centred on the row at y, split in two groups (123 456) for easy reading and typing."""
        n = len(code)
        gap = max(2, self.width // 48)
        group_gap = gap * 3
        w = min((self.width - (n - 2) * gap - group_gap - 4) // n, height * 3 // 5)
        t = max(2, w // 5)
        total = n * w + (n - 2) * gap + group_gap
        x = (self.width - total) // 2
        split = (n + 1) // 2
        for i in range(n):
            self._digit(ord(code[i]) - 48, x, y, w, height, t)
            x += w + (group_gap if i == split - 1 else gap)

    def _battery(self, percent, right):
        """A small battery outline filled to the charge, ending at x = right; returns its left edge."""
        h = self.char - 2
        w = h * 2
        x = right - w
        fill = self.display.fill_rect
        fill(x, 1, w - 2, h, self.fg)
        fill(x + 1, 2, w - 4, h - 2, self.bg)
        fill(x + w - 2, 1 + h // 4, 2, h // 2, self.fg)  # the terminal nub
        fill(x + 2, 3, (w - 6) * percent // 100, h - 4, self.fg)
        return x

    def code(self, label, code, remaining, period, position="", next_code=None, battery=None, issuer=""):
        """The main screen: issuer and label on top, the code, and a bar that empties as the step runs out.

        The issuer has the top line (beside the position and the battery), the label the whole line below it:
        accounts of one issuer differ in the label, e-mail labels of many issuers in the issuer. Text too long
        for its line keeps its start and its end (see shorten). With no issuer (or no label) one line, as before.
        The two lines cost the digits a few rows of height (their width and strokes, what reads at arm's
        length, stay). next_code: shown under a smaller current code in the last seconds of a step, so a slow
        typist can wait for it instead of racing the bar. battery: percent, drawn top right when the board
        measures it."""
        d = self.display
        char = self.char
        drawn = (label, code, next_code, position, battery, issuer)
        if drawn != self._drawn:
            self._drawn = drawn
            self._bar = -1
            d.fill(self.bg)
            right = self.width
            if battery is not None:
                right = self._battery(battery, right) - char // 2
            if position:
                right -= len(position) * char
                self._text(position, right, 0)
            room = right // char - (right < self.width)
            if issuer and label:
                self.lines = (shorten(issuer, room), shorten(label, self.width // char))
                self._text(self.lines[0], 0, 0)
                self._text(self.lines[1], 0, char + self.scale)
                top = 2 * char + 3 * self.scale
                room = self.height - top - self.bar_h - max(3, self.height // 32)
            else:
                self.lines = (shorten(label or issuer, room),)
                self._text(self.lines[0], 0, 0)
                top = char + max(3, self.height // 16)
                room = self.height - top - self.bar_h - max(4, self.height // 12)
            if next_code:
                room -= char + 4
                self.digits(code, top, room)
                half = (len(next_code) + 1) // 2
                grouped = next_code[:half] + " " + next_code[half:]
                if len(grouped) + 1 + len(self.next_word) <= self.width // char:
                    grouped = self.next_word + " " + grouped  # the word only where the whole code still fits
                self._centred(grouped, top + room + 3)
            else:
                self.digits(code, top, room)
        bar = self.width * remaining // period
        if bar != self._bar:
            self._bar = bar
            y = self.height - self.bar_h
            d.fill_rect(0, y, bar, self.bar_h, self.fg)
            d.fill_rect(bar, y, self.width - bar, self.bar_h, self.bg)
        d.show()

    def message(self, screen, *lines):
        """The screen named `screen` ("empty", "clock-lost", "maintenance", "status"...): centred text lines."""
        d = self.display
        self._drawn = None
        d.fill(self.bg)
        step = min(self.char + 4 * self.scale, self.height // len(lines))
        y = max(0, (self.height - len(lines) * step) // 2)
        for line in lines:
            self._centred(line, y)
            y += step
        d.show()

    def off(self, screen="off"):
        """Blank the panel and switch it off (what RAM held is drawn anew when it comes back); screen: "off", or
        "sleep" when the board sleeps next."""
        self._drawn = None
        self.display.fill(self.bg)
        self.display.show()
        self.display.poweroff()

    def on(self):
        """Light the panel again (the app redraws it next)."""
        self.display.poweron()
