"""Figure 7: an estimate, not a measurement, of wake-to-code on an ESP32 with an SSD1306 on I2C.

estimate = published boot of a precompiled app (70 ms, DESIGN.md)
         + this run's VM time for main.py's firmware imports, board setup, app and first draw (the emulated
           chips' own time taken out) × the ESP32/host slowdown
         + the I2C bytes those steps sent (counted on the emulated bus) at 400 kHz, 9 bit times a byte.
"""

import re

from bench.common import BOARDS, FIRMWARE, figure, run_vm

PUBLISHED_BOOT_MS = 70.0  # deep-sleep wake to main.py of a frozen/precompiled app (DESIGN.md, "Sleep")
I2C_HZ = 400_000  # machine.I2C's usual fast mode; the SSD1306 and DS3231 are rated for it
# How much slower an ESP32 at 240 MHz runs MicroPython bytecode than this host's unix port: assumed, not
# measured here (no ESP32 on the bench). A 2-3 GHz x86 core has ~10x the clock and several times the work per
# clock, and the ESP32 runs its code through a flash cache. Pass --esp32-slowdown when a board has measured it.
SLOWDOWN = (50, 75, 100)  # low, central, high
GOAL_MS = 150.0
SPI_HZ = 26_000_000  # the ST7789 boards' SPI clock (their board files: the most the GPIO matrix is specified for)
RTC_READ_MS = 0.5  # an ST7789 board's only I2C at wake: reading the RTC's 7 time registers, tens of bytes


def estimate(steps: list, slowdown: float) -> dict:
    """The three parts of the estimate from the boot steps of bench/vm/boot_imports.py, in ms."""
    host_us = 0
    wire = 0
    for step in steps:
        if step["kind"] == "sim hardware":
            continue  # the emulated chips: on a board these are silicon
        host_us += step["us"] - step.get("emulated_us", 0)
        wire += step.get("wire_bytes", 0)
    return {"boot_ms": PUBLISHED_BOOT_MS, "host_ms": host_us / 1e3, "firmware_ms": host_us / 1e3 * slowdown,
            "i2c_bytes": wire, "i2c_ms": wire * 9 / I2C_HZ * 1e3}


def _const(path, name, default=0):
    match = re.search(r"^%s\s*=\s*(?:const\()?([\d_]+)" % name, path.read_text(), re.M)
    return int(match.group(1).replace("_", "")) if match else default


def _st7789(mode: str) -> dict:
    """The ST7789 driver's share of a wake (bench/vm/st7789_wake.py): init and the first code screen summed;
    show_waits_ms: the waits of the show() that lights the panel (sleep out, 120 ms after the reset at most)."""
    lines = run_vm("st7789_wake.py", mode, path=[FIRMWARE])
    steps = [line for line in lines if "step" in line]
    return {"host_ms": sum(line["us"] for line in steps) / 1e3, "spi_bytes": sum(line["spi_bytes"] for line in steps),
            "waits_ms": sum(line["waits_ms"] for line in steps),
            "show_waits_ms": sum(line.get("show_waits_ms", 0) for line in lines)}


def _after_setup_ms(steps: list, slowdown: float) -> float:
    """The firmware's work between the board's setup and the first screen's show() on a board: main.py imports
    the app (the modules after the board file in import order), builds it and draws."""
    names = [step["step"] for step in steps]
    after = names.index("import board") + 1 if "import board" in names else 0
    us = sum(step["us"] - step.get("emulated_us", 0) for step in steps[after:]
             if step["step"] != "board.setup()" and step["kind"] != "sim hardware")
    return us / 1e3 * slowdown


def _cold_on_wake(board: str) -> bool:
    """Does the board come back from its rest between looks powered up from nothing (its supply was cut), so
    that the panel needs its cold start? (A board file sets power_off_between_looks = True.)"""
    return bool(re.search(r"^\s*power_off_between_looks\s*=\s*True", (BOARDS / board / "board.py").read_text(),
                          re.M))


def per_board(steps: list, slowdown: float) -> dict:
    """Wake-to-code estimate (ms) for each real board, and its parts. SSD1306 boards: figure 7's estimate, plus
    the waits their board file makes (the Heltec's Vext power-up and OLED reset). ST7789 boards: the same boot
    and firmware work, plus their driver's own work at wake (measured on the VM with a counting SPI bus, scaled
    alike), the SPI bytes at the board's clock, the datasheet waits the driver makes (see _st7789) and the RTC
    read; less the SSD1306 frame's I2C they do not send."""
    base = estimate(steps, slowdown)
    runs = {}
    out = {}
    for path in sorted(BOARDS.glob("*/board.py")):
        board = path.parent.name
        if board == "sim":
            continue
        text = path.read_text()
        if "ST7789" in text:
            mode = "powered" if _cold_on_wake(board) else "warm"
            if mode not in runs:
                runs[mode] = _st7789(mode)
            st = runs[mode]
            bus_ms = st["spi_bytes"] * 8 / SPI_HZ * 1e3 + RTC_READ_MS
            # The wait for sleep out runs while the firmware imports the app and draws: only what is left of it
            # when the first show() comes counts (and the 5 ms after sleep out).
            ahead = _after_setup_ms(steps, slowdown) + st["host_ms"] * slowdown + bus_ms
            show_wait = max(0.0, st["show_waits_ms"] - 5 - ahead) + 5
            parts = {"boot_ms": base["boot_ms"], "firmware_ms": base["firmware_ms"] + st["host_ms"] * slowdown,
                     "bus_ms": bus_ms, "waits_ms": st["waits_ms"] - st["show_waits_ms"] + show_wait,
                     "display": "ST7789 (SPI, %s)" % {"warm": "woken from deep sleep",
                                                      "powered": "the board powered up"}[mode],
                     "bus_bytes": st["spi_bytes"]}
        else:
            waits = _const(path, "_POWER_UP_MS") + 2 * _const(path, "_RESET_MS")
            parts = {"boot_ms": base["boot_ms"], "firmware_ms": base["firmware_ms"], "bus_ms": base["i2c_ms"],
                     "waits_ms": waits, "display": "SSD1306 (I2C)", "bus_bytes": base["i2c_bytes"]}
        parts["ms"] = parts["boot_ms"] + parts["firmware_ms"] + parts["bus_ms"] + parts["waits_ms"]
        out[board] = parts
    return out


def measure(steps: list, slowdown=None) -> list:
    low, central, high = (slowdown,) * 3 if slowdown else SLOWDOWN
    parts = {k: estimate(steps, k) for k in (low, central, high)}
    total = {k: p["boot_ms"] + p["firmware_ms"] + p["i2c_ms"] for k, p in parts.items()}
    mid = parts[central]
    return [figure(
        "esp32_wake_to_code", "ESP32 wake to code (estimate, SSD1306 board)", total[central], "ms",
        "published boot of a precompiled app", PUBLISHED_BOOT_MS, goal="≤ 150 ms", limit=GOAL_MS,
        notes="70 ms boot + %.2f ms of firmware work on this host × %g (%s) + %d I2C bytes at 400 kHz (%.1f ms)" % (
            mid["host_ms"], central, "measured ESP32 slowdown" if slowdown else "assumed ESP32 slowdown; "
            "%g×: %.0f ms, %g×: %.0f ms" % (low, total[low], high, total[high]), mid["i2c_bytes"], mid["i2c_ms"]),
        slowdown=central, range_ms=[total[low], total[high]], **mid)] + [
        figure("esp32_wake_" + board, "Wake to code (estimate), board %s" % board, p["ms"], "ms",
               "published boot of a precompiled app", PUBLISHED_BOOT_MS, goal="≤ 150 ms", limit=GOAL_MS,
               notes="per board: figure 7's boot and firmware work (× %g), plus each board's display: SSD1306 "
                     "boards its I2C frame and their board file's waits; ST7789 boards their driver's work at "
                     "wake (measured on the VM, same scale), its SPI bytes at 26 MHz and the datasheet waits it "
                     "makes (5 ms after sleep out woken from deep sleep; powered up, 6 ms after the reset and "
                     "what is left of its 120 ms before sleep out once the app is drawn)" % central,
               **p) for board, p in per_board(steps, central).items()]


def explain(fig: dict, steps: list) -> str:
    """The README's paragraph on how figure 7 was reached, with this run's numbers."""
    d = fig["details"]
    wire = {s["step"]: s.get("wire_bytes", 0) for s in steps if "wire_bytes" in s}
    per_step = ", ".join("%s %d B" % (step, n) for step, n in wire.items())
    low, high = d["range_ms"]
    if low == high:
        scale = "the given ESP32/host slowdown of %g×" % d["slowdown"]
    else:
        scale = ("an assumed ESP32/host slowdown of %g× (a 240 MHz Xtensa core running from a flash cache against "
                 "a 2–3 GHz x86 core; %g–%g× gives %.0f–%.0f ms in all)" % (
                     d["slowdown"], SLOWDOWN[0], SLOWDOWN[2], low, high))
    return (
        "**How figure 7 is estimated.** No ESP32 is on the bench, so the estimate adds three parts. "
        "(a) The published wake of a precompiled app: %.0f ms (DESIGN.md, \"Sleep\"). "
        "(b) The firmware's own work, measured here on the unix VM: main.py's firmware imports (.mpy, as "
        "deployed), board setup, building the app and its first draw took %.2f ms, the time inside the emulated "
        "chips taken out; scaled by %s that is %.0f ms. "
        "(c) The I2C traffic those steps sent, counted on the emulated bus (%s) at %d kHz, 9 bit times a byte: "
        "%.1f ms (as a check of this model: a MicroPython user reports 14 ms for show() on a 128×32 I2C OLED, "
        "512 bytes, where the model says 11.5 ms). Total: %.0f ms against the 150 ms goal. `python -m bench "
        "--esp32-slowdown N` redoes it with a slowdown measured on a board." % (
            d["boot_ms"], d["host_ms"], scale, d["firmware_ms"], per_step, I2C_HZ // 1000, d["i2c_ms"],
            fig["value"]))
