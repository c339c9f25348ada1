"""2FAS Authenticator backups (``.2fas``, schemas 1–4), plain and encrypted.

Encrypted: ``servicesEncrypted`` is base64(ciphertext + tag) ":" base64(salt) ":" base64(nonce); the key is
PBKDF2-HMAC-SHA256 of the password, 10 000 rounds, 32 bytes; the cipher AES-256-GCM; inside, the services list.
Schema 1 has no digits, period or algorithm (the defaults); from schema 3 on ``tokenType`` says TOTP/HOTP/STEAM.
"""

from __future__ import annotations

import hashlib

from ..i18n import _
from . import BadInput, Entry, Found, b64, entry, gcm_json, load_json

ROUNDS = 10_000


def read(blob: bytes) -> Found | None:
    doc = load_json(blob)
    if not (isinstance(doc, dict) and "schemaVersion" in doc and ("services" in doc or "servicesEncrypted" in doc)):
        return None
    if doc.get("servicesEncrypted"):
        return Found(_("2FAS (encrypted)"), unlock=lambda password: services(decrypt(doc["servicesEncrypted"], password)))
    return Found("2FAS", entries=services(doc.get("services")))


def decrypt(sealed: object, password: str) -> object:
    fields = sealed.split(":") if isinstance(sealed, str) else []
    if len(fields) < 3:
        raise BadInput(_("the 2FAS backup's encrypted data is damaged"))
    data, salt, nonce = (b64(text, _("2FAS backup's encrypted data")) for text in fields[:3])
    key = hashlib.pbkdf2_hmac("sha256", password.encode("utf-8"), salt, ROUNDS, 32)
    return gcm_json(key, nonce, data, _("2FAS backup"), _("its list of accounts"))


def services(found: object) -> list[Entry]:
    if not isinstance(found, list):
        raise BadInput(_("the 2FAS backup has no list of services"))
    result = []
    for service in found:
        if not isinstance(service, dict):
            raise BadInput(_("a service in the 2FAS backup is not readable"))
        otp = service.get("otp")
        otp = otp if isinstance(otp, dict) else {}
        label = otp.get("account") or otp.get("label") or ""
        issuer = otp.get("issuer") or service.get("name") or ""
        result.append(entry(service.get("secret"), label, issuer, otp.get("algorithm", "SHA1"),
                            otp.get("digits", 6), otp.get("period", 30), otp.get("tokenType", "TOTP")))
    return result
