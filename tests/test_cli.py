"""The command line's shape: the options many commands share are declared once and mean the same wherever they
are written; a mistyped line is one line of error, exit 2."""

import json
import re
from pathlib import Path

import pytest
import totpfob
from totpfob import backup as backups
from totpfob import cli, importcmd, ops
from totpfob.account import Account
from totpfob.errors import UserError
from totpfob.otpauth import printable


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


# --- What a review found: every input ends in one line, no key is echoed, and no name drives the terminal. ---

def one_line(capsys, argv, *words) -> str:
    """Run the CLI in this process: exit 2 and one line of error naming the words; that line."""
    try:
        status = cli.main(argv)
    except SystemExit as exited:
        status = exited.code
    err = capsys.readouterr().err
    assert status == 2, err
    lines = err.splitlines()
    assert len(lines) == 1 and lines[0].startswith("totpfob: "), err
    for word in words:
        assert word in lines[0], lines[0]
    return lines[0]


def test_a_key_typed_with_spaces_is_not_echoed(capsys):
    line = one_line(capsys, ["add", "--secret", "JBSW", "Y3DP", "EHPK", "3PXP", "--label", "me"],
                    "3 unexpected words", "quotes", "--help")
    assert not {"Y3DP", "EHPK", "3PXP"} & set(line.replace(";", " ").split())
    line = one_line(capsys, ["list", "Y3DP"], "1 unexpected word ")
    assert "Y3DP" not in line


def test_a_key_pasted_where_the_command_goes_is_not_echoed(capsys):
    with pytest.raises(SystemExit) as stop:
        cli.main(["JBSWY3DPEHPK3PXP"])
    said = capsys.readouterr()
    assert stop.value.code == 2 and "JBSWY3DPEHPK3PXP" not in said.out + said.err
    assert "invalid choice (choose from" in said.err and "add" in said.err


def test_a_malformed_uri_in_a_list_file_is_one_line(capsys, tmp_path):
    listing = tmp_path / "keys.txt"
    listing.write_text("otpauth://totp/ok?secret=JBSWY3DPEHPK3PXP\notpauth://totp[/x?secret=JBSWY3DPEHPK3PXP\n")
    line = one_line(capsys, ["import", "--dry-run", str(listing)], "line 2", "malformed")
    assert "JBSWY3DPEHPK3PXP" not in line
    one_line(capsys, ["import", "--dry-run", "otpauth-migration://off[line?data=AAAA"], "malformed")


def test_a_password_file_that_is_not_utf8_is_one_line(capsys, tmp_path):
    password = tmp_path / "password.txt"
    password.write_bytes(b"jelsz\xf3 2026\n")  # Latin-2, as Notepad may save it
    one_line(capsys, ["import", "--password-file", str(password), str(tmp_path / "export.json")], "not UTF-8")


def test_a_bitwarden_totp_field_that_is_not_text_is_skipped_with_a_reason():
    from totpfob.importers import read

    doc = {"encrypted": False, "items": [
        {"name": "Bank", "login": {"username": "me", "totp": 123456}},
        {"name": "Mail", "login": {"username": "you", "totp": "JBSWY3DPEHPK3PXP"}}]}
    found = read(json.dumps(doc).encode())
    assert [(e.issuer, e.label, e.account is None) for e in found.entries] == [("Bank", "me", True),
                                                                               ("Mail", "you", False)]
    assert "neither a key nor an otpauth URI" in found.entries[0].reason


@pytest.mark.parametrize("hello", [{}, {"board": None, "protocol": None, "accounts": "x", "battery": "low"},
                                   {"board": "evil\x1b[2J", "clock": "lost", "vault": "damaged"}])
def test_info_shows_what_a_token_says_even_when_fields_are_missing(hello, capsys, monkeypatch):
    monkeypatch.setattr(ops, "info", lambda port: hello)
    assert cli.main(["--port", "P", "info"]) == 0
    out = capsys.readouterr().out
    assert out.startswith("board ") and "accounts " in out and "\x1b" not in out
    if hello.get("clock") == "lost":
        assert "time sync" in out and "storage damaged (damaged)" in out and "evil\\x1b[2J" in out


def test_printable_escapes_what_could_drive_or_disguise_a_terminal():
    assert printable("Bank\x1b[2J\u202emoc.elgoog\nX\x07") == "Bank\\x1b[2J\\u202emoc.elgoog\\nX\\x07"
    assert printable("Ügyfélkapu+ demo.user@ugyfelkapu.gov.hu") == "Ügyfélkapu+ demo.user@ugyfelkapu.gov.hu"


def test_list_shows_names_from_the_token_neutralised(capsys, monkeypatch):
    monkeypatch.setattr(ops, "accounts", lambda port, note=None: [Account("me\x1b]0;owned\x07", "Bank\u202e")])
    monkeypatch.setattr(ops, "info", lambda port: {"language": "hu"})
    assert cli.main(["--port", "P", "list"]) == 0
    out = capsys.readouterr().out
    assert "\x1b" not in out and "\u202e" not in out and "me\\x1b]0;owned\\x07" in out


def test_a_backup_that_cannot_be_written_later_says_the_token_has_the_account(tmp_path):
    folder = tmp_path / "stick"
    folder.mkdir()
    opened = backups.Backup.open(folder / "backup.json", lambda new: "titok")
    folder.rmdir()  # the USB stick pulled out while the token was written
    with pytest.raises(UserError, match="the account was stored on the token; the backup was not written"):
        importcmd.save_backup(opened, [Account("me", "Bank", b"k" * 10)], print)


def test_a_backup_in_a_folder_that_does_not_exist_is_refused_before_the_password(tmp_path):
    asked = []
    with pytest.raises(UserError, match="cannot be written there"):
        backups.Backup.open(tmp_path / "nothere" / "backup.json", lambda new: asked.append(new) or "titok")
    assert asked == []


@pytest.mark.parametrize("argv, reads", [(["language"], True), (["language", "hu"], False)])
def test_ctrl_c_while_showing_the_tokens_language_says_nothing_changed(argv, reads, capsys, monkeypatch):
    """Only showing the token's language changes nothing, so a Ctrl-C then says so; setting it may have landed."""
    from totpfob.ops import settings

    def interrupted(*args):
        raise KeyboardInterrupt

    monkeypatch.setattr(ops, "info", interrupted)
    monkeypatch.setattr(settings, "set_language", interrupted)
    assert cli.main(["--port", "P", *argv]) == 130
    err = capsys.readouterr().err
    assert ("nothing was changed" in err) == reads and err.count("\n") == 1, err
