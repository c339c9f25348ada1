"""The token's clock (firmware/clock.py): it never gives a time it cannot vouch for, counts unix time from the
chip the same on every port, and corrects drift exactly. On both VMs, over the real drivers and emulated chips;
then the virtual token with a PCF8563/BM8563, end to end.

Oracles: CPython's calendar/datetime for dates, fractions for the correction arithmetic, pyotp for codes.
"""

import base64
import calendar
import json
import random
import time
from datetime import datetime, timezone
from fractions import Fraction
from math import floor

import pyotp
import pytest
from clock import BUILD_YEAR, MAX_DRIFT_PPB
from conftest import BOARDS
from totpfob.account import Account
from totpfob.link import Link
from totpfob.token import Token
from virtual_token import VirtualToken

HOST_START = calendar.timegm((2026, 1, 1, 0, 0, 0))  # as in tests/vm/clock_cases.py
DAY = 86400
LAST = calendar.timegm((2199, 12, 31, 23, 59, 59))


def dates() -> list:
    fixed = [(1970, 1, 1, 0, 0, 0), (1972, 2, 29, 12, 0, 0), (1999, 12, 31, 23, 59, 59), (2000, 1, 1, 0, 0, 0),
             (2000, 2, 29, 23, 59, 59), (2000, 3, 1, 0, 0, 0), (2024, 2, 29, 6, 7, 8), (2026, 1, 1, 0, 0, 0),
             (2036, 2, 7, 6, 28, 16), (2038, 1, 19, 3, 14, 8), (2099, 12, 31, 23, 59, 59),
             (2100, 2, 28, 23, 59, 59), (2100, 3, 1, 0, 0, 0), (2104, 2, 29, 0, 0, 0), (2199, 12, 31, 23, 59, 59)]
    rng = random.Random(3231)
    for _ in range(300):
        fixed.append(datetime.fromtimestamp(rng.randrange(LAST + 1), timezone.utc).timetuple()[:6])
    return [list(d) for d in fixed]


def seconds() -> list:
    rng = random.Random(8563)
    edges = [0, 59, 86399, 86400, 951782399, 951782400, 946684800, 2**31 - 1, 2**31, 4107542399, 4107542400,
             4107456000, LAST]
    return edges + [rng.randrange(LAST + 1) for _ in range(300)]


READINGS = [(2026, 1, 1, 0, 0, 0), (2025, 12, 31, 23, 59, 59), (2000, 2, 29, 0, 0, 0), (2026, 2, 29, 0, 0, 0),
            (2028, 2, 29, 0, 0, 0), (2100, 2, 29, 0, 0, 0), (2400, 2, 29, 0, 0, 0), (2026, 4, 31, 0, 0, 0),
            (2026, 4, 30, 23, 59, 59), (2026, 0, 1, 0, 0, 0), (2026, 13, 1, 0, 0, 0), (2026, 1, 0, 0, 0, 0),
            (2026, 1, 32, 0, 0, 0), (2026, 1, 1, 24, 0, 0), (2026, 1, 1, 0, 60, 0), (2026, 1, 1, 0, 0, 60),
            (2199, 12, 31, 23, 59, 59), (2200, 1, 1, 0, 0, 0), (2165, 11, 30, 12, 30, 30)]

# Elapsed chip seconds (up to 200 years) x drift in ppb (up to the limit), and exact halves either way.
CORRECTIONS = [[e, p] for e in (0, 1, 59, 86400, 2592000, 31557600, 2**30, 2**31 + 7, 6311390400)
               for p in (0, 1, -1, 19999, 20000, -20000, 123457, -987654, MAX_DRIFT_PPB, -MAX_DRIFT_PPB)]
CORRECTIONS += [[25000, 20000], [25000, -20000], [75000, 20000], [75000, -20000], [500, 1000000]]

# Time registers as read, replaced (BCD bytes); the chip otherwise reads 2026-01-01 00:00:00.
GARBAGE = [{"second": 0x1A}, {"second": 0x60}, {"minute": 0x5F}, {"minute": 0x60}, {"hour": 0x24},
           {"hour": 0x1F}, {"day": 0x00}, {"day": 0x32}, {"day": 0x2A}, {"month": 0x00}, {"month": 0x13},
           {"month": 0x0A}, {"year": 0xA0}, {"year": 0x9A}, {"year": 0x25}, {"month": 0x02, "day": 0x30},
           {"month": 0x04, "day": 0x31}, {"month": 0x02, "day": 0x29, "year": 0x27},
           {"month": 0x02, "day": 0x29, "year": 0x28}, {},
           {"month": 0x12, "day": 0x31, "hour": 0x23, "minute": 0x59, "second": 0x59}]


def per_own_second_ppb(ppm: float) -> int:
    """The drift the host learns for a chip `ppm` fast: surplus per 10^9 of the chip's own seconds."""
    return round(ppm * 1e3 / (1 + ppm / 1e6))


DRIFTS = [[20, per_own_second_ppb(20), 30], [-20, per_own_second_ppb(-20), 30],
          [500, per_own_second_ppb(500), 3650], [-150, per_own_second_ppb(-150), 365]]


@pytest.fixture
def cases(vm, tmp_path) -> dict:
    data = {"dates": dates(), "seconds": seconds(), "readings": READINGS, "corrections": CORRECTIONS,
            "garbage": GARBAGE, "drifts": DRIFTS}
    proc = vm.run("clock_cases.py", str(tmp_path), input=json.dumps(data), extra_path=[BOARDS / "sim"])
    out = {}
    for line in proc.stdout.splitlines():
        case = json.loads(line)
        name = case.pop("case")
        key = (name, case.pop("chip", None))
        if name == "drift":  # several for each chip
            out.setdefault(key, []).append(case)
        else:
            out[key] = case
    return out


CHIPS = ["ds3231", "pcf8563"]


def test_unix_time_from_calendar_dates_1970_to_2199(cases):
    case = cases[("calendar", None)]
    assert case["to_unix"] == [calendar.timegm(tuple(d)) for d in dates()]
    assert case["from_unix"] == [list(datetime.fromtimestamp(s, timezone.utc).timetuple()[:6])
                                 for s in seconds()]
    # 2100 is no leap year: the second after 28 February ends is 1 March.
    assert case["from_unix"][seconds().index(4107542400)] == [2100, 3, 1, 0, 0, 0]


def test_only_real_dates_from_build_year_on_are_plausible(cases):
    def real(reading):
        try:
            datetime(*reading)
        except ValueError:
            return False
        return BUILD_YEAR <= reading[0] <= 2199

    assert cases[("plausible", None)]["results"] == [real(r) for r in READINGS]


def test_drift_correction_is_exact_rounded_to_the_nearest_second(cases):
    expected = [floor(Fraction(e * p, 10**9) + Fraction(1, 2)) for e, p in CORRECTIONS]
    assert cases[("correction", None)]["results"] == expected


def test_port_epoch_detected_from_gmtime(cases):
    case = cases[("epoch", None)]
    esp32_epoch = calendar.timegm((2000, 1, 1, 0, 0, 0))
    assert case["epoch_2000"] == esp32_epoch and case["epoch_1970"] == 0
    assert case["from_2000"] == [c + esp32_epoch for c in case["counts"]]
    assert case["from_1970"] == case["counts"]
    # This port itself (CPython, MicroPython unix): counts from 1970, so its time.time() is unix time.
    assert case["port_year"] == 1970 and case["port_epoch"] == 0
    assert abs(case["port_unix"] - time.time()) < 30


@pytest.mark.parametrize("chip", CHIPS)
def test_lost_chip_gives_no_time_until_set_then_ticks_with_true_seconds(cases, chip):
    case = cases[("lost_until_set", chip)]
    assert case["before"] == [None, None]
    assert case["flag"] is False
    set_at = case["set_at"]
    # Set at a second edge: the chip's seconds turn over with the true ones (the PCF8563's first tick comes
    # 0.51 s after its write, so the token waits before writing it).
    assert case["readings"] == [[after, set_at + int(after)] for after in (0.99, 1.01, 1.99, 2.01, 100.5)]
    assert case["last_sync"] == set_at  # remembered across a restart


@pytest.mark.parametrize("chip", CHIPS)
def test_lost_flag_alone_withholds_the_time(cases, chip):
    case = cases[("flag_alone", chip)]
    assert case["good"] == case["host"]
    now, raw, reading_plausible = case["stopped"]
    assert reading_plausible, "the reading looks fine: only the flag can tell"
    assert now is None and raw is None
    assert case["after_set"] == case["after_set_host"]


@pytest.mark.parametrize("chip", CHIPS)
def test_reading_before_build_year_is_no_time(cases, chip):
    (early, early_dt), (later, later_dt) = cases[("old_year", chip)]["results"]
    assert early_dt[0] == BUILD_YEAR - 1 and early is None
    assert later_dt[0] == BUILD_YEAR and later == calendar.timegm(tuple(later_dt))


@pytest.mark.parametrize("chip", CHIPS)
def test_chip_not_answering_is_no_time(cases, chip):
    case = cases[("missing", chip)]
    host = case["host"]
    assert case["results"] == [host, None, None, host]


def expected_reading(fields: dict) -> int | None:
    """unix time of a reading of 2026-01-01 00:00:00 with these BCD registers replaced; None if no real time."""
    regs = {"second": 0x00, "minute": 0x00, "hour": 0x00, "day": 0x01, "month": 0x01, "year": 0x26}
    regs.update(fields)
    if any(v & 0x0F > 9 or v >> 4 > 9 for v in regs.values()):
        return None
    value = {k: (v >> 4) * 10 + (v & 0x0F) for k, v in regs.items()}
    try:
        moment = datetime(2000 + value["year"], value["month"], value["day"], value["hour"], value["minute"],
                          value["second"], tzinfo=timezone.utc)
    except ValueError:
        return None
    return int(moment.timestamp()) if moment.year >= BUILD_YEAR else None


@pytest.mark.parametrize("chip", CHIPS)
def test_garbage_readings_are_no_time(cases, chip):
    results = cases[("garbage", chip)]["results"]
    expected = [expected_reading(g) for g in GARBAGE]
    assert sum(e is not None for e in expected) == 3  # the controls: a leap day, untouched, a year's end
    assert results == expected


@pytest.mark.parametrize("chip", CHIPS)
def test_impossible_drift_is_refused_before_the_chip_is_touched(cases, chip):
    case = cases[("bad_drift", chip)]
    assert case["refused"] == [True, True]
    assert case["still_lost"] is True
    assert case["accepted"] == MAX_DRIFT_PPB


@pytest.mark.parametrize("chip", CHIPS)
@pytest.mark.parametrize("ppm,days", [(d[0], d[2]) for d in DRIFTS])
def test_drift_corrected_time_stays_within_a_second(cases, chip, ppm, days):
    case = next(c for c in cases[("drift", chip)] if c["ppm"] == ppm)
    gained = days * DAY * ppm / 1e6
    assert abs(case["raw"] - case["true"] - gained) <= 1  # the chip itself is off (+20 ppm: 52 s a month)
    assert case["uncorrected"] == case["raw"]
    assert abs(case["now"] - case["true"]) <= 1
    assert case["restarted"] == case["now"]  # the correction survives a restart


# --- the virtual token with a PCF8563 / BM8563 (the M5StickC's RTC) ---

KEY = bytes(range(1, 21))  # 160 bits: pyotp takes it as it is
LABEL = "clock-test"
EPOCH_2000 = calendar.timegm((2000, 1, 1, 0, 0, 0))


def chip_state(state_dir) -> dict:
    return json.loads((state_dir / "rtc.json").read_text().rstrip("\x00 \n"))


def chip_offset(state_dir) -> float:
    """The emulated chip's time minus the true time now, from the chip's saved state (independent of the
    token and of timesync): the crystal counts `seconds` since 2000 at host time `since`, ppm fast."""
    state = chip_state(state_dir)
    clock = state["clock"]
    true_now = time.time() + state.get("warp_s", 0.0)
    run = (true_now - clock["since"]) * (1 + state["drift_ppm"] / 1e6) if clock["running"] else 0.0
    return EPOCH_2000 + clock["seconds"] + run - true_now


def shown_second(screen: dict, period: int = 30, warp: float = 0.0) -> int:
    """The unix second a code screen was computed for: its countdown fixes it modulo the period, the report
    time picks the nearest."""
    phase = (period - screen["remaining"]) % period
    return phase + period * round((screen["t"] + warp - phase) / period)


def assert_code_right(screen: dict, warp: float = 0.0) -> None:
    assert screen["screen"] == "code" and screen["account"] == LABEL, screen
    second = shown_second(screen, warp=warp)
    assert -1.0 <= screen["t"] + warp - second <= 2.0, "token second %d is off: %r" % (second, screen)
    assert screen["code"] == pyotp.HOTP(base64.b32encode(KEY).decode()).at(second // 30)


def test_pcf8563_token_shows_clock_lost_until_time_sync_and_keeps_its_time(tmp_path):
    vt = VirtualToken(tmp_path / "sim")
    try:
        started = time.time()
        vt.start("--rtc-chip", "pcf8563", "--rtc-lost")
        assert vt.wait_screen(lambda s: True, after=started)["screen"] == "clock-lost"
        assert chip_state(vt.state)["chip"] == "PCF8563"
        with Link(str(vt.link)) as link:  # an account, without the clock sync `totpfob add` would do
            Token(link).add(Account(LABEL, "", KEY).record())
        time.sleep(1.5)
        assert json.loads(vt.cli("info", "--json", check=True).stdout)["clock"] == "lost"
        assert [s["screen"] for s in vt.screens()] and all(s["screen"] == "clock-lost" and "code" not in s
                                                           for s in vt.screens())
        vt.cli("time", "sync", check=True)
        assert abs(chip_offset(vt.state)) <= 0.5
        first = vt.wait_screen(lambda s: s["screen"] == "code", timeout=5)
        assert_code_right(first)
        assert_code_right(vt.wait_screen(lambda s: s["screen"] == "code", after=first["t"] + 1.5))

        # The chip keeps its time through a power cut, and a warp of its clock: an hour passes for it.
        with open(vt.control, "w") as control:
            control.write("warp 3600\n")
        deadline = time.monotonic() + 5
        while chip_state(vt.state).get("warp_s") != 3600 and time.monotonic() < deadline:
            time.sleep(0.05)
        vt.kill9()
        restarted = time.time()
        vt.start("--keep")
        assert chip_state(vt.state)["chip"] == "PCF8563"
        screen = vt.wait_screen(lambda s: s["screen"] == "code", after=restarted)
        assert_code_right(screen, warp=3600)
        status = json.loads(vt.cli("time", "status", "--json", check=True).stdout)
        assert abs(status["offset_s"] - 3600) < 0.5 and status["sync_advisable"]
    finally:
        vt.stop()
