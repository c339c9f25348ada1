"""A real look's timeline from a current meter's recording, and what it means for the days per charge.

bench/battery.py models a look from published currents; only a board on a meter can confirm them. Record one or
more looks with a meter between the cell and the board (USB unplugged: USB feeds the board past the cell), e.g.
a Nordic Power Profiler Kit II in ampere-meter mode, or an INA219/INA226 logger, and export the samples as CSV
(time and current; the PPK2's "Timestamp(ms),Current(uA)" works as it is). Then:

    .venv/bin/python tests/hardware/look_timeline.py capture.csv --board m5stickc_plus2 [--looks-per-day 10]

It prints the timeline (each stretch at a steady current: when, how long, how much), then per look the wake,
the lit and the dark-but-awake stretches as the model names them, the charge of one look and the current
between looks, and the days per charge at that many looks a day, beside the model's figures for the board.

A look: the current rises above --awake-ma (default 5 mA) when the key is pressed and falls back below it when
the board sleeps or switches off. Within a look, the lit and the dark stretch are told apart by the backlight
(or OLED) step: the largest fall of the current that lasts longer than a second.
"""

import argparse
import csv
import statistics
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))  # the bench package: the model this checks

_UNITS = {"a": 1000.0, "ma": 1.0, "ua": 0.001, "na": 0.000001, "s": 1.0, "ms": 0.001, "us": 0.000001}


def _unit(header: str, default: str) -> str:
    """The unit named in a column header: "Current(uA)" -> "ua"; `default` when none is named."""
    text = header.lower().replace("µ", "u")
    for unit in ("na", "ua", "ma", "us", "ms"):
        if "(%s)" % unit in text or "[%s]" % unit in text or text.endswith(" " + unit) or text.endswith("_" + unit):
            return unit
    return default


def read_samples(path: Path) -> list:
    """[(seconds, mA)] from a CSV whose first column is time and one later column current (the first whose
    header says current or I, else the second column). Units from the headers, else s and mA."""
    with open(path, newline="") as f:
        rows = list(csv.reader(f))
    header = rows[0]
    if all(_is_number(cell) for cell in header[:2]):
        header, body = ["time", "current"], rows
    else:
        body = rows[1:]
    current = next((i for i, name in enumerate(header) if i and ("current" in name.lower() or
                                                                 name.strip().lower().startswith("i"))), 1)
    t_scale = _UNITS[_unit(header[0], "s")]
    i_scale = _UNITS[_unit(header[current], "ma")]
    samples = []
    for row in body:
        if len(row) > current and _is_number(row[0]) and _is_number(row[current]):
            samples.append((float(row[0]) * t_scale, float(row[current]) * i_scale))
    if len(samples) < 2:
        raise ValueError("%s holds fewer than two samples of time and current" % path)
    return samples


def _is_number(text: str) -> bool:
    try:
        float(text)
        return True
    except ValueError:
        return False


def charge(samples: list) -> float:
    """mA·s under the samples (trapezoids)."""
    return sum((t1 - t0) * (i0 + i1) / 2 for (t0, i0), (t1, i1) in zip(samples, samples[1:]))


def looks(samples: list, awake_ma: float = 5.0) -> list:
    """Each look: {"start", "wake_s", "lit_s", "dark_s", "mas", "lit_ma", "dark_ma"}; lit/dark split at the largest
    lasting fall of the current (see the module doc); a look still running at the end is left out."""
    out = []
    start = None
    for k, (_, i) in enumerate(samples):
        if start is None and i >= awake_ma:
            start = k
        elif start is not None and i < awake_ma:
            out.append(_look(samples[start:k + 1]))
            start = None
    return out


def _look(part: list) -> dict:
    t0, t1 = part[0][0], part[-1][0]
    # One-second means along the look (its last sample, already asleep, left out); the step down where the
    # display goes dark is the largest fall between neighbouring seconds, if it is a real step (2 mA and a
    # sixth of the level at least): a look without one was lit to its end.
    awake = part[:-1]
    seconds = []
    k = 0
    while k < len(awake):
        end = k
        while end < len(awake) and awake[end][0] < awake[k][0] + 1.0:
            end += 1
        seconds.append((awake[k][0], statistics.fmean(i for _, i in awake[k:end])))
        k = end
    split = t1
    fall = 0.0
    for (_, before), (t, after) in zip(seconds, seconds[1:]):
        if before - after > max(fall, 2.0, before / 6):
            fall, split = before - after, t
    lit = [i for t, i in part if t < split]
    dark = [i for t, i in part if t >= split]
    return {"start": t0, "length_s": t1 - t0, "lit_s": split - t0, "dark_s": t1 - split, "mas": charge(part),
            "lit_ma": statistics.fmean(lit) if lit else 0.0, "dark_ma": statistics.fmean(dark) if dark else 0.0}


def floor_ma(samples: list, awake_ma: float = 5.0) -> float:
    """The mean current between looks (samples below awake_ma)."""
    rest = [i for _, i in samples if i < awake_ma]
    return statistics.fmean(rest) if rest else 0.0


def days(capacity_mah: float, floor: float, look_mas: float, per_day: int) -> float:
    """Days per charge from a measured floor (mA) and charge per look (mA·s), as bench/battery.py counts them
    (usable share of the cell and self-discharge included)."""
    from bench.battery import SELF_DISCHARGE, USABLE

    leak = capacity_mah * SELF_DISCHARGE / (30 * 24)
    return capacity_mah * USABLE / ((floor + leak) * 24 + per_day * look_mas / 3600)


def main(argv=None) -> int:
    from bench.battery import POWER

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("csv", type=Path, help="the meter's samples: time, current")
    parser.add_argument("--board", choices=sorted(POWER), required=True)
    parser.add_argument("--looks-per-day", type=int, default=10)
    parser.add_argument("--awake-ma", type=float, default=5.0, help="above this the board is awake (default 5)")
    args = parser.parse_args(argv)
    try:
        samples = read_samples(args.csv)
    except (OSError, ValueError, IndexError) as exc:
        print("cannot read the recording: %s" % exc, file=sys.stderr)
        return 2
    found = looks(samples, args.awake_ma)
    if not found:
        print("no look in the recording: the current never rose above %g mA and fell back" % args.awake_ma,
              file=sys.stderr)
        return 1
    floor = floor_ma(samples, args.awake_ma)
    for n, look in enumerate(found, 1):
        print("look %d at %.2f s: %.2f s in all, lit %.2f s at %.1f mA, dark %.2f s at %.1f mA, %.1f mA·s" % (
            n, look["start"], look["length_s"], look["lit_s"], look["lit_ma"], look["dark_s"], look["dark_ma"],
            look["mas"]))
    mas = statistics.median(look["mas"] for look in found)
    board = POWER[args.board]
    print("between looks: %.3f mA (model: %.3f mA)" % (floor, (board.off or board.asleep)[0]))
    print("one look: %.1f mA·s; at %d looks a day: %.0f days per charge of %d mAh (idle: %.0f days)" % (
        mas, args.looks_per_day, days(board.capacity[0], floor, mas, args.looks_per_day), board.capacity[0],
        days(board.capacity[0], floor, 0, 0)))
    return 0


if __name__ == "__main__":
    sys.exit(main())
