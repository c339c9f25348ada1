"""Figure 6: reading the account from a QR code picture (totpfob.qr.decode_image) on two screenshot sizes and a
phone photo, against just loading the same picture with Pillow."""

import base64
import importlib.util
import time
from pathlib import Path

from PIL import Image
from totpfob.qr import decode_image
from totpfob.samples import DEMO_KEY, DEMO_URI

from bench.common import ROOT, figure, median

GOAL_MS = 100.0


def _qrgen():
    """tests/qrgen.py, the tests' own picture maker (zxing-cpp writes the codes, Pillow draws the pages)."""
    spec = importlib.util.spec_from_file_location("qrgen", ROOT / "tests" / "qrgen.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def _ms(action, repeat: int) -> float:
    runs = []
    for _ in range(repeat):
        start = time.perf_counter()
        action()
        runs.append((time.perf_counter() - start) * 1e3)
    return median(runs)


def _load(path: Path) -> None:
    with Image.open(path) as image:
        image.load()


def measure(size, workdir: Path) -> list:
    qrgen = _qrgen()
    workdir.mkdir(parents=True, exist_ok=True)
    pictures = [
        ("1366x768", "screenshot 1366×768 (PNG)", qrgen.screenshot(workdir, DEMO_URI, (1366, 768), "shot1366.png")),
        ("1920x1080", "screenshot 1920×1080 (PNG)", qrgen.screenshot(workdir, DEMO_URI, (1920, 1080),
                                                                    "shot1920.png")),
        ("photo", "phone photo 1200×900 (JPEG, tilted, blurred, noisy)", qrgen.photo(workdir, DEMO_URI)),
    ]
    repeat = size.inner_repeat
    figures = []
    for key, what, path in pictures:
        if decode_image(path).secret != base64.b32decode(DEMO_KEY):
            raise RuntimeError("%s decoded to another key" % path.name)
        figures.append(figure(
            "qr_" + key, "QR decode: " + what, _ms(lambda p=path: decode_image(p), repeat), "ms",
            "Pillow: open and load", _ms(lambda p=path: _load(p), repeat), goal="≤ 100 ms", limit=GOAL_MS,
            notes="decode_image (Pillow load, gray, zxing-cpp) against Pillow's load alone, median of %d each; "
                  "pictures drawn by tests/qrgen.py with the demo URI, key checked" % repeat))
    return figures

