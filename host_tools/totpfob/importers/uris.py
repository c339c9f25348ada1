"""Plain lists of key URIs, one a line (Ente Auth, KeePassXC, a text file; Google Authenticator export URIs too).

Blank lines and lines starting with '#' are comments; any other line must be a URI, so a stray line is named
rather than silently dropped.
"""

from __future__ import annotations

from ..i18n import _
from . import BadInput, Found, from_uri, google


def read(blob: bytes) -> Found | None:
    try:
        text = blob.decode("utf-8-sig")
    except UnicodeDecodeError:
        return None
    lines = [(number, line.strip()) for number, line in enumerate(text.splitlines(), 1)]
    lines = [(number, line) for number, line in lines if line and not line.startswith("#")]
    if not any(_scheme(line) for _, line in lines):
        return None
    found = Found(_("otpauth URI list") if len(lines) > 1 else _("otpauth URI"))
    for number, line in lines:
        scheme = _scheme(line)
        if not scheme:
            raise BadInput(_("line %d is not an otpauth:// or otpauth-migration:// URI") % number)
        try:
            if scheme == "otpauth":
                found.entries.append(from_uri(line))
            else:
                found.format = _("Google Authenticator export")
                found.parts.append(google.part(line))
        except BadInput as exc:
            raise BadInput((_("line %d: %s") % (number, exc)) if len(lines) > 1 else str(exc)) from None
    return found


def _scheme(line: str) -> str:
    head = line[:20].lower()
    for scheme in ("otpauth-migration", "otpauth"):
        if head.startswith(scheme + "://"):
            return scheme
    return ""
