"""Print whether firmware/sha512.py is loaded after a SHA-1 code, then after a SHA-512 code."""

import sys

import otp

otp.totp(b"12345678901234567890", 59)
print("sha512" in sys.modules)
otp.totp(b"12345678901234567890", 59, algorithm="sha512")
print("sha512" in sys.modules)
