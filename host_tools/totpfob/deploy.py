"""`totpfob deploy`: install the token firmware on a board that runs MicroPython, with mpremote.

The firmware and the board's setup are precompiled here (mpy-cross), the board is reached through its REPL (a
running token opens it only after a person presses A on it), files whose hash on the board already matches are
left alone, and the board is reset so it boots the new firmware. mpremote is driven through its command line:
its Python API is not stable.
"""

import hashlib
import json
import subprocess
import tempfile
import time
from pathlib import Path

from . import boards, ops
from .build import compile_mpy, firmware_files
from .errors import UserError, describe
from .i18n import _, ngettext
from .link import DeviceError, Link, LinkError, frames, wire
from .paths import tool
from .token import Token

_MARK = "TOTPFOB-FILES"
# Runs on the board: size and SHA-256 of each path in one call, through a small buffer (the heap is small).
_SURVEY = """
import hashlib, binascii, json
buf = bytearray(256)
def digest(path):
    try:
        f = open(path, 'rb')
    except OSError:
        return None
    h = hashlib.sha256()
    size = 0
    while True:
        n = f.readinto(buf)
        if not n:
            break
        h.update(memoryview(buf)[:n])
        size += n
    f.close()
    return [size, binascii.hexlify(h.digest()).decode()]
print('%s', json.dumps([digest(p) for p in %r]))
"""
_PREPARE = """
import os
for d in %r:
    try:
        os.mkdir(d)
    except OSError:
        pass
for p in %r:
    os.remove(p)
"""
# machine.reset() on an ESP32; on the unix port machine.soft_reset() ends the VM, which the simulator restarts
# in boot mode, just as a board boots after a reset.
_RESET = {True: ["exec", "--no-follow", "import machine; machine.soft_reset()"], False: ["reset"]}
_BOOT_S = 2.0  # an ESP32 boots in about a second; a Ctrl-C byte before main.py disables it would stop main.py


class _Listening(Link):
    """A Link that keeps every byte heard: what a port says back tells a REPL from silence."""

    heard = b""

    def _read(self) -> bytes:
        data = super()._read()
        self.heard += data
        return data


def _quiet_rid(start: int) -> int:
    """A request id whose HELLO frame holds no control byte after the kind: sent to a MicroPython REPL it does
    nothing (its Ctrl-A only enters the raw REPL, and no Ctrl-D follows to run, reset or leave the VM)."""
    for step in range(0x10000):
        rid = (start + step) & 0xFFFF
        if min(frames.frame(wire.HELLO, rid)[4:]) >= 0x20:
            return rid
    return start


def _hello(port: str, timeout: float) -> tuple:
    """(token info or None, the bytes the port said). LinkError if the port cannot be opened."""
    link = _Listening(port, timeout=timeout, retries=2)
    try:
        link.rid = (_quiet_rid(link.rid + 1) - 1) & 0xFFFF  # request() steps the id before sending
        return Token(link).info(), link.heard
    except LinkError:
        return None, link.heard
    except DeviceError as exc:  # the firmware answered, but refused: say so rather than guess
        raise UserError(describe(exc, port)) from None
    finally:
        link.close()


def open_repl(port: str, board: boards.Board) -> None:
    """Reach the board's REPL: a running token asks the person holding it; a fresh board already has it open."""
    try:
        info, heard = _hello(port, timeout=0.8)
    except LinkError as exc:
        raise UserError(str(exc)) from None
    if info is None:
        if b"raw REPL" in heard or b">>>" in heard:
            print(_("%s: MicroPython REPL (no token firmware yet)") % port)
            return
        if heard:
            raise UserError(_("something answers on %s, but neither the token firmware nor a MicroPython REPL "
                              "(the wrong port?)") % port)
        start = "totpfob sim --blank" if board.simulated else "totpfob flash --board %s" % board.name
        raise UserError(_("nothing answers on %s: is the board plugged in and running MicroPython (`%s`)?")
                        % (port, start))
    if info.get("board") != board.name:
        raise UserError(_("the token on %s is a %r board, not %r: deploy with --board %s")
                        % (port, info.get("board"), board.name, info.get("board")))
    print(_("%s: token firmware %s is running") % (port, info.get("firmware")))
    print(_("Hold key A on the token for 3 s to allow maintenance (any short press refuses)"), flush=True)
    try:
        with Link(port, retries=1) as link:
            Token(link).maintenance()
    except LinkError as exc:
        raise UserError(str(exc)) from None
    except DeviceError as exc:
        raise UserError(describe(exc, port)) from None
    print(_("maintenance allowed: the REPL is open"))


def mpremote(port: str, *command: str, timeout: float = 60) -> str:
    """Run one mpremote command on port (never soft-resetting first) and return its output; one line if not."""
    argv = [_tool("mpremote"), "connect", port, "resume", *command]
    try:
        proc = subprocess.run(argv, capture_output=True, text=True, timeout=timeout)
    except subprocess.TimeoutExpired:
        raise UserError(_("mpremote %s on %s took over %d s; is the board's REPL answering?")
                        % (command[0], port, timeout)) from None
    if proc.returncode != 0:
        lines = [line.strip() for line in (proc.stdout + proc.stderr).splitlines() if line.strip()]
        raise UserError(_("mpremote %s on %s failed: %s") % (command[0], port, lines[-1] if lines else
                                                          "exit %d" % proc.returncode))
    return proc.stdout


def _tool(name: str) -> str:
    try:
        return tool(name)
    except FileNotFoundError as exc:
        raise UserError(str(exc)) from None


def _counterpart(target: str) -> str:
    """The other form of a module: a stale .py beside a new .mpy would be imported instead of it."""
    return target[:-4] + ".py" if target.endswith(".mpy") else target[:-3] + ".mpy"


def survey(port: str, targets: list) -> dict:
    """{flash path: [size, sha256 hex] or None} for targets, computed on the board in one mpremote call."""
    paths = ["/" + t for t in targets]
    out = mpremote(port, "exec", _SURVEY % (_MARK, paths))
    for line in out.splitlines():
        if line.startswith(_MARK + " "):
            return dict(zip(targets, json.loads(line[len(_MARK) + 1:])))
    raise UserError(_("the board on %s did not report its files (got %r)") % (port, out.strip()[-80:]))


def install(port: str, files: list) -> tuple:
    """Copy the files that differ on the board, one line each; (copied, up to date) counts."""
    targets = [t for _, t in files]
    found = survey(port, targets + [_counterpart(t) for t in targets])
    stale = ["/" + _counterpart(t) for t in targets if found[_counterpart(t)] is not None]
    todo = []
    for source, target in files:
        data = Path(source).read_bytes()
        if found[target] == [len(data), hashlib.sha256(data).hexdigest()]:
            print(_("  up to date  %s") % target)
        else:
            todo.append((source, target, len(data)))
    dirs = sorted({"/" + t.rsplit("/", 1)[0] for _, t, _ in todo if "/" in t})
    if dirs or stale:
        mpremote(port, "exec", _PREPARE % (dirs, stale))
        for path in stale:
            print(_("  removed     %s (replaced by %s)") % (path[1:], _counterpart(path[1:])))
    for source, target, size in todo:
        mpremote(port, "fs", "cp", "-f", source, ":/" + target)
        print(_("  copied      %s (%d bytes)") % (target, size), flush=True)
    return len(todo), len(files) - len(todo)


def wait_for_token(port: str, settle: float, timeout: float = 20) -> dict:
    """The new firmware's HELLO once the board booted; UserError if it never answers."""
    time.sleep(settle)
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            info, _heard = _hello(port, timeout=1.0)
        except LinkError:  # a board with native USB is off the bus for a moment while it resets
            info = None
            time.sleep(0.5)
        if info is not None:
            return info
    raise UserError(_("the files are on the board, but after the reset it does not answer on %s; its serial "
                      "output (`mpremote connect %s repl`) says why") % (port, port))


def _port(args) -> str:
    ports = ops.pick_ports(list(dict.fromkeys(args.port or [])))
    if len(ports) > 1:
        raise UserError(_("deploy works on one board at a time; give a single --port"))
    return ports[0]


def cmd_deploy(args) -> int:
    board = boards.load(args.board)
    port = _port(args)
    with tempfile.TemporaryDirectory(prefix="totpfob-deploy-") as build:
        files = compile_mpy(firmware_files(board.name), Path(build), board.name)  # a file that does not compile stops here
        print(_("deploying %d files for %s to %s") % (len(files), board.name, port), flush=True)
        open_repl(port, board)
        copied, current = install(port, files)
    for package in board.packages:
        mpremote(port, "mip", "install", package, timeout=300)
        print(_("  installed   %s (micropython-lib)") % package)
    mpremote(port, *_RESET[board.simulated])
    print(_("reset the board; waiting for the token firmware to answer"), flush=True)
    info = wait_for_token(port, 0.0 if board.simulated else _BOOT_S)
    print(ngettext("done: the token runs firmware %s on %s (%d file copied, %d up to date)",
                   "done: the token runs firmware %s on %s (%d files copied, %d up to date)", copied)
          % (info.get("firmware"), info.get("board"), copied, current))
    return 0


def add_parser(subparsers, shared: dict) -> None:
    p = subparsers.add_parser("deploy", parents=[shared["port"]],
                              help=_("install the token firmware on a board running MicroPython"),
                              description=_("Precompile the firmware for a board and copy it over with mpremote "
                                            "(only the files that changed), then reset the board. A running token "
                                            "asks for a press of its A button first."))
    p.add_argument("--board", required=True, metavar="BOARD", help=_("see `totpfob boards`"))
    p.set_defaults(run=cmd_deploy)
