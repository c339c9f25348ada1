"""The virtual token as the bench uses it: the one harness (totpfob.sim.harness) without the PNG snapshot (the
bench times the simulator, and pictures are work it does not ask for), plus the provisioned state the figures
start from."""

import base64
import shutil
import sys
from pathlib import Path

from totpfob.paths import FIRMWARE
from totpfob.samples import DEMO_ISSUER, DEMO_KEY, DEMO_URI
from totpfob.sim.harness import SimError, VirtualToken


def virtual_token(workdir: Path, state: Path, *flags: str) -> VirtualToken:
    """A virtual token in `workdir` on the flash and RTC in `state`; `with` starts and stops it."""
    return VirtualToken(workdir, *flags, state=state, snapshot=False)


def provisioned_state(workdir: Path) -> Path:
    """A state dir (flash image + RTC) of a token that holds the repo's firmware and the demo account."""
    state = workdir / "provisioned"
    with virtual_token(workdir / "provisioning", state) as token:
        if token.find_screen(lambda s: True, timeout=20) is None:
            raise SimError("the virtual token did not boot: %s" % token.serial_text()[-400:])
        added = token.cli("add", "--uri", DEMO_URI)
        if added.returncode != 0:
            raise SimError("provisioning failed: %s" % (added.stderr or added.stdout).strip())
    return state


def copy_state(state: Path, target: Path) -> Path:
    if target.exists():
        shutil.rmtree(target)
    shutil.copytree(state, target)
    return target


def write_vault(path: Path, label: str) -> Path:
    """A vault file, as the firmware writes it, holding the demo key (80-bit SHA-1/6/30) under `label`."""
    for where in (FIRMWARE, FIRMWARE / "cpython"):  # vault.py imports its neighbours by bare name, as on a board
        if str(where) not in sys.path:
            sys.path.append(str(where))
    import account
    import vault

    record = account.encode("sha1", 6, 30, DEMO_ISSUER, label, base64.b32decode(DEMO_KEY))
    vault.write_records(str(path), [record])
    return path
