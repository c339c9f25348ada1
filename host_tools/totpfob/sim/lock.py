"""One simulator per state directory and per link: a lock file held with fcntl.flock while the simulator runs.

The kernel drops a flock when its holder dies, kill -9 included, so a lock is never stuck: a file left behind by
a dead simulator is simply taken over. The file names its holder (pid and serial port) for the refusal.
"""

import fcntl
import os
from pathlib import Path
from typing import Optional


class Busy(Exception):
    """Another simulator holds the lock; `holder` is what it wrote there (pid and link), or ""."""

    def __init__(self, path: Path, holder: str):
        super().__init__(str(path))
        self.path = path
        self.holder = holder


def link_lock(link: Path) -> Path:
    """The lock file beside a --link symlink."""
    return link.with_name("." + link.name + ".lock")


def state_lock(state: Path) -> Path:
    """The lock file inside a --state directory."""
    return state / "sim.lock"


class Lock:
    """An exclusive lock on the file at `path`, taken at once or refused with Busy."""

    def __init__(self, path: Path):
        self.path = Path(path)
        self.fd: Optional[int] = None

    def acquire(self, holder: str) -> "Lock":
        """Take the lock and write `holder` into its file; Busy if a live simulator has it."""
        while True:
            fd = os.open(self.path, os.O_RDWR | os.O_CREAT, 0o644)
            try:
                fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
            except BlockingIOError:
                said = os.read(fd, 200).decode(errors="replace").strip()
                os.close(fd)
                raise Busy(self.path, said) from None
            # A holder that just released it may have removed the file: then this lock guards nothing.
            try:
                same = os.path.samestat(os.fstat(fd), os.stat(self.path))
            except FileNotFoundError:
                same = False
            if same:
                break
            os.close(fd)
        self.fd = fd
        self.write(holder)
        return self

    def write(self, holder: str) -> None:
        """Say in the file who holds the lock (read by whoever is refused)."""
        if self.fd is not None:
            os.ftruncate(self.fd, 0)
            os.pwrite(self.fd, holder.encode(), 0)

    def release(self) -> None:
        """Remove the file, then let go (in this order, so nobody locks a file that is on its way out)."""
        if self.fd is None:
            return
        try:
            self.path.unlink()
        except FileNotFoundError:
            pass
        os.close(self.fd)
        self.fd = None


def held(path: Path) -> bool:
    """Whether a live process holds the lock at `path` (without taking it)."""
    try:
        fd = os.open(path, os.O_RDONLY)
    except FileNotFoundError:
        return False
    try:
        fcntl.flock(fd, fcntl.LOCK_SH | fcntl.LOCK_NB)
    except BlockingIOError:
        return True
    finally:
        os.close(fd)
    return False
