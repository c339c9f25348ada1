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
HIDDEN = ("repl_idle", "fail_setup")  # flags for tests, left out of `totpfob sim --help`
HOLD_S = 3.5  # the keyboard's `h`: "A hold 3.5", long enough for the token's 3 s gesture


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
    # Hidden flags for tests: seconds an allowed maintenance REPL stays open without host traffic (default
    # REPL_IDLE_S, as on a board), and a board whose setup raises (a chip that does not answer).
    repl_idle: Optional[float] = None
    fail_setup: bool = False

    def __post_init__(self):
        if self.blank and self.keep:
            raise ValueError("--blank and --keep exclude each other")
        if self.rtc_chip is not None and self.rtc_chip not in RTC_CHIPS:
            raise ValueError("unknown RTC chip %r" % self.rtc_chip)

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
