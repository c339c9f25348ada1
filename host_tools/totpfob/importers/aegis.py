"""Aegis Authenticator vaults (``aegis-export-*.json``), plain and encrypted, vault versions 1–3.

Encrypted: each password slot (type 1) holds the master key sealed with AES-256-GCM under a key derived from the
password by scrypt (n, r, p and a salt from the slot); the master key then opens ``db`` (base64, AES-256-GCM,
nonce and tag hex in the header). Groups (db version 3) do not matter to the token and are ignored.
"""

from __future__ import annotations

import hashlib

from ..i18n import _
from . import BadInput, Entry, Found, WrongPassword, b64, entry, gcm_json, gcm_open

PASSWORD_SLOT = 1
_MAXMEM = 256 * 1024 * 1024  # scrypt at Aegis's n = 2^15, r = 8 needs 32 MiB; hashlib's default limit is 32 MiB


def read(blob: bytes) -> Found | None:
    from . import load_json

    doc = load_json(blob)
    if not (isinstance(doc, dict) and isinstance(doc.get("header"), dict) and "db" in doc):
        return None
    if isinstance(doc["db"], dict):
        return Found("Aegis", entries=entries(doc["db"]))
    return Found(_("Aegis (encrypted)"), unlock=lambda password: entries(decrypt(doc, password)))


def entries(db: dict) -> list[Entry]:
    found = db.get("entries")
    if not isinstance(found, list):
        raise BadInput(_("the Aegis vault has no list of entries"))
    result = []
    for item in found:
        info = item.get("info") if isinstance(item, dict) else None
        if not isinstance(info, dict):
            raise BadInput(_("an entry of the Aegis vault has no settings"))
        result.append(entry(info.get("secret"), item.get("name", ""), item.get("issuer", ""), info.get("algo", "SHA1"),
                            info.get("digits", 6), info.get("period", 30), item.get("type", "totp")))
    return result


def derive(password: str, slot: dict) -> bytes:
    """The key that opens a password slot."""
    try:
        salt = bytes.fromhex(slot["salt"])
        return hashlib.scrypt(password.encode("utf-8"), salt=salt, n=int(slot["n"]), r=int(slot["r"]),
                              p=int(slot["p"]), maxmem=_MAXMEM, dklen=32)
    except (KeyError, TypeError, ValueError, AttributeError):
        raise BadInput(_("the Aegis vault's password slot is damaged")) from None


def master_key(doc: dict, password: str) -> bytes:
    """The vault's master key, from the first password slot the password opens."""
    slots = doc["header"].get("slots")
    slots = [slot for slot in slots if isinstance(slot, dict) and slot.get("type") == PASSWORD_SLOT] \
        if isinstance(slots, list) else []
    if not slots:
        raise BadInput(_("the Aegis vault has no password slot (biometric-only vaults must be exported with a"
                         " password)"))
    for slot in slots:
        try:
            params = slot["key_params"]
            sealed, nonce = bytes.fromhex(slot["key"]) + bytes.fromhex(params["tag"]), bytes.fromhex(params["nonce"])
        except (KeyError, TypeError, ValueError, AttributeError):
            raise BadInput(_("the Aegis vault's password slot is damaged")) from None
        try:
            return gcm_open(derive(password, slot), nonce, sealed, "Aegis vault")
        except WrongPassword:
            continue
    raise WrongPassword(_("the password does not open this Aegis vault"))


def decrypt(doc: dict, password: str) -> dict:
    """The plain db of an encrypted vault."""
    return open_db(doc, master_key(doc, password))


def open_db(doc: dict, key: bytes) -> dict:
    """The plain db of an encrypted vault, with its master key."""
    try:
        params = doc["header"]["params"]
        nonce, tag = bytes.fromhex(params["nonce"]), bytes.fromhex(params["tag"])
    except (KeyError, TypeError, ValueError, AttributeError):
        raise BadInput(_("the Aegis vault's header is damaged")) from None
    db = gcm_json(key, nonce, b64(doc["db"], _("Aegis vault's data")) + tag, _("Aegis vault"), _("its list of accounts"))
    if not isinstance(db, dict):
        raise BadInput(_("the Aegis vault decrypts to something that is not its list of accounts"))
    return db
