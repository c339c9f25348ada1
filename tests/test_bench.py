"""`make bench` keeps working: a tiny run measures every figure beside its baseline and writes the README table.

No timing assertions here (timings belong in the README, not in a pass/fail); what is checked is that each
figure was measured, has its baseline and their ratio, and says whether its goal is met.
"""

import json
import math
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
WASM_PORT = ROOT / ".venv" / "wasm" / "node_modules" / "@micropython" / "micropython-webassembly-pyscript"
BOARDS = sorted(p.parent.name for p in (ROOT / "boards").glob("*/board.py"))
EXPECTED = ["otp_code_cost", "min_heap", *("footprint_" + b for b in BOARDS), "boot_to_code", "provision_add",
            "qr_1366x768", "qr_1920x1080", "qr_photo", "esp32_wake_to_code",
            *("esp32_wake_" + b for b in BOARDS if b != "sim"), "heap32_1", "heap32_100",
            *("battery_" + b for b in ("heltec_wifi_kit32_v3", "lilygo_tdisplay", "m5stickc_plus2")),
            *("flash_%s_%s" % (op, timing) for op in ("add", "wipe", "import") for timing in ("typical", "worst"))]
# Figures for the record, without a goal of their own: the input of 7, and the battery boards but the one the
# days-per-charge goal is for.
NO_GOAL = {"boot_to_code", "battery_heltec_wifi_kit32_v3", "battery_lilygo_tdisplay",
           *(key for key in EXPECTED if key.startswith("flash_"))}  # figure 10: what a slow flash costs
README = "# totpfob\n\nintro\n\n<!-- bench:begin -->\n(not measured yet)\n<!-- bench:end -->\n\n## Status\n"


def test_tiny_bench_reports_every_figure_beside_its_baseline(tmp_path):
    # Figure 8 runs the token on MicroPython's WebAssembly port: node, and npm to fetch the port once.
    for tool, package in (("node", "nodejs"), ("npm", "npm")):
        if shutil.which(tool) is None and (tool == "node" or not WASM_PORT.exists()):
            pytest.skip("%s is not installed (Debian: %s): the bench's figure 8 needs it" % (tool, package))
    readme = tmp_path / "README.md"
    readme.write_text(README)
    out = tmp_path / "results.json"
    proc = subprocess.run([sys.executable, "-m", "bench", "--tiny", "--out", str(out), "--readme", str(readme)],
                          cwd=ROOT, capture_output=True, text=True, timeout=240)
    assert proc.returncode == 0, proc.stdout[-3000:] + proc.stderr[-3000:]

    results = json.loads(out.read_text())
    assert results["size"] == "tiny" and results["errors"] == []
    figures = {f["key"]: f for f in results["figures"]}
    assert sorted(figures) == sorted(EXPECTED)
    assert sorted({f["n"] for f in results["figures"]}) == sorted([*"123456789", "10"])
    for key, f in figures.items():
        assert f["value"] > 0 and f["baseline"]["value"] > 0 and f["baseline"]["what"], key
        assert math.isclose(f["ratio"], f["value"] / f["baseline"]["value"]), key
        if key in NO_GOAL:
            assert f["goal"] is None and f["met"] is None
        else:
            assert f["goal"]["text"] and isinstance(f["met"], bool), key
            measured = f["ratio"] if f["goal"]["on"] == "ratio" else f["value"]
            assert f["met"] == (measured <= f["goal"]["limit"]), key

    # Figures that would be nonsense if the bench measured the wrong thing.
    assert figures["min_heap"]["value"] >= figures["min_heap"]["baseline"]["value"]  # firmware on top of the board
    assert all(figures["footprint_" + b]["ratio"] < 1 for b in BOARDS)  # compiled, not copied
    steps = [s["step"] for s in results["boot_steps"]]
    assert {"import otp", "import app", "import board", "first draw"} <= set(steps)
    assert steps.index("import otp") < steps.index("import app")  # dependencies first: each cost is its own
    # 32-bit words: the firmware's heap grows with the vault; the smallest heap holds at least what it keeps.
    one, hundred = figures["heap32_1"]["details"], figures["heap32_100"]["details"]
    assert hundred["kept_bytes"] > one["kept_bytes"]
    assert all(d["smallest_total_k"] * 1024 >= d["base_bytes"] + d["kept_bytes"] for d in (one, hundred))
    # The battery model: a look costs charge, so a day of looks lasts less than an idle day; and the firmware
    # now asks less of the M5StickC Plus2 than before this work (switched off between looks, shorter lit time).
    plus2 = figures["battery_m5stickc_plus2"]["details"]
    assert plus2["now"]["days"] < plus2["now"]["idle_days"]
    assert plus2["now"]["mah_day"] < plus2["before"]["mah_day"]

    text = readme.read_text()
    assert text.startswith("# totpfob\n\nintro\n\n<!-- bench:begin -->\n") and text.endswith(
        "<!-- bench:end -->\n\n## Status\n")
    assert "(not measured yet)" not in text
    for f in results["figures"]:
        assert f["title"] in text
    assert "How figure 7 is estimated" in text
