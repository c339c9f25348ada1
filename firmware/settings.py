"""The token's own settings, apart from accounts and clock: for now the language its text screens speak.

File layout:  LANGUAGE(2 ASCII bytes, "en" or "hu") | CRC32(4 LE) of them.

A tiny file written as the vault is (temp file, close, rename over): LittleFS renames atomically, so a power cut
leaves the old setting or the new one. A file that is missing, damaged or names a language this firmware does
not speak counts as never set, which the screens show in English: a setting never hides the codes or stops the
token.

Read only when a text screen is drawn or the host asks (HELLO): the code screen has no words.
"""

import os
import struct
from binascii import crc32

LANGUAGES = ("en", "hu")
_FILE = "settings.bin"


def language(path=_FILE):
    """"en" or "hu" as set with `totpfob language`, or None when it never was (or its file is unreadable)."""
    try:
        with open(path, "rb") as f:
            data = f.read(8)
    except OSError:
        return None
    if len(data) != 6 or crc32(data[:2]) & 0xFFFFFFFF != struct.unpack("<I", data[2:])[0]:
        return None
    code = data[:2].decode()
    return code if code in LANGUAGES else None


def set_language(code, path=_FILE):
    """Store the language the screens speak from now on, on the flash before it returns; ValueError for one
    this firmware does not speak."""
    if code not in LANGUAGES:
        raise ValueError("language")
    data = code.encode()
    temp = path + ".tmp"
    with open(temp, "wb") as f:
        f.write(data + struct.pack("<I", crc32(data) & 0xFFFFFFFF))
    os.rename(temp, path)
