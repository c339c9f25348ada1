"""Power cuts at every flash operation of every vault change (and of the clock's settings), on LittleFS2 as on
the ESP32. MicroPython only: CPython has no os.VfsLfs2.

The flash is a RAM block device with LittleFS's extended interface that behaves like NOR flash: erase sets a
block to 0xff, program can only clear bits. It counts program and erase operations; "cut at N" makes operation N
do only part of its work (an erase nothing or all of it, a program a prefix of its bytes: three variants per N)
and raise PowerCut. From then on the flash has no power: programs and erases change nothing. The mount and the
firmware's objects are abandoned. The "reboot" mounts a fresh os.VfsLfs2 on the same bytes (MicroPython's
default geometry, as the ESP32 port mounts its flash), opens the vault and the clock as the token does at
power-on and checks they hold exactly the state before or after the change, with the same codes as the keys the
accounts were added with. Then one more account is added, as proof the flash still takes changes.

For each change, N runs over every operation of the change; that change's complete run is the start of the
next change, so later rounds run on a used filesystem (metadata logs filling up and being compacted).
A delete, a replace and a wipe end with a scrub that fills every free block (scrub.py): some thousand programs
of the same kind. Inside that fill, cuts are tried at its first and last FILL_EDGE operations and at every
FILL_STRIDE-th between (a stride prime to the operations per block, so they land at every place in a block);
every other operation of every change is cut. After a cut the reboot must also have finished the erase: the
scrub file gone, and, when the vault holds the new state, no key the change removed anywhere on the flash.
Prints one JSON line per failure ({"failure": ...}), then {"summary": {change: {"cut_points": cuts tried,
"failures": n, "operations": [flash operations of each complete run], "skipped": operations inside fills not
cut, "fill_operations": [operations of each fill]}}, "impossible_programs": n}.
"""

import gc
import json
import os

import account as accountmod
import clock as clockmod
import otp
import scrub
import vault

_BLOCK = 4096
_BLOCKS = 64
_ERASED = b"\xff" * _BLOCK
MOUNT = "/flash"
VAULT = MOUNT + "/vault.bin"
SETTINGS = MOUNT + "/clock.cfg"
ROUNDS = 3
FILL_EDGE = 40  # more than a block's worth of programs (and its erase) at each end of a scrub's fill
FILL_STRIDE = 97
TIMES = (59, 1111111109, 1700000000, 4000000000)  # a few instants, one past 2038
# What a cut program keeps of its bytes, and whether a cut erase happened, for each variant of a cut.
KEPT = ((1, 4), (1, 2), (-1, 1))  # a quarter, half, all but the last byte
ERASE_DONE = (False, False, True)


class PowerCut(BaseException):
    """The power failed during a flash operation: not an OSError, and not an Exception, so nothing catches it."""


class RamFlash:
    """NOR flash in RAM behind LittleFS's extended block interface, able to lose power mid-operation."""

    def __init__(self, data, cut_at=-1, variant=0):
        self.data = memoryview(data)
        self.cut_at = cut_at
        self.variant = variant
        self.operations = 0
        self.dead = False
        self.impossible = 0  # programs that would have to set a bit: NOR flash cannot, LittleFS must not ask

    def _cut_now(self):
        """Count one program or erase; True if the power fails during it."""
        self.operations += 1
        return self.operations - 1 == self.cut_at

    def readblocks(self, block, buf, offset=0):
        at = block * _BLOCK + offset
        buf[:] = self.data[at:at + len(buf)]

    def writeblocks(self, block, buf, offset=0):
        if self.dead:
            return 0  # no power: and no allocation either, this may run in a finaliser during gc
        at = block * _BLOCK + offset
        cut = self._cut_now()
        size = len(buf)
        if cut:
            part, whole = KEPT[self.variant]
            size = size - 1 if part < 0 else size * part // whole
        if size:
            old = int.from_bytes(self.data[at:at + size], "big")
            new = int.from_bytes(buf[:size], "big")
            if old & new != new:
                self.impossible += 1
            self.data[at:at + size] = (old & new).to_bytes(size, "big")
        if cut:
            self.dead = True
            raise PowerCut()

    def ioctl(self, op, arg):
        if op == 4:  # block count
            return _BLOCKS
        if op == 5:  # block size
            return _BLOCK
        if op == 6 and not self.dead:  # erase
            cut = self._cut_now()
            if not cut or ERASE_DONE[self.variant]:
                at = arg * _BLOCK
                self.data[at:at + _BLOCK] = _ERASED
            if cut:
                self.dead = True
                raise PowerCut()
        return 0


class FakeRtc:
    """Clock.set only writes the chip; the settings file is what this test is about."""

    FIRST_TICK_S = 1.0  # as a DS3231: no wait before the write

    def set_datetime(self, dt):
        self.dt = dt


def account(algorithm, digits, period, issuer, label, size, seed):
    secret = bytes((seed * 31 + i * 7) & 0xFF for i in range(size))
    return (algorithm, digits, period, issuer, label, secret)


UGY = account("sha1", 6, 30, "Ügyfélkapu+", "demo.user@ugyfelkapu.gov.hu", 10, 1)
GITHUB = account("sha256", 8, 60, "GitHub", "octocat", 32, 2)
BANK = account("sha512", 10, 45, "", "bank", 64, 3)
MAIL = account("sha1", 7, 30, "Mail", "alice@example.com", 20, 4)
GITHUB_REPAIRED = account("sha256", 8, 60, "GitHub", "octocat", 20, 5)
MAIL_RENAMED = MAIL[:4] + ("alice@example.org",) + MAIL[5:]
SPARE = account("sha1", 6, 30, "", "after-the-reboot", 10, 6)
# The codes of every account as computed from the key it was added with, never from what the flash gave back.
EXPECTED = {}
for _known in (UGY, GITHUB, BANK, MAIL, GITHUB_REPAIRED, MAIL_RENAMED):
    EXPECTED[_known] = [otp.totp(_known[5], t, _known[2], _known[1], _known[0]) for t in TIMES]


def record(known):
    return accountmod.encode(*known)


def change_list(first_round):
    """(name, change(store, clock), accounts after, clock settings after) for one round; the vault starts empty."""
    sync = 1767225600 + (0 if first_round else 86400)
    return [
        ("first add" if first_round else "add", lambda s, c: s.add(record(UGY)), [UGY], None),
        ("add", lambda s, c: s.add(record(GITHUB)), [UGY, GITHUB], None),
        ("add", lambda s, c: s.add(record(BANK)), [UGY, GITHUB, BANK], None),
        ("add", lambda s, c: s.add(record(MAIL)), [UGY, GITHUB, BANK, MAIL], None),
        ("add --replace", lambda s, c: s.add(record(GITHUB_REPAIRED), True),
         [UGY, GITHUB_REPAIRED, BANK, MAIL], None),
        ("clock set", lambda s, c: c.set(sync, 20000 if first_round else -15000), None,
         (sync, 20000 if first_round else -15000)),
        ("rename", lambda s, c: s.rename(MAIL[3], MAIL[4], MAIL_RENAMED[4]),
         [UGY, GITHUB_REPAIRED, BANK, MAIL_RENAMED], None),
        ("delete", lambda s, c: s.delete(GITHUB[3], GITHUB[4]), [UGY, BANK, MAIL_RENAMED], None),
        ("wipe", lambda s, c: s.wipe(), [], None),
    ]


def power_on(data, cut_at=-1, variant=0):
    """Mount the flash and open the vault and the clock as the token does at power-on."""
    flash = RamFlash(data, cut_at, variant)
    _flash_in_use[0] = flash
    os.mount(os.VfsLfs2(flash), MOUNT)
    return flash, vault.Vault(VAULT), clockmod.Clock(FakeRtc(), SETTINGS)


_opened = []


def _tracked_open(*args):
    f = open(*args)
    _opened.append(f)
    return f


# The firmware's files are tracked so that those a cut left half-closed can be closed before the next gc: their
# finalisers would otherwise run LittleFS code on the dead mount with the heap locked.
vault.open = _tracked_open
clockmod.open = _tracked_open
scrub.open = _tracked_open

# Where each scrub's fill starts and ends, in flash operations of the flash in use (a record, not a change of it).
_fills = []
_flash_in_use = [None]
_fill = scrub._fill


def _recorded_fill(path, limit, progress=None):
    start = _flash_in_use[0].operations
    written = _fill(path, limit, progress)
    _fills.append((start, _flash_in_use[0].operations))
    return written


scrub._fill = _recorded_fill


def abandon():
    """Drop the mount: a cut left it unusable, a reboot mounts a new one."""
    for f in _opened:
        try:
            f.close()
        except OSError:
            pass
    _opened.clear()
    os.umount(MOUNT)
    gc.collect()


def stored(store):
    return [accountmod.decode(r) for r in store.records]


def wrong_codes(accounts):
    """Labels of stored accounts whose codes differ from those of the key they were added with."""
    wrong = []
    for known in accounts:
        generator = otp.CodeGenerator(known[5], known[0], known[1], known[2])
        original = EXPECTED.get(known)
        if original is None or [generator.code(t) for t in TIMES] != original:
            wrong.append(known[4])
    return wrong


def removed_keys_left(data, before, after):
    """Labels of accounts whose key the change removed (held before, by no account after) still on the flash."""
    kept = [known[5] for known in after[0]]
    return [known[4] for known in before[0] if known[5] not in kept and data.find(known[5]) >= 0]


def check(data, before, after):
    """Reboot on the flash's bytes; a description of what is wrong, or None. Never shows a key."""
    try:
        _, store, clock = power_on(data)
    except OSError as exc:
        return "flash does not mount after the cut: %r" % (exc,)
    try:
        if "vault.bin.scrub" in os.listdir(MOUNT):
            return "the power-on left an interrupted erase unfinished"
        if store.error is not None:
            return "vault reports: " + store.error
        accounts = stored(store)
        if accounts != before[0] and accounts != after[0]:
            return "vault holds neither the old nor the new accounts but %r" % ([a[4] for a in accounts],)
        if wrong_codes(accounts):
            return "wrong codes for %r" % (wrong_codes(accounts),)
        if accounts == after[0] and removed_keys_left(data, before, after):
            return "keys of %r are still on the flash" % (removed_keys_left(data, before, after),)
        settings = (clock.last_sync, clock.drift_ppb)
        if settings != before[1] and settings != after[1]:
            return "clock settings are neither the old nor the new ones but %r" % (settings,)
        store.add(record(SPARE))
    except OSError as exc:
        return "no change possible after the reboot: %r" % (exc,)
    finally:
        abandon()
    _, store, _ = power_on(data)
    try:
        if stored(store) != accounts + [SPARE]:
            return "an account added after the reboot was lost"
        return None
    finally:
        abandon()


def survey(change, base, work):
    """The (first, end) flash operations of each scrub fill in an uncut run of the change from base."""
    work[:] = base
    _, store, clock = power_on(work)
    del _fills[:]
    change(store, clock)
    fills = list(_fills)
    abandon()
    return fills


def sampled(n, fills):
    """Whether operation n is cut: all are, but inside a fill only the edges and every FILL_STRIDE-th."""
    for start, end in fills:
        if start + FILL_EDGE <= n < end - FILL_EDGE:
            return (n - start) % FILL_STRIDE == 0
    return True


def cut_every_operation(name, change, base, work, before, after, report):
    """Run the change with a cut at each operation in turn (in a scrub's fill: at those sampled) until it
    completes; base then holds its result."""
    tally = report.setdefault(name, {"cut_points": 0, "failures": 0, "operations": [], "skipped": 0,
                                     "fill_operations": []})
    fills = survey(change, base, work)
    tally["fill_operations"] += [end - start for start, end in fills]
    n = 0
    while True:
        if not sampled(n, fills):
            tally["skipped"] += 1
            n += 1
            continue
        for variant in range(len(KEPT)):
            work[:] = base
            flash, store, clock = power_on(work, n, variant)
            stopped = False
            try:
                change(store, clock)
            except PowerCut:
                stopped = True
            except OSError:
                stopped = flash.dead  # a close on the way out met the dead flash; the cut came first
                if not stopped:
                    raise
            report["impossible_programs"] += flash.impossible
            abandon()
            if flash.dead and not stopped:
                problem = "the firmware went on after the power cut"
            elif flash.dead:
                problem = check(work, before, after)
            else:
                base[:] = work  # the change is done: the next one starts from here
                problem = check(work, after, after)
            if problem is not None:
                tally["failures"] += 1
                print(json.dumps({"failure": problem, "change": name, "cut_at": n, "variant": variant}))
            if not flash.dead:
                tally["operations"].append(flash.operations)
                return
            tally["cut_points"] += 1
        n += 1


def main():
    report = {"impossible_programs": 0}
    base = bytearray(_BLOCK * _BLOCKS)  # erased flash, without a 256 KiB temporary beside it
    for block in range(_BLOCKS):
        base[block * _BLOCK:(block + 1) * _BLOCK] = _ERASED
    work = bytearray(len(base))
    os.VfsLfs2.mkfs(RamFlash(base))
    state = ([], (0, 0))
    for round_ in range(ROUNDS):
        for name, change, accounts, settings in change_list(round_ == 0):
            after = (state[0] if accounts is None else accounts, state[1] if settings is None else settings)
            cut_every_operation(name, change, base, work, state, after, report)
            state = after
    impossible = report.pop("impossible_programs")
    print(json.dumps({"summary": report, "impossible_programs": impossible}))


if __name__ == "__main__":  # settings_powercut_cases.py borrows the flash
    main()
