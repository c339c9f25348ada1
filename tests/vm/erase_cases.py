"""The vault on LittleFS2 over a file that stands for the token's whole flash, driven one operation at a time so
the test can scan the file between operations. MicroPython only: CPython has no os.VfsLfs2.

argv[1]: the image file (made erased, argv[2] blocks of 4 KiB, and formatted if it does not exist).
The device behaves as NOR flash does for what a scan can see: an erase sets the block to 0xff, a program writes
its bytes. Each write goes to the file at once, so the test reads what the flash holds.

Operations, one JSON object a line on stdin; one JSON line answers each, when the flash is written:
  {"op": "add", "label": l, "key": hex, "replace": bool}   {"op": "rename", "label": l, "new": n}
  {"op": "delete", "label": l}   {"op": "wipe"}
  {"op": "reboot"}   unmount, mount anew and open the vault as the token does at power-on
  {"op": "list"}     answers {"accounts": [[label, key hex], ...], "error": ...} (test keys only)
  {"op": "slow", "ms": m}   from now on each erase takes m ms more (a real flash's sector erase takes ~50 ms)
A change answers {"ok": true, "count": n, "erases": e, "programs": p, "ms": t, "progress": [[job, done, total, ms], ...]} (flash
operations and time it took; when the progress callback the change got was called, in ms from its start) or
{"raised": name}.
"""

import json
import os
import sys
import time
from binascii import hexlify, unhexlify

import account
import vault
from vmcase import cases

_BLOCK = 4096
_ERASED = b"\xff" * 256
MOUNT = "/flash"
ISSUER = "Scan"


class FileFlash:
    """NOR flash in a file: erase to 0xff, program in place, both counted."""

    def __init__(self, path, blocks):
        self.blocks = blocks
        self.erases = 0
        self.programs = 0
        self.slow_ms = 0
        try:
            self.file = open(path, "r+b")
            self.new = False
        except OSError:
            self.file = open(path, "w+b")
            for _ in range(blocks * _BLOCK // len(_ERASED)):
                self.file.write(_ERASED)
            self.new = True

    def readblocks(self, block, buf, offset=0):
        self.file.seek(block * _BLOCK + offset)
        self.file.readinto(buf)

    def writeblocks(self, block, buf, offset=0):
        self.programs += 1
        self.file.seek(block * _BLOCK + offset)
        self.file.write(buf)
        self.file.flush()

    def ioctl(self, op, arg):
        if op == 4:
            return self.blocks
        if op == 5:
            return _BLOCK
        if op == 6:
            self.erases += 1
            if self.slow_ms:
                time.sleep_ms(self.slow_ms)
            self.file.seek(arg * _BLOCK)
            for _ in range(_BLOCK // len(_ERASED)):
                self.file.write(_ERASED)
            self.file.flush()
            return 0
        return None


def power_on(flash):
    if flash.new:
        os.VfsLfs2.mkfs(flash)
        flash.new = False
    os.mount(os.VfsLfs2(flash), MOUNT)
    return vault.Vault(MOUNT + "/vault.bin")


def listing(store):
    out = []
    for record in store.records:
        _, _, _, _, label, secret = account.decode(record)
        out.append([label, hexlify(secret).decode()])
    return {"accounts": out, "error": store.error}


def change(store, case, progress):
    op = case["op"]
    if op == "add":
        record = account.encode("sha1", 6, 30, ISSUER, case["label"], unhexlify(case["key"]))
        store.add(record, case["replace"], progress)
    elif op == "rename":
        store.rename(ISSUER, case["label"], case["new"], progress)
    elif op == "delete":
        store.delete(ISSUER, case["label"], progress)
    elif op == "wipe":
        store.wipe(progress)


def main():
    flash = FileFlash(sys.argv[1], int(sys.argv[2]))
    store = power_on(flash)
    for case in cases():
        op = case["op"]
        if op == "list":
            answer = listing(store)
        elif op == "reboot":
            os.umount(MOUNT)
            store = power_on(flash)
            answer = {"ok": True, "count": len(store)}
        elif op == "slow":
            flash.slow_ms = case["ms"]
            answer = {"ok": True}
        else:
            erases, programs, started = flash.erases, flash.programs, time.ticks_ms()
            calls = []

            def progress(job, done, total, calls=calls, started=started):
                calls.append([job, done, total, time.ticks_diff(time.ticks_ms(), started)])

            try:
                change(store, case, progress)
                answer = {"ok": True, "count": len(store), "erases": flash.erases - erases,
                          "programs": flash.programs - programs, "ms": time.ticks_diff(time.ticks_ms(), started),
                          "progress": calls}
            except (vault.Exists, vault.NotFound, vault.Full, vault.VaultError) as exc:
                answer = {"raised": type(exc).__name__}
        print(json.dumps(answer))
        sys.stdout.flush()  # the test scans the flash before it sends the next operation


main()
