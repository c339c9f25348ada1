"""What the token and the host say to each other: request kinds, error codes, and LAYOUTS, the table of each
request's and reply's fields, with one encode and one decode for both sides. How the bytes travel (frames, CRC)
is frames.py; what an account's record holds is account.py.

These files are the only definition of the protocol: the firmware imports them, and so does the host tool. The
token loads this one with the service, when the host first talks: a token that only shows codes never needs it.
"""

import struct

from micropython import const

PROTOCOL = const(2)  # 2: WAIT replies while the token asks the person holding it

# Requests (host -> token).
HELLO = const(0x01)  # -> JSON info; also forgets the cached reply of the last write
LIST = const(0x02)  # index -> total, the public part of that account's record (b"" past the end)
ADD = const(0x03)  # flags (ADD_REPLACE), record (account.py) -> accounts stored
RENAME = const(0x04)  # issuer, label, new label
DELETE = const(0x05)  # issuer, label
WIPE = const(0x06)  # the bytes WIPE_CONFIRM
TIME_GET = const(0x07)  # flags (TIME_EDGE: answer just after the clock's next second starts) -> the time
TIME_SET = const(0x08)  # unix seconds, flags (SET_DRIFT), drift correction in ppb
CHECK = const(0x09)  # issuer, label, code -> match (0/1), step skew (0 when no match)
MAINTENANCE = const(0x0A)  # -> OK once a person allows it on the token; then the REPL opens
# The language of the token's screens ("en", "hu"); HELLO's "language" says which is set (null: never). Newer than
# firmware 0.3.0, within protocol 2: an older token answers E_UNKNOWN, and the host asks for a deploy for this
# alone (everything else still works with it, so the protocol number stays).
LANGUAGE = const(0x0B)
# WIPE, DELETE, RENAME, ADD over an existing account and TIME_SET moving a valid clock by more than 5 minutes are
# done only once the person holding the token allows them there (a hold of key A); MAINTENANCE too.

# Replies (token -> host); RID echoes the request.
OK = const(0x80)
ERROR = const(0x81)  # u8 error code + short ASCII detail
# Not the answer yet: the token asks the person holding it (payload: seconds left to answer, u8), or it works on
# the request (a write, an erase: seconds left 0, then u8 job, u16 done, u16 total, little-endian: WORK_* below).
# Sent at once and then about every second until OK or ERROR; the host waits on, and does not send the request
# again.
WAIT = const(0x82)
WORK_WRITE = const(1)  # writing the accounts: done, total in accounts (vault.WRITING)
WORK_ERASE = const(2)  # erasing the freed flash: done, total in 4 KiB blocks (vault.ERASING)

# Error codes; the host turns each into one sentence. Each is one the firmware sends.
E_MALFORMED = const(1)  # the payload does not fit the request's layout
E_UNKNOWN = const(2)  # no such request kind
E_INVALID = const(3)  # an account the token cannot hold; the detail says why ("digits must be 6 to 10")
E_EXISTS = const(4)
E_NOT_FOUND = const(5)
E_FULL = const(6)
E_CLOCK_LOST = const(7)  # a request that needs the time (CHECK) while the clock is lost
E_STORAGE = const(8)
E_DENIED = const(9)  # the person holding the token refused (or did not answer): nothing was changed
E_BUSY = const(10)  # refused for now (too many wrong codes for CHECK); the detail says why
E_AGAIN = const(11)  # the token is busy with another request (asking about it, writing, erasing): send it again

ADD_REPLACE = const(1)
TIME_EDGE = const(1)
SET_DRIFT = const(1)
WIPE_CONFIRM = b"WIPE ALL ACCOUNTS"

# The protocol as a table: kind -> (request layout, reply layout, changes the token?). A layout is a string of
# field codes: B H I Q b i q as in struct (little-endian), s = short UTF-8 string, y = short byte string (each
# with a one-byte length), r = the rest of the payload as bytes (last only). A request that changes the token is
# answered once per request id: a retry gets the cached reply, never a second run.
TIME = "qqBiq"  # corrected unix seconds, the chip's raw reading, clock lost (0/1), drift in ppb, last sync
LAYOUTS = {
    HELLO: ("", "r", False),
    LIST: ("H", "Hr", False),
    ADD: ("Br", "H", True),
    RENAME: ("sss", "", True),
    DELETE: ("ss", "", True),
    WIPE: ("r", "", True),
    TIME_GET: ("B", TIME, False),
    TIME_SET: ("qBi", "", True),
    CHECK: ("sss", "Bb", False),
    MAINTENANCE: ("", "", False),
    LANGUAGE: ("s", "", True),
}


def request(kind, *values):
    """The payload of a request of this kind."""
    return pack(LAYOUTS[kind][0], *values)


def reply(kind, *values):
    """The payload of the OK reply to a request of this kind."""
    return pack(LAYOUTS[kind][1], *values)


def read_request(kind, payload):
    """The fields of a request's payload; ValueError when it does not fit its layout."""
    return unpack(LAYOUTS[kind][0], payload)


def read_reply(kind, payload):
    """The fields of an OK reply's payload; ValueError when it does not fit its layout."""
    return unpack(LAYOUTS[kind][1], payload)


def pack(fmt, *values):
    """Encode values by a field layout (see above) into bytes."""
    out = bytearray()
    for code, value in zip(fmt, values):
        if code == "r":
            out.extend(value)
        elif code == "s" or code == "y":
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
    values = []  # type: list
    at = 0
    for code in fmt:
        if code == "r":
            values.append(bytes(payload[at:]))
            at = len(payload)
        elif code == "s" or code == "y":
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
