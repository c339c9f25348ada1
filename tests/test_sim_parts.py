"""The virtual token's parts that run without a VM: its settings (totpfob.sim.config) against the command line,
and its one renderer (totpfob.sim.render), whose terminal picture and PNG must show the same display."""

import argparse
import re
import subprocess
from dataclasses import fields

import pytest
from totpfob.sim import SimConfig, add_parser, render
from totpfob.sim.chips import chip_module
from totpfob.sim.config import HIDDEN
from virtual_token import TOTPFOB


def sim_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="totpfob")
    add_parser(parser.add_subparsers(dest="command"))
    return parser


def test_the_config_carries_every_flag_of_sim_help():
    shown = subprocess.run([TOTPFOB, "sim", "--help"], capture_output=True, text=True, timeout=60)
    assert shown.returncode == 0, shown.stderr
    # The options listed one per line (the help texts may mention other commands' flags, such as --port);
    # --lang is totpfob's own, taken by every command.
    flags = set(re.findall(r"^ +(?:-\w, )?--([a-z][a-z0-9-]*)", shown.stdout, re.M)) - {"help", "lang"}
    assert len(flags) >= 16
    assert flags == {f.name.replace("_", "-") for f in fields(SimConfig) if f.name not in HIDDEN}


def test_the_defaults_are_the_configs_and_a_config_round_trips_through_the_command_line():
    parser = sim_parser()
    assert SimConfig.from_args(parser.parse_args(["sim"])) == SimConfig()
    config = SimConfig(headless=True, link="/tmp/t", state="s", screen_dump="d.jsonl", snapshot="p.png",
                       control="c", serial_log="l", display_off=5.0, sleep=30.0, heap="64k", rtc_lost=True,
                       rtc_offset=-3600.5, rtc_drift_ppm=-20.0, rtc_chip="pcf8563", keep=True,
                       repl_idle=5.0, fail_setup=True, flash_timing="worst", flash_blocks=64)
    assert all(getattr(config, f.name) != f.default for f in fields(SimConfig) if f.name != "blank")
    assert SimConfig.from_args(parser.parse_args(["sim", *config.argv()])) == config
    assert SimConfig.from_args(parser.parse_args(["sim", "--blank"])).mode == "repl"
    assert config.mode == "boot" and SimConfig().mode == "install"


def test_blank_and_keep_exclude_each_other():
    with pytest.raises(ValueError):
        SimConfig(blank=True, keep=True)
    with pytest.raises(SystemExit):
        sim_parser().parse_args(["sim", "--blank", "--keep"])


def oled_with_a_pattern():
    """The SSD1306 model as a driver leaves it: lit, upright, its RAM holding an uneven pattern."""
    oled = chip_module("ssd1306").SSD1306(128, 64)
    oled.write(bytes([0x00, 0x8D, 0x14, 0xA1, 0xC8, 0x20, 0x00, 0x21, 0, 127, 0x22, 0, 7, 0xAF]))
    oled.write(bytes([0x40]) + bytes((x * 7 + x // 128 * 31) & 0xFF for x in range(1024)))
    return oled


def tft_with_a_pattern():
    """The ST7789 model (portrait 135x240) lit, memory filled through its commands: bright and dim colours,
    and one red pixel at the portrait top-right, which the token held in landscape shows top-left."""
    tft = chip_module("st7789").ST7789Model()
    tft.write(bytes([0x11]), 0)  # sleep out
    tft.write(bytes([0x3A]), 0)
    tft.write(bytes([0x55]), 1)  # 16 bits per pixel
    tft.write(bytes([0x2A]), 0)
    tft.write(bytes([0, 52, 0, 52 + 134]), 1)
    tft.write(bytes([0x2B]), 0)
    tft.write(bytes([0, 40, 1, 40 + 239 - 256]), 1)
    colours = [0xFFFF, 0x0000, 0x07E0, 0x0841, 0x001F, 0x8410]  # white, black, green, near black, blue, grey
    pixels = bytearray()
    for y in range(240):
        for x in range(135):
            colour = 0xF800 if (x, y) == (134, 0) else colours[(x // 9 + y // 5) % len(colours)]
            pixels += colour.to_bytes(2, "big")
    tft.write(bytes([0x2C]), 0)
    tft.write(bytes(pixels), 1)
    tft.write(bytes([0x21, 0x29]), 0)  # inversion on (these IPS panels show what was written), display on
    return tft


@pytest.mark.parametrize("make, size", [(oled_with_a_pattern, (128, 64)), (tft_with_a_pattern, (240, 135))])
def test_the_terminal_and_the_png_show_the_same_picture(make, size, tmp_path):
    panel = make()
    picture = render.picture(panel)
    assert (len(picture[0]), len(picture)) == size
    bits = render.lit(picture)
    assert 0 < sum(map(sum, bits)) < size[0] * size[1]  # a picture, not a blank or a white panel
    render.write_png(picture, tmp_path / "screen.png")
    assert render.read_png(tmp_path / "screen.png") == picture
    text = render.halfblocks(picture)
    assert text == render.halfblocks(render.read_png(tmp_path / "screen.png"))
    # Each character is the two pixel rows it stands for, inside the frame.
    lines = text.split("\n")[1:-1]
    assert len(lines) == (size[1] + 1) // 2
    padded = bits + [[0] * size[0]] * (size[1] % 2)
    for n, line in enumerate(lines):
        top, bottom = padded[2 * n], padded[2 * n + 1]
        assert line == "\u2502" + "".join(" \u2580\u2584\u2588"[t + 2 * b] for t, b in zip(top, bottom)) + "\u2502"


def braille_dots(char: str) -> list:
    """The 2x4 dots of a braille character, as rows of 0/1 (dots 1-2-3-7 down the left, 4-5-6-8 the right)."""
    bits = ord(char) - 0x2800
    return [[bits >> left & 1, bits >> right & 1] for left, right in ((0, 3), (1, 4), (2, 5), (6, 7))]


def quarter_dots(char: str) -> list:
    index = " \u2598\u259d\u2580\u2596\u258c\u259e\u259b\u2597\u259a\u2590\u259c\u2584\u2599\u259f\u2588".index(char)
    return [[index & 1, index >> 1 & 1], [index >> 2 & 1, index >> 3 & 1]]


@pytest.mark.parametrize("make", [oled_with_a_pattern, tft_with_a_pattern])
@pytest.mark.parametrize("drawing, dots", [(render.QUARTERS, quarter_dots), (render.BRAILLE, braille_dots),
                                           (render.BRAILLE_HALF, braille_dots)])
def test_the_small_drawings_show_every_pixel(make, drawing, dots):
    """Quarter blocks and braille, for terminals too small for half blocks: each dot is its pixel (at half size,
    lit if any of its 2x2 pixels is), and the drawing takes the room footprint() says."""
    bits = render.lit(render.picture(make()))
    if drawing.shrink == 2:
        bits = [[max(bits[y][x], bits[y][x + 1], bits[y + 1][x], bits[y + 1][x + 1]) if y + 1 < len(bits) else
                 max(bits[y][x], bits[y][x + 1]) for x in range(0, len(bits[0]), 2)] for y in range(0, len(bits), 2)]
    lines = render.draw(render.picture(make()), drawing)
    assert (len(lines[0]), len(lines)) == render.footprint(drawing, len(bits[0]) * drawing.shrink, len(bits) * drawing.shrink)
    cell_w, cell_h = drawing.cell
    height = len(bits)
    for n, line in enumerate(lines[1:-1]):
        assert line[0] == line[-1] == "\u2502"
        for m, char in enumerate(line[1:-1]):
            for dy, row in enumerate(dots(char)):
                for dx, dot in enumerate(row):
                    y, x = n * cell_h + dy, m * cell_w + dx
                    assert dot == (bits[y][x] if y < height else 0), (n, m, dy, dx)


@pytest.mark.parametrize("size, columns, lines, expected", [
    ((128, 64), 200, 60, "half blocks"), ((128, 64), 100, 30, "braille"), ((128, 64), 80, 24, "braille"),
    ((128, 64), 70, 40, "quarter blocks"), ((128, 64), 40, 12, "braille, half size"), ((128, 64), 30, 24, None),
    ((240, 135), 250, 75, "half blocks"), ((240, 135), 200, 60, "braille"), ((240, 135), 80, 24, "braille, half size"),
    ((240, 135), 60, 24, None)])
def test_the_largest_drawing_that_fits_is_picked(size, columns, lines, expected):
    drawing = render.fit(size[0], size[1], columns, lines)
    assert (drawing.name if drawing else None) == expected
    if drawing:
        assert render.footprint(drawing, *size)[0] <= columns and render.footprint(drawing, *size)[1] <= lines


@pytest.mark.parametrize("make", [oled_with_a_pattern, tft_with_a_pattern])
@pytest.mark.parametrize("columns, lines", [(80, 24), (100, 30), (200, 60), (40, 10), (20, 3)])
def test_a_screen_never_overflows_the_terminal_and_keeps_its_text(make, columns, lines):
    picture = render.picture(make())
    text = ["Demo Issuer: ügyfél@példa.hu (2/3)   code 123456   17 s left", "serial port: /dev/pts/3 " + "x" * 200]
    out = render.screen(picture, (columns, lines), text, lambda c, n: "Make this terminal at least %dx%d." % (c, n))
    assert len(out) <= lines
    assert all(render.cells(line) <= columns for line in out)
    assert any("123456" in line for line in out) or columns < 50  # the code, unless the terminal is tiny
    if render.fit(len(picture[0]), len(picture), columns, lines - len(text)) is None:
        assert out[0].startswith("Make this terminal at least"[:columns])


def test_the_oled_picture_is_its_pixels_and_the_tft_is_turned_as_held():
    oled = oled_with_a_pattern()
    assert render.lit(render.picture(oled)) == [[oled.pixel(x, y) for x in range(128)] for y in range(64)]
    tft = tft_with_a_pattern()
    picture = render.picture(tft)
    assert picture[0][0] == (255, 0, 0)  # the portrait top-right
    assert picture[134][239] == render.picture(tft)[134][239] != (255, 0, 0)
    assert all(picture[y][x] == render._rgb(tft.pixel(134 - y, x)) for y in range(0, 135, 7) for x in range(0, 240, 11))
    dark = render.picture(chip_module("ssd1306").SSD1306(128, 64))  # never switched on
    assert dark == render.dark(128, 64)
