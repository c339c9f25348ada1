"""ui.Screen on panels of the two sizes the boards have (128x64 OLED, 240x135 TFT), drawn into a canvas that
records what was painted. Runs on CPython and MicroPython; prints one JSON line per case."""

import ui
from vmcase import emit


class Canvas:
    """A display as ui.Screen uses one: the lit pixels, and every drawing call after the last mark()."""

    fg = 1  # the colours a display driver gives ui.Screen
    bg = 0

    def __init__(self, width, height):
        self.width = width
        self.height = height
        self.lit = bytearray(width * height)
        self.calls = []

    def mark(self):
        self.calls = []

    def fill(self, c):
        self.calls.append(["fill", 0, 0, self.width, self.height])
        for i in range(len(self.lit)):
            self.lit[i] = c

    def fill_rect(self, x, y, w, h, c):
        self.calls.append(["fill_rect", x, y, w, h])
        for j in range(max(0, y), min(self.height, y + h)):
            for i in range(max(0, x), min(self.width, x + w)):
                self.lit[j * self.width + i] = c

    def text(self, s, x, y, c, scale=1):
        # Layout only: each character is a solid cell a little smaller than the font's 8x8.
        self.calls.append(["text", s, x, y, scale])
        for n in range(len(s)):
            if s[n] != " ":
                self.fill_rect(x + n * 8 * scale, y + scale, 7 * scale, 6 * scale, c)

    def show(self):
        pass

    def box(self, x0, y0, x1, y1):
        """[left, top, right, bottom] of the lit pixels inside the given rectangle, or None."""
        found = None
        for y in range(y0, y1):
            for x in range(x0, x1):
                if self.lit[y * self.width + x]:
                    if found is None:
                        found = [x, y, x, y]
                    else:
                        found = [min(found[0], x), min(found[1], y), max(found[2], x), max(found[3], y)]
        return found

    def cells(self, x, y, text, scale):
        """Each character cell of text drawn at (x, y), as a string of 0/1 (font pixels, row by row)."""
        return ["".join(str(self.lit[(y + row * scale) * self.width + x + (n * 8 + column) * scale])
                        for row in range(8) for column in range(8)) for n in range(len(text))]

    def count(self, x0, y0, x1, y1):
        return sum(self.lit[y * self.width + x] for y in range(y0, y1) for x in range(x0, x1))


def main():
    for width, height in ((128, 64), (240, 135)):
        canvas = Canvas(width, height)
        screen = ui.Screen(canvas)
        bar_top = height - screen.bar_h
        screen.code("", "123456", 30, 30)
        digits = canvas.box(0, 0, width, bar_top)
        canvas.mark()
        screen.code("", "123456", 12, 30)  # the next second: only the bar may be painted again
        calls = [c for c in canvas.calls if c[0] != "text"]
        canvas.mark()
        screen.code("", "123456", 5, 30, next_code="654321")
        texts = [c for c in canvas.calls if c[0] == "text" and c[1]]
        with_next = canvas.box(0, 0, width, bar_top)
        code_part = canvas.box(0, 0, width, texts[-1][3] if texts else bar_top)
        corner = []
        for battery in (None, 5, 100):
            screen.code("label", "123456", 20, 30, battery=battery)
            corner.append(canvas.count(width - 2 * screen.char, 0, width, screen.char))
        canvas.mark()
        screen.code("Őrült Ügyfél€", "123456", 20, 30)
        label = [c[1] for c in canvas.calls if c[0] == "text"]
        canvas.mark()
        screen.message("status", "Józsefné", "Jozsefne", "ő ö")
        cells = [canvas.cells(c[2], c[3], c[1], screen.scale) for c in canvas.calls if c[0] == "text"]
        # The code screen of an account with an issuer and a long e-mail label, and of its twin (same but the end).
        long = "kovacs.jozsefne.konyveles@ugyfelkapu.hu"  # 40 characters
        screen.code(long + "1", "123456", 20, 30, position="2/5", issuer="Ügyfélkapu+")
        twin = bytes(canvas.lit)
        screen.code(long + "2", "123456", 20, 30, position="2/5", issuer="Ügyfélkapu+")
        lines = list(screen.lines)
        bar = [c for c in canvas.calls if c[0] == "fill_rect" and c[2] >= bar_top]
        screen.code(long + "2", "123456", 20, 30, position="2/5", battery=50, issuer="Ügyfélkapu+")
        named = canvas.box(0, 2 * screen.char + screen.scale, width, bar_top)  # under the two text lines
        emit("size", width=width, height=height, bar_top=bar_top, char=screen.char, digits=digits,
             redraw=calls, with_next=with_next, code_part=code_part, texts=texts, battery_corner=corner, label=label,
             cells=cells, lines=lines, twins_differ=twin != bytes(canvas.lit), bar=bar, named_digits=named)

    real_font()


def real_font():
    """On MicroPython: the words drawn on a real framebuf (its own 8x8 font) on a 128x64 panel, as rows of 0/1."""
    try:
        import framebuf
    except ImportError:
        return  # CPython: no framebuf font to compare with (the cases above use the canvas)

    class Panel(framebuf.FrameBuffer):
        fg = 1
        bg = 0

        def __init__(self):
            self.width = 128
            self.height = 64
            self.buf = bytearray(128 * 8)
            super().__init__(self.buf, 128, 64, framebuf.MONO_HLSB)

        def show(self):
            pass

    panel = Panel()
    screen = ui.Screen(panel)
    words = {}
    for word in ("Józsefné", "Jozsefne", "ő", "ö", "o", "Ügyfélkapu+"):
        panel.fill(0)
        screen._text(word, 0, 0)
        words[word] = ["".join(str(panel.pixel(x, y)) for x in range(8 * len(word))) for y in range(8)]
    emit("font", words=words)


main()
