"""The code screen as a person reads it on the virtual token (the real firmware, its SSD1306 emulated): the
issuer in Hungarian letters above the label, and two accounts whose long labels differ only at the end drawn
differently, read back from the panel's picture."""

import base64
import time

import pytest
from totpfob.sim import render
from virtual_token import VirtualToken

ISSUER = "Ügyfélkapu+"
LONG = "kovacs.jozsefne.konyveles@ugyfelkapu.hu"  # + one more letter: 40 characters


def _label_line(token):
    """The panel's rows of the label line (under the issuer's, which also holds the position "1/2") once the
    snapshot has settled on the screen shown."""
    deadline = time.monotonic() + 5
    while True:
        rows = token.picture()
        time.sleep(0.5)  # the snapshot follows the screen it reports
        if rows == token.picture() or time.monotonic() > deadline:
            return rows[9:17]


@pytest.fixture(scope="module")
def token(tmp_path_factory):
    vt = VirtualToken(tmp_path_factory.mktemp("screen")).start()
    for n, end in enumerate("12"):
        key = base64.b32encode(bytes([n + 1]) * 10).decode()
        vt.cli("add", "--secret", key, "--label", LONG + end, "--issuer", ISSUER, check=True)
    yield vt
    vt.stop()


def test_long_labels_of_one_issuer_are_told_apart(token):
    first = token.show(LONG + "1", ISSUER)
    assert first, "the token never showed the first account"
    first_line = _label_line(token)
    second = token.show(LONG + "2", ISSUER)
    assert second, "the token never showed the second account"
    second_line = _label_line(token)
    issuer, label = second["lines"]
    assert issuer == ISSUER  # with its accents: the token draws them
    start, end = label.split("…")
    assert LONG.startswith(start) and end.endswith("2") and len(start) >= 6 and len(end) >= 6
    assert first["lines"][1] != label
    assert any(pixel != render.DARK for row in second_line for pixel in row), "no label drawn"
    assert first_line != second_line, "the two accounts look alike on the panel"
