"""The USB link between token and host: small checked frames, one request in flight at a time.

This file is the only definition of the wire format: the firmware imports it, and so does the host tool.

A frame is  SOF(2) | LEN(1) | KIND(1) | RID(2, LE) | PAYLOAD | CRC32(4, LE)  where LEN counts KIND+RID+PAYLOAD and
the CRC covers LEN..PAYLOAD. A whole frame stays under the ESP32's ~260-byte stdin ring buffer, and the host
waits for each reply before it sends the next request, so the buffer never overflows. Anything that is not a
valid frame (boot messages, line noise, Ctrl-C) is skipped byte by byte until a frame checks out.
"""

import struct
from binascii import crc32

try:
    from micropython import const
except ImportError:  # CPython: the host imports this file too
    def const(value):  # type: ignore[misc]
        return value

PROTOCOL = const(1)
SOF = b"\xf5\x7e"
_HEAD = const(3)  # SOF + LEN
_MIN_BODY = const(3)  # KIND + RID
MAX_BODY = const(224)
MAX_FRAME = const(231)  # _HEAD + MAX_BODY + 4 (CRC)
MAX_PAYLOAD = const(221)  # MAX_BODY - _MIN_BODY

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


def frame(kind, rid, payload=b""):
    """One frame, ready to write to the serial line."""
    if len(payload) > MAX_PAYLOAD:
        raise ValueError("payload too long")
    body = struct.pack("<BBH", _MIN_BODY + len(payload), kind, rid & 0xFFFF) + payload
    return SOF + body + struct.pack("<I", crc32(body) & 0xFFFFFFFF)


class Deframer:
    """Finds valid frames in a byte stream that may hold noise, cut frames and other chatter.

    Holds at most one frame's worth of bytes; after a bad CRC it restarts the search one byte later, so a
    frame that began inside the garbage is still found.
    """

    def __init__(self):
        self._buf = bytearray(MAX_FRAME)
        self._n = 0

    def pending(self):
        """Number of bytes held that may be the start of a frame."""
        return self._n

    def drop_partial(self):
        """Give up on the frame being collected (called when the line went quiet in mid-frame)."""
        if not self._n:
            return []
        self._shift(1)
        return self._scan()

    def feed(self, data):
        """Take bytes from the line; return the list of (kind, rid, payload) frames they completed."""
        found = []
        for byte in data:
            if self._n == MAX_FRAME:
                self._shift(1)
                found.extend(self._scan())
            self._buf[self._n] = byte
            self._n += 1
            if self._n >= _HEAD:
                found.extend(self._scan())
            elif self._n == 1 and byte != SOF[0]:
                self._n = 0
            elif self._n == 2 and byte != SOF[1]:
                self._shift(1)
        return found

    def _shift(self, count):
        buf = self._buf
        buf[0:self._n - count] = buf[count:self._n]
        self._n -= count

    def _scan(self):
        found = []
        buf = self._buf
        while self._n:
            start = 0
            while start < self._n and not (buf[start] == SOF[0] and (start + 1 == self._n or buf[start + 1] == SOF[1])):
                start += 1
            if start:
                self._shift(start)
                continue
            if self._n < _HEAD:
                break
            length = buf[2]
            if length < _MIN_BODY or length > MAX_BODY:
                self._shift(1)
                continue
            total = _HEAD + length + 4
            if self._n < total:
                break
            end = _HEAD + length
            want = buf[end] | buf[end + 1] << 8 | buf[end + 2] << 16 | buf[end + 3] << 24
            if crc32(memoryview(buf)[2:end]) & 0xFFFFFFFF == want:
                found.append((buf[3], buf[4] | buf[5] << 8, bytes(buf[6:end])))
                self._shift(total)
            else:
                self._shift(1)
        return found
