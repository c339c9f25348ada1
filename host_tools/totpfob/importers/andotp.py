"""andOTP backups: the plain JSON list, and the encrypted ``.bin``.

The ``.bin`` is PBKDF2-HMAC-SHA1 rounds (u32 big-endian), a 12-byte salt, a 12-byte nonce, then AES-256-GCM
ciphertext + tag of the same JSON list.
"""

from __future__ import annotations

import hashlib

from ..i18n import _
from . import BadInput, Entry, Found, entry, load_json

_HEAD = 4 + 12 + 12
_MAX_ROUNDS = 10_000_000  # andOTP picks 140 000–160 000; far more is a file that is not andOTP's


def read(blob: bytes) -> Found | None:
    doc = load_json(blob)
    if isinstance(doc, list) and doc and all(isinstance(item, dict) and "secret" in item and "type" in item
                                             for item in doc):
        return Found("andOTP", entries=entries(doc))
    rounds = int.from_bytes(blob[:4], "big")
    if doc is None and len(blob) > _HEAD + 16 and 1000 <= rounds <= _MAX_ROUNDS and not _is_text(blob):
        return Found(_("andOTP (encrypted)"), unlock=lambda password: entries(decrypt(blob, password)))
    return None


def decrypt(blob: bytes, password: str) -> object:
    from . import gcm_json

    rounds, salt, nonce = int.from_bytes(blob[:4], "big"), blob[4:16], blob[16:28]
    key = hashlib.pbkdf2_hmac("sha1", password.encode("utf-8"), salt, rounds, 32)
    return gcm_json(key, nonce, blob[_HEAD:], _("andOTP backup"), _("its list of accounts"))


def entries(found: object) -> list[Entry]:
    if not isinstance(found, list):
        raise BadInput(_("the andOTP backup holds no list of accounts"))
    return [entry(item.get("secret"), item.get("label", ""), item.get("issuer", ""), item.get("algorithm", "SHA1"),
                  item.get("digits", 6), item.get("period", 30), item.get("type", "TOTP"))
            for item in found if isinstance(item, dict)]


def _is_text(blob: bytes) -> bool:
    try:
        blob.decode("utf-8")
    except UnicodeDecodeError:
        return False
    return True
