"""Setting and checking the token's clock from the host's, to a few milliseconds, and learning its drift.

The RTC counts whole seconds. To read it finely the token answers just after its next second begins; to set it,
the host sends the new second so that it arrives as that second begins on the host, compensating for the
measured one-way latency of the link (the token then starts its chip's second right there).

Drift: every sync sets the chip to the true time. At the next sync, at least MIN_DRIFT_BASELINE_S later, the
chip's own error (raw offset) is what its crystal gained since: raw_offset / chip seconds elapsed is its drift,
which the token takes off from then on (firmware/clock.py). Over a month a 20 ppm chip gains 52 s; the
offset is measured to a few ms, so the drift to well under 0.01 ppm.

The host's clock is a parameter everywhere (`clock`, default time.time), so tests can let a month pass.
"""

import ctypes
import ctypes.util
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass

from .token import Token

HostClock = Callable[[], float]
MIN_DRIFT_BASELINE_S = 6 * 3600  # drift from a shorter interval would mostly be measurement noise
MAX_DRIFT_PPM = 200.0  # beyond any crystal at room temperature: the host's clock jumped, not the token's
ADVISE_OFFSET_S = 1.0
ADVISE_AGE_S = 180 * 86400


@dataclass(frozen=True)
class Status:
    """The token's clock against the host's at host time `at`."""

    lost: bool
    offset_s: float  # token minus host, seconds: the corrected clock its codes use
    raw_offset_s: float  # the RTC chip's own reading minus host (what drift is learnt from)
    drift_ppm: float  # correction in force on the token
    last_sync: int  # unix time, 0 if never
    latency_s: float
    at: float  # host time of the measurement

    @property
    def since_sync_s(self) -> float | None:
        return self.at - self.last_sync if self.last_sync else None

    @property
    def advisable(self) -> bool:
        """A sync is advisable: the clock is lost, more than a second off, never synced or long unsynced."""
        if self.lost or abs(self.offset_s) > ADVISE_OFFSET_S or not self.last_sync:
            return True
        return self.at - self.last_sync > ADVISE_AGE_S

    def as_dict(self) -> dict:
        since = self.since_sync_s
        return {"clock": "lost" if self.lost else "ok",
                "offset_s": None if self.lost else round(self.offset_s, 3),
                "raw_offset_s": None if self.lost else round(self.raw_offset_s, 3),
                "drift_ppm": round(self.drift_ppm, 3), "last_sync": self.last_sync or None,
                "since_sync_s": None if since is None else int(since), "sync_advisable": self.advisable}


def within(token: Token, limit: float, clock: HostClock = time.time) -> bool:
    """Quick check that the token's clock is set and surely within limit seconds of the host's.

    One plain read: the token's whole second D was read somewhere between sending and the reply, so the offset
    lies in (D - reply time, D + 1 - send time). No wait for a second edge: `add` stays well under a second."""
    sent = clock()
    dt, arrived = token.time(clock=clock)
    if dt.lost:
        return False
    return -limit <= dt.now - arrived and dt.now + 1 - sent <= limit


def latency(token: Token, tries: int = 3, clock: HostClock = time.time) -> float:
    """One-way delay of the link, seconds: half the fastest of a few round trips."""
    best = 1.0
    for _ in range(tries):
        start = clock()
        token.time(clock=clock)
        best = min(best, clock() - start)
    return best / 2


def status(token: Token, clock: HostClock = time.time) -> Status:
    """The token's clock against the host's, measured at the token's second edge."""
    lat = latency(token, clock=clock)
    dt, arrived = token.time(at_edge=True, clock=clock)
    if dt.lost:
        return Status(True, 0.0, 0.0, dt.drift_ppb / 1000, dt.last_sync, lat, arrived)
    raw_offset = dt.raw - (arrived - lat)  # the chip's second dt.raw began one latency before the reply came
    # now - raw is the token's own correction, exactly as its codes use it.
    return Status(False, raw_offset + dt.now - dt.raw, raw_offset, dt.drift_ppb / 1000, dt.last_sync, lat,
                  arrived)


def new_drift_ppb(before: Status, now: float) -> int | None:
    """The chip's drift learnt at a sync at host time `now`: the error it gained since it was last set, per
    10^9 of its own seconds. None (keep the token's) when lost, never set, too soon, or implausible."""
    if before.lost or not before.last_sync:
        return None
    elapsed = now - before.last_sync
    if elapsed < MIN_DRIFT_BASELINE_S:
        return None
    ppb = before.raw_offset_s / (elapsed + before.raw_offset_s) * 1e9
    if abs(ppb) > MAX_DRIFT_PPM * 1000:
        return None
    return round(ppb)


def sync(token: Token, clock: HostClock = time.time, before: Status | None = None) -> tuple:
    """Set the token's clock at a second edge; returns (status before, status after). `before`: a status
    measured just now, to save measuring it again."""
    if before is None:
        before = status(token, clock)
    drift = new_drift_ppb(before, before.at)
    target = int(clock()) + 2
    send_at = target - before.latency_s
    while True:
        left = send_at - clock()
        if left <= 0:
            break
        time.sleep(min(0.05, left - 0.002) if left > 0.002 else 0)  # the last 2 ms: spin
    token.set_time(target, drift)
    return before, status(token, clock)


def host_clock_unsynchronised() -> bool:
    """True when the OS says its clock is not synchronised (Linux adjtimex TIME_ERROR); False if unknown."""
    if not sys.platform.startswith("linux"):  # adjtimex is Linux's; elsewhere the answer is unknown
        return False
    try:
        libc = ctypes.CDLL(ctypes.util.find_library("c") or None, use_errno=True)
        buf = ctypes.create_string_buffer(512)  # struct timex; modes = 0 only reads
        return libc.adjtimex(buf) == 5
    except (OSError, AttributeError):
        return False
