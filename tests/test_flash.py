"""`totpfob flash`: MicroPython onto an ESP32 with esptool. There is no board here, so what is tested is what a
user sees before and around esptool: which image to download, the esptool commands (--dry-run), images for the
wrong chip refused, and esptool's own failure (a port that does not exist) as one line.

Most tests use a catalogue of two made-up boards (one per chip family) in a temporary folder, so they do not
depend on which real boards exist; the last ones check every real board's about.json the same way.
"""

import json
import shlex
import struct
import subprocess
import sys
from pathlib import Path

import pytest
from totpfob import boards, cli

ESPTOOL = str(Path(sys.executable).parent / "esptool")
# Where MicroPython's .bin goes (DESIGN.md, "Flashing"; Espressif's bootloader offsets per chip).
OFFSETS = {"esp32": "0x1000", "esp32s3": "0x0"}
CHIP_IDS = {"esp32": 0, "esp32s3": 9}  # esp_image_header_t.chip_id
BUILDS = {"esp32": "ESP32_GENERIC", "esp32s3": "ESP32_GENERIC_S3"}


def image(path: Path, chip: str) -> Path:
    """A firmware image header for chip (what esptool's image-info reads), followed by padding."""
    header = struct.pack("<BBBBI", 0xE9, 0, 2, 0x20, 0x40080000) + bytes((0xEE, 0, 0, 0))
    header += struct.pack("<H", CHIP_IDS[chip]) + bytes(10)
    path.write_bytes(header + bytes(1024))
    return path


@pytest.fixture
def catalogue(tmp_path, monkeypatch) -> Path:
    """boards/ with one made-up board per chip family: devkit (esp32) and stick (esp32s3)."""
    folder = tmp_path / "boards"
    for name, chip in (("devkit", "esp32"), ("stick", "esp32s3")):
        (folder / name).mkdir(parents=True)
        (folder / name / "about.json").write_text(json.dumps({
            "title": "Test " + name, "chip": chip, "display": "SSD1306", "rtc": "DS3231", "buttons": "A, B",
            "battery": None, "micropython": {"build": BUILDS[chip], "note": "the plain 4 MB image"},
            "drivers": ["ds3231", "ssd1306"]}))
    monkeypatch.setattr(boards, "BOARDS", folder)
    return folder


def run(capfd, *argv: str) -> tuple:
    """(exit status, stdout, stderr) of `totpfob ARGV`, esptool's output included."""
    code = cli.main(list(argv))
    out, err = capfd.readouterr()
    return code, out, err


def assert_one_line_error(code: int, out: str, err: str) -> str:
    assert code != 0
    assert "Traceback" not in out + err
    assert err.count("\n") == 1 and err.startswith("totpfob: "), err
    return err


def test_the_test_images_are_what_esptool_reads_as_each_chip(tmp_path):
    """Guards the tests below: esptool itself must see our made-up images as built for their chip."""
    for chip, shown in (("esp32", "ESP32"), ("esp32s3", "ESP32-S3")):
        info = subprocess.run([ESPTOOL, "image-info", str(image(tmp_path / (chip + ".bin"), chip))],
                              capture_output=True, text=True, timeout=60)
        assert "Detected image type: %s\n" % shown in info.stdout, info.stdout + info.stderr


@pytest.mark.parametrize("board, chip", [("devkit", "esp32"), ("stick", "esp32s3")])
def test_without_firmware_it_says_which_build_to_download(catalogue, capfd, board, chip):
    code, out, err = run(capfd, "flash", "--board", board)
    assert code == 2 and err == ""
    assert "https://micropython.org/download/%s/" % BUILDS[chip] in out
    assert ".bin" in out and "the plain 4 MB image" in out  # the file type, and the board's own note
    assert "totpfob flash --board %s --firmware " % board in out


@pytest.mark.parametrize("board, chip", [("devkit", "esp32"), ("stick", "esp32s3")])
@pytest.mark.parametrize("erase", [False, True])
def test_dry_run_prints_the_esptool_commands(catalogue, capfd, tmp_path, board, chip, erase):
    fw = image(tmp_path / "fw.bin", chip)
    code, out, err = run(capfd, "flash", "--board", board, "--firmware", str(fw), "--port", "/dev/ttyUSB7",
                         "--dry-run", *(["--erase"] if erase else []))
    assert code == 0, err
    commands = [shlex.split(line) for line in out.splitlines()]
    assert len(commands) == (2 if erase else 1)
    for command in commands:
        assert Path(command[0]).name == "esptool"
        options = dict(zip(command[1:-1:2], command[2::2]))
        assert (options.get("--chip"), options.get("--port"), options.get("--baud")) == (chip, "/dev/ttyUSB7",
                                                                                          "460800")
    if erase:
        assert commands[0][-1] == "erase-flash"  # everything erased before MicroPython is written
    assert commands[-1][-3:] == ["write-flash", OFFSETS[chip], str(fw)]


def test_an_image_for_the_other_chip_or_no_image_is_refused_in_one_line(catalogue, capfd, tmp_path):
    s3 = image(tmp_path / "s3.bin", "esp32s3")
    err = assert_one_line_error(*run(capfd, "flash", "--board", "devkit", "--firmware", str(s3), "--dry-run"))
    assert "esp32s3" in err and "esp32" in err
    text = tmp_path / "notes.bin"
    text.write_text("not firmware\n")
    err = assert_one_line_error(*run(capfd, "flash", "--board", "devkit", "--firmware", str(text), "--dry-run"))
    assert "not an ESP32 firmware image" in err
    err = assert_one_line_error(*run(capfd, "flash", "--board", "devkit", "--firmware", str(tmp_path / "nope.bin")))
    assert "no firmware file" in err


def test_esptool_failing_on_a_port_that_does_not_exist_is_one_line(catalogue, capfd, tmp_path):
    fw = image(tmp_path / "fw.bin", "esp32")
    code, out, err = run(capfd, "flash", "--board", "devkit", "--firmware", str(fw), "--port", "/dev/ttyNOPE0")
    assert "esptool" in out  # its own progress went to the terminal
    err = assert_one_line_error(code, out, err)
    assert "esptool could not flash the board" in err and "/dev/ttyNOPE0" in err


def test_an_unknown_board_is_one_line_naming_the_known_ones(catalogue, capfd, tmp_path):
    fw = image(tmp_path / "fw.bin", "esp32")
    err = assert_one_line_error(*run(capfd, "flash", "--board", "nosuch", "--firmware", str(fw)))
    assert "unknown board 'nosuch'" in err and "devkit, stick" in err


REAL = [b for b in boards.catalogue()[0] if not b.simulated]


@pytest.mark.skipif(not REAL, reason="no real board has an about.json yet")
@pytest.mark.parametrize("board", REAL, ids=lambda b: b.name)
def test_every_real_board_can_be_flashed(capfd, tmp_path, board):
    assert board.chip in OFFSETS, "a chip flash does not know: %s" % board.chip
    code, out, _ = run(capfd, "flash", "--board", board.name)
    assert code == 2 and "https://micropython.org/download/%s/" % board.build in out
    fw = image(tmp_path / "fw.bin", board.chip)
    code, out, err = run(capfd, "flash", "--board", board.name, "--firmware", str(fw), "--port", "P", "--dry-run")
    assert code == 0, err
    assert shlex.split(out)[-3:] == ["write-flash", OFFSETS[board.chip], str(fw)]


def test_flashing_the_virtual_token_is_one_line(capfd, tmp_path):
    fw = image(tmp_path / "fw.bin", "esp32")
    err = assert_one_line_error(*run(capfd, "flash", "--board", "sim", "--firmware", str(fw)))
    assert "totpfob sim --blank" in err
