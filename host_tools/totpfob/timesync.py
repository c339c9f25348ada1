"""Setting and checking the token's clock from the host's, to a few milliseconds, and learning its drift.

The RTC counts whole seconds. To read it finely the token answers just after its next second begins; to set it,
the host sends the new second so that it arrives as that second begins on the host (writing the DS3231's seconds
register restarts its 1 Hz divider), compensating for the measured one-way latency of the link.
"""

import ctypes
import ctypes.util
import time
from dataclasses import dataclass

from .token import Token

MIN_DRIFT_BASELINE_S = 6 * 3600  # drift from a shorter interval would mostly be measurement noise
ADVISE_OFFSET_S = 1.0
ADVISE_AGE_S = 180 * 86400


@dataclass
class Status:
    lost: bool
    offset_s: float  # device minus host, seconds (corrected clock)
    drift_ppm: float  # correction in force on the token
    last_sync: int  # unix time, 0 if never
    latency_s: float

    @property
    def advisable(self) -> bool:
        if self.lost or abs(self.offset_s) > ADVISE_OFFSET_S or not self.last_sync:
            return True
        return time.time() - self.last_sync > ADVISE_AGE_S

    def as_dict(self) -> dict:
        return {"clock": "lost" if self.lost else "ok",
                "offset_s": None if self.lost else round(self.offset_s, 3),
                "drift_ppm": round(self.drift_ppm, 3), "last_sync": self.last_sync or None,
                "since_sync_s": int(time.time() - self.last_sync) if self.last_sync else None,
                "sync_advisable": self.advisable}


def within(token: Token, limit: float) -> bool:
    """Quick check that the token's clock is set and surely within limit seconds of the host's.

    One plain read: the token's whole second D was read somewhere between sending and the reply, so the offset
    lies in (D - reply time, D + 1 - send time). No wait for a second edge: `add` stays well under a second."""
    sent = time.time()
    dt, arrived = token.time()
    if dt.lost:
        return False
    return -limit <= dt.now - arrived and dt.now + 1 - sent <= limit


def latency(token: Token, tries: int = 3) -> float:
    """One-way delay of the link, seconds: half the fastest of a few round trips."""
    best = 1.0
    for _ in range(tries):
        start = time.time()
        token.time()
        best = min(best, time.time() - start)
    return best / 2


def status(token: Token) -> Status:
    """The token's clock against the host's, measured at the token's second edge."""
    lat = latency(token)
    dt, arrived = token.time(at_edge=True)
    if dt.lost:
        return Status(True, 0.0, dt.drift_ppb / 1000, dt.last_sync, lat)
    edge_host = arrived - lat  # host time at which the token's second dt.raw began
    raw_offset = dt.raw - edge_host
    correction = (dt.raw - dt.last_sync) * dt.drift_ppb / 1e9 if dt.last_sync else 0.0
    return Status(False, raw_offset - correction, dt.drift_ppb / 1000, dt.last_sync, lat)


def new_drift_ppb(before: Status, now: float) -> int | None:
    """Drift estimate after a sync: the error the corrected clock built up since the last sync, per second."""
    if before.lost or not before.last_sync:
        return None
    elapsed = now - before.last_sync
    if elapsed < MIN_DRIFT_BASELINE_S:
        return None
    return round(before.drift_ppm * 1000 + before.offset_s / elapsed * 1e9)


def sync(token: Token, clock=time.time) -> tuple:
    """Set the token's clock at a second edge; returns (status before, status after)."""
    before = status(token)
    drift = new_drift_ppb(before, clock())
    target = int(clock()) + 2
    send_at = target - before.latency_s
    while clock() < send_at:
        time.sleep(min(0.05, max(0.0, send_at - clock() - 0.002)) or 0)
    token.set_time(target, drift)
    return before, status(token)


def host_clock_unsynchronised() -> bool:
    """True when the OS says its clock is not synchronised (Linux adjtimex TIME_ERROR); False if unknown."""
    try:
        libc = ctypes.CDLL(ctypes.util.find_library("c") or None, use_errno=True)
        buf = ctypes.create_string_buffer(512)  # struct timex; modes = 0 only reads
        return libc.adjtimex(buf) == 5
    except (OSError, AttributeError):
        return False
