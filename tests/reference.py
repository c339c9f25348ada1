"""The independent reference for codes: pyotp's HMAC and truncation, fed key bytes decoded here.

pyotp refuses keys under 112 bits as base32 (Ügyfélkapu+ issues 80-bit keys) and periods over 120 s, so its
classes get the key bytes through `byte_secret` and the period set after construction. Every test that checks a
code against pyotp uses these (demo.py keeps its own copy: it ships in the package, tests/ does not).
"""

import hashlib

import pyotp


class _RawKey:
    """byte_secret() answers the key bytes given, instead of decoding the base32 text pyotp would want."""

    raw_key = b""

    def byte_secret(self) -> bytes:
        return self.raw_key


class RawKeyTOTP(_RawKey, pyotp.TOTP):
    def __init__(self, key: bytes, digits: int = 6, algorithm: str = "sha1", period: int = 30):
        self.raw_key = key
        super().__init__("", digits=digits, digest=getattr(hashlib, algorithm.lower()))
        self.interval = period  # after __init__: pyotp itself allows at most 120 s


class RawKeyHOTP(_RawKey, pyotp.HOTP):
    def __init__(self, key: bytes, digits: int = 6, algorithm: str = "sha1"):
        self.raw_key = key
        super().__init__("", digits=digits, digest=getattr(hashlib, algorithm.lower()))


def code(key: bytes, unix: float, algorithm: str = "sha1", digits: int = 6, period: int = 30) -> str:
    """pyotp's TOTP code for the key at a unix time (no local-time conversion on the way)."""
    return RawKeyTOTP(key, digits, algorithm, period).generate_otp(int(unix) // period)


def codes_around(key: bytes, t: float, algorithm: str = "sha1", digits: int = 6, period: int = 30,
                 back: int = 1) -> set:
    """pyotp's codes for a screen drawn at host time t or up to `back` seconds before (the step may turn
    while it is drawn)."""
    return {code(key, t - seconds, algorithm, digits, period) for seconds in range(back + 1)}
