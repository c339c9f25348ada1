"""totpfob in Hungarian and English: every message the code can show has its Hungarian form (checked against what
Babel extracts from the source now, so a new English message without Hungarian fails here), a Hungarian run of
the real command line prints no English sentence (help, errors, and the commands against the virtual token), and
the language is chosen as the README says: --lang, then TOTPFOB_LANG, then the locale, else English."""

import os
import re
import subprocess
import sys
import time
from pathlib import Path

import pytest
from on_terminal import answered
from PIL import Image
from totpfob import cli
from totpfob.sim.harness import totpfob
from virtual_token import VirtualToken

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "host_tools"))
import translations  # noqa: E402  (host_tools/translations.py: `make translations`, Babel)

KEY = "JBSWY3DPEHPK3PXP"
LOCALE_VARIABLES = ("TOTPFOB_LANG", "LC_ALL", "LC_MESSAGES", "LANG", "LANGUAGE")
# printf placeholders (positional and named) and str.format fields
_POSITIONAL = re.compile(r"%[-+ #0-9.]*[sdrfgx]")
_NAMED = re.compile(r"%\([a-z_]+\)[-+ #0-9.]*[sdrfgx]")
_BRACES = re.compile(r"\{[^{}]*\}")


@pytest.fixture(scope="module")
def catalog():
    return translations.read(translations.PO)


def _forms(message) -> list:
    return list(message.string) if isinstance(message.string, (list, tuple)) else [message.string]


def _ids(message) -> list:
    return list(message.id) if isinstance(message.id, (list, tuple)) else [message.id]


def test_every_message_in_the_code_has_a_hungarian_form(catalog):
    lacking = []
    for message in translations.template():  # what the extractor finds in host_tools/totpfob now
        if not message.id:
            continue
        found = catalog.get(message.id)
        if found is None or found.fuzzy or not all(_forms(found)):
            lacking.append(_ids(message)[0])
    assert not lacking, ("messages without Hungarian (run `make translations`, then translate them in "
                         "locale/hu/LC_MESSAGES/totpfob.po):\n" + "\n".join(lacking))


def test_each_hungarian_form_has_the_placeholders_of_its_english(catalog):
    wrong = []
    for message in catalog:
        if not message.id or message.fuzzy:  # a fuzzy form is never used (and the test above fails on it)
            continue
        english = _ids(message)
        for i, form in enumerate(_forms(message)):
            source = english[min(i, len(english) - 1)]
            if not form:
                continue
            same = (_POSITIONAL.findall(_NAMED.sub("", source)) == _POSITIONAL.findall(_NAMED.sub("", form))
                    and sorted(_NAMED.findall(source)) == sorted(_NAMED.findall(form))
                    and sorted(_BRACES.findall(source)) == sorted(_BRACES.findall(form)))
            if not same:
                wrong.append("%r -> %r" % (source, form))
    assert not wrong, "placeholders differ:\n" + "\n".join(wrong)


def test_the_committed_mo_is_the_compiled_po(catalog):
    assert translations.MO.read_bytes() == translations.compiled(catalog), \
        "totpfob.mo is not the compiled totpfob.po: run `make translations` and commit both"


# -- a Hungarian run prints no English ---------------------------------------------------------------------

def _english_phrases(catalog) -> list:
    """The English a Hungarian run must not show: each run of 3+ words between a msgid's placeholders, where the
    Hungarian form differs and does not itself contain that run (commands such as `totpfob time sync` stay)."""
    phrases = set()
    for message in catalog:
        if not message.id:
            continue
        hungarian = " ".join(_forms(message))
        for english in _ids(message):
            if english == hungarian:
                continue
            for part in re.split(r"%\([a-z_]+\)[-+ #0-9.]*[a-z]|%[-+ #0-9.]*[a-z%]|\{[^{}]*\}|\n", english):
                part = part.strip(" ;:,.()-")
                if len(re.findall(r"[A-Za-z]{2,}", part)) >= 3 and part not in hungarian:
                    phrases.add(part)
    return sorted(phrases, key=len, reverse=True)


def _assert_no_english(catalog, output: str, what: str) -> None:
    phrases = [re.compile(r"(?<!\w)" + re.escape(phrase) + r"(?!\w)") for phrase in _english_phrases(catalog)]
    found = [(line, phrase.pattern) for line in output.splitlines() for phrase in phrases if phrase.search(line)]
    assert not found, "English in the Hungarian output of %s:\n%s" % (
        what, "\n".join("%s   <- %r" % pair for pair in found[:10]))


def _env(**given: str) -> dict:
    env = {k: v for k, v in os.environ.items() if k not in LOCALE_VARIABLES + ("TOTPFOB_PORT",)}
    env.update(TZ="UTC", **given)
    return env


def run(*argv: str, env: dict | None = None, **kw) -> subprocess.CompletedProcess:
    return subprocess.run(totpfob() + list(argv), capture_output=True, text=True, timeout=120,
                          env=_env() if env is None else env, **kw)


def _commands() -> list:
    """Every command and sub-command the parser knows: ["add"], ["time", "sync"], ..."""
    found = []

    def walk(parser, prefix):
        for action in parser._actions:
            if isinstance(action, cli.argparse._SubParsersAction):
                for name, sub in action.choices.items():
                    found.append(prefix + [name])
                    walk(sub, prefix + [name])
    walk(cli.build_parser(), [])
    return found


def _pictures(tmp_path: Path) -> tuple:
    blank = tmp_path / "blank.png"
    Image.new("L", (200, 200), 255).save(blank)
    return str(blank), str(tmp_path / "missing.png")


def test_help_and_errors_in_hungarian_have_no_english(catalog, tmp_path):
    blank, missing = _pictures(tmp_path)
    runs = [["--help"]] + [command + ["--help"] for command in _commands()]
    errors = [
        ["list"],  # no token on USB here, no --port
        ["add", "--uri", "https://example.com/login"],
        ["add", "--uri", "otpauth://totp/x?secret=JBSW1"],
        ["add", "--secret", "JBSW Y3DP 1", "--label", "me"],
        ["add", "--secret", "JBSW"],
        ["add", "--qr", missing],
        ["add", "--qr", blank],
        ["import", missing],
        ["list", "--port", str(tmp_path / "nothing-here")],
        ["wipe"],
        ["add"],
        ["frobnicate"],
        ["list", "extra", "words"],
    ]
    said = []
    for argv in runs + errors:
        proc = run("--lang", "hu", *argv)
        said.append((argv, proc))
        _assert_no_english(catalog, proc.stdout + proc.stderr, " ".join(argv))
    for argv, proc in said[len(runs):]:
        assert proc.returncode == 2 and len(proc.stderr.splitlines()) == 1, (argv, proc.stderr)
    # and it is Hungarian, not merely silent: a few lines a user sees first
    assert "használat: totpfob" in said[0][1].stdout and "kapcsolók" in said[0][1].stdout
    assert "nincs ilyen fájl" in dict((" ".join(a), p) for a, p in said)["add --qr " + missing].stderr


def test_the_locale_alone_makes_it_hungarian(catalog, tmp_path):
    blank, _missing = _pictures(tmp_path)
    env = _env(LANG="hu_HU.UTF-8")
    for argv in (["--help"], ["add", "--help"], ["time", "status", "--help"], ["add", "--qr", blank],
                 ["add", "--uri", "otpauth://hotp/x?secret=" + KEY]):
        proc = run(*argv, env=env)
        _assert_no_english(catalog, proc.stdout + proc.stderr, "LANG=hu_HU.UTF-8 " + " ".join(argv))
        assert re.search("[áéíóöőúüű]", proc.stdout + proc.stderr), (argv, proc.stdout, proc.stderr)


@pytest.fixture
def token(tmp_path):
    started = VirtualToken(tmp_path / "sim", snapshot=False).start().answer_questions()
    yield started
    started.stop()


def _late_in_the_step() -> None:
    """Until fewer than 10 s of the 30 s step are left once `add` prints (it takes a second or two)."""
    while not 21.5 <= time.time() % 30 <= 24:
        time.sleep(0.05)


def test_the_token_commands_in_hungarian_have_no_english(catalog, token):
    def hu(*argv: str) -> str:
        proc = token.cli("--lang", "hu", *argv, env={"TOTPFOB_LANG": "en"})
        assert proc.returncode == 0, (argv, proc.stdout, proc.stderr)
        _assert_no_english(catalog, proc.stdout + proc.stderr, " ".join(argv))
        return proc.stdout + proc.stderr

    assert "nincs fiók a tokenen" in hu("list")
    _late_in_the_step()
    added = hu("add", "--secret", KEY, "--label", "Kovács Józsefné", "--issuer", "Ügyfélkapu+")
    assert "a kód most:" in added and "a következő kód:" in added and "törlőkód" in added, added
    assert "Ügyfélkapu+:Kovács Józsefné" in hu("list")
    assert "fiókok: 1" in hu("info")
    assert "Józsi" in hu("rename", "Kovács Józsefné", "Józsi")
    assert "eltérés" in hu("time", "status")
    assert "eltérés" in hu("time", "sync")
    previewed = hu("import", "--dry-run", "otpauth://totp/Bank:me?secret=%s&issuer=Bank" % KEY)
    assert "KIADÓ" in previewed and "felvétel" in previewed, previewed
    said = _delete_on_a_terminal(token, "Józsi", b"i\n")
    _assert_no_english(catalog, said, "delete on a terminal")
    assert "Végleg törli" in said and "[i/N]" in said and "törölve a tokenről" in said, said
    assert "nincs fiók a tokenen" in hu("list")
    hu("add", "--secret", KEY, "--label", "second")
    assert "a tokenen most nincs fiók" in hu("wipe", "--yes")


def _delete_on_a_terminal(token: VirtualToken, label: str, answer: bytes) -> str:
    """`totpfob --lang hu delete LABEL` on a real pseudo-terminal, its y/N question answered with `answer`."""
    return answered(totpfob() + ["--lang", "hu", "--port", str(token.link), "delete", label], b"[i/N]", answer,
                    {"TZ": "UTC", "TOTPFOB_LANG": "en"}, patience=60)


# -- which language ----------------------------------------------------------------------------------------

BAD_URI = ["add", "--uri", "https://example.com/login"]
ENGLISH = "this is not an otpauth:// URI"
HUNGARIAN = "ez nem otpauth:// URI"


@pytest.mark.parametrize("argv", [["--lang", "xx", "list"], ["list", "--lang=de"], ["--lang"],
                                  ["add", "--lang", KEY, "--label", "me"]])
def test_an_unknown_language_is_one_line_naming_the_languages(argv):
    proc = run(*argv)
    assert proc.returncode == 2 and proc.stdout == ""
    (line,) = proc.stderr.splitlines()
    assert line.startswith("totpfob: ") and "hu" in line and "en" in line, line
    assert KEY not in line  # a key typed after --lang by mistake is not repeated


@pytest.mark.parametrize("env, expected", [
    ({"LANG": "de_DE.UTF-8"}, ENGLISH),  # a locale without a catalog: English, no error
    ({"LANG": "C"}, ENGLISH),
    ({"LC_ALL": "hu_HU.UTF-8", "LANG": "en_US.UTF-8"}, HUNGARIAN),  # LC_ALL before LANG, as gettext reads them
    ({"TOTPFOB_LANG": "hu", "LANG": "en_US.UTF-8"}, HUNGARIAN),
    ({"TOTPFOB_LANG": "en", "LANG": "hu_HU.UTF-8"}, ENGLISH),
])
def test_the_environment_chooses_the_language(env, expected):
    proc = run(*BAD_URI, env=_env(**env))
    assert proc.returncode == 2 and expected in proc.stderr, (env, proc.stderr)


@pytest.mark.parametrize("argv", [["--lang", "en", *BAD_URI], [*BAD_URI, "--lang", "en"], [*BAD_URI, "--lang=en"]])
def test_lang_beats_the_environment_before_or_after_the_command(argv):
    proc = run(*argv, env=_env(TOTPFOB_LANG="hu", LANG="hu_HU.UTF-8"))
    assert proc.returncode == 2 and ENGLISH in proc.stderr, proc.stderr


def test_hungarian_on_a_cp1252_console_folds_the_letters_it_lacks():
    # cp1252 has á é í ó ö ú ü but not ő ű: "elő" must come out as "elo", not stop the command half way
    env = _env(PYTHONIOENCODING="cp1252")
    proc = subprocess.run(totpfob() + ["--lang", "hu", "add", "--secret", "JBSW 1", "--label", "me"],
                          capture_output=True, timeout=60, env=env)
    text = proc.stderr.decode("cp1252")
    assert proc.returncode == 2 and len(text.splitlines()) == 1, text
    assert "sosem fordul elo kulcsban" in text and "karakterek" in text, text
    help_text = subprocess.run(totpfob() + ["--lang", "hu", "--help"], capture_output=True, timeout=60, env=env)
    assert help_text.returncode == 0 and "kapcsolók" in help_text.stdout.decode("cp1252"), help_text.stderr


# -- the token's own words ---------------------------------------------------------------------------------

def _firmware_details() -> set:
    """The English details the firmware puts in the error replies whose details the host shows (errors.describe):
    account.Invalid's, vault.VaultError's and service.py's (too many wrong codes, flash write failed)."""
    import ast

    found = set()
    for name in ("account.py", "vault.py", "service.py"):
        tree = ast.parse((ROOT / "firmware" / name).read_text(encoding="utf-8"))
        for node in ast.walk(tree):
            called = getattr(node.func, "id", getattr(node.func, "attr", "")) if isinstance(node, ast.Call) else ""
            shown = called in ("Invalid", "VaultError", "_Busy") or (  # errors.describe shows these codes' details
                called == "_error" and getattr(node.args[1], "attr", "") in ("E_INVALID", "E_STORAGE", "E_BUSY"))
            if shown and node.args:
                text = node.args[-1]
                text = text.left if isinstance(text, ast.BinOp) else text
                if isinstance(text, ast.Constant) and isinstance(text.value, str):
                    found.add(text.value)
    return found


def test_every_detail_the_firmware_sends_is_translated_on_the_host():
    from totpfob import errors

    details = _firmware_details()
    assert "label and issuer take at most %d bytes" in details  # the scan finds them
    assert not details - set(errors._DETAILS), "firmware details without a host translation: %s" % (
        details - set(errors._DETAILS))


def test_a_refusal_from_the_token_reads_in_hungarian_with_its_numbers():
    from totpfob import errors, i18n
    from totpfob.link import DeviceError, wire

    try:
        i18n.use("hu")
        text = errors.describe(DeviceError(wire.E_INVALID, "label and issuer take at most 64 bytes"))
        assert text == "a token nem tudja tárolni ezt a fiókot: a név és a kiadó legfeljebb 64 bájt lehet"
        busy = errors.describe(DeviceError(wire.E_BUSY, "too many wrong codes; wait a minute"), "COM5")
        assert busy == "a token ezt most elutasítja (túl sok hibás kód; várjon egy percet) [COM5]"
        unknown = errors.describe(DeviceError(wire.E_STORAGE, "a phrase from a newer firmware"))
        assert unknown.endswith("(a phrase from a newer firmware)")  # passed through as it came
    finally:
        i18n.use("en")
    assert errors.describe(DeviceError(wire.E_INVALID, "label is empty")) == \
        "the token cannot hold this account: label is empty"
