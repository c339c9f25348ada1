"""Read the code off a picture of the token's display, from the pixels alone.

An independent reader: it knows only that a code is drawn as seven-segment digits in one row, each digit a cell
whose right edge is always lit (every digit 0-9 uses segment b or c). It does not use the firmware's drawing
code, so a digit drawn wrongly reads wrongly.
"""

from PIL import Image

# Lit segments (a top, b upper right, c lower right, d bottom, e lower left, f upper left, g middle) -> digit.
DIGITS = {
    "abcdef": "0", "bc": "1", "abdeg": "2", "abcdg": "3", "bcfg": "4",
    "acdfg": "5", "acdefg": "6", "abc": "7", "abcdefg": "8", "abcdfg": "9",
}


def lit_mask(path) -> list:
    """Rows of booleans, True where the picture is bright (a lit OLED pixel), at the picture's resolution."""
    image = Image.open(path).convert("L")
    width, height = image.size
    data = image.tobytes()
    return [[data[y * width + x] > 96 for x in range(width)] for y in range(height)]


def runs(flags) -> list:
    """[(first, last)] of the stretches of True in a sequence."""
    out = []
    start = None
    for i, flag in enumerate(flags):
        if flag and start is None:
            start = i
        elif not flag and start is not None:
            out.append((start, i - 1))
            start = None
    if start is not None:
        out.append((start, len(flags) - 1))
    return out


def digit_band(mask) -> tuple:
    """(top, bottom) rows of the digits: the tallest horizontal band of lit rows (text and bar are thinner)."""
    bands = runs([any(row) for row in mask])
    if not bands:
        raise ValueError("the display is dark")
    return max(bands, key=lambda band: band[1] - band[0])


def read_segments(mask, left, right, top, bottom) -> str:
    """The lit segments of the digit in the cell [left..right] x [top..bottom], as letters a-g."""
    height = bottom - top + 1
    upper = top + height // 4
    lower = top + 3 * height // 4
    lit = set()
    # Only the vertical segments reach the cell's outer columns; sample them in each half's middle.
    if mask[upper][left]:
        lit.add("f")
    if mask[lower][left]:
        lit.add("e")
    if mask[upper][right]:
        lit.add("b")
    if mask[lower][right]:
        lit.add("c")
    # Only the horizontal segments cross the cell's middle column: top, middle or bottom stretch.
    middle = (left + right) // 2
    for first, last in runs([mask[y][middle] for y in range(top, bottom + 1)]):
        centre = (first + last) / 2
        if centre < height / 3:
            lit.add("a")
        elif centre > 2 * height / 3:
            lit.add("d")
        else:
            lit.add("g")
    return "".join(sorted(lit))


def read_code(path) -> str:
    """The digits shown on the display picture at path, left to right; ValueError if they do not read."""
    mask = lit_mask(path)
    top, bottom = digit_band(mask)
    columns = runs([any(mask[y][x] for y in range(top, bottom + 1)) for x in range(len(mask[0]))])
    # A full-width digit (0, 2, 4, 5, 6, 8, 9) gives the cell width; 1, 3 and 7 leave their left side dark.
    width = max(last - first + 1 for first, last in columns)
    if width < (bottom - top + 1) // 8:
        raise ValueError("cannot tell the digit width (only 1s on the display?)")
    code = ""
    for _, right in columns:
        segments = read_segments(mask, right - width + 1, right, top, bottom)
        if segments not in DIGITS:
            raise ValueError("segments %r at x=%d are no digit" % (segments, right))
        code += DIGITS[segments]
    return code
