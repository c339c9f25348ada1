"""What the token's screen must do on both panel sizes the boards have: a code readable at arm's length, the
next code in the last seconds, a battery symbol where the board measures its cell, and a countdown that moves
without redrawing the code (no flicker on a directly driven TFT). Both VMs."""

import json

import pytest


@pytest.fixture
def sizes(vm):
    proc = vm.run("ui_cases.py")
    return {(c["width"], c["height"]): c for c in map(json.loads, proc.stdout.splitlines())}


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


@pytest.mark.parametrize("size", [(128, 64), (240, 135)])
def test_accented_letters_are_drawn_without_their_accents(sizes, size):
    """The display font is ASCII: Hungarian letters lose their accents, other letters it lacks show as "?"."""
    assert sizes[size]["label"] == ["Orult Ugyfel?"]
