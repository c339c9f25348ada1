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

    border = 2 * scale
    image = Image.new("RGB", (len(rows[0]) * scale + 2 * border, len(rows) * scale + 2 * border), (8, 8, 12))
    lit = Image.new("RGB", (scale, scale), (170, 225, 255))
    for y, row in enumerate(rows):
        for x, value in enumerate(row):
            if value:
                image.paste(lit, (border + x * scale, border + y * scale))
    target = Path(path)
    temp = target.with_name(target.name + ".tmp")
    image.save(temp, format="PNG")
    os.replace(temp, target)
