"""Read an account from a screenshot or photo of an authenticator QR code (Pillow + zxing-cpp)."""

from __future__ import annotations

import os

import zxingcpp
from PIL import Image, UnidentifiedImageError

from .i18n import N_, _
from .otpauth import Account, InputError, build, parse_uri, read_uri

_QR_FORMATS = zxingcpp.BarcodeFormats(
    [zxingcpp.BarcodeFormat.QRCode, zxingcpp.BarcodeFormat.MicroQRCode, zxingcpp.BarcodeFormat.RMQRCode])

# What a QR code holds when it is not a key, by its start (lower case), for an error the user recognises.
_KINDS = (
    ("http:", N_("a web address")),
    ("https:", N_("a web address")),
    ("wifi:", N_("Wi-Fi settings")),
    ("begin:vcard", N_("a contact card")),
    ("mecard:", N_("a contact card")),
    ("mailto:", N_("an e-mail address")),
    ("tel:", N_("a phone number")),
)


# What to tell the user, by where the picture came from: whole sentences, %-placeholders by name.
FILE = {
    "none": N_("no QR code found in %(name)s"),
    "several": N_("%(name)s shows %(count)d authenticator QR codes; crop the image to the one you want"),
    "migration": N_("the QR code in %(name)s is a Google Authenticator export (otpauth-migration), which the token "
                    "cannot read; add each account from its own QR code or key instead"),
    "other": N_("the QR code in %(name)s is not an authenticator key (it contains %(kind)s)"),
    "bad": N_("the QR code in %(name)s: %(reason)s"),
}
SCREEN = {
    "none": N_("no QR code found on the screen: show the pairing page with its whole QR code, or save a screenshot "
               "and use --qr FILE"),
    "several": N_("the screen shows %(count)d authenticator QR codes; leave only the one you want in sight and run "
                  "this again"),
    "migration": N_("the QR code on the screen is a Google Authenticator export (otpauth-migration), which the token "
                    "cannot read; add each account from its own QR code or key instead"),
    "other": N_("the QR code on the screen is not an authenticator key (it contains %(kind)s)"),
    "bad": N_("the QR code on the screen: %(reason)s"),
}
CLIPBOARD = {
    "none": N_("no QR code found in the picture in the clipboard: copy the whole QR code and run this again"),
    "several": N_("the picture in the clipboard shows %(count)d authenticator QR codes; copy only the one you want"),
    "migration": N_("the QR code in the clipboard is a Google Authenticator export (otpauth-migration), which the "
                    "token cannot read; add each account from its own QR code or key instead"),
    "other": N_("the QR code in the clipboard is not an authenticator key (it contains %(kind)s)"),
    "bad": N_("the QR code in the clipboard: %(reason)s"),
}


def decode_image(path: str | os.PathLike[str], **overrides) -> Account:
    """Find the otpauth:// QR code in a PNG/JPEG screenshot or photo and parse it into an Account (with the
    settings in ``overrides`` in place of the code's, as `otpauth.parse_uri` takes them)."""
    name = os.fspath(path)
    return decode_texts(read_texts(name), FILE, overrides, name=name)


def decode_pictures(pictures: list, messages: dict, **overrides) -> Account:
    """The one otpauth:// QR code in these pictures (every monitor's, or the clipboard's) as an Account;
    `messages` (SCREEN, CLIPBOARD) says what went wrong in the user's terms."""
    texts = [text for picture in pictures for text in texts_in(picture)]
    if not texts:
        raise InputError(_(messages["none"]))
    return decode_texts(texts, messages, overrides)


def decode_clipboard(content: Image.Image | str, **overrides) -> Account:
    """The account in what the clipboard holds: a picture of the QR code, or the otpauth:// URI as text."""
    if not isinstance(content, str):
        return decode_pictures([content], CLIPBOARD, **overrides)
    if content.lower().startswith("otpauth-migration:"):
        raise InputError(_(CLIPBOARD["migration"]))
    if not content.lower().startswith("otpauth:"):
        raise InputError(_("the clipboard holds text that is not an otpauth:// URI; copy the QR code itself (or its "
                           "otpauth:// link) and run this again"))
    return parse_uri(content, **overrides)


def decode_texts(texts: list[str], messages: dict, overrides: dict, **where) -> Account:
    """The Account in the one otpauth:// text among a picture's QR codes; the others may be anything."""
    keys = sorted({text for text in texts if text.strip().lower().startswith("otpauth:")})
    if len(keys) > 1:
        raise InputError(_(messages["several"]) % dict(where, count=len(keys)))
    if not keys and any(text.strip().lower().startswith("otpauth-migration:") for text in texts):
        raise InputError(_(messages["migration"]) % where)
    if not keys:
        raise InputError(_(messages["other"]) % dict(where, kind=_kind(texts[0])))
    try:
        secret, settings = read_uri(keys[0])
        if not overrides:
            return build(secret, **settings)
    except InputError as exc:
        raise InputError(_(messages["bad"]) % dict(where, reason=exc)) from None
    return build(secret, **dict(settings, **overrides))  # what is wrong now is the user's, not the code's


def read_texts(path: str | os.PathLike[str]) -> list[str]:
    """The text of every QR code in a PNG/JPEG picture (InputError when it shows none)."""
    name = os.fspath(path)
    texts = texts_in(_grayscale(name))
    if not texts:
        raise InputError(_(FILE["none"]) % {"name": name})
    return texts


def texts_in(picture: Image.Image) -> list[str]:
    """The text of every QR code in a picture (none: an empty list)."""
    return [_text(barcode) for barcode in zxingcpp.read_barcodes(_gray(picture), formats=_QR_FORMATS)]


def _grayscale(name: str) -> Image.Image:
    """The image as 8-bit gray: zxing-cpp binarises luminance anyway, and one byte a pixel is fastest."""
    try:
        with Image.open(name) as image:
            image.load()
            return _gray(image)
    except FileNotFoundError:
        raise InputError(_("%s: no such file") % name) from None
    except IsADirectoryError:
        raise InputError(_("%s is a directory, not an image") % name) from None
    except PermissionError:
        raise InputError(_("%s: permission denied") % name) from None
    except Image.DecompressionBombError:
        raise InputError(_("%s is too large an image to read safely") % name) from None
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError):
        # Truncated or corrupt files surface as OSError/SyntaxError from the decoders.
        raise InputError(_("%s is not an image Pillow can read (PNG or JPEG)") % name) from None


def _gray(image: Image.Image) -> Image.Image:
    if image.mode == "L":
        return image
    if image.mode in ("RGBA", "LA", "PA") or "transparency" in image.info:
        # Transparent pixels are black underneath; a dark QR drawn on them would vanish.
        page = Image.new("RGBA", image.size, "white")
        page.alpha_composite(image.convert("RGBA"))
        return page.convert("L")
    return image.convert("L")


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
            return _(kind)
    return _("text that is not an otpauth:// URI")
