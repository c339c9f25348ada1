"""Pictures of the virtual token's display, drawn straight from a panel model's pixels (boards/sim/simchips):
half-block text for a terminal and a PNG, for the SSD1306 (128x64) and the ST7789 (240x135) alike.

A picture is rows of (r, g, b) as a person holding the token sees it: the ST7789 panels are portrait, mounted
turned, and drawn in landscape (the driver's MADCTL MX|MV). One rule tells a lit pixel, for the terminal and for
a PNG read back alike: its brightness, weighted as PIL's "L", above LIT.
"""

import os
from pathlib import Path

OLED = (170, 225, 255)  # the white-blue of the OLED
DARK = (0, 0, 0)
FRAME = (8, 8, 12)  # the token's window around the panel
SCALE = 4  # PNG pixels per panel pixel
BORDER = 2  # panel pixels of frame on each side, in the PNG
LIT = 96
_HALF_BLOCKS = {(0, 0): " ", (1, 0): "\u2580", (0, 1): "\u2584", (1, 1): "\u2588"}


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


def halfblocks(rows: list, narrow: bool = False) -> str:
    """A picture as terminal text, two pixel rows per line, framed like the token's window.

    narrow: one character per two pixel columns (lit if either is), for terminals narrower than the panel."""
    bits = lit(rows)
    if narrow:
        bits = [[a | b for a, b in zip(row[0::2], row[1::2])] for row in bits]
    if len(bits) % 2:
        bits.append([0] * len(bits[0]))
    lines = ["\u250c" + "\u2500" * len(bits[0]) + "\u2510"]
    for top, bottom in zip(bits[0::2], bits[1::2]):
        lines.append("\u2502" + "".join(_HALF_BLOCKS[pair] for pair in zip(top, bottom)) + "\u2502")
    lines.append("\u2514" + "\u2500" * len(bits[0]) + "\u2518")
    return "\n".join(lines)


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
