"""The real board files, each built on emulated ESP32 hardware (tests/vm/emu, wired in tests/vm/boards_cases.py
as the vendors document the boards) on both VMs: a board must find its chips where the hardware has them,
light the code screen on its panel, turn key presses into the token's events, read its battery, and sleep
so that key A wakes it.

Expected values do not come from the board files: the RTC reading from CPython's calendar, the picture from
ui drawing the same screen into a plain FrameBuffer, the charge from the straight line the README promises
(3.30 V empty, 4.15 V full).
"""

import json
import re
from datetime import datetime, timezone
from functools import lru_cache

import pytest
from conftest import BOARDS, FIRMWARE, VM

REAL_BOARDS = ["esp32_devkit", "m5stickc_plus2", "lilygo_tdisplay", "heltec_wifi_kit32_v3"]
KEYS = {"esp32_devkit": ["A", "B"], "m5stickc_plus2": ["A", "B"], "lilygo_tdisplay": ["A", "B"],
        "heltec_wifi_kit32_v3": ["A"]}
# Pads that must keep their level through deep sleep: M5 HOLD high (else the board powers off) and its
# backlight low; T-Display backlight and battery divider low; Heltec Vext and ADC_Ctrl high (both off).
SLEEP_LEVELS = {"esp32_devkit": {}, "m5stickc_plus2": {"4": 1, "27": 0}, "lilygo_tdisplay": {"4": 0, "14": 0},
                "heltec_wifi_kit32_v3": {"36": 1, "37": 1}}
WAKE = {"esp32_devkit": [0, 0], "m5stickc_plus2": [37, 0], "lilygo_tdisplay": [35, 0],
        "heltec_wifi_kit32_v3": [0, 0]}
EMPTY_MV, FULL_MV = 3300, 4150


@lru_cache(maxsize=None)
def _cases(vm_name, board):
    proc = VM(vm_name).run("boards_cases.py", board, extra_path=[BOARDS / board, BOARDS / "sim"], heap="4m")
    cases = {}
    for line in proc.stdout.splitlines():
        case = json.loads(line)
        cases.setdefault(case.pop("case"), []).append(case)
    return cases


@pytest.fixture(params=REAL_BOARDS)
def board(request):
    return request.param


@pytest.fixture
def cases(vm, board):
    return _cases(vm.name, board)


def test_board_sets_up_with_every_part_where_the_hardware_has_it(cases, board):
    setup = cases["setup"][0]
    assert setup["name"] == board
    assert setup["conflicts"] == []  # no pad given two jobs (an output and a bus line...)
    assert setup["violations"] == []  # the TFT got its datasheet waits
    if board == "m5stickc_plus2":
        assert setup["hold_at_import"] == 1, "HOLD must go high before anything slow, or the M5 powers off"
        assert setup["hold"] == 1 and setup["hold_latched"] is True
    if board in ("m5stickc_plus2", "lilygo_tdisplay"):
        assert setup["backlight"] == 1


def test_board_keeps_the_board_contract_with_a_real_boards_idle_times(cases, board):
    """What the app relies on without asking: the base's methods, the display's colours, the chip's first tick;
    and a real board darkens its display after 20 s unused and sleeps then (bench/battery.py: why so short)."""
    contract = cases["contract"][0]
    assert contract["board"] and contract["screen"]
    assert (contract["display_off_s"], contract["sleep_s"]) == (20, 20)
    assert contract["first_tick_s"] in (1.0, 0.507813)
    assert contract["colours"] in ([1, 0], [0xFFFF, 0])


def test_rtc_reads_the_chip_on_the_board(cases):
    rtc = cases["rtc"][0]
    expected = datetime.fromtimestamp(rtc["chip_time"], timezone.utc)
    assert rtc["datetime"] == list(expected.timetuple()[:6])
    assert rtc["time_lost"] is False


def _lit(rows, width):
    lit = set()
    for y, row in enumerate(rows):
        bits = int(row, 16)
        total = len(row) * 4
        for x in range(width):
            if bits >> (total - 1 - x) & 1:
                lit.add((x, y))
    return lit


def test_code_screen_lights_the_panel_as_ui_drew_it(cases, board):
    screen = cases["screen"][0]
    panel = _lit(screen["panel"], screen["panel_width"])
    drawn = _lit(screen["reference"], screen["width"])
    assert len(drawn) > 500  # label, six digits and the bar are really there
    if (screen["width"], screen["height"]) == (screen["panel_width"], screen["panel_height"]):
        assert panel == drawn
        return
    # A portrait panel used in landscape: the picture is turned a quarter either way, never mirrored.
    w, h = screen["width"], screen["height"]
    assert (screen["panel_width"], screen["panel_height"]) == (h, w)
    turned = {(h - 1 - y, x) for x, y in drawn}
    turned_back = {(y, w - 1 - x) for x, y in drawn}
    assert panel in (turned, turned_back)
    assert screen["violations"] == []


def test_display_goes_dark_with_its_backlight_and_comes_back(cases, board):
    dim = cases["dim"][0]
    has_backlight = board in ("m5stickc_plus2", "lilygo_tdisplay")
    assert dim["off"] == [True, False, 0 if has_backlight else None]
    assert dim["on"] == [True, 1 if has_backlight else None]


def test_keys_give_short_and_long_presses_once_each(cases, board):
    keys = {case["key"]: case for case in cases["key"]}
    assert sorted(keys) == KEYS[board]
    for name, case in keys.items():
        assert case["tap"] == [name]
        assert case["hold"] == [name + " long"]  # reported while held, not again on release
        assert case["between"] == [name]  # pressed and released between two looks of the loop
        assert case["glitch"] == []  # a 2 ms spike is no press
        assert case["bouncy"] == [name]  # chattering contacts: one press
    assert sorted(cases["together"][0]["events"]) == KEYS[board]


def _expected_percent(mv):
    if mv is None or mv > 4350:  # no cell, or USB/charger above a full cell: nothing to report
        return None
    return max(0, min(100, (mv - EMPTY_MV) * 100 // (FULL_MV - EMPTY_MV)))


def test_battery_percent_from_the_cell_voltage(cases, board):
    case = cases["battery"][0]
    if board == "esp32_devkit":
        assert [percent for _, percent in case["readings"]] == [None] * len(case["readings"])
        return
    for mv, percent in case["readings"]:
        expected = _expected_percent(mv)
        if expected is None:
            assert percent is None, mv
        else:
            # The ADC reads whole millivolts at the pin: times the divider, up to 5 mV (~0.6 %) off.
            assert percent is not None and abs(percent - expected) <= 1, (mv, percent, expected)
    enable = case["battery"]["enable"]
    if enable:
        assert case["enable_after"] == 1 - enable[1]  # the divider is switched off again after reading


def test_sleep_waits_for_key_a_then_sleeps_dark_until_key_a(cases, board):
    sleep = cases["sleep"][0]
    assert sleep["wake"] == WAKE[board]
    assert sleep["waited_ms"] >= 300 and sleep["at_once"] is False  # waited for the held key's release
    assert sleep["dark"] and sleep["panel_on"] is False
    for pad, level in SLEEP_LEVELS[board].items():
        assert sleep["levels"][pad] == level, pad
    if board == "heltec_wifi_kit32_v3":
        assert sleep["deep_sleep_hold"] is True  # GPIO36/37 are no RTC pads on the S3


def test_waking_lets_go_of_the_sleep_holds_and_ignores_the_waking_press(cases, board):
    woken = cases["woken"][0]
    assert woken["held_at_start"] == []  # the press that woke the board is not an "A"
    assert woken["panel_on"] is True
    after = woken["after"]
    if "backlight" in after:
        assert after["backlight"][1] is False  # let go of; dark until the first screen is on the panel
        assert woken["backlight_with_screen"] == 1
    if "vext" in after:
        assert after["vext"] == [0, False]
    if "hold" in after:
        assert after["hold"] == [1, True]


def test_setup_never_waits_out_the_tfts_120_ms_and_the_datasheet_waits_still_hold(cases, board):
    """From deep sleep the panel stayed powered and asleep: the board does not reset it. Powered up, the TFT's
    120 ms before sleep out pass while the firmware loads and draws the first screen (its first show() waits
    for what is left), instead of in the board's setup. Either way the datasheet's waits hold."""
    cold, woken = cases["setup"][0], cases["woken"][0]
    assert woken["violations"] == [] and woken["panel_on"] is True
    assert cold["violations"] == []  # (the setup case showed its first screen too)
    if board in ("m5stickc_plus2", "lilygo_tdisplay"):
        assert cold["setup_ms"] < 60 and woken["setup_ms"] < 60, (cold["setup_ms"], woken["setup_ms"])


def test_m5_power_key_switches_off(vm):
    power = _cases(vm.name, "m5stickc_plus2")["power"][0]
    assert power["battery"] == ["power cut", [], 0]  # HOLD low: the supply goes
    assert power["usb"] == ["deep sleep, wake [37, 0]", [], 1]  # USB keeps it up: deep sleep instead


def test_only_board_files_know_pin_numbers():
    offenders = [str(p) for p in FIRMWARE.rglob("*.py") if re.search(r"Pin\(\s*\d", p.read_text())]
    assert offenders == []
    for board in REAL_BOARDS:
        # ... and there only as named constants at the top, not as bare numbers in the code.
        assert not re.search(r"Pin\(\s*\d", (BOARDS / board / "board.py").read_text()), board


@pytest.mark.parametrize("board", REAL_BOARDS)
def test_about_json_describes_the_board_and_its_drivers(board):
    about = json.loads((BOARDS / board / "about.json").read_text())
    assert {"title", "chip", "display", "rtc", "buttons", "battery", "micropython", "drivers"} <= set(about)
    assert about["chip"] in ("esp32", "esp32s3")
    assert about["micropython"]["build"] == {"esp32": "ESP32_GENERIC", "esp32s3": "ESP32_GENERIC_S3"}[about["chip"]]
    imported = set(re.findall(r"from drivers\.(\w+) import", (BOARDS / board / "board.py").read_text()))
    assert set(about["drivers"]) == imported
    assert all((FIRMWARE / "drivers" / (name + ".py")).exists() for name in about["drivers"])
