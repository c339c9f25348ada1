"""Read an account from a screenshot or photo of an authenticator QR code (Pillow + zxing-cpp)."""

from __future__ import annotations

import os

import zxingcpp
from PIL import Image, UnidentifiedImageError

from .otpauth import Account, InputError, build, read_uri

_QR_FORMATS = zxingcpp.BarcodeFormats(
    [zxingcpp.BarcodeFormat.QRCode, zxingcpp.BarcodeFormat.MicroQRCode, zxingcpp.BarcodeFormat.RMQRCode])

# What a QR code holds when it is not a key, by its start (lower case), for an error the user recognises.
_KINDS = (
    ("http:", "a web address"),
    ("https:", "a web address"),
    ("wifi:", "Wi-Fi settings"),
    ("begin:vcard", "a contact card"),
    ("mecard:", "a contact card"),
    ("mailto:", "an e-mail address"),
    ("tel:", "a phone number"),
)


def decode_image(path: str | os.PathLike[str], **overrides) -> Account:
    """Find the otpauth:// QR code in a PNG/JPEG screenshot or photo and parse it into an Account (with the
    settings in ``overrides`` in place of the code's, as `otpauth.parse_uri` takes them)."""
    name = os.fspath(path)
    texts = read_texts(name)
    keys = sorted({text for text in texts if text.strip().lower().startswith("otpauth:")})
    if len(keys) > 1:
        raise InputError("%s shows %d authenticator QR codes; crop the image to the one you want" % (name, len(keys)))
    if not keys and any(text.strip().lower().startswith("otpauth-migration:") for text in texts):
        raise InputError("the QR code in %s is a Google Authenticator export (otpauth-migration), which the token"
                         " cannot read; add each account from its own QR code or key instead" % name)
    if not keys:
        raise InputError("the QR code in %s is not an authenticator key (it contains %s)" % (name, _kind(texts[0])))
    try:
        secret, settings = read_uri(keys[0])
        if not overrides:
            return build(secret, **settings)
    except InputError as exc:
        raise InputError("the QR code in %s: %s" % (name, exc)) from None
    return build(secret, **dict(settings, **overrides))  # what is wrong now is the user's, not the code's


def read_texts(path: str | os.PathLike[str]) -> list[str]:
    """The text of every QR code in a PNG/JPEG picture (InputError when it shows none)."""
    name = os.fspath(path)
    texts = [_text(barcode) for barcode in zxingcpp.read_barcodes(_grayscale(name), formats=_QR_FORMATS)]
    if not texts:
        raise InputError("no QR code found in %s" % name)
    return texts


def _grayscale(name: str) -> Image.Image:
    """The image as 8-bit gray: zxing-cpp binarises luminance anyway, and one byte a pixel is fastest."""
    try:
        with Image.open(name) as image:
            image.load()
            if image.mode in ("RGBA", "LA", "PA") or "transparency" in image.info:
                # Transparent pixels are black underneath; a dark QR drawn on them would vanish.
                page = Image.new("RGBA", image.size, "white")
                page.alpha_composite(image.convert("RGBA"))
                return page.convert("L")
            return image.convert("L")
    except FileNotFoundError:
        raise InputError("%s: no such file" % name) from None
    except IsADirectoryError:
        raise InputError("%s is a directory, not an image" % name) from None
    except PermissionError:
        raise InputError("%s: permission denied" % name) from None
    except Image.DecompressionBombError:
        raise InputError("%s is too large an image to read safely" % name) from None
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError):
        # Truncated or corrupt files surface as OSError/SyntaxError from the decoders.
        raise InputError("%s is not an image Pillow can read (PNG or JPEG)" % name) from None


def _text(barcode: zxingcpp.Barcode) -> str:
    """The code's text, reading its bytes as UTF-8 when they are (as authenticator apps do).

    Many generators put UTF-8 in a QR code without saying so (no ECI), and zxing-cpp then guesses
    ISO-8859-1, which would turn "Ügyfélkapu+" into "Ã\x9cgyfÃ©lkapu+".
    """
    try:
        return barcode.bytes.decode("utf-8")
    except UnicodeDecodeError:
        return barcode.text


def _kind(text: str) -> str:
    start = text.strip().lower()
    for prefix, kind in _KINDS:
        if start.startswith(prefix):
            return kind
    return "text that is not an otpauth:// URI"
