"""Operations the page starts and then watches: each runs in a thread of its own, its notes (what the person
should read meanwhile, such as "hold A on the token") and its outcome kept for the page to poll.

Operations on tokens take turns (a serial port is opened by one at a time); reading a picture does not wait for
them. An operation's failure is one sentence for the page, never a traceback.
"""

from __future__ import annotations

import secrets
import threading
from collections.abc import Callable
from dataclasses import dataclass, field

from ..errors import UserError
from ..i18n import _
from ..otpauth import InputError
from ..progress import Progress

KEPT = 64  # finished jobs kept for the page to collect; the oldest go first


def unexpected(exc: BaseException) -> str:
    """A failure nobody foresaw, in one sentence; its text is left out, as it could quote what it was given."""
    return _("something unexpected went wrong (%s); nothing more is known; try again") % type(exc).__name__


@dataclass
class Job:
    notes: list = field(default_factory=list)
    done: bool = False
    result: dict | None = None
    error: str = ""

    def note(self, text: str) -> None:
        """Keep a note for the page; one saying how far the work is replaces the one before it."""
        if isinstance(text, Progress) and self.notes and isinstance(self.notes[-1], Progress):
            self.notes[-1] = text
        else:
            self.notes.append(text)

    def view(self) -> dict:
        shown = {"done": self.done, "notes": list(self.notes[-20:])}
        if self.done:
            shown.update({"result": self.result} if not self.error else {"error": self.error})
        return shown


class Jobs:
    def __init__(self):
        self._jobs: dict[str, Job] = {}
        self._lock = threading.Lock()
        self.tokens = threading.Lock()  # one operation on the tokens at a time

    def start(self, work: Callable[[Callable[[str], None]], dict], on_tokens: bool = True) -> str:
        """Run work(note) in a thread; the job's id, to poll with get()."""
        job = Job()
        ident = secrets.token_hex(8)
        with self._lock:
            finished = [key for key, old in self._jobs.items() if old.done]
            for key in finished[:max(0, len(self._jobs) - KEPT)]:
                del self._jobs[key]
            self._jobs[ident] = job
        threading.Thread(target=self._run, args=(job, work, on_tokens), daemon=True, name="gui-job").start()
        return ident

    def _run(self, job: Job, work: Callable, on_tokens: bool) -> None:
        try:
            if on_tokens:
                with self.tokens:
                    job.result = work(job.note)
            else:
                job.result = work(job.note)
        except (UserError, InputError) as exc:
            job.error = str(exc)
        except Exception as exc:  # noqa: BLE001 - the page gets one sentence, whatever went wrong
            job.error = unexpected(exc)
        finally:
            job.done = True

    def get(self, ident: str) -> dict | None:
        with self._lock:
            job = self._jobs.get(ident)
        return job.view() if job else None

    def running(self) -> bool:
        with self._lock:
            return any(not job.done for job in self._jobs.values())
