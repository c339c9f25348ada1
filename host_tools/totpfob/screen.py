"""Pictures of the virtual token's OLED: decode the panel's memory, draw it in a terminal or as a PNG."""

import os
from pathlib import Path

WIDTH = 128
HEIGHT = 64


def pixels(frame: dict) -> list:
    """Rows of 0/1 as the panel lights them, from a frame the simulator reported (rows, MSB first)."""
    if "px" not in frame:
        return [[0] * WIDTH for _ in range(HEIGHT)]
    lit = bytes.fromhex(frame["px"])
    per_row = WIDTH // 8
    return [[lit[y * per_row + x // 8] >> (7 - x % 8) & 1 for x in range(WIDTH)] for y in range(HEIGHT)]


def halfblocks(rows: list, narrow: bool = False) -> str:
    """The panel as terminal text, two pixel rows per line, framed like the token's window.

    narrow: one character per two pixel columns (lit if either is), for terminals under 130 columns."""
    if narrow:
        rows = [[a | b for a, b in zip(row[0::2], row[1::2])] for row in rows]
    chars = {(0, 0): " ", (1, 0): "\u2580", (0, 1): "\u2584", (1, 1): "\u2588"}
    lines = ["\u250c" + "\u2500" * len(rows[0]) + "\u2510"]
    for y in range(0, len(rows), 2):
        lines.append("\u2502" + "".join(chars[(a, b)] for a, b in zip(rows[y], rows[y + 1])) + "\u2502")
    lines.append("\u2514" + "\u2500" * len(rows[0]) + "\u2518")
    return "\n".join(lines)


def write_png(rows: list, path: str, scale: int = 4) -> None:
    """Save the panel as a PNG (white-blue pixels on black, like the OLED), replacing the file atomically."""
    from PIL import Image

    width, height = len(rows[0]), len(rows)
    # One pass in C rather than a paste per pixel: the simulator's main loop, which relays the serial line,
    # draws this after every screen (a per-pixel loop took ~40 ms and delayed a `time sync` that much).
    lit = Image.frombytes("L", (width, height), bytes(255 if value else 0 for row in rows for value in row))
    lit = lit.resize((width * scale, height * scale), Image.NEAREST)
    border = 2 * scale
    image = Image.new("RGB", (width * scale + 2 * border, height * scale + 2 * border), (8, 8, 12))
    image.paste((170, 225, 255), (border, border, border + width * scale, border + height * scale), lit)
    target = Path(path)
    temp = target.with_name(target.name + ".tmp")
    image.save(temp, format="PNG")
    os.replace(temp, target)
