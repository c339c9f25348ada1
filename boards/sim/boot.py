"""Power-on of the virtual token, inside the MicroPython VM: the part of a real ESP32 that is not our firmware.

It connects the hardware (simhw: the I2C bus to the chips the simulator emulates, the buttons), mounts flash.img
(LittleFS2, like the ESP32's filesystem) at "/", and, as a board does, runs main.py from the flash. The simulator
passes its settings as JSON in TOTPFOB_SIM:
  flash, control  paths on the host;   bus  [requests, answers]: the I2C pipes;   blocks  flash size in 4 KiB
  blocks;   mode  "install" (copy the repo's firmware into the flash first), "boot" (run what the flash holds)
  or "repl" (mount the flash but leave the REPL to the VM's -i: a freshly flashed board, or maintenance);
  install  [[host path, flash path], ...] for "install";   display_off_s, sleep_s  the board's idle times;
  flash_timing  [sector erase us, page program us, read bytes per ms] or absent: how long a real token's flash
  takes (the figures and their datasheets: totpfob/sim/config.py FLASH_TIMINGS). The install is not timed: it
  stands for flashing the firmware, which `totpfob deploy` does on a board.
"""

import json
import os
import sys
import time

import simhw

_BLOCK = 4096
_ERASED = b"\xff" * 256
_PAGE = 256  # bytes a NOR flash chip programs at once


class FlashDevice:
    """A block device over a file: each write goes to the file at once, so killing the VM is a power cut.

    With timing(), each operation takes as long as on a real token's SPI NOR flash, and the time is spent where
    the chip is busy: a sector erase forgets its bytes a quarter at a time over its whole duration, a program
    waits before its bytes land. A kill -9 in the middle leaves what a power cut leaves on a chip: a sector
    half erased, a page not programmed."""

    def __init__(self, path, blocks):
        self.blocks = blocks
        self.erase_us = self.page_us = self.read_per_ms = 0
        self._owed_us = 0  # program and read time not yet slept: slept in pieces of a millisecond or more
        try:
            self.file = open(path, "r+b")
            # A chip keeps its size: a flash made before is as big as it was made, whatever `blocks` says now.
            self.blocks = self.file.seek(0, 2) // _BLOCK
        except OSError:
            self.file = open(path, "w+b")
            for _ in range(blocks * _BLOCK // len(_ERASED)):
                self.file.write(_ERASED)

    def timing(self, figures):
        """Take real time from now on: figures [sector erase us, program us per 256-byte page, bytes read per
        ms], or None for none."""
        self.erase_us, self.page_us, self.read_per_ms = figures or (0, 0, 0)

    def _busy(self, us):
        self._owed_us += us
        if self._owed_us >= 1000:  # one sleep a millisecond: a sleep per 32-byte read would cost more than it
            time.sleep_us(self._owed_us)
            self._owed_us = 0

    def readblocks(self, block, buf, offset=0):
        if self.read_per_ms:
            self._busy(len(buf) * 1000 // self.read_per_ms)
        self.file.seek(block * _BLOCK + offset)
        self.file.readinto(buf)

    def writeblocks(self, block, buf, offset=None):
        if offset is None:  # whole-block write: erase first, as flash does
            self._erase(block)
            offset = 0
        if self.page_us:  # the chip programs page by page; LittleFS writes at most 128 bytes at a time
            self._busy(self.page_us * len(buf) // _PAGE)
        self.file.seek(block * _BLOCK + offset)
        self.file.write(buf)  # unbuffered: in the host's page cache at once, so a kill -9 cannot lose it

    def _erase(self, block):
        # Real flash forgets a sector's old bytes when LittleFS erases it; the image must too, or a scan of it
        # would find data that on a real token is gone (and miss data a real token keeps).
        self.file.seek(block * _BLOCK)
        for piece in range(_BLOCK // len(_ERASED)):  # in pieces: a 4 KiB bytes object would take the token's heap
            if self.erase_us and piece % 4 == 0:
                time.sleep_us(self.erase_us // 4)  # the chip is busy the whole time, the sector going meanwhile
            self.file.write(_ERASED)

    def ioctl(self, op, arg):
        if op == 4:  # block count
            return self.blocks
        if op == 5:  # block size
            return _BLOCK
        if op == 6:  # erase
            self._erase(arg)
            return 0
        return None


def _mount_flash(device):
    try:
        return os.VfsLfs2(device)
    except OSError:  # erased flash: format it, as MicroPython does on a board's first boot
        os.VfsLfs2.mkfs(device)
        return os.VfsLfs2(device)


def _install(vfs, files):
    os.mount(vfs, "/flash")
    for source, target in files:
        parts = target.split("/")[:-1]
        for i in range(1, len(parts) + 1):
            try:
                os.mkdir("/flash/" + "/".join(parts[:i]))
            except OSError:
                pass
        # A module is either source or precompiled on the flash, never both (which one would load?).
        other = target[:-4] + ".py" if target.endswith(".mpy") else target[:-3] + ".mpy"
        try:
            os.remove("/flash/" + other)
        except OSError:
            pass
        with open(source, "rb") as src:
            data = src.read()
        try:
            with open("/flash/" + target, "rb") as old:
                if old.read() == data:
                    continue
        except OSError:
            pass
        with open("/flash/" + target + ".tmp", "wb") as dst:
            dst.write(data)
        os.rename("/flash/" + target + ".tmp", "/flash/" + target)
    os.umount("/flash")


def boot():
    config = json.loads(os.getenv("TOTPFOB_SIM"))
    simhw.start(config)  # opens its host files before the host filesystem goes away
    device = FlashDevice(config["flash"], config.get("blocks", 512))
    vfs = _mount_flash(device)
    if config["mode"] == "install":
        _install(vfs, config["install"])
    device.timing(config.get("flash_timing"))
    os.umount("/")
    os.mount(vfs, "/")
    os.chdir("/")
    sys.path[:] = ["", "/lib", ".frozen"]
    return config["mode"] != "repl" and "main.py" in os.listdir("/")


# The settings are dropped before the firmware starts: they would hold heap the token needs.
if boot():
    import main  # noqa: F401  (runs the token; the same file a board boots)
