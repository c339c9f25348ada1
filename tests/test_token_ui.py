"""What a person holding the token sees: the next code near the end of a step, the status screen, the display
going dark when unused and waking on a press — on the virtual token, through its buttons."""

import time

import pytest
from test_sim import DEMO, expected_code, token_second
from virtual_token import with_account


@pytest.fixture(scope="module")
def token(tmp_path_factory):
    vt = with_account(tmp_path_factory.mktemp("ui"), DEMO.add_args())
    yield vt
    vt.stop()


def test_next_code_joins_the_screen_in_the_last_seconds(token):
    """A slow typist sees the coming code before the bar runs out, and it is the right one."""
    early = token.wait_screen(lambda s: s.get("screen") == "code" and s["remaining"] > 8, timeout=35)
    assert early["next"] is None, "the next code must not distract while there is time: %r" % early
    late = token.wait_screen(lambda s: s.get("screen") == "code" and s.get("next"), timeout=35, after=early["t"])
    assert late["remaining"] <= 7, late
    second = token_second(late, DEMO.period)
    assert late["code"] == expected_code(DEMO, second)
    assert late["next"] == expected_code(DEMO, second + DEMO.period)
    # And once the step turns over, that next code is the code.
    turned = token.wait_screen(lambda s: s.get("screen") == "code" and s["remaining"] > late["remaining"],
                               timeout=10, after=late["t"])
    assert turned["code"] == late["next"]


@pytest.mark.parametrize("button", ["B", "A long", "B long"])
def test_status_screen_shows_the_time_and_room(token, button):
    pressed = time.time()
    token.press(button)
    status = token.wait_screen(lambda s: s.get("screen") == "status", timeout=5, after=pressed)
    date, clock = status["lines"][0], status["lines"][1]
    shown = time.strptime(date + " " + clock, "%Y-%m-%d %H:%M:%S UTC")
    assert abs(time.mktime(shown) - status["t"]) <= 2, (status, "the token's UTC time, as the host sees it")
    assert "Stored: 1/100" in status["lines"]  # accounts on it, of the most it holds
    # A few seconds later the code is back by itself.
    back = token.wait_screen(lambda s: s.get("screen") == "code", timeout=10, after=status["t"])
    assert back["t"] - status["t"] >= 4


def test_a_leaves_the_status_screen_at_once(token):
    pressed = time.time()
    token.press("B")
    status = token.wait_screen(lambda s: s.get("screen") == "status", timeout=5, after=pressed)
    token.press("A")
    back = token.wait_screen(lambda s: s.get("screen") == "code", timeout=5, after=status["t"])
    assert back["t"] - status["t"] < 3


@pytest.fixture(scope="module")
def sleepy(tmp_path_factory):
    """A token that darkens its display after 2 idle seconds and deep-sleeps after 5 (boards: 20 s for both)."""
    vt = with_account(tmp_path_factory.mktemp("sleepy"), DEMO.add_args(), "--display-off", "2", "--sleep", "5")
    yield vt
    vt.stop()


def test_display_goes_dark_when_unused_and_a_press_only_lights_it(sleepy):
    pressed = time.time()
    sleepy.press("A")  # (it may be dark already: this press lights it)
    dark = sleepy.wait_screen(lambda s: s.get("screen") == "off", timeout=6, after=pressed + 1)
    assert dark["t"] - pressed >= 1.5
    sleepy.press("B")  # a press on a dark display lights it, and does not also open the status screen
    lit = sleepy.wait_screen(lambda s: s.get("screen") != "off", timeout=3, after=dark["t"])
    assert lit["screen"] == "code" and lit["code"] == expected_code(DEMO, token_second(lit, DEMO.period))


def test_asleep_it_hears_nothing_and_a_wakes_it_straight_to_the_code(sleepy):
    asleep = sleepy.wait_screen(lambda s: s.get("screen") == "sleep", timeout=12, after=time.time())
    proc = sleepy.cli("list", timeout=30)
    assert proc.returncode != 0 and "press a button" in proc.stderr, proc.stderr
    assert "Traceback" not in proc.stderr
    pressed = time.time()
    sleepy.press("A")
    woke = sleepy.wait_screen(lambda s: True, timeout=5, after=max(pressed, asleep["t"]))
    assert woke["screen"] == "code", woke  # no menu, no splash: the code at once
    assert woke["t"] - pressed < 2.0
    assert woke["code"] == expected_code(DEMO, token_second(woke, DEMO.period))
    assert sleepy.cli("list", "--json").returncode == 0  # awake again: the host reaches it
