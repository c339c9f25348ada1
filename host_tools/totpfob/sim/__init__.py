"""The virtual token: the real firmware on the MicroPython unix port, its chips emulated at register level.

config (every `totpfob sim` flag as a SimConfig) · cli (those flags on the command line) · process (the
simulator: serial line, buttons, screens) · vm (the MicroPython process) · bus and chips (the emulated I2C chips,
outside the VM) · display and render (pictures of the panel: terminal and PNG) · harness (VirtualToken: one
running `totpfob sim` for the demo, the tests and the bench).
"""

from .cli import add_parser
from .config import DEFAULT_HEAP, SimConfig

__all__ = ["DEFAULT_HEAP", "SimConfig", "add_parser"]
