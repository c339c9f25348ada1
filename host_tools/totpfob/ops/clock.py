"""The token's clock: set it from this computer's, measure it, and set it on the way when an add needs it."""

from collections.abc import Sequence
from dataclasses import dataclass

from .. import timesync
from ..token import Token
from .session import Note, connect, quiet


def ensure_clock(token: Token) -> str:
    """Set the token's clock if it is lost or more than a second off; what was done, for the user."""
    if timesync.within(token, 1.0):
        return ""
    before = timesync.status(token)
    if not before.lost and abs(before.offset_s) <= 1.0:
        return ""
    _, after = timesync.sync(token, before=before)
    was = "was not set" if before.lost else "was %+.1f s off" % before.offset_s
    return "token clock %s; set to this computer's time (now %+.3f s)" % (was, after.offset_s)


def host_clock_warning() -> str:
    """A warning when this computer's clock says it is unsynchronised (the token copies it), else ""."""
    if timesync.host_clock_unsynchronised():
        return "warning: this computer's clock says it is not synchronised (NTP); the token copies it"
    return ""


@dataclass(frozen=True)
class Synced:
    """One token's clock, before and after a sync."""

    port: str
    before: timesync.Status
    after: timesync.Status


def time_sync(ports: Sequence[str], note: Note = quiet) -> list[Synced]:
    """Set each token's clock from this computer's (learning its drift); a Synced for each."""
    warning = host_clock_warning()
    if warning:
        note(warning)
    done = []
    for port in ports:
        with connect(port) as token:
            before, after = timesync.sync(token)
        was = "had lost its time" if before.lost else "was %+.3f s off" % before.offset_s
        note("token on %s %s; now %+.3f s from this computer, drift correction %+.2f ppm"
             % (port, was, after.offset_s, after.drift_ppm))
        done.append(Synced(port, before, after))
    return done


def time_status(port: str) -> timesync.Status:
    """The token's clock against this computer's: offset, drift correction, last sync."""
    with connect(port) as token:
        return timesync.status(token)
