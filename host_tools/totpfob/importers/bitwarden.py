"""Bitwarden exports, JSON and CSV: the key is the login's ``totp`` field, an otpauth URI, a ``steam://`` key or
a bare base32 key (then named after the item)."""

from __future__ import annotations

import csv
import io

from ..i18n import _
from . import BadInput, Entry, Found, _skipped, entry, from_uri, load_json


def read(blob: bytes) -> Found | None:
    doc = load_json(blob)
    if isinstance(doc, dict) and isinstance(doc.get("items"), list):
        if doc.get("encrypted"):
            raise BadInput(_("this Bitwarden export is encrypted with the account's key; export it again choosing"
                             " the unencrypted JSON or CSV format"))
        found = Found("Bitwarden")
        for item in doc["items"]:
            login = item.get("login") if isinstance(item, dict) else None
            if isinstance(login, dict) and login.get("totp"):
                found.entries.append(_totp(login["totp"], item.get("name"), login.get("username")))
        return found
    if doc is not None:
        return None
    try:
        text = blob.decode("utf-8-sig")
    except UnicodeDecodeError:
        return None
    first = text.split("\n", 1)[0]
    if "login_totp" not in first.split(","):
        return None
    found = Found(_("Bitwarden (CSV)"))
    for row in csv.DictReader(io.StringIO(text)):
        if row.get("login_totp"):
            found.entries.append(_totp(row["login_totp"], row.get("name"), row.get("login_username")))
    return found


def _totp(value: object, name: object, username: object) -> Entry:
    if not isinstance(value, str):  # a hand-edited or damaged export: a number, a list...
        return _skipped(entry(None, str(username or name or ""), str(name if username else "")),
                        _("its TOTP field is neither a key nor an otpauth URI"))
    value = value.strip()
    if value.lower().startswith("otpauth://"):
        return from_uri(value)
    label, issuer = (username or name or ""), (name if username else "")
    if value.lower().startswith("steam://"):
        return entry(None, str(label), str(issuer or ""), digits=5, kind="steam")
    return entry(value, str(label), str(issuer or ""))
