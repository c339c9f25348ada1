"""What goes onto a board's flash, and precompiling it: shared by `totpfob deploy` and the virtual token's install,
so the sim boots exactly the set of files a deploy writes."""

import ast
import json
import subprocess
from pathlib import Path

from .errors import UserError
from .i18n import _
from .paths import BOARDS, FIRMWARE, tool


class BuildError(UserError):
    """A source file did not compile (or mpy-cross is missing); one line naming the file."""


def _imported(source: Path) -> set:
    """Module names a source file imports anywhere in it (lazy imports inside functions too)."""
    names = set()
    for node in ast.walk(ast.parse(source.read_text(), str(source))):
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and not node.level:
            names.add(node.module)
    return names


def _module_file(name: str):
    """firmware/ file of a module name (``drivers.ssd1306`` -> drivers/ssd1306.py), or None if not ours."""
    path = FIRMWARE.joinpath(*name.split(".")).with_suffix(".py")
    return path if path.is_file() else None


def firmware_files(board: str = "sim") -> list:
    """[(host path, flash path)] of what a deploy puts on a board: main.py, the board's setup as board.py, and
    every firmware module they import, directly or not. Nothing else: another board's drivers or helpers would
    only take flash (and, if imported by mistake, heap)."""
    board_file = BOARDS / board / "board.py"
    needed = {FIRMWARE / "main.py"}
    pending = [FIRMWARE / "main.py", board_file]
    while pending:
        for name in _imported(pending.pop()):
            parts = name.split(".")
            for depth in range(1, len(parts) + 1):  # a package's __init__ comes with its modules
                prefix = ".".join(parts[:depth])
                path = _module_file(prefix) or _module_file(prefix + ".__init__")
                if path is not None and path not in needed:
                    needed.add(path)
                    pending.append(path)
    files = [(str(path), path.relative_to(FIRMWARE).as_posix()) for path in sorted(needed)]
    return files + [(str(board_file), "board.py")]


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
            raise BuildError(_("%s does not compile: %s") % (source, lines[-1]))
        compiled.append((str(mpy), target[:-3] + ".mpy"))
    return compiled
