"""Power cuts at every flash operation of setting the token's language (settings.py), on LittleFS2 as on the
ESP32, with the NOR flash model of powercut_cases.py: after each cut the reboot reads the old language or the
new one, never another, and the flash takes the next change. MicroPython only (os.VfsLfs2).
Prints {"changes": [{"from", "to", "cut_points", "wrong": [what the reboots read otherwise]}]}."""

import json
import os

import powercut_cases as flash
import settings

PATH = flash.MOUNT + "/settings.bin"
CHANGES = ((None, "hu"), ("hu", "en"), ("en", "hu"), ("hu", "hu"))

settings.open = flash._tracked_open  # a cut leaves files half-closed: abandon() closes them before the next gc


def mount(data, cut_at=-1, variant=0):
    ram = flash.RamFlash(data, cut_at, variant)
    os.mount(os.VfsLfs2(ram), flash.MOUNT)
    return ram


def main():
    base = bytearray(flash._BLOCK * flash._BLOCKS)
    for block in range(flash._BLOCKS):
        base[block * flash._BLOCK:(block + 1) * flash._BLOCK] = flash._ERASED
    os.VfsLfs2.mkfs(flash.RamFlash(base))
    work = bytearray(len(base))
    report = []
    for old, new in CHANGES:
        tally = {"from": old, "to": new, "cut_points": 0, "wrong": []}
        n = 0
        while True:
            done = False
            for variant in range(len(flash.KEPT)):
                work[:] = base
                ram = mount(work, n, variant)
                try:
                    settings.set_language(new, PATH)
                except flash.PowerCut:
                    pass
                except OSError:
                    if not ram.dead:
                        raise
                flash.abandon()
                mount(work)
                try:
                    read = settings.language(PATH)
                    if read not in (old, new):
                        tally["wrong"].append([n, variant, read])
                    settings.set_language("en", PATH)  # the flash still takes a change
                    if settings.language(PATH) != "en":
                        tally["wrong"].append([n, variant, "no change after the reboot"])
                finally:
                    flash.abandon()
                if not ram.dead:
                    done = True
                    break
                tally["cut_points"] += 1
            if done:
                work[:] = base
                mount(work)
                settings.set_language(new, PATH)  # the next change starts from this one's result
                flash.abandon()
                base[:] = work
                break
            n += 1
        report.append(tally)
    print(json.dumps({"changes": report}))


main()
