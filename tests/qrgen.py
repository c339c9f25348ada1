"""Build test images of QR codes: clean screenshots, a shaky phone photo, pages with several codes or none.

The QR codes come from zxing-cpp's writer and the pages are drawn with Pillow, so the tests need no
image files in the repository. Every function saves into ``directory`` and returns the file's path.
"""

from __future__ import annotations

import random
from pathlib import Path

import zxingcpp
from PIL import Image, ImageDraw, ImageFilter, ImageFont

_LOREM = ("Scan this code with your authenticator app, or type the key below. "
          "Keep your recovery codes somewhere safe. Need help? Contact support.")


def qr(text: str | bytes, scale: int = 4) -> Image.Image:
    """A black-on-white QR code of ``text`` with its quiet zone, ``scale`` pixels a module.

    A str is written as zxing-cpp chooses (ISO-8859-1 when it fits, else UTF-8 with an ECI marker);
    bytes are written as they are, with no ECI, as many web generators write UTF-8.
    """
    barcode = zxingcpp.create_barcode(text, zxingcpp.BarcodeFormat.QRCode, ec_level="M")
    return Image.fromarray(barcode.to_image(scale=scale))


def _page(size: tuple[int, int], title: str) -> tuple[Image.Image, ImageDraw.ImageDraw]:
    """A light web page with a coloured header bar and paragraphs of text, like a browser screenshot."""
    page = Image.new("RGB", size, (246, 247, 249))
    draw = ImageDraw.Draw(page)
    draw.rectangle((0, 0, size[0], 64), fill=(22, 60, 120))
    draw.text((24, 16), title, fill="white", font=ImageFont.load_default(size=28))
    body = ImageFont.load_default(size=16)
    for row in range(90, size[1] - 30, 34):
        draw.text((24, row), _LOREM[: (row * 7) % len(_LOREM) + 20], fill=(60, 60, 60), font=body)
    return page, draw


def screenshot(directory: Path, uri: str, size: tuple[int, int] = (1920, 1080), name: str = "shot.png") -> Path:
    """A browser-like screenshot of ``size`` with one QR code of ``uri`` on a white card amid text."""
    page, draw = _page(size, "Two-step sign-in")
    code = qr(uri, scale=5)
    left, top = size[0] // 2 - code.width // 2, size[1] // 2 - code.height // 2
    draw.rectangle((left - 20, top - 20, left + code.width + 20, top + code.height + 60), fill="white")
    page.paste(code, (left, top))
    draw.text((left, top + code.height + 16), "Can't scan? Enter the key by hand.", fill=(40, 40, 40),
              font=ImageFont.load_default(size=18))
    path = directory / name
    page.save(path)
    return path


def small(directory: Path, uri: str | bytes, name: str = "small.png") -> Path:
    """A tight crop: the code at two pixels a module, as when someone snips just the QR code."""
    path = directory / name
    qr(uri, scale=2).save(path)
    return path


def photo(directory: Path, uri: str, seed: int = 1) -> Path:
    """A phone photo of a screen: tilted, seen at an angle, blurred, noisy, unevenly lit, saved as JPEG."""
    width, height = 1200, 900
    sheet = Image.new("L", (width, height), 225)
    code = qr(uri, scale=9)
    sheet.paste(code, ((width - code.width) // 2, (height - code.height) // 2))
    sheet = sheet.rotate(9, resample=Image.Resampling.BICUBIC, fillcolor=225)
    # Keystone: sampling a wider strip at the top makes the top edge look farther away, as from a
    # camera held below the screen. A true projective map keeps lines straight, as a lens does.
    corners = [(0, 0), (width, 0), (width, height), (0, height)]
    seen = [(-160, -40), (width + 160, -40), (width - 20, height), (20, height)]
    sheet = sheet.transform((width, height), Image.Transform.PERSPECTIVE, _perspective(corners, seen),
                            resample=Image.Resampling.BICUBIC, fillcolor=225)
    sheet = sheet.filter(ImageFilter.GaussianBlur(1.5))
    light = Image.linear_gradient("L").rotate(30, expand=False, fillcolor=128).resize((width, height))
    light = light.point(lambda level: 120 + level * 110 // 255)
    sheet = Image.composite(sheet, light, Image.new("L", (width, height), 190))
    # Seeded sensor noise, so a failure can be reproduced.
    noise = Image.frombytes("L", (width, height), random.Random(seed).randbytes(width * height))
    sheet = Image.blend(sheet, noise, 0.12).convert("RGB")
    path = directory / "photo.jpg"
    sheet.save(path, quality=65)
    return path


def _perspective(output: list[tuple[int, int]], source: list[tuple[int, int]]) -> tuple[float, ...]:
    """Pillow's 8 PERSPECTIVE coefficients mapping each ``output`` corner to its ``source`` point."""
    rows: list[list[float]] = []
    for (x, y), (u, v) in zip(output, source, strict=True):
        rows.append([x, y, 1, 0, 0, 0, -x * u, -y * u, u])
        rows.append([0, 0, 0, x, y, 1, -x * v, -y * v, v])
    # Gauss-Jordan elimination with partial pivoting on the 8x9 augmented matrix.
    for col in range(8):
        pivot = max(range(col, 8), key=lambda row: abs(rows[row][col]))
        rows[col], rows[pivot] = rows[pivot], rows[col]
        for row in range(8):
            if row != col:
                factor = rows[row][col] / rows[col][col]
                rows[row] = [a - factor * b for a, b in zip(rows[row], rows[col], strict=True)]
    return tuple(rows[i][8] / rows[i][i] for i in range(8))


def two_codes(directory: Path, first: str, second: str) -> Path:
    """A page with two QR codes side by side (say, an app-store link next to the key)."""
    page, _ = _page((1366, 768), "Set up your authenticator")
    for index, text in enumerate((first, second)):
        code = qr(text, scale=5)
        page.paste(code, (200 + index * 600, 200))
    path = directory / "two.png"
    page.save(path)
    return path


def no_code(directory: Path) -> Path:
    """A screenshot with text and boxes but no QR code."""
    page, draw = _page((1366, 768), "Welcome back")
    rng = random.Random(7)
    for _ in range(12):
        x, y = rng.randrange(0, 1200), rng.randrange(80, 600)
        draw.rectangle((x, y, x + rng.randrange(20, 160), y + rng.randrange(20, 160)), outline=(30, 30, 30))
    path = directory / "none.png"
    page.save(path)
    return path
