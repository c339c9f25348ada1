"""The codes the token shows: RFC tables and pyotp agree with firmware/otp.py on CPython and on MicroPython."""

import json
import random

import pytest
from reference import RawKeyHOTP, RawKeyTOTP

RFC_SEEDS = {  # RFC 6238 errata 2866: one seed per hash, as long as its output
    "sha1": b"12345678901234567890",
    "sha256": b"12345678901234567890123456789012",
    "sha512": b"1234567890123456789012345678901234567890123456789012345678901234",
}
# RFC 4226 Appendix D: HOTP values for counters 0..9, SHA-1, 6 digits.
RFC4226_HOTP = ["755224", "287082", "359152", "969429", "338314", "254676", "287922", "162583", "399871", "520489"]
# RFC 6238 Appendix B: unix time -> (SHA-1, SHA-256, SHA-512) codes, 8 digits, 30 s period.
RFC6238_TOTP = {
    59: ("94287082", "46119246", "90693936"),
    1111111109: ("07081804", "68084774", "25091201"),
    1111111111: ("14050471", "67062674", "99943326"),
    1234567890: ("89005924", "91819424", "93441116"),
    2000000000: ("69279037", "90698825", "38618901"),
    20000000000: ("65353130", "77737706", "47863826"),
}
ALGORITHMS = ("sha1", "sha256", "sha512")
SECRET = b"TopSecretKey!"  # distinctive, so a leak into a message would be caught as text or hex


def run_cases(vm, cases, **kwargs):
    """Feed cases to tests/vm/otp_cases.py on the VM; return its results in order."""
    proc = vm.run("otp_cases.py", input="".join(json.dumps(c) + "\n" for c in cases), **kwargs)
    results = [json.loads(line) for line in proc.stdout.splitlines()]
    assert len(results) == len(cases), proc.stderr
    return results


def pyotp_result(case):
    """What pyotp says the firmware should answer for a case of tests/vm/otp_cases.py."""
    key = bytes.fromhex(case["key"])
    algorithm = case.get("algorithm", "sha1")
    digits = case.get("digits", 6)
    if case["fn"] == "hotp":
        return {"code": RawKeyHOTP(key, digits, algorithm).at(case["counter"])}
    totp = RawKeyTOTP(key, digits, algorithm, case.get("period", 30))
    if case["fn"] == "totp":
        return {"code": totp.at(case["time"])}
    return {"codes": [totp.at(t) for t in case["times"]],
            "remaining": [totp.interval - int(t) % totp.interval for t in case["times"]]}


def test_rfc4226_hotp_table(vm):
    cases = [{"fn": "hotp", "key": RFC_SEEDS["sha1"].hex(), "counter": n} for n in range(10)]
    assert [r["code"] for r in run_cases(vm, cases, heap="64k")] == RFC4226_HOTP


def test_rfc6238_totp_table(vm):
    cases = [{"fn": "totp", "key": RFC_SEEDS[a].hex(), "time": t, "digits": 8, "algorithm": a}
             for t in RFC6238_TOTP for a in ALGORITHMS]
    expected = [code for t in RFC6238_TOTP for code in RFC6238_TOTP[t]]
    # An ESP32 without PSRAM has about 100 KiB of heap; SHA-512 in Python must fit well inside.
    assert [r["code"] for r in run_cases(vm, cases, heap="64k")] == expected


def random_cases(seed=4226, count=1200):
    """Cases a user's accounts could produce, weighted towards the edges where codes go wrong."""
    rng = random.Random(seed)
    key_sizes = [10, 10, 16, 20, 32, 64, 1, 7, 63, 65, 127, 128, 129, 200]
    periods = [30, 30, 60, 1, 7, 45, 3600, 86400]
    special_times = [0, 1, 29, 30, 59, 2**31 - 1, 2**31, 2**32 - 1, 2**32, 4102444800,  # 2100-01-01
                     253402300799]  # the last second pyotp accepts
    special_counters = [0, 1, 2**31 - 1, 2**31, 2**32, 2**63, 2**64 - 2, 2**64 - 1]
    cases = []
    for i in range(count):
        case = {"key": rng.randbytes(rng.choice(key_sizes)).hex(), "algorithm": rng.choice(ALGORITHMS),
                "digits": rng.choice([6, 6, 7, 8, 9, 10])}
        if i % 3 == 0:
            case["fn"] = "hotp"
            case["counter"] = rng.choice(special_counters + [rng.randrange(2**64), rng.randrange(1000)])
        else:
            period = rng.choice(periods)
            step = rng.randrange(4102444800 // period)
            time = rng.choice(special_times + [step * period - 1, step * period, step * period + 1,
                                               step * period + period - 1, rng.randrange(2**33)])
            case.update(fn="totp", time=max(time, 0), period=period)
        cases.append(case)
    # Defaults left out: the firmware's defaults must be SHA-1, 6 digits, 30 s like pyotp's.
    cases.append({"fn": "totp", "key": rng.randbytes(10).hex(), "time": 1700000000})
    cases.append({"fn": "hotp", "key": rng.randbytes(10).hex(), "counter": 7})
    return cases


def test_random_cases_match_pyotp(vm):
    cases = random_cases()
    got = run_cases(vm, cases)
    wrong = [(c, g, pyotp_result(c)) for c, g in zip(cases, got, strict=True) if g != pyotp_result(c)]
    assert not wrong, "%d of %d differ, first: %r" % (len(wrong), len(cases), wrong[:3])


def test_one_generator_gives_every_code_and_countdown_of_an_account(vm):
    """The token keeps one generator per shown account and asks it again on each wake."""
    rng = random.Random(6238)
    cases = []
    for _ in range(60):
        period = rng.choice([30, 60, 1, 7, 45, 3600])
        start = (rng.randrange(2**32) // period + 1) * period
        cases.append({"fn": "generator", "key": rng.randbytes(rng.choice([10, 20, 65])).hex(),
                      "algorithm": rng.choice(ALGORITHMS), "digits": rng.choice([6, 8, 10]), "period": period,
                      "times": [start - 1, start, start + 0.5, start + period - 1, start + period, start + 7 * period]})
    assert run_cases(vm, cases) == [pyotp_result(c) for c in cases]


BAD_CASES = [
    ({"fn": "totp", "time": 0, "digits": 5}, "digits"),
    ({"fn": "totp", "time": 0, "digits": 11}, "digits"),
    ({"fn": "hotp", "counter": 0, "digits": 0}, "digits"),
    ({"fn": "totp", "time": 0, "period": 0}, "period"),
    ({"fn": "totp", "time": 0, "period": -30}, "period"),
    ({"fn": "totp", "time": -1}, "time"),
    ({"fn": "totp", "time": 2**64 * 30, "period": 30}, "time"),
    ({"fn": "hotp", "counter": -1}, "counter"),
    ({"fn": "hotp", "counter": 2**64}, "counter"),
    ({"fn": "hotp", "counter": 0, "algorithm": "md5"}, "algorithm"),
    ({"fn": "hotp", "counter": 0, "algorithm": "SHA-1"}, "algorithm"),
    ({"fn": "totp", "time": 0, "key": ""}, "key"),
]


@pytest.mark.parametrize("case, topic", BAD_CASES, ids=[t + str(i) for i, (_, t) in enumerate(BAD_CASES)])
def test_bad_settings_are_refused_without_showing_the_key(vm, case, topic):
    case = {"key": SECRET.hex(), **case}
    [result] = run_cases(vm, [case])
    assert result.get("error") == "ValueError", result
    message = result["message"]
    assert topic in message
    for leak in (SECRET.decode(), SECRET.hex(), SECRET.hex().upper(), repr(SECRET)):
        assert leak not in message


def test_generator_repr_hides_the_key(vm):
    [result] = run_cases(vm, [{"fn": "repr", "key": SECRET.hex()}])
    assert "sha1" in result["repr"]
    assert SECRET.decode() not in result["repr"] and SECRET.hex() not in result["repr"].lower()


def test_sha512_code_is_loaded_only_for_sha512_accounts(vm):
    """Boot cost: a SHA-1 token never imports the Python SHA-512; where hashlib lacks it, SHA-512 accounts do."""
    proc = vm.run("otp_lazy_sha512.py")
    before, after = proc.stdout.split()
    assert before == "False"
    assert after == ("True" if vm.name == "micropython" else "False")
