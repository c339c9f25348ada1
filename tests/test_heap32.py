"""The token boots to a code on 32-bit MicroPython words (an ESP32's), not only on the 64-bit unix port: the
firmware as deployed (.mpy), the sim board's setup on emulated chips, the app and its first screens, on the
official WebAssembly port under node (bench/wasm.py; `make bench` reports the heap this takes).

Skips, saying why, where node or the port's npm package is missing; CI must have them (tests/conftest.py).
"""

import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # the bench package, beside tests/
from bench import wasm  # noqa: E402


@pytest.fixture(scope="module")
def flash_dir(tmp_path_factory):
    try:
        wasm.port()  # installs the npm package on first use; node and npm must be there
    except wasm.Missing as exc:
        if "is not installed" not in str(exc):
            raise  # npm is there but failed: a real error, not a missing tool
        pytest.skip("%s: the 32-bit boot is not run" % exc)
    return wasm.flash(tmp_path_factory.mktemp("heap32") / "build")


def test_the_token_boots_to_a_code_on_32_bit_words_and_its_screens_keep_no_heap(flash_dir, tmp_path):
    cwd = tmp_path / "token"
    wasm.vault_of(cwd / "vault.bin", 1)
    result = wasm.run(flash_dir, cwd, 256 * 1024, wasm.boot_calls())
    assert not result["grew"], result.get("error")
    assert result["screens"] == ["code"] * 4  # the first screen, a second later, the last seconds, one more
    steps = [s["step"] for s in result["steps"]]
    assert steps.index("import board") < steps.index("setup") < steps.index("import app") < steps.index("App")
    kept = {s["step"]: s["kept"] for s in result["steps"]}
    assert kept["setup"] > kept["import board"] > 0  # the firmware's heap was measured, not the stand-ins'
    # A second on the code screen keeps nothing: the last tick ends where the screen before it left the heap
    # (within the 128 bytes the port's own call from node leaves).
    kept = [s["kept"] for s in result["steps"]]
    assert kept[-1] - kept[-2] <= 128
