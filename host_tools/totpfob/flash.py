"""`totpfob flash`: put MicroPython itself on a board with esptool (the one installed beside totpfob).

esptool's progress goes straight to the terminal; its errors are read and turned into one line.
"""

import shlex
import subprocess
import sys
from pathlib import Path

from . import boards
from .errors import UserError
from .i18n import _
from .link import LinkError, find_port
from .paths import tool

BAUD = 460800  # fast, and what Espressif's USB bridges on these boards all manage
_IMAGE_MAGIC = 0xE9
# esp_image_header_t: the chip an image was built for is a little-endian u16 at byte 12.
_CHIP_IDS = {0x0000: "esp32", 0x0002: "esp32s2", 0x0005: "esp32c3", 0x0009: "esp32s3", 0x000D: "esp32c6"}
REQUIRED_MICROPYTHON = "1.27"  # the ESP32 API the firmware is type-checked against (make typecheck)


def download_help(board: boards.Board) -> str:
    """A few lines: which MicroPython build to fetch for this board, and the commands that install it."""
    lines = [_("%s (%s) runs MicroPython's %s build:") % (board.name, board.title, board.build),
             _("  1. download the latest release's .bin (not the .app-bin) from https://micropython.org/download/%s/")
             % board.build,
             "  2. totpfob flash --board %s --firmware %s-<date>-v<version>.bin [--port PORT] [--erase]"
             % (board.name, board.build),
             "  3. totpfob deploy --board %s [--port PORT]" % board.name]
    if board.note:
        lines.insert(2, _("     note: %s") % board.note)
    if board.tested:
        lines.append(_("Tested on this board with MicroPython %s.") % board.tested)
    else:
        lines.append(_("Take MicroPython %s or newer: the firmware is checked against its ESP32 API, and the virtual "
                       "token runs it on 1.29 (not yet tried on this board).") % REQUIRED_MICROPYTHON)
    return "\n".join(lines)


def check_image(path: Path, chip: str) -> None:
    """UserError unless path is an ESP firmware image built for chip (the .bin from micropython.org)."""
    try:
        with open(path, "rb") as f:
            head = f.read(16)
    except OSError as exc:
        raise UserError(_("cannot read %s: %s") % (path, exc.strerror or exc)) from None
    if len(head) < 16 or head[0] != _IMAGE_MAGIC:
        raise UserError(_("%s is not an ESP32 firmware image (take the .bin from micropython.org/download/)") % path)
    built_for = _CHIP_IDS.get(int.from_bytes(head[12:14], "little"), _("another chip"))
    if built_for != chip:
        raise UserError(_("%s is built for %s, but the board's chip is %s") % (path, built_for, chip))


def esptool_commands(board: boards.Board, firmware: Path, port: str | None, erase: bool) -> list:
    """The esptool runs that flash firmware onto the board, in order (erase first if asked)."""
    base = [tool("esptool"), "--chip", board.chip] + (["--port", port] if port else []) + ["--baud", str(BAUD)]
    runs = [base + ["erase-flash"]] if erase else []
    offset = boards.FLASH_OFFSETS[board.chip]
    runs.append(base + ["write-flash", "0x%x" % offset, str(firmware)])
    return runs


def _run_esptool(command: list) -> None:
    """Run esptool with its progress on our terminal; its error report becomes one UserError line."""
    proc = subprocess.run(command, stdout=None, stderr=subprocess.PIPE, text=True)
    if proc.returncode == 0:
        sys.stderr.write(proc.stderr)  # warnings, if any: esptool's own words
        return
    lines = [line.strip() for line in proc.stderr.splitlines() if line.strip()]
    fatal = [line for line in lines if "fatal error" in line.lower()] or lines[-1:] or ["exit %d" % proc.returncode]
    reason = fatal[-1].split("fatal error occurred: ", 1)[-1].removeprefix("ERROR: ")
    raise UserError(_("esptool could not flash the board: %s (is it plugged in? some boards need BOOT held "
                      "while you plug them in)") % reason.rstrip("."))


def cmd_flash(args) -> int:
    board = boards.load(args.board)
    if board.simulated:
        raise UserError(_("the virtual token has nothing to flash: `totpfob sim --blank` starts it freshly flashed"))
    if board.chip not in boards.FLASH_OFFSETS or not board.build:
        raise UserError(_("boards/%s/about.json names no ESP32 chip and MicroPython build to flash") % board.name)
    if not args.firmware:
        print(download_help(board))
        return 2
    firmware = Path(args.firmware)
    if not firmware.is_file():
        raise UserError(_("no firmware file %s (download it first: `totpfob flash --board %s` says where)")
                        % (firmware, board.name))
    check_image(firmware, board.chip)
    ports = set(args.port or [])
    if len(ports) > 1:
        raise UserError(_("flash works on one board at a time; give a single --port"))
    port = ports.pop() if ports else None
    if port is None and not args.dry_run:
        try:
            port = find_port()
        except LinkError as exc:
            raise UserError(str(exc)) from None
    try:
        runs = esptool_commands(board, firmware, port, args.erase)
    except FileNotFoundError as exc:
        raise UserError(str(exc)) from None
    if args.dry_run:
        for command in runs:
            print(shlex.join(command if port else command[:3] + ["--port", "PORT"] + command[3:]))
        return 0
    for command in runs:
        _run_esptool(command)
    print(_("MicroPython is on the board; now install the token firmware: totpfob deploy --board %s --port %s")
          % (board.name, port))
    return 0


def add_parser(subparsers, shared: dict) -> None:
    p = subparsers.add_parser("flash", parents=[shared["port"]], help=_("put MicroPython on a board (esptool)"),
                              description=_("Write a MicroPython firmware image onto an ESP32 board with esptool. "
                                            "Without --firmware: which image to download for the board."))
    p.add_argument("--board", required=True, metavar="BOARD", help=_("see `totpfob boards`"))
    p.add_argument("--firmware", metavar="FILE.bin", help=_("the MicroPython .bin from micropython.org"))
    p.add_argument("--erase", action="store_true", help=_("erase the whole flash first (accounts too)"))
    p.add_argument("--dry-run", action="store_true", help=_("print the esptool commands instead of running them"))
    p.set_defaults(run=cmd_flash)
