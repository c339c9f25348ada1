"""`python -m bench [--tiny]`: run every figure, write bench/results.json and the README's bench section.

A figure that fails is reported as failed (and the exit status is 1); the others are still measured.
"""

import argparse
import json
import os
import platform
import subprocess
import sys
import tempfile
import time
import traceback
from pathlib import Path

from bench import (
    battery,
    esp32,
    flashtime,
    footprint,
    heap,
    otpcost,
    provision,
    qrtime,
    report,
    startup,
    wasm,
)
from bench.common import BENCH, ROOT, Size, tool
from bench.virtual import provisioned_state


def _host() -> dict:
    cpu = platform.processor() or platform.machine()
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    version = subprocess.run([tool("micropython"), "-c", "import sys; print(sys.version)"],
                             capture_output=True, text=True).stdout.strip().split(";")[-1].strip()
    return {"cpu": "%s, %d cores" % (cpu, os.cpu_count() or 1), "python": "CPython " + platform.python_version(),
            "micropython": version, "platform": platform.platform()}


def _parse(argv):
    parser = argparse.ArgumentParser(prog="python -m bench", description=__doc__.splitlines()[0])
    parser.add_argument("--tiny", action="store_true", help="a quick run on tiny sizes (checks the bench works)")
    parser.add_argument("--out", default=str(BENCH / "results.json"), help="where the JSON goes")
    parser.add_argument("--readme", default=str(ROOT / "README.md"), help="README whose bench section is rewritten")
    parser.add_argument("--no-readme", action="store_true", help="leave the README alone")
    parser.add_argument("--esp32-slowdown", type=float, metavar="N",
                        help="ESP32/host speed ratio for figure 7, if measured on a board (default: assumed range)")
    return parser.parse_args(argv)


def main(argv=None) -> int:
    args = _parse(argv)
    os.environ["TZ"] = "UTC"  # pyotp's TOTP.at goes through local time
    time.tzset()
    size = Size("tiny" if args.tiny else "full")
    results = {"size": size.name, "generated": time.strftime("%Y-%m-%d", time.gmtime()), "host": _host(),
               "figures": [], "errors": [], "boot_steps": []}
    began = time.monotonic()
    with tempfile.TemporaryDirectory(prefix="totpfob-bench-") as tmp:
        work = Path(tmp)
        shared = {}

        def state():
            if "state" not in shared:
                shared["state"] = provisioned_state(work / "token")
            return shared["state"]

        def boot():
            figure, steps = startup.measure(size, work / "boot", state())
            results["boot_steps"] = steps["steps"]
            return [figure]

        def power(workdir):
            wake = {f["key"][len("esp32_wake_"):]: f["value"] for f in results["figures"]
                    if f["key"].startswith("esp32_wake_") and f["key"] != "esp32_wake_to_code"}
            if not wake:
                raise RuntimeError("needs the per-board wake estimates of figure 7, which failed")
            figures, results["power"] = battery.measure(size, workdir, state(), wake)
            return figures

        sections = [
            ("1", "OTP core", lambda: otpcost.measure(size)),
            ("2", "smallest heap", lambda: heap.measure(size, work / "heap", state())),
            ("3", "footprint", lambda: footprint.measure(size, work / "footprint")),
            ("4", "boot to code", boot),
            ("5", "provisioning", lambda: provision.measure(size, work / "provision", state())),
            ("6", "QR decoding", lambda: qrtime.measure(size, work / "qr")),
            ("7", "ESP32 estimate", lambda: esp32.measure(_needs(results["boot_steps"]), args.esp32_slowdown)),
            ("8", "32-bit heap", lambda: wasm.measure(size, work / "wasm")),
            ("9", "battery life", lambda: power(work / "battery")),
            ("10", "flash timing", lambda: flashtime.measure(size, work / "flash")),
        ]
        for n, name, measure in sections:
            started = time.monotonic()
            try:
                figures = measure()
            except Exception as exc:  # noqa: BLE001 - one broken figure must not hide the others
                results["errors"].append({"n": n, "section": name, "error": str(exc).splitlines()[0][:300]})
                print("%s %-14s FAILED: %s" % (n, name, exc), file=sys.stderr)
                traceback.print_exc(file=sys.stderr)
                continue
            for figure in figures:
                figure["n"] = n
                results["figures"].append(figure)
                print("%s %-44s %12s  baseline %12s  ratio %s  %s" % (
                    n, figure["title"][:44], report.amount(figure["value"], figure["unit"]),
                    report.amount(figure["baseline"]["value"], figure["unit"]),
                    "%.2f" % figure["ratio"] if figure["ratio"] is not None else "-",
                    {True: "goal met", False: "GOAL MISSED", None: ""}[figure["met"]]))
            print("  (%.1f s)" % (time.monotonic() - started))
    results["seconds"] = round(time.monotonic() - began, 1)
    Path(args.out).write_text(json.dumps(results, indent=1, ensure_ascii=False) + "\n")
    print("wrote %s (%.0f s)" % (args.out, results["seconds"]))
    if not args.no_readme:
        estimate = [f for f in results["figures"] if f["key"] == "esp32_wake_to_code"]
        method = esp32.explain(estimate[0], results["boot_steps"]) if estimate else ""
        if report.rewrite_readme(Path(args.readme), report.section(results, method)):
            print("updated the bench section of %s" % args.readme)
        else:
            print("%s has no %s ... %s markers: not updated" % (args.readme, report.BEGIN, report.END),
                  file=sys.stderr)
            return 1
    return 1 if results["errors"] else 0


def _needs(steps: list) -> list:
    if not steps:
        raise RuntimeError("needs the boot steps of figure 4, which failed")
    return steps
