"""Google Authenticator's "Transfer accounts → Export": ``otpauth-migration://offline?data=<base64 protobuf>``.

The MigrationPayload is decoded by the small reader of the protobuf wire format below rather than the protobuf
library: the message is five flat fields and a list of seven, the reader is shorter than a descriptor built in
code, it adds no dependency, and every way the bytes can be damaged ends in one BadInput line of our own.
A big export is several QR codes, one batch: each part says its index, the batch's size and id (join()).
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from urllib.parse import unquote

from ..i18n import N_, _
from . import BadInput, Entry, b64, entry, split_uri

_ALGORITHMS = {0: "sha1", 1: "sha1", 2: "sha256", 3: "sha512", 4: "md5"}
_DIGITS = {0: 6, 1: 6, 2: 8}
_KINDS = {0: "totp", 1: "hotp", 2: "totp"}
_DAMAGED = N_("the Google Authenticator export is damaged (its data does not decode); export it again")


@dataclass(frozen=True)
class Part:
    """One QR code of an export: its entries and its place in the batch."""

    entries: list[Entry]
    index: int  # 0-based
    size: int
    batch: int


def part(uri: str) -> Part:
    """Decode one otpauth-migration URI."""
    parts = split_uri(uri)
    if parts.netloc.lower() != "offline":
        raise BadInput(_("this otpauth-migration URI is not an offline export"))
    data = [value for name, _, value in (pair.partition("=") for pair in parts.query.split("&")) if name == "data"]
    if len(data) != 1 or not data[0]:
        raise BadInput(_("the Google Authenticator export has no data= parameter"))
    # unquote, never unquote_plus: the base64 may hold a literal '+' that is not a space.
    payload = b64(unquote(data[0]).strip(), _("export's data"))
    entries, index, size, batch = [], 0, 1, 0
    for number, value in _fields(payload):
        if number == 1 and isinstance(value, bytes):
            entries.append(_account(value))
        elif number == 3 and isinstance(value, int):
            size = value
        elif number == 4 and isinstance(value, int):
            index = value
        elif number == 5 and isinstance(value, int):
            batch = value
    size = max(size, 1)
    if not 0 <= index < size:
        raise BadInput(_(_DAMAGED))
    return Part(entries, index, size, batch)


def join(parts: list[Part]) -> list[Entry]:
    """Every entry of the parts, after checking that each batch is whole and no part came twice."""
    batches: dict[int, dict[int, Part]] = {}
    for one in parts:
        seen = batches.setdefault(one.batch, {})
        if one.index in seen:
            raise BadInput(_("part %d of %d of the Google Authenticator export was given twice")
                           % (one.index + 1, one.size))
        seen[one.index] = one
    entries = []
    for seen in batches.values():
        size = max(one.size for one in seen.values())
        for index in range(size):
            if index not in seen:
                raise BadInput(_("part %d of %d of the Google Authenticator export is missing; give every QR code"
                                 " of the export") % (index + 1, size))
            entries.extend(seen[index].entries)
    return entries


def _account(message: bytes) -> Entry:
    secret, name, issuer, algorithm, digits, kind = b"", "", "", 1, 1, 2
    for number, value in _fields(message):
        if number == 1 and isinstance(value, bytes):
            secret = value
        elif number in (2, 3) and isinstance(value, bytes):
            try:
                text = value.decode("utf-8")
            except UnicodeDecodeError:
                raise BadInput(_(_DAMAGED)) from None
            name, issuer = (text, issuer) if number == 2 else (name, text)
        elif number == 4 and isinstance(value, int):
            algorithm = value
        elif number == 5 and isinstance(value, int):
            digits = value
        elif number == 6 and isinstance(value, int):
            kind = value
    label = name
    prefix, colon, rest = name.partition(":")
    if colon and (not issuer or prefix.strip() == issuer.strip()):
        issuer, label = issuer or prefix, rest  # Google keeps "Issuer:name" as the name
    return entry(secret, label, issuer, _ALGORITHMS.get(algorithm, "unknown"), _DIGITS.get(digits, digits), 30,
                 _KINDS.get(kind, "unknown"))


def _fields(data: bytes) -> Iterator[tuple[int, int | bytes]]:
    """(field number, value) of a protobuf message: ints for varints, bytes for length-delimited fields."""
    at = 0
    while at < len(data):
        key, at = _varint(data, at)
        number, wire = key >> 3, key & 7
        value: int | bytes
        if wire == 0:
            value, at = _varint(data, at)
        elif wire == 2:
            size, at = _varint(data, at)
            value, at = data[at:at + size], at + size
            if at > len(data):
                raise BadInput(_(_DAMAGED))
        elif wire in (1, 5):
            at += 8 if wire == 1 else 4
            if at > len(data):
                raise BadInput(_(_DAMAGED))
            continue
        else:
            raise BadInput(_(_DAMAGED))
        if number == 0:
            raise BadInput(_(_DAMAGED))
        yield number, value


def _varint(data: bytes, at: int) -> tuple[int, int]:
    value = shift = 0
    while True:
        if at >= len(data) or shift > 63:
            raise BadInput(_(_DAMAGED))
        byte = data[at]
        at += 1
        value |= (byte & 0x7F) << shift
        shift += 7
        if not byte & 0x80:
            return value, at
