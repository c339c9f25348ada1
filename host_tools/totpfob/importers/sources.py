"""From what the user names on the command line (files, pictures, URIs) to the entries they hold.

Google Authenticator exports spread over several QR pictures are collected from every source first and joined
at the end, so the parts may come in any order and from any number of files.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Sequence

from .. import qr
from ..i18n import _
from ..otpauth import InputError
from . import BadInput, Entry, google, read

_PICTURES = (b"\x89PNG", b"\xff\xd8\xff", b"GIF8", b"BM", b"II*\x00", b"MM\x00*")
MAX_FILE = 16 * 1024 * 1024  # exports are kilobytes; a bigger file is not one

Password = Callable[[str, str], str]  # (source, format) -> the password that opens it


def load(sources: list[str], password: Password, taken: Sequence[tuple[str, bytes]] = ()) -> list[Entry]:
    """Every entry of every source (files, pictures, URIs; then ``taken``: (where, what) already read, such as
    the screen's QR codes), in order; BadInput (naming the source) for anything that cannot be read."""
    entries: list[Entry] = []
    parts: list[google.Part] = []
    for source, given in [(source, None) for source in sources] + list(taken):
        name = _("the URI") if _is_uri(source) else source
        try:
            found = read(_blob(source) if given is None else given)
            if found.unlock is not None:
                found.entries = found.unlock(password(source, found.format))
        except InputError as exc:
            text = str(exc)
            raise BadInput(text if name in text else _("%s: %s") % (name, text)) from None
        if not found.entries and not found.parts:
            raise BadInput(_("%s holds no accounts (an empty export)") % name)
        entries.extend(found.entries)
        parts.extend(found.parts)
    if parts:
        joined = google.join(parts)
        if not joined:
            raise BadInput(_("the Google Authenticator export holds no accounts"))
        entries.extend(joined)
    return entries


def _is_uri(source: str) -> bool:
    return source.strip()[:20].lower().startswith(("otpauth://", "otpauth-migration://"))


def _blob(source: str) -> bytes:
    if _is_uri(source):
        return source.strip().encode("utf-8")
    try:
        if os.path.getsize(source) > MAX_FILE:
            raise BadInput(_("the file is far larger than any export; is it the right file?"))
        with open(source, "rb") as file:
            blob = file.read()
    except FileNotFoundError:
        raise BadInput(_("no such file")) from None
    except IsADirectoryError:
        raise BadInput(_("a directory, not an export file")) from None
    except PermissionError:
        raise BadInput(_("permission denied")) from None
    except OSError as exc:
        raise BadInput(_("cannot be read (%s)") % (exc.strerror or "error")) from None
    if is_picture(blob):
        return _picture(source)
    return blob


def is_picture(blob: bytes) -> bool:
    """Whether the bytes are a picture (PNG, JPEG, GIF, BMP, TIFF, WebP), by their start."""
    return blob.startswith(_PICTURES) or (blob[:4] == b"RIFF" and blob[8:12] == b"WEBP")


def _picture(source: str) -> bytes:
    """The key texts in a picture's QR codes, one a line: otpauth URIs or Google export parts, not both."""
    return in_codes(qr.read_texts(source))


def in_pictures(pictures: list, where: str) -> bytes:
    """The key texts of the QR codes in pictures (the screen's, the clipboard's), as a source to read."""
    texts = [text for picture in pictures for text in qr.texts_in(picture)]
    if not texts:
        raise BadInput(_("no QR code found on %s; show the export's QR code (or save it as a picture) and try again")
                       % where)
    return in_codes(texts)


def in_codes(texts: list[str]) -> bytes:
    """QR codes' texts as one source: otpauth URIs or Google export parts, one a line, not both kinds."""
    texts = [text.strip() for text in texts]
    migration = [text for text in texts if text.lower().startswith("otpauth-migration:")]
    keys = [text for text in texts if text.lower().startswith("otpauth:")]
    if migration and keys:
        raise BadInput(_("the picture shows a Google Authenticator export QR code and an ordinary authenticator QR"
                         " code together; crop it to one kind, or give each as its own picture"))
    if not migration and not keys:
        raise BadInput(_("the QR code in the picture is neither an authenticator key nor a Google Authenticator"
                         " export"))
    return "\n".join(migration or keys).encode("utf-8")
