"""Accounts from other authenticator apps' exports: one small module per format behind one interface.

Every format module has ``read(blob) -> Found | None``: None when the bytes are not its format (recognised by
content, never by file name), else what it found. An encrypted file comes back locked: ``Found.unlock(password)``
is the separate decrypt step, raising WrongPassword. Every entry is an Entry: an Account built through otpauth's
checks (so the limits are the token's), or the entry's public settings and why the token cannot take it.
"""

from __future__ import annotations

import base64
import binascii
import json
from collections.abc import Callable
from dataclasses import dataclass, field
from urllib.parse import parse_qsl, unquote, urlsplit

from ..account import Account
from ..i18n import N_, _
from ..otpauth import InputError, build, decode_secret, read_uri


class BadInput(InputError):
    """The export cannot be read; one line that names the problem and never a key."""


class WrongPassword(BadInput):
    """The password does not open the encrypted export (or the file was changed: GCM cannot tell which)."""


@dataclass(frozen=True)
class Entry:
    """One account found in an export: ``account`` when the token can take it, else ``reason`` says why not."""

    issuer: str
    label: str
    algorithm: str
    digits: int
    period: int
    account: Account | None = field(default=None, repr=False)
    reason: str = ""

    @property
    def name(self) -> str:
        return "%s:%s" % (self.issuer, self.label) if self.issuer else self.label

    def public(self) -> dict:
        """Everything the preview shows: never the key."""
        return {"issuer": self.issuer, "label": self.label, "algorithm": self.algorithm, "digits": self.digits,
                "period": self.period}


@dataclass
class Found:
    """What one source holds: entries, or (encrypted) a way to get them with a password."""

    format: str  # the app's name, for the user
    entries: list[Entry] = field(default_factory=list)
    unlock: Callable[[str], list[Entry]] | None = None
    parts: list = field(default_factory=list)  # Google Authenticator batch parts (google.Part), joined later


_KINDS_REFUSED = {
    "hotp": N_("a counter-based (HOTP) key: the token makes time-based codes only"),
    "steam": N_("a Steam Guard key: Steam's 5-character codes are not standard TOTP codes"),
}


def entry(secret: bytes | str | None, label: str, issuer: str = "", algorithm: object = "sha1",
          digits: object = 6, period: object = 30, kind: str = "totp") -> Entry:
    """An Entry from an export's fields (a str secret is base32): the checked Account, or why it is skipped."""
    label, issuer = _text(label).strip(), _text(issuer).strip()
    if not label:
        label, issuer = issuer, ""  # some apps keep only a service name
    algorithm_text = _text(algorithm).strip().lower().replace("-", "") or "sha1"
    shown = Entry(issuer, label, algorithm_text, _number(digits, 6), _number(period, 30))
    kind = _text(kind).strip().lower() or "totp"
    if kind != "totp":
        reason = (_(_KINDS_REFUSED[kind]) if kind in _KINDS_REFUSED else
                  _("a %s key, not a time-based (TOTP) one") % kind.upper()[:12])
        return _skipped(shown, reason)
    try:
        key = decode_secret(secret) if isinstance(secret, str) else secret
        if not key:
            raise InputError(_("the entry has no key"))
        account = build(key, label, issuer, algorithm_text, _setting(digits), _setting(period))
    except InputError as exc:
        return _skipped(shown, str(exc))
    return Entry(account.issuer, account.label, account.algorithm, account.digits, account.period, account)


def from_uri(uri: str) -> Entry:
    """An Entry from an otpauth:// URI: HOTP, Steam and other kinds become skipped entries with a reason;
    BadInput when it is not a URI at all (urlsplit refuses it, e.g. an unmatched '[')."""
    parts = split_uri(uri)
    kind = parts.netloc.lower()
    if kind == "totp":
        try:
            secret, settings = read_uri(uri)
        except InputError as exc:
            return _skipped(_shown_uri(parts), str(exc))
        return entry(secret, **settings)
    return entry(None, **_shown_uri(parts).public(), kind=kind or "unknown")


def split_uri(uri: str):
    """urlsplit's parts of a URI; BadInput, not urlsplit's ValueError, when it cannot be split."""
    try:
        return urlsplit(uri.strip())
    except ValueError:
        raise BadInput(_("the URI is malformed and cannot be read (a stray '[' or ']'?)")) from None


def _shown_uri(parts) -> Entry:
    """What an otpauth URI says about itself, for the preview, without checking it."""
    name = unquote(parts.path.lstrip("/"))
    params = {key.lower(): value for key, value in parse_qsl(parts.query)}
    prefix, colon, label = name.partition(":")
    issuer = params.get("issuer", prefix if colon else "")
    return Entry(issuer.strip(), (label if colon else name).strip(), params.get("algorithm", "sha1").lower(),
                 _number(params.get("digits"), 6), _number(params.get("period"), 30))


def _skipped(shown: Entry, reason: str) -> Entry:
    return Entry(shown.issuer, shown.label, shown.algorithm, shown.digits, shown.period, None, reason)


def _setting(value: object) -> int | str:
    """A number as the export wrote it, for otpauth's checks to judge (anything else as its text)."""
    return value if isinstance(value, (int, str)) else _text(value)


def _text(value: object) -> str:
    return value if isinstance(value, str) else "" if value is None else str(value)


def _number(value: object, default: int) -> int:
    if isinstance(value, bool):
        return default
    if isinstance(value, int):
        return value
    text = _text(value).strip()
    return int(text) if text.isascii() and text.isdigit() else default


def load_json(blob: bytes) -> object:
    """The JSON document in blob, or None when it is not JSON."""
    try:
        return json.loads(blob.decode("utf-8-sig"))
    except (UnicodeDecodeError, ValueError, RecursionError):
        return None


def b64(text: object, what: str) -> bytes:
    """Standard base64 (padding optional); BadInput naming what it should have been."""
    if not isinstance(text, str):
        raise BadInput(_("the %s is missing from the export") % what)
    try:
        return base64.b64decode(text + "=" * (-len(text) % 4), validate=True)
    except (binascii.Error, ValueError):
        raise BadInput(_("the %s in the export is not valid base64") % what) from None


def gcm_open(key: bytes, nonce: bytes, sealed: bytes, what: str) -> bytes:
    """AES-GCM decryption (``sealed`` = ciphertext + 16-byte tag); WrongPassword when the tag does not match."""
    from cryptography.exceptions import InvalidTag
    from cryptography.hazmat.primitives.ciphers.aead import AESGCM

    try:
        return AESGCM(key).decrypt(nonce, sealed, None)
    except InvalidTag:
        raise WrongPassword(_("the password is wrong, or the %s was changed or damaged after it was written") % what
                            ) from None
    except ValueError:
        raise BadInput(_("the %s is damaged (its encryption parameters are not valid)") % what) from None


def gcm_json(key: bytes, nonce: bytes, sealed: bytes, what: str, holds: str) -> object:
    """The JSON an AES-GCM-sealed export decrypts to; BadInput naming what it should hold when it is not JSON."""
    plain = gcm_open(key, nonce, sealed, what)
    try:
        return json.loads(plain.decode("utf-8"))
    except (UnicodeDecodeError, ValueError):
        raise BadInput(_("the %s decrypts to something that is not %s") % (what, holds)) from None


def read(blob: bytes) -> Found:
    """What an export holds, whatever app wrote it; BadInput when no format fits."""
    from . import aegis, andotp, bitwarden, freeotp, proton, twofas, uris

    for module in (aegis, twofas, freeotp, bitwarden, proton, andotp, uris):
        found = module.read(blob)
        if found is not None:
            return found
    raise BadInput(_("not an export this tool knows (Google Authenticator, Aegis, 2FAS, andOTP, FreeOTP+, Bitwarden,"
                     " Proton Authenticator, or a list of otpauth:// URIs)"))
