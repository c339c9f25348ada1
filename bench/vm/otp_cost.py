"""On the MicroPython VM: microseconds per code of the firmware's otp.CodeGenerator, as the token uses it.

Arguments: KEYS (hex, comma-separated) FIRST_UNIX_TIME COUNT REPEAT. One generator per key (the token builds
one per account shown), then consecutive 30 s steps. Prints one JSON line: the per-code times of each repeat,
the cost of building a generator, and some codes for the host to check against pyotp.
"""

import json
import sys
import time
from binascii import unhexlify

import otp


def per_code_us(generators, first, per_key):
    start = time.ticks_us()
    for generator in generators:
        moment = first
        for _ in range(per_key):
            generator.code(moment)
            moment += 30
    return time.ticks_diff(time.ticks_us(), start) / (per_key * len(generators))


def setup_us(keys, rounds):
    start = time.ticks_us()
    for _ in range(rounds):
        for key in keys:
            otp.CodeGenerator(key)
    return time.ticks_diff(time.ticks_us(), start) / (rounds * len(keys))


def main():
    keys = [unhexlify(k) for k in sys.argv[1].split(",")]
    first, count, repeat = int(sys.argv[2]), int(sys.argv[3]), int(sys.argv[4])
    per_key = max(1, count // len(keys))
    generators = [otp.CodeGenerator(key) for key in keys]  # SHA-1, 6 digits, 30 s: Ügyfélkapu+
    runs = [per_code_us(generators, first, per_key) for _ in range(repeat)]
    setups = [setup_us(keys, 20) for _ in range(repeat)]
    checks = [[g.code(first), g.code(first + 30 * (per_key - 1))] for g in generators]
    print(json.dumps({"per_code_us": runs, "setup_us": setups, "per_key": per_key, "codes": checks}))


main()
