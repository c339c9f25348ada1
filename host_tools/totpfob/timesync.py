"""Setting and checking the token's clock from the host's, to a few milliseconds, and learning its drift.

The RTC counts whole seconds. To read it finely the token answers just after its next second begins; to set it,
the host sends the new second so that it arrives as that second begins on the host, compensating for the
measured one-way latency of the link (the token then starts its chip's second right there).

Drift: every sync sets the chip to the true time. At the next sync, at least MIN_DRIFT_BASELINE_S later, the
chip's own error (raw offset) is what its crystal gained since: raw_offset / chip seconds elapsed is its drift,
which the token takes off from then on (firmware/clock.py). Over a month a 20 ppm chip gains 52 s; the
offset is measured to a few ms, so the drift to well under 0.01 ppm.

One bad sync must not spoil it. The offset is measured against the host's clock, so a host a few seconds off
looks, at the next good sync, like a crystal gone astray (3 s in a day: 35 ppm, 90 s a month). Hence drift is
learnt only over a baseline long enough that HOST_ERROR_S at either end is under a ppm; only from a host whose
OS says its clock is synchronised (the caller passes learn=False otherwise) and from a measurement two readings
agree on; and never beyond what the chip can physically do (CHIP_DRIFT_PPM: a DS3231 cannot drift 35 ppm).
A correction the token applies that made its clock worse than no correction is dropped at the next sync.
A set that lands more than SET_TOLERANCE_S off (the host paused, the link stalled) is tried again, then
reported as failed (SyncFailed).

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
# What one sync's host clock may be off although its OS says it is synchronised (NTP keeps it to milliseconds;
# this allows for a poor one): over a week, two such errors make under a ppm of drift.
HOST_ERROR_S = 0.25
MIN_DRIFT_BASELINE_S = 7 * 86400
MAX_DRIFT_PPM = 200.0  # beyond any crystal at room temperature: the host's clock jumped, not the token's
# What each RTC chip can drift at worst (ppm), by its driver's name: the DS3231 is ±2 ppm at 0–40 °C (±3.5 over
# its whole range, plus ageing); the PCF8563/BM8563 runs on a plain watch crystal (±20 ppm, more when cold,
# plus the load-capacitance mismatch of the board). A board whose chip is unknown gets the largest of its
# drivers' limits, and a token of no known board MAX_DRIFT_PPM.
CHIP_DRIFT_PPM = {"ds3231": 5.0, "pcf8563": 60.0, "bm8563": 60.0}
SET_TOLERANCE_S = 0.5  # a set further off than this is no sync: tried again, then reported
SYNC_TRIES = 3
AGREE_S = 0.05  # two readings of the offset in a row agree this well unless the host was paused between
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


class SyncFailed(Exception):
    """The token's clock could not be set to within SET_TOLERANCE_S of the host's; `after` is where it ended."""

    def __init__(self, before: Status, after: Status):
        super().__init__("the clock landed %+.3f s off" % after.offset_s)
        self.before = before
        self.after = after


def drift_limit_ppm(about: dict) -> float:
    """The most the RTC of this token (its HELLO answer) can drift, in ppm: by the chip it names under "rtc"
    if it does, else by its board's drivers (boards/<board>/about.json), else MAX_DRIFT_PPM."""
    from . import boards  # only here: the catalogue is read from disk

    chip = about.get("rtc")
    if isinstance(chip, str) and chip.lower() in CHIP_DRIFT_PPM:
        return CHIP_DRIFT_PPM[chip.lower()]
    board = about.get("board")
    try:
        drivers = boards.load(board).drivers if isinstance(board, str) else []
    except Exception:  # an unknown board or a damaged about.json: nothing known about its chip
        drivers = []
    limits = [CHIP_DRIFT_PPM[name] for name in drivers if name in CHIP_DRIFT_PPM]
    return max(limits) if limits else MAX_DRIFT_PPM


def new_drift_ppb(before: Status, now: float, limit_ppm: float = MAX_DRIFT_PPM) -> int | None:
    """The drift correction to send at a sync at host time `now`, in ppb of the chip's own seconds; None keeps
    the token's.

    Learnt from the error the chip gained since it was last set, over at least MIN_DRIFT_BASELINE_S, and held
    to what the chip can do (limit_ppm). Over a shorter baseline nothing is learnt, but a correction in force
    that made the clock worse than none (its corrected offset further off than the chip's own) is dropped (0).
    None too when the clock is lost or was never set, or the "drift" is beyond any crystal (MAX_DRIFT_PPM: a
    host clock jumped)."""
    if before.lost or not before.last_sync:
        return None
    elapsed = now - before.last_sync
    worse = before.drift_ppm and abs(before.offset_s) > abs(before.raw_offset_s) + AGREE_S
    if elapsed < MIN_DRIFT_BASELINE_S:
        return 0 if worse else None
    ppb = before.raw_offset_s / (elapsed + before.raw_offset_s) * 1e9
    if abs(ppb) > MAX_DRIFT_PPM * 1000:
        return 0 if worse else None
    limit = limit_ppm * 1000
    return round(max(-limit, min(limit, ppb)))


def _confirmed_drift(token: Token, before: Status, clock: HostClock, limit_ppm: float) -> tuple:
    """(status, drift to send): the drift only when a second reading of the offset agrees with the one it was
    learnt from (a host paused while it measured would teach the token its pause)."""
    for _ in range(SYNC_TRIES):
        drift = new_drift_ppb(before, before.at, limit_ppm)
        if drift is None:
            return before, None
        again = status(token, clock)
        if abs(again.raw_offset_s - before.raw_offset_s) <= AGREE_S:
            return again, new_drift_ppb(again, again.at, limit_ppm)
        before = again
    return before, None


def sync(token: Token, clock: HostClock = time.time, before: Status | None = None, learn: bool = True,
         limit_ppm: float = MAX_DRIFT_PPM) -> tuple:
    """Set the token's clock at a second edge; returns (status before, status after). `before`: a status
    measured just now, to save measuring it again; learn=False keeps the token's drift correction (a host
    that does not vouch for its own clock); limit_ppm: the most its chip can drift (drift_limit_ppm).
    SyncFailed when SYNC_TRIES sets all landed more than SET_TOLERANCE_S off."""
    if before is None:
        before = status(token, clock)
    drift = None
    if learn:
        before, drift = _confirmed_drift(token, before, clock, limit_ppm)
    after = before
    for _ in range(SYNC_TRIES):
        target = int(clock()) + 2
        send_at = target - before.latency_s
        while True:
            left = send_at - clock()
            if left <= 0:
                break
            time.sleep(min(0.05, left - 0.002) if left > 0.002 else 0)  # the last 2 ms: spin
        token.set_time(target, drift)
        drift = None  # sent: the token keeps it for the next try
        after = status(token, clock)
        if not after.lost and abs(after.offset_s) <= SET_TOLERANCE_S:
            return before, after
    raise SyncFailed(before, after)


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
