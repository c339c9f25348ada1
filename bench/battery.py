"""Figure 9: a power budget per battery board, and the days a charge lasts at 10 looks a day and idle.

A model, not a measurement of current: no board with a meter is on the bench. It multiplies
- the current in each state a token passes through (press -> code -> display dark -> asleep or off), from
  datasheets and published measurements of these boards (SOURCES: each figure's origin, cited in the README;
  the few figures nobody has published are marked as assumptions, the ones a meter must confirm),
- by the time in each state per look: the wake from the ESP32 estimate (figure 7, per board), the display-on and
  dark-but-awake times from the firmware's idle timers, as the virtual token keeps them (measured here: how far
  past its settings each timer fires),
- plus the floor: asleep (or powered off) the rest of the day, and the cell's self-discharge.

Two firmwares are compared: the one before this work ("before": 240 MHz throughout, display dark after 30 s,
deep sleep after 90 s) and the firmware as it is in firmware/ now ("now": its constants read from the files).
"""

import re
import time
from pathlib import Path

from bench.common import BOARDS, FIRMWARE, figure, median
from bench.virtual import copy_state, virtual_token

LOOKS_PER_DAY = 10
GOAL_DAYS = {"m5stickc_plus2": 180}  # issue 16; the other boards have no goal of their own
USABLE = 0.9  # of a LiPo's rated charge above the ~3.3 V where an ESP32 board's 3.3 V regulator drops out
SELF_DISCHARGE = 0.02  # of the charge per month, a LiPo at room temperature (assumed: 1-3 % is usual)

# Where each figure comes from (README, "Speed and size": the list of sources).
SOURCES = {
    "plus2-issue": "M5StickC Plus2, measured by M5Stack users at the battery: ESP32 in deep sleep with the "
                   "board's supply on 1 mA; supply cut through HOLD (GPIO4), only the BM8563 RTC running "
                   "40 µA (github.com/m5stack/M5StickCPlus2 issue 7, 'More power saving')",
    "tdisplay-kreier": "LILYGO T-Display measured running (display lit) 66 mA at 240 MHz and 48 mA at 80 MHz, "
                       "radio off (github.com/kreier/t-display, pull request 2, measurements of November 2020)",
    "tdisplay-issue": "LILYGO T-Display in deep sleep, from the battery, with LILYGO's own power-down demo: 0.2 mA "
                      "(github.com/Xinyuan-LilyGO/TTGO-T-Display issue 97)",
    "s3-devkit": "ESP32-S3-DevKitM-1 measured awake (CPU idle in a task delay, radio off) 31.7 mA at 3.3 V "
                 "(lucidar.me, 'Power consumption of ESP32-S3-DevKitM-1')",
    "heltec-v3-budget": "Heltec WiFi LoRa 32 V3 (the same power circuit as the WiFi Kit 32 V3 with a radio "
                        "added) in deep sleep: 110-150 µA by its parts (LDO, charger, ESP32-S3 RTC), from "
                        "datenkollektiv/rustyfarian-power, docs/hardware-setup.md; 130 µA taken",
    "ds3231": "DS3231 datasheet (Analog Devices/Maxim): standby supply current from VCC 110 µA at most at "
              "3.63 V; the module's power LED must be removed (it alone draws about 1 mA)",
    "plus2-spec": "M5StickC Plus2 specification: 200 mAh LiPo (docs.m5stack.com)",
    "assumed-cell": "assumed: a typical 500 mAh 1S LiPo on the JST connector (the boards take any size)",
    "assumed-backlight": "assumed: 20 mA for a 1.14-inch IPS panel's backlight at full brightness (no published "
                         "measurement for these boards); the dark-but-awake current is the lit one less this",
    "assumed-oled": "assumed: 10 mA for a 0.96-inch SSD1306 showing a code (about a fifth of its pixels lit; "
                    "the current scales with lit pixels)",
    "assumed-s3-80": "assumed: at 80 MHz the ESP32-S3 saves the same share as the T-Display's ESP32 (48/66)",
    "plus2-proxy": "the T-Display's measurement: the same ESP32 core and the same 1.14-inch ST7789 panel",
}


class Board:
    """What one battery board draws in each state, in mA, with the SOURCES key of each figure."""

    def __init__(self, name, title, capacity, lit_240, lit_80, backlight, asleep, off=None):
        self.name = name
        self.title = title
        self.capacity = capacity  # (mAh, source)
        self.lit_240 = lit_240  # awake, display lit, CPU at 240 MHz
        self.lit_80 = lit_80  # the same at 80 MHz
        self.backlight = backlight  # what the display takes lit over dark (awake), in mA
        self.asleep = asleep  # deep sleep, everything the board keeps powered (RTC chip included)
        self.off = off  # supply cut between looks, where the board can (M5StickC Plus2: HOLD)


POWER = {
    "m5stickc_plus2": Board("m5stickc_plus2", "M5StickC Plus2", (200, "plus2-spec"),
                            (66.0, "tdisplay-kreier plus2-proxy"), (48.0, "tdisplay-kreier plus2-proxy"),
                            (20.0, "assumed-backlight"), (1.0, "plus2-issue"), off=(0.040, "plus2-issue")),
    "lilygo_tdisplay": Board("lilygo_tdisplay", "LILYGO T-Display", (500, "assumed-cell"),
                             (66.0, "tdisplay-kreier"), (48.0, "tdisplay-kreier"), (20.0, "assumed-backlight"),
                             (0.2 + 0.11, "tdisplay-issue ds3231")),
    "heltec_wifi_kit32_v3": Board("heltec_wifi_kit32_v3", "Heltec WiFi Kit 32 V3", (500, "assumed-cell"),
                                  (31.7 + 10.0, "s3-devkit assumed-oled"),
                                  (31.7 * 48 / 66 + 10.0, "s3-devkit assumed-s3-80 assumed-oled"),
                                  (10.0, "assumed-oled"), (0.13 + 0.11, "heltec-v3-budget ds3231")),
}


class Firmware:
    """What the firmware does per look: its idle timers (s), the CPU clock while awake after the first code
    (MHz), and whether the board cuts its own supply between looks."""

    def __init__(self, display_off_s, sleep_s, awake_mhz, powers_off):
        self.display_off_s = display_off_s
        self.sleep_s = sleep_s
        self.awake_mhz = awake_mhz
        self.powers_off = powers_off


BEFORE = Firmware(30, 90, 240, ())


def _const(path: Path, name: str, default=None):
    match = re.search(r"^%s\s*=\s*(?:const\()?([\d_]+)" % name, path.read_text(), re.M)
    return int(match.group(1).replace("_", "")) if match else default


def firmware_now() -> Firmware:
    """The firmware in firmware/ and boards/, read from its constants (esp32board.py; a board file that sets
    power_off_between_looks = True cuts its supply instead of deep sleep)."""
    base = FIRMWARE / "esp32board.py"
    hz = _const(base, "_AWAKE_HZ", 240_000_000)
    powers_off = tuple(name for name in POWER if re.search(
        r"^\s*power_off_between_looks\s*=\s*True", (BOARDS / name / "board.py").read_text(), re.M))
    return Firmware(_const(base, "_DISPLAY_OFF_S"), _const(base, "_SLEEP_S"), hz // 1_000_000, powers_off)


def look_timeline(workdir: Path, state: Path, display_off_s: float = 1, sleep_s: float = 2) -> dict:
    """One look on the virtual token, its timers set short: press A on the sleeping token -> code -> display
    dark -> asleep. Seconds between those screens (host time stamped in the VM), and how far each timer ran
    past its setting (the loop's own latency: what a board adds to its timers too)."""
    flags = ("--keep", "--display-off", str(display_off_s), "--sleep", str(sleep_s))
    with virtual_token(workdir, copy_state(state, workdir / "state"), *flags) as token:
        token.wait_screen(lambda s: s["screen"] == "sleep", timeout=20 + sleep_s)
        deadline = time.monotonic() + 10
        while token.vm_pid() is not None and time.monotonic() < deadline:
            time.sleep(0.01)  # a press while the VM is still on its way down would be lost with it
        time.sleep(0.2)  # and the simulator has seen it go
        pressed = time.time()
        token.press("A")
        code = token.wait_screen(lambda s: s["screen"] == "code", timeout=20, after=pressed)
        dark = token.wait_screen(lambda s: s["screen"] == "off", timeout=10 + sleep_s, after=code["t"])
        asleep = token.wait_screen(lambda s: s["screen"] == "sleep", timeout=10 + sleep_s, after=dark["t"])
    return {"wake_s": code["t"] - pressed, "lit_s": dark["t"] - code["t"], "dark_s": asleep["t"] - dark["t"],
            "lit_over_s": dark["t"] - code["t"] - display_off_s,
            "dark_over_s": asleep["t"] - code["t"] - sleep_s}


def budget(board: Board, fw: Firmware, wake_s: float, over_s: float) -> dict:
    """mAh a day at LOOKS_PER_DAY looks and idle, and the days a charge lasts, for a board and a firmware."""
    lit = board.lit_80[0] if fw.awake_mhz <= 80 else board.lit_240[0]
    wake = board.lit_240[0]  # to the first code the CPU runs at full speed
    dark = lit - board.backlight[0]
    lit_s = fw.display_off_s + over_s
    dark_s = max(0.0, fw.sleep_s - fw.display_off_s) + (over_s if fw.sleep_s > fw.display_off_s else 0)
    look_mas = wake * wake_s + lit * lit_s + dark * dark_s  # mA·s per look
    floor = board.off[0] if board.name in fw.powers_off and board.off else board.asleep[0]
    capacity = board.capacity[0]
    leak = capacity * SELF_DISCHARGE / (30 * 24)  # self-discharge as a current, mA
    idle_day = (floor + leak) * 24
    day = idle_day + LOOKS_PER_DAY * look_mas / 3600
    usable = capacity * USABLE
    return {"mah_day": day, "idle_mah_day": idle_day, "days": usable / day, "idle_days": usable / idle_day,
            "look_mas": look_mas, "floor_ma": floor, "lit_ma": lit, "dark_ma": dark, "wake_ma": wake,
            "lit_s": lit_s, "dark_s": dark_s, "wake_s": wake_s}


def measure(size, workdir: Path, state: Path, wake_ms: dict) -> tuple:
    """Figure 9 per battery board; wake_ms: board name -> wake estimate in ms (figure 7, this firmware's; the
    same for the firmware before: the wake is a few hundredths of a look's charge either way)."""
    looks = [look_timeline(workdir / ("look%d" % i), state) for i in range(size.repeat)]
    over_s = max(0.0, median([max(look["lit_over_s"], look["dark_over_s"] - look["lit_over_s"])
                              for look in looks]))
    now = firmware_now()
    figures = []
    table = []
    for name, board in POWER.items():
        before = budget(board, BEFORE, wake_ms[name] / 1e3, over_s)
        after = budget(board, now, wake_ms[name] / 1e3, over_s)
        goal = GOAL_DAYS.get(name)
        limit = board.capacity[0] * USABLE / goal if goal else None
        table.append({"board": name, "title": board.title, "before": before, "now": after, "goal_days": goal})
        figures.append(figure(
            "battery_" + name, "%s: %.0f days per charge at %d looks a day (charge a day)" % (
                board.title, after["days"], LOOKS_PER_DAY), after["mah_day"], "mAh/day",
            "the same board asleep all day (%.0f days idle)" % after["idle_days"], after["idle_mah_day"],
            goal="≥ %d days (≤ %.2f mAh/day)" % (goal, limit) if goal else "", limit=limit,
            notes="a model (figure 9 below: currents per state and their sources): per look %.2f s waking at %.0f "
                  "mA, %.1f s lit at %.0f mA, %.1f s dark but awake at %.0f mA; between looks %.3f mA (%s), and "
                  "self-discharge; %d mAh × %.0f %% usable. Before this work: %.1f mAh/day, %.0f days" % (
                      after["wake_s"], after["wake_ma"], after["lit_s"], after["lit_ma"], after["dark_s"],
                      after["dark_ma"], after["floor_ma"], "supply cut" if name in now.powers_off else
                      "deep sleep", board.capacity[0], USABLE * 100, before["mah_day"], before["days"]),
            board=name, before=before, now=after))
    return figures, {"looks": looks, "timer_over_s": over_s, "boards": table,
                     "firmware": vars(now), "before": vars(BEFORE)}
