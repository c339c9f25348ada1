"""What the token draws: big seven-segment digits, the account label and a countdown bar, on any FrameBuffer.

Seven-segment digits are filled rectangles, so they scale to any display, stay sharp, cost no font in RAM and
read at arm's length like a commercial token's LCD.
"""

try:
    from micropython import const
except ImportError:  # CPython runs the tests of this module too
    def const(value):  # type: ignore[misc]
        return value

# Segments a..g as bits 0..6 for the digits 0..9.
_SEGMENTS = b"\x3f\x06\x5b\x4f\x66\x6d\x7d\x07\x7f\x6f"
_CHAR = const(8)  # framebuf's built-in font is 8x8
# framebuf's font is ASCII: show Hungarian (and other) accented letters without their accents.
_FOLD = {"á": "a", "é": "e", "í": "i", "ó": "o", "ö": "o", "ő": "o", "ú": "u", "ü": "u", "ű": "u",
         "Á": "A", "É": "E", "Í": "I", "Ó": "O", "Ö": "O", "Ő": "O", "Ú": "U", "Ü": "U", "Ű": "U"}


def fold(text):
    """The text with accents dropped where the display font lacks the letter."""
    if all(ord(ch) < 128 for ch in text):
        return text
    return "".join(_FOLD.get(ch, ch if ord(ch) < 128 else "?") for ch in text)


class Screen:
    """Draws the token's screens on a FrameBuffer-like display with width, height and show()."""

    def __init__(self, display):
        self.display = display
        self.width = display.width
        self.height = display.height
        self.fg = getattr(display, "fg", 1)
        self.bg = getattr(display, "bg", 0)

    def _text(self, text, y, centre=True):
        text = fold(text)[: self.width // _CHAR]
        x = (self.width - len(text) * _CHAR) // 2 if centre else 0
        self.display.text(text, x, y, self.fg)

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

    def code(self, label, code, remaining, period, position=""):
        """The main screen: label on top, the code, and a bar that empties as the step runs out."""
        d = self.display
        d.fill(self.bg)
        room = self.width // _CHAR - (len(position) + 1 if position else 0)
        d.text(fold(label)[:room], 0, 0, self.fg)
        if position:
            d.text(position, self.width - len(position) * _CHAR, 0, self.fg)
        bar_h = max(3, self.height // 16)
        top = _CHAR + max(3, self.height // 16)
        self.digits(code, top, self.height - top - bar_h - max(4, self.height // 12))
        d.fill_rect(0, self.height - bar_h, self.width * remaining // period, bar_h, self.fg)
        d.show()

    def message(self, *lines):
        """A screen of centred text lines (empty token, clock lost, maintenance prompt...)."""
        d = self.display
        d.fill(self.bg)
        y = max(0, (self.height - len(lines) * (_CHAR + 4)) // 2)
        for line in lines:
            self._text(line, y)
            y += _CHAR + 4
        d.show()

    def off(self):
        self.display.fill(self.bg)
        self.display.show()
