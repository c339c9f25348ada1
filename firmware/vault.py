"""The accounts on the token's flash: a versioned file with a CRC, replaced atomically on every change.

File layout (version 2):  MAGIC(3) | VERSION(1) | COUNT(u16 LE) | COUNT x (LEN(1) | record) | zeros | CRC32(4 LE)
where a record is an account's record as account.py lays it out, stored as the host sent it (checked once by
the service), the zeros pad the file to at least MIN_SIZE bytes, and the CRC covers everything before it.
Version 1 was the same without the zeros.

Why the padding: LittleFS keeps a file of up to 1022 bytes (at most; the exact limit depends on its cache size)
"inline", inside its directory's metadata log, which is rewritten only when full; keys there would outlive a
delete. A file of MIN_SIZE bytes always gets blocks of its own, which the scrub after a delete, a replace or a
wipe overwrites once they are freed (scrub.py).

Every change is written to a temporary file which is closed and then renamed over the vault; LittleFS renames
atomically, so a power cut at any moment leaves either the old or the new vault.

Later versions keep this frame and change only the records. A file of an older version is read through
``_UPGRADES`` and written in the current version at the next change (not at power-on: a token that is only
looked at never writes its flash); a file of a newer version is refused, never taken for an empty vault.
"""

import os
import struct
import time
from binascii import crc32

import account
from micropython import const

MAGIC = b"TFV"
# Not const(): const values are inlined where used, and the migration tests raise VERSION at run time.
VERSION = 2
CAPACITY = const(100)
MIN_SIZE = const(1024)
_HEADER = const(6)
_SCRUB = ".scrub"  # beside the vault: the file that overwrites freed blocks, present while an erase is due
_PROGRESS_MS = const(1000)  # at most this often a call of progress while the vault is written
# The jobs a progress callback is told of, with (done, in all): writing the vault (accounts) and erasing what a
# change freed (4 KiB blocks). The same numbers as wire.WORK_WRITE/WORK_ERASE, which tell the host.
WRITING = const(1)
ERASING = const(2)


# version -> function(records of that version) -> records of the next version. A new format adds one entry
# here for the previous version and raises VERSION; the chain then upgrades files of any older version.
_UPGRADES = {1: lambda records: records}  # type: dict  # version 2 only added the padding


class VaultError(Exception):
    """The vault file is damaged or of a version this firmware does not know; never treated as empty."""


class Exists(Exception):
    """An account with this issuer and label is already stored."""


class NotFound(Exception):
    """No account with this issuer and label."""


class Full(Exception):
    """The token holds CAPACITY accounts already."""


def parse(data):
    """The list of records in a vault file's bytes; VaultError if damaged or unknown."""
    if len(data) < _HEADER + 4 or data[:3] != MAGIC:
        raise VaultError("not a vault file")
    (want,) = struct.unpack_from("<I", data, len(data) - 4)
    if crc32(memoryview(data)[:len(data) - 4]) & 0xFFFFFFFF != want:
        raise VaultError("vault checksum mismatch")
    version = data[3]
    if version > VERSION:
        raise VaultError("vault version %d was written by newer firmware; update the firmware" % version)
    (count,) = struct.unpack_from("<H", data, 4)
    records = []
    at = _HEADER
    for _ in range(count):
        end = at + 1 + data[at]
        records.append(bytes(data[at + 1:end]))
        at = end
    if at != len(data) - 4 and (version < 2 or any(data[at:len(data) - 4])):
        raise VaultError("vault length mismatch")
    return upgrade(records, version)


def upgrade(records, version):
    """The records of a vault file of an older version in the current format; VaultError if no path leads
    from that version to this firmware's."""
    while version < VERSION:
        step = _UPGRADES.get(version)
        if step is None:
            raise VaultError("vault version %d cannot be upgraded by this firmware" % version)
        records = step(records)
        version += 1
    return records


def write_records(path, records, progress=None):
    """Write records as a vault file at path, atomically: temp file, close, rename over. progress: None, or
    called with (WRITING, accounts written, accounts) at the start and about every second after (a vault of 100
    long accounts takes seconds on a slow flash)."""
    told = time.ticks_ms() if progress is not None else None  # (CPython, which has no ticks, passes none)
    if progress is not None:
        progress(WRITING, 0, len(records))
    temp = path + ".tmp"
    head = MAGIC + struct.pack("<BH", VERSION, len(records))
    crc = crc32(head)
    size = len(head) + 4
    with open(temp, "wb") as f:
        f.write(head)
        for done, record in enumerate(records):
            length = bytes((len(record),))
            crc = crc32(record, crc32(length, crc))
            f.write(length)
            f.write(record)
            size += 1 + len(record)
            if told is not None and time.ticks_diff(time.ticks_ms(), told) >= _PROGRESS_MS:
                progress(WRITING, done + 1, len(records))
                told = time.ticks_ms()
        if size < MIN_SIZE:
            zeros = bytes(MIN_SIZE - size)
            crc = crc32(zeros, crc)
            f.write(zeros)
        f.write(struct.pack("<I", crc & 0xFFFFFFFF))
    os.rename(temp, path)


class Vault:
    """The accounts, in the order they were added; every change is on flash before the method returns."""

    def __init__(self, path="vault.bin", erase=True):
        """erase: finish at once an erase a power cut interrupted; else leave it to finish_erase() (erase_due),
        which the app runs where it can tell the host it is busy."""
        self.path = path
        self.records = []
        self.error = None
        self.erase_due = False
        try:
            os.remove(path + ".tmp")  # left by a power cut during a write; the vault itself is intact
        except OSError:
            pass
        try:
            with open(path, "rb") as f:
                self.records = parse(f.read())
        except OSError:
            pass  # no vault yet: a new token
        except VaultError as exc:
            self.error = str(exc)
        if self._erase_pending():  # a power cut came during an erase: finish it before anything else
            if erase:
                self._erase()
            else:
                self.erase_due = True

    def finish_erase(self, progress=None):
        """Finish the erase a power cut interrupted (erase_due); progress: as for delete."""
        self._erase(progress)
        self.erase_due = False

    def _erase_pending(self):
        try:
            os.stat(self.path + _SCRUB)  # scrub.begin's mark; scrub itself is imported only when needed
            return True
        except OSError:
            return False

    def _erase(self, progress=None):
        import scrub  # only here: the token starts and shows codes without it

        erasing = None if progress is None else (lambda done, blocks: progress(ERASING, done, blocks))
        scrub.finish(self.path + _SCRUB, erasing)

    def __len__(self):
        return len(self.records)

    def find(self, issuer, label):
        """Index of the account with this issuer and label, or -1."""
        for i, record in enumerate(self.records):
            if account.name(record) == (issuer, label):
                return i
        return -1

    def _commit(self, records, erase=False, progress=None):
        """Write records as the vault; with erase, then overwrite every freed copy of what they no longer hold
        (a deleted or replaced key), the mark of a pending erase being set before the vault changes. progress:
        called with (job, done, in all) as the write and that erase begin and about every second while they run
        (WRITING, ERASING)."""
        if self.error:
            raise VaultError(self.error)
        if erase:
            import scrub

            scrub.begin(self.path + _SCRUB)
        write_records(self.path, records, progress)
        self.records = records
        if erase:
            self._erase(progress)

    def add(self, record, replace=False, progress=None):
        """Store an account's record as it is (the caller checked it); Exists unless replace, Full when there
        is no room. A replace erases the old key (slow: progress as for delete)."""
        issuer, label = account.name(record)
        records = list(self.records)
        at = self.find(issuer, label)
        if at >= 0:
            if not replace:
                raise Exists(label)
            records[at] = record  # the old key must not stay behind in a freed block
        elif len(records) >= CAPACITY:
            raise Full()
        else:
            records.append(record)
        self._commit(records, at >= 0, progress)

    def rename(self, issuer, label, new_label, progress=None):
        """Give an account a new label, keeping its place, settings and secret; account.Invalid if the new
        label cannot be held. progress: as for delete (the write only)."""
        if self.error:
            raise VaultError(self.error)
        at = self.find(issuer, label)
        if at < 0:
            raise NotFound(label)
        if self.find(issuer, new_label) >= 0:
            raise Exists(new_label)
        algorithm, digits, period, issuer, _, secret = account.decode(self.records[at])
        records = list(self.records)
        records[at] = account.encode(algorithm, digits, period, issuer, new_label, secret)
        self._commit(records, False, progress)

    def delete(self, issuer, label, progress=None):
        """Remove an account and erase its key from the flash (slow: see scrub.py); progress: None, or called
        with (job, done, in all) as the write and the erase begin and about every second meanwhile (_commit)."""
        if self.error:
            raise VaultError(self.error)
        at = self.find(issuer, label)
        if at < 0:
            raise NotFound(label)
        self._commit(self.records[:at] + self.records[at + 1:], True, progress)

    def wipe(self, progress=None):
        """Remove every account and erase every key from the flash; also the way out of a damaged vault.
        progress: as for delete."""
        self.error = None
        self._commit([], True, progress)
