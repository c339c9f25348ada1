"""The pure-Python SHA-512 the token uses for SHA-512 accounts (its hashlib has none), on both VMs."""

import hashlib
import json
import random

# FIPS 180-4 example vectors (NIST "Cryptographic Standards and Guidelines: Examples with Intermediate Values").
FIPS_VECTORS = [
    ("", "cf83e1357eefb8bdf1542850d66d8007d620e4050b5715dc83f4a921d36ce9ce"
         "47d0d13c5d85f2b0ff8318d2877eec2f63b931bd47417a81a538327af927da3e"),
    ("abc", "ddaf35a193617abacc417349ae20413112e6fa4e89a97ea20a9eeee64b55d39a"
            "2192992a274fc1a836ba3c23a3feebbd454d4423643ce80e2a9ac94fa54ca49f"),
    ("abcdefghbcdefghicdefghijdefghijkefghijklfghijklmghijklmnhijklmnoijklmnopjklmnopqklmnopqrlmnopqrsmnopqrstnopqrstu",
     "8e959b75dae313da8cf4f72814fc143f8f7779c6eb9f7fa17299aeadb6889018"
     "501d289e4900f7e4331b99dec4b5433ac7d329eeb6dd26545e96e55b874be909"),
]
MILLION_A = ("e718483d0ce769644e2e42c7bc15b4638e1f98b13b2044285632a803afa973eb"
             "de0ff244877ea60a4cb0432ce577c31beb009c5c2c49aa2e4eadb217ad8cc09b")
# Lengths on both sides of where the padding needs a second block (112) and of the block size (128).
EDGE_LENGTHS = [0, 1, 55, 56, 63, 64, 65, 110, 111, 112, 113, 126, 127, 128, 129, 200,
                238, 239, 240, 241, 255, 256, 257, 383, 384, 385, 1000]


def hash_on(vm, cases, **kwargs):
    proc = vm.run("sha512_cases.py", input="".join(json.dumps(c) + "\n" for c in cases), **kwargs)
    return [json.loads(line) for line in proc.stdout.splitlines()]


def test_fips_180_4_examples(vm):
    results = hash_on(vm, [{"hex": text.encode().hex()} for text, _ in FIPS_VECTORS])
    assert [r["digest"] for r in results] == [digest for _, digest in FIPS_VECTORS]


def test_one_million_a_in_pieces(vm):
    """The long FIPS vector, fed in uneven pieces as a stream would arrive."""
    [result] = hash_on(vm, [{"repeat": "a", "count": 1_000_000, "chunks": [1, 999, 4096, 127, 10_000]}])
    assert result["digest"] == MILLION_A


def test_lengths_around_block_boundaries_match_hashlib(vm):
    rng = random.Random(512)
    data = [rng.randbytes(n) for n in EDGE_LENGTHS]
    results = hash_on(vm, [{"hex": d.hex()} for d in data], heap="64k")
    assert [r["digest"] for r in results] == [hashlib.sha512(d).hexdigest() for d in data]


def test_split_updates_and_early_digests_match_hashlib(vm):
    """Any split of the input gives the same digest, and digest() midway neither ends nor spoils the hash."""
    rng = random.Random(180)
    cases, expected = [], []
    for _ in range(40):
        data = rng.randbytes(rng.randrange(0, 600))
        chunks = [rng.choice([0, 1, 7, 111, 112, 127, 128, 129, rng.randrange(300)]) for _ in range(rng.randrange(1, 6))]
        cases.append({"hex": data.hex(), "chunks": chunks, "peek": True})
        ends, pos = [], 0
        for size in chunks:
            pos = min(pos + size, len(data))
            ends.append(pos)
        expected.append({"digest": hashlib.sha512(data).hexdigest(),
                         "peeks": [hashlib.sha512(data[:end]).hexdigest() for end in ends]})
    assert hash_on(vm, cases) == expected
