"""The chip models of boards/sim/simchips, loaded on CPython for the simulator (and for tests that drive them).

They are board files, found beside the board they belong to rather than installed with the host tool; here they
are imported once as totpfob.simchips.<name>. boards/sim/simhw.py, the VM's side of the bus, is loaded too, for
its numbers: one definition of the bus protocol for both ends.
"""

import importlib
import importlib.util
import sys
from pathlib import Path

from ..paths import BOARDS, _micropython_shim

SIM = BOARDS / "sim"
OLED_ADDRESS = 0x3C
OLED_SIZE = (128, 64)  # the virtual token's display: an SSD1306 panel, as on the ESP32 DevKit build
_CHIPS = "totpfob.simchips"


def _load(qualified: str, path: Path, package: bool = False):
    if qualified not in sys.modules:
        spec = importlib.util.spec_from_file_location(
            qualified, path, submodule_search_locations=[str(path.parent)] if package else None)
        if spec is None or spec.loader is None:
            raise ImportError("%s not found" % path)
        module = importlib.util.module_from_spec(spec)
        sys.modules[qualified] = module
        spec.loader.exec_module(module)
    return sys.modules[qualified]


def chip_module(name: str):
    """boards/sim/simchips/<name>.py, imported on CPython as totpfob.simchips.<name>."""
    _load(_CHIPS, SIM / "simchips" / "__init__.py", package=True)
    return importlib.import_module(_CHIPS + "." + name)


# The bus protocol, as the VM's side defines it (with MicroPython's const(), which CPython gets from firmware/).
_micropython_shim()
protocol = _load("totpfob.sim_simhw", SIM / "simhw.py")


def rtc_model(name: str):
    """The emulator class of an RTC chip, by its lower-case name."""
    if name == "ds3231":
        return chip_module("ds3231").DS3231
    if name == "pcf8563":
        return chip_module("pcf8563").PCF8563
    raise ValueError("unknown RTC chip %r" % name)
