"""A token runs for months: the code it computes every second must stay right and must not eat the heap.
Runs on CPython and on the MicroPython VM the token runs (the heap is only measured there)."""

import json
import random

import pytest
import reference
from conftest import BOARDS

# An ESP32 without PSRAM leaves MicroPython ~110 KiB; the unix port's objects take about twice the room.
HEAP = "256k"
TOLERANCE = 64  # bytes: the heap must come back to where it was, give or take an allocator rounding
_MOD = (1 << 31) - 1
_rng = random.Random(5)


def expected(key, algorithm, digits, period, unix):
    return reference.code(key, unix, algorithm, digits, period)


def fold(codes):
    """The checksum stress_cases.py prints: every code, in order."""
    checksum = 0
    for code in codes:
        checksum = (checksum * 1000003 + int(code)) % _MOD
    return checksum


CASES = {
    # Ügyfélkapu+: an 80-bit key, SHA-1, 6 digits, 30 s; ten thousand steps from 2026 on.
    "ugyfelkapu": ("sha1", 6, 30, bytes(_rng.randrange(256) for _ in range(10)), 1767225600, 10000),
    # Across the 2038 boundary (2**31 s), where a 32-bit time would wrap.
    "sha256-2038": ("sha256", 8, 60, bytes(_rng.randrange(256) for _ in range(32)), 2**31 - 5000 * 60, 10000),
    # Pure-Python SHA-512 on the token (~3 ms a code on a PC): fewer steps keep the test short.
    "sha512": ("sha512", 10, 45, bytes(_rng.randrange(256) for _ in range(64)), 1767225600, 1000),
}


@pytest.mark.parametrize("case", CASES.values(), ids=CASES.keys())
def test_thousands_of_consecutive_codes_are_right_and_leave_the_heap_as_it_was(vm, case):
    algorithm, digits, period, key, first, count = case
    proc = vm.run("stress_cases.py", "codes", algorithm, str(digits), str(period), key.hex(), str(first),
                  str(count), heap=HEAP)
    out = json.loads(proc.stdout)
    times = [first + i * period for i in range(count)]
    assert out["checksum"] == fold(expected(key, algorithm, digits, period, t) for t in times)
    for index, code in out["sample"].items():
        assert code == expected(key, algorithm, digits, period, times[int(index)]), index
    if vm.name == "micropython":
        assert out["lost"] <= TOLERANCE, "%d bytes of heap gone after %d codes" % (out["lost"], count)


def test_ten_thousand_seconds_of_the_code_screen_leave_the_heap_as_it_was(vm):
    count = 10000
    proc = vm.run("stress_cases.py", "screen", str(count), extra_path=[BOARDS / "sim"], heap=HEAP, timeout=300)
    out = json.loads(proc.stdout)
    key = b"12345678901234567890"
    first = 1767225600
    assert out["checksum"] == fold(expected(key, "sha1", 6, 30, t) for t in range(first, first + count))
    assert out["frames"] == count  # every second reached the panel
    assert out["panel_matches"] and out["lit"] > 500  # and the last one arrived whole
    if vm.name == "micropython":
        assert out["lost"] <= TOLERANCE, "%d bytes of heap gone after %d screens" % (out["lost"], count)
