"""tests/hardware/look_timeline.py: a current meter's recording of real looks becomes their timeline and the days
per charge it means, counted as bench/battery.py's model counts them (so a board on a meter can confirm or
correct the model's published and assumed currents)."""

import subprocess
import sys
from pathlib import Path

import pytest

HARDWARE = Path(__file__).resolve().parent / "hardware"
sys.path.insert(0, str(HARDWARE))
import look_timeline  # noqa: E402

STEP = 0.01  # s between samples, as a meter logging at 100 Hz


def recording(path: Path, states) -> Path:
    """A PPK2-style CSV (Timestamp(ms), Current(uA)) of (seconds, mA) stretches."""
    lines = ["Timestamp(ms),Current(uA),D0-D7"]
    t = 0.0
    for seconds, ma in states:
        for _ in range(round(seconds / STEP)):
            lines.append("%.3f,%.3f,00000000" % (t * 1000, ma * 1000))
            t += STEP
    path.write_text("\n".join(lines) + "\n")
    return path


def test_a_recorded_look_gives_its_stretches_its_charge_and_the_days_per_charge(tmp_path):
    # Off at 40 µA, a look (0.3 s waking at 66 mA, 20 s lit at 48 mA, 5 s dark at 28 mA), off again.
    csv = recording(tmp_path / "look.csv", [(10, 0.04), (0.3, 66), (20, 48), (5, 28), (10, 0.04)])
    samples = look_timeline.read_samples(csv)
    assert samples[1][0] == pytest.approx(STEP) and samples[0][1] == pytest.approx(0.04)  # ms and µA understood
    [look] = look_timeline.looks(samples)
    assert look["length_s"] == pytest.approx(25.3, abs=0.05)
    assert look["lit_s"] == pytest.approx(20.3, abs=1.0) and look["dark_s"] == pytest.approx(5.0, abs=1.0)
    assert look["mas"] == pytest.approx(66 * 0.3 + 48 * 20 + 28 * 5, rel=0.01)
    floor = look_timeline.floor_ma(samples)
    assert floor == pytest.approx(0.04)
    # The days as the model counts them: 90 % of 200 mAh over the day's floor, self-discharge and 10 looks.
    leak = 200 * 0.02 / (30 * 24)
    expected = 200 * 0.9 / ((0.04 + leak) * 24 + 10 * look["mas"] / 3600)
    assert look_timeline.days(200, floor, look["mas"], 10) == pytest.approx(expected)


def test_the_tool_says_what_it_found_and_a_bad_file_gets_one_line(tmp_path):
    csv = recording(tmp_path / "two.csv", [(2, 1.0), (0.3, 66), (20, 48), (2, 1.0), (0.3, 66), (20, 48), (2, 1.0)])
    tool = [sys.executable, str(HARDWARE / "look_timeline.py")]
    proc = subprocess.run(tool + [str(csv), "--board", "m5stickc_plus2"], capture_output=True, text=True)
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.count("look ") == 2 and "days per charge of 200 mAh" in proc.stdout
    bad = tmp_path / "bad.csv"
    bad.write_text("not,a\nrecording,at all\n")
    proc = subprocess.run(tool + [str(bad), "--board", "m5stickc_plus2"], capture_output=True, text=True)
    assert proc.returncode == 2 and proc.stderr.count("\n") == 1 and "Traceback" not in proc.stderr
