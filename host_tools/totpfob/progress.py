"""How far a long operation is: notes of the kind Progress, which the command line shows on stderr (on one line
that each new one replaces, when stderr is a terminal) apart from the notes that report a result (stdout).

The operations (ops/) send both through the one `note` callback; a Progress is a str, so a caller that only
prints still shows it.
"""

import atexit
import sys
import time

from .i18n import _
from .link import BUSY, wire

SHOW_AFTER_S = 0.5  # an operation is not reported as going on before it took this long
_LOG_EVERY_S = 5.0  # stderr that is no terminal (a log): one progress line at most this often


_printers: list = []  # every Printer made: end() ends a line any of them left open


def end() -> None:
    """End any progress line left on the terminal, so that what is printed next (an error) starts a line."""
    for printer in _printers:
        printer.end()


atexit.register(end)  # the shell's prompt after the command starts a line of its own


class Progress(str):
    """A note saying how far an operation is; the next one replaces it."""


def of_work(job: int, done: int, total: int) -> Progress:
    """What the token said it is doing (link.on_progress's job, done, in all), in words."""
    if job == wire.WORK_WRITE:
        if not total:
            return Progress(_("the token is writing to its flash…"))
        return Progress(_("the token is writing its accounts to its flash (%d of %d)…") % (done, total))
    if job == wire.WORK_ERASE and total:
        return Progress(_("the token is erasing the freed flash, so no removed key stays on it (%d %%)…")
                        % (min(100, done * 100 // total)))
    if job == BUSY:
        return Progress(_("the token is busy with another request; waiting for it…"))
    return Progress(_("the token is working…"))


class Printer:
    """The command line's note: results to stdout, Progress to stderr (one updating line on a terminal)."""

    def __init__(self, out=None, err=None):
        self.out = out
        self.err = err
        self._open = False  # a progress line is on the terminal, not ended
        self._logged = 0.0  # when the last progress line went to a stderr that is no terminal
        self._last = ""
        _printers.append(self)

    def __call__(self, text: str) -> None:
        if isinstance(text, Progress):
            self._progress(text)
        else:
            self.end()
            print(text, file=self.out or sys.stdout, flush=True)

    def _progress(self, text: str) -> None:
        err = self.err or sys.stderr
        try:
            if err.isatty():
                err.write("\r" + text + "\x1b[K")
                err.flush()
                self._open = True
            elif text != self._last and time.monotonic() - self._logged >= _LOG_EVERY_S:
                self._logged = time.monotonic()
                print(text, file=err, flush=True)
            self._last = text
        except (OSError, ValueError):  # a closed stderr: progress is not worth failing over
            pass

    def end(self) -> None:
        """End a progress line left on the terminal (the next output starts clean)."""
        if self._open:
            self._open = False
            try:
                err = self.err or sys.stderr
                err.write("\r\x1b[K")
                err.flush()
            except (OSError, ValueError):
                pass
