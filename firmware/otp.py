"""One-time codes: HOTP (RFC 4226) and TOTP (RFC 6238) with HMAC-SHA1, -SHA256 or -SHA512.

Pure: no clock, no pins; the caller passes the unix time. Runs unchanged on CPython and MicroPython.
HMAC is written here because the board has no ``hmac`` module. Its hash objects cannot be copied
(and refuse ``update()`` after ``digest()``), so what is precomputed per account are the two
key-XOR-pad blocks, not hash states: each code then costs exactly two hash objects. Each pad sits at the
start of a buffer with room for the message after it (the counter, then the inner digest), so a code is
two one-shot hash calls and five small allocations: on the board the garbage collector is most of the cost.
"""

import hashlib
import struct

import micropython
from account import MAX_DIGITS, MIN_DIGITS  # the limits of an account (loaded at boot anyway)

_MAX_STEP = 0xFFFFFFFFFFFFFFFF  # the moving factor is an 8-byte unsigned counter (RFC 4226 5.2)


def _hash_for(algorithm):
    """Return (hash constructor, block size in bytes) for an algorithm name."""
    if algorithm == "sha1":
        return hashlib.sha1, 64
    if algorithm == "sha256":
        return hashlib.sha256, 64
    if algorithm == "sha512":
        built_in = getattr(hashlib, "sha512", None)
        if built_in is None:
            # Imported only when an account needs it: the ESP32 has no SHA-512, and most accounts are SHA-1.
            from sha512 import sha512 as built_in
        return built_in, 128
    raise ValueError("algorithm must be 'sha1', 'sha256' or 'sha512'")


class CodeGenerator:
    """The codes of one account: the secret's HMAC pad blocks prepared once, then two hash calls per code.

    Holds no key, only the two pad blocks (64 bytes each, 128 for SHA-512) and never shows them in its repr.
    """

    __slots__ = ("algorithm", "digits", "period", "_hash", "_block", "_inner", "_outer", "_tail", "_modulus",
                 "_format")

    def __init__(self, key, algorithm="sha1", digits=6, period=30):
        """Prepare codes for ``key`` (bytes, at least one) with the account's algorithm, digits and period.

        Raises ValueError for an empty key, an unknown algorithm, digits outside 6..10 or a period below 1.
        """
        if not isinstance(key, (bytes, bytearray)):
            raise TypeError("key must be bytes")
        if not key:
            raise ValueError("key must not be empty")
        if not isinstance(digits, int) or not MIN_DIGITS <= digits <= MAX_DIGITS:
            raise ValueError("digits must be %d to %d" % (MIN_DIGITS, MAX_DIGITS))
        if not isinstance(period, int) or period < 1:
            raise ValueError("period must be a whole number of seconds, at least 1")
        new_hash, block = _hash_for(algorithm)
        if len(key) > block:
            # RFC 2104: a key longer than the hash block is replaced by its hash.
            key = new_hash(key).digest()
        # The pads are XORed as one big integer each: in C, several times faster than a byte loop on the
        # board, which matters because the account's generator is rebuilt on every wake.
        padded = int.from_bytes(key, "big") << 8 * (block - len(key))  # key, then zeros to the block
        ones = ((1 << 8 * block) - 1) // 0xFF  # 0x0101...01: one 0x01 per byte of the block
        size = len(new_hash(b"").digest())
        # inner pad | 8-byte counter, and outer pad | inner digest: each message whole in one buffer.
        self._inner = bytearray((padded ^ ones * 0x36).to_bytes(block, "big") + bytes(8))
        self._outer = bytearray((padded ^ ones * 0x5C).to_bytes(block, "big") + bytes(size))
        self._tail = memoryview(self._outer)[block:]
        self._block = block
        self.algorithm = algorithm
        self.digits = digits
        self.period = period
        self._hash = new_hash
        self._modulus = 10 ** digits
        self._format = "%%0%dd" % digits

    def __repr__(self):
        return "<CodeGenerator %s, %d digits, %d s>" % (self.algorithm, self.digits, self.period)

    def at_step(self, step):
        """Return the code for counter ``step`` (0..2**64-1) as a zero-padded string: HOTP."""
        if not isinstance(step, int) or not 0 <= step <= _MAX_STEP:
            raise ValueError("counter must be 0 to 2**64-1")
        return self.code(step * self.period)  # the TOTP of the first second of that step

    def step(self, unix_time):
        """Return the TOTP time step holding ``unix_time`` (seconds since 1970-01-01 UTC, int or float)."""
        if unix_time < 0:
            raise ValueError("time must not be before 1970")
        step = int(unix_time) // self.period
        if step > _MAX_STEP:
            raise ValueError("time is beyond the last step (2**64-1)")
        return step

    @micropython.native  # machine code: 40 % faster on the board, which wakes to compute exactly this
    def code(self, unix_time):
        """Return the TOTP code at ``unix_time`` (seconds since 1970-01-01 UTC).

        The token's hot path, every second for the code on screen: one method call, no helpers."""
        step = int(unix_time) // self.period
        if step < 0 or step >> 64:  # (not `> _MAX_STEP`: a big-int compare every second)
            self.step(unix_time)  # raises the precise error
        inner = self._inner
        new_hash = self._hash
        struct.pack_into(">Q", inner, self._block, step)
        self._tail[:] = new_hash(inner).digest()
        mac = new_hash(self._outer).digest()
        # Dynamic truncation (RFC 4226 5.3): 31 bits from the offset named by the low nibble of the last byte.
        offset = mac[-1] & 0x0F
        return self._format % (((mac[offset] & 0x7F) << 24 | mac[offset + 1] << 16 | mac[offset + 2] << 8
                                | mac[offset + 3]) % self._modulus)

    def remaining(self, unix_time):
        """Return the whole seconds the code at ``unix_time`` stays valid (1..period)."""
        return self.period - int(unix_time) % self.period


def hotp(key, counter, digits=6, algorithm="sha1"):
    """Return the RFC 4226 HOTP code of ``key`` (bytes) at ``counter`` as a string of ``digits`` digits."""
    return CodeGenerator(key, algorithm, digits).at_step(counter)


def totp(key, unix_time, period=30, digits=6, algorithm="sha1"):
    """Return the RFC 6238 TOTP code of ``key`` (bytes) at ``unix_time`` (seconds since 1970 UTC)."""
    return CodeGenerator(key, algorithm, digits, period).code(unix_time)
