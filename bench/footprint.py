"""Figure 3: the device footprint of each board, as a deploy writes it (mpy-cross output; main.py stays
source), against the .py sources of the same files."""

from pathlib import Path

from totpfob.build import compile_mpy, firmware_files, native_arch

from bench.common import BOARDS, figure

GOAL_BYTES = 32 * 1024


def deployed_files(board: str) -> list:
    """[(host path, flash path)] a deploy puts on `board`."""
    return firmware_files(board)


def compile_file(source: str, target: str, out: Path, board: str) -> Path:
    """mpy-cross `source` as a deploy to `board` does (its chip's native code, named as on the flash)."""
    return Path(compile_mpy([(source, target)], out, board)[0][0])


def boards() -> list:
    return sorted(p.parent.name for p in BOARDS.glob("*/board.py"))


def measure(size, workdir: Path) -> list:
    figures = []
    compiled = {}  # (source, flash path) -> bytes: the boards share most files

    def device_size(source, target, board):
        arch = native_arch(board)  # the native code differs per chip
        if (source, target, arch) not in compiled:
            mpy = compile_file(source, target, workdir / "mpy" / arch, board)
            compiled[source, target, arch] = mpy.stat().st_size
        return compiled[source, target, arch]

    for board in boards():
        source_bytes = device_bytes = 0
        files = []
        for source, target in deployed_files(board):
            size_py = Path(source).stat().st_size
            # Each board's board.py lands at the same flash path: compile_file's output is read at once.
            on_flash = size_py if target == "main.py" else device_size(source, target, board)
            source_bytes += size_py
            device_bytes += on_flash
            files.append({"file": target, "py": size_py, "device": on_flash})
        figures.append(figure(
            "footprint_" + board, "Flash footprint, board %s" % board, device_bytes, "bytes",
            ".py sources of the same files", source_bytes, goal="≤ 32 KiB", limit=GOAL_BYTES,
            notes="what a deploy writes: the firmware, the drivers the board's about.json lists and its board.py "
                  "as mpy-cross output (main.py stays source); goal per board", files=files))
    return figures
