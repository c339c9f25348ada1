"""The virtual token for tests: the one harness (totpfob.sim.harness), plus a helper the tests share."""

import sys
from pathlib import Path

from totpfob.sim.harness import SimError, VirtualToken

TOTPFOB = str(Path(sys.executable).parent / "totpfob")
__all__ = ["TOTPFOB", "SimError", "VirtualToken", "with_account"]


def with_account(workdir: Path, add_args: list, *flags: str) -> VirtualToken:
    """A virtual token started with `flags` that already holds the account `totpfob add add_args` stores."""
    token = VirtualToken(workdir, *flags).start()
    token.cli("add", *add_args, check=True)
    return token
