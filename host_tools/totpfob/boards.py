"""The board catalogue: one boards/<name>/about.json per board that `flash` and `deploy` know how to serve,
and `totpfob boards`, which lists them."""

import json
import sys
from dataclasses import asdict, dataclass, field

from .errors import UserError
from .i18n import _
from .paths import BOARDS

# Where a freshly flashed ESP32 starts reading: the classic ESP32 keeps its bootloader at 0x1000, later chips at 0.
FLASH_OFFSETS = {"esp32": 0x1000, "esp32s2": 0x1000, "esp32s3": 0x0, "esp32c3": 0x0, "esp32c6": 0x0}
SIMULATED = "unix"  # the chip of the virtual token: nothing to flash, it resets by leaving the VM


@dataclass(frozen=True)
class Board:
    """A board as its about.json describes it."""

    name: str
    title: str
    chip: str
    display: str
    rtc: str
    buttons: str
    battery: str | None
    build: str | None  # the micropython.org download (ESP32_GENERIC, ...), None for the virtual token
    note: str  # what to know about that download (PSRAM variant, ...)
    drivers: list = field(default_factory=list)
    packages: list = field(default_factory=list)  # micropython-lib packages `deploy` installs with mip
    tested: str = ""  # the MicroPython version this board was tried with, if anybody did

    @property
    def simulated(self) -> bool:
        return self.chip == SIMULATED


def _text(value) -> str:
    if isinstance(value, list):
        return ", ".join(str(v) for v in value)
    return "" if value is None else str(value)


def load(name: str) -> Board:
    """The board called name (a folder under boards/); UserError if there is none or its about.json is bad."""
    path = BOARDS / name / "about.json"
    if not name or "/" in name or name.startswith(".") or not path.is_file():
        known = ", ".join(names()) or "none"
        raise UserError(_("unknown board %r (known: %s; see `totpfob boards`)") % (name, known))
    try:
        about = json.loads(path.read_text(encoding="utf-8"))
        micropython = about.get("micropython") or {}
        return Board(name=name, title=_text(about["title"]), chip=str(about["chip"]),
                     display=_text(about.get("display")), rtc=_text(about.get("rtc")),
                     buttons=_text(about.get("buttons")), battery=about.get("battery"),
                     build=micropython.get("build"), note=_text(micropython.get("note")),
                     drivers=list(about.get("drivers") or []), packages=list(about.get("packages") or []),
                     tested=_text(micropython.get("tested")))
    except (ValueError, KeyError, TypeError, AttributeError) as exc:
        raise UserError(_("boards/%s/about.json is not usable (%s: %s)") % (name, type(exc).__name__, exc)) from None


def names() -> list:
    """Every folder under boards/ that has an about.json, sorted."""
    return sorted(p.parent.name for p in BOARDS.glob("*/about.json"))


def catalogue() -> tuple:
    """([Board], [one line per about.json that could not be read]): a broken file must not hide the others."""
    boards, problems = [], []
    for name in names():
        try:
            boards.append(load(name))
        except UserError as exc:
            problems.append(str(exc))
    return boards, problems


def cmd_boards(args) -> int:
    boards, problems = catalogue()
    for problem in problems:
        print(_("totpfob: warning: %s") % problem, file=sys.stderr)
    if args.json:
        print(json.dumps([dict(asdict(b), simulated=b.simulated) for b in boards]))
        return 0
    rows = [(_("BOARD"), _("CHIP"), _("DISPLAY"), _("RTC"), _("BUTTONS"))]
    rows += [(b.name, b.chip, b.display, b.rtc, b.buttons) for b in boards]
    widths = [max(len(row[i]) for row in rows) for i in range(len(rows[0]) - 1)]
    for row in rows:
        print("  ".join(cell.ljust(width) for cell, width in zip(row, widths)) + "  " + row[-1])
    print(_("\nput MicroPython on a board: totpfob flash --board BOARD; then the firmware: totpfob deploy --board BOARD"))
    return 0


def add_parser(subparsers, shared: dict) -> None:
    p = subparsers.add_parser("boards", parents=[shared["json"]],
                              help=_("list the boards the token firmware runs on"),
                              description=_("List the supported boards: chip, display, RTC and buttons."))
    p.set_defaults(run=cmd_boards)
