"""The token's clock: set it from this computer's, measure it, and set it on the way when an add needs it."""

from collections.abc import Sequence
from dataclasses import dataclass

from .. import timesync
from ..errors import Interrupted, UserError
from ..i18n import _
from ..token import Token
from .session import Note, afresh, connect, distinct_ports, quiet


def ensure_clock(token: Token, note: Note = quiet) -> str:
    """Set the token's clock if it is lost or more than a second off; what was done, for the user (a warning
    about this computer's own clock goes to note first, as `time sync` gives it)."""
    if timesync.within(token, 1.0):
        return ""
    before = timesync.status(token)
    if not before.lost and abs(before.offset_s) <= 1.0:
        return ""
    _before, after = set_clock(token, "", note, before)
    if before.lost:
        return _("token clock was not set; set to this computer's time (now %+.3f s)") % after.offset_s
    return (_("token clock was %+.1f s off; set to this computer's time (now %+.3f s)")
            % (before.offset_s, after.offset_s))


def set_clock(token: Token, port: str, note: Note = quiet, before: timesync.Status | None = None) -> tuple:
    """timesync.sync under this computer's word for its clock: the drift is learnt only when the OS says the
    clock is synchronised (else a warning goes to note), and only as far as the token's chip can drift.
    (before, after); UserError when the clock could not be set to within half a second."""
    warning = host_clock_warning()
    if warning:
        note(warning)
    try:
        return timesync.sync(token, before=before, learn=not warning,
                             limit_ppm=timesync.drift_limit_ppm(token.info()))
    except timesync.SyncFailed as exc:
        where = _(" on %s") % port if port else ""
        raise UserError(_("the token's clock%s could not be set to within %.1f s of this computer's (it ended %+.1f s"
                          " off; was this computer busy or paused?): run `totpfob time sync` again")
                        % (where, timesync.SET_TOLERANCE_S, exc.after.offset_s)) from None


def host_clock_warning() -> str:
    """A warning when this computer's clock says it is unsynchronised (the token copies it), else ""."""
    if timesync.host_clock_unsynchronised():
        return _("warning: this computer's clock says it is not synchronised (NTP); the token copies it, and"
                " learns no drift from it")
    return ""


@dataclass(frozen=True)
class Synced:
    """One token's clock, before and after a sync."""

    port: str
    before: timesync.Status
    after: timesync.Status


def time_sync(ports: Sequence[str], note: Note = quiet) -> list[Synced]:
    """Set each token's clock from this computer's (learning its drift); a Synced for each."""
    ports = distinct_ports(ports)
    done = []
    warned = []

    def once(text: str) -> None:  # the computer's clock is the same for every token: warn once
        if text not in warned:
            warned.append(text)
            note(text)

    for port in ports:
        # Moving a valid clock by over 5 minutes is allowed on the token: note says so.
        with connect(port, name_port=len(ports) > 1, note=note) as token:
            try:
                before, after = set_clock(token, port if len(ports) > 1 else "", once)
            except KeyboardInterrupt:
                raise Interrupted(_("interrupted; %s") % afresh(token, port, _clock_now, note)) from None
        if before.lost:
            note(_("token on %s had lost its time; now %+.3f s from this computer, drift correction %+.2f ppm")
                 % (port, after.offset_s, after.drift_ppm))
        else:
            note(_("token on %s was %+.3f s off; now %+.3f s from this computer, drift correction %+.2f ppm")
                 % (port, before.offset_s, after.offset_s, after.drift_ppm))
        done.append(Synced(port, before, after))
    return done


def _clock_now(token: Token) -> str:
    """What the token's clock holds, in a sentence (after a stop: it was set, or it was left as it was)."""
    status = timesync.status(token)
    if status.lost:
        return _("the token's clock is not set")
    return _("the token's clock is %+.3f s from this computer's") % status.offset_s


def time_status(port: str) -> timesync.Status:
    """The token's clock against this computer's: offset, drift correction, last sync."""
    with connect(port) as token:
        return timesync.status(token)
