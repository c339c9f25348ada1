"""The settings of one virtual token: every `totpfob sim` flag, as a plain object.

The command line becomes a SimConfig in one place (from_args), and a SimConfig becomes a command line in one
place (argv): the harness starts `totpfob sim` from the same object the simulator runs on.
"""

from dataclasses import dataclass, fields
from typing import Optional

# An ESP32 without PSRAM leaves MicroPython about 110 KiB; the unix port's objects are twice as large
# (8-byte words against 4), so the same firmware state needs about 190 KiB here.
DEFAULT_HEAP = "192k"
RTC_CHIPS = ("ds3231", "pcf8563")
REPL_IDLE_S = 60.0  # esp32board's _REPL_IDLE_MS: an allowed maintenance closes after this long without traffic
HIDDEN = ("repl_idle", "fail_setup", "flash_blocks")  # flags for tests, left out of `totpfob sim --help`
HOLD_S = 3.5  # the keyboard's `h`: "A hold 3.5", long enough for the token's 3 s gesture

# How long the virtual token's flash takes: [4 KiB sector erase us, program us per 256-byte page, bytes read per
# ms], as the SPI NOR flash chips on ESP32 boards take them (their datasheets' AC characteristics):
#   sector erase (tSE)  Winbond W25Q32JV 45 ms typical, 400 ms max; GigaDevice GD25Q32C 50 / 400 ms (XMC's
#                       XM25QH32 and the 64 Mbit parts are of the same order);
#   page program (tPP)  W25Q32JV 0.4 ms typical, 3 ms max for a whole 256-byte page; GD25Q32C 0.6 / 2.4 ms. The
#                       ESP32 programs a page in four pieces (the size of its SPI controller's buffer), and
#                       each piece costs the first byte's time again (tBP1 30 us + 2.5 us a byte typical): some
#                       0.7 ms a page in all;
#   reads               not a datasheet figure: 40 MHz dual I/O (the ESP32_GENERIC image's mode) moves 10 MB/s,
#                       less the command and address of each small read LittleFS makes: some 8 MB/s, 4 at worst.
# "worst" takes every operation at its maximum at once, which no single chip does: an upper bound for tests.
FLASH_TIMINGS = {
    "typical": (45000, 700, 8000),
    "worst": (400000, 3000, 4000),
    "none": None,  # the host file's speed: for tests of logic, not of the flash
}


@dataclass
class SimConfig:
    """One flag per field, named as the flag is (--rtc-offset: rtc_offset); None: not given."""

    headless: bool = False
    link: Optional[str] = None
    state: Optional[str] = None
    screen_dump: Optional[str] = None
    snapshot: Optional[str] = None
    control: Optional[str] = None
    serial_log: Optional[str] = None
    display_off: Optional[float] = None
    sleep: Optional[float] = None
    heap: str = DEFAULT_HEAP
    rtc_lost: bool = False
    rtc_offset: Optional[float] = None
    rtc_drift_ppm: Optional[float] = None
    rtc_chip: Optional[str] = None
    blank: bool = False
    keep: bool = False
    flash_timing: str = "typical"
    # Hidden flags for tests: seconds an allowed maintenance REPL stays open without host traffic (default
    # REPL_IDLE_S, as on a board), and a board whose setup raises (a chip that does not answer).
    repl_idle: Optional[float] = None
    fail_setup: bool = False
    # Hidden too: the flash's size in 4 KiB blocks for a new image (default 512: the 2 MiB filesystem of a 4 MB
    # ESP32). Fewer blocks make fewer to scrub: tests at worst timing erase 100 rather than 500 of them.
    flash_blocks: Optional[int] = None

    def __post_init__(self):
        if self.blank and self.keep:
            raise ValueError("--blank and --keep exclude each other")
        if self.rtc_chip is not None and self.rtc_chip not in RTC_CHIPS:
            raise ValueError("unknown RTC chip %r" % self.rtc_chip)
        if self.flash_timing not in FLASH_TIMINGS:
            raise ValueError("unknown flash timing %r" % self.flash_timing)

    @classmethod
    def from_args(cls, args) -> "SimConfig":
        """The config an argparse Namespace of `totpfob sim` describes."""
        return cls(**{f.name: getattr(args, f.name) for f in fields(cls)})

    def argv(self) -> list:
        """The `totpfob sim` arguments that give this config (defaults left out)."""
        out = []
        default = SimConfig()
        for f in fields(self):
            value = getattr(self, f.name)
            if value == getattr(default, f.name):
                continue
            flag = "--" + f.name.replace("_", "-")
            # --flag=VALUE: a negative offset must not read as another option.
            out.append(flag if value is True else "%s=%s" % (flag, value))
        return out

    @property
    def mode(self) -> str:
        """How the VM boots: "repl" (a freshly flashed board), "boot" (what the flash holds) or "install"
        (the repo's firmware copied into the flash first)."""
        return "repl" if self.blank else ("boot" if self.keep else "install")

    @property
    def new_rtc(self) -> bool:
        """Whether the flags ask for a fresh RTC rather than the one the state dir holds."""
        return self.rtc_lost or self.rtc_offset is not None or self.rtc_drift_ppm is not None
