"""What every figure shares: medians, running scripts on the MicroPython VM, and the shape of a figure."""

import json
import os
import statistics
import subprocess
import time
from pathlib import Path

from totpfob.paths import BOARDS, FIRMWARE, ROOT, tool

BENCH = Path(__file__).resolve().parent
VM_SCRIPTS = BENCH / "vm"
__all__ = ["BENCH", "BOARDS", "FIRMWARE", "ROOT", "VM_SCRIPTS", "figure", "median", "run_vm", "timings", "tool"]


class Size:
    """How hard to try: `full` for the README, `tiny` for the test that checks the bench still works."""

    def __init__(self, name: str):
        tiny = name == "tiny"
        self.name = name
        self.codes = 200 if tiny else 2000  # codes per timing run of the OTP core
        self.repeat = 1 if tiny else 5  # end-to-end runs (boots, adds, copies, decodes) per figure
        self.inner_repeat = 3 if tiny else 7  # repeats of cheap in-process timings
        self.heap_step_k = 16 if tiny else 1  # resolution of the heap bisection, KiB
        self.heap_floor_k = 32 if tiny else 8  # the bisection's lower end (assumed too small)


def median(values) -> float:
    return statistics.median(values)


def timings(action, repeat: int) -> list:
    """Wall-clock seconds of `action()` run `repeat` times (time.perf_counter)."""
    out = []
    for _ in range(repeat):
        start = time.perf_counter()
        action()
        out.append(time.perf_counter() - start)
    return out


def run_vm(script: str, *args: str, path=(), heap: str = "", cwd=None, timeout: float = 120) -> list:
    """Run bench/vm/<script> on the MicroPython unix port with `path` as its module path; its JSON lines."""
    command = [tool("micropython")] + (["-X", "heapsize=" + heap] if heap else [])
    command += [str(VM_SCRIPTS / script), *args]
    env = dict(os.environ, MICROPYPATH=os.pathsep.join([*map(str, path), ".frozen"]))
    proc = subprocess.run(command, capture_output=True, text=True, env=env, cwd=cwd, timeout=timeout)
    if proc.returncode != 0:
        raise RuntimeError("micropython %s failed: %s" % (script, (proc.stderr or proc.stdout)[-800:]))
    return [json.loads(line) for line in proc.stdout.splitlines() if line.startswith("{")]


def figure(key: str, title: str, value: float, unit: str, baseline: str, baseline_value: float,
           goal: str = "", limit=None, on: str = "value", notes: str = "", **details) -> dict:
    """One figure: the measurement, its baseline from the same run, their ratio, and the goal if there is one.

    `limit` bounds the `value` (in `unit`) or the `ratio`, as `on` says; `goal` is how the README states it."""
    ratio = value / baseline_value if baseline_value else None
    met = None
    if limit is not None:
        met = (ratio if on == "ratio" else value) <= limit
    return {"key": key, "title": title, "value": value, "unit": unit,
            "baseline": {"what": baseline, "value": baseline_value, "unit": unit},
            "ratio": ratio, "goal": {"text": goal, "limit": limit, "on": on} if goal else None,
            "met": met, "notes": notes, "details": details}
