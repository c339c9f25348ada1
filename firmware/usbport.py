"""The USB serial line as the firmware sees it: MicroPython's stdin/stdout, read without ever blocking.

sys.stdin.buffer is read one byte at a time while select.poll says a byte is waiting: a bigger read could block
the main loop until the host sent that many bytes.
"""

import select
import sys


class Port:
    def __init__(self, limit=96):
        self._in = sys.stdin.buffer
        self._out = sys.stdout.buffer
        self._poll = select.poll()
        self._poll.register(sys.stdin, select.POLLIN)
        self._buf = bytearray(limit)
        self._byte = bytearray(1)

    def read(self):
        """Whatever bytes are waiting (up to the buffer size), or b"" at once when there are none."""
        n = 0
        while n < len(self._buf) and self._poll.poll(0):
            if not self._in.readinto(self._byte):
                break
            self._buf[n] = self._byte[0]
            n += 1
        return bytes(self._buf[:n]) if n else b""

    def write(self, data):
        self._out.write(data)
        flush = getattr(self._out, "flush", None)
        if flush:
            flush()
