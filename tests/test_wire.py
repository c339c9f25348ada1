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
    # Each case is a line of several KiB of hex, read whole: more than the token ever holds at once, so more
    # heap than an ESP32's (the other cases here run on its 110 KiB).
    results = run_cases(vm, [case for _, case in cases], heap="256k")
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


# An account's record and its public part, packed by hand as account.py documents them (not by account.encode).
RECORD = (bytes([0, 6]) + struct.pack("<I", 30) + bytes([len("Ügyfélkapu+".encode())]) + "Ügyfélkapu+".encode()
          + bytes([len(b"demo.user")]) + b"demo.user" + bytes([len(KEY80)]) + KEY80)
PUBLIC = RECORD[:-1 - len(KEY80)]

# Each request kind: (request values, reply values), at the edges of their fields.
BY_KIND = {
    wire.HELLO: ([], [b'{"protocol": 1, "board": "sim"}']),
    wire.LIST: ([65535], [100, PUBLIC]),
    wire.ADD: ([wire.ADD_REPLACE, RECORD], [65535]),
    wire.RENAME: (["Ügyfélkapu+", "old", "új név"], []),
    wire.DELETE: (["", "a"], []),
    wire.WIPE: ([wire.WIPE_CONFIRM], []),
    wire.TIME_GET: ([wire.TIME_EDGE], [1767225600, -1, 1, -2_000_000, 2**63 - 1]),
    wire.TIME_SET: ([-(2**63), wire.SET_DRIFT, -1500], []),
    wire.CHECK: (["GitHub", "octocat", "0123456789"], [1, -1]),
    wire.MAINTENANCE: ([], []),
    wire.LANGUAGE: (["hu"], []),
}
# The request kinds as the protocol documents them, and those that change the token (a retry gets the cached
# reply, never a second run).
KINDS = {"HELLO": 1, "LIST": 2, "ADD": 3, "RENAME": 4, "DELETE": 5, "WIPE": 6, "TIME_GET": 7, "TIME_SET": 8,
         "CHECK": 9, "MAINTENANCE": 10, "LANGUAGE": 11}
WRITES = {"ADD", "RENAME", "DELETE", "WIPE", "TIME_SET", "LANGUAGE"}

# Plain layouts too, with values at the edges of their fields.
LAYOUTS = [
    (wire.TIME, [0, 0, 0, 2**31 - 1, -(2**63)]),
    ("H", [65535]),
    ("Bb", [1, -1]),
    ("BHIQiq", [255, 0, 2**32 - 1, 2**64 - 1, -(2**31), 0]),
    ("sy", ["", bytes(range(255))]),
    ("Hr", [0, b""]),
]


def spec_pack(fmt, values):
    """The layout as documented: little-endian numbers, strings and bytes behind a one-byte length, the rest
    of the payload as it is."""
    out = b""
    for code, value in zip(fmt, values):
        if code == "r":
            out += value
        elif code in "sy":
            raw = value.encode() if code == "s" else value
            out += bytes([len(raw)]) + raw
        else:
            out += struct.pack("<" + code, value)
    return out


def _wire_values(fmt, values):
    return [v.hex() if code in "yr" else v for code, v in zip(fmt, values)]


def test_every_request_kind_has_a_layout_and_the_writes_are_marked(vm):
    (got,) = run_cases(vm, [{"op": "table"}])
    table = {int(kind): layout for kind, layout in got["layouts"].items()}
    assert sorted(table) == sorted(KINDS.values()) == sorted(BY_KIND)
    assert {name for name, kind in KINDS.items() if table[kind][2]} == WRITES
    assert [getattr(wire, name) for name in KINDS] == list(KINDS.values())
    # Each request's fields as the protocol describes them.
    assert table[wire.ADD][:2] == ["Br", "H"] and table[wire.LIST][:2] == ["H", "Hr"]
    assert table[wire.CHECK][:2] == ["sss", "Bb"] and table[wire.TIME_SET][:2] == ["qBi", ""]


def test_requests_and_replies_pack_as_documented_and_read_back(vm):
    assert spec_pack(wire.LAYOUTS[wire.TIME_SET][0], [1, 1, -2]).hex() == "0100000000000000" "01" "feffffff"
    cases = []
    for kind, (request, reply) in BY_KIND.items():
        asked, answered = wire.LAYOUTS[kind][:2]
        cases.append({"op": "request", "kind": kind, "values": _wire_values(asked, request)})
        cases.append({"op": "read_request", "kind": kind, "payload": spec_pack(asked, request).hex()})
        cases.append({"op": "reply", "kind": kind, "values": _wire_values(answered, reply)})
        cases.append({"op": "read_reply", "kind": kind, "payload": spec_pack(answered, reply).hex()})
    got = iter(run_cases(vm, cases))
    for kind, (request, reply) in BY_KIND.items():
        asked, answered = wire.LAYOUTS[kind][:2]
        assert next(got) == {"payload": spec_pack(asked, request).hex()}, kind
        assert next(got) == {"values": _wire_values(asked, request)}, kind
        assert next(got) == {"payload": spec_pack(answered, reply).hex()}, kind
        assert next(got) == {"values": _wire_values(answered, reply)}, kind


def test_layouts_pack_as_documented_and_unpack_back(vm):
    cases = [{"op": "pack", "fmt": f, "values": _wire_values(f, v)} for f, v in LAYOUTS]
    cases += [{"op": "unpack", "fmt": f, "payload": spec_pack(f, v).hex()} for f, v in LAYOUTS]
    got = run_cases(vm, cases)
    for (fmt, values), packed, unpacked in zip(LAYOUTS, got, got[len(LAYOUTS):]):
        assert packed == {"payload": spec_pack(fmt, values).hex()}, fmt
        assert unpacked == {"values": _wire_values(fmt, values)}, fmt


def _fixed_part(fmt, values):
    """Bytes of the payload before its "r" field (all of it when there is none): cut anywhere there, it is short."""
    return len(spec_pack(fmt.rstrip("r"), values))


def test_every_short_or_long_payload_is_refused(vm):
    cases = []
    for kind, (request, reply) in BY_KIND.items():
        for op, fmt, values in (("read_request", wire.LAYOUTS[kind][0], request),
                                ("read_reply", wire.LAYOUTS[kind][1], reply)):
            payload = spec_pack(fmt, values)
            cases += [{"op": op, "kind": kind, "payload": payload[:n].hex()} for n in range(_fixed_part(fmt, values))]
            if not fmt.endswith("r"):
                cases.append({"op": op, "kind": kind, "payload": (payload + b"\x00").hex()})
    for fmt, values in LAYOUTS:
        payload = spec_pack(fmt, values)
        cases += [{"op": "unpack", "fmt": fmt, "payload": payload[:n].hex()} for n in range(_fixed_part(fmt, values))]
        if not fmt.endswith("r"):
            cases.append({"op": "unpack", "fmt": fmt, "payload": (payload + b"\x00").hex()})
    assert len(cases) > 200
    assert all(result == {"error": "ValueError"} for result in run_cases(vm, cases))


def test_fields_that_do_not_fit_are_refused(vm):
    cases = [
        {"op": "pack", "fmt": "s", "values": ["é" * 128]},  # 256 bytes in UTF-8
        {"op": "pack", "fmt": "y", "values": ["00" * 256]},
        {"op": "request", "kind": wire.DELETE, "values": ["", "x" * 256]},
        # A label that is not UTF-8 is a malformed request, not a crash of the token.
        {"op": "read_request", "kind": wire.DELETE, "payload": "00" "02" "c328"},
    ]
    assert run_cases(vm, cases) == [{"error": "ValueError"}] * 4
