"""`totpfob sim`'s command line: the flags, with their help; what they mean lives in config.SimConfig."""

import argparse
from dataclasses import asdict

from ..i18n import _
from .config import DEFAULT_HEAP, FLASH_TIMINGS, RTC_CHIPS, SimConfig


def run(args) -> int:
    try:
        from .process import Simulator  # only `totpfob sim` pays for loading the simulator
    except ImportError as exc:  # Windows: no pty, termios, tty
        from ..errors import UserError

        raise UserError(_("the virtual token needs Linux or macOS (this system has no %s module)") % exc.name) from None

    return Simulator(SimConfig.from_args(args)).run()


def add_parser(subparsers) -> None:
    p = subparsers.add_parser("sim", help=_("run the virtual token (the firmware on the MicroPython VM)"),
                              description=_("Run the virtual token: the real firmware on the MicroPython unix "
                                            "port with emulated RTC and OLED chips."))
    p.set_defaults(**asdict(SimConfig()))  # before the flags: their defaults are the config's
    p.add_argument("--headless", action="store_true", help=_("do not draw the display in this terminal"))
    p.add_argument("--link", metavar="PATH", help=_("symlink to the token's serial port (use it as --port PATH)"))
    p.add_argument("--state", metavar="DIR", help=_("keep flash.img and the RTC here across runs"))
    p.add_argument("--screen-dump", metavar="FILE", help=_("append one JSON line per drawn screen"))
    p.add_argument("--snapshot", metavar="FILE.png", help=_("keep a PNG of the display up to date"))
    p.add_argument("--control", metavar="FIFO", help=_("button presses, one per line: A, B, A long, B long, "
                                                            "A hold S (hold A for S seconds: the gesture that "
                                                            "allows what the token asks) and `warp S` (the "
                                                            "world's time jumps S seconds)"))
    p.add_argument("--serial-log", metavar="FILE", help=_("append everything the token sends on its serial line"))
    p.add_argument("--display-off", type=float, metavar="S",
                   help=_("darken the display after S idle seconds, as a board does (default: never)"))
    p.add_argument("--sleep", type=float, metavar="S",
                   help=_("deep-sleep after S idle seconds; button A wakes it (default: never)"))
    p.add_argument("--heap", metavar="SIZE", help=_("MicroPython heap (default %s, like an ESP32)") % DEFAULT_HEAP)
    p.add_argument("--rtc-lost", action="store_true", help=_("start as if the RTC's coin cell was removed"))
    p.add_argument("--rtc-offset", type=float, metavar="S", help=_("start the RTC S seconds off the true time"))
    p.add_argument("--rtc-drift-ppm", type=float, metavar="P", help=_("make the RTC run fast (+) or slow (-)"))
    p.add_argument("--rtc-chip", choices=RTC_CHIPS,
                   help=_("the RTC chip: ds3231 (default) or pcf8563 (the BM8563 of the M5StickC); "
                          "without it, the chip the --state holds"))
    p.add_argument("--flash-timing", choices=tuple(FLASH_TIMINGS),
                   help=_("how long the flash takes to erase and write: typical (default: as a real ESP32's "
                          "flash chip), worst (each operation at its datasheet maximum) or none (instant)"))
    p.add_argument("--repl-idle", type=float, help=argparse.SUPPRESS)  # tests: a shorter maintenance timeout
    p.add_argument("--fail-setup", action="store_true", help=argparse.SUPPRESS)  # tests: a board that fails
    p.add_argument("--flash-blocks", type=int, help=argparse.SUPPRESS)  # tests: a smaller flash, a shorter scrub
    mode = p.add_mutually_exclusive_group()
    mode.add_argument("--blank", action="store_true",
                      help=_("a freshly flashed board: erased flash, MicroPython REPL on the port"))
    mode.add_argument("--keep", action="store_true", help=_("boot what the flash image holds (no install)"))
    p.set_defaults(run=run)
