"""What the token's screen must do on both panel sizes the boards have: a code readable at arm's length, the
next code in the last seconds, a battery symbol where the board measures its cell, and a countdown that moves
without redrawing the code (no flicker on a directly driven TFT). Both VMs."""

import json

import pytest


@pytest.fixture
def sizes(vm):
    proc = vm.run("ui_cases.py")
    return {(c["width"], c["height"]): c for c in map(json.loads, proc.stdout.splitlines()) if c["case"] == "size"}


@pytest.mark.parametrize("size", [(128, 64), (240, 135)])
def test_code_fills_most_of_the_panel_height(sizes, size):
    case = sizes[size]
    left, top, right, bottom = case["digits"]
    assert bottom - top + 1 >= 0.6 * case["height"], case["digits"]  # big seven-segment digits
    assert right - left + 1 >= 0.8 * case["width"], case["digits"]


@pytest.mark.parametrize("size", [(128, 64), (240, 135)])
def test_each_second_only_the_bar_is_painted_again(sizes, size):
    case = sizes[size]
    assert case["redraw"], "the bar did not move"
    for kind, x, y, w, h in case["redraw"]:
        assert kind == "fill_rect" and y >= case["bar_top"], (kind, x, y, w, h)


@pytest.mark.parametrize("size", [(128, 64), (240, 135)])
def test_next_code_fits_under_a_smaller_code(sizes, size):
    case = sizes[size]
    (_, text, x, y, scale), = case["texts"]
    assert text == "next 654 321"  # grouped like the code, for typing
    assert 0 <= x and x + len(text) * 8 * scale <= case["width"]  # whole on the panel
    assert y + 8 * scale <= case["bar_top"]  # above the countdown bar
    left, top, right, bottom = case["code_part"]
    assert bottom < y  # under the current code, not over it
    assert bottom - top + 1 >= 0.35 * case["height"]  # the current code shrinks but stays large


@pytest.mark.parametrize("size", [(128, 64), (240, 135)])
def test_battery_symbol_shows_the_charge_and_only_when_measured(sizes, size):
    without, low, full = sizes[size]["battery_corner"]
    assert without == 0
    assert 0 < low < full


@pytest.fixture
def runs(vm):
    """Every case line of ui_cases.py: the panel sizes ("size") and, on MicroPython, the real font ("font")."""
    return [json.loads(line) for line in vm.run("ui_cases.py").stdout.splitlines()]


@pytest.mark.parametrize("size", [(128, 64), (240, 135)])
def test_hungarian_letters_keep_their_accents(sizes, size):
    """"Józsefné" is not drawn as "Jozsefne", nor "ő" as "ö": the token's own glyphs, at both text sizes."""
    jozsefne_accented, jozsefne_plain, letters = sizes[size]["cells"]
    assert jozsefne_accented != jozsefne_plain
    for at in (1, 7):  # ó and é: lit pixels in the two rows above the letter's body, where the accent goes
        assert "1" in jozsefne_accented[at][:16], at
        assert jozsefne_accented[at] != jozsefne_plain[at]
    for at in (0, 2, 3, 4, 5, 6):  # the letters without accents drawn as before
        assert jozsefne_accented[at] == jozsefne_plain[at], at
    double, umlaut = letters[0], letters[2]
    assert "1" in double and "1" in umlaut and double != umlaut


def test_accented_letters_are_framebufs_letters_with_an_accent(runs):
    """On the real framebuf font (MicroPython): ó is framebuf's o with an acute above it; ő and ö differ."""
    fonts = [r["words"] for r in runs if r["case"] == "font"]
    if not fonts:
        pytest.skip("CPython has no framebuf font; the canvas cases cover the layout")
    words = fonts[0]
    accented, plain = words["Józsefné"], words["Jozsefne"]
    assert accented != plain
    ó = [row[8:16] for row in accented]
    o = [row[0:8] for row in words["o"]]
    assert ó[2:] == o[2:], "the body of ó is framebuf's o"
    assert "1" in "".join(ó[:2]) and "1" not in "".join(o[:2]), "with an accent above it"
    assert [row[:8] for row in accented] == [row[:8] for row in plain]  # the J: one text() call, as before
    assert words["ő"] != words["ö"]
    assert "1" in "".join(words["Ügyfélkapu+"][0][:8])  # the Ü's dots


@pytest.mark.parametrize("size", [(128, 64), (240, 135)])
def test_code_screen_shows_the_issuer_and_both_ends_of_a_long_label(sizes, size):
    case = sizes[size]
    issuer, label = case["lines"]
    assert issuer.startswith("Ügy") and len(issuer) * case["char"] <= case["width"] - 3 * case["char"]
    full = "kovacs.jozsefne.konyveles@ugyfelkapu.hu2"
    start, end = label.split("…")  # the cut is shown, not silent
    assert len(start) >= 6 and full.startswith(start) and len(end) >= 6 and full.endswith(end), label
    assert len(label) * case["char"] <= case["width"]
    assert case["twins_differ"], "two labels that differ only at the end were drawn alike"


@pytest.mark.parametrize("size", [(128, 64), (240, 135)])
def test_named_code_keeps_the_digits_width_and_most_of_their_height(sizes, size):
    """With the issuer and the label on two lines the digits are as wide as before and lose only a few rows;
    the countdown bar still moves alone."""
    case = sizes[size]
    before = case["digits"]
    after = case["named_digits"]
    assert after[2] - after[0] == before[2] - before[0], (before, after)
    assert after[3] - after[1] >= 0.85 * (before[3] - before[1]), (before, after)
    assert after[1] > 2 * case["char"] + 1, "below the two text lines, apart from them"
    assert after[3] < case["bar_top"]


@pytest.mark.parametrize("size", [(128, 64), (240, 135)])
def test_letters_without_a_glyph_show_as_a_question_mark(sizes, size):
    """Other letters the font lacks (here €) are a "?", as before; the Hungarian ones are glyphs of their own
    (their cells blank in the font's text call)."""
    assert sizes[size]["label"][0] == " r lt  gyf l?"
