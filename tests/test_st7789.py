"""The ST7789 driver against the register-level ST7789V emulator, on both VMs.

The driver draws in landscape (240x135, MADCTL MX|MV); the emulator reports the panel in its native portrait
(135x240, memory columns 52.. and rows 40..). Expected pictures come from the datasheet's address rules
worked out by hand below, and from framebuf's own rendering of the same text (the real font on MicroPython).
"""

import json

import pytest
from conftest import BOARDS

SIM = BOARDS / "sim"
WIDTH, HEIGHT = 240, 135  # the driver's landscape
PANEL_WIDTH, PANEL_HEIGHT = 135, 240
RED, GREEN, BLUE, ORANGE = 0xF800, 0x07E0, 0x001F, 0xCB26  # rgb565 of (200, 100, 50) is 0xCB26
_RUNS = {}


def panel_of(x, y):
    """Where the driver's landscape pixel (x, y) lights the portrait panel, by the datasheet: MV sends the
    x counter (40 + x) to memory row 40 + x, i.e. panel row x; the y counter (53 + y) goes to the memory
    column, which MX runs backwards: 239 - 53 - y = 186 - y, i.e. panel column 134 - y."""
    return (PANEL_WIDTH - 1 - y, x)


@pytest.fixture
def cases(vm):
    if vm.name not in _RUNS:
        proc = vm.run("chips_st7789.py", extra_path=[SIM], heap="1m")
        runs = {}
        for line in proc.stdout.splitlines():
            case = json.loads(line)
            runs.setdefault(case.pop("case"), []).append(case)
        _RUNS[vm.name] = runs
    return _RUNS[vm.name]


def decode(panel):
    """Portrait panel as a dict (x, y) -> RGB565."""
    palette = panel["palette"]
    return {(x, y): palette[ord(ch) - 97] for y, row in enumerate(panel["rows"]) for x, ch in enumerate(row)}


def expected_panel(drawn, background=0):
    """The portrait panel for a landscape picture given as a dict (x, y) -> colour over `background`."""
    picture = {(x, y): background for x in range(PANEL_WIDTH) for y in range(PANEL_HEIGHT)}
    for (x, y), colour in drawn.items():
        picture[panel_of(x, y)] = colour
    return picture


def rect(x, y, w, h, colour):
    return {(i, j): colour for i in range(x, x + w) for j in range(y, y + h)}


def glyph_pixels(rows, x, y, scale, colour, background=0):
    """A text cell block as the driver paints it: framebuf's glyph pixels scaled, the cell background too."""
    out = {}
    for j, row in enumerate(rows):
        for i, bit in enumerate(row):
            for dy in range(scale):
                for dx in range(scale):
                    px, py = x + i * scale + dx, y + j * scale + dy
                    if 0 <= px < WIDTH and 0 <= py < HEIGHT:
                        out[(px, py)] = colour if bit == "1" else background
    return out


def test_power_up_clears_the_noise_before_lighting_the_panel_with_the_first_show(cases):
    assert [case["powered_up"] for case in cases["init"]] == [False, True]
    for case in cases["init"]:
        assert case["before_show"] == {"on": False, "asleep": True}  # dark until the first screen is drawn
        assert case["panel"]["palette"] == [0]  # every pixel black: the power-on noise is gone
        assert case["on"] and not case["asleep"] and case["inverted"]
        assert case["colmod"] == 0x55 and case["madctl"] == 0x60
        # The datasheet's waits were kept, also when a board just powered up draws 5 ms after the reset and
        # sleep out comes only at the show().
        assert case["violations"] == []
        assert case["size"] == [WIDTH, HEIGHT]


def test_landscape_corners_land_where_expected_rotated_not_mirrored(cases):
    case = cases["corners"][0]
    red, green, blue, orange = case["colours"]
    drawn = {}
    for x, y, colour in ((0, 0, red), (WIDTH - 3, 0, green), (WIDTH - 3, HEIGHT - 2, blue),
                         (0, HEIGHT - 2, orange)):
        drawn.update(rect(x, y, 3, 2, colour))
    panel = decode(case["panel"])
    assert panel == expected_panel(drawn)
    # By hand: the landscape top-left is the portrait top-right, top-right the bottom-right, and so on
    # round the same way: a quarter turn.
    assert panel[(134, 0)] == red and panel[(134, 239)] == green
    assert panel[(0, 239)] == blue and panel[(0, 0)] == orange
    # A full fill reaches every pixel, and in the right byte order (high byte first).
    assert case["full"]["palette"] == [ORANGE]


def test_each_rotation_with_its_offsets_covers_the_panel_exactly(cases):
    corners = {(0, 0), (PANEL_WIDTH - 1, 0), (0, PANEL_HEIGHT - 1), (PANEL_WIDTH - 1, PANEL_HEIGHT - 1)}
    rotations = {tuple(c["setup"]): c for c in cases["rotation"]}
    for setup in ((0x00, 135, 240, 52, 40), (0x60, 240, 135, 40, 53), (0xC0, 135, 240, 53, 40),
                  (0xA0, 240, 135, 40, 52)):
        case = rotations[setup]
        assert case["covered"] == PANEL_WIDTH * PANEL_HEIGHT, setup
        (origin,), (right,), (down,) = case["origin"], case["right"], case["down"]
        assert tuple(origin) in corners, setup
        across = (right[0] - origin[0], right[1] - origin[1])
        downward = (down[0] - origin[0], down[1] - origin[1])
        # x then y turn the same way on the panel as on the page: a rotation, never a mirror image.
        assert across[0] * downward[1] - across[1] * downward[0] == 1, setup
    assert rotations[(0x60, 240, 135, 40, 53)]["origin"] == [[134, 0]]
    # A row off: one panel column keeps its noise, and the driver's (0, 0) falls outside the panel.
    wrong = rotations[(0x60, 240, 135, 40, 52)]
    assert wrong["covered"] == PANEL_WIDTH * PANEL_HEIGHT - PANEL_HEIGHT and wrong["origin"] is None


def test_drawing_is_clipped_at_the_edges(cases):
    case = cases["clip"][0]
    red, green, orange = case["colours"]
    drawn = rect(0, 0, 5, 5, red)  # (-5, -3) 10x8
    drawn.update(rect(WIDTH - 4, HEIGHT - 2, 4, 2, green))
    for s, (x, y) in case["origin"].items():
        drawn.update(glyph_pixels(case["glyphs"][s], x, y, 1, orange))
    assert case["outside"] == 0  # rectangles wholly outside or empty send no pixels at all
    assert decode(case["panel"]) == expected_panel(drawn)  # nothing wrapped round to the other side


def test_text_matches_framebufs_own_rendering_at_every_scale(cases):
    case = cases["text"][0]
    red, green = case["colours"]
    drawn = rect(0, 96, WIDTH, 30, green)
    for s, x, y, scale in case["texts"]:
        drawn.update(glyph_pixels(case["glyphs"][s], x, y, scale, red))
        assert any("1" in row for row in case["glyphs"][s])
    assert decode(case["panel"]) == expected_panel(drawn)


def test_poweroff_blanks_the_panel_and_poweron_brings_the_picture_back(cases):
    case = cases["power"][0]
    assert case["off"] == {"on": False, "asleep": True, "lit": 0}
    assert case["after"] == case["before"] and len(case["before"]["palette"]) == 2
    assert case["on"] and not case["asleep"]
    assert case["violations"] == []  # 120 ms between sleep in and sleep out were waited for


def lit_groups(columns):
    """Runs of consecutive lit columns."""
    groups = []
    for x in sorted(columns):
        if groups and x == groups[-1][1] + 1:
            groups[-1][1] = x
        else:
            groups.append([x, x])
    return groups


def test_code_screen_draws_what_the_ui_means(cases):
    shots = cases["code"]
    assert [s["remaining"] for s in shots] == [20, 10]
    for shot in shots:
        fg, bg = shot["fg"], shot["bg"]
        reference = {(x, y): fg if bit == "1" else bg
                     for y, row in enumerate(shot["reference"]) for x, bit in enumerate(row)}
        assert decode(shot["panel"]) == expected_panel(reference)
        # Seven-segment digits in the middle band: six separate lit shapes side by side.
        band = {x for (x, y), colour in reference.items() if HEIGHT // 4 <= y < HEIGHT * 3 // 4 and colour == fg}
        assert len(lit_groups(band)) == 6
        # The countdown bar on the bottom row is as long as the part of the step that is left.
        bottom = [reference[(x, HEIGHT - 1)] for x in range(WIDTH)]
        bar = WIDTH * shot["remaining"] // 30
        assert bottom == [fg] * bar + [bg] * (WIDTH - bar)
        print("SPI per code screen (remaining %d s): %d bytes in %d writes"
              % (shot["remaining"], shot["bytes"], shot["writes"]))


def test_emulator_window_streaming_wraps_and_restarts(cases):
    case = cases["model"][0]
    # Window 3x2 at panel (0, 0): seven pixels fill it row by row and the seventh wraps to its start.
    assert [row[:3] for row in case["wrap"][:2]] == [[7, 2, 3], [4, 5, 6]]
    # RAMWR starts over at the window start; RAMWRC continues, here one byte per transfer.
    assert case["restart"] == [8, 9, 3]


def test_emulator_madctl_maps_the_counters_as_the_datasheet_figures(cases):
    # One pixel at the MCU's x = 60, y = 70; panel = memory - (52, 40). MV swaps the counters' roles,
    # MX mirrors the memory column (239 - c), MY the memory row (319 - r); ML and MH change nothing here.
    expected = {0x00: (8, 30), 0x40: (127, 30), 0x80: (8, 209), 0xC0: (127, 209), 0x20: (18, 20),
                0x60: (117, 20), 0xA0: (18, 219), 0xE0: (117, 219), 0x10: (8, 30), 0x04: (8, 30)}
    placed = cases["model"][0]["placed"]
    assert {int(k): [tuple(p) for p in v] for k, v in placed.items()} == {k: [v] for k, v in expected.items()}


def test_emulator_pixel_formats_and_display_states(cases):
    case = cases["model"][0]
    # 18 bits: FC 00 84 = red 63, blue 33 -> 0xF810; 00 FC 00 = green 63 -> 0x07E0.
    assert case["bits18"] == [0xF810, 0x07E0]
    # 12 bits: F0 80 0F = pixels F08 and 00F -> 0xF010 and 0x001E.
    assert case["bits12"] == [0xF010, 0x001E]
    states = case["states"]
    assert states["on"] == ORANGE and states["slpout"] == ORANGE and states["kept"] == ORANGE
    assert states["invoff"] == ORANGE ^ 0xFFFF  # a normally inverted IPS panel without INVON
    assert states["bgr"] == 0x3339  # red 25 and blue 6 swapped
    assert states["dispoff"] == 0 and states["slpin"] == 0
    assert states["swreset"] == [False, True, False, 0x60, 0x55]  # MADCTL, COLMOD: no change
    lines = case["lines"]
    assert lines["unselected_on"] is True and lines["sent"] == 0  # deselected or in reset: bytes lost
    assert lines["after_reset"] == [False, True, 0x00, 0x66]


def test_emulator_flags_commands_sent_too_soon(cases):
    assert cases["model"][0]["violations"] == [
        "command 11h 3 ms early",  # sleep out 2 ms after a software reset
        "command 10h 100 ms after a sleep change",  # sleep in 100 ms after sleep out
    ]


def test_backlight_lights_only_a_cleared_panel_and_follows_power_off_and_on(cases):
    """A board hands its backlight line to the driver: no flash of power-up noise, dark with the panel."""
    runs = {run["start"]: run for run in cases["backlight"]}
    assert sorted(runs) == [0, 1]
    for start, run in runs.items():
        # Lit once, and only when the controller shows a memory already cleared; a line left on goes dark first.
        assert run["init"] == ([] if start == 0 else [[0, False, False]]) + [[1, True, True]]
        assert run["off"] == [[0, True]] and run["after_off"] == [0, False]  # one edge, no flicker
        assert run["on"] == [[1, True]] and run["after_on"] == [1, True]  # lit once the panel is awake again
        assert run["violations"] == []


def test_fill_rect_allocates_nothing(cases, vm):
    """The UI fills rectangles every second on a ~100 KiB heap: no garbage from the driver."""
    taken = cases["alloc"][0]["taken"]
    if vm.name == "cpython":
        assert taken is None  # no gc.mem_alloc there; MicroPython is the VM that counts
    else:
        assert taken == 0
