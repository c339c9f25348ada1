"""Read an account from an otpauth:// URI or a typed base32 key, and check it fits the token.

The key-URI format is Google's: ``otpauth://totp/Issuer:account?secret=BASE32&issuer=Issuer
&algorithm=SHA1&digits=6&period=30``. The key is decoded here, not by pyotp: pyotp refuses keys under
112 bits, and Ügyfélkapu+ hands out 80-bit ones.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import unicodedata
from dataclasses import replace
from urllib.parse import parse_qsl, unquote, urlsplit

from .account import Account, fw_account
from .i18n import _

# A 16-character key is 80 bits; anything shorter is a key with characters missing, not a real key.
MIN_SECRET_BYTES = 10

_BASE32 = frozenset("ABCDEFGHIJKLMNOPQRSTUVWXYZ234567abcdefghijklmnopqrstuvwxyz")
_KNOWN_PARAMETERS = ("secret", "issuer", "algorithm", "digits", "period")


class InputError(ValueError):
    """Input the user can fix; the message is one sentence and never contains the key."""


def parse_uri(uri: str, **overrides) -> Account:
    """Parse an ``otpauth://totp/...`` URI into a checked Account; raise InputError if it cannot be used.
    ``overrides`` (label, issuer, algorithm, digits, period) take the place of what the URI says before the
    key is shortened, so a changed algorithm still gets the key as the service issued it."""
    secret, settings = read_uri(uri, check_issuer=overrides.get("issuer") is None)
    return build(secret, **dict(settings, **overrides))


def read_uri(uri: str, check_issuer: bool = True) -> tuple[bytes, dict]:
    """The key and the checked settings (label, issuer, algorithm, digits, period) of an otpauth URI.

    In the label (the path) a '+' is literal; in the parameters it is a space, as in form encoding.
    A raw '+' in the issuer parameter is kept when the label's issuer prefix shows it belongs there
    (the spec wants both equal), so an unencoded ``Ügyfélkapu+`` survives. Two different issuers there are
    refused, unless check_issuer is False (the caller gives the issuer itself).
    """
    try:
        parts = urlsplit(uri.strip())
    except ValueError:
        raise InputError(_("the URI is malformed and cannot be read")) from None
    if parts.scheme.lower() != "otpauth":
        raise InputError(_("this is not an otpauth:// URI (an authenticator key URI starts with otpauth://totp/)"))
    kind = parts.netloc.lower()
    if kind == "hotp":
        raise InputError(
            _("this is a counter-based (HOTP) key, which the token does not support: HOTP codes need a counter"
              " kept in step with the service, while the token makes the time-based (TOTP) codes that"
              " Ügyfélkapu+ and most services use"))
    if kind != "totp":
        raise InputError(_("the URI is not for a time-based key (it should start with otpauth://totp/)"))
    try:
        name = unquote(parts.path.lstrip("/"), errors="strict")
        pairs = parse_qsl(parts.query, keep_blank_values=True, errors="strict")
        raw_pairs = parse_qsl(parts.query.replace("+", "%2B"), keep_blank_values=True, errors="strict")
    except UnicodeDecodeError:
        raise InputError(_("the URI has percent-encoded bytes that are not UTF-8 text")) from None
    params = _known_parameters(pairs)
    prefix, colon, account = name.partition(":")
    prefix, account = (prefix.strip(), account.strip()) if colon else ("", name.strip())
    if not account:
        raise InputError(_("the URI has no account name (it should look like otpauth://totp/Issuer:name?secret=...)"))
    issuer = params.get("issuer", "").strip()
    raw_issuer = _known_parameters(raw_pairs).get("issuer", "").strip()
    if prefix and prefix == raw_issuer:
        issuer = raw_issuer
    elif not issuer:
        issuer = prefix
    elif prefix and prefix.casefold() != issuer.casefold() and check_issuer:
        # The spec wants both equal; a URI whose label says one service and issuer= another is a mistake or a
        # trap (the page shows "Google", the token would store "Evil"): the user picks one with --issuer.
        raise InputError(_("the URI names two different issuers, %s in its label and %s in issuer=; choose one"
                           " with --issuer") % (_shown(prefix), _shown(issuer)))
    if "secret" not in params or not params["secret"].strip():
        raise InputError(_("the URI has no secret= parameter, so it carries no key"))
    secret = decode_secret(params["secret"])
    return secret, settings(account, issuer, params.get("algorithm", "sha1"), params.get("digits", 6),
                            params.get("period", 30))


def from_secret(secret_text: str, label: str, issuer: str = "", algorithm: str = "sha1",
                digits: int | str = 6, period: int | str = 30) -> Account:
    """Build a checked Account from a typed base32 key and its settings; raise InputError if unusable."""
    return build(decode_secret(secret_text), label, issuer, algorithm, digits, period)


def build(secret: bytes, label: str, issuer: str = "", algorithm: str = "sha1", digits: int | str = 6,
          period: int | str = 30) -> Account:
    """The Account for a decoded key and its settings as the user gave them (text or numbers), each checked with
    a message that says what to fix; a key longer than the token holds is shortened here, once."""
    account = Account(secret=secret, **settings(label, issuer, algorithm, digits, period))
    # Refuse now, not halfway through provisioning, a key the token cannot hold.
    account = replace(account, secret=device_secret(account))
    try:
        account.record()  # the token's own check: the friendly ones above must not let anything past it
    except fw_account.Invalid as exc:
        raise InputError(_("the token cannot hold this account: %s") % exc) from None
    return account


def settings(label: str, issuer: str = "", algorithm: str = "sha1", digits: int | str = 6,
             period: int | str = 30) -> dict:
    """An account's settings, checked and in the token's terms: names stripped, algorithm in lower case, numbers
    as int. InputError says what to fix."""
    label = _checked_name(label, _("account name"))
    if not label:
        raise InputError(_("the account name is empty; give the account a label"))
    low, high = fw_account.MIN_DIGITS, fw_account.MAX_DIGITS
    return {"label": label, "issuer": _checked_name(issuer, _("issuer")), "algorithm": _checked_algorithm(algorithm),
            "digits": _checked_number(digits, _("digits"), low, high, _("a whole number from %d to %d") % (low, high)),
            "period": _checked_number(period, _("period"), 1, fw_account.MAX_PERIOD,
                                      _("a whole number of seconds above 0"))}


def decode_secret(secret_text: str) -> bytes:
    """Decode a base32 key as people write it: any case, spaces or dashes between groups, '=' optional."""
    text = "".join(secret_text.split()).replace("-", "").rstrip("=")
    if not text:
        raise InputError(_("the key is empty"))
    if not all(char in _BASE32 for char in text):
        raise InputError(_("the key contains characters that are not base32 (only A–Z and 2–7 are allowed;"
                           " 0, 1, 8 and 9 never appear in a key)"))
    if len(text) % 8 in (1, 3, 6):
        raise InputError(_("the key has %d characters, a length no base32 key can have, so a character is"
                           " missing or extra") % len(text))
    try:
        secret = base64.b32decode(text.upper() + "=" * (-len(text) % 8))
    except binascii.Error:
        raise InputError(_("the key is not valid base32")) from None
    if len(secret) < MIN_SECRET_BYTES:
        raise InputError(_("the key is only %d characters long, while TOTP keys have at least 16 (80 bits),"
                           " so characters are missing") % len(text))
    return secret


def device_secret(account: Account) -> bytes:
    """The key as the token stores it (at most MAX_SECRET bytes), giving the same codes as ``account.secret``.

    HMAC first replaces a key longer than the hash's block size by the key's hash, so storing that hash
    changes no code. SHA-1/SHA-256 have 64-byte blocks, so every long key shrinks; SHA-512's block is 128
    bytes, so a SHA-512 key longer than the token holds but not longer than a block has no shorter equivalent.
    """
    secret = account.secret or b""
    if len(secret) <= fw_account.MAX_SECRET:
        return secret
    block = hashlib.new(account.algorithm).block_size
    if len(secret) > block:
        return hashlib.new(account.algorithm, secret).digest()
    raise InputError(_("the token holds %s keys of up to %d bytes (or over %d bytes, which it stores hashed), and"
                       " this key is %d bytes") % (account.algorithm.upper().replace("SHA", "SHA-"),
                                                 fw_account.MAX_SECRET, block, len(secret)))


def _known_parameters(pairs: list[tuple[str, str]]) -> dict[str, str]:
    """The parameters the token uses, by lower-case name; unknown ones (image=, color=...) are ignored."""
    params: dict[str, str] = {}
    for name, value in pairs:
        name = name.lower()
        if name not in _KNOWN_PARAMETERS:
            continue
        if name in params:
            raise InputError(_("the URI gives the %s= parameter more than once") % name)
        params[name] = value
    return params


def _checked_name(name: str, what: str) -> str:
    name = name.strip()
    size = len(name.encode("utf-8"))
    if size > fw_account.MAX_NAME:
        raise InputError(_("the %s is %d bytes long in UTF-8, and the token stores at most %d")
                         % (what, size, fw_account.MAX_NAME))
    if any(ord(char) < 0x20 or 0x7F <= ord(char) < 0xA0 or char in "\u2028\u2029" for char in name):
        raise InputError(_("the %s contains control characters such as line breaks") % what)
    # Format characters draw nothing but reorder or hide text: U+202E turns "moc.elgoog" into what looks like
    # "google.com" in `list`. No real name needs them.
    if any(unicodedata.category(char) == "Cf" for char in name):
        raise InputError(_("the %s contains invisible formatting characters (such as right-to-left marks) that"
                           " could make it look like another name") % what)
    return name


def printable(text: str) -> str:
    """Text from a file, a URI or a token as a terminal may show it: every character that is not printable
    (control characters, the ESC of ANSI sequences, line breaks, bidi and other invisible formatting marks) is
    written as its escape (\\x1b, \\u202e), so it can neither drive the terminal nor disguise the name."""
    return "".join(char if char.isprintable() and unicodedata.category(char) != "Cf"
                   else char.encode("unicode_escape").decode("ascii") for char in text)


def _shown(name: str) -> str:
    """A name from the input as a message may show it: quoted, without characters that could disguise it."""
    return "'%s'" % printable(name)[:64]


def _checked_algorithm(algorithm: str) -> str:
    name = algorithm.strip().lower().replace("-", "")
    if name not in fw_account.ALGORITHMS:
        shown = algorithm if algorithm.isprintable() and len(algorithm) <= 16 else _("this one")
        known = [known.upper() for known in fw_account.ALGORITHMS]
        raise InputError(_("the hash algorithm %s is not supported; the token uses %s or %s")
                         % (shown.upper() or _("(empty)"), ", ".join(known[:-1]), known[-1]))
    return name


def _checked_number(value: int | str, what: str, low: int, high: int, expected: str) -> int:
    if isinstance(value, str):
        text = value.strip()
        number = int(text) if text.isascii() and text.isdigit() else None
    else:
        number = value if isinstance(value, int) and not isinstance(value, bool) else None
    if number is None or not low <= number <= high:
        shown = str(value).strip()
        if shown and shown.isprintable() and len(shown) <= 12:
            raise InputError(_("%s must be %s, not %s") % (what, expected, shown))
        raise InputError(_("%s must be %s") % (what, expected))
    return number
