"""The serial link's frames survive a noisy line: every frame sent whole is found once, nothing else ever is,
on the token (MicroPython) and the host (CPython) alike. Field layouts pack and unpack exactly."""

import json
import random
import struct
import zlib

import frames
import wire
from conftest import VM

KEY80 = bytes.fromhex("72bb98090958c6096b4e")  # an Ügyfélkapu+-sized key (80 bits)


def run_cases(vm, cases, heap="110k"):
    """Feed cases to tests/vm/wire_cases.py on the VM (by default with an ESP32's heap); results in order."""
    proc = vm.run("wire_cases.py", input="".join(json.dumps(c) + "\n" for c in cases), heap=heap)
    results = [json.loads(line) for line in proc.stdout.splitlines()]
    assert len(results) == len(cases), proc.stderr
    return results


def spec_frame(kind, rid, payload=b""):
    """A frame built from the format's description (not by wire.frame): SOF LEN KIND RID PAYLOAD CRC32."""
    body = bytes([3 + len(payload), kind]) + struct.pack("<H", rid) + payload
    return b"\xf5\x7e" + body + struct.pack("<I", zlib.crc32(body))


def stream(*steps):
    return {"op": "stream", "steps": [s if isinstance(s, str) else s.hex() for s in steps]}


def as_found(*frames):
    """How wire_cases.py reports the frames of spec_frame() arguments."""
    return [[kind, rid, payload.hex()] for kind, rid, payload in frames]


def flat(result):
    return [f for step in result["found"] for f in step]


# (kind, rid, payload) of frames used throughout: empty, short, with SOF bytes inside, the largest allowed.
SAMPLES = [
    (wire.HELLO, 0, b""),
    (wire.OK, 0xFFFF, b"\x01\x00"),
    (wire.ADD, 0x7EF5, b"\xf5\x7e\xf5\x7e\x05" + KEY80),
    (wire.ERROR, 0x1234, bytes([wire.E_STORAGE]) + b"vault checksum mismatch"),
    (wire.LIST, 0xF57E, bytes(range(256))[:frames.MAX_PAYLOAD]),
]


def test_frames_match_the_documented_format(vm):
    cases = [{"op": "frame", "kind": k, "rid": r, "payload": p.hex()} for k, r, p in SAMPLES]
    cases.append({"op": "frame", "kind": wire.OK, "rid": 0x12345, "payload": ""})  # RID wraps to 16 bits
    cases.append({"op": "frame", "kind": wire.OK, "rid": 1, "payload": "00" * (frames.MAX_PAYLOAD + 1)})
    got = run_cases(vm, cases)
    assert [g["frame"] for g in got[:len(SAMPLES)]] == [spec_frame(*s).hex() for s in SAMPLES]
    assert got[-2] == {"frame": spec_frame(wire.OK, 0x2345).hex()}
    assert got[-1] == {"error": "ValueError"}
    assert len(spec_frame(*SAMPLES[-1])) <= frames.MAX_FRAME  # the largest frame fits the token's buffer


def test_frames_round_trip_back_to_back(vm):
    (result,) = run_cases(vm, [stream(b"".join(spec_frame(*s) for s in SAMPLES))])
    assert result == {"found": [as_found(*SAMPLES)], "pending": 0}


def test_a_frame_cut_in_two_anywhere_is_found_when_its_last_byte_arrives(vm):
    one = spec_frame(*SAMPLES[2])
    two = one + spec_frame(*SAMPLES[3])
    cases = [stream(one[:i], one[i:]) for i in range(1, len(one))]
    cases += [stream(two[:i], two[i:]) for i in range(1, len(two))]
    results = run_cases(vm, cases)
    for i, result in enumerate(results[:len(one) - 1], 1):
        assert result == {"found": [[], as_found(SAMPLES[2])], "pending": 0}, "cut at %d" % i
    for i, result in enumerate(results[len(one) - 1:], 1):
        first_done = i >= len(one)
        want = [as_found(SAMPLES[2]) if first_done else [],
                as_found(SAMPLES[3]) if first_done else as_found(SAMPLES[2], SAMPLES[3])]
        assert result == {"found": want, "pending": 0}, "cut at %d" % i


def test_chatter_before_and_between_frames_is_skipped(vm):
    boot = b"ets Jun  8 2016 00:22:57\r\nrst:0x1 (POWERON_RESET)\r\nMicroPython v1.24\r\n>>> \x03\x04"
    a, b = spec_frame(*SAMPLES[0]), spec_frame(*SAMPLES[1])
    (result,) = run_cases(vm, [stream(boot + a, boot + b + boot)])
    # Chatter without an SOF in it delays nothing: each frame is out as soon as it is complete.
    assert result == {"found": [as_found(SAMPLES[0]), as_found(SAMPLES[1])], "pending": 0}


def test_noise_inside_a_frame_loses_only_that_frame(vm):
    bad, good = spec_frame(*SAMPLES[2]), spec_frame(*SAMPLES[3])
    cases = [stream(bad[:i] + b"\x00\x13" + bad[i:] + good, "drain") for i in range(1, len(bad))]
    for result in run_cases(vm, cases):
        assert flat(result) == as_found(SAMPLES[3]) and result["pending"] == 0


def test_any_single_bit_error_is_caught_and_the_next_frame_still_found(vm):
    bad, good = bytearray(spec_frame(*SAMPLES[2])), spec_frame(*SAMPLES[1])
    cases = []
    for bit in range(len(bad) * 8):
        flipped = bytearray(bad)
        flipped[bit // 8] ^= 1 << bit % 8
        cases.append(stream(bytes(flipped) + good, "drain"))
    for bit, result in enumerate(run_cases(vm, cases)):
        assert flat(result) == as_found(SAMPLES[1]), "bit %d flipped" % bit


def test_bad_crc_then_good_frame(vm):
    bad = bytearray(spec_frame(*SAMPLES[3]))
    bad[-1] ^= 0xFF
    (result,) = run_cases(vm, [stream(bytes(bad) + spec_frame(*SAMPLES[0]))])
    assert result == {"found": [as_found(SAMPLES[0])], "pending": 0}


def test_a_bogus_header_in_garbage_holds_the_next_frame_only_until_the_line_goes_quiet(vm):
    # "F5 7E 80" promises a 128-byte body, so the good frame after it looks like part of that body...
    garbage = b"\x13\x37\xf5\x7e\x80\x02junk"
    good = spec_frame(*SAMPLES[1])
    (result,) = run_cases(vm, [stream(garbage, good, "drop")])
    # ...until the token gives up on the partial frame; then the good one inside is found.
    assert result == {"found": [[], [], as_found(SAMPLES[1])], "pending": 0}


def test_giving_up_when_nothing_is_pending_changes_nothing(vm):
    good = spec_frame(*SAMPLES[1])
    (result,) = run_cases(vm, [stream("drop-anyway", good, good)])
    assert result == {"found": [[], as_found(SAMPLES[1]), as_found(SAMPLES[1])], "pending": 0}


def _soup(rng, frames):
    """Frames with seeded noise around them: random bytes rich in SOF bytes, cut and corrupted frames."""
    out = bytearray()
    pieces = [b"\xf5", b"\x7e", b"\xf5\x7e", b"\x03", b"\x04", b"\r\n>>> "]
    for frame in frames:
        for _ in range(rng.randrange(4)):
            kind = rng.randrange(4)
            if kind == 0:
                out += rng.randbytes(rng.randrange(1, 300))
            elif kind == 1:
                out += b"".join(rng.choice(pieces) + rng.randbytes(rng.randrange(3)) for _ in range(20))
            else:
                other = spec_frame(rng.randrange(256), rng.randrange(0x10000), rng.randbytes(rng.randrange(40)))
                if kind == 2:
                    out += other[:rng.randrange(1, len(other))]  # cut short
                else:
                    spoilt = bytearray(other)
                    spoilt[rng.randrange(2, len(spoilt))] ^= 1 << rng.randrange(8)  # a bit error past the SOF
                    out += spoilt
        out += frame
    return bytes(out + rng.randbytes(rng.randrange(50)))


def _soup_case(seed):
    rng = random.Random(seed)
    sent = [(rng.randrange(256), rng.randrange(0x10000), rng.randbytes(rng.randrange(frames.MAX_PAYLOAD + 1)))
              for _ in range(12)]
    data = _soup(rng, [spec_frame(*f) for f in sent])
    steps = []
    at = 0
    while at < len(data):
        size = rng.choice((1, 2, 7, 64, 260, 1000))
        steps.append(data[at:at + size])
        at += size
    return sent, stream(*steps, "drain")


SEEDS = range(20)


def test_byte_soup_yields_exactly_the_frames_sent(vm):
    cases = [_soup_case(seed) for seed in SEEDS]
    results = run_cases(vm, [case for _, case in cases])
    for seed, ((sent, _), result) in enumerate(zip(cases, results)):
        assert flat(result) == as_found(*sent), "seed %d" % seed
        assert result["pending"] == 0


def test_pure_random_bytes_yield_no_frame(vm):
    rng = random.Random(99)
    soup = rng.randbytes(200_000)
    (result,) = run_cases(vm, [stream(*[soup[i:i + 4096] for i in range(0, len(soup), 4096)], "drain")], heap="4m")
    assert flat(result) == []


def test_micropython_and_cpython_find_the_same_frames_at_the_same_bytes():
    rng = random.Random(5)
    cases = [case for _, case in (_soup_case(100 + seed) for seed in range(10))]
    garbage = rng.randbytes(3000)
    cases += [stream(garbage[:i], garbage[i:i + 500], "drop", garbage[i + 500:], "drain") for i in range(0, 2000, 97)]
    assert run_cases(VM("micropython"), cases) == run_cases(VM("cpython"), cases)


# Every layout the protocol uses, with values at the edges of their fields.
LAYOUTS = [
    (wire.ACCOUNT, [0, 6, 30, "Ügyfélkapu+", "demo.user@ugyfelkapu.gov.hu", KEY80]),
    (wire.ACCOUNT, [2, 10, 2**32 - 1, "", "x" * 255, bytes(range(64))]),
    (wire.META, [1, 8, 60, "Example", "alice@example.com"]),
    (wire.NAME, ["", "a"]),
    (wire.RENAME_FMT, ["Ügyfélkapu+", "old", "új név"]),
    (wire.CHECK_FMT, ["GitHub", "octocat", "0123456789"]),
    (wire.TIME, [1767225600, -1, 1, -2_000_000, 2**63 - 1]),
    (wire.TIME, [0, 0, 0, 2**31 - 1, -(2**63)]),
    (wire.TIME_SET_FMT, [1767225600, wire.SET_DRIFT, -1500]),
    ("H", [65535]),
    ("Bb", [1, -1]),
    ("BHIQiq", [255, 0, 2**32 - 1, 2**64 - 1, -(2**31), 0]),
]


def spec_pack(fmt, values):
    """The layout as documented: little-endian numbers, strings and bytes behind a one-byte length."""
    out = b""
    for code, value in zip(fmt, values):
        if code in "sy":
            raw = value.encode() if code == "s" else value
            out += bytes([len(raw)]) + raw
        else:
            out += struct.pack("<" + code, value)
    return out


def _wire_values(fmt, values):
    return [v.hex() if code == "y" else v for code, v in zip(fmt, values)]


def test_layouts_pack_as_documented_and_unpack_back(vm):
    assert spec_pack(wire.TIME_SET_FMT, [1, 1, -2]).hex() == "0100000000000000" "01" "feffffff"
    cases = [{"op": "pack", "fmt": f, "values": _wire_values(f, v)} for f, v in LAYOUTS]
    cases += [{"op": "unpack", "fmt": f, "payload": spec_pack(f, v).hex()} for f, v in LAYOUTS]
    got = run_cases(vm, cases)
    for (fmt, values), packed, unpacked in zip(LAYOUTS, got, got[len(LAYOUTS):]):
        assert packed == {"payload": spec_pack(fmt, values).hex()}, fmt
        assert unpacked == {"values": _wire_values(fmt, values)}, fmt


def test_unpack_refuses_every_short_or_long_payload(vm):
    cases = []
    for fmt, values in LAYOUTS:
        payload = spec_pack(fmt, values)
        cases += [{"op": "unpack", "fmt": fmt, "payload": payload[:n].hex()} for n in range(len(payload))]
        cases.append({"op": "unpack", "fmt": fmt, "payload": (payload + b"\x00").hex()})
    assert all(result == {"error": "ValueError"} for result in run_cases(vm, cases))


def test_fields_that_do_not_fit_are_refused(vm):
    cases = [
        {"op": "pack", "fmt": "s", "values": ["é" * 128]},  # 256 bytes in UTF-8
        {"op": "pack", "fmt": "y", "values": ["00" * 256]},
        # A label that is not UTF-8 is a malformed request, not a crash of the token.
        {"op": "unpack", "fmt": wire.NAME, "payload": "00" "02" "c328"},
    ]
    assert run_cases(vm, cases) == [{"error": "ValueError"}] * 3
