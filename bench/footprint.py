"""Figure 3: the device footprint of each board, as a deploy writes it (mpy-cross output; main.py stays
source), against the .py sources of the same files."""

import json
import subprocess
from pathlib import Path

from bench.common import BOARDS, FIRMWARE, figure, tool

GOAL_BYTES = 32 * 1024


def deployed_files(board: str) -> list:
    """[(host path, flash path)] a deploy puts on `board`: the deploy's own list when totpfob has one, else the
    firmware, the drivers the board's about.json lists (all of them if it lists none) and board.py."""
    try:
        from totpfob.build import firmware_files
    except ImportError:
        firmware_files = None
    if firmware_files is not None:
        return firmware_files(board)
    drivers = None
    try:
        drivers = set(json.loads((BOARDS / board / "about.json").read_text())["drivers"]) | {"__init__"}
    except (OSError, ValueError, KeyError, TypeError):
        pass
    files = []
    for path in sorted(FIRMWARE.rglob("*.py")):
        target = path.relative_to(FIRMWARE).as_posix()
        if drivers is None or not target.startswith("drivers/") or path.stem in drivers:
            files.append((str(path), target))
    return files + [(str(BOARDS / board / "board.py"), "board.py")]


def compile_file(source: str, target: str, out: Path) -> Path:
    """mpy-cross `source` into out/<target>.mpy, naming it as on the flash (as a deploy does)."""
    mpy = out / (target[:-3] + ".mpy")
    mpy.parent.mkdir(parents=True, exist_ok=True)
    subprocess.run([tool("mpy-cross"), "-s", target, "-o", str(mpy), source], check=True, capture_output=True)
    return mpy


def boards() -> list:
    return sorted(p.parent.name for p in BOARDS.glob("*/board.py"))


def measure(size, workdir: Path) -> list:
    figures = []
    compiled = {}  # (source, flash path) -> bytes: the boards share most files

    def device_size(source, target):
        if (source, target) not in compiled:
            compiled[source, target] = compile_file(source, target, workdir / "mpy").stat().st_size
        return compiled[source, target]

    for board in boards():
        source_bytes = device_bytes = 0
        files = []
        for source, target in deployed_files(board):
            size_py = Path(source).stat().st_size
            # Each board's board.py lands at the same flash path: compile_file's output is read at once.
            on_flash = size_py if target == "main.py" else device_size(source, target)
            source_bytes += size_py
            device_bytes += on_flash
            files.append({"file": target, "py": size_py, "device": on_flash})
        figures.append(figure(
            "footprint_" + board, "Flash footprint, board %s" % board, device_bytes, "bytes",
            ".py sources of the same files", source_bytes, goal="≤ 32 KiB", limit=GOAL_BYTES,
            notes="what a deploy writes: the firmware, the drivers the board's about.json lists and its board.py "
                  "as mpy-cross output (main.py stays source); goal per board", files=files))
    return figures
