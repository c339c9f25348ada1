"""FreeOTP+ backups (``freeotp-backup.json``): the key as a list of signed bytes, the issuer in ``issuerExt``."""

from __future__ import annotations

from ..i18n import _
from . import BadInput, Entry, Found, entry, load_json


def read(blob: bytes) -> Found | None:
    doc = load_json(blob)
    if not (isinstance(doc, dict) and isinstance(doc.get("tokens"), list)):
        return None
    return Found("FreeOTP+", entries=[_token(token) for token in doc["tokens"]])


def _token(token: object) -> Entry:
    if not isinstance(token, dict):
        raise BadInput(_("a token in the FreeOTP+ backup is not readable"))
    raw = token.get("secret")
    if not (isinstance(raw, list) and all(isinstance(b, int) and -128 <= b <= 255 for b in raw)):
        raise BadInput(_("a token in the FreeOTP+ backup has a key that is not a list of bytes"))
    secret = bytes(b & 0xFF for b in raw)  # Java's bytes are signed
    issuer = token.get("issuerExt") or token.get("issuerInt") or ""
    return entry(secret, token.get("label", ""), issuer, token.get("algo", "SHA1"), token.get("digits", 6),
                 token.get("period", 30), token.get("type", "TOTP"))
