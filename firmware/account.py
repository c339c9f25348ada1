"""One account as the token holds it: its fields, their limits, and its record — the bytes the host sends, the
vault stores and the app decodes. Pure: imports on the board, on the unix port and on the host (which checks an
account with these same limits before it ever reaches a token).

Record:  ALGORITHM(u8, index in ALGORITHMS) | DIGITS(u8) | PERIOD(u32 LE) | ISSUER | LABEL | SECRET
where each of the last three is LEN(u8) + bytes (issuer and label UTF-8). Everything before the secret is the
account's public part: what a listing may show.
"""

import struct

from micropython import const

ALGORITHMS = ("sha1", "sha256", "sha512")
MIN_DIGITS = const(6)
MAX_DIGITS = const(10)
MAX_PERIOD = const(0xFFFFFFFF)
MAX_NAME = const(64)  # bytes of UTF-8, for the label and for the issuer
MAX_SECRET = const(64)  # bytes: HMAC's block for SHA-1/256; longer keys are stored hashed by the host
_NAMES = const(6)  # where the issuer starts: after algorithm, digits, period


class Invalid(ValueError):
    """An account the token cannot hold; the message says which field and why, in a few words."""


def check(algorithm, digits, period, issuer, label, secret):
    """Raise Invalid unless these are settings and names the token can hold."""
    if algorithm not in ALGORITHMS:
        raise Invalid("algorithm must be sha1, sha256 or sha512")
    if not MIN_DIGITS <= digits <= MAX_DIGITS:
        raise Invalid("digits must be %d to %d" % (MIN_DIGITS, MAX_DIGITS))
    if not 0 < period <= MAX_PERIOD:
        raise Invalid("period must be 1 s or more")
    if not label:
        raise Invalid("label is empty")
    if len(label.encode()) > MAX_NAME or len(issuer.encode()) > MAX_NAME:
        raise Invalid("label and issuer take at most %d bytes" % MAX_NAME)
    if not 0 < len(secret) <= MAX_SECRET:
        raise Invalid("secret must be 1 to %d bytes" % MAX_SECRET)


def encode(algorithm, digits, period, issuer, label, secret):
    """The record of a checked account (Invalid if it cannot be held)."""
    check(algorithm, digits, period, issuer, label, secret)
    issuer = issuer.encode()
    label = label.encode()
    return (struct.pack("<BBI", ALGORITHMS.index(algorithm), digits, period)
            + bytes((len(issuer),)) + issuer + bytes((len(label),)) + label + bytes((len(secret),)) + secret)


def _split(record):
    """Offsets of the label's and the secret's length bytes; Invalid when the record does not fit exactly."""
    size = len(record)
    if size < _NAMES + 3:
        raise Invalid("record too short")
    at_label = _NAMES + 1 + record[_NAMES]
    if at_label >= size:
        raise Invalid("record too short")
    at_secret = at_label + 1 + record[at_label]
    if at_secret >= size or at_secret + 1 + record[at_secret] != size:
        raise Invalid("record length mismatch")
    return at_label, at_secret


def decode(record):
    """(algorithm, digits, period, issuer, label, secret) of a record; Invalid if it is not a holdable one."""
    at_label, at_secret = _split(record)
    index, digits, period = struct.unpack_from("<BBI", record, 0)
    if index >= len(ALGORITHMS):
        raise Invalid("algorithm must be sha1, sha256 or sha512")
    try:
        issuer = bytes(record[_NAMES + 1:at_label]).decode()
        label = bytes(record[at_label + 1:at_secret]).decode()
    except UnicodeError:
        raise Invalid("label and issuer must be UTF-8") from None
    fields = (ALGORITHMS[index], digits, period, issuer, label, bytes(record[at_secret + 1:]))
    check(*fields)
    return fields


def name(record):
    """(issuer, label) of a stored record, without touching its secret."""
    at_label = _NAMES + 1 + record[_NAMES]
    issuer = bytes(record[_NAMES + 1:at_label]).decode()
    return issuer, bytes(record[at_label + 1:at_label + 1 + record[at_label]]).decode()


def public(record):
    """The record up to its secret: what a listing may reveal."""
    return record[:_split(record)[1]]


def decode_public(part):
    """(algorithm, digits, period, issuer, label) of a record's public part, as LIST sends it."""
    return decode(part + b"\x01\x00")[:5]


def display_name(issuer, label):
    """How people name an account: "Issuer:label", or the label alone when there is no issuer."""
    return issuer + ":" + label if issuer else label
