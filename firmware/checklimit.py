"""How many wrong codes the pairing check (CHECK) takes: at most LIMIT in any WINDOW_S seconds, by the token's
clock, remembered on the flash so that a restart does not buy more guesses. Plenty for typos, far too few to
guess a code with. Loaded with the service (a token that only shows codes never needs it).
"""

import os
import struct

from micropython import const

LIMIT = const(5)
WINDOW_S = const(60)  # a sliding window: any 60 s hold at most LIMIT wrong codes


class Misses:
    """The unix times of the latest wrong codes, in a file (read at the first use)."""

    def __init__(self, path="checks.bin"):
        self.path = path
        self._times = None  # type: list | None

    def full(self, now):
        """Were there LIMIT wrong codes in the window before `now`? A miss "in the future" (the clock was set
        back since) still counts: setting the clock must not buy guesses either."""
        times = self._times
        if times is None:
            try:
                with open(self.path, "rb") as f:
                    data = f.read()
                count = min(len(data) // 8, LIMIT)
                times = list(struct.unpack("<%dq" % count, data[:count * 8])) if count else []
            except OSError:
                times = []
        times = [t for t in times if now - t < WINDOW_S]
        self._times = times
        return len(times) >= LIMIT

    def add(self, now):
        """Record a wrong code at `now`, on the flash before it returns; only after full(now) said False."""
        times = self._times or []  # full() read them
        times.append(now)
        self._times = times
        data = struct.pack("<%dq" % len(times), *times)
        with open(self.path + ".tmp", "wb") as f:  # temp and rename: a power cut leaves old or new
            f.write(data)
        os.rename(self.path + ".tmp", self.path)
