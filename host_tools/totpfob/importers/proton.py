"""Proton Authenticator exports (plain JSON): each entry carries its otpauth URI."""

from __future__ import annotations

from ..i18n import _
from . import BadInput, Found, from_uri, load_json


def read(blob: bytes) -> Found | None:
    doc = load_json(blob)
    if not (isinstance(doc, dict) and isinstance(doc.get("entries"), list) and "version" in doc):
        return None
    found = Found(_("Proton Authenticator"))
    for item in doc["entries"]:
        content = item.get("content") if isinstance(item, dict) else None
        uri = content.get("uri") if isinstance(content, dict) else None
        if not isinstance(uri, str):
            raise BadInput(_("an entry of the Proton Authenticator export has no otpauth URI"))
        found.entries.append(from_uri(uri))
    return found
