"""What the token and the host say to each other: request kinds, replies, error codes and the field layouts
of each payload, with pack()/unpack(). How the bytes travel (frames, CRC) is frames.py.

These two files are the only definition of the protocol: the firmware imports them, and so does the host
tool. The token needs this one at boot too (its vault stores accounts in the ACCOUNT layout); frames.py is
loaded only when the host talks.
"""

import struct

try:
    from micropython import const
except ImportError:  # CPython: the host imports this file too
    def const(value):  # type: ignore[misc]
        return value

PROTOCOL = const(1)

# Requests (host -> token).
HELLO = const(0x01)  # -> JSON info; also forgets the cached reply of the last write
LIST = const(0x02)  # u16 index -> u16 total + META of that account (no META past the end)
ADD = const(0x03)  # u8 flags + ACCOUNT -> u16 accounts stored
RENAME = const(0x04)  # issuer, label, new label
DELETE = const(0x05)  # issuer, label
WIPE = const(0x06)  # the bytes WIPE_CONFIRM
TIME_GET = const(0x07)  # u8 flags (EDGE: answer just after the clock's next second starts) -> TIME
TIME_SET = const(0x08)  # TIME_SET_FMT
CHECK = const(0x09)  # issuer, label, code -> u8 match, i8 step skew (0 when no match)
MAINTENANCE = const(0x0A)  # -> OK once a person presses a button on the token; then the REPL opens

# Replies (token -> host); RID echoes the request.
OK = const(0x80)
ERROR = const(0x81)  # u8 error code + short ASCII detail

# Error codes; the host turns each into one sentence.
E_MALFORMED = const(1)
E_UNKNOWN = const(2)
E_INVALID = const(3)
E_EXISTS = const(4)
E_NOT_FOUND = const(5)
E_FULL = const(6)
E_CLOCK_LOST = const(7)
E_STORAGE = const(8)
E_DENIED = const(9)
E_BUSY = const(10)

ADD_REPLACE = const(1)
TIME_EDGE = const(1)
WIPE_CONFIRM = b"WIPE ALL ACCOUNTS"

ALGORITHMS = ("sha1", "sha256", "sha512")

# Field layouts for pack()/unpack(): B H I Q i q as in struct (little-endian), s = short UTF-8 string,
# y = short byte string (each with a one-byte length).
ACCOUNT = "BBIssy"  # algorithm index, digits, period, issuer, label, secret
META = "BBIss"  # the same without the secret: what LIST may reveal
NAME = "ss"  # issuer, label
RENAME_FMT = "sss"
CHECK_FMT = "sss"  # issuer, label, code
TIME = "qqBiq"  # corrected unix seconds, the chip's raw reading, clock lost (0/1), drift in ppb, last sync
TIME_SET_FMT = "qBi"  # unix seconds, u8 flags (SET_DRIFT), drift correction in ppb
SET_DRIFT = const(1)


def pack(fmt, *values):
    """Encode values by a field layout (see above) into bytes."""
    out = bytearray()
    for code, value in zip(fmt, values):
        if code == "s" or code == "y":
            raw = value.encode() if code == "s" else bytes(value)
            if len(raw) > 255:
                raise ValueError("field too long")
            out.append(len(raw))
            out.extend(raw)
        else:
            out.extend(struct.pack("<" + code, value))
    return bytes(out)


def unpack(fmt, payload):
    """Decode a payload by a field layout; ValueError when it does not fit exactly."""
    values = []
    at = 0
    for code in fmt:
        if code == "s" or code == "y":
            if at >= len(payload):
                raise ValueError("payload too short")
            end = at + 1 + payload[at]
            if end > len(payload):
                raise ValueError("payload too short")
            raw = bytes(payload[at + 1:end])
            values.append(raw.decode() if code == "s" else raw)
            at = end
        else:
            size = struct.calcsize(code)
            if at + size > len(payload):
                raise ValueError("payload too short")
            values.append(struct.unpack_from("<" + code, payload, at)[0])
            at += size
    if at != len(payload):
        raise ValueError("payload too long")
    return values
