"""The USB link between token and host: small checked frames, one request in flight at a time.

A frame is  SOF(2) | LEN(1) | KIND(1) | RID(2, LE) | PAYLOAD | CRC32(4, LE)  where LEN counts KIND+RID+PAYLOAD and
the CRC covers LEN..PAYLOAD. A whole frame stays under the ESP32's ~260-byte stdin ring buffer, and the host
waits for each reply before it sends the next request, so the buffer never overflows. Anything that is not a
valid frame (boot messages, line noise, Ctrl-C) is skipped byte by byte until a frame checks out.
What goes inside (kinds, payload layouts) is wire.py; both files are shared by the token and the host.
"""

import struct
from binascii import crc32

from micropython import const

SOF = b"\xf5\x7e"
_HEAD = const(3)  # SOF + LEN
_MIN_BODY = const(3)  # KIND + RID
MAX_BODY = const(224)
MAX_FRAME = const(231)  # _HEAD + MAX_BODY + 4 (CRC)
MAX_PAYLOAD = const(221)  # MAX_BODY - _MIN_BODY


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
