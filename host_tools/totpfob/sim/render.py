"""Pictures of the virtual token's display, drawn straight from a panel model's pixels (boards/sim/simchips):
text for a terminal and a PNG, for the SSD1306 (128x64) and the ST7789 (240x135) alike.

In a terminal the drawing is picked from its size (fit()): half blocks (1x2 pixels a character) when there is
room, quarter blocks (2x2) or braille (2x4, also with 2x2 pixels a dot) when space is short; screen() lays out a
whole terminal: the drawing, the text lines under it, nothing wider or taller than the terminal.

A picture is rows of (r, g, b) as a person holding the token sees it: the ST7789 panels are portrait, mounted
turned, and drawn in landscape (the driver's MADCTL MX|MV). One rule tells a lit pixel, for the terminal and for
a PNG read back alike: its brightness, weighted as PIL's "L", above LIT.
"""

import os
import unicodedata
from pathlib import Path
from typing import NamedTuple, Optional

OLED = (170, 225, 255)  # the white-blue of the OLED
DARK = (0, 0, 0)
FRAME = (8, 8, 12)  # the token's window around the panel
SCALE = 4  # PNG pixels per panel pixel
BORDER = 2  # panel pixels of frame on each side, in the PNG
LIT = 96


class Drawing(NamedTuple):
    """Characters of `cell` pixels (width, height); `weights` give each pixel's bit of the index into `glyphs`;
    `shrink`: panel pixels (shrink x shrink, lit if any is) per drawn pixel."""

    name: str
    cell: tuple
    weights: tuple
    glyphs: str
    shrink: int = 1


_QUARTERS = " \u2598\u259d\u2580\u2596\u258c\u259e\u259b\u2597\u259a\u2590\u259c\u2584\u2599\u259f\u2588"
_BRAILLE = "".join(chr(0x2800 + n) for n in range(256))
HALF_BLOCKS = Drawing("half blocks", (1, 2), ((1,), (2,)), " \u2580\u2584\u2588")
QUARTERS = Drawing("quarter blocks", (2, 2), ((1, 2), (4, 8)), _QUARTERS)
# Braille dots 1-2-3-7 run down the left column, 4-5-6-8 down the right (bits 0..7).
BRAILLE = Drawing("braille", (2, 4), ((0x01, 0x08), (0x02, 0x10), (0x04, 0x20), (0x40, 0x80)), _BRAILLE)
BRAILLE_HALF = BRAILLE._replace(name="braille, half size", shrink=2)
DRAWINGS = (HALF_BLOCKS, QUARTERS, BRAILLE, BRAILLE_HALF)  # the largest first


def _rgb(colour: int) -> tuple:
    """RGB565 -> (r, g, b), each channel stretched to 0..255."""
    return ((colour >> 11) * 255 // 31, (colour >> 5 & 0x3F) * 255 // 63, (colour & 0x1F) * 255 // 31)


def picture(panel) -> list:
    """Rows of (r, g, b) the panel lights at this moment, upright as the token is held."""
    if panel.width >= panel.height:
        width, height, at = panel.width, panel.height, panel.pixel
    else:  # portrait panel turned a quarter: landscape (x, y) lights panel column width-1-y of row x

        def at(x, y):
            return panel.pixel(panel.width - 1 - y, x)

        width, height = panel.height, panel.width
    if panel.COLOUR:
        return [[_rgb(at(x, y)) for x in range(width)] for y in range(height)]
    return [[OLED if at(x, y) else DARK for x in range(width)] for y in range(height)]


def dark(width: int, height: int) -> list:
    """The picture of a panel that shows nothing."""
    return [[DARK] * width for _ in range(height)]


def lit(rows: list) -> list:
    """Rows of 0/1 from a picture: 1 where a pixel is bright enough to read as lit."""
    return [[1 if (299 * r + 587 * g + 114 * b) // 1000 > LIT else 0 for r, g, b in row] for row in rows]


def footprint(drawing: Drawing, width: int, height: int) -> tuple:
    """(columns, lines) the drawing of a width x height picture takes, its frame included."""
    cell_w, cell_h = drawing.cell[0] * drawing.shrink, drawing.cell[1] * drawing.shrink
    return -(-width // cell_w) + 2, -(-height // cell_h) + 2


def draw(rows: list, drawing: Drawing = HALF_BLOCKS) -> list:
    """A picture as lines of terminal text in `drawing`'s characters, framed like the token's window."""
    bits = lit(rows)
    if drawing.shrink > 1:
        n = drawing.shrink
        bits = [[int(any(any(row[x:x + n]) for row in bits[y:y + n])) for x in range(0, len(bits[0]), n)]
                for y in range(0, len(bits), n)]
    cell_w, cell_h = drawing.cell
    width = -(-len(bits[0]) // cell_w) * cell_w
    bits = [row + [0] * (width - len(row)) for row in bits]
    bits += [[0] * width] * (-len(bits) % cell_h)
    lines = ["\u250c" + "\u2500" * (width // cell_w) + "\u2510"]
    for top in range(0, len(bits), cell_h):
        band = bits[top:top + cell_h]
        cells = []
        for left in range(0, width, cell_w):
            index = 0
            for row, weights in zip(band, drawing.weights):
                for bit, weight in zip(row[left:left + cell_w], weights):
                    if bit:
                        index |= weight
            cells.append(drawing.glyphs[index])
        lines.append("\u2502" + "".join(cells) + "\u2502")
    lines.append("\u2514" + "\u2500" * (width // cell_w) + "\u2518")
    return lines


def halfblocks(rows: list) -> str:
    """A picture as half-block text, two pixel rows per line, framed (for output that is not a terminal)."""
    return "\n".join(draw(rows, HALF_BLOCKS))


def fit(width: int, height: int, columns: int, lines: int) -> Optional[Drawing]:
    """The largest drawing of a width x height picture that fits in columns x lines; None if none does."""
    for drawing in DRAWINGS:
        need_columns, need_lines = footprint(drawing, width, height)
        if need_columns <= columns and need_lines <= lines:
            return drawing
    return None


def smallest(width: int, height: int) -> tuple:
    """(columns, lines) of the smallest drawing of a width x height picture."""
    return footprint(DRAWINGS[-1], width, height)


def cells(text: str) -> int:
    """Terminal columns `text` takes (wide East Asian characters take two, combining marks none)."""
    return sum(0 if unicodedata.combining(c) else 2 if unicodedata.east_asian_width(c) in "WF" else 1
               for c in text)


def clip(text: str, columns: int) -> str:
    """`text` cut to at most `columns` terminal columns."""
    if cells(text) <= columns:
        return text
    out, used = [], 0
    for char in text:
        used += cells(char)
        if used > columns:
            break
        out.append(char)
    return "".join(out)


def screen(rows: list, size: tuple, text: list, too_small) -> list:
    """The lines of a whole terminal of `size` (columns, lines): the largest drawing of `rows` that leaves room
    for the `text` lines beneath it; when none does, the line too_small(columns, lines) in its place (given the
    terminal size a drawing needs). No line is wider than the terminal, and there are never more lines than it
    has (text at the end is dropped first)."""
    columns, lines = size
    width, height = len(rows[0]), len(rows)
    drawing = fit(width, height, columns, lines - len(text))
    if drawing is not None:
        out = draw(rows, drawing) + list(text)
    else:
        need_columns, need_lines = smallest(width, height)
        out = [too_small(need_columns, need_lines + len(text))] + list(text)
    return [clip(line, columns) for line in out[:max(lines, 1)]]


def paint(lines: list, size: tuple, clear: bool = False) -> str:
    """Terminal output that shows `lines` from the top-left corner, each line wiped first, and wipes the rest
    of the screen; `clear`: the whole screen first (after a resize, old text may stand anywhere)."""
    out = "\x1b[2J" if clear else ""
    out += "\x1b[H" + "\r\n".join("\x1b[2K" + line for line in lines)
    if len(lines) < size[1]:  # a line break on the last line would scroll the screen
        out += "\x1b[%d;1H\x1b[J" % (len(lines) + 1)
    return out


def terminal_size(stream) -> tuple:
    """(columns, lines) of the terminal behind `stream`, read fresh (after a resize the environment is stale)."""
    try:
        size = os.get_terminal_size(stream.fileno())
    except (OSError, ValueError, AttributeError):
        return 80, 24
    return size.columns, size.lines


def write_png(rows: list, path) -> None:
    """Save a picture as a PNG, SCALE times enlarged in a BORDER-wide frame, replacing the file atomically."""
    from PIL import Image

    width, height = len(rows[0]), len(rows)
    # One pass in C rather than a paste per pixel: the simulator's main loop, which relays the serial line,
    # draws this after every screen (a per-pixel loop took ~40 ms and delayed a `time sync` that much).
    image = Image.frombytes("RGB", (width, height), bytes(v for row in rows for pixel in row for v in pixel))
    framed = Image.new("RGB", ((width + 2 * BORDER) * SCALE, (height + 2 * BORDER) * SCALE), FRAME)
    framed.paste(image.resize((width * SCALE, height * SCALE), Image.Resampling.NEAREST), (BORDER * SCALE, BORDER * SCALE))
    target = Path(path)
    temp = target.with_name(target.name + ".tmp")
    framed.save(temp, format="PNG")
    os.replace(temp, target)


def read_png(path) -> list:
    """The picture a PNG of write_png() holds, one (r, g, b) per panel pixel (OSError if there is none)."""
    from PIL import Image

    with Image.open(path) as png:
        image = png.convert("RGB")
    width, height = image.width // SCALE - 2 * BORDER, image.height // SCALE - 2 * BORDER
    centre = BORDER * SCALE + SCALE // 2
    return [[image.getpixel((centre + x * SCALE, centre + y * SCALE)) for x in range(width)]
            for y in range(height)]
