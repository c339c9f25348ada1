"""Hash JSON-line cases with firmware/sha512.py, print one JSON line per case (runs on CPython and MicroPython).

A case: {"hex": data} or {"repeat": "a", "count": n} (the data is the text repeated), optional "chunks": a list
of piece sizes fed to update() one after another (the rest follows in one piece), optional "peek": true to
call digest() after each piece, as a caller may. A result: {"digest": hex, "peeks": [hex, ...]}.
"""

import binascii
import json

from sha512 import sha512
from vmcase import cases


def run(case):
    if "hex" in case:
        data = binascii.unhexlify(case["hex"])
    else:
        data = case["repeat"].encode() * case["count"]
    view = memoryview(data)
    chunks = case.get("chunks", [])
    hash = sha512(view[:chunks[0]]) if chunks else sha512()
    pos = chunks[0] if chunks else 0
    peeks = []
    for size in chunks[1:] + [len(data)]:
        if case.get("peek"):
            peeks.append(binascii.hexlify(hash.digest()).decode())
        hash.update(view[pos:pos + size])
        pos += size
    return {"digest": binascii.hexlify(hash.digest()).decode(), "peeks": peeks}


def main():
    for case in cases():
        print(json.dumps(run(case)))


main()
