"""The RTC and OLED drivers against the register-level chip emulators of the virtual token, on both VMs.

Expected calendar values come from CPython's datetime; display expectations from the SSD1306 datasheet's
addressing rules, worked out here by hand.
"""

import calendar
import json
import random
from datetime import datetime, timedelta

import pytest
from conftest import BOARDS

SIM = BOARDS / "sim"
# Seconds to the first tick after set_datetime(): the DS3231 restarts its countdown when the seconds
# register is written; the PCF8563 driver releases STOP, first increment 0.507813 s later (datasheets).
FIRST_TICK = {"ds3231": 1.0, "pcf8563": 0.507813}


def run_cases(vm, script, *args, input=""):
    proc = vm.run(script, *args, input=input, extra_path=[SIM])
    cases = {}
    for line in proc.stdout.splitlines():
        case = json.loads(line)
        cases.setdefault(case.pop("case"), []).append(case)
    return cases


def edge_dates():
    fixed = [(2000, 1, 1, 0, 0, 0), (2000, 2, 28, 23, 59, 59), (2000, 2, 29, 23, 59, 59),
             (2024, 2, 28, 23, 59, 59), (2023, 2, 28, 23, 59, 59), (2099, 12, 31, 23, 59, 59),
             (2100, 2, 28, 23, 59, 59), (2026, 12, 31, 23, 59, 59), (2026, 6, 30, 23, 59, 59),
             (2150, 7, 4, 12, 30, 15), (2199, 12, 30, 12, 0, 0)]
    rng = random.Random(1306)
    start = datetime(2000, 1, 1)
    for _ in range(40):
        moment = start + timedelta(seconds=rng.randrange(int(200 * 365.2425 * 86400) - 2 * 86400))
        fixed.append(moment.timetuple()[:6])
    return fixed


@pytest.fixture(scope="module", params=["ds3231", "pcf8563"])
def chip(request):
    return request.param


@pytest.fixture(scope="module")
def dates():
    return edge_dates()


@pytest.fixture
def rtc_cases(vm, chip, dates):
    return run_cases(vm, "chips_rtc.py", chip, input=json.dumps({"dates": dates}))


def as_tuple(moment):
    return list(moment.timetuple()[:6])


def test_time_set_reads_back_and_ticks_across_month_year_and_century(rtc_cases, chip, dates):
    case = rtc_cases["round_trip"][0]
    moments = [datetime(*d) for d in dates]
    assert case["now"] == [list(d) for d in dates]
    assert case["later"] == [as_tuple(m + timedelta(seconds=1)) for m in moments]
    assert case["tomorrow"] == [as_tuple(m + timedelta(days=1, seconds=1)) for m in moments]
    # The weekday register is written from the date: ISO 1..7 on the DS3231, Sunday = 0 on the PCF8563.
    expected = [m.isoweekday() if chip == "ds3231" else m.isoweekday() % 7 for m in moments]
    assert case["weekdays"] == expected
    assert [bool(r & 0x80) for r in case["months"]] == [m.year >= 2100 for m in moments]


def test_lost_time_is_reported_until_the_time_is_set(rtc_cases):
    case = rtc_cases["lost"][0]
    assert case["flags"] == [True, True, False, False]
    assert case["counting"] == [2000, 1, 1, 0, 0, 5]  # restarted from the reset date, counting
    assert case["after_set"] == [2026, 3, 14, 16, 9, 26]  # an hour after setting 15:09:26


@pytest.mark.parametrize("ppm,aging", [(20, None), (-15, None), (0, 100), (20, -50)])
def test_drift_over_a_month(rtc_cases, chip, ppm, aging):
    if aging is not None and chip != "ds3231":
        pytest.skip("only the DS3231 has an aging register")
    case = next(c for c in rtc_cases["drift"] if c["ppm"] == ppm and c["aging"] == aging)
    # Positive aging slows the crystal by ~0.1 ppm per step.
    rate_ppm = ppm - 0.1 * (aging or 0)
    expected = case["days"] * 86400 * rate_ppm / 1e6  # +20 ppm: 51.84 s in 30 days
    read_ahead = calendar.timegm(tuple(case["reading"]) + (0, 0, 0)) - case["host"]
    assert abs(read_ahead - expected) < 0.1
    assert abs(case["model_ahead"] - expected) < 0.01
    if aging is not None:
        assert case["aging_read"] == aging


def test_setting_the_time_restarts_the_second(rtc_cases, chip):
    first_tick = FIRST_TICK[chip]
    for case in rtc_cases["second_restart"]:  # whatever phase the chip had before
        for offset, second in case["readings"]:
            assert second == (offset >= first_tick) + (offset >= first_tick + 1), (case["fraction"], offset)


def test_chip_state_survives_a_restart_and_keeps_running(rtc_cases, chip):
    kept, lost = sorted(rtc_cases["state"], key=lambda c: c["lost"])
    for case, flag in ((kept, False), (lost, True)):
        before = datetime(*case["before"])
        assert case["after"] == as_tuple(before + timedelta(hours=1))
        assert case["time_lost"] is flag
    if chip == "ds3231":
        assert kept["aging"] == -7


def test_ds3231_registers(rtc_cases, chip):
    if chip != "ds3231":
        pytest.skip("DS3231 registers")
    case = rtc_cases["ds3231_registers"][0]
    assert case["hours"] == [12, 0, 13, 11]  # 12 PM, 12 AM, 1 PM, 11 AM set in 12-hour mode
    assert case["hours_reg"] == 0x13  # set_datetime writes 24-hour BCD
    assert case["time_lost"] is False  # OSF can be cleared by software, never set
    assert case["temperature"] == 25.0


def test_bus_reports_missing_devices_like_a_nack(vm):
    cases = run_cases(vm, "chips_bus.py")
    missing = cases["missing"][0]
    assert missing["errors"].pop("present") is None
    assert set(missing["errors"].values()) == {19}  # ENODEV, as the ESP32 port raises
    assert missing["driver_before"] is None and missing["driver_after"] == 19
    assert missing["scan"] == []
    assert cases["scan"][0]["scan"] == [0x3C, 0x51, 0x68]
    pointer = cases["pointer"][0]
    assert pointer["wrapped"] == [0x00, 0x05, 0x02]  # 12h wraps to 00h: seconds, minutes of 01:02:05
    assert pointer["first"] == [0x11, 0x22] and pointer["then"] == [0x33]


@pytest.fixture
def display_cases(vm):
    return run_cases(vm, "chips_display.py")


def rotated(rows):
    return [row[::-1] for row in rows[::-1]]


def test_driver_draws_exactly_what_the_panel_shows(display_cases):
    drawn = display_cases["driver"]
    assert sorted((c["width"], c["height"]) for c in drawn) == [(128, 32), (128, 64)]
    for case in drawn:
        buffer = case["buffer"]
        assert len(buffer) == case["height"] and all(len(r) == case["width"] for r in buffer)
        assert sum(r.count("1") for r in buffer) > 300  # the drawing is really there
        assert case["panel"] == buffer
        assert case["is_on"] and case["frames"] == 1  # the one show(): init sends no blank frame
        assert case["inverted"] == ["".join("1" if p == "0" else "0" for p in r) for r in buffer]
        assert case["contrast"] == 0x10
        assert case["off_is_on"] is False and case["off_lit"] == 0
        assert case["on_again"] == buffer
        assert case["rotated"] == rotated(buffer)  # without segment remap and COM flip: upside down
        assert case["frames_after"] == 2


def test_no_garbage_is_lit_before_the_first_frame(display_cases):
    """Power-up RAM noise never shows: the panel stays dark until the first drawing, then shows exactly it."""
    case = display_cases["first_frame"][0]
    assert case["init_writes"] == 0  # no blank frame sent at start: the first drawing covers all of RAM
    assert case["after_init"] == 0 and case["poweron_before_frame"] == 0
    assert case["is_on"] and case["frames"] == 1
    assert case["panel"] == case["buffer"]
    assert sum(row.count("1") for row in case["buffer"]) > 20  # the drawing is really there


def test_a_display_switched_off_before_its_first_frame_stays_off_until_switched_on(display_cases):
    case = display_cases["off_first"][0]
    assert case["dark"] == 0
    assert case["lit_after_poweron"] == 128 * 64


def test_page_addressing_writes_land_on_their_page_and_wrap_in_it(display_cases):
    case = display_cases["page_mode"][0]
    # 0xFF at page 3 column 21 lights rows 24..31; 0x81 at column 22 rows 24 and 31;
    # page 6 from column 127: bit 0 at column 127, then the column wraps to 0 and 1 on the same page.
    expected = {(21, y) for y in range(24, 32)} | {(22, 24), (22, 31), (127, 48), (0, 49), (1, 50)}
    assert {tuple(p) for p in case["lit"]} == expected
    assert case["frames"] == 0 and case["data_writes"] == 2


def test_vertical_addressing_walks_down_the_window_then_right(display_cases):
    case = display_cases["vertical_mode"][0]
    # Window columns 10..11, pages 2..3: bytes go (10,p2) (10,p3) (11,p2) (11,p3), the fifth wraps to (10,p2).
    assert {tuple(p) for p in case["lit"]} == {(10, 16 + 4), (10, 24 + 1), (11, 16 + 2), (11, 24 + 3)}
    assert case["frames"] == 1


def test_control_bytes_and_split_commands(display_cases):
    case = display_cases["control_bytes"][0]
    assert case["states"] == [0x42, 0x33, False, True]
    assert case["lit"] == 128 * 64  # A5h: entire display on
    assert case["ram127"] == 0x12 and case["data_writes"] == 1


def test_com_pin_setting_and_display_offset_on_a_32_row_panel(display_cases):
    case = display_cases["small_panel"][0]
    assert case["right"] == [[0, 1], [0, 5]]
    assert case["wrong"] == [[0, 2], [0, 10]]  # alternative COM pins on a sequential panel: interleaved
    assert case["shifted"] == [[0, 1]]  # offset 4: RAM row 5 on panel row 1, RAM row 1 scrolled off
