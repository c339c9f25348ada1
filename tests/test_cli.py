"""The command line's shape: the options many commands share are declared once and mean the same wherever they
are written; a mistyped line is one line of error, exit 2."""

import re
from pathlib import Path

import pytest
import totpfob
from totpfob import cli


def parse(*argv):
    return cli.build_parser().parse_args(list(argv))


def test_port_and_json_are_declared_once():
    package = Path(totpfob.__file__).parent
    sources = "".join(path.read_text() for path in package.rglob("*.py"))
    assert len(re.findall(r"""add_argument\(\s*["']--port["']""", sources)) == 1
    assert len(re.findall(r"""add_argument\(\s*["']--json["']""", sources)) == 1


@pytest.mark.parametrize("argv, ports", [
    (["--port", "A", "list"], ["A"]),
    (["list", "--port", "A"], ["A"]),
    (["--port", "A", "add", "--port", "B", "--secret", "K", "--label", "x"], ["A", "B"]),
    (["time", "sync", "--port", "A", "--port", "B"], ["A", "B"]),
    (["deploy", "--board", "sim", "--port", "P"], ["P"]),  # as the Makefile writes it
    (["--port", "P", "flash", "--board", "devkit"], ["P"]),
    (["info"], None),
])
def test_port_means_the_same_before_or_after_the_command(argv, ports):
    assert parse(*argv).port == ports


@pytest.mark.parametrize("argv, as_json", [(["list", "--json"], True), (["info"], False),
                                           (["time", "status", "--json"], True), (["boards", "--json"], True)])
def test_json_where_a_command_prints_data(argv, as_json):
    assert parse(*argv).json is as_json


@pytest.mark.parametrize("argv", [["list", "--bogus"], ["wipe", "now"], ["add", "--digits", "six", "--secret", "K"],
                                  ["time", "sync", "--json"]])
def test_a_mistyped_command_line_is_one_line_and_exit_2(argv, capsys):
    with pytest.raises(SystemExit) as exited:
        cli.main(argv)
    assert exited.value.code == 2
    err = capsys.readouterr().err
    assert len(err.splitlines()) == 1 and err.startswith("totpfob: ") and "--help" in err
