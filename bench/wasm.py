"""Figure 8: the token's heap on 32-bit words, on MicroPython's official WebAssembly port run by node.

The unix port (figure 2) has 8-byte words; an ESP32 has 4-byte ones, as has this port (its sys.maxsize is
2**31 - 1; its GC blocks are 16 bytes, as the ESP32's). bench/vm/wasm_boot.py runs main.py's boot on it, the
firmware compiled as a deploy compiles it, with 1 and with CAPACITY accounts in the vault: the heap kept after a
collection, and the smallest heap that still reaches a code screen. That search bisects the port's initial heap:
the port grows its heap instead of failing (a split heap), and it grows only when a collection could not free
enough, i.e. exactly where a fixed heap of that size would have raised MemoryError. So a heap "works" when the
first code screen was drawn and the heap never grew.

Stand-ins, said where they are used: SHA-1 (the port has none; see wasm_boot.py) and bytecode for otp's one
@micropython.native method (the port has no native emitter; on an ESP32 its machine code is outside the heap).
"""

import base64
import json
import os
import re
import shutil
import subprocess
from pathlib import Path

from totpfob.build import firmware_files
from totpfob.paths import BOARDS, FIRMWARE, ROOT, tool

from bench import startup
from bench.common import VM_SCRIPTS, figure

PACKAGE = "@micropython/micropython-webassembly-pyscript"
VERSION = "1.27.0"
PREFIX = ROOT / ".venv" / "wasm"  # git-ignored, beside the other tools `make setup` installs
PORT = PREFIX / "node_modules" / PACKAGE
RUNNER = Path(__file__).resolve().parent / "wasm" / "run.mjs"
CAPACITY = 100  # firmware/vault.py's
GOAL_K = {1: 24, CAPACITY: 40}  # firmware heap to a code screen (issue 16)
_TOTAL = re.compile(r"GC: total: (\d+)")


class Missing(RuntimeError):
    """node, or the port's npm package, is not there and cannot be installed here."""


def port() -> Path:
    """The npm package's folder, installed into PREFIX on first use (npm install --prefix)."""
    if shutil.which("node") is None:
        raise Missing("node is not installed (Debian: nodejs)")
    if not (PORT / "micropython.mjs").exists():
        if shutil.which("npm") is None:
            raise Missing("npm is not installed (Debian: npm), so %s cannot be fetched" % PACKAGE)
        proc = subprocess.run(["npm", "install", "--prefix", str(PREFIX), "--no-save", "--no-audit", "--no-fund",
                               "%s@%s" % (PACKAGE, VERSION)], capture_output=True, text=True, timeout=300)
        if proc.returncode != 0 or not (PORT / "micropython.mjs").exists():
            raise Missing("npm could not install %s: %s" % (PACKAGE, (proc.stderr or proc.stdout).strip()[-300:]))
    return PORT


def flash(out: Path) -> Path:
    """The sim board's deploy (firmware + its board file) and the silicon's stand-ins (simhw, simchips), as
    .mpy for a port without native code: otp's @micropython.native line is dropped from the copy compiled."""
    sim = BOARDS / "sim"
    files = [(Path(s), t) for s, t in firmware_files("sim") if t != "main.py"]
    files += [(p, p.relative_to(sim).as_posix()) for p in [sim / "simhw.py", *sorted((sim / "simchips").glob("*.py"))]]
    files.append((Path(VM_SCRIPTS / "wasm_boot.py"), "wasm_boot.py"))  # compiled too: no compiler garbage
    plain = out / "src"
    for source, target in files:
        text = source.read_text()
        text = "\n".join(line for line in text.splitlines() if line.strip() != "@micropython.native" and
                         not line.strip().startswith("@micropython.native "))
        copy = plain / target
        copy.parent.mkdir(parents=True, exist_ok=True)
        copy.write_text(text + "\n")
        mpy = out / "flash" / (target[:-3] + ".mpy")
        mpy.parent.mkdir(parents=True, exist_ok=True)
        proc = subprocess.run([tool("mpy-cross"), "-s", target, "-o", str(mpy), str(copy)],
                              capture_output=True, text=True)
        if proc.returncode != 0:
            raise RuntimeError("mpy-cross %s: %s" % (target, proc.stderr.strip()[-300:]))
    (out / "flash" / "start.py").write_text("from wasm_boot import step\n")
    return out / "flash"


def vault_of(path: Path, count: int) -> Path:
    """A vault file holding `count` accounts of typical size (issuer ~8 bytes, an e-mail label ~20, a 20-byte
    secret; SHA-1, 6 digits, 30 s), written by the firmware's own vault.py on the unix VM, as a token writes it."""
    path.parent.mkdir(parents=True, exist_ok=True)
    script = ("import account, binascii, vault\n"
              "secret = binascii.a2b_base64(%r)\n"
              "vault.write_records(%r, [account.encode('sha1', 6, 30, 'Issuer%%02d' %% i, 'user%%02d@example.com' %% i,"
              " secret) for i in range(%d)])\n" % (base64.b64encode(bytes(range(20))).decode(), str(path), count))
    proc = subprocess.run([tool("micropython"), "-c", script], capture_output=True, text=True, timeout=60,
                          env=dict(os.environ, MICROPYPATH=str(FIRMWARE)))
    if proc.returncode != 0:
        raise RuntimeError("the vault of %d accounts was not written: %s" % (count, proc.stderr.strip()[-300:]))
    return path


def boot_calls() -> list:
    """main.py's boot as steps of bench/vm/wasm_boot.py: each module it pulls in (its own imports first), the
    board's setup right after the board file, the app, its first screen, a second later, the last seconds of
    the step (the next code shown too) and a second more."""
    calls = ["base"]
    for name, kind in startup.import_order():
        if kind != "sim hardware":  # simhw stands in for `machine`: part of the baseline
            calls.append("import " + name)
        if name == "board":
            calls.append("setup")
    return calls + ["App", "draw", "tick", "next", "tick", "end"]


def run(flash_dir: Path, cwd: Path, heap_bytes: int, calls) -> dict:
    """One boot on the port: {"steps": [{"step", "kept", "peak"}...], "screens": [...], "grew": bool}."""
    proc = subprocess.run(["node", str(RUNNER), str(port()), str(heap_bytes), str(flash_dir), str(cwd),
                           str(flash_dir / "start.py"), *["step(%r)" % c for c in calls]],
                          capture_output=True, text=True, timeout=120)
    steps, screens, base = [], [], None
    for line in proc.stdout.splitlines():
        if line.startswith("{"):
            item = json.loads(line)
            if "step" in item:
                steps.append(item)
            elif "screen" in item:
                screens.append(item["screen"])
            else:
                base = item["base"]
    total = _TOTAL.search(proc.stdout)
    if proc.returncode != 0 or total is None:
        return {"steps": steps, "screens": screens, "base": base, "grew": True,
                "error": (proc.stderr or proc.stdout)[-400:]}
    # The heap's first part is its size less the GC's own tables; a split added makes the total larger.
    return {"steps": steps, "screens": screens, "base": base, "grew": int(total.group(1)) > heap_bytes}


def smallest(works, low_k: int, high_k: int, step_k: int) -> int:
    """The smallest heap in KiB (low_k fails, high_k works; multiples of step_k) for which works(KiB) holds."""
    if not works(high_k):
        raise RuntimeError("no code screen even on a %d KiB heap" % high_k)
    while high_k - low_k > step_k:
        middle = low_k + (high_k - low_k) // 2 // step_k * step_k
        if works(middle):
            high_k = middle
        else:
            low_k = middle
    return high_k


_BIG = 256 * 1024  # far more than the boot needs: nothing grows, and the steps' figures are exact


def boot(workdir: Path, flash_dir: Path, count: int, step_k: int) -> dict:
    """Heap kept per step, and the smallest heap to a code screen, for a vault of `count` accounts."""
    cwd = workdir / ("vault%d" % count)
    vault_of(cwd / "vault.bin", count)
    calls = boot_calls()
    full = run(flash_dir, cwd, _BIG, calls)
    if "code" not in full["screens"] or full["grew"]:
        raise RuntimeError("the 32-bit boot showed %r, not a code: %s" % (full["screens"], full.get("error", "")))

    def shows_code(heap_k):
        result = run(flash_dir, cwd, heap_k * 1024, calls)
        return "code" in result["screens"] and not result["grew"]

    return {"steps": full["steps"], "kept": full["steps"][-1]["kept"], "base": full["base"],
            "peak": max(s["peak"] for s in full["steps"]), "min_k": smallest(shows_code, 4, _BIG // 1024, step_k)}


def measure(size, workdir: Path) -> list:
    flash_dir = flash(workdir / "build")
    step_k = 4 if size.name == "tiny" else 1
    stand_ins = ("the port has no SHA-1: its SHA-256 stands in (12 bytes more per code); otp's "
                 "@micropython.native method runs as bytecode (no native emitter; on an ESP32 its machine code "
                 "is not on the heap); binascii, io, os and time, C on an ESP32 but frozen Python on this port, "
                 "are imported with the board's stand-ins")
    figures = []
    for count in (1, CAPACITY):
        r = boot(workdir, flash_dir, count, step_k)
        base_k = r["base"] / 1024
        plural = "" if count == 1 else "s"
        figures.append(figure(
            "heap32_%d" % count, "32-bit heap to a code, %d account%s (firmware)" % (count, plural),
            r["min_k"] - base_k, "KiB", "32-bit heap the board's stand-ins and the port keep", base_k,
            goal="≤ %d KiB" % GOAL_K[count], limit=GOAL_K[count],
            notes="MicroPython %s's WebAssembly port under node (4-byte words and 16-byte GC blocks, as on an "
                  "ESP32), main.py's boot with %d account%s in the vault: the smallest heap on which it drew a "
                  "code screen and three more seconds of it (the last two with the next code) without the port growing its heap, %d KiB (bisected in "
                  "%d KiB steps), less the %.1f KiB the emulated chips, the board's `machine` stand-in and the "
                  "port's own modules keep. An upper bound: this port collects garbage only between the boot's "
                  "steps (each import, setup, app, each screen), never inside one, so a step's garbage counts "
                  "whole (the most held at once: %.1f KiB). Heap the firmware keeps at the code screen after a "
                  "collection: %.1f KiB. Stand-ins: %s" % (
                      VERSION, count, plural, r["min_k"], step_k, base_k, r["peak"] / 1024, r["kept"] / 1024,
                      stand_ins),
            kept_bytes=r["kept"], peak_bytes=r["peak"], smallest_total_k=r["min_k"], base_bytes=r["base"],
            accounts=count, steps=r["steps"]))
    return figures


if __name__ == "__main__":  # python -m bench.wasm: the figures of a quick run, for working on the heap
    import tempfile

    from bench.common import Size

    with tempfile.TemporaryDirectory() as tmp:
        for f in measure(Size(os.environ.get("SIZE", "full")), Path(tmp)):
            d = f["details"]
            print(json.dumps({k: f[k] for k in ("key", "value", "met")} | {k: d[k] for k in (
                "kept_bytes", "peak_bytes", "smallest_total_k", "base_bytes")}))
            for s in d["steps"]:
                print("  %-22s kept %6d  peak %6d" % (s["step"], s["kept"], s["peak"]))
