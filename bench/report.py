"""The bench's results as markdown, and the README's bench section rewritten with them."""

from pathlib import Path

BEGIN = "<!-- bench:begin -->"
END = "<!-- bench:end -->"


def amount(value, unit: str) -> str:
    if value is None:
        return "—"
    if unit == "bytes":
        return "%.1f KiB" % (value / 1024)
    if unit == "µs":
        return "%.2f µs" % value
    if unit == "ms":
        return "%.1f ms" % value
    if unit == "s":
        return "%.2f s" % value
    if unit == "KiB" and value != int(value):
        return "%.1f KiB" % value
    if unit == "mAh/day":
        return "%.2f mAh/day" % value
    return "%g %s" % (value, unit)


def _met(figure: dict) -> str:
    if figure["met"] is None:
        return "—"
    if figure["met"]:
        return "yes"
    goal = figure["goal"]
    measured = figure["ratio"] if goal["on"] == "ratio" else figure["value"]
    return "**no** (%.1f× the goal)" % (measured / goal["limit"])


def table(results: dict) -> str:
    host = results["host"]
    lines = [
        "*%s run of %s on %s (%s; %s). Each figure is measured side by side with its baseline in the "
        "same run; ratio = figure ÷ baseline; timings are medians.*" % (
            results["size"].capitalize(), results["generated"], host["cpu"], host["python"], host["micropython"]),
        "",
        "| # | figure | measured | baseline | ratio | goal | met |",
        "|---|---|---|---|---|---|---|",
    ]
    for f in results["figures"]:
        base = f["baseline"]
        lines.append("| %s | %s | %s | %s: %s | %s | %s | %s |" % (
            f["n"], f["title"], amount(f["value"], f["unit"]), base["what"], amount(base["value"], base["unit"]),
            "%.2f×" % f["ratio"] if f["ratio"] is not None else "—", f["goal"]["text"] if f["goal"] else "—",
            _met(f)))
    for error in results["errors"]:
        lines.append("| %s | %s | failed: %s | | | | **no** |" % (error["n"], error["section"], error["error"]))
    lines += ["", "How each was measured:", ""]
    seen = set()
    for f in results["figures"]:
        if f["notes"] and (f["n"], f["notes"]) not in seen:  # one line for the boards, one for the pictures
            seen.add((f["n"], f["notes"]))
            lines.append("- **%s** %s." % (f["n"], f["notes"]))
    return "\n".join(lines)


def boot_table(steps: list) -> str:
    lines = ["| step at boot | kind | heap kept | time on this host | of it in the emulated chips | I2C bytes |",
             "|---|---|---|---|---|---|"]
    for step in steps:
        emulated = "%d µs" % step["emulated_us"] if "emulated_us" in step else ""
        wire = str(step["wire_bytes"]) if "wire_bytes" in step else ""
        lines.append("| `%s` | %s | %d B | %d µs | %s | %s |" % (
            step["step"], step["kind"], step["bytes"], step["us"], emulated, wire))
    return "\n".join(lines)


def heap32_table(figures: list) -> str:
    """The 32-bit boot step by step (figure 8), one column per vault size."""
    runs = [f for f in figures if f["key"].startswith("heap32_")]
    lines = ["| step at boot | %s |" % " | ".join("kept, %d account%s (most at once)" % (
                 f["details"]["accounts"], "" if f["details"]["accounts"] == 1 else "s") for f in runs),
             "|---|%s" % ("---|" * len(runs))]
    for row in zip(*[f["details"]["steps"] for f in runs]):
        lines.append("| `%s` | %s |" % (row[0]["step"], " | ".join(
            "%.1f KiB (%.1f)" % (s["kept"] / 1024, s["peak"] / 1024) for s in row)))
    return "\n".join(lines)


def power_table(power: dict) -> str:
    """Figure 9's model: per battery board the currents, times and days, before this work and now."""
    from bench.battery import LOOKS_PER_DAY, POWER, SOURCES

    fw, old = power["firmware"], power["before"]
    lines = ["| board | cell | asleep / off | lit (240 / 80 MHz) | dark, awake | days at %d looks a day: before → "
             "now | days idle: before → now | goal |" % LOOKS_PER_DAY, "|---|---|---|---|---|---|---|---|"]
    used = []

    def cite(value):
        number, keys = value
        refs = []
        for key in keys.split():
            if key not in used:
                used.append(key)
            refs.append(str(used.index(key) + 1))
        return number, "[%s]" % ",".join(refs)

    for row in power["boards"]:
        board = POWER[row["board"]]
        before, now = row["before"], row["now"]
        cap, cap_ref = cite(board.capacity)
        asleep, asleep_ref = cite(board.asleep)
        off = "" if board.off is None else " / %.0f µA %s" % (board.off[0] * 1000, cite(board.off)[1])
        lit, lit_ref = cite(board.lit_240)
        lit80, lit80_ref = cite(board.lit_80)
        back, back_ref = cite(board.backlight)
        lines.append("| %s | %d mAh %s | %.2f mA %s%s | %.0f mA %s / %.0f mA %s | lit − %.0f mA %s | %.0f → **%.0f** "
                     "| %.0f → %.0f | %s |" % (
                         row["title"], cap, cap_ref, asleep, asleep_ref, off, lit, lit_ref, lit80, lit80_ref,
                         back, back_ref, before["days"], now["days"], before["idle_days"], now["idle_days"],
                         "≥ %d days: %s" % (row["goal_days"], "met" if now["days"] >= row["goal_days"] else
                                            "**no**") if row["goal_days"] else "—"))
    lines += ["", "Per look, before → now: display lit %d s → %d s, dark but awake %d s → %d s, CPU %d MHz → %d MHz "
                  "after the first code; between looks deep sleep → %s. The virtual token's idle timers fired "
                  "%.0f ms past their settings (measured on it, one look: press, code, dark, asleep); the wake "
                  "times are figure 7's per-board estimates. Sources:" % (
                      old["display_off_s"], fw["display_off_s"], old["sleep_s"] - old["display_off_s"],
                      fw["sleep_s"] - fw["display_off_s"], old["awake_mhz"], fw["awake_mhz"],
                      "the supply cut on %s" % ", ".join(fw["powers_off"]) if fw["powers_off"] else "deep sleep",
                      power["timer_over_s"] * 1000), ""]
    lines += ["%d. %s" % (i + 1, SOURCES[key]) for i, key in enumerate(used)]
    return "\n".join(lines)


def wake_table(figures: list) -> str:
    """Figure 7 per board: the parts of each estimate."""
    lines = ["| board | display | boot | firmware work | bus | waits | wake to code |", "|---|---|---|---|---|---|---|"]
    for f in figures:
        if f["key"].startswith("esp32_wake_") and f["key"] != "esp32_wake_to_code":
            d = f["details"]
            lines.append("| %s | %s | %.0f ms | %.0f ms | %.1f ms (%d B) | %d ms | **%.0f ms** |" % (
                f["key"][len("esp32_wake_"):], d["display"], d["boot_ms"], d["firmware_ms"], d["bus_ms"],
                d["bus_bytes"], d["waits_ms"], f["value"]))
    return "\n".join(lines)


def section(results: dict, esp32_method: str) -> str:
    parts = [table(results)]
    if any(f["key"].startswith("esp32_wake_") and f["key"] != "esp32_wake_to_code" for f in results["figures"]):
        parts += ["", "Figure 7 per board (estimates: the method is below):", "", wake_table(results["figures"])]
    if results.get("power"):
        parts += ["", "Figure 9, the power budget (a model; [n]: sources below; what only a board with a meter can "
                      "confirm: every current here, the assumed ones first):", "", power_table(results["power"])]
    if any(f["key"].startswith("heap32_") for f in results["figures"]):
        parts += ["", "Figure 8 step by step: the firmware's heap on 32-bit words after each step of main.py's "
                      "boot, over the stand-ins' (kept = after a collection; in brackets the most held at once, "
                      "garbage included, which the smallest heap must hold):", "",
                  heap32_table(results["figures"])]
    if results.get("boot_steps"):
        parts += ["", "What main.py pulls in, in import order (each after its own imports; .mpy as deployed; "
                      "heap kept = `gc.mem_alloc()` after a collection; the sim's heap, 8-byte words):", "",
                  boot_table(results["boot_steps"])]
    if esp32_method:
        parts += ["", esp32_method]
    return "\n".join(parts)


def rewrite_readme(readme: Path, body: str) -> bool:
    """Replace what stands between the bench markers; False (README untouched) when they are missing."""
    text = readme.read_text()
    start, end = text.find(BEGIN), text.find(END)
    if start < 0 or end < start:
        return False
    readme.write_text(text[: start + len(BEGIN)] + "\n" + body.strip() + "\n" + text[end:])
    return True
