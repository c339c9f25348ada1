"""`totpfob boards` and the catalogue behind it: every boards/<name>/about.json is listed, and what a deploy
puts on a board follows that file (the firmware, the drivers it names, its board.py)."""

import json
import subprocess
from pathlib import Path

import pytest
from totpfob.build import firmware_files
from virtual_token import TOTPFOB

ROOT = Path(__file__).resolve().parents[1]
ABOUT = {p.parent.name: json.loads(p.read_text()) for p in sorted((ROOT / "boards").glob("*/about.json"))}


def totpfob(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run([TOTPFOB, *args], capture_output=True, text=True, timeout=60)


def test_the_json_lists_every_about_json_as_written():
    proc = totpfob("boards", "--json")
    assert proc.returncode == 0 and proc.stderr == "", proc.stderr
    listed = {board["name"]: board for board in json.loads(proc.stdout)}
    assert sorted(listed) == sorted(ABOUT) and "sim" in listed
    for name, about in ABOUT.items():
        board = listed[name]
        assert (board["title"], board["chip"], board["drivers"]) == (about["title"], about["chip"], about["drivers"])
        assert board["build"] == about["micropython"]["build"]
        assert board["simulated"] == (about["chip"] == "unix")


def test_the_table_has_a_row_per_board_with_its_chip_and_rtc():
    proc = totpfob("boards")
    assert proc.returncode == 0, proc.stderr
    rows = {line.split()[0]: line for line in proc.stdout.splitlines()[1:] if line.strip()}
    for name, about in ABOUT.items():
        assert about["chip"] in rows[name].split() and about["rtc"] in rows[name]


@pytest.mark.parametrize("name", sorted(ABOUT))
def test_a_deploy_carries_the_board_file_and_only_the_drivers_it_names(name):
    flash_paths = [target for _, target in firmware_files(name)]
    drivers = sorted(Path(t).stem for t in flash_paths if t.startswith("drivers/") and not t.endswith("__init__.py"))
    assert drivers == sorted(ABOUT[name]["drivers"])  # each one exists in firmware/drivers, no other
    assert "main.py" in flash_paths and flash_paths.count("board.py") == 1
    assert dict((t, s) for s, t in firmware_files(name))["board.py"] == str(ROOT / "boards" / name / "board.py")


def test_a_deploy_carries_what_the_board_imports_and_nothing_of_other_boards():
    def modules(name):
        return {target for _, target in firmware_files(name)}

    common = {"main.py", "app.py", "ui.py", "otp.py", "vault.py", "clock.py", "wire.py", "service.py",
              "frames.py", "sha512.py", "usbport.py"}  # main's and the app's, also those loaded lazily
    for name in ABOUT:
        assert common <= modules(name), name
    assert not {"esp32board.py", "buttons.py", "battery.py"} & modules("sim")  # the virtual board's own
    assert "battery.py" not in modules("esp32_devkit")  # it measures no cell
    assert {"esp32board.py", "buttons.py", "battery.py"} <= modules("m5stickc_plus2")
