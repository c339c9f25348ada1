"""Erase what a change left behind on the flash: loaded only when an account is deleted, replaced or wiped.

LittleFS never overwrites data in place: a new vault goes to fresh blocks and the old vault's blocks are only
marked free, keys and all, until the filesystem happens to reuse them. A scrub fills every free block with a
file of zeros, then deletes it: LittleFS erases each block before it writes it, so every freed copy of a key is
gone. (The vault file is padded so it never lives inline in a directory's metadata log, where a scrub cannot
reach; see vault.py.)

The scrub file is created empty before the vault changes and removed only when the scrub is done, so a power
cut anywhere in between leaves it behind, and the next power-on scrubs again (Vault does, before anything else).

A scrub takes as long as erasing the free flash (some 28 s for 2 MiB on an ESP32): the caller may pass `progress`,
called with (blocks done, blocks in all) at the start and then at most about once a second while it runs (the
service tells the host to wait on, and how far it is).
"""

import os
import time

from micropython import const

_CHUNK = const(512)
# The token's flash is at most 16 MiB. A larger filesystem is a computer's disk (the tests run the firmware on
# one): filling it would prove nothing and harm the computer.
_LARGEST = const(16 * 1024 * 1024)
_ENOSPC = const(28)
_PROGRESS_MS = const(1000)  # at most this often a call of progress


def begin(path):
    """Create the scrub file at path, empty: the mark that an erase is due, made before the change that frees
    the blocks."""
    open(path, "wb").close()


def finish(path, progress=None):
    """Overwrite every free block of the filesystem path is on with the scrub file, then remove it (the mark).
    Returns the bytes written. progress: None, or called with (blocks done, blocks in all) now and about every
    second after."""
    stat = os.statvfs(path)
    block, total, free = stat[1], stat[2], stat[3]
    if progress is not None:
        progress(0, free + 1)
    written = 0
    if block * total <= _LARGEST:
        # Free blocks plus one: if LittleFS counted a block as used that it frees while we write, it is
        # still reached; ENOSPC ends the scrub when the flash is full, as it should.
        report = None if progress is None else (lambda done: progress(done // block, free + 1))
        written = _fill(path, (free + 1) * block, report)
    os.remove(path)
    return written


def _fill(path, limit, progress=None):
    """Write zeros to path until limit bytes or a full flash; progress: None, or called with the bytes written
    about every second."""
    zeros = bytes(_CHUNK)
    written = 0
    told = time.ticks_ms()
    f = open(path, "wb")  # truncates a scrub a power cut interrupted: its blocks hold only zeros
    try:
        while written < limit:
            f.write(zeros)
            written += _CHUNK
            if progress is not None and time.ticks_diff(time.ticks_ms(), told) >= _PROGRESS_MS:
                progress(written)
                told = time.ticks_ms()
    except OSError as exc:
        if exc.args[0] != _ENOSPC:
            raise
    finally:
        try:
            f.close()
        except OSError:  # a full flash may refuse to record the file's size: it is removed next anyway
            pass
    return written
