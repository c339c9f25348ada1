"""Redraw ugyfelkapu-demo.png, the demo pairing page: ``python -m totpfob.samples.make_sample``."""

from __future__ import annotations

import zxingcpp
from PIL import Image, ImageDraw, ImageFont

from . import DEMO_ISSUER, DEMO_KEY, DEMO_LABEL, DEMO_QR, DEMO_URI

_WIDTH, _HEIGHT = 720, 600
# Pillow's built-in font has no Ü, é or em dash; these common fonts do. Only redrawing needs one.
_FONTS = (
    "/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf",
    "/usr/share/fonts/TTF/DejaVuSans.ttf",
    "/usr/share/fonts/dejavu/DejaVuSans.ttf",
    "/usr/share/fonts/truetype/liberation/LiberationSans-Regular.ttf",
    "/Library/Fonts/Arial Unicode.ttf",
    "C:/Windows/Fonts/arial.ttf",
)
_BLUE, _INK, _RED = (20, 58, 112), (40, 40, 40), (178, 30, 30)


def draw_page() -> Image.Image:
    """The page: title bar, instructions, the QR code, the key in groups of four, the demo warning."""
    page = Image.new("RGB", (_WIDTH, _HEIGHT), "white")
    draw = ImageDraw.Draw(page)
    draw.rectangle((0, 0, _WIDTH, 70), fill=_BLUE)
    draw.text((28, 18), DEMO_ISSUER + " — DEMO", fill="white", font=_font(30))
    text = _font(18)
    draw.text((28, 92), "Pair your authenticator: scan the code or type the key.", fill=_INK, font=text)
    draw.text((28, 118), "Account: " + DEMO_LABEL, fill=_INK, font=text)

    barcode = zxingcpp.create_barcode(DEMO_URI, zxingcpp.BarcodeFormat.QRCode, ec_level="M")
    code = Image.fromarray(barcode.to_image(scale=5))
    top = 160
    page.paste(code, ((_WIDTH - code.width) // 2, top))

    groups = " ".join(DEMO_KEY[at:at + 4] for at in range(0, len(DEMO_KEY), 4))
    _centred(draw, top + code.height + 14, "Key: " + groups, _font(24), _INK)
    _centred(draw, top + code.height + 56, "demo key — not a real account", _font(20), _RED)
    return page


def _font(size: int) -> ImageFont.FreeTypeFont:
    for path in _FONTS:
        try:
            return ImageFont.truetype(path, size)
        except OSError:
            continue
    raise SystemExit("make_sample: no font with Hungarian letters found; install DejaVu Sans")


def _centred(draw: ImageDraw.ImageDraw, top: int, line: str, font: ImageFont.FreeTypeFont,
             colour: tuple[int, int, int]) -> None:
    width = draw.textlength(line, font=font)
    draw.text(((_WIDTH - width) / 2, top), line, fill=colour, font=font)


def main() -> None:
    # A small palette keeps the file a few kilobytes; the anti-aliased text needs no more shades than this.
    draw_page().quantize(colors=32).save(DEMO_QR, optimize=True)
    print("wrote %s (%d bytes)" % (DEMO_QR, DEMO_QR.stat().st_size))


if __name__ == "__main__":
    main()
